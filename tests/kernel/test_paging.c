/* Two-level paging: the self-map, protections, the guards, system PDEs. */
#include "ntddk.h"
#include "ktest.h"
#include "mi.h"
#include "ps.h"

KTEST(paging, selfmap_pde_holds_the_directory_frame)
{
    ULONG pde = MiGetPdeAddress((PVOID)PTE_BASE)->u;
    KT_ASSERT(pde & PTE_VALID);
    KT_EQ(pde & PTE_FRAME_MASK, __readcr3() & PTE_FRAME_MASK);
    KT_EQ((ULONG)MiGetPdeAddress((PVOID)PTE_BASE), PDE_BASE + 0x300 * 4);
    /* The directory, read through the self-map, is MmBootPageDirectory. */
    KT_EQ(((PMMPTE)PDE_BASE)[0x200].u, MmBootPageDirectory[0x200]);
}

KTEST(paging, accessors_agree_with_the_hardware)
{
    static ULONG probe;
    PHYSICAL_ADDRESS pa = MmGetPhysicalAddress(&probe);
    KT_EQ(pa.QuadPart, (ULONG)&probe - MI_KERNEL_BASE);
    KT_EQ(MiGetVirtualAddressMappedByPte(MiGetPteAddress(&probe)), PAGE_ALIGN(&probe));
    KT_EQ(MmGetPhysicalAddress((PVOID)0x1000).QuadPart, 0);
}

KTEST(paging, null_guard_read_of_0x1000_bugchecks_0x50)
{
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*(volatile ULONG *)0x1000);
    KT_EQ(KtLastBugCheck.Parameter[0], 0x1000);
}

KTEST(paging, guard_ranges_are_never_mapped)
{
    for (ULONG va = 0; va < MM_LOWEST_USER_ADDRESS; va += PAGE_SIZE)
        KT_ASSERT(!MmIsAddressValid((PVOID)va));
    for (ULONG va = MM_USER_PROBE_ADDRESS; va < MM_SYSTEM_RANGE_START; va += PAGE_SIZE)
        KT_ASSERT(!MmIsAddressValid((PVOID)va));
}

KTEST(paging, kernel_code_is_read_only_and_global)
{
    extern void KiSystemStartup(ULONG, ULONG);
    ULONG pte = MiGetPteAddress((PVOID)KiSystemStartup)->u;
    KT_EQ(pte & PTE_WRITE, 0);
    KT_ASSERT(pte & PTE_GLOBAL);
    KT_EXPECT_BUGCHECK(ATTEMPTED_WRITE_TO_READONLY_MEMORY, *(volatile UCHAR *)KiSystemStartup = 0xCC);
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)KiSystemStartup);
    KT_EQ(KtLastBugCheck.Parameter[1], pte);
}

KTEST(paging, boot_window_keeps_only_the_image)
{
    KT_ASSERT(MmIsAddressValid(__text_start));
    KT_ASSERT(MmIsAddressValid((PVOID)((ULONG_PTR)__bss_end - 1)));
    /* Page 1 is free RAM: no longer reachable at 0x80001000. */
    KT_ASSERT(!MmIsAddressValid((PVOID)0x80001000));
}

KTEST(paging, map_then_unmap_a_system_page)
{
    PMMPTE pte = MiReserveSystemPtes(1, SystemPteSpace);
    KT_ASSERT(pte != NULL);
    volatile ULONG *va = MiGetVirtualAddressMappedByPte(pte);
    PFN_NUMBER page = MiRemoveZeroPage();
    MiMapSystemPage((ULONG_PTR)va, page, MI_SYSTEM_PTE_BITS);
    KT_ASSERT(MmIsAddressValid((PVOID)va));
    KT_EQ(*va, 0);
    *va = 0x12345678;
    KT_EQ(MiGetPfnOfVa((ULONG_PTR)va), page);
    MiUnmapSystemPage((ULONG_PTR)va);
    KT_ASSERT(!MmIsAddressValid((PVOID)va));
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*va);
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)va);
    MiReleaseSystemPtes(pte, 1, SystemPteSpace);
    MiFreePage(page);
}

