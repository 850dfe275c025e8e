/*
 * Randomized storm over the Rtl heap: allocations, reallocations (moving,
 * in place only, zeroing) and frees of mixed sizes, every block's contents
 * checked against what was written, RtlSizeHeap checked exactly, and
 * RtlValidateHeap on the whole heap after every step for the first 20,000
 * steps and every 1,000 after that. Runs under ASan/UBSan.
 *
 * HEAP_STORM_OPS (environment) sets the length of the main storm; the
 * default, 200,000, keeps `make test` quick. The million-operation run:
 *   HEAP_STORM_OPS=1000000 build/host/test_heap_storm
 */
// HOST_SOURCES: tests/host/heap_host_env.c
#include "heap_host_env.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORM_SLOTS 2048

typedef struct {
    unsigned char *Ptr;
    size_t Size;
    unsigned char Seed;
} STORM_SLOT;

static STORM_SLOT Slots[STORM_SLOTS];
static unsigned long long StormState;

static unsigned StormRandom(void)
{
    StormState ^= StormState << 13;
    StormState ^= StormState >> 7;
    StormState ^= StormState << 17;
    return (unsigned)(StormState >> 11);
}

/* Mostly small, some medium, a few large and a rare big-block request. */
static size_t StormSize(void)
{
    unsigned r = StormRandom() % 1000;
    if (r < 600) return StormRandom() % 129;
    if (r < 900) return StormRandom() % 1025;
    if (r < 985) return StormRandom() % 16385;
    if (r < 999) return StormRandom() % 131073;
    return 0x7F000 + StormRandom() % 0x40000;
}

static void StormFill(STORM_SLOT *s)
{
    for (size_t i = 0; i < s->Size; i++)
        s->Ptr[i] = (unsigned char)(s->Seed + i * 7);
}

static int StormCheck(const STORM_SLOT *s, size_t Length)
{
    for (size_t i = 0; i < Length; i++)
        if (s->Ptr[i] != (unsigned char)(s->Seed + i * 7))
            return 0;
    return 1;
}

static unsigned long StormOps(unsigned long Default)
{
    const char *e = getenv("HEAP_STORM_OPS");
    return e ? strtoul(e, NULL, 0) : Default;
}

/*
 * Runs Ops steps on a heap made with Flags and Reserve; returns a failure
 * message or NULL. Fixed heaps may refuse allocations (NULL is allowed);
 * growable ones must not.
 */
/* The front end a storm's heap uses (HeapCompatibilityInformation), or -1 for the default. */
static int StormFrontEnd = -1;

