/*
 * syscall.c - the system service dispatcher (int 0x2E) and the services.
 *
 * The user stub puts the service number in EAX and the address of its
 * arguments in EDX. KiSystemService checks the number, copies the arguments
 * from the user stack under a KE_TRY (a bad EDX is STATUS_ACCESS_VIOLATION,
 * never a bugcheck) and calls the service with interrupts on at
 * PASSIVE_LEVEL. Every pointer a service takes from user mode is probed and
 * copied the same way. The result goes back in EAX.
 */
#include "ps.h"
#include "except.h"
#include "mm.h"
#include "ntsyscalls.h"
#include "kstring.h"


/* Ticks from an NT timeout: negative = relative, in 100 ns units. */
static ULONG PspTimeoutToTicks(const LARGE_INTEGER *Timeout)
{
    if (Timeout == NULL)
        return 0xFFFFFFFF;
    LONGLONG t = Timeout->QuadPart;
    if (t >= 0)
        return t == 0 ? 0 : 1;      /* absolute times: no clock of day yet; due now */
    ULONGLONG ticks = ((ULONGLONG)-t + KeQueryTimeIncrement() - 1) / KeQueryTimeIncrement();
    return ticks >= 0xFFFFFFFE ? 0xFFFFFFFE : (ULONG)ticks;
}

NTSTATUS NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    DISPATCHER_HEADER *o;
    if (ProcessHandle == NULL)
        ProcessHandle = NtCurrentProcess();
    NTSTATUS s = ObReferenceObjectByHandle(ProcessHandle, KOBJECT_PROCESS, &o);
    if (!NT_SUCCESS(s))
        return s;
    PEPROCESS p = CONTAINING_RECORD(o, EPROCESS, Header);
    if (p == &KiSystemProcess) {
        ObDereferenceObject(o);
        return STATUS_ACCESS_DENIED;
    }
    if (p == PsGetCurrentProcess())
        ObDereferenceObject(o);     /* the call does not return */
    PsTerminateProcess(p, ExitStatus);
    ObDereferenceObject(o);
    return STATUS_SUCCESS;
}

NTSTATUS NtClose(HANDLE Handle)
{
    return ObCloseHandle(PsGetCurrentProcess(), Handle);
}

NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    LARGE_INTEGER t;
    if (Timeout && !NT_SUCCESS(KeCopyFromUser(&t, Timeout, sizeof(t), 4)))
        return STATUS_ACCESS_VIOLATION;
    DISPATCHER_HEADER *o;
    NTSTATUS s = ObReferenceObjectByHandle(Handle, 0, &o);
    if (!NT_SUCCESS(s))
        return s;
    /* A thread waiting on itself waits out its timeout (forever, if none),
     * as on Windows. */
    s = KeWaitForObject(o, PspTimeoutToTicks(Timeout ? &t : NULL));
    ObDereferenceObject(o);
    return s;
}

NTSTATUS NtDisplayString(PUNICODE_STRING String)
{
    UNICODE_STRING us;
    WCHAR buf[128];
    NTSTATUS s = KeCopyFromUser(&us, String, sizeof(us), 4);
    if (!NT_SUCCESS(s))
        return s;
    if (us.Length & 1)
        return STATUS_INVALID_PARAMETER;
    for (ULONG done = 0; done < us.Length;) {
        ULONG n = us.Length - done < sizeof(buf) ? us.Length - done : sizeof(buf);
        s = KeCopyFromUser(buf, (PUCHAR)us.Buffer + done, n, 2);
        if (!NT_SUCCESS(s))
            return s;
        for (ULONG i = 0; i < n / 2; i++)
            KiSerialPut(buf[i] < 0x80 ? (char)buf[i] : '?');
        done += n;
    }
    return STATUS_SUCCESS;
}

/* ProcessVmCounters: the memory manager's counters (pages) in bytes. */
static void PspFillVmCounters(PEPROCESS p, VM_COUNTERS_EX *c)
{
    memset(c, 0, sizeof(*c));
    c->PeakVirtualSize = p->PeakVirtualSize;
    c->VirtualSize = p->VirtualSize;
    c->PageFaultCount = p->Vm.PageFaultCount;
    c->PeakWorkingSetSize = (SIZE_T)p->Vm.PeakWorkingSetSize << PAGE_SHIFT;
    c->WorkingSetSize = (SIZE_T)p->Vm.WorkingSetSize << PAGE_SHIFT;
    c->PagefileUsage = (SIZE_T)p->CommitCharge << PAGE_SHIFT;
    c->PeakPagefileUsage = (SIZE_T)p->CommitChargePeak << PAGE_SHIFT;
    c->PrivateUsage = c->PagefileUsage;
}

