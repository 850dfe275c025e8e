/*
 * mi.h - the memory manager's internals: the PFN database and its page
 * lists, the physical memory runs, and the calls mm/ files make to each
 * other. Pure declarations: mm/memmap.c and mm/pfnlist.c build on the host
 * too, so nothing here touches the hardware.
 */
#ifndef MI_H
#define MI_H

#include "ntdef.h"
#include "ntassert.h"
#include "ke.h"
#include "mm.h"

typedef ULONG PFN_NUMBER, *PPFN_NUMBER;
typedef ULONG PFN_COUNT;
#define MM_EMPTY_LIST ((PFN_NUMBER)0xFFFFFFFF)
#define MI_PAGE_SHIFT 12

/* ---- physical memory runs (memmap.c) ------------------------------------- */

/* A run of usable page frames [BasePage, BasePage + PageCount). */
typedef struct _PHYSICAL_MEMORY_RUN {
    PFN_NUMBER BasePage;
    PFN_COUNT PageCount;
} PHYSICAL_MEMORY_RUN, *PPHYSICAL_MEMORY_RUN;

/* A range of the firmware's map, or one the kernel reserves (bytes). */
typedef struct _MI_MEMORY_RANGE {
    ULONGLONG Base, Length;
    ULONG Type;     /* 1 usable; anything else is not RAM the kernel may use */
} MI_MEMORY_RANGE;

typedef struct _MI_MEMORY_MAP_STATS {
    ULONGLONG IgnoredAbove4GbBytes;     /* usable memory past 4 GB: not reachable without PAE */
    ULONG DroppedRanges;                /* zero-length or entirely unaligned entries */
} MI_MEMORY_MAP_STATS;

#define MI_MAX_PHYSICAL_RUNS 128

ULONG MiBuildPhysicalRuns(const MI_MEMORY_RANGE *Map, ULONG MapCount,
                          const MI_MEMORY_RANGE *Reserved, ULONG ReservedCount,
                          PPHYSICAL_MEMORY_RUN Runs, ULONG MaxRuns,
                          MI_MEMORY_MAP_STATS *Stats);

/* ---- the PFN database (pfnlist.c, pfn.c) ---------------------------------- */

/* Page lists and states, with NT's MMLISTS values. */
typedef enum _MMLISTS {
    ZeroedPageList = 0,
    FreePageList = 1,
    StandbyPageList = 2,
    ModifiedPageList = 3,
    ModifiedNoWritePageList = 4,
    BadPageList = 5,
    ActiveAndValid = 6,
    TransitionPage = 7,
} MMLISTS;
#define MI_LIST_COUNT 6             /* the lists that are linked: 0..5 */

/* MMPFN.Flags */
#define MI_PFN_NOT_RAM           0x01    /* a hole or firmware page: never allocated */
#define MI_PFN_START_OF_ALLOCATION 0x02  /* first page of a contiguous allocation */
#define MI_PFN_END_OF_ALLOCATION 0x04    /* last page of a contiguous allocation */
#define MI_PFN_MODIFIED          0x08

/*
 * One entry per physical page, 24 bytes as on NT/x86. While a page is on a
 * list, u1/u2 link it by PFN; while it is in use (ActiveAndValid),
 * PteAddress and PteFrame say which PTE maps it and u2 is its share count.
 */
typedef struct _MMPFN {
    union { PFN_NUMBER Flink; ULONG WsIndex; } u1;
    PVOID PteAddress;               /* the PTE mapping this page (virtual) */
    union { PFN_NUMBER Blink; ULONG ShareCount; } u2;
    USHORT ReferenceCount;
    UCHAR PageLocation;             /* an MMLISTS value */
    UCHAR Flags;
    ULONG OriginalPte;              /* the PTE contents to restore when unmapped */
    PFN_NUMBER PteFrame;            /* the page table page holding PteAddress */
} MMPFN, *PMMPFN;
C_ASSERT(sizeof(MMPFN) == 24 || sizeof(void *) == 8);

typedef struct _MMPFNLIST {
    PFN_COUNT Total;
    MMLISTS ListName;
    PFN_NUMBER Flink;
    PFN_NUMBER Blink;
} MMPFNLIST, *PMMPFNLIST;

/*
 * The database and its lists. The kernel has one (MiPfnState, in pfn.c);
 * tests make private ones over their own arrays.
 */
typedef struct _MI_PFN_DATABASE {
    PMMPFN Pfn;                     /* indexed by PFN, 0..HighestPage */
    PFN_NUMBER HighestPage;
    PFN_COUNT PhysicalPages;        /* RAM pages the database manages */
    PFN_COUNT ActivePages;          /* pages in use (ActiveAndValid) */
    MMPFNLIST Lists[MI_LIST_COUNT];
} MI_PFN_DATABASE, *PMI_PFN_DATABASE;

