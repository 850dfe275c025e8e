/*
 * heap.c - creating and destroying heaps, the heap lock, heap information.
 * NT's counterparts: RtlCreateHeap, RtlDestroyHeap, RtlLockHeap,
 * RtlUnlockHeap, RtlSetHeapInformation (ntdll's heap.c).
 *
 * A heap begins with its HEAP descriptor at the base of its first
 * reservation; the handle is that address, 64 KB aligned as on Windows
 * (or the caller's HeapBase, heapbase.c). The lock is one word taken with
 * an atomic exchange, recursive for the thread that holds it (RtlLockHeap,
 * then HeapAlloc, must not deadlock), or the caller's lock, taken through
 * the environment (HEAP_LOCK_USER_ALLOCATED); HEAP_NO_SERIALIZE heaps never
 * take either.
 */
#include "heapp.h"
#include "kstring.h"

#define HEAP_DEFAULT_SEGMENT_RESERVE    (1024 * 1024)
#define HEAP_DEFAULT_SEGMENT_COMMIT     (2 * HEAP_PAGE_SIZE)
#define HEAP_DEFAULT_DECOMMIT_BLOCK     HEAP_PAGE_SIZE
#define HEAP_DEFAULT_DECOMMIT_TOTAL     (64 * 1024)

#define HEAP_CREATE_VALID_FLAGS (HEAP_NO_SERIALIZE | HEAP_GROWABLE | HEAP_GENERATE_EXCEPTIONS | \
    HEAP_ZERO_MEMORY | HEAP_REALLOC_IN_PLACE_ONLY | HEAP_TAIL_CHECKING_ENABLED |              \
    HEAP_FREE_CHECKING_ENABLED | HEAP_DISABLE_COALESCE_ON_FREE | HEAP_CREATE_ALIGN_16 |       \
    HEAP_CREATE_ENABLE_TRACING | HEAP_CREATE_ENABLE_EXECUTE)

/* Takes the heap lock unless Flags (the call's, with the heap's) say HEAP_NO_SERIALIZE. */
BOOLEAN RtlpHeapAcquireLock(PHEAP Heap, ULONG Flags)
{
    ULONG_PTR Self;
    if (Flags & HEAP_NO_SERIALIZE)
        return FALSE;
    if (Heap->Flags & HEAP_LOCK_USER_ALLOCATED) {
        RtlpHeapCallerLockRoutines()->Acquire(Heap->LockVariable);
        return TRUE;
    }
    Self = RtlpHeapCurrentThread();
    if (__atomic_load_n(&Heap->LockOwner, __ATOMIC_RELAXED) == Self) {
        Heap->LockRecursion++;
        return TRUE;
    }
    while (__atomic_exchange_n(&Heap->LockWord, 1, __ATOMIC_ACQUIRE) != 0) {
        while (__atomic_load_n(&Heap->LockWord, __ATOMIC_RELAXED) != 0) {
#if defined(__i386__) || defined(__x86_64__)
            __asm__ volatile("pause");
#endif
        }
    }
    __atomic_store_n(&Heap->LockOwner, Self, __ATOMIC_RELAXED);
    Heap->LockRecursion = 1;
    return TRUE;
}

void RtlpHeapReleaseLock(PHEAP Heap, BOOLEAN Locked)
{
    if (!Locked)
        return;
    if (Heap->Flags & HEAP_LOCK_USER_ALLOCATED) {
        BOOLEAN Held = RtlpHeapCallerLockRoutines()->Release(Heap->LockVariable);
        ASSERT(Held);
        (void)Held;
        return;
    }
    ASSERT(Heap->LockRecursion > 0);
    if (--Heap->LockRecursion == 0) {
        __atomic_store_n(&Heap->LockOwner, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&Heap->LockWord, 0, __ATOMIC_RELEASE);
    }
}

static BOOLEAN RtlpHeapIsValidHandle(PHEAP Heap)
{
    return Heap != NULL && Heap->Signature == HEAP_SIGNATURE;
}

