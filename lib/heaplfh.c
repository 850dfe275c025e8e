/*
 * heaplfh.c - the low-fragmentation front end (HeapCompatibilityInformation
 * 2), Windows' LFH in outline: requests of up to 4 KB (header included)
 * are rounded up to one of 96 bucket sizes, and each bucket cuts its
 * blocks out of subsegments, back-end blocks it holds busy:
 *
 *   busy back-end block, Flags HEAP_ENTRY_LFH_SUBSEGMENT
 *   | hdr | HEAP_SUBSEGMENT | slot 0 | slot 1 | ... | slot n-1 |
 *                           ^ each slot: HEAP_ENTRY (LFH_SLOT) + data
 *
 * Every slot keeps a sealed header, busy or free, so HeapSize, HeapFree,
 * HeapValidate and HeapWalk see it as a block: Size is the bucket's block
 * size, PreviousSize the distance back to the HEAP_SUBSEGMENT in units
 * (how a free finds its subsegment without a search), SegmentIndex the
 * segment's. Free slots are on their subsegment's LIFO list, linked
 * through their data. A bucket keeps its subsegments on one list with
 * those that have a free slot first, so the head is where the next
 * allocation comes from; a subsegment that becomes wholly free goes back
 * to the back end unless it is its bucket's only room.
 *
 * Why it fragments less than the free lists: a slot is only ever reused
 * whole, by a request of the same bucket, and blocks of one size live
 * together, so a long-lived block never pins a hole that small blocks of
 * other sizes have cut up. Bucket sizes: 8-byte steps up to 256 bytes
 * (32 buckets), then 16 buckets per doubling (steps of 16, 32, 64, 128
 * bytes): at most 1/17 of a block is rounding.
 *
 * Subsegments grow with their bucket's use (a page, then 2, then 4
 * pages' worth of slots, 2 to 1024 slots), as Windows' do; bigger ones
 * cost more memory than they save time (docs/heap.md). Called with
 * the heap lock held.
 */
#include "heaplfh.h"
#include "kstring.h"

#define HEAP_SUBSEGMENT_BYTES RtlpHeapRoundUp(sizeof(HEAP_SUBSEGMENT), HEAP_GRANULARITY)

static USHORT RtlpLfhBucketUnits(ULONG Index)
{
    ULONG Shift;
    if (Index < 32)
        return (USHORT)(Index + 1);
    Shift = (Index >> 4) - 1;
    return (USHORT)(((Index & 15) + 17) << Shift);
}

void RtlpLfhInitialize(PHEAP Heap)
{
    C_ASSERT(HEAP_LFH_BUCKETS == 96 && HEAP_LFH_MAX_UNITS == 512);
    for (ULONG i = 0; i < HEAP_LFH_BUCKETS; i++) {
        InitializeListHead(&Heap->Buckets[i].Subsegments);
        Heap->Buckets[i].BlockUnits = RtlpLfhBucketUnits(i);
        Heap->Buckets[i].SubsegmentCount = 0;
        ASSERT(i < 1 || RtlpLfhBucketIndex(Heap->Buckets[i].BlockUnits) == i);
    }
    Heap->LfhSubsegmentCount = 0;
    Heap->LfhLastUsed = NULL;
}

