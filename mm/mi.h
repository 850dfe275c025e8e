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

/* ---- user address spaces: protections, PTEs, VADs (vad.c, virtual.c, fault.c) ---- */

#include "avltree.h"

/*
 * NT's 5-bit protection codes (MmProtectToValue): the low three bits the
 * access, 0x08 no-cache, 0x10 guard; MM_NOACCESS is the combination 0x18.
 * x86 without PAE has no execute bit, so the execute codes are only what
 * VirtualQuery reports: EXECUTE and EXECUTE_READ map as read-only,
 * EXECUTE_READWRITE as read/write (docs/virtual-memory.md).
 */
#define MM_ZERO_ACCESS        0
#define MM_READONLY           1
#define MM_EXECUTE            2
#define MM_EXECUTE_READ       3
#define MM_READWRITE          4
#define MM_WRITECOPY          5
#define MM_EXECUTE_READWRITE  6
#define MM_EXECUTE_WRITECOPY  7
#define MM_NOCACHE            0x08
#define MM_GUARD_PAGE         0x10
#define MM_NOACCESS           0x18
#define MM_INVALID_PROTECTION 0xFFFFFFFFu

/*
 * A user PTE that is not valid (NT's MMPTE_SOFTWARE and MMPTE_TRANSITION):
 *   0                                   not committed: reserved in a VAD, or free
 *   protection in bits 5-9, bit 11 clear committed, never touched: demand zero
 *   protection in bits 5-9, bit 11 set,  committed and resident, but the
 *     page frame in bits 12-31           protection (NOACCESS, GUARD) keeps the
 *                                        hardware out
 * A valid user PTE keeps its protection code in its page's MMPFN.OriginalPte
 * (same bits), with MI_PFN_PTE_LOCKED when VirtualLock holds it.
 */
#define MI_PTE_PROTECTION_SHIFT 5
#define MI_PTE_TRANSITION       0x800u
#define MI_PFN_PTE_LOCKED       0x400u
static inline ULONG MiPteProtection(ULONG Pte) { return (Pte >> MI_PTE_PROTECTION_SHIFT) & 0x1F; }
static inline ULONG MiMakeSoftwarePte(ULONG Protection)
{
    return Protection << MI_PTE_PROTECTION_SHIFT;
}
static inline BOOLEAN MiIsGuardProtection(ULONG Protection)
{
    return (Protection & MM_NOACCESS) == MM_GUARD_PAGE;
}
static inline BOOLEAN MiIsWritableProtection(ULONG Protection)
{
    return (Protection & 7) == MM_READWRITE || (Protection & 7) == MM_EXECUTE_READWRITE ||
           (Protection & 7) == MM_WRITECOPY || (Protection & 7) == MM_EXECUTE_WRITECOPY;
}
/* TRUE when the hardware can express Protection with a valid PTE. */
static inline BOOLEAN MiIsAccessibleProtection(ULONG Protection)
{
    return Protection != MM_NOACCESS && !MiIsGuardProtection(Protection) && (Protection & 7) != 0;
}
/* A valid user PTE for Page with Protection (which must be accessible). */
static inline ULONG MiMakeValidUserPte(PFN_NUMBER Page, ULONG Protection)
{
    ULONG pte = (Page << PAGE_SHIFT) | PTE_VALID | PTE_OWNER | PTE_ACCESSED;
    if (MiIsWritableProtection(Protection))
        pte |= PTE_WRITE | PTE_DIRTY;
    if (Protection & MM_NOCACHE)
        pte |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
    return pte;
}

/* Win32 PAGE_* to the code above, MM_INVALID_PROTECTION for a bad value;
 * and back (virtual.c). */
ULONG MiMakeProtectionMask(ULONG Win32Protect);
ULONG MiProtectionToWin32(ULONG Protection);

/*
 * A VAD: one reservation (NT's MMVAD_SHORT). The tree node names its pages;
 * which of them are committed, and with what protection, the PTEs say.
 */
typedef struct _MMVAD {
    RTL_RANGE_NODE Node;            /* StartingVpn..EndingVpn, inclusive */
    ULONG AllocationProtect;        /* Win32 PAGE_* given at reservation */
    ULONG Type;                     /* MEM_PRIVATE or MEM_IMAGE */
    ULONG CommittedPages;           /* PTEs in the range that are not 0 */
} MMVAD, *PMMVAD;

