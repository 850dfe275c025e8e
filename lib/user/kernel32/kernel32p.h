/*
 * kernel32p.h - private to the user runtime's kernel32 layer.
 */
#ifndef KERNEL32P_H
#define KERNEL32P_H

#include "../ntdll/ntdllp.h"

/*
 * Stores the Win32 error for Status as the thread's last error and returns
 * it: how every kernel32 function reports a failed native call (Windows'
 * BaseSetLastNTError). The Virtual* wrappers will use it too.
 */
ULONG BaseSetLastNTError(NTSTATUS Status);

/* Flushes the C runtime's stdout buffer: ExitProcess calls it (lib/user/crt). */
void CrtpFlushAll(void);

/* The filter of SetUnhandledExceptionFilter, applied by the start-up SEH frame. */
extern LPTOP_LEVEL_EXCEPTION_FILTER BasepCurrentTopLevelFilter;

/* The SEH handler of every thread's outermost frame (crt0.c). */
EXCEPTION_DISPOSITION NTAPI BasepTopLevelHandler(PEXCEPTION_RECORD ExceptionRecord,
                                                 PVOID EstablisherFrame, PCONTEXT ContextRecord,
                                                 PVOID DispatcherContext);

/* The runtime's threads, for TlsFree (tls.c): on the list from start to exit. */
void BasepRegisterThread(PTEB Teb);
void BasepUnregisterThread(PTEB Teb);
NTSTATUS BasepTerminateRegisteredThread(HANDLE Thread, PTEB Teb, NTSTATUS ExitStatus);

#endif /* KERNEL32P_H */
