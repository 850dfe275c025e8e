// app_process.c - the current process and thread, exit codes, waits, handles
// and the last error, as kernel32 gives them on Windows.
#include <windows.h>
#include <stdio.h>
#include "apptest.h"

int main(void)
{
    /* The pseudo-handles are -1 and -2 on every Windows. */
    Check(GetCurrentProcess() == (HANDLE)(LONG_PTR)-1, "process_current_process_pseudo_handle",
          "GetCurrentProcess() != -1");
    Check(GetCurrentThread() == (HANDLE)(LONG_PTR)-2, "process_current_thread_pseudo_handle",
          "GetCurrentThread() != -2");

    printf("app/process: pid %lu tid %lu\n", (unsigned long)GetCurrentProcessId(),
           (unsigned long)GetCurrentThreadId());
    Check(GetCurrentProcessId() != 0 && GetCurrentThreadId() != 0 &&
          GetCurrentProcessId() != GetCurrentThreadId(),
          "process_ids_nonzero_and_distinct", "ids from TEB->ClientId");

    /* A running process reports STILL_ACTIVE (NT's ExitStatus STATUS_PENDING). */
    DWORD code = 0;
    BOOL ok = GetExitCodeProcess(GetCurrentProcess(), &code);
    char reason[96];
    snprintf(reason, sizeof(reason), "ok %d code 0x%lx", ok, (unsigned long)code);
    Check(ok && code == STILL_ACTIVE, "process_exit_code_of_self_is_still_active", reason);

    /* Waiting on oneself cannot succeed while one runs: a zero wait times out. */
    DWORD wait = WaitForSingleObject(GetCurrentProcess(), 0);
    snprintf(reason, sizeof(reason), "got 0x%lx", (unsigned long)wait);
    Check(wait == WAIT_TIMEOUT, "process_wait_on_self_times_out", reason);

    /* Windows: CloseHandle on a handle never opened fails with ERROR_INVALID_HANDLE. */
    SetLastError(0);
    ok = CloseHandle((HANDLE)(ULONG_PTR)0x1234);
    DWORD error = GetLastError();
    snprintf(reason, sizeof(reason), "ok %d error %lu", ok, (unsigned long)error);
    Check(!ok && error == ERROR_INVALID_HANDLE, "process_close_bad_handle_sets_invalid_handle",
          reason);

    /* GetExitCodeProcess on a bad handle: FALSE, ERROR_INVALID_HANDLE. */
    SetLastError(0);
    ok = GetExitCodeProcess((HANDLE)(ULONG_PTR)0x1234, &code);
    error = GetLastError();
    snprintf(reason, sizeof(reason), "ok %d error %lu", ok, (unsigned long)error);
    Check(!ok && error == ERROR_INVALID_HANDLE, "process_exit_code_bad_handle_fails", reason);

    /* The last error is per thread and holds any value. */
    SetLastError(0xDEADBEEF);
    Check(GetLastError() == 0xDEADBEEF, "process_last_error_round_trip", "value changed");
    SetLastError(ERROR_SUCCESS);

    Sleep(0);
    Check(1, "process_sleep_zero_returns", "");
    return Failures ? 1 : 0;
}
