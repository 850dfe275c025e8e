/*
 * psthread.c - user threads: NtCreateThread, NtTerminateThread, and what a
 * thread gives back when it leaves (NT: ntos/ps/create.c, psdelete.c).
 *
 * A user thread is a kernel thread (PsCreateThread) whose start routine
 * enters ring 3 with the registers of the CONTEXT its creator passed. The
 * creator (kernel32's CreateThread) made the stack; the kernel makes the TEB:
 * one page per thread, going down from the one below the first thread's
 * (0x7FFDD000, 0x7FFDC000, ... as NT places them), committed and described
 * by a VAD, so VirtualQuery sees it as MEM_PRIVATE read/write.
 *
 * When a thread leaves a process that lives on (ExitThread, TerminateThread),
 * PspExitUserThread releases its TEB and, if the TEB's FreeStackOnTermination
 * is set, the stack reservation at DeallocationStack (NT's PspExitThread: the
 * kernel frees a CreateThread stack, kernel32 sets the flag). It runs in the
 * process's address space: in the dying thread itself, or in the thread that
 * terminates it (a thread of the same process). A process that ends loses
 * all of its memory at once (wait.c), so nothing is freed thread by thread.
 *
 * A thread created suspended starts with a suspend count of one, so it stops
 * at the safe point just before its first user instruction (suspend.c).
 *
 * Not done: another process's threads (STATUS_NOT_IMPLEMENTED). A thread
 * terminated by another while it waits inside a service loses the references
 * that service held (NT runs the termination in the victim through an APC;
 * there are no APCs). A suspended thread is not affected: it waits at the
 * safe point, holding nothing.
 */
#include "ps.h"
#include "mi.h"
#include "except.h"
#include "kstring.h"

#define PSP_FIRST_TEB   0x7FFDE000u     /* the first thread's (loader.c) */
#define PSP_LOWEST_TEB  0x7FF00000u     /* room for 221 more threads */

/* The user entry the new thread takes: Thread->UserEntry (set before it runs). */
static void PspUserThreadStartup(void *Context)
{
    PETHREAD t = PsGetCurrentThread();
    ULONG regs[9];
    memcpy(regs, t->UserEntry, sizeof(regs));
    /* Its own id goes into its TEB here, where a fault is an ordinary one. */
    PTEB teb = t->Teb;
    if (!NT_SUCCESS(KeCopyToUser(&teb->ClientId, &t->Cid, sizeof(t->Cid), 4)))
        PsTerminateProcess(t->Process, STATUS_ACCESS_VIOLATION);
    /* A thread created suspended waits here (suspend.c). */
    KiCheckForSuspendOnFirstEntry();
    KiEnterUserModeWithRegisters(regs);
}

/* Releases the reservation at Base (the current address space). */
static void PspReleaseUserRange(PEPROCESS Process, ULONG_PTR Base)
{
    SIZE_T size = 0;
    MiFreeVirtualMemory(Process, &Base, &size, MEM_RELEASE);
}

/*
 * A new TEB page in Process (its address space current): reserved under a
 * VAD at the highest free slot below the first TEB, committed. The page is
 * demand zero; the caller fills it.
 */
