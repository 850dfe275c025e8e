/*
 * poolblock.c - the pool below its lookaside lists (pool.c has the
 * interface and the fast paths): allocations the lists do not serve, from
 * the free lists, a new page or whole pages, and what a failure does; frees
 * into the free lists; and under those, the free lists of each descriptor,
 * carving a block from a free run or a new page, coalescing a freed block
 * with its free neighbours, emptying the lookaside lists into the free
 * lists. NT counterpart: the body of ExAllocatePoolWithTag and
 * ExFreePoolWithTag below their lookaside lists, ntos/ex/pool.c (x86). The
 * essay at the top of pool.c explains the page and the rules; poolcheck.c
 * checks them.
 *
 * Lock: the pool lock of the descriptor's pool (poolp.h), taken here by
 * the entry points; the static helpers run with it held.
 */
#include "poolp.h"

/* ---- free lists ------------------------------------------------------------- */

static void ExpInsertFreeBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Entry)
{
    ULONG Size = Entry->BlockSize;
    if (Size < POOL_MINIMUM_LISTED_BLOCK)
        return;     /* too small to hold the link: found again by coalescing */
    InsertHeadList(&PoolDesc->ListHeads[Size], ExpFreeLink(Entry));
    PoolDesc->NonEmptyLists[Size >> 5] |= 1u << (Size & 31);
}

static void ExpRemoveFreeBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Entry)
{
    ULONG Size = Entry->BlockSize;
    if (Size < POOL_MINIMUM_LISTED_BLOCK)
        return;
    ExpCheckFreeListEntry(ExpFreeLink(Entry));
    if (RemoveEntryList(ExpFreeLink(Entry)))
        PoolDesc->NonEmptyLists[Size >> 5] &= ~(1u << (Size & 31));
}

/* The smallest non-empty list of at least Units, or 0 if none. */
static ULONG ExpFindFreeList(const POOL_DESCRIPTOR *PoolDesc, ULONG Units)
{
    for (ULONG Word = Units >> 5; Word < POOL_LIST_HEADS / 32; Word++) {
        ULONG Bits = PoolDesc->NonEmptyLists[Word];
        if (Word == Units >> 5)
            Bits &= ~0u << (Units & 31);
        if (Bits)
            return Word * 32 + (ULONG)__builtin_ctz(Bits);
    }
    return 0;
}

/* ---- carving and coalescing --------------------------------------------------- */

static void ExpSetHeader(PPOOL_HEADER Entry, ULONG PreviousSize, ULONG BlockSize, ULONG PoolType,
                         ULONG Tag)
{
    Entry->Ulong1 = 0;
    Entry->PreviousSize = (USHORT)PreviousSize;
    Entry->BlockSize = (USHORT)BlockSize;
    Entry->PoolType = (USHORT)PoolType;
    Entry->PoolTag = Tag;
}

/*
 * Cuts an allocated block of Units out of the free run at Run (RunUnits
 * long, already off the lists, previous block PreviousSize). RunUnits may be
 * a whole new page (512, which no header can hold: it is never written as
 * one block). What is left before and after becomes free blocks.
 */
static PPOOL_HEADER ExpCarveBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Run, ULONG RunUnits,
                                  ULONG PreviousSize, ULONG Units, BOOLEAN CacheAligned, ULONG Tag)
{
    ULONG Lead;
    if (CacheAligned)
        Lead = (ULONG)(((EXP_CACHE_LINE_SIZE - ((ULONG_PTR)(Run + 1) & (EXP_CACHE_LINE_SIZE - 1))) &
                        (EXP_CACHE_LINE_SIZE - 1)) >> POOL_BLOCK_SHIFT);
    else if (ExpUnitInPage(Run) == 0)
        Lead = 0;
    else
        Lead = RunUnits - Units;
    ASSERT(Lead + Units <= RunUnits);
    ULONG Tail = RunUnits - Lead - Units;
    PPOOL_HEADER Entry = ExpBlockAt(Run, (LONG)Lead);
    PPOOL_HEADER End = ExpBlockAt(Run, (LONG)RunUnits);

    if (Lead) {
        ExpSetHeader(Run, PreviousSize, Lead, 0, 0);
        ExpInsertFreeBlock(PoolDesc, Run);
        PreviousSize = Lead;
    }
    ExpSetHeader(Entry, PreviousSize, Units, PoolDesc->PoolType + 1, Tag);
    if (Tail) {
        PPOOL_HEADER Rest = ExpBlockAt(Entry, (LONG)Units);
        ExpSetHeader(Rest, Units, Tail, 0, 0);
        ExpInsertFreeBlock(PoolDesc, Rest);
    }
    if (ExpUnitInPage(End) != 0)
        End->PreviousSize = (USHORT)(Tail ? Tail : Units);
    return Entry;
}

void ExpFreeSmallBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Entry)
{
    PPOOL_HEADER Start = Entry;
    ULONG Units = Entry->BlockSize;
    ULONG PreviousSize = Entry->PreviousSize;

    /* Marked free even when merged away below: a second free of this
     * address then finds PoolType 0 and bugchecks as a double free. */
    Entry->PoolType = 0;
    Entry->PoolIndex = 0;

    PPOOL_HEADER Next = ExpBlockAt(Entry, (LONG)Units);
    if (ExpUnitInPage(Next) != 0 && Next->PoolType == 0) {
        ExpRemoveFreeBlock(PoolDesc, Next);
        Units += Next->BlockSize;
    }
    if (PreviousSize != 0) {
        PPOOL_HEADER Previous = ExpBlockAt(Entry, -(LONG)PreviousSize);
        if (Previous->PoolType == 0) {
            ExpRemoveFreeBlock(PoolDesc, Previous);
            Units += Previous->BlockSize;
            Start = Previous;
            PreviousSize = Previous->PreviousSize;
        }
    }
    if (Units == POOL_PAGE_UNITS) {
        ASSERT(ExpUnitInPage(Start) == 0);
        ExpRemovePoolPage(Start);
        MiFreePoolPages(Start);
        PoolDesc->TotalPages--;
        return;
    }
    ExpSetHeader(Start, PreviousSize, Units, 0, 0);
    PPOOL_HEADER End = ExpBlockAt(Start, (LONG)Units);
    if (ExpUnitInPage(End) != 0)
        End->PreviousSize = (USHORT)Units;
    ExpInsertFreeBlock(PoolDesc, Start);
}

/* Empties the pool's lookaside lists of BaseType into the free lists. */
static void ExpFlushPoolLookasideListsLocked(ULONG BaseType)
{
    PPOOL_DESCRIPTOR PoolDesc = &ExpPoolVector[BaseType];
    for (ULONG Size = 1; Size <= POOL_SMALL_LISTS; Size++) {
        PSLIST_ENTRY Link = InterlockedFlushSList(&ExpPoolLookaside(BaseType, Size)->ListHead);
        while (Link) {
            PSLIST_ENTRY NextLink = Link->Next;
            PPOOL_HEADER Entry = (PPOOL_HEADER)Link - 1;
            ASSERT(Entry->PoolIndex == POOL_INDEX_CACHED && Entry->BlockSize == Size);
            /* Its free checked only the next header (ExFreePoolWithTag). */
            ExpCheckPoolBlockNeighbours(Entry);
            ExpFreeSmallBlock(PoolDesc, Entry);
            Link = NextLink;
        }
    }
}

void ExpFlushPoolLookasideLists(POOL_TYPE PoolType)
{
    ULONG BaseType = PoolType & BASE_POOL_TYPE_MASK;
    ExpInitializePool();
    KIRQL OldIrql = ExpLockPool(BaseType);
    ExpFlushPoolLookasideListsLocked(BaseType);
    ExpUnlockPool(OldIrql);
}

/* A small block of Units (plus slack to align it) from the free lists or
 * a new page, or NULL. Lock held. (The lookaside lists were tried first.) */
