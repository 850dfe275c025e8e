/*
 * virtual.c - the Win32 virtual memory services: NtAllocateVirtualMemory,
 * NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory,
 * NtLockVirtualMemory and NtUnlockVirtualMemory (NT: ntos/mm/allocvm.c,
 * freevm.c, protect.c, queryvm.c, lockvm.c).
 *
 * Three page states. Free: no VAD. Reserved: inside a VAD, PTE zero (or no
 * page table). Committed: PTE not zero: a demand-zero software PTE until
 * the first touch (fault.c gives it a zeroed page), then a valid PTE, or a
 * transition PTE while PAGE_NOACCESS or PAGE_GUARD keeps the hardware out
 * (mi.h, "user PTEs"). Committing allocates no page; it charges the commit
 * (commit.c). Decommit frees the pages at once and returns the charge.
 *
 * Windows' rules, as NT 5.x applies them (Wine's dlls/kernel32/tests/
 * virtual.c records them; tests/apps/app_virtual*.c restates the cases):
 * a reservation starts at a 64 KB boundary (the address rounded down) and
 * ends at a page boundary (the end rounded up); a commit is rounded to
 * pages and must lie in one reservation (STATUS_CONFLICTING_ADDRESSES);
 * MEM_COMMIT with a NULL base reserves too; MEM_RELEASE with size 0 must
 * name the reservation's base (STATUS_FREE_VM_NOT_AT_BASE); a range past
 * the reservation's end is STATUS_UNABLE_TO_FREE_VM; no VAD at all is
 * STATUS_MEMORY_NOT_ALLOCATED; protection of uncommitted pages is
 * STATUS_NOT_COMMITTED.
 *
 * The Mi* functions work on the current address space with the VAD tree's
 * process given; the Nt* services capture the caller's arguments, attach to
 * the target process when it is another one, and copy the results back.
 * The address space lock is held over each Mi* call; no user memory is
 * touched under it.
 */
#include "ntddk.h"
#include "mi.h"
#include "ps.h"
#include "except.h"

/* NT's default minimum working set is 50 pages; a process may lock that
 * less a few for its own structures (8 here: our choice). */
#define MI_MAXIMUM_LOCKED_PAGES 42

#define MI_ALLOCATION_TYPES (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | \
                             MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES)

/* ---- protections ------------------------------------------------------------ */

static const ULONG MiWin32Protection[8] = {
    PAGE_NOACCESS, PAGE_READONLY, PAGE_EXECUTE, PAGE_EXECUTE_READ,
    PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY,
};

/* Exactly one base value, PAGE_GUARD or PAGE_NOCACHE (not both, and
 * neither with PAGE_NOACCESS), nothing else: NT's MiMakeProtectionMask.
 * PAGE_WRITECOMBINE is refused (no PAT on this x86). */
ULONG MiMakeProtectionMask(ULONG Win32Protect)
{
    if (Win32Protect & ~(0xFFu | PAGE_GUARD | PAGE_NOCACHE))
        return MM_INVALID_PROTECTION;
    ULONG base = Win32Protect & 0xFF;
    ULONG code = MM_INVALID_PROTECTION;
    for (ULONG i = 0; i < 8; i++)
        if (MiWin32Protection[i] == base)
            code = i;
    if (code == MM_INVALID_PROTECTION)
        return MM_INVALID_PROTECTION;
    if (base == PAGE_NOACCESS)
        return (Win32Protect & (PAGE_GUARD | PAGE_NOCACHE)) ? MM_INVALID_PROTECTION : MM_NOACCESS;
    if ((Win32Protect & PAGE_GUARD) && (Win32Protect & PAGE_NOCACHE))
        return MM_INVALID_PROTECTION;
    if (Win32Protect & PAGE_NOCACHE)
        code |= MM_NOCACHE;
    if (Win32Protect & PAGE_GUARD)
        code |= MM_GUARD_PAGE;
    return code;
}

ULONG MiProtectionToWin32(ULONG Protection)
{
    if (Protection == MM_NOACCESS)
        return PAGE_NOACCESS;
    ULONG w = MiWin32Protection[Protection & 7];
    if (Protection & MM_NOCACHE)
        w |= PAGE_NOCACHE;
    if (Protection & MM_GUARD_PAGE)
        w |= PAGE_GUARD;
    return w;
}

static BOOLEAN MiIsWriteCopy(ULONG Protection)
{
    return (Protection & 7) == MM_WRITECOPY || (Protection & 7) == MM_EXECUTE_WRITECOPY;
}

/* ---- pages ---------------------------------------------------------------- */

