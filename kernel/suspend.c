/*
 * suspend.c - suspending and resuming threads: the suspend count, the safe
 * point where it takes effect, NtSuspendThread and NtResumeThread (NT:
 * ke/thrdobj.c's KeSuspendThread and KeResumeThread, ps/state.c).
 *
 * NT keeps a suspend count in the KTHREAD. Suspending a thread raises the
 * count and queues a kernel APC to it; the APC runs in the target itself,
 * where it holds no lock (at PASSIVE_LEVEL outside a critical region, which
 * for a user thread is in practice a wait or the way back to user mode), and
 * waits on the thread's suspend semaphore until the count is back at zero.
 * So the target stops where stopping is harmless, and never between two
 * instructions of a kernel routine that holds something.
 *
 * There are no APCs here. What they give suspension, a point in the target
 * where it holds nothing, is the way back to ring 3: every trap and
 * interrupt that came from user mode leaves through KiTrapCommon or
 * KiInterruptCommon (trapstub.asm), which call KiCheckForSuspend after the
 * dispatcher, and a new thread enters user mode once, from
 * PspUserThreadStartup (psthread.c) or, the first of a process,
 * PspUserThreadStart (loader.c), which do the same check. With
 * interrupts off from the check to the iretd, a thread whose count is above
 * zero waits there (KiSuspendThread) instead of returning:
 *
 *   - it never executes another user instruction until resumed: no path to
 *     ring 3 skips the check, and nothing can raise the count between the
 *     check and the iretd;
 *   - a thread that suspends itself stops at once: NtSuspendThread returns
 *     through the service exit, with its status and previous count already
 *     stored, and waits there;
 *   - a thread waiting inside a service goes on waiting; when the wait ends
 *     it finishes the service, which drops whatever it held, and stops at
 *     the exit;
 *   - a thread preempted in user mode (Ready) stops the next time it runs,
 *     in the tail of the interrupt that preempted it.
 *
 * Unlike NT's, the target may run some kernel code after it is suspended
 * (the rest of a service, the end of an interrupt), never user code. A
 * kernel thread never passes the safe point, so a count on it stops nothing;
 * only user threads can be named by a handle, so none is ever suspended.
 *
 * The waiting thread is Waiting with WaitReason Suspended and is on no list
 * (its ReadyEntry is linked to itself, so termination's unlink is harmless).
 * KeResumeThread makes it ready when the count reaches zero. It holds
 * nothing, so ending it (TerminateThread, the end of its process) leaves
 * nothing behind. Counts and states are touched at DISPATCH_LEVEL with
 * interrupts off, the dispatcher lock on one processor.
 */
#include "ps.h"
#include "except.h"

ULONG KeSuspendThread(PETHREAD Thread)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    ULONG previous = Thread->SuspendCount;
    if (previous < MAXIMUM_SUSPEND_COUNT)
        Thread->SuspendCount++;
    __writeeflags(flags);
    KfLowerIrql(old);
    if (previous == MAXIMUM_SUSPEND_COUNT)
        ExRaiseStatus(STATUS_SUSPEND_COUNT_EXCEEDED);
    return previous;
}

ULONG KeResumeThread(PETHREAD Thread)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    ULONG previous = Thread->SuspendCount;
    /* Only a thread that reached the safe point waits for this; one that
     * has not got there yet simply passes it now. */
    if (previous && --Thread->SuspendCount == 0 && Thread->State == Waiting &&
        Thread->WaitReason == Suspended)
        KiReadyThread(Thread);
    __writeeflags(flags);
    KfLowerIrql(old);
    return previous;
}

void KiSuspendThread(void)
{
    PETHREAD t = KiCurrentThread;
    ASSERT(!(__readeflags() & EFLAGS_IF) && KeGetCurrentIrql() == PASSIVE_LEVEL);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    /* A loop: the thread may be suspended again between being made ready
     * and running. */
    while (t->SuspendCount) {
        t->State = Waiting;
        t->WaitReason = Suspended;
        InitializeListHead(&t->ReadyEntry);
        KiSwapThread();
    }
    t->WaitReason = Executive;
    KfLowerIrql(old);
}

