/*
 * poolpage.c - NT's big-page table of whole-page allocations, and the
 * big allocations themselves. NT counterpart: PoolBigPageTable and
 * ExpAddTagForBigPages / ExpFindAndRemoveTagBigPages in ntos/ex/pool.c.
 *
 * The table is an open-addressing hash table of POOL_TRACKER_BIG_PAGES
 * keyed by the page address, with linear probing and deletion by shifting
 * back the entries that follow (so no tombstones accumulate). It doubles
 * when half full; its storage is whole pages from MiAllocatePoolPages
 * (nonpaged), counted apart from either pool as bookkeeping. The host
 * environment keeps its small pool pages in a second such table
 * (tests/host/pool_host_env.c; the kernel knows them by address, poolmap.c),
 * so the table's calls are the pool's, not this file's.
 *
 * Lock: the pool lock of the pool involved (poolp.h); the tables are shared
 * by both pools, which is safe on one processor because the nonpaged lock
 * (DISPATCH_LEVEL) also excludes paged-pool callers (APC_LEVEL).
 */
#include "poolp.h"
#include "rtl.h"

#define EXP_PAGE_TABLE_INITIAL_SIZE 256

static EXP_PAGE_TABLE ExpPoolBigPageTable;  /* big allocations */
static ULONG ExpBookkeepingPages;

static ULONG ExpHashPage(const EXP_PAGE_TABLE *PageTable, const void *Va)
{
    ULONG PageNumber = (ULONG)((ULONG_PTR)Va >> PAGE_SHIFT);
    return (PageNumber * 2654435761u) >> 7 & (PageTable->Size - 1);
}

PPOOL_TRACKER_BIG_PAGES ExpFindPage(const EXP_PAGE_TABLE *PageTable, const void *Va)
{
    if (PageTable->Size == 0 || Va == NULL)
        return NULL;
    for (ULONG i = ExpHashPage(PageTable, Va);; i = (i + 1) & (PageTable->Size - 1)) {
        PPOOL_TRACKER_BIG_PAGES Slot = &PageTable->Table[i];
        if (Slot->Va == Va)
            return Slot;
        if (Slot->Va == NULL)
            return NULL;
    }
}

static void ExpPlacePage(PEXP_PAGE_TABLE PageTable, const POOL_TRACKER_BIG_PAGES *Entry)
{
    ULONG i = ExpHashPage(PageTable, Entry->Va);
    while (PageTable->Table[i].Va != NULL)
        i = (i + 1) & (PageTable->Size - 1);
    PageTable->Table[i] = *Entry;
}

static BOOLEAN ExpGrowPageTable(PEXP_PAGE_TABLE PageTable)
{
    ULONG NewSize = PageTable->Size ? PageTable->Size * 2 : EXP_PAGE_TABLE_INITIAL_SIZE;
    SIZE_T Bytes = (SIZE_T)NewSize * sizeof(POOL_TRACKER_BIG_PAGES);
    PPOOL_TRACKER_BIG_PAGES Old = PageTable->Table;
    ULONG OldSize = PageTable->Size;
    PPOOL_TRACKER_BIG_PAGES New = MiAllocatePoolPages(NonPagedPool, Bytes);
    if (New == NULL)
        return FALSE;
    RtlZeroMemory(New, Bytes);
    PageTable->Table = New;
    PageTable->Size = NewSize;
    for (ULONG i = 0; i < OldSize; i++)
        if (Old[i].Va != NULL)
            ExpPlacePage(PageTable, &Old[i]);
    ExpBookkeepingPages += (ULONG)BYTES_TO_PAGES(Bytes);
    if (Old)
        ExpBookkeepingPages -= MiFreePoolPages(Old);
    return TRUE;
}

BOOLEAN ExpInsertPage(PEXP_PAGE_TABLE PageTable, const POOL_TRACKER_BIG_PAGES *Entry)
{
    ASSERT(ExpFindPage(PageTable, Entry->Va) == NULL);
    if ((PageTable->Count + 1) * 2 > PageTable->Size && !ExpGrowPageTable(PageTable))
        return FALSE;
    ExpPlacePage(PageTable, Entry);
    PageTable->Count++;
    return TRUE;
}

