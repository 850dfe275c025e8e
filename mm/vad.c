/*
 * vad.c - Virtual Address Descriptors: one MMVAD per reservation of a
 * process's user space, in a balanced range tree (lib/avltree.h, NT's
 * MM_AVL_TABLE) at 64 KB granularity, so that finding the VAD of an
 * address, inserting, removing and finding a free range are O(log n).
 *
 * A VAD says what is reserved and how (AllocationProtect, MEM_PRIVATE or
 * MEM_IMAGE); which of its pages are committed, and with what protection,
 * is in the PTEs (mi.h, "user PTEs"), as NT keeps it for private memory.
 * CommittedPages counts the PTEs of the range that are not zero.
 *
 * Lock: the address space lock (MiLockAddressSpace) around every call but
 * MmInitializeProcessVads and MmDeleteProcessVads. MiValidateVadTree
 * checks the tree, each VAD against its PTEs, and the process's charge.
 */
#include "ntddk.h"
#include "mi.h"
#include "ps.h"
#include "pool.h"

#define MI_VAD_TAG ' daV'               /* "Vad " as NT tags them */

static inline PMMVAD MiVadFromNode(PRTL_RANGE_NODE Node)
{
    return CONTAINING_RECORD(Node, MMVAD, Node);
}

void MmInitializeProcessVads(PEPROCESS Process)
{
    RtlInitializeRangeTree(&Process->VadRoot, MI_VAD_GRANULARITY_PAGES);
}

/* The VAD holding page Vpn, or NULL (free). */
PMMVAD MiLocateVad(PEPROCESS Process, ULONG_PTR Vpn)
{
    PRTL_RANGE_NODE node = RtlFindRangeNode(&Process->VadRoot, Vpn);
    return node ? MiVadFromNode(node) : NULL;
}

/*
 * Makes a VAD over StartingVpn..EndingVpn with nothing committed. Returns
 * STATUS_CONFLICTING_ADDRESSES when the range overlaps another VAD,
 * STATUS_NO_MEMORY without pool. The caller accounts VirtualSize.
 */
NTSTATUS MiInsertVad(PEPROCESS Process, ULONG_PTR StartingVpn, ULONG_PTR EndingVpn,
                     ULONG AllocationProtect, ULONG Type, PMMVAD *VadOut)
{
    ASSERT(StartingVpn <= EndingVpn && StartingVpn >= MI_LOWEST_VAD_VPN);
    if (RtlFindOverlappingRangeNode(&Process->VadRoot, StartingVpn, EndingVpn))
        return STATUS_CONFLICTING_ADDRESSES;
    PMMVAD vad = ExAllocatePoolWithTag(NonPagedPool, sizeof(MMVAD), MI_VAD_TAG);
    if (vad == NULL)
        return STATUS_NO_MEMORY;
    memset(vad, 0, sizeof(*vad));
    vad->Node.StartingVpn = StartingVpn;
    vad->Node.EndingVpn = EndingVpn;
    vad->AllocationProtect = AllocationProtect;
    vad->Type = Type;
    BOOLEAN inserted = RtlInsertRangeNode(&Process->VadRoot, &vad->Node);
    ASSERT(inserted);
    (void)inserted;
    *VadOut = vad;
    return STATUS_SUCCESS;
}

/* Unlinks and frees Vad; its pages must be decommitted already. */
void MiRemoveVad(PEPROCESS Process, PMMVAD Vad)
{
    if (Vad->CommittedPages != 0)
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x41A0, (ULONG_PTR)Vad, Vad->CommittedPages, 0);
    RtlRemoveRangeNode(&Process->VadRoot, &Vad->Node);
    ExFreePoolWithTag(Vad, MI_VAD_TAG);
}

void MiShrinkVad(PEPROCESS Process, PMMVAD Vad, ULONG_PTR StartingVpn, ULONG_PTR EndingVpn)
{
    ASSERT(StartingVpn >= Vad->Node.StartingVpn && EndingVpn <= Vad->Node.EndingVpn &&
           StartingVpn <= EndingVpn);
    /* The subtree fields depend on the range: out and back in. */
    RtlRemoveRangeNode(&Process->VadRoot, &Vad->Node);
    Vad->Node.StartingVpn = StartingVpn;
    Vad->Node.EndingVpn = EndingVpn;
    BOOLEAN inserted = RtlInsertRangeNode(&Process->VadRoot, &Vad->Node);
    ASSERT(inserted);
    (void)inserted;
}

