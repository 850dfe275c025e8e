/*
 * lookaside.c - lookaside lists: per-component caches of fixed-size
 * entries in front of the pool, and the periodic scan that sizes them.
 * NT counterpart: ntos/ex/lookasid.c (and the inline allocate/free of wdm.h).
 *
 * A lookaside list is an SLIST of free entries plus counters. Allocation
 * pops one (a hit) or calls the list's Allocate routine (a miss); free
 * pushes one unless Depth are cached already, else calls Free. Depth is the
 * knob: too low and allocations miss, too high and idle lists hoard memory.
 * So NT ignores the caller's Depth, starts every list at 4 with a maximum of
 * 256, and every 3 seconds recomputes each list's depth from what happened
 * since the last scan (ExpComputeLookasideDepth):
 *
 *   allocations < 75 (25 a second)  ->  Depth - 10      (idle: give back)
 *   miss rate < 0.5%                ->  Depth - 1       (deep enough: creep down)
 *   otherwise                       ->  Depth + min(30, (256 - Depth) * rate / 2 + 5)
 *
 * and never below 4 or above MaximumDepth. Lowering the depth frees
 * nothing at once (as in NT): the extra entries leave as they are
 * allocated, and later frees past the new depth go to Free.
 *
 * The pool's own small-block lists (ExpSmall*PoolLookasideLists, used by
 * pool.c) are GENERAL_LOOKASIDE too and are scanned the same way, counting
 * hits rather than misses as NT's pool lists do.
 *
 * Locks: the lists themselves are lock-free (SLIST); the counters are
 * plain increments, approximate under concurrency as in NT. The system
 * lists of lookaside lists change at DISPATCH_LEVEL.
 */
#include "poolp.h"

LIST_ENTRY ExNPagedLookasideListHead;
LIST_ENTRY ExPagedLookasideListHead;
GENERAL_LOOKASIDE ExpSmallNPagedPoolLookasideLists[POOL_SMALL_LISTS];
GENERAL_LOOKASIDE ExpSmallPagedPoolLookasideLists[POOL_SMALL_LISTS];
static ULONG ExpScanCount;

static void ExpInitializeGeneralLookaside(PGENERAL_LOOKASIDE Lookaside, PALLOCATE_FUNCTION Allocate,
                                          PFREE_FUNCTION Free, POOL_TYPE Type, SIZE_T Size,
                                          ULONG Tag)
{
    InitializeSListHead(&Lookaside->ListHead);
    Lookaside->Depth = EXP_MINIMUM_LOOKASIDE_DEPTH;
    Lookaside->MaximumDepth = EXP_MAXIMUM_LOOKASIDE_DEPTH;
    Lookaside->TotalAllocates = 0;
    Lookaside->AllocateMisses = 0;
    Lookaside->TotalFrees = 0;
    Lookaside->FreeMisses = 0;
    Lookaside->Type = Type;
    Lookaside->Tag = Tag;
    Lookaside->Size = (ULONG)Size;
    Lookaside->Allocate = Allocate ? Allocate : ExAllocatePoolWithTag;
    Lookaside->Free = Free ? Free : ExFreePool;
    Lookaside->LastTotalAllocates = 0;
    Lookaside->LastAllocateMisses = 0;
    Lookaside->Future[0] = Lookaside->Future[1] = 0;
}

void ExpInitializeLookasideLists(void)
{
    InitializeListHead(&ExNPagedLookasideListHead);
    InitializeListHead(&ExPagedLookasideListHead);
    for (ULONG i = 0; i < POOL_SMALL_LISTS; i++) {
        SIZE_T Size = (SIZE_T)(i + 1) << POOL_BLOCK_SHIFT;
        ExpInitializeGeneralLookaside(&ExpSmallNPagedPoolLookasideLists[i], NULL, NULL,
                                      NonPagedPool, Size, 0);
        ExpInitializeGeneralLookaside(&ExpSmallPagedPoolLookasideLists[i], NULL, NULL,
                                      PagedPool, Size, 0);
    }
}

/* Links a list into (or out of) a system list, at DISPATCH_LEVEL. */
static void ExpLinkLookaside(PLIST_ENTRY SystemList, PGENERAL_LOOKASIDE Lookaside, BOOLEAN Insert)
{
    KIRQL OldIrql = ExpLockPool(NonPagedPool);
    if (Insert)
        InsertTailList(SystemList, &Lookaside->ListEntry);
    else
        RemoveEntryList(&Lookaside->ListEntry);
    ExpUnlockPool(OldIrql);
}

/* ExDelete*LookasideList's Allocate while draining: a miss ends the loop. */
static PVOID ExpDummyAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return NULL;
}

void ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth)
{
    ASSERT_IRQL_LESS_OR_EQUAL(DISPATCH_LEVEL);
    ASSERT(Size >= sizeof(SLIST_ENTRY));
    ExpInitializePool();
    ExpInitializeGeneralLookaside(&Lookaside->L, Allocate, Free, (POOL_TYPE)(NonPagedPool | Flags),
                                  Size, Tag);
    Lookaside->Lock__ObsoleteButDoNotDelete = 0;
    ExpLinkLookaside(&ExNPagedLookasideListHead, &Lookaside->L, TRUE);
}

void ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                    USHORT Depth)
{
    ASSERT_IRQL_LESS_OR_EQUAL(APC_LEVEL);
    ASSERT(Size >= sizeof(SLIST_ENTRY));
    ExpInitializePool();
    ExpInitializeGeneralLookaside(&Lookaside->L, Allocate, Free, (POOL_TYPE)(PagedPool | Flags),
                                  Size, Tag);
    ExpLinkLookaside(&ExPagedLookasideListHead, &Lookaside->L, TRUE);
}

void ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    PVOID Entry;
    ASSERT_IRQL_LESS_OR_EQUAL(DISPATCH_LEVEL);
    ExpLinkLookaside(&ExNPagedLookasideListHead, &Lookaside->L, FALSE);
    Lookaside->L.Allocate = ExpDummyAllocate;
    while ((Entry = ExAllocateFromNPagedLookasideList(Lookaside)) != NULL)
        Lookaside->L.Free(Entry);
}

void ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    PVOID Entry;
    ASSERT_IRQL_LESS_OR_EQUAL(APC_LEVEL);
    ExpLinkLookaside(&ExPagedLookasideListHead, &Lookaside->L, FALSE);
    Lookaside->L.Allocate = ExpDummyAllocate;
    while ((Entry = ExAllocateFromPagedLookasideList(Lookaside)) != NULL)
        Lookaside->L.Free(Entry);
}

/* ---- the depth scan ------------------------------------------------------------- */

USHORT ExpComputeLookasideDepth(ULONG Allocates, ULONG Misses, USHORT Depth,
                                USHORT MaximumDepth, ULONG ScanPeriod)
{
    LONG Target = Depth;
    if (Allocates < ScanPeriod * EXP_MINIMUM_ALLOCATION_THRESHOLD) {
        Target -= 10;
    } else {
        /* Per mille; misses may exceed allocates (frees of foreign entries
         * do not count, but a reset list can), which only saturates Delta. */
        ULONGLONG Ratio = (ULONGLONG)Misses * 1000 / Allocates;
        if (Ratio < 5) {
            Target -= 1;
        } else {
            ULONGLONG Delta = Ratio * (ULONG)(MaximumDepth - Depth) / (1000 * 2) + 5;
            if (Delta > 30)
                Delta = 30;
            Target += (LONG)Delta;
            if (Target > MaximumDepth)
                Target = MaximumDepth;
        }
    }
    if (Target < EXP_MINIMUM_LOOKASIDE_DEPTH)
        Target = EXP_MINIMUM_LOOKASIDE_DEPTH;
    return (USHORT)Target;
}

static void ExpScanGeneralLookasideList(PLIST_ENTRY ListHead)
{
    KIRQL OldIrql = ExpLockPool(NonPagedPool);
    for (PLIST_ENTRY Link = ListHead->Flink; Link != ListHead; Link = Link->Flink) {
        PGENERAL_LOOKASIDE Lookaside = CONTAINING_RECORD(Link, GENERAL_LOOKASIDE, ListEntry);
        ULONG Allocates = Lookaside->TotalAllocates - Lookaside->LastTotalAllocates;
        ULONG Misses = Lookaside->AllocateMisses - Lookaside->LastAllocateMisses;
        Lookaside->LastTotalAllocates = Lookaside->TotalAllocates;
        Lookaside->LastAllocateMisses = Lookaside->AllocateMisses;
        Lookaside->Depth = ExpComputeLookasideDepth(Allocates, Misses, Lookaside->Depth,
                                                    Lookaside->MaximumDepth,
                                                    EXP_LOOKASIDE_SCAN_PERIOD);
    }
    ExpUnlockPool(OldIrql);
}

static void ExpScanPoolLookasideLists(PGENERAL_LOOKASIDE Lists)
{
    for (ULONG i = 0; i < POOL_SMALL_LISTS; i++) {
        PGENERAL_LOOKASIDE Lookaside = &Lists[i];
        ULONG Allocates = Lookaside->TotalAllocates - Lookaside->LastTotalAllocates;
        ULONG Hits = Lookaside->AllocateHits - Lookaside->LastAllocateHits;
        Lookaside->LastTotalAllocates = Lookaside->TotalAllocates;
        Lookaside->LastAllocateHits = Lookaside->AllocateHits;
        Lookaside->Depth = ExpComputeLookasideDepth(Allocates, Allocates - Hits, Lookaside->Depth,
                                                    Lookaside->MaximumDepth,
                                                    EXP_LOOKASIDE_SCAN_PERIOD);
    }
}

void ExAdjustLookasideDepth(void)
{
    ExpInitializePool();
    switch (ExpScanCount) {
    case 0:
        ExpScanGeneralLookasideList(&ExNPagedLookasideListHead);
        break;
    case 1:
        ExpScanGeneralLookasideList(&ExPagedLookasideListHead);
        break;
    default: {
        KIRQL OldIrql = ExpLockPool(NonPagedPool);
        ExpScanPoolLookasideLists(ExpSmallNPagedPoolLookasideLists);
        ExpScanPoolLookasideLists(ExpSmallPagedPoolLookasideLists);
        ExpUnlockPool(OldIrql);
        break;
    }
    }
    ExpScanCount = (ExpScanCount + 1) % 3;
}
