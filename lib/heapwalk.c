/*
 * heapwalk.c - RtlWalkHeap and RtlCompactHeap (NT's counterparts of the
 * same names).
 *
 * The walk reports, segment by segment: the segment (RTL_HEAP_SEGMENT, its
 * header bytes as data), then its blocks in address order with each
 * uncommitted range (RTL_HEAP_UNCOMMITTED_RANGE) where it falls, then the
 * big blocks in their own regions. The walk keeps no state of its own: the
 * previous entry says where it was. A run's sentinel is not reported; its
 * 8 bytes count in the overhead of the block before it, so a segment's
 * header, data, overhead and uncommitted bytes add up to its reservation.
 * Blocks in the lookaside lists are reported free, which is what they are.
 * An LFH subsegment is not reported as the one busy block it is to the
 * back end: its slots are, each as a block, busy or free, with the
 * container's own bytes in the first and last slots' overhead.
 */
#include "heapp.h"

static NTSTATUS RtlpHeapWalkBig(PHEAP Heap, PLIST_ENTRY Link, PRTL_HEAP_WALK_ENTRY Entry)
{
    PHEAP_VIRTUAL_ALLOC_ENTRY Big;
    if (Link == &Heap->VirtualAllocdBlocks)
        return STATUS_NO_MORE_ENTRIES;
    Big = CONTAINING_RECORD(Link, HEAP_VIRTUAL_ALLOC_ENTRY, Entry);
    Entry->DataAddress = &Big->BusyBlock + 1;
    Entry->DataSize = Big->UserSize;
    Entry->OverheadBytes = (UCHAR)(offsetof(HEAP_VIRTUAL_ALLOC_ENTRY, BusyBlock) + sizeof(HEAP_ENTRY));
    Entry->SegmentIndex = 0xFF;
    Entry->Flags = RTL_HEAP_BUSY;
    Entry->Block.Settable = 0;
    Entry->Block.TagIndex = 0;
    Entry->Block.AllocatorBackTraceIndex = 0;
    Entry->Block.Reserved[0] = Entry->Block.Reserved[1] = 0;
    return STATUS_SUCCESS;
}

/* Reports segment Index or the first one after it; then the big blocks. */
static NTSTATUS RtlpHeapWalkSegment(PHEAP Heap, ULONG Index, PRTL_HEAP_WALK_ENTRY Entry)
{
    PHEAP_SEGMENT Segment;
    while (Index < Heap->SegmentCount && Heap->Segments[Index] == NULL)
        Index++;
    if (Index >= Heap->SegmentCount)
        return RtlpHeapWalkBig(Heap, Heap->VirtualAllocdBlocks.Flink, Entry);
    Segment = Heap->Segments[Index];
    Entry->DataAddress = Segment->BaseAddress;
    Entry->DataSize = (SIZE_T)((PUCHAR)Segment->FirstEntry - Segment->BaseAddress);
    Entry->OverheadBytes = 0;
    Entry->SegmentIndex = (UCHAR)Index;
    Entry->Flags = RTL_HEAP_SEGMENT;
    Entry->Segment.CommittedSize =
        (Segment->NumberOfPages - Segment->NumberOfUnCommittedPages) * HEAP_PAGE_SIZE;
    Entry->Segment.UnCommittedSize = Segment->NumberOfUnCommittedPages * HEAP_PAGE_SIZE;
    Entry->Segment.FirstEntry = Segment->FirstEntry;
    Entry->Segment.LastEntry = Segment->LastValidEntry;
    return STATUS_SUCCESS;
}

