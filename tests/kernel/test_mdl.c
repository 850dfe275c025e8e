/*
 * MDLs (mm/mdl.c): the header's fields as wdm.h defines them, the PFN array
 * against MmGetPhysicalAddress, locking as a reference on each page, second
 * mappings in system PTEs, and each misuse and IRQL bugcheck.
 */
#include "ntddk.h"
#include "ktest.h"
#include "ps.h"
#include "except.h"
#include "mi.h"
#include "poolp.h"

#define KT_TAG 'tldM'   /* "Mdlt" */

static USHORT KtRefCount(PVOID Va)
{
    return MI_PFN_ELEMENT(MiGetPfnOfVa((ULONG_PTR)Va))->ReferenceCount;
}

/* wdm.h: StartVa is the page, ByteOffset the offset in it, Size the header
 * plus one PFN_NUMBER per spanned page; IoAllocateMdl sets no flags. */
KTEST(mdl, allocate_sets_the_fields_as_wdm_defines_them)
{
    PUCHAR buf = (PUCHAR)0x12345000u + 0x234;       /* never touched */
    PMDL mdl = IoAllocateMdl(buf, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(mdl != NULL);
    KT_EQ((ULONG)mdl->StartVa, 0x12345000u);
    KT_EQ(mdl->ByteOffset, 0x234);
    KT_EQ(mdl->ByteCount, 2 * PAGE_SIZE);
    KT_EQ(mdl->Size, sizeof(MDL) + 3 * sizeof(PFN_NUMBER));
    KT_EQ(sizeof(MDL), 28);
    KT_EQ(mdl->MdlFlags, 0);
    KT_EQ(mdl->Process, NULL);
    KT_EQ(mdl->Next, NULL);
    KT_EQ(MmGetMdlByteCount(mdl), 2 * PAGE_SIZE);
    KT_EQ(MmGetMdlByteOffset(mdl), 0x234);
    KT_EQ(MmGetMdlVirtualAddress(mdl), buf);
    KT_EQ(MmGetMdlPfnArray(mdl), (PUCHAR)mdl + sizeof(MDL));
    KT_EQ(MmSizeOfMdl(buf, 2 * PAGE_SIZE), sizeof(MDL) + 3 * sizeof(PFN_NUMBER));
    KT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, 2 * PAGE_SIZE), 3);
    KT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, PAGE_SIZE), 1);
    /* NT's tag for MDLs, from nonpaged pool (unless specialpool=Mdl chose it). */
    if (!MmIsSpecialPoolAddress(mdl)) {
        KT_EQ(((PPOOL_HEADER)mdl - 1)->PoolTag, IOP_MDL_TAG);
        KT_ASSERT(ExpPoolTagBytes(IOP_MDL_TAG, NonPagedPool) > 0);
    }
    IoFreeMdl(mdl);
    KT_EQ(IoAllocateMdl(buf, 0x80000000u, FALSE, FALSE, NULL), NULL);
}

