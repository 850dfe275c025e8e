/* Host tests for lib/list.h: NT's LIST_ENTRY and SINGLE_LIST_ENTRY. */
#include "htest.h"
#include "list.h"
#include "ke.h"

typedef struct { int Value; LIST_ENTRY Link; SINGLE_LIST_ENTRY SLink; } ITEM;

/* Walks the list both ways and compares it with the expected values. */
static int ListIs(PLIST_ENTRY Head, const int *Want, int Count)
{
    int i = 0;
    for (PLIST_ENTRY e = Head->Flink; e != Head; e = e->Flink, i++)
        if (i >= Count || CONTAINING_RECORD(e, ITEM, Link)->Value != Want[i])
            return 0;
    if (i != Count)
        return 0;
    for (PLIST_ENTRY e = Head->Blink; e != Head; e = e->Blink)
        if (CONTAINING_RECORD(e, ITEM, Link)->Value != Want[--i])
            return 0;
    return i == 0;
}

HTEST(list, insert_head_and_tail_order)
{
    LIST_ENTRY head;
    ITEM it[4] = { { 1 }, { 2 }, { 3 }, { 4 } };
    InitializeListHead(&head);
    HT_ASSERT(IsListEmpty(&head));
    InsertTailList(&head, &it[1].Link);
    InsertHeadList(&head, &it[0].Link);
    InsertTailList(&head, &it[2].Link);
    InsertTailList(&head, &it[3].Link);
    HT_ASSERT(ListIs(&head, (int[]){ 1, 2, 3, 4 }, 4));
    HT_ASSERT(!IsListEmpty(&head));
}

HTEST(list, remove_head_tail_entry)
{
    LIST_ENTRY head;
    ITEM it[3] = { { 1 }, { 2 }, { 3 } };
    InitializeListHead(&head);
    for (int i = 0; i < 3; i++)
        InsertTailList(&head, &it[i].Link);
    HT_EQ(CONTAINING_RECORD(RemoveHeadList(&head), ITEM, Link)->Value, 1);
    HT_EQ(CONTAINING_RECORD(RemoveTailList(&head), ITEM, Link)->Value, 3);
    HT_ASSERT(ListIs(&head, (int[]){ 2 }, 1));
    HT_EQ(RemoveEntryList(&it[1].Link), TRUE);   /* TRUE: the list is now empty */
    HT_ASSERT(IsListEmpty(&head));
}

HTEST(list, remove_entry_reports_non_empty)
{
    LIST_ENTRY head;
    ITEM it[2] = { { 1 }, { 2 } };
    InitializeListHead(&head);
    InsertTailList(&head, &it[0].Link);
    InsertTailList(&head, &it[1].Link);
    HT_EQ(RemoveEntryList(&it[0].Link), FALSE);
}

HTEST(list, append_tail_list_splices)
{
    LIST_ENTRY a, b;
    ITEM it[4] = { { 1 }, { 2 }, { 3 }, { 4 } };
    InitializeListHead(&a);
    InitializeListHead(&b);
    InsertTailList(&a, &it[0].Link);
    InsertTailList(&a, &it[1].Link);
    InsertTailList(&b, &it[2].Link);
    InsertTailList(&b, &it[3].Link);
    /* As wdm.h: ListToAppend is the first entry of a headless chain. */
    PLIST_ENTRY first = b.Flink;
    RemoveEntryList(&b);
    AppendTailList(&a, first);
    HT_ASSERT(ListIs(&a, (int[]){ 1, 2, 3, 4 }, 4));
}

HTEST(list, corrupted_link_bugchecks_0x139)
{
    LIST_ENTRY head;
    ITEM it[2] = { { 1 }, { 2 } };
    InitializeListHead(&head);
    InsertTailList(&head, &it[0].Link);
    InsertTailList(&head, &it[1].Link);
    it[1].Link.Blink = &head;           /* a stray write */
    HT_EXPECT_BUGCHECK(KERNEL_SECURITY_CHECK_FAILURE, RemoveEntryList(&it[0].Link));
    HT_EQ(htest_bugcheck_params[0], 3);  /* FAST_FAIL_CORRUPT_LIST_ENTRY */
}

HTEST(list, single_list_push_pop)
{
    SINGLE_LIST_ENTRY head = { NULL };
    ITEM it[3] = { { 1 }, { 2 }, { 3 } };
    HT_EQ(PopEntryList(&head), NULL);
    for (int i = 0; i < 3; i++)
        PushEntryList(&head, &it[i].SLink);
    for (int i = 2; i >= 0; i--)
        HT_EQ(CONTAINING_RECORD(PopEntryList(&head), ITEM, SLink)->Value, i + 1);
    HT_EQ(PopEntryList(&head), NULL);
}
