/*
 * fault.c - MmAccessFault, the memory manager's side of a page fault.
 *
 * User space (below 0x80000000, from user mode or from a kernel probe of a
 * user buffer): the PTE says what the page is (mi.h, "user PTEs").
 *   demand zero       the first touch of a committed page: a zeroed page
 *                     (MiRemoveZeroPage) mapped with the page's protection;
 *                     a write to a read-only page is an access violation
 *   guard             one shot: the guard is cleared; a thread's stack
 *                     guard grows the stack (MiCheckForUserStackOverflow),
 *                     any other guard raises STATUS_GUARD_PAGE_VIOLATION
 *                     to the program (KiDispatchUserException)
 *   zero, no-access, no page table, a write to a valid read-only page:
 *                     STATUS_ACCESS_VIOLATION, which the trap handler
 *                     delivers to the program (or to the kernel's KE_TRY)
 * No VAD lookup is needed: a PTE is non-zero only inside a committed range.
 *
 * System space: NT/x86's system PDE fault. An address space created before
 * a system page table existed lacks that PDE, so its first touch of the new
 * system range faults; the PDE is copied from the system page directory and
 * the access retried. Everything else is reported back: the trap handler
 * bugchecks for kernel mode (0x50, or 0xBE for a write to a read-only
 * page), except in special pool, whose guard and freed pages bugcheck 0xCD
 * and 0xCC here (specialpool.c).
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"
#include "ps.h"
#include "except.h"


static void MiRaiseGuardPage(PKTRAP_FRAME Frame, ULONG_PTR Va, BOOLEAN Write, NTSTATUS Code)
{
    EXCEPTION_RECORD r;
    memset(&r, 0, sizeof(r));
    r.ExceptionCode = Code;
    r.ExceptionAddress = (PVOID)Frame->Eip;
    r.NumberParameters = 2;                 /* as an access violation: write flag, address */
    r.ExceptionInformation[0] = Write ? 1 : 0;
    r.ExceptionInformation[1] = Va;
    KiDispatchUserException(Frame, &r);
}

/*
 * A guard page was touched: if it is the current thread's stack guard, the
 * stack grows, as NT's MiCheckForUserStackOverflow does it:
 *
 *   StackBase  +-----------+
 *              | committed |
 *   StackLimit +-----------+  <- moves down a page
 *              | guard  G  |  touched: now plain read/write
 *              +-----------+
 *              | next   N  |  committed as the new guard, if N is above the
 *              |    ...    |  bottom page; otherwise no new guard: the thread
 *   Dealloc-   +-----------+  gets STATUS_STACK_OVERFLOW once, and a touch of
 *   ationStack | bottom    |  the bottom page (never committed) is an access
 *              +-----------+  violation
 *
 * Returns STATUS_SUCCESS (grown: retry, no exception), STATUS_STACK_OVERFLOW,
 * or STATUS_GUARD_PAGE_VIOLATION (not a stack guard: raise that).
 */
/* The TEB's stack fields, read under a try (the TEB is user memory). */
static BOOLEAN MiReadStackBounds(volatile PTEB Teb, PULONG_PTR Base, PULONG_PTR Bottom,
                                 PULONG_PTR Guarantee)
{
    KTRY t;
    KE_TRY(t) {
        *Base = (ULONG_PTR)Teb->NtTib.StackBase;
        *Bottom = (ULONG_PTR)Teb->DeallocationStack;
        *Guarantee = ROUND_TO_PAGES(Teb->GuaranteedStackBytes);
        KeLeaveTry(&t);
        return TRUE;
    }
    return FALSE;
}

static void MiSetStackLimit(volatile PTEB Teb, ULONG_PTR Limit)
{
    KTRY t;
    KE_TRY(t) {
        Teb->NtTib.StackLimit = (PVOID)Limit;
        KeLeaveTry(&t);
    }
}

static NTSTATUS MiCheckForUserStackOverflow(PEPROCESS Process, ULONG_PTR Va)
{
    PETHREAD thread = PsGetCurrentThread();
    PTEB teb = thread->Teb;
    ULONG_PTR base, bottom, guarantee, page = Va & ~(ULONG_PTR)(PAGE_SIZE - 1);
    if (teb == NULL || thread->AttachedProcess || !MiReadStackBounds(teb, &base, &bottom, &guarantee))
        return STATUS_GUARD_PAGE_VIOLATION;
    if (page < bottom || page >= base)
        return STATUS_GUARD_PAGE_VIOLATION;
    ULONG_PTR next = page - PAGE_SIZE, limit = page;
    NTSTATUS s = STATUS_STACK_OVERFLOW;
    SIZE_T size = PAGE_SIZE;
    if (next > bottom + guarantee) {
        s = MiAllocateVirtualMemory(Process, &next, 0, &size, MEM_COMMIT,
                                    PAGE_READWRITE | PAGE_GUARD);
        if (!NT_SUCCESS(s))
            s = STATUS_STACK_OVERFLOW;      /* no commit left for the new guard */
    } else if (guarantee) {
        /* SetThreadStackGuarantee: the overflow comes early enough that the
         * guaranteed bytes below can be committed for its handler to run on. */
        ULONG_PTR reserve = page - guarantee;
        if (reserve < bottom + PAGE_SIZE)
            reserve = bottom + PAGE_SIZE;
        size = page - reserve;
        if (size && NT_SUCCESS(MiAllocateVirtualMemory(Process, &reserve, 0, &size, MEM_COMMIT,
                                                       PAGE_READWRITE)))
            limit = reserve;
    }
    MiSetStackLimit(teb, limit);
    return s;
}