KTEST(mdl, initialize_mdl_in_caller_storage)
{
    ULONG storage[(sizeof(MDL) + 2 * sizeof(PFN_NUMBER)) / sizeof(ULONG)];
    PMDL mdl = (PMDL)storage;
    mdl->MdlFlags = 0x7FFF;
    MmInitializeMdl(mdl, (PVOID)0x80400FF0u, 0x20);
    KT_EQ((ULONG)mdl->StartVa, 0x80400000u);
    KT_EQ(mdl->ByteOffset, 0xFF0);
    KT_EQ(mdl->ByteCount, 0x20);
    KT_EQ(mdl->Size, sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    KT_EQ(mdl->MdlFlags, 0);
    /* MmPrepareMdlForReuse of an unmapped, non-partial MDL changes nothing. */
    MmPrepareMdlForReuse(mdl);
    KT_EQ(mdl->MdlFlags, 0);
}

KTEST(mdl, build_for_nonpaged_pool_pfns_match_physical_addresses)
{
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, 4 * PAGE_SIZE, KT_TAG);
    KT_ASSERT(buf != NULL);
    PUCHAR start = buf + 0x100;
    ULONG length = 3 * PAGE_SIZE;
    USHORT before = KtRefCount(start);
    PMDL mdl = IoAllocateMdl(start, length, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    KT_EQ(mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EQ(mdl->MappedSystemVa, start);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < 4; i++)
        KT_EQ(pfns[i], MmGetPhysicalAddress((PUCHAR)mdl->StartVa + i * PAGE_SIZE).QuadPart >> PAGE_SHIFT);
    KT_EQ(KtRefCount(start), before);         /* nothing referenced */
    /* wdm.h's MmGetSystemAddressForMdlSafe: the pool address, no new mapping. */
    ULONG ptes = MiSystemPtesInUse();
    KT_EQ(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), start);
    KT_EQ(MmGetSystemAddressForMdl(mdl), start);
    KT_EQ(MiSystemPtesInUse(), ptes);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, KT_TAG);
}

/* A second view of a nonpaged buffer in system PTEs sees the same bytes. */
KTEST(mdl, map_nonpaged_buffer_sees_the_same_bytes)
{
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, KT_TAG);
    KT_ASSERT(buf != NULL);
    for (ULONG i = 0; i < 3 * PAGE_SIZE; i++)
        buf[i] = (UCHAR)(i * 7);
    PUCHAR start = buf + 0x10;
    PMDL mdl = IoAllocateMdl(start, 3 * PAGE_SIZE - 0x20, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    ULONG ptes = MiSystemPtesInUse();
    PUCHAR view = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                               NormalPagePriority);
    KT_ASSERT(view != NULL && view != start);
    KT_ASSERT((ULONG)view >= MI_SYSTEM_PTE_START && (ULONG)view <= MI_SYSTEM_PTE_END);
    KT_EQ(BYTE_OFFSET(view), 0x10);
    KT_EQ(MiSystemPtesInUse(), ptes + 3);
    KT_EQ(mdl->MappedSystemVa, view);
    KT_EQ(mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA);
    KT_EQ(memcmp(view, start, 3 * PAGE_SIZE - 0x20), 0);
    view[PAGE_SIZE * 2] = 0x5A;                 /* a write through the view */
    KT_EQ(start[PAGE_SIZE * 2], 0x5A);
    MmUnmapLockedPages(view, mdl);
    KT_EQ(MiSystemPtesInUse(), ptes);
    KT_ASSERT(!MmIsAddressValid(view));
    KT_EQ(mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EQ(mdl->MappedSystemVa, start);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, KT_TAG);
}

/* Probe and lock references every page (NT: the PFN's ReferenceCount);
 * the mapping shows the buffer; unlock undoes both. */
KTEST(mdl, probe_and_lock_paged_pool_then_map_and_unlock)
{
    PUCHAR buf = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, KT_TAG);
    KT_ASSERT(buf != NULL);
    for (ULONG i = 0; i < 3 * PAGE_SIZE; i++)
        buf[i] = (UCHAR)(i ^ 0x3C);
    PUCHAR start = buf + 0x800;
    ULONG length = 2 * PAGE_SIZE;
    PMDL mdl = IoAllocateMdl(start, length, FALSE, FALSE, NULL);
    USHORT before[3];
    for (ULONG i = 0; i < 3; i++)
        before[i] = KtRefCount(buf + i * PAGE_SIZE);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    KT_EQ(mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_WRITE_OPERATION);
    KT_EQ(mdl->Process, NULL);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < 3; i++) {
        KT_EQ(KtRefCount(buf + i * PAGE_SIZE), before[i] + 1);
        KT_EQ(pfns[i], MmGetPhysicalAddress(buf + i * PAGE_SIZE).QuadPart >> PAGE_SHIFT);
    }

    ULONG ptes = MiSystemPtesInUse();
    PUCHAR view = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    KT_ASSERT(view != NULL && view != start);
    KT_EQ(mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_MAPPED_TO_SYSTEM_VA);
    KT_EQ(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), view);   /* mapped once */
    KT_EQ(MiSystemPtesInUse(), ptes + 3);
    KT_EQ(memcmp(view, start, length), 0);
    view[0] = 0xEE;
    KT_EQ(start[0], 0xEE);

    /* MmUnlockPages unmaps the view too, as NT's does. */
    MmUnlockPages(mdl);
    KT_EQ(mdl->MdlFlags, 0);
    KT_EQ(MiSystemPtesInUse(), ptes);
    for (ULONG i = 0; i < 3; i++)
        KT_EQ(KtRefCount(buf + i * PAGE_SIZE), before[i]);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, KT_TAG);
}

