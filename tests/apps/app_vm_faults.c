// app_vm_faults.c - what touching memory does: demand-zero pages on first
// touch, guard pages (one shot, STATUS_GUARD_PAGE_VIOLATION), access
// violations on reserved, decommitted and read-only pages, seed 004's
// fourth commit strategy (commit from an exception handler, then continue),
// and GetProcessMemoryInfo's counters moving as pages are touched.
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

/* ---- a handler that repairs what it is told to, and records what it saw ---- */

enum { FixCommit, FixProtect, FixNothing };
/* Volatile: the handler changes them between two statements of the test. */
static volatile int FixMode = FixNothing;
static char *volatile FixBase;
static volatile SIZE_T FixSize;
static volatile int Seen;
static volatile DWORD SeenCode;
static volatile ULONG_PTR SeenWrite, SeenAddress;

static LONG WINAPI Handler(EXCEPTION_POINTERS *Info)
{
    PEXCEPTION_RECORD r = Info->ExceptionRecord;
    if (r->ExceptionCode == EXCEPTION_GUARD_PAGE) {
        Seen++;
        SeenCode = r->ExceptionCode;
        SeenWrite = r->ExceptionInformation[0];
        SeenAddress = r->ExceptionInformation[1];
        return EXCEPTION_CONTINUE_EXECUTION;     /* the guard is gone: the retry works */
    }
    if (r->ExceptionCode != EXCEPTION_ACCESS_VIOLATION || FixMode == FixNothing)
        return EXCEPTION_CONTINUE_SEARCH;
    char *a = (char *)r->ExceptionInformation[1];
    if (a < FixBase || a >= FixBase + FixSize)
        return EXCEPTION_CONTINUE_SEARCH;
    Seen++;
    SeenCode = r->ExceptionCode;
    SeenWrite = r->ExceptionInformation[0];
    SeenAddress = (ULONG_PTR)a;
    DWORD old;
    if (FixMode == FixCommit) {
        if (!VirtualAlloc(a, 1, MEM_COMMIT, PAGE_READWRITE))
            return EXCEPTION_CONTINUE_SEARCH;
    } else if (!VirtualProtect(a, 1, PAGE_READWRITE, &old)) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void Reset(int Mode, char *Base, SIZE_T Size)
{
    FixMode = Mode;
    FixBase = Base;
    FixSize = Size;
    Seen = 0;
    SeenCode = 0;
    SeenWrite = SeenAddress = 0;
}

static PROCESS_MEMORY_COUNTERS Counters(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    memset(&pmc, 0, sizeof(pmc));
    GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc));
    return pmc;
}

static void TestDemandZeroAndCounters(void)
{
    const int pages = 16;
    PROCESS_MEMORY_COUNTERS before = Counters();
    volatile char *p = VirtualAlloc(NULL, pages * 4096, MEM_COMMIT, PAGE_READWRITE);
    PROCESS_MEMORY_COUNTERS committed = Counters();
    Check(p != NULL && committed.PagefileUsage - before.PagefileUsage == (SIZE_T)pages * 4096 &&
          committed.WorkingSetSize == before.WorkingSetSize,
          "vm_commit_charges_but_takes_no_page",
          R("charge +%lu ws +%ld", (unsigned long)(committed.PagefileUsage - before.PagefileUsage),
            (long)(committed.WorkingSetSize - before.WorkingSetSize)));
    int zero = 1;
    for (int i = 0; i < pages; i++) {
        zero &= p[i * 4096 + 17] == 0;
        p[i * 4096] = (char)i;
    }
    PROCESS_MEMORY_COUNTERS touched = Counters();
    Check(zero, "vm_demand_zero_pages_read_zero", "a page was not zero");
    Check(touched.PageFaultCount - committed.PageFaultCount >= (DWORD)pages &&
          touched.WorkingSetSize - committed.WorkingSetSize == (SIZE_T)pages * 4096 &&
          touched.PeakWorkingSetSize >= touched.WorkingSetSize,
          "vm_process_memory_info_faults_and_working_set_grow_with_touches",
          R("faults +%lu ws +%lu", (unsigned long)(touched.PageFaultCount - committed.PageFaultCount),
            (unsigned long)(touched.WorkingSetSize - committed.WorkingSetSize)));
    VirtualFree((void *)p, pages * 4096, MEM_DECOMMIT);
    PROCESS_MEMORY_COUNTERS freed = Counters();
    Check(freed.WorkingSetSize == committed.WorkingSetSize &&
          freed.PagefileUsage == before.PagefileUsage,
          "vm_decommit_frees_pages_and_charge_at_once",
          R("ws %lu charge %lu", (unsigned long)freed.WorkingSetSize, (unsigned long)freed.PagefileUsage));
    VirtualFree((void *)p, 0, MEM_RELEASE);
}

