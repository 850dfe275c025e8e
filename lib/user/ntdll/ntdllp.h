/*
 * ntdllp.h - private to the user runtime's ntdll layer (and the kernel32
 * layer above it, which uses it as Windows' kernel32 uses ntdll internals).
 */
#ifndef NTDLLP_H
#define NTDLLP_H

#include <ntdll.h>

/* The fast-fail code Windows ends a process with on a corrupted list. */
#define STATUS_STACK_BUFFER_OVERRUN ((NTSTATUS)0xC0000409L)

/* RtlRaiseException without setting ExceptionAddress (RaiseException's). */
VOID NTAPI RtlpRaiseException(PEXCEPTION_RECORD ExceptionRecord);

/* NtRaiseException or NtContinue failed: ends the process with Status. */
DECLSPEC_NORETURN void RtlpRaiseFailed(NTSTATUS Status);

/* Calls the vectored handlers in order; TRUE if one returned CONTINUE_EXECUTION. */
BOOLEAN RtlpCallVectoredHandlers(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context);

/* The C half of KiUserExceptionDispatcher; never returns. */
DECLSPEC_NORETURN void RtlpUserExceptionDispatch(PEXCEPTION_RECORD ExceptionRecord,
                                                 PCONTEXT Context);

/* Writes Length bytes of Text at once through NtDisplayString (as UTF-16). */
void RtlpDisplayText(const char *Text, SIZE_T Length);

/* The runtime's lock (lock.c): recursive; zero-initialized is unowned. */
typedef struct _RTLP_LOCK {
    volatile LONG Owner;        /* the owner's thread id, or 0 */
    ULONG Recursion;
} RTLP_LOCK, *PRTLP_LOCK;
VOID RtlpAcquireLock(PRTLP_LOCK Lock);
VOID RtlpReleaseLock(PRTLP_LOCK Lock);

#endif /* NTDLLP_H */