KTEST(mdl, read_access_lock_has_no_write_operation_flag)
{
    ULONG local[4] = { 1, 2, 3, 4 };
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    KT_EQ(mdl->MdlFlags, MDL_PAGES_LOCKED);
    PULONG view = MmMapLockedPages(mdl, KernelMode);
    KT_EQ(view[3], 4);
    MmUnmapLockedPages(view, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* NT raises STATUS_ACCESS_VIOLATION; with no exceptions yet, the raise is
 * unhandled: KMODE_EXCEPTION_NOT_HANDLED (status, caller, write, address). */
KTEST(mdl, probe_of_unmapped_address_raises_access_violation)
{
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_TAG);
    /* One mapped page, then an invalid one: a system PTE run with its
     * second PTE left empty. */
    PMMPTE pte = MiReserveSystemPtes(2, SystemPteSpace);
    PUCHAR va = MiGetVirtualAddressMappedByPte(pte);
    MiMapSystemPage((ULONG_PTR)va, MiGetPfnOfVa((ULONG_PTR)buf), MI_SYSTEM_PTE_BITS);
    USHORT before = KtRefCount(buf);

    PMDL mdl = IoAllocateMdl(va + 0x10, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID bad = NULL;
    KT_EQ(MiProbeAndLockPages(mdl, KernelMode, IoReadAccess, &bad), STATUS_ACCESS_VIOLATION);
    KT_EQ(bad, va + PAGE_SIZE);
    KT_EQ(mdl->MdlFlags, 0);
    KT_EQ(KtRefCount(buf), before);             /* the first page's reference undone */
    KT_EXPECT_BUGCHECK(KMODE_EXCEPTION_NOT_HANDLED, MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)STATUS_ACCESS_VIOLATION);
    KT_EQ(KtLastBugCheck.Parameter[2], 1);
    KT_EQ(KtLastBugCheck.Parameter[3], (ULONG)(va + PAGE_SIZE));
    KT_EQ(KtRefCount(buf), before);
    IoFreeMdl(mdl);

    /* User addresses wait for user mode. */
    mdl = IoAllocateMdl((PVOID)0x00400000u, 16, FALSE, FALSE, NULL);
    KT_EQ(MiProbeAndLockPages(mdl, KernelMode, IoReadAccess, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(MiProbeAndLockPages(mdl, UserMode, IoReadAccess, NULL), STATUS_ACCESS_VIOLATION);
    IoFreeMdl(mdl);

    MiUnmapSystemPage((ULONG_PTR)va);
    MiReleaseSystemPtes(pte, 2, SystemPteSpace);
    ExFreePoolWithTag(buf, KT_TAG);
}

static const ULONG KtReadOnly[4] = { 0xC0FFEE };

KTEST(mdl, probe_for_write_of_read_only_page_fails)
{
    PMDL mdl = IoAllocateMdl((PVOID)KtReadOnly, sizeof(KtReadOnly), FALSE, FALSE, NULL);
    KT_EQ(MiProbeAndLockPages(mdl, KernelMode, IoModifyAccess, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(MiProbeAndLockPages(mdl, KernelMode, IoReadAccess, NULL), STATUS_SUCCESS);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, no_write_mapping_is_read_only)
{
    ULONG local[2] = { 7, 8 };
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    volatile ULONG *view = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                                        NormalPagePriority | MdlMappingNoWrite);
    KT_ASSERT(view != NULL);
    KT_EQ(view[1], 8);
    KT_EXPECT_BUGCHECK(ATTEMPTED_WRITE_TO_READONLY_MEMORY, view[1] = 9);
    KT_EQ(local[1], 8);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, user_mode_mapping_is_refused)
{
    ULONG local = 1;
    PMDL mdl = IoAllocateMdl(&local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    KT_EQ(MmMapLockedPagesSpecifyCache(mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority), NULL);
    KT_EQ(mdl->MdlFlags, MDL_PAGES_LOCKED);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, io_space_pages_are_not_referenced)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0xB8000;
    PVOID vga = MmMapIoSpace(pa, PAGE_SIZE, MmNonCached);
    PMDL mdl = IoAllocateMdl(vga, PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    KT_EQ(mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_SPACE);
    KT_EQ(MmGetMdlPfnArray(mdl)[0], 0xB8);
    IoFreeMdl(mdl);
    mdl = IoAllocateMdl(vga, PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    KT_EQ(mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_IO_SPACE);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    MmUnmapIoSpace(vga, PAGE_SIZE);
}

/* ---- misuse ------------------------------------------------------------------ */

/* NT: PFN_LIST_CORRUPT 0x07 (PFN, count, 0), "a driver has unlocked a
 * certain page more times than it locked it". */
KTEST(mdl, unlock_twice_bugchecks_0x4e_7)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    USHORT locked = KtRefCount(local);
    MmUnlockPages(mdl);
    KT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MmUnlockPages(mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], 7);
    KT_EQ(KtLastBugCheck.Parameter[1], MiGetPfnOfVa((ULONG_PTR)local));
    KT_EQ(KtLastBugCheck.Parameter[2], locked - 1);
    KT_EQ(KtRefCount(local), locked - 1);       /* nothing changed */
    IoFreeMdl(mdl);
}

KTEST(mdl, unlock_below_the_owners_reference_bugchecks_0x4e_7)
{
    /* An MDL built for nonpaged pool holds no reference; marking it locked
     * by hand makes the unlock take the owner's. */
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, 64, KT_TAG);
    PMDL mdl = IoAllocateMdl(buf, 64, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    mdl->MdlFlags = MDL_PAGES_LOCKED;
    USHORT before = KtRefCount(buf);
    KT_EXPECT_BUGCHECK(PFN_LIST_CORRUPT, MmUnlockPages(mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], 7);
    KT_EQ(KtLastBugCheck.Parameter[2], 1);
    KT_EQ(KtRefCount(buf), before);
    mdl->MdlFlags = 0;
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, KT_TAG);
}

/* Driver Verifier's MDL rules (bug check 0xC4): 0xB0 lock an MDL already
 * locked or built for nonpaged pool, 0xB2 map one already mapped, 0xB3 map
 * one neither locked nor built, 0xB8 free one still mapped. */
KTEST(mdl, lock_twice_bugchecks_0xc4_b0)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, MmProbeAndLockPages(mdl, KernelMode, IoReadAccess));
    KT_EQ(KtLastBugCheck.Parameter[0], 0xB0);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG)mdl);
    KT_EQ(KtLastBugCheck.Parameter[3], MDL_PAGES_LOCKED);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, map_twice_bugchecks_0xc4_b2_and_unlocked_0xb3)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, MmMapLockedPages(mdl, KernelMode));
    KT_EQ(KtLastBugCheck.Parameter[0], 0xB3);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    PVOID view = MmMapLockedPages(mdl, KernelMode);
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, MmMapLockedPages(mdl, KernelMode));
    KT_EQ(KtLastBugCheck.Parameter[0], 0xB2);
    KT_EQ(KtLastBugCheck.Parameter[3], MDL_MAPPED_TO_SYSTEM_VA);
    MmUnmapLockedPages(view, mdl);
    /* A second unmap releases PTEs that are no longer reserved. */
    KT_EXPECT_BUGCHECK(MEMORY_MANAGEMENT, MmUnmapLockedPages(view, mdl));
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, free_while_mapped_bugchecks_0xc4_b8)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    PVOID view = MmMapLockedPages(mdl, KernelMode);
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, IoFreeMdl(mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], 0xB8);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG)mdl);
    MmUnmapLockedPages(view, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

KTEST(mdl, partial_mdl_unlock_bugchecks_0xc4_b4)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    mdl->MdlFlags = MDL_PARTIAL;
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, MmUnlockPages(mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], 0xB4);
    mdl->MdlFlags = 0;
    IoFreeMdl(mdl);
}

