/*
 * heapp.h - the Rtl heap's private structures and the calls between its
 * files (heap.c, heapalloc.c, heaprealloc.c, heaplist.c, heapseg.c,
 * heapbase.c, heapbig.c, heapfront.c, heapcheck.c, heapwalk.c).
 *
 * Layout (docs/heap.md has the pictures): a heap is a set of segments, each
 * one reservation that is committed page by page. A segment holds blocks,
 * each an 8-byte HEAP_ENTRY followed by data, measured in 8-byte units.
 * Committed pages form runs; every run ends with a one-unit busy "sentinel"
 * block (HEAP_ENTRY_LAST_ENTRY), and the first block of every run has
 * PreviousSize 0, so coalescing stops at the edges of a run without looking
 * at uncommitted memory. A page bitmap in the segment says which pages are
 * committed.
 *
 * Invariants (RtlpHeapValidateLocked checks all of them):
 *  - every block's SmallTagIndex is its checksum (RtlpHeapChecksum);
 *  - next(B)->PreviousSize == B->Size inside a run;
 *  - a free block is on exactly the free list of its size; no two free
 *    blocks are adjacent unless together they exceed HEAP_MAX_FREE_UNITS;
 *  - Heap->TotalFreeSize is the sum of the free blocks' sizes.
 * Lock: everything here is called with the heap lock held (or under
 * HEAP_NO_SERIALIZE, where the caller serializes).
 */
#ifndef HEAPP_H
#define HEAPP_H

#include "heap.h"
#include "list.h"
#include "ntassert.h"

/* The block header, NT's HEAP_ENTRY for x86 (8 bytes on every build). */
typedef struct _HEAP_ENTRY {
    USHORT Size;            /* in 8-byte units, header included */
    USHORT PreviousSize;    /* the previous block's Size; 0 for the first block of a run */
    UCHAR SmallTagIndex;    /* here: a checksum of the other seven bytes */
    UCHAR Flags;            /* HEAP_ENTRY_* */
    UCHAR UnusedBytes;      /* Size * 8 minus the bytes the caller asked for */
    UCHAR SegmentIndex;
} HEAP_ENTRY, *PHEAP_ENTRY;
C_ASSERT(sizeof(HEAP_ENTRY) == 8);

#define HEAP_GRANULARITY        8
#define HEAP_GRANULARITY_SHIFT  3

#define HEAP_ENTRY_BUSY             0x01
#define HEAP_ENTRY_EXTRA_PRESENT    0x02    /* NT's; unused here */
#define HEAP_ENTRY_FILL_PATTERN     0x04    /* busy: tail pattern; free: free-fill pattern */
#define HEAP_ENTRY_VIRTUAL_ALLOC    0x08    /* a big block in its own region */
#define HEAP_ENTRY_LAST_ENTRY       0x10    /* the sentinel that ends a committed run */
#define HEAP_ENTRY_LFH_SLOT         0x20    /* a slot of an LFH subsegment (busy or free) */
#define HEAP_ENTRY_LFH_SUBSEGMENT   0x40    /* a busy block that holds an LFH subsegment */
#define HEAP_ENTRY_LOOKASIDE        0x80    /* busy in the back end, free in a lookaside list */

/* A free block: the header, then its free-list links. */
typedef struct _HEAP_FREE_ENTRY {
    HEAP_ENTRY Entry;
    LIST_ENTRY FreeList;
} HEAP_FREE_ENTRY, *PHEAP_FREE_ENTRY;

/* The smallest block: room for the free-list links (2 units on x86, 3 on the 64-bit host). */
#define HEAP_MIN_BLOCK_UNITS ((USHORT)((sizeof(HEAP_FREE_ENTRY) + 7) >> HEAP_GRANULARITY_SHIFT))
#define HEAP_MAX_FREE_UNITS  0xFFFF
#define HEAP_FREE_LISTS      128    /* FreeLists[n] holds n-unit blocks; [0] the bigger ones, by size */
/*
 * FreeLists[0] is one list sorted by size; FreeHints[c] points at the first
 * block of size class c in it (NULL: none), so an insertion or a search
 * starts in its own class instead of walking every smaller block. Classes:
 * four per power of two from 128 units (0x80-0x9F, 0xA0-0xBF, ...); the
 * last one takes everything from 0x3800 units (112 KB) up.
 */
#define HEAP_FREE_HINTS      32

