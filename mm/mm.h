/*
 * mm.h - the memory manager's public interface: page-table entries and
 * their accessors, and the calls the rest of the kernel makes.
 */
#ifndef MM_H
#define MM_H

#include "ntdef.h"
#include "mmlayout.h"
#include "ntuser.h"

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12
#define PAGE_ALIGN(va) ((PVOID)((ULONG_PTR)(va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define BYTE_OFFSET(va) ((ULONG)((ULONG_PTR)(va) & (PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(size) (((ULONG_PTR)(size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(size) (((ULONG_PTR)(size) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* x86 non-PAE PTE/PDE bits (Intel SDM vol. 3, 4.3). */
#define PTE_VALID         0x001u
#define PTE_WRITE         0x002u
#define PTE_OWNER         0x004u    /* user accessible */
#define PTE_WRITE_THROUGH 0x008u
#define PTE_CACHE_DISABLE 0x010u
#define PTE_ACCESSED      0x020u
#define PTE_DIRTY         0x040u
#define PTE_LARGE_PAGE    0x080u    /* in a PDE: a 4 MB page */
#define PTE_GLOBAL        0x100u
#define PTE_FRAME_MASK    0xFFFFF000u

typedef struct _MMPTE {
    ULONG u;
} MMPTE, *PMMPTE;
C_ASSERT(sizeof(MMPTE) == 4);

/* Where the PTE (PDE) mapping Va lives, through the self-map. */
static inline PMMPTE MiGetPteAddress(const void *Va)
{
    return (PMMPTE)(ULONG_PTR)(PTE_BASE + (((ULONG)(ULONG_PTR)Va >> PAGE_SHIFT) << 2));
}
static inline PMMPTE MiGetPdeAddress(const void *Va)
{
    return (PMMPTE)(ULONG_PTR)(PDE_BASE + (((ULONG)(ULONG_PTR)Va >> 22) << 2));
}
static inline ULONG MiGetPdeOffset(const void *Va) { return (ULONG)(ULONG_PTR)Va >> 22; }
/* The address a PTE maps: the inverse of MiGetPteAddress. */
static inline PVOID MiGetVirtualAddressMappedByPte(const MMPTE *Pte)
{
    return (PVOID)(ULONG_PTR)((((ULONG)(ULONG_PTR)Pte - PTE_BASE) >> 2) << PAGE_SHIFT);
}

/* The bits of a kernel read/write mapping: global, and marked accessed and
 * dirty up front so the CPU never has to write the PTE back. */
#define MI_SYSTEM_PTE_BITS (PTE_VALID | PTE_WRITE | PTE_GLOBAL | PTE_ACCESSED | PTE_DIRTY)

/* Pages spanned by a buffer of Size bytes at Va (wdm.h). */
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((ULONG)((((ULONG_PTR)(Va) & (PAGE_SIZE - 1)) + (Size) + PAGE_SIZE - 1) >> PAGE_SHIFT))

typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = 0,
    MmCached = 1,
    MmWriteCombined = 2,
    MmHardwareCoherentCached = 3,
    MmNonCachedUnordered = 4,
    MmUSWCCached = 5,
    MmMaximumCacheType = 6,
} MEMORY_CACHING_TYPE;

/* Start-up: paging, the PFN database, hyperspace, system PTEs (mminit.c). */
void MmInitSystem(void);

/* Maps device memory into system space (system PTEs). PASSIVE_LEVEL only.
 * MmWriteCombined maps uncached: x86 without PAT has no write combining. */
PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType);
void MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes);

/* TRUE if reading Va would not fault (its PDE and PTE are valid). */
BOOLEAN MmIsAddressValid(PVOID VirtualAddress);
/* The physical address Va maps to; 0 if it maps nothing. */
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);

/* Physically contiguous memory, mapped in system space. Page aligned; its
 * pages lie at or below HighestAcceptableAddress. NULL if no such run. */
PVOID MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress);
PVOID MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes,
                                             PHYSICAL_ADDRESS LowestAcceptableAddress,
                                             PHYSICAL_ADDRESS HighestAcceptableAddress,
                                             PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                             MEMORY_CACHING_TYPE CacheType);
void MmFreeContiguousMemory(PVOID BaseAddress);

/* Page counts, as make run prints them and GlobalMemoryStatusEx will read them. */
typedef struct _MM_PAGE_COUNTS {
    ULONG TotalPages;           /* RAM the PFN database manages */
    ULONG AvailablePages;       /* zeroed + free + standby */
    ULONG ZeroedPages, FreePages, StandbyPages, ModifiedPages, BadPages;
    ULONG ActivePages;          /* in use */
    ULONG HighestPage;
    ULONG PfnDatabaseBytes;
    ULONG SystemPtesInUse;
    ULONG PoolPages;            /* pages the pools hold (both regions) */
    ULONG SystemPageTables;     /* system page tables made since boot (kept) */
} MM_PAGE_COUNTS;
/* Pages that are neither available nor held by the kernel's own caches:
 * what a program run must give back in full (a leak check's measure). */
