/*
 * Processes, threads and system calls, driven by tiny programs assembled
 * here: each test builds a real ELF32 image in memory (a text segment at
 * 0x00400000 with the code, a bss page at 0x00500000) and runs it through
 * the loader, so these tests need nothing of the user runtime.
 */
#include "ntddk.h"
#include "ktest.h"
#include "ps.h"
#include "except.h"
#include "mi.h"
#include "ntsyscalls.h"
#include "ktimage.h"

KTEST(ps, user_process_exits_with_its_status)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtMovEax(&im, 0x1234);
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "exit1234", NULL), 0x1234);
}

KTEST(ps, two_processes_see_their_own_values_at_one_address)
{
    KT_IMAGE a, b;
    PEPROCESS pa, pb;
    for (int i = 0; i < 2; i++) {
        KT_IMAGE *im = i ? &b : &a;
        KtBegin(im);
        KtByte(im, 0xC7); KtByte(im, 0x05); KtLong(im, KT_DATA);   /* mov dword [KT_DATA], v */
        KtLong(im, i ? 0xBBBB : 0xAAAA);
        KtByte(im, 0xB9); KtLong(im, 20);                          /* mov ecx, 20 */
        ULONG loop = im->Length;
        KtByte(im, 0x51);                                          /* push ecx */
        KtSyscall(im, SERVICE_NtYieldExecution);
        KtByte(im, 0x59);                                          /* pop ecx */
        KtByte(im, 0x49);                                          /* dec ecx */
        KtByte(im, 0x75); KtByte(im, (UCHAR)(loop - (im->Length + 1)));  /* jnz loop */
        KtByte(im, 0xA1); KtLong(im, KT_DATA);                     /* mov eax, [KT_DATA] */
        KtExitWithEax(im);
    }
    KT_EQ(KtRun(&a, "valueA", &pa), STATUS_PENDING);
    KT_EQ(KtRun(&b, "valueB", &pb), STATUS_PENDING);
    KT_EQ(KeWaitForObject(&pa->Header, 10 * KE_CLOCK_HZ), STATUS_SUCCESS);
    KT_EQ(KeWaitForObject(&pb->Header, 10 * KE_CLOCK_HZ), STATUS_SUCCESS);
    KT_EQ(pa->ExitStatus, 0xAAAA);
    KT_EQ(pb->ExitStatus, 0xBBBB);
    ObDereferenceObject(&pa->Header);
    ObDereferenceObject(&pb->Header);
}

static NTSTATUS KtRunWrite(ULONG Address)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtByte(&im, 0xC7); KtByte(&im, 0x05); KtLong(&im, Address); KtLong(&im, 1);
    KtMovEax(&im, 0);
    KtExitWithEax(&im);
    return KtRun(&im, "writer", NULL);
}

KTEST(ps, user_write_to_null_ends_with_access_violation)
{
    KT_EQ(KtRunWrite(0), STATUS_ACCESS_VIOLATION);
}

KTEST(ps, user_write_to_kernel_space_ends_with_access_violation)
{
    KT_EQ(KtRunWrite(0x80000000), STATUS_ACCESS_VIOLATION);
    KT_EQ(KtRunWrite((ULONG)__data_start), STATUS_ACCESS_VIOLATION);
}

KTEST(ps, user_write_to_its_own_text_ends_with_access_violation)
{
    KT_EQ(KtRunWrite(0x00400000), STATUS_ACCESS_VIOLATION);
}

KTEST(ps, breakpoint_without_a_handler_ends_with_0x80000003)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtByte(&im, 0xCC);                                  /* int3 */
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "int3", NULL), STATUS_BREAKPOINT);
}

KTEST(ps, bad_argument_pointer_returns_status_not_crash)
{
    /* EDX into kernel space: the service must return, not fault. */
    KT_IMAGE im;
    KtBegin(&im);
    KtByte(&im, 0xBA); KtLong(&im, 0x80000000);        /* mov edx, 0x80000000 */
    KtByte(&im, 0xB8); KtLong(&im, SERVICE_NtClose);
    KtByte(&im, 0xCD); KtByte(&im, 0x2E);
    KtByte(&im, 0x40);                                  /* inc eax: proves it returned */
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "badedx", NULL), STATUS_ACCESS_VIOLATION + 1);
}

KTEST(ps, kernel_pointer_argument_returns_access_violation)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtByte(&im, 0x68); KtLong(&im, (ULONG)__data_start); /* push a kernel address */
    KtSyscall(&im, SERVICE_NtDisplayString);
    KtByte(&im, 0x40);
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "kptr", NULL), STATUS_ACCESS_VIOLATION + 1);
}

