/*
 * heapseg.c - heap segments: one reservation each, committed on demand as
 * the heap grows and decommitted again when enough of it is free. NT's
 * counterparts are RtlpInitializeHeapSegment, RtlpExtendHeap,
 * RtlpFindAndCommitPages and RtlpDeCommitFreeBlock.
 *
 * A segment's committed pages form runs separated by uncommitted holes:
 *
 *   | header+bitmap | blocks ... |S| hole | blocks ... |S| hole ... |
 *   ^ BaseAddress                 ^ sentinel: 1 busy unit, LAST_ENTRY
 *
 * The bitmap (one bit a page, after the segment descriptor) is the truth
 * about what is committed; the sentinel at the end of each run lets the
 * block before a hole be found (sentinel - PreviousSize) without touching
 * the hole; the first block after a hole has PreviousSize 0. Committing
 * always starts at a hole's first page, so the new pages merge with the
 * run before; if they reach the next run, they merge with it too.
 *
 * A heap on caller memory (HeapBase) commits through its CommitRoutine if
 * it has one, and then never decommits: NT's RtlpDeCommitFreeBlock puts
 * such a heap's free pages back on the free lists instead, as there is no
 * caller's routine to undo a commit with. Its first segment is the
 * caller's and is never released. Called with the heap lock held.
 */
#include "heapp.h"
#include "kstring.h"

static SIZE_T RtlpHeapBitmapBytes(SIZE_T Reserved)
{
    SIZE_T Pages = Reserved / HEAP_PAGE_SIZE;
    return ((Pages + 31) / 32) * sizeof(ULONG);
}

static SIZE_T RtlpHeapDescriptorBytes(BOOLEAN First)
{
    return RtlpHeapRoundUp(First ? sizeof(HEAP) : sizeof(HEAP_SEGMENT), HEAP_GRANULARITY);
}

/* Bytes at the start of a segment before its first block: descriptor(s) and bitmap. */
SIZE_T RtlpHeapSegmentHeaderBytes(SIZE_T Reserved, BOOLEAN First)
{
    return RtlpHeapRoundUp(RtlpHeapDescriptorBytes(First) + RtlpHeapBitmapBytes(Reserved),
                           HEAP_GRANULARITY);
}

static void RtlpHeapMarkPages(PHEAP_SEGMENT Segment, ULONG First, ULONG Count, BOOLEAN Committed)
{
    for (ULONG Page = First; Page < First + Count; Page++) {
        if (Committed)
            Segment->CommitBitmap[Page >> 5] |= 1u << (Page & 31);
        else
            Segment->CommitBitmap[Page >> 5] &= ~(1u << (Page & 31));
    }
    if (Committed)
        Segment->NumberOfUnCommittedPages -= Count;
    else
        Segment->NumberOfUnCommittedPages += Count;
}

static BOOLEAN RtlpHeapPageBit(const HEAP_SEGMENT *Segment, ULONG Page)
{
    return (Segment->CommitBitmap[Page >> 5] >> (Page & 31)) & 1;
}

static void RtlpHeapWriteSentinel(PHEAP Heap, UCHAR SegmentIndex, PUCHAR Address)
{
    PHEAP_ENTRY Sentinel = (PHEAP_ENTRY)Address;
    Sentinel->Size = 1;
    Sentinel->PreviousSize = 0;
    Sentinel->Flags = HEAP_ENTRY_BUSY | HEAP_ENTRY_LAST_ENTRY;
    Sentinel->UnusedBytes = HEAP_GRANULARITY;
    Sentinel->SegmentIndex = SegmentIndex;
    RtlpHeapSealEntry(Heap, Sentinel);
}

/*
 * Sets up Segment over a reservation at Base whose first Committed bytes
 * are committed, and puts its space on the free lists. HeaderBytes is
 * RtlpHeapSegmentHeaderBytes(Reserved, ...). STATUS_SUCCESS always; the
 * caller has checked Committed holds the header and one block.
 */
