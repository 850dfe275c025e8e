/*
 * heapalloc.c - RtlAllocateHeap, RtlFreeHeap and RtlSizeHeap, and the
 * locked back-end allocate and free that RtlReAllocateHeap shares.
 * NT's counterparts: RtlAllocateHeap/RtlFreeHeap (ntdll heap.c).
 *
 * An allocation tries, in order: the lookaside list of its exact size (the
 * front end), the free lists (best fit, split), committing more of a
 * segment or adding one (RtlpHeapExtend), and last emptying the lookaside
 * lists back into the free lists. Requests over the virtual-memory
 * threshold in a growable heap get their own region (heapbig.c); a fixed
 * heap refuses anything over HEAP_MAXIMUM_BLOCK_BYTES with its header.
 * Damage found under the lock is reported after the lock is released.
 */
#include "heaplfh.h"
#include "kstring.h"

/* Units for a block holding Size bytes (Size <= HEAP_MAXIMUM_REQUEST). */
SIZE_T RtlpHeapUnitsForSize(ULONG Flags, SIZE_T Size)
{
    SIZE_T Extra = sizeof(HEAP_ENTRY) + ((Flags & HEAP_TAIL_CHECKING_ENABLED) ? HEAP_TAIL_SIZE : 0);
    SIZE_T Units = (Size + Extra + HEAP_GRANULARITY - 1) >> HEAP_GRANULARITY_SHIFT;
    return Units < HEAP_MIN_BLOCK_UNITS ? HEAP_MIN_BLOCK_UNITS : Units;
}

/* Marks Entry busy for a request of Size bytes: header, zeroing, tail pattern. */
void RtlpHeapSetBusy(PHEAP Heap, PHEAP_ENTRY Entry, ULONG Flags, SIZE_T Size)
{
    SIZE_T Unused = ((SIZE_T)Entry->Size << HEAP_GRANULARITY_SHIFT) - Size;
    ASSERT(Unused >= sizeof(HEAP_ENTRY));
    Entry->Flags = (UCHAR)((Entry->Flags & HEAP_ENTRY_LFH_SLOT) | HEAP_ENTRY_BUSY |
                           ((Flags & HEAP_TAIL_CHECKING_ENABLED) ? HEAP_ENTRY_FILL_PATTERN : 0));
    if (Unused < HEAP_UNUSED_EXTENDED) {
        Entry->UnusedBytes = (UCHAR)Unused;
    } else {
        /* Only a slot shrunk in place leaves this much; the count goes in its last bytes. */
        ASSERT((Entry->Flags & HEAP_ENTRY_LFH_SLOT) && !(Flags & HEAP_TAIL_CHECKING_ENABLED));
        Entry->UnusedBytes = HEAP_UNUSED_EXTENDED;
        *(PUSHORT)((PUCHAR)RtlpHeapNextEntry(Entry) - sizeof(USHORT)) = (USHORT)Unused;
    }
    RtlpHeapSealEntry(Heap, Entry);
    if (Flags & HEAP_ZERO_MEMORY)
        memset(Entry + 1, 0, Size);
    if (Flags & HEAP_TAIL_CHECKING_ENABLED)
        RtlpHeapFillTail(Entry);
}

/* Takes a block of Units off the free lists, committing more if needed; NULL if none. */
PHEAP_ENTRY RtlpHeapAllocateFromBackEnd(PHEAP Heap, USHORT Units)
{
    PHEAP_FREE_ENTRY Free = RtlpHeapFindFreeBlock(Heap, Units);
    PHEAP_ENTRY Entry;

    if (Free == NULL && RtlpHeapExtend(Heap, Units))
        Free = RtlpHeapFindFreeBlock(Heap, Units);
    if (Free == NULL && Heap->FrontEndHeapType != HEAP_FRONT_END_NONE) {
        /* What the front ends hold back is the last reserve. */
        RtlpHeapFrontFlush(Heap);
        RtlpLfhCompact(Heap);
        Free = RtlpHeapFindFreeBlock(Heap, Units);
    }
    if (Free == NULL)
        return NULL;
    Entry = &Free->Entry;
    if (!RtlpHeapEntryIntact(Heap, Entry) || (Entry->Flags & HEAP_ENTRY_BUSY)) {
        RtlpHeapNoteCorruption(Heap, Entry, HEAP_CORRUPTION_FREE_LIST);
        return NULL;
    }
    if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckFreeFill(Entry)) {
        RtlpHeapNoteCorruption(Heap, Entry + 1, HEAP_CORRUPTION_FREE_MODIFIED);
        return NULL;
    }
    RtlpHeapRemoveFreeBlock(Heap, Free);
    Entry->Flags = HEAP_ENTRY_BUSY;
    RtlpHeapSplitBlock(Heap, Entry, Units, FALSE);
    return Entry;
}

