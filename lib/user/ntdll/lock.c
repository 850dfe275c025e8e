/*
 * lock.c - the runtime's lock for state that threads share (the vectored
 * handler list, the TLS bitmap and thread list, stdout's buffer): a reduced
 * RTL_CRITICAL_SECTION. It is recursive, as a critical section is (a vectored
 * handler may add or remove handlers while the list is walked; printf's sink
 * flushes under printf's hold), and a waiter gives up the processor
 * (NtYieldExecution) instead of spinning: there is one processor, so the owner
 * can only make progress when the waiter stops running.
 *
 * Owner is the owning thread's id (TEB ClientId) or 0. A thread terminated
 * while it owns a lock leaves it owned, as TerminateThread does on Windows.
 */
#include "ntdllp.h"

static LONG RtlpCurrentThreadId(void)
{
    return (LONG)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueThread;
}

VOID RtlpAcquireLock(PRTLP_LOCK Lock)
{
    LONG Self = RtlpCurrentThreadId();
    if (__atomic_load_n(&Lock->Owner, __ATOMIC_ACQUIRE) == Self) {
        Lock->Recursion++;
        return;
    }
    LONG Free = 0;
    while (!__atomic_compare_exchange_n(&Lock->Owner, &Free, Self, FALSE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        Free = 0;
        NtYieldExecution();
    }
    Lock->Recursion = 1;
}

VOID RtlpReleaseLock(PRTLP_LOCK Lock)
{
    if (Lock->Owner != RtlpCurrentThreadId() || Lock->Recursion == 0)
        RtlpRaiseFailed(STATUS_INVALID_PARAMETER);     /* released by a non-owner */
    if (--Lock->Recursion == 0)
        __atomic_store_n(&Lock->Owner, 0, __ATOMIC_RELEASE);
}
