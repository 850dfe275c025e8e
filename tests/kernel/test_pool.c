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

/* Calls that bugcheck 0x9B (tag 0), whose fourth parameter is the
 * caller's address: one in the helper, just after its call. */
static __attribute__((noinline)) void KtAllocateTagZero(void)
{
    ExAllocatePoolWithTag(NonPagedPool, 24, 0);
}

static __attribute__((noinline)) void KtAllocateQuotaTagZero(void)
{
    ExAllocatePoolWithQuotaTag(PagedPool, 24, 0);
}

/* Microsoft's bug check reference, 0xC2 0x9B: (0x9B, pool type, bytes,
 * the caller's address). The pool reads that address from its frame only
 * on the slow path; it must be the call's return address in the helper. */
KTEST(pool, tag_zero_bugchecks_0x9b_with_the_callers_address)
{
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, KtAllocateTagZero());
    KT_EQ(KtLastBugCheck.Parameter[0], 0x9B);
    KT_EQ(KtLastBugCheck.Parameter[1], NonPagedPool);
    KT_EQ(KtLastBugCheck.Parameter[2], 24);
    KT_ASSERT(KtLastBugCheck.Parameter[3] > (ULONG_PTR)KtAllocateTagZero &&
              KtLastBugCheck.Parameter[3] < (ULONG_PTR)KtAllocateTagZero + 64);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, KtAllocateQuotaTagZero());
    KT_EQ(KtLastBugCheck.Parameter[0], 0x9B);
    KT_ASSERT(KtLastBugCheck.Parameter[3] > (ULONG_PTR)KtAllocateQuotaTagZero &&
              KtLastBugCheck.Parameter[3] < (ULONG_PTR)KtAllocateQuotaTagZero + 64);
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

/*
 * Addresses the pool never handed out, on the kernel's pages: the page map
 * of the pool regions (mm/poolmap.c) answers without reading the address,
 * so an unmapped one bugchecks as cleanly as a mapped one. Microsoft's bug
 * check reference for 0xC2: 0x42 "an address that was never in any pool"
 * (address, 0, 0); 0x46 a page-aligned one that is no big allocation;
 * 0x99 an address inside a block, whose "header" is the caller's data.
 */
KTEST(pool, free_of_addresses_in_no_pool_page_bugchecks_0x42)
{
    static ULONG outside[4];
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(&outside[2]));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x42);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)&outside[2]);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool((PUCHAR)&outside[2] - 4));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x42);

    for (ULONG type = NonPagedPool; type <= PagedPool; type++) {
        /* Mapped, in the region, but whole pages of a big allocation. */
        PUCHAR big = ExAllocatePoolWithTag((POOL_TYPE)type, 2 * PAGE_SIZE, KT_TAG);
        KT_ASSERT(big != NULL);
        KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(big + PAGE_SIZE + 16));
        KT_EQ(KtLastBugCheck.Parameter[0], 0x42);
        KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)(big + PAGE_SIZE + 16));
        ExFreePoolWithTag(big, KT_TAG);
        /* In the region, no longer mapped. */
        KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(big + 16));
        KT_EQ(KtLastBugCheck.Parameter[0], 0x42);
        KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(big));
        KT_EQ(KtLastBugCheck.Parameter[0], 0x46);
    }
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool) + ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}

KTEST(pool, free_inside_a_block_bugchecks_0x99)
{
    PUCHAR block = ExAllocatePoolWithTag(PagedPool, 512, KT_TAG);
    KT_ASSERT(block != NULL);
    memset(block, 0, 512);
    PPOOL_HEADER fake = (PPOOL_HEADER)(block + 64) - 1;
    fake->PoolType = NonPagedPool + 1;      /* caller data that looks in use, of the other pool */
    fake->BlockSize = 2;
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(block + 64));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x99);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)(block + 64));
    /* Less than a header into a pool page: the "header" would be on the
     * page before. */
    PUCHAR page = PAGE_ALIGN(block);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(page + 4));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x99);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)(page + 4));
    ExFreePoolWithTag(block, KT_TAG);
    KT_EQ(ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}