/* A block in its own reservation (growable heaps, requests over the threshold). */
typedef struct _HEAP_VIRTUAL_ALLOC_ENTRY {
    LIST_ENTRY Entry;
    SIZE_T CommitSize;      /* bytes committed from the region base */
    SIZE_T ReserveSize;
    SIZE_T UserSize;        /* the size asked for */
    _Alignas(8) HEAP_ENTRY BusyBlock;
} HEAP_VIRTUAL_ALLOC_ENTRY, *PHEAP_VIRTUAL_ALLOC_ENTRY;
C_ASSERT(offsetof(HEAP_VIRTUAL_ALLOC_ENTRY, BusyBlock) % 8 == 0);

#define HEAP_SIGNATURE          0xEEFFEEFFu
#define HEAP_SEGMENT_SIGNATURE  0xFFEEFFEEu
#define HEAP_MAXIMUM_SEGMENTS   64
#define HEAP_LOOKASIDE_LISTS    128     /* blocks of 1..127 units (up to 1 KB) */
#define HEAP_LOOKASIDE_DEPTH    32

#define HEAP_FREE_FILL          0xFEEEFEEEu /* NT's freed-memory fill */
#define HEAP_TAIL_FILL          0xAB        /* NT's CHECK_HEAP_TAIL_FILL */
#define HEAP_TAIL_SIZE          8

typedef struct _HEAP_SEGMENT {
    ULONG Signature;
    UCHAR SegmentIndex;
    struct _HEAP *Heap;
    PUCHAR BaseAddress;             /* the reservation */
    SIZE_T ReservedSize;
    ULONG NumberOfPages;
    ULONG NumberOfUnCommittedPages;
    PHEAP_ENTRY FirstEntry;
    PUCHAR LastValidEntry;          /* BaseAddress + ReservedSize */
    PULONG CommitBitmap;            /* bit n set: page n is committed */
    ULONG SegmentFlags;             /* HEAP_SEGMENT_USER_ALLOCATED */
} HEAP_SEGMENT, *PHEAP_SEGMENT;

/* The segment is the caller's memory (HeapBase): RtlDestroyHeap leaves it alone. */
#define HEAP_SEGMENT_USER_ALLOCATED 0x00000001

typedef struct _HEAP_LOOKASIDE {
    SINGLE_LIST_ENTRY ListHead;     /* linked through the blocks' data */
    USHORT Depth;
    USHORT MaximumDepth;
    ULONG TotalAllocates, AllocateHits, TotalFrees, FreeHits;
} HEAP_LOOKASIDE, *PHEAP_LOOKASIDE;

/*
 * The low-fragmentation front end (heaplfh.c). A subsegment sits in the
 * data of a busy back-end block and is cut into BlockCount slots of
 * BlockUnits each; free slots are linked through their data.
 */
#define HEAP_LFH_BUCKETS        96      /* 8-byte steps to 256 B, then 16 per doubling */
#define HEAP_LFH_MAX_UNITS      512     /* 4 KB blocks, header included */
#define HEAP_LFH_MIN_SLOTS      2
#define HEAP_LFH_MAX_SLOTS      1024
#define HEAP_SUBSEGMENT_SIGNATURE 0x5348464Cu   /* "LFHS" */

typedef struct _HEAP_SUBSEGMENT {
    ULONG Signature;
    USHORT BlockUnits;              /* every slot's Size */
    USHORT BlockCount;
    USHORT FreeCount;               /* slots on FreeList */
    UCHAR BucketIndex;
    struct _HEAP *Heap;
    struct _HEAP_LFH_BUCKET *Bucket;    /* Heap->Buckets[BucketIndex] */
    PUCHAR FirstSlot;               /* slot headers from here ... */
    PUCHAR EndSlots;                /* ... to here */
    SINGLE_LIST_ENTRY FreeList;     /* through the free slots' data, LIFO */
    LIST_ENTRY Link;                /* in the bucket's list */
} HEAP_SUBSEGMENT, *PHEAP_SUBSEGMENT;

typedef struct _HEAP_LFH_BUCKET {
    LIST_ENTRY Subsegments;         /* those with a free slot come first */
    USHORT BlockUnits;
    USHORT SubsegmentCount;
} HEAP_LFH_BUCKET, *PHEAP_LFH_BUCKET;

