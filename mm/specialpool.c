/*
 * specialpool.c - Driver Verifier's special pool: pool blocks that catch
 * overruns and uses after free the moment they happen. NT counterpart:
 * ntos/mm/specpool.c (MmAllocateSpecialPool, MmFreeSpecialPool).
 *
 * The range is one run of system PTEs, reserved whole when special pool is
 * first enabled and never released, cut into slots of two pages:
 *
 *   slot i:  | data page                                  | guard page       |
 *            | hdr | pattern ...... | data (n bytes) |slk| never mapped     |
 *            ^ MmSpecialPoolStart + i * 8 KB       8-aligned ^ page end
 *
 * The data ends at the page's end, less the slack that keeps it 8-byte
 * aligned (64 for the CacheAligned types), so byte n (or n + slack) is on
 * the guard page: the first byte beyond the allocation faults, and
 * MmAccessFault asks MiCheckSpecialPoolFault, which bugchecks
 * PAGE_FAULT_BEYOND_END_OF_ALLOCATION (0xCD). Everything in the page that
 * is not data holds MI_SPECIAL_POOL_PATTERN (and an 8-byte header with the
 * size and tag at the start); a free checks it and bugchecks
 * SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION (0xC1) 0x23 (before the data) or
 * 0x24 (after it). A freed slot's page goes back to the PFN database and
 * its PTE stays invalid; the slot is marked freed, so a touch faults into
 * PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xCC). Slots are handed out next-fit
 * round the range, so a freed slot is reused only after every other slot
 * has been: with 2048 slots, a stale pointer is recognised for the next
 * 2047 special allocations at least.
 *
 * Requests of up to 4088 bytes (a page less the header) with a chosen tag
 * come here; larger ones, and any when special pool is full, go to the
 * pool. Special blocks are not in the pool's tag table (they have no pool
 * page to account for); MmQuerySpecialPoolUsage counts them.
 *
 * Locks: the slot table at DISPATCH_LEVEL (one processor).
 */
#include "ntddk.h"
#include "ki.h"
#include "mi.h"
#include "poolp.h"

#define MI_SPECIAL_POOL_SLOTS   2048
#define MI_SPECIAL_POOL_PATTERN 0xF5    /* this kernel's choice */
#define MI_SPECIAL_POOL_MAXIMUM (PAGE_SIZE - sizeof(MI_SPECIAL_POOL_HEADER))

/* At the start of each data page, as NT keeps a POOL_HEADER there. */
typedef struct _MI_SPECIAL_POOL_HEADER {
    ULONG NumberOfBytes;
    ULONG Tag;
} MI_SPECIAL_POOL_HEADER, *PMI_SPECIAL_POOL_HEADER;

typedef enum _MI_SPECIAL_SLOT_STATE {
    MiSpecialSlotUnused = 0,
    MiSpecialSlotInUse,
    MiSpecialSlotFreed,
} MI_SPECIAL_SLOT_STATE;

typedef struct _MI_SPECIAL_POOL_SLOT {
    UCHAR State;
    UCHAR PoolType;             /* as the caller gave it, low bits */
    USHORT NumberOfBytes;
    ULONG Tag;
} MI_SPECIAL_POOL_SLOT;

PVOID MmSpecialPoolStart, MmSpecialPoolEnd;
static MI_SPECIAL_POOL_SLOT MiSpecialPoolSlots[MI_SPECIAL_POOL_SLOTS];
static ULONG MiSpecialPoolHint;
static ULONG MiSpecialPoolTags[MI_SPECIAL_POOL_MAX_TAGS];
static ULONG MiSpecialPoolTagCount;
static MM_SPECIAL_POOL_USAGE MiSpecialPoolUsage;

/* Reserves the range on first use. FALSE if the system PTEs cannot be had. */
static BOOLEAN MiInitializeSpecialPoolRange(void)
{
    if (MmSpecialPoolStart)
        return TRUE;
    PMMPTE pte = MiReserveSystemPtes(2 * MI_SPECIAL_POOL_SLOTS, SystemPteSpace);
    if (pte == NULL)
        return FALSE;
    MmSpecialPoolStart = MiGetVirtualAddressMappedByPte(pte);
    MmSpecialPoolEnd = (PUCHAR)MmSpecialPoolStart + 2 * MI_SPECIAL_POOL_SLOTS * PAGE_SIZE;
    MiSpecialPoolUsage.Slots = MI_SPECIAL_POOL_SLOTS;
    ExpPoolFlags |= EX_SPECIAL_POOL_ENABLED;
    return TRUE;
}