/*
 * An address space made before a system page table existed lacks its PDE;
 * the first touch faults and MmAccessFault copies the PDE from the system
 * directory (NT/x86's lazy kernel-half sync).
 */
KTEST(paging, missing_system_pde_is_copied_on_fault)
{
    PMMPTE pte = MiReserveSystemPtes(1, SystemPteSpace);
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    PFN_NUMBER data = MiRemoveZeroPage(), dir = MiRemoveZeroPage();
    MiMapSystemPage(va, data, MI_SYSTEM_PTE_BITS);
    *(volatile ULONG *)va = 0xFEEDF00D;

    /* A new directory: the kernel half, less the PDE for va. */
    ULONG target = (ULONG)va >> 22;
    KIRQL old;
    PULONG pd = MiMapPageInHyperSpace(dir, &old);
    for (ULONG i = 0x200; i < 0x400; i++)
        pd[i] = i == target ? 0 : MmBootPageDirectory[i];
    pd[MI_SELFMAP_PDE_INDEX] = (dir << PAGE_SHIFT) | PTE_VALID | PTE_WRITE;
    MiUnmapPageInHyperSpace(pd, old);

    ULONG flags = __readeflags();
    _disable();
    ULONG oldCr3 = __readcr3();
    __writecr3(dir << PAGE_SHIFT);
    __invlpg((PVOID)va);        /* global: the CR3 load kept its TLB entry */
    volatile ULONG *pde = (volatile ULONG *)PDE_BASE + target;
    BOOLEAN missingBefore = !(*pde & PTE_VALID);
    ULONG value = *(volatile ULONG *)va;          /* faults, then is retried */
    BOOLEAN presentAfter = (*pde & PTE_VALID) != 0;
    __writecr3(oldCr3);
    __writeeflags(flags);

    KT_ASSERT(missingBefore);
    KT_EQ(value, 0xFEEDF00D);
    KT_ASSERT(presentAfter);
    MiUnmapSystemPage(va);
    MiReleaseSystemPtes(pte, 1, SystemPteSpace);
    MiFreePage(data);
    MiFreePage(dir);
}

/*
 * Loading CR3 with a directory that lacks the PDE of the running kernel
 * stack would double fault at the next push (the fault frame goes on the
 * same missing stack); KeAttachProcess, like a thread switch, first gives
 * the directory the system PDEs it lacks (MmSynchronizeSystemPdes).
 */
KTEST(paging, attach_gives_the_directory_the_pde_of_the_running_stack)
{
    static EPROCESS space;
    volatile ULONG local = 0;
    ULONG target = (ULONG)(ULONG_PTR)&local >> 22;
    KT_ASSERT(target >= 0x200 && target != MI_SELFMAP_PDE_INDEX &&
              target != MI_HYPERSPACE_PDE_INDEX);
    PFN_NUMBER dir = MiRemoveZeroPage();
    KIRQL old;
    PULONG pd = MiMapPageInHyperSpace(dir, &old);
    for (ULONG i = 0x200; i < 0x400; i++)
        pd[i] = i == target ? 0 : MmBootPageDirectory[i];
    pd[MI_SELFMAP_PDE_INDEX] = (dir << PAGE_SHIFT) | PTE_VALID | PTE_WRITE;
    MiUnmapPageInHyperSpace(pd, old);
    memset(&space, 0, sizeof(space));
    space.DirectoryTableBase = dir;

    ULONG flags = __readeflags();
    _disable();
    /* Without global pages the CR3 load drops the stack's TLB entry too. */
    ULONG cr4 = __readcr4();
    __writecr4(cr4 & ~CR4_PGE);
    KeAttachProcess(&space);
    BOOLEAN present = (((volatile ULONG *)PDE_BASE)[target] & PTE_VALID) != 0;
    local = 1;
    KeDetachProcess();
    __writecr4(cr4);
    __writeeflags(flags);
    KT_ASSERT(present);
    KT_EQ(local, 1);
    KT_ASSERT(space.SystemPdeGeneration != 0);
    MiFreePage(dir);
}
