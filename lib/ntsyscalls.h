/*
 * ntsyscalls.h - the system service table, shared by the kernel (which
 * dispatches on it) and the user runtime (whose stubs are generated from
 * it). NT_SERVICE(Name, ArgumentCount): the service number is the position
 * in this list, from 0.
 *
 * The calling convention is NT/x86's int 0x2E: EAX = the service number,
 * EDX = the address of the first argument (the stdcall arguments as the
 * caller pushed them), result (an NTSTATUS) in EAX. EBX, ESI, EDI, EBP and
 * ESP are preserved; ECX and EDX are not. Append new services at the end.
 */
#ifndef NTSYSCALLS_H
#define NTSYSCALLS_H

#define NT_SERVICE_TABLE(NT_SERVICE)                                        \
    NT_SERVICE(NtTerminateProcess, 2)      /* HANDLE, NTSTATUS */            \
    NT_SERVICE(NtTerminateThread, 2)       /* HANDLE, NTSTATUS */            \
    NT_SERVICE(NtClose, 1)                 /* HANDLE */                      \
    NT_SERVICE(NtWaitForSingleObject, 3)   /* HANDLE, BOOLEAN, PLARGE_INTEGER */ \
    NT_SERVICE(NtDisplayString, 1)         /* PUNICODE_STRING */             \
    NT_SERVICE(NtQueryInformationProcess, 5) /* HANDLE, class, PVOID, ULONG, PULONG */ \
    NT_SERVICE(NtQueryInformationThread, 5)  /* HANDLE, class, PVOID, ULONG, PULONG */ \
    NT_SERVICE(NtContinue, 2)              /* PCONTEXT, BOOLEAN */           \
    NT_SERVICE(NtRaiseException, 3)        /* PEXCEPTION_RECORD, PCONTEXT, BOOLEAN */ \
    NT_SERVICE(NtYieldExecution, 0)                                          \
    NT_SERVICE(NtQuerySystemInformation, 4) /* class, PVOID, ULONG, PULONG */ \
    NT_SERVICE(NtDelayExecution, 2)        /* BOOLEAN, PLARGE_INTEGER */      \
    NT_SERVICE(NtAllocateVirtualMemory, 6) /* HANDLE, PVOID *, ZeroBits, PSIZE_T, type, protect */ \
    NT_SERVICE(NtFreeVirtualMemory, 4)     /* HANDLE, PVOID *, PSIZE_T, type */ \
    NT_SERVICE(NtProtectVirtualMemory, 5)  /* HANDLE, PVOID *, PSIZE_T, protect, PULONG */ \
    NT_SERVICE(NtQueryVirtualMemory, 6)    /* HANDLE, PVOID, class, PVOID, SIZE_T, PSIZE_T */ \
    NT_SERVICE(NtLockVirtualMemory, 4)     /* HANDLE, PVOID *, PSIZE_T, MapType */ \
    NT_SERVICE(NtUnlockVirtualMemory, 4)   /* HANDLE, PVOID *, PSIZE_T, MapType */ \
    NT_SERVICE(NtCreateThread, 8)          /* PHANDLE, ACCESS_MASK, attributes, HANDLE, \
                                              PCLIENT_ID, PCONTEXT, PINITIAL_TEB, BOOLEAN */ \
    NT_SERVICE(NtSuspendThread, 2)         /* HANDLE, PULONG PreviousSuspendCount */ \
    NT_SERVICE(NtResumeThread, 2)          /* HANDLE, PULONG PreviousSuspendCount */

enum {
#define NT_SERVICE_NUMBER(Name, Args) SERVICE_##Name,
    NT_SERVICE_TABLE(NT_SERVICE_NUMBER)
#undef NT_SERVICE_NUMBER
    SERVICE_COUNT
};

#endif /* NTSYSCALLS_H */