/* A new subsegment for Bucket from the back end, its slots all free; NULL if none. */
static PHEAP_SUBSEGMENT RtlpLfhCreateSubsegment(PHEAP Heap, PHEAP_LFH_BUCKET Bucket, ULONG Index)
{
    SIZE_T SlotBytes = (SIZE_T)Bucket->BlockUnits << HEAP_GRANULARITY_SHIFT;
    ULONG Growth = Bucket->SubsegmentCount < 2 ? Bucket->SubsegmentCount : 2;
    SIZE_T Count = ((SIZE_T)HEAP_PAGE_SIZE << Growth) / SlotBytes;
    PHEAP_SUBSEGMENT Sub = NULL;
    PHEAP_ENTRY Container = NULL;

    if (Count < HEAP_LFH_MIN_SLOTS)
        Count = HEAP_LFH_MIN_SLOTS;
    if (Count > HEAP_LFH_MAX_SLOTS)
        Count = HEAP_LFH_MAX_SLOTS;
    /* Short of memory, a smaller subsegment is still worth having. */
    for (; Container == NULL && Count >= HEAP_LFH_MIN_SLOTS; Count /= 2) {
        SIZE_T Data = HEAP_SUBSEGMENT_BYTES + Count * SlotBytes;
        Container = RtlpHeapAllocateFromBackEnd(Heap, (USHORT)((Data + sizeof(HEAP_ENTRY)) >>
                                                               HEAP_GRANULARITY_SHIFT));
        if (Container != NULL) {
            RtlpHeapSetBusy(Heap, Container, 0, Data);
            Container->Flags |= HEAP_ENTRY_LFH_SUBSEGMENT;
            RtlpHeapSealEntry(Heap, Container);
            Sub = (PHEAP_SUBSEGMENT)(Container + 1);
            Sub->BlockCount = (USHORT)Count;
        }
        if (Heap->PendingCorruption != 0)
            return NULL;
    }
    if (Sub == NULL)
        return NULL;

    Sub->Signature = HEAP_SUBSEGMENT_SIGNATURE;
    Sub->BlockUnits = Bucket->BlockUnits;
    Sub->FreeCount = Sub->BlockCount;
    Sub->BucketIndex = (UCHAR)Index;
    Sub->Heap = Heap;
    Sub->Bucket = Bucket;
    Sub->FirstSlot = (PUCHAR)Sub + HEAP_SUBSEGMENT_BYTES;
    Sub->EndSlots = Sub->FirstSlot + (SIZE_T)Sub->BlockCount * SlotBytes;
    Sub->FreeList.Next = NULL;
    /* Pushed from the top down, so allocations go up through the subsegment. */
    for (PUCHAR At = Sub->EndSlots; At != Sub->FirstSlot;) {
        PHEAP_ENTRY Slot = (PHEAP_ENTRY)(At -= SlotBytes);
        Slot->Size = Sub->BlockUnits;
        Slot->PreviousSize = (USHORT)((At - (PUCHAR)Sub) >> HEAP_GRANULARITY_SHIFT);
        Slot->Flags = HEAP_ENTRY_LFH_SLOT;
        Slot->UnusedBytes = 0;
        Slot->SegmentIndex = Container->SegmentIndex;
        RtlpHeapSealEntry(Heap, Slot);
        PushEntryList(&Sub->FreeList, (PSINGLE_LIST_ENTRY)(Slot + 1));
    }
    Bucket->SubsegmentCount++;
    Heap->LfhSubsegmentCount++;
    return Sub;
}

/* Gives a wholly free subsegment back to the back end. */
static void RtlpLfhReleaseSubsegment(PHEAP Heap, PHEAP_SUBSEGMENT Sub)
{
    PHEAP_ENTRY Container = (PHEAP_ENTRY)Sub - 1;
    ASSERT(Sub->FreeCount == Sub->BlockCount);
    RemoveEntryList(&Sub->Link);
    if (Heap->LfhLastUsed == Sub)
        Heap->LfhLastUsed = NULL;   /* its memory goes back to the back end */
    Heap->Buckets[Sub->BucketIndex].SubsegmentCount--;
    Heap->LfhSubsegmentCount--;
    Sub->Signature = 0;
    Container->Flags = HEAP_ENTRY_BUSY;
    RtlpHeapFreeToBackEnd(Heap, Container);
}

/*
 * A free slot of the bucket for Units, taken off its list (the header still
 * says free: the caller marks it busy), making a subsegment if the bucket
 * has no room; NULL if there is no memory or the list is damaged (noted).
 */
PHEAP_ENTRY RtlpLfhAllocate(PHEAP Heap, SIZE_T Units)
{
    ULONG Index = RtlpLfhBucketIndex(Units);
    PHEAP_LFH_BUCKET Bucket = &Heap->Buckets[Index];
    PHEAP_SUBSEGMENT Sub;
    PHEAP_ENTRY Slot;

    Sub = CONTAINING_RECORD(Bucket->Subsegments.Flink, HEAP_SUBSEGMENT, Link);
    if (&Sub->Link == &Bucket->Subsegments || Sub->FreeCount == 0) {
        Sub = RtlpLfhCreateSubsegment(Heap, Bucket, Index);
        if (Sub == NULL)
            return NULL;
        InsertHeadList(&Bucket->Subsegments, &Sub->Link);
    }
    Slot = RtlpLfhPop(Bucket, Sub);
    /* The caller reseals the header whole, so check it first (the fast path need not). */
    if (Slot == NULL || !RtlpHeapEntryIntact(Heap, Slot)) {
        RtlpHeapNoteCorruption(Heap, Slot ? (PVOID)Slot : (PVOID)Sub, HEAP_CORRUPTION_LFH);
        return NULL;
    }
    return Slot;
}

