/*
 * app_heap_lfh.c - the heap's front ends through Win32: HeapQueryInformation
 * and HeapSetInformation (HeapCompatibilityInformation: 0 none, 1 lookaside
 * lists, 2 the low-fragmentation heap), and the low-fragmentation heap as a
 * program sees it: exact sizes, reuse, in-place reallocation, the walk, and
 * memory going back on HeapCompact.
 */
#include <windows.h>
#include <string.h>
#include "apptest.h"

static ULONG FrontEnd(HANDLE h)
{
    ULONG v = 99;
    SIZE_T n = 0;
    if (!HeapQueryInformation(h, HeapCompatibilityInformation, &v, sizeof v, &n) || n != sizeof v)
        return 98;
    return v;
}

static BOOL SetFrontEnd(HANDLE h, ULONG v)
{
    return HeapSetInformation(h, HeapCompatibilityInformation, &v, sizeof v);
}

/* Committed bytes of the reservation holding p. */
static SIZE_T CommittedAround(void *p)
{
    MEMORY_BASIC_INFORMATION m;
    SIZE_T committed = 0;
    char *a;
    VirtualQuery(p, &m, sizeof m);
    a = (char *)m.AllocationBase;
    void *base = m.AllocationBase;
    while (VirtualQuery(a, &m, sizeof m) && m.AllocationBase == base) {
        if (m.State == MEM_COMMIT)
            committed += m.RegionSize;
        a += m.RegionSize;
    }
    return committed;
}

int main(void)
{
    HANDLE ph = GetProcessHeap(), h, ns;
    static char *Blocks[4000];
    ULONG v = 0;

    Check(FrontEnd(ph) == 2, "lfh/process_heap_has_the_lfh", R("front end %u", (unsigned)FrontEnd(ph)));
    h = HeapCreate(0, 0, 0);
    Check(FrontEnd(h) == 2, "lfh/growable_heap_has_the_lfh", R("front end %u", (unsigned)FrontEnd(h)));
    SetLastError(0);
    Check(!HeapQueryInformation(h, HeapCompatibilityInformation, &v, 2, NULL) &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER, "lfh/query_buffer_too_small",
          R("error %u", (unsigned)GetLastError()));
    Check(!HeapQueryInformation(h, (HEAP_INFORMATION_CLASS)7, &v, sizeof v, NULL) &&
          GetLastError() == ERROR_INVALID_PARAMETER, "lfh/query_unknown_class",
          R("error %u", (unsigned)GetLastError()));
    Check(HeapSetInformation(NULL, HeapEnableTerminationOnCorruption, NULL, 0),
          "lfh/termination_on_corruption_accepted", "FALSE");

    /* Same-size blocks come from one subsegment, in order; a freed one is reused first. */
    char *a = HeapAlloc(h, 0, 40), *b = HeapAlloc(h, 0, 40), *c;
    Check(a && b && b - a == 48, "lfh/same_size_blocks_are_neighbours", R("%p %p", a, b));
    HeapFree(h, 0, a);
    c = HeapAlloc(h, 0, 37);
    Check(c == a, "lfh/freed_block_reused_first", R("%p %p", c, a));
    Check(HeapSize(h, 0, c) == 37, "lfh/size_is_exact", R("%lu", (unsigned long)HeapSize(h, 0, c)));

    /* Once blocks are out, the LFH stays (as on Windows); a fresh heap may still choose. */
    Check(!SetFrontEnd(h, 0) && FrontEnd(h) == 2, "lfh/cannot_be_turned_off_once_used", "accepted");
    ns = HeapCreate(0, 0, 0);
    Check(SetFrontEnd(ns, 1) && FrontEnd(ns) == 1, "lfh/fresh_heap_may_take_lookaside", "refused");
    Check(SetFrontEnd(ns, 2) && FrontEnd(ns) == 2, "lfh/and_the_lfh_again", "refused");
    SetLastError(0);
    Check(!SetFrontEnd(ns, 3) && GetLastError() == ERROR_INVALID_PARAMETER,
          "lfh/unknown_front_end_refused", R("error %u", (unsigned)GetLastError()));
    HeapDestroy(ns);
    ns = HeapCreate(HEAP_NO_SERIALIZE, 0, 0);
    Check(FrontEnd(ns) == 0 && !SetFrontEnd(ns, 2), "lfh/no_serialize_heap_takes_none",
          R("front end %u", (unsigned)FrontEnd(ns)));
    HeapDestroy(ns);

    /* In place: growing inside the slot stays put; past it, in-place-only fails. */
    char *p = HeapAlloc(h, 0, 100);
    memset(p, 'x', 100);
    Check(HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, p, 104) == p && HeapSize(h, 0, p) == 104,
          "lfh/realloc_grows_inside_its_slot", "moved or failed");
    Check(HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, p, 400) == NULL && HeapSize(h, 0, p) == 104,
          "lfh/realloc_in_place_only_fails_past_the_slot", "grew");
    char *q = HeapAlloc(h, 0, 4000);
    Check(HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, q, 10) == q && HeapSize(h, 0, q) == 10,
          "lfh/shrink_in_place_keeps_exact_size", R("%lu", (unsigned long)HeapSize(h, 0, q)));
    char *r = HeapReAlloc(h, 0, p, 400);
    Check(r && r != p && r[99] == 'x' && HeapSize(h, 0, r) == 400, "lfh/realloc_moves_past_the_slot",
          "contents or size wrong");

    /* The walk sees every LFH block, busy with its exact size. */
    for (int i = 0; i < 300; i++)
        Blocks[i] = HeapAlloc(h, 0, 24);
    PROCESS_HEAP_ENTRY e;
    int busy24 = 0;
    e.lpData = NULL;
    HeapLock(h);
    while (HeapWalk(h, &e))
        if ((e.wFlags & PROCESS_HEAP_ENTRY_BUSY) && e.cbData == 24)
            busy24++;
    HeapUnlock(h);
    Check(busy24 == 300, "lfh/walk_shows_each_block", R("%d", busy24));
    for (int i = 0; i < 300; i++)
        HeapFree(h, 0, Blocks[i]);

    /* Thousands of small blocks freed, then compacted: the pages go back. */
    for (int i = 0; i < 4000; i++)
        Blocks[i] = HeapAlloc(h, 0, 64);
    SIZE_T full = CommittedAround(Blocks[0]);
    for (int i = 0; i < 4000; i++)
        HeapFree(h, 0, Blocks[i]);
    HeapCompact(h, 0);
    SIZE_T after = CommittedAround(Blocks[0]);
    Check(after + 200 * 1024 < full, "lfh/compact_gives_pages_back",
          R("committed %lu then %lu", (unsigned long)full, (unsigned long)after));
    Check(HeapValidate(h, 0, NULL), "lfh/heap_valid", "HeapValidate FALSE");
    Check(HeapDestroy(h), "lfh/destroy", "FALSE");
    return Failures;
}
