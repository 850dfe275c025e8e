/*
 * Host tests for the Rtl heap (lib/heap.c, heapalloc.c, heapbig.c,
 * heapfront.c, heapseg.c): creation, allocation, sizes, flags, fixed and
 * growable limits, big blocks, the lock, the front end. Each case restates
 * a Windows behaviour recorded by Wine's kernel32 heap tests or the
 * HeapAlloc/HeapCreate documentation. Every test destroys its heaps, so
 * the host environment's counters return to zero.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <string.h>

static PVOID NewGrowable(void)
{
    return RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
}

HTEST(heap, create_alloc_free)
{
    PVOID Heap = NewGrowable();
    HT_ASSERT(Heap != NULL);
    /* HeapCreate's handles are 64 KB aligned (Wine: "wrong heap alignment"). */
    HT_EQ((ULONG_PTR)Heap & 0xFFFF, 0);
    PVOID p = RtlAllocateHeap(Heap, 0, 100);
    HT_ASSERT(p != NULL);
    HT_EQ((ULONG_PTR)p & 7, 0);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 100);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_EQ(RtlDestroyHeap(Heap), 0);
    HT_EQ(HeapHostReservedBytes, 0);
    HT_EQ(HeapHostCommittedBytes, 0);
}

HTEST(heap, zero_byte_allocation_succeeds)
{
    /* HeapAlloc(heap, 0, 0) returns a unique block whose HeapSize is 0. */
    PVOID Heap = NewGrowable();
    PVOID a = RtlAllocateHeap(Heap, 0, 0), b = RtlAllocateHeap(Heap, 0, 0);
    HT_ASSERT(a != NULL && b != NULL && a != b);
    HT_EQ(RtlSizeHeap(Heap, 0, a), 0);
    HT_ASSERT(RtlValidateHeap(Heap, 0, a));
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    HT_ASSERT(RtlFreeHeap(Heap, 0, b));
    RtlDestroyHeap(Heap);
}

HTEST(heap, size_is_exactly_what_was_asked)
{
    PVOID Heap = NewGrowable();
    PVOID Blocks[400];
    for (SIZE_T i = 0; i < 400; i++) {
        Blocks[i] = RtlAllocateHeap(Heap, 0, i * 13);
        HT_ASSERT(Blocks[i] != NULL);
    }
    for (SIZE_T i = 0; i < 400; i++) {
        HT_EQ(RtlSizeHeap(Heap, 0, Blocks[i]), i * 13);
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    }
    PVOID Big = RtlAllocateHeap(Heap, 0, 0x100001);
    HT_EQ(RtlSizeHeap(Heap, 0, Big), 0x100001);
    RtlFreeHeap(Heap, 0, Big);
    RtlDestroyHeap(Heap);
}

HTEST(heap, free_null_is_true_realloc_null_is_null)
{
    PVOID Heap = NewGrowable();
    HT_ASSERT(RtlFreeHeap(Heap, 0, NULL));
    HT_ASSERT(RtlReAllocateHeap(Heap, 0, NULL, 1) == NULL);
    RtlDestroyHeap(Heap);
}

HTEST(heap, impossible_sizes_fail)
{
    /* Wine: HeapAlloc(~0) and HeapReAlloc(p, ~0 - 7) return NULL. */
    PVOID Heap = NewGrowable();
    PVOID p = RtlAllocateHeap(Heap, 0, 1);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, ~(SIZE_T)0) == NULL);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, ~(SIZE_T)0 - 7) == NULL);
    HT_ASSERT(RtlReAllocateHeap(Heap, 0, p, ~(SIZE_T)0 - 7) == NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 1);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap, zero_memory_flag_zeroes_reused_blocks)
{
    PVOID Heap = NewGrowable();
    for (int Round = 0; Round < 2; Round++) {
        unsigned char *p = RtlAllocateHeap(Heap, 0, 200);
        memset(p, 0xCC, 200);
        RtlFreeHeap(Heap, 0, p);
        p = RtlAllocateHeap(Heap, HEAP_ZERO_MEMORY, 200);
        for (int i = 0; i < 200; i++)
            HT_EQ(p[i], 0);
        RtlFreeHeap(Heap, 0, p);
        /* Second round: the back end, not the lookaside list. */
        ULONG None = HEAP_FRONT_END_NONE;
        HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &None, sizeof None), 0);
    }
    unsigned char *Big = RtlAllocateHeap(Heap, HEAP_ZERO_MEMORY, 1 << 20);
    for (int i = 0; i < (1 << 20); i += 4093)
        HT_EQ(Big[i], 0);
    RtlFreeHeap(Heap, 0, Big);
    RtlDestroyHeap(Heap);
}

