/*
 * raise.c - RtlCaptureContext, RtlRaiseException and RtlRaiseStatus: how
 * user mode raises a software exception (NT: ntdll's rtl/i386/raise.asm and
 * context capture).
 *
 * RtlRaiseException captures the caller's registers so that a handler that
 * continues returns to the caller as if RtlRaiseException had returned: Eip =
 * its return address, Esp = the caller's ESP after the stdcall return, Ebp and
 * the callee-saved EBX/ESI/EDI as the caller had them. That can only be done
 * in assembly (a C prologue would already have spent them). It then calls
 * NtRaiseException(Record, &Context, TRUE): the kernel copies both, builds the
 * same frame as for a hardware fault and enters KiUserExceptionDispatcher.
 *
 * The assembly is emitted from inside C functions so that the CONTEXT offsets
 * are the compiler's (offsetof), checked against ntuser.h's layout.
 */
#include <ntdll.h>
#include "ntdllp.h"

#define CTX(field) "i"(offsetof(CONTEXT, field))

/*
 * RtlCaptureContext(PCONTEXT): stdcall, one argument. Everything is stored
 * before it is used as scratch; EAX is restored, EBX popped.
 */
__attribute__((used)) static void RtlpCaptureContextCode(void)
{
    __asm__ volatile(
        ".pushsection .text\n\t"
        ".globl RtlCaptureContext\n\t"
        ".type RtlCaptureContext, @function\n\t"
        ".p2align 4\n"
        "RtlCaptureContext:\n\t"
        "pushl %%ebx\n\t"
        "movl 8(%%esp), %%ebx\n\t"              /* ContextRecord */
        "movl %%eax, %c[eax](%%ebx)\n\t"
        "movl %%ecx, %c[ecx](%%ebx)\n\t"
        "movl %%edx, %c[edx](%%ebx)\n\t"
        "movl (%%esp), %%eax\n\t"               /* the caller's EBX */
        "movl %%eax, %c[ebx](%%ebx)\n\t"
        "movl %%esi, %c[esi](%%ebx)\n\t"
        "movl %%edi, %c[edi](%%ebx)\n\t"
        "movl %%ebp, %c[ebp](%%ebx)\n\t"
        "movl 4(%%esp), %%eax\n\t"              /* return address */
        "movl %%eax, %c[eip](%%ebx)\n\t"
        "leal 12(%%esp), %%eax\n\t"             /* ESP after "ret $4" */
        "movl %%eax, %c[esp](%%ebx)\n\t"
        "pushfl\n\t"
        "popl %c[efl](%%ebx)\n\t"
        "xorl %%eax, %%eax\n\t"
        "movw %%cs, %%ax\n\t"
        "movl %%eax, %c[cs](%%ebx)\n\t"
        "movw %%ss, %%ax\n\t"
        "movl %%eax, %c[ss](%%ebx)\n\t"
        "movw %%ds, %%ax\n\t"
        "movl %%eax, %c[ds](%%ebx)\n\t"
        "movw %%es, %%ax\n\t"
        "movl %%eax, %c[es](%%ebx)\n\t"
        "movw %%fs, %%ax\n\t"
        "movl %%eax, %c[fs](%%ebx)\n\t"
        "movw %%gs, %%ax\n\t"
        "movl %%eax, %c[gs](%%ebx)\n\t"
        "movl %[full], %c[flags](%%ebx)\n\t"
        "movl %c[eax](%%ebx), %%eax\n\t"
        "popl %%ebx\n\t"
        "ret $4\n\t"
        ".size RtlCaptureContext, . - RtlCaptureContext\n\t"
        ".popsection"
        : : [eax] CTX(Eax), [ecx] CTX(Ecx), [edx] CTX(Edx), [ebx] CTX(Ebx),
            [esi] CTX(Esi), [edi] CTX(Edi), [ebp] CTX(Ebp), [eip] CTX(Eip),
            [esp] CTX(Esp), [efl] CTX(EFlags), [cs] CTX(SegCs), [ss] CTX(SegSs),
            [ds] CTX(SegDs), [es] CTX(SegEs), [fs] CTX(SegFs), [gs] CTX(SegGs),
            [flags] CTX(ContextFlags), [full] "i"(CONTEXT_FULL));
}