static NTSTATUS PspCreateTeb(PEPROCESS Process, PTEB *Teb)
{
    for (ULONG_PTR va = PSP_FIRST_TEB - PAGE_SIZE; va >= PSP_LOWEST_TEB; va -= PAGE_SIZE) {
        KIRQL old = MiLockAddressSpace();
        BOOLEAN used = MiLocateVad(Process, va >> PAGE_SHIFT) != NULL;
        MiUnlockAddressSpace(old);
        if (used)
            continue;
        NTSTATUS s = MmCreateLoaderVad(Process, va, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
        if (s == STATUS_CONFLICTING_ADDRESSES)
            continue;
        if (!NT_SUCCESS(s))
            return s;
        ULONG_PTR base = va;
        SIZE_T size = PAGE_SIZE;
        s = MiAllocateVirtualMemory(Process, &base, 0, &size, MEM_COMMIT, PAGE_READWRITE);
        if (!NT_SUCCESS(s)) {
            PspReleaseUserRange(Process, va);
            return s;
        }
        *Teb = (PTEB)va;
        return STATUS_SUCCESS;
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* NT_TIB, ClientId.UniqueProcess, the PEB and the stack fields of a new TEB. */
static NTSTATUS PspFillTeb(PEPROCESS Process, PTEB Teb, const INITIAL_TEB *Initial)
{
    struct {
        NT_TIB NtTib;
        PVOID EnvironmentPointer;
        CLIENT_ID ClientId;
        PVOID ActiveRpcHandle, ThreadLocalStoragePointer;
        PPEB ProcessEnvironmentBlock;
    } head;
    C_ASSERT(sizeof(head) == offsetof(TEB, LastErrorValue));
    memset(&head, 0, sizeof(head));
    head.NtTib.ExceptionList = (PVOID)-1;
    head.NtTib.StackBase = Initial->StackBase;
    head.NtTib.StackLimit = Initial->StackLimit;
    head.NtTib.Self = &Teb->NtTib;
    head.ClientId.UniqueProcess = (HANDLE)Process->UniqueProcessId;
    head.ProcessEnvironmentBlock = Process->Peb;
    NTSTATUS s = KeCopyToUser(Teb, &head, sizeof(head), 4);
    if (NT_SUCCESS(s))
        s = KeCopyToUser(&Teb->DeallocationStack, &Initial->AllocatedStackBase, sizeof(PVOID), 4);
    return s;
}

/*
 * NtCreateThread: a thread of the current process that starts in user mode
 * with ThreadContext's EIP, ESP and integer registers, its TEB made here with
 * the stack InitialTeb describes. Returns a handle and the new CLIENT_ID.
 * CreateSuspended: the thread starts with a suspend count of one and enters
 * user mode only once NtResumeThread takes it to zero.
 * STATUS_NOT_IMPLEMENTED for another process; an invalid
 * CONTEXT or INITIAL_TEB pointer is STATUS_ACCESS_VIOLATION; no free handle
 * or TEB slot is STATUS_INSUFFICIENT_RESOURCES. PASSIVE_LEVEL.
 */
NTSTATUS NtCreateThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, PVOID ObjectAttributes,
                        HANDLE ProcessHandle, PCLIENT_ID ClientId, PCONTEXT ThreadContext,
                        PINITIAL_TEB InitialTeb, BOOLEAN CreateSuspended)
{
    CONTEXT c;
    INITIAL_TEB initial;
    NTSTATUS s = KeCopyFromUser(&c, ThreadContext, sizeof(c), 4);
    if (NT_SUCCESS(s))
        s = KeCopyFromUser(&initial, InitialTeb, sizeof(initial), 4);
    if (!NT_SUCCESS(s))
        return s;
    DISPATCHER_HEADER *o;
    s = ObReferenceObjectByHandle(ProcessHandle, KOBJECT_PROCESS, &o);
    if (!NT_SUCCESS(s))
        return s;
    PEPROCESS p = CONTAINING_RECORD(o, EPROCESS, Header);
    ObDereferenceObject(o);         /* the current process: it cannot go away */
    if (p != PsGetCurrentProcess())
        return STATUS_NOT_IMPLEMENTED;
    if (p->Exiting)
        return STATUS_PROCESS_IS_TERMINATING;

    PTEB teb;
    s = PspCreateTeb(p, &teb);
    if (!NT_SUCCESS(s))
        return s;
    s = PspFillTeb(p, teb, &initial);
    if (!NT_SUCCESS(s)) {
        PspReleaseUserRange(p, (ULONG_PTR)teb);
        return s;
    }
    /* At DISPATCH_LEVEL the new thread cannot run before its TEB, entry
     * registers and handle are in place. */
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    PETHREAD t = PsCreateThread(p, PspUserThreadStartup, NULL);
    if (t == NULL) {
        KfLowerIrql(old);
        PspReleaseUserRange(p, (ULONG_PTR)teb);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    t->Teb = teb;
    if (CreateSuspended)
        KeSuspendThread(t);         /* a new thread's count is 0: it cannot raise */
    ULONG regs[9] = { c.Eip, c.Esp, c.Eax, c.Ebx, c.Ecx, c.Edx, c.Esi, c.Edi, c.Ebp };
    memcpy(t->UserEntry, regs, sizeof(regs));
    HANDLE h = ObInsertHandle(p, &t->Header);
    CLIENT_ID cid = t->Cid;
    if (h == NULL) {
        ObReferenceObject(&t->Header);
        PsTerminateOtherThread(t, STATUS_INSUFFICIENT_RESOURCES);
        t->Teb = NULL;
        KfLowerIrql(old);
        ObDereferenceObject(&t->Header);
        PspReleaseUserRange(p, (ULONG_PTR)teb);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KfLowerIrql(old);
    /* As on NT, a thread that started stays started if these copies fail. */
    s = KeCopyToUser(ThreadHandle, &h, sizeof(h), 4);
    if (NT_SUCCESS(s) && ClientId)
        s = KeCopyToUser(ClientId, &cid, sizeof(cid), 4);
    return s;
}

void PspExitUserThread(PETHREAD Thread)
{
    PTEB teb = Thread->Teb;
    if (teb == NULL)
        return;
    BOOLEAN freeStack = FALSE;
    PVOID stack = NULL;
    if (NT_SUCCESS(KeCopyFromUser(&freeStack, &teb->FreeStackOnTermination, 1, 1)) && freeStack &&
        NT_SUCCESS(KeCopyFromUser(&stack, &teb->DeallocationStack, sizeof(stack), 4)) && stack)
        PspReleaseUserRange(Thread->Process, (ULONG_PTR)stack);
    PspReleaseUserRange(Thread->Process, (ULONG_PTR)teb);
    Thread->Teb = NULL;
}

/*
 * NtTerminateThread: ends ThreadHandle's thread (NULL or NtCurrentThread():
 * the caller, which does not return) with ExitStatus. The last thread of a
 * process ends the process. Another process's thread: STATUS_NOT_IMPLEMENTED;
 * a thread that already ended: STATUS_THREAD_IS_TERMINATING.
 */
NTSTATUS NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus)
{
    PEPROCESS p = PsGetCurrentProcess();
    if (ThreadHandle == NULL || ThreadHandle == NtCurrentThread()) {
        if (p->ActiveThreads == 1)
            PsTerminateProcess(p, ExitStatus);
        PspExitUserThread(PsGetCurrentThread());
        PsTerminateCurrentThread(ExitStatus);
    }
    DISPATCHER_HEADER *o;
    NTSTATUS s = ObReferenceObjectByHandle(ThreadHandle, KOBJECT_THREAD, &o);
    if (!NT_SUCCESS(s))
        return s;
    PETHREAD t = CONTAINING_RECORD(o, ETHREAD, Header);
    if (t == PsGetCurrentThread()) {
        ObDereferenceObject(o);
        return NtTerminateThread(NULL, ExitStatus);
    }
    if (t->Process != p)
        s = STATUS_NOT_IMPLEMENTED;
    else if (t->State == Terminated)
        s = STATUS_THREAD_IS_TERMINATING;
    else {
        /* End it first, so it never runs on the memory freed next. */
        PsTerminateOtherThread(t, ExitStatus);
        PspExitUserThread(t);
    }
    ObDereferenceObject(o);
    return s;
}
