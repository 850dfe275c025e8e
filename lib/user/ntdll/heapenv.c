/*
 * heapenv.c - the Rtl heap's environment in user mode (lib/heap.h lists
 * what it needs): virtual memory through NtAllocateVirtualMemory,
 * NtFreeVirtualMemory and NtQueryVirtualMemory on this process, exceptions
 * through RtlRaiseStatus, corruption ending the process with
 * STATUS_HEAP_CORRUPTION, as modern Windows does, and a caller's lock being
 * an RTL_CRITICAL_SECTION, as in NT's ntdll.
 */
#include "ntdllp.h"
#include "heap.h"

NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                                 ULONG Protect)
{
    return NtAllocateVirtualMemory(NtCurrentProcess(), BaseAddress, 0, RegionSize, AllocationType,
                                   Protect);
}

NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType)
{
    return NtFreeVirtualMemory(NtCurrentProcess(), BaseAddress, RegionSize, FreeType);
}

void RtlpHeapRaiseStatus(NTSTATUS Status)
{
    RtlRaiseStatus(Status);
}

void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason)
{
    DbgPrint("Heap %p: corruption detected at %p (reason %u); ending the process with "
             "STATUS_HEAP_CORRUPTION\n", Heap, Address, (unsigned)Reason);
    NtTerminateProcess(NtCurrentProcess(), STATUS_HEAP_CORRUPTION);
}

ULONG_PTR RtlpHeapCurrentThread(void)
{
    return (ULONG_PTR)NtCurrentTeb()->ClientId.UniqueThread;
}

NTSTATUS RtlpHeapQueryVirtual(PVOID Address, PMEMORY_BASIC_INFORMATION Information)
{
    return NtQueryVirtualMemory(NtCurrentProcess(), Address, MemoryBasicInformation, Information,
                                sizeof(*Information), NULL);
}

static void RtlpHeapEnterCallerLock(PVOID Lock)
{
    RtlEnterCriticalSection(Lock);
}

/* RtlLeaveCriticalSection refuses a thread that does not own the section. */
static BOOLEAN RtlpHeapLeaveCallerLock(PVOID Lock)
{
    return NT_SUCCESS(RtlLeaveCriticalSection(Lock));
}

const RTLP_HEAP_LOCK_ROUTINES *RtlpHeapCallerLockRoutines(void)
{
    static const RTLP_HEAP_LOCK_ROUTINES Routines = { RtlpHeapEnterCallerLock,
                                                      RtlpHeapLeaveCallerLock };
    return &Routines;
}
