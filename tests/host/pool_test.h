/*
 * pool_test.h - shared helpers of the pool host tests (test_pool*.c,
 * test_lookaside.c): header access, tag constants, whole-pool checks.
 * The pool is global state shared by the tests of one binary, so every
 * test leaves it as it found it: everything it allocated freed, and the
 * IRQL back at PASSIVE_LEVEL after a caught bugcheck.
 */
#ifndef POOL_TEST_H
#define POOL_TEST_H

#include "htest.h"
#include "poolp.h"
#include "pool_host_env.h"
#include "rtl.h"

/* 'abcd' as NT writes a tag: the first character in the low byte. */
#define TAG(a, b, c, d) ((ULONG)(a) | (ULONG)(b) << 8 | (ULONG)(c) << 16 | (ULONG)(d) << 24)

static inline PPOOL_HEADER PoolHeaderOf(PVOID P)
{
    return (PPOOL_HEADER)P - 1;
}

/* Both pools pass the validator; returns the pages walked. */
static inline ULONG ValidateBothPools(void)
{
    return ExpValidatePool(NonPagedPool) + ExpValidatePool(PagedPool);
}

/* Empties the pool's own lookaside lists so page counts are exact. */
static inline void FlushPoolCaches(void)
{
    ExpFlushPoolLookasideLists(NonPagedPool);
    ExpFlushPoolLookasideLists(PagedPool);
}

/* Pages the environment has out that the pools do not account for: 0. */
static inline LONG UnaccountedPages(void)
{
    EXP_POOL_USAGE N, P;
    ExpQueryPoolUsage(NonPagedPool, &N);
    ExpQueryPoolUsage(PagedPool, &P);
    return (LONG)(PoolHostPagesInUse(NonPagedPool) + PoolHostPagesInUse(PagedPool)) -
           (LONG)(N.TotalPages + N.TotalBigPages + P.TotalPages + P.TotalBigPages +
                  ExpPoolBookkeepingPages());
}

#endif /* POOL_TEST_H */
