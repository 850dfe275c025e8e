/*
 * startup.c - KiSystemStartup, the first C code: brings the processor
 * structures up in dependency order, then does what the command line's
 * mode= asks: run (show the machine and wait), test, or bench.
 */
#include "ki.h"
#include "ktest.h"
#include "mm.h"
#include "kstring.h"
#include "ps.h"

static PCSTR KiMemoryTypeName(ULONG Type)
{
    switch (Type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    case 5: return "bad";
    default: return "other";
    }
}

static void KiShowMachine(void)
{
    MM_PAGE_COUNTS counts;
    MmGetPageCounts(&counts);
    DbgPrint("Command line: %s\n", KeLoaderBlock.CommandLine);
    DbgPrint("Multiboot2 memory map (%u ranges):\n", KeLoaderBlock.RangeCount);
    for (ULONG i = 0; i < KeLoaderBlock.RangeCount; i++) {
        KBOOT_MEMORY_RANGE *r = &KeLoaderBlock.Ranges[i];
        DbgPrint("  %016llX - %016llX  %8llu KB  %s\n", r->Base, r->Base + r->Length - 1,
                 r->Length >> 10, KiMemoryTypeName(r->Type));
    }
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++)
        DbgPrint("  module %08X - %08X  %s\n", KeLoaderBlock.Modules[i].Start,
                 KeLoaderBlock.Modules[i].End - 1, KeLoaderBlock.Modules[i].Name);
    DbgPrint("Kernel virtual layout:\n");
    DbgPrint("  %08X - %08X  never mapped (NULL guard)\n", 0, MM_LOWEST_USER_ADDRESS - 1);
    DbgPrint("  %08X - %08X  user space\n", MM_LOWEST_USER_ADDRESS, MM_HIGHEST_USER_ADDRESS);
    DbgPrint("  %08X - %08X  never mapped (user/kernel guard)\n", MM_USER_PROBE_ADDRESS,
             MM_SYSTEM_RANGE_START - 1);
    DbgPrint("  %08X - %08X  kernel .text\n", (ULONG)__text_start, (ULONG)__text_end - 1);
    DbgPrint("  %08X - %08X  kernel .rodata (tests, symbols)\n", (ULONG)__rodata_start,
             (ULONG)__rodata_end - 1);
    DbgPrint("  %08X - %08X  kernel .data\n", (ULONG)__data_start, (ULONG)__bss_start - 1);
    DbgPrint("  %08X - %08X  kernel .bss (boot stack, boot page tables)\n",
             (ULONG)__bss_start, (ULONG)__bss_end - 1);
    DbgPrint("  %08X - %08X  boot stack guard page (unmapped)\n", (ULONG)KiBootStackGuard,
             (ULONG)KiBootStackGuard + PAGE_SIZE - 1);
    DbgPrint("  %08X - %08X  page tables (self-map, PDE 0x%X)\n", PTE_BASE, PTE_BASE + 0x3FFFFF,
             MI_SELFMAP_PDE_INDEX);
    DbgPrint("  %08X - %08X  page directory\n", PDE_BASE, PDE_BASE + PAGE_SIZE - 1);
    DbgPrint("  %08X - %08X  PFN database (%u KB used)\n", MI_PFN_DATABASE_START,
             MI_PFN_DATABASE_END, counts.PfnDatabaseBytes >> 10);
    DbgPrint("  %08X - %08X  initial nonpaged pool\n", MI_NONPAGED_POOL_START, MI_NONPAGED_POOL_END);
    DbgPrint("  %08X - %08X  hyperspace\n", HYPER_SPACE, HYPER_SPACE_END);
    DbgPrint("  %08X - %08X  system cache\n", MI_SYSTEM_CACHE_START, MI_SYSTEM_CACHE_END);
    DbgPrint("  %08X - %08X  paged pool\n", MI_PAGED_POOL_START, MI_PAGED_POOL_END);
    DbgPrint("  %08X - %08X  system PTEs (%u in use)\n", MI_SYSTEM_PTE_START, MI_SYSTEM_PTE_END,
             counts.SystemPtesInUse);
    DbgPrint("  %08X - %08X  nonpaged pool expansion\n", MI_NONPAGED_POOL_EXPANSION_START,
             MI_NONPAGED_POOL_EXPANSION_END);
    DbgPrint("  %08X - %08X  HAL\n", MI_HAL_RESERVED_START, 0xFFFFFFFFu);
    DbgPrint("Physical pages: %u total (%u MB), %u available (%u zeroed, %u free), %u in use, "
             "%u bad; highest page %05X\n", counts.TotalPages, counts.TotalPages >> 8,
             counts.AvailablePages, counts.ZeroedPages, counts.FreePages, counts.ActivePages,
             counts.BadPages, counts.HighestPage);
}

void KiSystemStartup(ULONG Magic, ULONG InfoPhysical)
{
    KiInitializeSerial();
    KiInitializeGdt();
    KiInitializeIdt();
    KiParseMultiboot(Magic, InfoPhysical);
    /* Interrupts stay off (EFLAGS.IF) until the PIC is set up, so the IRQL
     * can drop now: the memory manager's locks expect <= DISPATCH_LEVEL. */
    KiSetIrqlForRecovery(PASSIVE_LEVEL);
    MmInitSystem();
    KiInitializeScheduler();
    KiInitializePic();
    KiInitializeClock();
    _enable();

    DbgPrint("\nNTMM: an NT-style memory manager for 32-bit x86\n");
    char mode[16] = "run";
    KeGetBootOption("mode", mode, sizeof(mode));
    if (strcmp(mode, "run") != 0)
        KeHoldBalanceSetManager(TRUE);      /* tests and benchmarks count exactly */
    KiStartBalanceSetManager();
    if (strcmp(mode, "test") == 0)
        KiRunTests();
    if (strcmp(mode, "bench") == 0)
        KiRunBenchmarks();

    KiShowMachine();
    if (KeLoaderBlock.ModuleCount) {
        /* The demonstration: the programs make run loaded, each as a process. */
        DbgPrint("\nRunning %u program(s) as processes:\n", KeLoaderBlock.ModuleCount);
        KiRunUserPrograms("", 0, 0);
        MM_PAGE_COUNTS counts;
        MmGetPageCounts(&counts);
        DbgPrint("Physical pages now: %u available (%u zeroed by the idle thread so far)\n",
                 counts.AvailablePages, counts.ZeroedPages);
    }
    DbgPrint("\nReady. Press Ctrl-A X to leave QEMU.\n");
    /* The idle thread zeroes free pages (NT's zero page thread) meanwhile. */
    for (;;)
        KeWaitForObject(&KiSystemProcess.Header, 0xFFFFFFFF);
}
