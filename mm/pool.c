/*
 * pool.c - the executive pool: ExAllocatePool*, ExFreePool*, and the
 * small-block allocator under them. NT counterpart: ntos/ex/pool.c (x86).
 *
 * How the pool works
 * ------------------
 * There are two pools, nonpaged and paged, each with a POOL_DESCRIPTOR. A
 * pool gets whole pages from its environment (MiAllocatePoolPages, which
 * the kernel backs with system PTEs and the host tests with aligned_alloc)
 * and carves them into blocks. Everything is counted in units of 8 bytes:
 * a page is 512 units, and every block starts with an 8-byte POOL_HEADER
 * that holds its own size (BlockSize) and the size of the block before it
 * in the page (PreviousSize, 0 for the first). So from any block both
 * neighbours are one addition away, which is what makes coalescing cheap
 * and what lets a free check that its neighbours agree with it.
 *
 *     page +0                                                     +4096
 *     | hdr | data ...  | hdr | free ...        | hdr | data ...  |
 *       Prev=0 Size=5     Prev=5 Size=9 Type=0    Prev=9 Size=498
 *
 * A free block keeps a LIST_ENTRY after its header and sits on
 * ListHeads[BlockSize] of its descriptor (a bitmap says which of the 512
 * lists are non-empty, so finding the smallest fitting free block is a
 * couple of bit scans). An allocation of n bytes needs (n + 8 + 7) / 8
 * units; it takes the first free block of at least that size, carving from
 * the front when the block starts its page and from the end otherwise (as
 * NT does: a block at the end leaves the free remainder where it was), or a
 * new page when no list has one. A free merges the block with a free
 * neighbour on each side, so no two free blocks are ever adjacent; a block
 * that grows to the whole page gives the page back (MiFreePoolPages).
 *
 * A block is at most 511 units (the header's 9 bits), so the largest small
 * request is 4080 bytes (PAGE_SIZE - 16, NT's POOL_BUDDY_MAX). Larger
 * requests take whole pages and are recorded in the big-page table
 * (poolpage.c): address, tag, pages. They are page aligned and have no
 * header, which is how a free tells them apart: a page-aligned address is
 * never a small block's data.
 *
 * In front of the free lists sit the pool's own lookaside lists, one per
 * block size up to 32 units (256 bytes): a freed small block is pushed on
 * its size's list, still marked allocated so no neighbour coalesces with
 * it, and the next allocation of that size pops it without touching the
 * free lists (NT's per-processor pool lookasides; there is one processor).
 * Their depth adapts like any lookaside list's (lookaside.c).
 *
 * Those two cases, a small allocation that finds a cached block and a
 * small free that finds room, are the pool's fast paths and run without
 * the pool lock, as NT's do: the SLIST is lock-free, the tag and pool
 * counters are updated with interlocked adds, and the block is the
 * caller's alone between the pop or push and the header writes. So the
 * validator (poolcheck.c) is exact only between pool calls, which is when
 * the tests run it. The neighbour check of a free reads the next and
 * previous headers unlocked: on one processor a pool call that interrupts
 * it completes first; with a second processor that read needs the lock.
 *
 * Every allocation and free is counted per tag and pool (pooltag.c), and
 * poolcheck.c can walk every page to check all of the above.
 *
 * Locks: ExpLockPool raises IRQL to DISPATCH_LEVEL (nonpaged) or APC_LEVEL
 * (paged) around every change but the fast paths; see poolp.h for what SMP and a scheduler
 * will need. The checks that may bugcheck on a caller's error run before
 * anything changes, so a test that catches the bugcheck finds the pool as
 * it was. Special pool (Driver Verifier's guard pages, mm/specialpool.c)
 * branches off at the top of ExpAllocatePool and ExFreePoolWithTag.
 */
#include "poolp.h"
#include "rtl.h"

#define EXP_BIG_PAGE_TAG 0x20474942u    /* 'BIG ' in memory: refused as NT refuses it */

POOL_DESCRIPTOR ExpPoolVector[2];
BOOLEAN ExpPoolInitialized;
ULONG ExpPoolFlags;     /* EX_SPECIAL_POOL_ENABLED: mm/specialpool.c sets it */

void ExpInitializeLookasideLists(void);

void ExpInitializePoolOnce(void)
{
    if (ExpPoolInitialized)
        return;
    for (ULONG Base = 0; Base < 2; Base++) {
        PPOOL_DESCRIPTOR PoolDesc = &ExpPoolVector[Base];
        RtlZeroMemory(PoolDesc, sizeof(*PoolDesc));
        PoolDesc->PoolType = (POOL_TYPE)Base;
        for (ULONG i = 0; i < POOL_LIST_HEADS; i++)
            InitializeListHead(&PoolDesc->ListHeads[i]);
    }
    ExpInitializeLookasideLists();
    ExpPoolInitialized = TRUE;
}

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

/* ---- the interface ----------------------------------------------------------- */

/* No structured exceptions yet: a raise nobody can catch is what NT does
 * with an unhandled kernel-mode exception. */
static void __attribute__((noreturn)) ExpRaiseStatus(NTSTATUS Status, PVOID Caller)
{
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)Status, (ULONG_PTR)Caller, 0, 0);
}

