/*
 * heaplist.c - the heap's free lists, and the two ways free space comes to
 * be: carving a range into free blocks, and coalescing a freed range with
 * its free neighbours.
 *
 * NT's classic layout: FreeLists[n] (1 <= n < 128) holds the free blocks of
 * exactly n units, LIFO, with a bitmap of the non-empty lists so a search
 * is a few bit scans; FreeLists[0] holds every bigger block in ascending
 * size, so its first fit is the best fit. Walking that list is what made
 * NT's classic heap slow with many big free blocks (Vista added hints for
 * it); here FreeHints[] points at the first block of each size class in it,
 * with a bitmap of the classes present, so inserting or searching walks one
 * class only. Called with the heap lock held.
 */
#include "heapp.h"
#include "kstring.h"

void RtlpHeapInitializeFreeLists(PHEAP Heap)
{
    for (ULONG i = 0; i < HEAP_FREE_LISTS; i++)
        InitializeListHead(&Heap->FreeLists[i]);
    memset(Heap->FreeListsInUse, 0, sizeof(Heap->FreeListsInUse));
    memset(Heap->FreeHints, 0, sizeof(Heap->FreeHints));
    Heap->FreeHintsInUse = 0;
    Heap->TotalFreeSize = 0;
}

/* The first block of the first non-empty class from Class up, or NULL. */
static inline PHEAP_FREE_ENTRY RtlpHeapFirstHintFrom(PHEAP Heap, ULONG Class)
{
    ULONG Bits = Heap->FreeHintsInUse & (~0u << Class);
    return Bits != 0 ? Heap->FreeHints[__builtin_ctz(Bits)] : NULL;
}

/* Puts a free block (header already written and sealed) on the list of its size. */
void RtlpHeapInsertFreeBlock(PHEAP Heap, PHEAP_FREE_ENTRY Free)
{
    USHORT Units = Free->Entry.Size;
    ASSERT(!(Free->Entry.Flags & HEAP_ENTRY_BUSY) && Units >= HEAP_MIN_BLOCK_UNITS);
    if (Units < HEAP_FREE_LISTS) {
        InsertHeadList(&Heap->FreeLists[Units], &Free->FreeList);
        Heap->FreeListsInUse[Units >> 5] |= 1u << (Units & 31);
    } else {
        ULONG Class = RtlpHeapFreeHintClass(Units);
        PHEAP_FREE_ENTRY Hint = Heap->FreeHints[Class];
        PHEAP_FREE_ENTRY From = Hint != NULL ? Hint : RtlpHeapFirstHintFrom(Heap, Class);
        PLIST_ENTRY Head = &Heap->FreeLists[0];
        PLIST_ENTRY Next = From != NULL ? &From->FreeList : Head;
        /* Only blocks of this class can be smaller: the walk stays in it. */
        while (Next != Head &&
               CONTAINING_RECORD(Next, HEAP_FREE_ENTRY, FreeList)->Entry.Size < Units)
            Next = Next->Flink;
        /* Insert before Next: the list stays sorted by size. */
        InsertTailList(Next, &Free->FreeList);
        if (Hint == NULL || Units <= Hint->Entry.Size) {
            Heap->FreeHints[Class] = Free;
            Heap->FreeHintsInUse |= 1u << Class;
        }
    }
    Heap->TotalFreeSize += Units;
}

