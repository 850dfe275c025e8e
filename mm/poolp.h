/*
 * poolp.h - the pool's private layout, shared by mm/pool.c, poolblock.c,
 * poolpage.c, pooltag.c, poolcheck.c and lookaside.c; and what the pool
 * needs from its environment (the page supply, the map of small pool pages
 * and the IRQL), which the kernel provides from the system-PTE layer and
 * poolmap.c, and the host tests from tests/host/pool_host_env.c.
 *
 * NT x86's layout: 8-byte blocks, an 8-byte POOL_HEADER in front of each,
 * sizes in blocks (units of 8 bytes). See docs/pool.md for the picture.
 */
#ifndef POOLP_H
#define POOLP_H

#include "ntdef.h"
#include "list.h"
#include "slist.h"
#include "ke.h"
#include "mm.h"
#include "pool.h"

/* ---- the environment ---------------------------------------------------------
 *
 * MiAllocatePoolPages: NumberOfBytes rounded up to whole pages of the base
 * pool of PoolType, page aligned; NULL when the pool's region is exhausted.
 * MiFreePoolPages: gives back an allocation by its start; returns its pages.
 * Both at IRQL <= DISPATCH_LEVEL. KeGetCurrentIrql, KeRaiseIrql and
 * KeLowerIrql come from ke.h.
 */
PVOID MiAllocatePoolPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
ULONG MiFreePoolPages(PVOID StartingVa);
/* Pages the region of PoolType has handed out (kernel: poolpages.c). */
ULONG MiPoolPagesInUse(POOL_TYPE PoolType);

/*
 * The small pool pages: which pages the pool has carved into small blocks,
 * and of which pool. Every free asks (an address in no such page was never
 * a pool block: BAD_POOL_CALLER 0x42), and the validator walks them. NT
 * knows its pools by their fixed address ranges, and so does the kernel:
 * mm/poolmap.c keeps a byte per page of the two pool regions, so the
 * question is a range check and a load (inline below). The host's pages
 * come from anywhere, so tests/host/pool_host_env.c keeps them in a hash
 * table (poolpage.c's) behind the same calls.
 *
 * ExpInsertPoolPage: Page (from MiAllocatePoolPages) now holds small blocks
 * of BaseType; FALSE only when the host's table cannot grow.
 * ExpRemovePoolPage: Page goes back. Both under the pool lock.
 * ExpLookupPoolPage: the base pool type + 1 of the small pool page that
 * holds Va, or 0 when it is none. Any IRQL the pool allows; no lock.
 */
BOOLEAN ExpInsertPoolPage(PVOID Page, ULONG BaseType);
void ExpRemovePoolPage(PVOID Page);
typedef void (*PEXP_POOL_PAGE_CALLBACK)(PVOID Page, PVOID Context);
/* Calls Callback for each small page of BaseType. */
void ExpEnumeratePoolPages(ULONG BaseType, PEXP_POOL_PAGE_CALLBACK Callback, PVOID Context);

#ifdef HOST_BUILD
ULONG ExpLookupPoolPage(const void *Va);
#else
#include "mmlayout.h"

#define EXP_NONPAGED_POOL_BYTES (MI_NONPAGED_POOL_END - MI_NONPAGED_POOL_START + 1)
#define EXP_PAGED_POOL_BYTES    (MI_PAGED_POOL_END - MI_PAGED_POOL_START + 1)

/* A byte per page of each region: nonzero (its base pool type + 1) while
 * the page holds small blocks, else 0 (mm/poolmap.c). */
extern UCHAR ExpNonPagedPoolPageMap[EXP_NONPAGED_POOL_BYTES >> PAGE_SHIFT];
extern UCHAR ExpPagedPoolPageMap[EXP_PAGED_POOL_BYTES >> PAGE_SHIFT];

