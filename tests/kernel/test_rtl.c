/* The Rtl memory functions and formatting, compiled for the 32-bit kernel
 * (the word-at-a-time paths of memcpy/memset only run here). */
#include "ntddk.h"
#include "ktest.h"
#include "format.h"

static UCHAR KtpA[300], KtpB[300];

KTEST(rtl, copy_memory_every_length_and_alignment)
{
    for (ULONG i = 0; i < sizeof(KtpA); i++)
        KtpA[i] = (UCHAR)(i * 7 + 1);
    for (ULONG off = 0; off < 4; off++)
        for (ULONG len = 0; len < 40; len++) {
            memset(KtpB, 0xEE, sizeof(KtpB));
            RtlCopyMemory(KtpB + off, KtpA + 3, len);
            KT_EQ(RtlCompareMemory(KtpB + off, KtpA + 3, len), len);
            KT_EQ(KtpB[off + len], 0xEE);
            if (off)
                KT_EQ(KtpB[off - 1], 0xEE);
        }
}

KTEST(rtl, move_memory_overlapping)
{
    for (ULONG i = 0; i < 64; i++)
        KtpA[i] = (UCHAR)i;
    RtlMoveMemory(KtpA + 5, KtpA, 50);
    for (ULONG i = 0; i < 50; i++)
        KT_EQ(KtpA[i + 5], i);
    RtlMoveMemory(KtpA, KtpA + 5, 50);
    for (ULONG i = 0; i < 50; i++)
        KT_EQ(KtpA[i], i);
}

KTEST(rtl, fill_and_zero_exact_extent)
{
    memset(KtpA, 1, 64);
    RtlFillMemory(KtpA + 1, 61, 0xAB);
    KT_EQ(KtpA[0], 1);
    KT_EQ(KtpA[62], 1);
    KT_EQ(RtlCompareMemoryUlong(KtpA + 4, 56, 0xABABABAB), 56);
    RtlZeroMemory(KtpA + 2, 7);
    KT_EQ(KtpA[1], 0xAB);
    KT_EQ(KtpA[9], 0xAB);
    for (ULONG i = 2; i < 9; i++)
        KT_EQ(KtpA[i], 0);
}

KTEST(rtl, compare_memory_counts_matching_bytes)
{
    KT_EQ(RtlCompareMemory("kernel", "kernal", 6), 4);
    KT_EQ(RtlEqualMemory("abc", "abc", 3), TRUE);
    KT_EQ(RtlEqualMemory("abc", "abd", 3), FALSE);
}

KTEST(rtl, format_64_bit_in_32_bit_kernel)
{
    char buf[64];
    RtlStringPrintf(buf, sizeof(buf), "%llu %llx %08X %-4d|", 12345678901234ULL,
                    0xFEDCBA9876ULL, 0xBEEFu, -7);
    KT_ASSERT(strcmp(buf, "12345678901234 fedcba9876 0000BEEF -7  |") == 0);
}
