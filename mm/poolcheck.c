/*
 * poolcheck.c - the pool's consistency checks: the neighbour check every
 * free runs, the free-list link check, and the whole-pool validator the
 * tests run after every step (and a debug build may run on entry and exit
 * of every pool call). NT counterpart: ExpCheckSingleFilledPage,
 * CHECK_POOL_HEADER and CHECK_LIST in ntos/ex/pool.c.
 *
 * Damage on a pool page bugchecks BAD_POOL_HEADER (0x19) with the subcodes
 * of Microsoft's bug check reference:
 *   0x3  a free-list link does not point back (entry, Flink->Blink, Blink->Flink)
 *   0x5  two neighbours' headers disagree (one entry, 0, the other entry)
 *   0x6  PreviousSize points before the page (computed entry, 0, entry)
 *   0x7  a header field is impossible: type, index, size (0, 0, entry)
 *   0x8  BlockSize is zero (0, 0, entry)
 *   0x9  BlockSize runs past the page (computed next entry, 0, entry)
 *   0xA  a free-list entry lies in no page of its pool (entry, 0, its page)
 *   0x20 on free, the next block's PreviousSize is not this block's size
 *        (entry, next entry, 0)
 * A mismatch between the walk and the pool's own counters is the pool's
 * bug, not the caller's, and is an ASSERT.
 */
#include "poolp.h"

static void ExpCheckBlockSize(PPOOL_HEADER Entry)
{
    ULONG Offset = ExpUnitInPage(Entry);
    if (Entry->BlockSize == 0)
        KeBugCheckEx(BAD_POOL_HEADER, 0x8, 0, 0, (ULONG_PTR)Entry);
    if (Offset + Entry->BlockSize > POOL_PAGE_UNITS)
        KeBugCheckEx(BAD_POOL_HEADER, 0x9, (ULONG_PTR)ExpBlockAt(Entry, Entry->BlockSize), 0,
                     (ULONG_PTR)Entry);
    if (Entry->PreviousSize > Offset || (Offset != 0 && Entry->PreviousSize == 0))
        KeBugCheckEx(BAD_POOL_HEADER, 0x6, (ULONG_PTR)ExpBlockAt(Entry, -(LONG)Entry->PreviousSize),
                     0, (ULONG_PTR)Entry);
}

void ExpCheckPoolBlockNeighboursSlow(PPOOL_HEADER Entry)
{
    ExpCheckBlockSize(Entry);
    if (Entry->PreviousSize != 0) {
        PPOOL_HEADER Previous = ExpBlockAt(Entry, -(LONG)Entry->PreviousSize);
        if (Previous->BlockSize != Entry->PreviousSize)
            KeBugCheckEx(BAD_POOL_HEADER, 0x5, (ULONG_PTR)Previous, 0, (ULONG_PTR)Entry);
    }
    PPOOL_HEADER Next = ExpBlockAt(Entry, Entry->BlockSize);
    if (ExpUnitInPage(Next) != 0 && Next->PreviousSize != Entry->BlockSize)
        KeBugCheckEx(BAD_POOL_HEADER, 0x20, (ULONG_PTR)Entry, (ULONG_PTR)Next, 0);
    ASSERTMSG("the inline neighbour check failed a good block", FALSE);
}

void ExpCheckFreeListEntry(PLIST_ENTRY Link)
{
    if (Link->Flink->Blink != Link || Link->Blink->Flink != Link)
        KeBugCheckEx(BAD_POOL_HEADER, 0x3, (ULONG_PTR)Link, (ULONG_PTR)Link->Flink->Blink,
                     (ULONG_PTR)Link->Blink->Flink);
}

/* ---- the whole-pool walk -------------------------------------------------------- */

typedef struct _EXP_POOL_WALK {
    ULONG BaseType;
    ULONG Pages;
    ULONG ListedFreeBlocks;
    ULONG CachedBlocks[POOL_SMALL_LISTS + 1];
    SIZE_T AllocatedBytes;
} EXP_POOL_WALK, *PEXP_POOL_WALK;

