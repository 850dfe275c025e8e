/*
 * test_vad.c - the VAD tree and the services' bodies (mm/vad.c,
 * mm/virtual.c) on a private process that never runs: a storm of
 * reservations, commits, decommits, partial releases (the native call may
 * release part of a reservation, splitting it) and protection changes, with
 * the whole tree validated after each step (MiValidateVadTree: the range
 * tree's own check, each VAD's CommittedPages against its PTEs, and the
 * process's charge and VirtualSize against the VADs).
 */
#include <ntddk.h>
#include <ktest.h>
#include "mi.h"
#include "ps.h"

static PEPROCESS KtCreateVadProcess(void)
{
    PEPROCESS p = PsCreateProcess("vadtest");
    if (p != NULL)
        KeAttachProcess(p);
    return p;
}

static void KtDeleteVadProcess(PEPROCESS p)
{
    KeDetachProcess();
    MmDeleteProcessVads(p);
    MmDeleteProcessAddressSpace(p->DirectoryTableBase);
    RemoveEntryList(&p->ProcessListEntry);
    ObDereferenceObject(&p->Header);
}

static ULONG KtRandom(ULONG *Seed)
{
    *Seed = *Seed * 1103515245u + 12345u;
    return *Seed >> 8;
}

KTEST(vad, storm_keeps_tree_and_charge_valid)
{
    MM_COMMIT_COUNTS before, after;
    MmGetCommitCounts(&before);
    PEPROCESS p = KtCreateVadProcess();
    KT_ASSERT(p != NULL);
    ULONG seed = 6;
    ULONG_PTR bases[64] = { 0 };
    PCSTR reason = NULL;
    BOOLEAN valid = TRUE;
    for (ULONG step = 0; step < 1500 && valid; step++) {
        ULONG r = KtRandom(&seed);
        ULONG_PTR base = bases[r % 64];
        SIZE_T size = ((r >> 6) % 40 + 1) * PAGE_SIZE;
        ULONG old;
        switch ((r >> 12) % 6) {
        case 0:     /* reserve (and sometimes commit), bottom-up or top-down */
            if (base == 0) {
                ULONG type = MEM_RESERVE | ((r >> 16) & 1 ? MEM_COMMIT : 0) |
                             ((r >> 17) & 1 ? MEM_TOP_DOWN : 0);
                if (NT_SUCCESS(MiAllocateVirtualMemory(p, &base, 0, &size, type, PAGE_READWRITE)))
                    bases[r % 64] = base;
            }
            break;
        case 1:     /* commit part of a reservation */
            if (base) {
                base += ((r >> 16) % 8) * PAGE_SIZE;
                MiAllocateVirtualMemory(p, &base, 0, &size, MEM_COMMIT, PAGE_READONLY);
            }
            break;
        case 2:     /* decommit part */
            if (base) {
                base += ((r >> 16) % 8) * PAGE_SIZE;
                MiFreeVirtualMemory(p, &base, &size, MEM_DECOMMIT);
            }
            break;
        case 3:     /* release the middle or the end: the VAD splits or shrinks */
            if (base) {
                ULONG_PTR b = base + ((r >> 16) % 4 + 1) * PAGE_SIZE;
                SIZE_T s = PAGE_SIZE;
                MiFreeVirtualMemory(p, &b, &s, MEM_RELEASE);
            }
            break;
        case 4:     /* release the whole reservation */
            if (base) {
                size = 0;
                MiFreeVirtualMemory(p, &base, &size, MEM_RELEASE);
                bases[r % 64] = 0;
            }
            break;
        case 5:     /* protect a committed page, if it is one */
            if (base) {
                size = PAGE_SIZE;
                MiProtectVirtualMemory(p, &base, &size, PAGE_NOACCESS, &old);
            }
            break;
        }
        valid = MiValidateVadTree(p, &reason);
    }
    if (!valid)
        DbgPrint("vad storm: %s\n", reason);
    KT_ASSERT(valid);
    KT_ASSERT(p->VadRoot.NumberOfNodes > 0);
    KtDeleteVadProcess(p);
    MmGetCommitCounts(&after);
    KT_EQ(after.CommittedPages, before.CommittedPages);
}

