/*
 * bitmap.h - RTL_BITMAP, NT's bit array: bit i of Buffer describes item i.
 * The system PTE allocator keeps one bit per PTE (set = in use).
 */
#ifndef BITMAP_H
#define BITMAP_H

#include "ntdef.h"

typedef struct _RTL_BITMAP {
    ULONG SizeOfBitMap;     /* bits */
    PULONG Buffer;          /* (SizeOfBitMap + 31) / 32 ULONGs */
} RTL_BITMAP, *PRTL_BITMAP;

void RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap);
void RtlClearAllBits(PRTL_BITMAP BitMapHeader);
void RtlSetAllBits(PRTL_BITMAP BitMapHeader);
void RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet);
void RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear);
BOOLEAN RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber);
BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader);
/* The first run of NumberToFind clear bits at or after HintIndex, wrapping
 * to the start; 0xFFFFFFFF if there is none. */
ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
/* RtlFindClearBits, then sets the run it found. */
ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);

#endif /* BITMAP_H */
