/*
 * The Rtl heap in the kernel, over system PTEs (mm/mmheap.c): heaps that
 * reserve their own memory, heaps on memory the kernel reserved itself
 * (NT's HeapBase, with and without a commit routine: the shape of win32k's
 * desktop heaps), and the refusal of a caller's lock, which NT's kernel
 * takes as an ERESOURCE this kernel does not have.
 */
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

static PVOID KhReserve(SIZE_T Size)
{
    PVOID base = NULL;
    return NT_SUCCESS(RtlpHeapAllocateVirtual(&base, &Size, MEM_RESERVE, PAGE_READWRITE)) ? base : NULL;
}

static NTSTATUS KhRelease(PVOID Base)
{
    SIZE_T size = 0;
    return RtlpHeapFreeVirtual(&Base, &size, MEM_RELEASE);
}

KTEST(kheap, heap_on_memory_the_kernel_reserved_leaves_it_reserved)
{
    MM_PAGE_COUNTS before, after;
    MEMORY_BASIC_INFORMATION mbi;
    MmGetPageCounts(&before);
    PUCHAR base = KhReserve(256 * 1024);
    KT_ASSERT(base != NULL);
    /* Nothing committed at HeapBase: the heap commits its start and keeps to ReserveSize. */
    PVOID heap = RtlCreateHeap(0, base, 128 * 1024, 0, NULL, NULL);
    KT_ASSERT(heap == base);
    PUCHAR blocks[150];
    ULONG n = 0;
    while (n < 150 && (blocks[n] = RtlAllocateHeap(heap, 0, 1000)) != NULL) {
        KT_ASSERT(blocks[n] >= base && blocks[n] + 1000 <= base + 128 * 1024);
        memset(blocks[n], (UCHAR)n, 1000);
        n++;
    }
    KT_ASSERT(n > 100 && n < 128);               /* full at 128 KB, nothing reserved beyond */
    KT_EQ(RtlpHeapQueryVirtual(base + 128 * 1024, &mbi), STATUS_SUCCESS);
    KT_EQ(mbi.State, MEM_RESERVE);
    KT_EQ(mbi.RegionSize, 128 * 1024);
    for (ULONG i = 0; i < n; i += 2)
        KT_ASSERT(RtlFreeHeap(heap, 0, blocks[i]));
    KT_ASSERT(RtlValidateHeap(heap, 0, NULL));
    KT_EQ(blocks[1][999], 1);
    KT_EQ(RtlDestroyHeap(heap), NULL);
    /* Still the caller's: reserved, its first pages committed, released only by the caller. */
    KT_EQ(RtlpHeapQueryVirtual(base, &mbi), STATUS_SUCCESS);
    KT_EQ(mbi.State, MEM_COMMIT);
    KT_EQ(mbi.AllocationBase, base);
    KT_EQ(KhRelease(base), STATUS_SUCCESS);
    KT_EQ(RtlpHeapQueryVirtual(base, &mbi), STATUS_SUCCESS);
    KT_EQ(mbi.State, MEM_FREE);
    MmGetPageCounts(&after);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&before));
    KT_EQ(after.SystemPtesInUse, before.SystemPtesInUse);
}

static ULONG KhCommitCalls;
static BOOLEAN KhCommitFails;

static NTSTATUS RTL_HEAP_API KhCommitRoutine(PVOID Base, PVOID *Address, PSIZE_T Size)
{
    KhCommitCalls++;
    if (KhCommitFails)
        return STATUS_NO_MEMORY;
    return RtlpHeapAllocateVirtual(Address, Size, MEM_COMMIT, PAGE_READWRITE);
}

KTEST(kheap, commit_routine_heap_commits_through_the_caller_and_never_decommits)
{
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    PUCHAR base = KhReserve(256 * 1024);
    PVOID start = base;
    SIZE_T first = 16 * 1024;
    KT_EQ(RtlpHeapAllocateVirtual(&start, &first, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    RTL_HEAP_PARAMETERS parameters = { sizeof parameters };
    parameters.CommitRoutine = KhCommitRoutine;
    parameters.InitialCommit = 16 * 1024;
    parameters.InitialReserve = 256 * 1024;
    KhCommitCalls = 0;
    KhCommitFails = FALSE;
    KT_ASSERT(RtlCreateHeap(HEAP_GROWABLE, base, 0, 0, NULL, &parameters) == NULL);
    PVOID heap = RtlCreateHeap(HEAP_ZERO_MEMORY, base, 0, 0, NULL, &parameters);
    KT_ASSERT(heap == base);
    PUCHAR big = RtlAllocateHeap(heap, 0, 100 * 1024);
    KT_ASSERT(big != NULL && big[100 * 1024 - 1] == 0);
    KT_ASSERT(KhCommitCalls > 0);
    MM_PAGE_COUNTS used;
    MmGetPageCounts(&used);
    KT_ASSERT(RtlFreeHeap(heap, 0, big));
    RtlCompactHeap(heap, 0);
    MmGetPageCounts(&after);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&used));  /* nothing decommitted */
    KhCommitFails = TRUE;
    KT_ASSERT(RtlAllocateHeap(heap, 0, 200 * 1024) == NULL);
    KhCommitFails = FALSE;
    KT_ASSERT(RtlValidateHeap(heap, 0, NULL));
    KT_EQ(RtlDestroyHeap(heap), NULL);
    KT_EQ(KhRelease(base), STATUS_SUCCESS);
    MmGetPageCounts(&after);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&before));
}

KTEST(kheap, caller_lock_is_refused_without_eresource)
{
    ULONG lock[8] = { 0 };
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    KT_ASSERT(RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, lock, NULL) == NULL);
    MmGetPageCounts(&after);
    KT_EQ(after.SystemPtesInUse, before.SystemPtesInUse);
}
