/*
 * paging.c - the kernel's page tables.
 *
 * x86 without PAE translates through two levels: the top 10 bits of an
 * address pick a PDE in the page directory (CR3), the next 10 a PTE in the
 * page table that PDE names, and the last 12 the byte in the page. PDE 0x300
 * of every directory points at the directory itself, which makes each page
 * table appear as a page of the 4 MB window at 0xC0000000 and the directory
 * as the page at 0xC0300000 (the PTE of a PTE address is its PDE):
 *
 *     PTE of va  = 0xC0000000 + (va >> 12) * 4      MiGetPteAddress
 *     PDE of va  = 0xC0300000 + (va >> 22) * 4      MiGetPdeAddress
 *
 * MmBootPageDirectory, built by entry.asm, is the system page directory.
 * The kernel half is the same in every address space: new system page
 * tables are entered here, and another address space that lacks one gets it
 * copied on its first fault there (MiSynchronizeSystemPde), as NT/x86 does,
 * or, before CR3 is loaded with it, all at once (MmSynchronizeSystemPdes),
 * since a fault on a kernel stack cannot be repaired that way.
 * Kernel mappings are global, so CR3 switches keep them in the TLB.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"

ULONG MmBootPageDirectory[1024] __attribute__((aligned(4096)));
ULONG MmBootPageTables[MI_BOOT_MAPPED_BYTES >> PAGE_SHIFT] __attribute__((aligned(4096)));

/* Global entries survive CR3 loads: toggling CR4.PGE drops them too. */
static void MiFlushEntireTb(void)
{
    ULONG cr4 = __readcr4();
    __writecr4(cr4 & ~CR4_PGE);
    __writecr4(cr4);
}

/* Removes the identity map entry.asm needed, and guards the boot stack. */
void MiInitializeBootPaging(void)
{
    PMMPTE pd = (PMMPTE)PDE_BASE;
    ASSERT((pd[MI_SELFMAP_PDE_INDEX].u & PTE_FRAME_MASK) ==
           (ULONG)MmBootPageDirectory - MI_KERNEL_BASE);
    for (ULONG i = 0; i < (MI_BOOT_MAPPED_BYTES >> 22); i++)
        pd[i].u = 0;
    MiFlushEntireTb();
    MiGetPteAddress(KiBootStackGuard)->u = 0;
    __invlpg(KiBootStackGuard);
}

/* Counts system page tables made, so a directory that has them all is seen in one compare. */
static ULONG MiSystemPdeGeneration = 1;

/*
 * Enters Page as the page table for PDE PdeIndex of the system directory
 * (and of the current one) and zeroes it through the self-map window.
 */
