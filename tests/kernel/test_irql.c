/* IRQL: raising and lowering, the misuse bugchecks NT has, and the 8259
 * masks following the level. */
#include "ntddk.h"
#include "ktest.h"

static UCHAR KtpPicMask(void)
{
    return inb(0x21);
}

/* Waits for the clock to move, with interrupts on; FALSE if it never does. */
static BOOLEAN KtpWaitTick(void)
{
    ULONG start = KeTickCount;
    for (ULONG i = 0; i < 1000 && KeTickCount == start; i++)
        __halt();
    return KeTickCount != start;
}

KTEST(irql, tests_start_at_passive)
{
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(irql, raise_and_lower_round_trip)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EQ(old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KIRQL old2 = KfRaiseIrql(HIGH_LEVEL);
    KT_EQ(old2, DISPATCH_LEVEL);
    KfLowerIrql(old2);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(irql, raise_to_dpc_level)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

KTEST(irql, raising_below_current_bugchecks_0x9)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(IRQL_NOT_GREATER_OR_EQUAL, KfRaiseIrql(APC_LEVEL));
    KT_EQ(KtLastBugCheck.Parameter[0], DISPATCH_LEVEL);
    KT_EQ(KtLastBugCheck.Parameter[1], APC_LEVEL);
    KeLowerIrql(old);
}

KTEST(irql, lowering_above_current_bugchecks_0xa)
{
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, KeLowerIrql(DISPATCH_LEVEL));
    KT_EQ(KtLastBugCheck.Parameter[0], DISPATCH_LEVEL);
    KT_EQ(KtLastBugCheck.Parameter[1], PASSIVE_LEVEL);
}

KTEST(irql, line_to_level_mapping)
{
    KT_EQ(KeIrqToIrql(0), CLOCK2_LEVEL);
    KT_EQ(KeIrqToIrql(1), 26);
    KT_EQ(KeIrqToIrql(8), 19);
    KT_EQ(KeIrqToIrql(15), 12);
}

KTEST(irql, clock_ticks_at_passive)
{
    KT_ASSERT(KtpWaitTick());
    KT_ASSERT(KtpWaitTick());
}

KTEST(irql, pic_masks_follow_irql)
{
    KIRQL old;
    KT_EQ(KtpPicMask() & 1, 0);             /* clock open at PASSIVE */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EQ(KtpPicMask() & 1, 0);             /* DISPATCH masks no device */
    KfRaiseIrql(PROFILE_LEVEL);
    KT_EQ(KtpPicMask() & 1, 0);             /* the clock is above PROFILE */
    KfRaiseIrql(CLOCK2_LEVEL);
    KT_EQ(KtpPicMask() & 1, 1);             /* ... and at CLOCK2 it waits */
    KfRaiseIrql(HIGH_LEVEL);
    KT_EQ(KtpPicMask(), 0xFF);
    KeLowerIrql(old);
    KT_EQ(KtpPicMask() & 1, 0);
}

KTEST(irql, clock_held_at_clock_level_then_delivered)
{
    /* Measure a tick in TSC units, hold the clock off for three, then let it go. */
    KT_ASSERT(KtpWaitTick());
    ULONGLONG t0 = __rdtsc();
    KT_ASSERT(KtpWaitTick());
    ULONGLONG perTick = __rdtsc() - t0;

    KIRQL old = KfRaiseIrql(CLOCK2_LEVEL);
    ULONG before = KeTickCount;
    ULONGLONG start = __rdtsc();
    while (__rdtsc() - start < 3 * perTick)
        ;
    ULONG during = KeTickCount;
    KeLowerIrql(old);
    KT_EQ(during, before);
    KT_ASSERT(KeTickCount != before);       /* the held tick arrives on lowering */
}
