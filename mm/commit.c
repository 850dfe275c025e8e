/*
 * commit.c - commit charge: every committed page of user memory is charged
 * to its process and to the system, whether or not a physical page backs it
 * yet, so that each demand-zero fault the system has promised can be met.
 *
 * The system commit limit is what could back the promises now: the pages
 * available (zeroed, free, standby) plus those already backing committed
 * memory, less a reserve for page tables and pool (NT adds the paging
 * files; this kernel has none yet). A charge past it fails with
 * STATUS_COMMITMENT_LIMIT; decommit, release and process exit give the
 * charge back (NT's MiChargeCommitment / MiReturnCommitment).
 *
 * Lock: the PFN lock (DISPATCH_LEVEL) around each call.
 */
#include "ntddk.h"
#include "mi.h"
#include "ps.h"

/* Kept for page tables, VADs and pool: what user commit may never take. */
#define MI_COMMIT_RESERVE_PAGES 256

static ULONG MiTotalCommittedPages;     /* the system's charge (MmTotalCommittedPages) */
static ULONG MiPeakCommitment;
static ULONG MiResidentCommitPages;     /* committed pages a physical page backs */
ULONG MiDemandZeroFaults, MiUserPageFaults;

static ULONG MiCommitLimit(void)
{
    ULONG backable = MiAvailablePages(&MiPfnDb) + MiResidentCommitPages;
    return backable > MI_COMMIT_RESERVE_PAGES ? backable - MI_COMMIT_RESERVE_PAGES : 0;
}

BOOLEAN MiChargeCommitment(PEPROCESS Process, ULONG Pages)
{
    ASSERT(KeGetCurrentIrql() >= DISPATCH_LEVEL);
    ULONG limit = MiCommitLimit();
    if (MiTotalCommittedPages > limit || Pages > limit - MiTotalCommittedPages)
        return FALSE;
    MiTotalCommittedPages += Pages;
    if (MiTotalCommittedPages > MiPeakCommitment)
        MiPeakCommitment = MiTotalCommittedPages;
    Process->CommitCharge += Pages;
    if (Process->CommitCharge > Process->CommitChargePeak)
        Process->CommitChargePeak = Process->CommitCharge;
    return TRUE;
}

void MiReturnCommitment(PEPROCESS Process, ULONG Pages)
{
    ASSERT(KeGetCurrentIrql() >= DISPATCH_LEVEL);
    if (Pages > Process->CommitCharge || Pages > MiTotalCommittedPages)
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x41C0, Pages, Process->CommitCharge,
                     MiTotalCommittedPages);
    Process->CommitCharge -= Pages;
    MiTotalCommittedPages -= Pages;
}

void MiAdjustResidentCommit(PEPROCESS Process, LONG Pages)
{
    ASSERT(KeGetCurrentIrql() >= DISPATCH_LEVEL);
    MiResidentCommitPages += Pages;
    Process->Vm.WorkingSetSize += Pages;
    if (Process->Vm.WorkingSetSize > Process->Vm.PeakWorkingSetSize)
        Process->Vm.PeakWorkingSetSize = Process->Vm.WorkingSetSize;
}

void MmGetCommitCounts(MM_COMMIT_COUNTS *Counts)
{
    KIRQL old = MiAcquirePfnLock();
    Counts->CommittedPages = MiTotalCommittedPages;
    Counts->CommitLimit = MiCommitLimit();
    Counts->PeakCommitment = MiPeakCommitment;
    Counts->DemandZeroFaults = MiDemandZeroFaults;
    Counts->PageFaults = MiUserPageFaults;
    MiReleasePfnLock(old);
}
