/*
 * heap.h - the Rtl heap: NT's classic (Windows 2000/XP "back end" plus
 * lookaside "front end") heap, as ntdll exports it, with the Win32 walk
 * structure that kernel32's HeapWalk returns.
 *
 * The same source runs in user mode (over NtAllocateVirtualMemory), in the
 * kernel (over its own virtual memory) and on the host (over mmap). What the
 * heap needs from its environment is the short list of RtlpHeap* functions
 * at the end of this header; each environment defines them, lib/ never does.
 *
 * Flag values, structure layouts and results are NT's (winnt.h, ntrtl.h,
 * heapapi.h). docs/heap.md describes the design.
 */
#ifndef HEAP_H
#define HEAP_H

#include "ntdef.h"

/* HeapCreate / RtlCreateHeap / per-call flags (winnt.h). */
#define HEAP_NO_SERIALIZE               0x00000001
#define HEAP_GROWABLE                   0x00000002
#define HEAP_GENERATE_EXCEPTIONS        0x00000004
#define HEAP_ZERO_MEMORY                0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY      0x00000010
#define HEAP_TAIL_CHECKING_ENABLED      0x00000020
#define HEAP_FREE_CHECKING_ENABLED      0x00000040
#define HEAP_DISABLE_COALESCE_ON_FREE   0x00000080
#define HEAP_CREATE_ALIGN_16            0x00010000
#define HEAP_CREATE_ENABLE_TRACING      0x00020000
#define HEAP_CREATE_ENABLE_EXECUTE      0x00040000

/*
 * The calls kernel32 forwards to as they are (HeapAlloc, HeapReAlloc,
 * HeapFree, HeapSize: jumps, lib/user/kernel32/heap.c) use NT's calling
 * convention, NTAPI, which on x86 is stdcall like WINAPI's.
 */
#if defined(__i386__)
#define RTL_HEAP_API __attribute__((stdcall))
#else
#define RTL_HEAP_API
#endif

/* MEM_* and PAGE_* for the heap's virtual memory requests: ntuser.h. */
#include "ntuser.h"

/* The heap works in 4 KB pages and reserves in 64 KB units, as NT on x86. */
#define HEAP_PAGE_SIZE                  0x1000
#define HEAP_ALLOCATION_GRANULARITY     0x10000

/* The largest block a fixed heap holds: 0xFFFF units of 8 bytes, header included. */
#define HEAP_MAXIMUM_BLOCK_BYTES        0x7FFF8
/* Growable heaps give larger requests their own region (ntrtl.h default). */
#define HEAP_DEFAULT_VIRTUAL_MEMORY_THRESHOLD 0x7F000

/*
 * A heap on caller memory commits through this instead of committing itself:
 * Base is the heap (its HeapBase), *CommitAddress a page inside the heap's
 * range and *CommitSize a multiple of pages. Called with the heap lock held.
 * A failure status fails the allocation that needed the pages.
 */
typedef NTSTATUS (RTL_HEAP_API *PRTL_HEAP_COMMIT_ROUTINE)(PVOID Base, PVOID *CommitAddress,
                                                       PSIZE_T CommitSize);

/*
 * RTL_HEAP_PARAMETERS (ntrtl.h). Length must be sizeof the structure (any
 * other length and the whole structure is ignored, as NT ignores it); a
 * zero field takes NT's default. CommitRoutine, InitialCommit and
 * InitialReserve describe a heap on caller memory (RtlCreateHeap).
 */
typedef struct _RTL_HEAP_PARAMETERS {
    ULONG Length;
    SIZE_T SegmentReserve;            /* default 1 MB */
    SIZE_T SegmentCommit;             /* default 2 pages */
    SIZE_T DeCommitFreeBlockThreshold;/* default 1 page */
    SIZE_T DeCommitTotalFreeThreshold;/* default 64 KB */
    SIZE_T MaximumAllocationSize;
    SIZE_T VirtualMemoryThreshold;    /* default 0x7F000, at most that */
    SIZE_T InitialCommit;
    SIZE_T InitialReserve;
    PRTL_HEAP_COMMIT_ROUTINE CommitRoutine;
    SIZE_T Reserved[2];
} RTL_HEAP_PARAMETERS, *PRTL_HEAP_PARAMETERS;

