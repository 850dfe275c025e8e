/*
 * pool.h - the executive pool and lookaside lists as wdm.h declares them:
 * POOL_TYPE, ExAllocatePool*, ExFreePool*, GENERAL_LOOKASIDE and the
 * Ex*LookasideList calls; plus the pool's own queries (tag tracking, the
 * whole-pool validator) for tests and the debugger-style dump.
 *
 * docs/pool.md explains the design; mm/poolp.h holds the private layout.
 */
#ifndef POOL_H
#define POOL_H

#include "ntdef.h"
#include "list.h"
#include "slist.h"
#include "ke.h"

/* wdm.h's values. Bit 0 is the base pool (paged or not), bit 1 must-succeed,
 * bit 2 cache-aligned. */
typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    PagedPool = 1,
    NonPagedPoolMustSucceed = 2,
    DontUseThisType = 3,
    NonPagedPoolCacheAligned = 4,
    PagedPoolCacheAligned = 5,
    NonPagedPoolCacheAlignedMustS = 6,
    MaxPoolType = 7,
    NonPagedPoolSession = 32,
    PagedPoolSession = 33,
    NonPagedPoolNx = 512,
} POOL_TYPE;

#define BASE_POOL_TYPE_MASK          1
#define MUST_SUCCEED_POOL_TYPE_MASK  2
#define CACHE_ALIGNED_POOL_TYPE_MASK 4
#define SESSION_POOL_MASK            32

/* Flags OR-ed into PoolType (wdm.h / ex.h). */
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
#define POOL_COLD_ALLOCATION             256
#define POOL_NX_ALLOCATION               512

/* A tag with this bit must be freed with the same tag (ExFreePoolWithTag). */
#define PROTECTED_POOL 0x80000000u

/* The tag ExAllocatePool and ExAllocatePoolWithQuota use: 'None'. */
#define EXP_DEFAULT_POOL_TAG 0x656E6F4Eu

/* The cache line CacheAligned pool types align to. */
#define EXP_CACHE_LINE_SIZE 64

/*
 * ExAllocatePoolWithTag: NumberOfBytes from PoolType, marked with Tag.
 * Returns 8-byte-aligned memory (64 for the CacheAligned types; a page
 * boundary above 4080 bytes), or NULL when the pool's region is exhausted.
 * Zero bytes gives a valid smallest block (8 usable bytes), as NT's free
 * build gives a valid block. Failures that do not return NULL:
 * NonPagedPoolMustSucceed bugchecks MUST_SUCCEED_POOL_EMPTY, and
 * POOL_RAISE_IF_ALLOCATION_FAILURE raises STATUS_INSUFFICIENT_RESOURCES
 * (a bugcheck KMODE_EXCEPTION_NOT_HANDLED until the kernel has exceptions).
 * Misuse bugchecks BAD_POOL_CALLER: Tag 0 (0x9B), Tag 'BIG ' (0x9C),
 * DontUseThisType (0x9A), IRQL above DISPATCH_LEVEL for nonpaged or above
 * APC_LEVEL for paged pool (0x08).
 */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);

/* ExAllocatePoolWithTag with the tag 'None'. */
PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);

/*
 * The quota variants. No process exists yet, so no quota is charged; the
 * failure rule is NT's: a failed allocation raises STATUS_INSUFFICIENT_
 * RESOURCES (a KMODE_EXCEPTION_NOT_HANDLED bugcheck for now) unless PoolType
 * has POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, which returns NULL instead.
 */
PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePoolWithQuota(POOL_TYPE PoolType, SIZE_T NumberOfBytes);

/*
 * ExFreePoolWithTag: gives back P, which an ExAllocatePool* call returned.
 * Tag must be the allocation's tag (PROTECTED_POOL ignored) unless it is 0.
 * Bugchecks BAD_POOL_CALLER for a double free (0x07), a wrong tag (0x0A), an
 * IRQL too high for the block's pool (0x09), an address in no pool page
 * (0x42) or a page-aligned address that is no big allocation (0x46); and
 * BAD_POOL_HEADER when the block's header or its neighbours' are damaged.
 */
void ExFreePoolWithTag(PVOID P, ULONG Tag);
void ExFreePool(PVOID P);

/* ---- special pool (mm/specialpool.c) -------------------------------------------
 *
 * Driver Verifier's special pool: an allocation whose tag is chosen gets a
 * page of its own with a no-access page after it and the data at the
 * page's end, so an overrun faults at once (PAGE_FAULT_BEYOND_END_OF_
 * ALLOCATION, 0xCD) and a use after free faults (PAGE_FAULT_IN_FREED_
 * SPECIAL_POOL, 0xCC); the slack around the data is checked on free
 * (SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, 0xC1). Tags are chosen with the
 * boot option specialpool=Tag1,Tag2 or with MmAddSpecialPoolTag. A pattern
 * may use NT's wildcards: '?' one character, '*' the rest. docs/pool.md.
 */
#define MI_SPECIAL_POOL_MAX_TAGS 8

