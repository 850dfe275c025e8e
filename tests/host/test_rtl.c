/* Host tests for lib/rtl.c: the DDK's Rtl memory functions. */
#include "htest.h"
#include "rtl.h"
#include <string.h>

HTEST(rtl, copy_move_fill_zero)
{
    char a[16] = "abcdefghijklmno", b[16];
    RtlCopyMemory(b, a, 16);
    HT_ASSERT(memcmp(a, b, 16) == 0);
    RtlMoveMemory(a + 1, a, 5);
    HT_ASSERT(memcmp(a, "aabcdeghij", 10) == 0);
    RtlFillMemory(b, 4, 'z');
    HT_ASSERT(memcmp(b, "zzzzefgh", 8) == 0);
    RtlZeroMemory(b + 1, 2);
    HT_ASSERT(memcmp(b, "z\0\0zefgh", 8) == 0);
}

HTEST(rtl, compare_memory_returns_matching_length)
{
    /* Unlike memcmp, RtlCompareMemory counts the bytes that match. */
    HT_EQ(RtlCompareMemory("abcdef", "abcXef", 6), 3);
    HT_EQ(RtlCompareMemory("abc", "abc", 3), 3);
    HT_EQ(RtlCompareMemory("abc", "xbc", 3), 0);
    HT_EQ(RtlCompareMemory("abc", "xyz", 0), 0);
}

HTEST(rtl, equal_memory)
{
    HT_EQ(RtlEqualMemory("abcd", "abcd", 4), TRUE);
    HT_EQ(RtlEqualMemory("abcd", "abce", 4), FALSE);
    HT_EQ(RtlEqualMemory("abcd", "abce", 3), TRUE);
}

HTEST(rtl, compare_memory_ulong)
{
    unsigned int v[4] = { 7, 7, 7, 8 };
    HT_EQ(RtlCompareMemoryUlong(v, sizeof v, 7), 12);
    HT_EQ(RtlCompareMemoryUlong(v, 8, 7), 8);
    HT_EQ(RtlCompareMemoryUlong(v, sizeof v, 8), 0);
}
