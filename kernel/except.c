/*
 * except.c - exceptions: a small try/except for kernel code that touches
 * user memory, ProbeForRead/ProbeForWrite, and delivering user-mode
 * exceptions to the program's dispatcher.
 *
 *   KTRY t;
 *   KE_TRY(t) {
 *       ProbeForWrite(UserBuffer, Length, sizeof(ULONG));
 *       memcpy(UserBuffer, data, Length);      (a fault here lands below)
 *       KeLeaveTry(&t);
 *   } else {
 *       return t.Status;                       (STATUS_ACCESS_VIOLATION ...)
 *   }
 *
 * ExRaiseStatus and a kernel page fault on a user address jump to the
 * innermost KE_TRY of the thread. With none active, the fault is a bugcheck,
 * as in NT.
 *
 * A user-mode exception becomes an EXCEPTION_RECORD and a CONTEXT on the
 * user stack, with [ESP] = &record and [ESP+4] = &context, and the thread
 * resumes at the program's KiUserExceptionDispatcher. The runtime calls
 * NtContinue to go on, or NtRaiseException(..., FALSE) when nothing handled
 * it; that ends the process with the exception code.
 */
#include "ps.h"
#include "except.h"
#include "mm.h"
#include "kstring.h"

void KeEnterTry(KTRY *Try)
{
    Try->Previous = KiCurrentThread->TryList;
    Try->Irql = KeGetCurrentIrql();
    Try->Status = STATUS_SUCCESS;
    KiCurrentThread->TryList = Try;
}

void KeLeaveTry(KTRY *Try)
{
    ASSERT(KiCurrentThread->TryList == Try);
    KiCurrentThread->TryList = Try->Previous;
}

BOOLEAN KiTryActive(void)
{
    return KiSchedulerReadyForTry() && KiCurrentThread->TryList != NULL;
}

void ExRaiseStatus(NTSTATUS Status)
{
    KTRY *t = KiSchedulerReadyForTry() ? KiCurrentThread->TryList : NULL;
    if (t == NULL)
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)Status,
                     (ULONG_PTR)__builtin_return_address(0), 0, 0);
    KiCurrentThread->TryList = t->Previous;
    t->Status = Status;
    KiSetIrqlForRecovery(t->Irql);
    KiLongJump(&t->Jump, 1);
}

void ProbeForRead(const volatile void *Address, SIZE_T Length, ULONG Alignment)
{
    ULONG_PTR a = (ULONG_PTR)Address;
    if (Length == 0)
        return;         /* NT: a zero-length probe checks nothing */
    if (a & (Alignment - 1))
        ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
    if (a + Length < a || a + Length > MM_USER_PROBE_ADDRESS)
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);
}

void ProbeForWrite(volatile void *Address, SIZE_T Length, ULONG Alignment)
{
    ULONG_PTR a = (ULONG_PTR)Address;
    if (Length == 0)
        return;
    if (a & (Alignment - 1))
        ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
    if (a + Length < a || a + Length > MM_USER_PROBE_ADDRESS)
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);
    /* NT touches each page for writing: a read-only page faults here. */
    for (ULONG_PTR p = a; p < a + Length; p = (p | (PAGE_SIZE - 1)) + 1)
        *(volatile UCHAR *)p = *(volatile UCHAR *)p;
    *(volatile UCHAR *)(a + Length - 1) = *(volatile UCHAR *)(a + Length - 1);
}

