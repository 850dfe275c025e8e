/*
 * ntdll.h - the native API of the user runtime: the system services (one
 * stub per entry of lib/ntsyscalls.h, in lib/user/ntdll/syscall.c), the Rtl
 * exception functions, critical sections, the status-to-Win32-error map and
 * DbgPrint. (The Rtl heap is lib/heap.h, which <windows.h> includes.)
 *
 * Windows programs reach these through winternl.h or the DDK's headers; here
 * they are one header. Everything is NTAPI (stdcall) except DbgPrint.
 */
#ifndef _NTDLL_H
#define _NTDLL_H

#include <windows.h>

/* ---- system services (lib/ntsyscalls.h order; ELF has no @N decoration) ---- */

NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtClose(HANDLE Handle);
NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String);
NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, ULONG ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG ProcessInformationLength,
                                         PULONG ReturnLength);
NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, ULONG ThreadInformationClass,
                                        PVOID ThreadInformation, ULONG ThreadInformationLength,
                                        PULONG ReturnLength);
NTSTATUS NTAPI NtContinue(PCONTEXT ContextRecord, BOOLEAN TestAlert);
NTSTATUS NTAPI NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT ContextRecord,
                                BOOLEAN FirstChance);
NTSTATUS NTAPI NtYieldExecution(VOID);
NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);
NTSTATUS NTAPI NtQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                        ULONG SystemInformationLength, PULONG ReturnLength);

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                   ULONG FreeType);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                      PSIZE_T RegionSize, ULONG NewProtect, PULONG OldProtect);
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass,
                                    PVOID MemoryInformation, SIZE_T MemoryInformationLength,
                                    PSIZE_T ReturnLength);
NTSTATUS NTAPI NtLockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                   ULONG MapType);
NTSTATUS NTAPI NtUnlockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                     PSIZE_T RegionSize, ULONG MapType);
NTSTATUS NTAPI NtCreateThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                              PVOID ObjectAttributes, HANDLE ProcessHandle, PCLIENT_ID ClientId,
                              PCONTEXT ThreadContext, PINITIAL_TEB InitialTeb,
                              BOOLEAN CreateSuspended);
NTSTATUS NTAPI NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSTATUS NTAPI NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);

/* ---- the TEB ----------------------------------------------------------------- */

/* The running thread's TEB: FS's base, read through NT_TIB.Self at fs:[0x18]. */
/* NtCurrentTeb is in <windows.h>, where winnt.h has it on Windows. */

static inline PPEB NtCurrentPeb(void)
{
    return NtCurrentTeb()->ProcessEnvironmentBlock;
}

/* ---- exceptions (lib/user/ntdll/) -------------------------------------------- */

/* Fills Context with the caller's registers as at the call (Eip = return address). */
VOID NTAPI RtlCaptureContext(PCONTEXT ContextRecord);

/*
 * Raises ExceptionRecord as a first-chance exception through the kernel
 * (NtRaiseException with FirstChance TRUE); ExceptionAddress becomes the
 * return address. Returns if a handler continues execution.
 */
VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);

/* Raises Status as a noncontinuable exception; never returns. */
DECLSPEC_NORETURN VOID NTAPI RtlRaiseStatus(NTSTATUS Status);

/*
 * Runs the vectored handlers, then the SEH frames of the TEB's chain.
 * TRUE: a handler asked to continue with (the possibly changed) Context.
 */
BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context);

/* The kernel's entry into user mode for an exception: [ESP] = record, [ESP+4] = context. */
VOID NTAPI KiUserExceptionDispatcher(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context);

PVOID NTAPI RtlAddVectoredExceptionHandler(ULONG FirstHandler,
                                           PVECTORED_EXCEPTION_HANDLER VectoredHandler);
ULONG NTAPI RtlRemoveVectoredExceptionHandler(PVOID Handle);

/* ---- critical sections (lib/user/ntdll/critsect.c) ------------------------------ */

/* Makes CriticalSection free (LockCount -1, no owner); STATUS_SUCCESS. */
NTSTATUS NTAPI RtlInitializeCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

/* Nothing to free (no debug information, no semaphore here); STATUS_SUCCESS. */
NTSTATUS NTAPI RtlDeleteCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

/* Takes CriticalSection, waiting while another thread holds it; recursive for the owner. */
NTSTATUS NTAPI RtlEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

/* Takes CriticalSection if it is free or the caller's already; FALSE otherwise. */
BOOLEAN NTAPI RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

/*
 * Undoes one entry; the last one frees the section. STATUS_SUCCESS; a thread
 * that does not own it gets STATUS_INVALID_PARAMETER and changes nothing
 * (NT does not check, and damages the section).
 */
NTSTATUS NTAPI RtlLeaveCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

/* ---- errors and debug output ---------------------------------------------------- */

/* The Win32 error code Windows reports for Status (ERROR_MR_MID_NOT_FOUND if none). */
ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);

/* Formats like printf and writes the result at once with NtDisplayString. */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));

#endif /* _NTDLL_H */
