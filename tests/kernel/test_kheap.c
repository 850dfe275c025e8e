/* The Rtl heap in the kernel, over system PTEs (mm/mmheap.c). */
#include "ntddk.h"
#include "ktest.h"
#include "heap.h"

KTEST(kheap, create_allocate_free_destroy_gives_every_page_back)
{
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    PVOID heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    KT_ASSERT(heap != NULL);
    KT_EQ((ULONG_PTR)heap & 0xFFFF, 0);         /* reservations are 64 KB aligned */
    PUCHAR blocks[64];
    for (ULONG i = 0; i < 64; i++) {
        blocks[i] = RtlAllocateHeap(heap, HEAP_ZERO_MEMORY, 100 + i * 37);
        KT_ASSERT(blocks[i] != NULL);
        KT_EQ(RtlSizeHeap(heap, 0, blocks[i]), 100 + i * 37);
        KT_EQ(blocks[i][99], 0);
        memset(blocks[i], (UCHAR)i, 100 + i * 37);
    }
    PUCHAR big = RtlAllocateHeap(heap, 0, 1024 * 1024);     /* its own region */
    KT_ASSERT(big != NULL);
    memset(big, 0x77, 1024 * 1024);
    KT_ASSERT(RtlValidateHeap(heap, 0, NULL));
    for (ULONG i = 0; i < 64; i += 2)
        KT_ASSERT(RtlFreeHeap(heap, 0, blocks[i]));
    KT_ASSERT(RtlFreeHeap(heap, 0, big));
    KT_ASSERT(RtlValidateHeap(heap, 0, NULL));
    for (ULONG i = 1; i < 64; i += 2)
        KT_EQ(blocks[i][0], (UCHAR)i);
    KT_EQ(RtlDestroyHeap(heap), NULL);
    MmGetPageCounts(&after);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&before));
    KT_EQ(after.SystemPtesInUse, before.SystemPtesInUse);
}
