// app_threads.c - CreateThread and its stacks: several threads, each on its
// own reservation (VirtualQuery), with distinct ids; exit codes through
// WaitForSingleObject and GetExitCodeThread (STILL_ACTIVE while running);
// ExitThread and TerminateThread; the stack reservation released when the
// thread is gone (MEM_FREE), as Windows releases a CreateThread stack; the
// default stack's layout (one committed page, a guard page, the rest
// reserved: 1 MB) and STACK_SIZE_PARAM_IS_A_RESERVATION; a process that
// exits while another of its threads waits.
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

#define WORKERS 4

typedef struct {
    int Index;
    DWORD Id;
    char *Local;                    /* an address on its stack */
    MEMORY_BASIC_INFORMATION Mbi;   /* VirtualQuery of that address */
} WORKER;

static WORKER Workers[WORKERS];

static DWORD WINAPI Worker(LPVOID Parameter)
{
    WORKER *w = Parameter;
    char local[64];
    memset(local, w->Index, sizeof(local));
    w->Local = local;
    w->Id = GetCurrentThreadId();
    VirtualQuery(local, &w->Mbi, sizeof(w->Mbi));
    for (int i = 0; i < 5; i++)
        Sleep(0);                   /* let the others run on their stacks */
    for (int i = 0; i < (int)sizeof(local); i++)
        if (local[i] != (char)w->Index)
            return 0xBAD;
    return 100 + w->Index;
}

static void TestSeveralThreads(void)
{
    HANDLE h[WORKERS];
    DWORD ids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        Workers[i].Index = i;
        h[i] = CreateThread(NULL, 16384, Worker, &Workers[i], 0, &ids[i]);
        Check(h[i] != NULL, "threads/create", R("thread %d: error %lu", i,
              (unsigned long)GetLastError()));
        if (h[i] == NULL)
            return;
    }
    for (int i = 0; i < WORKERS; i++) {
        DWORD code = 0;
        DWORD w = WaitForSingleObject(h[i], INFINITE);
        BOOL ok = GetExitCodeThread(h[i], &code);
        Check(w == WAIT_OBJECT_0 && ok && code == (DWORD)(100 + i), "threads/exit_code_by_wait",
              R("thread %d: wait %lu code 0x%lx", i, (unsigned long)w, (unsigned long)code));
        Check(ids[i] == Workers[i].Id && ids[i] != GetCurrentThreadId(), "threads/thread_id",
              R("thread %d: CreateThread said %lu, the thread %lu", i, (unsigned long)ids[i],
                (unsigned long)Workers[i].Id));
        WORKER *w0 = &Workers[i];
        char *base = w0->Mbi.AllocationBase;
        Check(w0->Mbi.State == MEM_COMMIT && w0->Local >= base && w0->Local < base + 0x100000,
              "threads/stack_in_own_reservation",
              R("thread %d: local %p reservation %p state 0x%lx", i, (void *)w0->Local,
                (void *)base, (unsigned long)w0->Mbi.State));
        for (int j = 0; j < i; j++)
            Check(Workers[j].Mbi.AllocationBase != base && Workers[j].Id != w0->Id,
                  "threads/distinct_stacks_and_ids", R("threads %d and %d share", i, j));
        MEMORY_BASIC_INFORMATION after;
        VirtualQuery(base, &after, sizeof(after));
        Check(after.State == MEM_FREE, "threads/stack_released_after_exit",
              R("thread %d: stack %p state 0x%lx", i, (void *)base, (unsigned long)after.State));
        Check(CloseHandle(h[i]), "threads/close_handle", "failed");
    }
}

/* ---- STILL_ACTIVE, ExitThread, TerminateThread ------------------------------ */

static volatile LONG Go;

static DWORD WINAPI WaitForGo(LPVOID Parameter)
{
    while (!Go)
        Sleep(1);
    if (Parameter)
        ExitThread(7);
    return 3;
}