KTEST(ps, unknown_service_returns_invalid_system_service)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtByte(&im, 0xB8); KtLong(&im, 999);
    KtByte(&im, 0xCD); KtByte(&im, 0x2E);
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "badsvc", NULL), STATUS_INVALID_SYSTEM_SERVICE);
}

KTEST(ps, fifty_processes_leave_no_page_or_pool_byte)
{
    KT_IMAGE im;
    KtBegin(&im);
    KtMovEax(&im, 7);
    KtExitWithEax(&im);
    KT_EQ(KtRun(&im, "warmup", NULL), 7);       /* system page tables made once */
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    SIZE_T procBytes = ExpPoolTagBytes('corP', NonPagedPool);
    SIZE_T threadBytes = ExpPoolTagBytes('erhT', NonPagedPool);
    for (int round = 0; round < 10; round++) {
        PEPROCESS p[5];
        for (int i = 0; i < 5; i++)
            KT_EQ(KtRun(&im, "many", &p[i]), STATUS_PENDING);
        for (int i = 0; i < 5; i++) {
            KT_EQ(KeWaitForObject(&p[i]->Header, 10 * KE_CLOCK_HZ), STATUS_SUCCESS);
            KT_EQ(p[i]->ExitStatus, 7);
            ObDereferenceObject(&p[i]->Header);
        }
    }
    MmGetPageCounts(&after);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&before));
    KT_EQ(after.SystemPtesInUse, before.SystemPtesInUse);
    KT_EQ(ExpPoolTagBytes('corP', NonPagedPool), procBytes);
    KT_EQ(ExpPoolTagBytes('erhT', NonPagedPool), threadBytes);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

static volatile ULONG KtFlag, KtSpins;

static void KtSpinner(void *Context)
{
    (void)Context;
    while (!KtFlag)
        KtSpins++;      /* never yields: only the clock can take the CPU away */
}

static void KtSetter(void *Context)
{
    (void)Context;
    KtFlag = 1;
}

KTEST(ps, clock_preempts_a_spinning_thread)
{
    KtFlag = 0;
    /* At DISPATCH_LEVEL the clock cannot run them (and the reaper free them)
     * before they are referenced. */
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    PETHREAD a = PsCreateThread(NULL, KtSpinner, NULL);
    PETHREAD b = PsCreateThread(NULL, KtSetter, NULL);
    if (a)
        ObReferenceObject(&a->Header);
    if (b)
        ObReferenceObject(&b->Header);
    KfLowerIrql(old);
    KT_ASSERT(a && b);
    KT_EQ(KeWaitForObject(&a->Header, 5 * KE_CLOCK_HZ), STATUS_SUCCESS);
    KT_EQ(KeWaitForObject(&b->Header, 5 * KE_CLOCK_HZ), STATUS_SUCCESS);
    KT_ASSERT(KtSpins > 0);
    ObDereferenceObject(&a->Header);
    ObDereferenceObject(&b->Header);
}

/* A thread whose quantum ends while nothing else is ready goes on with a
 * new one (NT does the same); it must still lose the processor at the end
 * of that one when a waiter's timeout makes it ready. A quantum left at
 * zero would let it run until it yields: the waiter would hang. */
KTEST(ps, thread_alone_past_its_quantum_is_still_preempted)
{
    KtFlag = 0;
    KtSpins = 0;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    PETHREAD a = PsCreateThread(NULL, KtSpinner, NULL);
    if (a)
        ObReferenceObject(&a->Header);
    KfLowerIrql(old);
    KT_ASSERT(a != NULL);
    DISPATCHER_HEADER never = { 0 };
    InitializeListHead(&never.WaitListHead);
    ULONG start = KeTickCount;
    KeWaitForObject(&never, 4 * KI_QUANTUM_TICKS);     /* the spinner runs alone */
    ULONG late = KeTickCount - start - 4 * KI_QUANTUM_TICKS;
    KtFlag = 1;
    NTSTATUS ended = KeWaitForObject(&a->Header, 5 * KE_CLOCK_HZ);
    ObDereferenceObject(&a->Header);
    KT_ASSERT(KtSpins > 0);
    KT_ASSERT(late <= KI_QUANTUM_TICKS);
    KT_EQ(ended, STATUS_SUCCESS);
}