NTSTATUS RtlpHeapInitializeSegment(PHEAP Heap, PHEAP_SEGMENT Segment, UCHAR Index, PUCHAR Base,
                                   SIZE_T Reserved, SIZE_T Committed, SIZE_T HeaderBytes)
{
    BOOLEAN First = (Segment == &Heap->Segment0);
    PUCHAR Sentinel = Base + Committed - HEAP_GRANULARITY;

    ASSERT(Committed % HEAP_PAGE_SIZE == 0 && Reserved % HEAP_PAGE_SIZE == 0);
    ASSERT(Committed >= HeaderBytes + ((SIZE_T)HEAP_MIN_BLOCK_UNITS + 1) * HEAP_GRANULARITY);
    Segment->Signature = HEAP_SEGMENT_SIGNATURE;
    Segment->SegmentIndex = Index;
    Segment->Heap = Heap;
    Segment->BaseAddress = Base;
    Segment->ReservedSize = Reserved;
    Segment->NumberOfPages = (ULONG)(Reserved / HEAP_PAGE_SIZE);
    Segment->NumberOfUnCommittedPages = Segment->NumberOfPages;
    Segment->LastValidEntry = Base + Reserved;
    Segment->CommitBitmap = (PULONG)(Base + RtlpHeapDescriptorBytes(First));
    Segment->SegmentFlags = 0;
    Segment->FirstEntry = (PHEAP_ENTRY)(Base + HeaderBytes);
    memset(Segment->CommitBitmap, 0, RtlpHeapBitmapBytes(Reserved));
    RtlpHeapMarkPages(Segment, 0, (ULONG)(Committed / HEAP_PAGE_SIZE), TRUE);

    Heap->Segments[Index] = Segment;
    if (Index >= Heap->SegmentCount)
        Heap->SegmentCount = Index + 1;
    RtlpHeapWriteSentinel(Heap, Index, Sentinel);
    RtlpHeapCarveFreeRange(Heap, Index, (PUCHAR)Segment->FirstEntry, Sentinel, 0);
    return STATUS_SUCCESS;
}

/* The first block of the first committed run at or after Address (page aligned), or NULL. */
PHEAP_ENTRY RtlpHeapNextRun(PHEAP_SEGMENT Segment, PUCHAR Address)
{
    ULONG Page = (ULONG)((Address - Segment->BaseAddress) / HEAP_PAGE_SIZE);
    for (; Page < Segment->NumberOfPages; Page++) {
        if ((Page & 31) == 0 && Segment->CommitBitmap[Page >> 5] == 0) {
            Page += 31;     /* a whole word of uncommitted pages */
            continue;
        }
        if (RtlpHeapPageBit(Segment, Page))
            return (PHEAP_ENTRY)(Segment->BaseAddress + (SIZE_T)Page * HEAP_PAGE_SIZE);
    }
    return NULL;
}

/*
 * Commits [Address, Address + Size) (pages) of the heap based at HeapBase:
 * through CommitRoutine(HeapBase, &Address, &Size) if the heap has one, as
 * NT's RtlpFindAndCommitPages does, else MEM_COMMIT with Protect.
 */
NTSTATUS RtlpHeapCommitPages(PVOID HeapBase, PRTL_HEAP_COMMIT_ROUTINE CommitRoutine,
                             ULONG Protect, PVOID Address, SIZE_T Size)
{
    ASSERT(((ULONG_PTR)Address & (HEAP_PAGE_SIZE - 1)) == 0 && Size % HEAP_PAGE_SIZE == 0);
    if (CommitRoutine != NULL)
        return CommitRoutine(HeapBase, &Address, &Size);
    return RtlpHeapAllocateVirtual(&Address, &Size, MEM_COMMIT, Protect);
}

