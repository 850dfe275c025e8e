/*
 * Host tests for mm/pool.c: ExAllocatePool*, ExFreePool* and the small-block
 * carve/coalesce, each misuse bugcheck with NT's code and parameters
 * (Microsoft's bug check reference for 0xC2 BAD_POOL_CALLER and 0x41
 * MUST_SUCCEED_POOL_EMPTY; ntos/ex/pool.c for the x86 layout).
 */
// HOST_SOURCES: mm/pool.c mm/poolblock.c mm/poolpage.c mm/pooltag.c mm/poolcheck.c mm/lookaside.c tests/host/pool_host_env.c
#include "pool_test.h"

#define TAG_TEST TAG('T', 'e', 's', 't')

/* Every size from 0 to 4080 in steps: 8-aligned, in a small block with the
 * header NT x86 writes (size in 8-byte units, header included). */
HTEST(pool, small_blocks_are_8_aligned_with_x86_headers)
{
    for (SIZE_T Size = 0; Size <= POOL_BUDDY_MAX; Size += (Size < 64 ? 1 : 61)) {
        PUCHAR P = ExAllocatePoolWithTag(NonPagedPool, Size, TAG_TEST);
        HT_ASSERT(P != NULL);
        HT_EQ((ULONG_PTR)P % 8, 0);
        HT_ASSERT(BYTE_OFFSET(P) != 0);
        PPOOL_HEADER Header = PoolHeaderOf(P);
        ULONG Units = Size <= 8 ? 2 : (ULONG)((Size + 8 + 7) / 8);
        HT_EQ(Header->BlockSize, Units);
        HT_EQ(Header->PoolType, NonPagedPool + 1);
        HT_EQ(Header->PoolTag, TAG_TEST);
        RtlFillMemory(P, Size, 0x5A);   /* all of it is ours: ASan and the validator agree */
        ValidateBothPools();
        ExFreePoolWithTag(P, TAG_TEST);
    }
    ValidateBothPools();
    HT_EQ(ExpPoolTagBytes(TAG_TEST, NonPagedPool), 0);
}

/* NT's free build: a zero-byte request gets a valid block, not NULL. */
HTEST(pool, zero_bytes_gives_the_smallest_block)
{
    PVOID P = ExAllocatePoolWithTag(PagedPool, 0, TAG_TEST);
    HT_ASSERT(P != NULL);
    HT_EQ(PoolHeaderOf(P)->BlockSize, POOL_MINIMUM_BLOCK);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 16);
    ExFreePool(P);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 0);
}

/* 4080 (PAGE_SIZE - 16) is the largest small block; 4081 takes a page. */
HTEST(pool, above_4080_bytes_takes_whole_pages)
{
    EXP_POOL_USAGE Before, After;
    ExpQueryPoolUsage(PagedPool, &Before);
    PVOID Small = ExAllocatePoolWithTag(PagedPool, 4080, TAG_TEST);
    PVOID Big = ExAllocatePoolWithTag(PagedPool, 4081, TAG_TEST);
    PVOID Bigger = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE + 1, TAG_TEST);
    HT_ASSERT(Small && Big && Bigger);
    HT_ASSERT(BYTE_OFFSET(Small) != 0);
    HT_EQ(BYTE_OFFSET(Big), 0);
    HT_EQ(BYTE_OFFSET(Bigger), 0);
    ExpQueryPoolUsage(PagedPool, &After);
    HT_EQ(After.TotalBigPages - Before.TotalBigPages, 1 + 4);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 4088 + PAGE_SIZE + 4 * PAGE_SIZE);
    RtlFillMemory(Bigger, 3 * PAGE_SIZE + 1, 1);
    ValidateBothPools();
    ExFreePoolWithTag(Bigger, TAG_TEST);
    ExFreePoolWithTag(Big, TAG_TEST);
    ExFreePoolWithTag(Small, TAG_TEST);
    ExpQueryPoolUsage(PagedPool, &After);
    HT_EQ(After.TotalBigPages, Before.TotalBigPages);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 0);
}

