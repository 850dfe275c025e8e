/*
 * heapbase.c - where a heap on caller memory (RtlCreateHeap's HeapBase)
 * lives: how much of the caller's range is the heap's, how much of it is
 * committed already, and committing the pages the heap's header needs.
 * NT's counterpart is the HeapBase branch of RtlCreateHeap.
 *
 * NT's two ways, followed here:
 *  - with Parameters->CommitRoutine, the caller says it all: InitialCommit
 *    bytes at HeapBase are committed, InitialReserve bytes are the heap's,
 *    and the routine commits the rest later. The heap cannot grow past them
 *    (HEAP_GROWABLE is refused), since its pages come only from the routine.
 *  - without one, NT asks the memory manager: HeapBase must start a region
 *    (MEMORY_BASIC_INFORMATION.BaseAddress == HeapBase) that is not free.
 *    A committed region is the heap's committed part, and a reserved region
 *    right after it the rest of its range; the caller's ReserveSize and
 *    CommitSize are not looked at. A reserved region is committed here from
 *    its start, and ReserveSize (64 pages if it and CommitSize are 0, else
 *    CommitSize rounded to 64 KB) is the heap's range.
 *
 * Two checks NT does not make, so the heap never writes outside memory the
 * caller reserved: the reserved region after a committed one counts only if
 * it belongs to the same reservation (same AllocationBase), and ReserveSize
 * over a reserved region is cut to that region. With a commit routine, the
 * range must start on a page, since the heap keeps its commit state a page
 * at a time (NT does not say; page-aligned memory is what callers give).
 */
#include "heapp.h"

#define HEAP_CALLER_DEFAULT_RESERVE (64 * HEAP_PAGE_SIZE)

static SIZE_T RtlpHeapRoundDown(SIZE_T Value, SIZE_T Alignment)
{
    return Value & ~(Alignment - 1);
}

/* NT's range for a heap whose caller committed nothing at HeapBase. */
static SIZE_T RtlpHeapDefaultCallerReserve(SIZE_T ReserveSize, SIZE_T CommitSize)
{
    if (ReserveSize != 0)
        return RtlpHeapRoundUp(ReserveSize, HEAP_PAGE_SIZE);
    if (CommitSize != 0)
        return RtlpHeapRoundUp(CommitSize, HEAP_ALLOCATION_GRANULARITY);
    return HEAP_CALLER_DEFAULT_RESERVE;
}

/* The heap's range and committed bytes at HeapBase, from what the memory manager reports. */
static BOOLEAN RtlpHeapQueryCallerMemory(PUCHAR HeapBase, PSIZE_T ReserveSize, PSIZE_T CommitSize)
{
    MEMORY_BASIC_INFORMATION Info, Next;

    if (!NT_SUCCESS(RtlpHeapQueryVirtual(HeapBase, &Info)) || Info.BaseAddress != HeapBase ||
        Info.State == MEM_FREE)
        return FALSE;
    if (Info.State == MEM_COMMIT) {
        *CommitSize = Info.RegionSize;
        *ReserveSize = Info.RegionSize;
        if (NT_SUCCESS(RtlpHeapQueryVirtual(HeapBase + Info.RegionSize, &Next)) &&
            Next.State == MEM_RESERVE && Next.AllocationBase == Info.AllocationBase)
            *ReserveSize += Next.RegionSize;
        return TRUE;
    }
    *ReserveSize = RtlpHeapDefaultCallerReserve(*ReserveSize, *CommitSize);
    if (*ReserveSize > Info.RegionSize)
        *ReserveSize = Info.RegionSize;
    *CommitSize = 0;
    return TRUE;
}

/*
 * For RtlCreateHeap with HeapBase (page aligned or refused): sets
 * *ReserveSize to the heap's range from HeapBase and *CommitSize to the
 * bytes committed from HeapBase, at least the heap's header and one block,
 * committing what is missing of that (through the commit routine if there
 * is one). FALSE, with nothing committed, where NT returns NULL.
 */
BOOLEAN RtlpHeapMeasureCallerMemory(ULONG Flags, PUCHAR HeapBase, PRTL_HEAP_PARAMETERS Parameters,
                                    ULONG Protect, PSIZE_T ReserveSize, PSIZE_T CommitSize)
{
    PRTL_HEAP_COMMIT_ROUTINE CommitRoutine = NULL;
    SIZE_T Needed;

    if (((ULONG_PTR)HeapBase & (HEAP_PAGE_SIZE - 1)) != 0)
        return FALSE;
    if (Parameters != NULL && Parameters->Length == sizeof(*Parameters))
        CommitRoutine = Parameters->CommitRoutine;
    if (CommitRoutine != NULL) {
        if ((Flags & HEAP_GROWABLE) || Parameters->InitialCommit == 0 ||
            Parameters->InitialReserve == 0 || Parameters->InitialCommit > Parameters->InitialReserve)
            return FALSE;
        /* A page only partly committed is committed again through the routine. */
        *ReserveSize = RtlpHeapRoundDown(Parameters->InitialReserve, HEAP_PAGE_SIZE);
        *CommitSize = RtlpHeapRoundDown(Parameters->InitialCommit, HEAP_PAGE_SIZE);
    } else if (!RtlpHeapQueryCallerMemory(HeapBase, ReserveSize, CommitSize)) {
        return FALSE;
    }

    /* NT starts with one page; this heap's descriptor is bigger than that. */
    Needed = RtlpHeapRoundUp(RtlpHeapSegmentHeaderBytes(*ReserveSize, TRUE) +
                             ((SIZE_T)HEAP_MIN_BLOCK_UNITS + 1) * HEAP_GRANULARITY, HEAP_PAGE_SIZE);
    if (Needed > *ReserveSize)
        return FALSE;
    if (*CommitSize < Needed) {
        if (!NT_SUCCESS(RtlpHeapCommitPages(HeapBase, CommitRoutine, Protect,
                                            HeapBase + *CommitSize, Needed - *CommitSize)))
            return FALSE;
        *CommitSize = Needed;
    }
    return TRUE;
}
