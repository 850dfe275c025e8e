// app_suspend.c - SuspendThread, ResumeThread and CREATE_SUSPENDED, as
// Windows documents them: a thread created suspended runs nothing until
// ResumeThread takes its count to zero; both calls return the previous count
// (0 for a thread that was not suspended); MAXIMUM_SUSPEND_COUNT (127) is the
// limit and the next SuspendThread fails with ERROR_SIGNAL_REFUSED; a
// suspended thread runs no code of its own, whether it was running, asleep in
// a wait, or suspended itself; waiting on one times out; TerminateThread ends
// one; an ended thread cannot be suspended (ERROR_ACCESS_DENIED); a handle
// that names no thread is ERROR_INVALID_HANDLE. The runner's page, PTE and
// pool check after the program covers the threads ended while suspended,
// and the one left suspended when the process exits.
#include <windows.h>
#include <stdio.h>
#include "apptest.h"

static volatile LONG Ran, Stop, Counter, Phase;
static volatile DWORD SelfPrevious;
static volatile ULONG_PTR StackAddress;   /* an address on Spin's stack */

static DWORD WINAPI MarkRan(LPVOID Parameter)
{
    Ran = 1;
    return 7;
}

/* Runs user code without ever entering the kernel of its own accord: only
 * the clock takes the processor from it. */
static DWORD WINAPI Spin(LPVOID Parameter)
{
    volatile char local = 0;
    StackAddress = (ULONG_PTR)&local;
    while (!Stop)
        Counter++;
    return 0;
}

/* Spends nearly all its time inside a wait (NtDelayExecution). */
static DWORD WINAPI Doze(LPVOID Parameter)
{
    while (!Stop) {
        Counter++;
        Sleep(5);
    }
    return 0;
}

static DWORD WINAPI SuspendSelf(LPVOID Parameter)
{
    Phase = 1;
    SelfPrevious = SuspendThread(GetCurrentThread());
    Phase = 2;
    return 0;
}

static HANDLE Start(LPTHREAD_START_ROUTINE Routine, DWORD Flags)
{
    Stop = 0;
    Counter = 0;
    HANDLE h = CreateThread(NULL, 0, Routine, NULL, Flags, NULL);
    if (h == NULL)
        printf("FAIL app/suspend/create_thread: error %lu\n", (unsigned long)GetLastError());
    return h;
}

static void Finish(HANDLE h)
{
    Stop = 1;
    WaitForSingleObject(h, INFINITE);
    CloseHandle(h);
}

/* CREATE_SUSPENDED: the start routine does not run, the thread is still
 * active and waiting on it times out, until ResumeThread (which returns 1). */
static void TestCreateSuspended(void)
{
    Ran = 0;
    HANDLE h = Start(MarkRan, CREATE_SUSPENDED);
    if (h == NULL)
        return;
    Sleep(50);
    DWORD code = 0;
    GetExitCodeThread(h, &code);
    Check(Ran == 0 && code == STILL_ACTIVE, "suspend/created_suspended_does_not_run",
          R("ran %ld code 0x%lx", (long)Ran, (unsigned long)code));
    Check(WaitForSingleObject(h, 30) == WAIT_TIMEOUT, "suspend/wait_on_suspended_thread_times_out",
          "the wait did not time out");
    DWORD previous = ResumeThread(h);
    DWORD w = WaitForSingleObject(h, 1000);
    GetExitCodeThread(h, &code);
    Check(previous == 1 && w == WAIT_OBJECT_0 && Ran == 1 && code == 7,
          "suspend/resume_starts_created_suspended_thread",
          R("resume %lu wait %lu ran %ld code %lu", (unsigned long)previous, (unsigned long)w,
            (long)Ran, (unsigned long)code));
    CloseHandle(h);
}

/* Nested counts: each call returns the count before it. A running thread
 * frozen by the first SuspendThread runs again only after the last
 * ResumeThread. */