HTEST(pool, cache_aligned_types_align_to_64)
{
    PVOID Blocks[64];
    for (ULONG i = 0; i < 64; i++) {
        POOL_TYPE Type = (i & 1) ? PagedPoolCacheAligned : NonPagedPoolCacheAligned;
        Blocks[i] = ExAllocatePoolWithTag(Type, 1 + i * 37, TAG_TEST);
        HT_ASSERT(Blocks[i] != NULL);
        HT_EQ((ULONG_PTR)Blocks[i] % EXP_CACHE_LINE_SIZE, 0);
        RtlFillMemory(Blocks[i], 1 + i * 37, 0xC3);
    }
    ValidateBothPools();
    for (ULONG i = 0; i < 64; i++)
        ExFreePoolWithTag(Blocks[i], TAG_TEST);
    ValidateBothPools();
    HT_EQ(ExpPoolTagBytes(TAG_TEST, NonPagedPool) + ExpPoolTagBytes(TAG_TEST, PagedPool), 0);
}

/* NT x86 carves from the front of a free block that starts its page and
 * from the end otherwise; freeing everything coalesces the page whole and
 * gives it back. Sizes above 256 bytes bypass the pool lookaside lists. */
HTEST(pool, carve_and_coalesce_give_the_page_back)
{
    FlushPoolCaches();
    ULONG Pages = PoolHostPagesInUse(NonPagedPool);
    EXP_POOL_USAGE Usage;
    ExpQueryPoolUsage(NonPagedPool, &Usage);
    ULONG SmallPages = Usage.TotalPages;

    PUCHAR A = ExAllocatePoolWithTag(NonPagedPool, 2000, TAG_TEST);   /* 251 units */
    PUCHAR B = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG_TEST);   /* 126 units */
    PUCHAR C = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG_TEST);
    HT_ASSERT(A && B && C);
    ExpQueryPoolUsage(NonPagedPool, &Usage);
    if (Usage.TotalPages == SmallPages + 1) {
        /* All three came from one new page: A at its front, B at its end,
         * C just before B; 9 free units between A and C. */
        HT_EQ(BYTE_OFFSET(A), 8);
        HT_EQ(BYTE_OFFSET(B), PAGE_SIZE - 126 * 8 + 8);
        HT_ASSERT(C + 126 * 8 == B);
        HT_EQ(PoolHeaderOf(C)->PreviousSize, 9);
        HT_EQ(PoolHeaderOf(C + 126 * 8)->PreviousSize, 126);
    }
    ValidateBothPools();
    ExFreePool(B);
    ExFreePool(A);
    ValidateBothPools();
    ExFreePool(C);
    ValidateBothPools();
    HT_EQ(PoolHostPagesInUse(NonPagedPool), Pages);
    ExpQueryPoolUsage(NonPagedPool, &Usage);
    HT_EQ(Usage.TotalPages, SmallPages);
}

/* The seed's LinkListTest: a LIST_ENTRY list of pool blocks. */
typedef struct _MYDATASTRUCT {
    ULONG number;
    LIST_ENTRY ListEntry;
} MYDATASTRUCT, *PMYDATASTRUCT;

HTEST(pool, seed004_list_of_pool_blocks)
{
    LIST_ENTRY linkListHead;
    SIZE_T Before = ExpPoolTagBytes(EXP_DEFAULT_POOL_TAG, PagedPool);
    InitializeListHead(&linkListHead);
    for (ULONG i = 0; i < 10; i++) {
        PMYDATASTRUCT pData = ExAllocatePool(PagedPool, sizeof(MYDATASTRUCT));
        HT_ASSERT(pData != NULL);
        HT_EQ(PoolHeaderOf(pData)->PoolTag, EXP_DEFAULT_POOL_TAG);   /* 'None' */
        pData->number = i;
        InsertHeadList(&linkListHead, &pData->ListEntry);
    }
    ULONG Expected = 0;
    while (!IsListEmpty(&linkListHead)) {
        PLIST_ENTRY pEntry = RemoveTailList(&linkListHead);
        PMYDATASTRUCT pData = CONTAINING_RECORD(pEntry, MYDATASTRUCT, ListEntry);
        HT_EQ(pData->number, Expected++);
        ExFreePool(pData);
    }
    HT_EQ(Expected, 10);
    HT_EQ(ExpPoolTagBytes(EXP_DEFAULT_POOL_TAG, PagedPool), Before);
    ValidateBothPools();
}

