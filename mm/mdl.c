/*
 * mdl.c - memory descriptor lists: a buffer described by its physical
 * pages, so that it can be locked in memory, mapped a second time in system
 * space (a driver reaching a buffer from another context), or handed to a
 * device. NT counterpart: ntos/mm/iosup.c and ntos/io/iosubs.c (IoAllocateMdl).
 *
 *   IoAllocateMdl / MmInitializeMdl    the header: StartVa, ByteOffset, ByteCount
 *   MmBuildMdlForNonPagedPool          PFNs of resident memory, nothing referenced
 *   MmProbeAndLockPages / MmUnlockPages PFNs of kernel memory or of the current
 *                                      process's user buffer (faulted in first),
 *                                      each page referenced (PFN ReferenceCount + 1)
 *   MmMapLockedPages(SpecifyCache)     the PFNs mapped into system PTEs
 *   MmUnmapLockedPages / IoFreeMdl     the way back
 *
 * A locked page: its owner holds one reference (the pool's mapping, say);
 * each MDL that locks it holds one more. MiFreePage refuses a page with
 * more than one reference (PFN_LIST_CORRUPT 0x99), so a buffer freed while
 * an MDL still locks it is caught when its page would go back to the free
 * list. Pages that are not RAM (device memory) have no PFN entry to
 * reference and mark the MDL MDL_IO_SPACE.
 *
 * Misuse is caught with NT's codes: an unlock that would take a page's
 * count below its owner's is PFN_LIST_CORRUPT 0x07; the MDL state rules
 * Driver Verifier enforces (lock twice, map twice, map unlocked, free while
 * mapped) are DRIVER_VERIFIER_DETECTED_VIOLATION 0xB0/0xB2/0xB3/0xB4/0xB8,
 * always on here, as cheap checks are. See docs/mdl.md.
 *
 * Locks: the PFN lock (DISPATCH_LEVEL) around reference counts; the
 * system-PTE layer takes its own. One processor.
 */
#include "ntddk.h"
#include "mi.h"
#include "ps.h"
#include "except.h"

#define MI_TOTAL_SYSTEM_PTES ((MI_SYSTEM_PTE_END - MI_SYSTEM_PTE_START + 1) >> PAGE_SHIFT)

static ULONG MiMdlPages(const MDL *Mdl)
{
    return ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
}

/* RAM the PFN database manages (else device memory: nothing to reference). */
static BOOLEAN MiIsPfnDatabasePage(PFN_NUMBER Page)
{
    return Page <= MiPfnDb.HighestPage && !(MI_PFN_ELEMENT(Page)->Flags & MI_PFN_NOT_RAM);
}

/* The ranges whose pages may one day be paged out: user space, the system
 * cache and paged pool. Locking them needs IRQL <= APC_LEVEL, as in NT. */
static BOOLEAN MiIsPageableRange(ULONG_PTR Start, ULONG_PTR Bytes)
{
    ULONG_PTR last = Start + (Bytes ? Bytes - 1 : 0);
    return Start < MM_SYSTEM_RANGE_START ||
           (last >= MI_SYSTEM_CACHE_START && Start <= MI_SYSTEM_CACHE_END) ||
           (last >= MI_PAGED_POOL_START && Start <= MI_PAGED_POOL_END);
}

/* A write through Va would not fault: PDE and PTE (or a large PDE) writable. */
static BOOLEAN MiIsAddressWritable(ULONG_PTR Va)
{
    ULONG pde = MiGetPdeAddress((PVOID)Va)->u;
    if (!(pde & PTE_VALID) || !(pde & PTE_WRITE))
        return FALSE;
    return (pde & PTE_LARGE_PAGE) || (MiGetPteAddress((PVOID)Va)->u & PTE_WRITE);
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PVOID Irp)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)IoAllocateMdl);
    ASSERT(Irp == NULL);        /* no IRPs yet: nothing to chain the MDL to */
    if (Length & 0x80000000u)
        return NULL;            /* NT's limit: under 2 GB */
    PMDL mdl = ExAllocatePoolWithTag(NonPagedPool, MmSizeOfMdl(VirtualAddress, Length), IOP_MDL_TAG);
    if (mdl == NULL)
        return NULL;
    MmInitializeMdl(mdl, VirtualAddress, Length);
    mdl->Process = NULL;
    mdl->MappedSystemVa = NULL;
    return mdl;
}

