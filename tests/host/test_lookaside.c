/*
 * Host tests for mm/lookaside.c: NT's lookaside lists (counters exact after
 * a known sequence, default and custom callbacks, delete draining through
 * Free), the depth rule of ntos/ex/lookasid.c (ExpComputeLookasideDepth)
 * and the periodic scan adapting depth up under misses and down when idle;
 * the pool's own small-block lookaside lists; the seed 004 example.
 */
// HOST_SOURCES: mm/pool.c mm/poolblock.c mm/poolpage.c mm/pooltag.c mm/poolcheck.c mm/lookaside.c tests/host/pool_host_env.c
#include <stdlib.h>
#include "pool_test.h"

#define TAG_LOOK TAG('L', 'o', 'o', 'k')

static ULONG Allocations, Frees;

static PVOID CountingAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    Allocations++;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

static void CountingFree(PVOID Buffer)
{
    Frees++;
    ExFreePool(Buffer);
}

/* Each list is scanned once per three calls, as NT's rotation does it. */
static void ScanEveryList(void)
{
    for (int i = 0; i < 3; i++)
        ExAdjustLookasideDepth();
}

HTEST(lookaside, initialize_sets_nt_fields_and_ignores_depth)
{
    NPAGED_LOOKASIDE_LIST N;
    PAGED_LOOKASIDE_LIST P;
    ExInitializeNPagedLookasideList(&N, NULL, NULL, POOL_RAISE_IF_ALLOCATION_FAILURE, 48, TAG_LOOK, 99);
    ExInitializePagedLookasideList(&P, CountingAllocate, CountingFree, 0, 100, TAG_LOOK, 0);
    HT_EQ(N.L.Depth, 4);
    HT_EQ(N.L.MaximumDepth, 256);
    HT_EQ(N.L.Type, NonPagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE);
    HT_EQ(N.L.Tag, TAG_LOOK);
    HT_EQ(N.L.Size, 48);
    HT_ASSERT(N.L.Allocate == ExAllocatePoolWithTag);
    HT_ASSERT(N.L.Free == ExFreePool);
    HT_EQ(P.L.Type, PagedPool);
    HT_ASSERT(P.L.Allocate == CountingAllocate);
    HT_EQ(N.L.TotalAllocates + N.L.AllocateMisses + N.L.TotalFrees + N.L.FreeMisses, 0);
    ExDeleteNPagedLookasideList(&N);
    ExDeletePagedLookasideList(&P);
}

/* Allocate 6 from empty (6 misses), free 6 with depth 4 (2 free misses),
 * allocate 5 (4 hits, 1 miss), free 5 (1 free miss), delete (drains 4
 * cached entries through Free). */
HTEST(lookaside, counters_exact_after_a_known_sequence)
{
    NPAGED_LOOKASIDE_LIST L;
    PVOID E[6];
    Allocations = Frees = 0;
    ExInitializeNPagedLookasideList(&L, CountingAllocate, CountingFree, 0, 40, TAG_LOOK, 0);
    for (int i = 0; i < 6; i++)
        E[i] = ExAllocateFromNPagedLookasideList(&L);
    HT_EQ(L.L.TotalAllocates, 6);
    HT_EQ(L.L.AllocateMisses, 6);
    for (int i = 0; i < 6; i++)
        ExFreeToNPagedLookasideList(&L, E[i]);
    HT_EQ(L.L.TotalFrees, 6);
    HT_EQ(L.L.FreeMisses, 2);
    HT_EQ(ExQueryDepthSList(&L.L.ListHead), 4);
    HT_EQ(Frees, 2);
    for (int i = 0; i < 5; i++)
        E[i] = ExAllocateFromNPagedLookasideList(&L);
    HT_EQ(L.L.TotalAllocates, 11);
    HT_EQ(L.L.AllocateMisses, 7);
    HT_EQ(Allocations, 7);
    for (int i = 0; i < 5; i++)
        ExFreeToNPagedLookasideList(&L, E[i]);
    HT_EQ(L.L.TotalFrees, 11);
    HT_EQ(L.L.FreeMisses, 3);
    HT_EQ(ExpPoolTagBytes(TAG_LOOK, NonPagedPool), 4 * 48);
    ExDeleteNPagedLookasideList(&L);
    HT_EQ(Frees, 3 + 4);
    HT_EQ(ExpPoolTagBytes(TAG_LOOK, NonPagedPool), 0);
    ValidateBothPools();
}

