/* The PFN database on the real machine: lists, zeroing, exhaustion, misuse. */
#include "ntddk.h"
#include "ktest.h"
#include "mi.h"

/* Held pages are chained through their (unused while held) WsIndex field. */
static PFN_NUMBER KtpTakeAll(ULONG *Count)
{
    PFN_NUMBER head = MM_EMPTY_LIST;
    *Count = 0;
    for (;;) {
        PFN_NUMBER p = MiRemoveAnyPage();
        if (p == MM_EMPTY_LIST)
            return head;
        MI_PFN_ELEMENT(p)->u1.WsIndex = head;
        head = p;
        (*Count)++;
    }
}

static void KtpFreeChain(PFN_NUMBER Head, ULONG Max)
{
    for (ULONG i = 0; i < Max && Head != MM_EMPTY_LIST; i++) {
        PFN_NUMBER next = MI_PFN_ELEMENT(Head)->u1.WsIndex;
        MiFreePage(Head);
        Head = next;
    }
}

static void KtpFill(PFN_NUMBER Page, UCHAR Value)
{
    KIRQL old;
    PVOID va = MiMapPageInHyperSpace(Page, &old);
    memset(va, Value, PAGE_SIZE);
    MiUnmapPageInHyperSpace(va, old);
}

static BOOLEAN KtpIsZero(PFN_NUMBER Page)
{
    KIRQL old;
    PVOID va = MiMapPageInHyperSpace(Page, &old);
    BOOLEAN zero = RtlCompareMemoryUlong(va, PAGE_SIZE, 0) == PAGE_SIZE;
    MiUnmapPageInHyperSpace(va, old);
    return zero;
}

KTEST(pfn, mmpfn_is_24_bytes)
{
    KT_EQ(sizeof(MMPFN), 24);
}

KTEST(pfn, database_is_consistent_after_boot)
{
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
    MM_PAGE_COUNTS c;
    MmGetPageCounts(&c);
    KT_EQ(c.TotalPages, c.AvailablePages + c.ActivePages + c.BadPages + c.ModifiedPages);
    KT_EQ(c.AvailablePages, c.ZeroedPages + c.FreePages + c.StandbyPages);
    KT_ASSERT(c.TotalPages > 1000);
    KT_EQ(c.PfnDatabaseBytes, (c.HighestPage + 1) * 24);
}

KTEST(pfn, kernel_image_and_page_zero_are_not_free)
{
    PFN_NUMBER text = MiGetPfnOfVa((ULONG_PTR)__text_start);
    KT_EQ(text, 0x101);
    KT_EQ(MI_PFN_ELEMENT(text)->PageLocation, ActiveAndValid);
    KT_ASSERT(MI_PFN_ELEMENT(0)->Flags & MI_PFN_NOT_RAM);
    KT_ASSERT(MI_PFN_ELEMENT(0xA0)->Flags & MI_PFN_NOT_RAM);    /* the VGA/BIOS hole */
}

KTEST(pfn, allocate_and_free_round_trip)
{
    MM_PAGE_COUNTS before, during, after;
    MmGetPageCounts(&before);
    PFN_NUMBER p = MiRemoveAnyPage();
    KT_ASSERT(p != MM_EMPTY_LIST);
    KT_EQ(MI_PFN_ELEMENT(p)->PageLocation, ActiveAndValid);
    KT_EQ(MI_PFN_ELEMENT(p)->ReferenceCount, 1);
    MmGetPageCounts(&during);
    KT_EQ(during.AvailablePages, before.AvailablePages - 1);
    KT_EQ(during.ActivePages, before.ActivePages + 1);
    MiFreePage(p);
    KT_EQ(MI_PFN_ELEMENT(p)->PageLocation, FreePageList);
    KT_EQ(MiPfnDb.Lists[FreePageList].Blink, p);        /* freed pages go to the tail */
    MmGetPageCounts(&after);
    KT_EQ(after.AvailablePages, before.AvailablePages);
    KT_EQ(after.ActivePages, before.ActivePages);
}

