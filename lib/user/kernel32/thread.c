/*
 * thread.c - CreateThread, ExitThread, TerminateThread, GetExitCodeThread,
 * SuspendThread, ResumeThread (Windows: kernel32's thread.c and support.c's
 * BaseCreateStack).
 *
 * kernel32 makes the new thread's stack in user mode and hands the kernel a
 * CONTEXT and an INITIAL_TEB; the kernel makes the TEB (kernel/psthread.c).
 * The thread starts in BaseThreadStartThunk with EAX = the start address
 * and EBX = its parameter, as NT/x86 starts it, and ends through ExitThread
 * with the start routine's result.
 *
 * The stack, as BaseCreateStack lays it out (addresses grow upward):
 *
 *   AllocatedStackBase  the bottom page: reserved, never committed
 *                       reserved pages
 *                       one PAGE_READWRITE | PAGE_GUARD page
 *   StackLimit          the committed pages, PAGE_READWRITE
 *   StackBase           the top of the reservation
 *
 * ExitThread sets the TEB's FreeStackOnTermination, and the kernel releases
 * the reservation as the thread leaves, as NT does for CreateThread's stacks.
 */
#include "kernel32p.h"
#include "kstring.h"

#define BASEP_PAGE_SIZE 0x1000u

#define BASEP_DEFAULT_STACK_RESERVE 0x00100000u   /* 1 MB, a PE image's usual */
#define BASEP_DEFAULT_STACK_COMMIT  BASEP_PAGE_SIZE
#define BASEP_ALLOCATION_GRANULARITY 0x00010000u
#define BASEP_ROUND_UP(x, a) (((x) + (a) - 1) & ~((SIZE_T)(a) - 1))

/*
 * Reserves MaximumStackSize (0: the default 1 MB; rounded to 64 KB) and
 * commits StackSize at its top (0: one page; rounded to pages) plus a guard
 * page below; the lowest page stays reserved. A commit at least as large as
 * the reservation grows the reservation to the next megabyte, as Windows
 * does. Fills InitialTeb.
 */
NTSTATUS BaseCreateStack(HANDLE Process, SIZE_T StackSize, SIZE_T MaximumStackSize,
                         PINITIAL_TEB InitialTeb)
{
    if (MaximumStackSize == 0)
        MaximumStackSize = BASEP_DEFAULT_STACK_RESERVE;
    if (StackSize == 0)
        StackSize = BASEP_DEFAULT_STACK_COMMIT;
    else if (StackSize >= MaximumStackSize)
        MaximumStackSize = BASEP_ROUND_UP(StackSize, 0x00100000u);
    StackSize = BASEP_ROUND_UP(StackSize, BASEP_PAGE_SIZE);
    MaximumStackSize = BASEP_ROUND_UP(MaximumStackSize, BASEP_ALLOCATION_GRANULARITY);
    if (StackSize > MaximumStackSize - 2 * BASEP_PAGE_SIZE)
        StackSize = MaximumStackSize - 2 * BASEP_PAGE_SIZE;   /* the guard and the bottom page */

    PVOID Stack = NULL;
    SIZE_T Size = MaximumStackSize;
    NTSTATUS Status = NtAllocateVirtualMemory(Process, &Stack, 0, &Size, MEM_RESERVE,
                                              PAGE_READWRITE);
    if (!NT_SUCCESS(Status))
        return Status;
    ULONG_PTR Top = (ULONG_PTR)Stack + MaximumStackSize;
    PVOID Commit = (PVOID)(Top - StackSize);
    Size = StackSize;
    Status = NtAllocateVirtualMemory(Process, &Commit, 0, &Size, MEM_COMMIT, PAGE_READWRITE);
    if (NT_SUCCESS(Status)) {
        PVOID Guard = (PVOID)(Top - StackSize - BASEP_PAGE_SIZE);
        Size = BASEP_PAGE_SIZE;
        Status = NtAllocateVirtualMemory(Process, &Guard, 0, &Size, MEM_COMMIT,
                                         PAGE_READWRITE | PAGE_GUARD);
    }
    if (!NT_SUCCESS(Status)) {
        Size = 0;
        NtFreeVirtualMemory(Process, &Stack, &Size, MEM_RELEASE);
        return Status;
    }
    InitialTeb->OldStackBase = InitialTeb->OldStackLimit = NULL;
    InitialTeb->StackBase = (PVOID)Top;
    InitialTeb->StackLimit = (PVOID)(Top - StackSize);
    InitialTeb->AllocatedStackBase = Stack;
    return STATUS_SUCCESS;
}

