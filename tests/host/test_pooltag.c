/*
 * Host tests for mm/pooltag.c: per-tag tracking as poolmon shows it
 * (allocations, frees, bytes in use per tag and pool), exact after a known
 * sequence; the leak check; the dump.
 */
// HOST_SOURCES: mm/pool.c mm/poolblock.c mm/poolpage.c mm/pooltag.c mm/poolcheck.c mm/lookaside.c tests/host/pool_host_env.c
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pool_test.h"

#define TAG_ONE TAG('O', 'n', 'e', ' ')
#define TAG_TWO TAG('T', 'w', 'o', ' ')

/* Bytes are whole blocks with their 8-byte header (units of 8), whole
 * pages for big allocations; frees count when the caller frees, even if
 * a pool lookaside list keeps the block. */
HTEST(pooltag, counts_exact_after_a_known_sequence)
{
    EXP_POOL_TAG_INFO Info;
    HT_ASSERT(!ExpQueryPoolTag(TAG_ONE, NonPagedPool, &Info));
    PVOID A = ExAllocatePoolWithTag(NonPagedPool, 10, TAG_ONE);     /* 24 bytes */
    PVOID B = ExAllocatePoolWithTag(NonPagedPool, 100, TAG_ONE);    /* 112 */
    PVOID C = ExAllocatePoolWithTag(NonPagedPool, 5000, TAG_ONE);   /* 2 pages */
    PVOID D = ExAllocatePoolWithTag(PagedPool, 64, TAG_ONE);        /* 72, paged */
    PVOID E = ExAllocatePoolWithTag(NonPagedPool, 8, TAG_TWO | PROTECTED_POOL);  /* 16 */
    HT_ASSERT(ExpQueryPoolTag(TAG_ONE, NonPagedPool, &Info));
    HT_EQ(Info.Allocs, 3);
    HT_EQ(Info.Frees, 0);
    HT_EQ(Info.Bytes, 24 + 112 + 2 * PAGE_SIZE);
    HT_EQ(ExpPoolTagBytes(TAG_ONE, PagedPool), 72);
    HT_EQ(ExpPoolTagBytes(TAG_TWO, NonPagedPool), 16);   /* PROTECTED_POOL folded in */

    ExFreePool(B);
    ExFreePool(C);
    ExpQueryPoolTag(TAG_ONE, NonPagedPool, &Info);
    HT_EQ(Info.Allocs, 3);
    HT_EQ(Info.Frees, 2);
    HT_EQ(Info.Bytes, 24);

    ExFreePool(A);
    ExFreePool(D);
    ExFreePoolWithTag(E, TAG_TWO | PROTECTED_POOL);
    ExpQueryPoolTag(TAG_ONE, NonPagedPool, &Info);
    HT_EQ(Info.Allocs, 3);
    HT_EQ(Info.Frees, 3);
    HT_EQ(Info.Bytes, 0);
    ExpQueryPoolTag(TAG_ONE, PagedPool, &Info);
    HT_EQ(Info.Allocs, 1);
    HT_EQ(Info.Frees, 1);
    HT_EQ(ExpPoolTagBytes(TAG_TWO, NonPagedPool), 0);
    ValidateBothPools();
}

/* A leak shows as bytes left under the tag. */
HTEST(pooltag, leak_check_sees_a_leak)
{
    PVOID P = ExAllocatePoolWithTag(PagedPool, 200, TAG('L', 'e', 'a', 'k'));
    HT_EQ(ExpPoolTagBytes(TAG('L', 'e', 'a', 'k'), PagedPool), 208);
    ExFreePool(P);
    HT_EQ(ExpPoolTagBytes(TAG('L', 'e', 'a', 'k'), PagedPool), 0);
}

static char DumpBuffer[8192];
static size_t DumpLength;

static ULONG DumpPrint(PCSTR Format, ...)
{
    va_list Args;
    va_start(Args, Format);
    int n = vsnprintf(DumpBuffer + DumpLength, sizeof DumpBuffer - DumpLength, Format, Args);
    va_end(Args);
    if (n > 0)
        DumpLength += (size_t)n;
    return 0;
}

HTEST(pooltag, dump_prints_poolmon_lines)
{
    PVOID P = ExAllocatePoolWithTag(PagedPool, 30, TAG('D', 'm', 'p', '1'));
    DumpLength = 0;
    ExpDumpPoolTags(DumpPrint);
    HT_ASSERT(strstr(DumpBuffer, " Tag  Type") != NULL);
    HT_ASSERT(strstr(DumpBuffer, " Dmp1 Paged          1          0          1         40\n") != NULL);
    ExFreePool(P);
}
