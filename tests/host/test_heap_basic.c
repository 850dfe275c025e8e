/* Host tests for the Rtl heap: creation, allocation, sizes, flags. */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <string.h>

HTEST(heap, create_alloc_free)
{
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
    HT_ASSERT(Heap != NULL);
    PVOID p = RtlAllocateHeap(Heap, 0, 100);
    HT_ASSERT(p != NULL);
    HT_EQ(RtlSizeHeap(Heap, 0, p), 100);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_EQ(RtlDestroyHeap(Heap), 0);
}