static void TestNestedCounts(void)
{
    HANDLE h = Start(Spin, 0);
    if (h == NULL)
        return;
    Sleep(20);
    DWORD r0 = ResumeThread(h);
    Check(r0 == 0 && Counter > 0, "suspend/resume_running_thread_returns_0",
          R("resume %lu counter %ld", (unsigned long)r0, (long)Counter));
    DWORD s[3], r[3];
    for (int i = 0; i < 3; i++)
        s[i] = SuspendThread(h);
    LONG frozen = Counter;
    Sleep(50);
    LONG later = Counter;
    for (int i = 0; i < 3; i++)
        r[i] = ResumeThread(h);
    Check(s[0] == 0 && s[1] == 1 && s[2] == 2 && r[0] == 3 && r[1] == 2 && r[2] == 1,
          "suspend/nested_previous_counts",
          R("suspend %lu %lu %lu resume %lu %lu %lu", (unsigned long)s[0], (unsigned long)s[1],
            (unsigned long)s[2], (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2]));
    Check(later == frozen, "suspend/suspended_thread_runs_no_user_code",
          R("counter went from %ld to %ld", (long)frozen, (long)later));
    Sleep(20);
    Check(Counter != later, "suspend/runs_again_after_last_resume", "the counter stood still");
    Finish(h);
}

/* 127 suspensions succeed (previous counts 0..126); the 128th fails and
 * changes nothing, so the next ResumeThread returns 127. */
static void TestLimit(void)
{
    HANDLE h = Start(Spin, 0);
    if (h == NULL)
        return;
    Sleep(10);
    int wrong = -1;
    for (int i = 0; i < MAXIMUM_SUSPEND_COUNT; i++)
        if (SuspendThread(h) != (DWORD)i && wrong < 0)
            wrong = i;
    SetLastError(0);
    DWORD over = SuspendThread(h);
    DWORD error = GetLastError();
    DWORD top = ResumeThread(h);
    Check(wrong < 0 && MAXIMUM_SUSPEND_COUNT == 127, "suspend/counts_up_to_maximum",
          R("suspension %d returned the wrong count", wrong));
    Check(over == (DWORD)-1 && error == ERROR_SIGNAL_REFUSED && top == MAXIMUM_SUSPEND_COUNT,
          "suspend/past_maximum_fails_signal_refused",
          R("returned 0x%lx error %lu, then resume %lu", (unsigned long)over,
            (unsigned long)error, (unsigned long)top));
    while (ResumeThread(h) > 1)
        ;
    LONG before = Counter;
    Sleep(20);
    Check(Counter != before, "suspend/runs_after_resuming_from_maximum", "the counter stood still");
    Finish(h);
}

/* A thread in a wait (Sleep) when it is suspended: the wait ends while it is
 * suspended, and it does not go back to its own code. */
static void TestSuspendedInWait(void)
{
    HANDLE h = Start(Doze, 0);
    if (h == NULL)
        return;
    Sleep(30);
    DWORD s = SuspendThread(h);
    LONG frozen = Counter;
    Sleep(60);                      /* several of its 5 ms sleeps would have ended */
    LONG later = Counter;
    DWORD w = WaitForSingleObject(h, 20);
    DWORD r = ResumeThread(h);
    Sleep(30);
    Check(s == 0 && later == frozen && w == WAIT_TIMEOUT && r == 1 && Counter != later,
          "suspend/thread_in_a_wait_stays_suspended",
          R("suspend %lu counter %ld then %ld wait %lu resume %lu counter %ld", (unsigned long)s,
            (long)frozen, (long)later, (unsigned long)w, (unsigned long)r, (long)Counter));
    Finish(h);
}

/* A thread that suspends itself stops inside SuspendThread (which returns
 * 0 to it once resumed); another thread sees the count 1 and resumes it. */
static void TestSelfSuspend(void)
{
    Phase = 0;
    SelfPrevious = 12345;
    HANDLE h = Start(SuspendSelf, 0);
    if (h == NULL)
        return;
    /* Suspending and resuming it at once tells whether it has stopped yet
     * (previous count 1) without disturbing it. */
    DWORD seen = 0;
    for (int i = 0; i < 200 && seen != 1; i++) {
        Sleep(1);
        seen = SuspendThread(h);
        ResumeThread(h);
    }
    Sleep(30);
    LONG phase = Phase;
    DWORD r = ResumeThread(h);
    DWORD w = WaitForSingleObject(h, 1000);
    Check(seen == 1 && phase == 1, "suspend/self_suspend_stops_at_once",
          R("count %lu phase %ld", (unsigned long)seen, (long)phase));
    Check(r == 1 && w == WAIT_OBJECT_0 && Phase == 2 && SelfPrevious == 0,
          "suspend/self_suspended_thread_resumed_by_another",
          R("resume %lu wait %lu phase %ld its SuspendThread %lu", (unsigned long)r,
            (unsigned long)w, (long)Phase, (unsigned long)SelfPrevious));
    CloseHandle(h);
}

