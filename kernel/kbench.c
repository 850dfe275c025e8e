/*
 * kbench.c - the benchmark runner (mode=bench) and its measuring helpers.
 *
 * Under `make bench` QEMU runs with -icount shift=0, where the guest's TSC
 * advances by one per instruction executed, so rdtsc differences are
 * instruction counts and repeat exactly. Each figure is the median of
 * KB_SAMPLES runs after a warm-up run that is not counted.
 */
#include "ki.h"
#include "ktest.h"
#include "kstring.h"
#include "mm.h"
#include "ps.h"

extern const KBENCH_DESCRIPTOR __kbench_start[], __kbench_end[];

#define KB_MAX_SAMPLES 64

ULONGLONG KbMedian(ULONGLONG *Samples, ULONG Count)
{
    /* insertion sort: the sample counts are small */
    for (ULONG i = 1; i < Count; i++) {
        ULONGLONG v = Samples[i];
        ULONG j = i;
        for (; j > 0 && Samples[j - 1] > v; j--)
            Samples[j] = Samples[j - 1];
        Samples[j] = v;
    }
    return Samples[Count / 2];
}

static void KbNothing(void *Context)
{
    (void)Context;
}

static ULONGLONG KbMeasureRaw(void (*Op)(void *), void *Context, ULONG Reps)
{
    ULONGLONG samples[KB_MAX_SAMPLES];
    ULONG n = Reps < KB_MAX_SAMPLES ? Reps : KB_MAX_SAMPLES;
    Op(Context);                                   /* warm-up */
    for (ULONG i = 0; i < n; i++) {
        ULONGLONG t0 = __rdtsc();
        Op(Context);
        samples[i] = __rdtsc() - t0;
    }
    return KbMedian(samples, n);
}

ULONGLONG KbMeasure(void (*Op)(void *Context), void *Context, ULONG Reps)
{
    ULONGLONG empty = KbMeasureRaw(KbNothing, NULL, Reps);
    ULONGLONG cost = KbMeasureRaw(Op, Context, Reps);
    return cost > empty ? cost - empty : 0;
}

void KbReport(PCSTR Name, ULONGLONG Value, PCSTR Unit)
{
    DbgPrint("BENCH %s %llu %s\n", Name, Value, Unit);
}

void KbReportRatio(PCSTR Name, ULONGLONG Numerator, ULONGLONG Denominator)
{
    if (Denominator == 0)
        Denominator = 1;
    ULONGLONG hundredths = (Numerator * 100 + Denominator / 2) / Denominator;
    DbgPrint("BENCH %s %llu.%02llu x\n", Name, hundredths / 100, hundredths % 100);
}

/* calib.zero_page: one 4 KB page through the kernel's zeroing routine. */
static UCHAR KbZeroTarget[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void KbZeroOne(void *Context)
{
    KeZeroPages(Context, PAGE_SIZE);
}

ULONGLONG KbZeroPageCost;

KBENCH(calib_zero_page)
{
    KbZeroPageCost = KbMeasure(KbZeroOne, KbZeroTarget, 31);
    KbReport("calib.zero_page", KbZeroPageCost, "insns");
}

void KiRunBenchmarks(void)
{
    char filter[128] = "";
    KeGetBootOption("tests", filter, sizeof(filter));
    /* The calibrator runs first whatever the filter: ratios need it. */
    kbench_calib_zero_page();
    for (const KBENCH_DESCRIPTOR *b = __kbench_start; b < __kbench_end; b++)
        if (b->Function != kbench_calib_zero_page && KiFilterMatches(b->Name, filter))
            b->Function();
    /* User-mode benchmarks: programs that time themselves and print BENCH lines. */
    if (KeLoaderBlock.ModuleCount) {
        KeHoldBalanceSetManager(FALSE);
        KiRunUserPrograms(filter, 0, 0);
    }
    DbgPrint("KBENCH DONE\n");
    HalExitEmulator(HAL_EXIT_SUCCESS);
}
