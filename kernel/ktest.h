/*
 * ktest.h - in-kernel tests.
 *
 *   KTEST(pool, tag_zero_refused) { KT_EQ(ExAllocatePoolWithTag(...), NULL); }
 *
 * KTEST registers the function in the .ktests section; the kernel booted
 * with mode=test runs every test whose "suite/name" matches TESTS, at
 * PASSIVE_LEVEL with interrupts on, and prints "PASS suite/name" or
 * "FAIL suite/name: reason". KT_ASSERT and KT_EQ end the test at the first
 * failure. KT_EXPECT_BUGCHECK(code, stmt) runs stmt and passes only if it
 * bugchecks with exactly that code; the kernel then returns to the test
 * (KtLastBugCheck holds the parameters), with the IRQL restored. Locals that
 * stmt changes must be volatile to be read after the bugcheck, as with
 * setjmp. Any other bugcheck ends the boot; the runner boots again to run
 * the tests after it.
 */
#ifndef KTEST_H
#define KTEST_H

#include "ntdef.h"
#include "ki.h"

typedef struct _KTEST_DESCRIPTOR {
    PCSTR Suite;
    PCSTR Name;
    void (*Function)(void);
    PCSTR File;
    ULONG Line;
} KTEST_DESCRIPTOR;

#define KTEST(suite, name)                                                      \
    static void ktest_##suite##_##name(void);                                   \
    static const KTEST_DESCRIPTOR ktest_desc_##suite##_##name                   \
        __attribute__((used, section(".ktests." #suite), aligned(4))) =         \
        { #suite, #name, ktest_##suite##_##name, __FILE__, __LINE__ };          \
    static void ktest_##suite##_##name(void)

void KtFail(PCSTR File, int Line, PCSTR Format, ...) __attribute__((format(printf, 3, 4)));

#define KT_ASSERT(cond) do { if (!(cond)) {                                     \
        KtFail(__FILE__, __LINE__, "assertion failed: %s", #cond);              \
        return; } } while (0)

/* Compares as 64-bit integers; pointers too (zero-extended on x86). */
#define KT_EQ(a, b) do {                                                        \
        _Pragma("GCC diagnostic push")                                          \
        _Pragma("GCC diagnostic ignored \"-Wpointer-to-int-cast\"")            \
        ULONGLONG kt_a_ = (ULONGLONG)(a), kt_b_ = (ULONGLONG)(b);               \
        _Pragma("GCC diagnostic pop")                                           \
        if (kt_a_ != kt_b_) {                                                   \
            KtFail(__FILE__, __LINE__, "%s == %s: 0x%llX != 0x%llX", #a, #b,    \
                   kt_a_, kt_b_);                                               \
            return; } } while (0)

/* The bugcheck caught by the last KT_EXPECT_BUGCHECK. */
extern KBUGCHECK_RECORD KtLastBugCheck;
KJUMP_BUFFER *KtArmBugCheck(ULONG Code);
void KtDisarmBugCheck(void);

#define KT_EXPECT_BUGCHECK(code, stmt) do {                                     \
        if (KiSetJump(KtArmBugCheck(code)) == 0) {                              \
            stmt;                                                               \
            KtDisarmBugCheck();                                                 \
            KtFail(__FILE__, __LINE__, "expected bugcheck 0x%X (%s), none raised", \
                   (ULONG)(code), KeBugCheckName(code));                        \
            return;                                                             \
        }                                                                       \
        if (KtLastBugCheck.Code != (ULONG)(code)) {                             \
            KtFail(__FILE__, __LINE__, "expected bugcheck 0x%X (%s), got 0x%X (%s)", \
                   (ULONG)(code), KeBugCheckName(code), KtLastBugCheck.Code,    \
                   KeBugCheckName(KtLastBugCheck.Code));                        \
            return;                                                             \
        } } while (0)

/*
 * Benchmarks (mode=bench): KBENCH(name) { ... KbReport(...) }. KbMeasure
 * runs Op Reps times after a warm-up and returns the median cost of one
 * call in TSC units (instructions under QEMU's icount mode), with the cost
 * of an empty measurement taken off.
 */
typedef struct _KBENCH_DESCRIPTOR {
    PCSTR Name;
    void (*Function)(void);
} KBENCH_DESCRIPTOR;

#define KBENCH(name)                                                            \
    static void kbench_##name(void);                                            \
    static const KBENCH_DESCRIPTOR kbench_desc_##name                           \
        __attribute__((used, section(".kbench." #name), aligned(4))) =          \
        { #name, kbench_##name };                                               \
    static void kbench_##name(void)

BOOLEAN KiFilterMatches(PCSTR Name, PCSTR Filter);
ULONGLONG KbMeasure(void (*Op)(void *Context), void *Context, ULONG Reps);
void KbReport(PCSTR Name, ULONGLONG Value, PCSTR Unit);
void KbReportRatio(PCSTR Name, ULONGLONG Numerator, ULONGLONG Denominator);
ULONGLONG KbMedian(ULONGLONG *Samples, ULONG Count);

#endif /* KTEST_H */
