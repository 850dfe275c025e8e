/*
 * Host tests for heaps on caller memory and with a caller's lock
 * (lib/heapbase.c, the HeapBase, CommitRoutine and Lock paths of heap.c and
 * heapseg.c). Each case restates NT's behaviour (RtlCreateHeap's HeapBase
 * branch, RtlpFindAndCommitPages, RtlpDeCommitFreeBlock,
 * RtlpDestroyHeapSegment, HEAP_LOCK_USER_ALLOCATED). The caller's memory is
 * reserved through the same host environment, so its counters and
 * HeapHostQuery show what the heap did to it.
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include "heapp.h"
#include <pthread.h>
#include <string.h>

#define KB 1024

/* A reservation of Reserve bytes with its first Commit bytes committed, as a caller makes one. */
static PUCHAR CallerRegion(SIZE_T Reserve, SIZE_T Commit)
{
    PVOID Base = NULL;
    SIZE_T Size = Reserve;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &Size, MEM_RESERVE, PAGE_READWRITE)))
        return NULL;
    Size = Commit;
    if (Commit != 0 &&
        !NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &Size, MEM_COMMIT, PAGE_READWRITE)))
        return NULL;
    return Base;
}

static NTSTATUS CallerRelease(PVOID Base)
{
    SIZE_T Size = 0;
    return RtlpHeapFreeVirtual(&Base, &Size, MEM_RELEASE);
}

static ULONG PageState(PVOID Address)
{
    PVOID Base;
    SIZE_T Size;
    return HeapHostQuery(Address, &Base, &Size);
}

/* Bytes committed in [Base, Base + Size), page by page. */
static SIZE_T CommittedIn(PUCHAR Base, SIZE_T Size)
{
    SIZE_T Committed = 0;
    for (SIZE_T Offset = 0; Offset < Size; Offset += HEAP_PAGE_SIZE)
        Committed += PageState(Base + Offset) == MEM_COMMIT ? HEAP_PAGE_SIZE : 0;
    return Committed;
}

/* Allocates 1000-byte blocks until the heap says no; every block must lie in [Low, High). */
static ULONG FillHeap(PVOID Heap, PVOID *Blocks, ULONG Max, PUCHAR Low, PUCHAR High)
{
    ULONG n = 0;
    while (n < Max && (Blocks[n] = RtlAllocateHeap(Heap, 0, 1000)) != NULL) {
        if ((PUCHAR)Blocks[n] < Low || (PUCHAR)Blocks[n] + 1000 > High)
            return 0;
        memset(Blocks[n], 0xA5, 1000);
        n++;
    }
    return n;
}

/* The segments' reserved bytes as RtlWalkHeap reports them; 0 if an entry lies outside [Low, High). */
static SIZE_T WalkedSegmentBytes(PVOID Heap, PUCHAR Low, PUCHAR High)
{
    RTL_HEAP_WALK_ENTRY Entry = { 0 };
    SIZE_T Total = 0;
    while (RtlWalkHeap(Heap, &Entry) == STATUS_SUCCESS) {
        if ((PUCHAR)Entry.DataAddress < Low || (PUCHAR)Entry.DataAddress >= High)
            return 0;
        if (Entry.Flags & RTL_HEAP_SEGMENT)
            Total += (SIZE_T)Entry.Segment.CommittedSize + Entry.Segment.UnCommittedSize;
    }
    return Total;
}