/*
 * A free run of SizeInPages at a 64 KB boundary between 0x00010000 and
 * HighestVpn: the lowest, or the highest for MEM_TOP_DOWN (NT's
 * MiFindEmptyAddressRange / MiFindEmptyAddressRangeDown). STATUS_NO_MEMORY
 * when none.
 */
NTSTATUS MiFindEmptyAddressRange(PEPROCESS Process, ULONG_PTR SizeInPages, ULONG_PTR HighestVpn,
                                 BOOLEAN TopDown, PULONG_PTR StartingVpn)
{
    if (HighestVpn < MI_LOWEST_VAD_VPN)
        return STATUS_NO_MEMORY;
    NTSTATUS s = TopDown
        ? RtlFindFreeRangeTopDown(&Process->VadRoot, MI_LOWEST_VAD_VPN, HighestVpn, SizeInPages,
                                  MI_VAD_GRANULARITY_PAGES, StartingVpn)
        : RtlFindFreeRange(&Process->VadRoot, MI_LOWEST_VAD_VPN, HighestVpn, SizeInPages,
                           MI_VAD_GRANULARITY_PAGES, StartingVpn);
    return s == STATUS_INVALID_PARAMETER ? STATUS_NO_MEMORY : s;
}

/* Committed PTEs (not zero) of Vpn..EndVpn in the current address space. */
static ULONG MiCountCommittedPtes(ULONG_PTR Vpn, ULONG_PTR EndVpn)
{
    ULONG n = 0;
    while (Vpn <= EndVpn) {
        ULONG_PTR va = Vpn << PAGE_SHIFT;
        if (!(MiGetPdeAddress((PVOID)va)->u & PTE_VALID)) {
            Vpn = (Vpn | 0x3FF) + 1;        /* no table: the whole 4 MB is uncommitted */
            continue;
        }
        if (MiGetPteAddress((PVOID)va)->u != 0)
            n++;
        Vpn++;
    }
    return n;
}

BOOLEAN MiValidateVadTree(PEPROCESS Process, PCSTR *Reason)
{
    PRTL_RANGE_NODE bad;
    if (!RtlValidateRangeTree(&Process->VadRoot, &bad, Reason))
        return FALSE;
    ULONG committed = 0;
    SIZE_T reserved = 0;
    for (PRTL_RANGE_NODE n = RtlFirstRangeNode(&Process->VadRoot); n; n = RtlNextRangeNode(n)) {
        PMMVAD vad = MiVadFromNode(n);
        if (n->StartingVpn < MI_LOWEST_VAD_VPN || n->EndingVpn > MI_HIGHEST_VAD_VPN) {
            *Reason = "VAD outside user space";
            return FALSE;
        }
        if (vad->Type != MEM_PRIVATE && vad->Type != MEM_IMAGE) {
            *Reason = "VAD type";
            return FALSE;
        }
        if (MiCountCommittedPtes(n->StartingVpn, n->EndingVpn) != vad->CommittedPages) {
            *Reason = "CommittedPages disagrees with the PTEs";
            return FALSE;
        }
        committed += vad->CommittedPages;
        reserved += (n->EndingVpn - n->StartingVpn + 1) << PAGE_SHIFT;
    }
    if (committed != Process->CommitCharge) {
        *Reason = "process commit charge disagrees with the VADs";
        return FALSE;
    }
    if (reserved != Process->VirtualSize) {
        *Reason = "process VirtualSize disagrees with the VADs";
        return FALSE;
    }
    return TRUE;
}

/*
 * At process deletion (any IRQL up to DISPATCH_LEVEL, the address space not
 * current): frees every VAD and gives back the process's commit charge and
 * resident count. MmDeleteProcessAddressSpace frees the pages themselves.
 */
void MmDeleteProcessVads(PEPROCESS Process)
{
    PRTL_RANGE_NODE n;
    while ((n = RtlFirstRangeNode(&Process->VadRoot)) != NULL) {
        RtlRemoveRangeNode(&Process->VadRoot, n);
        ExFreePoolWithTag(MiVadFromNode(n), MI_VAD_TAG);
    }
    KIRQL old = MiAcquirePfnLock();
    MiAdjustResidentCommit(Process, -(LONG)Process->Vm.WorkingSetSize);
    MiReturnCommitment(Process, Process->CommitCharge);
    MiReleasePfnLock(old);
    Process->VirtualSize = 0;
    Process->Vm.LockedPages = 0;
}
