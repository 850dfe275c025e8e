/*
 * heapbig.c - blocks in their own regions: a growable heap serves a
 * request over its VirtualMemoryThreshold (0x7F000 bytes by default) with
 * a reservation of its own, released when the block is freed. NT's
 * counterpart: the VirtualAllocdBlocks list in RtlAllocateHeap.
 *
 *   region base: HEAP_VIRTUAL_ALLOC_ENTRY { links, CommitSize, ReserveSize,
 *                UserSize, BusyBlock (an 8-byte HEAP_ENTRY) } then the data.
 *
 * The BusyBlock carries HEAP_ENTRY_VIRTUAL_ALLOC, so a freed pointer leads
 * here; RtlpHeapFindBlock trusts it only if the entry is on the heap's list.
 * A shrink decommits the pages it no longer needs; a grow stays in place
 * only inside what is committed (as Windows does, per Wine's tests).
 * Called with the heap lock held.
 */
#include "heapp.h"
#include "kstring.h"

#define HEAP_BIG_HEADER (offsetof(HEAP_VIRTUAL_ALLOC_ENTRY, BusyBlock) + sizeof(HEAP_ENTRY))

PHEAP_VIRTUAL_ALLOC_ENTRY RtlpHeapBigFromEntry(PHEAP_ENTRY Entry)
{
    return CONTAINING_RECORD(Entry, HEAP_VIRTUAL_ALLOC_ENTRY, BusyBlock);
}

/* Allocates Size bytes in a region of their own; NULL if the region cannot be had. */
PVOID RtlpHeapAllocateBig(PHEAP Heap, ULONG Flags, SIZE_T Size)
{
    PVOID Base = NULL;
    SIZE_T Commit = RtlpHeapRoundUp(HEAP_BIG_HEADER + Size, HEAP_PAGE_SIZE);
    SIZE_T Reserve = RtlpHeapRoundUp(Commit, HEAP_ALLOCATION_GRANULARITY);
    SIZE_T RegionSize = Reserve;
    PHEAP_VIRTUAL_ALLOC_ENTRY Big;

    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &RegionSize, MEM_RESERVE, Heap->Protect)))
        return NULL;
    RegionSize = Commit;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &RegionSize, MEM_COMMIT, Heap->Protect))) {
        RegionSize = 0;
        RtlpHeapFreeVirtual(&Base, &RegionSize, MEM_RELEASE);
        return NULL;
    }
    /* Fresh pages are zero already: HEAP_ZERO_MEMORY costs nothing here. */
    Big = Base;
    Big->CommitSize = Commit;
    Big->ReserveSize = Reserve;
    Big->UserSize = Size;
    Big->BusyBlock.Size = 0;
    Big->BusyBlock.PreviousSize = 0;
    Big->BusyBlock.Flags = HEAP_ENTRY_BUSY | HEAP_ENTRY_VIRTUAL_ALLOC;
    Big->BusyBlock.UnusedBytes = 0;
    Big->BusyBlock.SegmentIndex = 0xFF;
    RtlpHeapSealEntry(Heap, &Big->BusyBlock);
    InsertTailList(&Heap->VirtualAllocdBlocks, &Big->Entry);
    return &Big->BusyBlock + 1;
}

/* Unlinks Big and releases its region. */
void RtlpHeapFreeBig(PHEAP Heap, PHEAP_VIRTUAL_ALLOC_ENTRY Big)
{
    PVOID Base = Big;
    SIZE_T Size = 0;
    RemoveEntryList(&Big->Entry);
    RtlpHeapFreeVirtual(&Base, &Size, MEM_RELEASE);
}

/*
 * Resizes a big block to Size: in place within its committed pages
 * (decommitting any it no longer needs), else by moving unless
 * HEAP_REALLOC_IN_PLACE_ONLY. A new size under the threshold moves the
 * block back into the heap's segments. NULL on failure.
 */
PVOID RtlpHeapReAllocateBig(PHEAP Heap, ULONG Flags, PHEAP_VIRTUAL_ALLOC_ENTRY Big, SIZE_T Size)
{
    SIZE_T Needed, OldSize = Big->UserSize;
    PVOID NewBlock;
    BOOLEAN StaysBig;

    if (Size > HEAP_MAXIMUM_REQUEST)
        return NULL;
    Needed = RtlpHeapRoundUp(HEAP_BIG_HEADER + Size, HEAP_PAGE_SIZE);
    StaysBig = RtlpHeapUnitsForSize(Flags, Size) > Heap->VirtualMemoryThreshold;
    if (Needed <= Big->CommitSize && (StaysBig || (Flags & HEAP_REALLOC_IN_PLACE_ONLY))) {
        if (Needed < Big->CommitSize) {
            PVOID Address = (PUCHAR)Big + Needed;
            SIZE_T Decommit = Big->CommitSize - Needed;
            if (NT_SUCCESS(RtlpHeapFreeVirtual(&Address, &Decommit, MEM_DECOMMIT)))
                Big->CommitSize = Needed;
        }
        if (Size > OldSize && (Flags & HEAP_ZERO_MEMORY))
            memset((PUCHAR)(&Big->BusyBlock + 1) + OldSize, 0, Size - OldSize);
        Big->UserSize = Size;
        return &Big->BusyBlock + 1;
    }
    if (Flags & HEAP_REALLOC_IN_PLACE_ONLY)
        return NULL;
    NewBlock = RtlpHeapAllocateLocked(Heap, Flags & ~HEAP_ZERO_MEMORY, Size);
    if (NewBlock == NULL)
        return NULL;
    memcpy(NewBlock, &Big->BusyBlock + 1, OldSize < Size ? OldSize : Size);
    if (Size > OldSize && (Flags & HEAP_ZERO_MEMORY))
        memset((PUCHAR)NewBlock + OldSize, 0, Size - OldSize);
    RtlpHeapFreeBig(Heap, Big);
    return NewBlock;
}

/* Releases every big block (RtlDestroyHeap). */
void RtlpHeapReleaseBigBlocks(PHEAP Heap)
{
    while (!IsListEmpty(&Heap->VirtualAllocdBlocks)) {
        PLIST_ENTRY Link = Heap->VirtualAllocdBlocks.Flink;
        RtlpHeapFreeBig(Heap, CONTAINING_RECORD(Link, HEAP_VIRTUAL_ALLOC_ENTRY, Entry));
    }
}
