/*
 * wait.c - waiting, signaling, ending threads, and reaping them.
 *
 * A process or thread object becomes signaled when it ends; threads waiting
 * on it are made ready with STATUS_SUCCESS. A timed wait is also on
 * KiTimedWaitList, which the clock scans; when the deadline passes the
 * thread is made ready with STATUS_TIMEOUT. As everywhere in the scheduler,
 * these lists are touched with interrupts off.
 *
 * An ending thread cannot free its own kernel stack: it marks itself
 * Terminated, queues itself on KiDeadList and switches away for good. The
 * next thread to run calls KiReapDeadThreads, which frees the stack and, for
 * the last thread of a process, the process's address space and handles,
 * then signals the process.
 */
#include "ps.h"
#include "mi.h"
#include "pool.h"
#include "kstring.h"

extern LIST_ENTRY KiDeadList, KiTimedWaitList;
extern BOOLEAN KiSchedulerRunning;

void ObReferenceObject(DISPATCHER_HEADER *Object)
{
    __atomic_add_fetch(&Object->ReferenceCount, 1, __ATOMIC_SEQ_CST);
}

void ObDereferenceObject(DISPATCHER_HEADER *Object)
{
    LONG left = __atomic_sub_fetch(&Object->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    ASSERT(left >= 0);
    if (left > 0)
        return;
    if (Object == &KiSystemProcess.Header)
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, (ULONG_PTR)Object, 0, 0, 0);
    /* The last reference: the object has ended (or never ran). */
    ExFreePoolWithTag(Object, Object->Type == KOBJECT_THREAD ? 'erhT' : 'corP');
}

void KiSignalObject(DISPATCHER_HEADER *Object)
{
    ULONG flags = __readeflags();
    _disable();
    Object->SignalState = 1;
    while (!IsListEmpty(&Object->WaitListHead)) {
        PETHREAD t = CONTAINING_RECORD(RemoveHeadList(&Object->WaitListHead), ETHREAD, ReadyEntry);
        if (t->WaitDeadline)
            RemoveEntryList(&t->TimerEntry);
        t->WaitStatus = STATUS_SUCCESS;
        t->WaitObject = NULL;
        KiReadyThread(t);
    }
    __writeeflags(flags);
}

NTSTATUS KeWaitForObject(DISPATCHER_HEADER *Object, ULONG TimeoutTicks)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    NTSTATUS status;
    if (Object->SignalState) {
        status = STATUS_SUCCESS;
    } else if (TimeoutTicks == 0) {
        status = STATUS_TIMEOUT;
    } else {
        PETHREAD t = KiCurrentThread;
        t->State = Waiting;
        t->WaitObject = Object;
        t->WaitDeadline = 0;
        InsertTailList(&Object->WaitListHead, &t->ReadyEntry);
        if (TimeoutTicks != 0xFFFFFFFF) {
            t->WaitDeadline = KeTickCount + TimeoutTicks;
            if (t->WaitDeadline == 0)
                t->WaitDeadline = 1;
            InsertTailList(&KiTimedWaitList, &t->TimerEntry);
        }
        KiSwapThread();
        status = t->WaitStatus;
        t->WaitDeadline = 0;
    }
    __writeeflags(flags);
    KfLowerIrql(old);
    return status;
}

/* From the clock interrupt, interrupts off. */
void KiExpireTimedWaits(void)
{
    for (PLIST_ENTRY e = KiTimedWaitList.Flink; e != &KiTimedWaitList;) {
        PETHREAD t = CONTAINING_RECORD(e, ETHREAD, TimerEntry);
        e = e->Flink;
        if ((LONG)(KeTickCount - t->WaitDeadline) < 0)
            continue;
        RemoveEntryList(&t->TimerEntry);
        RemoveEntryList(&t->ReadyEntry);        /* off the object's wait list */
        t->WaitStatus = STATUS_TIMEOUT;
        t->WaitObject = NULL;
        KiReadyThread(t);
    }
}

/* Takes Thread out of whatever list it waits on, for termination. A
 * suspended thread waits on none: its entry is linked to itself. */
static void KiUnlinkThread(PETHREAD Thread)
{
    if (Thread->State == Ready || Thread->State == Waiting)
        RemoveEntryList(&Thread->ReadyEntry);
    if (Thread->State == Waiting && Thread->WaitDeadline)
        RemoveEntryList(&Thread->TimerEntry);
}

/* Marks Thread ended and queues it for the reaper. Interrupts off. */
static void KiEndThread(PETHREAD Thread, NTSTATUS ExitStatus)
{
    Thread->ExitStatus = ExitStatus;
    Thread->State = Terminated;
    /* NT force-resumes a thread it terminates: an ended thread's count is 0. */
    Thread->SuspendCount = 0;
    RemoveEntryList(&Thread->ThreadListEntry);
    PEPROCESS p = Thread->Process;
    if (--p->ActiveThreads == 0 && p->ExitStatus == STATUS_PENDING)
        p->ExitStatus = ExitStatus;
    InsertTailList(&KiDeadList, &Thread->ReadyEntry);
}

