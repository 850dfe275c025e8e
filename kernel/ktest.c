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
#include "ps.h"
#include "mm.h"
#include "mi.h"
#include "pool.h"

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

/*
 * Runs Instances copies of one program at once and checks what they leave:
 * each must exit with Expect within 60 s, and afterwards every physical
 * page, system PTE and process/thread pool byte must be back.
 */
static void KiRunUserProgram(PCSTR Full, PCSTR Name, PCSTR CommandLine, const KBOOT_MODULE *Module,
                             ULONG Expect, ULONG Instances)
{
    PEPROCESS procs[8];
    MM_PAGE_COUNTS before, after;
    MmGetPageCounts(&before);
    SIZE_T procBytes = ExpPoolTagBytes('corP', NonPagedPool);
    SIZE_T threadBytes = ExpPoolTagBytes('erhT', NonPagedPool);
    ULONG started = 0;
    BOOLEAN ok = TRUE;
    for (; started < Instances; started++) {
        NTSTATUS s = PsCreateUserProcess(Name, CommandLine,
                                         (PVOID)MI_BOOT_PHYSICAL_TO_VIRTUAL(Module->Start),
                                         Module->End - Module->Start, &procs[started]);
        if (!NT_SUCCESS(s)) {
            DbgPrint("FAIL %s: could not start (0x%08X)\n", Full, (ULONG)s);
            ok = FALSE;
            break;
        }
    }
    for (ULONG i = 0; i < started; i++) {
        PEPROCESS p = procs[i];
        if (KeWaitForObject(&p->Header, 60 * KE_CLOCK_HZ) != STATUS_SUCCESS) {
            PsTerminateProcess(p, STATUS_TIMEOUT);
            KeWaitForObject(&p->Header, 0xFFFFFFFF);
            DbgPrint("FAIL %s: timed out after 60 s\n", Full);
            ok = FALSE;
        } else if ((ULONG)p->ExitStatus != Expect) {
            DbgPrint("FAIL %s: exit status 0x%08X, expected 0x%08X\n", Full,
                     (ULONG)p->ExitStatus, Expect);
            ok = FALSE;
        }
        ObDereferenceObject(&p->Header);
    }
    MmGetPageCounts(&after);
    if (ok && (MmPagesInUseByOthers(&after) != MmPagesInUseByOthers(&before) ||
               after.SystemPtesInUse != before.SystemPtesInUse ||
               ExpPoolTagBytes('corP', NonPagedPool) != procBytes ||
               ExpPoolTagBytes('erhT', NonPagedPool) != threadBytes)) {
        DbgPrint("FAIL %s: leaked %d pages, %d system PTEs\n", Full,
                 (LONG)(MmPagesInUseByOthers(&after) - MmPagesInUseByOthers(&before)),
                 (LONG)(after.SystemPtesInUse - before.SystemPtesInUse));
        ok = FALSE;
    }
    if (ok)
        ok = MiValidatePfnDatabase(&MiPfnDb);
    if (ok) {
        DbgPrint("PASS %s\n", Full);
        KtPassed++;
    } else {
        KtFailed++;
    }
}

/*
 * The user programs GRUB loaded as modules ("name.elf [expect=0x...] [args]"),
 * after the kernel tests and in the same numbering, so skip= works for them
 * too. Each runs alone; its own PASS/FAIL lines count, and it passes as a
 * whole ("PASS app/name") when it exits with the expected status (0 unless
 * expect= says otherwise) within 60 seconds.
 */
ULONG KiRunUserPrograms(PCSTR Filter, ULONG Skip, ULONG Index)
{
    for (ULONG m = 0; m < KeLoaderBlock.ModuleCount; m++) {
        const KBOOT_MODULE *mod = &KeLoaderBlock.Modules[m];
        char name[64], full[80], args[64] = "";
        ULONG expect = 0, instances = 1;
        SIZE_T n = 0;
        while (mod->Name[n] && mod->Name[n] != ' ' && n < sizeof(name) - 1) {
            name[n] = mod->Name[n];
            n++;
        }
        name[n] = 0;
        if (n < 5 || strcmp(name + n - 4, ".elf") != 0)
            continue;
        name[n - 4] = 0;
        for (PCSTR p = mod->Name + n; *p;) {
            while (*p == ' ')
                p++;
            if (strncmp(p, "expect=", 7) == 0)
                expect = strtoul(p + 7, NULL, 0);
            else if (strncmp(p, "instances=", 10) == 0)
                instances = strtoul(p + 10, NULL, 0);
            else if (*p && strlen(args) + 1 < sizeof(args)) {
                SIZE_T len = strlen(args);
                if (len)
                    args[len++] = ' ';
                for (; *p && *p != ' ' && len < sizeof(args) - 1; p++)
                    args[len++] = *p;
                args[len] = 0;
            }
            while (*p && *p != ' ')
                p++;
        }
        if (instances < 1 || instances > 8)
            instances = 1;
        RtlStringPrintf(full, sizeof(full), "app/%s", name);
        if (!KiFilterMatches(full, Filter) || Index++ < Skip)
            continue;
        char cmdline[160];
        RtlStringPrintf(cmdline, sizeof(cmdline), "%s%s%s", name, args[0] ? " " : "", args);
        DbgPrint("RUN %s\n", full);
        KiRunUserProgram(full, name, cmdline, mod, expect, instances);
    }
    return Index;
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
    KeHoldBalanceSetManager(FALSE);         /* the programs run with it, as in real life */
    index = KiRunUserPrograms(filter, skip, index);
    DbgPrint("KTEST DONE passed=%u failed=%u\n", KtPassed, KtFailed);
    HalExitEmulator(KtFailed ? HAL_EXIT_FAILURE : HAL_EXIT_SUCCESS);
}