static PVOID ExpAllocateSmallBlock(ULONG BaseType, ULONG Units, BOOLEAN CacheAligned, ULONG Tag)
{
    PPOOL_DESCRIPTOR PoolDesc = &ExpPoolVector[BaseType];
    ULONG Needed = CacheAligned ? Units + (EXP_CACHE_LINE_SIZE / POOL_SMALLEST_BLOCK - 1) : Units;

    for (int Attempt = 0; Attempt < 2; Attempt++) {
        ULONG List = ExpFindFreeList(PoolDesc, Needed);
        if (List) {
            PPOOL_HEADER Run = (PPOOL_HEADER)CONTAINING_RECORD(PoolDesc->ListHeads[List].Flink,
                                                               POOL_FREE_BLOCK, ListEntry);
            ASSERT(Run->PoolType == 0 && Run->BlockSize == List);
            ExpRemoveFreeBlock(PoolDesc, Run);
            return ExpCarveBlock(PoolDesc, Run, List, Run->PreviousSize, Units, CacheAligned, Tag) + 1;
        }
        PPOOL_HEADER Page = MiAllocatePoolPages((POOL_TYPE)BaseType, PAGE_SIZE);
        if (Page && !ExpInsertPoolPage(Page, BaseType)) {
            MiFreePoolPages(Page);
            Page = NULL;
        }
        if (Page) {
            PoolDesc->TotalPages++;
            return ExpCarveBlock(PoolDesc, Page, POOL_PAGE_UNITS, 0, Units, CacheAligned, Tag) + 1;
        }
        /* Out of pages: blocks cached by the lookaside lists may free some. */
        ExpFlushPoolLookasideListsLocked(BaseType);
    }
    return NULL;
}

/* ---- below the lookaside lists -------------------------------------------------- */

/* No structured exceptions yet: a raise nobody can catch is what NT does
 * with an unhandled kernel-mode exception. */
static void __attribute__((noreturn)) ExpRaiseStatus(NTSTATUS Status, PVOID Caller)
{
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)Status, (ULONG_PTR)Caller, 0, 0);
}

PVOID ExpAllocatePoolFromPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller)
{
    ULONG Type = (ULONG)PoolType;
    ULONG BaseType = Type & BASE_POOL_TYPE_MASK;
    BOOLEAN CacheAligned = (Type & CACHE_ALIGNED_POOL_TYPE_MASK) != 0;

    /* NT's free build gives a zero-byte request a valid block; the smallest
     * here has 8 usable bytes, so its address is never a page's first byte
     * (which a free would take for a big allocation). */
    ULONG Units = POOL_MINIMUM_BLOCK;
    BOOLEAN Big = NumberOfBytes > POOL_BUDDY_MAX;
    if (!Big && NumberOfBytes > POOL_SMALLEST_BLOCK)
        Units = (ULONG)((NumberOfBytes + POOL_OVERHEAD + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT);
    if (CacheAligned && Units + EXP_CACHE_LINE_SIZE / POOL_SMALLEST_BLOCK - 1 >= POOL_PAGE_UNITS)
        Big = TRUE;     /* pages are cache aligned too */

    KIRQL OldIrql = ExpLockPool(BaseType);
    PVOID P;
    if (Big) {
        P = ExpAllocateBigPool(BaseType, PoolType, NumberOfBytes, Tag);
    } else {
        P = ExpAllocateSmallBlock(BaseType, Units, CacheAligned, Tag);
        if (P)
            ExpInsertPoolTracker(Tag, (SIZE_T)Units << POOL_BLOCK_SHIFT, BaseType);
    }
    if (P)
        ExpInterlockedAdd(&ExpPoolVector[BaseType].RunningAllocs, 1);
    ExpUnlockPool(OldIrql);

    if (P == NULL) {
        if (Type & MUST_SUCCEED_POOL_TYPE_MASK)
            KeBugCheckEx(MUST_SUCCEED_POOL_EMPTY, Big ? NumberOfBytes : PAGE_SIZE,
                         ExpPoolVector[NonPagedPool].TotalPages,
                         ExpPoolVector[NonPagedPool].TotalBigPages, 0);
        if (Type & POOL_RAISE_IF_ALLOCATION_FAILURE)
            ExpRaiseStatus(STATUS_INSUFFICIENT_RESOURCES, Caller);
    }
    return P;
}

void ExpFreePoolToFreeLists(ULONG BaseType, PVOID P)
{
    PPOOL_HEADER Entry = (PPOOL_HEADER)P - 1;
    ExpCheckPoolBlockNeighbours(Entry);
    KIRQL OldIrql = ExpLockPool(BaseType);
    ExpRemovePoolTracker(Entry->PoolTag, (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT, BaseType);
    ExpInterlockedAdd(&ExpPoolVector[BaseType].RunningDeAllocs, 1);
    ExpFreeSmallBlock(&ExpPoolVector[BaseType], Entry);
    ExpUnlockPool(OldIrql);
}
