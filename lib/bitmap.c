/*
 * bitmap.c - RTL_BITMAP (see bitmap.h). The search skips whole words that
 * are full, so a mostly used bitmap is scanned 32 bits at a time.
 */
#include "bitmap.h"
#include "ntassert.h"

void RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap)
{
    BitMapHeader->SizeOfBitMap = SizeOfBitMap;
    BitMapHeader->Buffer = BitMapBuffer;
}

static ULONG RtlpWords(PRTL_BITMAP b)
{
    return (b->SizeOfBitMap + 31) / 32;
}

void RtlClearAllBits(PRTL_BITMAP BitMapHeader)
{
    for (ULONG i = 0; i < RtlpWords(BitMapHeader); i++)
        BitMapHeader->Buffer[i] = 0;
}

void RtlSetAllBits(PRTL_BITMAP BitMapHeader)
{
    for (ULONG i = 0; i < RtlpWords(BitMapHeader); i++)
        BitMapHeader->Buffer[i] = 0xFFFFFFFFu;
}

BOOLEAN RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber)
{
    ASSERT(BitNumber < BitMapHeader->SizeOfBitMap);
    return (BitMapHeader->Buffer[BitNumber / 32] >> (BitNumber % 32)) & 1;
}

void RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet)
{
    ASSERT(StartingIndex + NumberToSet <= BitMapHeader->SizeOfBitMap);
    for (ULONG i = StartingIndex; i < StartingIndex + NumberToSet; i++)
        BitMapHeader->Buffer[i / 32] |= 1u << (i % 32);
}

void RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear)
{
    ASSERT(StartingIndex + NumberToClear <= BitMapHeader->SizeOfBitMap);
    for (ULONG i = StartingIndex; i < StartingIndex + NumberToClear; i++)
        BitMapHeader->Buffer[i / 32] &= ~(1u << (i % 32));
}

BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    if (StartingIndex + Length > BitMapHeader->SizeOfBitMap || StartingIndex + Length < StartingIndex)
        return FALSE;
    for (ULONG i = StartingIndex; i < StartingIndex + Length; i++)
        if (RtlTestBit(BitMapHeader, i))
            return FALSE;
    return TRUE;
}

BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    if (StartingIndex + Length > BitMapHeader->SizeOfBitMap || StartingIndex + Length < StartingIndex)
        return FALSE;
    for (ULONG i = StartingIndex; i < StartingIndex + Length; i++)
        if (!RtlTestBit(BitMapHeader, i))
            return FALSE;
    return TRUE;
}

ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader)
{
    ULONG n = 0;
    for (ULONG i = 0; i < BitMapHeader->SizeOfBitMap; i++)
        n += RtlTestBit(BitMapHeader, i);
    return n;
}

/* First clear run of Count bits in [From, To); 0xFFFFFFFF if none. */
static ULONG RtlpFindClearRun(PRTL_BITMAP b, ULONG Count, ULONG From, ULONG To)
{
    ULONG run = 0;
    for (ULONG i = From; i < To;) {
        if (run == 0 && (i % 32) == 0 && i + 32 <= To && b->Buffer[i / 32] == 0xFFFFFFFFu) {
            i += 32;        /* a full word: nothing starts here */
            continue;
        }
        if (RtlTestBit(b, i)) {
            run = 0;
        } else if (++run == Count) {
            return i + 1 - Count;
        }
        i++;
    }
    return 0xFFFFFFFFu;
}

ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG size = BitMapHeader->SizeOfBitMap;
    if (NumberToFind == 0 || NumberToFind > size)
        return 0xFFFFFFFFu;
    if (HintIndex >= size)
        HintIndex = 0;
    ULONG found = RtlpFindClearRun(BitMapHeader, NumberToFind, HintIndex, size);
    if (found == 0xFFFFFFFFu && HintIndex > 0) {
        ULONG to = HintIndex + NumberToFind - 1;
        found = RtlpFindClearRun(BitMapHeader, NumberToFind, 0, to < size ? to : size);
    }
    return found;
}

ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG found = RtlFindClearBits(BitMapHeader, NumberToFind, HintIndex);
    if (found != 0xFFFFFFFFu)
        RtlSetBits(BitMapHeader, found, NumberToFind);
    return found;
}
