// NATIVE-ONLY: NtSuspendThread and NtResumeThread themselves (ntdll.h), no Windows build.
// app_suspend_native.c - the native services under SuspendThread and
// ResumeThread, with the exact statuses NT gives: the previous count is
// optional; a bad count pointer fails the call before it changes the count
// (NT probes it first); a handle that is not a thread's is
// STATUS_OBJECT_TYPE_MISMATCH, no handle at all STATUS_INVALID_HANDLE; an
// ended thread STATUS_THREAD_IS_TERMINATING; past MAXIMUM_SUSPEND_COUNT
// STATUS_SUSPEND_COUNT_EXCEEDED, with the count not written.
#include <windows.h>
#include <ntdll.h>
#include <stdio.h>
#include "apptest.h"

static volatile LONG Ran;

static DWORD WINAPI MarkRan(LPVOID Parameter)
{
    Ran = 1;
    return 0;
}

int main(void)
{
    Ran = 0;
    HANDLE h = CreateThread(NULL, 0, MarkRan, NULL, CREATE_SUSPENDED, NULL);
    if (h == NULL) {
        printf("FAIL app/suspend_native/create_thread: error %lu\n", (unsigned long)GetLastError());
        return 1;
    }

    NTSTATUS s1 = NtSuspendThread(h, NULL);
    ULONG previous = 99;
    NTSTATUS s2 = NtResumeThread(h, &previous);
    Check(s1 == STATUS_SUCCESS && s2 == STATUS_SUCCESS && previous == 2,
          "suspend_native/previous_count_is_optional",
          R("suspend 0x%lx resume 0x%lx previous %lu", (unsigned long)s1, (unsigned long)s2,
            (unsigned long)previous));

    ULONG pair[2] = { 0, 0 };
    s1 = NtSuspendThread(h, (PULONG)0x80000000);
    s2 = NtResumeThread(h, (PULONG)((char *)pair + 1));
    NTSTATUS s3 = NtResumeThread(h, (PULONG)0x7FFFFFFC);
    previous = 99;
    NTSTATUS s4 = NtSuspendThread(h, &previous);
    NtResumeThread(h, NULL);
    Check(s1 == STATUS_ACCESS_VIOLATION && s2 == STATUS_DATATYPE_MISALIGNMENT &&
          s3 == STATUS_ACCESS_VIOLATION && s4 == STATUS_SUCCESS && previous == 1 && Ran == 0,
          "suspend_native/bad_count_pointer_changes_nothing",
          R("kernel 0x%lx misaligned 0x%lx unmapped 0x%lx then 0x%lx previous %lu ran %ld",
            (unsigned long)s1, (unsigned long)s2, (unsigned long)s3, (unsigned long)s4,
            (unsigned long)previous, (long)Ran));

    int wrong = 0;
    for (ULONG i = 1; i < MAXIMUM_SUSPEND_COUNT; i++) {
        previous = 0;
        if (NtSuspendThread(h, &previous) != STATUS_SUCCESS || previous != i)
            wrong++;
    }
    previous = 99;
    s1 = NtSuspendThread(h, &previous);
    Check(wrong == 0 && s1 == STATUS_SUSPEND_COUNT_EXCEEDED && previous == 99,
          "suspend_native/past_maximum_is_suspend_count_exceeded",
          R("%d wrong counts, status 0x%lx previous %lu", wrong, (unsigned long)s1,
            (unsigned long)previous));
    do {
        s1 = NtResumeThread(h, &previous);
    } while (s1 == STATUS_SUCCESS && previous > 1);
    WaitForSingleObject(h, INFINITE);
    Check(Ran == 1, "suspend_native/runs_once_resumed_from_maximum", "it never ran");

    s1 = NtSuspendThread(h, &previous);
    s2 = NtResumeThread(h, &previous);
    Check(s1 == STATUS_THREAD_IS_TERMINATING && s2 == STATUS_SUCCESS && previous == 0,
          "suspend_native/ended_thread_is_terminating",
          R("suspend 0x%lx resume 0x%lx previous %lu", (unsigned long)s1, (unsigned long)s2,
            (unsigned long)previous));
    NtClose(h);

    s1 = NtSuspendThread(NtCurrentProcess(), NULL);
    s2 = NtResumeThread(NtCurrentProcess(), NULL);
    s3 = NtSuspendThread(NULL, NULL);
    s4 = NtResumeThread(h, NULL);
    Check(s1 == STATUS_OBJECT_TYPE_MISMATCH && s2 == STATUS_OBJECT_TYPE_MISMATCH &&
          s3 == STATUS_INVALID_HANDLE && s4 == STATUS_INVALID_HANDLE,
          "suspend_native/handle_errors",
          R("process 0x%lx 0x%lx null 0x%lx closed 0x%lx", (unsigned long)s1, (unsigned long)s2,
            (unsigned long)s3, (unsigned long)s4));
    Check(Failures == 0, "app_suspend_native", "some checks failed");
    return 0;
}