HTEST(heap, fixed_heap_maximum_block_is_0x7FFF8_bytes)
{
    /* HeapAlloc: in a non-growable heap dwBytes must be below 0x7FFF8. */
    PVOID Heap = RtlCreateHeap(0, NULL, 0x100000, 0x10000, NULL, NULL);
    HT_ASSERT(Heap != NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, HEAP_MAXIMUM_BLOCK_BYTES - 8);
    HT_ASSERT(p != NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, p), HEAP_MAXIMUM_BLOCK_BYTES - 8);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, HEAP_MAXIMUM_BLOCK_BYTES) == NULL);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 0x100000) == NULL);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap, fixed_heap_refuses_past_its_maximum)
{
    /* A fixed heap reserves its maximum once and never grows past it. */
    PVOID Heap = RtlCreateHeap(0, NULL, 0x40000, 0, NULL, NULL);
    SIZE_T Reserved = HeapHostReservedBytes, Total = 0;
    PVOID p;
    HT_EQ(Reserved, 0x40000);
    while ((p = RtlAllocateHeap(Heap, 0, 1000)) != NULL)
        Total += 1000;
    HT_ASSERT(Total > 0x30000 && Total < 0x40000);
    HT_EQ(HeapHostReservedBytes, Reserved);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* The exception instead of NULL, per call or for the heap. */
    HT_EXPECT_HEAP_EXCEPTION(STATUS_NO_MEMORY,
                             RtlAllocateHeap(Heap, HEAP_GENERATE_EXCEPTIONS, 1000));
    RtlDestroyHeap(Heap);
    Heap = RtlCreateHeap(HEAP_GENERATE_EXCEPTIONS, NULL, 0x10000, 0, NULL, NULL);
    HT_EXPECT_HEAP_EXCEPTION(STATUS_NO_MEMORY, RtlAllocateHeap(Heap, 0, 0x20000));
    RtlDestroyHeap(Heap);
    HT_EQ(HeapHostReservedBytes, 0);
}

HTEST(heap, growable_heap_adds_segments)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0x10000, 0, NULL, NULL);
    PVOID Blocks[3000];
    HT_EQ(HeapHostReservedBytes, 0x10000);
    for (int i = 0; i < 3000; i++) {
        Blocks[i] = RtlAllocateHeap(Heap, 0, 1000);
        HT_ASSERT(Blocks[i] != NULL);
    }
    HT_ASSERT(HeapHostReservedBytes >= 3000 * 1000);
    HT_ASSERT(((PHEAP)Heap)->SegmentCount > 1);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    for (int i = 0; i < 3000; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(HeapHostReservedBytes, 0);
}

HTEST(heap, big_block_gets_its_own_region_released_on_free)
{
    /* Requests over the 0x7F000 threshold of a growable heap: VirtualAlloc'd, released by free. */
    PVOID Heap = NewGrowable(), Base;
    SIZE_T Reserved = HeapHostReservedBytes, Size;
    ULONG Releases = HeapHostReleaseCount;
    PVOID In = RtlAllocateHeap(Heap, 0, 0x7EFF8);
    PVOID Big = RtlAllocateHeap(Heap, 0, 0x7EFF9);
    HT_ASSERT(In != NULL && Big != NULL);
    HT_EQ(((PHEAP_ENTRY)In - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC, 0);
    HT_ASSERT(((PHEAP_ENTRY)Big - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC);
    HT_EQ(HeapHostQuery(Big, &Base, &Size), MEM_COMMIT);
    HT_ASSERT(Base != Heap && Size >= 0x7F000 && Size < 0x7F000 + 0x20000);
    HT_ASSERT(HeapHostReservedBytes >= Reserved + 0x80000);
    HT_ASSERT(RtlValidateHeap(Heap, 0, Big));
    HT_ASSERT(RtlFreeHeap(Heap, 0, Big));
    HT_EQ(HeapHostQuery(Base, &Base, &Size), HEAP_HOST_FREE);
    HT_EQ(HeapHostReleaseCount, Releases + 1);
    HT_ASSERT(RtlFreeHeap(Heap, 0, In));
    RtlDestroyHeap(Heap);
}

HTEST(heap, fixed_heap_never_uses_own_regions)
{
    PVOID Heap = RtlCreateHeap(0, NULL, 0x200000, 0, NULL, NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, 0x7F000);
    HT_ASSERT(p != NULL);
    HT_EQ(((PHEAP_ENTRY)p - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC, 0);
    HT_EQ(HeapHostReservedBytes, 0x200000);
    RtlDestroyHeap(Heap);
}

HTEST(heap, execute_flag_commits_executable_pages)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE | HEAP_CREATE_ENABLE_EXECUTE, NULL, 0, 0, NULL, NULL);
    HT_EQ(((PHEAP)Heap)->Protect, PAGE_EXECUTE_READWRITE);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 64) != NULL);
    RtlDestroyHeap(Heap);
    Heap = NewGrowable();
    HT_EQ(((PHEAP)Heap)->Protect, PAGE_READWRITE);
    RtlDestroyHeap(Heap);
}

