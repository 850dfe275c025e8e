/* Host tests for lib/bitmap.c (RTL_BITMAP). */
#include "htest.h"
#include "bitmap.h"
#include <stdlib.h>

HTEST(bitmap, set_clear_test)
{
    ULONG buf[4];
    RTL_BITMAP b;
    RtlInitializeBitMap(&b, buf, 100);
    RtlClearAllBits(&b);
    RtlSetBits(&b, 30, 5);
    HT_EQ(RtlNumberOfSetBits(&b), 5);
    HT_ASSERT(RtlAreBitsSet(&b, 30, 5));
    HT_ASSERT(!RtlAreBitsSet(&b, 29, 2));
    HT_ASSERT(RtlAreBitsClear(&b, 0, 30));
    HT_ASSERT(!RtlAreBitsClear(&b, 90, 11));     /* past the end */
    RtlClearBits(&b, 31, 2);
    HT_EQ(RtlTestBit(&b, 30), 1);
    HT_EQ(RtlTestBit(&b, 31), 0);
    HT_EQ(RtlNumberOfSetBits(&b), 3);
}

HTEST(bitmap, find_clear_with_hint_and_wrap)
{
    ULONG buf[4];
    RTL_BITMAP b;
    RtlInitializeBitMap(&b, buf, 128);
    RtlSetAllBits(&b);
    RtlClearBits(&b, 10, 4);
    RtlClearBits(&b, 70, 8);
    HT_EQ(RtlFindClearBits(&b, 4, 0), 10);
    HT_EQ(RtlFindClearBits(&b, 5, 0), 70);
    HT_EQ(RtlFindClearBits(&b, 4, 20), 70);
    HT_EQ(RtlFindClearBits(&b, 4, 100), 10);     /* wraps to the start */
    HT_EQ(RtlFindClearBits(&b, 9, 0), 0xFFFFFFFFu);
    HT_EQ(RtlFindClearBitsAndSet(&b, 8, 0), 70);
    HT_EQ(RtlFindClearBits(&b, 5, 0), 0xFFFFFFFFu);
}

HTEST(bitmap, random_against_reference)
{
    enum { N = 1000 };
    ULONG buf[(N + 31) / 32];
    unsigned char ref[N] = { 0 };
    RTL_BITMAP b;
    RtlInitializeBitMap(&b, buf, N);
    RtlClearAllBits(&b);
    srand(7);
    for (int step = 0; step < 20000; step++) {
        ULONG len = 1 + (ULONG)rand() % 20, hint = (ULONG)rand() % N;
        if (rand() % 2) {
            ULONG got = RtlFindClearBitsAndSet(&b, len, hint);
            /* reference: first run at or after hint, else from 0 */
            ULONG want = 0xFFFFFFFFu;
            for (int pass = 0; pass < 2 && want == 0xFFFFFFFFu; pass++) {
                ULONG from = pass ? 0 : hint, run = 0;
                for (ULONG i = from; i < N; i++) {
                    run = ref[i] ? 0 : run + 1;
                    if (run == len) { want = i + 1 - len; break; }
                }
            }
            HT_EQ(got, want);
            if (got != 0xFFFFFFFFu)
                for (ULONG i = got; i < got + len; i++) ref[i] = 1;
        } else {
            ULONG start = (ULONG)rand() % (N - len);
            RtlClearBits(&b, start, len);
            for (ULONG i = start; i < start + len; i++) ref[i] = 0;
        }
    }
    for (ULONG i = 0; i < N; i++)
        HT_EQ(RtlTestBit(&b, i), ref[i]);
}