/* The allocation itself, with the lock held (or HEAP_NO_SERIALIZE). NULL on failure. */
PVOID RtlpHeapAllocateLocked(PHEAP Heap, ULONG Flags, SIZE_T Size)
{
    SIZE_T Units, Limit;
    PHEAP_ENTRY Entry = NULL;

    if (Size > HEAP_MAXIMUM_REQUEST)
        return NULL;
    Units = RtlpHeapUnitsForSize(Flags, Size);
    Limit = (Heap->Flags & HEAP_GROWABLE) ? Heap->VirtualMemoryThreshold : HEAP_MAX_FREE_UNITS;
    if (Units > Limit)
        return (Heap->Flags & HEAP_GROWABLE) ? RtlpHeapAllocateBig(Heap, Flags, Size) : NULL;
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LFH && Units <= HEAP_LFH_MAX_UNITS &&
        !(Flags & (HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED))) {
        Entry = RtlpLfhAllocate(Heap, Units);
        if (Heap->PendingCorruption != 0)
            return NULL;
        /* The slot may be bigger than Units: its bucket's size. */
    } else if (Heap->FrontEndHeapType == HEAP_FRONT_END_LOOKASIDE && Units < HEAP_LOOKASIDE_LISTS) {
        Entry = RtlpHeapFrontAllocate(Heap, (USHORT)Units);
    }
    if (Entry == NULL)
        Entry = RtlpHeapAllocateFromBackEnd(Heap, (USHORT)Units);
    if (Entry == NULL)
        return NULL;
    RtlpHeapSetBusy(Heap, Entry, Flags, Size);
    return Entry + 1;
}

/* RtlAllocateHeap's general path: every request the LFH cannot serve at once. */
static __attribute__((noinline)) PVOID RtlpHeapAllocateGeneral(PHEAP Heap, ULONG Flags, SIZE_T Size,
                                                               BOOLEAN Held)
{
    BOOLEAN Locked = RtlpHeapLockForGeneralPath(Heap, Flags, Held);
    PVOID Result = RtlpHeapAllocateLocked(Heap, Flags, Size);
    RtlpHeapReleaseLock(Heap, Locked);
    return RtlpHeapFinishAllocation(Heap, Flags, Result);
}

/*
 * See heap.h. The LFH's common case runs here without a call (one
 * exchange, one pop); the general path is a separate function so that
 * this one stays small enough to keep its values in registers.
 */
PVOID RTL_HEAP_API RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size)
{
    PHEAP Heap = HeapHandle;
    PVOID Result;

    Flags |= Heap->ForceFlags;
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LFH && Size <= HEAP_LFH_MAX_REQUEST &&
        !(Flags & (HEAP_NO_SERIALIZE | HEAP_LOCK_USER_ALLOCATED | HEAP_TAIL_CHECKING_ENABLED |
                   HEAP_FREE_CHECKING_ENABLED)) &&
        RtlpHeapTryLockFast(Heap)) {
        Result = RtlpLfhTryAllocate(Heap, Size);
        if (__builtin_expect(Result == NULL, 0))
            return RtlpHeapAllocateGeneral(Heap, Flags, Size, TRUE);
        RtlpHeapUnlockFast(Heap);
        if (Flags & HEAP_ZERO_MEMORY)
            memset(Result, 0, Size);
        return Result;
    }
    return RtlpHeapAllocateGeneral(Heap, Flags, Size, FALSE);
}