void IoFreeMdl(PMDL Mdl)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)IoFreeMdl);
    MmPrepareMdlForReuse(Mdl);
    /* Its system PTEs would be lost for good. */
    if (Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xB8, (ULONG_PTR)Mdl,
                     (USHORT)Mdl->MdlFlags, 0);
    ExFreePoolWithTag(Mdl, IOP_MDL_TAG);
}

void MmBuildMdlForNonPagedPool(PMDL Mdl)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmBuildMdlForNonPagedPool);
    ASSERT(!(Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA |
                              MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL)));
    PPFN_NUMBER pfns = MmGetMdlPfnArray(Mdl);
    ULONG pages = MiMdlPages(Mdl);
    for (ULONG i = 0; i < pages; i++) {
        ULONG_PTR va = (ULONG_PTR)Mdl->StartVa + ((ULONG_PTR)i << PAGE_SHIFT);
        PFN_NUMBER page = MiGetPfnOfVa(va);
        if (page == MM_EMPTY_LIST)
            KeBugCheckEx(PAGE_FAULT_IN_NONPAGED_AREA, va, 0,
                         (ULONG_PTR)__builtin_return_address(0), 0);
        if (!MiIsPfnDatabasePage(page))
            Mdl->MdlFlags |= MDL_IO_SPACE;
        pfns[i] = page;
    }
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* Drops the references taken on the first Count pages. PFN lock held. */
static void MiDereferenceMdlPages(const PFN_NUMBER *Pfns, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++)
        if (MiIsPfnDatabasePage(Pfns[i]))
            MI_PFN_ELEMENT(Pfns[i])->ReferenceCount--;
}

/* Touches one byte of a user page (writing it back for a write lock), so
 * the fault path makes the page resident; the status of a fault, if any. */
static NTSTATUS MiTouchUserPage(ULONG_PTR Va, BOOLEAN Write)
{
    KTRY t;
    KE_TRY(t) {
        if (Write)
            *(volatile UCHAR *)Va = *(volatile UCHAR *)Va;
        else
            (void)*(volatile UCHAR *)Va;
        KeLeaveTry(&t);
        return STATUS_SUCCESS;
    }
    return t.Status;
}