static const char *StormRun(ULONG Flags, SIZE_T Reserve, unsigned long Ops, unsigned long long Seed,
                            unsigned long *Failures)
{
    PVOID Heap = RtlCreateHeap(Flags, NULL, Reserve, 0, NULL, NULL);
    if (Heap != NULL && StormFrontEnd >= 0) {
        ULONG Value = (ULONG)StormFrontEnd;
        if (RtlSetHeapInformation(Heap, HeapCompatibilityInformation, &Value, sizeof Value) != 0)
            return "RtlSetHeapInformation failed";
    }
    int Growable = (Flags & HEAP_GROWABLE) != 0;
    if (Heap == NULL)
        return "RtlCreateHeap failed";
    StormState = Seed;
    memset(Slots, 0, sizeof Slots);
    *Failures = 0;
    for (unsigned long Step = 0; Step < Ops; Step++) {
        STORM_SLOT *s = &Slots[StormRandom() % STORM_SLOTS];
        unsigned Action = StormRandom() % 100;
        if (s->Ptr == NULL) {
            size_t Size = StormSize();
            ULONG AllocFlags = (Action < 20) ? HEAP_ZERO_MEMORY : 0;
            s->Ptr = RtlAllocateHeap(Heap, AllocFlags, Size);
            if (s->Ptr == NULL) {
                if (Growable)
                    return "allocation failed in a growable heap";
                (*Failures)++;
                continue;
            }
            if (AllocFlags & HEAP_ZERO_MEMORY)
                for (size_t i = 0; i < Size; i++)
                    if (s->Ptr[i] != 0)
                        return "HEAP_ZERO_MEMORY block not zero";
            s->Size = Size;
            s->Seed = (unsigned char)StormRandom();
            StormFill(s);
        } else {
            if (!StormCheck(s, s->Size))
                return "block contents changed";
            if (RtlSizeHeap(Heap, 0, s->Ptr) != s->Size)
                return "RtlSizeHeap differs from the size asked";
            if (Action < 55) {
                if (!RtlFreeHeap(Heap, 0, s->Ptr))
                    return "RtlFreeHeap failed";
                s->Ptr = NULL;
            } else {
                size_t Size = (Action < 70) ? s->Size / 2 + StormRandom() % 64 : StormSize();
                ULONG ReFlags = (Action < 80) ? HEAP_REALLOC_IN_PLACE_ONLY
                              : (Action < 90) ? HEAP_ZERO_MEMORY : 0;
                unsigned char *New = RtlReAllocateHeap(Heap, ReFlags, s->Ptr, Size);
                if (New == NULL) {
                    if (!(ReFlags & HEAP_REALLOC_IN_PLACE_ONLY) && Growable)
                        return "reallocation failed in a growable heap";
                    (*Failures)++;
                    if (!StormCheck(s, s->Size))
                        return "failed reallocation changed the block";
                    continue;
                }
                if ((ReFlags & HEAP_REALLOC_IN_PLACE_ONLY) && New != s->Ptr)
                    return "HEAP_REALLOC_IN_PLACE_ONLY moved the block";
                s->Ptr = New;
                if (!StormCheck(s, Size < s->Size ? Size : s->Size))
                    return "reallocation lost contents";
                if ((ReFlags & HEAP_ZERO_MEMORY) && Size > s->Size)
                    for (size_t i = s->Size; i < Size; i++)
                        if (New[i] != 0)
                            return "HEAP_ZERO_MEMORY grow not zero";
                s->Size = Size;
                StormFill(s);
            }
        }
        if ((Step < 20000 || Step % 1000 == 0) && !RtlValidateHeap(Heap, 0, NULL))
            return "RtlValidateHeap failed";
        if (Step % 50000 == 49999 && RtlCompactHeap(Heap, 0) == (SIZE_T)-1)
            return "compact";
    }
    for (int i = 0; i < STORM_SLOTS; i++) {
        if (Slots[i].Ptr && (!StormCheck(&Slots[i], Slots[i].Size) ||
                             !RtlFreeHeap(Heap, 0, Slots[i].Ptr)))
            return "final free";
    }
    if (!RtlValidateHeap(Heap, 0, NULL))
        return "final validate";
    if (RtlDestroyHeap(Heap) != NULL)
        return "destroy";
    return NULL;
}

static void StormGrowable(int FrontEnd, unsigned long long Seed)
{
    unsigned long Failures, Ops = StormOps(200000);
    clock_t Start = clock();
    const char *Error;
    StormFrontEnd = FrontEnd;
    Error = StormRun(HEAP_GROWABLE, 0, Ops, Seed, &Failures);
    StormFrontEnd = -1;
    if (Error)
        htest_fail(__FILE__, __LINE__, "front end %d: %s", FrontEnd, Error);
    HT_EQ(HeapHostReservedBytes, 0);
    HT_EQ(HeapHostCommittedBytes, 0);
    fprintf(stderr, "heap storm (front end %d): %lu operations in %.1f s\n", FrontEnd, Ops,
            (double)(clock() - Start) / CLOCKS_PER_SEC);
}

HTEST(heap_storm, growable_lfh_mixed_operations)
{
    StormGrowable(HEAP_FRONT_END_LFH, 0x9E3779B97F4A7C15ull);
}

HTEST(heap_storm, growable_lookaside_mixed_operations)
{
    StormGrowable(HEAP_FRONT_END_LOOKASIDE, 0xD1B54A32D192ED03ull);
}

HTEST(heap_storm, growable_no_front_end_mixed_operations)
{
    StormGrowable(HEAP_FRONT_END_NONE, 0x2545F4914F6CDD1Dull);
}

HTEST(heap_storm, growable_no_front_end_debug_checks)
{
    /* Free and tail checking turn the front end off and check every fill pattern. */
    unsigned long Failures;
    const char *Error = StormRun(HEAP_GROWABLE | HEAP_TAIL_CHECKING_ENABLED |
                                 HEAP_FREE_CHECKING_ENABLED, 0, StormOps(200000) / 4,
                                 12345, &Failures);
    if (Error)
        htest_fail(__FILE__, __LINE__, "%s", Error);
    HT_EQ(HeapHostReservedBytes, 0);
}

HTEST(heap_storm, fixed_heap_near_full)
{
    /* A 2 MB fixed heap: it fills up, refuses, and must stay consistent doing so. */
    unsigned long Failures;
    const char *Error = StormRun(0, 2 * 1024 * 1024, StormOps(200000) / 4, 777, &Failures);
    if (Error)
        htest_fail(__FILE__, __LINE__, "%s", Error);
    HT_ASSERT(Failures > 0);
    HT_EQ(HeapHostReservedBytes, 0);
}