/* The lookaside half of an allocation: a cached block of Units, or NULL
 * (counted as an allocation either way, a hit only when found). Lock-free. */
FORCEINLINE PVOID ExpAllocateFromPoolLookaside(ULONG BaseType, ULONG Units, ULONG Tag)
{
    PGENERAL_LOOKASIDE Lookaside = ExpPoolLookaside(BaseType, Units);
    Lookaside->TotalAllocates++;
    PSLIST_ENTRY Link = InterlockedPopEntrySList(&Lookaside->ListHead);
    if (__builtin_expect(Link == NULL, 0))
        return NULL;
    PPOOL_HEADER Entry = (PPOOL_HEADER)Link - 1;
    ASSERT(Entry->PoolIndex == POOL_INDEX_CACHED && Entry->BlockSize == Units);
    Lookaside->AllocateHits++;
    Entry->PoolIndex = 0;
    Entry->PoolTag = Tag;
    ExpInsertPoolTracker(Tag, (SIZE_T)Units << POOL_BLOCK_SHIFT, BaseType);
    ExpInterlockedAdd(&ExpPoolVector[BaseType].RunningAllocs, 1);
    return Entry + 1;
}

/* Everything but a lookaside hit: big and cache-aligned requests, small
 * ones the lookaside lists missed, and what a failure does. The caller's
 * checks are done. */
static PVOID __attribute__((noinline)) ExpAllocatePoolSlow(POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                                                           ULONG Tag, PVOID Caller)
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

/* The caller's checks, then the fast path (a small block from the pool's
 * lookaside lists, NT's order), else the rest. */
FORCEINLINE PVOID ExpAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller)
{
    ULONG Type = (ULONG)PoolType;
    ULONG BaseType = Type & BASE_POOL_TYPE_MASK;
    KIRQL Irql = KeGetCurrentIrql();

    /* Driver Verifier's special pool takes the tags it was asked to watch,
     * first, as NT: its own checks (0xC1) speak for those allocations. */
    if (__builtin_expect(ExpPoolFlags & EX_SPECIAL_POOL_ENABLED, 0) && MmUseSpecialPool(NumberOfBytes, Tag)) {
        PVOID Special = MmAllocateSpecialPool(NumberOfBytes, Tag, PoolType, Caller);
        if (Special)
            return Special;     /* else special pool is full: the pool serves it */
    }
    ExpInitializePool();
    if (Tag == 0)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9B, Type, NumberOfBytes, (ULONG_PTR)Caller);
    if (Tag == EXP_BIG_PAGE_TAG)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9C, Type, NumberOfBytes, (ULONG_PTR)Caller);
    if ((Type & (BASE_POOL_TYPE_MASK | MUST_SUCCEED_POOL_TYPE_MASK)) == DontUseThisType)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9A, Type, NumberOfBytes, Tag);  /* paged must-succeed */
    if (Irql > (BaseType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 0x08, Irql, Type, NumberOfBytes);

    /* Blocks of up to POOL_SMALL_LISTS units with the header, at least
     * POOL_MINIMUM_BLOCK (a zero-byte request too, as the slow path says). */
    if (NumberOfBytes <= (POOL_SMALL_LISTS << POOL_BLOCK_SHIFT) - POOL_OVERHEAD &&
        !(Type & CACHE_ALIGNED_POOL_TYPE_MASK)) {
        ULONG Units = (ULONG)((NumberOfBytes + POOL_OVERHEAD + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT);
        if (Units < POOL_MINIMUM_BLOCK)
            Units = POOL_MINIMUM_BLOCK;
        PVOID P = ExpAllocateFromPoolLookaside(BaseType, Units, Tag);
        if (P)
            return P;
    }
    return ExpAllocatePoolSlow(PoolType, NumberOfBytes, Tag, Caller);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, Tag, __builtin_return_address(0));
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, EXP_DEFAULT_POOL_TAG,
                           __builtin_return_address(0));
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    ULONG Type = (ULONG)PoolType;
    /* No quota to charge until processes exist; only the failure rule. */
    if (Type & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE)
        Type &= ~(ULONG)(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE);
    else
        Type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    return ExpAllocatePool((POOL_TYPE)Type, NumberOfBytes, Tag, __builtin_return_address(0));
}

PVOID ExAllocatePoolWithQuota(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    ULONG Type = (ULONG)PoolType;
    if (Type & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE)
        Type &= ~(ULONG)(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE);
    else
        Type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    return ExpAllocatePool((POOL_TYPE)Type, NumberOfBytes, EXP_DEFAULT_POOL_TAG,
                           __builtin_return_address(0));
}

void ExpCheckFreeCallerSlow(PVOID P, ULONG BaseType, ULONG AllocatorTag, ULONG TagToFree)
{
    ExpCheckFreeCallerFull(P, BaseType, AllocatorTag, TagToFree);
}

/* The lookaside half of a free: caches the block of Units if its list has
 * room (TRUE), counting the free either way. Lock-free; checks done. */
