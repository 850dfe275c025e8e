// NATIVE-ONLY: ntdll's RtlCreateHeap and critical sections (ntdll.h), no Windows build.
// app_heap_base.c - heaps on the program's own memory and with its own
// lock, as NT's RtlCreateHeap makes them: on VirtualAlloc'd memory (the
// heap asks NtQueryVirtualMemory what is committed), with a commit routine
// (called with the heap, the address and the size; its failure fails the
// allocation, or raises STATUS_NO_MEMORY with HEAP_GENERATE_EXCEPTIONS),
// and serialized by an RTL_CRITICAL_SECTION (HeapLock shows in its
// OwningThread and RecursionCount, and blocks other threads). Destroying
// such a heap leaves the memory and the critical section as they were.
#include <windows.h>
#include <ntdll.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

#define KB 1024
#define PAGES(bytes) ((bytes) / 4096)

/* The state (MEM_COMMIT / MEM_RESERVE / MEM_FREE) of each page of [Base, Base + Size). */
static void PageStates(char *Base, SIZE_T Size, DWORD *States)
{
    MEMORY_BASIC_INFORMATION m;
    for (SIZE_T i = 0; i < PAGES(Size); i++) {
        VirtualQuery(Base + i * 4096, &m, sizeof(m));
        States[i] = m.AllocationBase == Base ? m.State : 0;
    }
}

/* Allocates 1000-byte blocks until the heap refuses; -1 if one lies outside [Low, High). */
static int FillHeap(PVOID Heap, void **Blocks, int Max, char *Low, char *High)
{
    int n = 0;
    while (n < Max && (Blocks[n] = RtlAllocateHeap(Heap, 0, 1000)) != NULL) {
        if ((char *)Blocks[n] < Low || (char *)Blocks[n] + 1000 > High)
            return -1;
        memset(Blocks[n], 0x3C, 1000);
        n++;
    }
    return n;
}

/* RtlWalkHeap's entries; 0 if one lies outside [Low, High). */
static int WalkInside(PVOID Heap, char *Low, char *High)
{
    RTL_HEAP_WALK_ENTRY e;
    int n = 0;
    memset(&e, 0, sizeof(e));
    while (RtlWalkHeap(Heap, &e) == 0) {
        if ((char *)e.DataAddress < Low || (char *)e.DataAddress >= High)
            return 0;
        n++;
    }
    return n;
}