/* ---- IRQL (seed 000: every MDL call <= DISPATCH_LEVEL; probe of pageable
 * memory <= APC_LEVEL). KeCheckIrqlAtMost: IRQL_NOT_LESS_OR_EQUAL
 * (routine, IRQL, 0, caller). ----------------------------------------------------- */

KTEST(mdl, calls_above_dispatch_bugcheck_irql_not_less_or_equal)
{
    ULONG local[2];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    PMDL built = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, IoAllocateMdl(local, 8, FALSE, FALSE, NULL));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)IoAllocateMdl);
    KT_EQ(KtLastBugCheck.Parameter[1], DISPATCH_LEVEL + 1);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, IoFreeMdl(built));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)IoFreeMdl);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmBuildMdlForNonPagedPool(built));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmBuildMdlForNonPagedPool);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmMapLockedPages(mdl, KernelMode));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmMapLockedPagesSpecifyCache);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmGetSystemAddressForMdl(mdl));
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmUnlockPages(mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmUnlockPages);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmProbeAndLockPages(built, KernelMode, IoReadAccess));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmProbeAndLockPages);
    KeLowerIrql(old);

    PVOID view = MmMapLockedPages(mdl, KernelMode);
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmUnmapLockedPages(view, mdl));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmUnmapLockedPages);
    KeLowerIrql(old);
    MmUnmapLockedPages(view, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    IoFreeMdl(built);
}

