/* Host tests for mm/pfnlist.c: the page lists over a private database. */
// HOST_SOURCES: mm/pfnlist.c
#include "htest.h"
#include "mi.h"
#include <stdlib.h>

#define PAGES 256
static MMPFN Array[PAGES];
static MI_PFN_DATABASE Db;

/* Pages 1..99 and 120..255 are RAM; 0 and 100..119 are a hole. */
static void Setup(void)
{
    MiInitializePfnLists(&Db, Array, PAGES - 1);
    MiAddFreeRun(&Db, 1, 99);
    MiAddFreeRun(&Db, 120, 136);
}

HTEST(pfnlist, initial_counts)
{
    Setup();
    HT_EQ(Db.PhysicalPages, 235);
    HT_EQ(Db.Lists[FreePageList].Total, 235);
    HT_EQ(Db.Lists[ZeroedPageList].Total, 0);
    HT_EQ(MiAvailablePages(&Db), 235);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}

HTEST(pfnlist, free_list_is_fifo)
{
    Setup();
    MMLISTS from;
    HT_EQ(MiRemoveAnyPageFrom(&Db, &from), 1);
    HT_EQ(from, FreePageList);
    HT_EQ(Array[1].PageLocation, ActiveAndValid);
    HT_EQ(Array[1].ReferenceCount, 1);
    MiReleasePage(&Db, 1);
    HT_EQ(MiRemoveAnyPageFrom(&Db, &from), 2);   /* page 1 went to the tail */
    HT_EQ(Db.ActivePages, 1);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}

HTEST(pfnlist, zero_request_prefers_zeroed_list)
{
    Setup();
    MMLISTS from;
    PFN_NUMBER p = MiRemovePageFromList(&Db, FreePageList);
    Db.ActivePages--;
    MiInsertPageInList(&Db, ZeroedPageList, p);    /* as the zeroing pass does */
    HT_EQ(MiRemoveZeroPageFrom(&Db, &from), p);
    HT_EQ(from, ZeroedPageList);
    HT_EQ(MiRemoveZeroPageFrom(&Db, &from), 2);     /* none zeroed left: a free one */
    HT_EQ(from, FreePageList);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}

HTEST(pfnlist, any_request_prefers_free_list)
{
    Setup();
    MMLISTS from;
    PFN_NUMBER p = MiRemovePageFromList(&Db, FreePageList);
    Db.ActivePages--;
    MiInsertPageInList(&Db, ZeroedPageList, p);
    HT_EQ(MiRemoveAnyPageFrom(&Db, &from), 2);
    HT_EQ(from, FreePageList);
}

HTEST(pfnlist, exhaustion_then_everything_back)
{
    Setup();
    PFN_NUMBER got[PAGES];
    ULONG n = 0;
    MMLISTS from;
    for (;;) {
        PFN_NUMBER p = MiRemoveAnyPageFrom(&Db, &from);
        if (p == MM_EMPTY_LIST)
            break;
        HT_ASSERT(p != 0 && (p < 100 || p >= 120));    /* never a hole */
        got[n++] = p;
    }
    HT_EQ(n, 235);
    HT_EQ(MiAvailablePages(&Db), 0);
    HT_EQ(MiRemoveZeroPageFrom(&Db, &from), MM_EMPTY_LIST);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
    for (ULONG i = 0; i < n; i++)
        MiReleasePage(&Db, got[i]);
    HT_EQ(MiAvailablePages(&Db), 235);
    HT_EQ(Db.ActivePages, 0);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}

HTEST(pfnlist, double_release_bugchecks_0x4e_0x99)
{
    Setup();
    MMLISTS from;
    PFN_NUMBER p = MiRemoveAnyPageFrom(&Db, &from);
    MiReleasePage(&Db, p);
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiReleasePage(&Db, p));
    HT_EQ(htest_bugcheck_params[0], 0x99);
    HT_EQ(htest_bugcheck_params[1], p);
    HT_EQ(htest_bugcheck_params[2], FreePageList);
}