void MiInitializePfnLists(PMI_PFN_DATABASE Db, PMMPFN Array, PFN_NUMBER HighestPage);
/* Marks [Base, Base+Count) as RAM on the free list. Pages start NOT_RAM. */
void MiAddFreeRun(PMI_PFN_DATABASE Db, PFN_NUMBER Base, PFN_COUNT Count);
/* Bugchecks PFN_LIST_CORRUPT (0x4E) with Subcode and what was wrong. */
void MiPfnCorrupt(ULONG Subcode, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4) __attribute__((noreturn));
PFN_COUNT MiAvailablePages(const MI_PFN_DATABASE *Db);

/*
 * The page-list operations, inline: a page allocation is one removal and a
 * free one insertion, and as calls (a chain of four per removal) they cost
 * more than the work. Each is O(1) and checks what it touches the way NT
 * does (the neighbours must point back at the page); the whole-database
 * walk stays in MiValidatePfnDatabase. pfnlist.c has the rest of the list
 * code and the essay.
 */

/* Puts Page at the tail of List (the caller has taken it off any list). */
FORCEINLINE void MiInsertPageInList(PMI_PFN_DATABASE Db, MMLISTS List, PFN_NUMBER Page)
{
    ASSERT(List < MI_LIST_COUNT && Page <= Db->HighestPage);
    PMMPFNLIST head = &Db->Lists[List];
    PMMPFN base = Db->Pfn, pfn = &base[Page];
    PFN_NUMBER last = head->Blink;
    PFN_NUMBER *forwardLink = last == MM_EMPTY_LIST ? &head->Flink : &base[last].u1.Flink;
    if (last != MM_EMPTY_LIST && *forwardLink != MM_EMPTY_LIST)
        MiPfnCorrupt(0x01, (ULONG_PTR)head, MiAvailablePages(Db), 0);
    pfn->u1.Flink = MM_EMPTY_LIST;
    pfn->u2.Blink = last;
    pfn->PageLocation = (UCHAR)List;
    pfn->ReferenceCount = 0;
    pfn->PteAddress = NULL;
    *forwardLink = Page;
    head->Blink = Page;
    head->Total++;
}

/* Takes Page off whichever list holds it (it stays in that list's state). */
FORCEINLINE void MiUnlinkPageFromList(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    PMMPFN pfn = &Db->Pfn[Page];
    if (Page > Db->HighestPage || pfn->PageLocation >= MI_LIST_COUNT || (pfn->Flags & MI_PFN_NOT_RAM))
        MiPfnCorrupt(0x02, Page, Db->HighestPage, pfn->ReferenceCount);
    PMMPFNLIST head = &Db->Lists[pfn->PageLocation];
    PFN_NUMBER next = pfn->u1.Flink, prev = pfn->u2.Blink;
    /* The neighbours must point back at us, or a list is broken. */
    if ((next == MM_EMPTY_LIST ? head->Blink : Db->Pfn[next].u2.Blink) != Page ||
        (prev == MM_EMPTY_LIST ? head->Flink : Db->Pfn[prev].u1.Flink) != Page ||
        head->Total == 0)
        MiPfnCorrupt(0x02, Page, Db->HighestPage, pfn->ReferenceCount);
    if (next == MM_EMPTY_LIST)
        head->Blink = prev;
    else
        Db->Pfn[next].u2.Blink = prev;
    if (prev == MM_EMPTY_LIST)
        head->Flink = next;
    else
        Db->Pfn[prev].u1.Flink = next;
    head->Total--;
    pfn->u1.Flink = pfn->u2.Blink = MM_EMPTY_LIST;
}

/* The page leaves its list for the ActiveAndValid state, referenced once. */
FORCEINLINE void MiMakeActive(PMI_PFN_DATABASE Db, PMMPFN pfn)
{
    pfn->PageLocation = ActiveAndValid;
    pfn->ReferenceCount = 1;
    pfn->u2.ShareCount = 0;
    pfn->u1.WsIndex = 0;
    pfn->Flags &= (UCHAR)~(MI_PFN_START_OF_ALLOCATION | MI_PFN_END_OF_ALLOCATION | MI_PFN_MODIFIED);
    Db->ActivePages++;
}

/* Bugchecks 0x4E 0x02 for Page, whose links are broken. */
void MiBadListPage(PMI_PFN_DATABASE Db, PFN_NUMBER Page) __attribute__((noreturn));

