/*
 * ke.h - the kernel core's public interface: IRQL, bugchecks, debug output,
 * assertions, the tick count.
 *
 * IRQL is NT's: code runs at a level and can be interrupted only by sources
 * above it. PASSIVE (threads), APC, DISPATCH (the scheduler and DPCs; no
 * paging, no waiting), the device levels of the 8259's lines, then CLOCK,
 * IPI, POWER and HIGH (everything masked). kernel/irql.c has the mapping.
 */
#ifndef KE_H
#define KE_H

#include "ntdef.h"

#define PASSIVE_LEVEL   0
#define LOW_LEVEL       0
#define APC_LEVEL       1
#define DISPATCH_LEVEL  2
#define CMCI_LEVEL      5
#define PROFILE_LEVEL   27
#define CLOCK1_LEVEL    28
#define CLOCK2_LEVEL    28
#define CLOCK_LEVEL     28
#define IPI_LEVEL       29
#define POWER_LEVEL     30
#define HIGH_LEVEL      31

/*
 * KeGetCurrentIrql, KfRaiseIrql and friends. Raises to NewIrql (>= current,
 * else IRQL_NOT_GREATER_OR_EQUAL); lowers to NewIrql (<= current, else
 * IRQL_NOT_LESS_OR_EQUAL). In the kernel they are inline (after the
 * bugcheck declarations below); the host tests provide them as functions.
 */
#ifdef HOST_BUILD
KIRQL KeGetCurrentIrql(void);
void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
void KeLowerIrql(KIRQL NewIrql);
KIRQL KeRaiseIrqlToDpcLevel(void);
KIRQL KfRaiseIrql(KIRQL NewIrql);
void KfLowerIrql(KIRQL NewIrql);
#endif

/* Bugcheck codes (bugcodes.h). */
#define APC_INDEX_MISMATCH                  0x00000001
#define IRQL_NOT_GREATER_OR_EQUAL           0x00000009
#define IRQL_NOT_LESS_OR_EQUAL              0x0000000A
#define KMODE_EXCEPTION_NOT_HANDLED         0x0000001E
#define MEMORY_MANAGEMENT                   0x0000001A
#define BAD_POOL_HEADER                     0x00000019
#define PFN_LIST_CORRUPT                    0x0000004E
#define PAGE_FAULT_IN_NONPAGED_AREA         0x00000050
#define PROCESS_HAS_LOCKED_PAGES            0x00000076
#define KERNEL_STACK_INPAGE_ERROR           0x00000077
#define UNEXPECTED_KERNEL_MODE_TRAP         0x0000007F
#define KERNEL_MODE_EXCEPTION_NOT_HANDLED   0x0000008E
#define INVALID_PROCESS_ATTACH_ATTEMPT      0x00000005
#define NO_MORE_SYSTEM_PTES                 0x0000003F
#define TARGET_MDL_TOO_SMALL                0x00000040
#define MUST_SUCCEED_POOL_EMPTY             0x00000041
#define ATTEMPTED_WRITE_TO_READONLY_MEMORY  0x000000BE
#define SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0x000000C1
#define BAD_POOL_CALLER                     0x000000C2
#define DRIVER_VERIFIER_DETECTED_VIOLATION  0x000000C4
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL       0x000000D1
#define PAGE_FAULT_IN_FREED_SPECIAL_POOL    0x000000CC
#define PAGE_FAULT_BEYOND_END_OF_ALLOCATION 0x000000CD
#define DRIVER_CORRUPTED_EXPOOL             0x000000C5
#define MANUALLY_INITIATED_CRASH            0x000000E2
#define ASSERTION_FAILURE                   0x0000DEAD  /* this kernel's own: a failed ASSERT */
#define KERNEL_SECURITY_CHECK_FAILURE       0x00000139

/*
 * Stops the system: prints "*** STOP: 0x%08X (p1, p2, p3, p4) NAME", the
 * registers and a symbolic stack trace on serial, then exits QEMU with a
 * failure status. Inside KT_EXPECT_BUGCHECK it instead returns control to
 * the test. Never returns to its caller.
 */
void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                  ULONG_PTR P4) __attribute__((noreturn));
void KeBugCheck(ULONG BugCheckCode) __attribute__((noreturn));
const char *KeBugCheckName(ULONG BugCheckCode);

/* Debug output on COM1. DbgPrint returns STATUS_SUCCESS as NT's does. */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
#define KdPrint(args) DbgPrint args