/* Empties Slot, moving back later entries of the probe run that would
 * otherwise no longer be found from their home slot. */
void ExpRemovePage(PEXP_PAGE_TABLE PageTable, PPOOL_TRACKER_BIG_PAGES Slot)
{
    ULONG Mask = PageTable->Size - 1;
    ULONG Hole = (ULONG)(Slot - PageTable->Table);
    for (ULONG i = (Hole + 1) & Mask; PageTable->Table[i].Va != NULL; i = (i + 1) & Mask) {
        ULONG Home = ExpHashPage(PageTable, PageTable->Table[i].Va);
        /* Entry i may move to Hole if Home is not cyclically in (Hole, i]. */
        if (((i - Home) & Mask) >= ((i - Hole) & Mask)) {
            PageTable->Table[Hole] = PageTable->Table[i];
            Hole = i;
        }
    }
    PageTable->Table[Hole].Va = NULL;
    PageTable->Count--;
}

/* ---- big allocations -------------------------------------------------------------- */

ULONG ExpPoolBookkeepingPages(void)
{
    return ExpBookkeepingPages;
}

PVOID ExpAllocateBigPool(ULONG BaseType, POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    if (NumberOfBytes > (SIZE_T)0 - PAGE_SIZE)
        return NULL;    /* would wrap when rounded to pages */
    ULONG Pages = (ULONG)BYTES_TO_PAGES(NumberOfBytes);
    PVOID Va = MiAllocatePoolPages((POOL_TYPE)BaseType, NumberOfBytes);
    if (Va == NULL) {
        /* Blocks cached by the pool lookaside lists may hold whole pages. */
        ExpFlushPoolLookasideLists((POOL_TYPE)BaseType);
        Va = MiAllocatePoolPages((POOL_TYPE)BaseType, NumberOfBytes);
        if (Va == NULL)
            return NULL;
    }
    POOL_TRACKER_BIG_PAGES Entry = { Va, Tag, Pages, BaseType };
    if (!ExpInsertPage(&ExpPoolBigPageTable, &Entry)) {
        MiFreePoolPages(Va);
        return NULL;
    }
    ExpPoolVector[BaseType].TotalBigPages += Pages;
    ExpInsertPoolTracker(Tag, (SIZE_T)Pages << PAGE_SHIFT, BaseType);
    return Va;
}

void ExpFreeBigPool(PVOID P, ULONG TagToFree)
{
    PPOOL_TRACKER_BIG_PAGES Slot = ExpFindPage(&ExpPoolBigPageTable, P);
    if (Slot == NULL)
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, (ULONG_PTR)P, 0, 0);
    ULONG BaseType = Slot->PoolType;
    ExpCheckFreeCaller(P, BaseType, Slot->Key, TagToFree);

    KIRQL OldIrql = ExpLockPool(BaseType);
    POOL_TRACKER_BIG_PAGES Entry = *Slot;
    ExpRemovePage(&ExpPoolBigPageTable, Slot);
    ULONG Pages = MiFreePoolPages(P);
    ASSERT(Pages == Entry.NumberOfPages);
    ExpPoolVector[BaseType].TotalBigPages -= Entry.NumberOfPages;
    ExpPoolVector[BaseType].RunningDeAllocs++;
    ExpRemovePoolTracker(Entry.Key, (SIZE_T)Entry.NumberOfPages << PAGE_SHIFT, BaseType);
    ExpUnlockPool(OldIrql);
}

SIZE_T ExpBigPoolBytes(ULONG BaseType)
{
    SIZE_T Bytes = 0;
    for (ULONG i = 0; i < ExpPoolBigPageTable.Size; i++) {
        const POOL_TRACKER_BIG_PAGES *Slot = &ExpPoolBigPageTable.Table[i];
        if (Slot->Va != NULL && Slot->PoolType == BaseType)
            Bytes += (SIZE_T)Slot->NumberOfPages << PAGE_SHIFT;
    }
    return Bytes;
}