static void QueriedHeap(void)
{
    static void *Blocks[400];
    static DWORD Before[PAGES(256 * KB)], After[PAGES(256 * KB)];
    char *Base = VirtualAlloc(NULL, 256 * KB, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(Base, 16 * KB, MEM_COMMIT, PAGE_READWRITE);
    PVOID Heap = RtlCreateHeap(0, Base, 0, 0, NULL, NULL);
    Check(Heap == Base, "heap_base/created_at_heap_base", R("heap %p base %p", Heap, Base));
    int n = FillHeap(Heap, (void **)Blocks, 400, Base, Base + 256 * KB);
    Check(n > 200 && n < 256, "heap_base/fills_the_callers_range_and_no_more", R("%d blocks", n));
    Check(RtlValidateHeap(Heap, 0, NULL) && WalkInside(Heap, Base, Base + 256 * KB) > n,
          "heap_base/validates_and_walks_inside_the_range", "");
    for (int i = 0; i < n; i += 2)
        RtlFreeHeap(Heap, 0, Blocks[i]);
    Check(RtlValidateHeap(Heap, 0, NULL) && ((unsigned char *)Blocks[1])[999] == 0x3C,
          "heap_base/free_keeps_the_other_blocks", "");
    PageStates(Base, 256 * KB, Before);
    Check(RtlDestroyHeap(Heap) == NULL, "heap_base/destroy_succeeds", "");
    PageStates(Base, 256 * KB, After);
    int same = memcmp(Before, After, sizeof(Before)) == 0 && After[0] == MEM_COMMIT;
    Check(same, "heap_base/destroy_leaves_the_region_reserved_and_committed_as_it_was",
          R("page 0 state 0x%lx", (unsigned long)After[0]));
    Check(VirtualFree(Base, 0, MEM_RELEASE), "heap_base/the_caller_releases_its_region",
          R("error %lu", (unsigned long)GetLastError()));
}

static struct {
    PVOID Heap;
    char *Low, *High;
    int Calls, Bad, Fail;
} Routine;

static NTSTATUS NTAPI CommitRoutine(PVOID Base, PVOID *Address, PSIZE_T Size)
{
    char *a = *Address;
    Routine.Calls++;
    if (Base != Routine.Heap || ((ULONG_PTR)a & 0xFFF) || *Size == 0 || (*Size & 0xFFF) ||
        a < Routine.Low || a + *Size > Routine.High)
        Routine.Bad++;
    if (Routine.Fail)
        return STATUS_NO_MEMORY;
    return VirtualAlloc(a, *Size, MEM_COMMIT, PAGE_READWRITE) ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

/* A commit-routine heap on the first 128 KB of Base (16 KB committed). */
static PVOID RoutineHeap(ULONG Flags, char *Base)
{
    RTL_HEAP_PARAMETERS p;
    memset(&p, 0, sizeof(p));
    p.Length = sizeof(p);
    p.CommitRoutine = CommitRoutine;
    p.InitialCommit = 16 * KB;
    p.InitialReserve = 128 * KB;
    memset(&Routine, 0, sizeof(Routine));
    Routine.Heap = Base;
    Routine.Low = Base + 16 * KB;
    Routine.High = Base + 128 * KB;
    return RtlCreateHeap(Flags, Base, 0, 0, NULL, &p);
}

static void CommitRoutineHeap(void)
{
    static void *Blocks[200];
    /* 192 KB reserved: the heap's 128, then 64 the caller committed and filled itself. */
    char *Base = VirtualAlloc(NULL, 192 * KB, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(Base, 16 * KB, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(Base + 128 * KB, 64 * KB, MEM_COMMIT, PAGE_READWRITE);
    memset(Base + 128 * KB, 0x5C, 64 * KB);
    PVOID Heap = RoutineHeap(0, Base);
    Check(Heap == Base && Routine.Calls == 0, "heap_base/commit_routine_heap_created",
          R("heap %p calls %d", Heap, Routine.Calls));
    int n = FillHeap(Heap, Blocks, 200, Base, Base + 128 * KB);
    Check(n > 100 && n < 128 && Routine.Calls > 0 && Routine.Bad == 0,
          "heap_base/commit_routine_gets_the_heap_and_pages_inside_its_range",
          R("%d blocks, %d calls, %d bad", n, Routine.Calls, Routine.Bad));
    int intact = 1;
    for (int i = 128 * KB; i < 192 * KB; i++)
        intact &= Base[i] == 0x5C;
    Check(intact, "heap_base/memory_past_initial_reserve_untouched", "");
    for (int i = 0; i < n; i++)
        RtlFreeHeap(Heap, 0, Blocks[i]);
    MEMORY_BASIC_INFORMATION m;
    VirtualQuery(Base + 96 * KB, &m, sizeof(m));
    Check(m.State == MEM_COMMIT, "heap_base/commit_routine_heap_never_decommits",
          R("state 0x%lx", (unsigned long)m.State));
    RtlDestroyHeap(Heap);

    Heap = RoutineHeap(0, Base);
    Routine.Fail = 1;
    void *p = RtlAllocateHeap(Heap, 0, 64 * KB);
    Check(p == NULL && Routine.Calls == 1, "heap_base/commit_routine_failure_fails_the_allocation",
          R("%p, %d calls", p, Routine.Calls));
    Routine.Fail = 0;
    Check(RtlAllocateHeap(Heap, 0, 64 * KB) != NULL && RtlValidateHeap(Heap, 0, NULL),
          "heap_base/heap_usable_after_a_failed_commit", "");
    RtlDestroyHeap(Heap);
    VirtualFree(Base, 0, MEM_RELEASE);
}

static RTL_CRITICAL_SECTION Cs;
static volatile LONG WorkerDone;

static DWORD WINAPI Worker(LPVOID Heap)
{
    /* A block for the back end: no front end serves 64 KB without the heap lock. */
    RtlFreeHeap(Heap, 0, RtlAllocateHeap(Heap, 0, 64 * KB));
    WorkerDone = 1;
    return 0;
}

static void CallerLock(void)
{
    RtlInitializeCriticalSection(&Cs);
    Check(RtlCreateHeap(HEAP_GROWABLE | HEAP_NO_SERIALIZE, NULL, 0, 0, &Cs, NULL) == NULL,
          "heap_base/lock_with_no_serialize_refused", "");
    PVOID Heap = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, &Cs, NULL);
    void *p = RtlAllocateHeap(Heap, 0, 100);
    Check(Heap != NULL && p != NULL && Cs.OwningThread == NULL && Cs.LockCount == -1,
          "heap_base/lock_taken_and_released_around_a_call", R("lock count %ld", (long)Cs.LockCount));
    HANDLE Self = (HANDLE)(ULONG_PTR)GetCurrentThreadId();
    RtlLockHeap(Heap);
    RtlLockHeap(Heap);
    Check(Cs.OwningThread == Self && Cs.RecursionCount == 2 && Cs.LockCount == 1,
          "heap_base/heap_lock_takes_the_critical_section",
          R("owner %p recursion %ld count %ld", Cs.OwningThread, (long)Cs.RecursionCount,
            (long)Cs.LockCount));
    HANDLE t = CreateThread(NULL, 0, Worker, Heap, 0, NULL);
    Sleep(50);
    Check(!WorkerDone && Cs.LockCount == 2, "heap_base/other_threads_wait_for_the_heap_lock",
          R("done %ld count %ld", (long)WorkerDone, (long)Cs.LockCount));
    RtlUnlockHeap(Heap);
    Check(RtlUnlockHeap(Heap) && Cs.OwningThread != Self, "heap_base/heap_unlock_leaves_it", "");
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    Check(WorkerDone && !RtlUnlockHeap(Heap) && Cs.LockCount == -1 && Cs.OwningThread == NULL,
          "heap_base/unlock_by_a_non_owner_fails", "");
    RtlFreeHeap(Heap, 0, p);
    Check(RtlDestroyHeap(Heap) == NULL && Cs.LockCount == -1 && Cs.RecursionCount == 0 &&
          RtlTryEnterCriticalSection(&Cs) && RtlLeaveCriticalSection(&Cs) == 0,
          "heap_base/destroy_leaves_the_critical_section_usable", "");
    RtlDeleteCriticalSection(&Cs);
}

static void Refusals(void)
{
    RTL_HEAP_PARAMETERS p;
    char *Base = VirtualAlloc(NULL, 128 * KB, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    memset(&p, 0, sizeof(p));
    p.Length = sizeof(p);
    p.CommitRoutine = CommitRoutine;
    p.InitialCommit = 16 * KB;
    p.InitialReserve = 128 * KB;
    Check(RtlCreateHeap(0, NULL, 0, 0, NULL, &p) == NULL, "heap_base/commit_routine_needs_heap_base", "");
    Check(RtlCreateHeap(HEAP_GROWABLE, Base, 0, 0, NULL, &p) == NULL,
          "heap_base/commit_routine_heap_cannot_be_growable", "");
    p.InitialCommit = 256 * KB;
    Check(RtlCreateHeap(0, Base, 0, 0, NULL, &p) == NULL,
          "heap_base/initial_commit_over_initial_reserve_refused", "");
    Check(RtlCreateHeap(0, Base + 8, 0, 0, NULL, NULL) == NULL,
          "heap_base/base_inside_a_page_refused", "");
    VirtualFree(Base, 0, MEM_RELEASE);
    Check(RtlCreateHeap(0, Base, 0, 0, NULL, NULL) == NULL, "heap_base/free_memory_refused", "");
}

static LONG CALLBACK OnNoMemory(PEXCEPTION_POINTERS e)
{
    /* RtlRaiseStatus's exception cannot be continued: report, and end here. */
    Check((DWORD)e->ExceptionRecord->ExceptionCode == (DWORD)STATUS_NO_MEMORY,
          "heap_base/commit_routine_failure_raises_no_memory", "wrong exception");
    ExitProcess(Failures ? 1 : 0);
    return EXCEPTION_CONTINUE_SEARCH;
}

int main(void)
{
    QueriedHeap();
    CommitRoutineHeap();
    CallerLock();
    Refusals();
    char *Base = VirtualAlloc(NULL, 128 * KB, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(Base, 16 * KB, MEM_COMMIT, PAGE_READWRITE);
    PVOID Heap = RoutineHeap(HEAP_GENERATE_EXCEPTIONS, Base);
    AddVectoredExceptionHandler(1, OnNoMemory);
    Routine.Fail = 1;
    RtlAllocateHeap(Heap, 0, 64 * KB);
    Check(0, "heap_base/commit_routine_failure_raises_no_memory", "no exception");
    return 1;
}
