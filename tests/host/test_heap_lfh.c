/*
 * Host tests for the low-fragmentation front end (lib/heaplfh.c,
 * lib/heaplfh.h): bucket rounding, slot reuse, subsegments growing and
 * going back, in-place reallocation inside a slot, zeroing, the walk, and
 * the corruption checks on LFH blocks.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heaplfh.h"
#include <string.h>

static PVOID NewLfhHeap(void)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    return Heap;
}

static PHEAP_ENTRY HeaderOf(PVOID Block)
{
    return (PHEAP_ENTRY)Block - 1;
}

HTEST(heap_lfh, every_size_up_to_4k_is_a_slot_with_exact_size)
{
    PVOID Heap = NewLfhHeap();
    static PVOID Blocks[HEAP_LFH_MAX_REQUEST + 2];
    for (SIZE_T Size = 0; Size <= HEAP_LFH_MAX_REQUEST + 1; Size++) {
        PUCHAR p = RtlAllocateHeap(Heap, 0, Size);
        PHEAP_ENTRY Header;
        HT_ASSERT(p != NULL);
        HT_EQ((ULONG_PTR)p & 7, 0);
        Header = HeaderOf(p);
        HT_EQ(RtlSizeHeap(Heap, 0, p), Size);
        if (Size <= HEAP_LFH_MAX_REQUEST) {
            SIZE_T Units = RtlpHeapUnitsForSize(0, Size);
            HT_ASSERT(Header->Flags & HEAP_ENTRY_LFH_SLOT);
            /* The slot is its bucket's size: never smaller, rounded by at most 1/16. */
            HT_ASSERT(Header->Size >= Units);
            HT_ASSERT((SIZE_T)(Header->Size - Units) * 16 <= Units);
            HT_EQ(Header->Size, ((PHEAP)Heap)->Buckets[RtlpLfhBucketIndex(Units)].BlockUnits);
        } else {
            HT_ASSERT(!(Header->Flags & HEAP_ENTRY_LFH_SLOT));    /* the back end's */
        }
        memset(p, 0x5A, Size);
        Blocks[Size] = p;
    }
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    for (SIZE_T Size = 0; Size <= HEAP_LFH_MAX_REQUEST + 1; Size++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[Size]));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(HeapHostCommittedBytes, 0);
}

