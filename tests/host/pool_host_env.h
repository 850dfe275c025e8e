/*
 * pool_host_env.h - the environment the pool core expects (mm/poolp.h),
 * provided on the host: pages from aligned_alloc with a per-pool limit, and
 * an IRQL that is a variable the tests set. Named in HOST_SOURCES by the
 * pool tests (tests/host/pool_host_env.c).
 */
#ifndef POOL_HOST_ENV_H
#define POOL_HOST_ENV_H

#include "ntdef.h"
#include "pool.h"

/* The current IRQL as KeGetCurrentIrql reports it. Tests that catch a
 * bugcheck raised with the pool lock held call PoolHostResetIrql after. */
extern KIRQL PoolHostIrql;
void PoolHostResetIrql(void);

/* Pages MiAllocatePoolPages has handed out and not taken back, per base pool. */
ULONG PoolHostPagesInUse(POOL_TYPE PoolType);

/* At most Pages pages in use for the base pool of PoolType (~0u: no limit). */
void PoolHostSetPageLimit(POOL_TYPE PoolType, ULONG Pages);

/* Allocations and frees of pages so far, per base pool. */
ULONG PoolHostPageAllocations(POOL_TYPE PoolType);

#endif /* POOL_HOST_ENV_H */
