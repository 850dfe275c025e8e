/*
 * pfnlist.c - the PFN database's page lists.
 *
 * Every physical page of RAM has an MMPFN and is in exactly one state:
 *
 *     zeroed ----(remove)---+                       +--> bad
 *       ^                   v                       |
 *    zero it             ActiveAndValid (in use) ---+
 *       |                   |
 *     free <---(release)----+        standby / modified: pages that left a
 *                                    working set but still hold data (later)
 *
 * The lists are doubly linked through the MMPFN entries by page number, not
 * by pointer, as NT links them: u1.Flink and u2.Blink, MM_EMPTY_LIST at the
 * ends, the heads in MMPFNLIST with a Total. Insertion is at the tail and
 * removal at the head, so a freed page is the last to be reused (its stale
 * TLB entries and contents have the longest time to go). Every operation is
 * O(1) and checks the links it touches; MiValidatePfnDatabase checks them all.
 * The operations on the allocation path are inline in mi.h.
 *
 * This file is pure: it works on any MI_PFN_DATABASE (the kernel's, or a
 * test's private one) and never maps or zeroes a page; pfn.c does that.
 */
#include "mi.h"

#define MI_PFN_VISITED 0x80     /* only while MiValidatePfnDatabase runs */

void MiPfnCorrupt(ULONG Subcode, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KeBugCheckEx(PFN_LIST_CORRUPT, Subcode, P2, P3, P4);
}

void MiBadListPage(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    MiPfnCorrupt(0x02, Page, Db->HighestPage, Page <= Db->HighestPage ? Db->Pfn[Page].ReferenceCount : 0);
}

void MiBadReleasePage(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    if (Page > Db->HighestPage || (Db->Pfn[Page].Flags & MI_PFN_NOT_RAM))
        MiPfnCorrupt(0x02, Page, Db->HighestPage, 0);
    PMMPFN pfn = &Db->Pfn[Page];
    MiPfnCorrupt(0x99, Page, pfn->PageLocation, pfn->ReferenceCount);
}

void MiInitializePfnLists(PMI_PFN_DATABASE Db, PMMPFN Array, PFN_NUMBER HighestPage)
{
    Db->Pfn = Array;
    Db->HighestPage = HighestPage;
    Db->PhysicalPages = 0;
    Db->ActivePages = 0;
    for (ULONG i = 0; i < MI_LIST_COUNT; i++) {
        Db->Lists[i].Total = 0;
        Db->Lists[i].ListName = (MMLISTS)i;
        Db->Lists[i].Flink = Db->Lists[i].Blink = MM_EMPTY_LIST;
    }
    for (PFN_NUMBER p = 0; p <= HighestPage; p++) {
        PMMPFN pfn = &Array[p];
        pfn->u1.Flink = MM_EMPTY_LIST;
        pfn->u2.Blink = MM_EMPTY_LIST;
        pfn->PteAddress = NULL;
        pfn->ReferenceCount = 0;
        pfn->PageLocation = ActiveAndValid;
        pfn->Flags = MI_PFN_NOT_RAM;
        pfn->OriginalPte = 0;
        pfn->PteFrame = 0;
    }
}

void MiAddFreeRun(PMI_PFN_DATABASE Db, PFN_NUMBER Base, PFN_COUNT Count)
{
    ASSERT(Count == 0 || Base + Count - 1 <= Db->HighestPage);
    for (PFN_NUMBER p = Base; p < Base + Count; p++) {
        ASSERT(Db->Pfn[p].Flags & MI_PFN_NOT_RAM);
        Db->Pfn[p].Flags = 0;
        Db->PhysicalPages++;
        MiInsertPageInList(Db, FreePageList, p);
    }
}

void MiAddActiveRun(PMI_PFN_DATABASE Db, PFN_NUMBER Base, PFN_COUNT Count)
{
    ASSERT(Count == 0 || Base + Count - 1 <= Db->HighestPage);
    for (PFN_NUMBER p = Base; p < Base + Count; p++) {
        ASSERT(Db->Pfn[p].Flags & MI_PFN_NOT_RAM);
        Db->Pfn[p].Flags = 0;
        Db->Pfn[p].PageLocation = ActiveAndValid;
        Db->Pfn[p].ReferenceCount = 1;
        Db->PhysicalPages++;
        Db->ActivePages++;
    }
}