/*
 * After a free (RtlpLfhFreeSlot) that gave Sub its first free slot, or left
 * it wholly free and not its bucket's only room (RtlpLfhKeepWhollyFree):
 * one with room goes to the front, where allocations look; one not kept
 * goes back to the back end.
 */
void RtlpLfhRebalance(PHEAP Heap, PHEAP_SUBSEGMENT Sub)
{
    PHEAP_LFH_BUCKET Bucket = Sub->Bucket;
    if (Sub->FreeCount == 1) {
        RemoveEntryList(&Sub->Link);
        InsertHeadList(&Bucket->Subsegments, &Sub->Link);
    }
    if (Sub->FreeCount == Sub->BlockCount && !RtlpLfhKeepWhollyFree(Heap, Sub))
        RtlpLfhReleaseSubsegment(Heap, Sub);
}

/*
 * Resizes a busy slot in place: it cannot grow past its slot; it shrinks in
 * place only with HEAP_REALLOC_IN_PLACE_ONLY or within its bucket (a much
 * smaller block is better off in a smaller bucket, so it moves).
 */
BOOLEAN RtlpLfhReAllocateInPlace(PHEAP Heap, ULONG Flags, PHEAP_ENTRY Slot, SIZE_T Size)
{
    SIZE_T Units = RtlpHeapUnitsForSize(0, Size);
    SIZE_T OldSize = RtlpHeapUserSize(Slot);
    if (Units > Slot->Size)
        return FALSE;
    if (!(Flags & HEAP_REALLOC_IN_PLACE_ONLY) &&
        RtlpLfhBucketIndex(Units) != RtlpLfhSubsegmentOf(Slot)->BucketIndex)
        return FALSE;
    RtlpHeapSetBusy(Heap, Slot, 0, Size);
    if (Size > OldSize && (Flags & HEAP_ZERO_MEMORY))
        memset((PUCHAR)(Slot + 1) + OldSize, 0, Size - OldSize);
    return TRUE;
}

/* Gives every wholly free subsegment back (HeapCompact, a failing allocation). */
void RtlpLfhCompact(PHEAP Heap)
{
    if (Heap->LfhSubsegmentCount == 0)
        return;
    for (ULONG i = 0; i < HEAP_LFH_BUCKETS; i++) {
        PLIST_ENTRY Head = &Heap->Buckets[i].Subsegments, Link = Head->Flink;
        while (Link != Head) {
            PHEAP_SUBSEGMENT Sub = CONTAINING_RECORD(Link, HEAP_SUBSEGMENT, Link);
            Link = Link->Flink;
            if (Sub->FreeCount == Sub->BlockCount)
                RtlpLfhReleaseSubsegment(Heap, Sub);
        }
    }
}