/*
 * Takes the first page of List and makes it ActiveAndValid; MM_EMPTY_LIST
 * if none. The head's first page needs fewer checks than any page: it must
 * say it is on List, its Blink must be the head (MM_EMPTY_LIST), and its
 * successor's Blink (or the head's, for the last page) must be it. (No
 * NOT_RAM check: insertion refuses such pages, and the validator looks.)
 */
FORCEINLINE PFN_NUMBER MiRemovePageFromList(PMI_PFN_DATABASE Db, MMLISTS List)
{
    PMMPFNLIST head = &Db->Lists[List];
    PFN_NUMBER page = head->Flink;
    if (page == MM_EMPTY_LIST)
        return MM_EMPTY_LIST;
    PMMPFN pfn = &Db->Pfn[page];
    if (page > Db->HighestPage || pfn->PageLocation != List || pfn->u2.Blink != MM_EMPTY_LIST)
        MiBadListPage(Db, page);
    PFN_NUMBER next = pfn->u1.Flink;
    PFN_NUMBER *backLink = next == MM_EMPTY_LIST ? &head->Blink : &Db->Pfn[next].u2.Blink;
    if (*backLink != page)
        MiBadListPage(Db, page);
    *backLink = MM_EMPTY_LIST;
    head->Flink = next;
    head->Total--;
    MiMakeActive(Db, pfn);
    return page;
}

/* A page from the free list, else the zeroed one; *FromList says which. */
FORCEINLINE PFN_NUMBER MiRemoveAnyPageFrom(PMI_PFN_DATABASE Db, MMLISTS *FromList)
{
    /* A caller that does not need zeros takes a free page first, leaving the
     * zeroed ones for callers that do. */
    *FromList = FreePageList;
    PFN_NUMBER page = MiRemovePageFromList(Db, FreePageList);
    if (page == MM_EMPTY_LIST) {
        *FromList = ZeroedPageList;
        page = MiRemovePageFromList(Db, ZeroedPageList);
    }
    return page;
}

/* A page from the zeroed list, else the free one (*FromList = FreePageList:
 * the caller must zero it). */
FORCEINLINE PFN_NUMBER MiRemoveZeroPageFrom(PMI_PFN_DATABASE Db, MMLISTS *FromList)
{
    *FromList = ZeroedPageList;
    PFN_NUMBER page = MiRemovePageFromList(Db, ZeroedPageList);
    if (page == MM_EMPTY_LIST) {
        *FromList = FreePageList;
        page = MiRemovePageFromList(Db, FreePageList);
    }
    return page;
}

/* Takes a specific page off whichever list holds it, into ActiveAndValid. */
FORCEINLINE void MiRemoveSpecificPage(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    MiUnlinkPageFromList(Db, Page);
    MiMakeActive(Db, &Db->Pfn[Page]);
}

/* Bugchecks for a page that cannot be released: 0x02 outside the RAM the
 * database holds, 0x99 when not in use (freed twice, never handed out). */
void MiBadReleasePage(PMI_PFN_DATABASE Db, PFN_NUMBER Page) __attribute__((noreturn));

/* Puts an ActiveAndValid page (referenced once) on List. */
FORCEINLINE void MiInsertActivePageInList(PMI_PFN_DATABASE Db, MMLISTS List, PFN_NUMBER Page)
{
    if (Page > Db->HighestPage)
        MiBadReleasePage(Db, Page);
    PMMPFN pfn = &Db->Pfn[Page];
    /* One compare of the three adjacent fields in the common case. */
    if ((pfn->Flags & MI_PFN_NOT_RAM) || pfn->PageLocation != ActiveAndValid ||
        pfn->ReferenceCount != 1)
        MiBadReleasePage(Db, Page);
    Db->ActivePages--;
    MiInsertPageInList(Db, List, Page);
}

/* Gives back an ActiveAndValid page (to the free list); bugchecks on a page
 * that is not in use (0x4E, 0x99) or not in the database (0x4E, 0x02). */
FORCEINLINE void MiReleasePage(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    MiInsertActivePageInList(Db, FreePageList, Page);
}

/* Marks an ActiveAndValid page bad (a failed test, a machine check). */
FORCEINLINE void MiMarkPageBad(PMI_PFN_DATABASE Db, PFN_NUMBER Page)
{
    MiInsertActivePageInList(Db, BadPageList, Page);
}

/* Finds Count contiguous pages on the free/zeroed lists in [Lowest, Highest]
 * starting at a multiple of Alignment pages and not crossing a multiple of
 * Boundary pages (0: none); highest first, as NT does. MM_EMPTY_LIST if none. */