/* ---- exhaustion -------------------------------------------------------------- */

HTEST(pool, exhausted_region_returns_null)
{
    FlushPoolCaches();
    PoolHostSetPageLimit(PagedPool, PoolHostPagesInUse(PagedPool));
    PVOID Big = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, TAG_TEST);
    PVOID Small = ExAllocatePoolWithTag(PagedPool, 4000, TAG_TEST);   /* fits no free block */
    PoolHostSetPageLimit(PagedPool, ~0u);
    HT_EQ(Big, NULL);
    HT_EQ(Small, NULL);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 0);
    ValidateBothPools();
}

/* As Server 2003's pool: must-succeed pool that cannot be had bugchecks
 * MUST_SUCCEED_POOL_EMPTY (bytes wanted from the page layer, nonpaged
 * pages, nonpaged big pages, 0). When pages are there it is nonpaged pool. */
HTEST(pool, must_succeed_bugchecks_0x41_when_empty)
{
    PVOID P = ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 100, TAG_TEST);
    HT_ASSERT(P != NULL);
    HT_EQ(PoolHeaderOf(P)->PoolType, NonPagedPool + 1);
    ExFreePool(P);

    FlushPoolCaches();
    EXP_POOL_USAGE Usage;
    ExpQueryPoolUsage(NonPagedPool, &Usage);
    PoolHostSetPageLimit(NonPagedPool, PoolHostPagesInUse(NonPagedPool));
    HT_EXPECT_BUGCHECK(MUST_SUCCEED_POOL_EMPTY,
                       ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 2 * PAGE_SIZE, TAG_TEST));
    PoolHostSetPageLimit(NonPagedPool, ~0u);
    HT_EQ(htest_bugcheck_params[0], 2 * PAGE_SIZE);
    HT_EQ(htest_bugcheck_params[1], Usage.TotalPages);
    HT_EQ(htest_bugcheck_params[2], Usage.TotalBigPages);
    ValidateBothPools();
}

/* POOL_RAISE_IF_ALLOCATION_FAILURE and the quota calls raise
 * STATUS_INSUFFICIENT_RESOURCES; with no exception handling yet the raise
 * is unhandled: KMODE_EXCEPTION_NOT_HANDLED (status, address, 0, 0). */
HTEST(pool, raise_on_failure_is_an_unhandled_exception)
{
    FlushPoolCaches();
    PoolHostSetPageLimit(PagedPool, PoolHostPagesInUse(PagedPool));
    HT_EXPECT_BUGCHECK(KMODE_EXCEPTION_NOT_HANDLED,
                       ExAllocatePoolWithTag(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE,
                                             2 * PAGE_SIZE, TAG_TEST));
    HT_EQ(htest_bugcheck_params[0], (ULONG)STATUS_INSUFFICIENT_RESOURCES);
    HT_EXPECT_BUGCHECK(KMODE_EXCEPTION_NOT_HANDLED, ExAllocatePoolWithQuota(PagedPool, 2 * PAGE_SIZE));
    HT_EXPECT_BUGCHECK(KMODE_EXCEPTION_NOT_HANDLED,
                       ExAllocatePoolWithQuotaTag(PagedPool, 2 * PAGE_SIZE, TAG_TEST));
    PVOID P = ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE,
                                         2 * PAGE_SIZE, TAG_TEST);
    PoolHostSetPageLimit(PagedPool, ~0u);
    HT_EQ(P, NULL);
    ValidateBothPools();
}

