/* The test framework checking itself: bugcheck capture and recovery, the
 * symbol table, the boot options. */
#include "ntddk.h"
#include "ktest.h"

KTEST(ktest, eq_compares_full_64_bits)
{
    ULONGLONG a = 0x100000001ULL, b = 0x100000001ULL;
    KT_EQ(a, b);
    KT_ASSERT((ULONG)a == 1);
}

KTEST(ktest, expect_bugcheck_catches_direct_call_with_parameters)
{
    KT_EXPECT_BUGCHECK(MANUALLY_INITIATED_CRASH, KeBugCheckEx(MANUALLY_INITIATED_CRASH, 1, 2, 3, 4));
    KT_EQ(KtLastBugCheck.Parameter[0], 1);
    KT_EQ(KtLastBugCheck.Parameter[1], 2);
    KT_EQ(KtLastBugCheck.Parameter[2], 3);
    KT_EQ(KtLastBugCheck.Parameter[3], 4);
}

KTEST(ktest, expect_bugcheck_restores_irql_and_interrupts)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(MANUALLY_INITIATED_CRASH, KeBugCheck(MANUALLY_INITIATED_CRASH));
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KT_ASSERT(__readeflags() & EFLAGS_IF);
}

KTEST(ktest, failed_assert_bugchecks_assertion_failure)
{
    volatile int zero = 0;
    KT_EXPECT_BUGCHECK(ASSERTION_FAILURE, ASSERT(zero == 1));
    KT_ASSERT(strstr((PCSTR)KtLastBugCheck.Parameter[2], "zero == 1") != NULL);
}

KTEST(ktest, bugcheck_names_follow_nt)
{
    KT_ASSERT(strcmp(KeBugCheckName(0x50), "PAGE_FAULT_IN_NONPAGED_AREA") == 0);
    KT_ASSERT(strcmp(KeBugCheckName(0x7F), "UNEXPECTED_KERNEL_MODE_TRAP") == 0);
    KT_ASSERT(strcmp(KeBugCheckName(0x4E), "PFN_LIST_CORRUPT") == 0);
}

KTEST(ktest, symbols_resolve_from_the_image)
{
    extern void KiSystemStartup(ULONG, ULONG);
    ULONG off;
    PCSTR name = KiLookupSymbol((ULONG)KiSystemStartup + 5, &off);
    KT_ASSERT(name != NULL);
    KT_ASSERT(strcmp(name, "KiSystemStartup") == 0);
    KT_EQ(off, 5);
    KT_EQ(KiLookupSymbol(0x1000, &off), NULL);
}

KTEST(ktest, boot_options_come_from_grub)
{
    char mode[16];
    KT_ASSERT(KeGetBootOption("mode", mode, sizeof(mode)) != NULL);
    KT_ASSERT(strcmp(mode, "test") == 0);
    KT_EQ(KeGetBootOption("no_such_option", mode, sizeof(mode)), NULL);
}