static void ExpValidatePoolPage(PVOID Page, PVOID Context)
{
    PEXP_POOL_WALK Walk = Context;
    PPOOL_HEADER Previous = NULL;
    PPOOL_HEADER Entry = Page;

    Walk->Pages++;
    do {
        ExpCheckBlockSize(Entry);
        if (Previous ? Entry->PreviousSize != Previous->BlockSize : Entry->PreviousSize != 0)
            KeBugCheckEx(BAD_POOL_HEADER, 0x5, (ULONG_PTR)Previous, 0, (ULONG_PTR)Entry);
        if (Entry->PoolType == 0) {
            /* Free neighbours would have been coalesced. */
            if (Previous && Previous->PoolType == 0)
                KeBugCheckEx(BAD_POOL_HEADER, 0x5, (ULONG_PTR)Previous, 0, (ULONG_PTR)Entry);
            if (Entry->PoolIndex != 0)
                KeBugCheckEx(BAD_POOL_HEADER, 0x7, 0, 0, (ULONG_PTR)Entry);
            if (Entry->BlockSize >= POOL_MINIMUM_LISTED_BLOCK)
                Walk->ListedFreeBlocks++;
        } else if (Entry->PoolType == Walk->BaseType + 1) {
            if (Entry->PoolIndex == POOL_INDEX_CACHED && Entry->BlockSize <= POOL_SMALL_LISTS)
                Walk->CachedBlocks[Entry->BlockSize]++;
            else if (Entry->PoolIndex == 0 && Entry->BlockSize >= POOL_MINIMUM_BLOCK)
                Walk->AllocatedBytes += (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT;
            else
                KeBugCheckEx(BAD_POOL_HEADER, 0x7, 0, 0, (ULONG_PTR)Entry);
        } else {
            KeBugCheckEx(BAD_POOL_HEADER, 0x7, 0, 0, (ULONG_PTR)Entry);
        }
        Previous = Entry;
        Entry = ExpBlockAt(Entry, Entry->BlockSize);
    } while (ExpUnitInPage(Entry) != 0);
}

/* Every entry of every list is a free block of the list's size in a page
 * of this pool; returns how many there are. */
static ULONG ExpValidateFreeLists(ULONG BaseType)
{
    PPOOL_DESCRIPTOR PoolDesc = &ExpPoolVector[BaseType];
    ULONG Listed = 0;
    for (ULONG Size = 0; Size < POOL_LIST_HEADS; Size++) {
        PLIST_ENTRY Head = &PoolDesc->ListHeads[Size];
        BOOLEAN Marked = (PoolDesc->NonEmptyLists[Size >> 5] >> (Size & 31)) & 1;
        ASSERTMSG("free-list bitmap out of step", Marked == !IsListEmpty(Head));
        ASSERT(Size >= POOL_MINIMUM_LISTED_BLOCK || IsListEmpty(Head));
        ExpCheckFreeListEntry(Head);
        for (PLIST_ENTRY Link = Head->Flink; Link != Head; Link = Link->Flink) {
            ExpCheckFreeListEntry(Link);
            PPOOL_HEADER Entry = &CONTAINING_RECORD(Link, POOL_FREE_BLOCK, ListEntry)->Header;
            if (ExpLookupPoolPage(PAGE_ALIGN(Entry)) != BaseType + 1)
                KeBugCheckEx(BAD_POOL_HEADER, 0xA, (ULONG_PTR)Entry, 0, (ULONG_PTR)PAGE_ALIGN(Entry));
            if (Entry->PoolType != 0 || Entry->BlockSize != Size)
                KeBugCheckEx(BAD_POOL_HEADER, 0x7, 0, 0, (ULONG_PTR)Entry);
            Listed++;
        }
    }
    return Listed;
}

ULONG ExpValidatePool(POOL_TYPE PoolType)
{
    ULONG BaseType = PoolType & BASE_POOL_TYPE_MASK;
    const POOL_DESCRIPTOR *PoolDesc = &ExpPoolVector[BaseType];
    EXP_POOL_WALK Walk = { .BaseType = BaseType };

    ExpInitializePool();
    KIRQL OldIrql = ExpLockPool(BaseType);
    ExpEnumeratePoolPages(BaseType, ExpValidatePoolPage, &Walk);
    ULONG Listed = ExpValidateFreeLists(BaseType);

    /* Free blocks off their list (or listed twice) show up as a count
     * mismatch: each listed entry was checked to be a free block above. */
    ASSERTMSG("a free block is not on the list of its size", Listed == Walk.ListedFreeBlocks);
    ASSERTMSG("pages walked differ from the descriptor", Walk.Pages == PoolDesc->TotalPages);
    for (ULONG Size = 1; Size <= POOL_SMALL_LISTS; Size++)
        ASSERTMSG("cached blocks differ from the lookaside depth",
                  Walk.CachedBlocks[Size] ==
                      ExQueryDepthSList(&ExpPoolLookaside(BaseType, Size)->ListHead));
    SIZE_T BigBytes = ExpBigPoolBytes(BaseType);
    ASSERTMSG("big-page table differs from the descriptor",
              BigBytes == (SIZE_T)PoolDesc->TotalBigPages << PAGE_SHIFT);
    ASSERTMSG("tag table differs from the blocks in use",
              Walk.AllocatedBytes + BigBytes == ExpPoolTrackerBytes(BaseType));
    ExpUnlockPool(OldIrql);
    return Walk.Pages;
}