/* Reports the block at Block, or the hole after it if it is a sentinel. */
static NTSTATUS RtlpHeapWalkBlock(PHEAP Heap, PHEAP_SEGMENT Segment, PHEAP_ENTRY Block,
                                  PRTL_HEAP_WALK_ENTRY Entry)
{
    Entry->SegmentIndex = Segment->SegmentIndex;
    if (Block->Flags & HEAP_ENTRY_LAST_ENTRY) {
        PUCHAR Hole = (PUCHAR)(Block + 1);
        PHEAP_ENTRY NextRun;
        if (Hole >= Segment->LastValidEntry)
            return RtlpHeapWalkSegment(Heap, Segment->SegmentIndex + 1U, Entry);
        NextRun = RtlpHeapNextRun(Segment, Hole);
        Entry->DataAddress = Hole;
        Entry->DataSize = (SIZE_T)((NextRun ? (PUCHAR)NextRun : Segment->LastValidEntry) - Hole);
        Entry->OverheadBytes = 0;
        Entry->Flags = RTL_HEAP_UNCOMMITTED_RANGE;
    } else {
        BOOLEAN Busy;
        SIZE_T Extra = 0;
        PHEAP_ENTRY After;
        if (Block->Flags & HEAP_ENTRY_LFH_SUBSEGMENT)
            Block = (PHEAP_ENTRY)((PHEAP_SUBSEGMENT)(Block + 1))->FirstSlot;
        After = RtlpHeapNextEntry(Block);
        if (Block->Flags & HEAP_ENTRY_LFH_SLOT) {
            Extra = RtlpLfhSlotExtraOverhead(Block);
            After = RtlpHeapNextEntry((PHEAP_ENTRY)RtlpLfhSubsegmentOf(Block) - 1);
            if ((PUCHAR)RtlpHeapNextEntry(Block) != (PUCHAR)RtlpLfhSubsegmentOf(Block)->EndSlots)
                After = NULL;   /* another slot follows, not the sentinel */
        }
        Busy = (Block->Flags & HEAP_ENTRY_BUSY) && !(Block->Flags & HEAP_ENTRY_LOOKASIDE);
        SIZE_T Bytes = (SIZE_T)Block->Size << HEAP_GRANULARITY_SHIFT;
        SIZE_T Data = Busy ? RtlpHeapUserSize(Block) : Bytes - sizeof(HEAP_ENTRY);
        SIZE_T Overhead = Bytes - Data + Extra;
        if (After != NULL && (After->Flags & HEAP_ENTRY_LAST_ENTRY))
            Overhead += sizeof(HEAP_ENTRY);
        /* cbOverhead is a byte, as in Windows; only a slot shrunk in place overflows it. */
        if (Overhead > 0xFF)
            Overhead = 0xFF;
        Entry->DataAddress = Block + 1;
        Entry->DataSize = Data;
        Entry->OverheadBytes = (UCHAR)Overhead;
        Entry->Flags = Busy ? RTL_HEAP_BUSY : 0;
    }
    Entry->Block.Settable = 0;
    Entry->Block.TagIndex = 0;
    Entry->Block.AllocatorBackTraceIndex = 0;
    Entry->Block.Reserved[0] = Entry->Block.Reserved[1] = 0;
    return STATUS_SUCCESS;
}