NTSTATUS NtQueryInformationProcess(HANDLE ProcessHandle, ULONG InformationClass, PVOID Information,
                                   ULONG Length, PULONG ReturnLength)
{
    union {
        PROCESS_BASIC_INFORMATION Basic;
        VM_COUNTERS_EX Vm;
    } info;
    ULONG len;
    if (InformationClass == ProcessBasicInformation) {
        len = sizeof(info.Basic);
        if (Length != len)
            return STATUS_INFO_LENGTH_MISMATCH;
    } else if (InformationClass == ProcessVmCounters) {
        /* NT takes VM_COUNTERS or VM_COUNTERS_EX (with PrivateUsage). */
        len = Length;
        if (Length != VM_COUNTERS_SIZE && Length != sizeof(VM_COUNTERS_EX))
            return STATUS_INFO_LENGTH_MISMATCH;
    } else {
        return STATUS_INVALID_INFO_CLASS;
    }
    DISPATCHER_HEADER *o;
    NTSTATUS s = ObReferenceObjectByHandle(ProcessHandle, KOBJECT_PROCESS, &o);
    if (!NT_SUCCESS(s))
        return s;
    PEPROCESS p = CONTAINING_RECORD(o, EPROCESS, Header);
    memset(&info, 0, sizeof(info));
    if (InformationClass == ProcessBasicInformation) {
        info.Basic.ExitStatus = p->ExitStatus;
        info.Basic.PebBaseAddress = p->Peb;
        info.Basic.AffinityMask = 1;
        info.Basic.BasePriority = 8;
        info.Basic.UniqueProcessId = p->UniqueProcessId;
    } else {
        PspFillVmCounters(p, &info.Vm);
    }
    ObDereferenceObject(o);
    s = KeCopyToUser(Information, &info, len, 4);
    if (NT_SUCCESS(s) && ReturnLength)
        s = KeCopyToUser(ReturnLength, &len, sizeof(len), 4);
    return s;
}

NTSTATUS NtQueryInformationThread(HANDLE ThreadHandle, ULONG InformationClass, PVOID Information,
                                  ULONG Length, PULONG ReturnLength)
{
    if (InformationClass != ThreadBasicInformation && InformationClass != ThreadAmILastThread)
        return STATUS_INVALID_INFO_CLASS;
    if (Length != (InformationClass == ThreadAmILastThread ? sizeof(ULONG)
                                                           : sizeof(THREAD_BASIC_INFORMATION)))
        return STATUS_INFO_LENGTH_MISMATCH;
    DISPATCHER_HEADER *o;
    NTSTATUS s = ObReferenceObjectByHandle(ThreadHandle, KOBJECT_THREAD, &o);
    if (!NT_SUCCESS(s))
        return s;
    PETHREAD t = CONTAINING_RECORD(o, ETHREAD, Header);
    if (InformationClass == ThreadAmILastThread) {
        /* NT answers for the calling thread, whatever the handle names. */
        ULONG last = PsGetCurrentProcess()->ActiveThreads == 1;
        ObDereferenceObject(o);
        s = KeCopyToUser(Information, &last, sizeof(last), 4);
        if (NT_SUCCESS(s) && ReturnLength) {
            ULONG len = sizeof(last);
            s = KeCopyToUser(ReturnLength, &len, sizeof(len), 4);
        }
        return s;
    }
    THREAD_BASIC_INFORMATION info;
    memset(&info, 0, sizeof(info));
    info.ExitStatus = t->State == Terminated ? t->ExitStatus : STATUS_PENDING;
    info.TebBaseAddress = t->Teb;
    info.ClientId = t->Cid;
    info.AffinityMask = 1;
    info.Priority = info.BasePriority = 8;
    ObDereferenceObject(o);
    s = KeCopyToUser(Information, &info, sizeof(info), 4);
    if (NT_SUCCESS(s) && ReturnLength) {
        ULONG len = sizeof(info);
        s = KeCopyToUser(ReturnLength, &len, sizeof(len), 4);
    }
    return s;
}

/* Resumes with the CONTEXT: the service's "result" is the context's EAX. */
NTSTATUS NtContinue(PCONTEXT Context, BOOLEAN TestAlert)
{
    CONTEXT c;
    NTSTATUS s = KeCopyFromUser(&c, Context, sizeof(c), 4);
    if (!NT_SUCCESS(s))
        return s;
    PKTRAP_FRAME f = PsGetCurrentThread()->TrapFrame;
    KeContextToTrapFrame(&c, f);
    return (NTSTATUS)f->Eax;
}

NTSTATUS NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context, BOOLEAN FirstChance)
{
    EXCEPTION_RECORD r;
    CONTEXT c;
    NTSTATUS s = KeCopyFromUser(&r, ExceptionRecord, sizeof(r), 4);
    if (NT_SUCCESS(s))
        s = KeCopyFromUser(&c, Context, sizeof(c), 4);
    if (!NT_SUCCESS(s))
        return s;
    if (r.NumberParameters > EXCEPTION_MAXIMUM_PARAMETERS)
        return STATUS_INVALID_PARAMETER;
    if (!FirstChance) {
        PsEndProcessByException(PsGetCurrentProcess(), &r);
        return STATUS_SUCCESS;      /* not reached */
    }
    PKTRAP_FRAME f = PsGetCurrentThread()->TrapFrame;
    KeContextToTrapFrame(&c, f);
    KiDispatchUserException(f, &r);
    return (NTSTATUS)f->Eax;
}