#define MI_VAD_GRANULARITY_PAGES 16                 /* 64 KB */
#define MI_LOWEST_VAD_VPN (MM_LOWEST_USER_ADDRESS >> PAGE_SHIFT)
/* NT/x86 keeps the last 64 KB below 0x7FFF0000 for KUSER_SHARED_DATA. */
#define MM_HIGHEST_VAD_ADDRESS 0x7FFDFFFFu
#define MI_HIGHEST_VAD_VPN (MM_HIGHEST_VAD_ADDRESS >> PAGE_SHIFT)

struct _EPROCESS;
/* All with the address space lock held (MiLockAddressSpace). */
PMMVAD MiLocateVad(struct _EPROCESS *Process, ULONG_PTR Vpn);
NTSTATUS MiInsertVad(struct _EPROCESS *Process, ULONG_PTR StartingVpn, ULONG_PTR EndingVpn,
                     ULONG AllocationProtect, ULONG Type, PMMVAD *Vad);
void MiRemoveVad(struct _EPROCESS *Process, PMMVAD Vad);
/* Moves Vad to a narrower range inside its own (a partial release). */
void MiShrinkVad(struct _EPROCESS *Process, PMMVAD Vad, ULONG_PTR StartingVpn,
                 ULONG_PTR EndingVpn);
NTSTATUS MiFindEmptyAddressRange(struct _EPROCESS *Process, ULONG_PTR SizeInPages,
                                 ULONG_PTR HighestVpn, BOOLEAN TopDown, PULONG_PTR StartingVpn);
/* The whole tree and every VAD against its PTEs (the process's address space
 * must be current): FALSE with a reason. For tests and debug builds. */
BOOLEAN MiValidateVadTree(struct _EPROCESS *Process, PCSTR *Reason);

/* The address space lock: one thread per process today, so raising to
 * DISPATCH_LEVEL (which also holds the PFN lock) is all of it. */
static inline KIRQL MiLockAddressSpace(void) { return MiAcquirePfnLock(); }
static inline void MiUnlockAddressSpace(KIRQL OldIrql) { MiReleasePfnLock(OldIrql); }

/*
 * The services' bodies (virtual.c), for kernel callers and tests: the
 * target's address space must be current; addresses and sizes are the
 * caller's own copies, updated on success as the Nt* forms update them.
 */
NTSTATUS MiAllocateVirtualMemory(struct _EPROCESS *Process, PULONG_PTR BaseAddress,
                                 ULONG_PTR ZeroBits, PSIZE_T RegionSize, ULONG AllocationType,
                                 ULONG Protect);
NTSTATUS MiFreeVirtualMemory(struct _EPROCESS *Process, PULONG_PTR BaseAddress,
                             PSIZE_T RegionSize, ULONG FreeType);
NTSTATUS MiProtectVirtualMemory(struct _EPROCESS *Process, PULONG_PTR BaseAddress,
                                PSIZE_T RegionSize, ULONG NewProtect, PULONG OldProtect);
NTSTATUS MiQueryVirtualMemory(struct _EPROCESS *Process, ULONG_PTR Address,
                              PMEMORY_BASIC_INFORMATION Info);
NTSTATUS MiLockVirtualMemory(struct _EPROCESS *Process, PULONG_PTR BaseAddress,
                             PSIZE_T RegionSize, ULONG MapType, BOOLEAN Lock);

/* User page tables (procmm.c): makes the table for Va; FALSE if no page. */
BOOLEAN MiEnsureUserPageTable(ULONG_PTR Va);
/* The PTE of user address Va, or NULL when its page table does not exist. */
static inline PMMPTE MiGetUserPteIfExists(ULONG_PTR Va)
{
    return (MiGetPdeAddress((PVOID)Va)->u & PTE_VALID) ? MiGetPteAddress((PVOID)Va) : NULL;
}

/* Commit charge (commit.c), with the PFN lock held. FALSE past the limit. */
BOOLEAN MiChargeCommitment(struct _EPROCESS *Process, ULONG Pages);
void MiReturnCommitment(struct _EPROCESS *Process, ULONG Pages);
/* A committed page became resident (+1) or was freed (-1). */
void MiAdjustResidentCommit(struct _EPROCESS *Process, LONG Pages);
extern ULONG MiDemandZeroFaults, MiUserPageFaults;

/* Boot (mminit.c). */
void MiInitializePfnDatabase(void);
extern ULONGLONG MiBootEntryTsc, MiPfnReadyTsc;

#endif /* MI_H */