/* See heap.h. */
NTSTATUS RTL_HEAP_API RtlWalkHeap(PVOID HeapHandle, PRTL_HEAP_WALK_ENTRY Entry)
{
    PHEAP Heap = HeapHandle;
    PHEAP_SEGMENT Segment;
    PHEAP_ENTRY Block;

    if (Heap == NULL || Heap->Signature != HEAP_SIGNATURE || Entry == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Entry->DataAddress == NULL)
        return RtlpHeapWalkSegment(Heap, 0, Entry);
    if (Entry->Flags & RTL_HEAP_SEGMENT) {
        Segment = Heap->Segments[Entry->SegmentIndex];
        return RtlpHeapWalkBlock(Heap, Segment, Segment->FirstEntry, Entry);
    }
    if (Entry->Flags & RTL_HEAP_UNCOMMITTED_RANGE) {
        PUCHAR End = (PUCHAR)Entry->DataAddress + Entry->DataSize;
        Segment = Heap->Segments[Entry->SegmentIndex];
        if (End >= Segment->LastValidEntry)
            return RtlpHeapWalkSegment(Heap, Entry->SegmentIndex + 1U, Entry);
        return RtlpHeapWalkBlock(Heap, Segment, (PHEAP_ENTRY)End, Entry);
    }
    Block = (PHEAP_ENTRY)Entry->DataAddress - 1;
    if (Block->Flags & HEAP_ENTRY_VIRTUAL_ALLOC)
        return RtlpHeapWalkBig(Heap, RtlpHeapBigFromEntry(Block)->Entry.Flink, Entry);
    Segment = Heap->Segments[Block->SegmentIndex];
    if (Block->Flags & HEAP_ENTRY_LFH_SLOT) {
        PHEAP_SUBSEGMENT Sub = RtlpLfhSubsegmentOf(Block);
        if ((PUCHAR)RtlpHeapNextEntry(Block) < Sub->EndSlots)
            return RtlpHeapWalkBlock(Heap, Segment, RtlpHeapNextEntry(Block), Entry);
        Block = (PHEAP_ENTRY)Sub - 1;   /* after the last slot: the block after the container */
    }
    return RtlpHeapWalkBlock(Heap, Segment, RtlpHeapNextEntry(Block), Entry);
}

/* Decommits the inner pages of every free block of a page or more in Segment. */
static void RtlpHeapCompactSegment(PHEAP Heap, PHEAP_SEGMENT Segment)
{
    PHEAP_ENTRY Block = Segment->FirstEntry;
    while (Block != NULL) {
        PHEAP_ENTRY Next = RtlpHeapNextEntry(Block);
        if (Block->Flags & HEAP_ENTRY_LAST_ENTRY) {
            Block = (PUCHAR)Next < Segment->LastValidEntry ? RtlpHeapNextRun(Segment, (PUCHAR)Next) : NULL;
            continue;
        }
        if (!(Block->Flags & HEAP_ENTRY_BUSY) &&
            ((SIZE_T)Block->Size << HEAP_GRANULARITY_SHIFT) >= HEAP_PAGE_SIZE) {
            RtlpHeapRemoveFreeBlock(Heap, (PHEAP_FREE_ENTRY)Block);
            RtlpHeapDecommitRange(Heap, Segment, (PUCHAR)Block, (PUCHAR)Next, Block->PreviousSize,
                                  &Next);
        }
        Block = Next;
    }
}

/* See heap.h. */
SIZE_T RTL_HEAP_API RtlCompactHeap(PVOID HeapHandle, ULONG Flags)
{
    PHEAP Heap = HeapHandle;
    SIZE_T Largest = 0;
    BOOLEAN Locked;

    if (Heap == NULL || Heap->Signature != HEAP_SIGNATURE)
        return 0;
    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
    RtlpHeapFrontFlush(Heap);
    RtlpLfhCompact(Heap);
    /* Asked to give memory back: the churn allowance starts over. */
    Heap->DeCommitTotalFreeThreshold = Heap->DeCommitTotalFreeBase;
    Heap->DecommittedSinceExtend = FALSE;
    for (ULONG i = 0; i < Heap->SegmentCount; i++)
        if (Heap->Segments[i] != NULL)
            RtlpHeapCompactSegment(Heap, Heap->Segments[i]);
    /* The largest free block: the tail of the sorted big list, else the highest small list. */
    if (!IsListEmpty(&Heap->FreeLists[0])) {
        Largest = CONTAINING_RECORD(Heap->FreeLists[0].Blink, HEAP_FREE_ENTRY, FreeList)->Entry.Size;
    } else {
        for (ULONG i = HEAP_FREE_LISTS; i-- > 1;) {
            if (!IsListEmpty(&Heap->FreeLists[i])) {
                Largest = i;
                break;
            }
        }
    }
    RtlpHeapReleaseLock(Heap, Locked);
    return Largest ? (Largest << HEAP_GRANULARITY_SHIFT) - sizeof(HEAP_ENTRY) : 0;
}
