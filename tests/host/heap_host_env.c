/*
 * heap_host_env.c - what lib/heap*.c needs from its environment, on the
 * host: NtAllocateVirtualMemory/NtFreeVirtualMemory semantics over mmap
 * (reserve = PROT_NONE mapping aligned to 64 KB, commit = mprotect,
 * decommit = MADV_DONTNEED + PROT_NONE so pages read back as zero, release
 * = munmap), with counters of reserved and committed bytes, and
 * NtQueryVirtualMemory's answer over the same regions; a spinning
 * recursive lock for heaps given a caller's lock (HEAP_HOST_LOCK); and the
 * corruption report and exception, which longjmp to a test's hook or,
 * without one, end the process as user mode would.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "heap_host_env.h"

SIZE_T HeapHostReservedBytes, HeapHostCommittedBytes, HeapHostCommitLimit;
ULONG HeapHostReleaseCount, HeapHostDecommitCount;
jmp_buf *HeapHostCorruptionJump, *HeapHostExceptionJump;
ULONG HeapHostCorruptionReason;
PVOID HeapHostCorruptionAddress;
NTSTATUS HeapHostExceptionStatus;

/* One reservation: its pages' commit state, one byte a page. */
typedef struct _HOST_REGION {
    PUCHAR Base;
    SIZE_T Size;
    PUCHAR Committed;
} HOST_REGION;

static HOST_REGION *HostRegions;
static SIZE_T HostRegionCount, HostRegionCapacity;

static HOST_REGION *HeapHostFindRegion(PCVOID Address)
{
    for (SIZE_T i = 0; i < HostRegionCount; i++)
        if ((PUCHAR)Address >= HostRegions[i].Base &&
            (PUCHAR)Address < HostRegions[i].Base + HostRegions[i].Size)
            return &HostRegions[i];
    return NULL;
}

static NTSTATUS HeapHostReserve(PVOID *BaseAddress, SIZE_T *RegionSize)
{
    SIZE_T Size = (*RegionSize + HEAP_ALLOCATION_GRANULARITY - 1) & ~(SIZE_T)(HEAP_ALLOCATION_GRANULARITY - 1);
    PUCHAR Map, Base;
    if (*BaseAddress != NULL || Size == 0)
        return STATUS_NOT_IMPLEMENTED;  /* the heap never asks for a fixed address */
    /* Over-map, then trim, for Windows' 64 KB reservation alignment. */
    Map = mmap(NULL, Size + HEAP_ALLOCATION_GRANULARITY, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (Map == MAP_FAILED)
        return STATUS_NO_MEMORY;
    Base = (PUCHAR)(((ULONG_PTR)Map + HEAP_ALLOCATION_GRANULARITY - 1) &
                    ~(ULONG_PTR)(HEAP_ALLOCATION_GRANULARITY - 1));
    if (Base > Map)
        munmap(Map, (SIZE_T)(Base - Map));
    munmap(Base + Size, (SIZE_T)(Map + HEAP_ALLOCATION_GRANULARITY - Base));
    if (HostRegionCount == HostRegionCapacity) {
        HostRegionCapacity = HostRegionCapacity ? HostRegionCapacity * 2 : 64;
        HostRegions = realloc(HostRegions, HostRegionCapacity * sizeof(*HostRegions));
    }
    HostRegions[HostRegionCount].Base = Base;
    HostRegions[HostRegionCount].Size = Size;
    HostRegions[HostRegionCount].Committed = calloc(Size / HEAP_PAGE_SIZE, 1);
    HostRegionCount++;
    HeapHostReservedBytes += Size;
    *BaseAddress = Base;
    *RegionSize = Size;
    return STATUS_SUCCESS;
}

/* Rounds [*BaseAddress, +*RegionSize) out to pages inside one reservation. */
static HOST_REGION *HeapHostPageRange(PVOID *BaseAddress, SIZE_T *RegionSize, PUCHAR *Start,
                                      PUCHAR *End)
{
    HOST_REGION *Region = HeapHostFindRegion(*BaseAddress);
    if (Region == NULL || *RegionSize == 0)
        return NULL;
    *Start = (PUCHAR)((ULONG_PTR)*BaseAddress & ~(ULONG_PTR)(HEAP_PAGE_SIZE - 1));
    *End = (PUCHAR)(((ULONG_PTR)*BaseAddress + *RegionSize + HEAP_PAGE_SIZE - 1) &
                    ~(ULONG_PTR)(HEAP_PAGE_SIZE - 1));
    if (*End > Region->Base + Region->Size)
        return NULL;
    return Region;
}

NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                                 ULONG Protect)
{
    HOST_REGION *Region;
    PUCHAR Start, End;
    SIZE_T NewPages = 0;
    int Prot = PROT_READ | PROT_WRITE;

    if (AllocationType & MEM_RESERVE) {
        NTSTATUS Status = HeapHostReserve(BaseAddress, RegionSize);
        if (!NT_SUCCESS(Status) || !(AllocationType & MEM_COMMIT))
            return Status;
    }
    if (!(AllocationType & MEM_COMMIT))
        return STATUS_INVALID_PARAMETER;
    Region = HeapHostPageRange(BaseAddress, RegionSize, &Start, &End);
    if (Region == NULL)
        return STATUS_MEMORY_NOT_ALLOCATED;
    for (PUCHAR Page = Start; Page < End; Page += HEAP_PAGE_SIZE)
        NewPages += !Region->Committed[(Page - Region->Base) / HEAP_PAGE_SIZE];
    if (HeapHostCommitLimit != 0 &&
        HeapHostCommittedBytes + NewPages * HEAP_PAGE_SIZE > HeapHostCommitLimit)
        return STATUS_COMMITMENT_LIMIT;
    if (Protect == PAGE_EXECUTE_READWRITE)
        Prot |= PROT_EXEC;
    if (mprotect(Start, (SIZE_T)(End - Start), Prot) != 0 &&
        (!(Prot & PROT_EXEC) || mprotect(Start, (SIZE_T)(End - Start), PROT_READ | PROT_WRITE) != 0))
        return STATUS_NO_MEMORY;
    for (PUCHAR Page = Start; Page < End; Page += HEAP_PAGE_SIZE)
        Region->Committed[(Page - Region->Base) / HEAP_PAGE_SIZE] = 1;
    HeapHostCommittedBytes += NewPages * HEAP_PAGE_SIZE;
    *BaseAddress = Start;
    *RegionSize = (SIZE_T)(End - Start);
    return STATUS_SUCCESS;
}

NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType)
{
    HOST_REGION *Region;
    PUCHAR Start, End;

    if (FreeType == MEM_RELEASE) {
        Region = HeapHostFindRegion(*BaseAddress);
        if (Region == NULL || Region->Base != *BaseAddress || *RegionSize != 0)
            return STATUS_FREE_VM_NOT_AT_BASE;
        for (SIZE_T Page = 0; Page < Region->Size / HEAP_PAGE_SIZE; Page++)
            HeapHostCommittedBytes -= Region->Committed[Page] ? HEAP_PAGE_SIZE : 0;
        HeapHostReservedBytes -= Region->Size;
        munmap(Region->Base, Region->Size);
        *RegionSize = Region->Size;
        free(Region->Committed);
        *Region = HostRegions[--HostRegionCount];
        HeapHostReleaseCount++;
        return STATUS_SUCCESS;
    }
    if (FreeType != MEM_DECOMMIT)
        return STATUS_INVALID_PARAMETER;
    Region = HeapHostPageRange(BaseAddress, RegionSize, &Start, &End);
    if (Region == NULL)
        return STATUS_MEMORY_NOT_ALLOCATED;
    madvise(Start, (SIZE_T)(End - Start), MADV_DONTNEED);
    mprotect(Start, (SIZE_T)(End - Start), PROT_NONE);
    for (PUCHAR Page = Start; Page < End; Page += HEAP_PAGE_SIZE) {
        PUCHAR State = &Region->Committed[(Page - Region->Base) / HEAP_PAGE_SIZE];
        if (*State)
            HeapHostCommittedBytes -= HEAP_PAGE_SIZE;
        *State = 0;
    }
    HeapHostDecommitCount++;
    *BaseAddress = Start;
    *RegionSize = (SIZE_T)(End - Start);
    return STATUS_SUCCESS;
}

ULONG HeapHostQuery(PCVOID Address, PVOID *AllocationBase, SIZE_T *RegionSize)
{
    HOST_REGION *Region = HeapHostFindRegion(Address);
    if (Region == NULL) {
        *AllocationBase = NULL;
        *RegionSize = 0;
        return HEAP_HOST_FREE;
    }
    *AllocationBase = Region->Base;
    *RegionSize = Region->Size;
    return Region->Committed[((PUCHAR)Address - Region->Base) / HEAP_PAGE_SIZE] ? MEM_COMMIT
                                                                                : MEM_RESERVE;
}

