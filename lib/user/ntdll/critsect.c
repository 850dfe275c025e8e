/*
 * critsect.c - RTL_CRITICAL_SECTION: ntdll's recursive lock, with NT's
 * layout and counts (what a heap created with a caller's lock uses, and what
 * programs read in a debugger). NT's counterpart: ntdll's critical.c.
 *
 * LockCount has Windows XP's meaning: -1 when free; every Enter adds one
 * (the owner's nested ones too) and every Leave takes one away, so while the
 * section is held LockCount is the owner's depth minus one plus the number
 * of threads waiting. The owner is whoever moves OwningThread from NULL to
 * its id; a Leave clears OwningThread before it takes its count away, so a
 * thread that finds LockCount back at 0 never meets a stale owner.
 *
 * NT makes a waiter block on LockSemaphore, an event created on first
 * contention. There are no events here yet, so a waiter gives up the
 * processor (NtYieldExecution) until the owner is gone, as the runtime's own
 * lock (lock.c) does; DebugInfo and LockSemaphore stay NULL.
 */
#include "ntdllp.h"

static HANDLE RtlpCurrentThreadHandle(void)
{
    return NtCurrentTeb()->ClientId.UniqueThread;
}

/* See ntdll.h. */
NTSTATUS NTAPI RtlInitializeCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)
{
    CriticalSection->DebugInfo = NULL;
    CriticalSection->LockCount = -1;
    CriticalSection->RecursionCount = 0;
    CriticalSection->OwningThread = NULL;
    CriticalSection->LockSemaphore = NULL;
    CriticalSection->SpinCount = 0;
    return STATUS_SUCCESS;
}

/* See ntdll.h. */
NTSTATUS NTAPI RtlDeleteCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)
{
    (void)CriticalSection;
    return STATUS_SUCCESS;
}

/* See ntdll.h. */
NTSTATUS NTAPI RtlEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)
{
    HANDLE Self = RtlpCurrentThreadHandle(), Free = NULL;

    __atomic_add_fetch(&CriticalSection->LockCount, 1, __ATOMIC_ACQ_REL);
    if (__atomic_load_n(&CriticalSection->OwningThread, __ATOMIC_RELAXED) == Self) {
        CriticalSection->RecursionCount++;
        return STATUS_SUCCESS;
    }
    while (!__atomic_compare_exchange_n(&CriticalSection->OwningThread, &Free, Self, FALSE,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        Free = NULL;
        NtYieldExecution();
    }
    CriticalSection->RecursionCount = 1;
    return STATUS_SUCCESS;
}

/* See ntdll.h. */
BOOLEAN NTAPI RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)
{
    HANDLE Self = RtlpCurrentThreadHandle(), Free = NULL;
    LONG Unowned = -1;

    if (__atomic_load_n(&CriticalSection->OwningThread, __ATOMIC_RELAXED) == Self) {
        __atomic_add_fetch(&CriticalSection->LockCount, 1, __ATOMIC_ACQ_REL);
        CriticalSection->RecursionCount++;
        return TRUE;
    }
    /* Only a section nobody holds or waits for is taken: waiting is Enter's. */
    if (!__atomic_compare_exchange_n(&CriticalSection->LockCount, &Unowned, 0, FALSE,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return FALSE;
    /* LockCount was -1, so the last owner's Leave has cleared OwningThread already. */
    if (!__atomic_compare_exchange_n(&CriticalSection->OwningThread, &Free, Self, FALSE,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        RtlpRaiseFailed(STATUS_INVALID_PARAMETER);     /* the section was damaged */
    CriticalSection->RecursionCount = 1;
    return TRUE;
}

/* See ntdll.h. */
NTSTATUS NTAPI RtlLeaveCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)
{
    if (CriticalSection->OwningThread != RtlpCurrentThreadHandle() ||
        CriticalSection->RecursionCount <= 0)
        return STATUS_INVALID_PARAMETER;
    if (--CriticalSection->RecursionCount == 0)
        __atomic_store_n(&CriticalSection->OwningThread, NULL, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&CriticalSection->LockCount, 1, __ATOMIC_ACQ_REL);
    return STATUS_SUCCESS;
}
