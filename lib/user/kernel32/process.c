/*
 * process.c - the current process and thread, process exit and exit codes,
 * handles (Windows: kernel32's proc.c, thread.c, handle.c).
 *
 * GetCurrentProcess and GetCurrentThread return NT's pseudo-handles (-1 and
 * -2), which every service taking a process or thread handle accepts; the ids
 * come from TEB->ClientId without a system call, as on Windows.
 */
#include "kernel32p.h"

DECLSPEC_NORETURN VOID WINAPI ExitProcess(UINT uExitCode)
{
    CrtpFlushAll();
    NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)uExitCode);
    /* Terminating the current process does not return; if the kernel ever
       did, give the CPU away rather than run on. */
    for (;;)
        NtYieldExecution();
}

HANDLE WINAPI GetCurrentProcess(VOID)
{
    return NtCurrentProcess();
}

HANDLE WINAPI GetCurrentThread(VOID)
{
    return NtCurrentThread();
}

DWORD WINAPI GetCurrentProcessId(VOID)
{
    return (DWORD)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueProcess;
}

DWORD WINAPI GetCurrentThreadId(VOID)
{
    return (DWORD)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueThread;
}

/*
 * The exit status of hProcess, or STILL_ACTIVE (STATUS_PENDING, which the
 * kernel reports as ExitStatus while the process runs). FALSE and the last
 * error on a bad handle.
 */
BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
{
    PROCESS_BASIC_INFORMATION Info;
    NTSTATUS Status = NtQueryInformationProcess(hProcess, ProcessBasicInformation,
                                                &Info, sizeof(Info), NULL);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    *lpExitCode = (DWORD)Info.ExitStatus;
    return TRUE;
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    NTSTATUS Status = NtClose(hObject);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;
}