void KiCheckForSuspend(PKTRAP_FRAME TrapFrame)
{
    /* A trap taken in kernel mode returns to kernel code, which may hold
     * anything: not a safe point. */
    if (!KI_FRAME_FROM_USER(TrapFrame))
        return;
    /* Off until the iretd: a suspension after this test would be missed. */
    _disable();
    if (KiCurrentThread->SuspendCount)
        KiSuspendThread();
}

/* KeSuspendThread with its raise caught, as NT's PsSuspendThread catches it. */
static NTSTATUS PspSuspendThreadCatchLimit(PETHREAD Thread, PULONG PreviousSuspendCount)
{
    KTRY t;
    KE_TRY(t) {
        *PreviousSuspendCount = KeSuspendThread(Thread);
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

NTSTATUS PsSuspendThread(PETHREAD Thread, PULONG PreviousSuspendCount)
{
    ULONG previous = 0;
    NTSTATUS status = STATUS_THREAD_IS_TERMINATING;
    /* At DISPATCH_LEVEL nothing else runs, so the thread cannot end between
     * the test and the count. */
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    if (Thread->State != Terminated)
        status = PspSuspendThreadCatchLimit(Thread, &previous);
    KfLowerIrql(old);
    if (NT_SUCCESS(status) && PreviousSuspendCount)
        *PreviousSuspendCount = previous;
    return status;
}

NTSTATUS PsResumeThread(PETHREAD Thread, PULONG PreviousSuspendCount)
{
    ULONG previous = KeResumeThread(Thread);
    if (PreviousSuspendCount)
        *PreviousSuspendCount = previous;
    return STATUS_SUCCESS;
}

/* ProbeForWriteUlong: a bad pointer fails the call before it does anything. */
static NTSTATUS PspProbeForWriteUlong(PULONG Address)
{
    KTRY t;
    KE_TRY(t) {
        ProbeForWrite(Address, sizeof(ULONG), sizeof(ULONG));
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

/*
 * What NtSuspendThread and NtResumeThread share: the count pointer probed
 * first (so a bad one fails the call before the count changes), the
 * handle's thread referenced, Routine applied, the previous count written.
 */
static NTSTATUS PspChangeSuspendCount(HANDLE ThreadHandle, PULONG PreviousSuspendCount,
                                      NTSTATUS (*Routine)(PETHREAD, PULONG))
{
    NTSTATUS s = PreviousSuspendCount ? PspProbeForWriteUlong(PreviousSuspendCount)
                                      : STATUS_SUCCESS;
    if (!NT_SUCCESS(s))
        return s;
    DISPATCHER_HEADER *o;
    s = ObReferenceObjectByHandle(ThreadHandle, KOBJECT_THREAD, &o);
    if (!NT_SUCCESS(s))
        return s;
    ULONG previous;
    s = Routine(CONTAINING_RECORD(o, ETHREAD, Header), &previous);
    ObDereferenceObject(o);
    if (NT_SUCCESS(s) && PreviousSuspendCount)
        s = KeCopyToUser(PreviousSuspendCount, &previous, sizeof(previous), sizeof(ULONG));
    return s;
}

/*
 * NtSuspendThread: adds one to the suspend count of ThreadHandle's thread
 * and returns the previous count in *PreviousSuspendCount (optional). The
 * thread stops before it next runs user code; the caller itself stops
 * before this call returns to user mode. STATUS_SUSPEND_COUNT_EXCEEDED at
 * MAXIMUM_SUSPEND_COUNT, STATUS_THREAD_IS_TERMINATING for a thread that has
 * ended, STATUS_INVALID_HANDLE / STATUS_OBJECT_TYPE_MISMATCH for a handle
 * that names no thread (handles carry no access mask here, so
 * THREAD_SUSPEND_RESUME is not checked). PASSIVE_LEVEL.
 */
NTSTATUS NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    return PspChangeSuspendCount(ThreadHandle, PreviousSuspendCount, PsSuspendThread);
}

/*
 * NtResumeThread: takes one off the suspend count of ThreadHandle's thread
 * (nothing at zero) and returns the previous count; at zero the thread goes
 * on. A thread that has ended has a count of zero. Handle errors as
 * NtSuspendThread's. PASSIVE_LEVEL.
 */
NTSTATUS NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    return PspChangeSuspendCount(ThreadHandle, PreviousSuspendCount, PsResumeThread);
}
