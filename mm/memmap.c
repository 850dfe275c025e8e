/*
 * memmap.c - from the firmware's memory map to runs of usable page frames.
 *
 * The Multiboot2 map is whatever the BIOS said: entries may be unsorted,
 * overlap, have zero length, or start and end in the middle of a page. The
 * rules, in order:
 *
 *   1. A usable (type 1) range keeps only its whole pages: the start rounds
 *      up, the end rounds down.
 *   2. Anything else (reserved, ACPI, bad) and every range the kernel
 *      reserves (its image, the boot information, GRUB modules) removes the
 *      pages it touches at all: its start rounds down, its end rounds up.
 *      A reserved range beats a usable one wherever they overlap.
 *   3. Memory at or above 4 GB is ignored (and counted): without PAE a PTE
 *      holds a 20-bit frame number.
 *   4. The result is sorted and adjacent runs are merged.
 *   5. Page 0 is never handed out (the real-mode interrupt table lives there,
 *      and a zero PFN is too easy to mistake for "none").
 */
#include "mi.h"

#define MI_4GB_PAGES 0x100000ull

typedef struct { ULONGLONG Start, End; } MI_SPAN;   /* pages, [Start, End) */

/* Removes [Cut.Start, Cut.End) from each span, splitting where needed. */
static ULONG MiSubtractSpan(MI_SPAN *Spans, ULONG Count, ULONG Max, MI_SPAN Cut)
{
    for (ULONG i = 0; i < Count; i++) {
        MI_SPAN s = Spans[i];
        if (Cut.End <= s.Start || Cut.Start >= s.End)
            continue;
        if (Cut.Start > s.Start && Cut.End < s.End) {
            /* The cut is inside: keep the left piece here, the right one at the end. */
            if (Count < Max)
                Spans[Count++] = (MI_SPAN){ Cut.End, s.End };
            Spans[i].End = Cut.Start;
        } else if (Cut.Start > s.Start) {
            Spans[i].End = Cut.Start;
        } else if (Cut.End < s.End) {
            Spans[i].Start = Cut.End;
        } else {
            Spans[i] = Spans[--Count];      /* swallowed whole */
            i--;
        }
    }
    return Count;
}

static void MiSortSpans(MI_SPAN *Spans, ULONG Count)
{
    for (ULONG i = 1; i < Count; i++) {
        MI_SPAN v = Spans[i];
        ULONG j = i;
        for (; j > 0 && Spans[j - 1].Start > v.Start; j--)
            Spans[j] = Spans[j - 1];
        Spans[j] = v;
    }
}

static MI_SPAN MiReservedSpan(const MI_MEMORY_RANGE *r)
{
    ULONGLONG end = r->Base + r->Length;
    if (end < r->Base)
        end = ~0ull;    /* wraps: to the top */
    return (MI_SPAN){ r->Base >> MI_PAGE_SHIFT, (end + 0xFFF) >> MI_PAGE_SHIFT };
}

/*
 * Builds the usable runs from Map (the firmware's ranges) less Reserved.
 * Returns the number of runs written to Runs (at most MaxRuns; more would
 * be merged away only in pathological maps, and are dropped then).
 */
ULONG MiBuildPhysicalRuns(const MI_MEMORY_RANGE *Map, ULONG MapCount,
                          const MI_MEMORY_RANGE *Reserved, ULONG ReservedCount,
                          PPHYSICAL_MEMORY_RUN Runs, ULONG MaxRuns,
                          MI_MEMORY_MAP_STATS *Stats)
{
    MI_SPAN spans[2 * MI_MAX_PHYSICAL_RUNS];
    const ULONG maxSpans = ARRAYSIZE(spans);
    ULONG n = 0;
    Stats->IgnoredAbove4GbBytes = 0;
    Stats->DroppedRanges = 0;

    for (ULONG i = 0; i < MapCount; i++) {
        const MI_MEMORY_RANGE *r = &Map[i];
        if (r->Type != 1)
            continue;
        ULONGLONG end = r->Base + r->Length;
        if (r->Length == 0 || end < r->Base) {
            Stats->DroppedRanges++;
            continue;
        }
        if (end > (MI_4GB_PAGES << MI_PAGE_SHIFT)) {
            ULONGLONG from = r->Base > (MI_4GB_PAGES << MI_PAGE_SHIFT) ? r->Base
                                                                   : (MI_4GB_PAGES << MI_PAGE_SHIFT);
            Stats->IgnoredAbove4GbBytes += end - from;
            end = MI_4GB_PAGES << MI_PAGE_SHIFT;
        }
        MI_SPAN s = { (r->Base + 0xFFF) >> MI_PAGE_SHIFT, end >> MI_PAGE_SHIFT };
        if (s.Start >= s.End) {
            if (r->Base < (MI_4GB_PAGES << MI_PAGE_SHIFT))
                Stats->DroppedRanges++;
            continue;
        }
        if (n < maxSpans)
            spans[n++] = s;
    }
    /* Reserved beats usable: firmware's own ranges, then the kernel's. */
    for (ULONG i = 0; i < MapCount; i++)
        if (Map[i].Type != 1 && Map[i].Length != 0)
            n = MiSubtractSpan(spans, n, maxSpans, MiReservedSpan(&Map[i]));
    for (ULONG i = 0; i < ReservedCount; i++)
        if (Reserved[i].Length != 0)
            n = MiSubtractSpan(spans, n, maxSpans, MiReservedSpan(&Reserved[i]));
    n = MiSubtractSpan(spans, n, maxSpans, (MI_SPAN){ 0, 1 });

    /* Usable ranges may overlap each other too: sort, then merge. */
    MiSortSpans(spans, n);
    ULONG out = 0;
    for (ULONG i = 0; i < n; i++) {
        if (out > 0) {
            PPHYSICAL_MEMORY_RUN last = &Runs[out - 1];
            ULONGLONG lastEnd = (ULONGLONG)last->BasePage + last->PageCount;
            if (spans[i].Start <= lastEnd) {
                if (spans[i].End > lastEnd)
                    last->PageCount = (PFN_COUNT)(spans[i].End - last->BasePage);
                continue;
            }
        }
        if (out == MaxRuns)
            break;
        Runs[out].BasePage = (PFN_NUMBER)spans[i].Start;
        Runs[out].PageCount = (PFN_COUNT)(spans[i].End - spans[i].Start);
        out++;
    }
    return out;
}