KTEST(mdl, all_calls_work_at_dispatch_for_nonpaged_memory)
{
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, KT_TAG);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PMDL mdl = IoAllocateMdl(buf, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    PUCHAR view = MmGetSystemAddressForMdl(mdl);
    view[PAGE_SIZE] = 0x42;
    MmUnmapLockedPages(view, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    KeLowerIrql(old);
    KT_EQ(buf[PAGE_SIZE], 0x42);
    ExFreePoolWithTag(buf, KT_TAG);
}

/* NT: "Callers of MmProbeAndLockPages must be running at IRQL <= APC_LEVEL
 * for pageable addresses, or at IRQL <= DISPATCH_LEVEL for nonpageable". */
KTEST(mdl, probe_of_paged_pool_at_dispatch_bugchecks)
{
    PUCHAR buf = ExAllocatePoolWithTag(PagedPool, 64, KT_TAG);
    PMDL mdl = IoAllocateMdl(buf, 64, FALSE, FALSE, NULL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, MmProbeAndLockPages(mdl, KernelMode, IoReadAccess));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)MmProbeAndLockPages);
    KT_EQ(KtLastBugCheck.Parameter[1], DISPATCH_LEVEL);
    KeLowerIrql(old);
    KeRaiseIrql(APC_LEVEL, &old);
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    KeLowerIrql(old);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, KT_TAG);
}