KTEST(pfn, idle_zeroing_moves_free_pages_to_zeroed_list)
{
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    KT_EQ(MmZeroFreePages(10), 10);
    MmGetPageCounts(&after);
    KT_EQ(after.ZeroedPages, before.ZeroedPages + 10);
    KT_EQ(after.FreePages, before.FreePages - 10);
    for (PFN_NUMBER p = MiPfnDb.Lists[ZeroedPageList].Flink; p != MM_EMPTY_LIST;
         p = MI_PFN_ELEMENT(p)->u1.Flink)
        KT_ASSERT(KtpIsZero(p));
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

KTEST(pfn, zero_requests_always_get_zeroed_pages)
{
    /* Hold every page, dirty 64 and give them back: now the free list is
     * nothing but dirty pages and the zeroed list is empty. */
    ULONG held;
    PFN_NUMBER chain = KtpTakeAll(&held);
    KT_ASSERT(held > 128);
    PFN_NUMBER dirty[64];
    for (int i = 0; i < 64; i++) {
        dirty[i] = chain;
        chain = MI_PFN_ELEMENT(chain)->u1.WsIndex;
        KtpFill(dirty[i], 0xA5);
        MiFreePage(dirty[i]);
    }
    KT_EQ(MiPfnDb.Lists[ZeroedPageList].Total, 0);
    /* Half of them come back through the zeroing pass, half zeroed on demand. */
    KT_EQ(MmZeroFreePages(32), 32);
    for (int i = 0; i < 64; i++) {
        PFN_NUMBER p = MiRemoveZeroPage();
        KT_ASSERT(p != MM_EMPTY_LIST);
        KT_ASSERT(KtpIsZero(p));
        dirty[i] = p;
    }
    KT_EQ(MiRemoveZeroPage(), MM_EMPTY_LIST);
    for (int i = 0; i < 64; i++)
        MiFreePage(dirty[i]);
    KtpFreeChain(chain, held);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

KTEST(pfn, exhaustion_fails_cleanly_and_frees_restore_counts)
{
    MM_PAGE_COUNTS before, empty, after;
    MmGetPageCounts(&before);
    ULONG held;
    PFN_NUMBER chain = KtpTakeAll(&held);
    KT_EQ(held, before.AvailablePages);
    MmGetPageCounts(&empty);
    KT_EQ(empty.AvailablePages, 0);
    KT_EQ(MiRemoveAnyPage(), MM_EMPTY_LIST);
    KT_EQ(MiRemoveZeroPage(), MM_EMPTY_LIST);
    PHYSICAL_ADDRESS high;
    high.QuadPart = 0xFFFFFFFF;
    KT_EQ(MmAllocateContiguousMemory(PAGE_SIZE, high), NULL);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
    KtpFreeChain(chain, held);
    MmGetPageCounts(&after);
    KT_EQ(after.AvailablePages, before.AvailablePages);
    KT_EQ(after.ActivePages, before.ActivePages);
    KT_EQ(after.TotalPages, before.TotalPages);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

KTEST(pfn, double_free_bugchecks_pfn_list_corrupt)
{
    PFN_NUMBER p = MiRemoveAnyPage();
    MiFreePage(p);
    KT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiFreePage(p));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x99);
    KT_EQ(KtLastBugCheck.Parameter[1], p);
    KT_EQ(KtLastBugCheck.Parameter[2], FreePageList);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));     /* nothing was changed */
}

KTEST(pfn, free_of_a_hole_bugchecks_pfn_list_corrupt)
{
    KT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiFreePage(0xA0));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x02);
    KT_EQ(KtLastBugCheck.Parameter[1], 0xA0);
    KT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MiFreePage(MiPfnDb.HighestPage + 1));
}

KTEST(pfn, bad_page_leaves_circulation)
{
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    PFN_NUMBER p = MiRemoveAnyPage();
    KIRQL old = MiAcquirePfnLock();
    MiMarkPageBad(&MiPfnDb, p);
    MiReleasePfnLock(old);
    MmGetPageCounts(&after);
    KT_EQ(after.BadPages, before.BadPages + 1);
    KT_EQ(after.AvailablePages, before.AvailablePages - 1);
    KT_ASSERT(MiValidatePfnDatabase(&MiPfnDb));
}

/* The database agrees with the firmware's map on this machine's real layout
 * (at 3G that includes QEMU's PCI hole below 4 GB): whole usable pages below
 * 4 GB are RAM, pages of reserved ranges are not. */
KTEST(pfn, database_matches_the_firmware_map)
{
    ULONG checked = 0;
    for (ULONG i = 0; i < KeLoaderBlock.RangeCount; i++) {
        KBOOT_MEMORY_RANGE *r = &KeLoaderBlock.Ranges[i];
        ULONGLONG first = (r->Base + PAGE_SIZE - 1) >> PAGE_SHIFT;
        ULONGLONG end = (r->Base + r->Length) >> PAGE_SHIFT;
        for (ULONGLONG p = first; p < end && p <= MiPfnDb.HighestPage; p++) {
            BOOLEAN ram = !(MI_PFN_ELEMENT((PFN_NUMBER)p)->Flags & MI_PFN_NOT_RAM);
            if (r->Type == 1 && p != 0)
                KT_ASSERT(ram);
            else if (r->Type != 1)
                KT_ASSERT(!ram);
            checked++;
        }
    }
    KT_ASSERT(checked > 1000);
    KT_ASSERT(MiPfnDb.HighestPage < 0x100000);      /* nothing at or above 4 GB */
}