HTEST(pool, quota_calls_allocate_without_charging)
{
    PVOID A = ExAllocatePoolWithQuota(NonPagedPool, 40);
    PVOID B = ExAllocatePoolWithQuotaTag(PagedPool, 5000, TAG_TEST);
    PVOID C = ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 40, TAG_TEST);
    HT_ASSERT(A && B && C);
    HT_EQ(PoolHeaderOf(A)->PoolTag, EXP_DEFAULT_POOL_TAG);
    HT_EQ(PoolHeaderOf(C)->PoolType, PagedPool + 1);
    ExFreePool(A);
    ExFreePoolWithTag(B, TAG_TEST);
    ExFreePoolWithTag(C, TAG_TEST);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, PagedPool), 0);
}

/* ---- caller errors: BAD_POOL_CALLER ---------------------------------------------- */

HTEST(pool, tag_zero_bugchecks_0x9B)
{
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExAllocatePoolWithTag(PagedPool, 24, 0));
    HT_EQ(htest_bugcheck_params[0], 0x9B);
    HT_EQ(htest_bugcheck_params[1], PagedPool);
    HT_EQ(htest_bugcheck_params[2], 24);
    HT_ASSERT(htest_bugcheck_params[3] != 0);   /* the caller's address */
}

HTEST(pool, tag_big_bugchecks_0x9C)
{
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER,
                       ExAllocatePoolWithTag(NonPagedPool, 24, TAG('B', 'I', 'G', ' ')));
    HT_EQ(htest_bugcheck_params[0], 0x9C);
}

HTEST(pool, dont_use_this_type_bugchecks_0x9A)
{
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExAllocatePoolWithTag(DontUseThisType, 24, TAG_TEST));
    HT_EQ(htest_bugcheck_params[0], 0x9A);
    HT_EQ(htest_bugcheck_params[1], DontUseThisType);
    HT_EQ(htest_bugcheck_params[2], 24);
    HT_EQ(htest_bugcheck_params[3], TAG_TEST);
}

/* Paged pool up to APC_LEVEL, nonpaged up to DISPATCH_LEVEL; above:
 * 0xC2 subcode 8 (IRQL, pool type, size). */
HTEST(pool, allocate_above_irql_bugchecks_0x08)
{
    PoolHostIrql = APC_LEVEL;
    PVOID P = ExAllocatePoolWithTag(PagedPool, 10, TAG_TEST);
    PoolHostIrql = DISPATCH_LEVEL;
    PVOID Q = ExAllocatePoolWithTag(NonPagedPool, 10, TAG_TEST);
    HT_ASSERT(P && Q);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExAllocatePoolWithTag(PagedPool, 10, TAG_TEST));
    HT_EQ(htest_bugcheck_params[0], 0x08);
    HT_EQ(htest_bugcheck_params[1], DISPATCH_LEVEL);
    HT_EQ(htest_bugcheck_params[2], PagedPool);
    HT_EQ(htest_bugcheck_params[3], 10);
    PoolHostIrql = DISPATCH_LEVEL + 1;
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExAllocatePoolWithTag(NonPagedPool, 5000, TAG_TEST));
    HT_EQ(htest_bugcheck_params[0], 0x08);
    HT_EQ(htest_bugcheck_params[1], DISPATCH_LEVEL + 1);
    PoolHostResetIrql();
    ExFreePool(P);
    ExFreePool(Q);
}

/* 0xC2 subcode 9 (IRQL, pool type, address), small and big blocks. */
HTEST(pool, free_above_irql_bugchecks_0x09)
{
    PVOID Small = ExAllocatePoolWithTag(PagedPool, 100, TAG_TEST);
    PVOID Big = ExAllocatePoolWithTag(PagedPool, 9000, TAG_TEST);
    PoolHostIrql = DISPATCH_LEVEL;
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Small));
    HT_EQ(htest_bugcheck_params[0], 0x09);
    HT_EQ(htest_bugcheck_params[1], DISPATCH_LEVEL);
    HT_EQ(htest_bugcheck_params[2], PagedPool);
    HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)Small);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Big));
    HT_EQ(htest_bugcheck_params[0], 0x09);
    HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)Big);
    PoolHostResetIrql();
    ExFreePool(Small);
    ExFreePool(Big);
    ValidateBothPools();
}

