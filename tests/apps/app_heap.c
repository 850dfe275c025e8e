/*
 * app_heap.c - the Win32 heap API over reserve/commit (issue 8), with the
 * results Windows gives (Wine's kernel32 heap tests record them).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int Failures;
#define CHECK(name, cond) do { if (cond) printf("PASS app/heap_%s\n", name); \
    else { printf("FAIL app/heap_%s: %s\n", name, #cond); Failures++; } } while (0)

/* The bytes of one allocation (reservation) that are committed, by VirtualQuery. */
static SIZE_T CommittedIn(void *Base)
{
    MEMORY_BASIC_INFORMATION m;
    SIZE_T committed = 0;
    char *p = (char *)Base;
    while (VirtualQuery(p, &m, sizeof(m)) && m.AllocationBase == Base) {
        if (m.State == MEM_COMMIT)
            committed += m.RegionSize;
        p += m.RegionSize;
    }
    return committed;
}

static SIZE_T ReservedSize(void *Base)
{
    MEMORY_BASIC_INFORMATION m;
    SIZE_T total = 0;
    char *p = (char *)Base;
    while (VirtualQuery(p, &m, sizeof(m)) && m.AllocationBase == Base && m.State != MEM_FREE) {
        total += m.RegionSize;
        p += m.RegionSize;
    }
    return total;
}

static int IsFree(void *p)
{
    MEMORY_BASIC_INFORMATION m;
    return VirtualQuery(p, &m, sizeof(m)) && m.State == MEM_FREE;
}