FORCEINLINE ULONG ExpLookupPoolPage(const void *Va)
{
    /* The answers are constants, so a caller's test of them folds into
     * the map's. */
    ULONG_PTR Offset = (ULONG_PTR)Va - MI_NONPAGED_POOL_START;
    if (Offset < EXP_NONPAGED_POOL_BYTES)
        return ExpNonPagedPoolPageMap[Offset >> PAGE_SHIFT] ? NonPagedPool + 1 : 0;
    Offset = (ULONG_PTR)Va - MI_PAGED_POOL_START;
    if (Offset < EXP_PAGED_POOL_BYTES)
        return ExpPagedPoolPageMap[Offset >> PAGE_SHIFT] ? PagedPool + 1 : 0;
    return 0;
}
#endif

/* ---- special pool (kernel: mm/specialpool.c; host: stubs) --------------------
 *
 * NT's hooks: ExAllocatePoolWithTag offers a request to special pool when
 * ExpPoolFlags has EX_SPECIAL_POOL_ENABLED and MmUseSpecialPool says the tag
 * is chosen (falling back to the pool when special pool has no room);
 * ExFreePoolWithTag sends a special pool address to MmFreeSpecialPool. The
 * flag is set once special pool has its address range and stays set, so
 * blocks still out when a tag is turned off are freed the right way.
 */
#define EX_SPECIAL_POOL_ENABLED 0x4
/* This pool's own bits. While either is set an allocation takes the path
 * with every check (ExpAllocatePool): special pool has a tag chosen
 * (specialpool.c keeps the bit in step with its tags), or the pool is not
 * set up yet (the bit starts set; ExpInitializePoolOnce clears it). So the
 * fast path pays one test for both. */
#define EXP_SPECIAL_POOL_TAGS   0x40000000u
#define EXP_POOL_UNINITIALIZED  0x80000000u
extern ULONG ExpPoolFlags;
BOOLEAN MmUseSpecialPool(SIZE_T NumberOfBytes, ULONG Tag);
PVOID MmAllocateSpecialPool(SIZE_T NumberOfBytes, ULONG Tag, POOL_TYPE PoolType, PVOID Caller);
BOOLEAN MmIsSpecialPoolAddress(PVOID P);
void MmFreeSpecialPool(PVOID P, ULONG Tag);

/* ---- the block header ------------------------------------------------------- */

#define POOL_BLOCK_SHIFT     3
#define POOL_SMALLEST_BLOCK  8                              /* bytes in a unit */
#define POOL_OVERHEAD        ((ULONG)sizeof(POOL_HEADER))   /* 8 */
#define POOL_PAGE_UNITS      (PAGE_SIZE >> POOL_BLOCK_SHIFT) /* 512 */
#define POOL_LIST_HEADS      POOL_PAGE_UNITS
#define POOL_BUDDY_MAX       (PAGE_SIZE - (POOL_OVERHEAD + POOL_SMALLEST_BLOCK)) /* 4080 */
#define POOL_SMALL_LISTS     32      /* pool lookaside lists: blocks of 1..32 units */
#define POOL_MINIMUM_BLOCK   2       /* allocated blocks: header + 8 bytes at least */

/* A free block holds a LIST_ENTRY after its header to be on a free list:
 * 2 units on x86, 3 on the 64-bit host. Smaller free fragments stay off
 * the lists (NT's x86 pool does the same with 1-unit fragments) and are
 * reclaimed when a neighbour is freed and coalesces with them. */
