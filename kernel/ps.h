/*
 * ps.h - threads and processes: the objects, the scheduler's interface, and
 * the calls the system services use.
 *
 * One processor. A thread runs until it waits, exits, yields or uses up its
 * quantum (KI_QUANTUM_TICKS clock ticks), then the next ready thread runs,
 * round robin; the idle thread runs when none is ready. A switch happens
 * only below DISPATCH_LEVEL: from a wait or exit, or at the end of a clock
 * interrupt that interrupted code running below DISPATCH_LEVEL.
 */
#ifndef PS_H
#define PS_H

#include "ntdef.h"
#include "list.h"
#include "ki.h"
#include "ntuser.h"
#include "mm.h"
#include "avltree.h"

/* Waitable objects start with this (NT's DISPATCHER_HEADER, reduced). */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type;             /* KOBJECT_PROCESS or KOBJECT_THREAD */
    LONG SignalState;       /* nonzero: signaled (a process or thread that ended) */
    LONG ReferenceCount;    /* handles and kernel references */
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER;
#define KOBJECT_PROCESS 3
#define KOBJECT_THREAD 6

typedef enum _KTHREAD_STATE { Initialized, Ready, Running, Waiting, Terminated } KTHREAD_STATE;
/* Why a Waiting thread waits: NT's KWAIT_REASON values, the two used here. */
typedef enum _KWAIT_REASON { Executive = 0, Suspended = 5 } KWAIT_REASON;
/* The most a suspend count can reach (winnt.h: MAXCHAR). */
#define MAXIMUM_SUSPEND_COUNT 0x7F

#define KI_KERNEL_STACK_PAGES 3         /* 12 KB, with an unmapped guard page below */
#define KI_QUANTUM_TICKS 3

struct _EPROCESS;

typedef struct _ETHREAD {
    DISPATCHER_HEADER Header;
    ULONG KernelEsp;                /* saved by KiSwapContext */
    ULONG_PTR StackBase, StackLimit; /* the kernel stack: [Limit, Base) */
    PMMPTE StackPtes;               /* its system PTEs, the guard first */
    KTHREAD_STATE State;
    LIST_ENTRY ReadyEntry;          /* the ready list, or the waited object's list */
    LIST_ENTRY ThreadListEntry;     /* the process's threads */
    struct _EPROCESS *Process;
    struct _EPROCESS *AttachedProcess; /* KeAttachProcess: whose CR3 it runs in */
    PTEB Teb;
    CLIENT_ID Cid;
    NTSTATUS ExitStatus;
    ULONG Quantum;
    PKTRAP_FRAME TrapFrame;         /* the user-mode entry frame, for services */
    DISPATCHER_HEADER *WaitObject;  /* what it waits for */
    NTSTATUS WaitStatus;            /* how the wait ended */
    ULONG WaitDeadline;             /* KeTickCount at which a timed wait ends */
    LIST_ENTRY TimerEntry;          /* KiTimedWaitList, while a timed wait runs */
    struct _KTRY *TryList;          /* the innermost KE_TRY (except.c) */
    void (*StartRoutine)(void *);
    void *StartContext;
    ULONG UserEntry[9];             /* NtCreateThread's EIP, ESP, EAX..EBP (psthread.c) */
    UCHAR SuspendCount;             /* KTHREAD's: above 0, no return to user mode (suspend.c) */
    UCHAR WaitReason;               /* KWAIT_REASON: Suspended while it waits in KiSuspendThread */
} ETHREAD, *PETHREAD;

#define KI_MAX_HANDLES 64

typedef struct _EPROCESS {
    DISPATCHER_HEADER Header;
    ULONG DirectoryTableBase;       /* the directory's page: CR3 >> 12 */
    LIST_ENTRY ThreadListHead;
    ULONG ActiveThreads;
    ULONG_PTR UniqueProcessId;
    NTSTATUS ExitStatus;
    PPEB Peb;
    ULONG_PTR UserExceptionDispatcher; /* the program's KiUserExceptionDispatcher */
    char ImageName[32];
    BOOLEAN Exiting;
    BOOLEAN AddressSpaceDeleted;    /* its memory and handles are gone (wait.c: once) */
    DISPATCHER_HEADER *Handles[KI_MAX_HANDLES];
    LIST_ENTRY ProcessListEntry;
    /* The memory manager's (mm/vad.c, virtual.c, commit.c, fault.c). */
    RTL_RANGE_TREE VadRoot;         /* MMVADs, one per reservation */
    ULONG CommitCharge;             /* committed private pages (PrivateUsage) */
    ULONG CommitChargePeak;
    SIZE_T VirtualSize;             /* bytes reserved, all VADs */
    SIZE_T PeakVirtualSize;
    MMSUPPORT Vm;                   /* working-set counters */
    ULONG SystemPdeGeneration;      /* system page tables its directory has (MmSynchronizeSystemPdes) */
} EPROCESS, *PEPROCESS;

extern PETHREAD KiCurrentThread;
extern EPROCESS KiSystemProcess;
static inline PETHREAD PsGetCurrentThread(void) { return KiCurrentThread; }
static inline PEPROCESS PsGetCurrentProcess(void) { return KiCurrentThread->Process; }
/* The process whose address space is current: the attached one while a
 * thread is attached (NT's ApcState.Process), else the thread's own. */
