/*
 * Host tests for RtlWalkHeap, RtlCompactHeap and RtlDestroyHeap
 * (lib/heapwalk.c, heapseg.c): the walk's entries (as kernel32's HeapWalk
 * converts them to PROCESS_HEAP_ENTRY) add up to the regions, uncommitted
 * ranges show where pages were given back, compaction returns committed
 * pages and the largest free block, and destroy releases every region.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <string.h>

typedef struct {
    ULONG Regions, Busy, Free, Uncommitted, Big;
    SIZE_T BusyBytes;
    int SumsAgree;      /* per region: header + blocks + uncommitted == reservation */
    int CommitAgrees;   /* per region: header + blocks == committed size */
} WALK_TOTALS;

static void WalkAll(PVOID Heap, WALK_TOTALS *t)
{
    RTL_HEAP_WALK_ENTRY Rtl;
    PROCESS_HEAP_ENTRY Entry;
    SIZE_T RegionSum = 0, RegionCommitted = 0, Reserve = 0, Committed = 0;
    memset(t, 0, sizeof *t);
    memset(&Rtl, 0, sizeof Rtl);
    t->SumsAgree = t->CommitAgrees = 1;
    for (;;) {
        NTSTATUS Status = RtlWalkHeap(Heap, &Rtl);
        int EndOfRegion = Status != 0 || (Rtl.Flags & RTL_HEAP_SEGMENT) || Rtl.SegmentIndex == 0xFF;
        if (EndOfRegion && t->Regions > 0 && Reserve != 0) {
            t->SumsAgree &= RegionSum == Reserve;
            t->CommitAgrees &= RegionCommitted == Committed;
            Reserve = 0;
        }
        if (Status != 0) {
            HT_EQ(Status, STATUS_NO_MORE_ENTRIES);
            return;
        }
        RtlpHeapWalkEntryToProcessHeapEntry(&Rtl, &Entry);
        if (Entry.wFlags & PROCESS_HEAP_REGION) {
            t->Regions++;
            Reserve = (SIZE_T)Entry.Region.dwCommittedSize + Entry.Region.dwUnCommittedSize;
            Committed = Entry.Region.dwCommittedSize;
            RegionSum = RegionCommitted = Entry.cbData;
            HT_ASSERT((PUCHAR)Entry.Region.lpLastBlock == (PUCHAR)Entry.lpData + Reserve);
        } else if (Entry.wFlags & PROCESS_HEAP_UNCOMMITTED_RANGE) {
            t->Uncommitted++;
            RegionSum += Entry.cbData;
        } else {
            if (Entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) {
                t->Busy++;
                t->BusyBytes += Entry.cbData;
                if (Entry.iRegionIndex == 0xFF)
                    t->Big++;
            } else {
                t->Free++;
            }
            RegionSum += (SIZE_T)Entry.cbData + Entry.cbOverhead;
            RegionCommitted += (SIZE_T)Entry.cbData + Entry.cbOverhead;
        }
    }
}

HTEST(heap_walk, fresh_heap_is_one_region_of_free_space)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    RTL_HEAP_WALK_ENTRY Rtl = { 0 };
    WALK_TOTALS t;
    HT_EQ(RtlWalkHeap(Heap, &Rtl), 0);
    HT_EQ(Rtl.Flags, RTL_HEAP_SEGMENT);
    HT_ASSERT(Rtl.DataAddress == Heap);
    WalkAll(Heap, &t);
    HT_EQ(t.Regions, 1);
    HT_EQ(t.Busy, 0);
    HT_ASSERT(t.Free >= 1);
    HT_EQ(t.Uncommitted, 1);
    HT_ASSERT(t.SumsAgree && t.CommitAgrees);
    RtlDestroyHeap(Heap);
}