/* ---- which tags ------------------------------------------------------------- */

/* NT's PoolTag matching: '*' ends the comparison, '?' matches any byte. */
static BOOLEAN MiSpecialPoolTagMatches(ULONG Pattern, ULONG Tag)
{
    for (ULONG i = 0; i < 4; i++, Pattern >>= 8, Tag >>= 8) {
        UCHAR p = (UCHAR)Pattern;
        if (p == '*')
            return TRUE;
        if (p != '?' && p != (UCHAR)Tag)
            return FALSE;
    }
    return TRUE;
}

BOOLEAN MmUseSpecialPool(SIZE_T NumberOfBytes, ULONG Tag)
{
    if (NumberOfBytes > MI_SPECIAL_POOL_MAXIMUM || Tag == 0)
        return FALSE;
    for (ULONG i = 0; i < MiSpecialPoolTagCount; i++)
        if (MiSpecialPoolTagMatches(MiSpecialPoolTags[i], Tag & ~PROTECTED_POOL))
            return TRUE;
    return FALSE;
}

NTSTATUS MmAddSpecialPoolTag(ULONG Tag)
{
    KeCheckIrqlAtMost(PASSIVE_LEVEL, (PVOID)MmAddSpecialPoolTag);
    if (MiSpecialPoolTagCount == MI_SPECIAL_POOL_MAX_TAGS || !MiInitializeSpecialPoolRange())
        return STATUS_INSUFFICIENT_RESOURCES;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    MiSpecialPoolTags[MiSpecialPoolTagCount++] = Tag & ~PROTECTED_POOL;
    /* Allocations now ask MmUseSpecialPool (the pool's fast path tests this bit). */
    __atomic_or_fetch(&ExpPoolFlags, EXP_SPECIAL_POOL_TAGS, __ATOMIC_RELAXED);
    KfLowerIrql(old);
    return STATUS_SUCCESS;
}

NTSTATUS MmRemoveSpecialPoolTag(ULONG Tag)
{
    NTSTATUS status = STATUS_NOT_FOUND;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    for (ULONG i = 0; i < MiSpecialPoolTagCount; i++) {
        if (MiSpecialPoolTags[i] == (Tag & ~PROTECTED_POOL)) {
            MiSpecialPoolTags[i] = MiSpecialPoolTags[--MiSpecialPoolTagCount];
            /* No tag left: allocations need not ask. Frees still look at
             * the range (EX_SPECIAL_POOL_ENABLED stays) for blocks out. */
            if (MiSpecialPoolTagCount == 0)
                __atomic_and_fetch(&ExpPoolFlags, ~EXP_SPECIAL_POOL_TAGS, __ATOMIC_RELAXED);
            status = STATUS_SUCCESS;
            break;
        }
    }
    KfLowerIrql(old);
    return status;
}

ULONG MiParseSpecialPoolTags(PCSTR Option, PULONG Tags, ULONG MaxTags)
{
    ULONG count = 0;
    while (*Option && count < MaxTags) {
        ULONG tag = 0x20202020u;            /* short tags are padded with spaces */
        for (ULONG i = 0; *Option && *Option != ','; Option++, i++)
            if (i < 4)
                tag = (tag & ~(0xFFu << (8 * i))) | ((ULONG)(UCHAR)*Option << (8 * i));
        if (tag != 0x20202020u)
            Tags[count++] = tag;
        if (*Option == ',')
            Option++;
    }
    return count;
}

void MiInitializeSpecialPool(void)
{
    char option[64];
    ULONG tags[MI_SPECIAL_POOL_MAX_TAGS];
    if (KeGetBootOption("specialpool", option, sizeof(option)) == NULL)
        return;
    ULONG count = MiParseSpecialPoolTags(option, tags, MI_SPECIAL_POOL_MAX_TAGS);
    for (ULONG i = 0; i < count; i++)
        if (!NT_SUCCESS(MmAddSpecialPoolTag(tags[i])))
            DbgPrint("specialpool: no room for the tag %.4s\n", (PCSTR)&tags[i]);
    if (count)
        DbgPrint("Special pool: %u tag(s) from the boot options, %u slots at %p\n", count,
                 MI_SPECIAL_POOL_SLOTS, MmSpecialPoolStart);
}

