/*
 * heapcheck.c - how the heap knows a pointer is its own, the debug fill
 * patterns, the whole-heap validator and the corruption report. NT's
 * counterparts: RtlValidateHeap, RtlpValidateHeapSegment,
 * RtlpCheckBusyBlockTail, RtlpReportHeapFailure.
 *
 * A pointer is a busy block of this heap only if its header lies in a
 * committed page of one of the heap's segments, passes its checksum, names
 * that segment, and the next header agrees about its size; or if it is the
 * data of a big block on the heap's list. Nothing is read before the
 * address is known to be committed heap memory, so a wild pointer is
 * reported, not faulted on. Damage is noted under the lock and reported by
 * RtlpHeapReportPending once the lock is released.
 */
#include "heaplfh.h"
#include "kstring.h"

/* Classifies BaseAddress as HEAP_BLOCK_*; *Entry gets the header where there is one. */
ULONG RtlpHeapFindBlock(PHEAP Heap, PCVOID BaseAddress, PHEAP_ENTRY *Entry)
{
    PHEAP_ENTRY Header = (PHEAP_ENTRY)BaseAddress - 1, Next;
    PHEAP_SEGMENT Segment;
    ULONG Index;

    *Entry = NULL;
    if (BaseAddress == NULL || ((ULONG_PTR)BaseAddress & (HEAP_GRANULARITY - 1)) != 0)
        return HEAP_BLOCK_FOREIGN;
    Segment = RtlpHeapFindSegment(Heap, Header, &Index);
    if (Segment != NULL) {
        *Entry = Header;
        if (!RtlpHeapEntryIntact(Heap, Header) || Header->SegmentIndex != Index ||
            Header->Size == 0 || (Header->Flags & HEAP_ENTRY_LAST_ENTRY))
            return HEAP_BLOCK_CORRUPT;
        if (Header->Flags & HEAP_ENTRY_LFH_SLOT) {
            if (!RtlpLfhVouches(Heap, Segment, Header))
                return HEAP_BLOCK_CORRUPT;
            return (Header->Flags & HEAP_ENTRY_BUSY) ? HEAP_BLOCK_BUSY : HEAP_BLOCK_FREE;
        }
        /* A subsegment's container was never handed out as such. */
        if (Header->Flags & HEAP_ENTRY_LFH_SUBSEGMENT)
            return HEAP_BLOCK_FOREIGN;
        if (!(Header->Flags & HEAP_ENTRY_BUSY) || (Header->Flags & HEAP_ENTRY_LOOKASIDE))
            return HEAP_BLOCK_FREE;
        Next = RtlpHeapNextEntry(Header);
        if ((PUCHAR)Next >= Segment->LastValidEntry || !RtlpHeapIsPageCommitted(Segment, Next) ||
            !RtlpHeapEntryIntact(Heap, Next) || Next->PreviousSize != Header->Size)
            return HEAP_BLOCK_CORRUPT;
        return HEAP_BLOCK_BUSY;
    }
    for (PLIST_ENTRY Link = Heap->VirtualAllocdBlocks.Flink; Link != &Heap->VirtualAllocdBlocks;
         Link = Link->Flink) {
        PHEAP_VIRTUAL_ALLOC_ENTRY Big = CONTAINING_RECORD(Link, HEAP_VIRTUAL_ALLOC_ENTRY, Entry);
        if (&Big->BusyBlock == Header) {
            *Entry = Header;
            return RtlpHeapEntryIntact(Heap, Header) ? HEAP_BLOCK_BIG : HEAP_BLOCK_CORRUPT;
        }
    }
    return HEAP_BLOCK_FOREIGN;
}

/* HEAP_FREE_CHECKING_ENABLED: fills a free block's data past its links with 0xFEEEFEEE. */
void RtlpHeapFillFree(PHEAP Heap, PHEAP_ENTRY Entry)
{
    PULONG Data = (PULONG)((PUCHAR)Entry + sizeof(HEAP_FREE_ENTRY));
    PULONG End = (PULONG)RtlpHeapNextEntry(Entry);
    while (Data < End)
        *Data++ = HEAP_FREE_FILL;
}

/* TRUE if nothing wrote to the free block since RtlpHeapFillFree. */
BOOLEAN RtlpHeapCheckFreeFill(PHEAP_ENTRY Entry)
{
    PULONG Data = (PULONG)((PUCHAR)Entry + sizeof(HEAP_FREE_ENTRY));
    PULONG End = (PULONG)RtlpHeapNextEntry(Entry);
    for (; Data < End; Data++)
        if (*Data != HEAP_FREE_FILL)
            return FALSE;
    return TRUE;
}