typedef struct _HEAP {
    ULONG Signature;
    ULONG Flags;                    /* creation flags */
    ULONG ForceFlags;               /* flags every call gets */
    ULONG Protect;                  /* PAGE_READWRITE or PAGE_EXECUTE_READWRITE */
    UCHAR EntryCookie;              /* mixed into every checksum */
    UCHAR FrontEndHeapType;         /* HEAP_FRONT_END_* */
    UCHAR SegmentCount;             /* Segments[0..SegmentCount) */
    volatile ULONG LockWord;
    ULONG LockRecursion;
    volatile ULONG_PTR LockOwner;
    SIZE_T SegmentReserve;          /* bytes for the next segment */
    SIZE_T SegmentCommit;           /* least bytes committed at a time */
    SIZE_T DeCommitFreeBlockThreshold;  /* units */
    SIZE_T DeCommitTotalFreeThreshold;  /* units; raised while the heap churns (heapseg.c) */
    SIZE_T DeCommitTotalFreeBase;       /* units: the threshold as created */
    BOOLEAN DecommittedSinceExtend;     /* pages went back since the heap last committed */
    SIZE_T VirtualMemoryThreshold;  /* units; bigger requests get their own region */
    SIZE_T TotalFreeSize;           /* units on the free lists */
    PHEAP_SEGMENT Segments[HEAP_MAXIMUM_SEGMENTS];
    LIST_ENTRY VirtualAllocdBlocks;
    ULONG FreeListsInUse[HEAP_FREE_LISTS / 32];
    LIST_ENTRY FreeLists[HEAP_FREE_LISTS];
    struct _HEAP_FREE_ENTRY *FreeHints[HEAP_FREE_HINTS];
    ULONG FreeHintsInUse;           /* bit c: FreeHints[c] is not NULL */
    HEAP_LOOKASIDE Lookaside[HEAP_LOOKASIDE_LISTS];
    HEAP_LFH_BUCKET Buckets[HEAP_LFH_BUCKETS];
    ULONG LfhSubsegmentCount;       /* subsegments the LFH holds, all buckets */
    struct _HEAP_SUBSEGMENT *LfhLastUsed;   /* the subsegment last allocated from or freed to */
    ULONG PendingCorruption;        /* HEAP_CORRUPTION_* found under the lock, reported after */
    PVOID PendingCorruptionAddress;
    HEAP_SEGMENT Segment0;          /* the first segment's descriptor */
    PVOID LockVariable;             /* the caller's lock, with HEAP_LOCK_USER_ALLOCATED */
    PRTL_HEAP_COMMIT_ROUTINE CommitRoutine; /* commits for a heap on caller memory, or NULL */
} HEAP, *PHEAP;

/* In HEAP.Flags (NT's value): LockVariable, the caller's lock, serializes the heap. */
#define HEAP_LOCK_USER_ALLOCATED    0x80000000

/* Reasons passed to RtlpHeapReportCorruption. */
#define HEAP_CORRUPTION_FOREIGN_POINTER     1   /* not a block of this heap */
#define HEAP_CORRUPTION_DOUBLE_FREE         2   /* the block is already free */
#define HEAP_CORRUPTION_BAD_HEADER          3   /* checksum or links of a header are wrong */
#define HEAP_CORRUPTION_TAIL_OVERWRITTEN    4   /* bytes written past the end of a block */
#define HEAP_CORRUPTION_FREE_MODIFIED       5   /* a free block was written after free */
#define HEAP_CORRUPTION_FREE_LIST           6   /* free lists disagree with the blocks */
#define HEAP_CORRUPTION_BAD_SEGMENT         7   /* segment or heap descriptor damaged */
#define HEAP_CORRUPTION_LOOKASIDE           8   /* a lookaside list is damaged */
#define HEAP_CORRUPTION_LFH                 9   /* an LFH subsegment or its free list is damaged */

/* Requests above this fail at once (they could not be rounded without overflow). */
#define HEAP_MAXIMUM_REQUEST ((SIZE_T)-1 - 4 * HEAP_ALLOCATION_GRANULARITY)

/* ---- small helpers ---- */

static inline PHEAP_ENTRY RtlpHeapNextEntry(PHEAP_ENTRY Entry)
{
    return (PHEAP_ENTRY)((PUCHAR)Entry + ((SIZE_T)Entry->Size << HEAP_GRANULARITY_SHIFT));
}

static inline PHEAP_ENTRY RtlpHeapPreviousEntry(PHEAP_ENTRY Entry)
{
    return (PHEAP_ENTRY)((PUCHAR)Entry - ((SIZE_T)Entry->PreviousSize << HEAP_GRANULARITY_SHIFT));
}