static NTSTATUS MiUserFault(ULONG ErrorCode, ULONG_PTR Va, BOOLEAN FromUser, PKTRAP_FRAME Frame)
{
    BOOLEAN write = (ErrorCode & PF_WRITE) != 0;
    PEPROCESS process = KiCurrentAddressSpaceProcess();
    KIRQL old = MiAcquirePfnLock();
    PMMPTE pte = MiGetUserPteIfExists(Va);
    ULONG c = pte ? pte->u : 0;
    NTSTATUS s = STATUS_ACCESS_VIOLATION;
    ULONG protection = MiPteProtection(c);
    if (c & PTE_VALID) {
        /* Another path made it valid (or writable) since the TLB looked. */
        if (!write || (c & PTE_WRITE))
            s = STATUS_SUCCESS;
    } else if (c != 0 && MiIsGuardProtection(protection)) {
        ULONG cleared = protection & ~MM_GUARD_PAGE;
        if (c & MI_PTE_TRANSITION) {
            PFN_NUMBER page = c >> PAGE_SHIFT;
            MI_PFN_ELEMENT(page)->OriginalPte =
                (MI_PFN_ELEMENT(page)->OriginalPte & MI_PFN_PTE_LOCKED) | MiMakeSoftwarePte(cleared);
            pte->u = MiMakeValidUserPte(page, cleared);
        } else {
            pte->u = MiMakeSoftwarePte(cleared);
        }
        process->Vm.PageFaultCount++;
        s = STATUS_GUARD_PAGE_VIOLATION;
    } else if (c != 0 && !(c & MI_PTE_TRANSITION) && MiIsAccessibleProtection(protection) &&
               (!write || MiIsWritableProtection(protection))) {
        PFN_NUMBER page = MiRemoveZeroPage();
        if (page != MM_EMPTY_LIST) {
            PMMPFN pfn = MI_PFN_ELEMENT(page);
            pfn->PteAddress = pte;
            pfn->OriginalPte = MiMakeSoftwarePte(protection);
            pfn->PteFrame = MiGetPdeAddress((PVOID)Va)->u >> PAGE_SHIFT;
            pte->u = MiMakeValidUserPte(page, protection);
            MiAdjustResidentCommit(process, 1);
            process->Vm.PageFaultCount++;
            MiDemandZeroFaults++;
            s = STATUS_SUCCESS;
        }
        /* No page although the commit was charged: pool and page tables
         * took the reserve. NT would wait for a page; here the access fails. */
    }
    if (NT_SUCCESS(s))
        MiUserPageFaults++;
    MiReleasePfnLock(old);
    if (s == STATUS_GUARD_PAGE_VIOLATION) {
        NTSTATUS stack = MiCheckForUserStackOverflow(process, Va);
        if (stack == STATUS_SUCCESS)
            return STATUS_SUCCESS;          /* the stack grew: retry, unnoticed */
        if (!FromUser)
            return STATUS_ACCESS_VIOLATION; /* a kernel probe: the KE_TRY gets it */
        MiRaiseGuardPage(Frame, Va, write, stack);
        return STATUS_SUCCESS;              /* the thread resumes in its dispatcher */
    }
    return s;
}

NTSTATUS MmAccessFault(ULONG ErrorCode, PVOID Address, BOOLEAN FromUser, void *TrapFrame)
{
    ULONG_PTR va = (ULONG_PTR)Address;
    if (va >= MM_LOWEST_USER_ADDRESS && va <= MM_HIGHEST_USER_ADDRESS && KiSchedulerReadyForTry())
        return MiUserFault(ErrorCode, va, FromUser, TrapFrame);
    /* Special pool's guard and freed pages have codes of their own. */
    if (!FromUser && !(ErrorCode & 1) && MmIsSpecialPoolAddress(Address)) {
        const KTRAP_FRAME *frame = TrapFrame;
        KiBugCheckTrapFrame = frame;
        MiCheckSpecialPoolFault(Address, ErrorCode, frame->Eip);
    }
    if (!FromUser && !(ErrorCode & 1) && va >= MM_SYSTEM_RANGE_START &&
        MiSynchronizeSystemPde(va)) {
        /* Retry: fine only if the copied PDE leads to a valid PTE. */
        return MmIsAddressValid(Address) ? STATUS_SUCCESS : STATUS_ACCESS_VIOLATION;
    }
    return STATUS_ACCESS_VIOLATION;
}
