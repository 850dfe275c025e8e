/*
 * host_support.c - what pure code expects from its environment, provided on
 * the host: KeBugCheckEx (which HT_EXPECT_BUGCHECK can catch), RtlAssert
 * and the list-corruption report, so the kernel's checks are testable here.
 * Every host test links all of lib/, heap included: weak stand-ins for the
 * heap's environment keep the tests that do not use the heap linking; a
 * heap test names tests/host/heap_host_env.c, whose definitions win.
 */
#include <stdio.h>
#include <stdlib.h>
#include "htest.h"
#include "list.h"
#include "ke.h"
#include "heap.h"

jmp_buf *htest_bugcheck_jump;
ULONG htest_bugcheck_code;
ULONG_PTR htest_bugcheck_params[4];

void KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    htest_bugcheck_code = Code;
    htest_bugcheck_params[0] = P1;
    htest_bugcheck_params[1] = P2;
    htest_bugcheck_params[2] = P3;
    htest_bugcheck_params[3] = P4;
    if (htest_bugcheck_jump) {
        jmp_buf *j = htest_bugcheck_jump;
        htest_bugcheck_jump = NULL;
        longjmp(*j, 1);
    }
    fprintf(stderr, "*** STOP: 0x%08X (0x%lX, 0x%lX, 0x%lX, 0x%lX) on the host\n", Code,
            (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4);
    abort();
}

void KeBugCheck(ULONG Code)
{
    KeBugCheckEx(Code, 0, 0, 0, 0);
}

void RtlAssert(PCSTR Expression, PCSTR File, ULONG Line, PCSTR Message)
{
    fprintf(stderr, "assertion failed: %s at %s:%u %s\n", Expression, File, (unsigned)Line,
            Message ? Message : "");
    KeBugCheckEx(ASSERTION_FAILURE, (ULONG_PTR)File, Line, (ULONG_PTR)Expression, 0);
}

void RtlpListCorrupted(PLIST_ENTRY Entry)
{
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, 3, (ULONG_PTR)Entry, (ULONG_PTR)Entry->Flink,
                 (ULONG_PTR)Entry->Blink);
}

static void HeapEnvironmentMissing(void)
{
    fprintf(stderr, "heap used without its environment: add tests/host/heap_host_env.c "
                    "to the test's HOST_SOURCES line\n");
    abort();
}

__attribute__((weak)) NTSTATUS RtlpHeapAllocateVirtual(PVOID *BaseAddress, SIZE_T *RegionSize,
                                                       ULONG AllocationType, ULONG Protect)
{
    HeapEnvironmentMissing();
    return STATUS_NOT_IMPLEMENTED;
}

__attribute__((weak)) NTSTATUS RtlpHeapFreeVirtual(PVOID *BaseAddress, SIZE_T *RegionSize,
                                                   ULONG FreeType)
{
    HeapEnvironmentMissing();
    return STATUS_NOT_IMPLEMENTED;
}

__attribute__((weak)) void RtlpHeapRaiseStatus(NTSTATUS Status)
{
    HeapEnvironmentMissing();
}

__attribute__((weak)) void RtlpHeapReportCorruption(PVOID Heap, PVOID Address, ULONG Reason)
{
    HeapEnvironmentMissing();
}

__attribute__((weak)) ULONG_PTR RtlpHeapCurrentThread(void)
{
    HeapEnvironmentMissing();
    return 0;
}

__attribute__((weak)) NTSTATUS RtlpHeapQueryVirtual(PVOID Address,
                                                    PMEMORY_BASIC_INFORMATION Information)
{
    HeapEnvironmentMissing();
    return STATUS_NOT_IMPLEMENTED;
}

__attribute__((weak)) const RTLP_HEAP_LOCK_ROUTINES *RtlpHeapCallerLockRoutines(void)
{
    HeapEnvironmentMissing();
    return NULL;
}