NTSTATUS NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval)
{
    LARGE_INTEGER t;
    NTSTATUS s = KeCopyFromUser(&t, DelayInterval, sizeof(t), 4);
    if (!NT_SUCCESS(s))
        return s;
    /* Nothing signals this object: the wait is the delay. */
    DISPATCHER_HEADER never = { 0 };
    InitializeListHead(&never.WaitListHead);
    KeWaitForObject(&never, PspTimeoutToTicks(&t));
    return STATUS_SUCCESS;
}

NTSTATUS NtYieldExecution(void)
{
    KeYieldExecution();
    return STATUS_SUCCESS;
}

/* SystemBasicInformation (GetSystemInfo) and SystemPerformanceInformation
 * (GlobalMemoryStatusEx: available pages, commit charge and limit). */
NTSTATUS NtQuerySystemInformation(ULONG InformationClass, PVOID Information, ULONG Length,
                                  PULONG ReturnLength)
{
    MM_PAGE_COUNTS counts;
    MmGetPageCounts(&counts);
    union {
        SYSTEM_BASIC_INFORMATION Basic;
        SYSTEM_PERFORMANCE_INFORMATION Performance;
    } info;
    ULONG size;
    memset(&info, 0, sizeof(info));
    if (InformationClass == SystemBasicInformation) {
        size = sizeof(info.Basic);
        if (Length != size)
            return STATUS_INFO_LENGTH_MISMATCH;
        info.Basic.TimerResolution = KeQueryTimeIncrement();
        info.Basic.PageSize = PAGE_SIZE;
        info.Basic.NumberOfPhysicalPages = counts.TotalPages;
        info.Basic.LowestPhysicalPageNumber = 1;
        info.Basic.HighestPhysicalPageNumber = counts.HighestPage;
        info.Basic.AllocationGranularity = 0x10000;
        info.Basic.MinimumUserModeAddress = MM_LOWEST_USER_ADDRESS;
        info.Basic.MaximumUserModeAddress = MM_HIGHEST_USER_ADDRESS;
        info.Basic.ActiveProcessorsAffinityMask = 1;
        info.Basic.NumberOfProcessors = 1;
    } else if (InformationClass == SystemPerformanceInformation) {
        size = sizeof(info.Performance);
        if (Length < size)
            return STATUS_INFO_LENGTH_MISMATCH;
        MM_COMMIT_COUNTS commit;
        MmGetCommitCounts(&commit);
        info.Performance.AvailablePages = counts.AvailablePages;
        info.Performance.CommittedPages = commit.CommittedPages;
        info.Performance.CommitLimit = commit.CommitLimit;
        info.Performance.PeakCommitment = commit.PeakCommitment;
        info.Performance.PageFaultCount = commit.PageFaults;
        info.Performance.DemandZeroCount = commit.DemandZeroFaults;
    } else {
        return STATUS_INVALID_INFO_CLASS;
    }
    NTSTATUS s = KeCopyToUser(Information, &info, size, 4);
    if (NT_SUCCESS(s) && ReturnLength)
        s = KeCopyToUser(ReturnLength, &size, sizeof(size), 4);
    return s;
}

/* The service table, in ntsyscalls.h's order. Services are cdecl C
 * functions; calling one with more arguments than it takes is harmless. */
typedef NTSTATUS (*PKSERVICE)(ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, ULONG);
#define KI_MAX_SERVICE_ARGUMENTS 8
static const struct {
    PKSERVICE Routine;
    ULONG ArgumentCount;
} KiServiceTable[SERVICE_COUNT] = {
#define NT_SERVICE_ENTRY(Name, Args) { (PKSERVICE)(void *)Name, Args },
    NT_SERVICE_TABLE(NT_SERVICE_ENTRY)
#undef NT_SERVICE_ENTRY
};
#define NT_SERVICE_ARGS_FIT(Name, Args) C_ASSERT(Args <= KI_MAX_SERVICE_ARGUMENTS);
NT_SERVICE_TABLE(NT_SERVICE_ARGS_FIT)
#undef NT_SERVICE_ARGS_FIT

void KiSystemService(PKTRAP_FRAME Frame)
{
    ULONG args[KI_MAX_SERVICE_ARGUMENTS] = { 0 };
    ULONG n = Frame->Eax;
    PsGetCurrentThread()->TrapFrame = Frame;
    if (n >= SERVICE_COUNT) {
        Frame->Eax = (ULONG)STATUS_INVALID_SYSTEM_SERVICE;
        return;
    }
    _enable();
    NTSTATUS s = KeCopyFromUser(args, (PVOID)Frame->Edx, KiServiceTable[n].ArgumentCount * 4, 4);
    if (NT_SUCCESS(s))
        s = KiServiceTable[n].Routine(args[0], args[1], args[2], args[3], args[4], args[5],
                                      args[6], args[7]);
    _disable();
    ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);
    Frame->Eax = (ULONG)s;
}
