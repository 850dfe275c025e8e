/*
 * pool.c - the executive pool: ExAllocatePool*, ExFreePool*, and the
 * small-block allocator under them. NT counterpart: ntos/ex/pool.c (x86).
 *
 * How the pool works
 * ------------------
 * There are two pools, nonpaged and paged, each with a POOL_DESCRIPTOR. A
 * pool gets whole pages from its environment (MiAllocatePoolPages, which
 * the kernel backs with system PTEs and the host tests with aligned_alloc)
 * and carves them into blocks. Everything is counted in units of 8 bytes:
 * a page is 512 units, and every block starts with an 8-byte POOL_HEADER
 * that holds its own size (BlockSize) and the size of the block before it
 * in the page (PreviousSize, 0 for the first). So from any block both
 * neighbours are one addition away, which is what makes coalescing cheap
 * and what lets a free check that its neighbours agree with it.
 *
 *     page +0                                                     +4096
 *     | hdr | data ...  | hdr | free ...        | hdr | data ...  |
 *       Prev=0 Size=5     Prev=5 Size=9 Type=0    Prev=9 Size=498
 *
 * A free block keeps a LIST_ENTRY after its header and sits on
 * ListHeads[BlockSize] of its descriptor (a bitmap says which of the 512
 * lists are non-empty, so finding the smallest fitting free block is a
 * couple of bit scans). An allocation of n bytes needs (n + 8 + 7) / 8
 * units; it takes the first free block of at least that size, carving from
 * the front when the block starts its page and from the end otherwise (as
 * NT does: a block at the end leaves the free remainder where it was), or a
 * new page when no list has one. A free merges the block with a free
 * neighbour on each side, so no two free blocks are ever adjacent; a block
 * that grows to the whole page gives the page back (MiFreePoolPages).
 *
 * A block is at most 511 units (the header's 9 bits), so the largest small
 * request is 4080 bytes (PAGE_SIZE - 16, NT's POOL_BUDDY_MAX). Larger
 * requests take whole pages and are recorded in the big-page table
 * (poolpage.c): address, tag, pages. They are page aligned and have no
 * header, which is how a free tells them apart: a page-aligned address is
 * never a small block's data.
 *
 * In front of the free lists sit the pool's own lookaside lists, one per
 * block size up to 32 units (256 bytes): a freed small block is pushed on
 * its size's list, still marked allocated so no neighbour coalesces with
 * it, and the next allocation of that size pops it without touching the
 * free lists (NT's per-processor pool lookasides; there is one processor).
 * Their depth adapts like any lookaside list's (lookaside.c).
 *
 * Those two cases, a small allocation that finds a cached block and a
 * small free that finds room, are the pool's fast paths and run without
 * the pool lock, as NT's do: the SLIST is lock-free, the tag and pool
 * counters are updated with interlocked adds, and the block is the
 * caller's alone between the pop or push and the header writes. So the
 * validator (poolcheck.c) is exact only between pool calls, which is when
 * the tests run it. The neighbour check of a free reads the next and
 * previous headers unlocked: on one processor a pool call that interrupts
 * it completes first; with a second processor that read needs the lock.
 *
 * The fast paths are measured in instructions (make bench, figures in
 * docs/pool.md), so they are written for what the compiler makes of them.
 * ExpAllocatePool and ExpFreePoolBlock are inline, with the base pool a
 * constant in each copy. Each check is one compare on the way; a failed
 * one leaves for a function out of line, which starts again with every
 * check (an allocation) or finds which rule was broken (a free), so
 * nothing the fast path keeps in registers is needed there. The page of a
 * freed address is found by a range check and a load (the kernel's page
 * map, poolmap.c). A hit is counted in the counters NT keeps for it, the
 * list's and the tag's; the descriptor's running totals add the lists'
 * hits only when asked (ExpQueryPoolUsage), as NT reports them.
 *
 * Every allocation and free is counted per tag and pool (pooltag.c), and
 * poolcheck.c can walk every page to check all of the above.
 *
 * Locks: ExpLockPool raises IRQL to DISPATCH_LEVEL (nonpaged) or APC_LEVEL
 * (paged) around every change but the fast paths; see poolp.h for what SMP
 * and a scheduler will need. The checks that may bugcheck on a caller's
 * error run before anything changes, so a test that catches the bugcheck
 * finds the pool as it was. Special pool (Driver Verifier's guard pages,
 * mm/specialpool.c) branches off first: in ExpAllocatePool the fast path's
 * first test (no tag chosen) and ExpAllocatePoolSlow's first step, in
 * ExFreePoolWithTag the first test.
 */
