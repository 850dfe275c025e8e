/*
 * bench_heap.c - the heap in the guest (make bench): HeapAlloc+HeapFree
 * pairs of 16, 64, 256 and 4096 bytes, and glibc's bench-malloc-simple loop
 * (batches of 25, 100, 400 and 1600 blocks of 16, 32 and 64 bytes, every int
 * written, freed in order), per alloc+free pair. Counted in instructions
 * under icount; medians of the samples.
 */
#include <windows.h>
#include <stdio.h>

#include "bench.h"

static void *Blocks[1600];

int main(void)
{
    HANDLE h = GetProcessHeap();
    static const SIZE_T sizes[] = { 16, 64, 256, 4096 };
    for (int s = 0; s < 4; s++) {
        unsigned long long samples[63];
        for (int i = 0; i < 64; i++) {
            unsigned long long t0 = Tsc();
            HeapFree(h, 0, HeapAlloc(h, 0, sizes[s]));
            if (i)
                samples[i - 1] = Tsc() - t0;
        }
        printf("BENCH heap.alloc_free.%uB %llu insns\n", (unsigned)sizes[s], Median(samples, 63));
    }
    /* The pair's halves, each timed alone (the timer's own cost included in both). */
    {
        unsigned long long a[63], f[63];
        for (int i = 0; i < 64; i++) {
            unsigned long long t0 = Tsc();
            void *p = HeapAlloc(h, 0, 64);
            unsigned long long t1 = Tsc();
            HeapFree(h, 0, p);
            unsigned long long t2 = Tsc();
            if (i) {
                a[i - 1] = t1 - t0;
                f[i - 1] = t2 - t1;
            }
        }
        printf("BENCH heap.alloc.64B %llu insns\n", Median(a, 63));
        printf("BENCH heap.free.64B %llu insns\n", Median(f, 63));
    }
    static const int batches[] = { 25, 100, 400, 1600 };
    static const SIZE_T small[] = { 16, 32, 64 };
    for (int z = 0; z < 3; z++)
        for (int b = 0; b < 4; b++) {
            unsigned long long samples[15];
            for (int r = 0; r < 16; r++) {
                unsigned long long t0 = Tsc();
                for (int i = 0; i < batches[b]; i++) {
                    int *p = HeapAlloc(h, 0, small[z]);
                    for (SIZE_T k = 0; k < small[z] / sizeof(int); k++)
                        p[k] = (int)k;
                    Blocks[i] = p;
                }
                for (int i = 0; i < batches[b]; i++)
                    HeapFree(h, 0, Blocks[i]);
                if (r)
                    samples[r - 1] = (Tsc() - t0) / batches[b];
            }
            printf("BENCH heap.batch%d.%uB %llu insns\n", batches[b], (unsigned)small[z],
                   Median(samples, 15));
        }
    /* Which front end pays: each on a fresh heap, measured the same way. */
    static const char *names[] = { "none", "lookaside", "lfh" };
    for (ULONG fe = 0; fe < 3; fe++) {
        HANDLE hh = HeapCreate(0, 0, 0);
        unsigned long long samples[63], batch[15];
        HeapSetInformation(hh, HeapCompatibilityInformation, &fe, sizeof fe);
        for (int i = 0; i < 64; i++) {
            unsigned long long t0 = Tsc();
            HeapFree(hh, 0, HeapAlloc(hh, 0, 64));
            if (i)
                samples[i - 1] = Tsc() - t0;
        }
        printf("BENCH heap.%s.alloc_free.64B %llu insns\n", names[fe], Median(samples, 63));
        for (int r = 0; r < 16; r++) {
            unsigned long long t0 = Tsc();
            for (int i = 0; i < 1600; i++)
                Blocks[i] = HeapAlloc(hh, 0, 64);
            for (int i = 0; i < 1600; i++)
                HeapFree(hh, 0, Blocks[i]);
            if (r)
                batch[r - 1] = (Tsc() - t0) / 1600;
        }
        printf("BENCH heap.%s.batch1600.64B %llu insns\n", names[fe], Median(batch, 15));
        HeapDestroy(hh);
    }
    return 0;
}