/* Where a new thread starts: EAX = lpStartAddress, EBX = lpParameter. */
__asm__(".pushsection .text\n\t"
        ".globl BaseThreadStartThunk\n\t"
        ".type BaseThreadStartThunk, @function\n"
        "BaseThreadStartThunk:\n\t"
        "xorl %ebp, %ebp\n\t"           /* the end of the thread's stack trace */
        "pushl %ebx\n\t"
        "pushl %eax\n\t"
        "pushl $0\n\t"                  /* no return address */
        "jmp BaseThreadStart\n\t"
        ".size BaseThreadStartThunk, . - BaseThreadStartThunk\n\t"
        ".popsection");
void BaseThreadStartThunk(void);

DECLSPEC_NORETURN VOID WINAPI BaseThreadStart(LPTHREAD_START_ROUTINE lpStartAddress,
                                              LPVOID lpParameter)
{
    PTEB Teb = NtCurrentTeb();
    EXCEPTION_REGISTRATION_RECORD Frame;
    /* The same top-level frame as the first thread's (crt0.c). */
    Frame.Next = EXCEPTION_CHAIN_END;
    Frame.Handler = BasepTopLevelHandler;
    Teb->NtTib.ExceptionList = &Frame;
    BasepRegisterThread(Teb);
    ExitThread(lpStartAddress(lpParameter));
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId)
{
    INITIAL_TEB InitialTeb;
    NTSTATUS Status;
    if (dwCreationFlags & STACK_SIZE_PARAM_IS_A_RESERVATION)
        Status = BaseCreateStack(NtCurrentProcess(), 0, dwStackSize, &InitialTeb);
    else
        Status = BaseCreateStack(NtCurrentProcess(), dwStackSize, 0, &InitialTeb);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return NULL;
    }
    CONTEXT Context;
    memset(&Context, 0, sizeof(Context));
    Context.ContextFlags = CONTEXT_FULL;
    Context.Eip = (ULONG)(ULONG_PTR)BaseThreadStartThunk;
    Context.Eax = (ULONG)(ULONG_PTR)lpStartAddress;
    Context.Ebx = (ULONG)(ULONG_PTR)lpParameter;
    /* After the thunk's three pushes the start routine's frame is 16-byte aligned. */
    Context.Esp = (ULONG)(ULONG_PTR)InitialTeb.StackBase - 8;
    Context.EFlags = 0x200;
    HANDLE Thread = NULL;
    CLIENT_ID ClientId;
    Status = NtCreateThread(&Thread, 0x1FFFFF /* THREAD_ALL_ACCESS */, NULL, NtCurrentProcess(),
                            &ClientId, &Context, &InitialTeb,
                            (dwCreationFlags & CREATE_SUSPENDED) != 0);
    if (!NT_SUCCESS(Status)) {
        PVOID Stack = InitialTeb.AllocatedStackBase;
        SIZE_T Size = 0;
        NtFreeVirtualMemory(NtCurrentProcess(), &Stack, &Size, MEM_RELEASE);
        BaseSetLastNTError(Status);
        return NULL;
    }
    if (lpThreadId)
        *lpThreadId = (DWORD)(ULONG_PTR)ClientId.UniqueThread;
    return Thread;
}

