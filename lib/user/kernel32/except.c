/*
 * except.c - the Win32 exception calls (Windows: kernel32's except.c):
 * RaiseException, vectored handlers (ntdll's, forwarded), and the
 * unhandled-exception filter.
 *
 * The filter is applied by the SEH frame the start-up code installs around
 * main (lib/user/crt/crt0.c, BaseProcessStartup), as Windows' BaseProcessStart
 * does with __try/__except(UnhandledExceptionFilter(...)).
 */
#include "kernel32p.h"

LPTOP_LEVEL_EXCEPTION_FILTER BasepCurrentTopLevelFilter;

/*
 * Raises dwExceptionCode with up to EXCEPTION_MAXIMUM_PARAMETERS arguments
 * (more are cut, as Windows does). ExceptionAddress is the caller's return
 * address. Returns if a handler continues the exception.
 */
VOID WINAPI RaiseException(DWORD dwExceptionCode, DWORD dwExceptionFlags,
                           DWORD nNumberOfArguments, const ULONG_PTR *lpArguments)
{
    EXCEPTION_RECORD Record = { 0 };
    Record.ExceptionCode = (NTSTATUS)dwExceptionCode;
    Record.ExceptionFlags = dwExceptionFlags & EXCEPTION_NONCONTINUABLE;
    Record.ExceptionRecord = NULL;
    Record.ExceptionAddress = __builtin_return_address(0);
    if (lpArguments) {
        if (nNumberOfArguments > EXCEPTION_MAXIMUM_PARAMETERS)
            nNumberOfArguments = EXCEPTION_MAXIMUM_PARAMETERS;
        Record.NumberParameters = nNumberOfArguments;
        for (DWORD i = 0; i < nNumberOfArguments; i++)
            Record.ExceptionInformation[i] = lpArguments[i];
    }
    RtlpRaiseException(&Record);
}

PVOID WINAPI AddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler)
{
    return RtlAddVectoredExceptionHandler(First, Handler);
}

ULONG WINAPI RemoveVectoredExceptionHandler(PVOID Handle)
{
    return RtlRemoveVectoredExceptionHandler(Handle);
}

/* Installs the process's top-level filter; returns the previous one. */
LPTOP_LEVEL_EXCEPTION_FILTER WINAPI SetUnhandledExceptionFilter(
    LPTOP_LEVEL_EXCEPTION_FILTER lpTopLevelExceptionFilter)
{
    LPTOP_LEVEL_EXCEPTION_FILTER Previous = BasepCurrentTopLevelFilter;
    BasepCurrentTopLevelFilter = lpTopLevelExceptionFilter;
    return Previous;
}

/*
 * What the top-level frame does with an exception nothing else handled: the
 * filter's answer if one is set, else EXCEPTION_CONTINUE_SEARCH, which makes
 * it unhandled (NtRaiseException second chance: the kernel ends the process
 * and prints the code on serial). Windows would show its crash dialog here.
 */
LONG WINAPI UnhandledExceptionFilter(struct _EXCEPTION_POINTERS *ExceptionInfo)
{
    if (BasepCurrentTopLevelFilter)
        return BasepCurrentTopLevelFilter(ExceptionInfo);
    return EXCEPTION_CONTINUE_SEARCH;
}