HTEST(heap_base, committed_memory_is_the_committed_run_plus_the_reserved_rest)
{
    /* NT queries HeapBase: the committed run, then the reserved run after it, make the heap;
     * ReserveSize and CommitSize are not used. */
    PUCHAR Base = CallerRegion(256 * KB, 64 * KB);
    SIZE_T Reserved = HeapHostReservedBytes;
    PHEAP Heap = RtlCreateHeap(0, Base, 1024 * KB, 4 * KB, NULL, NULL);
    HT_ASSERT(Heap == (PHEAP)Base);
    HT_EQ(Heap->Segment0.ReservedSize, 256 * KB);
    HT_EQ(Heap->Segment0.NumberOfUnCommittedPages, (256 - 64) / 4);
    HT_EQ(Heap->Segment0.SegmentFlags, HEAP_SEGMENT_USER_ALLOCATED);
    HT_EQ(HeapHostReservedBytes, Reserved);     /* nothing reserved by the heap */
    HT_EQ(WalkedSegmentBytes(Heap, Base, Base + 256 * KB), 256 * KB);
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, alloc_free_walk_validate_stay_inside_the_range)
{
    static PVOID Blocks[400];
    PUCHAR Base = CallerRegion(256 * KB, 8 * KB);
    PVOID Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    HT_ASSERT(Heap == Base);
    ULONG n = FillHeap(Heap, Blocks, 400, Base, Base + 256 * KB);
    /* A fixed heap of 256 KB holds about 250 such blocks, then says no. */
    HT_ASSERT(n > 200 && n < 400);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_EQ(WalkedSegmentBytes(Heap, Base, Base + 256 * KB), 256 * KB);
    for (ULONG i = 0; i < n; i += 2)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    for (ULONG i = 1; i < n; i += 2)
        HT_EQ(((PUCHAR)Blocks[i])[999], 0xA5);
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, reserved_memory_is_committed_from_its_start_within_reserve_size)
{
    /* Nothing committed at HeapBase: NT commits its first page(s) and takes ReserveSize bytes;
     * the heap never touches the reservation's pages past them. */
    static PVOID Blocks[200];
    PUCHAR Base = CallerRegion(128 * KB, 0);
    PHEAP Heap = RtlCreateHeap(0, Base, 64 * KB, 0, NULL, NULL);
    HT_ASSERT(Heap == (PHEAP)Base);
    HT_EQ(PageState(Base), MEM_COMMIT);
    HT_EQ(Heap->Segment0.ReservedSize, 64 * KB);
    ULONG n = FillHeap(Heap, Blocks, 200, Base, Base + 64 * KB);
    HT_ASSERT(n > 40 && n < 64);
    for (SIZE_T Offset = 64 * KB; Offset < 128 * KB; Offset += HEAP_PAGE_SIZE)
        HT_EQ(PageState(Base + Offset), MEM_RESERVE);
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, default_reserve_is_cut_to_the_callers_reservation)
{
    /* ReserveSize 0 means 64 pages to NT; this reservation has 32, and the heap keeps to them. */
    PUCHAR Base = CallerRegion(128 * KB, 0);
    PHEAP Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    HT_ASSERT(Heap != NULL);
    HT_EQ(Heap->Segment0.ReservedSize, 128 * KB);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
    Base = CallerRegion(512 * KB, 0);
    Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    HT_EQ(Heap->Segment0.ReservedSize, 64 * HEAP_PAGE_SIZE);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, destroy_leaves_the_callers_region_reserved_and_committed)
{
    /* RtlpDestroyHeapSegment skips a user-allocated segment: no release, no decommit. */
    static PVOID Blocks[100];
    PUCHAR Base = CallerRegion(256 * KB, 32 * KB);
    PVOID Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    ULONG Releases = HeapHostReleaseCount, Decommits = HeapHostDecommitCount;
    HT_ASSERT(FillHeap(Heap, Blocks, 100, Base, Base + 256 * KB) == 100);
    SIZE_T Committed = CommittedIn(Base, 256 * KB), Reserved = HeapHostReservedBytes;
    HT_ASSERT(Committed > 32 * KB);
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(HeapHostReleaseCount, Releases);
    HT_EQ(HeapHostDecommitCount, Decommits);
    HT_EQ(CommittedIn(Base, 256 * KB), Committed);
    HT_EQ(HeapHostReservedBytes, Reserved);
    for (SIZE_T Offset = 0; Offset < 32 * KB; Offset += HEAP_PAGE_SIZE)
        HT_EQ(PageState(Base + Offset), MEM_COMMIT);
    /* The handle is dead; the memory is the caller's to reuse and release. */
    HT_ASSERT(RtlDestroyHeap(Heap) == Heap);
    memset(Base, 0x11, 32 * KB);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
    HT_EQ(HeapHostReservedBytes, Reserved - 256 * KB);
}

