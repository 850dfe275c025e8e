/*
 * heaplfh.h - the low-fragmentation front end's inline half: what an
 * allocation or a free that the LFH can serve at once does, so that
 * RtlAllocateHeap and RtlFreeHeap (heapalloc.c) run it without a call.
 * heaplfh.c has the rest (new subsegments, releasing them, validation)
 * and the picture of the layout. Everything here runs under the heap lock.
 */
#ifndef HEAPLFH_H
#define HEAPLFH_H

#include "heapp.h"

/* The largest request the LFH serves: a 4 KB block less its header. */
#define HEAP_LFH_MAX_REQUEST ((HEAP_LFH_MAX_UNITS << HEAP_GRANULARITY_SHIFT) - sizeof(HEAP_ENTRY))

/* The bucket of a block of Units (HEAP_MIN_BLOCK_UNITS .. HEAP_LFH_MAX_UNITS). */
FORCEINLINE ULONG RtlpLfhBucketIndex(SIZE_T Units)
{
    ULONG Shift;
    if (Units <= 32)
        return (ULONG)Units - 1;
    /* Units-1 in [32*2^(s-1), 32*2^s): 16 buckets of 2^s units each. */
    Shift = 27 - (ULONG)__builtin_clz((unsigned)Units - 1);
    return 16 * Shift + (((ULONG)Units - 1) >> Shift);
}

/*
 * Does the subsegment Slot names vouch for it? Slot is a sealed header with
 * HEAP_ENTRY_LFH_SLOT in a committed page of Segment. Nothing is read from
 * the subsegment before its page is known to be committed heap memory.
 */
FORCEINLINE BOOLEAN RtlpLfhVouches(PHEAP Heap, PHEAP_SEGMENT Segment, PHEAP_ENTRY Slot)
{
    PHEAP_SUBSEGMENT Sub = RtlpLfhSubsegmentOf(Slot);
    /* In Slot's own page, Sub is committed: no need to look at the bitmap. */
    return (PUCHAR)Sub > (PUCHAR)Segment->FirstEntry &&
           ((((ULONG_PTR)Sub ^ (ULONG_PTR)Slot) < HEAP_PAGE_SIZE) ||
            RtlpHeapIsPageCommitted(Segment, Sub)) &&
           Sub->Signature == HEAP_SUBSEGMENT_SIGNATURE && Sub->Heap == Heap &&
           Slot->Size == Sub->BlockUnits && (PUCHAR)Slot >= Sub->FirstSlot &&
           (PUCHAR)Slot < Sub->EndSlots;
}

/*
 * Takes the first free slot of Sub (which has FreeCount > 0), or NULL if
 * the list's link does not land on a free slot header of Sub (written
 * after free: the caller reports it). The header still says free; its
 * checksum is not checked here, because marking it busy updates the
 * checksum by the change only (RtlpHeapResealFlags), so damage to it is
 * still caught when the block is freed or validated.
 */
FORCEINLINE PHEAP_ENTRY RtlpLfhPop(PHEAP_LFH_BUCKET Bucket, PHEAP_SUBSEGMENT Sub)
{
    PSINGLE_LIST_ENTRY Link = Sub->FreeList.Next;
    PHEAP_ENTRY Slot = (PHEAP_ENTRY)Link - 1;
    if ((PUCHAR)Slot < Sub->FirstSlot || (PUCHAR)Slot >= Sub->EndSlots ||
        Slot->Flags != HEAP_ENTRY_LFH_SLOT)
        return NULL;
    Sub->FreeList.Next = Link->Next;
    if (--Sub->FreeCount == 0) {
        /* Full: behind every subsegment that still has room. */
        RemoveEntryList(&Sub->Link);
        InsertTailList(&Bucket->Subsegments, &Sub->Link);
    }
    return Slot;
}

/*
 * The allocation the LFH can serve at once: a request the LFH takes, from a
 * bucket whose first subsegment has a free slot. NULL sends the caller down
 * the general path, which also makes subsegments and reports damage.
 */
FORCEINLINE PVOID RtlpLfhTryAllocate(PHEAP Heap, SIZE_T Size)
{
    SIZE_T Units = (Size + sizeof(HEAP_ENTRY) + HEAP_GRANULARITY - 1) >> HEAP_GRANULARITY_SHIFT;
    PHEAP_LFH_BUCKET Bucket;
    PHEAP_SUBSEGMENT Sub;
    PHEAP_ENTRY Slot;

    if (Units < HEAP_MIN_BLOCK_UNITS)
        Units = HEAP_MIN_BLOCK_UNITS;
    Bucket = &Heap->Buckets[RtlpLfhBucketIndex(Units)];
    Sub = CONTAINING_RECORD(Bucket->Subsegments.Flink, HEAP_SUBSEGMENT, Link);
    if (&Sub->Link == &Bucket->Subsegments || Sub->FreeCount == 0)
        return NULL;
    Slot = RtlpLfhPop(Bucket, Sub);
    if (Slot == NULL)
        return NULL;
    /* Bucket rounding is under 1/17 of 4 KB, so the unused count fits its byte. */
    RtlpHeapResealFlags(Slot, HEAP_ENTRY_LFH_SLOT | HEAP_ENTRY_BUSY,
                        (UCHAR)(((SIZE_T)Slot->Size << HEAP_GRANULARITY_SHIFT) - Size));
    Heap->LfhLastUsed = Sub;
    return Slot + 1;
}