FORCEINLINE BOOLEAN ExpFreeToPoolLookaside(ULONG BaseType, PPOOL_HEADER Entry, ULONG Units)
{
    PGENERAL_LOOKASIDE Lookaside = ExpPoolLookaside(BaseType, Units);
    Lookaside->TotalFrees++;
    if (__builtin_expect(ExQueryDepthSList(&Lookaside->ListHead) >= Lookaside->Depth, 0))
        return FALSE;
    Lookaside->FreeHits++;
    ExpRemovePoolTracker(Entry->PoolTag, (SIZE_T)Units << POOL_BLOCK_SHIFT, BaseType);
    ExpInterlockedAdd(&ExpPoolVector[BaseType].RunningDeAllocs, 1);
    /* Marked before it is pushed: from here a second free is caught. The
     * index was 0 (checked), so an OR of the bit is the whole store. */
    Entry->Ulong1 |= POOL_INDEX_CACHED << POOL_HEADER_INDEX_SHIFT;
    InterlockedPushEntrySList(&Lookaside->ListHead, (PSLIST_ENTRY)(Entry + 1));
    return TRUE;
}

/* A free into the free lists, under the pool lock; checks done. */
static void __attribute__((noinline)) ExpFreeSmallBlockLocked(ULONG BaseType, PPOOL_HEADER Entry)
{
    ExpCheckPoolBlockNeighbours(Entry);
    KIRQL OldIrql = ExpLockPool(BaseType);
    ExpRemovePoolTracker(Entry->PoolTag, (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT, BaseType);
    ExpInterlockedAdd(&ExpPoolVector[BaseType].RunningDeAllocs, 1);
    ExpFreeSmallBlock(&ExpPoolVector[BaseType], Entry);
    ExpUnlockPool(OldIrql);
}

void ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    if ((ExpPoolFlags & EX_SPECIAL_POOL_ENABLED) && MmIsSpecialPoolAddress(P)) {
        MmFreeSpecialPool(P, Tag);
        return;
    }
    ExpInitializePool();
    if (BYTE_OFFSET(P) == 0) {
        ExpFreeBigPool(P, Tag);
        return;
    }

    PPOOL_HEADER Entry = (PPOOL_HEADER)P - 1;
    ULONG PageType = ExpLookupPoolPage(PAGE_ALIGN(P));
    if (PageType == 0)
        KeBugCheckEx(BAD_POOL_CALLER, 0x42, (ULONG_PTR)P, 0, 0);
    /* An allocated block's start (PoolIndex 0) of the page's pool: one
     * compare of the header's type and index bits; else say which. */
    if ((Entry->Ulong1 & POOL_HEADER_TYPE_AND_INDEX) != PageType << POOL_HEADER_TYPE_SHIFT) {
        if (Entry->PoolType == 0 || (Entry->PoolIndex & POOL_INDEX_CACHED))
            KeBugCheckEx(BAD_POOL_CALLER, 0x07, 0, Entry->Ulong1, (ULONG_PTR)P);
        KeBugCheckEx(BAD_POOL_CALLER, 0x99, (ULONG_PTR)P, 0, 0);   /* not a block's start */
    }
    ULONG BaseType = PageType - 1;
    ExpCheckFreeCaller(P, BaseType, Entry->PoolTag, Tag);

    /* A small block goes to its lookaside list if there is room. It stays
     * allocated there and coalesces with nothing, so only the next header
     * is checked now (an overrun of this block, BAD_POOL_HEADER 0x20); the
     * whole neighbour check runs when a block reaches the free lists. */
    ULONG Units = Entry->BlockSize;
    if (Units - 1 < POOL_SMALL_LISTS) {
        ULONG End = ExpUnitInPage(Entry) + Units;
        if (End > POOL_PAGE_UNITS ||
            (End != POOL_PAGE_UNITS && ExpBlockAt(Entry, (LONG)Units)->PreviousSize != Units))
            ExpCheckPoolBlockNeighboursSlow(Entry);
        if (ExpFreeToPoolLookaside(BaseType, Entry, Units))
            return;
    }
    ExpFreeSmallBlockLocked(BaseType, Entry);
}

void ExFreePool(PVOID P)
{
    ExFreePoolWithTag(P, 0);
}

void ExpQueryPoolUsage(POOL_TYPE PoolType, PEXP_POOL_USAGE Usage)
{
    ULONG BaseType = PoolType & BASE_POOL_TYPE_MASK;
    const POOL_DESCRIPTOR *PoolDesc = &ExpPoolVector[BaseType];
    ExpInitializePool();
    Usage->RunningAllocs = PoolDesc->RunningAllocs;
    Usage->RunningDeAllocs = PoolDesc->RunningDeAllocs;
    Usage->TotalPages = PoolDesc->TotalPages;
    Usage->TotalBigPages = PoolDesc->TotalBigPages;
    Usage->BytesInUse = ExpPoolTrackerBytes(BaseType);
    Usage->CachedBlocks = 0;
    for (ULONG Size = 1; Size <= POOL_SMALL_LISTS; Size++)
        Usage->CachedBlocks += ExQueryDepthSList(&ExpPoolLookaside(BaseType, Size)->ListHead);
}
