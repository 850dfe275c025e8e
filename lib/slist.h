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
 * Pushes Entry and returns the previous first entry (NULL if the list was
 * empty). Depth and Sequence go up by one. Any IRQL; lock-free.
 */
PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry);

/*
 * Pops the first entry, or returns NULL if the list is empty. Depth goes
 * down by one; Sequence is kept (as x86 NT's pop does). Any IRQL; lock-free.
 */
PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead);

/*
 * Takes every entry at once: returns the old first entry (the chain stays
 * linked through Next) and leaves the list empty with Depth 0. Any IRQL.
 */
PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead);

#endif /* SLIST_H */
