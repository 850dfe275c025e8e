/*
 * list.h - NT's intrusive lists: LIST_ENTRY (circular, doubly linked, with a
 * head that is itself an entry) and SINGLE_LIST_ENTRY (a NULL-terminated
 * stack). Static inline functions with the names and semantics of wdm.h, so
 * driver code reads the same here as in the DDK.
 *
 * Invariant: for every entry E on a list, E->Flink->Blink == E and
 * E->Blink->Flink == E. RemoveEntryList and the inserts check it on the way
 * and call RtlpListCorrupted (a bugcheck in the kernel, an abort on the host),
 * as Windows' FAST_FAIL_CORRUPT_LIST_ENTRY check does.
 */
#ifndef LIST_H
#define LIST_H

#include "ntdef.h"

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* Called when a link check fails; never returns. */
void RtlpListCorrupted(PLIST_ENTRY Entry) __attribute__((noreturn));

static inline void RtlpCheckListEntry(PLIST_ENTRY Entry)
{
    if (Entry->Flink->Blink != Entry || Entry->Blink->Flink != Entry)
        RtlpListCorrupted(Entry);
}

static inline void InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

static inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return ListHead->Flink == ListHead;
}

/* Unlinks Entry; returns TRUE if the list it was on is now empty. */
static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;
    RtlpCheckListEntry(Entry);
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return Flink == Blink;
}

static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    RemoveEntryList(Entry);
    return Entry;
}

static inline PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    RemoveEntryList(Entry);
    return Entry;
}

static inline void InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    if (Flink->Blink != ListHead)
        RtlpListCorrupted(ListHead);
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

static inline void InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    if (Blink->Flink != ListHead)
        RtlpListCorrupted(ListHead);
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

/* Splices the whole of ListToAppend (a head) onto the tail of ListHead. */
static inline void AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;
    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

static inline void PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

static inline PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY First = ListHead->Next;
    if (First != NULL)
        ListHead->Next = First->Next;
    return First;
}

#endif /* LIST_H */