static BOOLEAN MiIsAvailable(const MI_PFN_DATABASE *Db, PFN_NUMBER Page)
{
    const MMPFN *pfn = &Db->Pfn[Page];
    return !(pfn->Flags & MI_PFN_NOT_RAM) &&
           (pfn->PageLocation == FreePageList || pfn->PageLocation == ZeroedPageList);
}

PFN_NUMBER MiFindContiguousPages(PMI_PFN_DATABASE Db, PFN_NUMBER Lowest, PFN_NUMBER Highest,
                                 PFN_COUNT Count, PFN_COUNT Alignment, PFN_COUNT Boundary)
{
    if (Count == 0 || Alignment == 0 || (Boundary && Count > Boundary))
        return MM_EMPTY_LIST;
    if (Highest > Db->HighestPage)
        Highest = Db->HighestPage;
    if (Highest < Lowest || Highest - Lowest + 1 < Count)
        return MM_EMPTY_LIST;
    /* Highest first: low memory is scarce and some callers need it. */
    PFN_NUMBER start = (Highest - Count + 1) / Alignment * Alignment;
    for (;;) {
        if (start < Lowest)
            return MM_EMPTY_LIST;
        if (Boundary && start / Boundary != (start + Count - 1) / Boundary) {
            /* Crosses a boundary: end the run just below it. */
            PFN_NUMBER edge = (start + Count - 1) / Boundary * Boundary;
            if (edge < Count)
                return MM_EMPTY_LIST;
            start = (edge - Count) / Alignment * Alignment;
            continue;
        }
        PFN_NUMBER bad = MM_EMPTY_LIST;
        for (PFN_NUMBER p = start + Count; p-- > start;)
            if (!MiIsAvailable(Db, p)) {
                bad = p;
                break;
            }
        if (bad == MM_EMPTY_LIST)
            return start;
        /* Any run holding page `bad` fails: the next must end below it. */
        if (bad < Count)
            return MM_EMPTY_LIST;
        start = (bad - Count) / Alignment * Alignment;
    }
}

PFN_COUNT MiAvailablePages(const MI_PFN_DATABASE *Db)
{
    return Db->Lists[ZeroedPageList].Total + Db->Lists[FreePageList].Total +
           Db->Lists[StandbyPageList].Total;
}

BOOLEAN MiValidatePfnDatabase(const MI_PFN_DATABASE *Db)
{
    PMMPFN pfn = Db->Pfn;
    PFN_COUNT onLists = 0;
    for (ULONG l = 0; l < MI_LIST_COUNT; l++) {
        const MMPFNLIST *head = &Db->Lists[l];
        PFN_NUMBER prev = MM_EMPTY_LIST;
        PFN_COUNT count = 0;
        for (PFN_NUMBER p = head->Flink; p != MM_EMPTY_LIST; p = pfn[p].u1.Flink) {
            if (p > Db->HighestPage || (pfn[p].Flags & (MI_PFN_NOT_RAM | MI_PFN_VISITED)) ||
                pfn[p].PageLocation != l || pfn[p].u2.Blink != prev || count > Db->PhysicalPages)
                MiPfnCorrupt(0x02, p, Db->HighestPage, l);
            pfn[p].Flags |= MI_PFN_VISITED;
            prev = p;
            count++;
        }
        if (head->Blink != prev || head->Total != count)
            MiPfnCorrupt(0x01, (ULONG_PTR)head, count, head->Total);
        onLists += count;
    }
    /* Every RAM page is on exactly one list (visited once) or in use. */
    PFN_COUNT ram = 0, active = 0;
    for (PFN_NUMBER p = 0; p <= Db->HighestPage; p++) {
        if (pfn[p].Flags & MI_PFN_NOT_RAM)
            continue;
        ram++;
        if (pfn[p].Flags & MI_PFN_VISITED)
            pfn[p].Flags &= (UCHAR)~MI_PFN_VISITED;
        else if (pfn[p].PageLocation == ActiveAndValid)
            active++;
        else
            MiPfnCorrupt(0x02, p, Db->HighestPage, pfn[p].PageLocation);  /* on no list */
    }
    if (ram != Db->PhysicalPages || active != Db->ActivePages || onLists + active != ram)
        MiPfnCorrupt(0x01, ram, active, onLists);
    return TRUE;
}
