/*
 * slist.h - NT's interlocked singly linked list (SLIST_HEADER), the lock-free
 * LIFO under lookaside lists.
 *
 * The header packs the first entry, the number of entries (Depth) and a
 * Sequence number into one unit that a single compare-and-exchange replaces.
 * The sequence changes on every push, so a pop that read First and
 * First->Next cannot succeed after First was popped and pushed back with a
 * different successor meanwhile (the ABA problem).
 *
 * Layouts:
 *   - 32-bit x86 (the kernel): exactly wdm.h's 8-byte union { ULONGLONG
 *     Alignment; struct { SLIST_ENTRY Next; USHORT Depth; USHORT Sequence; } },
 *     replaced with lock cmpxchg8b.
 *   - 64-bit host (the unit tests): a pointer no longer fits beside two
 *     USHORTs in 8 bytes, so the header is 16 bytes, 16-aligned, with the same
 *     field names (and x64 NT's Alignment/Region names for the two halves),
 *     replaced with lock cmpxchg16b. The algorithm is the same; only the
 *     width differs. (x64 NT itself packs the pointer into 16 bytes too, with
 *     a different bit layout; that layout is not needed here.)
 *
 * SLIST_ENTRY is SINGLE_LIST_ENTRY, as on x86 NT. Entries must stay readable
 * while on the list; a pop reads First->Next before its exchange.
 */
#ifndef SLIST_H
#define SLIST_H

#include "ntdef.h"
#include "list.h"

typedef SINGLE_LIST_ENTRY SLIST_ENTRY, *PSLIST_ENTRY;

#if defined(__i386__)
typedef union _SLIST_HEADER {
    ULONGLONG Alignment;
    struct {
        SLIST_ENTRY Next;
        USHORT Depth;
        USHORT Sequence;
    };
} SLIST_HEADER, *PSLIST_HEADER;
C_ASSERT(sizeof(SLIST_HEADER) == 8);
#elif defined(__x86_64__)
typedef union __attribute__((aligned(16))) _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    };
    struct {
        SLIST_ENTRY Next;
        USHORT Depth;
        USHORT Sequence;
        ULONG Reserved;
    };
} SLIST_HEADER, *PSLIST_HEADER;
C_ASSERT(sizeof(SLIST_HEADER) == 16);
#else
#error "SLIST_HEADER: only i386 (kernel) and x86_64 (host tests) are supported"
#endif

static inline void InitializeSListHead(PSLIST_HEADER ListHead)
{
    ListHead->Next.Next = NULL;
    ListHead->Depth = 0;
    ListHead->Sequence = 0;
#if defined(__x86_64__)
    ListHead->Reserved = 0;
#endif
}
#define ExInitializeSListHead InitializeSListHead

/* The number of entries; a snapshot that may change at once. */
static inline USHORT ExQueryDepthSList(const SLIST_HEADER *ListHead)
{
    return *(volatile const USHORT *)&ListHead->Depth;
}
#define QueryDepthSList ExQueryDepthSList

/*
 * The operations are inline (FORCEINLINE, as wdm.h has the lookaside calls
 * that use them): each reads the header, builds the replacement and swaps
 * it in with one compare-and-exchange over the whole header (cmpxchg8b on
 * the 32-bit kernel, cmpxchg16b on the 64-bit host), retrying when another
 * processor (or an interrupt) changed the header in between. A torn read of
 * the header is harmless: the exchange compares against what was read and
 * fails if that was not the header's value.
 */

/*
 * The exchange sees the header as two pointer-sized words: the first entry,
 * and Depth | Sequence << 16 (| Reserved << 32 on the host). So a push adds
 * 0x10001 to the second word and a pop subtracts 1, as x86 NT's do (lea
 * ecx, [edx+10001h]); Depth stays below 65536 (NT's bound too) and never
 * carries into Sequence.
 */
#define RTLP_SLIST_DEPTH_AND_SEQUENCE 0x10001
#define RTLP_SLIST_SEQUENCE_MASK      ((ULONG_PTR)~0xFFFF)