/* Chooses Tag (a pattern) for special pool. STATUS_INSUFFICIENT_RESOURCES
 * when MI_SPECIAL_POOL_MAX_TAGS are chosen or the address range cannot be
 * had. PASSIVE_LEVEL. */
NTSTATUS MmAddSpecialPoolTag(ULONG Tag);
/* Unchooses Tag; blocks already in special pool stay there until freed.
 * STATUS_NOT_FOUND if it was not chosen. */
NTSTATUS MmRemoveSpecialPoolTag(ULONG Tag);

typedef struct _MM_SPECIAL_POOL_USAGE {
    ULONG Allocations;          /* since boot */
    ULONG Frees;
    ULONG PagesInUse;           /* one per block out */
    SIZE_T BytesInUse;          /* as requested */
    ULONG Slots;                /* blocks special pool can hold at once */
} MM_SPECIAL_POOL_USAGE, *PMM_SPECIAL_POOL_USAGE;
void MmQuerySpecialPoolUsage(PMM_SPECIAL_POOL_USAGE Usage);

/* ---- lookaside lists ------------------------------------------------------ */

typedef PVOID (*PALLOCATE_FUNCTION)(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
typedef void (*PFREE_FUNCTION)(PVOID Buffer);

/* wdm.h's x86 GENERAL_LOOKASIDE, field for field, and cache aligned as
 * wdm.h declares it (DECLSPEC_CACHEALIGN, 64 bytes): 0x80 bytes, as NT
 * x86's, so a list's counters share no line with its neighbour's, and an
 * array of them is indexed with a shift (the pool's per-size lists). */
typedef struct __attribute__((aligned(64))) _GENERAL_LOOKASIDE {
    SLIST_HEADER ListHead;
    USHORT Depth;               /* the most entries kept: adapts, 4..MaximumDepth */
    USHORT MaximumDepth;        /* 256 */
    ULONG TotalAllocates;
    union { ULONG AllocateMisses; ULONG AllocateHits; };  /* Hits for the pool's own lists */
    ULONG TotalFrees;
    union { ULONG FreeMisses; ULONG FreeHits; };
    POOL_TYPE Type;
    ULONG Tag;
    ULONG Size;
    PALLOCATE_FUNCTION Allocate;
    PFREE_FUNCTION Free;
    LIST_ENTRY ListEntry;       /* on the system list the depth scan walks */
    ULONG LastTotalAllocates;   /* the counters at the last scan */
    union { ULONG LastAllocateMisses; ULONG LastAllocateHits; };
    ULONG Future[2];
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;
C_ASSERT(sizeof(GENERAL_LOOKASIDE) == 0x80);

typedef struct _NPAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
    ULONG_PTR Lock__ObsoleteButDoNotDelete;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;

typedef struct _PAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
    ULONG_PTR Lock__ObsoleteButDoNotDelete[8];   /* NT: a FAST_MUTEX */
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;

/* NT's constants for the depth adjustment (ex/lookasid.c). */
#define EXP_MINIMUM_LOOKASIDE_DEPTH       4
#define EXP_MAXIMUM_LOOKASIDE_DEPTH       256
#define EXP_MINIMUM_ALLOCATION_THRESHOLD  25   /* per second */
#define EXP_LOOKASIDE_SCAN_PERIOD         3    /* seconds between scans of one list */

/*
 * Initializes a lookaside list of Size-byte entries (Size >= sizeof
 * (SLIST_ENTRY)) from nonpaged (paged) pool, Flags OR-ed into the pool type.
 * Allocate/Free default to ExAllocatePoolWithTag/ExFreePool. Depth is
 * ignored as NT ignores it: the list starts at depth 4 with maximum 256 and
 * the periodic scan adapts it. The list joins the system list the scan
 * walks, so it must be deleted before its memory goes.
 * IRQL <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged).
 */
void ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth);
void ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                    USHORT Depth);

/* Removes the list from the system list and frees every cached entry
 * through Free. Same IRQL as initialization. */
void ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
void ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);

/*
 * The allocate and free calls are inline, as wdm.h has them (FORCEINLINE):
 * a lookaside list is worth having only if its hit costs a few dozen
 * instructions, and a call would be a third of that. The misses call out.
 */

/* The common body of both allocate calls. */
FORCEINLINE PVOID ExpAllocateFromGeneralLookaside(PGENERAL_LOOKASIDE Lookaside)
{
    Lookaside->TotalAllocates++;
    PVOID Entry = InterlockedPopEntrySList(&Lookaside->ListHead);
    if (__builtin_expect(Entry == NULL, 0)) {
        Lookaside->AllocateMisses++;
        Entry = Lookaside->Allocate(Lookaside->Type, Lookaside->Size, Lookaside->Tag);
    }
    return Entry;
}

/* The common body of both free calls. */
FORCEINLINE void ExpFreeToGeneralLookaside(PGENERAL_LOOKASIDE Lookaside, PVOID Entry)
{
    Lookaside->TotalFrees++;
    if (__builtin_expect(ExQueryDepthSList(&Lookaside->ListHead) >= Lookaside->Depth, 0)) {
        Lookaside->FreeMisses++;
        Lookaside->Free(Entry);
    } else {
        InterlockedPushEntrySList(&Lookaside->ListHead, (PSLIST_ENTRY)Entry);
    }
}

