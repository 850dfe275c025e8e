/* NT's list helpers in the kernel build, and the corruption bugcheck. */
#include "ntddk.h"
#include "ktest.h"

typedef struct { ULONG Value; LIST_ENTRY Link; } KT_ITEM;

KTEST(list, fifo_and_lifo_orders)
{
    LIST_ENTRY head;
    KT_ITEM items[5];
    InitializeListHead(&head);
    for (ULONG i = 0; i < 5; i++) {
        items[i].Value = i;
        InsertTailList(&head, &items[i].Link);
    }
    for (ULONG i = 0; i < 5; i++)
        KT_EQ(CONTAINING_RECORD(RemoveHeadList(&head), KT_ITEM, Link)->Value, i);
    KT_ASSERT(IsListEmpty(&head));
    for (ULONG i = 0; i < 5; i++)
        InsertHeadList(&head, &items[i].Link);
    for (ULONG i = 0; i < 5; i++)
        KT_EQ(CONTAINING_RECORD(RemoveHeadList(&head), KT_ITEM, Link)->Value, 4 - i);
}

KTEST(list, remove_from_middle_keeps_links)
{
    LIST_ENTRY head;
    KT_ITEM items[3];
    InitializeListHead(&head);
    for (ULONG i = 0; i < 3; i++) {
        items[i].Value = i;
        InsertTailList(&head, &items[i].Link);
    }
    KT_EQ(RemoveEntryList(&items[1].Link), FALSE);
    KT_EQ(head.Flink, &items[0].Link);
    KT_EQ(items[0].Link.Flink, &items[2].Link);
    KT_EQ(items[2].Link.Blink, &items[0].Link);
    KT_EQ(CONTAINING_RECORD(RemoveTailList(&head), KT_ITEM, Link)->Value, 2);
}

KTEST(list, corrupted_entry_bugchecks_0x139)
{
    LIST_ENTRY head;
    KT_ITEM items[2];
    InitializeListHead(&head);
    InsertTailList(&head, &items[0].Link);
    InsertTailList(&head, &items[1].Link);
    items[0].Link.Flink = &head;    /* a stray write skips items[1] */
    KT_EXPECT_BUGCHECK(KERNEL_SECURITY_CHECK_FAILURE, RemoveEntryList(&items[0].Link));
    KT_EQ(KtLastBugCheck.Parameter[0], 3);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG_PTR)&items[0].Link);
}

KTEST(list, single_list_is_a_stack)
{
    SINGLE_LIST_ENTRY head = { NULL }, e[3];
    for (int i = 0; i < 3; i++)
        PushEntryList(&head, &e[i]);
    KT_EQ(PopEntryList(&head), &e[2]);
    KT_EQ(PopEntryList(&head), &e[1]);
    KT_EQ(PopEntryList(&head), &e[0]);
    KT_EQ(PopEntryList(&head), NULL);
}