/*
 * MemoryBasicInformation for Address: the run of pages from it with its
 * state, inside its region. A free address reports one page: the host
 * does not track free space, and the heap only looks at the state.
 */
NTSTATUS RtlpHeapQueryVirtual(PVOID Address, PMEMORY_BASIC_INFORMATION Information)
{
    HOST_REGION *Region = HeapHostFindRegion(Address);
    PUCHAR Page = (PUCHAR)((ULONG_PTR)Address & ~(ULONG_PTR)(HEAP_PAGE_SIZE - 1));
    PUCHAR End;
    UCHAR State;

    memset(Information, 0, sizeof(*Information));
    Information->BaseAddress = Page;
    if (Region == NULL) {
        Information->RegionSize = HEAP_PAGE_SIZE;
        Information->State = MEM_FREE;
        Information->Protect = PAGE_NOACCESS;
        return STATUS_SUCCESS;
    }
    State = Region->Committed[(Page - Region->Base) / HEAP_PAGE_SIZE];
    for (End = Page + HEAP_PAGE_SIZE; End < Region->Base + Region->Size; End += HEAP_PAGE_SIZE)
        if (Region->Committed[(End - Region->Base) / HEAP_PAGE_SIZE] != State)
            break;
    Information->AllocationBase = Region->Base;
    Information->AllocationProtect = PAGE_READWRITE;
    Information->RegionSize = (SIZE_T)(End - Page);
    Information->State = State ? MEM_COMMIT : MEM_RESERVE;
    Information->Protect = State ? PAGE_READWRITE : 0;
    Information->Type = MEM_PRIVATE;
    return STATUS_SUCCESS;
}

static void HeapHostAcquireLock(PVOID Lock)
{
    HEAP_HOST_LOCK *HostLock = Lock;
    ULONG_PTR Self = RtlpHeapCurrentThread(), Free = 0;
    if (__atomic_load_n(&HostLock->Owner, __ATOMIC_RELAXED) != Self) {
        while (!__atomic_compare_exchange_n(&HostLock->Owner, &Free, Self, 0, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
            Free = 0;
    }
    HostLock->Recursion++;
    HostLock->Acquires++;
}

static BOOLEAN HeapHostReleaseLock(PVOID Lock)
{
    HEAP_HOST_LOCK *HostLock = Lock;
    if (HostLock->Owner != RtlpHeapCurrentThread() || HostLock->Recursion == 0)
        return FALSE;
    if (--HostLock->Recursion == 0)
        __atomic_store_n(&HostLock->Owner, 0, __ATOMIC_RELEASE);
    return TRUE;
}

const RTLP_HEAP_LOCK_ROUTINES *RtlpHeapCallerLockRoutines(void)
{
    static const RTLP_HEAP_LOCK_ROUTINES Routines = { HeapHostAcquireLock, HeapHostReleaseLock };
    return &Routines;
}

void RtlpHeapRaiseStatus(NTSTATUS Status)
{
    HeapHostExceptionStatus = Status;
    if (HeapHostExceptionJump != NULL) {
        jmp_buf *Jump = HeapHostExceptionJump;
        HeapHostExceptionJump = NULL;
        longjmp(*Jump, 1);
    }
    fprintf(stderr, "unhandled exception 0x%08X raised by the heap\n", (unsigned)Status);
    abort();
}

void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason)
{
    HeapHostCorruptionReason = Reason;
    HeapHostCorruptionAddress = Address;
    if (HeapHostCorruptionJump != NULL) {
        jmp_buf *Jump = HeapHostCorruptionJump;
        HeapHostCorruptionJump = NULL;
        longjmp(*Jump, 1);
    }
    fprintf(stderr, "heap %p corrupted at %p (reason %u): exit 0x%08X\n", Heap, Address,
            (unsigned)Reason, (unsigned)STATUS_HEAP_CORRUPTION);
    exit((int)STATUS_HEAP_CORRUPTION);
}

ULONG_PTR RtlpHeapCurrentThread(void)
{
    static __thread char Marker;
    return (ULONG_PTR)&Marker;
}
