/*
 * memstatus.c - what the system and the process say about memory:
 * GetSystemInfo, GlobalMemoryStatus(Ex) and GetProcessMemoryInfo (Windows:
 * kernelbase's sysinfo.c, memory.c and psapi.c), over
 * NtQuerySystemInformation and NtQueryInformationProcess.
 */
#include "kernel32p.h"
#include <psapi.h>
#include <string.h>

VOID WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo)
{
    SYSTEM_BASIC_INFORMATION Basic;
    memset(lpSystemInfo, 0, sizeof(*lpSystemInfo));
    if (!NT_SUCCESS(NtQuerySystemInformation(SystemBasicInformation, &Basic, sizeof(Basic), NULL)))
        return;
    lpSystemInfo->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_INTEL;
    lpSystemInfo->dwPageSize = Basic.PageSize;
    lpSystemInfo->lpMinimumApplicationAddress = (LPVOID)Basic.MinimumUserModeAddress;
    lpSystemInfo->lpMaximumApplicationAddress = (LPVOID)Basic.MaximumUserModeAddress;
    lpSystemInfo->dwActiveProcessorMask = Basic.ActiveProcessorsAffinityMask;
    lpSystemInfo->dwNumberOfProcessors = (DWORD)Basic.NumberOfProcessors;
    lpSystemInfo->dwProcessorType = PROCESSOR_INTEL_PENTIUM;
    lpSystemInfo->dwAllocationGranularity = Basic.AllocationGranularity;
    lpSystemInfo->wProcessorLevel = 6;
}

/*
 * Physical memory from the PFN database; the "page file" figures are the
 * commit limit and what is left of it (NT: RAM plus paging files; there are
 * no paging files yet); virtual is this process's user space less its
 * reservations.
 */
BOOL WINAPI GlobalMemoryStatusEx(LPMEMORYSTATUSEX lpBuffer)
{
    SYSTEM_BASIC_INFORMATION Basic;
    SYSTEM_PERFORMANCE_INFORMATION Perf;
    VM_COUNTERS_EX Vm;
    if (lpBuffer->dwLength != sizeof(MEMORYSTATUSEX)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS Status = NtQuerySystemInformation(SystemBasicInformation, &Basic, sizeof(Basic), NULL);
    if (NT_SUCCESS(Status))
        Status = NtQuerySystemInformation(SystemPerformanceInformation, &Perf, sizeof(Perf), NULL);
    if (NT_SUCCESS(Status))
        Status = NtQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &Vm,
                                           sizeof(Vm), NULL);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    ULONGLONG Page = Basic.PageSize;
    lpBuffer->ullTotalPhys = Basic.NumberOfPhysicalPages * Page;
    lpBuffer->ullAvailPhys = Perf.AvailablePages * Page;
    lpBuffer->dwMemoryLoad = Basic.NumberOfPhysicalPages
        ? (DWORD)((Basic.NumberOfPhysicalPages - Perf.AvailablePages) * 100ull /
                  Basic.NumberOfPhysicalPages)
        : 0;
    lpBuffer->ullTotalPageFile = Perf.CommitLimit * Page;
    lpBuffer->ullAvailPageFile =
        Perf.CommitLimit > Perf.CommittedPages ? (Perf.CommitLimit - Perf.CommittedPages) * Page : 0;
    lpBuffer->ullTotalVirtual = Basic.MaximumUserModeAddress - Basic.MinimumUserModeAddress + 1;
    lpBuffer->ullAvailVirtual = lpBuffer->ullTotalVirtual - Vm.VirtualSize;
    lpBuffer->ullAvailExtendedVirtual = 0;
    return TRUE;
}

VOID WINAPI GlobalMemoryStatus(LPMEMORYSTATUS lpBuffer)
{
    MEMORYSTATUSEX Ex;
    Ex.dwLength = sizeof(Ex);
    memset(lpBuffer, 0, sizeof(*lpBuffer));
    lpBuffer->dwLength = sizeof(*lpBuffer);
    if (!GlobalMemoryStatusEx(&Ex))
        return;
    /* SIZE_T fields: a figure past 4 GB reads as the largest value (Windows). */
#define BASEP_CLAMP(x) ((x) > 0xFFFFFFFFull ? (SIZE_T)0xFFFFFFFF : (SIZE_T)(x))
    lpBuffer->dwMemoryLoad = Ex.dwMemoryLoad;
    lpBuffer->dwTotalPhys = BASEP_CLAMP(Ex.ullTotalPhys);
    lpBuffer->dwAvailPhys = BASEP_CLAMP(Ex.ullAvailPhys);
    lpBuffer->dwTotalPageFile = BASEP_CLAMP(Ex.ullTotalPageFile);
    lpBuffer->dwAvailPageFile = BASEP_CLAMP(Ex.ullAvailPageFile);
    lpBuffer->dwTotalVirtual = BASEP_CLAMP(Ex.ullTotalVirtual);
    lpBuffer->dwAvailVirtual = BASEP_CLAMP(Ex.ullAvailVirtual);
#undef BASEP_CLAMP
}

BOOL WINAPI GetProcessMemoryInfo(HANDLE Process, PPROCESS_MEMORY_COUNTERS ppsmemCounters, DWORD cb)
{
    VM_COUNTERS_EX Vm;
    PROCESS_MEMORY_COUNTERS_EX Counters;
    if (cb < sizeof(PROCESS_MEMORY_COUNTERS)) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    NTSTATUS Status = NtQueryInformationProcess(Process, ProcessVmCounters, &Vm, sizeof(Vm), NULL);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    Counters.cb = cb >= sizeof(Counters) ? sizeof(Counters) : sizeof(PROCESS_MEMORY_COUNTERS);
    Counters.PageFaultCount = Vm.PageFaultCount;
    Counters.PeakWorkingSetSize = Vm.PeakWorkingSetSize;
    Counters.WorkingSetSize = Vm.WorkingSetSize;
    Counters.QuotaPeakPagedPoolUsage = Vm.QuotaPeakPagedPoolUsage;
    Counters.QuotaPagedPoolUsage = Vm.QuotaPagedPoolUsage;
    Counters.QuotaPeakNonPagedPoolUsage = Vm.QuotaPeakNonPagedPoolUsage;
    Counters.QuotaNonPagedPoolUsage = Vm.QuotaNonPagedPoolUsage;
    Counters.PagefileUsage = Vm.PagefileUsage;
    Counters.PeakPagefileUsage = Vm.PeakPagefileUsage;
    Counters.PrivateUsage = Vm.PrivateUsage;
    memcpy(ppsmemCounters, &Counters, Counters.cb);
    return TRUE;
}