NTSTATUS MiProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation,
                             PVOID *BadAddress)
{
    ULONG_PTR start = (ULONG_PTR)MmGetMdlVirtualAddress(Mdl);
    KeCheckIrqlAtMost(MiIsPageableRange(start, Mdl->ByteCount) ? APC_LEVEL : DISPATCH_LEVEL,
                      (PVOID)MmProbeAndLockPages);
    const USHORT wrong = MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL |
                         MDL_PARTIAL | MDL_IO_SPACE;
    if (Mdl->MdlFlags & wrong)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xB0, (ULONG_PTR)Mdl,
                     (USHORT)Mdl->MdlFlags, (USHORT)Mdl->MdlFlags & wrong);

    /* A user caller may not name system addresses at all; a buffer must not
     * wrap or straddle the user/system line. */
    BOOLEAN user = start < MM_SYSTEM_RANGE_START;
    if (start + Mdl->ByteCount < start || (AccessMode != KernelMode && !user) ||
        (user && start + Mdl->ByteCount > MM_USER_PROBE_ADDRESS)) {
        if (BadAddress)
            *BadAddress = (PVOID)start;
        return STATUS_ACCESS_VIOLATION;
    }

    PPFN_NUMBER pfns = MmGetMdlPfnArray(Mdl);
    ULONG pages = MiMdlPages(Mdl);
    BOOLEAN write = Operation != IoReadAccess;

    /* A user buffer of the current process: touch each page first, outside
     * the PFN lock, so demand-zero and guard pages resolve as for any access
     * (a write touch for a write lock). A page that faults ends the probe. */
    if (user) {
        for (ULONG i = 0; i < pages; i++) {
            ULONG_PTR va = i == 0 ? start : (ULONG_PTR)Mdl->StartVa + ((ULONG_PTR)i << PAGE_SHIFT);
            NTSTATUS s = MiTouchUserPage(va, write);
            if (!NT_SUCCESS(s)) {
                if (BadAddress)
                    *BadAddress = (PVOID)va;
                return s;
            }
        }
    }
    BOOLEAN ioSpace = FALSE;
    KIRQL old = MiAcquirePfnLock();
    for (ULONG i = 0; i < pages; i++) {
        ULONG_PTR va = (ULONG_PTR)Mdl->StartVa + ((ULONG_PTR)i << PAGE_SHIFT);
        PFN_NUMBER page = MiGetPfnOfVa(va);
        if (page == MM_EMPTY_LIST || (write && !MiIsAddressWritable(va))) {
            MiDereferenceMdlPages(pfns, i);
            MiReleasePfnLock(old);
            if (BadAddress)
                *BadAddress = (PVOID)(i == 0 ? start : va);
            return STATUS_ACCESS_VIOLATION;
        }
        if (MiIsPfnDatabasePage(page)) {
            PMMPFN pfn = MI_PFN_ELEMENT(page);
            /* A mapped page the database thinks free is a corrupt PTE or PFN. */
            if (pfn->PageLocation != ActiveAndValid)
                KeBugCheckEx(PFN_LIST_CORRUPT, 0x99, page, pfn->PageLocation, pfn->ReferenceCount);
            ASSERT(pfn->ReferenceCount < 0xFFFF);
            pfn->ReferenceCount++;
        } else {
            ioSpace = TRUE;
        }
        pfns[i] = page;
    }
    MiReleasePfnLock(old);

    /* System addresses belong to no process; a user buffer to the caller's. */
    Mdl->Process = user ? KiCurrentAddressSpaceProcess() : NULL;
    Mdl->MdlFlags |= MDL_PAGES_LOCKED | (write ? MDL_WRITE_OPERATION : 0) |
                     (ioSpace ? MDL_IO_SPACE : 0);
    return STATUS_SUCCESS;
}

void MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                         LOCK_OPERATION Operation)
{
    PVOID bad = NULL;
    NTSTATUS status = MiProbeAndLockPages(MemoryDescriptorList, AccessMode, Operation, &bad);
    if (NT_SUCCESS(status))
        return;
    /* As NT: the failure is raised to the caller's try (KE_TRY here, __try
     * there). With none, an unhandled kernel-mode raise, with the access
     * violation's two parameters (0 read / 1 write, the address). */
    if (KiTryActive())
        ExRaiseStatus(status);
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)status,
                 (ULONG_PTR)__builtin_return_address(0), Operation != IoReadAccess,
                 (ULONG_PTR)bad);
}

void MmUnlockPages(PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmUnlockPages);
    if (mdl->MdlFlags & MDL_PARTIAL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xB4, (ULONG_PTR)mdl,
                     (USHORT)mdl->MdlFlags, MDL_PARTIAL);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    ULONG pages = MiMdlPages(mdl);
    if (!(mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        /* Unlocked already (or never): what a second unlock does in NT, a
         * page's count going below its owner's. */
        PFN_NUMBER page = pages ? pfns[0] : 0;
        KeBugCheckEx(PFN_LIST_CORRUPT, 0x07, page,
                     MiIsPfnDatabasePage(page) ? MI_PFN_ELEMENT(page)->ReferenceCount : 0, 0);
    }

    /* Every page is checked before anything changes, so a bugcheck leaves
     * the counts and the mapping as they were. */
    KIRQL old = MiAcquirePfnLock();
    for (ULONG i = 0; i < pages; i++) {
        if (MiIsPfnDatabasePage(pfns[i]) && MI_PFN_ELEMENT(pfns[i])->ReferenceCount <= 1) {
            ULONG count = MI_PFN_ELEMENT(pfns[i])->ReferenceCount;
            MiReleasePfnLock(old);
            KeBugCheckEx(PFN_LIST_CORRUPT, 0x07, pfns[i], count, 0);
        }
    }
    MiReleasePfnLock(old);

    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        MmUnmapLockedPages(mdl->MappedSystemVa, mdl);
    old = MiAcquirePfnLock();
    MiDereferenceMdlPages(pfns, pages);
    MiReleasePfnLock(old);
    mdl->MdlFlags &= (CSHORT)~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_IO_SPACE);
}