KTEST(ps, wait_with_timeout_times_out)
{
    DISPATCHER_HEADER never = { KOBJECT_PROCESS, 0, 1, { &never.WaitListHead, &never.WaitListHead } };
    ULONG start = KeTickCount;
    KT_EQ(KeWaitForObject(&never, 5), STATUS_TIMEOUT);
    KT_ASSERT(KeTickCount - start >= 5);
    KT_EQ(KeWaitForObject(&never, 0), STATUS_TIMEOUT);
    KT_ASSERT(IsListEmpty(&never.WaitListHead));
}

/* ProbeForRead/ProbeForWrite as seed 004 describes them. */
static NTSTATUS KtProbe(BOOLEAN Write, ULONG Address, SIZE_T Length, ULONG Alignment)
{
    KTRY t;
    KE_TRY(t) {
        if (Write)
            ProbeForWrite((PVOID)Address, Length, Alignment);
        else
            ProbeForRead((PVOID)Address, Length, Alignment);
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

KTEST(ps, probe_for_read_and_write)
{
    KT_EQ(KtProbe(FALSE, 0x00010000, 16, 4), STATUS_SUCCESS);
    KT_EQ(KtProbe(FALSE, 0x7FFEFFF0, 16, 4), STATUS_SUCCESS);
    KT_EQ(KtProbe(FALSE, 0x7FFEFFF0, 0x20, 4), STATUS_ACCESS_VIOLATION);   /* runs past user space */
    KT_EQ(KtProbe(FALSE, 0x80000000, 4, 4), STATUS_ACCESS_VIOLATION);
    KT_EQ(KtProbe(FALSE, 0xFFFFFFF0, 0x20, 1), STATUS_ACCESS_VIOLATION);   /* wraps */
    KT_EQ(KtProbe(FALSE, 0x00010002, 4, 4), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(KtProbe(FALSE, 0x80000002, 0, 4), STATUS_SUCCESS);   /* zero length: nothing checked */
    KT_EQ(KtProbe(TRUE, 0x80000000, 4, 4), STATUS_ACCESS_VIOLATION);
    KT_EQ(KtProbe(TRUE, 0x00010001, 4, 2), STATUS_DATATYPE_MISALIGNMENT);
    /* Writable user space that is not mapped: the touch faults inside the try. */
    KT_EQ(KtProbe(TRUE, 0x00010000, 4, 4), STATUS_ACCESS_VIOLATION);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(ps, raise_without_a_try_bugchecks_kmode_exception)
{
    KT_EXPECT_BUGCHECK(KMODE_EXCEPTION_NOT_HANDLED, ExRaiseStatus(STATUS_ACCESS_VIOLATION));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)STATUS_ACCESS_VIOLATION);
}

KTEST(ps, balance_set_manager_scans_once_a_second)
{
    /* Held during the kernel tests: let it go for a moment, then hold it again. */
    ULONG before = KiBalanceScans;
    KeHoldBalanceSetManager(FALSE);
    DISPATCHER_HEADER never = { 0 };
    InitializeListHead(&never.WaitListHead);
    KeWaitForObject(&never, 2 * KE_CLOCK_HZ + KE_CLOCK_HZ / 2);
    KeHoldBalanceSetManager(TRUE);
    KT_ASSERT(KiBalanceScans - before >= 2 && KiBalanceScans - before <= 3);
}

/* A kernel thread's 12 KB stack sits in system PTEs above an unmapped guard
 * page: running off it double-faults into STOP 0x7F (8), never a triple
 * fault. The expectation is armed inside the thread that overflows. */
static __attribute__((noinline)) ULONG KtDeep(ULONG Depth)
{
    volatile UCHAR frame[256];
    frame[0] = (UCHAR)Depth;
    if (Depth > 1000000)
        return 0;
    return KtDeep(Depth + 1) + frame[0];
}

static volatile ULONG KtOverflowResult;

static void KtOverflowThread(void *Context)
{
    (void)Context;
    KtOverflowResult = 1;
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, KtDeep(0));
    KtOverflowResult = KtLastBugCheck.Parameter[0] == 8 ? 2 : 3;
}

KTEST(ps, kernel_thread_stack_overflow_is_double_fault_trap_8)
{
    KtOverflowResult = 0;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);    /* referenced before it can run and end */
    PETHREAD t = PsCreateThread(NULL, KtOverflowThread, NULL);
    if (t)
        ObReferenceObject(&t->Header);
    KfLowerIrql(old);
    KT_ASSERT(t != NULL);
    KT_EQ(KeWaitForObject(&t->Header, 5 * KE_CLOCK_HZ), STATUS_SUCCESS);
    ObDereferenceObject(&t->Header);
    KT_EQ(KtOverflowResult, 2);
    KT_EQ(KiReadTr(), KGDT_TSS);
}