static void RtlpHeapApplyParameters(PHEAP Heap, PRTL_HEAP_PARAMETERS Parameters)
{
    Heap->SegmentReserve = HEAP_DEFAULT_SEGMENT_RESERVE;
    Heap->SegmentCommit = HEAP_DEFAULT_SEGMENT_COMMIT;
    Heap->DeCommitFreeBlockThreshold = HEAP_DEFAULT_DECOMMIT_BLOCK >> HEAP_GRANULARITY_SHIFT;
    Heap->DeCommitTotalFreeThreshold = HEAP_DEFAULT_DECOMMIT_TOTAL >> HEAP_GRANULARITY_SHIFT;
    Heap->VirtualMemoryThreshold = HEAP_DEFAULT_VIRTUAL_MEMORY_THRESHOLD >> HEAP_GRANULARITY_SHIFT;
    if (Parameters == NULL || Parameters->Length != sizeof(*Parameters))
        return;
    if (Parameters->SegmentReserve != 0)
        Heap->SegmentReserve = RtlpHeapRoundUp(Parameters->SegmentReserve,
                                               HEAP_ALLOCATION_GRANULARITY);
    if (Parameters->SegmentCommit != 0)
        Heap->SegmentCommit = RtlpHeapRoundUp(Parameters->SegmentCommit, HEAP_PAGE_SIZE);
    if (Parameters->DeCommitFreeBlockThreshold != 0)
        Heap->DeCommitFreeBlockThreshold =
            Parameters->DeCommitFreeBlockThreshold >> HEAP_GRANULARITY_SHIFT;
    if (Parameters->DeCommitTotalFreeThreshold != 0)
        Heap->DeCommitTotalFreeThreshold =
            Parameters->DeCommitTotalFreeThreshold >> HEAP_GRANULARITY_SHIFT;
    /* NT caps the threshold at its default: larger blocks would not fit a header's Size. */
    if (Parameters->VirtualMemoryThreshold != 0 &&
        Parameters->VirtualMemoryThreshold < HEAP_DEFAULT_VIRTUAL_MEMORY_THRESHOLD)
        Heap->VirtualMemoryThreshold = Parameters->VirtualMemoryThreshold >> HEAP_GRANULARITY_SHIFT;
}

/* Reserves the heap's first segment itself and commits its start; FALSE if it cannot. */
static BOOLEAN RtlpHeapReserveFirstSegment(PRTL_HEAP_PARAMETERS Parameters, ULONG Protect,
                                           PVOID *Base, PSIZE_T ReserveSize, PSIZE_T CommitSize)
{
    HEAP Defaults;
    SIZE_T Size, Header;

    RtlpHeapApplyParameters(&Defaults, Parameters);
    if (*ReserveSize == 0)
        *ReserveSize = Defaults.SegmentReserve;
    if (*ReserveSize > (SIZE_T)-1 - HEAP_ALLOCATION_GRANULARITY ||
        *CommitSize > (SIZE_T)-1 - HEAP_ALLOCATION_GRANULARITY)
        return FALSE;
    *ReserveSize = RtlpHeapRoundUp(*ReserveSize, HEAP_ALLOCATION_GRANULARITY);
    *CommitSize = RtlpHeapRoundUp(*CommitSize, HEAP_PAGE_SIZE);
    if (*CommitSize > *ReserveSize)
        *ReserveSize = RtlpHeapRoundUp(*CommitSize, HEAP_ALLOCATION_GRANULARITY);
    Header = RtlpHeapSegmentHeaderBytes(*ReserveSize, TRUE);
    /* The first commit holds the descriptor and at least one block and a sentinel. */
    Size = RtlpHeapRoundUp(Header + ((SIZE_T)HEAP_MIN_BLOCK_UNITS + 1) * HEAP_GRANULARITY,
                           HEAP_PAGE_SIZE);
    if (*CommitSize < Size)
        *CommitSize = Size;
    if (*CommitSize > *ReserveSize)
        return FALSE;

    *Base = NULL;
    Size = *ReserveSize;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(Base, &Size, MEM_RESERVE, Protect)))
        return FALSE;
    Size = *CommitSize;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(Base, &Size, MEM_COMMIT, Protect))) {
        Size = 0;
        RtlpHeapFreeVirtual(Base, &Size, MEM_RELEASE);
        return FALSE;
    }
    return TRUE;
}