#include "poolp.h"
#include "rtl.h"

#define EXP_BIG_PAGE_TAG 0x20474942u    /* 'BIG ' in memory: refused as NT refuses it */

POOL_DESCRIPTOR ExpPoolVector[2];
/* Special pool's bits are mm/specialpool.c's to set; the pool clears
 * EXP_POOL_UNINITIALIZED once set up. */
ULONG ExpPoolFlags = EXP_POOL_UNINITIALIZED;

void ExpInitializeLookasideLists(void);

void ExpInitializePoolOnce(void)
{
    if (!(ExpPoolFlags & EXP_POOL_UNINITIALIZED))
        return;
    for (ULONG Base = 0; Base < 2; Base++) {
        PPOOL_DESCRIPTOR PoolDesc = &ExpPoolVector[Base];
        RtlZeroMemory(PoolDesc, sizeof(*PoolDesc));
        PoolDesc->PoolType = (POOL_TYPE)Base;
        for (ULONG i = 0; i < POOL_LIST_HEADS; i++)
            InitializeListHead(&PoolDesc->ListHeads[i]);
    }
    ExpInitializeLookasideLists();
    __atomic_and_fetch(&ExpPoolFlags, ~EXP_POOL_UNINITIALIZED, __ATOMIC_RELEASE);
}

/* ---- the interface ----------------------------------------------------------- */

/* The address the public function was called from (bugcheck parameters,
 * special pool's records), read from the frame where a slow path needs it:
 * ExpAllocatePool is inline in each public function, and both builds keep
 * frame pointers. (gcc copies __builtin_return_address(0) at a function's
 * entry, which every fast allocation would pay for.) */
#define ExpCallersAddress() (((PVOID *)__builtin_frame_address(0))[1])

/* The index and size bits of a cached block of Bytes (a multiple of 8)
 * in its header. POOL_INDEX_CACHED's bit is 4 shifted as Bytes is, so an
 * add and a shift make the whole value. */
static inline ULONG ExpCachedHeaderBits(ULONG Bytes)
{
    C_ASSERT(POOL_INDEX_CACHED << POOL_HEADER_INDEX_SHIFT ==
             4 << (POOL_HEADER_SIZE_SHIFT - POOL_BLOCK_SHIFT));
    return (Bytes + 4) << (POOL_HEADER_SIZE_SHIFT - POOL_BLOCK_SHIFT);
}

/* The lookaside half of an allocation: a cached block of Units, or NULL.
 * Counted as NT's pool lookasides count, TotalAllocates always and
 * AllocateHits when found (the depth scan takes the misses as the
 * difference); a hit is not counted again in the descriptor, as in NT:
 * ExpQueryPoolUsage adds the hits. Lock-free. */
FORCEINLINE PVOID ExpAllocateFromPoolLookaside(ULONG BaseType, ULONG Units, ULONG Tag)
{
    PGENERAL_LOOKASIDE Lookaside = ExpPoolLookaside(BaseType, Units);
    /* The pop's cmpxchg8b takes four of the six registers; made opaque, the
     * list's address stays in one rather than being remade from spills. */
    __asm__("" : "+r"(Lookaside));
    Lookaside->TotalAllocates++;
    PSLIST_ENTRY Link = InterlockedPopEntrySList(&Lookaside->ListHead);
    if (__builtin_expect(Link == NULL, 0))
        return NULL;
    /* The list's Size is its blocks' bytes with the header (lookaside.c):
     * read after the pop, it spares the registers the exchange uses. */
    PPOOL_HEADER Entry = (PPOOL_HEADER)Link - 1;
    ULONG Bytes = Lookaside->Size;
    ASSERT((Entry->Ulong1 & POOL_HEADER_INDEX_AND_SIZE) == ExpCachedHeaderBits(Bytes));
    Lookaside->AllocateHits++;
    Entry->PoolIndex = 0;
    Entry->PoolTag = Tag;
    ExpInsertPoolTracker(Tag, Bytes, BaseType);
    return Entry + 1;
}

/* An allocation the fast path (ExpAllocatePool) does not finish. Unless
 * it tried the lookaside list already (a miss), special pool's hook and
 * the caller's checks in NT's order, then a small block from the pool's
 * lookaside lists; then the pages. (noipa: called with the C convention,
 * so the fast path can leave its arguments where they are.) */
