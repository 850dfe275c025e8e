/*
 * heapenv.c - the Rtl heap's environment in user mode (lib/heap.h lists
 * what it needs): virtual memory through NtAllocateVirtualMemory and
 * NtFreeVirtualMemory on this process, exceptions through RtlRaiseStatus,
 * and corruption ending the process with STATUS_HEAP_CORRUPTION, as modern
 * Windows does.
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
