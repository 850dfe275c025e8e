/*
 * synch.c - waiting and sleeping (Windows: kernel32's synch.c).
 *
 * Milliseconds become NT's relative timeouts: a negative count of 100 ns
 * units; INFINITE is a NULL timeout.
 */
#include "kernel32p.h"

static PLARGE_INTEGER BasepFormatTimeOut(PLARGE_INTEGER Timeout, DWORD Milliseconds)
{
    if (Milliseconds == INFINITE)
        return NULL;
    Timeout->QuadPart = -(LONGLONG)Milliseconds * 10000;
    return Timeout;
}

/*
 * WAIT_OBJECT_0 when hHandle is signalled, WAIT_TIMEOUT when the time ran
 * out (the NT status passes through, as in Windows), WAIT_FAILED and the last
 * error when the wait could not be done.
 */
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    LARGE_INTEGER Time;
    NTSTATUS Status = NtWaitForSingleObject(hHandle, FALSE,
                                            BasepFormatTimeOut(&Time, dwMilliseconds));
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return WAIT_FAILED;
    }
    return (DWORD)Status;
}

/*
 * Sleep(0) gives up the rest of the quantum (NtYieldExecution); a longer
 * sleep is NtDelayExecution with a relative interval.
 */
VOID WINAPI Sleep(DWORD dwMilliseconds)
{
    if (dwMilliseconds == 0) {
        NtYieldExecution();
        return;
    }
    LARGE_INTEGER Time;
    if (dwMilliseconds == INFINITE) {
        for (;;)
            NtWaitForSingleObject(NtCurrentThread(), FALSE, NULL);
    }
    NtDelayExecution(FALSE, BasepFormatTimeOut(&Time, dwMilliseconds));
}