static void TestExitCodes(void)
{
    Go = 0;
    HANDLE a = CreateThread(NULL, 0, WaitForGo, (LPVOID)1, 0, NULL);
    HANDLE b = CreateThread(NULL, 0, WaitForGo, NULL, 0, NULL);
    DWORD ca = 0, cb = 0;
    GetExitCodeThread(a, &ca);
    Check(ca == STILL_ACTIVE, "threads/still_active_while_running",
          R("code 0x%lx", (unsigned long)ca));
    Check(WaitForSingleObject(a, 10) == WAIT_TIMEOUT, "threads/wait_times_out_while_running",
          "did not time out");
    Go = 1;
    WaitForSingleObject(a, INFINITE);
    WaitForSingleObject(b, INFINITE);
    GetExitCodeThread(a, &ca);
    GetExitCodeThread(b, &cb);
    Check(ca == 7, "threads/exit_thread_code", R("code %lu", (unsigned long)ca));
    Check(cb == 3, "threads/return_value_is_exit_code", R("code %lu", (unsigned long)cb));
    CloseHandle(a);
    CloseHandle(b);

    Go = 0;
    MEMORY_BASIC_INFORMATION mbi;
    HANDLE c = CreateThread(NULL, 0, WaitForGo, NULL, 0, NULL);
    Sleep(5);                       /* let it start and settle on its stack */
    Check(TerminateThread(c, 42), "threads/terminate_thread", R("error %lu",
          (unsigned long)GetLastError()));
    DWORD cc = 0;
    Check(WaitForSingleObject(c, 1000) == WAIT_OBJECT_0 && GetExitCodeThread(c, &cc) && cc == 42,
          "threads/terminated_exit_code", R("code %lu", (unsigned long)cc));
    /* A second TerminateThread finds it gone. */
    Check(!TerminateThread(c, 1), "threads/terminate_ended_thread_fails", "succeeded");
    CloseHandle(c);
    (void)mbi;
}

/* ---- the stack's layout ------------------------------------------------------ */

static MEMORY_BASIC_INFORMATION Here, Top, Guard, Reserved;

/* VirtualQuery describes the run of like pages from the page asked about
 * upward, so the walk starts at the reservation's base. */
static DWORD WINAPI QueryOwnStack(LPVOID Parameter)
{
    volatile char local = 0;
    VirtualQuery((const void *)&local, &Here, sizeof(Here));
    VirtualQuery(Here.AllocationBase, &Reserved, sizeof(Reserved));
    VirtualQuery((char *)Reserved.BaseAddress + Reserved.RegionSize, &Guard, sizeof(Guard));
    VirtualQuery((char *)Guard.BaseAddress + Guard.RegionSize, &Top, sizeof(Top));
    return 0;
}

static void TestLayout(const char *name, SIZE_T size, DWORD flags, SIZE_T reserve, SIZE_T commit)
{
    HANDLE h = CreateThread(NULL, size, QueryOwnStack, NULL, flags, NULL);
    WaitForSingleObject(h, INFINITE);
    CloseHandle(h);
    char *base = Here.AllocationBase;
    SIZE_T total = (char *)Top.BaseAddress + Top.RegionSize - base;
    Check(Reserved.State == MEM_RESERVE && Reserved.BaseAddress == base &&
          Reserved.RegionSize == reserve - commit - 4096 &&
          Guard.State == MEM_COMMIT && Guard.Protect == (PAGE_READWRITE | PAGE_GUARD) &&
          Guard.RegionSize == 4096 && Top.State == MEM_COMMIT && Top.Protect == PAGE_READWRITE &&
          Top.RegionSize == commit && total == reserve, name,
          R("reserved 0x%lx size 0x%lx guard 0x%lx/0x%lx top 0x%lx/0x%lx size 0x%lx total 0x%lx",
            (unsigned long)Reserved.State, (unsigned long)Reserved.RegionSize,
            (unsigned long)Guard.State, (unsigned long)Guard.Protect, (unsigned long)Top.State,
            (unsigned long)Top.Protect, (unsigned long)Top.RegionSize, (unsigned long)total));
}

int main(void)
{
    TestSeveralThreads();
    TestExitCodes();
    TestLayout("threads/default_stack_layout", 0, 0, 0x100000, 4096);
    TestLayout("threads/commit_size_rounded", 5000, 0, 0x100000, 8192);
    TestLayout("threads/stack_size_is_a_reservation", 0x40000, STACK_SIZE_PARAM_IS_A_RESERVATION,
               0x40000, 4096);
    TestLayout("threads/reservation_rounded_to_64k", 0x21000, STACK_SIZE_PARAM_IS_A_RESERVATION,
               0x30000, 4096);
    Check(Failures == 0, "app_threads", "some checks failed");
    /* Still waiting when the process exits: the end of the process ends it
     * too, and its memory and kernel stack go with the process's, once (the
     * runner checks pages, system PTEs and pool afterwards). */
    Go = 0;
    CreateThread(NULL, 0, WaitForGo, NULL, 0, NULL);
    Sleep(5);
    return 0;
}
