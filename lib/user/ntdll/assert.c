/*
 * assert.c - a failed ASSERT in the shared lib/ code, in user mode: it
 * raises STATUS_ASSERTION_FAILURE (a handler may look; unhandled, the
 * process ends with it). A corrupted LIST_ENTRY is vectored.c's
 * RtlpListCorrupted (a fast-fail, as Windows).
 */
#include "ntdllp.h"

#define STATUS_ASSERTION_FAILURE    ((NTSTATUS)0xC0000420L)

void RtlAssert(PCSTR Expression, PCSTR File, ULONG Line, PCSTR Message)
{
    DbgPrint("Assertion failed: %s%s%s at %s:%u\n", Expression, Message ? " - " : "",
             Message ? Message : "", File, (unsigned)Line);
    RtlRaiseStatus(STATUS_ASSERTION_FAILURE);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), STATUS_ASSERTION_FAILURE);
}