/* The last thread ends the process (ExitProcess, which flushes stdout). */
DECLSPEC_NORETURN VOID WINAPI ExitThread(DWORD dwExitCode)
{
    ULONG Last = 0;
    NTSTATUS Status = NtQueryInformationThread(NtCurrentThread(), ThreadAmILastThread, &Last,
                                               sizeof(Last), NULL);
    if (NT_SUCCESS(Status) && Last)
        ExitProcess(dwExitCode);
    PTEB Teb = NtCurrentTeb();
    BasepUnregisterThread(Teb);
    Teb->FreeStackOnTermination = TRUE;
    NtTerminateThread(NtCurrentThread(), (NTSTATUS)dwExitCode);
    for (;;)
        NtYieldExecution();     /* not reached */
}

/*
 * Ends another thread at once. Unlike Windows XP (which leaks it) the
 * thread's stack is released, as since Windows Vista; a lock the thread
 * held stays held, as on every Windows.
 */
BOOL WINAPI TerminateThread(HANDLE hThread, DWORD dwExitCode)
{
    THREAD_BASIC_INFORMATION Info;
    NTSTATUS Status = NtQueryInformationThread(hThread, ThreadBasicInformation, &Info,
                                               sizeof(Info), NULL);
    if (NT_SUCCESS(Status) && Info.TebBaseAddress == NtCurrentTeb())
        ExitThread(dwExitCode);
    if (NT_SUCCESS(Status) && Info.TebBaseAddress)
        Status = BasepTerminateRegisteredThread(hThread, Info.TebBaseAddress,
                                                (NTSTATUS)dwExitCode);
    else if (NT_SUCCESS(Status))
        Status = NtTerminateThread(hThread, (NTSTATUS)dwExitCode);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;
}

/* STILL_ACTIVE (STATUS_PENDING) while the thread runs. */
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    THREAD_BASIC_INFORMATION Info;
    NTSTATUS Status = NtQueryInformationThread(hThread, ThreadBasicInformation, &Info,
                                               sizeof(Info), NULL);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    *lpExitCode = (DWORD)Info.ExitStatus;
    return TRUE;
}

/*
 * SetThreadStackGuarantee: the bytes (rounded up to pages) the stack keeps
 * for the STATUS_STACK_OVERFLOW handler. The kernel raises the overflow that
 * much earlier and commits that much below StackLimit for the handler to
 * run on (mm/fault.c). The guarantee only grows; *StackSizeInBytes returns
 * the previous one. More than the reservation holds fails with
 * ERROR_STACK_OVERFLOW, as on Windows.
 */
BOOL WINAPI SetThreadStackGuarantee(PULONG StackSizeInBytes)
{
    PTEB teb = NtCurrentTeb();
    ULONG previous = teb->GuaranteedStackBytes;
    ULONG wanted = (*StackSizeInBytes + 0xFFF) & ~0xFFFu;
    ULONG reserve = (ULONG)((ULONG_PTR)teb->NtTib.StackBase - (ULONG_PTR)teb->DeallocationStack);
    if (wanted + 2 * 0x1000 > reserve) {
        SetLastError(ERROR_STACK_OVERFLOW);
        return FALSE;
    }
    if (wanted > previous)
        teb->GuaranteedStackBytes = wanted;
    *StackSizeInBytes = previous;
    return TRUE;
}

/* The previous suspend count, or (DWORD)-1 with the last error set: a thread
 * that has ended is ERROR_ACCESS_DENIED, the 128th suspension
 * ERROR_SIGNAL_REFUSED. A thread that suspends itself returns only once
 * another has resumed it. */
DWORD WINAPI SuspendThread(HANDLE hThread)
{
    ULONG PreviousSuspendCount;
    NTSTATUS Status = NtSuspendThread(hThread, &PreviousSuspendCount);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return (DWORD)-1;
    }
    return PreviousSuspendCount;
}

/* The previous suspend count (0: the thread was not suspended), or
 * (DWORD)-1 with the last error set. */
DWORD WINAPI ResumeThread(HANDLE hThread)
{
    ULONG PreviousSuspendCount;
    NTSTATUS Status = NtResumeThread(hThread, &PreviousSuspendCount);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return (DWORD)-1;
    }
    return PreviousSuspendCount;
}
