/* The executive pool on the kernel's real pages (the carve/coalesce logic is
 * covered on the host: tests/host/test_pool*.c). */
#include "ntddk.h"
#include "ktest.h"
#include "poolp.h"

#define KT_TAG 'tseT'   /* shows as "Test" in a dump, as NT tags read */

KTEST(pool, blocks_come_from_their_regions)
{
    PUCHAR np = ExAllocatePoolWithTag(NonPagedPool, 100, KT_TAG);
    PUCHAR pp = ExAllocatePoolWithTag(PagedPool, 100, KT_TAG);
    KT_ASSERT(np && pp);
    KT_ASSERT((ULONG)np >= MI_NONPAGED_POOL_START && (ULONG)np <= MI_NONPAGED_POOL_END);
    KT_ASSERT((ULONG)pp >= MI_PAGED_POOL_START && (ULONG)pp <= MI_PAGED_POOL_END);
    KT_EQ((ULONG)np & 7, 0);
    KT_EQ(((PPOOL_HEADER)np - 1)->PoolTag, KT_TAG);
    memset(np, 1, 100);
    memset(pp, 2, 100);
    ExFreePoolWithTag(np, KT_TAG);
    ExFreePoolWithTag(pp, KT_TAG);
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool), 0);
    KT_EQ(ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}

KTEST(pool, big_allocation_takes_and_returns_whole_pages)
{
    /* Once first: the big-allocation table takes a page of its own. */
    ExFreePool(ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE + 1, KT_TAG));
    ULONG before = MiPoolPagesInUse(NonPagedPool);
    PUCHAR big = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE + 1, KT_TAG);
    KT_ASSERT(big != NULL);
    KT_EQ(BYTE_OFFSET(big), 0);
    KT_EQ(MiPoolPagesInUse(NonPagedPool), before + 4);
    memset(big, 0xCC, 3 * PAGE_SIZE + 1);
    ExFreePool(big);
    KT_EQ(MiPoolPagesInUse(NonPagedPool), before);
}

KTEST(pool, paged_pool_at_dispatch_bugchecks_0xc2_8)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExAllocatePoolWithTag(PagedPool, 16, KT_TAG));
    KT_EQ(KtLastBugCheck.Parameter[0], 8);
    KT_EQ(KtLastBugCheck.Parameter[1], DISPATCH_LEVEL);
    KeLowerIrql(old);
}

KTEST(pool, tag_mismatch_on_free_bugchecks_0xc2_0xa)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 32, KT_TAG);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(p, 'gnrW'));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x0A);
    ExFreePoolWithTag(p, KT_TAG);
}

/* Seed 004: a driver keeps a LIST_ENTRY list of pool blocks. */
typedef struct _KT_RECORD {
    ULONG Number;
    LIST_ENTRY ListEntry;
} KT_RECORD;

KTEST(pool, seed004_list_of_pool_blocks)
{
    LIST_ENTRY head;
    InitializeListHead(&head);
    for (ULONG i = 0; i < 10; i++) {
        KT_RECORD *r = ExAllocatePoolWithTag(PagedPool, sizeof(KT_RECORD), KT_TAG);
        KT_ASSERT(r != NULL);
        r->Number = i;
        InsertHeadList(&head, &r->ListEntry);
    }
    ULONG expect = 9;
    while (!IsListEmpty(&head)) {
        KT_RECORD *r = CONTAINING_RECORD(RemoveHeadList(&head), KT_RECORD, ListEntry);
        KT_EQ(r->Number, expect--);
        ExFreePoolWithTag(r, KT_TAG);
    }
    KT_EQ(ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}

/* Seed 004: 50 allocations from a lookaside list, then 50 frees. */
KTEST(pool, seed004_fifty_lookaside_allocations)
{
    NPAGED_LOOKASIDE_LIST la;
    PVOID blocks[50];
    ExInitializeNPagedLookasideList(&la, NULL, NULL, 0, 48, KT_TAG, 0);
    for (int i = 0; i < 50; i++) {
        blocks[i] = ExAllocateFromNPagedLookasideList(&la);
        KT_ASSERT(blocks[i] != NULL);
    }
    for (int i = 0; i < 50; i++)
        ExFreeToNPagedLookasideList(&la, blocks[i]);
    KT_EQ(la.L.TotalAllocates, 50);
    KT_EQ(la.L.AllocateMisses, 50);
    KT_EQ(la.L.TotalFrees, 50);
    KT_EQ(la.L.FreeMisses, 50 - la.L.Depth);
    ExDeleteNPagedLookasideList(&la);
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool), 0);
}

KTEST(pool, storm_of_mixed_sizes_leaves_no_leak)
{
    static PUCHAR held[256];
    static ULONG size[256];
    ULONG seed = 1;
    for (ULONG step = 0; step < 20000; step++) {
        seed = seed * 1103515245 + 12345;
        ULONG slot = (seed >> 16) & 255;
        if (held[slot]) {
            for (ULONG i = 0; i < size[slot]; i += 61)
                KT_EQ(held[slot][i], (UCHAR)slot);
            ExFreePoolWithTag(held[slot], KT_TAG);
            held[slot] = NULL;
        } else {
            seed = seed * 1103515245 + 12345;
            size[slot] = 1 + ((seed >> 8) % ((seed & 0x100) ? 6000 : 300));
            held[slot] = ExAllocatePoolWithTag((slot & 1) ? PagedPool : NonPagedPool, size[slot], KT_TAG);
            KT_ASSERT(held[slot] != NULL);
            memset(held[slot], (UCHAR)slot, size[slot]);
        }
        if (step % 1000 == 0) {
            ExpValidatePool(NonPagedPool);
            ExpValidatePool(PagedPool);
        }
    }
    for (ULONG s = 0; s < 256; s++)
        if (held[s]) {
            ExFreePoolWithTag(held[s], KT_TAG);
            held[s] = NULL;
        }
    ExpValidatePool(NonPagedPool);
    ExpValidatePool(PagedPool);
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool), 0);
    KT_EQ(ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}
