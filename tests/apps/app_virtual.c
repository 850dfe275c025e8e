// app_virtual.c - VirtualAlloc, VirtualFree, VirtualProtect, VirtualQuery,
// VirtualLock and GetSystemInfo: each rule with its exact result and
// GetLastError code, as Windows (NT 5.x) gives them. The cases restate
// those Wine's dlls/kernel32/tests/virtual.c records for Windows.
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

#define ERR() ((unsigned long)GetLastError())

/* Fails with exactly the error: the call's result is 0/NULL and GetLastError says Error. */
static void CheckFails(int failed, DWORD Error, const char *name)
{
    Check(failed && GetLastError() == Error, name,
          R("failed %d error %lu, expected %lu", failed, ERR(), (unsigned long)Error));
}

static SIZE_T Query(const void *p, MEMORY_BASIC_INFORMATION *mbi)
{
    memset(mbi, 0x71, sizeof(*mbi));
    return VirtualQuery(p, mbi, sizeof(*mbi));
}

static SIZE_T PrivateBytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc));
    return pmc.PagefileUsage;
}

/* Seed 003: an 8-byte VirtualAlloc takes a 64 KB-aligned block of address
 * space and commits one whole page. */
static void TestEightBytes(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T before = PrivateBytes();
    char *p = VirtualAlloc(NULL, 8, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    Check(p != NULL && ((ULONG_PTR)p & 0xFFFF) == 0, "virtual_alloc_8_bytes_is_64k_aligned",
          R("p %p error %lu", (void *)p, ERR()));
    if (!p)
        return;
    Check(PrivateBytes() - before == 4096, "virtual_alloc_8_bytes_commits_one_page",
          R("charge grew by %lu", (unsigned long)(PrivateBytes() - before)));
    Query(p, &mbi);
    Check(mbi.BaseAddress == p && mbi.AllocationBase == p && mbi.RegionSize == 0x1000 &&
          mbi.State == MEM_COMMIT && mbi.Protect == PAGE_READWRITE &&
          mbi.AllocationProtect == PAGE_READWRITE && mbi.Type == MEM_PRIVATE,
          "virtual_alloc_8_bytes_query_one_committed_page",
          R("size 0x%lx state 0x%lx protect 0x%lx type 0x%lx", (unsigned long)mbi.RegionSize,
            (unsigned long)mbi.State, (unsigned long)mbi.Protect, (unsigned long)mbi.Type));
    p[0] = 1;
    p[4095] = 2;
    /* The rest of the 64 KB is free but nobody can reserve it: a reservation's
     * base rounds down to 64 KB, onto this one. */
    Query(p + 0x1000, &mbi);
    Check(mbi.State == MEM_FREE && mbi.AllocationBase == NULL,
          "virtual_alloc_8_bytes_rest_of_block_is_free", R("state 0x%lx", (unsigned long)mbi.State));
    SetLastError(0xdeadbeef);
    CheckFails(VirtualAlloc(p + 0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL,
               ERROR_INVALID_ADDRESS, "virtual_alloc_8_bytes_rest_of_block_unusable");
    char *q = VirtualAlloc(NULL, 8, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    Check(q != NULL && (q >= p + 0x10000 || q + 0x10000 <= p),
          "virtual_alloc_8_bytes_next_allocation_is_64k_away", R("p %p q %p", (void *)p, (void *)q));
    Check(VirtualFree(p, 0, MEM_RELEASE) && VirtualFree(q, 0, MEM_RELEASE) &&
          PrivateBytes() == before, "virtual_free_release_returns_commit_charge",
          R("charge %lu before %lu", (unsigned long)PrivateBytes(), (unsigned long)before));
}

static void TestParameters(void)
{
    DWORD old;
    SetLastError(0xdeadbeef);
    CheckFails(VirtualAlloc(NULL, 0, MEM_RESERVE, PAGE_NOACCESS) == NULL, ERROR_INVALID_PARAMETER,
               "virtual_alloc_zero_size_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_RESERVE, 0) == NULL, ERROR_INVALID_PARAMETER,
               "virtual_alloc_protect_zero_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READONLY | PAGE_EXECUTE) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_two_protections_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_WRITECOPY) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_writecopy_private_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_NOACCESS | PAGE_GUARD) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_noaccess_guard_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_guard_nocache_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, 0, PAGE_READWRITE) == NULL, ERROR_INVALID_PARAMETER,
               "virtual_alloc_type_zero_invalid_parameter");
    CheckFails(VirtualAlloc(NULL, 0x1000, MEM_RESET | MEM_COMMIT, PAGE_READWRITE) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_reset_with_commit_invalid_parameter");
    CheckFails(VirtualAlloc((void *)0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL,
               ERROR_INVALID_PARAMETER, "virtual_alloc_below_64k_invalid_parameter");
    MEMORY_BASIC_INFORMATION mbi;
    CheckFails(VirtualQuery((void *)0x80001000, &mbi, sizeof(mbi)) == 0, ERROR_INVALID_PARAMETER,
               "virtual_query_kernel_address_invalid_parameter");
    CheckFails(VirtualQuery(&mbi, &mbi, sizeof(mbi) - 1) == 0, ERROR_BAD_LENGTH,
               "virtual_query_short_buffer_bad_length");
    CheckFails(!VirtualProtect((void *)0x20000000, 0x1000, PAGE_READONLY, &old),
               ERROR_INVALID_ADDRESS, "virtual_protect_free_memory_invalid_address");
    CheckFails(!VirtualFree((void *)0x20000000, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS,
               "virtual_free_free_memory_invalid_address");
}

/* Wine's test_VirtualAlloc sequence: reserve, commit a page, protections. */
static void TestReserveCommitProtect(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    DWORD old = 0;
    char *a = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    Check(a != NULL, "virtual_reserve_0xfffc", R("error %lu", ERR()));
    if (!a)
        return;
    Query(a, &mbi);
    Check(mbi.BaseAddress == a && mbi.AllocationBase == a && mbi.AllocationProtect == PAGE_NOACCESS &&
          mbi.RegionSize == 0x10000 && mbi.State == MEM_RESERVE && mbi.Protect == 0 &&
          mbi.Type == MEM_PRIVATE, "virtual_query_reserved_region",
          R("size 0x%lx state 0x%lx protect 0x%lx", (unsigned long)mbi.RegionSize,
            (unsigned long)mbi.State, (unsigned long)mbi.Protect));
    CheckFails(!VirtualProtect(a, 0xFFFC, PAGE_READONLY, &old), ERROR_INVALID_ADDRESS,
               "virtual_protect_reserved_invalid_address");
    Check(VirtualAlloc(a, 0x1000, MEM_COMMIT, PAGE_NOACCESS) == a, "virtual_commit_one_page",
          R("error %lu", ERR()));
    Query(a, &mbi);
    Check(mbi.RegionSize == 0x1000 && mbi.State == MEM_COMMIT && mbi.Protect == PAGE_NOACCESS &&
          mbi.AllocationProtect == PAGE_NOACCESS, "virtual_query_committed_noaccess_page",
          R("size 0x%lx state 0x%lx protect 0x%lx", (unsigned long)mbi.RegionSize,
            (unsigned long)mbi.State, (unsigned long)mbi.Protect));
    CheckFails(!VirtualProtect(a, 0xFFFC, PAGE_READONLY, &old), ERROR_INVALID_ADDRESS,
               "virtual_protect_partly_committed_invalid_address");
    Check(VirtualProtect(a, 0x1000, PAGE_READONLY, &old) && old == PAGE_NOACCESS,
          "virtual_protect_returns_old_noaccess", R("old 0x%lx", (unsigned long)old));
    Check(VirtualProtect(a, 0x1000, PAGE_READWRITE, &old) && old == PAGE_READONLY,
          "virtual_protect_returns_old_readonly", R("old 0x%lx", (unsigned long)old));
    CheckFails(!VirtualProtect(a, 0x1000, PAGE_READWRITE | PAGE_EXECUTE_WRITECOPY, &old),
               ERROR_INVALID_PARAMETER, "virtual_protect_two_protections_invalid_parameter");
    CheckFails(!VirtualProtect(a, 0x1000, PAGE_WRITECOPY, &old), ERROR_INVALID_PARAMETER,
               "virtual_protect_writecopy_private_invalid_parameter");
    memset(a, 0x55, 20);
    Check(*(DWORD *)a == 0x55555555, "virtual_committed_page_is_writable", "bad data");

    /* MEM_RESET: contents may go, the page stays committed read/write. */
    Check(VirtualAlloc(a, 0x1000, MEM_RESET, PAGE_NOACCESS) == a, "virtual_reset_committed",
          R("error %lu", ERR()));
    Query(a, &mbi);
    Check(mbi.State == MEM_COMMIT && mbi.Protect == PAGE_READWRITE && mbi.RegionSize == 0x1000 &&
          (*(DWORD *)a == 0x55555555 || *(DWORD *)a == 0), "virtual_reset_stays_committed",
          R("state 0x%lx protect 0x%lx", (unsigned long)mbi.State, (unsigned long)mbi.Protect));
    Check(VirtualAlloc(a + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS) == a + 0x1000,
          "virtual_reset_reserved_succeeds", R("error %lu", ERR()));
    Query(a + 0x1000, &mbi);
    Check(mbi.RegionSize == 0xF000 && mbi.State == MEM_RESERVE && mbi.Protect == 0,
          "virtual_reset_reserved_stays_reserved", R("size 0x%lx", (unsigned long)mbi.RegionSize));
    CheckFails(VirtualAlloc(a + 0xF000, 0x2000, MEM_RESET, PAGE_NOACCESS) == NULL,
               ERROR_INVALID_ADDRESS, "virtual_reset_past_reservation_invalid_address");

    /* Commit: rounded to pages, inside one reservation. */
    CheckFails(VirtualAlloc(a + 0xF000, 0x2000, MEM_COMMIT, PAGE_READWRITE) == NULL,
               ERROR_INVALID_ADDRESS, "virtual_commit_past_reservation_invalid_address");
    Check(VirtualAlloc(a + 0x2010, 0x1000, MEM_COMMIT, PAGE_READONLY) == a + 0x2000,
          "virtual_commit_rounds_to_pages", "wrong base");
    Query(a + 0x2000, &mbi);
    Check(mbi.RegionSize == 0x2000 && mbi.Protect == PAGE_READONLY, "virtual_commit_spans_two_pages",
          R("size 0x%lx", (unsigned long)mbi.RegionSize));

    /* VirtualFree's rules. */
    CheckFails(!VirtualFree(a, 0x10000, 0), ERROR_INVALID_PARAMETER,
               "virtual_free_type_zero_invalid_parameter");
    CheckFails(!VirtualFree(a, 0, MEM_FREE), ERROR_INVALID_PARAMETER,
               "virtual_free_mem_free_invalid_parameter");
    CheckFails(!VirtualFree(a, 0, MEM_DECOMMIT | MEM_RELEASE), ERROR_INVALID_PARAMETER,
               "virtual_free_both_types_invalid_parameter");
    CheckFails(!VirtualFree(a, 1, MEM_RELEASE), ERROR_INVALID_PARAMETER,
               "virtual_free_release_nonzero_size_invalid_parameter");
    CheckFails(!VirtualFree(a + 0x1000, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS,
               "virtual_free_release_not_at_base_invalid_address");
    CheckFails(!VirtualFree(a + 0xF000, 0x2000, MEM_DECOMMIT), ERROR_INVALID_PARAMETER,
               "virtual_free_decommit_past_reservation_unable_to_free");
    Check(VirtualFree(a + 0x4000, 0x3000, MEM_DECOMMIT), "virtual_decommit_uncommitted_succeeds",
          R("error %lu", ERR()));
    Check(VirtualFree(a, 0x10000, MEM_DECOMMIT), "virtual_decommit_whole_reservation",
          R("error %lu", ERR()));
    Query(a, &mbi);
    Check(mbi.State == MEM_RESERVE && mbi.RegionSize == 0x10000, "virtual_decommit_leaves_reserved",
          R("state 0x%lx size 0x%lx", (unsigned long)mbi.State, (unsigned long)mbi.RegionSize));
    Check(VirtualFree(a, 0, MEM_RELEASE), "virtual_release_reservation", R("error %lu", ERR()));
    Query(a, &mbi);
    Check(mbi.State == MEM_FREE && mbi.Protect == PAGE_NOACCESS && mbi.AllocationBase == NULL &&
          mbi.Type == 0, "virtual_query_released_is_free",
          R("state 0x%lx protect 0x%lx", (unsigned long)mbi.State, (unsigned long)mbi.Protect));
    CheckFails(!VirtualFree(a, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS,
               "virtual_release_twice_invalid_address");

    /* An image cannot be freed with VirtualFree (STATUS_UNABLE_TO_FREE_VM). */
    Query((void *)TestReserveCommitProtect, &mbi);
    Check(mbi.Type == MEM_IMAGE, "virtual_query_code_is_image", R("type 0x%lx", (unsigned long)mbi.Type));
    CheckFails(!VirtualFree(mbi.AllocationBase, 0, MEM_RELEASE), ERROR_INVALID_PARAMETER,
               "virtual_free_image_invalid_parameter");
}

/* A reservation's base rounds down to 64 KB, its end up to a page. */
static void TestExplicitReserve(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    char *probe = VirtualAlloc(NULL, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    if (!probe || !VirtualFree(probe, 0, MEM_RELEASE)) {
        Check(0, "virtual_reserve_at_address_rounds", "no free block");
        return;
    }
    char *p = VirtualAlloc(probe + 0x1234, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    Query(probe, &mbi);
    Check(p == probe && mbi.RegionSize == 0x4000 && mbi.State == MEM_RESERVE,
          "virtual_reserve_at_address_rounds_base_down_end_up",
          R("p %p probe %p size 0x%lx", (void *)p, (void *)probe, (unsigned long)mbi.RegionSize));
    CheckFails(VirtualAlloc(probe + 0x3000, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL,
               ERROR_INVALID_ADDRESS, "virtual_reserve_overlapping_invalid_address");
    VirtualFree(p, 0, MEM_RELEASE);
    /* MEM_COMMIT alone where nothing is reserved. */
    CheckFails(VirtualAlloc(probe, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL,
               ERROR_INVALID_ADDRESS, "virtual_commit_free_memory_invalid_address");
    /* MEM_COMMIT alone with a NULL base reserves too. */
    char *c = VirtualAlloc(NULL, 0x3000, MEM_COMMIT, PAGE_READWRITE);
    Query(c, &mbi);
    Check(c != NULL && mbi.State == MEM_COMMIT && mbi.RegionSize == 0x3000 && mbi.AllocationBase == c,
          "virtual_commit_null_base_reserves_and_commits", R("error %lu", ERR()));
    c[0x2FFF] = 1;
    VirtualFree(c, 0, MEM_RELEASE);
}

/* MEM_TOP_DOWN takes the highest free block, then the next one down. */
static void TestTopDown(void)
{
    char *low = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    char *a = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    char *b = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    Check(low && a && b && b < a && a > low && (ULONG_PTR)a >= 0x70000000,
          "virtual_top_down_allocates_downward_from_the_top",
          R("low %p a %p b %p", (void *)low, (void *)a, (void *)b));
    VirtualFree(low, 0, MEM_RELEASE);
    VirtualFree(a, 0, MEM_RELEASE);
    VirtualFree(b, 0, MEM_RELEASE);
}

static void TestLock(void)
{
    char *p = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(p, 0x4000, MEM_COMMIT, PAGE_READWRITE);
    Check(VirtualLock(p, 0x2000), "virtual_lock_committed_pages", R("error %lu", ERR()));
    Check(p[0] == 0 && p[0x1FFF] == 0, "virtual_locked_pages_read_zero", "not zero");
    Check(VirtualLock(p, 0x1000), "virtual_lock_locked_page_again", R("error %lu", ERR()));
    Check(VirtualUnlock(p, 0x2000), "virtual_unlock_locked_pages", R("error %lu", ERR()));
    CheckFails(!VirtualUnlock(p, 0x1000), ERROR_NOT_LOCKED, "virtual_unlock_unlocked_not_locked");
    CheckFails(!VirtualLock(p + 0x4000, 0x1000), ERROR_NOACCESS, "virtual_lock_reserved_noaccess");
    char *big = VirtualAlloc(NULL, 0x40000, MEM_COMMIT, PAGE_READWRITE);
    CheckFails(big && !VirtualLock(big, 0x40000), ERROR_WORKING_SET_QUOTA,
               "virtual_lock_past_quota_working_set_quota");
    VirtualFree(big, 0, MEM_RELEASE);
    VirtualFree(p, 0, MEM_RELEASE);
}

static void TestSystemInfo(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    Check(si.dwPageSize == 4096 && si.dwAllocationGranularity == 65536 &&
          si.lpMinimumApplicationAddress == (void *)0x00010000 &&
          si.lpMaximumApplicationAddress == (void *)0x7FFEFFFF && si.dwNumberOfProcessors == 1 &&
          si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL,
          "virtual_get_system_info",
          R("page %lu gran %lu min %p max %p cpus %lu", (unsigned long)si.dwPageSize,
            (unsigned long)si.dwAllocationGranularity, si.lpMinimumApplicationAddress,
            si.lpMaximumApplicationAddress, (unsigned long)si.dwNumberOfProcessors));
    MEMORYSTATUSEX ms;
    ms.dwLength = sizeof(ms) - 1;
    CheckFails(!GlobalMemoryStatusEx(&ms), ERROR_INVALID_PARAMETER,
               "virtual_global_memory_status_ex_bad_length");
    ms.dwLength = sizeof(ms);
    Check(GlobalMemoryStatusEx(&ms) && ms.ullTotalVirtual == 0x7FFE0000ull &&
          ms.ullAvailPhys <= ms.ullTotalPhys && ms.ullTotalPhys > 0 && ms.dwMemoryLoad <= 100 &&
          ms.ullAvailPageFile <= ms.ullTotalPageFile && ms.ullAvailVirtual < ms.ullTotalVirtual,
          "virtual_global_memory_status_ex",
          R("total virtual 0x%llx phys %llu avail %llu", (unsigned long long)ms.ullTotalVirtual,
            (unsigned long long)ms.ullTotalPhys, (unsigned long long)ms.ullAvailPhys));
    char *p = VirtualAlloc(NULL, 0x100000, MEM_RESERVE, PAGE_READWRITE);
    MEMORYSTATUSEX after;
    after.dwLength = sizeof(after);
    GlobalMemoryStatusEx(&after);
    Check(ms.ullAvailVirtual - after.ullAvailVirtual == 0x100000,
          "virtual_global_memory_status_avail_virtual_counts_reservations",
          R("delta %llu", (unsigned long long)(ms.ullAvailVirtual - after.ullAvailVirtual)));
    VirtualFree(p, 0, MEM_RELEASE);
    MEMORYSTATUS m;
    GlobalMemoryStatus(&m);
    Check(m.dwLength == sizeof(m) && m.dwTotalVirtual == 0x7FFE0000 && m.dwTotalPhys > 0,
          "virtual_global_memory_status", R("length %lu", (unsigned long)m.dwLength));
}

int main(void)
{
    TestEightBytes();
    TestParameters();
    TestReserveCommitProtect();
    TestExplicitReserve();
    TestTopDown();
    TestLock();
    TestSystemInfo();
    Check(Failures == 0, "app_virtual", "some checks failed");
    return 0;
}
