/*
 * bench_heap.c - host benchmark of the Rtl heap against glibc malloc and,
 * when their Debian packages are installed, mimalloc, jemalloc and
 * tcmalloc (loaded with dlopen, so each is called by its own symbols and
 * glibc's malloc stays the process's).
 *
 * Workloads: HeapAlloc+HeapFree pairs of 16, 64, 256 and 4096 bytes; and
 * glibc's bench-malloc-simple loop: batches of 25, 100, 400, 1600 blocks of
 * 16, 32, 64 bytes, every int written, freed in order. Each figure is the
 * median of 5 timed runs after a warm-up run, in nanoseconds per
 * allocation+free; ratios are ours over the peer's (below 1: we are faster).
 * Built by `make bench-host` with -O2, without sanitizers.
 *
 * A trace replay: a synthetic trace, the same for every allocator (a seeded
 * generator), of 400,000 allocations with sizes and lifetimes drawn from a
 * mix of short-lived small blocks, medium ones, a few large ones and some
 * that live long, each freed when its lifetime ends. Reported in ns per
 * operation (the median of 5 replays), and for the Rtl heap as peak committed bytes over peak live
 * bytes: how much the heap's layout costs beyond what the program holds.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "heap.h"
#include "heap_host_env.h"

typedef struct {
    const char *Name;
    void *(*Alloc)(void *Context, size_t Size);
    void (*Free)(void *Context, void *Block);
    void *Context;
    void *(*RawMalloc)(size_t);
    void (*RawFree)(void *);
} ALLOCATOR;

static void *RtlAlloc(void *Heap, size_t Size) { return RtlAllocateHeap(Heap, 0, Size); }
static void RtlFree(void *Heap, void *Block) { RtlFreeHeap(Heap, 0, Block); }
static void *RawAlloc(void *Self, size_t Size) { return ((ALLOCATOR *)Self)->RawMalloc(Size); }
static void RawFree(void *Self, void *Block) { ((ALLOCATOR *)Self)->RawFree(Block); }

static double Now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int CompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define PAIR_ITERATIONS 2000000
#define BATCH_WORK      2000000     /* blocks per run, whatever the batch */

static double RunPairs(ALLOCATOR *A, size_t Size)
{
    double Start = Now();
    for (int i = 0; i < PAIR_ITERATIONS; i++) {
        volatile char *p = A->Alloc(A->Context, Size);
        p[0] = 1;
        A->Free(A->Context, (void *)p);
    }
    return (Now() - Start) / PAIR_ITERATIONS;
}

static double RunBatch(ALLOCATOR *A, size_t Batch, size_t Size)
{
    static void *Blocks[1600];
    size_t Rounds = BATCH_WORK / Batch;
    double Start = Now();
    for (size_t r = 0; r < Rounds; r++) {
        for (size_t i = 0; i < Batch; i++) {
            int *p = A->Alloc(A->Context, Size);
            for (size_t j = 0; j < Size / sizeof(int); j++)
                p[j] = (int)j;
            Blocks[i] = p;
        }
        for (size_t i = 0; i < Batch; i++)
            A->Free(A->Context, Blocks[i]);
    }
    return (Now() - Start) / (double)(Rounds * Batch);
}

static double Median(ALLOCATOR *A, int Batch, size_t Size)
{
    double Runs[5];
    if (Batch) RunBatch(A, (size_t)Batch, Size); else RunPairs(A, Size);
    for (int i = 0; i < 5; i++)
        Runs[i] = Batch ? RunBatch(A, (size_t)Batch, Size) : RunPairs(A, Size);
    qsort(Runs, 5, sizeof Runs[0], CompareDouble);
    return Runs[2];
}

static int LoadPeer(ALLOCATOR *A, const char *Name, const char *Library, const char *MallocName,
                    const char *FreeName)
{
    void *Handle = dlopen(Library, RTLD_NOW | RTLD_LOCAL);
    if (Handle == NULL)
        return 0;
    A->Name = Name;
    A->RawMalloc = (void *(*)(size_t))dlsym(Handle, MallocName);
    A->RawFree = (void (*)(void *))dlsym(Handle, FreeName);
    if (A->RawMalloc == NULL || A->RawFree == NULL)
        return 0;
    A->Alloc = RawAlloc;
    A->Free = RawFree;
    A->Context = A;
    return 1;
}

/* ---- the trace ------------------------------------------------------------- */

typedef struct { unsigned Id; unsigned Size; } TRACE_EVENT;   /* Size 0: free Id */
#define TRACE_ALLOCS 400000
#define TRACE_RUNS   5         /* replays per allocator; the median is reported */
static TRACE_EVENT *Trace;
static size_t TraceLength;
static unsigned TraceSeed = 12345;

