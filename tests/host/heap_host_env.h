/*
 * heap_host_env.h - the Rtl heap's environment on the host (see
 * heap_host_env.c): virtual memory over mmap with byte counters and a
 * VirtualQuery-like probe, a lock type for heaps with a caller's lock, and
 * test hooks that catch the corruption report and the
 * HEAP_GENERATE_EXCEPTIONS exception instead of ending the process.
 */
#ifndef HEAP_HOST_ENV_H
#define HEAP_HOST_ENV_H

#include <setjmp.h>
#include "htest.h"
#include "heap.h"

/* Bytes reserved and committed now by the heap (all heaps together). */
extern SIZE_T HeapHostReservedBytes, HeapHostCommittedBytes;
/* Calls made, for tests that check a region was released. */
extern ULONG HeapHostReleaseCount, HeapHostDecommitCount;
/* Commits fail once HeapHostCommittedBytes would exceed this (0: no limit). */
extern SIZE_T HeapHostCommitLimit;

#define HEAP_HOST_FREE     0x10000   /* MEM_FREE */
/*
 * VirtualQuery for heap memory: the state of the page holding Address
 * (MEM_COMMIT, MEM_RESERVE or HEAP_HOST_FREE) and its reservation.
 */
ULONG HeapHostQuery(PCVOID Address, PVOID *AllocationBase, SIZE_T *RegionSize);

/*
 * The host's lock type for RtlCreateHeap's Lock (a heap with a caller's
 * lock): recursive, zero-initialized is free, with a count of every
 * acquisition (recursive ones too) so tests can see the heap take it.
 */
typedef struct _HEAP_HOST_LOCK {
    volatile ULONG_PTR Owner;       /* RtlpHeapCurrentThread() of the holder, or 0 */
    ULONG Recursion;
    ULONG Acquires;
} HEAP_HOST_LOCK;

/* Set by the hooks below. */
extern jmp_buf *HeapHostCorruptionJump, *HeapHostExceptionJump;
extern ULONG HeapHostCorruptionReason;
extern PVOID HeapHostCorruptionAddress;
extern NTSTATUS HeapHostExceptionStatus;

/*
 * HT_EXPECT_HEAP_CORRUPTION(reason, stmt): stmt must report heap corruption
 * with that reason (HEAP_CORRUPTION_*). Locals changed by stmt must be volatile.
 */
#define HT_EXPECT_HEAP_CORRUPTION(reason, stmt) do {                        \
        jmp_buf ht_j_;                                                      \
        if (setjmp(ht_j_) == 0) {                                           \
            HeapHostCorruptionJump = &ht_j_;                                \
            stmt;                                                           \
            HeapHostCorruptionJump = NULL;                                  \
            htest_fail(__FILE__, __LINE__, "expected heap corruption %u, none", \
                       (unsigned)(reason));                                 \
            return;                                                         \
        }                                                                   \
        if (HeapHostCorruptionReason != (ULONG)(reason)) {                  \
            htest_fail(__FILE__, __LINE__, "expected heap corruption %u, got %u", \
                       (unsigned)(reason), (unsigned)HeapHostCorruptionReason); \
            return;                                                         \
        } } while (0)

/* HT_EXPECT_HEAP_EXCEPTION(status, stmt): stmt must raise status (HEAP_GENERATE_EXCEPTIONS). */
#define HT_EXPECT_HEAP_EXCEPTION(status, stmt) do {                         \
        jmp_buf ht_j_;                                                      \
        if (setjmp(ht_j_) == 0) {                                           \
            HeapHostExceptionJump = &ht_j_;                                 \
            stmt;                                                           \
            HeapHostExceptionJump = NULL;                                   \
            htest_fail(__FILE__, __LINE__, "expected exception 0x%X, none", \
                       (unsigned)(status));                                 \
            return;                                                         \
        }                                                                   \
        if (HeapHostExceptionStatus != (NTSTATUS)(status)) {                \
            htest_fail(__FILE__, __LINE__, "expected exception 0x%X, got 0x%X", \
                       (unsigned)(status), (unsigned)HeapHostExceptionStatus); \
            return;                                                         \
        } } while (0)

#endif /* HEAP_HOST_ENV_H */
