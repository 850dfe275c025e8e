/*
 * bugcheck.c - KeBugCheckEx: NT's controlled stop.
 *
 * The report goes to serial in the form tools look for:
 *
 *   *** STOP: 0x00000050 (0x00001000, 0x00000001, 0x8010ABCD, 0x00000000)
 *   PAGE_FAULT_IN_NONPAGED_AREA
 *
 * (on one line), then the registers (of the trap that led here, when there
 * was one) and a stack trace with symbol names. Then QEMU is told to exit
 * with HAL_EXIT_BUGCHECK. A test that expects the bugcheck (ktest.h's
 * KT_EXPECT_BUGCHECK) gets control back instead, before anything is printed.
 */
#include "ki.h"

static const struct {
    ULONG Code;
    PCSTR Name;
} KiBugCheckNames[] = {
    { APC_INDEX_MISMATCH, "APC_INDEX_MISMATCH" },
    { INVALID_PROCESS_ATTACH_ATTEMPT, "INVALID_PROCESS_ATTACH_ATTEMPT" },
    { IRQL_NOT_GREATER_OR_EQUAL, "IRQL_NOT_GREATER_OR_EQUAL" },
    { IRQL_NOT_LESS_OR_EQUAL, "IRQL_NOT_LESS_OR_EQUAL" },
    { BAD_POOL_HEADER, "BAD_POOL_HEADER" },
    { MEMORY_MANAGEMENT, "MEMORY_MANAGEMENT" },
    { KMODE_EXCEPTION_NOT_HANDLED, "KMODE_EXCEPTION_NOT_HANDLED" },
    { NO_MORE_SYSTEM_PTES, "NO_MORE_SYSTEM_PTES" },
    { TARGET_MDL_TOO_SMALL, "TARGET_MDL_TOO_SMALL" },
    { MUST_SUCCEED_POOL_EMPTY, "MUST_SUCCEED_POOL_EMPTY" },
    { PFN_LIST_CORRUPT, "PFN_LIST_CORRUPT" },
    { PAGE_FAULT_IN_NONPAGED_AREA, "PAGE_FAULT_IN_NONPAGED_AREA" },
    { PROCESS_HAS_LOCKED_PAGES, "PROCESS_HAS_LOCKED_PAGES" },
    { KERNEL_STACK_INPAGE_ERROR, "KERNEL_STACK_INPAGE_ERROR" },
    { UNEXPECTED_KERNEL_MODE_TRAP, "UNEXPECTED_KERNEL_MODE_TRAP" },
    { KERNEL_MODE_EXCEPTION_NOT_HANDLED, "KERNEL_MODE_EXCEPTION_NOT_HANDLED" },
    { ATTEMPTED_WRITE_TO_READONLY_MEMORY, "ATTEMPTED_WRITE_TO_READONLY_MEMORY" },
    { SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION" },
    { BAD_POOL_CALLER, "BAD_POOL_CALLER" },
    { DRIVER_VERIFIER_DETECTED_VIOLATION, "DRIVER_VERIFIER_DETECTED_VIOLATION" },
    { DRIVER_CORRUPTED_EXPOOL, "DRIVER_CORRUPTED_EXPOOL" },
    { PAGE_FAULT_IN_FREED_SPECIAL_POOL, "PAGE_FAULT_IN_FREED_SPECIAL_POOL" },
    { PAGE_FAULT_BEYOND_END_OF_ALLOCATION, "PAGE_FAULT_BEYOND_END_OF_ALLOCATION" },
    { DRIVER_IRQL_NOT_LESS_OR_EQUAL, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
    { MANUALLY_INITIATED_CRASH, "MANUALLY_INITIATED_CRASH" },
    { KERNEL_SECURITY_CHECK_FAILURE, "KERNEL_SECURITY_CHECK_FAILURE" },
    { ASSERTION_FAILURE, "ASSERTION_FAILURE" },
};

PCSTR KeBugCheckName(ULONG BugCheckCode)
{
    for (ULONG i = 0; i < ARRAYSIZE(KiBugCheckNames); i++)
        if (KiBugCheckNames[i].Code == BugCheckCode)
            return KiBugCheckNames[i].Name;
    return "UNKNOWN_BUGCHECK_CODE";
}

/* Reads of the stack walk must not fault: check the page through the
 * self-map (PDE, then PTE) before touching it. */
static BOOLEAN KiIsReadable(ULONG Address)
{
    volatile ULONG *pde = (volatile ULONG *)(0xC0300000u + (Address >> 22) * 4);
    volatile ULONG *pte = (volatile ULONG *)(0xC0000000u + (Address >> 12) * 4);
    if (!(*pde & 1))
        return FALSE;
    if (*pde & 0x80)
        return TRUE;    /* a large page */
    return (*pte & 1) != 0;
}

static void KiPrintFrame(ULONG Address, ULONG Repeats)
{
    ULONG off;
    PCSTR sym = KiLookupSymbol(Address, &off);
    if (Repeats > 1)
        DbgPrint("  ... the frame above %u more times\n", Repeats - 1);
    else
        DbgPrint("  %08X  %s+0x%X\n", Address, sym ? sym : "?", off);
}

void KiStackTrace(ULONG Ebp, ULONG Eip, ULONG Esp)
{
    ULONG off, last = Eip, repeats = 0;
    DbgPrint("Stack trace:\n");
    KiPrintFrame(Eip, 0);
    /* A function without a frame yet (in its prologue, or a leaf compiled
     * without one) has its caller's return address at the top of the stack,
     * where the EBP chain does not see it: show it if it is code. */
    if (Esp && KiIsReadable(Esp) && KiIsReadable(Esp + 4)) {
        ULONG chainRet = (Ebp && KiIsReadable(Ebp + 4)) ? ((ULONG *)Ebp)[1] : 0;
        for (ULONG i = 0; i < 2; i++) {
            ULONG ret = ((ULONG *)Esp)[i];
            if (ret != chainRet && KiLookupSymbol(ret, &off)) {
                KiPrintFrame(ret, 0);
                break;
            }
        }
    }
    for (int depth = 0; depth < 64 && Ebp; depth++) {
        if ((Ebp & 3) || Ebp < 0x80000000u || !KiIsReadable(Ebp) || !KiIsReadable(Ebp + 4))
            break;
        ULONG ret = ((ULONG *)Ebp)[1];
        ULONG next = ((ULONG *)Ebp)[0];
        if (!KiLookupSymbol(ret, &off))
            break;
        if (ret == last) {
            repeats++;      /* recursion: say how deep instead of printing it all */
        } else {
            if (repeats)
                KiPrintFrame(last, repeats + 1);
            repeats = 0;
            KiPrintFrame(ret, 0);
            last = ret;
        }
        if (next <= Ebp)
            break;      /* frames only go up the stack */
        Ebp = next;
        if (repeats > 100000)
            break;
        if (repeats)
            depth--;    /* repeated frames do not use up the depth */
    }
    if (repeats)
        KiPrintFrame(last, repeats + 1);
}

static volatile LONG KiBugCheckActive;

void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                  ULONG_PTR P4)
{
    _disable();
    KBUGCHECK_RECORD record = { BugCheckCode, { P1, P2, P3, P4 } };
    if (KiBugCheckIsExpected(&record)) {
        /* not reached: the test resumed at its KT_EXPECT_BUGCHECK */
    }

    if (KiBugCheckActive++) {
        /* A bugcheck while reporting one: say so plainly and stop. */
        DbgPrint("\n*** STOP: 0x%08X during bugcheck processing\n", BugCheckCode);
        HalExitEmulator(HAL_EXIT_BUGCHECK);
    }
    KiCurrentIrql = HIGH_LEVEL;
    KiApplyIrqlMask(HIGH_LEVEL);

    DbgPrint("\n*** STOP: 0x%08X (0x%08X, 0x%08X, 0x%08X, 0x%08X) %s\n", BugCheckCode,
             (ULONG)P1, (ULONG)P2, (ULONG)P3, (ULONG)P4, KeBugCheckName(BugCheckCode));
    const KTRAP_FRAME *frame = KiBugCheckTrapFrame;
    if (frame) {
        KiDumpTrapFrame(frame);
        KiStackTrace(frame->Ebp, frame->Eip, KiTrapFrameEsp(frame));
    } else {
        ULONG ebp = (ULONG)__builtin_frame_address(0);
        DbgPrint("cr0=%08X cr2=%08X cr3=%08X cr4=%08X esp=%08X ebp=%08X\n", __readcr0(),
                 __readcr2(), __readcr3(), __readcr4(), (ULONG)__builtin_frame_address(0) + 8,
                 ebp);
        KiStackTrace(((ULONG *)ebp)[0], ((ULONG *)ebp)[1], 0);
    }
    KiBugCheckReportToTests(&record);
    HalExitEmulator(HAL_EXIT_BUGCHECK);
}

void KeBugCheck(ULONG BugCheckCode)
{
    KeBugCheckEx(BugCheckCode, 0, 0, 0, 0);
}