static unsigned TraceRand(void)
{
    TraceSeed = TraceSeed * 1103515245u + 12345u;
    return TraceSeed >> 8;
}

/* Pending frees, ordered by the event count at which they happen (a binary heap). */
typedef struct { size_t When; unsigned Id; } PENDING;
static PENDING *Pending;
static size_t PendingCount;

static void PendingPush(size_t When, unsigned Id)
{
    size_t i = PendingCount++;
    while (i && Pending[(i - 1) / 2].When > When) {
        Pending[i] = Pending[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    Pending[i] = (PENDING){ When, Id };
}

static PENDING PendingPop(void)
{
    PENDING top = Pending[0], last = Pending[--PendingCount];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= PendingCount)
            break;
        if (c + 1 < PendingCount && Pending[c + 1].When < Pending[c].When)
            c++;
        if (Pending[c].When >= last.When)
            break;
        Pending[i] = Pending[c];
        i = c;
    }
    Pending[i] = last;
    return top;
}

static void BuildTrace(void)
{
    Trace = malloc(sizeof(*Trace) * 2 * TRACE_ALLOCS);
    Pending = malloc(sizeof(*Pending) * TRACE_ALLOCS);
    for (unsigned id = 0; id < TRACE_ALLOCS; id++) {
        while (PendingCount && Pending[0].When <= TraceLength)
            Trace[TraceLength++] = (TRACE_EVENT){ PendingPop().Id, 0 };
        unsigned r = TraceRand() % 100, size, life;
        if (r < 70) {                       /* small and short-lived */
            size = 16 + TraceRand() % 112;
            life = 1 + TraceRand() % 200;
        } else if (r < 92) {                /* medium */
            size = 128 + TraceRand() % 3968;
            life = 1 + TraceRand() % 2000;
        } else if (r < 97) {                /* long-lived */
            size = 16 + TraceRand() % 1024;
            life = 50000 + TraceRand() % 200000;
        } else {                            /* large */
            size = 4096 + TraceRand() % 60000;
            life = 1 + TraceRand() % 500;
        }
        Trace[TraceLength++] = (TRACE_EVENT){ id, size };
        PendingPush(TraceLength + life, id);
    }
    while (PendingCount)
        Trace[TraceLength++] = (TRACE_EVENT){ PendingPop().Id, 0 };
}

/* Replays the trace; ns per operation. Peak live and committed bytes too
 * (committed as the host environment counts it: the Rtl heap's only). */
static void **TraceBlocks;
static unsigned *TraceSizes;

static double ReplayTrace(ALLOCATOR *A, size_t *PeakLive, size_t *PeakCommitted)
{
    size_t live = 0;
    *PeakLive = *PeakCommitted = 0;
    double Start = Now();
    for (size_t i = 0; i < TraceLength; i++) {
        TRACE_EVENT e = Trace[i];
        if (e.Size) {
            char *p = A->Alloc(A->Context, e.Size);
            p[0] = p[e.Size - 1] = 1;
            TraceBlocks[e.Id] = p;
            TraceSizes[e.Id] = e.Size;
            live += e.Size;
            if (live > *PeakLive)
                *PeakLive = live;
            if (HeapHostCommittedBytes > *PeakCommitted)
                *PeakCommitted = HeapHostCommittedBytes;
        } else {
            A->Free(A->Context, TraceBlocks[e.Id]);
            live -= TraceSizes[e.Id];
        }
    }
    return (Now() - Start) / TraceLength;
}

