/*
 * mmheap.c - the Rtl heap's environment in the kernel (lib/heap.h lists
 * what it needs): kernel heaps live in system PTEs.
 *
 *   reserve   a run of system PTEs, 64 KB aligned and sized as
 *             NtAllocateVirtualMemory's reservations are (slack given back)
 *   commit    zeroed pages mapped into the run
 *   decommit  the pages unmapped and freed
 *   release   the whole run, from its base, size 0
 *
 * A small table remembers each reservation's extent; a query answers from
 * it and the page tables, as NtQueryVirtualMemory does for a process (NT's
 * kernel heap would query the current process's user space; these heaps
 * live in system space, so their own table is the address space to ask).
 * Corruption is printed and the call fails: the kernel goes on, as issue 8
 * asks. Kernel code does not raise exceptions, so HEAP_GENERATE_EXCEPTIONS
 * only prints and the call returns NULL.
 *
 * A caller's lock is refused: in NT's kernel it is an ERESOURCE, and this
 * kernel has no executive resources yet. Serializing through some other
 * lock type would let a caller pass one the heap then misreads.
 */
#include "ntddk.h"
#include "mi.h"
#include "ps.h"
#include "heap.h"

#define MI_HEAP_RESERVATIONS 32
#define MI_HEAP_GRANULARITY_PAGES 16            /* 64 KB */

static struct {
    ULONG_PTR Base;
    ULONG Pages;
} MiHeapReservations[MI_HEAP_RESERVATIONS];

static LONG MiFindReservation(ULONG_PTR Va, BOOLEAN AtBase)
{
    for (LONG i = 0; i < MI_HEAP_RESERVATIONS; i++) {
        ULONG_PTR b = MiHeapReservations[i].Base;
        if (b && (AtBase ? Va == b : Va >= b && Va < b + MiHeapReservations[i].Pages * PAGE_SIZE))
            return i;
    }
    return -1;
}

static NTSTATUS MiHeapReserve(PVOID *BaseAddress, SIZE_T *RegionSize)
{
    LONG slot = -1;
    for (LONG i = 0; i < MI_HEAP_RESERVATIONS && slot < 0; i++)
        if (MiHeapReservations[i].Base == 0)
            slot = i;
    ULONG pages = (ULONG)(ROUND_TO_PAGES(*RegionSize) >> PAGE_SHIFT);
    pages = (pages + MI_HEAP_GRANULARITY_PAGES - 1) & ~(MI_HEAP_GRANULARITY_PAGES - 1);
    if (slot < 0 || pages == 0)
        return STATUS_NO_MEMORY;
    /* Over-reserve, then give back the slack around a 64 KB-aligned run. */
    ULONG extra = MI_HEAP_GRANULARITY_PAGES - 1;
    PMMPTE pte = MiReserveSystemPtes(pages + extra, SystemPteSpace);
    if (pte == NULL)
        return STATUS_NO_MEMORY;
    ULONG_PTR va = (ULONG_PTR)MiGetVirtualAddressMappedByPte(pte);
    ULONG_PTR aligned = (va + 0xFFFF) & ~(ULONG_PTR)0xFFFF;
    ULONG lead = (ULONG)((aligned - va) >> PAGE_SHIFT);
    if (lead)
        MiReleaseSystemPtes(pte, lead, SystemPteSpace);
    if (extra - lead)
        MiReleaseSystemPtes(pte + lead + pages, extra - lead, SystemPteSpace);
    MiHeapReservations[slot].Base = aligned;
    MiHeapReservations[slot].Pages = pages;
    *BaseAddress = (PVOID)aligned;
    *RegionSize = (SIZE_T)pages << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

/* Unmaps and frees the committed pages of [Va, Va + Pages pages). */
static void MiHeapDecommit(ULONG_PTR Va, ULONG Pages)
{
    for (ULONG i = 0; i < Pages; i++) {
        ULONG_PTR p = Va + ((ULONG_PTR)i << PAGE_SHIFT);
        PFN_NUMBER page = MiGetPfnOfVa(p);
        if (page != MM_EMPTY_LIST) {
            MiUnmapSystemPage(p);
            MiFreePage(page);
        }
    }
}

static NTSTATUS MiHeapAllocate(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                               ULONG Protect)
{
    (void)Protect;      /* kernel pages are read/write; x86 without PAE cannot refuse execution */
    if (AllocationType & MEM_RESERVE) {
        if (*BaseAddress != NULL)
            return STATUS_CONFLICTING_ADDRESSES;
        NTSTATUS s = MiHeapReserve(BaseAddress, RegionSize);
        if (!NT_SUCCESS(s) || !(AllocationType & MEM_COMMIT))
            return s;
    }
    if (!(AllocationType & MEM_COMMIT))
        return STATUS_INVALID_PARAMETER;
    ULONG_PTR start = (ULONG_PTR)*BaseAddress & ~(ULONG_PTR)(PAGE_SIZE - 1);
    ULONG_PTR end = ROUND_TO_PAGES((ULONG_PTR)*BaseAddress + *RegionSize);
    LONG r = MiFindReservation(start, FALSE);
    if (r < 0 || end > MiHeapReservations[r].Base + MiHeapReservations[r].Pages * PAGE_SIZE)
        return STATUS_CONFLICTING_ADDRESSES;
    for (ULONG_PTR p = start; p < end; p += PAGE_SIZE) {
        if (MiGetPfnOfVa(p) != MM_EMPTY_LIST)
            continue;
        PFN_NUMBER page = MiRemoveZeroPage();
        if (page == MM_EMPTY_LIST) {
            MiHeapDecommit(start, (ULONG)((p - start) >> PAGE_SHIFT));
            return STATUS_NO_MEMORY;
        }
        MiMapSystemPage(p, page, MI_SYSTEM_PTE_BITS);
    }
    *BaseAddress = (PVOID)start;
    *RegionSize = end - start;
    return STATUS_SUCCESS;
}

static NTSTATUS MiHeapFree(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType)
{
    ULONG_PTR va = (ULONG_PTR)*BaseAddress;
    if (FreeType == MEM_RELEASE) {
        LONG r = MiFindReservation(va, TRUE);
        if (r < 0)
            return STATUS_FREE_VM_NOT_AT_BASE;
        if (*RegionSize != 0)
            return STATUS_INVALID_PARAMETER;
        ULONG pages = MiHeapReservations[r].Pages;
        MiHeapDecommit(va, pages);
        MiReleaseSystemPtes(MiGetPteAddress((PVOID)va), pages, SystemPteSpace);
        MiHeapReservations[r].Base = 0;
        *RegionSize = (SIZE_T)pages << PAGE_SHIFT;
        return STATUS_SUCCESS;
    }
    if (FreeType == MEM_DECOMMIT) {
        ULONG_PTR start = va & ~(ULONG_PTR)(PAGE_SIZE - 1);
        ULONG_PTR end = ROUND_TO_PAGES(va + *RegionSize);
        LONG r = MiFindReservation(start, FALSE);
        if (r < 0 || end > MiHeapReservations[r].Base + MiHeapReservations[r].Pages * PAGE_SIZE)
            return STATUS_MEMORY_NOT_ALLOCATED;
        MiHeapDecommit(start, (ULONG)((end - start) >> PAGE_SHIFT));
        *BaseAddress = (PVOID)start;
        *RegionSize = end - start;
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

/* The table and the runs are shared by every kernel heap: DISPATCH_LEVEL
 * keeps another thread out while one changes them. */
NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG AllocationType,
                                 ULONG Protect)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    NTSTATUS s = MiHeapAllocate(BaseAddress, RegionSize, AllocationType, Protect);
    KfLowerIrql(old);
    return s;
}

NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize, ULONG FreeType)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    NTSTATUS s = MiHeapFree(BaseAddress, RegionSize, FreeType);
    KfLowerIrql(old);
    return s;
}

