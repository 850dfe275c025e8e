/*
 * iospace.c - MmMapIoSpace / MmUnmapIoSpace: device memory (frame buffers,
 * controller registers) mapped into system PTEs. The frames are not RAM the
 * PFN database owns, so nothing there changes. PASSIVE_LEVEL only, as NT
 * documents (seed 000).
 *
 * Caching: MmNonCached sets PCD|PWT; MmCached sets nothing; the write-
 * combining types map uncached, since x86 without PAT has no WC encoding.
 */
#include "ntddk.h"
#include "mi.h"

static ULONG MiCacheAttributes(MEMORY_CACHING_TYPE CacheType)
{
    return CacheType == MmCached ? 0 : PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
}

PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType)
{
    KeCheckIrqlAtMost(PASSIVE_LEVEL, (PVOID)MmMapIoSpace);
    if (NumberOfBytes == 0 || CacheType >= MmMaximumCacheType ||
        (ULONGLONG)PhysicalAddress.QuadPart + NumberOfBytes > 0x100000000ULL)
        return NULL;
    ULONG offset = PhysicalAddress.LowPart & (PAGE_SIZE - 1);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(PhysicalAddress.LowPart, NumberOfBytes);
    PMMPTE pte = MiReserveSystemPtes(pages, SystemPteSpace);
    if (pte == NULL)
        return NULL;
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    PFN_NUMBER first = PhysicalAddress.LowPart >> PAGE_SHIFT;
    for (ULONG i = 0; i < pages; i++)
        MiMapSystemPage(va + ((ULONG_PTR)i << PAGE_SHIFT), first + i,
                        MI_SYSTEM_PTE_BITS | MiCacheAttributes(CacheType));
    return (PVOID)(va + offset);
}

void MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes)
{
    KeCheckIrqlAtMost(PASSIVE_LEVEL, (PVOID)MmUnmapIoSpace);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(BaseAddress, NumberOfBytes);
    MiReleaseSystemPtes(MiGetPteAddress(PAGE_ALIGN(BaseAddress)), pages, SystemPteSpace);
}
