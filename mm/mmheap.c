/*
 * mmheap.c - the Rtl heap's environment in the kernel (lib/heap.h lists
 * what it needs).
 *
 * The kernel has no virtual memory manager for heaps yet: reserving and
 * committing return STATUS_NOT_IMPLEMENTED, so RtlCreateHeap fails cleanly
 * in the kernel until NtAllocateVirtualMemory's kernel side exists (named
 * in issue 8's note). Corruption is printed and the call fails: the kernel
 * goes on, as the issue asks. Kernel code does not raise exceptions, so
 * HEAP_GENERATE_EXCEPTIONS only prints and the call returns NULL.
 */
#include "ke.h"
#include "heap.h"

NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                                 ULONG Protect)
{
    return STATUS_NOT_IMPLEMENTED;
}

NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType)
{
    return STATUS_NOT_IMPLEMENTED;
}

void RtlpHeapRaiseStatus(NTSTATUS Status)
{
    DbgPrint("heap: exception 0x%08X not raised in the kernel\n", (unsigned)Status);
}

void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason)
{
    DbgPrint("heap: %p corrupted at %p (reason %u)\n", Heap, Address, (unsigned)Reason);
}

ULONG_PTR RtlpHeapCurrentThread(void)
{
    return 1;   /* one thread of kernel execution until the scheduler exists */
}