void PsTerminateCurrentThread(NTSTATUS ExitStatus)
{
    KfRaiseIrql(DISPATCH_LEVEL);
    _disable();
    KiEndThread(KiCurrentThread, ExitStatus);
    KiSwapThread();
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0x7E, (ULONG_PTR)KiCurrentThread, 0, 0);   /* not reached */
}

void PsTerminateOtherThread(PETHREAD Thread, NTSTATUS ExitStatus)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    ASSERT(Thread != KiCurrentThread);
    if (Thread->State != Terminated) {
        KiUnlinkThread(Thread);
        KiEndThread(Thread, ExitStatus);
    }
    __writeeflags(flags);
    KfLowerIrql(old);
}

/*
 * Ends every thread of Process. The caller's own thread, if it is one of
 * them, ends last (it does not return).
 */
void PsTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    if (Process->ExitStatus == STATUS_PENDING)
        Process->ExitStatus = ExitStatus;
    Process->Exiting = TRUE;
    BOOLEAN self = FALSE;
    for (PLIST_ENTRY e = Process->ThreadListHead.Flink; e != &Process->ThreadListHead;) {
        PETHREAD t = CONTAINING_RECORD(e, ETHREAD, ThreadListEntry);
        e = e->Flink;
        if (t == KiCurrentThread) {
            self = TRUE;
            continue;
        }
        KiUnlinkThread(t);
        KiEndThread(t, ExitStatus);
    }
    if (self) {
        KiEndThread(KiCurrentThread, ExitStatus);
        KiSwapThread();
    }
    __writeeflags(flags);
    KfLowerIrql(old);
    /* Threads of another process are reaped when this thread next switches. */
    if (Process != KiCurrentThread->Process)
        KeYieldExecution();
}

static void KiDeleteProcess(PEPROCESS Process)
{
    Process->AddressSpaceDeleted = TRUE;
    for (ULONG i = 0; i < KI_MAX_HANDLES; i++)
        if (Process->Handles[i]) {
            ObDereferenceObject(Process->Handles[i]);
            Process->Handles[i] = NULL;
        }
    MmDeleteProcessVads(Process);
    MmDeleteProcessAddressSpace(Process->DirectoryTableBase);
    RemoveEntryList(&Process->ProcessListEntry);
    KiSignalObject(&Process->Header);
    ObDereferenceObject(&Process->Header);      /* the reference of being alive */
}

/* Runs on a thread that just got the processor: DISPATCH_LEVEL, interrupts off. */
void KiReapDeadThreads(void)
{
    while (!IsListEmpty(&KiDeadList)) {
        PETHREAD t = CONTAINING_RECORD(RemoveHeadList(&KiDeadList), ETHREAD, ReadyEntry);
        ASSERT(t != KiCurrentThread);
        for (ULONG i = 1; i <= KI_KERNEL_STACK_PAGES; i++)
            MiFreePage(t->StackPtes[i].u >> PAGE_SHIFT);
        MiReleaseSystemPtes(t->StackPtes, KI_KERNEL_STACK_PAGES + 1, SystemPteSpace);
        PEPROCESS p = t->Process;
        KiSignalObject(&t->Header);
        ObDereferenceObject(&t->Header);        /* the reference of running */
        /* Threads that ended together (the end of a process) are reaped in
         * one pass, and each sees no active thread: only the first deletes. */
        if (p->ActiveThreads == 0 && !p->AddressSpaceDeleted && p != &KiSystemProcess &&
            (__readcr3() >> PAGE_SHIFT) != p->DirectoryTableBase)
            KiDeleteProcess(p);
        ObDereferenceObject(&p->Header);        /* the thread's reference */
    }
}

void KeAttachProcess(PEPROCESS Process)
{
    /* This thread's kernel stack must be mapped in Process's space (mm.h). */
    MmSynchronizeSystemPdes(Process->DirectoryTableBase, &Process->SystemPdeGeneration);
    ULONG flags = __readeflags();
    _disable();
    ASSERT(KiCurrentThread->AttachedProcess == NULL);
    KiCurrentThread->AttachedProcess = Process;
    __writecr3(Process->DirectoryTableBase << PAGE_SHIFT);
    __writeeflags(flags);
}

void KeDetachProcess(void)
{
    PEPROCESS own = KiCurrentThread->Process;
    MmSynchronizeSystemPdes(own->DirectoryTableBase, &own->SystemPdeGeneration);
    ULONG flags = __readeflags();
    _disable();
    KiCurrentThread->AttachedProcess = NULL;
    __writecr3(KiCurrentThread->Process->DirectoryTableBase << PAGE_SHIFT);
    __writeeflags(flags);
}