/* See heap.h. */
PVOID RTL_HEAP_API RtlCreateHeap(ULONG Flags, PVOID HeapBase, SIZE_T ReserveSize, SIZE_T CommitSize,
                    PVOID Lock, PRTL_HEAP_PARAMETERS Parameters)
{
    PRTL_HEAP_COMMIT_ROUTINE CommitRoutine = NULL;
    PVOID Base = HeapBase;
    ULONG Protect;
    PHEAP Heap;

    Flags &= HEAP_CREATE_VALID_FLAGS;
    if (Parameters != NULL && Parameters->Length == sizeof(*Parameters))
        CommitRoutine = Parameters->CommitRoutine;
    /* NT: a lock is for serializing, which HEAP_NO_SERIALIZE turns off. */
    if (Lock != NULL && ((Flags & HEAP_NO_SERIALIZE) || RtlpHeapCallerLockRoutines() == NULL))
        return NULL;
    /* NT: only a heap on the caller's memory commits through the caller. */
    if (CommitRoutine != NULL && HeapBase == NULL)
        return NULL;
    Protect = (Flags & HEAP_CREATE_ENABLE_EXECUTE) ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    if (HeapBase != NULL) {
        if (!RtlpHeapMeasureCallerMemory(Flags, HeapBase, Parameters, Protect, &ReserveSize,
                                         &CommitSize))
            return NULL;
    } else if (!RtlpHeapReserveFirstSegment(Parameters, Protect, &Base, &ReserveSize,
                                            &CommitSize)) {
        return NULL;
    }

    Heap = Base;
    memset(Heap, 0, sizeof(*Heap));
    RtlpHeapApplyParameters(Heap, Parameters);
    Heap->Signature = HEAP_SIGNATURE;
    Heap->Flags = Flags;
    Heap->ForceFlags = Flags & (HEAP_NO_SERIALIZE | HEAP_GENERATE_EXCEPTIONS | HEAP_ZERO_MEMORY |
                                HEAP_REALLOC_IN_PLACE_ONLY | HEAP_TAIL_CHECKING_ENABLED |
                                HEAP_FREE_CHECKING_ENABLED);
    Heap->Protect = Protect;
    /* Differs from heap to heap, so a header copied from another heap fails its checksum. */
    Heap->EntryCookie = (UCHAR)(((ULONG_PTR)Base >> 16) ^ ((ULONG_PTR)Base >> 24) ^ 0x5A);
    InitializeListHead(&Heap->VirtualAllocdBlocks);
    RtlpHeapInitializeFreeLists(Heap);
    for (ULONG i = 0; i < HEAP_LOOKASIDE_LISTS; i++)
        Heap->Lookaside[i].MaximumDepth = HEAP_LOOKASIDE_DEPTH;
    RtlpLfhInitialize(Heap);
    Heap->DeCommitTotalFreeBase = Heap->DeCommitTotalFreeThreshold;
    /*
     * A front end goes on growable, serialized, non-debug heaps, as in NT:
     * the low-fragmentation heap, as Windows since Vista does (measured
     * against the lookaside lists in docs/heap.md).
     */
    if ((Flags & HEAP_GROWABLE) && !(Flags & (HEAP_NO_SERIALIZE | HEAP_TAIL_CHECKING_ENABLED |
                                              HEAP_FREE_CHECKING_ENABLED)))
        Heap->FrontEndHeapType = HEAP_FRONT_END_LFH;
    if (Lock != NULL) {
        Heap->Flags |= HEAP_LOCK_USER_ALLOCATED;
        /* Every call sees it, so the fast paths (which take the heap's own word) stand aside. */
        Heap->ForceFlags |= HEAP_LOCK_USER_ALLOCATED;
        Heap->LockVariable = Lock;
    }
    Heap->CommitRoutine = CommitRoutine;
    RtlpHeapInitializeSegment(Heap, &Heap->Segment0, 0, Base, ReserveSize, CommitSize,
                              RtlpHeapSegmentHeaderBytes(ReserveSize, TRUE));
    if (HeapBase != NULL)
        Heap->Segment0.SegmentFlags = HEAP_SEGMENT_USER_ALLOCATED;
    return Heap;
}

/* See heap.h. */
PVOID RTL_HEAP_API RtlDestroyHeap(PVOID HeapHandle)
{
    PHEAP Heap = HeapHandle;
    if (!RtlpHeapIsValidHandle(Heap))
        return HeapHandle;
    Heap->Signature = 0;
    RtlpHeapReleaseBigBlocks(Heap);
    RtlpHeapReleaseSegments(Heap);
    return NULL;
}