/*
 * UnusedBytes 0xFF means "more than a byte holds": the count is then the
 * USHORT in the block's last two bytes, which are unused by definition.
 * Only an LFH slot shrunk in place gets there (back-end blocks split).
 */
#define HEAP_UNUSED_EXTENDED 0xFF

static inline SIZE_T RtlpHeapUnusedBytes(const HEAP_ENTRY *Entry)
{
    if (Entry->UnusedBytes != HEAP_UNUSED_EXTENDED)
        return Entry->UnusedBytes;
    return *(const USHORT *)((const UCHAR *)Entry +
                             ((SIZE_T)Entry->Size << HEAP_GRANULARITY_SHIFT) - sizeof(USHORT));
}

static inline SIZE_T RtlpHeapUserSize(const HEAP_ENTRY *Entry)
{
    return ((SIZE_T)Entry->Size << HEAP_GRANULARITY_SHIFT) - RtlpHeapUnusedBytes(Entry);
}

static inline UCHAR RtlpHeapChecksum(const HEAP *Heap, const HEAP_ENTRY *Entry)
{
    /*
     * The XOR of the header's other seven bytes and the heap's cookie:
     * catches any single-byte damage. Computed a word at a time (x86 is
     * little-endian: SmallTagIndex is the low byte of the second word).
     */
    ULONG Words[2];
    __builtin_memcpy(Words, Entry, sizeof(Words));
    ULONG X = Words[0] ^ (Words[1] & 0xFFFFFF00u) ^ Heap->EntryCookie;
    X ^= X >> 16;
    X ^= X >> 8;
    return (UCHAR)X;
}

static inline void RtlpHeapSealEntry(const HEAP *Heap, PHEAP_ENTRY Entry)
{
    Entry->SmallTagIndex = RtlpHeapChecksum(Heap, Entry);
}

static inline BOOLEAN RtlpHeapEntryIntact(const HEAP *Heap, const HEAP_ENTRY *Entry)
{
    return Entry->SmallTagIndex == RtlpHeapChecksum(Heap, Entry);
}

/*
 * Rewrites Flags and UnusedBytes and updates the checksum by what changed,
 * without recomputing it: a header damaged before stays wrong by the same
 * bits, so the damage is still found where the header is next checked.
 */
static inline void RtlpHeapResealFlags(PHEAP_ENTRY Entry, UCHAR Flags, UCHAR UnusedBytes)
{
    UCHAR Change = (UCHAR)(Entry->Flags ^ Flags ^ Entry->UnusedBytes ^ UnusedBytes);
    Entry->Flags = Flags;
    Entry->UnusedBytes = UnusedBytes;
    Entry->SmallTagIndex ^= Change;
}

static inline BOOLEAN RtlpHeapIsPageCommitted(const HEAP_SEGMENT *Segment, const void *Address)
{
    ULONG Page = (ULONG)((SIZE_T)((PUCHAR)Address - Segment->BaseAddress) / HEAP_PAGE_SIZE);
    return (Segment->CommitBitmap[Page >> 5] >> (Page & 31)) & 1;
}

/* The segment whose committed pages hold Address (after its header), or NULL. */
FORCEINLINE PHEAP_SEGMENT RtlpHeapFindSegment(PHEAP Heap, PCVOID Address, ULONG *Index)
{
    for (ULONG i = 0; i < Heap->SegmentCount; i++) {
        PHEAP_SEGMENT Segment = Heap->Segments[i];
        if (Segment != NULL && (PUCHAR)Address >= (PUCHAR)Segment->FirstEntry &&
            (PUCHAR)Address < Segment->LastValidEntry) {
            *Index = i;
            return RtlpHeapIsPageCommitted(Segment, Address) ? Segment : NULL;
        }
    }
    return NULL;
}

/* The size class of a block of Units (at least HEAP_FREE_LISTS) in FreeLists[0]. */
static inline ULONG RtlpHeapFreeHintClass(USHORT Units)
{
    ULONG Log = 31 - (ULONG)__builtin_clz(Units);      /* 7 .. 15 */
    ULONG Class = (Log - 7) * 4 + ((Units >> (Log - 2)) & 3);
    C_ASSERT(HEAP_FREE_LISTS == 128 && HEAP_FREE_HINTS == 32);
    return Class < HEAP_FREE_HINTS ? Class : HEAP_FREE_HINTS - 1;
}

