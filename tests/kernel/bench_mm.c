/* Benchmarks for the PFN database and contiguous memory. Names ending in a
 * memory size come from the "sized" benchmarks, run at each size. */
#include "ntddk.h"
#include "ktest.h"
#include "format.h"
#include "mi.h"

extern ULONGLONG KbZeroPageCost;

static void KbPageAllocFree(void *Context)
{
    (void)Context;
    MiFreePage(MiRemoveAnyPage());
}

static void KbSizedName(char *Buffer, SIZE_T Size, PCSTR Name)
{
    char mem[16] = "?";
    KeGetBootOption("mem", mem, sizeof(mem));
    RtlStringPrintf(Buffer, Size, "%s.%s", Name, mem);
}

KBENCH(sized_page_alloc_free)
{
    char name[64];
    ULONGLONG cost = KbMeasure(KbPageAllocFree, NULL, 63);
    KbSizedName(name, sizeof(name), "mm.page_alloc_free");
    KbReport(name, cost, "insns");
    KbSizedName(name, sizeof(name), "mm.page_alloc_free_per_zero_page");
    KbReportRatio(name, cost, KbZeroPageCost);
}

KBENCH(sized_boot_entry_to_pfn_ready)
{
    char name[64];
    KbSizedName(name, sizeof(name), "boot.entry_to_pfn_ready");
    KbReport(name, MiPfnReadyTsc - MiBootEntryTsc, "insns");
}

static void KbContig64K(void *Context)
{
    PHYSICAL_ADDRESS high;
    high.QuadPart = 0xFFFFFFFF;
    (void)Context;
    MmFreeContiguousMemory(MmAllocateContiguousMemory(64 * 1024, high));
}

KBENCH(mm_contiguous_64k)
{
    KbReport("mm.contiguous_alloc_free.64K", KbMeasure(KbContig64K, NULL, 31), "insns");
}