void MmQuerySpecialPoolUsage(PMM_SPECIAL_POOL_USAGE Usage)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    *Usage = MiSpecialPoolUsage;
    KfLowerIrql(old);
}

/* ---- allocate and free ------------------------------------------------------ */

BOOLEAN MmIsSpecialPoolAddress(PVOID P)
{
    return (ULONG_PTR)P - (ULONG_PTR)MmSpecialPoolStart <
           (ULONG_PTR)MmSpecialPoolEnd - (ULONG_PTR)MmSpecialPoolStart;
}

static ULONG MiSpecialPoolSlotIndex(PVOID P)
{
    return (ULONG)(((ULONG_PTR)P - (ULONG_PTR)MmSpecialPoolStart) >> (PAGE_SHIFT + 1));
}

static PUCHAR MiSpecialPoolSlotPage(ULONG Index)
{
    return (PUCHAR)MmSpecialPoolStart + ((ULONG_PTR)Index << (PAGE_SHIFT + 1));
}

/* Bytes given to the caller: n rounded up to the alignment (n = 0 gets one
 * unit, so the address stays inside the page). */
static ULONG MiSpecialPoolRounded(SIZE_T NumberOfBytes, ULONG PoolType)
{
    ULONG align = (PoolType & CACHE_ALIGNED_POOL_TYPE_MASK) ? EXP_CACHE_LINE_SIZE
                                                            : POOL_SMALLEST_BLOCK;
    SIZE_T n = NumberOfBytes ? NumberOfBytes : 1;
    return (ULONG)((n + align - 1) & ~(SIZE_T)(align - 1));
}

static BOOLEAN MiSpecialPoolIrqlTooHigh(KIRQL Irql, ULONG PoolType)
{
    return Irql > ((PoolType & BASE_POOL_TYPE_MASK) == PagedPool ? APC_LEVEL : DISPATCH_LEVEL);
}

PVOID MmAllocateSpecialPool(SIZE_T NumberOfBytes, ULONG Tag, POOL_TYPE PoolType, PVOID Caller)
{
    ULONG type = (ULONG)PoolType;
    KIRQL irql = KeGetCurrentIrql();
    if (MiSpecialPoolIrqlTooHigh(irql, type))
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, irql, type, NumberOfBytes, 0x30);
    ULONG rounded = MiSpecialPoolRounded(NumberOfBytes, type);
    if (MmSpecialPoolStart == NULL || rounded > MI_SPECIAL_POOL_MAXIMUM ||
        (type & (BASE_POOL_TYPE_MASK | MUST_SUCCEED_POOL_TYPE_MASK)) == DontUseThisType)
        return NULL;            /* the pool serves it (or refuses it) */

    PFN_NUMBER page = MiRemoveAnyPage();
    if (page == MM_EMPTY_LIST)
        return NULL;
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    ULONG index = MI_SPECIAL_POOL_SLOTS;
    for (ULONG n = 0; n < MI_SPECIAL_POOL_SLOTS; n++) {
        ULONG i = (MiSpecialPoolHint + n) % MI_SPECIAL_POOL_SLOTS;
        if (MiSpecialPoolSlots[i].State != MiSpecialSlotInUse) {
            index = i;
            break;
        }
    }
    if (index == MI_SPECIAL_POOL_SLOTS) {
        KfLowerIrql(old);
        MiFreePage(page);
        return NULL;
    }
    MI_SPECIAL_POOL_SLOT *slot = &MiSpecialPoolSlots[index];
    slot->State = MiSpecialSlotInUse;
    slot->PoolType = (UCHAR)(type & 0xFF);
    slot->NumberOfBytes = (USHORT)NumberOfBytes;
    slot->Tag = Tag;
    MiSpecialPoolHint = index + 1;
    MiSpecialPoolUsage.Allocations++;
    MiSpecialPoolUsage.PagesInUse++;
    MiSpecialPoolUsage.BytesInUse += NumberOfBytes;
    KfLowerIrql(old);

    PUCHAR va = MiSpecialPoolSlotPage(index);
    MiMapSystemPage((ULONG_PTR)va, page, MI_SYSTEM_PTE_BITS);
    MI_PFN_ELEMENT(page)->PteAddress = MiGetPteAddress(va);
    memset(va, MI_SPECIAL_POOL_PATTERN, PAGE_SIZE);
    PMI_SPECIAL_POOL_HEADER header = (PMI_SPECIAL_POOL_HEADER)va;
    header->NumberOfBytes = (ULONG)NumberOfBytes;
    header->Tag = Tag;
    return va + PAGE_SIZE - rounded;
}