HTEST(heap_base, query_heap_decommits_inside_the_callers_range)
{
    /* Without a commit routine NT decommits free pages of caller memory as of its own. */
    static PVOID Blocks[300];
    PUCHAR Base = CallerRegion(512 * KB, 0);
    PVOID Heap = RtlCreateHeap(0, Base, 512 * KB, 0, NULL, NULL);
    ULONG n = FillHeap(Heap, Blocks, 300, Base, Base + 512 * KB);
    HT_EQ(n, 300);
    SIZE_T Committed = CommittedIn(Base, 512 * KB);
    for (ULONG i = 0; i < n; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(CommittedIn(Base, 512 * KB) + 64 * KB < Committed);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(PageState(Base), MEM_COMMIT);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, fixed_heap_on_caller_memory_never_reserves)
{
    /* Not HEAP_GROWABLE: no more segments and no big-block regions, as NT's RtlpExtendHeap. */
    static PVOID Blocks[100];
    PUCHAR Base = CallerRegion(64 * KB, 64 * KB);
    PVOID Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    SIZE_T Reserved = HeapHostReservedBytes;
    ULONG n = FillHeap(Heap, Blocks, 100, Base, Base + 64 * KB);
    HT_ASSERT(n > 40 && n < 64);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 1024 * KB) == NULL);
    HT_EQ(HeapHostReservedBytes, Reserved);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, growable_heap_adds_its_own_segments_and_releases_only_them)
{
    /* HEAP_GROWABLE over caller memory: NT adds segments it reserves itself, and big blocks;
     * destroy releases those and leaves the caller's region. */
    static PVOID Blocks[400];
    PUCHAR Base = CallerRegion(64 * KB, 64 * KB);
    PHEAP Heap = RtlCreateHeap(HEAP_GROWABLE, Base, 0, 0, NULL, NULL);
    SIZE_T Reserved = HeapHostReservedBytes;
    for (ULONG i = 0; i < 400; i++)
        HT_ASSERT((Blocks[i] = RtlAllocateHeap(Heap, 0, 1000)) != NULL);
    PVOID Big = RtlAllocateHeap(Heap, 0, 1024 * KB);
    HT_ASSERT(Big != NULL);
    HT_ASSERT(Heap->SegmentCount > 1);
    HT_EQ(Heap->Segments[1]->SegmentFlags, 0);
    HT_ASSERT(HeapHostReservedBytes > Reserved + 1024 * KB);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(HeapHostReservedBytes, Reserved);
    HT_EQ(PageState(Base), MEM_COMMIT);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, base_must_start_a_region_that_is_not_free)
{
    /* NT refuses a HeapBase the query reports in a free range or inside a page. */
    static UCHAR NotReserved[2 * HEAP_PAGE_SIZE] __attribute__((aligned(HEAP_PAGE_SIZE)));
    PUCHAR Base = CallerRegion(256 * KB, 16 * KB);
    HT_ASSERT(RtlCreateHeap(0, NotReserved, 0, 0, NULL, NULL) == NULL);
    HT_ASSERT(RtlCreateHeap(0, Base + 8, 0, 0, NULL, NULL) == NULL);
    HT_EQ(PageState(Base + 16 * KB), MEM_RESERVE);      /* nothing committed by the refusals */
    /* A page-aligned base inside the reservation starts a region: the heap runs from there. */
    PHEAP Heap = RtlCreateHeap(0, Base + 128 * KB, 0, 0, NULL, NULL);
    HT_ASSERT(Heap == (PHEAP)(Base + 128 * KB));
    HT_EQ(Heap->Segment0.ReservedSize, 128 * KB);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

/* ---- commit routines ---- */

static struct {
    PVOID Base;
    PUCHAR Low, High;       /* the range the routine may be asked for */
    ULONG Calls, BadCalls;
    NTSTATUS Fail;          /* returned instead of committing, if not 0 */
} Routine;

static NTSTATUS RTL_HEAP_API CountingCommitRoutine(PVOID Base, PVOID *CommitAddress, PSIZE_T CommitSize)
{
    PUCHAR Address = *CommitAddress;
    Routine.Calls++;
    if (Base != Routine.Base || ((ULONG_PTR)Address & (HEAP_PAGE_SIZE - 1)) != 0 ||
        *CommitSize == 0 || *CommitSize % HEAP_PAGE_SIZE != 0 || Address < Routine.Low ||
        Address + *CommitSize > Routine.High)
        Routine.BadCalls++;
    if (Routine.Fail != 0)
        return Routine.Fail;
    return RtlpHeapAllocateVirtual(CommitAddress, CommitSize, MEM_COMMIT, PAGE_READWRITE);
}

/* A commit-routine heap of Reserve bytes, Commit of them committed, in a larger reservation. */
static PVOID RoutineHeap(ULONG Flags, PUCHAR Base, SIZE_T Commit, SIZE_T Reserve)
{
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    Parameters.CommitRoutine = CountingCommitRoutine;
    Parameters.InitialCommit = Commit;
    Parameters.InitialReserve = Reserve;
    memset(&Routine, 0, sizeof Routine);
    Routine.Base = Base;
    Routine.Low = Base + Commit;
    Routine.High = Base + Reserve;
    return RtlCreateHeap(Flags, Base, 0, 0, NULL, &Parameters);
}

HTEST(heap_base, commit_routine_commits_the_heap_in_page_ranges_of_its_own)
{
    /* NT calls CommitRoutine(Heap, &Address, &Size) instead of committing itself, only for
     * pages past InitialCommit and inside InitialReserve; this caller committed 128 KB and
     * gave the heap the first 64, and the other 64 keep the caller's pattern. */
    static PVOID Blocks[100];
    PUCHAR Base = CallerRegion(128 * KB, 128 * KB);
    memset(Base + 64 * KB, 0x5C, 64 * KB);
    PVOID Heap = RoutineHeap(0, Base, 16 * KB, 64 * KB);
    HT_ASSERT(Heap == Base);
    HT_EQ(Routine.Calls, 0);                  /* 16 KB hold the header */
    HT_EQ(((PHEAP)Heap)->CommitRoutine, CountingCommitRoutine);
    ULONG n = FillHeap(Heap, Blocks, 100, Base, Base + 64 * KB);
    HT_ASSERT(n > 40 && n < 64);
    HT_ASSERT(Routine.Calls > 0);
    HT_EQ(Routine.BadCalls, 0);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_EQ(WalkedSegmentBytes(Heap, Base, Base + 64 * KB), 64 * KB);
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    for (SIZE_T i = 64 * KB; i < 128 * KB; i++)
        HT_EQ(Base[i], 0x5C);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, commit_routine_commits_a_short_initial_commit_up_to_the_header)
{
    /* InitialCommit smaller than this heap's descriptor: the rest comes from the routine. */
    PUCHAR Base = CallerRegion(64 * KB, 4 * KB);
    PVOID Heap = RoutineHeap(0, Base, 4 * KB, 64 * KB);
    HT_ASSERT(Heap == Base);
    HT_EQ(Routine.BadCalls, 0);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 100) != NULL);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, commit_routine_failure_fails_the_allocation)
{
    PUCHAR Base = CallerRegion(128 * KB, 16 * KB);
    PVOID Heap = RoutineHeap(0, Base, 16 * KB, 128 * KB);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 100) != NULL);
    Routine.Fail = STATUS_NO_MEMORY;
    ULONG Calls = Routine.Calls;
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 32 * KB) == NULL);
    HT_EQ(Routine.Calls, Calls + 1);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    Routine.Fail = 0;
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 32 * KB) != NULL);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, commit_routine_failure_raises_with_generate_exceptions)
{
    PUCHAR Base = CallerRegion(128 * KB, 16 * KB);
    PVOID volatile Heap = RoutineHeap(HEAP_GENERATE_EXCEPTIONS, Base, 16 * KB, 128 * KB);
    Routine.Fail = STATUS_COMMITMENT_LIMIT;
    HT_EXPECT_HEAP_EXCEPTION(STATUS_NO_MEMORY, RtlAllocateHeap(Heap, 0, 32 * KB));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, commit_routine_heap_never_decommits)
{
    /* RtlpDeCommitFreeBlock: a heap with a commit routine puts free pages back on its lists. */
    static PVOID Blocks[300];
    PUCHAR Base = CallerRegion(512 * KB, 16 * KB);
    PVOID Heap = RoutineHeap(0, Base, 16 * KB, 512 * KB);
    ULONG n = FillHeap(Heap, Blocks, 300, Base, Base + 512 * KB);
    HT_EQ(n, 300);
    ULONG Decommits = HeapHostDecommitCount;
    SIZE_T Committed = CommittedIn(Base, 512 * KB);
    HT_EQ(((PHEAP)Heap)->Segment0.NumberOfUnCommittedPages * HEAP_PAGE_SIZE, 512 * KB - Committed);
    for (ULONG i = 0; i < n; i++)
        HT_ASSERT(RtlFreeHeap(Heap, 0, Blocks[i]));
    HT_ASSERT(RtlCompactHeap(Heap, 0) > 256 * KB);
    HT_EQ(HeapHostDecommitCount, Decommits);
    HT_EQ(CommittedIn(Base, 512 * KB), Committed);
    HT_EQ(((PHEAP)Heap)->Segment0.NumberOfUnCommittedPages * HEAP_PAGE_SIZE, 512 * KB - Committed);
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

HTEST(heap_base, commit_routine_combinations_nt_refuses)
{
    PUCHAR Base = CallerRegion(128 * KB, 16 * KB);
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    Parameters.CommitRoutine = CountingCommitRoutine;
    Parameters.InitialCommit = 16 * KB;
    Parameters.InitialReserve = 128 * KB;
    /* Only on caller memory, never growable, with both sizes, commit within reserve. */
    HT_ASSERT(RtlCreateHeap(0, NULL, 0, 0, NULL, &Parameters) == NULL);
    HT_ASSERT(RtlCreateHeap(HEAP_GROWABLE, Base, 0, 0, NULL, &Parameters) == NULL);
    Parameters.InitialCommit = 0;
    HT_ASSERT(RtlCreateHeap(0, Base, 0, 0, NULL, &Parameters) == NULL);
    Parameters.InitialCommit = 16 * KB;
    Parameters.InitialReserve = 0;
    HT_ASSERT(RtlCreateHeap(0, Base, 0, 0, NULL, &Parameters) == NULL);
    Parameters.InitialReserve = 8 * KB;
    HT_ASSERT(RtlCreateHeap(0, Base, 0, 0, NULL, &Parameters) == NULL);
    /* The heap keeps its commit state by page: an unaligned base is refused. */
    Parameters.InitialReserve = 64 * KB;
    HT_ASSERT(RtlCreateHeap(0, Base + 8, 0, 0, NULL, &Parameters) == NULL);
    HT_EQ(PageState(Base + 16 * KB), MEM_RESERVE);
    /* A wrong Length makes NT ignore the structure: a query heap, the routine unused. */
    Parameters.Length = sizeof Parameters - 1;
    memset(&Routine, 0, sizeof Routine);
    PHEAP Heap = RtlCreateHeap(0, Base, 0, 0, NULL, &Parameters);
    HT_ASSERT(Heap != NULL && Heap->CommitRoutine == NULL);
    HT_ASSERT(RtlAllocateHeap(Heap, 0, 40 * KB) != NULL);
    HT_EQ(Routine.Calls, 0);
    RtlDestroyHeap(Heap);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}

/* ---- caller locks ---- */

HTEST(heap_base, caller_lock_serializes_the_heap)
{
    /* NT keeps the caller's lock in LockVariable, sets HEAP_LOCK_USER_ALLOCATED, and takes it
     * around every call and in RtlLockHeap; the heap's own lock is never used. */
    HEAP_HOST_LOCK Lock = { 0 };
    SIZE_T Reserved = HeapHostReservedBytes;
    PHEAP Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, &Lock, NULL);
    HT_ASSERT(Heap != NULL);
    HT_EQ(Heap->Flags & HEAP_LOCK_USER_ALLOCATED, HEAP_LOCK_USER_ALLOCATED);
    HT_ASSERT(Heap->LockVariable == &Lock);
    PVOID p = RtlAllocateHeap(Heap, 0, 100);
    HT_ASSERT(p != NULL);
    HT_ASSERT(Lock.Acquires > 0);
    HT_EQ(Lock.Owner, 0);
    HT_EQ(Lock.Recursion, 0);
    ULONG Acquires = Lock.Acquires;
    HT_ASSERT(RtlLockHeap(Heap));
    HT_EQ(Lock.Acquires, Acquires + 1);
    HT_EQ(Lock.Owner, RtlpHeapCurrentThread());
    HT_EQ(Lock.Recursion, 1);
    HT_ASSERT(RtlLockHeap(Heap));
    HT_EQ(Lock.Recursion, 2);
    p = RtlAllocateHeap(Heap, 0, 100);
    HT_EQ(Lock.Recursion, 2);
    HT_ASSERT(RtlUnlockHeap(Heap));
    HT_ASSERT(RtlUnlockHeap(Heap));
    HT_EQ(Lock.Owner, 0);
    HT_ASSERT(!RtlUnlockHeap(Heap));
    HT_EQ(Heap->LockWord, 0);
    /* HEAP_NO_SERIALIZE on a call skips the lock, the caller's too. */
    Acquires = Lock.Acquires;
    HT_ASSERT(RtlFreeHeap(Heap, HEAP_NO_SERIALIZE, p));
    HT_EQ(Lock.Acquires, Acquires);
    /* Destroy neither takes nor deletes the caller's lock. */
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(Lock.Acquires, Acquires);
    HT_EQ(Lock.Owner, 0);
    HT_EQ(HeapHostReservedBytes, Reserved);
}

