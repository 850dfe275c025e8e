/*
 * test_suspend.c - kernel/suspend.c: the suspend count (NT's KeSuspendThread
 * and KeResumeThread return the count before the call; the 128th suspension
 * raises STATUS_SUSPEND_COUNT_EXCEEDED) and the safe point, watched from
 * outside on tiny user programs (ktimage.h): a thread suspended while it
 * runs user code, or while it waits inside a service, ends up waiting with
 * WaitReason Suspended and its user code makes no progress until the count
 * is back at zero.
 */
#include "ntddk.h"
#include "ktest.h"
#include "ps.h"
#include "except.h"
#include "mi.h"
#include "ntsyscalls.h"
#include "ktimage.h"

static void KtSleepTicks(ULONG Ticks)
{
    DISPATCHER_HEADER never = { 0 };
    InitializeListHead(&never.WaitListHead);
    KeWaitForObject(&never, Ticks);
}

static DISPATCHER_HEADER KtGate;

static void KtWaitAtGate(void *Context)
{
    (void)Context;
    KeWaitForObject(&KtGate, 0xFFFFFFFF);
}

/* A kernel thread never reaches the safe point, so only the counting shows;
 * a resume to zero must not wake a thread that waits for something else. */
KTEST(suspend, counts_nest_and_resume_at_zero_returns_zero)
{
    memset(&KtGate, 0, sizeof(KtGate));
    InitializeListHead(&KtGate.WaitListHead);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);    /* it cannot end before the reference */
    PETHREAD t = PsCreateThread(NULL, KtWaitAtGate, NULL);
    if (t)
        ObReferenceObject(&t->Header);
    KfLowerIrql(old);
    KT_ASSERT(t != NULL);
    KtSleepTicks(2);
    ULONG s0 = KeSuspendThread(t), s1 = KeSuspendThread(t);
    ULONG r0 = KeResumeThread(t), r1 = KeResumeThread(t), r2 = KeResumeThread(t);
    KTHREAD_STATE state = t->State;
    UCHAR reason = t->WaitReason;
    KiSignalObject(&KtGate);
    NTSTATUS ended = KeWaitForObject(&t->Header, 5 * KE_CLOCK_HZ);
    ObDereferenceObject(&t->Header);
    KT_EQ(s0, 0);
    KT_EQ(s1, 1);
    KT_EQ(r0, 2);
    KT_EQ(r1, 1);
    KT_EQ(r2, 0);
    KT_EQ(state, Waiting);
    KT_EQ(reason, Executive);
    KT_EQ(ended, STATUS_SUCCESS);
}