/* One subsegment: descriptor, every slot header, the free list. 0 or a reason. */
static ULONG RtlpLfhValidateSubsegment(PHEAP Heap, PHEAP_SUBSEGMENT Sub, ULONG Index, PVOID *Bad)
{
    PHEAP_ENTRY Container = (PHEAP_ENTRY)Sub - 1;
    SIZE_T SlotBytes = (SIZE_T)Sub->BlockUnits << HEAP_GRANULARITY_SHIFT;
    ULONG Free = 0, Listed = 0;
    ULONG Index2;

    *Bad = Sub;
    if (RtlpHeapFindSegment(Heap, Container, &Index2) == NULL ||
        Sub->Signature != HEAP_SUBSEGMENT_SIGNATURE || Sub->Heap != Heap ||
        Sub->BucketIndex != Index || Sub->Bucket != &Heap->Buckets[Index] || Sub->BlockUnits != Heap->Buckets[Index].BlockUnits ||
        !RtlpHeapEntryIntact(Heap, Container) ||
        Container->Flags != (HEAP_ENTRY_BUSY | HEAP_ENTRY_LFH_SUBSEGMENT) ||
        Sub->FirstSlot != (PUCHAR)Sub + HEAP_SUBSEGMENT_BYTES ||
        Sub->EndSlots != Sub->FirstSlot + (SIZE_T)Sub->BlockCount * SlotBytes ||
        Sub->EndSlots > (PUCHAR)RtlpHeapNextEntry(Container) || Sub->FreeCount > Sub->BlockCount)
        return HEAP_CORRUPTION_LFH;
    for (PUCHAR At = Sub->FirstSlot; At < Sub->EndSlots; At += SlotBytes) {
        PHEAP_ENTRY Slot = (PHEAP_ENTRY)At;
        *Bad = Slot;
        if (!RtlpHeapEntryIntact(Heap, Slot) || Slot->Size != Sub->BlockUnits ||
            RtlpLfhSubsegmentOf(Slot) != Sub || Slot->SegmentIndex != Container->SegmentIndex ||
            (Slot->Flags & ~(HEAP_ENTRY_BUSY | HEAP_ENTRY_FILL_PATTERN)) != HEAP_ENTRY_LFH_SLOT)
            return HEAP_CORRUPTION_BAD_HEADER;
        if (!(Slot->Flags & HEAP_ENTRY_BUSY))
            Free++;
        else if (RtlpHeapUnusedBytes(Slot) < sizeof(HEAP_ENTRY) || RtlpHeapUnusedBytes(Slot) > SlotBytes)
            return HEAP_CORRUPTION_BAD_HEADER;
    }
    for (PSINGLE_LIST_ENTRY Link = Sub->FreeList.Next; Link != NULL; Link = Link->Next) {
        PHEAP_ENTRY Slot = (PHEAP_ENTRY)Link - 1;
        *Bad = Link;
        /* Follow a link only once it is known to point at a free slot of this subsegment. */
        if ((PUCHAR)Slot < Sub->FirstSlot || (PUCHAR)Slot >= Sub->EndSlots ||
            (SIZE_T)((PUCHAR)Slot - Sub->FirstSlot) % SlotBytes != 0 ||
            (Slot->Flags & HEAP_ENTRY_BUSY) || ++Listed > Free)
            return HEAP_CORRUPTION_LFH;
    }
    *Bad = Sub;
    return (Listed == Free && Free == Sub->FreeCount) ? 0 : HEAP_CORRUPTION_LFH;
}

/* Every bucket: its subsegments, those with room before the full ones. 0 or a reason. */
ULONG RtlpLfhValidate(PHEAP Heap, PVOID *BadAddress)
{
    ULONG Total = 0;
    for (ULONG i = 0; i < HEAP_LFH_BUCKETS; i++) {
        PHEAP_LFH_BUCKET Bucket = &Heap->Buckets[i];
        ULONG Count = 0;
        BOOLEAN SeenFull = FALSE;
        for (PLIST_ENTRY Link = Bucket->Subsegments.Flink; Link != &Bucket->Subsegments;
             Link = Link->Flink) {
            PHEAP_SUBSEGMENT Sub = CONTAINING_RECORD(Link, HEAP_SUBSEGMENT, Link);
            ULONG Reason;
            *BadAddress = Link;
            if (Link->Flink->Blink != Link || ++Count > Bucket->SubsegmentCount)
                return HEAP_CORRUPTION_LFH;
            Reason = RtlpLfhValidateSubsegment(Heap, Sub, i, BadAddress);
            if (Reason != 0)
                return Reason;
            if (Sub->FreeCount != 0 && SeenFull)
                return HEAP_CORRUPTION_LFH;
            SeenFull |= (Sub->FreeCount == 0);
        }
        *BadAddress = Bucket;
        if (Count != Bucket->SubsegmentCount)
            return HEAP_CORRUPTION_LFH;
        Total += Count;
    }
    *BadAddress = Heap;
    return Total == Heap->LfhSubsegmentCount ? 0 : HEAP_CORRUPTION_LFH;
}

/*
 * For the walk (heapwalk.c): the bytes of a subsegment's container that
 * belong to no slot (its header and the descriptor before the first slot,
 * the slack after the last), counted in those two slots' overhead so that
 * the walk's entries still add up to the segment.
 */
SIZE_T RtlpLfhSlotExtraOverhead(PHEAP_ENTRY Slot)
{
    PHEAP_SUBSEGMENT Sub = RtlpLfhSubsegmentOf(Slot);
    PHEAP_ENTRY Container = (PHEAP_ENTRY)Sub - 1;
    SIZE_T Extra = 0;
    if ((PUCHAR)Slot == Sub->FirstSlot)
        Extra += (SIZE_T)(Sub->FirstSlot - (PUCHAR)Container);
    if ((PUCHAR)RtlpHeapNextEntry(Slot) == Sub->EndSlots)
        Extra += (SIZE_T)((PUCHAR)RtlpHeapNextEntry(Container) - Sub->EndSlots);
    return Extra;
}