/* RtlWalkHeap's entry (ntrtl.h); kernel32 converts it to PROCESS_HEAP_ENTRY. */
#define RTL_HEAP_BUSY               0x0001
#define RTL_HEAP_SEGMENT            0x0002
#define RTL_HEAP_SETTABLE_VALUE     0x0010
#define RTL_HEAP_SETTABLE_FLAG1     0x0020
#define RTL_HEAP_SETTABLE_FLAG2     0x0040
#define RTL_HEAP_SETTABLE_FLAG3     0x0080
#define RTL_HEAP_SETTABLE_FLAGS     0x00E0
#define RTL_HEAP_UNCOMMITTED_RANGE  0x0100
#define RTL_HEAP_PROTECTED_ENTRY    0x0200

typedef struct _RTL_HEAP_WALK_ENTRY {
    PVOID DataAddress;
    SIZE_T DataSize;
    UCHAR OverheadBytes;
    UCHAR SegmentIndex;
    USHORT Flags;
    union {
        struct {
            SIZE_T Settable;
            USHORT TagIndex;
            USHORT AllocatorBackTraceIndex;
            ULONG Reserved[2];
        } Block;
        struct {
            ULONG CommittedSize;
            ULONG UnCommittedSize;
            PVOID FirstEntry;
            PVOID LastEntry;
        } Segment;
    };
} RTL_HEAP_WALK_ENTRY, *PRTL_HEAP_WALK_ENTRY;

/* HeapWalk's entry (minwinbase.h). */
#define PROCESS_HEAP_REGION             0x0001
#define PROCESS_HEAP_UNCOMMITTED_RANGE  0x0002
#define PROCESS_HEAP_ENTRY_BUSY         0x0004
#define PROCESS_HEAP_SEG_ALLOC          0x0008
#define PROCESS_HEAP_ENTRY_MOVEABLE     0x0010
#define PROCESS_HEAP_ENTRY_DDESHARE     0x0020

typedef struct _PROCESS_HEAP_ENTRY {
    PVOID lpData;
    DWORD cbData;
    BYTE cbOverhead;
    BYTE iRegionIndex;
    WORD wFlags;
    union {
        struct {
            PVOID hMem;
            DWORD dwReserved[3];
        } Block;
        struct {
            DWORD dwCommittedSize;
            DWORD dwUnCommittedSize;
            PVOID lpFirstBlock;
            PVOID lpLastBlock;
        } Region;
    };
} PROCESS_HEAP_ENTRY, *PPROCESS_HEAP_ENTRY, *LPPROCESS_HEAP_ENTRY;

/* RtlSetHeapInformation / RtlQueryHeapInformation classes (winnt.h). */
typedef enum _HEAP_INFORMATION_CLASS {
    HeapCompatibilityInformation = 0,
    HeapEnableTerminationOnCorruption = 1,
} HEAP_INFORMATION_CLASS;
/* HeapCompatibilityInformation values: the front end in use. */
#define HEAP_FRONT_END_NONE         0
#define HEAP_FRONT_END_LOOKASIDE    1
#define HEAP_FRONT_END_LFH          2   /* the low-fragmentation heap */

/*
 * Creates a heap and returns its handle (its base address), or NULL.
 * Flags: HEAP_* creation flags. Parameters may be NULL.
 *
 * HeapBase NULL: the heap reserves its own memory. ReserveSize 0 with
 * HEAP_GROWABLE means 1 MB segments; without HEAP_GROWABLE the reservation
 * is the heap's fixed maximum. CommitSize is the initial commit.
 *
 * HeapBase not NULL: the heap lives in the caller's memory, which it never
 * releases (docs/heap.md, "Heaps on caller memory"). With
 * Parameters->CommitRoutine, InitialCommit bytes at HeapBase are committed,
 * InitialReserve bytes are the heap's, and the routine commits the rest;
 * HEAP_GROWABLE, a zero InitialCommit or InitialReserve, or InitialCommit >
 * InitialReserve is refused. Without one, the heap asks RtlpHeapQueryVirtual
 * what the caller committed and reserved at HeapBase, which must start a
 * region that is not free. A CommitRoutine without HeapBase is refused.
 *
 * Lock not NULL: the caller's lock (an RTL_CRITICAL_SECTION in user mode)
 * serializes the heap instead of its own (HEAP_LOCK_USER_ALLOCATED); refused
 * with HEAP_NO_SERIALIZE, and in the kernel, which has no ERESOURCE.
 * PASSIVE_LEVEL in the kernel.
 */
