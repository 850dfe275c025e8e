/* Pool and lookaside benchmarks: alloc+free pairs and LIFO batches. */
#include "ntddk.h"
#include "ktest.h"
#include "format.h"
#include "poolp.h"

#define KB_TAG 'hcnB'
static SIZE_T KbSize;
static NPAGED_LOOKASIDE_LIST KbLookaside;

static void KbPoolPair(void *Context)
{
    (void)Context;
    ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPool, KbSize, KB_TAG), KB_TAG);
}

static void KbLookasidePair(void *Context)
{
    (void)Context;
    ExFreeToNPagedLookasideList(&KbLookaside, ExAllocateFromNPagedLookasideList(&KbLookaside));
}

static void KbPoolBatch(void *Context)
{
    PVOID *b = Context;
    for (int i = 0; i < 100; i++)
        b[i] = ExAllocatePoolWithTag(NonPagedPool, KbSize, KB_TAG);
    for (int i = 99; i >= 0; i--)
        ExFreePoolWithTag(b[i], KB_TAG);
}

static void KbLookasideBatch(void *Context)
{
    PVOID *b = Context;
    for (int i = 0; i < 100; i++)
        b[i] = ExAllocateFromNPagedLookasideList(&KbLookaside);
    for (int i = 99; i >= 0; i--)
        ExFreeToNPagedLookasideList(&KbLookaside, b[i]);
}

/*
 * The batches above run at the depth every list starts with (4), as NT's
 * do until the balance-set scan has seen them: 96 of each 100 miss and go
 * to the pool, so the lookaside batch costs what the pool batch does. The
 * adapted figures let the scan (ExAdjustLookasideDepth, which visits each
 * set of lists every third call) see batches until the depth covers one.
 */
static void KbAdaptDepth(void (*Batch)(void *), PVOID *b, PGENERAL_LOOKASIDE Lookaside)
{
    for (int i = 0; i < 60 && Lookaside->Depth < 100; i++) {
        Batch(b);
        ExAdjustLookasideDepth();
    }
}

/* Run after the pairs (pool_pairs calls it), so that the deep caches these
 * leave do not change the pair figures. */
static void KbAdaptedBatches(void)
{
    static const SIZE_T sizes[] = { 32, 64, 256, 1024 };
    static PVOID batch[100];
    char name[64];
    for (ULONG i = 0; i < ARRAYSIZE(sizes); i++) {
        KbSize = sizes[i];
        ExInitializeNPagedLookasideList(&KbLookaside, NULL, NULL, 0, KbSize, KB_TAG, 0);
        /* The pool's own list for this size, if it has one (<= 256 bytes with the header). */
        ULONG units = (ULONG)((KbSize + POOL_OVERHEAD + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT);
        if (units <= POOL_SMALL_LISTS) {
            KbAdaptDepth(KbPoolBatch, batch, &ExpSmallNPagedPoolLookasideLists[units - 1]);
            RtlStringPrintf(name, sizeof(name), "pool.lifo_batch100_adapted.%uB", (ULONG)KbSize);
            KbReport(name, KbMeasure(KbPoolBatch, batch, 15), "insns");
        }
        KbAdaptDepth(KbLookasideBatch, batch, &KbLookaside.L);
        RtlStringPrintf(name, sizeof(name), "lookaside.lifo_batch100_adapted.%uB", (ULONG)KbSize);
        KbReport(name, KbMeasure(KbLookasideBatch, batch, 15), "insns");
        ExDeleteNPagedLookasideList(&KbLookaside);
    }
}

KBENCH(pool_pairs)
{
    static const SIZE_T sizes[] = { 32, 64, 256, 1024 };
    static PVOID batch[100];
    char name[64];
    for (ULONG i = 0; i < ARRAYSIZE(sizes); i++) {
        KbSize = sizes[i];
        ExInitializeNPagedLookasideList(&KbLookaside, NULL, NULL, 0, KbSize, KB_TAG, 0);
        ULONGLONG pool = KbMeasure(KbPoolPair, NULL, 31);
        ULONGLONG la = KbMeasure(KbLookasidePair, NULL, 31);
        RtlStringPrintf(name, sizeof(name), "pool.alloc_free.%uB", (ULONG)KbSize);
        KbReport(name, pool, "insns");
        RtlStringPrintf(name, sizeof(name), "lookaside.alloc_free.%uB", (ULONG)KbSize);
        KbReport(name, la, "insns");
        RtlStringPrintf(name, sizeof(name), "pool_per_lookaside.%uB", (ULONG)KbSize);
        KbReportRatio(name, pool, la);
        ULONGLONG poolBatch = KbMeasure(KbPoolBatch, batch, 15);
        ULONGLONG laBatch = KbMeasure(KbLookasideBatch, batch, 15);
        RtlStringPrintf(name, sizeof(name), "pool.lifo_batch100.%uB", (ULONG)KbSize);
        KbReport(name, poolBatch, "insns");
        RtlStringPrintf(name, sizeof(name), "lookaside.lifo_batch100.%uB", (ULONG)KbSize);
        KbReport(name, laBatch, "insns");
        ExDeleteNPagedLookasideList(&KbLookaside);
    }
    KbAdaptedBatches();
}
