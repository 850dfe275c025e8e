/*
 * bench.h - what the user-mode benchmarks share: the instruction counter
 * (rdtsc counts instructions under QEMU's icount mode, so each figure is
 * exact) and the median of a set of samples.
 */
#ifndef BENCH_H
#define BENCH_H

static unsigned long long Tsc(void)
{
    unsigned int lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long long)hi << 32) | lo;
}

/* Sorts the n samples in place (n is small) and returns the middle one. */
static unsigned long long Median(unsigned long long *s, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
            unsigned long long t = s[j]; s[j] = s[j - 1]; s[j - 1] = t;
        }
    return s[n / 2];
}

#endif /* BENCH_H */