/* HEAP_TAIL_CHECKING_ENABLED: fills the bytes between the data's end and the block's with 0xAB. */
void RtlpHeapFillTail(PHEAP_ENTRY Entry)
{
    SIZE_T User = RtlpHeapUserSize(Entry);
    memset((PUCHAR)(Entry + 1) + User, HEAP_TAIL_FILL, Entry->UnusedBytes - sizeof(HEAP_ENTRY));
}

BOOLEAN RtlpHeapCheckTail(PHEAP_ENTRY Entry)
{
    PUCHAR Tail = (PUCHAR)(Entry + 1) + RtlpHeapUserSize(Entry);
    for (SIZE_T i = 0; i < (SIZE_T)Entry->UnusedBytes - sizeof(HEAP_ENTRY); i++)
        if (Tail[i] != HEAP_TAIL_FILL)
            return FALSE;
    return TRUE;
}

/* Walks one segment's blocks; adds up its free blocks. 0 or a HEAP_CORRUPTION_* reason. */
static ULONG RtlpHeapValidateSegment(PHEAP Heap, PHEAP_SEGMENT Segment, ULONG Index,
                                     SIZE_T *FreeUnits, SIZE_T *FreeCount, PVOID *Bad)
{
    PHEAP_ENTRY Entry = Segment->FirstEntry;
    USHORT ExpectedPrevious = 0;
    BOOLEAN PreviousFree = FALSE;
    ULONG Committed = 0;

    *Bad = Segment;
    if (Segment->Signature != HEAP_SEGMENT_SIGNATURE || Segment->SegmentIndex != Index ||
        Segment->Heap != Heap || !RtlpHeapIsPageCommitted(Segment, Segment->BaseAddress))
        return HEAP_CORRUPTION_BAD_SEGMENT;
    for (ULONG Page = 0; Page < Segment->NumberOfPages; Page++)
        Committed += (Segment->CommitBitmap[Page >> 5] >> (Page & 31)) & 1;
    if (Committed != Segment->NumberOfPages - Segment->NumberOfUnCommittedPages)
        return HEAP_CORRUPTION_BAD_SEGMENT;

    while (Entry != NULL) {
        PHEAP_ENTRY Next;
        *Bad = Entry;
        if ((PUCHAR)Entry >= Segment->LastValidEntry || !RtlpHeapIsPageCommitted(Segment, Entry) ||
            !RtlpHeapEntryIntact(Heap, Entry) || Entry->SegmentIndex != Index ||
            Entry->Size == 0 || Entry->PreviousSize != ExpectedPrevious)
            return HEAP_CORRUPTION_BAD_HEADER;
        Next = RtlpHeapNextEntry(Entry);
        if (Entry->Flags & HEAP_ENTRY_LAST_ENTRY) {
            /* A run ends here: on a page boundary, before a hole or the segment's end. */
            if (Entry->Size != 1 || !(Entry->Flags & HEAP_ENTRY_BUSY) ||
                ((ULONG_PTR)Next & (HEAP_PAGE_SIZE - 1)) != 0 ||
                ((PUCHAR)Next < Segment->LastValidEntry && RtlpHeapIsPageCommitted(Segment, Next)))
                return HEAP_CORRUPTION_BAD_HEADER;
            Entry = (PUCHAR)Next < Segment->LastValidEntry ? RtlpHeapNextRun(Segment, (PUCHAR)Next) : NULL;
            ExpectedPrevious = 0;
            PreviousFree = FALSE;
            continue;
        }
        if ((PUCHAR)Next >= Segment->LastValidEntry || !RtlpHeapIsPageCommitted(Segment, Next))
            return HEAP_CORRUPTION_BAD_HEADER;
        if (Entry->Flags & HEAP_ENTRY_BUSY) {
            if (!(Entry->Flags & HEAP_ENTRY_LOOKASIDE)) {
                if (Entry->UnusedBytes < sizeof(HEAP_ENTRY) ||
                    Entry->UnusedBytes > ((SIZE_T)Entry->Size << HEAP_GRANULARITY_SHIFT))
                    return HEAP_CORRUPTION_BAD_HEADER;
                *Bad = Entry + 1;
                if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckTail(Entry))
                    return HEAP_CORRUPTION_TAIL_OVERWRITTEN;
            }
            PreviousFree = FALSE;
        } else {
            if (Entry->Size < HEAP_MIN_BLOCK_UNITS)
                return HEAP_CORRUPTION_BAD_HEADER;
            if (PreviousFree && !(Heap->Flags & HEAP_DISABLE_COALESCE_ON_FREE) &&
                (SIZE_T)ExpectedPrevious + Entry->Size <= HEAP_MAX_FREE_UNITS)
                return HEAP_CORRUPTION_FREE_LIST;   /* two free neighbours left unmerged */
            *Bad = Entry + 1;
            if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckFreeFill(Entry))
                return HEAP_CORRUPTION_FREE_MODIFIED;
            *FreeUnits += Entry->Size;
            (*FreeCount)++;
            PreviousFree = TRUE;
        }
        ExpectedPrevious = Entry->Size;
        Entry = Next;
    }
    return 0;
}