static PVOID __attribute__((noipa)) ExpAllocatePoolSlow(POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                                                        ULONG Tag, PVOID Caller,
                                                        BOOLEAN LookasideMissed)
{
    ULONG Type = (ULONG)PoolType;
    ULONG BaseType = Type & BASE_POOL_TYPE_MASK;
    KIRQL Irql = KeGetCurrentIrql();

    if (LookasideMissed)
        return ExpAllocatePoolFromPages(PoolType, NumberOfBytes, Tag, Caller);
    /* Driver Verifier's special pool takes the tags it was asked to watch,
     * first, as NT: its own checks (0xC1) speak for those allocations. */
    if ((ExpPoolFlags & EXP_SPECIAL_POOL_TAGS) && MmUseSpecialPool(NumberOfBytes, Tag)) {
        PVOID Special = MmAllocateSpecialPool(NumberOfBytes, Tag, PoolType, Caller);
        if (Special)
            return Special;     /* else special pool is full: the pool serves it */
    }
    ExpInitializePool();
    if (Tag == 0)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9B, Type, NumberOfBytes, (ULONG_PTR)Caller);
    if (Tag == EXP_BIG_PAGE_TAG)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9C, Type, NumberOfBytes, (ULONG_PTR)Caller);
    if ((Type & (BASE_POOL_TYPE_MASK | MUST_SUCCEED_POOL_TYPE_MASK)) == DontUseThisType)
        KeBugCheckEx(BAD_POOL_CALLER, 0x9A, Type, NumberOfBytes, Tag);  /* paged must-succeed */
    if (Irql > (BaseType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 0x08, Irql, Type, NumberOfBytes);

    /* Blocks of up to POOL_SMALL_LISTS units with the header, at least
     * POOL_MINIMUM_BLOCK (a zero-byte request too, as the pages say). */
    if (NumberOfBytes <= (POOL_SMALL_LISTS << POOL_BLOCK_SHIFT) - POOL_OVERHEAD &&
        !(Type & CACHE_ALIGNED_POOL_TYPE_MASK)) {
        ULONG Units = (ULONG)((NumberOfBytes + POOL_OVERHEAD + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT);
        if (Units < POOL_MINIMUM_BLOCK)
            Units = POOL_MINIMUM_BLOCK;
        PVOID P = ExpAllocateFromPoolLookaside(BaseType, Units, Tag);
        if (P)
            return P;
    }
    return ExpAllocatePoolFromPages(PoolType, NumberOfBytes, Tag, Caller);
}

/*
 * Every allocation. The fast path is what a driver's small allocation
 * usually is: special pool choosing no tag and the pool set up (one test of
 * ExpPoolFlags, which keeps special pool's hook first), a tag that is
 * allowed, a type that is neither must-succeed nor cache aligned (nor
 * DontUseThisType), 1 to 248 bytes (2 to 32 units with the header), and
 * the IRQL the pool allows. It pops a block of the size's pool lookaside
 * list, the base pool a constant in each copy of the inline code. Anything
 * else, a failed check included, goes to ExpAllocatePoolSlow, which starts
 * again from the top; a miss goes there to take the pages. One call site
 * for both, so that the caller's address is read only there.
 */
FORCEINLINE PVOID ExpAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    ULONG Type = (ULONG)PoolType;
    ULONG Pool = Type & (BASE_POOL_TYPE_MASK | MUST_SUCCEED_POOL_TYPE_MASK |
                         CACHE_ALIGNED_POOL_TYPE_MASK);
    /* The data's units: 1..31 for 1..248 bytes, with the header's unit
     * 2..32 (a request of 0 bytes, or one so large that this wraps, is 0). */
    SIZE_T DataUnits = (NumberOfBytes + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT;
    BOOLEAN Missed = FALSE;
    if (__builtin_expect(!(ExpPoolFlags & (EXP_SPECIAL_POOL_TAGS | EXP_POOL_UNINITIALIZED)) &&
                             Tag != 0 && Tag != EXP_BIG_PAGE_TAG && DataUnits - 1 < POOL_SMALL_LISTS - 1,
                         1)) {
        ULONG Units = (ULONG)DataUnits + 1;
        PVOID P = NULL;
        if (Pool == NonPagedPool) {
            if (__builtin_expect(KeGetCurrentIrql() <= DISPATCH_LEVEL, 1)) {
                P = ExpAllocateFromPoolLookaside(NonPagedPool, Units, Tag);
                Missed = TRUE;
            }
        } else if (Pool == PagedPool && __builtin_expect(KeGetCurrentIrql() <= APC_LEVEL, 1)) {
            P = ExpAllocateFromPoolLookaside(PagedPool, Units, Tag);
            Missed = TRUE;
        }
        if (__builtin_expect(P != NULL, 1))
            return P;
    }
    return ExpAllocatePoolSlow(PoolType, NumberOfBytes, Tag, ExpCallersAddress(), Missed);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, Tag);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, EXP_DEFAULT_POOL_TAG);
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    ULONG Type = (ULONG)PoolType;
    /* No quota to charge until processes exist; only the failure rule. */
    if (Type & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE)
        Type &= ~(ULONG)(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE);
    else
        Type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    return ExpAllocatePool((POOL_TYPE)Type, NumberOfBytes, Tag);
}