/* 0xC2 subcode 7 (0, header contents, address): a block freed twice, both
 * when the first free cached it in a pool lookaside list (<= 256 bytes)
 * and when it went to the free lists. */
HTEST(pool, double_free_bugchecks_0x07)
{
    static const SIZE_T Sizes[2] = { 40, 1000 };
    for (volatile int i = 0; i < 2; i++) {
        PVOID P = ExAllocatePoolWithTag(NonPagedPool, Sizes[i], TAG_TEST);
        PVOID Keep = ExAllocatePoolWithTag(NonPagedPool, Sizes[i], TAG_TEST);
        ExFreePool(P);
        HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(P));
        HT_EQ(htest_bugcheck_params[0], 0x07);
        HT_EQ(htest_bugcheck_params[2], PoolHeaderOf(P)->Ulong1);
        HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)P);
        PoolHostResetIrql();
        ExFreePool(Keep);
    }
    ValidateBothPools();
}

/* 0xC2 subcode 0x0A (address, allocator's tag, tag used); ExFreePool (tag
 * 0) skips the check unless the tag is PROTECTED_POOL. */
HTEST(pool, wrong_tag_bugchecks_0x0A)
{
    PVOID Small = ExAllocatePoolWithTag(PagedPool, 64, TAG_TEST);
    PVOID Big = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, TAG_TEST);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(Small, TAG('O', 't', 'h', 'r')));
    HT_EQ(htest_bugcheck_params[0], 0x0A);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)Small);
    HT_EQ(htest_bugcheck_params[2], TAG_TEST);
    HT_EQ(htest_bugcheck_params[3], TAG('O', 't', 'h', 'r'));
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(Big, TAG('O', 't', 'h', 'r')));
    HT_EQ(htest_bugcheck_params[0], 0x0A);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)Big);
    PoolHostResetIrql();
    ExFreePoolWithTag(Small, TAG_TEST | PROTECTED_POOL);   /* the bit is ignored */
    ExFreePool(Big);

    PVOID Protected = ExAllocatePoolWithTag(NonPagedPool, 64, TAG_TEST | PROTECTED_POOL);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Protected));
    HT_EQ(htest_bugcheck_params[0], 0x0A);
    PoolHostResetIrql();
    ExFreePoolWithTag(Protected, TAG_TEST | PROTECTED_POOL);
    HT_EQ(ExpPoolTagBytes(TAG_TEST, NonPagedPool), 0);
    ValidateBothPools();
}

/* Addresses the pool never handed out: in no pool page, 0xC2 subcode 0x42
 * (address, 0, 0); page aligned but no big allocation, 0x46 (address, 0,
 * 0); inside a block, where the "header" is the caller's data, 0x99. */
HTEST(pool, foreign_addresses_bugcheck)
{
    static ULONG Outside[4];
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(&Outside[2]));
    HT_EQ(htest_bugcheck_params[0], 0x42);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)&Outside[2]);

    PUCHAR Big = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG_TEST);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Big + PAGE_SIZE));
    HT_EQ(htest_bugcheck_params[0], 0x46);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)(Big + PAGE_SIZE));
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(NULL));
    HT_EQ(htest_bugcheck_params[0], 0x46);
    ExFreePool(Big);
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Big));   /* a big double free */
    HT_EQ(htest_bugcheck_params[0], 0x46);

    PUCHAR Block = ExAllocatePoolWithTag(PagedPool, 512, TAG_TEST);
    RtlZeroMemory(Block, 512);
    PoolHeaderOf(Block + 64)->PoolType = 5;      /* caller data that looks in use */
    PoolHeaderOf(Block + 64)->BlockSize = 2;
    HT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePool(Block + 64));
    HT_EQ(htest_bugcheck_params[0], 0x99);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)(Block + 64));
    ExFreePool(Block);
    ValidateBothPools();
}

HTEST(pool, no_page_is_lost)
{
    FlushPoolCaches();
    HT_EQ(UnaccountedPages(), 0);
}
