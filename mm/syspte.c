/*
 * syspte.c - system PTEs: runs of page-table entries in the system PTE
 * region (0xE9000000-0xF8FFFFFF), handed out for mappings that need
 * address space but own no pages: device memory (MmMapIoSpace), MDL
 * mappings, contiguous allocations, kernel stacks with their guard page.
 *
 * One bit per PTE, set while reserved (RTL_BITMAP). The search starts where
 * the last one ended, so a released run is not handed out again at once:
 * that spreads reuse of a virtual address out in time, and with it the
 * chance that a stale pointer finds something mapped there. Page tables for
 * the region are made when a run first needs them and kept.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"
#include "bitmap.h"

#define MI_SYSTEM_PTE_COUNT ((MI_SYSTEM_PTE_END - MI_SYSTEM_PTE_START + 1) >> PAGE_SHIFT)

static ULONG MiSystemPteBits[MI_SYSTEM_PTE_COUNT / 32];
static RTL_BITMAP MiSystemPteBitMap;
static ULONG MiSystemPteHint, MiSystemPteCount;

void MiInitializeSystemPtes(void)
{
    RtlInitializeBitMap(&MiSystemPteBitMap, MiSystemPteBits, MI_SYSTEM_PTE_COUNT);
    RtlClearAllBits(&MiSystemPteBitMap);
}

static ULONG_PTR MiSystemPteVa(ULONG Index)
{
    return MI_SYSTEM_PTE_START + ((ULONG_PTR)Index << PAGE_SHIFT);
}

PMMPTE MiReserveSystemPtes(ULONG NumberOfPtes, MMSYSTEM_PTE_POOL_TYPE Type)
{
    ASSERT(Type == SystemPteSpace);
    if (NumberOfPtes == 0)
        return NULL;
    KIRQL old = MiAcquirePfnLock();     /* the PFN lock guards the bitmap too */
    ULONG index = RtlFindClearBitsAndSet(&MiSystemPteBitMap, NumberOfPtes, MiSystemPteHint);
    if (index == 0xFFFFFFFFu) {
        MiReleasePfnLock(old);
        return NULL;
    }
    MiSystemPteHint = index + NumberOfPtes;
    MiSystemPteCount += NumberOfPtes;
    MiReleasePfnLock(old);

    /* Every page table the run touches must exist before its PTEs are used. */
    ULONG_PTR first = MiSystemPteVa(index), last = MiSystemPteVa(index + NumberOfPtes - 1);
    for (ULONG_PTR va = first & ~0x3FFFFFu; va <= last; va += 0x400000u) {
        if (!MiEnsureSystemPageTable(va)) {
            old = MiAcquirePfnLock();
            RtlClearBits(&MiSystemPteBitMap, index, NumberOfPtes);
            MiSystemPteCount -= NumberOfPtes;
            MiReleasePfnLock(old);
            return NULL;
        }
    }
    return MiGetPteAddress((PVOID)first);
}

void MiReleaseSystemPtes(PMMPTE StartingPte, ULONG NumberOfPtes, MMSYSTEM_PTE_POOL_TYPE Type)
{
    ASSERT(Type == SystemPteSpace);
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(StartingPte);
    ASSERT(va >= MI_SYSTEM_PTE_START && va + ((ULONG_PTR)NumberOfPtes << PAGE_SHIFT) - 1 <= MI_SYSTEM_PTE_END);
    ULONG index = (ULONG)((va - MI_SYSTEM_PTE_START) >> PAGE_SHIFT);
    for (ULONG i = 0; i < NumberOfPtes; i++) {
        StartingPte[i].u = 0;
        __invlpg((PVOID)(va + ((ULONG_PTR)i << PAGE_SHIFT)));
    }
    KIRQL old = MiAcquirePfnLock();
    /* Releasing PTEs that are not reserved is a caller's double free. */
    if (!RtlAreBitsSet(&MiSystemPteBitMap, index, NumberOfPtes))
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x3451, (ULONG_PTR)StartingPte, NumberOfPtes, index);
    RtlClearBits(&MiSystemPteBitMap, index, NumberOfPtes);
    MiSystemPteCount -= NumberOfPtes;
    MiReleasePfnLock(old);
}

ULONG MiSystemPtesInUse(void)
{
    return MiSystemPteCount;
}
