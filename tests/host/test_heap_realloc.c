/*
 * Host tests for RtlReAllocateHeap (lib/heaprealloc.c, heapbig.c): in-place
 * shrink and grow, HEAP_REALLOC_IN_PLACE_ONLY failing rather than moving,
 * HEAP_ZERO_MEMORY on the added bytes, big blocks shrinking (decommitting)
 * and failing to grow in place afterwards, as Wine's tests record Windows.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <string.h>

/* A growable heap without the front end, so freed neighbours are really free. */
static PVOID NewBackEndHeap(void)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    ULONG None = HEAP_FRONT_END_NONE;
    RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &None, sizeof None);
    return Heap;
}

HTEST(heap_realloc, shrink_stays_in_place)
{
    PVOID Heap = NewBackEndHeap();
    unsigned char *p = RtlAllocateHeap(Heap, 0, 1000);
    for (int i = 0; i < 1000; i++)
        p[i] = (unsigned char)i;
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 100) == p);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 100);
    for (int i = 0; i < 100; i++)
        HT_EQ(p[i], (unsigned char)i);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* The tail went back: the block can grow into it again in place. */
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 900) == p);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 900);
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, grows_into_free_neighbour)
{
    PVOID Heap = NewBackEndHeap();
    PVOID a = RtlAllocateHeap(Heap, 0, 100), b = RtlAllocateHeap(Heap, 0, 100);
    PVOID Guard = RtlAllocateHeap(Heap, 0, 100);
    HT_ASSERT(RtlFreeHeap(Heap, 0, b));
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, a, 200) == a);
    HT_EQ(RtlSizeHeap(Heap, 0, a), 200);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlFreeHeap(Heap, 0, Guard);
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, in_place_only_fails_when_it_cannot_grow)
{
    /* HEAP_REALLOC_IN_PLACE_ONLY: NULL, and the block is left as it was. */
    PVOID Heap = NewBackEndHeap();
    unsigned char *a = RtlAllocateHeap(Heap, 0, 100);
    PVOID b = RtlAllocateHeap(Heap, 0, 100);
    memset(a, 0x5A, 100);
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, a, 1000) == NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, a), 100);
    for (int i = 0; i < 100; i++)
        HT_EQ(a[i], 0x5A);
    /* With HEAP_GENERATE_EXCEPTIONS the failure is STATUS_NO_MEMORY raised. */
    HT_EXPECT_HEAP_EXCEPTION(STATUS_NO_MEMORY,
        RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY | HEAP_GENERATE_EXCEPTIONS, a, 1000));
    /* Without the flag, it moves and keeps the contents. */
    unsigned char *c = RtlReAllocateHeap(Heap, 0, a, 1000);
    HT_ASSERT(c != NULL && c != (unsigned char *)a);
    for (int i = 0; i < 100; i++)
        HT_EQ(c[i], 0x5A);
    HT_EQ(RtlSizeHeap(Heap, 0, c), 1000);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(!RtlValidateHeap(Heap, 0, a));    /* the old block is free now */
    RtlFreeHeap(Heap, 0, b);
    RtlFreeHeap(Heap, 0, c);
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, zero_memory_zeroes_added_bytes)
{
    PVOID Heap = NewBackEndHeap();
    unsigned char *p = RtlAllocateHeap(Heap, 0, 64);
    PVOID Blocker = RtlAllocateHeap(Heap, 0, 64);
    memset(p, 0xEE, 64);
    /* Moving grow. */
    p = RtlReAllocateHeap(Heap, HEAP_ZERO_MEMORY, p, 3000);
    HT_ASSERT(p != NULL);
    for (int i = 0; i < 64; i++)
        HT_EQ(p[i], 0xEE);
    for (int i = 64; i < 3000; i++)
        HT_EQ(p[i], 0);
    /* Shrink, dirty the freed tail, grow back in place: zero again. */
    memset(p, 0xEE, 3000);
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 10) == p);
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_ZERO_MEMORY | HEAP_REALLOC_IN_PLACE_ONLY, p, 2000) == p);
    for (int i = 10; i < 2000; i++)
        HT_EQ(p[i], 0);
    RtlFreeHeap(Heap, 0, Blocker);
    RtlFreeHeap(Heap, 0, p);
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, to_zero_bytes)
{
    PVOID Heap = NewBackEndHeap();
    PVOID p = RtlAllocateHeap(Heap, 0, 1);
    PVOID q = RtlReAllocateHeap(Heap, 0, p, 0);
    HT_ASSERT(q != NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, q), 0);
    HT_ASSERT(RtlFreeHeap(Heap, 0, q));
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, big_block_shrinks_in_place_then_cannot_grow)
{
    /* Wine: shrinking a very large block decommits pages and then fails to grow in place. */
    PVOID Heap = NewBackEndHeap();
    unsigned char *p = RtlAllocateHeap(Heap, HEAP_ZERO_MEMORY, 1 << 20);
    HT_ASSERT(((PHEAP_ENTRY)p - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC);
    p[0] = 1;
    p[0x2FFFF] = 2;
    SIZE_T Committed = HeapHostCommittedBytes;
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 0x30000) == p);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 0x30000);
    HT_ASSERT(HeapHostCommittedBytes + 0xC0000 <= Committed);
    HT_ASSERT(RtlReAllocateHeap(Heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 0x40000) == NULL);
    HT_EQ(p[0], 1);
    HT_EQ(p[0x2FFFF], 2);
    /* A plain grow moves it (a fresh region, same contents). */
    unsigned char *q = RtlReAllocateHeap(Heap, 0, p, 0x90000);
    HT_ASSERT(q != NULL && q != p);
    HT_EQ(q[0], 1);
    HT_EQ(q[0x2FFFF], 2);
    /* Shrinking under the threshold moves it back into the segments. */
    unsigned char *r = RtlReAllocateHeap(Heap, 0, q, 1000);
    HT_EQ(((PHEAP_ENTRY)r - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC, 0);
    HT_EQ(r[0], 1);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    /* And growing a segment block past the threshold moves it out. */
    unsigned char *s = RtlReAllocateHeap(Heap, 0, r, 0x100000);
    HT_ASSERT(((PHEAP_ENTRY)s - 1)->Flags & HEAP_ENTRY_VIRTUAL_ALLOC);
    HT_EQ(s[0], 1);
    RtlFreeHeap(Heap, 0, s);
    RtlDestroyHeap(Heap);
    HT_EQ(HeapHostReservedBytes, 0);
}

HTEST(heap_realloc, fixed_heap_cannot_move_past_maximum)
{
    PVOID Heap = RtlCreateHeap(0, NULL, 0x20000, 0, NULL, NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, 100);
    HT_ASSERT(RtlReAllocateHeap(Heap, 0, p, 0x30000) == NULL);
    HT_EXPECT_HEAP_EXCEPTION(STATUS_NO_MEMORY,
                             RtlReAllocateHeap(Heap, HEAP_GENERATE_EXCEPTIONS, p, 0x30000));
    HT_EQ(RtlSizeHeap(Heap, 0, p), 100);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}

HTEST(heap_realloc, tail_checked_heap_keeps_tails_across_realloc)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE | HEAP_TAIL_CHECKING_ENABLED, NULL, 0, 0, NULL, NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, 13);
    p = RtlReAllocateHeap(Heap, 0, p, 27);
    HT_ASSERT(RtlValidateHeap(Heap, 0, p));
    p = RtlReAllocateHeap(Heap, 0, p, 5);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    RtlDestroyHeap(Heap);
}