static inline ULONG_PTR RtlpHeapRoundUp(ULONG_PTR Value, ULONG_PTR Alignment)
{
    return (Value + Alignment - 1) & ~(Alignment - 1);
}

/* ---- heap.c: lock ---- */
BOOLEAN RtlpHeapAcquireLock(PHEAP Heap, ULONG Flags);
void RtlpHeapReleaseLock(PHEAP Heap, BOOLEAN Locked);

/*
 * The fast paths' lock: one exchange, taken only if free, with no owner
 * recorded. That is sound because a fast path never calls anything that
 * takes the lock again; a thread that holds the lock through RtlLockHeap
 * fails the exchange and goes the general way, where recursion is known.
 */
FORCEINLINE BOOLEAN RtlpHeapTryLockFast(PHEAP Heap)
{
    return __atomic_exchange_n(&Heap->LockWord, 1, __ATOMIC_ACQUIRE) == 0;
}

FORCEINLINE void RtlpHeapUnlockFast(PHEAP Heap)
{
    __atomic_store_n(&Heap->LockWord, 0, __ATOMIC_RELEASE);
}

/*
 * Takes the heap's lock for a general path: adopts the fast paths' hold
 * (Held: the word is already ours, so record the owner) rather than letting
 * it go and taking it again, which would cost two more atomic operations on
 * every call the fast path could not finish.
 */
static inline BOOLEAN RtlpHeapLockForGeneralPath(PHEAP Heap, ULONG Flags, BOOLEAN Held)
{
    if (!Held)
        return RtlpHeapAcquireLock(Heap, Flags);
    __atomic_store_n(&Heap->LockOwner, RtlpHeapCurrentThread(), __ATOMIC_RELAXED);
    Heap->LockRecursion = 1;
    return TRUE;
}

/* ---- heapalloc.c: the locked back-end calls the others share ---- */
SIZE_T RtlpHeapUnitsForSize(ULONG Flags, SIZE_T Size);
PHEAP_ENTRY RtlpHeapAllocateFromBackEnd(PHEAP Heap, USHORT Units);
PVOID RtlpHeapAllocateLocked(PHEAP Heap, ULONG Flags, SIZE_T Size);
void RtlpHeapFreeLocked(PHEAP Heap, PHEAP_ENTRY Entry);
void RtlpHeapFreeToBackEnd(PHEAP Heap, PHEAP_ENTRY Entry);
void RtlpHeapSetBusy(PHEAP Heap, PHEAP_ENTRY Entry, ULONG Flags, SIZE_T Size);

/* ---- heaplist.c: free lists, carving and coalescing ---- */
void RtlpHeapInitializeFreeLists(PHEAP Heap);
void RtlpHeapInsertFreeBlock(PHEAP Heap, PHEAP_FREE_ENTRY Free);
void RtlpHeapRemoveFreeBlock(PHEAP Heap, PHEAP_FREE_ENTRY Free);
PHEAP_FREE_ENTRY RtlpHeapFindFreeBlock(PHEAP Heap, USHORT Units);
void RtlpHeapCarveFreeRange(PHEAP Heap, UCHAR SegmentIndex, PUCHAR Start, PUCHAR End,
                            USHORT PreviousUnits);
void RtlpHeapCoalesceRange(PHEAP Heap, PHEAP_SEGMENT Segment, PUCHAR Start, PUCHAR End,
                           USHORT PreviousUnits, BOOLEAN AllowDecommit);
void RtlpHeapSplitBlock(PHEAP Heap, PHEAP_ENTRY Entry, USHORT Units, BOOLEAN AllowDecommit);

/* ---- heapseg.c: segments, commit and decommit ---- */
NTSTATUS RtlpHeapInitializeSegment(PHEAP Heap, PHEAP_SEGMENT Segment, UCHAR Index, PUCHAR Base,
                                   SIZE_T Reserved, SIZE_T Committed, SIZE_T HeaderBytes);
BOOLEAN RtlpHeapExtend(PHEAP Heap, USHORT Units);
BOOLEAN RtlpHeapDecommitRange(PHEAP Heap, PHEAP_SEGMENT Segment, PUCHAR Start, PUCHAR End,
                              USHORT PreviousUnits, PHEAP_ENTRY *Resume);
