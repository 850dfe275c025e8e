/*
 * poolp.h - the pool's private layout, shared by mm/pool.c, poolpage.c,
 * pooltag.c, poolcheck.c and lookaside.c; and what the pool needs from its
 * environment (the page supply and the IRQL), which the kernel provides
 * from the system-PTE layer and the host tests from tests/host/pool_host_env.c.
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
#define POOL_HEADER_TYPE_SHIFT     25
#define POOL_HEADER_TYPE_AND_INDEX 0xFE00FE00u

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
 * entry point calls it, so the test of the flag is inline. */
extern BOOLEAN ExpPoolInitialized;
void ExpInitializePoolOnce(void);
FORCEINLINE void ExpInitializePool(void)
{
    if (__builtin_expect(!ExpPoolInitialized, 0))
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
 * Two hash tables keyed by page address: the pages carved into small
 * blocks (which pool each belongs to; the validator walks them, and a free
 * of an address in no pool page is caught), and NT's big-page table of
 * whole-page allocations (address, tag, pages). Their storage comes from
 * MiAllocatePoolPages and grows by doubling.
 */
typedef struct _POOL_TRACKER_BIG_PAGES {
    PVOID Va;               /* NULL: a free slot */
    ULONG Key;              /* the tag (0 in the small-page table) */
    ULONG NumberOfPages;
    ULONG PoolType;         /* the base pool */
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;

/* An open-addressing table of POOL_TRACKER_BIG_PAGES keyed by Va. */
typedef struct _EXP_PAGE_TABLE {
    PPOOL_TRACKER_BIG_PAGES Table;
    ULONG Size;         /* slots: 0 or a power of two */
    ULONG Count;
} EXP_PAGE_TABLE, *PEXP_PAGE_TABLE;

extern EXP_PAGE_TABLE ExpPoolPageTable;     /* small-block pages */

static inline ULONG ExpHashPage(const EXP_PAGE_TABLE *PageTable, const void *Va)
{
    ULONG PageNumber = (ULONG)((ULONG_PTR)Va >> PAGE_SHIFT);
    return (PageNumber * 2654435761u) >> 7 & (PageTable->Size - 1);
}

/* Small pool pages. Insert fails (FALSE) only when the table cannot grow. */
BOOLEAN ExpInsertPoolPage(PVOID Page, ULONG BaseType);
void ExpRemovePoolPage(PVOID Page);
ULONG ExpLookupPoolPageSlow(PVOID Page);

/* The page's base pool type + 1, or 0 when Page is no small pool page.
 * Every free asks, so the page's home slot is tried inline (the table is
 * at most half full: it is usually there); probing goes out of line. */
FORCEINLINE ULONG ExpLookupPoolPage(PVOID Page)
{
    if (ExpPoolPageTable.Size != 0) {
        const POOL_TRACKER_BIG_PAGES *Slot =
            &ExpPoolPageTable.Table[ExpHashPage(&ExpPoolPageTable, Page)];
        if (Slot->Va == Page && Page != NULL)
            return Slot->PoolType + 1;
    }
    return ExpLookupPoolPageSlow(Page);
}
/* Calls Callback for each small page of BaseType. */
typedef void (*PEXP_POOL_PAGE_CALLBACK)(PVOID Page, PVOID Context);
void ExpEnumeratePoolPages(ULONG BaseType, PEXP_POOL_PAGE_CALLBACK Callback, PVOID Context);

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

static inline ULONG ExpHashTag(ULONG Key)
{
    return (Key * 40543u) >> 8 & (POOL_TRACK_TABLE_SIZE - 1);
}

/* The tag's entry, created when Create and absent; NULL if absent. */
PPOOL_TRACKER_TABLE ExpFindPoolTracker(ULONG Key, BOOLEAN Create);

/* The tag's entry: its home slot inline (where a tag in use sits unless
 * another tag hashed there first), else the probe. */
FORCEINLINE PPOOL_TRACKER_TABLE ExpLookupPoolTracker(ULONG Key, BOOLEAN Create)
{
    Key &= ~PROTECTED_POOL;
    PPOOL_TRACKER_TABLE Entry = &PoolTrackTable[ExpHashTag(Key)];
    return __builtin_expect(Entry->Key == Key, 1) ? Entry : ExpFindPoolTracker(Key, Create);
}

/* The counters change with interlocked adds, as NT's do: the pool's fast
 * paths count without the pool lock. */
#define ExpInterlockedAdd(Counter, Value) ((void)__atomic_fetch_add((Counter), (Value), __ATOMIC_RELAXED))

/* Counts an allocation of NumberOfBytes under Key. Any IRQL the pool allows. */
FORCEINLINE void ExpInsertPoolTracker(ULONG Key, SIZE_T NumberOfBytes, ULONG BaseType)
{
    EXP_POOL_TRACKER_COUNTS *Counts = &ExpLookupPoolTracker(Key, TRUE)->Pool[BaseType];
    ExpInterlockedAdd(&Counts->Allocs, 1);
    ExpInterlockedAdd(&Counts->Bytes, NumberOfBytes);
}

/* Counts a free. Every block's tag was inserted when it was allocated; a
 * missing one means the header's tag changed since (a corrupting write). */
FORCEINLINE void ExpRemovePoolTracker(ULONG Key, SIZE_T NumberOfBytes, ULONG BaseType)
{
    PPOOL_TRACKER_TABLE Entry = ExpLookupPoolTracker(Key, FALSE);
    ASSERTMSG("pool tag not tracked", Entry != NULL);
    EXP_POOL_TRACKER_COUNTS *Counts = &Entry->Pool[BaseType];
    ASSERT(Counts->Bytes >= NumberOfBytes);
    ExpInterlockedAdd(&Counts->Frees, 1);
    ExpInterlockedAdd(&Counts->Bytes, -NumberOfBytes);
}

SIZE_T ExpPoolTrackerBytes(ULONG BaseType);   /* all tags */

/* ---- small blocks (pool.c) --------------------------------------------------- */

/* Frees a small block into the free lists, coalescing; pool lock held. */
void ExpFreeSmallBlock(PPOOL_DESCRIPTOR PoolDesc, PPOOL_HEADER Entry);

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
void ExpCheckPoolBlockNeighboursSlow(PPOOL_HEADER Entry);
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