#define POOL_MINIMUM_LISTED_BLOCK \
    ((ULONG)((POOL_OVERHEAD + sizeof(LIST_ENTRY) + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT))

/*
 * NT x86's POOL_HEADER. PoolType is 0 for a free block, else the base pool
 * type + 1. PoolIndex is the descriptor index (always 0: one descriptor per
 * pool), with POOL_INDEX_CACHED added while a pool lookaside list holds the
 * block (NT leaves such blocks marked allocated; the mark lets a second
 * free be caught).
 */
typedef struct _POOL_HEADER {
    union {
        struct {
            USHORT PreviousSize : 9;
            USHORT PoolIndex : 7;
            USHORT BlockSize : 9;
            USHORT PoolType : 7;
        };
        ULONG Ulong1;
    };
    ULONG PoolTag;
} POOL_HEADER, *PPOOL_HEADER;
C_ASSERT(sizeof(POOL_HEADER) == 8);

#define POOL_INDEX_CACHED 0x40
/* Ulong1's bits, for the fast paths' whole-word tests. */
#define POOL_HEADER_INDEX_SHIFT    9
#define POOL_HEADER_SIZE_SHIFT     16
#define POOL_HEADER_TYPE_SHIFT     25
#define POOL_HEADER_TYPE_AND_INDEX 0xFE00FE00u
#define POOL_HEADER_INDEX_AND_SIZE 0x01FFFE00u

/* The first thing in a free block: its link on ListHeads[BlockSize]. */
typedef struct _POOL_FREE_BLOCK {
    POOL_HEADER Header;
    LIST_ENTRY ListEntry;
} POOL_FREE_BLOCK, *PPOOL_FREE_BLOCK;

static inline PPOOL_HEADER ExpBlockAt(PPOOL_HEADER Entry, LONG Units)
{
    return (PPOOL_HEADER)((PUCHAR)Entry + (LONG_PTR)Units * POOL_SMALLEST_BLOCK);
}

/* Units from the start of the page to Entry. */
static inline ULONG ExpUnitInPage(const POOL_HEADER *Entry)
{
    return (ULONG)(((ULONG_PTR)Entry & (PAGE_SIZE - 1)) >> POOL_BLOCK_SHIFT);
}

static inline PLIST_ENTRY ExpFreeLink(PPOOL_HEADER Entry)
{
    return &((PPOOL_FREE_BLOCK)Entry)->ListEntry;
}

/* ---- the pool descriptor ----------------------------------------------------- */

typedef struct _POOL_DESCRIPTOR {
    POOL_TYPE PoolType;
    ULONG PoolIndex;
    ULONG RunningAllocs;
    ULONG RunningDeAllocs;
    ULONG TotalPages;
    ULONG TotalBigPages;
    ULONG NonEmptyLists[POOL_LIST_HEADS / 32];  /* bit n: ListHeads[n] not empty */
    LIST_ENTRY ListHeads[POOL_LIST_HEADS];      /* free blocks by size in units */
} POOL_DESCRIPTOR, *PPOOL_DESCRIPTOR;

/* One per base pool: [NonPagedPool], [PagedPool]. */
extern POOL_DESCRIPTOR ExpPoolVector[2];

/* The pool's own per-size lookaside lists, index BlockSize - 1. */
extern GENERAL_LOOKASIDE ExpSmallNPagedPoolLookasideLists[POOL_SMALL_LISTS];
extern GENERAL_LOOKASIDE ExpSmallPagedPoolLookasideLists[POOL_SMALL_LISTS];

static inline PGENERAL_LOOKASIDE ExpPoolLookaside(ULONG BaseType, ULONG BlockSize)
{
    return BaseType == PagedPool ? &ExpSmallPagedPoolLookasideLists[BlockSize - 1]
                                 : &ExpSmallNPagedPoolLookasideLists[BlockSize - 1];
}

/* Sets up the descriptors and the lookaside lists on first use: every
 * entry point but the fast paths calls it (they test the flag with special
 * pool's, above), so the test of the flag is inline. */
void ExpInitializePoolOnce(void);
FORCEINLINE void ExpInitializePool(void)
{
    if (__builtin_expect(ExpPoolFlags & EXP_POOL_UNINITIALIZED, 0))
        ExpInitializePoolOnce();
}

/* ---- the pool lock ------------------------------------------------------------
 *
 * A uniprocessor kernel without a scheduler: raising IRQL keeps out
 * everything that may use the pool (DPCs for nonpaged pool, APCs for
 * paged). Paged pool needs a guarded mutex once threads can be preempted at
 * PASSIVE_LEVEL; nonpaged pool a spinlock once there is a second processor.
 */
static inline KIRQL ExpLockPool(ULONG BaseType)
{
    KIRQL Target = BaseType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL;
    KIRQL OldIrql = KeGetCurrentIrql();
    if (OldIrql < Target)
        KeRaiseIrql(Target, &OldIrql);
    return OldIrql;
}

static inline void ExpUnlockPool(KIRQL OldIrql)
{
    if (KeGetCurrentIrql() != OldIrql)
        KeLowerIrql(OldIrql);
}

/* ---- the page tables (poolpage.c) ------------------------------------------
 *
 * NT's big-page table of whole-page allocations (address, tag, pages), an
 * open-addressing hash table keyed by page address whose storage comes
 * from MiAllocatePoolPages and grows by doubling. The host keeps its small
 * pool pages in one more such table (pool_host_env.c), hence the calls.
 */
typedef struct _POOL_TRACKER_BIG_PAGES {
    PVOID Va;               /* NULL: a free slot */
    ULONG Key;              /* the tag (0 in the host's small-page table) */
    ULONG NumberOfPages;
    ULONG PoolType;         /* the base pool */
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;

/* An open-addressing table of POOL_TRACKER_BIG_PAGES keyed by Va. */
typedef struct _EXP_PAGE_TABLE {
    PPOOL_TRACKER_BIG_PAGES Table;
    ULONG Size;         /* slots: 0 or a power of two */
    ULONG Count;
} EXP_PAGE_TABLE, *PEXP_PAGE_TABLE;

/* Va's slot, or NULL. Insert fails (FALSE) only when the table cannot grow;
 * Remove empties a slot Find returned. Pool lock held. */
PPOOL_TRACKER_BIG_PAGES ExpFindPage(const EXP_PAGE_TABLE *PageTable, const void *Va);
BOOLEAN ExpInsertPage(PEXP_PAGE_TABLE PageTable, const POOL_TRACKER_BIG_PAGES *Entry);
void ExpRemovePage(PEXP_PAGE_TABLE PageTable, PPOOL_TRACKER_BIG_PAGES Slot);

/* Big allocations (poolpage.c). */
PVOID ExpAllocateBigPool(ULONG BaseType, POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
void ExpFreeBigPool(PVOID P, ULONG TagToFree);
/* Bytes of big allocations of BaseType (for the validator). */
SIZE_T ExpBigPoolBytes(ULONG BaseType);

/* ---- tag tracking (pooltag.c) ------------------------------------------------ */

/* One entry per tag (PROTECTED_POOL masked off), found by hashing the tag
 * and probing linearly; the last entry counts the tags that did not fit. */
typedef struct _EXP_POOL_TRACKER_COUNTS {
    ULONG Allocs;
    ULONG Frees;
    SIZE_T Bytes;
} EXP_POOL_TRACKER_COUNTS;

/* NT's field names, and the same counters as an array by base pool type so
 * the fast paths index rather than branch; 32 bytes on x86 (a shift). */
typedef struct _POOL_TRACKER_TABLE {
    ULONG Key;
    union {
        struct {
            ULONG NonPagedAllocs;
            ULONG NonPagedFrees;
            SIZE_T NonPagedBytes;
            ULONG PagedAllocs;
            ULONG PagedFrees;
            SIZE_T PagedBytes;
        };
        EXP_POOL_TRACKER_COUNTS Pool[2];
    };
    ULONG Spare;
} POOL_TRACKER_TABLE, *PPOOL_TRACKER_TABLE;
C_ASSERT(sizeof(POOL_TRACKER_TABLE) == 32 || sizeof(void *) == 8);

#define POOL_TRACK_TABLE_SIZE 1024          /* a power of two; one more for 'Ovfl' */
extern POOL_TRACKER_TABLE PoolTrackTable[POOL_TRACK_TABLE_SIZE + 1];

/* Bits 8..17 of a 32-bit product: the key's bit 31 (PROTECTED_POOL) only
 * reaches the product's bit 31, so a tag hashes as its key does. */
static inline ULONG ExpHashTag(ULONG Key)
{
    return (Key * 40543u) >> 8 & (POOL_TRACK_TABLE_SIZE - 1);
}

/* The tag's entry, created when Create and absent; NULL if absent. */
PPOOL_TRACKER_TABLE ExpFindPoolTracker(ULONG Key, BOOLEAN Create);

/* The counters change with interlocked adds, as NT's do: the pool's fast
 * paths count without the pool lock. */
#define ExpInterlockedAdd(Counter, Value) \
    ((void)__atomic_fetch_add((Counter), (Value), __ATOMIC_RELAXED))
#define ExpInterlockedSub(Counter, Value) \
    ((void)__atomic_fetch_sub((Counter), (Value), __ATOMIC_RELAXED))

FORCEINLINE void ExpCountPoolAllocation(EXP_POOL_TRACKER_COUNTS *Counts, SIZE_T NumberOfBytes)
{
    ExpInterlockedAdd(&Counts->Allocs, 1);
    ExpInterlockedAdd(&Counts->Bytes, NumberOfBytes);
}

/* Every block's tag was inserted when it was allocated, so its bytes are
 * counted: anything else is the pool's bug or a changed header. */
FORCEINLINE void ExpCountPoolFree(EXP_POOL_TRACKER_COUNTS *Counts, SIZE_T NumberOfBytes)
{
    ASSERT(Counts->Bytes >= NumberOfBytes);
    ExpInterlockedAdd(&Counts->Frees, 1);
    ExpInterlockedSub(&Counts->Bytes, NumberOfBytes);
}

/* The probes behind the two below, for a tag not in its home slot (or
 * with PROTECTED_POOL). */
void ExpInsertPoolTrackerSlow(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType);
void ExpRemovePoolTrackerSlow(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType);

/* Counts an allocation of NumberOfBytes under Tag. Any IRQL the pool
 * allows. A tag in use sits in its home slot unless another tag hashed
 * there first: that slot is tried inline, and counted there, so that no
 * entry pointer has to come back from the probe. The compare is with the
 * tag as given: keys are kept without PROTECTED_POOL, so a protected tag
 * goes to the probe, which masks it (and hashes to the same slot). */
FORCEINLINE void ExpInsertPoolTracker(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType)
{
    PPOOL_TRACKER_TABLE Entry = &PoolTrackTable[ExpHashTag(Tag)];
    if (__builtin_expect(Entry->Key == Tag, 1))
        ExpCountPoolAllocation(&Entry->Pool[BaseType], NumberOfBytes);
    else
        ExpInsertPoolTrackerSlow(Tag, NumberOfBytes, BaseType);
}

/* Counts a free, as ExpInsertPoolTracker counts an allocation. */
FORCEINLINE void ExpRemovePoolTracker(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType)
{
    PPOOL_TRACKER_TABLE Entry = &PoolTrackTable[ExpHashTag(Tag)];
    if (__builtin_expect(Entry->Key == Tag, 1))
        ExpCountPoolFree(&Entry->Pool[BaseType], NumberOfBytes);
    else
        ExpRemovePoolTrackerSlow(Tag, NumberOfBytes, BaseType);
}

SIZE_T ExpPoolTrackerBytes(ULONG BaseType);   /* all tags */

/* ---- small blocks (poolblock.c) ---------------------------------------------- */

/* Everything an allocation's lookaside list does not serve: big and
 * cache-aligned requests, small ones the list missed (from the free lists
 * or a new page), and what a failure does (MUST_SUCCEED_POOL_EMPTY, the
 * raise). The caller's checks are done and the pool is set up; Caller is
 * the caller's address for the failure's parameters. Takes the pool lock. */
PVOID ExpAllocatePoolFromPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller);

/* A free of the block at P of BaseType into the free lists, after the
 * whole neighbour check; the caller's checks are done. Takes the pool lock. */
void ExpFreePoolToFreeLists(ULONG BaseType, PVOID P);

/* Frees a small block into the free lists, coalescing; pool lock held. */
void ExpFreeSmallBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Entry);

/* ---- the interface's checks (pool.c) ----------------------------------------- */

/* The caller's side of a free: IRQL for the block's pool (BAD_POOL_CALLER
 * 0x09) and the tag (0x0A). Changes nothing. */
void ExpCheckFreeCallerSlow(PVOID P, ULONG BaseType, ULONG AllocatorTag, ULONG TagToFree);
/* The common case in two compares: the IRQL at most DISPATCH_LEVEL -
 * BaseType (nonpaged 2, paged 1) and the tag named exactly. */
FORCEINLINE void ExpCheckFreeCaller(PVOID P, ULONG BaseType, ULONG AllocatorTag, ULONG TagToFree)
{
    if (__builtin_expect(KeGetCurrentIrql() > DISPATCH_LEVEL - BaseType || TagToFree != AllocatorTag, 0))
        ExpCheckFreeCallerSlow(P, BaseType, AllocatorTag, TagToFree);
}

/* Everything ExpCheckFreeCaller says, the tags that may differ too. */
FORCEINLINE void ExpCheckFreeCallerFull(PVOID P, ULONG BaseType, ULONG AllocatorTag, ULONG TagToFree)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > (BaseType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 0x09, Irql, BaseType, (ULONG_PTR)P);
    /* A protected tag must be named exactly; any other only when given. */
    if (AllocatorTag & PROTECTED_POOL) {
        if (TagToFree != AllocatorTag)
            KeBugCheckEx(BAD_POOL_CALLER, 0x0A, (ULONG_PTR)P, AllocatorTag, TagToFree);
    } else if (TagToFree != 0 && (TagToFree & ~PROTECTED_POOL) != AllocatorTag) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x0A, (ULONG_PTR)P, AllocatorTag, TagToFree);
    }
}