#ifndef HOST_BUILD
/*
 * The IRQL fast paths, inline because every lock in the kernel is one
 * raise and one lower (a call pair cost about 60 instructions, as much as
 * the page-list work it protected). The common case is a store of the
 * level and one compare: the 8259 mask for the new level is the one
 * already written (APC and DISPATCH mask nothing more than PASSIVE) and no
 * line is held back. KiWrittenMask holds the written mask in its low 16
 * bits and KI_IRQL_PENDING while any line is held back, so one compare
 * against the level's 16-bit mask covers both. Anything else goes to
 * KiSynchronizeIrqlMask in irql.c. KiWrittenMask starts at 0xFFFFFFFF,
 * which no table entry equals, so the first raise or lower writes the masks.
 */
#define KI_IRQL_PENDING 0x10000
extern volatile KIRQL KiCurrentIrql;
extern USHORT KiIrqlMask[HIGH_LEVEL + 1];     /* the 8259 mask for each IRQL */
extern volatile ULONG KiWrittenMask;           /* the mask the 8259 holds, | KI_IRQL_PENDING */
extern volatile ULONG KiPendingInterrupts;     /* lines held back by the IRQL */
/* Writes the mask for KiCurrentIrql and replays pending lines above it. */
void KiSynchronizeIrqlMask(void);

static inline KIRQL KeGetCurrentIrql(void)
{
    return KiCurrentIrql;
}

static inline KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL OldIrql = KiCurrentIrql;
    if (__builtin_expect(NewIrql < OldIrql, 0))
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, OldIrql, NewIrql, 0, 0);
    /* One store is atomic against interrupts on this processor; a line that
     * arrives just after it finds the new level and is held as pending. */
    KiCurrentIrql = NewIrql;
    if (__builtin_expect(KiIrqlMask[NewIrql] != KiWrittenMask, 0))
        KiSynchronizeIrqlMask();
    return OldIrql;
}

static inline void KfLowerIrql(KIRQL NewIrql)
{
    KIRQL OldIrql = KiCurrentIrql;
    if (__builtin_expect(NewIrql > OldIrql, 0))
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, NewIrql, OldIrql, 0, 0);
    KiCurrentIrql = NewIrql;
    /* A line held back before the store above is seen pending here; one
     * that arrives after it runs at once. */
    if (__builtin_expect(KiIrqlMask[NewIrql] != KiWrittenMask, 0))
        KiSynchronizeIrqlMask();
}

static inline void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    *OldIrql = KfRaiseIrql(NewIrql);
}

static inline void KeLowerIrql(KIRQL NewIrql)
{
    KfLowerIrql(NewIrql);
}

static inline KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}
#endif /* !HOST_BUILD */

#include "ntassert.h"
/* Checked-build helpers the DDK documents: code that may page, IRQL limits. */
#define PAGED_CODE() ASSERT(KeGetCurrentIrql() <= APC_LEVEL)
#define ASSERT_IRQL_LESS_OR_EQUAL(l) ASSERT(KeGetCurrentIrql() <= (l))
#define ASSERT_IRQL_EQUAL(l) ASSERT(KeGetCurrentIrql() == (l))

/*
 * The IRQL limit NT documents for a routine (seed 000 lists them as
 * ASSERTs): a call above Max bugchecks IRQL_NOT_LESS_OR_EQUAL with
 * (Routine, current IRQL, 0, the caller's address).
 */
void KeCheckIrqlAtMost(KIRQL Max, PVOID Routine);

/* Clock ticks since boot (PIT at KE_CLOCK_HZ). */
#define KE_CLOCK_HZ 100
extern volatile ULONG KeTickCount;
ULONG KeQueryTimeIncrement(void);   /* 100 ns units per tick, as NT */

/* Registers a handler for 8259 line Irq, run at that line's device IRQL. */
typedef void (*PKINTERRUPT_ROUTINE)(ULONG Irq, void *Context);
void KeConnectInterrupt(ULONG Irq, PKINTERRUPT_ROUTINE Routine, void *Context);
KIRQL KeIrqToIrql(ULONG Irq);

/* Kernel command line (from GRUB): the value of "key=value", or NULL. */
PCSTR KeGetBootOption(PCSTR Key, char *Buffer, SIZE_T Size);

/* Ends the emulator with the given status (QEMU's isa-debug-exit). */
void HalExitEmulator(ULONG Status) __attribute__((noreturn));
#define HAL_EXIT_SUCCESS  0x10   /* QEMU status 0x21: the boot finished its work */
#define HAL_EXIT_FAILURE  0x11   /* 0x23: tests failed */
#define HAL_EXIT_BUGCHECK 0x12   /* 0x25: an unexpected bugcheck */

#endif /* KE_H */