/*
 * Pops a cached entry; on an empty list counts an AllocateMiss and returns
 * Allocate(Type, Size, Tag), which may be NULL. TotalAllocates counts both.
 * IRQL <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged), asserted.
 */
FORCEINLINE PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    ASSERT_IRQL_LESS_OR_EQUAL(DISPATCH_LEVEL);
    return ExpAllocateFromGeneralLookaside(&Lookaside->L);
}

FORCEINLINE PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ASSERT_IRQL_LESS_OR_EQUAL(APC_LEVEL);
    return ExpAllocateFromGeneralLookaside(&Lookaside->L);
}

/*
 * Caches Entry unless Depth entries are cached already; then counts a
 * FreeMiss and passes Entry to Free. TotalFrees counts both. Same IRQL.
 */
FORCEINLINE void ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ASSERT_IRQL_LESS_OR_EQUAL(DISPATCH_LEVEL);
    ExpFreeToGeneralLookaside(&Lookaside->L, Entry);
}

FORCEINLINE void ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ASSERT_IRQL_LESS_OR_EQUAL(APC_LEVEL);
    ExpFreeToGeneralLookaside(&Lookaside->L, Entry);
}

/*
 * The balance-set manager's periodic call (NT calls it once a second): each
 * call scans one of the three sets of lists in turn (general nonpaged,
 * general paged, the pool's own small-block lists), so each list is scanned
 * every 3 seconds and its depth recomputed from the allocations and misses
 * since its previous scan (ExpComputeLookasideDepth). IRQL <= DISPATCH_LEVEL.
 */
void ExAdjustLookasideDepth(void);

/*
 * NT's depth rule for one list, given the allocations and misses since its
 * last scan over ScanPeriod seconds: fewer than 25 allocations a second
 * lowers Depth by 10; a miss rate under 0.5% lowers it by 1; otherwise it
 * rises by (MaximumDepth - Depth) * missrate / 2 + 5, at most 30, up to
 * MaximumDepth. Never below 4. Returns the new depth.
 */
USHORT ExpComputeLookasideDepth(ULONG Allocates, ULONG Misses, USHORT Depth,
                                USHORT MaximumDepth, ULONG ScanPeriod);

/* ---- pool queries: poolmon's view, leak checks, validation ------------------ */

/* Per tag and pool, poolmon's columns. */
typedef struct _EXP_POOL_TAG_INFO {
    ULONG Tag;
    ULONG Allocs;
    ULONG Frees;
    SIZE_T Bytes;       /* in use: whole blocks with their header, whole pages when big */
} EXP_POOL_TAG_INFO, *PEXP_POOL_TAG_INFO;

/* Fills Info for Tag in the base pool of PoolType; FALSE if never used. */
BOOLEAN ExpQueryPoolTag(ULONG Tag, POOL_TYPE PoolType, PEXP_POOL_TAG_INFO Info);

/* Bytes in use under Tag in PoolType's base pool: 0 means no leak. */
SIZE_T ExpPoolTagBytes(ULONG Tag, POOL_TYPE PoolType);

/* Prints the tag table like poolmon (a DbgPrint-shaped routine). */
typedef ULONG (*PEXP_POOL_PRINT_ROUTINE)(PCSTR Format, ...);
void ExpDumpPoolTags(PEXP_POOL_PRINT_ROUTINE Print);

/* A pool's totals. */
typedef struct _EXP_POOL_USAGE {
    ULONG RunningAllocs;
    ULONG RunningDeAllocs;
    ULONG TotalPages;       /* pages carved into small blocks */
    ULONG TotalBigPages;    /* pages of big allocations */
    SIZE_T BytesInUse;      /* as the tag table counts them */
    ULONG CachedBlocks;     /* small blocks held by the pool's lookaside lists */
} EXP_POOL_USAGE, *PEXP_POOL_USAGE;
void ExpQueryPoolUsage(POOL_TYPE PoolType, PEXP_POOL_USAGE Usage);

/* Pages the pool holds for its own tables (not in any pool's usage). */
ULONG ExpPoolBookkeepingPages(void);

/*
 * Walks every page of PoolType's base pool: each header chain, PreviousSize
 * against its neighbour, no two free neighbours, every free block on the
 * list of its size and every list entry a free block in a pool page, the
 * lookaside-held blocks against the lists' depths, and the totals against
 * the descriptor and the tag table. Bugchecks BAD_POOL_HEADER on damage,
 * asserts on a bookkeeping mismatch. Returns the pages walked.
 * IRQL <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged).
 */
ULONG ExpValidatePool(POOL_TYPE PoolType);

/*
 * Gives every block cached by the pool's own small-block lookaside lists of
 * PoolType's base pool back to the free lists (and whole free pages back to
 * MiFreePoolPages). The pool does this itself before it fails an
 * allocation; tests use it to count pages.
 */
void ExpFlushPoolLookasideLists(POOL_TYPE PoolType);

#endif /* POOL_H */
