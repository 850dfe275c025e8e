// NATIVE-ONLY: the native side of CreateThread (ntdll.h), no Windows build.
// app_teb.c - the TEBs NtCreateThread makes: one page per thread below the
// first thread's (0x7FFDE000), MEM_PRIVATE read/write to VirtualQuery, with
// NtTib.StackBase/StackLimit/DeallocationStack from the INITIAL_TEB, the
// ClientId and the PEB; gone (MEM_FREE) once the thread has ended;
// NtQueryInformationThread's ExitStatus STATUS_PENDING while it runs;
// CreateSuspended: the TEB is made, the thread enters user mode only when
// resumed (here never: its CONTEXT starts at address 0).
#include <windows.h>
#include <ntdll.h>
#include <stdio.h>
#include "apptest.h"

static volatile LONG Go;
static PTEB SeenTeb;
static MEMORY_BASIC_INFORMATION TebMbi, StackMbi;
static DWORD SeenId;
static PVOID SeenBase, SeenLimit, SeenDealloc;
static PPEB SeenPeb;

static DWORD WINAPI Worker(LPVOID Parameter)
{
    PTEB Teb = NtCurrentTeb();
    SeenTeb = Teb;
    SeenId = (DWORD)(ULONG_PTR)Teb->ClientId.UniqueThread;
    SeenBase = Teb->NtTib.StackBase;
    SeenLimit = Teb->NtTib.StackLimit;
    SeenDealloc = Teb->DeallocationStack;
    SeenPeb = Teb->ProcessEnvironmentBlock;
    VirtualQuery(Teb, &TebMbi, sizeof(TebMbi));
    VirtualQuery((char *)SeenBase - 1, &StackMbi, sizeof(StackMbi));
    while (!Go)
        Sleep(1);
    return 5;
}

int main(void)
{
    DWORD id = 0;
    HANDLE h = CreateThread(NULL, 0, Worker, NULL, 0, &id);
    while (SeenTeb == NULL)
        Sleep(1);
    THREAD_BASIC_INFORMATION info;
    NTSTATUS s = NtQueryInformationThread(h, ThreadBasicInformation, &info, sizeof(info), NULL);
    Check(NT_SUCCESS(s) && info.ExitStatus == STATUS_PENDING && info.TebBaseAddress == SeenTeb,
          "teb/query_pending_while_running",
          R("status 0x%lx exit 0x%lx teb %p", (unsigned long)s, (unsigned long)info.ExitStatus,
            (void *)info.TebBaseAddress));
    PTEB Main = NtCurrentTeb();
    Check((ULONG_PTR)SeenTeb < (ULONG_PTR)Main && ((ULONG_PTR)SeenTeb & 0xFFF) == 0 &&
          (ULONG_PTR)SeenTeb >= 0x7FF00000, "teb/below_first_teb",
          R("main %p new %p", (void *)Main, (void *)SeenTeb));
    Check(TebMbi.State == MEM_COMMIT && TebMbi.Protect == PAGE_READWRITE &&
          TebMbi.Type == MEM_PRIVATE && TebMbi.RegionSize == 4096 &&
          TebMbi.AllocationBase == SeenTeb, "teb/vad_visible_to_virtual_query",
          R("state 0x%lx protect 0x%lx type 0x%lx size 0x%lx", (unsigned long)TebMbi.State,
            (unsigned long)TebMbi.Protect, (unsigned long)TebMbi.Type,
            (unsigned long)TebMbi.RegionSize));
    Check(SeenId == id && SeenPeb == NtCurrentPeb(), "teb/client_id_and_peb",
          R("id %lu/%lu peb %p", (unsigned long)SeenId, (unsigned long)id, (void *)SeenPeb));
    Check(StackMbi.AllocationBase == SeenDealloc && (char *)SeenLimit == (char *)SeenBase - 4096 &&
          StackMbi.State == MEM_COMMIT, "teb/stack_fields_from_initial_teb",
          R("base %p limit %p dealloc %p reservation %p", SeenBase, SeenLimit, SeenDealloc,
            StackMbi.AllocationBase));
    Go = 1;
    WaitForSingleObject(h, INFINITE);
    MEMORY_BASIC_INFORMATION after;
    VirtualQuery(SeenTeb, &after, sizeof(after));
    Check(after.State == MEM_FREE, "teb/released_after_exit",
          R("state 0x%lx", (unsigned long)after.State));
    s = NtQueryInformationThread(h, ThreadBasicInformation, &info, sizeof(info), NULL);
    Check(NT_SUCCESS(s) && info.ExitStatus == 5, "teb/query_exit_status",
          R("exit 0x%lx", (unsigned long)info.ExitStatus));
    CloseHandle(h);

    /* The next thread's TEB takes the freed slot again (the highest free one). */
    Go = 0;
    PTEB first = SeenTeb;
    SeenTeb = NULL;
    h = CreateThread(NULL, 0, Worker, NULL, 0, NULL);
    while (SeenTeb == NULL)
        Sleep(1);
    Check(SeenTeb == first, "teb/slot_reused", R("%p then %p", (void *)first, (void *)SeenTeb));
    Go = 1;
    WaitForSingleObject(h, INFINITE);
    CloseHandle(h);

    /* EIP 0 and no stack: the process would die if this thread ever reached
     * user mode, so getting past the Sleep shows it did not. */
    CONTEXT c = { 0 };
    INITIAL_TEB it = { 0 };
    HANDLE t = NULL;
    s = NtCreateThread(&t, 0x1FFFFF, NULL, NtCurrentProcess(), NULL, &c, &it, TRUE);
    Sleep(30);
    NTSTATUS qs = NtQueryInformationThread(t, ThreadBasicInformation, &info, sizeof(info), NULL);
    MEMORY_BASIC_INFORMATION tm = { 0 };
    VirtualQuery(info.TebBaseAddress, &tm, sizeof(tm));
    Check(s == STATUS_SUCCESS && NT_SUCCESS(qs) && info.ExitStatus == STATUS_PENDING &&
          tm.State == MEM_COMMIT, "teb/create_suspended_has_teb_and_does_not_run",
          R("create 0x%lx query 0x%lx exit 0x%lx teb %p state 0x%lx", (unsigned long)s,
            (unsigned long)qs, (unsigned long)info.ExitStatus, (void *)info.TebBaseAddress,
            (unsigned long)tm.State));
    s = NtTerminateThread(t, 9);
    WaitForSingleObject(t, INFINITE);
    VirtualQuery(info.TebBaseAddress, &tm, sizeof(tm));
    qs = NtQueryInformationThread(t, ThreadBasicInformation, &info, sizeof(info), NULL);
    Check(s == STATUS_SUCCESS && info.ExitStatus == 9 && tm.State == MEM_FREE,
          "teb/create_suspended_terminated_releases_teb",
          R("terminate 0x%lx exit 0x%lx teb state 0x%lx", (unsigned long)s,
            (unsigned long)info.ExitStatus, (unsigned long)tm.State));
    NtClose(t);
    s = NtCreateThread(&t, 0x1FFFFF, NULL, NtCurrentProcess(), NULL, (PCONTEXT)0x10, &it, FALSE);
    Check(s == STATUS_ACCESS_VIOLATION, "teb/create_bad_context",
          R("status 0x%lx", (unsigned long)s));
    Check(Failures == 0, "app_teb", "some checks failed");
    return 0;
}
