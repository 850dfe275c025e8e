/*
 * ktest.c - the in-kernel test runner (mode=test on the command line).
 *
 * Options: tests=a,b (run a test if "suite/name" contains any of them),
 * skip=N (start after the first N selected tests: the host runner uses it to
 * go on after a boot that ended in a bugcheck, a hang or a triple fault).
 * Each test is announced with "RUN suite/name" so the runner knows which one
 * a crash belongs to; the boot ends with "KTEST DONE passed=N failed=N".
 */
#include <stdarg.h>
#include "ki.h"
#include "ktest.h"
#include "kstring.h"
#include "format.h"

extern const KTEST_DESCRIPTOR __ktests_start[], __ktests_end[];

static const KTEST_DESCRIPTOR *KtCurrent;
static BOOLEAN KtFailedNow;
static ULONG KtPassed, KtFailed;

KBUGCHECK_RECORD KtLastBugCheck;
static KJUMP_BUFFER KtJump;
static volatile BOOLEAN KtArmed;
static ULONG KtExpectedCode;
static KIRQL KtArmedIrql;

void KtFail(PCSTR File, int Line, PCSTR Format, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, Format);
    RtlStringVPrintf(reason, sizeof(reason), Format, ap);
    va_end(ap);
    PCSTR base = strrchr(File, '/');
    DbgPrint("FAIL %s/%s: %s (%s:%d)\n", KtCurrent->Suite, KtCurrent->Name, reason,
             base ? base + 1 : File, Line);
    KtFailedNow = TRUE;
}

KJUMP_BUFFER *KtArmBugCheck(ULONG Code)
{
    KtExpectedCode = Code;
    KtArmedIrql = KeGetCurrentIrql();
    memset(&KtLastBugCheck, 0, sizeof(KtLastBugCheck));
    KtArmed = TRUE;
    return &KtJump;
}

void KtDisarmBugCheck(void)
{
    KtArmed = FALSE;
}

/*
 * Called first thing by KeBugCheckEx. When the running test armed
 * KT_EXPECT_BUGCHECK, undo what the trap path left behind (the
 * double-fault task, the raised IRQL) and resume the test.
 */
BOOLEAN KiBugCheckIsExpected(const KBUGCHECK_RECORD *Record)
{
    if (!KtArmed)
        return FALSE;
    KtArmed = FALSE;
    KtLastBugCheck = *Record;
    DbgPrint("(expected) STOP: 0x%08X (0x%08X, 0x%08X, 0x%08X, 0x%08X) %s\n", Record->Code,
             (ULONG)Record->Parameter[0], (ULONG)Record->Parameter[1],
             (ULONG)Record->Parameter[2], (ULONG)Record->Parameter[3],
             KeBugCheckName(Record->Code));
    KiBugCheckTrapFrame = NULL;
    KiLeaveDoubleFaultTask();
    KiSetIrqlForRecovery(KtArmedIrql);
    KiLongJump(&KtJump, 1);
}

void KiBugCheckReportToTests(const KBUGCHECK_RECORD *Record)
{
    if (KtCurrent)
        DbgPrint("FAIL %s/%s: unexpected bugcheck 0x%08X (%s)\n", KtCurrent->Suite,
                 KtCurrent->Name, Record->Code, KeBugCheckName(Record->Code));
}

static BOOLEAN KtSelected(const KTEST_DESCRIPTOR *t, PCSTR Filter)
{
    char full[128];
    RtlStringPrintf(full, sizeof(full), "%s/%s", t->Suite, t->Name);
    return KiFilterMatches(full, Filter);
}

/* TRUE if Filter is empty or Name contains one of its comma-separated words. */
BOOLEAN KiFilterMatches(PCSTR Name, PCSTR Filter)
{
    PCSTR full = Name;
    if (!*Filter)
        return TRUE;
    for (PCSTR p = Filter; *p;) {
        char word[64];
        SIZE_T n = 0;
        while (*p && *p != ',' && n < sizeof(word) - 1)
            word[n++] = *p++;
        word[n] = 0;
        if (*p == ',')
            p++;
        if (n && strstr(full, word))
            return TRUE;
    }
    return FALSE;
}

/* Tests run in a stable, readable order: by suite, then as the source
 * defines them (the compiler emits a file's descriptors in reverse). */
#define KT_MAX_TESTS 2048
static const KTEST_DESCRIPTOR *KtOrder[KT_MAX_TESTS];

static LONG KtCompare(const KTEST_DESCRIPTOR *a, const KTEST_DESCRIPTOR *b)
{
    LONG c = strcmp(a->Suite, b->Suite);
    if (c == 0)
        c = strcmp(a->File, b->File);
    if (c == 0)
        c = (LONG)a->Line - (LONG)b->Line;
    return c;
}

static ULONG KtSortTests(void)
{
    ULONG n = 0;
    for (const KTEST_DESCRIPTOR *t = __ktests_start; t < __ktests_end; t++) {
        ASSERT(n < KT_MAX_TESTS);
        ULONG j = n++;
        for (; j > 0 && KtCompare(KtOrder[j - 1], t) > 0; j--)
            KtOrder[j] = KtOrder[j - 1];
        KtOrder[j] = t;
    }
    return n;
}

void KiRunTests(void)
{
    char filter[128] = "", skipText[16] = "";
    KeGetBootOption("tests", filter, sizeof(filter));
    ULONG skip = KeGetBootOption("skip", skipText, sizeof(skipText)) ? strtoul(skipText, NULL, 10) : 0;
    ULONG index = 0;

    ULONG count = KtSortTests();
    for (ULONG i = 0; i < count; i++) {
        const KTEST_DESCRIPTOR *t = KtOrder[i];
        if (!KtSelected(t, filter) || index++ < skip)
            continue;
        KtCurrent = t;
        KtFailedNow = FALSE;
        DbgPrint("RUN %s/%s\n", t->Suite, t->Name);
        t->Function();
        KtArmed = FALSE;
        if (!KtFailedNow && KeGetCurrentIrql() != PASSIVE_LEVEL)
            KtFail(__FILE__, __LINE__, "returned at IRQL %u", KeGetCurrentIrql());
        if (!KtFailedNow && !(__readeflags() & EFLAGS_IF))
            KtFail(__FILE__, __LINE__, "returned with interrupts disabled");
        KiSetIrqlForRecovery(PASSIVE_LEVEL);
        _enable();
        if (KtFailedNow) {
            KtFailed++;
        } else {
            KtPassed++;
            DbgPrint("PASS %s/%s\n", t->Suite, t->Name);
        }
    }
    KtCurrent = NULL;
    DbgPrint("KTEST DONE passed=%u failed=%u\n", KtPassed, KtFailed);
    HalExitEmulator(KtFailed ? HAL_EXIT_FAILURE : HAL_EXIT_SUCCESS);
}
