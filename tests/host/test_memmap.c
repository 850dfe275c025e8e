/* Host tests for mm/memmap.c: the firmware memory map to usable page runs. */
// HOST_SOURCES: mm/memmap.c
#include "htest.h"
#include "mi.h"

static ULONG Build(const MI_MEMORY_RANGE *map, ULONG n, const MI_MEMORY_RANGE *res, ULONG nres,
                   PHYSICAL_MEMORY_RUN *runs, MI_MEMORY_MAP_STATS *st)
{
    return MiBuildPhysicalRuns(map, n, res, nres, runs, MI_MAX_PHYSICAL_RUNS, st);
}

HTEST(memmap, qemu_128m_layout)
{
    /* What QEMU's BIOS reports for -m 128M. */
    MI_MEMORY_RANGE map[] = {
        { 0x0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xF0000, 0x10000, 2 },
        { 0x100000, 0x7EE0000, 1 }, { 0x7FE0000, 0x20000, 2 }, { 0xFFFC0000, 0x40000, 2 },
    };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    ULONG n = Build(map, 6, NULL, 0, runs, &st);
    HT_EQ(n, 2);
    HT_EQ(runs[0].BasePage, 1);          /* page 0 is never used */
    HT_EQ(runs[0].PageCount, 0x9E);      /* 0x9FC00 rounds down to 0x9F000 */
    HT_EQ(runs[1].BasePage, 0x100);
    HT_EQ(runs[1].PageCount, 0x7EE0);
    HT_EQ(st.IgnoredAbove4GbBytes, 0);
}

HTEST(memmap, unsorted_and_overlapping_usable_merge)
{
    MI_MEMORY_RANGE map[] = {
        { 0x300000, 0x100000, 1 }, { 0x100000, 0x180000, 1 }, { 0x200000, 0x180000, 1 },
    };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    HT_EQ(Build(map, 3, NULL, 0, runs, &st), 1);
    HT_EQ(runs[0].BasePage, 0x100);
    HT_EQ(runs[0].PageCount, 0x300);
}

HTEST(memmap, reserved_overlap_wins_and_rounds_outward)
{
    MI_MEMORY_RANGE map[] = {
        { 0x100000, 0x400000, 1 },
        { 0x200800, 0x800, 2 },       /* a reserved sliver inside a page */
    };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    HT_EQ(Build(map, 2, NULL, 0, runs, &st), 2);
    HT_EQ(runs[0].BasePage, 0x100);
    HT_EQ(runs[0].PageCount, 0x100);   /* up to page 0x200, which is lost whole */
    HT_EQ(runs[1].BasePage, 0x201);
    HT_EQ(runs[1].PageCount, 0x500 - 0x201);
}

HTEST(memmap, unaligned_usable_rounds_inward)
{
    MI_MEMORY_RANGE map[] = { { 0x100800, 0x3000, 1 }, { 0x200000, 0xFFF, 1 } };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    HT_EQ(Build(map, 2, NULL, 0, runs, &st), 1);
    HT_EQ(runs[0].BasePage, 0x101);   /* 0x100800 up to 0x101000 */
    HT_EQ(runs[0].PageCount, 2);      /* 0x103800 down to 0x103000 */
    HT_EQ(st.DroppedRanges, 1);       /* the 0xFFF-byte range holds no whole page */
}

HTEST(memmap, zero_length_entries_are_dropped)
{
    MI_MEMORY_RANGE map[] = { { 0x100000, 0, 1 }, { 0x100000, 0x1000, 1 }, { 0x100000, 0, 2 } };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    HT_EQ(Build(map, 3, NULL, 0, runs, &st), 1);
    HT_EQ(runs[0].PageCount, 1);
    HT_EQ(st.DroppedRanges, 1);
}

HTEST(memmap, above_4gb_ignored_and_counted)
{
    /* QEMU -m 4G: 3 GB below the PCI hole, 1 GB above 4 GB. */
    MI_MEMORY_RANGE map[] = {
        { 0x100000, 0xBFEE0000ull, 1 }, { 0x100000000ull, 0x40000000ull, 1 },
        { 0xFFFC0000, 0x40000, 2 }, { 0xF0000000ull, 0x20000000ull, 1 },  /* straddles 4 GB */
    };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    ULONG n = Build(map, 4, NULL, 0, runs, &st);
    HT_EQ(n, 2);
    HT_EQ(st.IgnoredAbove4GbBytes, 0x40000000ull + 0x10000000ull);
    HT_EQ(runs[1].BasePage, 0xF0000);
    HT_EQ(runs[1].PageCount, 0xFFFC0 - 0xF0000);   /* up to the BIOS reservation */
}

HTEST(memmap, kernel_reservations_are_removed)
{
    MI_MEMORY_RANGE map[] = { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1F00000, 1 } };
    MI_MEMORY_RANGE res[] = {
        { 0x100000, 0x25000, 0 },      /* the kernel image */
        { 0x126000, 0x5A0, 0 },        /* the boot information */
        { 0x300000, 0x2345, 0 },       /* a module */
    };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    ULONG n = Build(map, 2, res, 3, runs, &st);
    HT_EQ(n, 4);
    HT_EQ(runs[1].BasePage, 0x125);
    HT_EQ(runs[1].PageCount, 1);       /* between the image and the info */
    HT_EQ(runs[2].BasePage, 0x127);
    HT_EQ(runs[2].PageCount, 0x300 - 0x127);
    HT_EQ(runs[3].BasePage, 0x303);
}

HTEST(memmap, everything_reserved_gives_no_runs)
{
    MI_MEMORY_RANGE map[] = { { 0x100000, 0x100000, 1 }, { 0x0, 0x1000000, 2 } };
    PHYSICAL_MEMORY_RUN runs[MI_MAX_PHYSICAL_RUNS];
    MI_MEMORY_MAP_STATS st;
    HT_EQ(Build(map, 2, NULL, 0, runs, &st), 0);
}
