/*
 * poolpages.c - the pages under the executive pool: its two regions of
 * system space and the physical pages behind them (pool.c carves blocks;
 * this file supplies whole pages).
 *
 *   nonpaged pool  MI_NONPAGED_POOL_START..END (32 MB)   resident
 *   paged pool     MI_PAGED_POOL_START..END   (128 MB)   pages mapped when
 *                  allocated; kept apart so a later paging file can page it
 *
 * Each region has a bitmap of pages in use and one marking the last page of
 * each allocation, so MiFreePoolPages finds an allocation's length from its
 * start (NT keeps the same pair for paged pool). Running out of either
 * address space or physical pages returns NULL and leaves nothing behind.
 */
#include "ntddk.h"
#include "mi.h"
#include "bitmap.h"
#include "poolp.h"

#define MI_NONPAGED_POOL_PAGES ((MI_NONPAGED_POOL_END - MI_NONPAGED_POOL_START + 1) >> PAGE_SHIFT)
#define MI_PAGED_POOL_PAGES ((MI_PAGED_POOL_END - MI_PAGED_POOL_START + 1) >> PAGE_SHIFT)

typedef struct _MI_POOL_REGION {
    ULONG_PTR Base;
    RTL_BITMAP InUse;
    RTL_BITMAP EndOfAllocation;
    ULONG Hint;
    ULONG PagesInUse;
} MI_POOL_REGION;

static ULONG MiNonPagedBits[2][MI_NONPAGED_POOL_PAGES / 32];
static ULONG MiPagedBits[2][MI_PAGED_POOL_PAGES / 32];
static MI_POOL_REGION MiPoolRegions[2];      /* indexed by the base pool type */

static MI_POOL_REGION *MiPoolRegion(POOL_TYPE PoolType)
{
    MI_POOL_REGION *r = &MiPoolRegions[PoolType & BASE_POOL_TYPE_MASK];
    if (r->Base == 0) {
        /* First use: the regions need no set-up before MmInitSystem is done. */
        BOOLEAN paged = (PoolType & BASE_POOL_TYPE_MASK) != 0;
        ULONG pages = paged ? MI_PAGED_POOL_PAGES : MI_NONPAGED_POOL_PAGES;
        r->Base = paged ? MI_PAGED_POOL_START : MI_NONPAGED_POOL_START;
        RtlInitializeBitMap(&r->InUse, paged ? MiPagedBits[0] : MiNonPagedBits[0], pages);
        RtlInitializeBitMap(&r->EndOfAllocation, paged ? MiPagedBits[1] : MiNonPagedBits[1], pages);
        RtlClearAllBits(&r->InUse);
        RtlClearAllBits(&r->EndOfAllocation);
    }
    return r;
}

PVOID MiAllocatePoolPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    ULONG pages = (ULONG)BYTES_TO_PAGES(NumberOfBytes);
    if (pages == 0)
        return NULL;
    KIRQL old = MiAcquirePfnLock();
    MI_POOL_REGION *r = MiPoolRegion(PoolType);
    ULONG index = RtlFindClearBitsAndSet(&r->InUse, pages, r->Hint);
    if (index == 0xFFFFFFFFu || MiAvailablePages(&MiPfnDb) < pages) {
        if (index != 0xFFFFFFFFu)
            RtlClearBits(&r->InUse, index, pages);
        MiReleasePfnLock(old);
        return NULL;
    }
    r->Hint = index + pages;
    r->PagesInUse += pages;
    RtlSetBits(&r->EndOfAllocation, index + pages - 1, 1);
    MiReleasePfnLock(old);

    ULONG_PTR va = r->Base + ((ULONG_PTR)index << PAGE_SHIFT);
    for (ULONG i = 0; i < pages; i++) {
        ULONG_PTR page_va = va + ((ULONG_PTR)i << PAGE_SHIFT);
        PFN_NUMBER page = MM_EMPTY_LIST;
        if (MiEnsureSystemPageTable(page_va))
            page = MiRemoveAnyPage();
        if (page == MM_EMPTY_LIST) {
            /* Out of pages after all (a page table took the last): undo. */
            for (ULONG j = 0; j < i; j++) {
                ULONG_PTR done = va + ((ULONG_PTR)j << PAGE_SHIFT);
                PFN_NUMBER p = MiGetPfnOfVa(done);
                MiUnmapSystemPage(done);
                MiFreePage(p);
            }
            old = MiAcquirePfnLock();
            RtlClearBits(&r->InUse, index, pages);
            RtlClearBits(&r->EndOfAllocation, index + pages - 1, 1);
            r->PagesInUse -= pages;
            MiReleasePfnLock(old);
            return NULL;
        }
        MiMapSystemPage(page_va, page, MI_SYSTEM_PTE_BITS);
        MI_PFN_ELEMENT(page)->PteAddress = MiGetPteAddress((PVOID)page_va);
    }
    return (PVOID)va;
}

ULONG MiFreePoolPages(PVOID StartingVa)
{
    ULONG_PTR va = (ULONG_PTR)StartingVa;
    BOOLEAN paged = va >= MI_PAGED_POOL_START && va <= MI_PAGED_POOL_END;
    if (!paged && !(va >= MI_NONPAGED_POOL_START && va <= MI_NONPAGED_POOL_END))
        KeBugCheckEx(BAD_POOL_CALLER, 0x42, va, 0, 0);
    MI_POOL_REGION *r = MiPoolRegion(paged ? PagedPool : NonPagedPool);
    ULONG index = (ULONG)((va - r->Base) >> PAGE_SHIFT);
    KIRQL old = MiAcquirePfnLock();
    /* The start of an allocation: in use, and the page before it free or an end. */
    if (BYTE_OFFSET(va) || !RtlTestBit(&r->InUse, index) ||
        (index > 0 && RtlTestBit(&r->InUse, index - 1) && !RtlTestBit(&r->EndOfAllocation, index - 1)))
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, va, 0, 0);
    ULONG pages = 1;
    while (!RtlTestBit(&r->EndOfAllocation, index + pages - 1))
        pages++;
    RtlClearBits(&r->InUse, index, pages);
    RtlClearBits(&r->EndOfAllocation, index + pages - 1, 1);
    r->PagesInUse -= pages;
    MiReleasePfnLock(old);
    for (ULONG i = 0; i < pages; i++) {
        ULONG_PTR page_va = va + ((ULONG_PTR)i << PAGE_SHIFT);
        PFN_NUMBER p = MiGetPfnOfVa(page_va);
        MiUnmapSystemPage(page_va);
        MiFreePage(p);
    }
    return pages;
}

ULONG MiPoolPagesInUse(POOL_TYPE PoolType)
{
    return MiPoolRegion(PoolType)->PagesInUse;
}