PVOID RTL_HEAP_API RtlCreateHeap(ULONG Flags, PVOID HeapBase, SIZE_T ReserveSize, SIZE_T CommitSize,
                    PVOID Lock, PRTL_HEAP_PARAMETERS Parameters);

/*
 * Releases every region the heap reserved itself at once; returns NULL on
 * success (as NT does), else Heap. The caller's memory (HeapBase) and lock
 * stay the caller's: not released, not decommitted, not deleted.
 */
PVOID RTL_HEAP_API RtlDestroyHeap(PVOID HeapHandle);

/*
 * Allocates Size bytes (0 is allowed and returns a unique block). Flags add
 * to the heap's: HEAP_ZERO_MEMORY, HEAP_GENERATE_EXCEPTIONS (on failure
 * RtlpHeapRaiseStatus(STATUS_NO_MEMORY) instead of returning NULL),
 * HEAP_NO_SERIALIZE. Returns 8-byte aligned memory or NULL.
 */
PVOID RTL_HEAP_API RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size);

/*
 * Resizes BaseAddress to Size bytes, keeping its contents. Moves the block
 * unless HEAP_REALLOC_IN_PLACE_ONLY, with which it fails (NULL) rather than
 * move. HEAP_ZERO_MEMORY zeroes the bytes added. NULL BaseAddress: NULL.
 * A pointer the heap does not own is reported as corruption.
 */
PVOID RTL_HEAP_API RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);

/*
 * Frees BaseAddress (NULL is allowed: TRUE). A double free, a pointer the
 * heap never returned or a damaged header or tail is reported through
 * RtlpHeapReportCorruption; if that returns, the result is FALSE.
 */
BOOLEAN RTL_HEAP_API RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);

/* The exact size asked for BaseAddress, or (SIZE_T)-1 if it is not a busy block of this heap. */
SIZE_T RTL_HEAP_API RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PCVOID BaseAddress);

/*
 * Checks one block (BaseAddress) or, with NULL, the whole heap: headers,
 * links, free lists, fill and tail patterns, commit bookkeeping. A block
 * that is not busy in this heap gives FALSE; damage found is reported
 * through RtlpHeapReportCorruption, and FALSE if that returns.
 */
BOOLEAN RTL_HEAP_API RtlValidateHeap(PVOID HeapHandle, ULONG Flags, PCVOID BaseAddress);

/*
 * Enumerates the heap: start with Entry->DataAddress NULL; each call fills
 * the next entry (a segment, a block, an uncommitted range, then the large
 * blocks in their own regions). STATUS_NO_MORE_ENTRIES at the end. The
 * caller holds RtlLockHeap if other threads use the heap.
 */
NTSTATUS RTL_HEAP_API RtlWalkHeap(PVOID HeapHandle, PRTL_HEAP_WALK_ENTRY Entry);

/* Coalesces, empties the lookaside lists, decommits free pages; returns the largest committed free block in bytes. */
SIZE_T RTL_HEAP_API RtlCompactHeap(PVOID HeapHandle, ULONG Flags);

/*
 * Takes / releases the heap's lock, or the caller's lock it was created
 * with (recursively, for the same thread). FALSE for an invalid handle, and
 * from RtlUnlockHeap when the running thread does not hold the lock.
 */
BOOLEAN RTL_HEAP_API RtlLockHeap(PVOID HeapHandle);
BOOLEAN RTL_HEAP_API RtlUnlockHeap(PVOID HeapHandle);

