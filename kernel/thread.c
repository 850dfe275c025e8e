/*
 * thread.c - threads and the scheduler.
 *
 * Every thread has a 12 KB kernel stack in system PTEs with an unmapped
 * page below it, so an overflow double-faults into a report instead of
 * running over its neighbour. Ready threads wait in one FIFO list; the clock
 * takes a tick off the running thread's quantum and, at zero, the end of the
 * interrupt switches to the next ready thread if it interrupted code below
 * DISPATCH_LEVEL (KiPreemptIfDue). The idle thread runs when nothing is
 * ready; it zeroes free pages, then halts.
 *
 * All scheduler state is touched with interrupts off, at DISPATCH_LEVEL:
 * on one processor that is the dispatcher lock. A thread that ends cannot
 * free the stack it runs on: it goes on KiDeadList and the next thread to
 * run reaps it (and, with the last thread of a process, the process).
 */
#include "ps.h"
#include "mi.h"
#include "pool.h"
#include "kstring.h"

PETHREAD KiCurrentThread;
EPROCESS KiSystemProcess;
static ETHREAD KiBootThread;
static PETHREAD KiIdleThread;
static LIST_ENTRY KiReadyList;
LIST_ENTRY KiDeadList, KiTimedWaitList;
static volatile BOOLEAN KiQuantumEnd;
static ULONG KiNextThreadId = 8;
BOOLEAN KiSchedulerRunning;

extern char KiThreadStartupThunk[];
void KiSwapContext(ULONG *OldEsp, ULONG NewEsp);
void KiReapDeadThreads(void);
void KiExpireTimedWaits(void);
void KiSetTebDescriptor(ULONG_PTR Base);

static void KiIdleLoop(void *Context)
{
    (void)Context;
    for (;;) {
        if (MmZeroFreePages(16) == 0)
            __halt();
        KeYieldExecution();
    }
}

void KiInitializeScheduler(void)
{
    InitializeListHead(&KiReadyList);
    InitializeListHead(&KiDeadList);
    InitializeListHead(&KiTimedWaitList);
    PEPROCESS sys = &KiSystemProcess;
    sys->Header.Type = KOBJECT_PROCESS;
    sys->Header.ReferenceCount = 1;
    InitializeListHead(&sys->Header.WaitListHead);
    InitializeListHead(&sys->ThreadListHead);
    sys->DirectoryTableBase = __readcr3() >> PAGE_SHIFT;
    sys->UniqueProcessId = 4;               /* NT's System process */
    strcpy(sys->ImageName, "System");

    PETHREAD boot = &KiBootThread;
    boot->Header.Type = KOBJECT_THREAD;
    boot->Header.ReferenceCount = 1;
    InitializeListHead(&boot->Header.WaitListHead);
    boot->StackBase = (ULONG_PTR)KiBootStackTop;
    boot->StackLimit = (ULONG_PTR)KiBootStackGuard + PAGE_SIZE;
    boot->State = Running;
    boot->Process = sys;
    boot->Quantum = KI_QUANTUM_TICKS;
    boot->Cid.UniqueProcess = (HANDLE)sys->UniqueProcessId;
    boot->Cid.UniqueThread = (HANDLE)KiNextThreadId;
    KiNextThreadId += 4;
    InsertTailList(&sys->ThreadListHead, &boot->ThreadListEntry);
    sys->ActiveThreads = 1;
    KiCurrentThread = boot;

    KiIdleThread = PsCreateThread(NULL, KiIdleLoop, NULL);
    ASSERT(KiIdleThread != NULL);
    /* The idle thread is chosen when the ready list is empty, never queued. */
    RemoveEntryList(&KiIdleThread->ReadyEntry);
    KiIdleThread->State = Ready;
    KiSchedulerRunning = TRUE;
}

