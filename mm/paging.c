/*
 * paging.c - the kernel's page tables.
 *
 * entry.asm built the boot page directory: the first 16 MB mapped twice
 * (identity and at 0x80000000) and PDE 0x300 pointing at the directory
 * itself, which makes every page table visible at 0xC0000000 and the
 * directory at 0xC0300000:
 *
 *     PTE of va  = 0xC0000000 + (va >> 12) * 4
 *     PDE of va  = 0xC0300000 + (va >> 22) * 4   (the PTE of a PTE address)
 *
 * Once in C the identity half goes, so address 0 faults.
 */
#include "ntddk.h"
#include "ki.h"

ULONG MmBootPageDirectory[1024] __attribute__((aligned(4096)));
ULONG MmBootPageTables[MI_BOOT_MAPPED_BYTES >> PAGE_SHIFT] __attribute__((aligned(4096)));

/* The global bit keeps a TLB entry across CR3 loads: toggling CR4.PGE is
 * the one way to drop those too. */
static void MiFlushEntireTb(void)
{
    ULONG cr4 = __readcr4();
    __writecr4(cr4 & ~CR4_PGE);
    __writecr4(cr4);
}

void MmInitializeBootPaging(void)
{
    PMMPTE pd = (PMMPTE)PDE_BASE;
    ASSERT((pd[MI_SELFMAP_PDE_INDEX].u & PTE_FRAME_MASK) ==
           (ULONG)MmBootPageDirectory - MI_KERNEL_BASE);

    for (ULONG i = 0; i < (MI_BOOT_MAPPED_BYTES >> 22); i++)
        pd[i].u = 0;
    /* Only the kernel window is global; the page tables it shares with the
     * identity window were global too, so flush everything. */
    MiFlushEntireTb();

    /* The page under the boot stack: unmapped, so an overflow faults. */
    MiGetPteAddress(KiBootStackGuard)->u = 0;
    __invlpg(KiBootStackGuard);
}

void KeZeroPages(PVOID Address, SIZE_T Size)
{
    ULONG words = (ULONG)(Size >> 2);
    __asm__ volatile("rep stosl" : "+D"(Address), "+c"(words) : "a"(0) : "memory");
}