PVOID ExAllocatePoolWithQuota(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    ULONG Type = (ULONG)PoolType;
    if (Type & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE)
        Type &= ~(ULONG)(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE);
    else
        Type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    return ExpAllocatePool((POOL_TYPE)Type, NumberOfBytes, EXP_DEFAULT_POOL_TAG);
}

void ExpCheckFreeCallerSlow(PVOID P, ULONG BaseType, ULONG AllocatorTag, ULONG TagToFree)
{
    ExpCheckFreeCallerFull(P, BaseType, AllocatorTag, TagToFree);
}

/* The lookaside half of a free: caches the block of Units if its list has
 * room (TRUE), counting the free either way (TotalFrees; FreeHits when
 * cached, which ExpQueryPoolUsage adds to the descriptor's count, as NT's
 * do). Lock-free; checks done. */
FORCEINLINE BOOLEAN ExpFreeToPoolLookaside(ULONG BaseType, PPOOL_HEADER Entry, ULONG Units)
{
    PGENERAL_LOOKASIDE Lookaside = ExpPoolLookaside(BaseType, Units);
    __asm__("" : "+r"(Lookaside));     /* as in ExpAllocateFromPoolLookaside */
    Lookaside->TotalFrees++;
    if (__builtin_expect(ExQueryDepthSList(&Lookaside->ListHead) >= Lookaside->Depth, 0))
        return FALSE;
    Lookaside->FreeHits++;
    ExpRemovePoolTracker(Entry->PoolTag, Lookaside->Size, BaseType);
    /* Marked before it is pushed: from here a second free is caught. The
     * index was 0 (checked), so an OR of the bit is the whole store. */
    Entry->Ulong1 |= POOL_INDEX_CACHED << POOL_HEADER_INDEX_SHIFT;
    InterlockedPushEntrySList(&Lookaside->ListHead, (PSLIST_ENTRY)(Entry + 1));
    return TRUE;
}

/* The header in front of P is not an allocated block's start of its
 * page's pool: say which. */
static void __attribute__((noinline, noreturn)) ExpBadPoolFree(PVOID P)
{
    PPOOL_HEADER Entry = (PPOOL_HEADER)P - 1;
    if (Entry->PoolType == 0 || (Entry->PoolIndex & POOL_INDEX_CACHED))
        KeBugCheckEx(BAD_POOL_CALLER, 0x07, 0, Entry->Ulong1, (ULONG_PTR)P);
    KeBugCheckEx(BAD_POOL_CALLER, 0x99, (ULONG_PTR)P, 0, 0);   /* not a block's start */
}

/* The neighbour check of the block at P failed: which rule, and the
 * bugcheck. (P, not its header, so the fast path computes nothing for it.) */
static void __attribute__((noinline, noreturn)) ExpBadNeighbour(PVOID P)
{
    ExpCheckPoolBlockNeighboursSlow((PPOOL_HEADER)P - 1);
}

