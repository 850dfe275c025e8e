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
void MiInsertPageInList(PMI_PFN_DATABASE Db, MMLISTS List, PFN_NUMBER Page);
void MiUnlinkPageFromList(PMI_PFN_DATABASE Db, PFN_NUMBER Page);
/* Takes the first page of List and makes it ActiveAndValid; MM_EMPTY_LIST if none. */
PFN_NUMBER MiRemovePageFromList(PMI_PFN_DATABASE Db, MMLISTS List);
/* A page from the free list, else the zeroed one; *FromList says which. */
PFN_NUMBER MiRemoveAnyPageFrom(PMI_PFN_DATABASE Db, MMLISTS *FromList);
/* A page from the zeroed list, else the free one (*FromList = FreePageList:
 * the caller must zero it). */
PFN_NUMBER MiRemoveZeroPageFrom(PMI_PFN_DATABASE Db, MMLISTS *FromList);
/* Takes a specific page off whichever list holds it, into ActiveAndValid. */
void MiRemoveSpecificPage(PMI_PFN_DATABASE Db, PFN_NUMBER Page);
/* Puts an ActiveAndValid page (referenced once) on List. */
void MiInsertActivePageInList(PMI_PFN_DATABASE Db, MMLISTS List, PFN_NUMBER Page);
/* Gives back an ActiveAndValid page (to the free list); bugchecks on a page
 * that is not in use (0x4E, 0x99) or not in the database (0x4E, 0x02). */
void MiReleasePage(PMI_PFN_DATABASE Db, PFN_NUMBER Page);
/* Marks an ActiveAndValid page bad (a failed test, a machine check). */
void MiMarkPageBad(PMI_PFN_DATABASE Db, PFN_NUMBER Page);
/* Finds Count contiguous pages on the free/zeroed lists in [Lowest, Highest]
 * starting at a multiple of Alignment pages and not crossing a multiple of
 * Boundary pages (0: none); highest first, as NT does. MM_EMPTY_LIST if none. */
PFN_NUMBER MiFindContiguousPages(PMI_PFN_DATABASE Db, PFN_NUMBER Lowest, PFN_NUMBER Highest,
                                 PFN_COUNT Count, PFN_COUNT Alignment, PFN_COUNT Boundary);
PFN_COUNT MiAvailablePages(const MI_PFN_DATABASE *Db);
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
 * processor raising the IRQL is the whole of it. */
static inline KIRQL MiAcquirePfnLock(void)
{
    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    return KfRaiseIrql(DISPATCH_LEVEL);
}
static inline void MiReleasePfnLock(KIRQL OldIrql)
{
    KfLowerIrql(OldIrql);
}

/* A page, in use, referenced once; MM_EMPTY_LIST when none is left. The
 * zero variant guarantees zeroed contents (zeroing through hyperspace). */
PFN_NUMBER MiRemoveAnyPage(void);
PFN_NUMBER MiRemoveZeroPage(void);
void MiFreePage(PFN_NUMBER Page);
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

/* Special pool (specialpool.c). Boot: reads specialpool=Tag1,Tag2. */
void MiInitializeSpecialPool(void);
/* Splits "Tag1,Ab,*" into at most MaxTags tags (short ones padded with
 * spaces, as NT's tags are); returns how many. */
ULONG MiParseSpecialPoolTags(PCSTR Option, PULONG Tags, ULONG MaxTags);
/* The fault path's question: a kernel fault at Address in the special pool
 * range on a freed slot bugchecks PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xCC),
 * on the guard page of a block that is out PAGE_FAULT_BEYOND_END_OF_
 * ALLOCATION (0xCD), both (address, 0 read / 1 write, Eip, 0). Returns
 * otherwise. */
void MiCheckSpecialPoolFault(PVOID Address, ULONG ErrorCode, ULONG_PTR Eip);
BOOLEAN MmIsSpecialPoolAddress(PVOID P);     /* in the special pool range */

/* Boot (mminit.c). */
void MiInitializePfnDatabase(void);
extern ULONGLONG MiBootEntryTsc, MiPfnReadyTsc;

#endif /* MI_H */