/* The first byte in [Start, End) that is not the pattern, or NULL. */
static PUCHAR MiFindDamagedByte(PUCHAR Start, PUCHAR End)
{
    for (PUCHAR p = Start; p < End; p++)
        if (*p != MI_SPECIAL_POOL_PATTERN)
            return p;
    return NULL;
}

void MmFreeSpecialPool(PVOID P, ULONG Tag)
{
    ULONG index = MiSpecialPoolSlotIndex(P);
    MI_SPECIAL_POOL_SLOT *slot = &MiSpecialPoolSlots[index];
    PUCHAR page = MiSpecialPoolSlotPage(index);
    ULONG_PTR p = (ULONG_PTR)P;

    /* Not a block that is out: freed already, never allocated, or the guard page. */
    if (slot->State != MiSpecialSlotInUse || (PUCHAR)PAGE_ALIGN(P) != page)
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, p, 0, 0, 0x20);
    KIRQL irql = KeGetCurrentIrql();
    if (MiSpecialPoolIrqlTooHigh(irql, slot->PoolType))
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, irql, slot->PoolType, p, 0x31);
    PUCHAR data = page + PAGE_SIZE - MiSpecialPoolRounded(slot->NumberOfBytes, slot->PoolType);
    if ((PUCHAR)P != data)
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, p, slot->NumberOfBytes,
                     (ULONG_PTR)(page + PAGE_SIZE - (PUCHAR)P), 0x21);
    ExpCheckFreeCaller(P, slot->PoolType & BASE_POOL_TYPE_MASK, slot->Tag, Tag);

    PMI_SPECIAL_POOL_HEADER header = (PMI_SPECIAL_POOL_HEADER)page;
    PUCHAR damaged = NULL;
    if (header->NumberOfBytes != slot->NumberOfBytes || header->Tag != slot->Tag)
        damaged = page;
    if (damaged == NULL)
        damaged = MiFindDamagedByte(page + sizeof(*header), data);
    if (damaged)
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, p, (ULONG_PTR)damaged, 0, 0x23);
    damaged = MiFindDamagedByte(data + slot->NumberOfBytes, page + PAGE_SIZE);
    if (damaged)
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, p, (ULONG_PTR)damaged, 0, 0x24);

    /* The PTE stays invalid and reserved: a later touch is recognised. */
    PFN_NUMBER pfn = MiGetPfnOfVa((ULONG_PTR)page);
    MiUnmapSystemPage((ULONG_PTR)page);
    MiFreePage(pfn);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    MiSpecialPoolUsage.Frees++;
    MiSpecialPoolUsage.PagesInUse--;
    MiSpecialPoolUsage.BytesInUse -= slot->NumberOfBytes;
    slot->State = MiSpecialSlotFreed;
    KfLowerIrql(old);
}

/* ---- the fault path ----------------------------------------------------------- */

void MiCheckSpecialPoolFault(PVOID Address, ULONG ErrorCode, ULONG_PTR Eip)
{
    if (!MmIsSpecialPoolAddress(Address))
        return;
    ULONG_PTR va = (ULONG_PTR)Address;
    const MI_SPECIAL_POOL_SLOT *slot = &MiSpecialPoolSlots[MiSpecialPoolSlotIndex(Address)];
    BOOLEAN guard = ((va - (ULONG_PTR)MmSpecialPoolStart) >> PAGE_SHIFT) & 1;
    ULONG write = (ErrorCode & 2) ? 1 : 0;
    if (slot->State == MiSpecialSlotFreed)
        KeBugCheckEx(PAGE_FAULT_IN_FREED_SPECIAL_POOL, va, write, Eip, 0);
    if (slot->State == MiSpecialSlotInUse && guard)
        KeBugCheckEx(PAGE_FAULT_BEYOND_END_OF_ALLOCATION, va, write, Eip, 0);
    /* A slot never used: an ordinary wild pointer (0x50 from the trap). */
}