HTEST(heap, lock_is_recursive_for_its_owner)
{
    /* HeapLock, then HeapAlloc on the same thread: no deadlock (Wine's heap_thread_proc). */
    PVOID Heap = NewGrowable();
    HT_ASSERT(RtlLockHeap(Heap));
    HT_ASSERT(RtlLockHeap(Heap));
    PVOID p = RtlAllocateHeap(Heap, 0, 10);
    HT_ASSERT(p != NULL);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlUnlockHeap(Heap));
    HT_ASSERT(RtlUnlockHeap(Heap));
    HT_EQ(((PHEAP)Heap)->LockWord, 0);
    HT_ASSERT(!RtlUnlockHeap(Heap));
    RtlDestroyHeap(Heap);
}

HTEST(heap, no_serialize_heap_takes_no_lock)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE | HEAP_NO_SERIALIZE, NULL, 0, 0, NULL, NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, 10);
    HT_EQ(((PHEAP)Heap)->LockWord, 0);
    HT_ASSERT(RtlLockHeap(Heap));
    HT_EQ(((PHEAP)Heap)->LockWord, 0);
    HT_ASSERT(RtlUnlockHeap(Heap));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    RtlDestroyHeap(Heap);
}

HTEST(heap, front_end_is_lfh_and_can_be_chosen_before_use)
{
    PVOID Heap = NewGrowable();
    ULONG Value = 99;
    SIZE_T Length = 0;
    /* Growable serialized heaps start with the LFH, as on Windows since Vista. */
    HT_EQ(RtlQueryHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value, &Length), 0);
    HT_EQ(Value, HEAP_FRONT_END_LFH);
    HT_EQ(Length, sizeof(ULONG));
    /* Before the LFH has handed out a block, the heap may still choose. */
    Value = HEAP_FRONT_END_LOOKASIDE;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value), 0);
    PVOID p = RtlAllocateHeap(Heap, 0, 48);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 48) == p);     /* the lookaside list gave it back */
    Value = 7;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value),
          STATUS_INVALID_PARAMETER);
    Value = HEAP_FRONT_END_NONE;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value), 0);
    HT_EQ(RtlQueryHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value, NULL), 0);
    HT_EQ(Value, HEAP_FRONT_END_NONE);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);

    /* Once the LFH holds blocks, it stays, as Windows refuses to turn it off. */
    Heap = NewGrowable();
    p = RtlAllocateHeap(Heap, 0, 48);
    Value = HEAP_FRONT_END_NONE;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value),
          STATUS_UNSUCCESSFUL);
    Value = HEAP_FRONT_END_LFH;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value), 0);
    RtlFreeHeap(Heap, 0, p);
    RtlDestroyHeap(Heap);

    /* Debug and unserialized heaps start without a front end and cannot take one, as on NT. */
    Heap = RtlCreateHeap(HEAP_GROWABLE | HEAP_FREE_CHECKING_ENABLED, NULL, 0, 0, NULL, NULL);
    HT_EQ(((PHEAP)Heap)->FrontEndHeapType, HEAP_FRONT_END_NONE);
    Value = HEAP_FRONT_END_LFH;
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value),
          STATUS_UNSUCCESSFUL);
    RtlDestroyHeap(Heap);
    Heap = RtlCreateHeap(HEAP_GROWABLE | HEAP_NO_SERIALIZE, NULL, 0, 0, NULL, NULL);
    HT_EQ(((PHEAP)Heap)->FrontEndHeapType, HEAP_FRONT_END_NONE);
    RtlDestroyHeap(Heap);
}