static inline PEPROCESS KiCurrentAddressSpaceProcess(void)
{
    return KiCurrentThread->AttachedProcess ? KiCurrentThread->AttachedProcess
                                            : KiCurrentThread->Process;
}

void KiInitializeScheduler(void);
/* A kernel thread in Process (the system process for NULL) running
 * Start(Context) at PASSIVE_LEVEL; NULL if out of memory. */
PETHREAD PsCreateThread(PEPROCESS Process, void (*Start)(void *), void *Context);
void KiReadyThread(PETHREAD Thread);
void KiSwapThread(void);            /* interrupts off, DISPATCH_LEVEL */
/* Gives up the processor to another ready thread, if any. */
void KeYieldExecution(void);
/* Ends the calling thread (and its process with its last thread). */
void PsTerminateCurrentThread(NTSTATUS ExitStatus) __attribute__((noreturn));
/* Ends Thread, another thread of the caller's process that is Ready or
 * Waiting (one processor: it is not running). Interrupts and IRQL handled
 * inside; the caller holds a reference on Thread. */
void PsTerminateOtherThread(PETHREAD Thread, NTSTATUS ExitStatus);
/* Waits until Object is signaled; Timeout in ticks, 0xFFFFFFFF = forever.
 * STATUS_SUCCESS or STATUS_TIMEOUT. */
NTSTATUS KeWaitForObject(DISPATCHER_HEADER *Object, ULONG TimeoutTicks);
void KiSignalObject(DISPATCHER_HEADER *Object);
void KiClockTick(void);             /* the quantum: from the clock interrupt */
void KiPreemptIfDue(void);          /* at the end of an interrupt */
void KeAttachProcess(PEPROCESS Process);
void KeDetachProcess(void);

/* Objects are freed when the last reference goes. */
void ObReferenceObject(DISPATCHER_HEADER *Object);
void ObDereferenceObject(DISPATCHER_HEADER *Object);

/* Processes (process.c, loader.c). */
PEPROCESS PsCreateProcess(PCSTR ImageName);
void PsTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus);
/* Loads an ELF32 image (a GRUB module) into a new process and starts its
 * first thread in user mode. */
NTSTATUS PsCreateUserProcess(PCSTR ImageName, PCSTR CommandLine, const void *Image,
                             SIZE_T ImageSize, PEPROCESS *Process);
HANDLE ObInsertHandle(PEPROCESS Process, DISPATCHER_HEADER *Object);
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, UCHAR Type, DISPATCHER_HEADER **Object);
NTSTATUS ObCloseHandle(PEPROCESS Process, HANDLE Handle);
ULONG PsActiveProcessCount(void);

/* The balance set manager (balance.c): started at boot; held off by tests. */
void KiStartBalanceSetManager(void);
void KeHoldBalanceSetManager(BOOLEAN Hold);
extern ULONG KiBalanceScans;

/* Entering user mode for the first time (switch.asm). */
void KiEnterUserMode(ULONG Eip, ULONG Esp) __attribute__((noreturn));
/* The same with registers: Registers = { EIP, ESP, EAX, EBX, ECX, EDX, ESI,
 * EDI, EBP } (NtCreateThread's CONTEXT). */
void KiEnterUserModeWithRegisters(const ULONG *Registers) __attribute__((noreturn));

/* User threads (psthread.c): what a thread leaving the process releases in
 * user space (its TEB, and its stack when the TEB asks); the process's
 * address space current, PASSIVE_LEVEL. */
void PspExitUserThread(PETHREAD Thread);
NTSTATUS NtCreateThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, PVOID ObjectAttributes,
                        HANDLE ProcessHandle, PCLIENT_ID ClientId, PCONTEXT ThreadContext,
                        PINITIAL_TEB InitialTeb, BOOLEAN CreateSuspended);
NTSTATUS NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);

/* Suspension (suspend.c). KeSuspendThread adds one to Thread's suspend count
 * and returns the previous count; at MAXIMUM_SUSPEND_COUNT it raises
 * STATUS_SUSPEND_COUNT_EXCEEDED instead (ExRaiseStatus), as NT's does.
 * KeResumeThread takes one off (none at zero) and returns the previous
 * count; the thread goes on when it reaches zero. Any IRQL <= DISPATCH_LEVEL. */
ULONG KeSuspendThread(PETHREAD Thread);
ULONG KeResumeThread(PETHREAD Thread);
/* The safe point: with interrupts off, just before the current thread goes
 * (back) to user mode; blocks while its suspend count is above zero.
 * KiCheckForSuspend is the trap exit's (any frame; only one from user mode
 * counts), KiSuspendThread the wait itself. */
void KiCheckForSuspend(PKTRAP_FRAME TrapFrame);
void KiSuspendThread(void);
/* The same for a thread's first entry to user mode (loader.c, psthread.c):
 * interrupts stay off from here to its iretd. */
static inline void KiCheckForSuspendOnFirstEntry(void)
{
    _disable();
    if (KiCurrentThread->SuspendCount)
        KiSuspendThread();
}
/* PASSIVE_LEVEL; PreviousSuspendCount (kernel memory) may be NULL. A thread
 * that has ended cannot be suspended: STATUS_THREAD_IS_TERMINATING. */
NTSTATUS PsSuspendThread(PETHREAD Thread, PULONG PreviousSuspendCount);
NTSTATUS PsResumeThread(PETHREAD Thread, PULONG PreviousSuspendCount);
NTSTATUS NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSTATUS NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);

#endif /* PS_H */
