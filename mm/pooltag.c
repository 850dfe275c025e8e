/*
 * pooltag.c - pool tracking by tag, poolmon's view: for each tag and pool,
 * the allocations, the frees and the bytes in use. NT counterpart:
 * PoolTrackTable, ExpInsertPoolTracker / ExpRemovePoolTracker in
 * ntos/ex/pool.c.
 *
 * A fixed open-addressing table keyed by the tag (PROTECTED_POOL masked
 * off), as NT's is; when it is full, further tags are counted in the last
 * entry under 'Ovfl', as NT does. Bytes are whole blocks with their header
 * for small allocations and whole pages for big ones, which is what the
 * pool really spends on the tag. Blocks held by the pool's lookaside lists
 * count as freed: the caller gave them back.
 *
 * Lock: the pool lock of the pool whose counters change.
 */
#include "poolp.h"

#define EXP_OVERFLOW_TAG      0x6C66764Fu   /* 'Ovfl' */

POOL_TRACKER_TABLE PoolTrackTable[POOL_TRACK_TABLE_SIZE + 1];

/* The probe behind ExpInsertPoolTracker and ExpRemovePoolTracker (poolp.h). */
static PPOOL_TRACKER_TABLE ExpFindPoolTrackerLocked(ULONG Key, BOOLEAN Create)
{
    Key &= ~PROTECTED_POOL;
    ULONG Start = ExpHashTag(Key);
    for (ULONG n = 0, i = Start; n < POOL_TRACK_TABLE_SIZE; n++, i = (i + 1) & (POOL_TRACK_TABLE_SIZE - 1)) {
        PPOOL_TRACKER_TABLE Entry = &PoolTrackTable[i];
        if (Entry->Key == Key)
            return Entry;
        if (Entry->Key == 0) {
            if (!Create)
                return NULL;
            Entry->Key = Key;
            return Entry;
        }
    }
    PPOOL_TRACKER_TABLE Overflow = &PoolTrackTable[POOL_TRACK_TABLE_SIZE];
    Overflow->Key = EXP_OVERFLOW_TAG;
    return Overflow;
}

PPOOL_TRACKER_TABLE ExpFindPoolTracker(ULONG Key, BOOLEAN Create)
{
    /* The fast paths call here without the pool lock; a new tag's slot is
     * claimed under the nonpaged one (which keeps out paged callers too). */
    KIRQL OldIrql = ExpLockPool(NonPagedPool);
    PPOOL_TRACKER_TABLE Entry = ExpFindPoolTrackerLocked(Key, Create);
    ExpUnlockPool(OldIrql);
    return Entry;
}

void ExpInsertPoolTrackerSlow(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType)
{
    ExpCountPoolAllocation(&ExpFindPoolTracker(Tag, TRUE)->Pool[BaseType], NumberOfBytes);
}

void ExpRemovePoolTrackerSlow(ULONG Tag, SIZE_T NumberOfBytes, ULONG BaseType)
{
    PPOOL_TRACKER_TABLE Entry = ExpFindPoolTracker(Tag, FALSE);
    ASSERTMSG("pool tag not tracked", Entry != NULL);
    ExpCountPoolFree(&Entry->Pool[BaseType], NumberOfBytes);
}

SIZE_T ExpPoolTrackerBytes(ULONG BaseType)
{
    SIZE_T Bytes = 0;
    for (ULONG i = 0; i <= POOL_TRACK_TABLE_SIZE; i++)
        Bytes += BaseType == PagedPool ? PoolTrackTable[i].PagedBytes : PoolTrackTable[i].NonPagedBytes;
    return Bytes;
}

BOOLEAN ExpQueryPoolTag(ULONG Tag, POOL_TYPE PoolType, PEXP_POOL_TAG_INFO Info)
{
    ULONG BaseType = PoolType & BASE_POOL_TYPE_MASK;
    KIRQL OldIrql = ExpLockPool(BaseType);
    PPOOL_TRACKER_TABLE Entry = Tag ? ExpFindPoolTracker(Tag, FALSE) : NULL;
    Info->Tag = Tag;
    Info->Allocs = Info->Frees = 0;
    Info->Bytes = 0;
    if (Entry) {
        Info->Allocs = BaseType == PagedPool ? Entry->PagedAllocs : Entry->NonPagedAllocs;
        Info->Frees = BaseType == PagedPool ? Entry->PagedFrees : Entry->NonPagedFrees;
        Info->Bytes = BaseType == PagedPool ? Entry->PagedBytes : Entry->NonPagedBytes;
    }
    ExpUnlockPool(OldIrql);
    return Entry != NULL && Info->Allocs != 0;
}

SIZE_T ExpPoolTagBytes(ULONG Tag, POOL_TYPE PoolType)
{
    EXP_POOL_TAG_INFO Info;
    ExpQueryPoolTag(Tag, PoolType, &Info);
    return Info.Bytes;
}

static char ExpPrintableTagChar(ULONG Tag, ULONG Index)
{
    char c = (char)(Tag >> (Index * 8));
    return c >= 0x20 && c < 0x7F ? c : '.';
}

void ExpDumpPoolTags(PEXP_POOL_PRINT_ROUTINE Print)
{
    Print(" Tag  Type     Allocs      Frees       Diff      Bytes\n");
    for (ULONG i = 0; i <= POOL_TRACK_TABLE_SIZE; i++) {
        const POOL_TRACKER_TABLE *Entry = &PoolTrackTable[i];
        for (ULONG BaseType = 0; BaseType < 2; BaseType++) {
            ULONG Allocs = BaseType ? Entry->PagedAllocs : Entry->NonPagedAllocs;
            ULONG Frees = BaseType ? Entry->PagedFrees : Entry->NonPagedFrees;
            SIZE_T Bytes = BaseType ? Entry->PagedBytes : Entry->NonPagedBytes;
            if (Entry->Key == 0 || Allocs == 0)
                continue;
            Print(" %c%c%c%c %s %10u %10u %10u %10lu\n", ExpPrintableTagChar(Entry->Key, 0),
                  ExpPrintableTagChar(Entry->Key, 1), ExpPrintableTagChar(Entry->Key, 2),
                  ExpPrintableTagChar(Entry->Key, 3), BaseType ? "Paged" : "Nonp ", Allocs, Frees,
                  Allocs - Frees, (unsigned long)Bytes);
        }
    }
}