HTEST(heap, freeing_past_thresholds_decommits)
{
    /* NT: a free block of a page or more is decommitted once 64 KB of the heap is free. */
    PVOID Heap = NewGrowable();
    PVOID Blocks[64];
    for (int i = 0; i < 64; i++)
        Blocks[i] = RtlAllocateHeap(Heap, 0, 8192);
    SIZE_T Committed = HeapHostCommittedBytes;
    for (int i = 0; i < 64; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(HeapHostCommittedBytes + 256 * 1024 < Committed);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* And the space is committed again on demand. */
    for (int i = 0; i < 64; i++)
        HT_ASSERT((Blocks[i] = RtlAllocateHeap(Heap, HEAP_ZERO_MEMORY, 8192)) != NULL);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(HeapHostCommittedBytes, 0);
}

HTEST(heap, big_free_blocks_best_fit_through_the_class_hints)
{
    /*
     * Free blocks of many sizes over 1 KB, kept apart by busy ones so they do
     * not merge, and a decommit threshold high enough that none is cut up.
     */
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    Parameters.DeCommitTotalFreeThreshold = 16 * 1024 * 1024;
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, &Parameters);
    ULONG None = HEAP_FRONT_END_NONE;
    static PVOID Big[120], Sep[120];
    static SIZE_T Bytes[120];
    HT_EQ(RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &None, sizeof None), 0);
    for (int i = 0; i < 120; i++) {
        Bytes[i] = 1100 + (SIZE_T)((i * 7919) % 120) * 97;   /* 1,100 .. 12,643, shuffled */
        Big[i] = RtlAllocateHeap(Heap, 0, Bytes[i]);
        Sep[i] = RtlAllocateHeap(Heap, 0, 16);
        HT_ASSERT(Big[i] != NULL && Sep[i] != NULL);
    }
    for (int i = 0; i < 120; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Big[i]));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* Each request gets the smallest free block that holds it (best fit), found in its class. */
    for (int k = 0; k < 40; k++) {
        SIZE_T Want = 1000 + (SIZE_T)k * 290;
        int Best = -1;
        for (int i = 0; i < 120; i++)
            if (Big[i] != NULL && Bytes[i] >= Want && (Best < 0 || Bytes[i] < Bytes[Best]))
                Best = i;
        PVOID p = RtlAllocateHeap(Heap, 0, Want);
        HT_ASSERT(p == Big[Best]);
        Big[Best] = NULL;
        HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    }
    RtlDestroyHeap(Heap);
}

HTEST(heap, coalescing_takes_in_every_free_neighbour_after)
{
    /*
     * Two free blocks may be neighbours when together they exceed one
     * header's 0xFFFF units. Freeing the block before them carves the
     * whole run again from its start; its last piece must not be left
     * beside the second of them unmerged (the validator's rule).
     */
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    Parameters.DeCommitTotalFreeThreshold = 64 * 1024 * 1024;     /* nothing decommitted */
    PVOID Heap = RtlCreateHeap(0, NULL, 4 * 1024 * 1024, 0, NULL, &Parameters);
    SIZE_T MaxBytes = (SIZE_T)0xFFFF * 8 - sizeof(HEAP_ENTRY);   /* exactly 0xFFFF units */
    PVOID a = RtlAllocateHeap(Heap, 0, 64);
    PVOID b = RtlAllocateHeap(Heap, 0, MaxBytes);
    PVOID c = RtlAllocateHeap(Heap, 0, 1000);
    PVOID d = RtlAllocateHeap(Heap, 0, 16);
    HT_ASSERT(a && b && c && d);
    HT_EQ(((PHEAP_ENTRY)b - 1)->Size, 0xFFFF);
    HT_ASSERT((PUCHAR)c == (PUCHAR)b + MaxBytes + sizeof(HEAP_ENTRY));
    HT_ASSERT(RtlFreeHeap(Heap, 0, c));
    HT_ASSERT(RtlFreeHeap(Heap, 0, b));     /* b and c: free neighbours, too big for one */
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));     /* a + b + c carved again */
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlFreeHeap(Heap, 0, d);
    RtlDestroyHeap(Heap);
}