/*
 * A user buffer (issue 4: "user buffers when user mode lands"): in a
 * process's context, MmProbeAndLockPages faults its pages in, references
 * them and records the process; the system mapping sees what the process
 * sees; a bad user address is raised to the caller's try.
 */
KTEST(mdl, user_buffer_is_probed_locked_and_mapped)
{
    PEPROCESS p = PsCreateProcess("mdl-user");
    KT_ASSERT(p != NULL);
    KeAttachProcess(p);
    ULONG_PTR base = 0x20000000;
    SIZE_T size = 3 * PAGE_SIZE;
    NTSTATUS s = MiAllocateVirtualMemory(p, &base, 0, &size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    PUCHAR user = (PUCHAR)base + 100;
    PMDL mdl = IoAllocateMdl(user, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    KTRY t;
    NTSTATUS locked = STATUS_SUCCESS;
    KE_TRY(t) {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);      /* demand-zero pages come in */
        KeLeaveTry(&t);
    } else {
        locked = t.Status;
    }
    BOOLEAN refs = locked == STATUS_SUCCESS;
    for (ULONG i = 0; refs && i < 3; i++) {
        PFN_NUMBER page = MmGetMdlPfnArray(mdl)[i];
        refs = page == MiGetPfnOfVa((ULONG_PTR)PAGE_ALIGN(user) + i * PAGE_SIZE) &&
               MI_PFN_ELEMENT(page)->ReferenceCount == 2;
    }
    BOOLEAN owner = mdl->Process == p && (mdl->MdlFlags & MDL_PAGES_LOCKED);
    PUCHAR system = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                                 NormalPagePriority);
    memcpy(system + PAGE_SIZE - 2, "mdl", 4);                   /* across a page line */
    BOOLEAN same = memcmp(user + PAGE_SIZE - 2, "mdl", 4) == 0;
    MmUnmapLockedPages(system, mdl);
    MmUnlockPages(mdl);
    BOOLEAN unlocked = MI_PFN_ELEMENT(MiGetPfnOfVa((ULONG_PTR)PAGE_ALIGN(user)))->ReferenceCount == 1;
    IoFreeMdl(mdl);

    /* Past the committed range: reserved, not committed. */
    PMDL bad = IoAllocateMdl((PUCHAR)base + size, 16, FALSE, FALSE, NULL);
    NTSTATUS raised = STATUS_SUCCESS;
    KE_TRY(t) {
        MmProbeAndLockPages(bad, UserMode, IoReadAccess);
        KeLeaveTry(&t);
    } else {
        raised = t.Status;
    }
    IoFreeMdl(bad);
    SIZE_T zero = 0;
    MiFreeVirtualMemory(p, &base, &zero, MEM_RELEASE);
    KeDetachProcess();
    MmDeleteProcessVads(p);
    MmDeleteProcessAddressSpace(p->DirectoryTableBase);
    RemoveEntryList(&p->ProcessListEntry);
    ObDereferenceObject(&p->Header);

    KT_EQ(s, STATUS_SUCCESS);
    KT_EQ(locked, STATUS_SUCCESS);
    KT_ASSERT(refs);
    KT_ASSERT(owner);
    KT_ASSERT(system != NULL);
    KT_ASSERT(same);
    KT_ASSERT(unlocked);
    KT_EQ(raised, STATUS_ACCESS_VIOLATION);
}

KTEST(mdl, user_mode_probe_of_system_address_is_refused)
{
    static UCHAR kernelBuffer[64];
    PMDL mdl = IoAllocateMdl(kernelBuffer, sizeof(kernelBuffer), FALSE, FALSE, NULL);
    KTRY t;
    NTSTATUS raised = STATUS_SUCCESS;
    KE_TRY(t) {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        KeLeaveTry(&t);
    } else {
        raised = t.Status;
    }
    IoFreeMdl(mdl);
    KT_EQ(raised, STATUS_ACCESS_VIOLATION);
}