/* The protection code of a committed PTE's contents. */
static ULONG MiCommittedProtection(ULONG Pte)
{
    if (Pte & PTE_VALID)
        return MiPteProtection(MI_PFN_ELEMENT(Pte >> PAGE_SHIFT)->OriginalPte);
    return MiPteProtection(Pte);
}

/* The committed protection of page Vpn, or 0 when it is not committed. */
static ULONG MiQueryPage(ULONG_PTR Vpn)
{
    PMMPTE pte = MiGetUserPteIfExists(Vpn << PAGE_SHIFT);
    if (pte == NULL || pte->u == 0)
        return 0;
    return MiCommittedProtection(pte->u);
}

/* Gives the committed page at Pte (current address space) the new protection. */
static void MiSetPageProtection(PMMPTE Pte, ULONG Protection)
{
    ULONG c = Pte->u;
    ASSERT(c != 0);
    if (c & (PTE_VALID | MI_PTE_TRANSITION)) {
        PFN_NUMBER page = c >> PAGE_SHIFT;
        PMMPFN pfn = MI_PFN_ELEMENT(page);
        pfn->OriginalPte = (pfn->OriginalPte & MI_PFN_PTE_LOCKED) | MiMakeSoftwarePte(Protection);
        Pte->u = MiIsAccessibleProtection(Protection)
            ? MiMakeValidUserPte(page, Protection)
            : (page << PAGE_SHIFT) | MI_PTE_TRANSITION | MiMakeSoftwarePte(Protection);
        __invlpg(MiGetVirtualAddressMappedByPte(Pte));
    } else {
        Pte->u = MiMakeSoftwarePte(Protection);
    }
}

/* Frees the resident page behind Pte, if any; the PTE is left to the caller. */
static void MiDropResidentPage(PEPROCESS Process, PMMPTE Pte)
{
    ULONG c = Pte->u;
    if (!(c & (PTE_VALID | MI_PTE_TRANSITION)))
        return;
    PMMPFN pfn = MI_PFN_ELEMENT(c >> PAGE_SHIFT);
    if (pfn->OriginalPte & MI_PFN_PTE_LOCKED)
        Process->Vm.LockedPages--;
    pfn->OriginalPte = 0;
    MiFreePage(c >> PAGE_SHIFT);
    MiAdjustResidentCommit(Process, -1);
}

/* Makes the page tables of Vpn..EndVpn exist. */
static BOOLEAN MiEnsurePageTables(ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    for (ULONG_PTR v = Vpn; v <= EndVpn; v = (v | 0x3FF) + 1)
        if (!MiEnsureUserPageTable(v << PAGE_SHIFT))
            return FALSE;
    return TRUE;
}

/*
 * A user page table whose PTEs are all zero again (nothing committed under
 * it) goes back to the PFN database, as NT frees a page table whose count of
 * used entries drops to zero. The page tables of Vpn..EndVpn are checked.
 */
static void MiDeleteEmptyPageTables(ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    for (ULONG_PTR pdi = Vpn >> 10; pdi <= EndVpn >> 10; pdi++) {
        PMMPTE pde = (PMMPTE)PDE_BASE + pdi;
        if (!(pde->u & PTE_VALID))
            continue;
        PULONG table = (PULONG)(PTE_BASE + pdi * PAGE_SIZE);
        if (RtlCompareMemoryUlong(table, PAGE_SIZE, 0) != PAGE_SIZE)
            continue;
        PFN_NUMBER page = pde->u >> PAGE_SHIFT;
        pde->u = 0;
        __invlpg(table);                        /* the table's own self-map window */
        __invlpg((PVOID)(pdi << 22));           /* and the PDE as the TLB may hold it */
        MiFreePage(page);
    }
}

/* Decommits Vpn..EndVpn of Vad: pages freed, PTEs zeroed, charge returned,
 * emptied page tables freed. */
static void MiDecommitPages(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    ULONG_PTR first = Vpn;
    ULONG n = 0;
    while (Vpn <= EndVpn) {
        PMMPTE pte = MiGetUserPteIfExists(Vpn << PAGE_SHIFT);
        if (pte == NULL) {
            Vpn = (Vpn | 0x3FF) + 1;
            continue;
        }
        if (pte->u != 0) {
            BOOLEAN valid = (pte->u & PTE_VALID) != 0;
            MiDropResidentPage(Process, pte);
            pte->u = 0;
            if (valid)
                __invlpg((PVOID)(Vpn << PAGE_SHIFT));
            n++;
        }
        Vpn++;
    }
    ASSERT(n <= Vad->CommittedPages);
    Vad->CommittedPages -= n;
    MiReturnCommitment(Process, n);
    MiDeleteEmptyPageTables(first, EndVpn);
}

