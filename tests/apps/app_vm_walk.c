// app_vm_walk.c - a VirtualQuery walk of the whole user address space, as
// seed 001's ProcessWalker shows it: every byte from 0 to 0x7FFF0000 in
// exactly one region, regions back to back, free ones as Windows reports
// them; and a commit past the system commit limit failing with
// ERROR_COMMITMENT_LIMIT while the system goes on.
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

static const char *StateName(DWORD s)
{
    return s == MEM_FREE ? "free" : s == MEM_RESERVE ? "reserve" : s == MEM_COMMIT ? "commit" : "?";
}

static void TestWalk(void)
{
    /* Something of each kind to find: reserved, committed, a guard page. */
    char *mixed = VirtualAlloc(NULL, 0x40000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(mixed + 0x10000, 0x2000, MEM_COMMIT, PAGE_READONLY);
    VirtualAlloc(mixed + 0x12000, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);

    ULONG_PTR cursor = 0, total = 0;
    int regions = 0, contiguous = 1, consistent = 1, image = 0, stack = 0, found = 0;
    MEMORY_BASIC_INFORMATION mbi;
    printf("  BaseAddress  RegionSize  State    Protect  AllocBase   Type\n");
    while (cursor < 0x7FFF0000 && VirtualQuery((void *)cursor, &mbi, sizeof(mbi)) == sizeof(mbi)) {
        if ((ULONG_PTR)mbi.BaseAddress != cursor || mbi.RegionSize == 0)
            contiguous = 0;
        if (mbi.State == MEM_FREE && (mbi.AllocationBase != NULL || mbi.Type != 0 ||
                                      mbi.Protect != PAGE_NOACCESS || mbi.AllocationProtect != 0))
            consistent = 0;
        if (mbi.State == MEM_RESERVE && mbi.Protect != 0)
            consistent = 0;
        if (mbi.State != MEM_FREE && (ULONG_PTR)mbi.AllocationBase > cursor)
            consistent = 0;
        if (mbi.Type == MEM_IMAGE && mbi.State == MEM_COMMIT)
            image = 1;
        if ((ULONG_PTR)&mbi >= cursor && (ULONG_PTR)&mbi < cursor + mbi.RegionSize &&
            mbi.State == MEM_COMMIT && mbi.Protect == PAGE_READWRITE && mbi.Type == MEM_PRIVATE)
            stack = 1;
        if (mbi.BaseAddress == mixed + 0x12000 && mbi.Protect == (PAGE_READWRITE | PAGE_GUARD) &&
            mbi.RegionSize == 0x1000 && mbi.AllocationBase == mixed)
            found = 1;
        if (mbi.State != MEM_FREE)
            printf("  %08lx     %08lx    %-7s  %04lx     %08lx    %s\n", (unsigned long)cursor,
                   (unsigned long)mbi.RegionSize, StateName(mbi.State), (unsigned long)mbi.Protect,
                   (unsigned long)(ULONG_PTR)mbi.AllocationBase,
                   mbi.Type == MEM_IMAGE ? "image" : "private");
        total += mbi.RegionSize;
        cursor += mbi.RegionSize;
        regions++;
        if (regions > 100000)
            break;
    }
    Check(contiguous && cursor == 0x7FFF0000 && total == 0x7FFF0000,
          "vm_walk_accounts_for_every_byte",
          R("regions %d end 0x%lx total 0x%lx contiguous %d", regions, (unsigned long)cursor,
            (unsigned long)total, contiguous));
    Check(consistent, "vm_walk_regions_consistent_with_state", "a region's fields disagree");
    Check(image && stack, "vm_walk_finds_image_and_stack", R("image %d stack %d", image, stack));
    Check(found, "vm_walk_finds_guard_region", "the guard page region is missing");
    VirtualQuery(NULL, &mbi, sizeof(mbi));
    Check(mbi.State == MEM_FREE && mbi.BaseAddress == NULL && mbi.RegionSize >= 0x10000,
          "vm_walk_first_64k_free", R("state 0x%lx size 0x%lx", (unsigned long)mbi.State,
                                      (unsigned long)mbi.RegionSize));
    VirtualFree(mixed, 0, MEM_RELEASE);
}

static void TestCommitLimit(void)
{
    MEMORYSTATUSEX ms;
    ms.dwLength = sizeof(ms);
    GlobalMemoryStatusEx(&ms);
    /* A commit beyond what is left: reserve it first so that address space
     * is not what fails. Above 1.5 GB the address space runs out first. */
    ULONGLONG want = ms.ullAvailPageFile + 0x400000;
    if (want > 0x60000000ull) {
        Check(1, "vm_commit_past_limit_fails_commitment_limit", "");
        Check(1, "vm_system_goes_on_after_commit_limit", "");
        return;
    }
    char *r = VirtualAlloc(NULL, (SIZE_T)want, MEM_RESERVE, PAGE_READWRITE);
    SetLastError(0xdeadbeef);
    char *c = r ? VirtualAlloc(r, (SIZE_T)want, MEM_COMMIT, PAGE_READWRITE) : NULL;
    Check(r != NULL && c == NULL && GetLastError() == ERROR_COMMITMENT_LIMIT,
          "vm_commit_past_limit_fails_commitment_limit",
          R("reserve %p commit %p error %lu avail %llu", (void *)r, (void *)c,
            (unsigned long)GetLastError(), (unsigned long long)ms.ullAvailPageFile));
    SetLastError(0xdeadbeef);
    {
        char *d = VirtualAlloc(NULL, (SIZE_T)want, MEM_COMMIT, PAGE_READWRITE);
        Check(d == NULL && GetLastError() == ERROR_COMMITMENT_LIMIT,
              "vm_reserve_and_commit_past_limit_fails_commitment_limit",
              R("d %p error %lu", (void *)d, (unsigned long)GetLastError()));
    }
    /* Half of what is left still commits, and its pages can be touched. */
    SIZE_T half = (SIZE_T)(ms.ullAvailPageFile / 2) & ~(SIZE_T)0xFFF;
    if (half > 0x100000)
        half = 0x100000;
    char *ok = r ? VirtualAlloc(r, half, MEM_COMMIT, PAGE_READWRITE) : NULL;
    int good = ok != NULL;
    for (SIZE_T i = 0; good && i < half; i += 4096)
        ok[i] = 1;
    MEMORYSTATUSEX after;
    after.dwLength = sizeof(after);
    GlobalMemoryStatusEx(&after);
    Check(good && VirtualFree(r, 0, MEM_RELEASE), "vm_system_goes_on_after_commit_limit",
          R("commit of %lu bytes failed: %lu", (unsigned long)half, (unsigned long)GetLastError()));
}

int main(void)
{
    TestWalk();
    TestCommitLimit();
    Check(Failures == 0, "app_vm_walk", "some checks failed");
    return 0;
}