static NTSTATUS KtSuspendCatching(PETHREAD Thread, ULONG *Previous)
{
    KTRY t;
    KE_TRY(t) {
        *Previous = KeSuspendThread(Thread);
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

KTEST(suspend, past_maximum_raises_suspend_count_exceeded)
{
    memset(&KtGate, 0, sizeof(KtGate));
    InitializeListHead(&KtGate.WaitListHead);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    PETHREAD t = PsCreateThread(NULL, KtWaitAtGate, NULL);
    if (t)
        ObReferenceObject(&t->Header);
    KfLowerIrql(old);
    KT_ASSERT(t != NULL);
    ULONG wrong = 0, previous = 0;
    for (ULONG i = 0; i < MAXIMUM_SUSPEND_COUNT; i++)
        if (KtSuspendCatching(t, &previous) != STATUS_SUCCESS || previous != i)
            wrong++;
    previous = 0xAA;
    NTSTATUS raised = KtSuspendCatching(t, &previous);
    ULONG ps = 0xBB;
    NTSTATUS viaPs = PsSuspendThread(t, &ps);
    UCHAR count = t->SuspendCount;
    KIRQL irql = KeGetCurrentIrql();
    while (KeResumeThread(t) > 1)
        ;
    KiSignalObject(&KtGate);
    NTSTATUS ended = KeWaitForObject(&t->Header, 5 * KE_CLOCK_HZ);
    ULONG afterEnd = 0xCC;
    NTSTATUS suspendEnded = PsSuspendThread(t, &afterEnd);
    ObDereferenceObject(&t->Header);
    KT_EQ(wrong, 0);
    KT_EQ(raised, STATUS_SUSPEND_COUNT_EXCEEDED);
    KT_EQ(previous, 0xAA);
    KT_EQ(viaPs, STATUS_SUSPEND_COUNT_EXCEEDED);
    KT_EQ(ps, 0xBB);
    KT_EQ(count, MAXIMUM_SUSPEND_COUNT);
    KT_EQ(irql, PASSIVE_LEVEL);
    KT_EQ(ended, STATUS_SUCCESS);
    KT_EQ(suspendEnded, STATUS_THREAD_IS_TERMINATING);
    KT_EQ(afterEnd, 0xCC);
}

/* The counter at KT_DATA that the programs below increment. */
static ULONG KtReadCounter(PEPROCESS Process)
{
    ULONG v = 0;
    KeAttachProcess(Process);
    KeCopyFromUser(&v, (PVOID)KT_DATA, sizeof(v), 4);
    KeDetachProcess();
    return v;
}

typedef struct {
    ULONG Running, Frozen, Later, Resumed;
    KTHREAD_STATE State;
    UCHAR Reason;
    ULONG SuspendPrevious, ResumePrevious;
} KT_SUSPEND_OBSERVATION;

/* Runs the program, suspends its thread once it has counted, watches it,
 * resumes it, then ends the process; every page and pool byte must be back. */
static BOOLEAN KtWatchSuspension(KT_IMAGE *Image, PCSTR Name, KT_SUSPEND_OBSERVATION *o)
{
    PEPROCESS p;
    if (KtRun(Image, Name, &p) != STATUS_PENDING)
        return FALSE;
    PETHREAD t = CONTAINING_RECORD(p->ThreadListHead.Flink, ETHREAD, ThreadListEntry);
    for (ULONG i = 0; i < 100 && (o->Running = KtReadCounter(p)) < 3; i++)
        KtSleepTicks(1);
    o->SuspendPrevious = KeSuspendThread(t);
    KtSleepTicks(5);                    /* it runs, and reaches the safe point */
    o->State = t->State;
    o->Reason = t->WaitReason;
    o->Frozen = KtReadCounter(p);
    KtSleepTicks(10);
    o->Later = KtReadCounter(p);
    o->ResumePrevious = KeResumeThread(t);
    KtSleepTicks(10);
    o->Resumed = KtReadCounter(p);
    PsTerminateProcess(p, STATUS_SUCCESS);
    NTSTATUS s = KeWaitForObject(&p->Header, 5 * KE_CLOCK_HZ);
    ObDereferenceObject(&p->Header);
    return s == STATUS_SUCCESS;
}

static void KtCheckLeavesNothing(KT_IMAGE *Image, PCSTR Name, KT_SUSPEND_OBSERVATION *o,
                                 BOOLEAN *Ended, BOOLEAN *Clean)
{
    KtWatchSuspension(Image, Name, o);    /* system page tables made once */
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    SIZE_T procBytes = ExpPoolTagBytes('corP', NonPagedPool);
    SIZE_T threadBytes = ExpPoolTagBytes('erhT', NonPagedPool);
    *Ended = KtWatchSuspension(Image, Name, o);
    MmGetPageCounts(&after);
    *Clean = MmPagesInUseByOthers(&after) == MmPagesInUseByOthers(&before) &&
             after.SystemPtesInUse == before.SystemPtesInUse &&
             ExpPoolTagBytes('corP', NonPagedPool) == procBytes &&
             ExpPoolTagBytes('erhT', NonPagedPool) == threadBytes;
}

/*
 * Runs the program in im, suspends it while it counts, and checks what the
 * observation saw: it ran, stopped Waiting/Suspended with its count frozen,
 * went on once resumed, and ended leaving nothing behind.
 */
static void KtExpectStopsAndResumes(KT_IMAGE *im, const char *Name)
{
    KT_SUSPEND_OBSERVATION o = { 0 };
    BOOLEAN ended, clean;
    KtCheckLeavesNothing(im, Name, &o, &ended, &clean);
    KT_ASSERT(o.Running >= 3);
    KT_EQ(o.SuspendPrevious, 0);
    KT_EQ(o.State, Waiting);
    KT_EQ(o.Reason, Suspended);
    KT_EQ(o.Later, o.Frozen);
    KT_EQ(o.ResumePrevious, 1);
    KT_ASSERT(o.Resumed > o.Later);
    KT_ASSERT(ended);
    KT_ASSERT(clean);
}

/* inc dword [KT_DATA]; jmp back: user code only, preempted by the clock. */
KTEST(suspend, spinning_user_thread_stops_at_the_interrupt_exit)
{
    KT_IMAGE im;
    KtBegin(&im);
    ULONG loop = im.Length;
    KtByte(&im, 0xFF); KtByte(&im, 0x05); KtLong(&im, KT_DATA);  /* inc dword [KT_DATA] */
    KtByte(&im, 0xEB); KtByte(&im, (UCHAR)(loop - (im.Length + 1)));  /* jmp loop */
    KtExpectStopsAndResumes(&im, "spinner");
}

/* NtDelayExecution(FALSE, -1 ms) in a loop, counting each return: suspended
 * inside the wait, the thread finishes the service when the delay ends and
 * stops at the service exit. */
KTEST(suspend, thread_waiting_in_a_service_stops_when_the_wait_ends)
{
    KT_IMAGE im;
    KtBegin(&im);
    ULONG loop = im.Length;
    KtByte(&im, 0x68); KtLong(&im, 0xFFFFFFFF);     /* push high half of -10000 */
    KtByte(&im, 0x68); KtLong(&im, 0xFFFFD8F0);     /* push low half: 1 ms, relative */
    KtByte(&im, 0x89); KtByte(&im, 0xE0);           /* mov eax, esp */
    KtByte(&im, 0x50);                              /* push eax: DelayInterval */
    KtByte(&im, 0x6A); KtByte(&im, 0x00);           /* push 0: Alertable */
    KtSyscall(&im, SERVICE_NtDelayExecution);
    KtByte(&im, 0x83); KtByte(&im, 0xC4); KtByte(&im, 0x10);   /* add esp, 16 */
    KtByte(&im, 0xFF); KtByte(&im, 0x05); KtLong(&im, KT_DATA);  /* inc dword [KT_DATA] */
    KtByte(&im, 0xEB); KtByte(&im, (UCHAR)(loop - (im.Length + 1)));  /* jmp loop */
    KtExpectStopsAndResumes(&im, "dozer");
}
