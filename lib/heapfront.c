/*
 * heapfront.c - the lookaside front end, NT's heap lookaside lists
 * (Windows 2000/XP's FrontEndHeapType 1, RtlpAllocateFromHeapLookaside).
 *
 * One singly linked list per block size up to 127 units (1 KB), each at
 * most HEAP_LOOKASIDE_DEPTH deep. A freed small block goes on the list of
 * its exact size without being split, coalesced or unlinked from anything;
 * an allocation of that size takes it back. To the back end the block
 * stays busy; HEAP_ENTRY_LOOKASIDE marks it free to everyone else (a second
 * free is a double free, the walk shows it free). NT's lists are lock-free
 * SLISTs; these sit under the heap lock, which the caller holds.
 */
#include "heapp.h"

/* Pops a cached block of exactly Units, or NULL. */
PHEAP_ENTRY RtlpHeapFrontAllocate(PHEAP Heap, USHORT Units)
{
    PHEAP_LOOKASIDE Lookaside = &Heap->Lookaside[Units];
    PSINGLE_LIST_ENTRY Link;
    PHEAP_ENTRY Entry;

    Lookaside->TotalAllocates++;
    Link = PopEntryList(&Lookaside->ListHead);
    if (Link == NULL)
        return NULL;
    Lookaside->Depth--;
    Lookaside->AllocateHits++;
    Entry = (PHEAP_ENTRY)Link - 1;
    if (!RtlpHeapEntryIntact(Heap, Entry) || Entry->Size != Units ||
        !(Entry->Flags & HEAP_ENTRY_LOOKASIDE)) {
        /* Written after free: drop the list rather than hand out what it points to. */
        RtlpHeapNoteCorruption(Heap, Entry, HEAP_CORRUPTION_LOOKASIDE);
        Lookaside->ListHead.Next = NULL;
        Lookaside->Depth = 0;
        return NULL;
    }
    return Entry;
}

/* Caches the busy block Entry if its list has room; FALSE if the back end must take it. */
BOOLEAN RtlpHeapFrontFree(PHEAP Heap, PHEAP_ENTRY Entry)
{
    PHEAP_LOOKASIDE Lookaside;
    if (Entry->Size >= HEAP_LOOKASIDE_LISTS)
        return FALSE;
    Lookaside = &Heap->Lookaside[Entry->Size];
    Lookaside->TotalFrees++;
    if (Lookaside->Depth >= Lookaside->MaximumDepth)
        return FALSE;
    Entry->Flags = HEAP_ENTRY_BUSY | HEAP_ENTRY_LOOKASIDE;
    RtlpHeapSealEntry(Heap, Entry);
    PushEntryList(&Lookaside->ListHead, (PSINGLE_LIST_ENTRY)(Entry + 1));
    Lookaside->Depth++;
    Lookaside->FreeHits++;
    return TRUE;
}

/* Empties every lookaside list into the free lists (compaction, a failing allocation). */
void RtlpHeapFrontFlush(PHEAP Heap)
{
    for (ULONG i = 0; i < HEAP_LOOKASIDE_LISTS; i++) {
        PHEAP_LOOKASIDE Lookaside = &Heap->Lookaside[i];
        PSINGLE_LIST_ENTRY Link;
        while ((Link = PopEntryList(&Lookaside->ListHead)) != NULL)
            RtlpHeapFreeToBackEnd(Heap, (PHEAP_ENTRY)Link - 1);
        Lookaside->Depth = 0;
    }
}

/* Checks every cached block: sealed, of its list's size, marked. FALSE with the culprit. */
BOOLEAN RtlpHeapFrontValidate(PHEAP Heap, PVOID *BadAddress)
{
    for (ULONG i = 0; i < HEAP_LOOKASIDE_LISTS; i++) {
        ULONG Count = 0;
        for (PSINGLE_LIST_ENTRY Link = Heap->Lookaside[i].ListHead.Next; Link != NULL;
             Link = Link->Next) {
            PHEAP_ENTRY Entry = (PHEAP_ENTRY)Link - 1;
            ULONG Index;
            /* The links live in freed data: look before following one. */
            if (((ULONG_PTR)Link & (HEAP_GRANULARITY - 1)) != 0 ||
                RtlpHeapFindSegment(Heap, Entry, &Index) == NULL) {
                *BadAddress = Link;
                return FALSE;
            }
            if (!RtlpHeapEntryIntact(Heap, Entry) || Entry->Size != i ||
                Entry->Flags != (HEAP_ENTRY_BUSY | HEAP_ENTRY_LOOKASIDE) ||
                ++Count > Heap->Lookaside[i].Depth) {
                *BadAddress = Entry;
                return FALSE;
            }
        }
        if (Count != Heap->Lookaside[i].Depth) {
            *BadAddress = &Heap->Lookaside[i];
            return FALSE;
        }
    }
    return TRUE;
}