/* A plain read of the header: possibly torn, which the exchange detects. */
FORCEINLINE void RtlpReadSListHeader(const SLIST_HEADER *ListHead, ULONG_PTR *First, ULONG_PTR *Count)
{
    const volatile ULONG_PTR *Words = (const volatile ULONG_PTR *)ListHead;
    *First = Words[0];
    *Count = Words[1];
}

/*
 * Replaces the header with (NewFirst, NewCount) if it still holds (*First,
 * *Count); otherwise stores what it holds there. TRUE on success.
 */
FORCEINLINE BOOLEAN RtlpCompareExchangeSListHeader(PSLIST_HEADER ListHead, ULONG_PTR *First,
                                                   ULONG_PTR *Count, ULONG_PTR NewFirst,
                                                   ULONG_PTR NewCount)
{
    BOOLEAN Swapped;
#if defined(__i386__)
    __asm__ volatile("lock cmpxchg8b %1"
#else
    __asm__ volatile("lock cmpxchg16b %1"
#endif
                     : "=@ccz"(Swapped), "+m"(*ListHead), "+a"(*First), "+d"(*Count)
                     : "b"(NewFirst), "c"(NewCount)
                     : "memory");
    return Swapped;
}

/*
 * Push and pop try their exchange once in line and only then loop: the
 * exchange rarely fails (an interrupt or another processor changed the
 * header in between), and a loop entered from above would have the
 * compiler's alignment padding at its head, executed on every call.
 */

/*
 * Pushes Entry and returns the previous first entry (NULL if the list was
 * empty). Depth and Sequence go up by one. Any IRQL; lock-free.
 */
FORCEINLINE PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry)
{
    ULONG_PTR First, Count;
    RtlpReadSListHeader(ListHead, &First, &Count);
    Entry->Next = (PSLIST_ENTRY)First;
    if (__builtin_expect(!RtlpCompareExchangeSListHeader(ListHead, &First, &Count, (ULONG_PTR)Entry,
                                                         Count + RTLP_SLIST_DEPTH_AND_SEQUENCE), 0)) {
        do {
            Entry->Next = (PSLIST_ENTRY)First;
        } while (!RtlpCompareExchangeSListHeader(ListHead, &First, &Count, (ULONG_PTR)Entry,
                                                 Count + RTLP_SLIST_DEPTH_AND_SEQUENCE));
    }
    return (PSLIST_ENTRY)First;
}

/*
 * Pops the first entry, or returns NULL if the list is empty. Depth goes
 * down by one; Sequence is kept (as x86 NT's pop does). Any IRQL; lock-free.
 * First may have been popped by someone else since it was read; then its
 * Next is stale, and the exchange fails on the header.
 */
FORCEINLINE PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    ULONG_PTR First, Count;
    RtlpReadSListHeader(ListHead, &First, &Count);
    if (First == 0)
        return NULL;
    if (__builtin_expect(!RtlpCompareExchangeSListHeader(ListHead, &First, &Count,
                                                         (ULONG_PTR)((PSLIST_ENTRY)First)->Next,
                                                         Count - 1), 0)) {
        do {
            if (First == 0)
                return NULL;
        } while (!RtlpCompareExchangeSListHeader(ListHead, &First, &Count,
                                                 (ULONG_PTR)((PSLIST_ENTRY)First)->Next, Count - 1));
    }
    /* A successful exchange leaves First as tested: tell the compiler, so a
     * caller's test of the result for NULL costs nothing on this path. */
    if (First == 0)
        __builtin_unreachable();
    return (PSLIST_ENTRY)First;
}

/*
 * Takes every entry at once: returns the old first entry (the chain stays
 * linked through Next) and leaves the list empty with Depth 0. Any IRQL.
 */
FORCEINLINE PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    ULONG_PTR First, Count;
    RtlpReadSListHeader(ListHead, &First, &Count);
    do {
        if (First == 0)
            return NULL;
    } while (!RtlpCompareExchangeSListHeader(ListHead, &First, &Count, 0,
                                             Count & RTLP_SLIST_SEQUENCE_MASK));
    return (PSLIST_ENTRY)First;
}

#endif /* SLIST_H */
