/*
 * except.h - kernel try/except (for touching user memory), the probes, and
 * user-mode exception delivery (except.c).
 */
#ifndef EXCEPT_H
#define EXCEPT_H

#include "ki.h"
#include "ntuser.h"

typedef struct _KTRY {
    KJUMP_BUFFER Jump;
    NTSTATUS Status;
    KIRQL Irql;
    struct _KTRY *Previous;
} KTRY;

void KeEnterTry(KTRY *Try);
void KeLeaveTry(KTRY *Try);     /* on the normal way out of the try body */
#define KE_TRY(t) KeEnterTry(&(t)); if (KiSetJump(&(t).Jump) == 0)

/* Raises Status to the innermost KE_TRY; KMODE_EXCEPTION_NOT_HANDLED without one. */
void ExRaiseStatus(NTSTATUS Status) __attribute__((noreturn));
BOOLEAN KiTryActive(void);
BOOLEAN KiSchedulerReadyForTry(void);

/* Raise STATUS_DATATYPE_MISALIGNMENT for a misaligned Address and
 * STATUS_ACCESS_VIOLATION for a range that is not all user space; a zero
 * Length checks nothing (as NT). ProbeForWrite also touches each page. */
void ProbeForRead(const volatile void *Address, SIZE_T Length, ULONG Alignment);
void ProbeForWrite(volatile void *Address, SIZE_T Length, ULONG Alignment);

/* Probe and copy in one, with the status instead of a raise. */
NTSTATUS KeCopyFromUser(void *Destination, const void *UserSource, SIZE_T Length, ULONG Alignment);
NTSTATUS KeCopyToUser(void *UserDestination, const void *Source, SIZE_T Length, ULONG Alignment);

void KeContextFromTrapFrame(const KTRAP_FRAME *Frame, PCONTEXT Context);
void KeContextToTrapFrame(const CONTEXT *Context, PKTRAP_FRAME Frame);
void KiDispatchUserException(PKTRAP_FRAME Frame, const EXCEPTION_RECORD *Record);
void KiUserTrap(PKTRAP_FRAME Frame, ULONG FaultAddress);
struct _EPROCESS;
void PsEndProcessByException(struct _EPROCESS *Process, const EXCEPTION_RECORD *Record);

#endif /* EXCEPT_H */
