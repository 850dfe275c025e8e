/*
 * pfn.c - the system's PFN database: page allocation for the rest of the
 * kernel, zeroing, and the counts.
 *
 * The list logic is in pfnlist.c; this file adds what needs the machine:
 * the PFN lock (DISPATCH_LEVEL on this single processor, as NT's spinlock),
 * zeroing a page through hyperspace, and the idle-time zeroing pass that
 * NT's zero page thread does: free pages become zeroed pages while nothing
 * else runs, so a demand-zero fault later finds one ready.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"
#include "poolp.h"

extern ULONG MiSystemPageTableCount;

MI_PFN_DATABASE MiPfnDb;

void MiZeroPhysicalPage(PFN_NUMBER Page)
{
    KIRQL old;
    PVOID va = MiMapPageInHyperSpace(Page, &old);
    KeZeroPages(va, PAGE_SIZE);
    MiUnmapPageInHyperSpace(va, old);
}

PFN_NUMBER MiRemoveZeroPage(void)
{
    MMLISTS from;
    KIRQL old = MiAcquirePfnLock();
    PFN_NUMBER page = MiRemoveZeroPageFrom(&MiPfnDb, &from);
    MiReleasePfnLock(old);
    if (page != MM_EMPTY_LIST && from != ZeroedPageList)
        MiZeroPhysicalPage(page);
    return page;
}

ULONG MmZeroFreePages(ULONG MaxPages)
{
    ULONG done = 0;
    for (; done < MaxPages; done++) {
        KIRQL old = MiAcquirePfnLock();
        PFN_NUMBER page = MiRemovePageFromList(&MiPfnDb, FreePageList);
        MiReleasePfnLock(old);
        if (page == MM_EMPTY_LIST)
            break;
        /* Zeroed outside the PFN lock: the page is ours (in use) meanwhile. */
        MiZeroPhysicalPage(page);
        old = MiAcquirePfnLock();
        MiInsertActivePageInList(&MiPfnDb, ZeroedPageList, page);
        MiReleasePfnLock(old);
    }
    return done;
}

void MmGetPageCounts(MM_PAGE_COUNTS *Counts)
{
    KIRQL old = MiAcquirePfnLock();
    Counts->TotalPages = MiPfnDb.PhysicalPages;
    Counts->AvailablePages = MiAvailablePages(&MiPfnDb);
    Counts->ZeroedPages = MiPfnDb.Lists[ZeroedPageList].Total;
    Counts->FreePages = MiPfnDb.Lists[FreePageList].Total;
    Counts->StandbyPages = MiPfnDb.Lists[StandbyPageList].Total;
    Counts->ModifiedPages = MiPfnDb.Lists[ModifiedPageList].Total;
    Counts->BadPages = MiPfnDb.Lists[BadPageList].Total;
    Counts->ActivePages = MiPfnDb.ActivePages;
    Counts->HighestPage = MiPfnDb.HighestPage;
    Counts->PfnDatabaseBytes = (MiPfnDb.HighestPage + 1) * (ULONG)sizeof(MMPFN);
    MiReleasePfnLock(old);
    Counts->SystemPtesInUse = MiSystemPtesInUse();
    Counts->PoolPages = MiPoolPagesInUse(NonPagedPool) + MiPoolPagesInUse(PagedPool);
    Counts->SystemPageTables = MiSystemPageTableCount;
}