/* See heap.h. */
BOOLEAN RTL_HEAP_API RtlLockHeap(PVOID HeapHandle)
{
    PHEAP Heap = HeapHandle;
    if (!RtlpHeapIsValidHandle(Heap))
        return FALSE;
    RtlpHeapAcquireLock(Heap, Heap->Flags);
    return TRUE;
}

/* See heap.h. */
BOOLEAN RTL_HEAP_API RtlUnlockHeap(PVOID HeapHandle)
{
    PHEAP Heap = HeapHandle;
    if (!RtlpHeapIsValidHandle(Heap))
        return FALSE;
    if (Heap->Flags & HEAP_NO_SERIALIZE)
        return TRUE;
    if (Heap->Flags & HEAP_LOCK_USER_ALLOCATED)
        return RtlpHeapCallerLockRoutines()->Release(Heap->LockVariable);
    if (Heap->LockOwner != RtlpHeapCurrentThread())
        return FALSE;
    RtlpHeapReleaseLock(Heap, TRUE);
    return TRUE;
}

/*
 * See heap.h. HeapCompatibilityInformation takes a ULONG: 2 turns the
 * low-fragmentation heap on, 1 the lookaside lists, 0 neither. As in
 * Windows, the LFH cannot be turned off once it has handed out blocks
 * (STATUS_UNSUCCESSFUL); until then a heap may still choose. Heaps that
 * serialize nothing or check tails and frees take no front end, as NT's.
 */
NTSTATUS RTL_HEAP_API RtlSetHeapInformation(PVOID HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                               PVOID HeapInformation, SIZE_T HeapInformationLength)
{
    PHEAP Heap = HeapHandle;
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG Value;
    BOOLEAN Locked;

    if (HeapInformationClass == HeapEnableTerminationOnCorruption)
        return STATUS_SUCCESS;  /* corruption always ends the process here */
    if (HeapInformationClass != HeapCompatibilityInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (HeapInformationLength < sizeof(ULONG))
        return STATUS_BUFFER_TOO_SMALL;
    if (!RtlpHeapIsValidHandle(Heap))
        return STATUS_INVALID_PARAMETER;
    Value = *(PULONG)HeapInformation;
    if (Value != HEAP_FRONT_END_NONE && Value != HEAP_FRONT_END_LOOKASIDE &&
        Value != HEAP_FRONT_END_LFH)
        return STATUS_INVALID_PARAMETER;
    if (Value != HEAP_FRONT_END_NONE &&
        (Heap->Flags & (HEAP_NO_SERIALIZE | HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED)))
        return STATUS_UNSUCCESSFUL;
    Locked = RtlpHeapAcquireLock(Heap, Heap->ForceFlags);
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LFH && Value != HEAP_FRONT_END_LFH)
        RtlpLfhCompact(Heap);
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LFH && Value != HEAP_FRONT_END_LFH &&
        Heap->LfhSubsegmentCount != 0) {
        Status = STATUS_UNSUCCESSFUL;
    } else {
        if (Value != HEAP_FRONT_END_LOOKASIDE)
            RtlpHeapFrontFlush(Heap);
        Heap->FrontEndHeapType = (UCHAR)Value;
    }
    RtlpHeapReleaseLock(Heap, Locked);
    return Status;
}

/* See heap.h: HeapCompatibilityInformation returns the front end as a ULONG. */
NTSTATUS RTL_HEAP_API RtlQueryHeapInformation(PVOID HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                                 PVOID HeapInformation, SIZE_T HeapInformationLength,
                                 PSIZE_T ReturnLength)
{
    PHEAP Heap = HeapHandle;
    if (HeapInformationClass != HeapCompatibilityInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (ReturnLength != NULL)
        *ReturnLength = sizeof(ULONG);
    if (HeapInformationLength < sizeof(ULONG))
        return STATUS_BUFFER_TOO_SMALL;
    if (!RtlpHeapIsValidHandle(Heap))
        return STATUS_INVALID_PARAMETER;
    *(PULONG)HeapInformation = Heap->FrontEndHeapType;
    return STATUS_SUCCESS;
}