void RtlpLfhRebalance(PHEAP Heap, PHEAP_SUBSEGMENT Sub);

/*
 * Sub has just become wholly free: keep it (TRUE) if it is its bucket's
 * only room, since a bucket in use would make another at once; otherwise
 * it goes back to the back end. (Keeping one more in reserve measured no
 * faster on the host's trace replay and held 5% more memory.)
 */
FORCEINLINE BOOLEAN RtlpLfhKeepWhollyFree(PHEAP Heap, PHEAP_SUBSEGMENT Sub)
{
    PLIST_ENTRY Head = &Sub->Bucket->Subsegments, Other;
    if (Heap->FrontEndHeapType != HEAP_FRONT_END_LFH)
        return FALSE;
    if (Sub->Bucket->SubsegmentCount == 1)
        return TRUE;    /* the common case, decided without walking */
    Other = Head->Flink == &Sub->Link ? Sub->Link.Flink : Head->Flink;
    return Other == Head || CONTAINING_RECORD(Other, HEAP_SUBSEGMENT, Link)->FreeCount == 0;
}

/* Frees a busy slot that RtlpLfhVouches for. */
FORCEINLINE void RtlpLfhFreeSlot(PHEAP Heap, PHEAP_ENTRY Slot)
{
    PHEAP_SUBSEGMENT Sub = RtlpLfhSubsegmentOf(Slot);
    RtlpHeapResealFlags(Slot, HEAP_ENTRY_LFH_SLOT, 0);
    PushEntryList(&Sub->FreeList, (PSINGLE_LIST_ENTRY)(Slot + 1));
    /* Room again, or wholly free and not kept: the bucket's list changes (out of line). */
    if (++Sub->FreeCount == 1 ||
        (Sub->FreeCount == Sub->BlockCount && !RtlpLfhKeepWhollyFree(Heap, Sub)))
        RtlpLfhRebalance(Heap, Sub);
}

/*
 * The free the LFH can do at once: BaseAddress is a busy slot of this heap
 * (the checks RtlpHeapFindBlock makes, for this case only). FALSE sends the
 * caller down the general path, which classifies and reports anything else.
 */
FORCEINLINE BOOLEAN RtlpLfhTryFree(PHEAP Heap, PVOID BaseAddress)
{
    PHEAP_ENTRY Slot = (PHEAP_ENTRY)BaseAddress - 1;
    PHEAP_SUBSEGMENT Last = Heap->LfhLastUsed;
    PHEAP_SEGMENT Segment;
    ULONG Index;

    if (((ULONG_PTR)BaseAddress & (HEAP_GRANULARITY - 1)) != 0)
        return FALSE;
    /*
     * Most frees are of a block from the subsegment used last. Inside its
     * slots the memory is committed and the subsegment known to be this
     * heap's, so the proof is shorter: the header must be a sealed busy
     * slot that names this subsegment and has its size.
     */
    if (Last != NULL && (PUCHAR)Slot >= Last->FirstSlot && (PUCHAR)Slot < Last->EndSlots) {
        if (Slot->Flags != (HEAP_ENTRY_LFH_SLOT | HEAP_ENTRY_BUSY) ||
            RtlpLfhSubsegmentOf(Slot) != Last || Slot->Size != Last->BlockUnits ||
            !RtlpHeapEntryIntact(Heap, Slot))
            return FALSE;
        RtlpLfhFreeSlot(Heap, Slot);
        return TRUE;
    }
    Segment = RtlpHeapFindSegment(Heap, Slot, &Index);
    if (Segment == NULL || Slot->Flags != (HEAP_ENTRY_LFH_SLOT | HEAP_ENTRY_BUSY) ||
        Slot->SegmentIndex != Index || !RtlpHeapEntryIntact(Heap, Slot) ||
        !RtlpLfhVouches(Heap, Segment, Slot))
        return FALSE;
    Heap->LfhLastUsed = RtlpLfhSubsegmentOf(Slot);
    RtlpLfhFreeSlot(Heap, Slot);
    return TRUE;
}

#endif /* HEAPLFH_H */
