/*
 * debug.c - DbgPrint and the runtime's one path to the console: text goes to
 * NtDisplayString as a UNICODE_STRING, which the kernel prints on serial.
 * (NT's DbgPrint goes to the kernel debugger; this kernel's console is the
 * serial line, so the two are the same place here.)
 */
#include "ntdllp.h"
#include "format.h"

/* Characters per NtDisplayString call: a UNICODE_STRING counts bytes in a USHORT. */
#define RTLP_DISPLAY_CHUNK 256

void RtlpDisplayText(const char *Text, SIZE_T Length)
{
    WCHAR Wide[RTLP_DISPLAY_CHUNK];
    while (Length > 0) {
        SIZE_T n = Length < RTLP_DISPLAY_CHUNK ? Length : RTLP_DISPLAY_CHUNK;
        /* Bytes widen one to one: ASCII exactly, other bytes as Latin-1. */
        for (SIZE_T i = 0; i < n; i++)
            Wide[i] = (UCHAR)Text[i];
        UNICODE_STRING String = { (USHORT)(n * sizeof(WCHAR)), (USHORT)(n * sizeof(WCHAR)), Wide };
        NtDisplayString(&String);
        Text += n;
        Length -= n;
    }
}

ULONG DbgPrint(PCSTR Format, ...)
{
    char Buffer[512];
    va_list Args;
    va_start(Args, Format);
    int n = RtlStringVPrintf(Buffer, sizeof(Buffer), Format, Args);
    va_end(Args);
    if (n >= (int)sizeof(Buffer))
        n = sizeof(Buffer) - 1;
    if (n > 0)
        RtlpDisplayText(Buffer, (SIZE_T)n);
    return STATUS_SUCCESS;
}