/* Takes a free block off its list. */
void RtlpHeapRemoveFreeBlock(PHEAP Heap, PHEAP_FREE_ENTRY Free)
{
    USHORT Units = Free->Entry.Size;
    if (Units >= HEAP_FREE_LISTS) {
        ULONG Class = RtlpHeapFreeHintClass(Units);
        if (Heap->FreeHints[Class] == Free) {
            /* The class's next block, if the one after is still of this class. */
            PLIST_ENTRY Next = Free->FreeList.Flink;
            PHEAP_FREE_ENTRY After = CONTAINING_RECORD(Next, HEAP_FREE_ENTRY, FreeList);
            if (Next != &Heap->FreeLists[0] && RtlpHeapFreeHintClass(After->Entry.Size) == Class) {
                Heap->FreeHints[Class] = After;
            } else {
                Heap->FreeHints[Class] = NULL;
                Heap->FreeHintsInUse &= ~(1u << Class);
            }
        }
    }
    if (RemoveEntryList(&Free->FreeList) && Units < HEAP_FREE_LISTS)
        Heap->FreeListsInUse[Units >> 5] &= ~(1u << (Units & 31));
    ASSERT(Heap->TotalFreeSize >= Units);
    Heap->TotalFreeSize -= Units;
}

/* The smallest free block of at least Units (still on its list), or NULL. */
PHEAP_FREE_ENTRY RtlpHeapFindFreeBlock(PHEAP Heap, USHORT Units)
{
    ULONG Class;
    if (Units < HEAP_FREE_LISTS) {
        ULONG Word = Units >> 5;
        ULONG Bits = Heap->FreeListsInUse[Word] & (~0u << (Units & 31));
        for (;;) {
            if (Bits != 0) {
                ULONG Index = (Word << 5) + (ULONG)__builtin_ctz(Bits);
                return CONTAINING_RECORD(Heap->FreeLists[Index].Flink, HEAP_FREE_ENTRY, FreeList);
            }
            if (++Word == HEAP_FREE_LISTS / 32)
                break;
            Bits = Heap->FreeListsInUse[Word];
        }
        return RtlpHeapFirstHintFrom(Heap, 0);     /* the smallest big block */
    }
    /* In Units' own class, the first big enough; past it, any class's first is. */
    Class = RtlpHeapFreeHintClass(Units);
    for (PHEAP_FREE_ENTRY Free = Heap->FreeHints[Class]; Free != NULL;) {
        PLIST_ENTRY Next = Free->FreeList.Flink;
        if (Free->Entry.Size >= Units)
            return Free;
        if (Next == &Heap->FreeLists[0])
            break;
        Free = CONTAINING_RECORD(Next, HEAP_FREE_ENTRY, FreeList);
        if (RtlpHeapFreeHintClass(Free->Entry.Size) != Class)
            break;
    }
    return Class + 1 < HEAP_FREE_HINTS ? RtlpHeapFirstHintFrom(Heap, Class + 1) : NULL;
}

/*
 * Makes [Start, End) into free blocks on the free lists, the first one
 * following a block of PreviousUnits (0: Start begins a run), and tells the
 * block at End its new PreviousSize. Blocks are at most HEAP_MAX_FREE_UNITS,
 * so a long range becomes several. The range is empty or at least a
 * minimum block; End must hold a block header.
 */
void RtlpHeapCarveFreeRange(PHEAP Heap, UCHAR SegmentIndex, PUCHAR Start, PUCHAR End,
                            USHORT PreviousUnits)
{
    PHEAP_ENTRY Last;
    ASSERT(((ULONG_PTR)(End - Start) & 7) == 0);
    while (Start < End) {
        SIZE_T Units = (SIZE_T)(End - Start) >> HEAP_GRANULARITY_SHIFT;
        SIZE_T Chunk = Units > HEAP_MAX_FREE_UNITS ? HEAP_MAX_FREE_UNITS : Units;
        PHEAP_FREE_ENTRY Free = (PHEAP_FREE_ENTRY)Start;
        /* Leave the last piece big enough to hold its own links. */
        if (Units - Chunk != 0 && Units - Chunk < HEAP_MIN_BLOCK_UNITS)
            Chunk -= HEAP_MIN_BLOCK_UNITS;
        ASSERT(Chunk >= HEAP_MIN_BLOCK_UNITS);
        Free->Entry.Size = (USHORT)Chunk;
        Free->Entry.PreviousSize = PreviousUnits;
        Free->Entry.Flags = (Heap->Flags & HEAP_FREE_CHECKING_ENABLED) ? HEAP_ENTRY_FILL_PATTERN : 0;
        Free->Entry.UnusedBytes = 0;
        Free->Entry.SegmentIndex = SegmentIndex;
        RtlpHeapSealEntry(Heap, &Free->Entry);
        if (Heap->Flags & HEAP_FREE_CHECKING_ENABLED)
            RtlpHeapFillFree(Heap, &Free->Entry);
        RtlpHeapInsertFreeBlock(Heap, Free);
        PreviousUnits = (USHORT)Chunk;
        Start += Chunk << HEAP_GRANULARITY_SHIFT;
    }
    Last = (PHEAP_ENTRY)End;
    Last->PreviousSize = PreviousUnits;
    RtlpHeapSealEntry(Heap, Last);
}