/* Gives a busy block (already off any front end) back to the free lists. */
void RtlpHeapFreeToBackEnd(PHEAP Heap, PHEAP_ENTRY Entry)
{
    /* Clear busy first: a later free of the same pointer then finds a free header. */
    Entry->Flags = 0;
    RtlpHeapSealEntry(Heap, Entry);
    RtlpHeapCoalesceRange(Heap, Heap->Segments[Entry->SegmentIndex], (PUCHAR)Entry,
                          (PUCHAR)RtlpHeapNextEntry(Entry), Entry->PreviousSize, TRUE);
}

/* Frees a busy segment block found by RtlpHeapFindBlock, checking its tail first. */
void RtlpHeapFreeLocked(PHEAP Heap, PHEAP_ENTRY Entry)
{
    if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckTail(Entry)) {
        RtlpHeapNoteCorruption(Heap, Entry + 1, HEAP_CORRUPTION_TAIL_OVERWRITTEN);
        return;
    }
    if (Entry->Flags & HEAP_ENTRY_LFH_SLOT) {
        RtlpLfhFreeSlot(Heap, Entry);
        return;
    }
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LOOKASIDE && RtlpHeapFrontFree(Heap, Entry))
        return;
    RtlpHeapFreeToBackEnd(Heap, Entry);
}

/* RtlFreeHeap's general path: classifies BaseAddress and frees or reports it. */
static __attribute__((noinline)) BOOLEAN RtlpHeapFreeGeneral(PHEAP Heap, ULONG Flags,
                                                             PVOID BaseAddress, BOOLEAN Held)
{
    PHEAP_ENTRY Entry;
    BOOLEAN Locked = RtlpHeapLockForGeneralPath(Heap, Flags, Held);
    switch (RtlpHeapFindBlock(Heap, BaseAddress, &Entry)) {
    case HEAP_BLOCK_BUSY:
        RtlpHeapFreeLocked(Heap, Entry);
        break;
    case HEAP_BLOCK_BIG:
        RtlpHeapFreeBig(Heap, RtlpHeapBigFromEntry(Entry));
        break;
    case HEAP_BLOCK_FREE:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_DOUBLE_FREE);
        break;
    case HEAP_BLOCK_CORRUPT:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_BAD_HEADER);
        break;
    default:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_FOREIGN_POINTER);
        break;
    }
    RtlpHeapReleaseLock(Heap, Locked);
    return !RtlpHeapReportPending(Heap);
}

/* See heap.h. A busy LFH slot is freed here without a call; anything else is classified. */
BOOLEAN RTL_HEAP_API RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)
{
    PHEAP Heap = HeapHandle;

    if (BaseAddress == NULL)
        return TRUE;
    Flags |= Heap->ForceFlags;
    /* (LFH blocks exist only while the LFH is the front end: it cannot be left while they do.) */
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LFH &&
        !(Flags & (HEAP_NO_SERIALIZE | HEAP_LOCK_USER_ALLOCATED)) &&
        RtlpHeapTryLockFast(Heap)) {
        if (__builtin_expect(!RtlpLfhTryFree(Heap, BaseAddress), 0))
            return RtlpHeapFreeGeneral(Heap, Flags, BaseAddress, TRUE);
        /* (Nothing on that path notes damage: a released subsegment just coalesces.) */
        RtlpHeapUnlockFast(Heap);
        return TRUE;
    }
    return RtlpHeapFreeGeneral(Heap, Flags, BaseAddress, FALSE);
}

/* See heap.h. */
SIZE_T RTL_HEAP_API RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PCVOID BaseAddress)
{
    PHEAP Heap = HeapHandle;
    PHEAP_ENTRY Entry;
    SIZE_T Size = (SIZE_T)-1;
    BOOLEAN Locked;

    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
    switch (RtlpHeapFindBlock(Heap, BaseAddress, &Entry)) {
    case HEAP_BLOCK_BUSY:
        Size = RtlpHeapUserSize(Entry);
        break;
    case HEAP_BLOCK_BIG:
        Size = RtlpHeapBigFromEntry(Entry)->UserSize;
        break;
    default:
        break;
    }
    RtlpHeapReleaseLock(Heap, Locked);
    return Size;
}
