/*
 * procmm.c - process address spaces: making one, mapping user pages into
 * it, and tearing it down.
 *
 * A process's page directory shares the kernel half with the system page
 * directory (its PDEs are copied at creation; later system page tables
 * arrive by MiSynchronizeSystemPde on fault) and has its own self-map
 * (PDE 0x300 points at itself) and its own hyperspace page table (PDE
 * 0x301). User page tables are made when a page is first committed or
 * mapped under them, and kept until exit (NT frees empty ones lazily).
 * Every valid or transition user PTE holds a page the process owns;
 * teardown frees those, then the page tables, the hyperspace table and the
 * directory.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"

#define MI_USER_PDE_COUNT (MM_SYSTEM_RANGE_START >> 22)     /* 0x200 */
#define MI_PDE_BITS (PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY)

/* A new address space; returns its directory's page (MM_EMPTY_LIST if out of memory). */
PFN_NUMBER MmCreateProcessAddressSpace(void)
{
    PFN_NUMBER dir = MiRemoveZeroPage();
    PFN_NUMBER hyper = MiRemoveZeroPage();
    if (dir == MM_EMPTY_LIST || hyper == MM_EMPTY_LIST) {
        if (dir != MM_EMPTY_LIST)
            MiFreePage(dir);
        if (hyper != MM_EMPTY_LIST)
            MiFreePage(hyper);
        return MM_EMPTY_LIST;
    }
    KIRQL old;
    PULONG pd = MiMapPageInHyperSpace(dir, &old);
    for (ULONG i = MI_USER_PDE_COUNT; i < 1024; i++)
        pd[i] = MmBootPageDirectory[i];
    pd[MI_SELFMAP_PDE_INDEX] = (dir << PAGE_SHIFT) | MI_PDE_BITS;
    pd[MI_HYPERSPACE_PDE_INDEX] = (hyper << PAGE_SHIFT) | MI_PDE_BITS;
    MiUnmapPageInHyperSpace(pd, old);
    return dir;
}

/* Makes the page table for user address Va in the current address space,
 * zeroed (every PTE "not committed"). FALSE if no page could be had. */
BOOLEAN MiEnsureUserPageTable(ULONG_PTR Va)
{
    ASSERT(Va >= MM_LOWEST_USER_ADDRESS && Va <= MM_HIGHEST_USER_ADDRESS);
    PMMPTE pde = MiGetPdeAddress((PVOID)Va);
    if (pde->u & PTE_VALID)
        return TRUE;
    PFN_NUMBER table = MiRemoveAnyPage();
    if (table == MM_EMPTY_LIST)
        return FALSE;
    /* User-accessible and writable at the PDE: the PTEs decide. */
    pde->u = (table << PAGE_SHIFT) | MI_PDE_BITS | PTE_OWNER;
    PVOID window = MiGetPteAddress((PVOID)(Va & ~0x3FFFFFu));
    __invlpg(window);
    memset(window, 0, PAGE_SIZE);
    MI_PFN_ELEMENT(table)->PteAddress = pde;
    return TRUE;
}

/*
 * Maps Page at user address Va of the current address space, making its
 * page table if needed. FALSE if a page table could not be had.
 */
BOOLEAN MiMapUserPage(ULONG_PTR Va, PFN_NUMBER Page, BOOLEAN Writable)
{
    if (!MiEnsureUserPageTable(Va))
        return FALSE;
    PMMPTE pte = MiGetPteAddress((PVOID)Va);
    ASSERT(!(pte->u & PTE_VALID));
    ULONG protection = Writable ? MM_READWRITE : MM_READONLY;
    pte->u = MiMakeValidUserPte(Page, protection);
    MI_PFN_ELEMENT(Page)->PteAddress = pte;
    MI_PFN_ELEMENT(Page)->OriginalPte = MiMakeSoftwarePte(protection);
    return TRUE;
}

/* Commits zeroed pages over [Va, Va + Size) of the current address space. */
NTSTATUS MmCommitUserRange(ULONG_PTR Va, SIZE_T Size, BOOLEAN Writable)
{
    for (ULONG_PTR p = Va & ~(ULONG_PTR)(PAGE_SIZE - 1); p < Va + Size; p += PAGE_SIZE) {
        if (MiGetPdeAddress((PVOID)p)->u & PTE_VALID && MiGetPteAddress((PVOID)p)->u & PTE_VALID)
            continue;       /* two segments can share a page */
        PFN_NUMBER page = MiRemoveZeroPage();
        if (page == MM_EMPTY_LIST)
            return STATUS_NO_MEMORY;
        if (!MiMapUserPage(p, page, Writable)) {
            MiFreePage(page);
            return STATUS_NO_MEMORY;
        }
    }
    return STATUS_SUCCESS;
}

void MmProtectUserRangeReadOnly(ULONG_PTR Va, SIZE_T Size, BOOLEAN Executable)
{
    for (ULONG_PTR p = Va & ~(ULONG_PTR)(PAGE_SIZE - 1); p < Va + Size; p += PAGE_SIZE) {
        PMMPTE pte = MiGetPteAddress((PVOID)p);
        pte->u &= ~(PTE_WRITE | PTE_DIRTY);
        MI_PFN_ELEMENT(pte->u >> PAGE_SHIFT)->OriginalPte =
            MiMakeSoftwarePte(Executable ? MM_EXECUTE_READ : MM_READONLY);
        __invlpg((PVOID)p);
    }
}

/*
 * Frees everything of an address space that is not the current one: each
 * user page, each user page table, the hyperspace table, the directory.
 * Returns the pages freed.
 */
ULONG MmDeleteProcessAddressSpace(PFN_NUMBER Directory)
{
    ASSERT((__readcr3() >> PAGE_SHIFT) != Directory);
    ULONG freed = 0;
    KIRQL old;
    PULONG pd = MiMapPageInHyperSpace(Directory, &old);
    for (ULONG i = 0; i < MI_USER_PDE_COUNT; i++) {
        if (!(pd[i] & PTE_VALID))
            continue;
        PFN_NUMBER table = pd[i] >> PAGE_SHIFT;
        KIRQL old2;
        PULONG pt = MiMapPageInHyperSpace(table, &old2);
        /* Valid PTEs and transition ones (a resident page kept out of
         * reach by PAGE_NOACCESS or PAGE_GUARD) both hold a page. */
        for (ULONG j = 0; j < 1024; j++)
            if (pt[j] & (PTE_VALID | MI_PTE_TRANSITION)) {
                MiFreePage(pt[j] >> PAGE_SHIFT);
                freed++;
            }
        MiUnmapPageInHyperSpace(pt, old2);
        MiFreePage(table);
        freed++;
    }
    PFN_NUMBER hyper = pd[MI_HYPERSPACE_PDE_INDEX] >> PAGE_SHIFT;
    MiUnmapPageInHyperSpace(pd, old);
    MiFreePage(hyper);
    MiFreePage(Directory);
    return freed + 2;
}