static ULONG MiMdlCacheAttributes(MEMORY_CACHING_TYPE CacheType)
{
    return CacheType == MmCached ? 0 : PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
}

PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    PMDL mdl = MemoryDescriptorList;
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmMapLockedPagesSpecifyCache);
    if (AccessMode != KernelMode)
        return NULL;            /* user-space views come with user address spaces */
    const USHORT mapped = MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED;
    const USHORT needed = MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL;
    if (mdl->MdlFlags & mapped)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xB2, (ULONG_PTR)mdl,
                     (USHORT)mdl->MdlFlags, (USHORT)mdl->MdlFlags & mapped);
    if (!(mdl->MdlFlags & needed))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xB3, (ULONG_PTR)mdl,
                     (USHORT)mdl->MdlFlags, needed);
    ULONG pages = MiMdlPages(mdl);
    if (RequestedAddress != NULL || pages == 0 || CacheType >= MmMaximumCacheType)
        return NULL;

    PMMPTE pte = MiReserveSystemPtes(pages, SystemPteSpace);
    if (pte == NULL) {
        if (BugCheckOnFailure && !(mdl->MdlFlags & MDL_MAPPING_CAN_FAIL))
            KeBugCheckEx(NO_MORE_SYSTEM_PTES, SystemPteSpace, pages,
                         MI_TOTAL_SYSTEM_PTES - MiSystemPtesInUse(), MI_TOTAL_SYSTEM_PTES);
        return NULL;
    }
    ULONG attributes = MI_SYSTEM_PTE_BITS | MiMdlCacheAttributes(CacheType);
    if (Priority & MdlMappingNoWrite)
        attributes &= ~(PTE_WRITE | PTE_DIRTY);
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < pages; i++)
        MiMapSystemPage(va + ((ULONG_PTR)i << PAGE_SHIFT), pfns[i], attributes);

    mdl->MappedSystemVa = (PVOID)(va + mdl->ByteOffset);
    mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    if (mdl->MdlFlags & MDL_PARTIAL)
        mdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
    return mdl->MappedSystemVa;
}

PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode)
{
    return MmMapLockedPagesSpecifyCache(MemoryDescriptorList, AccessMode, MmCached, NULL, TRUE,
                                        HighPagePriority);
}

void MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmUnmapLockedPages);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(BaseAddress, mdl->ByteCount);
    ULONG_PTR va = (ULONG_PTR)PAGE_ALIGN(BaseAddress);
    /* Only system-PTE mappings are ours to release (not the pool address
     * of an MDL built for nonpaged pool, nor a user view: none exist). */
    if (va < MI_SYSTEM_PTE_START || va > MI_SYSTEM_PTE_END ||
        va + ((ULONG_PTR)pages << PAGE_SHIFT) - 1 > MI_SYSTEM_PTE_END)
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x3451, (ULONG_PTR)MiGetPteAddress((PVOID)va), pages, 0);
    MiReleaseSystemPtes(MiGetPteAddress((PVOID)va), pages, SystemPteSpace);
    if (BaseAddress == mdl->MappedSystemVa) {
        mdl->MdlFlags &= (CSHORT)~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
        /* NT leaves the stale address; the pool address is the useful one. */
        if (mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL)
            mdl->MappedSystemVa = MmGetMdlVirtualAddress(mdl);
    }
}
