/* Pool and lookaside benchmarks: alloc+free pairs and LIFO batches. */
#include "ntddk.h"
#include "ktest.h"
#include "format.h"

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
}