/* Commits Pages at the start of the hole [HoleStart, HoleEnd) (page numbers) and frees them. */
static BOOLEAN RtlpHeapCommitHole(PHEAP Heap, PHEAP_SEGMENT Segment, ULONG HoleStart,
                                  ULONG HoleEnd, ULONG Pages)
{
    PUCHAR Base = Segment->BaseAddress + (SIZE_T)HoleStart * HEAP_PAGE_SIZE;
    PHEAP_ENTRY Sentinel = (PHEAP_ENTRY)(Base - HEAP_GRANULARITY);
    PUCHAR End;

    if (!NT_SUCCESS(RtlpHeapCommitPages(Heap, Heap->CommitRoutine, Heap->Protect, Base,
                                        (SIZE_T)Pages * HEAP_PAGE_SIZE)))
        return FALSE;
    RtlpHeapMarkPages(Segment, HoleStart, Pages, TRUE);
    ASSERT(Sentinel->Flags & HEAP_ENTRY_LAST_ENTRY);
    if (HoleStart + Pages < HoleEnd || HoleEnd == Segment->NumberOfPages) {
        End = Base + (SIZE_T)Pages * HEAP_PAGE_SIZE - HEAP_GRANULARITY;
        RtlpHeapWriteSentinel(Heap, Segment->SegmentIndex, End);
    } else {
        End = Base + (SIZE_T)Pages * HEAP_PAGE_SIZE;   /* joins the next run's first block */
    }
    /* The old sentinel's unit becomes free space too. */
    RtlpHeapCoalesceRange(Heap, Segment, (PUCHAR)Sentinel, End, Sentinel->PreviousSize, FALSE);
    return TRUE;
}

/* Finds a hole of at least Pages pages in Segment and commits it (up to Want pages). */
static BOOLEAN RtlpHeapCommitInSegment(PHEAP Heap, PHEAP_SEGMENT Segment, ULONG Pages, ULONG Want)
{
    ULONG Page = 1;     /* page 0 holds the descriptor: always committed */
    if (Segment->NumberOfUnCommittedPages < Pages)
        return FALSE;
    while (Page < Segment->NumberOfPages) {
        ULONG HoleStart, HoleEnd;
        if (RtlpHeapPageBit(Segment, Page)) {
            Page++;
            continue;
        }
        HoleStart = Page;
        while (Page < Segment->NumberOfPages && !RtlpHeapPageBit(Segment, Page))
            Page++;
        HoleEnd = Page;
        if (HoleEnd - HoleStart >= Pages) {
            ULONG Count = Want < HoleEnd - HoleStart ? Want : HoleEnd - HoleStart;
            return RtlpHeapCommitHole(Heap, Segment, HoleStart, HoleEnd, Count);
        }
    }
    return FALSE;
}

/* Reserves and sets up another segment able to hold a block of Bytes. */
static BOOLEAN RtlpHeapAddSegment(PHEAP Heap, SIZE_T Bytes)
{
    PVOID Base = NULL;
    SIZE_T Reserve, Commit, Header, Size;
    ULONG Index;

    for (Index = 1; Index < HEAP_MAXIMUM_SEGMENTS && Heap->Segments[Index] != NULL; Index++)
        ;
    if (Index == HEAP_MAXIMUM_SEGMENTS)
        return FALSE;
    Reserve = RtlpHeapRoundUp(Bytes + 3 * HEAP_PAGE_SIZE, HEAP_ALLOCATION_GRANULARITY);
    if (Reserve < Heap->SegmentReserve)
        Reserve = Heap->SegmentReserve;
    Header = RtlpHeapSegmentHeaderBytes(Reserve, FALSE);
    Commit = RtlpHeapRoundUp(Header + Bytes + 2 * HEAP_GRANULARITY, HEAP_PAGE_SIZE);
    if (Commit < Heap->SegmentCommit)
        Commit = Heap->SegmentCommit;
    if (Commit > Reserve)
        Commit = Reserve;

    Size = Reserve;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &Size, MEM_RESERVE, Heap->Protect)))
        return FALSE;
    Size = Commit;
    if (!NT_SUCCESS(RtlpHeapAllocateVirtual(&Base, &Size, MEM_COMMIT, Heap->Protect))) {
        Size = 0;
        RtlpHeapFreeVirtual(&Base, &Size, MEM_RELEASE);
        return FALSE;
    }
    RtlpHeapInitializeSegment(Heap, (PHEAP_SEGMENT)Base, (UCHAR)Index, Base, Reserve, Commit, Header);
    /* Each new segment reserves twice the last, as NT's heap grows, up to 16 MB. */
    if (Heap->SegmentReserve < 16 * 1024 * 1024)
        Heap->SegmentReserve *= 2;
    return TRUE;
}