static inline ULONG MmPagesInUseByOthers(const MM_PAGE_COUNTS *c)
{
    return c->TotalPages - c->AvailablePages - c->PoolPages - c->SystemPageTables;
}
void MmGetPageCounts(MM_PAGE_COUNTS *Counts);

/* Moves up to MaxPages from the free list to the zeroed list (the zero page
 * thread's work; run from the idle loop). Returns the pages zeroed. */
ULONG MmZeroFreePages(ULONG MaxPages);

/* Process address spaces (procmm.c). A directory is named by its page. */
ULONG MmCreateProcessAddressSpace(void);               /* MM_EMPTY_LIST: no memory */
ULONG MmDeleteProcessAddressSpace(ULONG Directory);    /* not the current one */
/*
 * Copies into the directory page Directory every system PDE it lacks, if a
 * system page table was made since *Generation (0 at first; updated here).
 * Called before CR3 is loaded with Directory: the old thread's kernel stack
 * is still in use after the load and the new one's right after it, and a
 * fault on the stack itself cannot be delivered (a double fault) where
 * MiSynchronizeSystemPde would repair any other access. Any IRQL up to
 * DISPATCH_LEVEL, interrupts on or off.
 */
void MmSynchronizeSystemPdes(ULONG Directory, PULONG Generation);
NTSTATUS MmCommitUserRange(ULONG_PTR Va, SIZE_T Size, BOOLEAN Writable);
/* Makes [Va, Va + Size) read-only after the loader filled it: PAGE_EXECUTE_READ
 * for code, PAGE_READONLY for constants, as VirtualQuery will report them. */
void MmProtectUserRangeReadOnly(ULONG_PTR Va, SIZE_T Size, BOOLEAN Executable);

/* Per-process working-set counters (NT's MMSUPPORT, reduced), in pages. */
typedef struct _MMSUPPORT {
    ULONG PageFaultCount;       /* faults on user space the memory manager resolved */
    ULONG WorkingSetSize;       /* resident user pages */
    ULONG PeakWorkingSetSize;
    ULONG LockedPages;          /* VirtualLock'ed pages */
} MMSUPPORT;

struct _EPROCESS;
/* VADs (vad.c): the empty tree of a new process; at its deletion, every VAD
 * freed and its commit charge given back (the pages go with the address space). */
void MmInitializeProcessVads(struct _EPROCESS *Process);
void MmDeleteProcessVads(struct _EPROCESS *Process);
/*
 * The loader's regions (image, stack, TEB, PEB), already mapped by
 * MmCommitUserRange in the current address space: one VAD over
 * [Va, Va + Size), its resident pages counted as committed and charged.
 * Type is MEM_PRIVATE or MEM_IMAGE. STATUS_CONFLICTING_ADDRESSES,
 * STATUS_COMMITMENT_LIMIT or STATUS_NO_MEMORY on failure.
 */
NTSTATUS MmCreateLoaderVad(struct _EPROCESS *Process, ULONG_PTR Va, SIZE_T Size,
                           ULONG AllocationProtect, ULONG Type);

/* The system's commit charge and limit, in pages (commit.c). */
typedef struct _MM_COMMIT_COUNTS {
    ULONG CommittedPages, CommitLimit, PeakCommitment, DemandZeroFaults, PageFaults;
} MM_COMMIT_COUNTS;
void MmGetCommitCounts(MM_COMMIT_COUNTS *Counts);

/* The virtual memory services (virtual.c), as NT declares them. */
NTSTATUS NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                 PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                             ULONG FreeType);
NTSTATUS NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                ULONG NewProtect, PULONG OldProtect);
NTSTATUS NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                              MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID Buffer,
                              SIZE_T Length, PSIZE_T ResultLength);
NTSTATUS NtLockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                             ULONG MapType);
NTSTATUS NtUnlockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                               ULONG MapType);

/* The page-fault hook: resolves what it can (a system PDE missing from this
 * address space), else returns the status to raise or bugcheck with. */
NTSTATUS MmAccessFault(ULONG ErrorCode, PVOID Address, BOOLEAN FromUser, void *TrapFrame);

/* The kernel's page-zeroing routine: the unit calib.zero_page measures. */
void KeZeroPages(PVOID Address, SIZE_T Size);

#endif /* MM_H */
