/*
 * balance.c - the balance set manager: a kernel thread that wakes once a
 * second to adjust the lookaside lists' depths (ExAdjustLookasideDepth), as
 * NT's does (its other work, trimming working sets, comes with paging).
 *
 * Tests and benchmarks that count lookaside hits and misses hold it off, so
 * their counters stay exact (KeHoldBalanceSetManager).
 */
#include "ps.h"
#include "pool.h"

static volatile LONG KiBalanceHold;
ULONG KiBalanceScans;

static void KiBalanceSetManager(void *Context)
{
    DISPATCHER_HEADER timer = { 0 };        /* never signaled: the wait is the period */
    (void)Context;
    InitializeListHead(&timer.WaitListHead);
    for (;;) {
        KeWaitForObject(&timer, KE_CLOCK_HZ);
        if (!KiBalanceHold) {
            ExAdjustLookasideDepth();
            KiBalanceScans++;
        }
    }
}

void KeHoldBalanceSetManager(BOOLEAN Hold)
{
    __atomic_add_fetch(&KiBalanceHold, Hold ? 1 : -1, __ATOMIC_SEQ_CST);
}

void KiStartBalanceSetManager(void)
{
    PETHREAD t = PsCreateThread(NULL, KiBalanceSetManager, NULL);
    ASSERT(t != NULL);
}