static void *UnlockFromAnotherThread(void *Heap)
{
    return (void *)(ULONG_PTR)RtlUnlockHeap(Heap);
}

HTEST(heap_base, caller_lock_is_not_released_by_a_thread_that_does_not_hold_it)
{
    HEAP_HOST_LOCK Lock = { 0 };
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, &Lock, NULL);
    pthread_t Thread;
    void *Result;
    HT_ASSERT(RtlLockHeap(Heap));
    HT_EQ(pthread_create(&Thread, NULL, UnlockFromAnotherThread, Heap), 0);
    HT_EQ(pthread_join(Thread, &Result), 0);
    HT_EQ((ULONG_PTR)Result, FALSE);
    HT_EQ(Lock.Owner, RtlpHeapCurrentThread());
    HT_ASSERT(RtlUnlockHeap(Heap));
    RtlDestroyHeap(Heap);
}

HTEST(heap_base, caller_lock_with_no_serialize_is_refused)
{
    /* NT: "without serialization, a lock makes no sense". */
    HEAP_HOST_LOCK Lock = { 0 };
    SIZE_T Reserved = HeapHostReservedBytes;
    HT_ASSERT(RtlCreateHeap(HEAP_GROWABLE | HEAP_NO_SERIALIZE, NULL, 0, 0, &Lock, NULL) == NULL);
    HT_EQ(HeapHostReservedBytes, Reserved);
}

