/*
 * heaprealloc.c - RtlReAllocateHeap (NT's counterpart of the same name).
 *
 * In place when it can be: a shrink splits off the tail and frees it; a
 * grow takes the free block that follows if it is big enough. Otherwise
 * the block moves (allocate, copy, free), unless HEAP_REALLOC_IN_PLACE_ONLY
 * says to fail instead. HEAP_ZERO_MEMORY zeroes the bytes added. Big blocks
 * (own regions) are heapbig.c's.
 */
#include "heapp.h"
#include "kstring.h"

/* Tries to resize the busy segment block Entry to Size bytes without moving it. */
static BOOLEAN RtlpHeapReAllocateInPlace(PHEAP Heap, ULONG Flags, PHEAP_ENTRY Entry, SIZE_T Size)
{
    SIZE_T Units = RtlpHeapUnitsForSize(Flags, Size);
    SIZE_T OldSize = RtlpHeapUserSize(Entry);
    SIZE_T Limit = (Heap->Flags & HEAP_GROWABLE) ? Heap->VirtualMemoryThreshold : HEAP_MAX_FREE_UNITS;
    PHEAP_ENTRY Next;

    if (Entry->Flags & HEAP_ENTRY_LFH_SLOT)
        return RtlpLfhReAllocateInPlace(Heap, Flags, Entry, Size);
    if (Units > Limit)
        return FALSE;
    if (Units > Entry->Size) {
        Next = RtlpHeapNextEntry(Entry);
        if ((Next->Flags & HEAP_ENTRY_BUSY) || (SIZE_T)Entry->Size + Next->Size < Units ||
            (SIZE_T)Entry->Size + Next->Size > HEAP_MAX_FREE_UNITS)
            return FALSE;
        if ((Next->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckFreeFill(Next)) {
            RtlpHeapNoteCorruption(Heap, Next + 1, HEAP_CORRUPTION_FREE_MODIFIED);
            return FALSE;
        }
        RtlpHeapRemoveFreeBlock(Heap, (PHEAP_FREE_ENTRY)Next);
        Entry->Size = (USHORT)(Entry->Size + Next->Size);
        /* The block after the absorbed one now follows Entry. */
        Next = RtlpHeapNextEntry(Entry);
        Next->PreviousSize = Entry->Size;
        RtlpHeapSealEntry(Heap, Next);
    }
    RtlpHeapSplitBlock(Heap, Entry, (USHORT)Units, TRUE);
    RtlpHeapSetBusy(Heap, Entry, Flags & ~HEAP_ZERO_MEMORY, Size);
    if (Size > OldSize && (Flags & HEAP_ZERO_MEMORY))
        memset((PUCHAR)(Entry + 1) + OldSize, 0, Size - OldSize);
    return TRUE;
}

static PVOID RtlpHeapReAllocateLocked(PHEAP Heap, ULONG Flags, PVOID BaseAddress, SIZE_T Size)
{
    PHEAP_ENTRY Entry;
    PVOID NewBlock;
    SIZE_T OldSize;

    switch (RtlpHeapFindBlock(Heap, BaseAddress, &Entry)) {
    case HEAP_BLOCK_BUSY:
        break;
    case HEAP_BLOCK_BIG:
        return RtlpHeapReAllocateBig(Heap, Flags, RtlpHeapBigFromEntry(Entry), Size);
    case HEAP_BLOCK_FREE:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_DOUBLE_FREE);
        return NULL;
    case HEAP_BLOCK_CORRUPT:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_BAD_HEADER);
        return NULL;
    default:
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_FOREIGN_POINTER);
        return NULL;
    }
    if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckTail(Entry)) {
        RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_TAIL_OVERWRITTEN);
        return NULL;
    }
    if (Size > HEAP_MAXIMUM_REQUEST)
        return NULL;
    if (RtlpHeapReAllocateInPlace(Heap, Flags, Entry, Size))
        return BaseAddress;
    if (Heap->PendingCorruption != 0 || (Flags & HEAP_REALLOC_IN_PLACE_ONLY))
        return NULL;
    OldSize = RtlpHeapUserSize(Entry);
    NewBlock = RtlpHeapAllocateLocked(Heap, Flags & ~HEAP_ZERO_MEMORY, Size);
    if (NewBlock == NULL)
        return NULL;
    memcpy(NewBlock, BaseAddress, OldSize < Size ? OldSize : Size);
    if (Size > OldSize && (Flags & HEAP_ZERO_MEMORY))
        memset((PUCHAR)NewBlock + OldSize, 0, Size - OldSize);
    RtlpHeapFreeLocked(Heap, Entry);
    return NewBlock;
}

/* See heap.h. */
PVOID RTL_HEAP_API RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size)
{
    PHEAP Heap = HeapHandle;
    BOOLEAN Locked;
    PVOID Result;

    if (BaseAddress == NULL)
        return NULL;
    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
    Result = RtlpHeapReAllocateLocked(Heap, Flags, BaseAddress, Size);
    RtlpHeapReleaseLock(Heap, Locked);
    return RtlpHeapFinishAllocation(Heap, Flags, Result);
}