/* Checks that the free lists hold exactly the free blocks the segments have. */
static ULONG RtlpHeapValidateFreeLists(PHEAP Heap, SIZE_T FreeUnits, SIZE_T FreeCount, PVOID *Bad)
{
    SIZE_T ListUnits = 0, ListCount = 0;
    ULONG HintsSeen = 0;
    for (ULONG i = 0; i < HEAP_FREE_LISTS; i++) {
        PLIST_ENTRY Head = &Heap->FreeLists[i];
        USHORT Previous = 0;
        BOOLEAN InUse = (Heap->FreeListsInUse[i >> 5] >> (i & 31)) & 1;
        *Bad = Head;
        if (i != 0 && InUse == IsListEmpty(Head))
            return HEAP_CORRUPTION_FREE_LIST;
        for (PLIST_ENTRY Link = Head->Flink; Link != Head; Link = Link->Flink) {
            PHEAP_FREE_ENTRY Free = CONTAINING_RECORD(Link, HEAP_FREE_ENTRY, FreeList);
            ULONG Index;
            *Bad = Free;
            if (++ListCount > FreeCount || RtlpHeapFindSegment(Heap, Free, &Index) == NULL ||
                !RtlpHeapEntryIntact(Heap, &Free->Entry) || (Free->Entry.Flags & HEAP_ENTRY_BUSY) ||
                Link->Flink->Blink != Link || Link->Blink->Flink != Link ||
                (i != 0 && Free->Entry.Size != i) ||
                (i == 0 && (Free->Entry.Size < HEAP_FREE_LISTS || Free->Entry.Size < Previous)))
                return HEAP_CORRUPTION_FREE_LIST;
            /* In FreeLists[0], each class's first block is its hint. */
            if (i == 0) {
                ULONG Class = RtlpHeapFreeHintClass(Free->Entry.Size);
                BOOLEAN First = Previous == 0 || RtlpHeapFreeHintClass(Previous) != Class;
                if (First != (Heap->FreeHints[Class] == Free))
                    return HEAP_CORRUPTION_FREE_LIST;
                HintsSeen |= First ? 1u << Class : 0;
            }
            Previous = Free->Entry.Size;
            ListUnits += Free->Entry.Size;
        }
    }
    *Bad = Heap->FreeHints;
    if (HintsSeen != Heap->FreeHintsInUse)
        return HEAP_CORRUPTION_FREE_LIST;
    for (ULONG c = 0; c < HEAP_FREE_HINTS; c++)
        if (((HintsSeen >> c) & 1) != (Heap->FreeHints[c] != NULL))
            return HEAP_CORRUPTION_FREE_LIST;
    *Bad = Heap;
    if (ListCount != FreeCount || ListUnits != FreeUnits || Heap->TotalFreeSize != FreeUnits)
        return HEAP_CORRUPTION_FREE_LIST;
    return 0;
}

