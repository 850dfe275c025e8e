/*
 * Host tests for the heap's corruption checks (lib/heapcheck.c): a double
 * free, a pointer the heap never returned, an overwritten header, a
 * written-past tail (HEAP_TAIL_CHECKING_ENABLED) and a write after free
 * (HEAP_FREE_CHECKING_ENABLED) are reported through RtlpHeapReportCorruption,
 * which in user mode ends the process with STATUS_HEAP_CORRUPTION as modern
 * Windows does; the host hook catches it. HeapValidate of a freed or
 * foreign pointer is FALSE without a report, as Wine records Windows.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <string.h>

static PVOID NewHeap(ULONG Flags, BOOLEAN FrontEnd)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE | Flags, NULL, 0, 0, NULL, NULL);
    ULONG Value = FrontEnd ? HEAP_FRONT_END_LOOKASIDE : HEAP_FRONT_END_NONE;
    RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value);
    return Heap;
}

HTEST(heap_corrupt, double_free_from_lookaside_is_reported)
{
    PVOID Heap = NewHeap(0, TRUE);
    PVOID p = RtlAllocateHeap(Heap, 0, 32);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_DOUBLE_FREE, RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(HeapHostCorruptionAddress == p);
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, double_free_from_free_lists_is_reported)
{
    PVOID Heap = NewHeap(0, FALSE);
    PVOID a = RtlAllocateHeap(Heap, 0, 32), b = RtlAllocateHeap(Heap, 0, 32);
    PVOID c = RtlAllocateHeap(Heap, 0, 32);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    HT_ASSERT(RtlFreeHeap(Heap, 0, b));      /* coalesced into a's block */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_DOUBLE_FREE, RtlFreeHeap(Heap, 0, b));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_DOUBLE_FREE, RtlFreeHeap(Heap, 0, a));
    /* Reallocating a freed block is the same mistake. */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_DOUBLE_FREE, RtlReAllocateHeap(Heap, 0, a, 64));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlFreeHeap(Heap, 0, c);
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, foreign_pointers_are_reported)
{
    PVOID Heap = NewHeap(0, TRUE), Other = NewHeap(0, TRUE);
    static unsigned long long Buffer[8];
    unsigned char *p = RtlAllocateHeap(Heap, 0, 64);
    PVOID q = RtlAllocateHeap(Other, 0, 64);
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER, RtlFreeHeap(Heap, 0, &Buffer[4]));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER, RtlFreeHeap(Heap, 0, q));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER, RtlFreeHeap(Heap, 0, p + 1));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER,
                              RtlFreeHeap(Heap, 0, (PVOID)(ULONG_PTR)0xdeadbe00));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FOREIGN_POINTER, RtlReAllocateHeap(Heap, 0, q, 8));
    /* Size and validate just say no (Wine: HeapValidate of a stray pointer is FALSE). */
    HT_EQ(RtlSizeHeap(Heap, 0, q), (SIZE_T)-1);
    HT_ASSERT(!RtlValidateHeap(Heap, 0, q));
    HT_ASSERT(!RtlValidateHeap(Heap, 0, &Buffer[4]));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(!RtlValidateHeap(Heap, 0, p));
    HT_EQ(RtlSizeHeap(Heap, 0, p), (SIZE_T)-1);
    HT_ASSERT(RtlFreeHeap(Other, 0, q));
    RtlDestroyHeap(Heap);
    RtlDestroyHeap(Other);
}

HTEST(heap_corrupt, overwritten_header_is_reported_on_free_and_validate)
{
    PVOID Heap = NewHeap(0, TRUE);
    unsigned char *a = RtlAllocateHeap(Heap, 0, 24);
    unsigned char *b = RtlAllocateHeap(Heap, 0, 24);
    /* An overrun of a into b's header: b's free and the heap's validation catch it. */
    memset(a, 0x41, 24 + 8 + 3);
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlValidateHeap(Heap, 0, NULL));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlValidateHeap(Heap, 0, b));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, b));
    /* a's own header is fine but its neighbour no longer agrees about a's size. */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, a));
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, single_byte_header_damage_is_caught)
{
    /* The checksum sees any one damaged byte of a header: a back-end block's, an LFH slot's. */
    for (volatile int Byte = 0; Byte < 16; Byte++) {
        PVOID Heap = NewHeap(0, FALSE);
        ULONG Lfh = HEAP_FRONT_END_LFH;
        if (Byte >= 8)
            RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Lfh, sizeof Lfh);
        unsigned char *p = RtlAllocateHeap(Heap, 0, 100);
        PVOID Keep = RtlAllocateHeap(Heap, 0, 100);
        p[Byte % 8 - 8] ^= 0x10;
        HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_BAD_HEADER, RtlFreeHeap(Heap, 0, p));
        RtlFreeHeap(Heap, 0, Keep);
        RtlDestroyHeap(Heap);
    }
}

HTEST(heap_corrupt, tail_checking_catches_overrun)
{
    PVOID Heap = NewHeap(HEAP_TAIL_CHECKING_ENABLED, FALSE);
    unsigned char *p = RtlAllocateHeap(Heap, 0, 13);
    unsigned char *q = RtlAllocateHeap(Heap, 0, 16);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    p[13] = 0;      /* one byte past the end: no header touched */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_TAIL_OVERWRITTEN, RtlValidateHeap(Heap, 0, p));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_TAIL_OVERWRITTEN, RtlValidateHeap(Heap, 0, NULL));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_TAIL_OVERWRITTEN, RtlFreeHeap(Heap, 0, p));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_TAIL_OVERWRITTEN, RtlReAllocateHeap(Heap, 0, p, 5));
    /* A block whose size is a multiple of 8 still gets a tail. */
    q[16] = 0;
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_TAIL_OVERWRITTEN, RtlFreeHeap(Heap, 0, q));
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, free_checking_catches_write_after_free)
{
    PVOID Heap = NewHeap(HEAP_FREE_CHECKING_ENABLED, FALSE);
    unsigned char *a = RtlAllocateHeap(Heap, 0, 200);
    PVOID Keep = RtlAllocateHeap(Heap, 0, 200);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    a[150] = 1;     /* a use after free, past the free-list links */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FREE_MODIFIED, RtlValidateHeap(Heap, 0, NULL));
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FREE_MODIFIED, RtlAllocateHeap(Heap, 0, 200));
    RtlFreeHeap(Heap, 0, Keep);
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, damaged_free_list_link_is_reported_by_validate)
{
    PVOID Heap = NewHeap(0, FALSE);
    PVOID a = RtlAllocateHeap(Heap, 0, 64), Keep = RtlAllocateHeap(Heap, 0, 64);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    ((PHEAP_FREE_ENTRY)((PHEAP_ENTRY)a - 1))->FreeList.Blink = (PLIST_ENTRY)a;
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_FREE_LIST, RtlValidateHeap(Heap, 0, NULL));
    (void)Keep;
    RtlDestroyHeap(Heap);
}

HTEST(heap_corrupt, lookaside_link_damage_is_reported)
{
    PVOID Heap = NewHeap(0, TRUE);
    PVOID a = RtlAllocateHeap(Heap, 0, 64), b = RtlAllocateHeap(Heap, 0, 64);
    HT_ASSERT(RtlFreeHeap(Heap, 0, a));
    HT_ASSERT(RtlFreeHeap(Heap, 0, b));
    *(PVOID *)b = (PUCHAR)Heap + 0x10000000;   /* a use after free overwrites the link */
    HT_EXPECT_HEAP_CORRUPTION(HEAP_CORRUPTION_LOOKASIDE, RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
}