KTEST(vad, validator_catches_wrong_committed_count)
{
    PEPROCESS p = KtCreateVadProcess();
    KT_ASSERT(p != NULL);
    ULONG_PTR base = 0;
    SIZE_T size = 3 * PAGE_SIZE;
    KT_EQ(MiAllocateVirtualMemory(p, &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    PCSTR reason = NULL;
    KT_ASSERT(MiValidateVadTree(p, &reason));
    PMMVAD vad = MiLocateVad(p, base >> PAGE_SHIFT);
    KT_ASSERT(vad != NULL);
    vad->CommittedPages--;
    KT_ASSERT(!MiValidateVadTree(p, &reason));
    vad->CommittedPages++;
    KtDeleteVadProcess(p);
}

/* NT: partial MEM_RELEASE through the native call splits the reservation;
 * VirtualQuery then sees two allocations. */
KTEST(vad, release_middle_splits_reservation)
{
    PEPROCESS p = KtCreateVadProcess();
    KT_ASSERT(p != NULL);
    ULONG_PTR base = 0;
    SIZE_T size = 0x10000;
    KT_EQ(MiAllocateVirtualMemory(p, &base, 0, &size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
          STATUS_SUCCESS);
    ULONG_PTR mid = base + 0x4000;
    SIZE_T midSize = 0x2000;
    KT_EQ(MiFreeVirtualMemory(p, &mid, &midSize, MEM_RELEASE), STATUS_SUCCESS);
    MEMORY_BASIC_INFORMATION mbi;
    KT_EQ(MiQueryVirtualMemory(p, base + 0x6000, &mbi), STATUS_SUCCESS);
    KT_EQ((ULONG_PTR)mbi.AllocationBase, base + 0x6000);
    KT_EQ(mbi.RegionSize, 0xA000);
    KT_EQ(MiQueryVirtualMemory(p, base + 0x4000, &mbi), STATUS_SUCCESS);
    KT_EQ(mbi.State, MEM_FREE);
    KT_EQ(mbi.RegionSize, 0x2000);
    KT_EQ(p->CommitCharge, 14);
    PCSTR reason;
    KT_ASSERT(MiValidateVadTree(p, &reason));
    KtDeleteVadProcess(p);
}

/* Issue 6: user page tables are freed when they empty, not only at exit. */
KTEST(vad, page_table_freed_when_its_range_is_decommitted)
{
    MM_PAGE_COUNTS before, after;
    PEPROCESS p = PsCreateProcess("pt-test");
    KT_ASSERT(p != NULL);
    MmGetPageCounts(&before);
    KeAttachProcess(p);
    ULONG_PTR base = 0x10000000;                /* a 4 MB-aligned range of its own */
    SIZE_T size = 0x400000;
    NTSTATUS s = MiAllocateVirtualMemory(p, &base, 0, &size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    for (ULONG_PTR va = base; va < base + size; va += 64 * PAGE_SIZE)
        *(volatile ULONG *)va = 1;              /* demand-zero faults, in kernel mode */
    BOOLEAN tableThen = (MiGetPdeAddress((PVOID)base)->u & PTE_VALID) != 0;
    SIZE_T zero = 0;
    NTSTATUS d = MiFreeVirtualMemory(p, &base, &size, MEM_DECOMMIT);
    BOOLEAN tableAfter = (MiGetPdeAddress((PVOID)base)->u & PTE_VALID) != 0;
    NTSTATUS r = MiFreeVirtualMemory(p, &base, &zero, MEM_RELEASE);
    KeDetachProcess();
    MmGetPageCounts(&after);
    MmDeleteProcessVads(p);
    MmDeleteProcessAddressSpace(p->DirectoryTableBase);
    RemoveEntryList(&p->ProcessListEntry);
    ObDereferenceObject(&p->Header);
    KT_EQ(s, STATUS_SUCCESS);
    KT_ASSERT(tableThen);
    KT_EQ(d, STATUS_SUCCESS);
    KT_ASSERT(!tableAfter);
    KT_EQ(r, STATUS_SUCCESS);
    KT_EQ(MmPagesInUseByOthers(&after), MmPagesInUseByOthers(&before));
}
