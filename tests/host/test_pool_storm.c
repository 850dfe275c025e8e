/*
 * A randomized storm over the whole pool (mm/pool*.c, mm/lookaside.c):
 * 100,000 mixed allocate/free operations of every kind of size (lookaside
 * sizes, free-list sizes, cache-aligned, big pages) in both pools, under
 * page limits so that exhaustion happens too, with the lookaside depth
 * scan running now and then. Every block is filled with a pattern checked
 * when it is freed (an overlap of two blocks shows), and both pools pass
 * the whole-pool validator after every operation. At the end everything
 * is freed: no bytes left under the storm's tags, no page unaccounted.
 */
// HOST_SOURCES: mm/pool.c mm/poolblock.c mm/poolpage.c mm/pooltag.c mm/poolcheck.c mm/lookaside.c tests/host/pool_host_env.c
#include <time.h>
#include "pool_test.h"

#define STORM_OPERATIONS 100000
#define STORM_SLOTS      1024
#define TAG_STRM TAG('S', 't', 'r', 'm')
#define TAG_STRP TAG('S', 't', 'r', 'p')

typedef struct { PUCHAR P; SIZE_T Size; UCHAR Fill; POOL_TYPE Type; ULONG Tag; } STORM_SLOT;
static STORM_SLOT Slots[STORM_SLOTS];
static ULONGLONG StormState = 0x9E3779B97F4A7C15ull;

static ULONG StormRandom(void)
{
    StormState ^= StormState << 13;
    StormState ^= StormState >> 7;
    StormState ^= StormState << 17;
    return (ULONG)(StormState >> 16);
}

static SIZE_T StormSize(void)
{
    ULONG Kind = StormRandom() % 100;
    if (Kind < 55)
        return StormRandom() % 257;                 /* pool lookaside sizes */
    if (Kind < 90)
        return 257 + StormRandom() % (POOL_BUDDY_MAX - 256);
    return POOL_BUDDY_MAX + 1 + StormRandom() % (5 * PAGE_SIZE);
}

static BOOLEAN StormCheck(const STORM_SLOT *Slot)
{
    for (SIZE_T i = 0; i < Slot->Size; i++)
        if (Slot->P[i] != (UCHAR)(Slot->Fill + i))
            return FALSE;
    return TRUE;
}

HTEST(poolstorm, hundred_thousand_operations_validated_each_step)
{
    ULONG Failures = 0, Allocations = 0, Validations = 0;
    clock_t Start = clock();
    PoolHostSetPageLimit(NonPagedPool, PoolHostPagesInUse(NonPagedPool) + 140);
    PoolHostSetPageLimit(PagedPool, PoolHostPagesInUse(PagedPool) + 110);
    for (ULONG Step = 0; Step < STORM_OPERATIONS; Step++) {
        STORM_SLOT *Slot = &Slots[StormRandom() % STORM_SLOTS];
        if (Slot->P) {
            HT_ASSERT(StormCheck(Slot));
            if (StormRandom() & 1)
                ExFreePool(Slot->P);
            else
                ExFreePoolWithTag(Slot->P, Slot->Tag);
            Slot->P = NULL;
        } else {
            static const POOL_TYPE Types[] = { NonPagedPool, PagedPool, NonPagedPoolCacheAligned,
                                               PagedPoolCacheAligned, NonPagedPool, PagedPool };
            Slot->Type = Types[StormRandom() % ARRAYSIZE(Types)];
            Slot->Size = StormSize();
            Slot->Fill = (UCHAR)StormRandom();
            Slot->Tag = (Step & 1) ? TAG_STRM : TAG_STRP;
            Slot->P = ExAllocatePoolWithTag(Slot->Type, Slot->Size, Slot->Tag);
            if (Slot->P == NULL) {
                Failures++;
            } else {
                Allocations++;
                HT_EQ((ULONG_PTR)Slot->P % ((Slot->Type & CACHE_ALIGNED_POOL_TYPE_MASK) ? 64 : 8), 0);
                for (SIZE_T i = 0; i < Slot->Size; i++)
                    Slot->P[i] = (UCHAR)(Slot->Fill + i);
            }
        }
        ValidateBothPools();
        Validations++;
        if (Step % 1000 == 999)
            ExAdjustLookasideDepth();
    }
    for (ULONG i = 0; i < STORM_SLOTS; i++) {
        if (Slots[i].P) {
            HT_ASSERT(StormCheck(&Slots[i]));
            ExFreePool(Slots[i].P);
            Slots[i].P = NULL;
        }
    }
    PoolHostSetPageLimit(NonPagedPool, ~0u);
    PoolHostSetPageLimit(PagedPool, ~0u);
    ValidateBothPools();
    HT_EQ(ExpPoolTagBytes(TAG_STRM, NonPagedPool) + ExpPoolTagBytes(TAG_STRM, PagedPool), 0);
    HT_EQ(ExpPoolTagBytes(TAG_STRP, NonPagedPool) + ExpPoolTagBytes(TAG_STRP, PagedPool), 0);
    FlushPoolCaches();
    EXP_POOL_USAGE N, P;
    ExpQueryPoolUsage(NonPagedPool, &N);
    ExpQueryPoolUsage(PagedPool, &P);
    HT_EQ(N.TotalPages + N.TotalBigPages + P.TotalPages + P.TotalBigPages, 0);
    HT_EQ(UnaccountedPages(), 0);
    HT_EQ(PoolHostPagesInUse(PagedPool), 0);
    HT_EQ(N.RunningAllocs + P.RunningAllocs, Allocations);
    HT_EQ(N.RunningDeAllocs + P.RunningDeAllocs, Allocations);
    HT_ASSERT(Failures > 0 && Failures < STORM_OPERATIONS / 10);   /* exhaustion was reached */
    printf("# storm: %u operations, %u allocations, %u failed for lack of pages, "
           "%u validations, %.1f s\n", STORM_OPERATIONS, Allocations, Failures, Validations,
           (double)(clock() - Start) / CLOCKS_PER_SEC);
}
