/* System PTEs and MmMapIoSpace. */
#include "ntddk.h"
#include "ktest.h"
#include "mi.h"

KTEST(syspte, reserve_and_release_count)
{
    ULONG before = MiSystemPtesInUse();
    PMMPTE a = MiReserveSystemPtes(5, SystemPteSpace);
    PMMPTE b = MiReserveSystemPtes(3, SystemPteSpace);
    KT_ASSERT(a && b);
    KT_EQ(MiSystemPtesInUse(), before + 8);
    /* Runs never overlap, and lie in the system PTE region. */
    KT_ASSERT(b >= a + 5 || a >= b + 3);
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(a);
    KT_ASSERT(va >= MI_SYSTEM_PTE_START && va + 5 * PAGE_SIZE - 1 <= MI_SYSTEM_PTE_END);
    for (int i = 0; i < 5; i++)
        KT_EQ(a[i].u, 0);
    MiReleaseSystemPtes(a, 5, SystemPteSpace);
    MiReleaseSystemPtes(b, 3, SystemPteSpace);
    KT_EQ(MiSystemPtesInUse(), before);
}

KTEST(syspte, double_release_bugchecks)
{
    PMMPTE a = MiReserveSystemPtes(2, SystemPteSpace);
    MiReleaseSystemPtes(a, 2, SystemPteSpace);
    KT_EXPECT_BUGCHECK(MEMORY_MANAGEMENT, MiReleaseSystemPtes(a, 2, SystemPteSpace));
}

KTEST(syspte, guard_page_below_a_mapping_faults)
{
    /* As a kernel stack will be: the lowest PTE of the run stays invalid. */
    PMMPTE pte = MiReserveSystemPtes(3, SystemPteSpace);
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    PFN_NUMBER pages[2] = { MiRemoveZeroPage(), MiRemoveZeroPage() };
    MiMapSystemPage(va + PAGE_SIZE, pages[0], MI_SYSTEM_PTE_BITS);
    MiMapSystemPage(va + 2 * PAGE_SIZE, pages[1], MI_SYSTEM_PTE_BITS);
    *(volatile ULONG *)(va + PAGE_SIZE) = 1;
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, *(volatile ULONG *)(va + PAGE_SIZE - 4) = 1);
    KT_EQ(KtLastBugCheck.Parameter[0], va + PAGE_SIZE - 4);
    MiReleaseSystemPtes(pte, 3, SystemPteSpace);
    MiFreePage(pages[0]);
    MiFreePage(pages[1]);
}

KTEST(iospace, map_vga_text_buffer)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0xB8000;
    volatile USHORT *vga = MmMapIoSpace(pa, 80 * 25 * 2, MmNonCached);
    KT_ASSERT(vga != NULL);
    KT_EQ(BYTE_OFFSET(vga), 0);
    KT_EQ(MmGetPhysicalAddress((PVOID)vga).QuadPart, 0xB8000);
    ULONG pte = MiGetPteAddress((PVOID)vga)->u;
    KT_ASSERT(pte & PTE_CACHE_DISABLE);
    vga[79] = 0x1F00 | 'N';                 /* top right corner, white on blue */
    KT_EQ(vga[79], 0x1F00 | 'N');
    MmUnmapIoSpace((PVOID)vga, 80 * 25 * 2);
    KT_ASSERT(!MmIsAddressValid((PVOID)vga));
}

KTEST(iospace, unaligned_address_keeps_its_offset)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0xB8FF0;                  /* 32 bytes across a page boundary */
    ULONG before = MiSystemPtesInUse();
    PUCHAR va = MmMapIoSpace(pa, 32, MmCached);
    KT_EQ(BYTE_OFFSET(va), 0xFF0);
    KT_EQ(MiSystemPtesInUse(), before + 2);
    KT_EQ(MmGetPhysicalAddress(va + 16).QuadPart, 0xB9000);
    MmUnmapIoSpace(va, 32);
    KT_EQ(MiSystemPtesInUse(), before);
}

KTEST(iospace, zero_bytes_returns_null)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0xB8000;
    KT_EQ(MmMapIoSpace(pa, 0, MmNonCached), NULL);
}

KTEST(iospace, call_above_passive_bugchecks)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0xB8000;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmMapIoSpace(pa, 16, MmNonCached));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG_PTR)MmMapIoSpace);
    KT_EQ(KtLastBugCheck.Parameter[1], DISPATCH_LEVEL);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmUnmapIoSpace((PVOID)MI_SYSTEM_PTE_START, 16));
    KeLowerIrql(old);
}