/*
 * MemoryBasicInformation over the heap reservations: the run of pages from
 * Address with its state inside its reservation. An address outside every
 * reservation is MEM_FREE, reported as one page (the heap reads only the
 * state there).
 */
NTSTATUS RtlpHeapQueryVirtual(PVOID Address, PMEMORY_BASIC_INFORMATION Information)
{
    ULONG_PTR va = (ULONG_PTR)Address & ~(ULONG_PTR)(PAGE_SIZE - 1);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    LONG r = MiFindReservation(va, FALSE);

    memset(Information, 0, sizeof(*Information));
    Information->BaseAddress = (PVOID)va;
    if (r < 0) {
        KfLowerIrql(old);
        Information->RegionSize = PAGE_SIZE;
        Information->State = MEM_FREE;
        Information->Protect = PAGE_NOACCESS;
        return STATUS_SUCCESS;
    }
    ULONG_PTR end = MiHeapReservations[r].Base + MiHeapReservations[r].Pages * PAGE_SIZE;
    BOOLEAN committed = MiGetPfnOfVa(va) != MM_EMPTY_LIST;
    ULONG_PTR p = va + PAGE_SIZE;
    while (p < end && (MiGetPfnOfVa(p) != MM_EMPTY_LIST) == committed)
        p += PAGE_SIZE;
    Information->AllocationBase = (PVOID)MiHeapReservations[r].Base;
    KfLowerIrql(old);
    Information->AllocationProtect = PAGE_READWRITE;
    Information->RegionSize = p - va;
    Information->State = committed ? MEM_COMMIT : MEM_RESERVE;
    Information->Protect = committed ? PAGE_READWRITE : 0;
    Information->Type = MEM_PRIVATE;
    return STATUS_SUCCESS;
}

/* No ERESOURCE to take: RtlCreateHeap refuses a caller's lock in the kernel (see above). */
const RTLP_HEAP_LOCK_ROUTINES *RtlpHeapCallerLockRoutines(void)
{
    return NULL;
}

void RtlpHeapRaiseStatus(NTSTATUS Status)
{
    DbgPrint("heap: exception 0x%08X not raised in the kernel\n", (unsigned)Status);
}

void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason)
{
    DbgPrint("heap: %p corrupted at %p (reason %u)\n", Heap, Address, (unsigned)Reason);
}

ULONG_PTR RtlpHeapCurrentThread(void)
{
    return (ULONG_PTR)KiCurrentThread;
}