/*
 * Makes room for a block of Units: commits pages in a hole of some segment,
 * or, in a growable heap, adds a segment. FALSE when the heap is full.
 */
BOOLEAN RtlpHeapExtend(PHEAP Heap, USHORT Units)
{
    SIZE_T Bytes = (SIZE_T)Units << HEAP_GRANULARITY_SHIFT;
    ULONG Pages = (ULONG)((Bytes + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE);
    ULONG Want = (ULONG)(Heap->SegmentCommit / HEAP_PAGE_SIZE);

    /*
     * Committing again what a free decommitted since the last commit is
     * churn: two system calls and fresh zero pages for memory the program
     * keeps wanting. Each time, the heap keeps twice as much free space
     * committed before it decommits, up to 64 times NT's 64 KB (4 MB; 1 MB
     * still churned on the host's trace replay, warm replays 2-4 times
     * slower, for the same peak commit); HeapCompact brings it back down.
     * (glibc's trim threshold adapts the same way, up to 32 MB.)
     */
    if (Heap->DecommittedSinceExtend) {
        Heap->DecommittedSinceExtend = FALSE;
        if (Heap->DeCommitTotalFreeThreshold < 64 * Heap->DeCommitTotalFreeBase)
            Heap->DeCommitTotalFreeThreshold *= 2;
    }

    if (Want < Pages)
        Want = Pages;
    for (ULONG i = 0; i < Heap->SegmentCount; i++) {
        PHEAP_SEGMENT Segment = Heap->Segments[i];
        if (Segment != NULL && RtlpHeapCommitInSegment(Heap, Segment, Pages, Want))
            return TRUE;
    }
    if (!(Heap->Flags & HEAP_GROWABLE))
        return FALSE;
    return RtlpHeapAddSegment(Heap, Bytes);
}

/*
 * Decommits the whole pages inside the free range [Start, End) (off the
 * lists; End holds a block, merged in if it is free) and puts what is left
 * on the free lists. The run before the new hole gets a sentinel; the block
 * after it starts a run. Returns TRUE if pages went; either way the range
 * is on the free lists afterwards. *Resume (optional) gets the first block
 * after the range that is still committed, or NULL at the segment's end.
 */
BOOLEAN RtlpHeapDecommitRange(PHEAP Heap, PHEAP_SEGMENT Segment, PUCHAR Start, PUCHAR End,
                              USHORT PreviousUnits, PHEAP_ENTRY *Resume)
{
    const SIZE_T MinBytes = (SIZE_T)HEAP_MIN_BLOCK_UNITS << HEAP_GRANULARITY_SHIFT;
    PHEAP_ENTRY EndEntry = (PHEAP_ENTRY)End;
    BOOLEAN RunStart = PreviousUnits == 0 && ((ULONG_PTR)Start & (HEAP_PAGE_SIZE - 1)) == 0 &&
                       Start != (PUCHAR)Segment->FirstEntry;
    BOOLEAN EndIsSentinel;
    PUCHAR P0, P1;
    PVOID Address;
    SIZE_T Size;

    /* Free blocks after the range (the rest of an over-long free area) join it. */
    while (!(EndEntry->Flags & HEAP_ENTRY_BUSY)) {
        RtlpHeapRemoveFreeBlock(Heap, (PHEAP_FREE_ENTRY)EndEntry);
        End = (PUCHAR)RtlpHeapNextEntry(EndEntry);
        EndEntry = (PHEAP_ENTRY)End;
    }
    EndIsSentinel = (EndEntry->Flags & HEAP_ENTRY_LAST_ENTRY) != 0;
    if (Resume != NULL)
        *Resume = EndEntry;
    if (RunStart) {
        P0 = Start;
    } else {
        /* Keep room for a sentinel, and for a free block if any bytes stay before it. */
        P0 = (PUCHAR)RtlpHeapRoundUp((ULONG_PTR)Start + HEAP_GRANULARITY, HEAP_PAGE_SIZE);
        if ((SIZE_T)(P0 - HEAP_GRANULARITY - Start) != 0 &&
            (SIZE_T)(P0 - HEAP_GRANULARITY - Start) < MinBytes)
            P0 += HEAP_PAGE_SIZE;
    }
    if (EndIsSentinel) {
        P1 = End + HEAP_GRANULARITY;     /* the run's end: the sentinel goes too */
        ASSERT(((ULONG_PTR)P1 & (HEAP_PAGE_SIZE - 1)) == 0);
    } else {
        P1 = (PUCHAR)((ULONG_PTR)End & ~(ULONG_PTR)(HEAP_PAGE_SIZE - 1));
        if ((SIZE_T)(End - P1) != 0 && (SIZE_T)(End - P1) < MinBytes)
            P1 -= HEAP_PAGE_SIZE;
    }
    Address = P0;
    Size = (SIZE_T)(P1 - P0);
    if (P1 <= P0 || Heap->CommitRoutine != NULL ||
        !NT_SUCCESS(RtlpHeapFreeVirtual(&Address, &Size, MEM_DECOMMIT))) {
        RtlpHeapCarveFreeRange(Heap, Segment->SegmentIndex, Start, End, PreviousUnits);
        return FALSE;
    }
    RtlpHeapMarkPages(Segment, (ULONG)((P0 - Segment->BaseAddress) / HEAP_PAGE_SIZE),
                      (ULONG)((SIZE_T)(P1 - P0) / HEAP_PAGE_SIZE), FALSE);
    if (!RunStart) {
        RtlpHeapWriteSentinel(Heap, Segment->SegmentIndex, P0 - HEAP_GRANULARITY);
        RtlpHeapCarveFreeRange(Heap, Segment->SegmentIndex, Start, P0 - HEAP_GRANULARITY,
                               PreviousUnits);
    }
    if (!EndIsSentinel)
        RtlpHeapCarveFreeRange(Heap, Segment->SegmentIndex, P1, End, 0);
    else if (Resume != NULL)
        *Resume = P1 < Segment->LastValidEntry ? RtlpHeapNextRun(Segment, P1) : NULL;
    return TRUE;
}

/*
 * Releases the reservation of every segment the heap reserved itself,
 * segment 0 (which holds the HEAP) last; the caller's memory stays as it
 * is, committed pages included, as NT's RtlpDestroyHeapSegment leaves it.
 */
void RtlpHeapReleaseSegments(PHEAP Heap)
{
    for (ULONG i = Heap->SegmentCount; i-- > 0;) {
        PHEAP_SEGMENT Segment = Heap->Segments[i];
        if (Segment != NULL && !(Segment->SegmentFlags & HEAP_SEGMENT_USER_ALLOCATED)) {
            PVOID Base = Segment->BaseAddress;
            SIZE_T Size = 0;
            /* Segment 0's descriptor is in the region: nothing of it is read after this. */
            RtlpHeapFreeVirtual(&Base, &Size, MEM_RELEASE);
        }
    }
}
