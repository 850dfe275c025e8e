/* The exception paths: what NT bugchecks with for kernel-mode faults, and
 * the double fault on a kernel stack overflow. */
#include "ntddk.h"
#include "ktest.h"

KTEST(traps, null_write_bugchecks_0x50_with_nt_parameters)
{
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, *(volatile ULONG *)0 = 1);
    KT_EQ(KtLastBugCheck.Parameter[0], 0);      /* the address */
    KT_EQ(KtLastBugCheck.Parameter[1], 1);      /* a write */
    ULONG off;
    PCSTR fn = KiLookupSymbol(KtLastBugCheck.Parameter[2], &off);
    KT_ASSERT(fn && strstr(fn, "null_write") != NULL);  /* the faulting EIP is here */
    KT_EQ(KtLastBugCheck.Parameter[3], 0);
}

KTEST(traps, read_in_first_64k_bugchecks_0x50)
{
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*(volatile ULONG *)0x1000);
    KT_EQ(KtLastBugCheck.Parameter[0], 0x1000);
    KT_EQ(KtLastBugCheck.Parameter[1], 0);      /* a read */
}

KTEST(traps, identity_map_is_gone)
{
    /* The kernel image is at 1 MB physical; it must not be reachable at 1 MB. */
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*(volatile ULONG *)0x00100000);
    KT_EQ(KtLastBugCheck.Parameter[0], 0x00100000);
}

KTEST(traps, user_kernel_guard_bugchecks_0x50)
{
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*(volatile ULONG *)0x7FFF0000);
}

KTEST(traps, divide_error_is_trap_0)
{
    volatile ULONG zero = 0, x = 10;
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, x = x / zero);
    KT_EQ(KtLastBugCheck.Parameter[0], 0);
}

KTEST(traps, breakpoint_is_trap_3)
{
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, __asm__ volatile("int3"));
    KT_EQ(KtLastBugCheck.Parameter[0], 3);
}

KTEST(traps, invalid_opcode_is_trap_6)
{
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, __asm__ volatile("ud2"));
    KT_EQ(KtLastBugCheck.Parameter[0], 6);
}

KTEST(traps, missing_gate_is_general_protection_13)
{
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, __asm__ volatile("int $0x80"));
    KT_EQ(KtLastBugCheck.Parameter[0], 13);
}

/* Recurses with a 512-byte frame until the stack runs into its guard page. */
static __attribute__((noinline)) ULONG KtpRecurse(ULONG Depth)
{
    volatile UCHAR frame[512];
    frame[0] = (UCHAR)Depth;
    if (Depth > 1000000)
        return 0;
    return KtpRecurse(Depth + 1) + frame[0];
}

KTEST(traps, kernel_stack_overflow_is_double_fault_trap_8)
{
    KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, KtpRecurse(0));
    KT_EQ(KtLastBugCheck.Parameter[0], 8);
    KT_EQ(KiReadTr(), KGDT_TSS);                 /* back on the main task */
}

KTEST(traps, double_fault_task_is_reusable)
{
    for (int i = 0; i < 3; i++) {
        KT_EXPECT_BUGCHECK(UNEXPECTED_KERNEL_MODE_TRAP, KtpRecurse(0));
        KT_EQ(KtLastBugCheck.Parameter[0], 8);
    }
}

KTEST(traps, clock_runs_after_recovered_faults)
{
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, (void)*(volatile ULONG *)0);
    ULONG t = KeTickCount;
    for (int i = 0; i < 1000 && KeTickCount == t; i++)
        __halt();
    KT_ASSERT(KeTickCount != t);
}