NTSTATUS KeCopyFromUser(void *Destination, const void *UserSource, SIZE_T Length, ULONG Alignment)
{
    KTRY t;
    KE_TRY(t) {
        ProbeForRead(UserSource, Length, Alignment);
        memcpy(Destination, UserSource, Length);
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

NTSTATUS KeCopyToUser(void *UserDestination, const void *Source, SIZE_T Length, ULONG Alignment)
{
    KTRY t;
    KE_TRY(t) {
        ProbeForWrite(UserDestination, Length, Alignment);
        memcpy(UserDestination, Source, Length);
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

void KeContextFromTrapFrame(const KTRAP_FRAME *f, PCONTEXT c)
{
    memset(c, 0, sizeof(*c));
    c->ContextFlags = CONTEXT_FULL;
    c->SegGs = f->SegGs & 0xFFFF; c->SegFs = f->SegFs & 0xFFFF;
    c->SegEs = f->SegEs & 0xFFFF; c->SegDs = f->SegDs & 0xFFFF;
    c->Edi = f->Edi; c->Esi = f->Esi; c->Ebx = f->Ebx; c->Edx = f->Edx;
    c->Ecx = f->Ecx; c->Eax = f->Eax; c->Ebp = f->Ebp; c->Eip = f->Eip;
    c->SegCs = f->SegCs & 0xFFFF; c->EFlags = f->EFlags;
    c->Esp = f->HardwareEsp; c->SegSs = f->HardwareSegSs & 0xFFFF;
}

/* Takes a user CONTEXT into the trap frame, keeping it in user mode. */
void KeContextToTrapFrame(const CONTEXT *c, PKTRAP_FRAME f)
{
    if (c->ContextFlags & CONTEXT_INTEGER & ~CONTEXT_i386) {
        f->Edi = c->Edi; f->Esi = c->Esi; f->Ebx = c->Ebx;
        f->Edx = c->Edx; f->Ecx = c->Ecx; f->Eax = c->Eax;
    }
    if (c->ContextFlags & CONTEXT_CONTROL & ~CONTEXT_i386) {
        f->Ebp = c->Ebp; f->Eip = c->Eip; f->HardwareEsp = c->Esp;
        /* Only the arithmetic flags and DF: never IOPL, never IF off. */
        f->EFlags = (c->EFlags & 0x00000CD5) | EFLAGS_IF | EFLAGS_RESERVED;
    }
    f->SegCs = KGDT_R3_CODE | RPL_USER;
    f->HardwareSegSs = KGDT_R3_DATA | RPL_USER;
    f->SegDs = f->SegEs = KGDT_R3_DATA | RPL_USER;
    f->SegFs = KGDT_R3_TEB | RPL_USER;
    f->SegGs = 0;
}

void PsEndProcessByException(PEPROCESS Process, const EXCEPTION_RECORD *Record)
{
    DbgPrint("Process %s (%u) ended: unhandled exception 0x%08X at 0x%08X", Process->ImageName,
             (ULONG)Process->UniqueProcessId, (ULONG)Record->ExceptionCode,
             (ULONG)(ULONG_PTR)Record->ExceptionAddress);
    if (Record->ExceptionCode == STATUS_ACCESS_VIOLATION && Record->NumberParameters >= 2)
        DbgPrint(" (%s 0x%08X)", Record->ExceptionInformation[0] ? "writing" : "reading",
                 (ULONG)Record->ExceptionInformation[1]);
    DbgPrint("\n");
    PsTerminateProcess(Process, Record->ExceptionCode);
}

void KiDispatchUserException(PKTRAP_FRAME Frame, const EXCEPTION_RECORD *Record)
{
    PEPROCESS p = PsGetCurrentProcess();
    struct {
        PEXCEPTION_RECORD RecordPointer;
        PCONTEXT ContextPointer;
        EXCEPTION_RECORD Record;
        CONTEXT Context;
    } frame;
    ULONG esp = (Frame->HardwareEsp - sizeof(frame)) & ~3u;
    frame.Record = *Record;
    KeContextFromTrapFrame(Frame, &frame.Context);
    frame.RecordPointer = (PEXCEPTION_RECORD)(esp + offsetof(__typeof__(frame), Record));
    frame.ContextPointer = (PCONTEXT)(esp + offsetof(__typeof__(frame), Context));
    if (p->UserExceptionDispatcher == 0 ||
        !NT_SUCCESS(KeCopyToUser((PVOID)esp, &frame, sizeof(frame), 4))) {
        /* No dispatcher, or no stack to build its frame on: it ends here. */
        PsEndProcessByException(p, Record);
        return;
    }
    Frame->HardwareEsp = esp;
    Frame->Eip = p->UserExceptionDispatcher;
}

/* A CPU exception in user mode: NT's status for it, then the dispatch. */
void KiUserTrap(PKTRAP_FRAME Frame, ULONG FaultAddress)
{
    EXCEPTION_RECORD r;
    memset(&r, 0, sizeof(r));
    r.ExceptionAddress = (PVOID)Frame->Eip;
    switch (Frame->Vector) {
    case 0: r.ExceptionCode = STATUS_INTEGER_DIVIDE_BY_ZERO; break;
    case 1: r.ExceptionCode = STATUS_SINGLE_STEP; break;
    case 3:
        r.ExceptionCode = STATUS_BREAKPOINT;
        r.ExceptionAddress = (PVOID)(Frame->Eip - 1);   /* at the int3, as NT reports it */
        break;
    case 4: r.ExceptionCode = STATUS_INTEGER_OVERFLOW; break;
    case 5: r.ExceptionCode = STATUS_ARRAY_BOUNDS_EXCEEDED; break;
    case 6: r.ExceptionCode = STATUS_ILLEGAL_INSTRUCTION; break;
    case 14:
        r.ExceptionCode = STATUS_ACCESS_VIOLATION;
        r.NumberParameters = 2;
        r.ExceptionInformation[0] = (Frame->ErrCode & PF_WRITE) ? 1 : 0;
        r.ExceptionInformation[1] = FaultAddress;
        break;
    case 13:
        /* A privileged instruction or a bad selector: NT reports the
         * former as such and the rest as an access violation at -1. */
        r.ExceptionCode = STATUS_ACCESS_VIOLATION;
        r.NumberParameters = 2;
        r.ExceptionInformation[1] = 0xFFFFFFFF;
        break;
    default: r.ExceptionCode = STATUS_ILLEGAL_INSTRUCTION; break;
    }
    KiDispatchUserException(Frame, &r);
}