int main(int argc, char **argv)
{
    /* "bench_heap trace [name]": the trace replay only, of one allocator if named (for a profiler). */
    int TraceOnly = argc > 1 && strcmp(argv[1], "trace") == 0;
    const char *Only = TraceOnly && argc > 2 ? argv[2] : NULL;
    ALLOCATOR All[9];
    int Count = 0;
    static const size_t PairSizes[] = { 16, 64, 256, 4096 };
    static const int Batches[] = { 25, 100, 400, 1600 };
    static const size_t BatchSizes[] = { 16, 32, 64 };
    /* The Rtl heap three ways: the default front end (the LFH), none, the lookaside lists. */
    static const ULONG FrontEnds[3] = { HEAP_FRONT_END_LFH, HEAP_FRONT_END_NONE,
                                        HEAP_FRONT_END_LOOKASIDE };
    PVOID Rtl[3];
    for (int i = 0; i < 3; i++) {
        Rtl[i] = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
        RtlSetHeapInformation(Rtl[i], HeapCompatibilityInformation, (PVOID)&FrontEnds[i],
                              sizeof(ULONG));
    }
    All[Count++] = (ALLOCATOR){ "rtl", RtlAlloc, RtlFree, Rtl[0], NULL, NULL };
    All[Count++] = (ALLOCATOR){ "rtl_nofront", RtlAlloc, RtlFree, Rtl[1], NULL, NULL };
    All[Count++] = (ALLOCATOR){ "rtl_lookaside", RtlAlloc, RtlFree, Rtl[2], NULL, NULL };
    All[Count] = (ALLOCATOR){ "glibc", RawAlloc, RawFree, NULL, malloc, free };
    All[Count].Context = &All[Count];
    Count++;
    Count += LoadPeer(&All[Count], "mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free");
    Count += LoadPeer(&All[Count], "jemalloc", "libjemalloc.so.2", "malloc", "free");
    Count += LoadPeer(&All[Count], "tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free");
    for (int i = 0; i < Count; i++)
        if (All[i].Alloc == RawAlloc)
            All[i].Context = &All[i];

    /* The trace replay, and the fragmentation it leaves in the Rtl heap. */
    BuildTrace();
    TraceBlocks = malloc(sizeof(void *) * TRACE_ALLOCS);
    TraceSizes = malloc(sizeof(unsigned) * TRACE_ALLOCS);
    double Cold[9] = { 0 }, Warm[9] = { 0 };
    for (int i = 0; i < Count; i++) {
        double Runs[TRACE_RUNS];
        double Ratio = 0;
        PVOID Fresh = NULL;
        if (Only != NULL && strcmp(Only, All[i].Name) != 0)
            continue;
        /*
         * The first replay starts cold for everyone (it runs before the other
         * workloads): the Rtl heap on a new heap, whose commit is measured
         * here, from nothing. The later ones run warm, on what each allocator
         * kept from the first: the Rtl heap gave most of it back (NT's
         * decommit rules), the others keep theirs.
         */
        if (i < 3) {
            Fresh = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0, NULL, NULL);
            RtlSetHeapInformation(Fresh, HeapCompatibilityInformation, (PVOID)&FrontEnds[i],
                                  sizeof(ULONG));
            All[i].Context = Fresh;
        }
        for (int r = 0; r < TRACE_RUNS; r++) {
            size_t peakLive, peakCommitted, baseCommitted = HeapHostCommittedBytes;
            Runs[r] = ReplayTrace(&All[i], &peakLive, &peakCommitted);
            if (Fresh && r == 0)
                Ratio = (double)(peakCommitted - baseCommitted) / peakLive;
        }
        if (Fresh) {
            RtlDestroyHeap(Fresh);
            All[i].Context = Rtl[i];
        }
        Cold[i] = Runs[0];
        qsort(Runs + 1, TRACE_RUNS - 1, sizeof Runs[0], CompareDouble);
        Warm[i] = Runs[TRACE_RUNS / 2];
        printf("BENCH heap.trace.%s %.1f ns\n", All[i].Name, Cold[i]);
        printf("BENCH heap.trace_warm.%s %.1f ns\n", All[i].Name, Warm[i]);
        if (i < 3)
            printf("BENCH heap.trace.%s.peak_committed_per_peak_live %.2f x\n", All[i].Name, Ratio);
    }
    for (int i = 3; i < Count; i++) {
        printf("BENCH heap.trace.rtl_vs_%s %.2f x\n", All[i].Name, Cold[0] / Cold[i]);
        printf("BENCH heap.trace_warm.rtl_vs_%s %.2f x\n", All[i].Name, Warm[0] / Warm[i]);
    }
    fflush(stdout);
    for (int w = 0; w < (TraceOnly ? 0 : 4 + 4 * 3); w++) {
        int Batch = w < 4 ? 0 : Batches[(w - 4) / 3];
        size_t Size = w < 4 ? PairSizes[w] : BatchSizes[(w - 4) % 3];
        char Label[64];
        double Result[9] = { 0 };
        if (Batch)
            snprintf(Label, sizeof Label, "heap.batch%d.%zuB", Batch, Size);
        else
            snprintf(Label, sizeof Label, "heap.pair.%zuB", Size);
        for (int i = 0; i < Count; i++) {
            Result[i] = Median(&All[i], Batch, Size);
            printf("BENCH %s.%s %.1f ns\n", Label, All[i].Name, Result[i]);
        }
        for (int i = 3; i < Count; i++)
            printf("BENCH %s.rtl_vs_%s %.2f x\n", Label, All[i].Name, Result[0] / Result[i]);
        /* Which front end pays: the LFH against none and against the lookaside lists. */
        printf("BENCH %s.lfh_gain_over_nofront %.2f x\n", Label, Result[1] / Result[0]);
        printf("BENCH %s.lfh_gain_over_lookaside %.2f x\n", Label, Result[2] / Result[0]);
        fflush(stdout);
    }
    for (int i = 0; i < 3; i++)
        RtlDestroyHeap(Rtl[i]);
    return 0;
}
