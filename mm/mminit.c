/*
 * mminit.c - bringing the memory manager up, in order:
 *
 *   1. drop the identity map, guard the boot stack       (paging.c)
 *   2. the memory map becomes runs of usable pages        (memmap.c)
 *   3. the PFN database is sized from the highest page, given pages taken
 *      straight from the runs (nothing can allocate yet), and mapped at
 *      MI_PFN_DATABASE_START; every RAM page is entered: the kernel image,
 *      the boot information, the modules and the database itself in use,
 *      the rest on the free list                          (here)
 *   4. hyperspace, the system PTEs, a read-only kernel image, and a boot
 *      window trimmed to what is still read through it
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"

ULONGLONG MiBootEntryTsc, MiPfnReadyTsc;
static PHYSICAL_MEMORY_RUN MiFreeRuns[MI_MAX_PHYSICAL_RUNS];
static ULONG MiFreeRunCount;
static BOOLEAN MiPfnDatabaseReady;

void MiInitializeBootPaging(void);

/*
 * Before the PFN database exists, pages come off the top of the largest
 * free run; the runs shrink, so these pages never reach the free list.
 */
PFN_NUMBER MiBootAllocatePage(void)
{
    ASSERT(!MiPfnDatabaseReady);
    PPHYSICAL_MEMORY_RUN best = NULL;
    for (ULONG i = 0; i < MiFreeRunCount; i++)
        if (best == NULL || MiFreeRuns[i].PageCount > best->PageCount)
            best = &MiFreeRuns[i];
    if (best == NULL || best->PageCount == 0)
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1000, 0, 0, 0);   /* no memory to boot with */
    best->PageCount--;
    return best->BasePage + best->PageCount;
}

static ULONG MiCollectRanges(MI_MEMORY_RANGE *Map, MI_MEMORY_RANGE *Reserved, ULONG *ReservedCount)
{
    for (ULONG i = 0; i < KeLoaderBlock.RangeCount; i++) {
        Map[i].Base = KeLoaderBlock.Ranges[i].Base;
        Map[i].Length = KeLoaderBlock.Ranges[i].Length;
        Map[i].Type = KeLoaderBlock.Ranges[i].Type;
    }
    ULONG n = 0;
    Reserved[n++] = (MI_MEMORY_RANGE){ (ULONG)__image_start_phys,
                                       (ULONG)__image_end - MI_KERNEL_BASE - (ULONG)__image_start_phys, 0 };
    Reserved[n++] = (MI_MEMORY_RANGE){ KeLoaderBlock.InfoPhysical, KeLoaderBlock.InfoSize, 0 };
    for (ULONG m = 0; m < KeLoaderBlock.ModuleCount; m++)
        Reserved[n++] = (MI_MEMORY_RANGE){ KeLoaderBlock.Modules[m].Start,
                                           KeLoaderBlock.Modules[m].End - KeLoaderBlock.Modules[m].Start, 0 };
    *ReservedCount = n;
    return KeLoaderBlock.RangeCount;
}

void MiInitializePfnDatabase(void)
{
    static MI_MEMORY_RANGE map[KBOOT_MAX_RANGES], reserved[2 + KBOOT_MAX_MODULES];
    static PHYSICAL_MEMORY_RUN ramRuns[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS stats;
    ULONG reservedCount, mapCount = MiCollectRanges(map, reserved, &reservedCount);

    /* All the RAM, and the part of it nobody holds yet. */
    ULONG ramCount = MiBuildPhysicalRuns(map, mapCount, NULL, 0, ramRuns, MI_MAX_PHYSICAL_RUNS, &stats);
    MiFreeRunCount = MiBuildPhysicalRuns(map, mapCount, reserved, reservedCount, MiFreeRuns,
                                         MI_MAX_PHYSICAL_RUNS, &stats);
    if (stats.IgnoredAbove4GbBytes)
        DbgPrint("Mm: %llu MB of memory above 4 GB ignored (no PAE)\n",
                 stats.IgnoredAbove4GbBytes >> 20);
    if (ramCount == 0)
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1000, 0, 0, 0);
    PFN_NUMBER highest = ramRuns[ramCount - 1].BasePage + ramRuns[ramCount - 1].PageCount - 1;

    /* Map the database: its page tables, then its pages. */
    ULONG bytes = (highest + 1) * (ULONG)sizeof(MMPFN);
    ULONG_PTR end = MI_PFN_DATABASE_START + ROUND_TO_PAGES(bytes);
    ASSERT(end - 1 <= MI_PFN_DATABASE_END);
    for (ULONG_PTR va = MI_PFN_DATABASE_START; va < end; va += 0x400000u)
        MiMakeSystemPageTable((ULONG)va >> 22, MiBootAllocatePage());
    for (ULONG_PTR va = MI_PFN_DATABASE_START; va < end; va += PAGE_SIZE)
        MiMapSystemPage(va, MiBootAllocatePage(), MI_SYSTEM_PTE_BITS);

    MiInitializePfnLists(&MiPfnDb, (PMMPFN)MI_PFN_DATABASE_START, highest);
    for (ULONG i = 0; i < ramCount; i++)
        MiAddActiveRun(&MiPfnDb, ramRuns[i].BasePage, ramRuns[i].PageCount);
    for (ULONG i = 0; i < MiFreeRunCount; i++)
        for (PFN_NUMBER p = MiFreeRuns[i].BasePage; p < MiFreeRuns[i].BasePage + MiFreeRuns[i].PageCount; p++)
            MiInsertActivePageInList(&MiPfnDb, FreePageList, p);
    MiPfnDatabaseReady = TRUE;
    MiPfnReadyTsc = __rdtsc();
}

void MmInitSystem(void)
{
    MiInitializeBootPaging();
    MiInitializePfnDatabase();
    PFN_NUMBER hyper = MiRemoveAnyPage();
    ASSERT(hyper != MM_EMPTY_LIST);
    MiInitializeHyperSpace(hyper);
    MiInitializeSystemPtes();
    MiProtectKernelImage();
    MiTrimBootWindow();
    MiInitializeSpecialPool();
    ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}