HTEST(heap_base, caller_memory_commit_routine_and_lock_together)
{
    /* The desktop-heap shape: the caller's memory, commit routine and lock at once. */
    HEAP_HOST_LOCK Lock = { 0 };
    RTL_HEAP_PARAMETERS Parameters = { sizeof Parameters };
    PUCHAR Base = CallerRegion(256 * KB, 16 * KB);
    Parameters.CommitRoutine = CountingCommitRoutine;
    Parameters.InitialCommit = 16 * KB;
    Parameters.InitialReserve = 256 * KB;
    memset(&Routine, 0, sizeof Routine);
    Routine.Base = Base;
    Routine.Low = Base + 16 * KB;
    Routine.High = Base + 256 * KB;
    PVOID Heap = RtlCreateHeap(HEAP_ZERO_MEMORY, Base, 0, 0, &Lock, &Parameters);
    HT_ASSERT(Heap == Base);
    PUCHAR p = RtlAllocateHeap(Heap, 0, 64 * KB);
    HT_ASSERT(p != NULL && p[64 * KB - 1] == 0);
    HT_ASSERT(Routine.Calls > 0 && Routine.BadCalls == 0);
    HT_ASSERT(Lock.Acquires > 0 && Lock.Owner == 0);
    HT_ASSERT(RtlFreeHeap(Heap, 0, p));
    HT_ASSERT(RtlValidateHeap(Heap, 0, NULL));
    HT_ASSERT(RtlDestroyHeap(Heap) == NULL);
    HT_EQ(PageState(Base), MEM_COMMIT);
    HT_EQ(CallerRelease(Base), STATUS_SUCCESS);
}