/* NT's rule, value by value (ScanPeriod 3: the threshold is 75). */
HTEST(lookaside, compute_depth_follows_nt)
{
    HT_EQ(ExpComputeLookasideDepth(74, 74, 50, 256, 3), 40);     /* idle: -10 */
    HT_EQ(ExpComputeLookasideDepth(0, 0, 10, 256, 3), 4);       /* never below 4 */
    HT_EQ(ExpComputeLookasideDepth(1000, 4, 50, 256, 3), 49);   /* 0.4% misses: -1 */
    HT_EQ(ExpComputeLookasideDepth(1000, 0, 4, 256, 3), 4);
    HT_EQ(ExpComputeLookasideDepth(1000, 5, 4, 256, 3), 4 + 5);  /* 0.5%: 5*252/2000 + 5 */
    HT_EQ(ExpComputeLookasideDepth(1000, 100, 4, 256, 3), 4 + 17); /* 10%: 100*252/2000 + 5 */
    HT_EQ(ExpComputeLookasideDepth(100, 100, 4, 256, 3), 4 + 30); /* all miss: capped at 30 */
    HT_EQ(ExpComputeLookasideDepth(100, 100, 250, 256, 3), 256);  /* up to MaximumDepth */
}

/* Misses raise the depth scan by scan; idleness lowers it back to 4. */
HTEST(lookaside, depth_adapts_up_under_misses_and_down_when_idle)
{
    PAGED_LOOKASIDE_LIST L;
    static PVOID E[300];
    ExInitializePagedLookasideList(&L, NULL, NULL, 0, 64, TAG_LOOK, 0);
    ScanEveryList();
    USHORT Expected = 4;
    for (int Round = 0; Round < 4; Round++) {
        /* 100 allocations from an empty list: every one a miss. */
        for (int i = 0; i < 100; i++)
            E[i] = ExAllocateFromPagedLookasideList(&L);
        for (int i = 0; i < 100; i++)
            ExFreeToPagedLookasideList(&L, E[i]);
        PVOID Flush;
        while ((Flush = InterlockedPopEntrySList(&L.L.ListHead)) != NULL)
            ExFreePool(Flush);
        ScanEveryList();
        ULONG Delta = 1000 * (256 - Expected) / 2000 + 5;
        Expected = (USHORT)(Expected + (Delta > 30 ? 30 : Delta));
        HT_EQ(L.L.Depth, Expected);
    }
    HT_EQ(L.L.Depth, 4 + 4 * 30);
    for (int Round = 0; Round < 20; Round++)
        ScanEveryList();
    HT_EQ(L.L.Depth, 4);
    ExDeletePagedLookasideList(&L);
    HT_EQ(ExpPoolTagBytes(TAG_LOOK, PagedPool), 0);
}

/* Busy with hits only: the depth creeps down by one a scan. */
HTEST(lookaside, low_miss_rate_lowers_depth_by_one)
{
    NPAGED_LOOKASIDE_LIST L;
    ExInitializeNPagedLookasideList(&L, NULL, NULL, 0, 32, TAG_LOOK, 0);
    L.L.Depth = 20;
    ScanEveryList();        /* forget the counts so far */
    L.L.Depth = 20;
    for (int i = 0; i < 1000; i++)
        ExFreeToNPagedLookasideList(&L, ExAllocateFromNPagedLookasideList(&L));
    HT_EQ(L.L.AllocateMisses, 1);
    ScanEveryList();
    HT_EQ(L.L.Depth, 19);
    ExDeleteNPagedLookasideList(&L);
}

/* The seed's example: 50 allocations from a paged lookaside list, then 50
 * frees, then delete; nothing leaks under the tag. */
typedef struct _MYDATASTRUCT {
    CHAR buffer[64];
} MYDATASTRUCT, *PMYDATASTRUCT;