/* Sets up the lookaside list heads and the pool's own lists (lookaside.c). */
void ExpInitializeLookasideLists(void);

/* Bugchecks in the x86 pool's manner (poolcheck.c). */
/* Finds the broken rule and bugchecks; never returns. */
void ExpCheckPoolBlockNeighboursSlow(PPOOL_HEADER Entry) __attribute__((noreturn));
void ExpCheckFreeListEntry(PLIST_ENTRY Link);

/*
 * The check every free runs: the block's size fits its page, and both
 * neighbours agree with it (the previous block's size is our PreviousSize,
 * the next block's PreviousSize is our size). All of it in one expression
 * here; on any failure ExpCheckPoolBlockNeighboursSlow finds which rule was
 * broken and bugchecks BAD_POOL_HEADER with NT's subcode.
 */
FORCEINLINE void ExpCheckPoolBlockNeighbours(PPOOL_HEADER Entry)
{
    ULONG Offset = ExpUnitInPage(Entry);
    ULONG Size = Entry->BlockSize, Previous = Entry->PreviousSize;
    ULONG End = Offset + Size;
    /* A first block has PreviousSize 0; any other 1..Offset. */
    BOOLEAN Good = Size != 0 && End <= POOL_PAGE_UNITS &&
                   (Offset == 0 ? Previous == 0
                                : Previous - 1 < Offset &&
                                      ExpBlockAt(Entry, -(LONG)Previous)->BlockSize == Previous) &&
                   (End == POOL_PAGE_UNITS || ExpBlockAt(Entry, (LONG)Size)->PreviousSize == Size);
    if (__builtin_expect(!Good, 0))
        ExpCheckPoolBlockNeighboursSlow(Entry);
}

#endif /* POOLP_H */
