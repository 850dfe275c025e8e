/*
 * debug.c - DbgPrint (KdPrint) on the serial console, RtlAssert, and the
 * emulator exit.
 */
#include <stdarg.h>
#include "ki.h"
#include "format.h"
#include "list.h"

static void KiDbgSink(char c, void *Context)
{
    (void)Context;
    KiSerialPut(c);
}

/* A line from two CPUs (or an interrupt) would interleave; interrupts are
 * kept off for the length of one message. */
ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    ULONG flags = __readeflags();
    _disable();
    va_start(ap, Format);
    RtlFormatV(KiDbgSink, NULL, Format, ap);
    va_end(ap);
    if (flags & EFLAGS_IF)
        _enable();
    return STATUS_SUCCESS;
}

void RtlAssert(PCSTR Expression, PCSTR File, ULONG Line, PCSTR Message)
{
    DbgPrint("*** Assertion failed: %s%s%s\n***   Source: %s:%u\n", Expression,
             Message ? " - " : "", Message ? Message : "", File, Line);
    KeBugCheckEx(ASSERTION_FAILURE, (ULONG_PTR)File, Line, (ULONG_PTR)Expression,
                 (ULONG_PTR)Message);
}

/* Used by list.h when a LIST_ENTRY's neighbours do not point back at it. */
void RtlpListCorrupted(PLIST_ENTRY Entry)
{
    /* NT raises FAST_FAIL_CORRUPT_LIST_ENTRY (3) through bugcheck 0x139. */
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, 3, (ULONG_PTR)Entry,
                 (ULONG_PTR)Entry->Flink, (ULONG_PTR)Entry->Blink);
}

void HalExitEmulator(ULONG Status)
{
    /* isa-debug-exit at 0xF4: QEMU exits with (Status << 1) | 1. Without
     * the device (a real machine), stop here. */
    outl(0xF4, Status);
    _disable();
    for (;;)
        __halt();
}
