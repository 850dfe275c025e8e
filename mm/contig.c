/*
 * contig.c - physically contiguous memory for devices that DMA without a
 * scatter list: MmAllocateContiguousMemory(SpecifyCache) and
 * MmFreeContiguousMemory.
 *
 * The search (MiFindContiguousPages) walks the PFN database from the
 * highest acceptable page down, as NT does, because low memory is the
 * scarce kind. The pages are mapped into system PTEs. The first and last
 * page of the run carry StartOfAllocation / EndOfAllocation in their PFN
 * entries, which is how the free finds the run's end from its address.
 */
#include "ntddk.h"
#include "mi.h"

PVOID MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes,
                                             PHYSICAL_ADDRESS LowestAcceptableAddress,
                                             PHYSICAL_ADDRESS HighestAcceptableAddress,
                                             PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                             MEMORY_CACHING_TYPE CacheType)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmAllocateContiguousMemorySpecifyCache);
    if (NumberOfBytes == 0 || CacheType >= MmMaximumCacheType)
        return NULL;
    ULONG pages = (ULONG)BYTES_TO_PAGES(NumberOfBytes);
    ULONGLONG highest = (ULONGLONG)HighestAcceptableAddress.QuadPart;
    PFN_NUMBER highPage = highest >= 0xFFFFFFFFull ? 0xFFFFF : (PFN_NUMBER)(highest >> PAGE_SHIFT);
    PFN_NUMBER lowPage = (PFN_NUMBER)(((ULONGLONG)LowestAcceptableAddress.QuadPart + PAGE_SIZE - 1) >> PAGE_SHIFT);
    PFN_COUNT boundary = (PFN_COUNT)((ULONGLONG)BoundaryAddressMultiple.QuadPart >> PAGE_SHIFT);
    if (BoundaryAddressMultiple.QuadPart && (BoundaryAddressMultiple.LowPart & (PAGE_SIZE - 1)))
        return NULL;

    PMMPTE pte = MiReserveSystemPtes(pages, SystemPteSpace);
    if (pte == NULL)
        return NULL;
    KIRQL old = MiAcquirePfnLock();
    PFN_NUMBER start = MiFindContiguousPages(&MiPfnDb, lowPage, highPage, pages, 1, boundary);
    if (start == MM_EMPTY_LIST) {
        MiReleasePfnLock(old);
        MiReleaseSystemPtes(pte, pages, SystemPteSpace);
        return NULL;
    }
    for (PFN_NUMBER p = start; p < start + pages; p++)
        MiRemoveSpecificPage(&MiPfnDb, p);
    MI_PFN_ELEMENT(start)->Flags |= MI_PFN_START_OF_ALLOCATION;
    MI_PFN_ELEMENT(start + pages - 1)->Flags |= MI_PFN_END_OF_ALLOCATION;
    MiReleasePfnLock(old);

    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    ULONG cache = CacheType == MmCached ? 0 : PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
    for (ULONG i = 0; i < pages; i++) {
        MiMapSystemPage(va + ((ULONG_PTR)i << PAGE_SHIFT), start + i, MI_SYSTEM_PTE_BITS | cache);
        MI_PFN_ELEMENT(start + i)->PteAddress = &pte[i];
    }
    return (PVOID)va;
}

PVOID MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress)
{
    PHYSICAL_ADDRESS zero;
    zero.QuadPart = 0;
    return MmAllocateContiguousMemorySpecifyCache(NumberOfBytes, zero, HighestAcceptableAddress,
                                                  zero, MmCached);
}

void MmFreeContiguousMemory(PVOID BaseAddress)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmFreeContiguousMemory);
    ULONG_PTR va = (ULONG_PTR)BaseAddress;
    PFN_NUMBER page = MiGetPfnOfVa(va);
    /* Anything but the start of a contiguous allocation: NT's BAD_POOL_CALLER 0x60. */
    if (BYTE_OFFSET(va) || va < MI_SYSTEM_PTE_START || va > MI_SYSTEM_PTE_END ||
        page == MM_EMPTY_LIST || page > MiPfnDb.HighestPage ||
        MI_PFN_ELEMENT(page)->PageLocation != ActiveAndValid ||
        !(MI_PFN_ELEMENT(page)->Flags & MI_PFN_START_OF_ALLOCATION))
        KeBugCheckEx(BAD_POOL_CALLER, 0x60, va, 0, 0);
    ULONG pages = 0;
    for (;;) {
        PFN_NUMBER p = MiGetPfnOfVa(va + ((ULONG_PTR)pages << PAGE_SHIFT));
        ASSERT(p == page + pages);
        pages++;
        if (MI_PFN_ELEMENT(p)->Flags & MI_PFN_END_OF_ALLOCATION)
            break;
    }
    MiReleaseSystemPtes(MiGetPteAddress(BaseAddress), pages, SystemPteSpace);
    KIRQL old = MiAcquirePfnLock();
    for (ULONG i = 0; i < pages; i++) {
        PMMPFN pfn = MI_PFN_ELEMENT(page + i);
        pfn->Flags &= (UCHAR)~(MI_PFN_START_OF_ALLOCATION | MI_PFN_END_OF_ALLOCATION);
        MiReleasePage(&MiPfnDb, page + i);
    }
    MiReleasePfnLock(old);
}
