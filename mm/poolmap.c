/*
 * poolmap.c - the kernel's map of small pool pages: for each page of the
 * two pool regions (mmlayout.h), a byte that is the page's base pool type
 * + 1 while the pool has it carved into small blocks, else 0. NT has no
 * such map: its pools are fixed address ranges, and a free of a small
 * block trusts the header in front of it. This pool checks the page first,
 * so a free of an address the pool never handed out is caught
 * (BAD_POOL_CALLER 0x42) before any header is read.
 *
 * Why a byte map: every free asks, and here the answer is a range check and
 * one load (ExpLookupPoolPage, inline in poolp.h). A hash table of the
 * pages (what the host environment keeps, since its pages come from
 * anywhere) cost a hash, a compare and a probe, about 20 instructions of
 * each free. A bitmap would be an eighth of the size but needs a shift, a
 * load and a bit test where a byte needs one compare with memory; the
 * bytes are 40 KB for the 160 MB of the two regions.
 *
 * The lookup answers from the region (a constant per branch, so the
 * caller's test of the answer folds into the load's); the byte holds the
 * pool type + 1 all the same, so that the validator's walk can check that
 * no page is on its region's map as the other pool's.
 *
 * Lock: the pool lock of the page's pool for changes; reads take none. A
 * byte is written when the page is carved and when it is given back, and
 * a rightful free holds a block of the page, so the page is not given
 * back under it.
 */
#include "poolp.h"

UCHAR ExpNonPagedPoolPageMap[EXP_NONPAGED_POOL_BYTES >> PAGE_SHIFT];
UCHAR ExpPagedPoolPageMap[EXP_PAGED_POOL_BYTES >> PAGE_SHIFT];

typedef struct _EXP_POOL_PAGE_MAP {
    ULONG_PTR Start;
    ULONG_PTR Bytes;
    PUCHAR Map;
} EXP_POOL_PAGE_MAP;

/* By base pool type. */
static const EXP_POOL_PAGE_MAP ExpPoolPageMaps[2] = {
    { MI_NONPAGED_POOL_START, EXP_NONPAGED_POOL_BYTES, ExpNonPagedPoolPageMap },
    { MI_PAGED_POOL_START, EXP_PAGED_POOL_BYTES, ExpPagedPoolPageMap },
};

static PUCHAR ExpPoolPageMapEntry(const EXP_POOL_PAGE_MAP *Region, PVOID Page)
{
    ULONG_PTR Offset = (ULONG_PTR)Page - Region->Start;
    ASSERT(Offset < Region->Bytes && BYTE_OFFSET(Page) == 0);
    return &Region->Map[Offset >> PAGE_SHIFT];
}

BOOLEAN ExpInsertPoolPage(PVOID Page, ULONG BaseType)
{
    /* MiAllocatePoolPages hands out pages of BaseType's own region. */
    PUCHAR Entry = ExpPoolPageMapEntry(&ExpPoolPageMaps[BaseType], Page);
    ASSERT(*Entry == 0);
    *Entry = (UCHAR)(BaseType + 1);
    return TRUE;
}

void ExpRemovePoolPage(PVOID Page)
{
    ULONG PageType = ExpLookupPoolPage(Page);
    ASSERT(PageType != 0);
    *ExpPoolPageMapEntry(&ExpPoolPageMaps[PageType - 1], Page) = 0;
}

void ExpEnumeratePoolPages(ULONG BaseType, PEXP_POOL_PAGE_CALLBACK Callback, PVOID Context)
{
    const EXP_POOL_PAGE_MAP *Region = &ExpPoolPageMaps[BaseType];
    for (ULONG i = 0; i < Region->Bytes >> PAGE_SHIFT; i++) {
        if (Region->Map[i] == 0)
            continue;
        ASSERTMSG("a page on its region's map as the other pool's", Region->Map[i] == BaseType + 1);
        Callback((PVOID)(Region->Start + ((ULONG_PTR)i << PAGE_SHIFT)), Context);
    }
}