/* The whole-heap check under the lock: 0, or a HEAP_CORRUPTION_* reason with *BadAddress. */
ULONG RtlpHeapValidateLocked(PHEAP Heap, PVOID *BadAddress)
{
    SIZE_T FreeUnits = 0, FreeCount = 0;
    ULONG Reason;

    *BadAddress = Heap;
    if (Heap->Signature != HEAP_SIGNATURE || Heap->Segments[0] != &Heap->Segment0)
        return HEAP_CORRUPTION_BAD_SEGMENT;
    for (ULONG i = 0; i < Heap->SegmentCount; i++) {
        if (Heap->Segments[i] == NULL)
            continue;
        Reason = RtlpHeapValidateSegment(Heap, Heap->Segments[i], i, &FreeUnits, &FreeCount,
                                         BadAddress);
        if (Reason != 0)
            return Reason;
    }
    Reason = RtlpHeapValidateFreeLists(Heap, FreeUnits, FreeCount, BadAddress);
    if (Reason != 0)
        return Reason;
    if (!RtlpHeapFrontValidate(Heap, BadAddress))
        return HEAP_CORRUPTION_LOOKASIDE;
    Reason = RtlpLfhValidate(Heap, BadAddress);
    if (Reason != 0)
        return Reason;
    for (PLIST_ENTRY Link = Heap->VirtualAllocdBlocks.Flink; Link != &Heap->VirtualAllocdBlocks;
         Link = Link->Flink) {
        PHEAP_VIRTUAL_ALLOC_ENTRY Big = CONTAINING_RECORD(Link, HEAP_VIRTUAL_ALLOC_ENTRY, Entry);
        *BadAddress = Big;
        if (Link->Flink->Blink != Link || !RtlpHeapEntryIntact(Heap, &Big->BusyBlock) ||
            Big->BusyBlock.Flags != (HEAP_ENTRY_BUSY | HEAP_ENTRY_VIRTUAL_ALLOC) ||
            Big->CommitSize > Big->ReserveSize ||
            Big->UserSize + sizeof(*Big) > Big->CommitSize)
            return HEAP_CORRUPTION_BAD_HEADER;
    }
    return 0;
}

/* Reports damage noted under the lock (the lock is released now). TRUE if there was some. */
BOOLEAN RtlpHeapReportPending(PHEAP Heap)
{
    ULONG Reason = Heap->PendingCorruption;
    PVOID Address = Heap->PendingCorruptionAddress;
    if (Reason == 0)
        return FALSE;
    Heap->PendingCorruption = 0;
    Heap->PendingCorruptionAddress = NULL;
    RtlpHeapReportCorruption(Heap, Address, Reason);
    return TRUE;
}

/*
 * How an allocating call ends, its lock released: damage found is reported
 * (NULL if that returns); a failure raises STATUS_NO_MEMORY under
 * HEAP_GENERATE_EXCEPTIONS.
 */
PVOID RtlpHeapFinishAllocation(PHEAP Heap, ULONG Flags, PVOID Result)
{
    if (RtlpHeapReportPending(Heap))
        return NULL;
    if (Result == NULL && (Flags & HEAP_GENERATE_EXCEPTIONS))
        RtlpHeapRaiseStatus(STATUS_NO_MEMORY);
    return Result;
}

/* See heap.h. */
BOOLEAN RTL_HEAP_API RtlValidateHeap(PVOID HeapHandle, ULONG Flags, PCVOID BaseAddress)
{
    PHEAP Heap = HeapHandle;
    BOOLEAN Locked, Valid = TRUE;
    PHEAP_ENTRY Entry;
    PVOID Bad;
    ULONG Reason;

    if (Heap == NULL || Heap->Signature != HEAP_SIGNATURE)
        return FALSE;
    Flags |= Heap->ForceFlags;
    Locked = RtlpHeapAcquireLock(Heap, Flags);
    if (BaseAddress == NULL) {
        Reason = RtlpHeapValidateLocked(Heap, &Bad);
        if (Reason != 0)
            RtlpHeapNoteCorruption(Heap, Bad, Reason);
    } else {
        switch (RtlpHeapFindBlock(Heap, BaseAddress, &Entry)) {
        case HEAP_BLOCK_BUSY:
            if ((Entry->Flags & HEAP_ENTRY_FILL_PATTERN) && !RtlpHeapCheckTail(Entry))
                RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_TAIL_OVERWRITTEN);
            break;
        case HEAP_BLOCK_BIG:
            break;
        case HEAP_BLOCK_CORRUPT:
            RtlpHeapNoteCorruption(Heap, BaseAddress, HEAP_CORRUPTION_BAD_HEADER);
            break;
        default:
            /* Free or not ours: FALSE, as Windows says, without ending anything. */
            Valid = FALSE;
            break;
        }
    }
    RtlpHeapReleaseLock(Heap, Locked);
    if (RtlpHeapReportPending(Heap))
        return FALSE;
    return Valid;
}