/*
 * Returns [Start, End) (off every list, Start following a block of
 * PreviousUnits) to the free lists, merged with a free block on either
 * side. With AllowDecommit, a result past NT's thresholds (a block of a
 * page or more while the heap holds 64 KB free) gives its inner pages back
 * (the 64 KB rises while the heap churns: RtlpHeapExtend).
 */
void RtlpHeapCoalesceRange(PHEAP Heap, PHEAP_SEGMENT Segment, PUCHAR Start, PUCHAR End,
                           USHORT PreviousUnits, BOOLEAN AllowDecommit)
{
    PHEAP_ENTRY Next = (PHEAP_ENTRY)End;
    SIZE_T Units;

    if (!(Heap->Flags & HEAP_DISABLE_COALESCE_ON_FREE)) {
        if (PreviousUnits != 0) {
            PHEAP_ENTRY Previous =
                (PHEAP_ENTRY)(Start - ((SIZE_T)PreviousUnits << HEAP_GRANULARITY_SHIFT));
            if (!(Previous->Flags & HEAP_ENTRY_BUSY)) {
                RtlpHeapRemoveFreeBlock(Heap, (PHEAP_FREE_ENTRY)Previous);
                Start = (PUCHAR)Previous;
                PreviousUnits = Previous->PreviousSize;
            }
        }
        /*
         * Every free block after it: two can be neighbours when together they
         * are too big for one header, and the range is carved again from its
         * start, so the piece it ends with may now fit with the next one.
         */
        while (!(Next->Flags & HEAP_ENTRY_BUSY)) {
            RtlpHeapRemoveFreeBlock(Heap, (PHEAP_FREE_ENTRY)Next);
            End = (PUCHAR)RtlpHeapNextEntry(Next);
            Next = (PHEAP_ENTRY)End;
        }
    }
    Units = (SIZE_T)(End - Start) >> HEAP_GRANULARITY_SHIFT;
    if (AllowDecommit && Units >= Heap->DeCommitFreeBlockThreshold &&
        Heap->TotalFreeSize + Units >= Heap->DeCommitTotalFreeThreshold) {
        if (RtlpHeapDecommitRange(Heap, Segment, Start, End, PreviousUnits, NULL))
            Heap->DecommittedSinceExtend = TRUE;
        return;
    }
    RtlpHeapCarveFreeRange(Heap, Segment->SegmentIndex, Start, End, PreviousUnits);
}

/*
 * Shrinks the busy block Entry to Units and frees the rest, if the rest is
 * big enough to be a block; otherwise leaves Entry as it is.
 */
void RtlpHeapSplitBlock(PHEAP Heap, PHEAP_ENTRY Entry, USHORT Units, BOOLEAN AllowDecommit)
{
    PUCHAR End = (PUCHAR)RtlpHeapNextEntry(Entry);
    if (Entry->Size - Units < HEAP_MIN_BLOCK_UNITS)
        return;
    Entry->Size = Units;
    RtlpHeapCoalesceRange(Heap, Heap->Segments[Entry->SegmentIndex],
                          (PUCHAR)RtlpHeapNextEntry(Entry), End, Units, AllowDecommit);
}
