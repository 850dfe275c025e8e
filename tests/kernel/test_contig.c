/* MmAllocateContiguousMemory and friends. */
#include "ntddk.h"
#include "ktest.h"
#include "mi.h"

static PHYSICAL_ADDRESS Pa(ULONGLONG v)
{
    PHYSICAL_ADDRESS p;
    p.QuadPart = (LONGLONG)v;
    return p;
}

KTEST(contig, allocation_is_physically_contiguous_and_page_aligned)
{
    MM_PAGE_COUNTS before, after;
    /* Once first: a system page table made on the way is kept for good. */
    MmFreeContiguousMemory(MmAllocateContiguousMemory(64 * 1024, Pa(0xFFFFFFFF)));
    MmGetPageCounts(&before);
    PUCHAR va = MmAllocateContiguousMemory(64 * 1024, Pa(0xFFFFFFFF));
    KT_ASSERT(va != NULL);
    KT_EQ(BYTE_OFFSET(va), 0);
    ULONGLONG first = MmGetPhysicalAddress(va).QuadPart;
    KT_EQ(first & (PAGE_SIZE - 1), 0);
    for (ULONG i = 0; i < 16; i++)
        KT_EQ(MmGetPhysicalAddress(va + i * PAGE_SIZE).QuadPart, first + i * PAGE_SIZE);
    memset(va, 0x5A, 64 * 1024);                /* all of it is writable */
    MmFreeContiguousMemory(va);
    MmGetPageCounts(&after);
    KT_EQ(after.AvailablePages, before.AvailablePages);
    KT_EQ(after.SystemPtesInUse, before.SystemPtesInUse);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

KTEST(contig, highest_acceptable_address_is_honoured)
{
    /* Below 1 MB only pages 1-0x9E exist; 16 KB must come from there. */
    PUCHAR low = MmAllocateContiguousMemory(16 * 1024, Pa(0xFFFFF));
    KT_ASSERT(low != NULL);
    KT_ASSERT(MmGetPhysicalAddress(low + 16 * 1024 - 1).QuadPart <= 0xFFFFF);
    /* Below 16 MB, as ISA DMA needs. */
    PUCHAR isa = MmAllocateContiguousMemory(32 * 1024, Pa(0xFFFFFF));
    KT_ASSERT(isa != NULL);
    KT_ASSERT(MmGetPhysicalAddress(isa + 32 * 1024 - 1).QuadPart <= 0xFFFFFF);
    MmFreeContiguousMemory(low);
    MmFreeContiguousMemory(isa);
}

KTEST(contig, lowest_and_boundary_are_honoured)
{
    /*
     * A 1 MB window in the middle of RAM: low memory holds the kernel and
     * GRUB's modules, whose size changes with every program added.
     */
    ULONGLONG low = ((ULONGLONG)(MiPfnDb.HighestPage + 1) * PAGE_SIZE / 2) & ~0xFFFFFull;
    PUCHAR va = MmAllocateContiguousMemorySpecifyCache(12 * 1024, Pa(low), Pa(low + 0xFFFFF),
                                                       Pa(0x10000), MmNonCached);
    KT_ASSERT(va != NULL);
    ULONGLONG pa = MmGetPhysicalAddress(va).QuadPart;
    KT_ASSERT(pa >= low && pa + 12 * 1024 - 1 <= low + 0xFFFFF);
    KT_EQ(pa / 0x10000, (pa + 12 * 1024 - 1) / 0x10000);     /* no 64 KB line crossed */
    KT_ASSERT(MiGetPteAddress(va)->u & PTE_CACHE_DISABLE);
    MmFreeContiguousMemory(va);
}

KTEST(contig, impossible_requests_return_null)
{
    KT_EQ(MmAllocateContiguousMemory(0, Pa(0xFFFFFFFF)), NULL);
    KT_EQ(MmAllocateContiguousMemory(8 * 1024, Pa(0x1FFF)), NULL);     /* only page 1 fits */
    KT_EQ(MmAllocateContiguousMemory(0x7FFFF000, Pa(0xFFFFFFFF)), NULL);
    /* A boundary smaller than the request can never be met. */
    KT_EQ(MmAllocateContiguousMemorySpecifyCache(3 * PAGE_SIZE, Pa(0), Pa(0xFFFFFFFF),
                                                 Pa(2 * PAGE_SIZE), MmCached), NULL);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

KTEST(contig, free_of_a_bad_address_bugchecks_0xc2_0x60)
{
    PUCHAR va = MmAllocateContiguousMemory(2 * PAGE_SIZE, Pa(0xFFFFFFFF));
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, MmFreeContiguousMemory(va + PAGE_SIZE));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x60);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)(va + PAGE_SIZE));
    static ULONG notContiguous;
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, MmFreeContiguousMemory(&notContiguous));
    MmFreeContiguousMemory(va);
}