static ULONG MiCountCommitted(ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    ULONG n = 0;
    for (; Vpn <= EndVpn; Vpn++)
        if (MiQueryPage(Vpn) != 0)
            n++;
    return n;
}

/* ---- allocate ------------------------------------------------------------------ */

static NTSTATUS MiReserve(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize,
                          ULONG_PTR ZeroBits, ULONG AllocationType, ULONG Win32Protect,
                          ULONG Protection)
{
    ULONG_PTR base = *BaseAddress, startVpn, endVpn;
    if (base == 0) {
        ULONG_PTR pages = BYTES_TO_PAGES(*RegionSize);
        ULONG_PTR highest = MI_HIGHEST_VAD_VPN;
        if (ZeroBits && (0xFFFFFFFFu >> ZeroBits) >> PAGE_SHIFT < highest)
            highest = (0xFFFFFFFFu >> ZeroBits) >> PAGE_SHIFT;
        NTSTATUS s = MiFindEmptyAddressRange(Process, pages, highest,
                                             (AllocationType & MEM_TOP_DOWN) != 0, &startVpn);
        if (!NT_SUCCESS(s))
            return s;
        endVpn = startVpn + pages - 1;
    } else {
        startVpn = (base & ~(ULONG_PTR)0xFFFF) >> PAGE_SHIFT;
        endVpn = (base + *RegionSize - 1) >> PAGE_SHIFT;
        if (startVpn < MI_LOWEST_VAD_VPN)
            return STATUS_INVALID_PARAMETER_2;
    }
    PMMVAD vad;
    NTSTATUS s = MiInsertVad(Process, startVpn, endVpn, Win32Protect, MEM_PRIVATE, &vad);
    if (!NT_SUCCESS(s))
        return s;
    ULONG pages = endVpn - startVpn + 1;
    if (AllocationType & MEM_COMMIT) {
        if (!MiEnsurePageTables(startVpn, endVpn)) {
            MiRemoveVad(Process, vad);
            return STATUS_NO_MEMORY;
        }
        if (!MiChargeCommitment(Process, pages)) {
            MiRemoveVad(Process, vad);
            return STATUS_COMMITMENT_LIMIT;
        }
        for (ULONG_PTR v = startVpn; v <= endVpn; v++)
            MiGetPteAddress((PVOID)(v << PAGE_SHIFT))->u = MiMakeSoftwarePte(Protection);
        vad->CommittedPages = pages;
    }
    Process->VirtualSize += (SIZE_T)pages << PAGE_SHIFT;
    if (Process->VirtualSize > Process->PeakVirtualSize)
        Process->PeakVirtualSize = Process->VirtualSize;
    *BaseAddress = startVpn << PAGE_SHIFT;
    *RegionSize = (SIZE_T)pages << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

/* Finds the VAD holding all of Vpn..EndVpn, or NULL. */
static PMMVAD MiVadSpanning(PEPROCESS Process, ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    PMMVAD vad = MiLocateVad(Process, Vpn);
    return vad != NULL && EndVpn <= vad->Node.EndingVpn ? vad : NULL;
}

/* Commits pages of an existing reservation; committed ones take the new
 * protection, as NT's commit path does. */
static NTSTATUS MiCommit(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize,
                         ULONG Protection)
{
    ULONG_PTR vpn = *BaseAddress >> PAGE_SHIFT;
    ULONG_PTR endVpn = (*BaseAddress + *RegionSize - 1) >> PAGE_SHIFT;
    PMMVAD vad = MiVadSpanning(Process, vpn, endVpn);
    if (vad == NULL)
        return STATUS_CONFLICTING_ADDRESSES;
    if (!MiEnsurePageTables(vpn, endVpn))
        return STATUS_NO_MEMORY;
    ULONG pages = endVpn - vpn + 1;
    ULONG fresh = pages - MiCountCommitted(vpn, endVpn);
    if (!MiChargeCommitment(Process, fresh))
        return STATUS_COMMITMENT_LIMIT;
    for (ULONG_PTR v = vpn; v <= endVpn; v++) {
        PMMPTE pte = MiGetPteAddress((PVOID)(v << PAGE_SHIFT));
        if (pte->u == 0)
            pte->u = MiMakeSoftwarePte(Protection);
        else if (MiCommittedProtection(pte->u) != Protection)
            MiSetPageProtection(pte, Protection);
    }
    vad->CommittedPages += fresh;
    *BaseAddress = vpn << PAGE_SHIFT;
    *RegionSize = (SIZE_T)pages << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

/* MEM_RESET: the contents may go. Resident pages that are not locked are
 * freed and become demand-zero again; the pages stay committed. */
static NTSTATUS MiReset(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize)
{
    ULONG_PTR vpn = *BaseAddress >> PAGE_SHIFT;
    ULONG_PTR endVpn = (*BaseAddress + *RegionSize - 1) >> PAGE_SHIFT;
    if (MiVadSpanning(Process, vpn, endVpn) == NULL)
        return STATUS_CONFLICTING_ADDRESSES;
    for (ULONG_PTR v = vpn; v <= endVpn; v++) {
        PMMPTE pte = MiGetUserPteIfExists(v << PAGE_SHIFT);
        if (pte == NULL || !(pte->u & (PTE_VALID | MI_PTE_TRANSITION)))
            continue;
        PMMPFN pfn = MI_PFN_ELEMENT(pte->u >> PAGE_SHIFT);
        if (pfn->OriginalPte & MI_PFN_PTE_LOCKED)
            continue;
        ULONG protection = MiCommittedProtection(pte->u);
        MiDropResidentPage(Process, pte);
        pte->u = MiMakeSoftwarePte(protection);
        __invlpg((PVOID)(v << PAGE_SHIFT));
    }
    *BaseAddress = vpn << PAGE_SHIFT;
    *RegionSize = (endVpn - vpn + 1) << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

NTSTATUS MiAllocateVirtualMemory(PEPROCESS Process, PULONG_PTR BaseAddress, ULONG_PTR ZeroBits,
                                 PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect)
{
    ULONG_PTR base = *BaseAddress;
    SIZE_T size = *RegionSize;
    if (ZeroBits > 21)
        return STATUS_INVALID_PARAMETER_3;
    if ((AllocationType & ~MI_ALLOCATION_TYPES) ||
        !(AllocationType & (MEM_COMMIT | MEM_RESERVE | MEM_RESET)) ||
        ((AllocationType & MEM_RESET) && AllocationType != MEM_RESET))
        return STATUS_INVALID_PARAMETER_5;
    if (AllocationType & (MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES))
        return STATUS_NOT_IMPLEMENTED;
    ULONG protection = MiMakeProtectionMask(Protect);
    /* Private memory has nothing to copy on write (NT refuses it too). */
    if (protection == MM_INVALID_PROTECTION || MiIsWriteCopy(protection))
        return STATUS_INVALID_PAGE_PROTECTION;
    if (size == 0)
        return STATUS_INVALID_PARAMETER_4;
    if (base > MM_HIGHEST_VAD_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (size > MM_HIGHEST_VAD_ADDRESS + 1 - (base ? base : MM_LOWEST_USER_ADDRESS))
        return STATUS_INVALID_PARAMETER_4;

    NTSTATUS s;
    KIRQL old = MiLockAddressSpace();
    if (AllocationType & MEM_RESET)
        s = MiReset(Process, &base, &size);
    else if ((AllocationType & MEM_RESERVE) || base == 0)
        s = MiReserve(Process, &base, &size, ZeroBits, AllocationType, Protect, protection);
    else
        s = MiCommit(Process, &base, &size, protection);
    MiUnlockAddressSpace(old);
    if (NT_SUCCESS(s)) {
        *BaseAddress = base;
        *RegionSize = size;
    }
    return s;
}

/* ---- free ---------------------------------------------------------------------- */

NTSTATUS MiFreeVirtualMemory(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize,
                             ULONG FreeType)
{
    ULONG_PTR base = *BaseAddress;
    SIZE_T size = *RegionSize;
    if (FreeType != MEM_DECOMMIT && FreeType != MEM_RELEASE)
        return STATUS_INVALID_PARAMETER_4;
    if (base > MM_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (size > MM_HIGHEST_USER_ADDRESS + 1 - base)
        return STATUS_INVALID_PARAMETER_3;

    KIRQL old = MiLockAddressSpace();
    ULONG_PTR vpn = base >> PAGE_SHIFT, endVpn;
    PMMVAD vad = MiLocateVad(Process, vpn);
    NTSTATUS s = STATUS_SUCCESS;
    if (vad == NULL) {
        s = STATUS_MEMORY_NOT_ALLOCATED;
        goto out;
    }
    if (vad->Type != MEM_PRIVATE) {
        s = STATUS_UNABLE_TO_FREE_VM;       /* an image (a view, later) */
        goto out;
    }
    if (size == 0) {
        if (FreeType == MEM_RELEASE && vpn != vad->Node.StartingVpn) {
            s = STATUS_FREE_VM_NOT_AT_BASE;
            goto out;
        }
        endVpn = vad->Node.EndingVpn;       /* decommit: from here to the end */
    } else {
        endVpn = (base + size - 1) >> PAGE_SHIFT;
        if (endVpn > vad->Node.EndingVpn) {
            s = STATUS_UNABLE_TO_FREE_VM;
            goto out;
        }
    }
    ULONG_PTR vs = vad->Node.StartingVpn, ve = vad->Node.EndingVpn;
    if (FreeType == MEM_RELEASE && vpn > vs && endVpn < ve) {
        /* The middle of a reservation: split it first, so that running out
         * of pool changes nothing. */
        MiShrinkVad(Process, vad, vs, vpn - 1);
        PMMVAD high;
        s = MiInsertVad(Process, endVpn + 1, ve, vad->AllocationProtect, vad->Type, &high);
        if (!NT_SUCCESS(s)) {
            RtlRemoveRangeNode(&Process->VadRoot, &vad->Node);
            vad->Node.EndingVpn = ve;
            RtlInsertRangeNode(&Process->VadRoot, &vad->Node);
            goto out;
        }
        high->CommittedPages = MiCountCommitted(endVpn + 1, ve);
        vad->CommittedPages -= high->CommittedPages;
    }
    MiDecommitPages(Process, vad, vpn, endVpn);
    if (FreeType == MEM_RELEASE) {
        if (vpn == vs && endVpn == ve)
            MiRemoveVad(Process, vad);
        else if (vpn == vs)
            MiShrinkVad(Process, vad, endVpn + 1, ve);
        else if (endVpn == ve)
            MiShrinkVad(Process, vad, vs, vpn - 1);
        Process->VirtualSize -= (endVpn - vpn + 1) << PAGE_SHIFT;
    }
    *BaseAddress = vpn << PAGE_SHIFT;
    *RegionSize = (endVpn - vpn + 1) << PAGE_SHIFT;
out:
    MiUnlockAddressSpace(old);
    return s;
}

/* ---- protect and query ------------------------------------------------------------ */

/* The pages of a nonempty user range (Protect and Lock take it the same way):
 * STATUS_INVALID_PARAMETER_2 for a base past user space, _3 for a bad size. */
static NTSTATUS MiUserPageRange(ULONG_PTR Base, SIZE_T Size, PULONG_PTR Vpn, PULONG_PTR EndVpn)
{
    if (Base > MM_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (Size == 0 || Size > MM_HIGHEST_USER_ADDRESS + 1 - Base)
        return STATUS_INVALID_PARAMETER_3;
    *Vpn = Base >> PAGE_SHIFT;
    *EndVpn = (Base + Size - 1) >> PAGE_SHIFT;
    return STATUS_SUCCESS;
}

NTSTATUS MiProtectVirtualMemory(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize,
                                ULONG NewProtect, PULONG OldProtect)
{
    ULONG protection = MiMakeProtectionMask(NewProtect);
    if (protection == MM_INVALID_PROTECTION)
        return STATUS_INVALID_PAGE_PROTECTION;
    ULONG_PTR vpn, endVpn;
    NTSTATUS range = MiUserPageRange(*BaseAddress, *RegionSize, &vpn, &endVpn);
    if (!NT_SUCCESS(range))
        return range;

    KIRQL old = MiLockAddressSpace();
    NTSTATUS s = STATUS_SUCCESS;
    PMMVAD vad = MiVadSpanning(Process, vpn, endVpn);
    if (vad == NULL)
        s = STATUS_CONFLICTING_ADDRESSES;
    else if (vad->Type == MEM_PRIVATE && MiIsWriteCopy(protection))
        s = STATUS_INVALID_PAGE_PROTECTION;
    else if (MiCountCommitted(vpn, endVpn) != endVpn - vpn + 1)
        s = STATUS_NOT_COMMITTED;
    if (NT_SUCCESS(s)) {
        *OldProtect = MiProtectionToWin32(MiQueryPage(vpn));
        for (ULONG_PTR v = vpn; v <= endVpn; v++)
            MiSetPageProtection(MiGetPteAddress((PVOID)(v << PAGE_SHIFT)), protection);
        *BaseAddress = vpn << PAGE_SHIFT;
        *RegionSize = (endVpn - vpn + 1) << PAGE_SHIFT;
    }
    MiUnlockAddressSpace(old);
    return s;
}

/*
 * MemoryBasicInformation for Address: the run of pages from it with the
 * same state and protection inside its reservation, or the free run up to
 * the next reservation (free: AllocationBase NULL, Protect PAGE_NOACCESS,
 * Type 0, as Windows reports it).
 */
NTSTATUS MiQueryVirtualMemory(PEPROCESS Process, ULONG_PTR Address,
                              PMEMORY_BASIC_INFORMATION Info)
{
    if (Address > MM_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER;
    ULONG_PTR vpn = Address >> PAGE_SHIFT;
    memset(Info, 0, sizeof(*Info));
    Info->BaseAddress = (PVOID)(vpn << PAGE_SHIFT);
    KIRQL old = MiLockAddressSpace();
    PMMVAD vad = MiLocateVad(Process, vpn);
    if (vad == NULL) {
        PRTL_RANGE_NODE next = RtlFindRangeNodeAtOrAbove(&Process->VadRoot, vpn);
        ULONG_PTR endVpn = next ? next->StartingVpn : MM_USER_PROBE_ADDRESS >> PAGE_SHIFT;
        Info->RegionSize = (endVpn - vpn) << PAGE_SHIFT;
        Info->State = MEM_FREE;
        Info->Protect = PAGE_NOACCESS;
    } else {
        ULONG first = MiQueryPage(vpn);
        ULONG_PTR v = vpn + 1;
        while (v <= vad->Node.EndingVpn) {
            if (first == 0 && MiGetUserPteIfExists(v << PAGE_SHIFT) == NULL) {
                v = (v | 0x3FF) + 1;        /* no table: 4 MB of reserved pages */
                continue;
            }
            if (MiQueryPage(v) != first)
                break;
            v++;
        }
        if (v > vad->Node.EndingVpn + 1)
            v = vad->Node.EndingVpn + 1;
        Info->AllocationBase = (PVOID)(vad->Node.StartingVpn << PAGE_SHIFT);
        Info->AllocationProtect = vad->AllocationProtect;
        Info->RegionSize = (v - vpn) << PAGE_SHIFT;
        Info->State = first ? MEM_COMMIT : MEM_RESERVE;
        Info->Protect = first ? MiProtectionToWin32(first) : 0;
        Info->Type = vad->Type;
    }
    MiUnlockAddressSpace(old);
    return STATUS_SUCCESS;
}

/* ---- lock and unlock ------------------------------------------------------------------ */

/* Makes the demand-zero page at Pte resident (VirtualLock's touch). */
static BOOLEAN MiMakeResident(PEPROCESS Process, PMMPTE Pte)
{
    if (Pte->u & (PTE_VALID | MI_PTE_TRANSITION))
        return TRUE;
    ULONG protection = MiPteProtection(Pte->u);
    PFN_NUMBER page = MiRemoveZeroPage();
    if (page == MM_EMPTY_LIST)
        return FALSE;
    PMMPFN pfn = MI_PFN_ELEMENT(page);
    pfn->PteAddress = Pte;
    pfn->OriginalPte = MiMakeSoftwarePte(protection);
    Pte->u = MiMakeValidUserPte(page, protection);
    MiAdjustResidentCommit(Process, 1);
    return TRUE;
}

NTSTATUS MiLockVirtualMemory(PEPROCESS Process, PULONG_PTR BaseAddress, PSIZE_T RegionSize,
                             ULONG MapType, BOOLEAN Lock)
{
    if (MapType == 0 || (MapType & ~(MAP_PROCESS | MAP_SYSTEM)))
        return STATUS_INVALID_PARAMETER_4;
    if (MapType & MAP_SYSTEM)
        return STATUS_PRIVILEGE_NOT_HELD;   /* SeLockMemoryPrivilege: no tokens yet */
    ULONG_PTR vpn, endVpn;
    NTSTATUS range = MiUserPageRange(*BaseAddress, *RegionSize, &vpn, &endVpn);
    if (!NT_SUCCESS(range))
        return range;

    KIRQL old = MiLockAddressSpace();
    NTSTATUS s = STATUS_SUCCESS;
    ULONG fresh = 0, already = 0;
    for (ULONG_PTR v = vpn; v <= endVpn && NT_SUCCESS(s); v++) {
        ULONG protection = MiQueryPage(v);
        PMMPTE pte = MiGetUserPteIfExists(v << PAGE_SHIFT);
        BOOLEAN locked = pte && (pte->u & (PTE_VALID | MI_PTE_TRANSITION)) &&
                         (MI_PFN_ELEMENT(pte->u >> PAGE_SHIFT)->OriginalPte & MI_PFN_PTE_LOCKED);
        if (!Lock && !locked)
            s = STATUS_NOT_LOCKED;
        else if (Lock && !MiIsAccessibleProtection(protection))
            s = STATUS_ACCESS_VIOLATION;    /* uncommitted, no-access or guard: the probe faults */
        locked ? already++ : fresh++;
    }
    if (NT_SUCCESS(s) && Lock && Process->Vm.LockedPages + fresh > MI_MAXIMUM_LOCKED_PAGES)
        s = STATUS_WORKING_SET_QUOTA;
    for (ULONG_PTR v = vpn; v <= endVpn && NT_SUCCESS(s); v++) {
        PMMPTE pte = MiGetPteAddress((PVOID)(v << PAGE_SHIFT));
        if (Lock && !MiMakeResident(Process, pte)) {
            s = STATUS_NO_MEMORY;
            break;
        }
        PMMPFN pfn = MI_PFN_ELEMENT(pte->u >> PAGE_SHIFT);
        if (Lock && !(pfn->OriginalPte & MI_PFN_PTE_LOCKED)) {
            pfn->OriginalPte |= MI_PFN_PTE_LOCKED;
            Process->Vm.LockedPages++;
        } else if (!Lock) {
            pfn->OriginalPte &= ~MI_PFN_PTE_LOCKED;
            Process->Vm.LockedPages--;
        }
    }
    MiUnlockAddressSpace(old);
    if (NT_SUCCESS(s)) {
        *BaseAddress = vpn << PAGE_SHIFT;
        *RegionSize = (endVpn - vpn + 1) << PAGE_SHIFT;
        if (Lock && already)
            s = STATUS_WAS_LOCKED;
    }
    return s;
}

/* ---- the loader's regions --------------------------------------------------------------- */

NTSTATUS MmCreateLoaderVad(PEPROCESS Process, ULONG_PTR Va, SIZE_T Size, ULONG AllocationProtect,
                           ULONG Type)
{
    ULONG_PTR vpn = Va >> PAGE_SHIFT, endVpn = (Va + Size - 1) >> PAGE_SHIFT;
    KIRQL old = MiLockAddressSpace();
    PMMVAD vad;
    NTSTATUS s = MiInsertVad(Process, vpn, endVpn, AllocationProtect, Type, &vad);
    if (NT_SUCCESS(s)) {
        ULONG n = MiCountCommitted(vpn, endVpn);
        if (MiChargeCommitment(Process, n)) {
            vad->CommittedPages = n;
            MiAdjustResidentCommit(Process, (LONG)n);       /* the loader mapped them all */
            Process->VirtualSize += (endVpn - vpn + 1) << PAGE_SHIFT;
            if (Process->VirtualSize > Process->PeakVirtualSize)
                Process->PeakVirtualSize = Process->VirtualSize;
        } else {
            MiRemoveVad(Process, vad);
            s = STATUS_COMMITMENT_LIMIT;
        }
    }
    MiUnlockAddressSpace(old);
    return s;
}

/* ---- the services --------------------------------------------------------------------------- */

/* The process of ProcessHandle, referenced, its address space made current. */
static NTSTATUS MiAttachByHandle(HANDLE ProcessHandle, PEPROCESS *Process, BOOLEAN *Attached)
{
    DISPATCHER_HEADER *o;
    NTSTATUS s = ObReferenceObjectByHandle(ProcessHandle, KOBJECT_PROCESS, &o);
    if (!NT_SUCCESS(s))
        return s;
    PEPROCESS p = CONTAINING_RECORD(o, EPROCESS, Header);
    *Attached = FALSE;
    if (p != PsGetCurrentProcess()) {
        if (p == &KiSystemProcess || p->ActiveThreads == 0 || p->Exiting) {
            ObDereferenceObject(o);
            return STATUS_PROCESS_IS_TERMINATING;
        }
        KeAttachProcess(p);
        *Attached = TRUE;
    }
    *Process = p;
    return STATUS_SUCCESS;
}

static void MiDetach(PEPROCESS Process, BOOLEAN Attached)
{
    if (Attached)
        KeDetachProcess();
    ObDereferenceObject(&Process->Header);
}

/* Captures *Base and *Size (each a user pointer) for the range services. */
static NTSTATUS MiCaptureRange(PVOID *BaseAddress, PSIZE_T RegionSize, PULONG_PTR Base,
                               PSIZE_T Size)
{
    NTSTATUS s = KeCopyFromUser(Base, BaseAddress, sizeof(*Base), sizeof(ULONG));
    if (NT_SUCCESS(s))
        s = KeCopyFromUser(Size, RegionSize, sizeof(*Size), sizeof(ULONG));
    return s;
}

/* How Allocate, Free, Lock and Unlock begin: the range captured, then the process attached. */
static NTSTATUS MiBeginRangeService(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                    PULONG_PTR Base, PSIZE_T Size, PEPROCESS *Process,
                                    BOOLEAN *Attached)
{
    NTSTATUS s = MiCaptureRange(BaseAddress, RegionSize, Base, Size);
    return NT_SUCCESS(s) ? MiAttachByHandle(ProcessHandle, Process, Attached) : s;
}

static NTSTATUS MiReturnRange(PVOID *BaseAddress, PSIZE_T RegionSize, ULONG_PTR Base,
                              SIZE_T Size, NTSTATUS Status)
{
    NTSTATUS s = KeCopyToUser(BaseAddress, &Base, sizeof(Base), sizeof(ULONG));
    if (NT_SUCCESS(s))
        s = KeCopyToUser(RegionSize, &Size, sizeof(Size), sizeof(ULONG));
    return NT_SUCCESS(s) ? Status : s;
}

NTSTATUS NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                 PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect)
{
    ULONG_PTR base;
    SIZE_T size;
    PEPROCESS p;
    BOOLEAN attached;
    NTSTATUS s = MiBeginRangeService(ProcessHandle, BaseAddress, RegionSize, &base, &size, &p,
                                     &attached);
    if (!NT_SUCCESS(s))
        return s;
    s = MiAllocateVirtualMemory(p, &base, ZeroBits, &size, AllocationType, Protect);
    MiDetach(p, attached);
    return NT_SUCCESS(s) ? MiReturnRange(BaseAddress, RegionSize, base, size, s) : s;
}

NTSTATUS NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                             ULONG FreeType)
{
    ULONG_PTR base;
    SIZE_T size;
    PEPROCESS p;
    BOOLEAN attached;
    NTSTATUS s = MiBeginRangeService(ProcessHandle, BaseAddress, RegionSize, &base, &size, &p,
                                     &attached);
    if (!NT_SUCCESS(s))
        return s;
    s = MiFreeVirtualMemory(p, &base, &size, FreeType);
    MiDetach(p, attached);
    return NT_SUCCESS(s) ? MiReturnRange(BaseAddress, RegionSize, base, size, s) : s;
}

NTSTATUS NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                                ULONG NewProtect, PULONG OldProtect)
{
    ULONG_PTR base;
    SIZE_T size;
    ULONG oldProtect = 0;
    NTSTATUS s = MiCaptureRange(BaseAddress, RegionSize, &base, &size);
    if (NT_SUCCESS(s))
        s = KeCopyToUser(OldProtect, &oldProtect, sizeof(oldProtect), sizeof(ULONG));
    if (!NT_SUCCESS(s))
        return s;
    PEPROCESS p;
    BOOLEAN attached;
    s = MiAttachByHandle(ProcessHandle, &p, &attached);
    if (!NT_SUCCESS(s))
        return s;
    s = MiProtectVirtualMemory(p, &base, &size, NewProtect, &oldProtect);
    MiDetach(p, attached);
    if (!NT_SUCCESS(s))
        return s;
    s = KeCopyToUser(OldProtect, &oldProtect, sizeof(oldProtect), sizeof(ULONG));
    return NT_SUCCESS(s) ? MiReturnRange(BaseAddress, RegionSize, base, size, s) : s;
}

NTSTATUS NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                              MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID Buffer,
                              SIZE_T Length, PSIZE_T ResultLength)
{
    if (MemoryInformationClass != MemoryBasicInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (Length < sizeof(MEMORY_BASIC_INFORMATION))
        return STATUS_INFO_LENGTH_MISMATCH;
    PEPROCESS p;
    BOOLEAN attached;
    NTSTATUS s = MiAttachByHandle(ProcessHandle, &p, &attached);
    if (!NT_SUCCESS(s))
        return s;
    MEMORY_BASIC_INFORMATION info;
    s = MiQueryVirtualMemory(p, (ULONG_PTR)BaseAddress, &info);
    MiDetach(p, attached);
    if (!NT_SUCCESS(s))
        return s;
    s = KeCopyToUser(Buffer, &info, sizeof(info), sizeof(ULONG));
    if (NT_SUCCESS(s) && ResultLength) {
        SIZE_T n = sizeof(info);
        s = KeCopyToUser(ResultLength, &n, sizeof(n), sizeof(ULONG));
    }
    return s;
}

static NTSTATUS MiLockService(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                              ULONG MapType, BOOLEAN Lock)
{
    ULONG_PTR base;
    SIZE_T size;
    PEPROCESS p;
    BOOLEAN attached;
    NTSTATUS s = MiBeginRangeService(ProcessHandle, BaseAddress, RegionSize, &base, &size, &p,
                                     &attached);
    if (!NT_SUCCESS(s))
        return s;
    s = MiLockVirtualMemory(p, &base, &size, MapType, Lock);
    MiDetach(p, attached);
    return NT_SUCCESS(s) ? MiReturnRange(BaseAddress, RegionSize, base, size, s) : s;
}

NTSTATUS NtLockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                             ULONG MapType)
{
    return MiLockService(ProcessHandle, BaseAddress, RegionSize, MapType, TRUE);
}

NTSTATUS NtUnlockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
                               ULONG MapType)
{
    return MiLockService(ProcessHandle, BaseAddress, RegionSize, MapType, FALSE);
}