HTEST(heap_walk, entries_add_up_to_the_regions)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0x10000, 0, NULL, NULL);
    PVOID Blocks[600];
    WALK_TOTALS t;
    SIZE_T Live = 0;
    for (int i = 0; i < 600; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, (SIZE_T)(i % 50) * 97 + 1);
    for (int i = 0; i < 600; i += 3)
        RtlFreeHeap(Heap, 0, Blocks[i]);
    /* Free a long stretch: pages are decommitted, an uncommitted range opens mid-segment. */
    for (int i = 301; i < 500; i++)
        if (i % 3 != 0)
            RtlFreeHeap(Heap, 0, Blocks[i]);
    PVOID Big = RtlAllocateHeap(Heap, 0, 0x200000);
    for (int i = 0; i < 600; i++)
        if (i % 3 != 0 && (i <= 300 || i >= 500))
            Live += (SIZE_T)(i % 50) * 97 + 1;
    WalkAll(Heap, &t);
    HT_ASSERT(t.Regions > 1);
    HT_EQ(t.Big, 1);
    HT_EQ(t.Busy, 1 + 400 - 133);
    HT_EQ(t.BusyBytes, Live + 0x200000);
    HT_ASSERT(t.Uncommitted > t.Regions);    /* holes besides each region's tail */
    HT_ASSERT(t.SumsAgree);
    HT_ASSERT(t.CommitAgrees);
    RtlFreeHeap(Heap, 0, Big);
    RtlDestroyHeap(Heap);
}

HTEST(heap_walk, compact_gives_committed_pages_back)
{
    /* With NT's thresholds raised, frees keep their pages; HeapCompact gives them back. */
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    Parameters.DeCommitTotalFreeThreshold = 64 * 1024 * 1024;
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, &Parameters), Base;
    PVOID Blocks[100];
    SIZE_T Size;
    for (int i = 0; i < 100; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 5000);
    for (int i = 1; i < 99; i++)
        RtlFreeHeap(Heap, 0, Blocks[i]);
    SIZE_T Before = HeapHostCommittedBytes;
    HT_EQ(HeapHostQuery((PUCHAR)Blocks[50] + 4096, &Base, &Size), MEM_COMMIT);
    SIZE_T Largest = RtlCompactHeap(Heap, 0);
    HT_ASSERT(Largest > 0 && Largest < 3 * 4096);
    HT_ASSERT(HeapHostCommittedBytes + 400 * 1024 < Before);
    HT_EQ(HeapHostQuery((PUCHAR)Blocks[50] + 4096, &Base, &Size), MEM_RESERVE);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* The two survivors are intact and the heap still serves. */
    HT_EQ(RtlSizeHeap(Heap, 0, Blocks[0]), 5000);
    HT_EQ(RtlSizeHeap(Heap, 0, Blocks[99]), 5000);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 300000) != NULL);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap_walk, compact_returns_largest_free_block)
{
    PVOID Heap = RtlCreateHeap(0, NULL, 0x100000, 0x100000, NULL, NULL);
    /* Fully committed fixed heap: the free space is one committed block until compacted. */
    PVOID p = RtlAllocateHeap(Heap, 0, 100);
    SIZE_T Largest = RtlCompactHeap(Heap, 0);
    HT_ASSERT(Largest > 0);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, Largest) != NULL);
    RtlFreeHeap(Heap, 0, p);
    RtlDestroyHeap(Heap);
}

HTEST(heap_walk, destroy_releases_everything)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0x10000, 0, NULL, NULL);
    ULONG Releases = HeapHostReleaseCount;
    for (int i = 0; i < 500; i++)
        RtlAllocateHeap(Heap, 0, 2000);
    RtlAllocateHeap(Heap, 0, 0x100000);
    RtlAllocateHeap(Heap, 0, 0x300000);
    ULONG Segments = ((PHEAP)Heap)->SegmentCount;
    HT_ASSERT(Segments > 1);
    HT_ASSERT(HeapHostReservedBytes > 0x400000);
    HT_EQ(RtlDestroyHeap(Heap), 0);
    HT_EQ(HeapHostReservedBytes, 0);
    HT_EQ(HeapHostCommittedBytes, 0);
    HT_EQ(HeapHostReleaseCount, Releases + Segments + 2);
}

HTEST(heap_walk, lookaside_blocks_walk_as_free)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    WALK_TOTALS t;
    PVOID p = RtlAllocateHeap(Heap, 0, 40), q = RtlAllocateHeap(Heap, 0, 40);
    RtlFreeHeap(Heap, 0, p);
    WalkAll(Heap, &t);
    HT_EQ(t.Busy, 1);
    HT_EQ(t.BusyBytes, 40);
    HT_ASSERT(t.SumsAgree);
    RtlFreeHeap(Heap, 0, q);
    RtlDestroyHeap(Heap);
}