/* HeapCompatibilityInformation: selects the front end (0 none, 1 lookaside, 2 LFH). */
NTSTATUS RTL_HEAP_API RtlSetHeapInformation(PVOID HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                               PVOID HeapInformation, SIZE_T HeapInformationLength);
NTSTATUS RTL_HEAP_API RtlQueryHeapInformation(PVOID HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                                 PVOID HeapInformation, SIZE_T HeapInformationLength,
                                 PSIZE_T ReturnLength);

/* kernel32's HeapWalk translation of one RtlWalkHeap entry. */
static inline void RtlpHeapWalkEntryToProcessHeapEntry(const RTL_HEAP_WALK_ENTRY *Rtl,
                                                       PPROCESS_HEAP_ENTRY Entry)
{
    Entry->lpData = Rtl->DataAddress;
    Entry->cbData = (DWORD)Rtl->DataSize;
    Entry->cbOverhead = Rtl->OverheadBytes;
    Entry->iRegionIndex = Rtl->SegmentIndex;
    Entry->wFlags = 0;
    if (Rtl->Flags & RTL_HEAP_SEGMENT) {
        Entry->wFlags = PROCESS_HEAP_REGION;
        Entry->Region.dwCommittedSize = Rtl->Segment.CommittedSize;
        Entry->Region.dwUnCommittedSize = Rtl->Segment.UnCommittedSize;
        Entry->Region.lpFirstBlock = Rtl->Segment.FirstEntry;
        Entry->Region.lpLastBlock = Rtl->Segment.LastEntry;
        return;
    }
    if (Rtl->Flags & RTL_HEAP_UNCOMMITTED_RANGE) {
        Entry->wFlags = PROCESS_HEAP_UNCOMMITTED_RANGE;
    } else if (Rtl->Flags & RTL_HEAP_BUSY) {
        Entry->wFlags = PROCESS_HEAP_ENTRY_BUSY;
    }
    Entry->Block.hMem = NULL;
    Entry->Block.dwReserved[0] = Entry->Block.dwReserved[1] = Entry->Block.dwReserved[2] = 0;
}

/*
 * ---- What the environment provides (user runtime, kernel, host tests) ----
 *
 * RtlpHeapAllocateVirtual / RtlpHeapFreeVirtual: NtAllocateVirtualMemory and
 * NtFreeVirtualMemory on the current address space, same semantics: reserve
 * in 64 KB units (MEM_RESERVE), commit pages inside a reservation
 * (MEM_COMMIT, zero-filled), decommit (MEM_DECOMMIT) and release a whole
 * reservation (MEM_RELEASE with *RegionSize 0). Called with the heap lock
 * held, so they must not use this heap.
 */
NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                                 ULONG Protect);
NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType);

/* HEAP_GENERATE_EXCEPTIONS: raise Status (STATUS_NO_MEMORY) as an exception; does not return. */
void RtlpHeapRaiseStatus(NTSTATUS Status);

/*
 * Heap corruption found at Address (Reason: HEAP_CORRUPTION_*, heapp.h). In
 * user mode: a message, then the process ends with STATUS_HEAP_CORRUPTION.
 * In the kernel: a message, and the call fails (returns here).
 */
void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason);

/* An identifier of the running thread, for the recursive heap lock (never 0). */
ULONG_PTR RtlpHeapCurrentThread(void);

/*
 * NtQueryVirtualMemory(MemoryBasicInformation) on the address space
 * RtlpHeapAllocateVirtual manages: what a heap on caller memory without a
 * commit routine asks about HeapBase (state, region size, allocation base).
 */
NTSTATUS RtlpHeapQueryVirtual(PVOID Address, PMEMORY_BASIC_INFORMATION Information);

/*
 * How this environment takes and releases a caller's lock (RtlCreateHeap's
 * Lock), or NULL if it has no lock type to offer, and RtlCreateHeap then
 * refuses one. Acquire is recursive for the holder; Release returns FALSE,
 * leaving the lock as it is, when the running thread does not hold it.
 */
typedef struct _RTLP_HEAP_LOCK_ROUTINES {
    void (*Acquire)(PVOID Lock);
    BOOLEAN (*Release)(PVOID Lock);
} RTLP_HEAP_LOCK_ROUTINES;
const RTLP_HEAP_LOCK_ROUTINES *RtlpHeapCallerLockRoutines(void);

#endif /* HEAP_H */