int main(void)
{
    HANDLE ph = GetProcessHeap();
    HANDLE heaps[8];
    CHECK("process_heap_exists", ph != NULL);
    CHECK("process_heap_is_listed", GetProcessHeaps(8, heaps) >= 1 && heaps[0] == ph);
    MEMORY_BASIC_INFORMATION m;
    VirtualQuery(ph, &m, sizeof(m));
    CHECK("process_heap_reserves_one_megabyte", ReservedSize(m.AllocationBase) == 0x100000);

    HANDLE h = HeapCreate(0, 0, 0);
    CHECK("create_growable", h != NULL);

    void *z = HeapAlloc(h, 0, 0);
    CHECK("alloc_zero_bytes_gives_a_block", z != NULL && HeapSize(h, 0, z) == 0);
    int exact = 1;
    for (SIZE_T n = 1; n < 300; n += 7) {
        void *p = HeapAlloc(h, 0, n);
        exact &= p != NULL && HeapSize(h, 0, p) == n && ((ULONG_PTR)p & 7) == 0;
        HeapFree(h, 0, p);
    }
    CHECK("size_is_exact_and_blocks_8_byte_aligned", exact);
    unsigned char *zm = HeapAlloc(h, HEAP_ZERO_MEMORY, 1000);
    int zeros = 1;
    for (int i = 0; i < 1000; i++)
        zeros &= zm[i] == 0;
    CHECK("zero_memory", zeros);

    /* In place only: grows where the next block is free, fails where it is not. */
    char *a = HeapAlloc(h, 0, 64);
    char *b = HeapAlloc(h, 0, 64);
    memset(a, 'a', 64);
    CHECK("realloc_in_place_only_fails_when_it_cannot_grow",
          HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, a, 100000) == NULL && a[63] == 'a');
    char *moved = HeapReAlloc(h, 0, a, 100000);
    CHECK("realloc_may_move_and_keeps_contents", moved != NULL && moved[0] == 'a' && moved[63] == 'a');
    HeapFree(h, 0, b);

    /* A big block in a growable heap gets its own region, released on free. */
    char *big = HeapAlloc(h, 0, 0x200000);
    VirtualQuery(big, &m, sizeof(m));
    CHECK("big_block_gets_its_own_region", big != NULL && m.AllocationBase != (void *)h &&
          ReservedSize(m.AllocationBase) >= 0x200000);
    big[0x1FFFFF] = 1;
    void *bigBase = m.AllocationBase;
    HeapFree(h, 0, big);
    CHECK("big_block_region_released_on_free", IsFree(bigBase));

    /* HeapWalk: every block we hold is a busy entry of its size; one region at least. */
    void *held[20];
    for (int i = 0; i < 20; i++)
        held[i] = HeapAlloc(h, 0, 100 + i * 10);
    PROCESS_HEAP_ENTRY e;
    e.lpData = NULL;
    int regions = 0, found = 0;
    while (HeapWalk(h, &e)) {
        if (e.wFlags & PROCESS_HEAP_REGION)
            regions++;
        else if (e.wFlags & PROCESS_HEAP_ENTRY_BUSY)
            for (int i = 0; i < 20; i++)
                if (e.lpData == held[i] && e.cbData == (DWORD)(100 + i * 10))
                    found++;
    }
    CHECK("walk_ends_with_no_more_items", GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK("walk_sees_every_block_and_a_region", regions >= 1 && found == 20);

    /* Compact gives committed pages back after a burst of frees. */
    void *burst[64];
    for (int i = 0; i < 64; i++)
        burst[i] = HeapAlloc(h, 0, 4000);
    SIZE_T before = CommittedIn(h);
    for (int i = 0; i < 64; i++)
        HeapFree(h, 0, burst[i]);
    SIZE_T largest = HeapCompact(h, 0);
    SIZE_T after = CommittedIn(h);
    CHECK("compact_returns_largest_free_block", largest > 0);
    CHECK("compact_gives_committed_pages_back", after < before);

    CHECK("validate_whole_heap", HeapValidate(h, 0, NULL));
    CHECK("lock_and_unlock", HeapLock(h) && HeapUnlock(h));
    CHECK("destroy", HeapDestroy(h));
    CHECK("destroy_releases_its_regions", IsFree(h));
    CHECK("process_heap_cannot_be_destroyed", !HeapDestroy(ph));

    /* A fixed heap never grows past its maximum. */
    HANDLE fixed = HeapCreate(0, 0, 0x10000);
    SIZE_T total = 0;
    void *p;
    while ((p = HeapAlloc(fixed, 0, 1024)) != NULL)
        total += 1024;
    CHECK("fixed_heap_refuses_past_its_maximum", total > 0 && total < 0x10000);
    CHECK("fixed_heap_refuses_big_blocks", HeapAlloc(fixed, 0, 0x20000) == NULL);
    HeapDestroy(fixed);

    /* malloc and friends go to the process heap. */
    char *s = malloc(10);
    strcpy(s, "seed 002");
    s = realloc(s, 5000);
    CHECK("malloc_realloc_keep_contents", s && strcmp(s, "seed 002") == 0 &&
          HeapSize(ph, 0, s) == 5000);
    int *c = calloc(100, sizeof(int));
    int allZero = 1;
    for (int i = 0; i < 100; i++)
        allZero &= c[i] == 0;
    CHECK("calloc_zeroes", c && allZero);
    volatile size_t huge = (size_t)-1 / 2;     /* volatile: the overflow is at run time */
    CHECK("calloc_overflow_is_null", calloc(huge, 4) == NULL);
    free(s);
    free(c);
    free(NULL);

    /* Local and Global memory (seeds 000 and 002). */
    char *fixedPtr = GlobalAlloc(GPTR, 100);
    CHECK("global_fixed_is_a_zeroed_pointer", fixedPtr && fixedPtr[99] == 0 &&
          GlobalLock(fixedPtr) == fixedPtr && GlobalSize(fixedPtr) == 100);
    HGLOBAL g = GlobalAlloc(GHND, 64);
    char *gp = GlobalLock(g);
    CHECK("global_moveable_is_a_handle", g && (void *)g != (void *)gp && gp && gp[63] == 0);
    CHECK("global_lock_count", GlobalFlags(g) == 1 && GlobalLock(g) == gp && GlobalFlags(g) == 2);
    GlobalUnlock(g);
    SetLastError(12345);
    CHECK("global_unlock_to_zero_returns_false_no_error", !GlobalUnlock(g) && GetLastError() == NO_ERROR);
    CHECK("global_unlock_when_unlocked_fails", !GlobalUnlock(g) && GetLastError() == ERROR_NOT_LOCKED);
    strcpy(gp, "moveable");
    CHECK("global_realloc_keeps_the_handle", GlobalReAlloc(g, 100000, GMEM_MOVEABLE) == g &&
          GlobalSize(g) == 100000 && strcmp(GlobalLock(g), "moveable") == 0);
    GlobalUnlock(g);
    CHECK("global_free", GlobalFree(g) == NULL && GlobalFree(fixedPtr) == NULL);
    HLOCAL d = LocalAlloc(LMEM_MOVEABLE, 0);
    CHECK("local_moveable_zero_bytes_is_discarded", d && LocalLock(d) == NULL &&
          (LocalFlags(d) & LMEM_DISCARDED));
    LocalFree(d);
    char *lp = LocalAlloc(LPTR, 32);
    CHECK("local_fixed_zeroed", lp && lp[31] == 0 && LocalSize(lp) == 32 && LocalFree(lp) == NULL);
    HGLOBAL bogus = (HGLOBAL)(ULONG_PTR)0x12345674;
    CHECK("free_of_a_bad_handle_returns_it", GlobalFree(bogus) == bogus &&
          GetLastError() == ERROR_INVALID_HANDLE);
    return Failures;
}
