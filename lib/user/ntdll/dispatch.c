/*
 * dispatch.c - the user half of exception dispatch (NT: ntdll's
 * KiUserExceptionDispatcher and RtlDispatchException).
 *
 * For a fault in user mode, or NtRaiseException with FirstChance TRUE, the
 * kernel copies an EXCEPTION_RECORD and a CONTEXT onto the user stack below
 * the interrupted ESP, then two pointers, and resumes user mode at
 * KiUserExceptionDispatcher:
 *
 *     [ESP]   -> EXCEPTION_RECORD          (no return address: nothing to
 *     [ESP+4] -> CONTEXT                    return to, as on NT/x86)
 *
 * RtlDispatchException offers the exception to the vectored handlers, then to
 * the SEH frames on TEB->NtTib.ExceptionList (the runtime's start-up code
 * installs the last one, which applies the unhandled-exception filter). If a
 * handler continues, NtContinue(Context) resumes the thread with the CONTEXT
 * as the handler left it; otherwise NtRaiseException(FirstChance FALSE) hands
 * the exception back to the kernel as unhandled, which ends the process.
 */
#include "ntdllp.h"

/* The kernel's entry point: find the pointers, align the stack, go to C. */
__attribute__((used)) static void KiUserExceptionDispatcherCode(void)
{
    __asm__ volatile(
        ".pushsection .text\n\t"
        ".globl KiUserExceptionDispatcher\n\t"
        ".type KiUserExceptionDispatcher, @function\n\t"
        ".p2align 4\n"
        "KiUserExceptionDispatcher:\n\t"
        "movl (%%esp), %%ecx\n\t"               /* PEXCEPTION_RECORD */
        "movl 4(%%esp), %%edx\n\t"              /* PCONTEXT */
        "xorl %%ebp, %%ebp\n\t"                 /* ends stack traces here */
        "andl $-16, %%esp\n\t"
        "subl $8, %%esp\n\t"
        "pushl %%edx\n\t"
        "pushl %%ecx\n\t"
        "call RtlpUserExceptionDispatch\n\t"
        "ud2\n\t"
        ".size KiUserExceptionDispatcher, . - KiUserExceptionDispatcher\n\t"
        ".popsection" : :);
}

DECLSPEC_NORETURN void RtlpUserExceptionDispatch(PEXCEPTION_RECORD ExceptionRecord,
                                                 PCONTEXT Context)
{
    NTSTATUS Status;
    if (RtlDispatchException(ExceptionRecord, Context))
        Status = NtContinue(Context, FALSE);
    else
        Status = NtRaiseException(ExceptionRecord, Context, FALSE);
    /* Neither returns when it succeeds. */
    RtlpRaiseFailed(Status);
}

/* A handler wants to continue an exception it may not continue: NT raises this. */
static void RtlpRaiseNoncontinuable(PEXCEPTION_RECORD ExceptionRecord)
{
    EXCEPTION_RECORD Nested = { 0 };
    Nested.ExceptionCode = STATUS_NONCONTINUABLE_EXCEPTION;
    Nested.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    Nested.ExceptionRecord = ExceptionRecord;
    RtlRaiseException(&Nested);
}

static BOOLEAN RtlpIsChainEnd(PEXCEPTION_REGISTRATION_RECORD Frame)
{
    /* NT ends the chain with -1; a TEB the kernel left zeroed ends with NULL. */
    return Frame == EXCEPTION_CHAIN_END || Frame == NULL;
}

BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context)
{
    if (RtlpCallVectoredHandlers(ExceptionRecord, Context)) {
        if (ExceptionRecord->ExceptionFlags & EXCEPTION_NONCONTINUABLE)
            RtlpRaiseNoncontinuable(ExceptionRecord);
        return TRUE;
    }

    PEXCEPTION_REGISTRATION_RECORD Frame = NtCurrentTeb()->NtTib.ExceptionList;
    while (!RtlpIsChainEnd(Frame)) {
        /* NT checks each frame lies within the stack and is aligned. */
        if ((ULONG_PTR)Frame & 3)
            break;
        PVOID DispatcherContext = NULL;
        EXCEPTION_DISPOSITION Disposition =
            Frame->Handler(ExceptionRecord, Frame, Context, &DispatcherContext);
        switch (Disposition) {
        case ExceptionContinueExecution:
            if (ExceptionRecord->ExceptionFlags & EXCEPTION_NONCONTINUABLE) {
                RtlpRaiseNoncontinuable(ExceptionRecord);
                break;
            }
            return TRUE;
        case ExceptionContinueSearch:
            break;
        default: {
            /* Nested and collided dispositions need unwinding, which this
               runtime does not do yet; NT raises the same for a bad value. */
            EXCEPTION_RECORD Nested = { 0 };
            Nested.ExceptionCode = STATUS_INVALID_DISPOSITION;
            Nested.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
            Nested.ExceptionRecord = ExceptionRecord;
            RtlRaiseException(&Nested);
            break;
        }
        }
        Frame = Frame->Next;
    }
    return FALSE;
}