HTEST(heap_lfh, bucket_index_and_size_agree)
{
    PVOID Heap = NewLfhHeap();
    PHEAP h = Heap;
    ULONG Previous = 0;
    for (SIZE_T Units = HEAP_MIN_BLOCK_UNITS; Units <= HEAP_LFH_MAX_UNITS; Units++) {
        ULONG Index = RtlpLfhBucketIndex(Units);
        HT_ASSERT(Index < HEAP_LFH_BUCKETS);
        HT_ASSERT(Index >= Previous);                       /* monotonic */
        HT_ASSERT(h->Buckets[Index].BlockUnits >= Units);   /* the bucket holds it */
        HT_ASSERT(Index == 0 || h->Buckets[Index - 1].BlockUnits < Units);  /* the smallest that does */
        Previous = Index;
    }
    HT_EQ(h->Buckets[HEAP_LFH_BUCKETS - 1].BlockUnits, HEAP_LFH_MAX_UNITS);
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, freed_slot_is_reused_first)
{
    PVOID Heap = NewLfhHeap();
    PVOID a = RtlAllocateHeap(Heap, 0, 33), b = RtlAllocateHeap(Heap, 0, 40);
    /* 33 and 40 bytes share a bucket: adjacent slots of one subsegment. */
    HT_EQ((PUCHAR)b - (PUCHAR)a, (SIZE_T)HeaderOf(a)->Size << HEAP_GRANULARITY_SHIFT);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 35) == a);
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, subsegments_grow_and_go_back)
{
    PVOID Heap = NewLfhHeap();
    PHEAP h = Heap;
    static PVOID Blocks[6000];
    ULONG Index = RtlpLfhBucketIndex(RtlpHeapUnitsForSize(0, 32));
    SIZE_T Committed0 = HeapHostCommittedBytes;

    for (int i = 0; i < 6000; i++)
        HT_ASSERT((Blocks[i] = RtlAllocateHeap(Heap, 0, 32)) != NULL);
    /* Several subsegments, later ones bigger (a page, then 2, 4, 8 pages of slots). */
    HT_ASSERT(h->Buckets[Index].SubsegmentCount >= 4);
    HT_EQ(h->LfhSubsegmentCount, h->Buckets[Index].SubsegmentCount);
    {
        PHEAP_SUBSEGMENT First = RtlpLfhSubsegmentOf(HeaderOf(Blocks[0]));
        PHEAP_SUBSEGMENT Last = RtlpLfhSubsegmentOf(HeaderOf(Blocks[5999]));
        HT_ASSERT(Last->BlockCount > First->BlockCount);
    }
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    for (int i = 0; i < 6000; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    /* Wholly free subsegments went back, but for the bucket's last room. */
    HT_EQ(h->Buckets[Index].SubsegmentCount, 1);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlCompactHeap(Heap, 0);
    HT_EQ(h->LfhSubsegmentCount, 0);
    HT_ASSERT(HeapHostCommittedBytes <= Committed0);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, subsegment_with_room_comes_first)
{
    PVOID Heap = NewLfhHeap();
    PHEAP h = Heap;
    static PVOID Blocks[3000];
    ULONG Index = RtlpLfhBucketIndex(RtlpHeapUnitsForSize(0, 100));
    for (int i = 0; i < 3000; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 100);
    /* Free one block of the first (full) subsegment: the next allocation takes that slot. */
    HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[3]));
    HT_ASSERT(CONTAINING_RECORD(h->Buckets[Index].Subsegments.Flink, HEAP_SUBSEGMENT, Link) ==
              RtlpLfhSubsegmentOf(HeaderOf(Blocks[3])));
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 100) == Blocks[3]);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, realloc_inside_a_slot)
{
    PVOID Heap = NewLfhHeap();
    PUCHAR p = RtlAllocateHeap(Heap, 0, 100), q;
    SIZE_T Slot = ((SIZE_T)HeaderOf(p)->Size << HEAP_GRANULARITY_SHIFT) - sizeof(HEAP_ENTRY);
    memset(p, 7, 100);
    /* Growing within the slot stays; the new bytes are zeroed on request. */
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_ZERO_MEMORY, p, Slot) == p);
    HT_EQ(RtlSizeHeap(Heap, 0, p), Slot);
    HT_EQ(p[99], 7);
    HT_EQ(p[Slot - 1], 0);
    /* Past the slot: in place only fails and leaves the block; otherwise it moves. */
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, Slot + 1) == NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, p), Slot);
    q = RtlReAllocateHeap(Heap, 0, p, Slot + 1);
    HT_ASSERT(q != NULL && q != p);
    HT_EQ(q[50], 7);
    /* A 4000-byte block shrunk in place to 10: more unused than a byte holds, still exact. */
    p = RtlAllocateHeap(Heap, 0, 4000);
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 10) == p);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 10);
    HT_EQ(HeaderOf(p)->UnusedBytes, HEAP_UNUSED_EXTENDED);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* Without in place only, such a shrink moves to a smaller bucket. */
    q = RtlReAllocateHeap(Heap, 0, p, 8);
    HT_ASSERT(q != NULL && q != p);
    HT_EQ(RtlSizeHeap(Heap, 0, q), 8);
    HT_ASSERT(HeaderOf(q)->Size < 10);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, zero_memory_clears_a_reused_slot)
{
    PVOID Heap = NewLfhHeap();
    PUCHAR p = RtlAllocateHeap(Heap, 0, 200);
    memset(p, 0xCC, 200);
    RtlFreeHeap(Heap, 0, p);
    p = RtlAllocateHeap(Heap, HEAP_ZERO_MEMORY, 200);
    for (int i = 0; i < 200; i++)
        HT_EQ(p[i], 0);
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, walk_reports_each_slot)
{
    PVOID Heap = NewLfhHeap();
    PVOID Blocks[10];
    RTL_HEAP_WALK_ENTRY e;
    int Busy = 0, FreeSlots = 0;
    for (int i = 0; i < 10; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 24);
    RtlFreeHeap(Heap, 0, Blocks[4]);
    memset(&e, 0, sizeof e);
    while (RtlWalkHeap(Heap, &e) == STATUS_SUCCESS) {
        PHEAP_ENTRY Header = (PHEAP_ENTRY)e.DataAddress - 1;
        if (e.Flags & (RTL_HEAP_SEGMENT | RTL_HEAP_UNCOMMITTED_RANGE))
            continue;
        if (!(Header->Flags & HEAP_ENTRY_LFH_SLOT))
            continue;
        if (e.Flags & RTL_HEAP_BUSY) {
            HT_EQ(e.DataSize, 24);
            Busy++;
        } else {
            HT_ASSERT(e.DataAddress != Blocks[3]);
            FreeSlots++;
        }
    }
    HT_EQ(Busy, 9);
    /* The bucket's first subsegment: a page's worth of 32-byte slots, 9 in use. */
    HT_EQ(Busy + FreeSlots, RtlpLfhSubsegmentOf(HeaderOf(Blocks[0]))->BlockCount);
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, double_free_is_reported)
{
    PVOID Heap = NewLfhHeap();
    PVOID p = RtlAllocateHeap(Heap, 0, 64);
    PVOID Keep = RtlAllocateHeap(Heap, 0, 64);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_DOUBLE_FREE, RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(HeapHostCorruptionAddress == p);
    RtlFreeHeap(Heap, 0, Keep);
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, pointers_it_never_returned_are_reported)
{
    PVOID Heap = NewLfhHeap();
    PUCHAR p = RtlAllocateHeap(Heap, 0, 64);
    PHEAP_SUBSEGMENT Sub = RtlpLfhSubsegmentOf(HeaderOf(p));
    /* The middle of a slot: its "header" is data, which no checksum vouches for. */
    memset(p, 0, 64);
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, p + 8));
    /* The subsegment's own descriptor: a block, but never one handed out. */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER, RtlFreeHeap(Heap, 0, Sub));
    HT_EQ(RtlSizeHeap(Heap, 0, Sub), (SIZE_T)-1);
    HT_ASSERT(!RtlValidateHeap(Heap, 0, Sub));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, free_list_damage_is_caught_by_alloc_and_validate)
{
    PVOID Heap = NewLfhHeap();
    PVOID a = RtlAllocateHeap(Heap, 0, 64), Keep = RtlAllocateHeap(Heap, 0, 64);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    *(PVOID *)a = (PUCHAR)Heap + 0x10000000;   /* a use after free overwrites the link */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_LFH, RtlValidateHeap(Heap, 0, NULL));
    /* The first allocation takes a (its header is fine); the next would follow the link. */
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 64) == a);
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_LFH, RtlAllocateHeap(Heap, 0, 64));
    (void)Keep;
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, damaged_free_slot_header_is_caught_when_handed_out_again)
{
    PVOID Heap = NewLfhHeap();
    unsigned char *a = RtlAllocateHeap(Heap, 0, 64);
    PVOID Keep = RtlAllocateHeap(Heap, 0, 64);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    a[-2] ^= 0x40;      /* UnusedBytes of a free slot: only the checksum sees it */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlValidateHeap(Heap, 0, NULL));
    /* The fast path hands it out with the damage kept in the checksum; the free finds it. */
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 64) == a);
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, a));
    (void)Keep;
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, free_of_a_block_whose_subsegment_went_back_is_reported)
{
    PVOID Heap = NewLfhHeap();
    PHEAP h = Heap;
    static PVOID Blocks[400];
    for (int i = 0; i < 400; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 32);
    PHEAP_SUBSEGMENT First = RtlpLfhSubsegmentOf(HeaderOf(Blocks[0]));
    int Count = First->BlockCount;      /* read now: the descriptor is gone once released */
    HT_ASSERT(Count < 400 && RtlpLfhSubsegmentOf(HeaderOf(Blocks[Count])) != First);
    /* Free the first subsegment's blocks: it goes back to the back end (another has room). */
    for (int i = 0; i < Count; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(h->LfhLastUsed != First);     /* the hint does not outlive its subsegment */
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* A stale pointer into it: its old header is sealed, but no subsegment vouches for it. */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, Blocks[0]));
    RtlDestroyHeap(Heap);
}

HTEST(heap_lfh, frees_across_subsegments_use_the_full_check)
{
    /* Alternating frees between two subsegments: each misses the last-used hint once. */
    PVOID Heap = NewLfhHeap();
    static PVOID Blocks[400];
    for (int i = 0; i < 400; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 32);
    for (int i = 0; i < 200; i++) {
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[399 - i]));
    }
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}