/* A second free, after the first cached the block in a pool lookaside
 * list (<= 256 bytes) or gave it to the free lists: 0xC2 0x07 (0, header
 * contents, address). */
KTEST(pool, double_free_bugchecks_0x07)
{
    static const SIZE_T sizes[2] = { 40, 1000 };
    for (volatile ULONG i = 0; i < 2; i++) {
        PVOID p = ExAllocatePoolWithTag(NonPagedPool, sizes[i], KT_TAG);
        PVOID keep = ExAllocatePoolWithTag(NonPagedPool, sizes[i], KT_TAG);
        KT_ASSERT(p && keep);
        ExFreePoolWithTag(p, KT_TAG);
        KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(p, KT_TAG));
        KT_EQ(KtLastBugCheck.Parameter[0], 0x07);
        KT_EQ(KtLastBugCheck.Parameter[2], ((PPOOL_HEADER)p - 1)->Ulong1);
        KT_EQ(KtLastBugCheck.Parameter[3], (ULONG_PTR)p);
        ExFreePoolWithTag(keep, KT_TAG);
    }
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool), 0);
    ExpValidatePool(NonPagedPool);
}

/* A free at an IRQL above the block's pool: 0xC2 0x09 (IRQL, pool type,
 * address), checked before the block is cached. */
KTEST(pool, free_of_paged_block_at_dispatch_bugchecks_0x09)
{
    PVOID p = ExAllocatePoolWithTag(PagedPool, 24, KT_TAG);
    KT_ASSERT(p != NULL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(p, KT_TAG));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x09);
    KT_EQ(KtLastBugCheck.Parameter[1], DISPATCH_LEVEL);
    KT_EQ(KtLastBugCheck.Parameter[2], PagedPool);
    KT_EQ(KtLastBugCheck.Parameter[3], (ULONG_PTR)p);
    KeLowerIrql(old);
    ExFreePoolWithTag(p, KT_TAG);
    KT_EQ(ExpPoolTagBytes(KT_TAG, PagedPool), 0);
}

/* An overrun into the next block's header, caught by the free that would
 * cache the block: BAD_POOL_HEADER 0x20 (entry, next entry, 0). Nothing
 * changed before the bugcheck, so the repaired block frees normally. */
KTEST(pool, overrun_into_next_header_bugchecks_0x19_0x20)
{
    PUCHAR blocks[8];
    PPOOL_HEADER next = NULL;
    volatile ULONG victim = 0;
    for (ULONG i = 0; i < 8; i++) {
        blocks[i] = ExAllocatePoolWithTag(NonPagedPool, 40, KT_TAG);
        KT_ASSERT(blocks[i] != NULL);
    }
    /* One of them has a next header in its page. */
    for (ULONG i = 0; i < 8 && next == NULL; i++) {
        PPOOL_HEADER entry = (PPOOL_HEADER)blocks[i] - 1;
        PPOOL_HEADER after = entry + entry->BlockSize;
        if (BYTE_OFFSET(after) != 0) {
            next = after;
            victim = i;
        }
    }
    KT_ASSERT(next != NULL);
    ULONG saved = next->Ulong1;
    next->PreviousSize = 1;
    KT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExFreePoolWithTag(blocks[victim], KT_TAG));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x20);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)((PPOOL_HEADER)blocks[victim] - 1));
    KT_EQ(KtLastBugCheck.Parameter[2], (ULONG_PTR)next);
    next->Ulong1 = saved;
    for (ULONG i = 0; i < 8; i++)
        ExFreePoolWithTag(blocks[i], KT_TAG);
    KT_EQ(ExpPoolTagBytes(KT_TAG, NonPagedPool), 0);
    ExpValidatePool(NonPagedPool);
}