/* TerminateThread of a suspended thread: it ends with the code given, never
 * having run (created suspended) or without running again (its stack is
 * released, as for any thread CreateThread made); its count is then 0. */
static void TestTerminateSuspended(void)
{
    Ran = 0;
    HANDLE h = Start(MarkRan, CREATE_SUSPENDED);
    if (h == NULL)
        return;
    BOOL t = TerminateThread(h, 55);
    DWORD w = WaitForSingleObject(h, 1000), code = 0;
    GetExitCodeThread(h, &code);
    DWORD r = ResumeThread(h);
    Check(t && w == WAIT_OBJECT_0 && code == 55 && Ran == 0 && r == 0,
          "suspend/terminate_created_suspended_thread",
          R("terminate %d wait %lu code %lu ran %ld resume %lu", t, (unsigned long)w,
            (unsigned long)code, (long)Ran, (unsigned long)r));
    CloseHandle(h);

    StackAddress = 0;
    h = Start(Spin, 0);
    if (h == NULL)
        return;
    while (StackAddress == 0)
        Sleep(1);
    SuspendThread(h);
    SuspendThread(h);
    t = TerminateThread(h, 56);
    w = WaitForSingleObject(h, 1000);
    GetExitCodeThread(h, &code);
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery((LPCVOID)StackAddress, &mbi, sizeof(mbi));
    Check(t && w == WAIT_OBJECT_0 && code == 56 && mbi.State == MEM_FREE,
          "suspend/terminate_suspended_running_thread",
          R("terminate %d wait %lu code %lu stack state 0x%lx", t, (unsigned long)w,
            (unsigned long)code, (unsigned long)mbi.State));
    CloseHandle(h);
}

/* A thread that has ended cannot be suspended (Windows: ERROR_ACCESS_DENIED);
 * resuming it is harmless and returns 0. */
static void TestEndedThread(void)
{
    HANDLE h = Start(MarkRan, 0);
    if (h == NULL)
        return;
    WaitForSingleObject(h, INFINITE);
    SetLastError(0);
    DWORD s = SuspendThread(h);
    DWORD error = GetLastError();
    DWORD r = ResumeThread(h);
    Check(s == (DWORD)-1 && error == ERROR_ACCESS_DENIED && r == 0,
          "suspend/ended_thread_access_denied",
          R("suspend 0x%lx error %lu resume %lu", (unsigned long)s, (unsigned long)error,
            (unsigned long)r));
    CloseHandle(h);
}

static void CheckInvalid(HANDLE h, const char *name)
{
    SetLastError(0);
    DWORD s = SuspendThread(h);
    DWORD es = GetLastError();
    SetLastError(0);
    DWORD r = ResumeThread(h);
    DWORD er = GetLastError();
    Check(s == (DWORD)-1 && es == ERROR_INVALID_HANDLE && r == (DWORD)-1 &&
          er == ERROR_INVALID_HANDLE, name,
          R("suspend 0x%lx error %lu resume 0x%lx error %lu", (unsigned long)s,
            (unsigned long)es, (unsigned long)r, (unsigned long)er));
}

static void TestBadHandles(void)
{
    CheckInvalid(NULL, "suspend/null_handle_invalid");
    CheckInvalid((HANDLE)(ULONG_PTR)0x12345670, "suspend/unused_handle_invalid");
    CheckInvalid(GetCurrentProcess(), "suspend/process_handle_invalid");
    HANDLE h = Start(MarkRan, 0);
    if (h == NULL)
        return;
    WaitForSingleObject(h, INFINITE);
    CloseHandle(h);
    CheckInvalid(h, "suspend/closed_handle_invalid");
}

int main(void)
{
    TestCreateSuspended();
    TestNestedCounts();
    TestLimit();
    TestSuspendedInWait();
    TestSelfSuspend();
    TestTerminateSuspended();
    TestEndedThread();
    TestBadHandles();
    Check(Failures == 0, "app_suspend", "some checks failed");
    /* Left suspended on purpose: the end of the process ends it, and the
     * runner checks that nothing of it stays behind. */
    Start(MarkRan, CREATE_SUSPENDED);
    return 0;
}