HTEST(pfnlist, release_of_hole_or_out_of_range_bugchecks)
{
    Setup();
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiReleasePage(&Db, 105));
    HT_EQ(htest_bugcheck_params[0], 0x02);
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiReleasePage(&Db, PAGES + 5));
    HT_EQ(htest_bugcheck_params[1], PAGES + 5);
}

HTEST(pfnlist, broken_link_is_found_by_unlink_and_validator)
{
    Setup();
    Array[10].u2.Blink = 50;        /* a stray write into the database */
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiValidatePfnDatabase(&Db));
    HT_EQ(htest_bugcheck_params[0], 0x02);
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiUnlinkPageFromList(&Db, 10));
}

HTEST(pfnlist, wrong_total_is_found)
{
    Setup();
    Db.Lists[FreePageList].Total++;
    HT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiValidatePfnDatabase(&Db));
    HT_EQ(htest_bugcheck_params[0], 0x01);
}

HTEST(pfnlist, bad_list)
{
    Setup();
    MMLISTS from;
    PFN_NUMBER p = MiRemoveAnyPageFrom(&Db, &from);
    MiMarkPageBad(&Db, p);
    HT_EQ(Db.Lists[BadPageList].Total, 1);
    HT_EQ(MiAvailablePages(&Db), 234);
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}

HTEST(pfnlist, contiguous_search_alignment_boundary_limit)
{
    Setup();
    /* Highest first: 16 pages aligned to 16 below 255 start at 240. */
    HT_EQ(MiFindContiguousPages(&Db, 0, 255, 16, 16, 0), 240);
    /* Below 0x70 the hole at 100..119 is out of reach: aligned to 16, 80. */
    HT_EQ(MiFindContiguousPages(&Db, 0, 0x6F, 16, 16, 0), 80);
    /* 30 pages cannot span the hole: the run must be in 120..255 or 1..99. */
    PFN_NUMBER s = MiFindContiguousPages(&Db, 0, 130, 30, 1, 0);
    HT_EQ(s, 70);
    /* A boundary of 64 pages: 40 pages ending at 255 may not cross 192. */
    s = MiFindContiguousPages(&Db, 0, 255, 40, 1, 64);
    HT_EQ(s, 216);
    HT_ASSERT(s / 64 == (s + 39) / 64);
    /* Taken pages are skipped. */
    MMLISTS from;
    for (int i = 0; i < 99; i++)
        MiRemoveAnyPageFrom(&Db, &from);          /* pages 1..99 in use */
    HT_EQ(MiFindContiguousPages(&Db, 0, 119, 1, 1, 0), MM_EMPTY_LIST);
    HT_EQ(MiFindContiguousPages(&Db, 0, 255, 137, 1, 0), MM_EMPTY_LIST);
    HT_EQ(MiFindContiguousPages(&Db, 0, 255, 136, 1, 0), 120);
}

HTEST(pfnlist, random_storm_keeps_database_valid)
{
    Setup();
    PFN_NUMBER held[PAGES];
    ULONG n = 0;
    srand(12345);
    for (int step = 0; step < 20000; step++) {
        int op = rand() % 4;
        MMLISTS from;
        if (op < 2 && n < 235) {
            PFN_NUMBER p = op ? MiRemoveAnyPageFrom(&Db, &from) : MiRemoveZeroPageFrom(&Db, &from);
            HT_ASSERT(p != MM_EMPTY_LIST);
            held[n++] = p;
        } else if (op == 2 && n > 0) {
            ULONG i = (ULONG)rand() % n;
            MiReleasePage(&Db, held[i]);
            held[i] = held[--n];
        } else if (n > 0) {
            /* "zero" a held page: it goes to the zeroed list */
            ULONG i = (ULONG)rand() % n;
            Db.ActivePages--;
            MiInsertPageInList(&Db, ZeroedPageList, held[i]);
            held[i] = held[--n];
        }
        HT_EQ(Db.ActivePages, n);
        HT_EQ(MiAvailablePages(&Db) + n, 235);
        if (step % 16 == 0)
            HT_ASSERT(MiValidatePfnDatabase(&Db));
    }
    HT_ASSERT(MiValidatePfnDatabase(&Db));
}