PHEAP_ENTRY RtlpHeapNextRun(PHEAP_SEGMENT Segment, PUCHAR Address);
SIZE_T RtlpHeapSegmentHeaderBytes(SIZE_T Reserved, BOOLEAN First);
void RtlpHeapReleaseSegments(PHEAP Heap);
NTSTATUS RtlpHeapCommitPages(PVOID HeapBase, PRTL_HEAP_COMMIT_ROUTINE CommitRoutine,
                             ULONG Protect, PVOID Address, SIZE_T Size);

/* ---- heapbase.c: heaps on caller memory ---- */
BOOLEAN RtlpHeapMeasureCallerMemory(ULONG Flags, PUCHAR HeapBase, PRTL_HEAP_PARAMETERS Parameters,
                                    ULONG Protect, PSIZE_T ReserveSize, PSIZE_T CommitSize);

/* ---- heapbig.c: blocks in their own regions ---- */
PVOID RtlpHeapAllocateBig(PHEAP Heap, ULONG Flags, SIZE_T Size);
void RtlpHeapFreeBig(PHEAP Heap, PHEAP_VIRTUAL_ALLOC_ENTRY Big);
PVOID RtlpHeapReAllocateBig(PHEAP Heap, ULONG Flags, PHEAP_VIRTUAL_ALLOC_ENTRY Big, SIZE_T Size);
void RtlpHeapReleaseBigBlocks(PHEAP Heap);

/* ---- heapfront.c: the lookaside front end ---- */
PHEAP_ENTRY RtlpHeapFrontAllocate(PHEAP Heap, USHORT Units);
BOOLEAN RtlpHeapFrontFree(PHEAP Heap, PHEAP_ENTRY Entry);
void RtlpHeapFrontFlush(PHEAP Heap);
BOOLEAN RtlpHeapFrontValidate(PHEAP Heap, PVOID *BadAddress);

/* ---- heaplfh.c: the low-fragmentation front end ---- */
/* (heaplfh.h has the inline fast half.) */
void RtlpLfhInitialize(PHEAP Heap);
PHEAP_ENTRY RtlpLfhAllocate(PHEAP Heap, SIZE_T Units);
BOOLEAN RtlpLfhReAllocateInPlace(PHEAP Heap, ULONG Flags, PHEAP_ENTRY Slot, SIZE_T Size);
void RtlpLfhCompact(PHEAP Heap);
ULONG RtlpLfhValidate(PHEAP Heap, PVOID *BadAddress);
SIZE_T RtlpLfhSlotExtraOverhead(PHEAP_ENTRY Slot);

static inline PHEAP_SUBSEGMENT RtlpLfhSubsegmentOf(PHEAP_ENTRY Slot)
{
    return (PHEAP_SUBSEGMENT)((PUCHAR)Slot - ((SIZE_T)Slot->PreviousSize << HEAP_GRANULARITY_SHIFT));
}

/* ---- heapcheck.c: block lookup, patterns, validation ---- */
/* What RtlpHeapFindBlock found at an address. */
#define HEAP_BLOCK_BUSY     0
#define HEAP_BLOCK_BIG      1
#define HEAP_BLOCK_FREE     2   /* a header of this heap that is not busy */
#define HEAP_BLOCK_FOREIGN  3   /* not in the heap at all */
#define HEAP_BLOCK_CORRUPT  4   /* in the heap, header damaged */
ULONG RtlpHeapFindBlock(PHEAP Heap, PCVOID BaseAddress, PHEAP_ENTRY *Entry);
void RtlpHeapFillFree(PHEAP Heap, PHEAP_ENTRY Entry);
BOOLEAN RtlpHeapCheckFreeFill(PHEAP_ENTRY Entry);
void RtlpHeapFillTail(PHEAP_ENTRY Entry);
BOOLEAN RtlpHeapCheckTail(PHEAP_ENTRY Entry);
ULONG RtlpHeapValidateLocked(PHEAP Heap, PVOID *BadAddress);
BOOLEAN RtlpHeapReportPending(PHEAP Heap);
PVOID RtlpHeapFinishAllocation(PHEAP Heap, ULONG Flags, PVOID Result);

/* Remembers the first damage found under the lock; reported once the lock is released. */
static inline void RtlpHeapNoteCorruption(PHEAP Heap, PCVOID Address, ULONG Reason)
{
    if (Heap->PendingCorruption == 0) {
        Heap->PendingCorruption = Reason;
        Heap->PendingCorruptionAddress = (PVOID)Address;
    }
}
PHEAP_VIRTUAL_ALLOC_ENTRY RtlpHeapBigFromEntry(PHEAP_ENTRY Entry);

#endif /* HEAPP_H */
