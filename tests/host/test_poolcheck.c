/*
 * Host tests for mm/poolcheck.c: damaged headers caught on free and by the
 * whole-pool validator, with BAD_POOL_HEADER (0x19) and the subcodes of
 * Microsoft's bug check reference (3 free list, 5 neighbours disagree,
 * 8/9 bad size, 0x20 size against the next block's PreviousSize). Each
 * test repairs what it broke before freeing, so the pool stays whole.
 */
// HOST_SOURCES: mm/pool.c mm/poolblock.c mm/poolpage.c mm/pooltag.c mm/poolcheck.c mm/lookaside.c tests/host/pool_host_env.c
#include "pool_test.h"

#define TAG_CHCK TAG('C', 'h', 'c', 'k')

/* An overrun of A into the header after it: free A sees the next block's
 * PreviousSize disagree: 0x19/0x20 (A's header, the next header, 0). */
HTEST(poolcheck, overrun_into_next_header_bugchecks_0x20_on_free)
{
    PUCHAR A = ExAllocatePoolWithTag(NonPagedPool, 600, TAG_CHCK);
    PUCHAR B = ExAllocatePoolWithTag(NonPagedPool, 600, TAG_CHCK);
    PPOOL_HEADER Header = PoolHeaderOf(A);
    PPOOL_HEADER Next = ExpBlockAt(Header, Header->BlockSize);
    if (ExpUnitInPage(Next) == 0) {     /* A ends its page: use B */
        PUCHAR T = A; A = B; B = T;
        Header = PoolHeaderOf(A);
        Next = ExpBlockAt(Header, Header->BlockSize);
    }
    HT_ASSERT(ExpUnitInPage(Next) != 0);
    POOL_HEADER Saved = *Next;
    RtlFillMemory(Next, 4, 0x41);       /* a string ran 4 bytes too far */
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExFreePool(A));
    HT_EQ(htest_bugcheck_params[0], 0x20);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)Header);
    HT_EQ(htest_bugcheck_params[2], (ULONG_PTR)Next);
    PoolHostResetIrql();
    *Next = Saved;
    ExFreePool(A);
    ExFreePool(B);
    ValidateBothPools();
}

/* The block before disagrees with this one's PreviousSize: 0x19/5 (the
 * previous header, 0, this header). */
HTEST(poolcheck, previous_header_disagreeing_bugchecks_0x5)
{
    PUCHAR A = ExAllocatePoolWithTag(PagedPool, 700, TAG_CHCK);
    PUCHAR B = ExAllocatePoolWithTag(PagedPool, 700, TAG_CHCK);
    PUCHAR Victim = PoolHeaderOf(A)->PreviousSize ? A : B;
    PPOOL_HEADER Header = PoolHeaderOf(Victim);
    HT_ASSERT(Header->PreviousSize != 0);
    PPOOL_HEADER Previous = ExpBlockAt(Header, -(LONG)Header->PreviousSize);
    POOL_HEADER Saved = *Previous;
    Previous->BlockSize = Previous->BlockSize + 1;
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExFreePool(Victim));
    HT_EQ(htest_bugcheck_params[0], 0x5);
    HT_EQ(htest_bugcheck_params[1], (ULONG_PTR)Previous);
    HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)Header);
    PoolHostResetIrql();
    /* The validator finds the same damage without a free. */
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExpValidatePool(PagedPool));
    HT_ASSERT(htest_bugcheck_params[0] == 0x5 || htest_bugcheck_params[0] == 0x9);
    PoolHostResetIrql();
    *Previous = Saved;
    ExFreePool(A);
    ExFreePool(B);
    ValidateBothPools();
}

/* A size of zero (0x19/8) or one running past the page (0x19/9). */
HTEST(poolcheck, impossible_block_sizes_bugcheck_0x8_and_0x9)
{
    PUCHAR First = ExAllocatePoolWithTag(NonPagedPool, 300, TAG_CHCK);
    PUCHAR Second = ExAllocatePoolWithTag(NonPagedPool, 300, TAG_CHCK);
    PUCHAR A = ExpUnitInPage(PoolHeaderOf(First)) ? First : Second;   /* not at offset 0 */
    PPOOL_HEADER Header = PoolHeaderOf(A);
    HT_ASSERT(ExpUnitInPage(Header) != 0);
    POOL_HEADER Saved = *Header;
    Header->BlockSize = 0;
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExFreePool(A));
    HT_EQ(htest_bugcheck_params[0], 0x8);
    HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)Header);
    PoolHostResetIrql();
    Header->BlockSize = 511;
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExFreePool(A));
    HT_EQ(htest_bugcheck_params[0], 0x9);
    HT_EQ(htest_bugcheck_params[3], (ULONG_PTR)Header);
    PoolHostResetIrql();
    *Header = Saved;
    ExFreePool(First);
    ExFreePool(Second);
    ValidateBothPools();
}

/* A free block's list link overwritten (a use after free): the validator
 * bugchecks 0x19/3 (the entry, Flink->Blink, Blink->Flink). */
HTEST(poolcheck, damaged_free_list_link_bugchecks_0x3)
{
    PUCHAR A = ExAllocatePoolWithTag(NonPagedPool, 1500, TAG_CHCK);
    PUCHAR B = ExAllocatePoolWithTag(NonPagedPool, 1500, TAG_CHCK);
    ExFreePool(A);      /* too big for a pool lookaside list: on a free list */
    PPOOL_HEADER Free = NULL;
    for (ULONG Size = POOL_MINIMUM_LISTED_BLOCK; Size < POOL_LIST_HEADS && !Free; Size++)
        if (!IsListEmpty(&ExpPoolVector[NonPagedPool].ListHeads[Size]))
            Free = &CONTAINING_RECORD(ExpPoolVector[NonPagedPool].ListHeads[Size].Flink,
                                      POOL_FREE_BLOCK, ListEntry)->Header;
    HT_ASSERT(Free != NULL);
    PLIST_ENTRY Link = ExpFreeLink(Free);
    PLIST_ENTRY Saved = Link->Flink;
    static LIST_ENTRY Stray;
    Stray.Flink = Stray.Blink = &Stray;
    Link->Flink = &Stray;
    HT_EXPECT_BUGCHECK(BAD_POOL_HEADER, ExpValidatePool(NonPagedPool));
    HT_EQ(htest_bugcheck_params[0], 0x3);
    PoolHostResetIrql();
    Link->Flink = Saved;
    ExFreePool(B);
    ValidateBothPools();
}

/* The validator walks every small page: the count is the descriptor's. */
HTEST(poolcheck, validator_walks_every_page)
{
    PVOID Blocks[40];
    EXP_POOL_USAGE Usage;
    for (int i = 0; i < 40; i++)
        Blocks[i] = ExAllocatePoolWithTag(PagedPool, 1000 + i, TAG_CHCK);
    ExpQueryPoolUsage(PagedPool, &Usage);
    HT_ASSERT(Usage.TotalPages >= 10);
    HT_EQ(ExpValidatePool(PagedPool), Usage.TotalPages);
    for (int i = 0; i < 40; i++)
        ExFreePool(Blocks[i]);
    FlushPoolCaches();
    HT_EQ(ExpValidatePool(PagedPool), 0);
    HT_EQ(UnaccountedPages(), 0);
}
