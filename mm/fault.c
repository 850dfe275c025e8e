/*
 * fault.c - MmAccessFault, the memory manager's side of a page fault.
 *
 * Today the one fault it resolves is NT/x86's system PDE fault: an address
 * space created before a system page table existed lacks that PDE, so its
 * first touch of the new system range faults; the PDE is copied from the
 * system page directory and the access retried. Everything else is
 * reported back: the trap handler bugchecks for kernel mode (0x50, or 0xBE
 * for a write to a read-only page), except in special pool, whose guard and
 * freed pages bugcheck 0xCD and 0xCC here (specialpool.c). Demand paging of user memory comes with
 * the virtual-memory issue.
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"

NTSTATUS MmAccessFault(ULONG ErrorCode, PVOID Address, BOOLEAN FromUser, void *TrapFrame)
{
    ULONG_PTR va = (ULONG_PTR)Address;
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