PFN_NUMBER MiFindContiguousPages(PMI_PFN_DATABASE Db, PFN_NUMBER Lowest, PFN_NUMBER Highest,
                                 PFN_COUNT Count, PFN_COUNT Alignment, PFN_COUNT Boundary);
/* Walks every list and every entry; bugchecks PFN_LIST_CORRUPT on the first
 * inconsistency, returns TRUE otherwise. */
BOOLEAN MiValidatePfnDatabase(const MI_PFN_DATABASE *Db);

/* MiAddFreeRun's sibling: RAM the kernel holds from boot (its image, the
 * boot information), marked in use. */
void MiAddActiveRun(PMI_PFN_DATABASE Db, PFN_NUMBER Base, PFN_COUNT Count);

/* ---- kernel only: pfn.c, paging.c, hyperspace.c, syspte.c ------------------ */


extern MI_PFN_DATABASE MiPfnDb;             /* the system's PFN database */
#define MI_PFN_ELEMENT(Page) (&MiPfnDb.Pfn[Page])

/* The PFN lock: NT's is a spinlock taken at DISPATCH_LEVEL; on one
 * processor raising the IRQL is the whole of it. A caller above
 * DISPATCH_LEVEL bugchecks in the raise (IRQL_NOT_GREATER_OR_EQUAL). */
static inline KIRQL MiAcquirePfnLock(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}
static inline void MiReleasePfnLock(KIRQL OldIrql)
{
    KfLowerIrql(OldIrql);
}

/* A page, in use, referenced once; MM_EMPTY_LIST when none is left. The
 * zero variant guarantees zeroed contents (zeroing through hyperspace). */
PFN_NUMBER MiRemoveZeroPage(void);
/* Inline, as the list operations they wrap: the call costs too much next to
 * the work (a page allocation and free should cost less than a tenth of
 * zeroing the page). */
FORCEINLINE PFN_NUMBER MiRemoveAnyPage(void)
{
    MMLISTS from;
    KIRQL old = MiAcquirePfnLock();
    PFN_NUMBER page = MiRemoveAnyPageFrom(&MiPfnDb, &from);
    MiReleasePfnLock(old);
    return page;
}
FORCEINLINE void MiFreePage(PFN_NUMBER Page)
{
    KIRQL old = MiAcquirePfnLock();
    MiReleasePage(&MiPfnDb, Page);
    MiReleasePfnLock(old);
}
void MiZeroPhysicalPage(PFN_NUMBER Page);

/* Hyperspace: a per-process window for touching any physical page. Raises
 * to DISPATCH_LEVEL until the matching unmap. */
PVOID MiMapPageInHyperSpace(PFN_NUMBER Page, PKIRQL OldIrql);
void MiUnmapPageInHyperSpace(PVOID Va, KIRQL OldIrql);
void MiInitializeHyperSpace(PFN_NUMBER PageTablePage);

/* System page tables (paging.c). */
extern ULONG MmBootPageDirectory[1024];     /* the system page directory */
PFN_NUMBER MiBootAllocatePage(void);        /* before the PFN database exists */
void MiMakeSystemPageTable(ULONG PdeIndex, PFN_NUMBER Page);
/* Makes sure the page table for Va exists (allocating a zeroed page). */
BOOLEAN MiEnsureSystemPageTable(ULONG_PTR Va);
void MiMapSystemPage(ULONG_PTR Va, PFN_NUMBER Page, ULONG Attributes);
void MiUnmapSystemPage(ULONG_PTR Va);
PFN_NUMBER MiGetPfnOfVa(ULONG_PTR Va);      /* MM_EMPTY_LIST when not mapped */
void MiProtectKernelImage(void);
void MiTrimBootWindow(void);
BOOLEAN MiSynchronizeSystemPde(ULONG_PTR Va);

/* System PTEs (syspte.c). */
typedef enum _MMSYSTEM_PTE_POOL_TYPE { SystemPteSpace, MaximumPtePoolTypes } MMSYSTEM_PTE_POOL_TYPE;
void MiInitializeSystemPtes(void);
/* Reserves NumberOfPtes consecutive invalid PTEs (their page tables made);
 * NULL when the region has no such run. */
PMMPTE MiReserveSystemPtes(ULONG NumberOfPtes, MMSYSTEM_PTE_POOL_TYPE Type);
/* Invalidates the PTEs, flushes them from the TLB and gives them back. */
void MiReleaseSystemPtes(PMMPTE StartingPte, ULONG NumberOfPtes, MMSYSTEM_PTE_POOL_TYPE Type);
ULONG MiSystemPtesInUse(void);

/* Boot (mminit.c). */
void MiInitializePfnDatabase(void);
extern ULONGLONG MiBootEntryTsc, MiPfnReadyTsc;

#endif /* MI_H */
