/*
 * rtl.h - the Rtl memory functions of wdm.h.
 *
 * RtlCopyMemory, RtlFillMemory and RtlZeroMemory are macros in the DDK; here
 * they are functions with the same parameters so they can be tested and
 * stepped into. RtlCompareMemory returns the number of bytes that match
 * before the first difference (not a sign, unlike memcmp); RtlEqualMemory is
 * TRUE when all Length bytes match.
 */
#ifndef RTL_H
#define RTL_H

#include "ntdef.h"

void RtlCopyMemory(void *Destination, const void *Source, SIZE_T Length);
void RtlMoveMemory(void *Destination, const void *Source, SIZE_T Length);
void RtlFillMemory(void *Destination, SIZE_T Length, UCHAR Fill);
void RtlZeroMemory(void *Destination, SIZE_T Length);
SIZE_T RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length);
BOOLEAN RtlEqualMemory(const void *Source1, const void *Source2, SIZE_T Length);

/* The count of consecutive bytes from Source that equal Value (ntoskrnl's). */
SIZE_T RtlCompareMemoryUlong(const void *Source, SIZE_T Length, ULONG Value);

#define ROUND_TO_PAGES_SIZE(Size, PageSize) (((Size) + (PageSize) - 1) & ~((PageSize) - 1))

#endif /* RTL_H */