PETHREAD PsCreateThread(PEPROCESS Process, void (*Start)(void *), void *Context)
{
    if (Process == NULL)
        Process = &KiSystemProcess;
    PETHREAD t = ExAllocatePoolWithTag(NonPagedPool, sizeof(ETHREAD), 'erhT');
    if (t == NULL)
        return NULL;
    memset(t, 0, sizeof(*t));
    PMMPTE ptes = MiReserveSystemPtes(KI_KERNEL_STACK_PAGES + 1, SystemPteSpace);
    if (ptes == NULL) {
        ExFreePoolWithTag(t, 'erhT');
        return NULL;
    }
    ULONG_PTR guard = (ULONG_PTR)MiGetVirtualAddressMappedByPte(ptes);
    for (ULONG i = 1; i <= KI_KERNEL_STACK_PAGES; i++) {
        PFN_NUMBER page = MiRemoveAnyPage();
        if (page == MM_EMPTY_LIST) {
            for (ULONG j = 1; j < i; j++)
                MiFreePage(ptes[j].u >> PAGE_SHIFT);
            MiReleaseSystemPtes(ptes, KI_KERNEL_STACK_PAGES + 1, SystemPteSpace);
            ExFreePoolWithTag(t, 'erhT');
            return NULL;
        }
        MiMapSystemPage(guard + i * PAGE_SIZE, page, MI_SYSTEM_PTE_BITS);
    }
    t->StackPtes = ptes;
    t->StackLimit = guard + PAGE_SIZE;
    t->StackBase = guard + (KI_KERNEL_STACK_PAGES + 1) * PAGE_SIZE;
    t->Header.Type = KOBJECT_THREAD;
    t->Header.ReferenceCount = 1;           /* held while it runs; dropped by the reaper */
    InitializeListHead(&t->Header.WaitListHead);
    t->Process = Process;
    t->StartRoutine = Start;
    t->StartContext = Context;
    t->Quantum = KI_QUANTUM_TICKS;

    /* The frame KiSwapContext pops: EFLAGS (interrupts off), EDI, ESI, EBX,
     * EBP, then the return address. */
    ULONG *sp = (ULONG *)t->StackBase;
    *--sp = 0;                              /* alignment, and a zero return for the walk */
    *--sp = (ULONG)KiThreadStartupThunk;
    *--sp = 0;                              /* EBP */
    *--sp = 0;                              /* EBX */
    *--sp = 0;                              /* ESI */
    *--sp = 0;                              /* EDI */
    *--sp = EFLAGS_RESERVED;
    t->KernelEsp = (ULONG)sp;

    ULONG flags = __readeflags();
    _disable();
    t->Cid.UniqueProcess = (HANDLE)Process->UniqueProcessId;
    t->Cid.UniqueThread = (HANDLE)KiNextThreadId;
    KiNextThreadId += 4;
    InsertTailList(&Process->ThreadListHead, &t->ThreadListEntry);
    Process->ActiveThreads++;
    ObReferenceObject(&Process->Header);
    t->State = Ready;
    InsertTailList(&KiReadyList, &t->ReadyEntry);
    __writeeflags(flags);
    return t;
}

BOOLEAN KiSchedulerReadyForTry(void)
{
    return KiCurrentThread != NULL;
}

void KiReadyThread(PETHREAD Thread)
{
    Thread->State = Ready;
    InsertTailList(&KiReadyList, &Thread->ReadyEntry);
}

/* Switches to the next ready thread (or idle). Interrupts off, DISPATCH_LEVEL.
 * Returns when this thread runs again. */
void KiSwapThread(void)
{
    PETHREAD old = KiCurrentThread, next;
    if (!IsListEmpty(&KiReadyList))
        next = CONTAINING_RECORD(RemoveHeadList(&KiReadyList), ETHREAD, ReadyEntry);
    else if (old->State == Running)
        return;                             /* nothing else to run: keep going */
    else
        next = KiIdleThread;
    next->State = Running;
    next->Quantum = KI_QUANTUM_TICKS;
    if (next == old)
        return;
    KiCurrentThread = next;
    KiTss.Esp0 = next->StackBase;
    KiSetTebDescriptor((ULONG_PTR)next->Teb);
    PEPROCESS space = next->AttachedProcess ? next->AttachedProcess : next->Process;
    if ((__readcr3() >> PAGE_SHIFT) != space->DirectoryTableBase) {
        /* Both kernel stacks must be mapped in the new space (mm.h). */
        MmSynchronizeSystemPdes(space->DirectoryTableBase, &space->SystemPdeGeneration);
        __writecr3(space->DirectoryTableBase << PAGE_SHIFT);
    }
    KiSwapContext(&old->KernelEsp, next->KernelEsp);
    KiReapDeadThreads();
}

void KiThreadStartup(void)
{
    /* Arrived from KiSwapContext: DISPATCH_LEVEL, interrupts off. */
    KiReapDeadThreads();
    PETHREAD t = KiCurrentThread;
    KfLowerIrql(PASSIVE_LEVEL);
    _enable();
    t->StartRoutine(t->StartContext);
    PsTerminateCurrentThread(STATUS_SUCCESS);
}

void KeYieldExecution(void)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG flags = __readeflags();
    _disable();
    if (!IsListEmpty(&KiReadyList) && KiCurrentThread != KiIdleThread) {
        KiReadyThread(KiCurrentThread);
        KiSwapThread();
    } else if (KiCurrentThread == KiIdleThread && !IsListEmpty(&KiReadyList)) {
        KiCurrentThread->State = Ready;
        KiSwapThread();
    }
    __writeeflags(flags);
    KfLowerIrql(old);
}

void KiClockTick(void)
{
    if (!KiSchedulerRunning)
        return;
    if (KiCurrentThread->Quantum && --KiCurrentThread->Quantum == 0)
        KiQuantumEnd = TRUE;
    KiExpireTimedWaits();
}

void KiPreemptIfDue(void)
{
    if (!KiQuantumEnd || KiCurrentIrql >= DISPATCH_LEVEL)
        return;
    KiQuantumEnd = FALSE;
    if (IsListEmpty(&KiReadyList) && KiCurrentThread != KiIdleThread) {
        /* Alone: it goes on with a new quantum, as on NT. Left at zero, the
         * clock would never end its turn again once another thread is ready. */
        KiCurrentThread->Quantum = KI_QUANTUM_TICKS;
        return;
    }
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    if (KiCurrentThread != KiIdleThread)
        KiReadyThread(KiCurrentThread);
    else
        KiCurrentThread->State = Ready;
    KiSwapThread();
    KfLowerIrql(old);
}
