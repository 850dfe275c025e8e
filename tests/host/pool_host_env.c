/*
 * pool_host_env.c - the pool core's environment on the host (see
 * pool_host_env.h): MiAllocatePoolPages / MiFreePoolPages over
 * aligned_alloc, KeGetCurrentIrql / KeRaiseIrql / KeLowerIrql over a
 * variable, and the small pool pages (poolp.h) in a hash table, since
 * aligned_alloc's pages are in no fixed region the kernel's byte map
 * (mm/poolmap.c) could cover. Pages are filled with 0xA5 when handed out so that the pool
 * cannot depend on zeroed memory, and every free is checked against the
 * allocations on record, so a pool that gives back a page twice or a
 * middle page fails loudly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool_host_env.h"
#include "poolp.h"

KIRQL PoolHostIrql = PASSIVE_LEVEL;

typedef struct _HOST_PAGE_RUN {
    struct _HOST_PAGE_RUN *Next;
    PVOID Va;
    ULONG Pages;
    ULONG BaseType;
} HOST_PAGE_RUN;

static HOST_PAGE_RUN *PoolHostRuns;
static ULONG PoolHostInUse[2];
static ULONG PoolHostLimit[2] = { ~0u, ~0u };
static ULONG PoolHostAllocations[2];

KIRQL KeGetCurrentIrql(void)
{
    return PoolHostIrql;
}

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < PoolHostIrql)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, PoolHostIrql, NewIrql, 0, 0);
    *OldIrql = PoolHostIrql;
    PoolHostIrql = NewIrql;
}

void KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > PoolHostIrql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, PoolHostIrql, NewIrql, 0, 0);
    PoolHostIrql = NewIrql;
}

void PoolHostResetIrql(void)
{
    PoolHostIrql = PASSIVE_LEVEL;
}

PVOID MiAllocatePoolPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    ULONG Base = PoolType & BASE_POOL_TYPE_MASK;
    ULONG Pages = (ULONG)BYTES_TO_PAGES(NumberOfBytes);
    if (NumberOfBytes == 0 || PoolHostInUse[Base] + Pages > PoolHostLimit[Base] ||
        PoolHostInUse[Base] + Pages < PoolHostInUse[Base])
        return NULL;
    PVOID Va = aligned_alloc(PAGE_SIZE, (size_t)Pages * PAGE_SIZE);
    HOST_PAGE_RUN *Run = malloc(sizeof(*Run));
    if (Va == NULL || Run == NULL) {
        free(Va);
        free(Run);
        return NULL;
    }
    memset(Va, 0xA5, (size_t)Pages * PAGE_SIZE);
    Run->Va = Va;
    Run->Pages = Pages;
    Run->BaseType = Base;
    Run->Next = PoolHostRuns;
    PoolHostRuns = Run;
    PoolHostInUse[Base] += Pages;
    PoolHostAllocations[Base]++;
    return Va;
}

ULONG MiFreePoolPages(PVOID StartingVa)
{
    for (HOST_PAGE_RUN **Link = &PoolHostRuns; *Link; Link = &(*Link)->Next) {
        HOST_PAGE_RUN *Run = *Link;
        if (Run->Va != StartingVa)
            continue;
        ULONG Pages = Run->Pages;
        *Link = Run->Next;
        PoolHostInUse[Run->BaseType] -= Pages;
        free(Run->Va);
        free(Run);
        return Pages;
    }
    fprintf(stderr, "MiFreePoolPages: %p was never handed out\n", StartingVa);
    abort();
}

ULONG PoolHostPagesInUse(POOL_TYPE PoolType)
{
    return PoolHostInUse[PoolType & BASE_POOL_TYPE_MASK];
}

void PoolHostSetPageLimit(POOL_TYPE PoolType, ULONG Pages)
{
    PoolHostLimit[PoolType & BASE_POOL_TYPE_MASK] = Pages;
}

ULONG PoolHostPageAllocations(POOL_TYPE PoolType)
{
    return PoolHostAllocations[PoolType & BASE_POOL_TYPE_MASK];
}

/* ---- small pool pages: poolpage.c's open-addressing table ------------------ */

static EXP_PAGE_TABLE PoolHostSmallPages;

BOOLEAN ExpInsertPoolPage(PVOID Page, ULONG BaseType)
{
    POOL_TRACKER_BIG_PAGES Entry = { Page, 0, 1, BaseType };
    return ExpInsertPage(&PoolHostSmallPages, &Entry);
}

void ExpRemovePoolPage(PVOID Page)
{
    PPOOL_TRACKER_BIG_PAGES Slot = ExpFindPage(&PoolHostSmallPages, Page);
    ASSERT(Slot != NULL);
    ExpRemovePage(&PoolHostSmallPages, Slot);
}

ULONG ExpLookupPoolPage(const void *Va)
{
    PPOOL_TRACKER_BIG_PAGES Slot = ExpFindPage(&PoolHostSmallPages, PAGE_ALIGN(Va));
    return Slot ? Slot->PoolType + 1 : 0;
}

void ExpEnumeratePoolPages(ULONG BaseType, PEXP_POOL_PAGE_CALLBACK Callback, PVOID Context)
{
    for (ULONG i = 0; i < PoolHostSmallPages.Size; i++) {
        const POOL_TRACKER_BIG_PAGES *Slot = &PoolHostSmallPages.Table[i];
        if (Slot->Va != NULL && Slot->PoolType == BaseType)
            Callback(Slot->Va, Context);
    }
}

/* Special pool needs system PTEs: the host has none, and ExpPoolFlags never
 * enables it here. These satisfy the pool's hooks. */
BOOLEAN MmUseSpecialPool(SIZE_T NumberOfBytes, ULONG Tag)
{
    return FALSE;
}

PVOID MmAllocateSpecialPool(SIZE_T NumberOfBytes, ULONG Tag, POOL_TYPE PoolType, PVOID Caller)
{
    return NULL;
}

BOOLEAN MmIsSpecialPoolAddress(PVOID P)
{
    return FALSE;
}

void MmFreeSpecialPool(PVOID P, ULONG Tag)
{
}