HTEST(lookaside, seed004_fifty_allocations_then_frees)
{
    PAGED_LOOKASIDE_LIST pageList;
    NPAGED_LOOKASIDE_LIST npageList;
    PMYDATASTRUCT MyObjectArray[50];
    ExInitializePagedLookasideList(&pageList, NULL, NULL, 0, sizeof(MYDATASTRUCT), TAG('1', '2', '3', '4'), 0);
    ExInitializeNPagedLookasideList(&npageList, NULL, NULL, 0, sizeof(MYDATASTRUCT), TAG('1', '2', '3', '4'), 0);
    for (int i = 0; i < 50; i++) {
        MyObjectArray[i] = ExAllocateFromPagedLookasideList(&pageList);
        HT_ASSERT(MyObjectArray[i] != NULL);
        RtlFillMemory(MyObjectArray[i], sizeof(MYDATASTRUCT), (UCHAR)i);
    }
    for (int i = 0; i < 50; i++) {
        ExFreeToPagedLookasideList(&pageList, MyObjectArray[i]);
        MyObjectArray[i] = NULL;
    }
    HT_EQ(pageList.L.TotalAllocates, 50);
    HT_EQ(pageList.L.AllocateMisses, 50);
    HT_EQ(pageList.L.FreeMisses, 46);
    for (int i = 0; i < 50; i++)
        MyObjectArray[i] = ExAllocateFromNPagedLookasideList(&npageList);
    for (int i = 0; i < 50; i++)
        ExFreeToNPagedLookasideList(&npageList, MyObjectArray[i]);
    ExDeletePagedLookasideList(&pageList);
    ExDeleteNPagedLookasideList(&npageList);
    HT_EQ(ExpPoolTagBytes(TAG('1', '2', '3', '4'), PagedPool), 0);
    HT_EQ(ExpPoolTagBytes(TAG('1', '2', '3', '4'), NonPagedPool), 0);
    ValidateBothPools();
}

/* Paged lookaside lists are for IRQL <= APC_LEVEL (an ASSERT, as PAGED_CODE). */
HTEST(lookaside, paged_list_at_dispatch_asserts)
{
    PAGED_LOOKASIDE_LIST L;
    ExInitializePagedLookasideList(&L, NULL, NULL, 0, 32, TAG_LOOK, 0);
    PoolHostIrql = DISPATCH_LEVEL;
    HT_EXPECT_BUGCHECK(ASSERTION_FAILURE, ExAllocateFromPagedLookasideList(&L));
    PoolHostResetIrql();
    ExDeletePagedLookasideList(&L);
}

/* Small pool blocks go through the pool's per-size lookaside lists: a
 * freed 24-byte block (4 units) comes back to the next 24-byte request. */
HTEST(lookaside, pool_small_blocks_use_pool_lookasides)
{
    PGENERAL_LOOKASIDE Lookaside = &ExpSmallNPagedPoolLookasideLists[4 - 1];
    FlushPoolCaches();
    ULONG Allocates = Lookaside->TotalAllocates, Hits = Lookaside->AllocateHits;
    ULONG FreeHits = Lookaside->FreeHits;
    PVOID P = ExAllocatePoolWithTag(NonPagedPool, 24, TAG_LOOK);
    ExFreePool(P);
    HT_EQ(Lookaside->FreeHits, FreeHits + 1);
    HT_EQ(ExQueryDepthSList(&Lookaside->ListHead), 1);
    HT_EQ(PoolHeaderOf(P)->PoolIndex, POOL_INDEX_CACHED);
    ValidateBothPools();
    PVOID Q = ExAllocatePoolWithTag(NonPagedPool, 20, TAG('A', 'g', 'i', 'n'));
    HT_ASSERT(Q == P);
    HT_EQ(Lookaside->TotalAllocates, Allocates + 2);
    HT_EQ(Lookaside->AllocateHits, Hits + 1);
    HT_EQ(PoolHeaderOf(Q)->PoolTag, TAG('A', 'g', 'i', 'n'));
    ExFreePool(Q);
    ValidateBothPools();
}

/* The pool's lists adapt too: the third call of the rotation scans them. */
HTEST(lookaside, pool_lookaside_depth_adapts)
{
    PGENERAL_LOOKASIDE Lookaside = &ExpSmallPagedPoolLookasideLists[10 - 1];
    static PVOID E[200];
    ScanEveryList();
    USHORT Before = Lookaside->Depth;
    for (int i = 0; i < 200; i++)
        E[i] = ExAllocatePoolWithTag(PagedPool, 72, TAG_LOOK);    /* 10 units */
    for (int i = 0; i < 200; i++)
        ExFreePool(E[i]);
    ScanEveryList();
    HT_ASSERT(Lookaside->Depth > Before);
    for (int i = 0; i < 30; i++)
        ScanEveryList();
    HT_EQ(Lookaside->Depth, 4);
    ValidateBothPools();
}