void MiMakeSystemPageTable(ULONG PdeIndex, PFN_NUMBER Page)
{
    ASSERT(PdeIndex >= (MM_SYSTEM_RANGE_START >> 22) && PdeIndex != MI_SELFMAP_PDE_INDEX);
    ASSERT(!(MmBootPageDirectory[PdeIndex] & PTE_VALID));
    ULONG pde = (Page << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    MmBootPageDirectory[PdeIndex] = pde;
    ((PMMPTE)PDE_BASE)[PdeIndex].u = pde;
    MiSystemPdeGeneration++;
    PVOID table = (PVOID)(ULONG_PTR)(PTE_BASE + PdeIndex * PAGE_SIZE);
    __invlpg(table);
    memset(table, 0, PAGE_SIZE);
}

BOOLEAN MiSynchronizeSystemPde(ULONG_PTR Va)
{
    ULONG i = (ULONG)Va >> 22;
    PMMPTE current = &((PMMPTE)PDE_BASE)[i];
    if (Va < MM_SYSTEM_RANGE_START || i == MI_SELFMAP_PDE_INDEX || i == MI_HYPERSPACE_PDE_INDEX)
        return FALSE;
    if (!(MmBootPageDirectory[i] & PTE_VALID) || (current->u & PTE_VALID))
        return FALSE;
    current->u = MmBootPageDirectory[i];
    return TRUE;
}

/* See mm.h. */
void MmSynchronizeSystemPdes(ULONG Directory, PULONG Generation)
{
    ULONG generation = MiSystemPdeGeneration;
    if (*Generation == generation)
        return;
    KIRQL old;
    PULONG pd = MiMapPageInHyperSpace(Directory, &old);
    for (ULONG i = MM_SYSTEM_RANGE_START >> 22; i < 1024; i++) {
        if (i == MI_SELFMAP_PDE_INDEX || i == MI_HYPERSPACE_PDE_INDEX)
            continue;
        if (!(pd[i] & PTE_VALID) && (MmBootPageDirectory[i] & PTE_VALID))
            pd[i] = MmBootPageDirectory[i];
    }
    MiUnmapPageInHyperSpace(pd, old);
    *Generation = generation;
}

ULONG MiSystemPageTableCount;

BOOLEAN MiEnsureSystemPageTable(ULONG_PTR Va)
{
    ULONG i = (ULONG)Va >> 22;
    if (MmBootPageDirectory[i] & PTE_VALID) {
        MiSynchronizeSystemPde(Va);
        return TRUE;
    }
    /* Any page will do: MiMakeSystemPageTable zeroes it in place. */
    PFN_NUMBER page = MiRemoveAnyPage();
    if (page == MM_EMPTY_LIST)
        return FALSE;
    MiMakeSystemPageTable(i, page);
    MI_PFN_ELEMENT(page)->PteAddress = &((PMMPTE)PDE_BASE)[i];
    MiSystemPageTableCount++;
    return TRUE;
}

void MiMapSystemPage(ULONG_PTR Va, PFN_NUMBER Page, ULONG Attributes)
{
    ASSERT(Va >= MM_SYSTEM_RANGE_START && (Va < PTE_BASE || Va > HYPER_SPACE_END));
    ASSERT(MmBootPageDirectory[Va >> 22] & PTE_VALID);
    PMMPTE pte = MiGetPteAddress((PVOID)Va);
    ASSERT(!(pte->u & PTE_VALID));
    pte->u = (Page << PAGE_SHIFT) | Attributes;
}

void MiUnmapSystemPage(ULONG_PTR Va)
{
    MiGetPteAddress((PVOID)Va)->u = 0;
    __invlpg((PVOID)Va);
}

PFN_NUMBER MiGetPfnOfVa(ULONG_PTR Va)
{
    ULONG pde = MiGetPdeAddress((PVOID)Va)->u;
    if (!(pde & PTE_VALID))
        return MM_EMPTY_LIST;
    if (pde & PTE_LARGE_PAGE)
        return (pde >> PAGE_SHIFT) + ((Va >> PAGE_SHIFT) & 0x3FF);
    ULONG pte = MiGetPteAddress((PVOID)Va)->u;
    return (pte & PTE_VALID) ? pte >> PAGE_SHIFT : MM_EMPTY_LIST;
}

BOOLEAN MmIsAddressValid(PVOID VirtualAddress)
{
    return MiGetPfnOfVa((ULONG_PTR)VirtualAddress) != MM_EMPTY_LIST;
}

PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress)
{
    PHYSICAL_ADDRESS pa;
    PFN_NUMBER page = MiGetPfnOfVa((ULONG_PTR)BaseAddress);
    pa.QuadPart = page == MM_EMPTY_LIST ? 0
                : ((LONGLONG)page << PAGE_SHIFT) | BYTE_OFFSET(BaseAddress);
    return pa;
}

/* Code and constants become read-only: with CR0.WP set, a stray kernel
 * write to them faults (ATTEMPTED_WRITE_TO_READONLY_MEMORY). */
void MiProtectKernelImage(void)
{
    for (ULONG_PTR va = (ULONG_PTR)__text_start; va < (ULONG_PTR)__rodata_end; va += PAGE_SIZE) {
        MiGetPteAddress((PVOID)va)->u &= ~PTE_WRITE;
        __invlpg((PVOID)va);
    }
}

static BOOLEAN MiInRange(ULONG Pa, ULONG Start, ULONG End)
{
    return Pa >= (Start & ~(PAGE_SIZE - 1)) && Pa < End;
}

/*
 * The boot window mapped all of the first 16 MB. Keep only what the kernel
 * still reads there (its image, the boot information, the modules), so
 * pages the PFN database hands out are not also reachable through it.
 */
void MiTrimBootWindow(void)
{
    ULONG imageStart = (ULONG)__image_start_phys, imageEnd = (ULONG)__image_end - MI_KERNEL_BASE;
    for (ULONG pa = 0; pa < MI_BOOT_MAPPED_BYTES; pa += PAGE_SIZE) {
        BOOLEAN keep = MiInRange(pa, imageStart, imageEnd) ||
                       MiInRange(pa, KeLoaderBlock.InfoPhysical,
                                 KeLoaderBlock.InfoPhysical + KeLoaderBlock.InfoSize);
        for (ULONG m = 0; m < KeLoaderBlock.ModuleCount && !keep; m++)
            keep = MiInRange(pa, KeLoaderBlock.Modules[m].Start, KeLoaderBlock.Modules[m].End);
        if (!keep)
            MiGetPteAddress((PVOID)MI_BOOT_PHYSICAL_TO_VIRTUAL(pa))->u = 0;
    }
    MiFlushEntireTb();
}

void KeZeroPages(PVOID Address, SIZE_T Size)
{
    ULONG words = (ULONG)(Size >> 2);
    __asm__ volatile("rep stosl" : "+D"(Address), "+c"(words) : "a"(0) : "memory");
}
