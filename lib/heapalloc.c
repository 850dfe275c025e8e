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
#include "heapp.h"
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
    ASSERT(Unused >= sizeof(HEAP_ENTRY) && Unused <= 0xFF);
    Entry->Flags = HEAP_ENTRY_BUSY | ((Flags & HEAP_TAIL_CHECKING_ENABLED) ? HEAP_ENTRY_FILL_PATTERN : 0);
    Entry->UnusedBytes = (UCHAR)Unused;
    RtlpHeapSealEntry(Heap, Entry);
    if (Flags & HEAP_ZERO_MEMORY)
        memset(Entry + 1, 0, Size);
    if (Flags & HEAP_TAIL_CHECKING_ENABLED)
        RtlpHeapFillTail(Entry);
}

/* Takes a block of Units off the free lists, committing more if needed; NULL if none. */
static PHEAP_ENTRY RtlpHeapAllocateFromBackEnd(PHEAP Heap, USHORT Units)
{
    PHEAP_FREE_ENTRY Free = RtlpHeapFindFreeBlock(Heap, Units);
    PHEAP_ENTRY Entry;

    if (Free == NULL && RtlpHeapExtend(Heap, Units))
        Free = RtlpHeapFindFreeBlock(Heap, Units);
    if (Free == NULL && Heap->FrontEndHeapType == HEAP_FRONT_END_LOOKASIDE) {
        RtlpHeapFrontFlush(Heap);
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
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LOOKASIDE && Units < HEAP_LOOKASIDE_LISTS)
        Entry = RtlpHeapFrontAllocate(Heap, (USHORT)Units);
    if (Entry == NULL)
        Entry = RtlpHeapAllocateFromBackEnd(Heap, (USHORT)Units);
    if (Entry == NULL)
        return NULL;
    RtlpHeapSetBusy(Heap, Entry, Flags, Size);
    return Entry + 1;
}

/* See heap.h. */
PVOID RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size)
{
    PHEAP Heap = HeapHandle;
    BOOLEAN Locked;
    PVOID Result;

    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
    Result = RtlpHeapAllocateLocked(Heap, Flags, Size);
    RtlpHeapReleaseLock(Heap, Locked);
    if (RtlpHeapReportPending(Heap))
        return NULL;
    if (Result == NULL && (Flags & HEAP_GENERATE_EXCEPTIONS))
        RtlpHeapRaiseStatus(STATUS_NO_MEMORY);
    return Result;
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
    if (Heap->FrontEndHeapType == HEAP_FRONT_END_LOOKASIDE && RtlpHeapFrontFree(Heap, Entry))
        return;
    RtlpHeapFreeToBackEnd(Heap, Entry);
}

/* See heap.h. */
BOOLEAN RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)
{
    PHEAP Heap = HeapHandle;
    PHEAP_ENTRY Entry;
    BOOLEAN Locked;

    if (BaseAddress == NULL)
        return TRUE;
    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
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

/* See heap.h. */
SIZE_T RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PCVOID BaseAddress)
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