/*
 * RtlRaiseException(PEXCEPTION_RECORD) sets ExceptionAddress to its return
 * address (as NT does) and goes on into RtlpRaiseException, which leaves
 * ExceptionAddress alone (RaiseException sets it to its own caller). Frame:
 * [EBP] = caller's EBP, [EBP+4] = return address, [EBP+8] = the record.
 */
__attribute__((used)) static void RtlpRaiseExceptionCode(void)
{
    __asm__ volatile(
        ".pushsection .text\n\t"
        ".globl RtlRaiseException\n\t"
        ".type RtlRaiseException, @function\n\t"
        ".p2align 4\n"
        "RtlRaiseException:\n\t"
        "movl 4(%%esp), %%eax\n\t"              /* the record */
        "movl (%%esp), %%edx\n\t"               /* return address */
        "movl %%edx, %c[addr](%%eax)\n\t"
        /* fall through */
        ".globl RtlpRaiseException\n\t"
        ".type RtlpRaiseException, @function\n"
        "RtlpRaiseException:\n\t"
        "pushl %%ebp\n\t"
        "movl %%esp, %%ebp\n\t"
        "subl %[size], %%esp\n\t"
        "andl $-16, %%esp\n\t"
        "pushl %%esp\n\t"                       /* &Context: the value before the push */
        "call RtlCaptureContext\n\t"
        "movl (%%ebp), %%eax\n\t"
        "movl %%eax, %c[ebp](%%esp)\n\t"
        "movl 4(%%ebp), %%eax\n\t"
        "movl %%eax, %c[eip](%%esp)\n\t"
        "leal 12(%%ebp), %%eax\n\t"
        "movl %%eax, %c[esp](%%esp)\n\t"
        "movl %%esp, %%eax\n\t"
        "pushl $1\n\t"                          /* FirstChance */
        "pushl %%eax\n\t"                       /* Context */
        "pushl 8(%%ebp)\n\t"                    /* ExceptionRecord */
        "call NtRaiseException\n\t"
        /* Back here only if a handler continued or the service failed. */
        "testl %%eax, %%eax\n\t"
        "jz 1f\n\t"
        "pushl %%eax\n\t"
        "call RtlpRaiseFailed\n"
        "1:\n\t"
        "movl %%ebp, %%esp\n\t"
        "popl %%ebp\n\t"
        "ret $4\n\t"
        ".size RtlRaiseException, . - RtlRaiseException\n\t"
        ".size RtlpRaiseException, . - RtlpRaiseException\n\t"
        ".popsection"
        : : [addr] "i"(offsetof(EXCEPTION_RECORD, ExceptionAddress)),
            [size] "i"((sizeof(CONTEXT) + 15) & ~15),
            [ebp] CTX(Ebp), [eip] CTX(Eip), [esp] CTX(Esp));
}

/*
 * NtRaiseException returned an error: the kernel refused the record or the
 * context. NT raises the status in turn; with no kernel to take it that would
 * recurse, so the process ends with the status instead.
 */
DECLSPEC_NORETURN void RtlpRaiseFailed(NTSTATUS Status)
{
    NtTerminateProcess(NtCurrentProcess(), Status);
    for (;;)
        NtYieldExecution();
}

DECLSPEC_NORETURN VOID NTAPI RtlRaiseStatus(NTSTATUS Status)
{
    EXCEPTION_RECORD Record = { 0 };
    Record.ExceptionCode = Status;
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    RtlRaiseException(&Record);
    /* A handler cannot continue a noncontinuable exception (the dispatcher
       raises STATUS_NONCONTINUABLE_EXCEPTION instead); never here. */
    RtlpRaiseFailed(STATUS_NONCONTINUABLE_EXCEPTION);
}
