/*
 * lasterror.c - the thread's last error: TEB->LastErrorValue, as in Windows
 * (GetLastError is a read of fs:[0x18]->LastErrorValue at offset 0x34).
 */
#include "kernel32p.h"

DWORD WINAPI GetLastError(VOID)
{
    return NtCurrentTeb()->LastErrorValue;
}

VOID WINAPI SetLastError(DWORD dwErrCode)
{
    NtCurrentTeb()->LastErrorValue = dwErrCode;
}

ULONG BaseSetLastNTError(NTSTATUS Status)
{
    ULONG Error = RtlNtStatusToDosError(Status);
    SetLastError(Error);
    return Error;
}
