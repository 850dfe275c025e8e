/*
 * slist.c - the interlocked singly linked list of slist.h.
 *
 * Each operation reads the header, builds the replacement and swaps it in
 * with one compare-and-exchange over the whole header (cmpxchg8b on the
 * 32-bit kernel, cmpxchg16b on the 64-bit host), retrying when another
 * processor (or an interrupt) changed the header in between. A torn read of
 * the header is harmless: the exchange compares against what was read and
 * fails if that was not the header's value.
 */
#include "slist.h"

/*
 * Replaces *ListHead with *New if it still equals *Expected; otherwise
 * stores the current value in *Expected. Returns TRUE on success.
 */
static inline BOOLEAN RtlpCompareExchangeSListHeader(PSLIST_HEADER ListHead,
                                                     PSLIST_HEADER Expected,
                                                     const SLIST_HEADER *New)
{
    BOOLEAN Swapped;
#if defined(__i386__)
    ULONG Low = (ULONG)New->Alignment, High = (ULONG)(New->Alignment >> 32);
    __asm__ volatile("lock cmpxchg8b %1\n\tsete %0"
                     : "=q"(Swapped), "+m"(ListHead->Alignment), "+A"(Expected->Alignment)
                     : "b"(Low), "c"(High)
                     : "memory", "cc");
#else
    ULONGLONG Low = Expected->Alignment, High = Expected->Region;
    __asm__ volatile("lock cmpxchg16b %2\n\tsete %0"
                     : "=q"(Swapped), "+a"(Low), "+m"(*ListHead), "+d"(High)
                     : "b"(New->Alignment), "c"(New->Region)
                     : "memory", "cc");
    Expected->Alignment = Low;
    Expected->Region = High;
#endif
    return Swapped;
}

/* A plain read of the header: possibly torn, which the exchange detects. */
static inline void RtlpReadSListHeader(const SLIST_HEADER *ListHead, PSLIST_HEADER Copy)
{
    const volatile SLIST_HEADER *Source = ListHead;
    Copy->Alignment = Source->Alignment;
#if defined(__x86_64__)
    Copy->Region = Source->Region;
#endif
}

PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry)
{
    SLIST_HEADER Old, New;
    RtlpReadSListHeader(ListHead, &Old);
    do {
        New = Old;
        Entry->Next = Old.Next.Next;
        New.Next.Next = Entry;
        New.Depth = (USHORT)(Old.Depth + 1);
        New.Sequence = (USHORT)(Old.Sequence + 1);
    } while (!RtlpCompareExchangeSListHeader(ListHead, &Old, &New));
    return Old.Next.Next;
}

PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    SLIST_HEADER Old, New;
    RtlpReadSListHeader(ListHead, &Old);
    do {
        if (Old.Next.Next == NULL)
            return NULL;
        New = Old;
        /* First may have been popped by someone else since the read; then
         * this value is stale, and the exchange fails on the header. */
        New.Next.Next = Old.Next.Next->Next;
        New.Depth = (USHORT)(Old.Depth - 1);
    } while (!RtlpCompareExchangeSListHeader(ListHead, &Old, &New));
    return Old.Next.Next;
}

PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    SLIST_HEADER Old, New;
    RtlpReadSListHeader(ListHead, &Old);
    do {
        if (Old.Next.Next == NULL)
            return NULL;
        New = Old;
        New.Next.Next = NULL;
        New.Depth = 0;
    } while (!RtlpCompareExchangeSListHeader(ListHead, &Old, &New));
    return Old.Next.Next;
}