/* A free of P in a small pool page of BaseType (a constant once inlined). */
FORCEINLINE void ExpFreePoolBlock(ULONG BaseType, PVOID P, ULONG Tag)
{
    PPOOL_HEADER Entry = (PPOOL_HEADER)P - 1;
    /* An allocated block's start (PoolIndex 0) of the page's pool: one
     * compare of the header's type and index bits. */
    if (__builtin_expect((Entry->Ulong1 & POOL_HEADER_TYPE_AND_INDEX) !=
                             (BaseType + 1) << POOL_HEADER_TYPE_SHIFT, 0))
        ExpBadPoolFree(P);
    ExpCheckFreeCaller(P, BaseType, Entry->PoolTag, Tag);

    /* A small block goes to its lookaside list if there is room. It stays
     * allocated there and coalesces with nothing, so only the next header
     * is checked now (an overrun of this block, BAD_POOL_HEADER 0x20); the
     * whole neighbour check runs when a block reaches the free lists. */
    ULONG Units = Entry->BlockSize;
    if (Units - 1 < POOL_SMALL_LISTS) {
        /* Where the block ends in its page, from P (at least a header into
         * the page, ExFreePoolWithTag): the next header, or the page's end. */
        ULONG End = BYTE_OFFSET(P) + (Units - 1) * POOL_SMALLEST_BLOCK;
        if (End < PAGE_SIZE) {
            if (__builtin_expect(((PPOOL_HEADER)P)[Units - 1].PreviousSize != Units, 0))
                ExpBadNeighbour(P);
        } else if (__builtin_expect(End != PAGE_SIZE, 0)) {
            ExpBadNeighbour(P);     /* the block runs past its page */
        }
        if (ExpFreeToPoolLookaside(BaseType, Entry, Units))
            return;
    }
    ExpFreePoolToFreeLists(BaseType, P);
}

/*
 * Special pool's blocks first (by address), then big allocations (page
 * aligned), then the small pool page that holds P, which says its pool;
 * an address in none was never a pool block, nor is one less than a
 * header into its page (its "header" would be on the page before). No
 * ExpInitializePool: with the pool not set up there is no pool page nor
 * big allocation to find, and those lookups read only zeroed tables.
 */
void ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    if (__builtin_expect(ExpPoolFlags & EX_SPECIAL_POOL_ENABLED, 0) && MmIsSpecialPoolAddress(P)) {
        MmFreeSpecialPool(P, Tag);
        return;
    }
    if (__builtin_expect(BYTE_OFFSET(P) < POOL_OVERHEAD, 0)) {
        if (BYTE_OFFSET(P) == 0) {
            ExpFreeBigPool(P, Tag);
            return;
        }
        /* A block's data is at least a header into its page. */
        KeBugCheckEx(BAD_POOL_CALLER, ExpLookupPoolPage(P) ? 0x99 : 0x42, (ULONG_PTR)P, 0, 0);
    }
    ULONG PageType = ExpLookupPoolPage(P);
    if (__builtin_expect(PageType == NonPagedPool + 1, 1))
        ExpFreePoolBlock(NonPagedPool, P, Tag);
    else if (PageType == PagedPool + 1)
        ExpFreePoolBlock(PagedPool, P, Tag);
    else
        KeBugCheckEx(BAD_POOL_CALLER, 0x42, (ULONG_PTR)P, 0, 0);
}

void ExFreePool(PVOID P)
{
    ExFreePoolWithTag(P, 0);
}

void ExpQueryPoolUsage(POOL_TYPE PoolType, PEXP_POOL_USAGE Usage)
{
    ULONG BaseType = PoolType & BASE_POOL_TYPE_MASK;
    const POOL_DESCRIPTOR *PoolDesc = &ExpPoolVector[BaseType];
    ExpInitializePool();
    /* The descriptor counts what the free lists and pages serve; the
     * lookaside lists count their hits (NT reports those apart, as
     * lookaside hits; here they are added in). */
    Usage->RunningAllocs = PoolDesc->RunningAllocs;
    Usage->RunningDeAllocs = PoolDesc->RunningDeAllocs;
    Usage->TotalPages = PoolDesc->TotalPages;
    Usage->TotalBigPages = PoolDesc->TotalBigPages;
    Usage->BytesInUse = ExpPoolTrackerBytes(BaseType);
    Usage->CachedBlocks = 0;
    for (ULONG Size = 1; Size <= POOL_SMALL_LISTS; Size++) {
        const GENERAL_LOOKASIDE *Lookaside = ExpPoolLookaside(BaseType, Size);
        Usage->RunningAllocs += Lookaside->AllocateHits;
        Usage->RunningDeAllocs += Lookaside->FreeHits;
        Usage->CachedBlocks += ExQueryDepthSList(&Lookaside->ListHead);
    }
}
