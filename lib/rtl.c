/* rtl.c - the Rtl memory functions (see rtl.h). */
#include "rtl.h"
#include "kstring.h"

void RtlCopyMemory(void *Destination, const void *Source, SIZE_T Length)
{
    /* The DDK maps RtlCopyMemory to memcpy: overlap is the caller's bug. */
    KLIB(memcpy)(Destination, Source, Length);
}

void RtlMoveMemory(void *Destination, const void *Source, SIZE_T Length)
{
    KLIB(memmove)(Destination, Source, Length);
}

void RtlFillMemory(void *Destination, SIZE_T Length, UCHAR Fill)
{
    KLIB(memset)(Destination, Fill, Length);
}

void RtlZeroMemory(void *Destination, SIZE_T Length)
{
    KLIB(memset)(Destination, 0, Length);
}

SIZE_T RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

BOOLEAN RtlEqualMemory(const void *Source1, const void *Source2, SIZE_T Length)
{
    return RtlCompareMemory(Source1, Source2, Length) == Length;
}

/* Source must be ULONG aligned and Length a multiple of 4, as on NT. */
SIZE_T RtlCompareMemoryUlong(const void *Source, SIZE_T Length, ULONG Value)
{
    const ULONG *p = Source;
    SIZE_T n = 0;
    while (n + sizeof(ULONG) <= Length && *p == Value) {
        p++;
        n += sizeof(ULONG);
    }
    return n;
}