static void TestAccessViolations(void)
{
    char *p = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    volatile char *v = p;

    /* A reserved page: the read faults; the handler commits; the read retries. */
    Reset(FixCommit, p, 0x10000);
    char c = v[0x3010];
    Check(Seen == 1 && SeenCode == (DWORD)EXCEPTION_ACCESS_VIOLATION && SeenWrite == 0 &&
          SeenAddress == (ULONG_PTR)p + 0x3010 && c == 0,
          "vm_read_reserved_page_access_violation",
          R("seen %d code 0x%lx write %lu addr 0x%lx", Seen, (unsigned long)SeenCode,
            (unsigned long)SeenWrite, (unsigned long)SeenAddress));

    /* Decommit, then touch: the page faults again and comes back zeroed. */
    v[0x3000] = 42;
    VirtualFree(p + 0x3000, 0x1000, MEM_DECOMMIT);
    Reset(FixCommit, p, 0x10000);
    v[0x3001] = 7;
    Check(Seen == 1 && SeenWrite == 1 && v[0x3000] == 0 && v[0x3001] == 7,
          "vm_decommit_then_touch_faults_and_contents_are_gone",
          R("seen %d old byte %d", Seen, v[0x3000]));

    /* A write to a read-only committed page; a read of it is fine. */
    VirtualAlloc(p + 0x5000, 0x1000, MEM_COMMIT, PAGE_READONLY);
    Reset(FixProtect, p, 0x10000);
    c = v[0x5000];
    Check(Seen == 0 && c == 0, "vm_read_readonly_page_demand_zero", R("seen %d", Seen));
    v[0x5000] = 1;
    Check(Seen == 1 && SeenWrite == 1 && v[0x5000] == 1, "vm_write_readonly_page_access_violation",
          R("seen %d write %lu", Seen, (unsigned long)SeenWrite));

    /* PAGE_NOACCESS over a resident page keeps its contents for later. */
    DWORD old;
    VirtualAlloc(p + 0x6000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    v[0x6000] = 99;
    VirtualProtect(p + 0x6000, 0x1000, PAGE_NOACCESS, &old);
    Reset(FixProtect, p, 0x10000);
    c = v[0x6000];
    Check(Seen == 1 && SeenWrite == 0 && c == 99, "vm_noaccess_page_faults_and_keeps_contents",
          R("seen %d value %d", Seen, c));
    Reset(FixNothing, NULL, 0);
    VirtualFree(p, 0, MEM_RELEASE);
}

static void TestGuardPages(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    volatile char *g = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    VirtualQuery((void *)g, &mbi, sizeof(mbi));
    Check(g && mbi.Protect == (PAGE_READWRITE | PAGE_GUARD) && mbi.RegionSize == 0x2000,
          "vm_guard_page_query_shows_guard", R("protect 0x%lx", (unsigned long)mbi.Protect));
    Reset(FixNothing, NULL, 0);
    g[0x10] = 5;
    Check(Seen == 1 && SeenCode == (DWORD)STATUS_GUARD_PAGE_VIOLATION && SeenWrite == 1 &&
          SeenAddress == (ULONG_PTR)g + 0x10 && g[0x10] == 5,
          "vm_guard_page_first_touch_raises_guard_page_violation",
          R("seen %d code 0x%lx addr 0x%lx", Seen, (unsigned long)SeenCode, (unsigned long)SeenAddress));
    g[0x20] = 6;
    Check(Seen == 1, "vm_guard_page_is_one_shot", R("seen %d", Seen));
    VirtualQuery((void *)g, &mbi, sizeof(mbi));
    Check(mbi.Protect == PAGE_READWRITE && mbi.RegionSize == 0x1000,
          "vm_guard_page_cleared_after_touch", R("protect 0x%lx size 0x%lx",
          (unsigned long)mbi.Protect, (unsigned long)mbi.RegionSize));
    char c = g[0x1000];
    Check(Seen == 2 && SeenWrite == 0 && c == 0, "vm_guard_page_second_page_own_guard",
          R("seen %d", Seen));

    /* A guard set by VirtualProtect on a resident page. */
    DWORD old;
    Check(VirtualProtect((void *)g, 0x1000, PAGE_READONLY | PAGE_GUARD, &old) &&
          old == PAGE_READWRITE, "vm_guard_page_set_by_protect", R("old 0x%lx", (unsigned long)old));
    c = g[0x10];
    Check(Seen == 3 && c == 5, "vm_guard_page_on_resident_page_keeps_contents",
          R("seen %d value %d", Seen, c));
    VirtualFree((void *)g, 0, MEM_RELEASE);
}

/* Seed 004, strategy 4: reserve 1 MB, commit each page from the handler of
 * the access violation, and continue as if nothing happened. */
static void TestCommitOnFault(void)
{
    const SIZE_T size = 0x100000;
    char *p = VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_NOACCESS);
    Reset(FixCommit, p, size);
    volatile char *v = p;
    const int touched = 64;         /* every fourth page of the first 256 */
    for (int i = 0; i < touched; i++)
        v[i * 4 * 4096 + 100] = (char)(i + 1);
    int sum = 0;
    for (int i = 0; i < touched; i++)
        sum += v[i * 4 * 4096 + 100];
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(p + 4096, &mbi, sizeof(mbi));
    Check(Seen == touched && sum == touched * (touched + 1) / 2 && mbi.State == MEM_RESERVE &&
          mbi.RegionSize == 3 * 4096,
          "vm_seed004_commit_from_exception_handler",
          R("commits %d sum %d state 0x%lx size 0x%lx", Seen, sum, (unsigned long)mbi.State,
            (unsigned long)mbi.RegionSize));
    Reset(FixNothing, NULL, 0);
    Check(VirtualFree(p, 0, MEM_RELEASE), "vm_seed004_release", "failed");
}

int main(void)
{
    PVOID h = AddVectoredExceptionHandler(1, Handler);
    TestDemandZeroAndCounters();
    TestAccessViolations();
    TestGuardPages();
    TestCommitOnFault();
    RemoveVectoredExceptionHandler(h);
    Check(Failures == 0, "app_vm_faults", "some checks failed");
    return 0;
}
