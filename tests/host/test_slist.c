/* Host tests for lib/slist.h: NT's interlocked SLIST (InterlockedPushEntrySList
 * and friends). On the host the header is the 16-byte cmpxchg16b variant;
 * the 8-byte x86 layout is checked by C_ASSERT in the kernel build. */
#include "htest.h"
#include "slist.h"

typedef struct { SLIST_ENTRY Link; int Value; } ITEM;

HTEST(slist, header_is_16_bytes_aligned_on_host)
{
    SLIST_HEADER Head;
    HT_EQ(sizeof(SLIST_HEADER), 16);
    HT_EQ((ULONG_PTR)&Head % 16, 0);
}

HTEST(slist, push_pop_is_lifo_with_depth)
{
    SLIST_HEADER Head;
    ITEM Items[3] = { { .Value = 1 }, { .Value = 2 }, { .Value = 3 } };
    InitializeSListHead(&Head);
    HT_EQ(ExQueryDepthSList(&Head), 0);
    HT_EQ(InterlockedPopEntrySList(&Head), NULL);
    HT_EQ(InterlockedPushEntrySList(&Head, &Items[0].Link), NULL);
    HT_EQ(InterlockedPushEntrySList(&Head, &Items[1].Link), &Items[0].Link);  /* the old first */
    InterlockedPushEntrySList(&Head, &Items[2].Link);
    HT_EQ(ExQueryDepthSList(&Head), 3);
    for (int i = 2; i >= 0; i--)
        HT_EQ(CONTAINING_RECORD(InterlockedPopEntrySList(&Head), ITEM, Link)->Value, i + 1);
    HT_EQ(ExQueryDepthSList(&Head), 0);
    HT_EQ(InterlockedPopEntrySList(&Head), NULL);
}

/* x86 NT: a push adds one to Depth and Sequence, a pop only lowers Depth. */
HTEST(slist, sequence_counts_pushes)
{
    SLIST_HEADER Head;
    ITEM Item;
    InitializeSListHead(&Head);
    for (int i = 0; i < 5; i++) {
        InterlockedPushEntrySList(&Head, &Item.Link);
        HT_EQ(Head.Sequence, i + 1);
        InterlockedPopEntrySList(&Head);
        HT_EQ(Head.Sequence, i + 1);
    }
}

HTEST(slist, flush_takes_the_chain)
{
    SLIST_HEADER Head;
    ITEM Items[4];
    InitializeSListHead(&Head);
    HT_EQ(InterlockedFlushSList(&Head), NULL);
    for (int i = 0; i < 4; i++) {
        Items[i].Value = i;
        InterlockedPushEntrySList(&Head, &Items[i].Link);
    }
    USHORT Sequence = Head.Sequence;
    PSLIST_ENTRY Chain = InterlockedFlushSList(&Head);
    HT_EQ(ExQueryDepthSList(&Head), 0);
    HT_EQ(Head.Next.Next, NULL);
    HT_EQ(Head.Sequence, Sequence);
    int Expected = 3, Count = 0;
    for (PSLIST_ENTRY e = Chain; e; e = e->Next, Count++)
        HT_EQ(CONTAINING_RECORD(e, ITEM, Link)->Value, Expected--);
    HT_EQ(Count, 4);
}

HTEST(slist, depth_wraps_only_past_65535)
{
    static ITEM Items[1000];
    SLIST_HEADER Head;
    InitializeSListHead(&Head);
    for (int i = 0; i < 1000; i++)
        InterlockedPushEntrySList(&Head, &Items[i].Link);
    HT_EQ(ExQueryDepthSList(&Head), 1000);
    for (int i = 0; i < 1000; i++)
        HT_ASSERT(InterlockedPopEntrySList(&Head) == &Items[999 - i].Link);
}
