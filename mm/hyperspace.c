/*
 * hyperspace.c - a small per-process window (0xC0400000) for touching any
 * physical page: to zero it, copy it, or fill in a page table of another
 * address space. NT maps pages there under the PFN lock's IRQL; so do we:
 * the caller is at DISPATCH_LEVEL from map to unmap, so nothing else on this
 * processor can take the slot. Slots nest (map A, then B) and are released
 * in the opposite order.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"

#define MI_HYPERSPACE_SLOTS 8
static ULONG MiHyperSpaceDepth;

void MiInitializeHyperSpace(PFN_NUMBER PageTablePage)
{
    /* Per process: not global, and (unlike MiMakeSystemPageTable) not a
     * system PDE other address spaces copy. */
    ULONG pde = (PageTablePage << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    MmBootPageDirectory[MI_HYPERSPACE_PDE_INDEX] = pde;
    PVOID table = (PVOID)(ULONG_PTR)(PTE_BASE + MI_HYPERSPACE_PDE_INDEX * PAGE_SIZE);
    __invlpg(table);
    memset(table, 0, PAGE_SIZE);
}

PVOID MiMapPageInHyperSpace(PFN_NUMBER Page, PKIRQL OldIrql)
{
    KIRQL irql = KeGetCurrentIrql();
    *OldIrql = KfRaiseIrql(irql > DISPATCH_LEVEL ? irql : DISPATCH_LEVEL);
    ULONG slot = MiHyperSpaceDepth++;
    ASSERT(slot < MI_HYPERSPACE_SLOTS);
    PVOID va = (PVOID)(ULONG_PTR)(HYPER_SPACE + slot * PAGE_SIZE);
    MiGetPteAddress(va)->u = (Page << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    __invlpg(va);
    return va;
}

void MiUnmapPageInHyperSpace(PVOID Va, KIRQL OldIrql)
{
    ULONG slot = (ULONG)((ULONG_PTR)Va - HYPER_SPACE) >> PAGE_SHIFT;
    ASSERT(slot + 1 == MiHyperSpaceDepth);
    MiGetPteAddress(Va)->u = 0;
    __invlpg(Va);
    MiHyperSpaceDepth--;
    KeLowerIrql(OldIrql);
}
