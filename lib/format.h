/*
 * format.h - printf-style formatting shared by DbgPrint, the user runtime's
 * printf and the host tests.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags "-0+ #", width and
 * precision (also as *), length modifiers hh h l ll z and I64 (MSVC's spelling,
 * which Windows code uses for 64-bit values). Unknown conversions are printed
 * as they appear, so a bad format is visible rather than silently eaten.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include "ntdef.h"

/* Receives each character produced; Context is the caller's. */
typedef void (*PRTL_FORMAT_SINK)(char c, void *Context);

/* Formats Format with Args into Sink; returns the number of characters. */
int RtlFormatV(PRTL_FORMAT_SINK Sink, void *Context, const char *Format, va_list Args);

/*
 * Formats into Buffer of Size bytes, always NUL-terminated when Size > 0.
 * Returns the length the full output has (as C99's vsnprintf), so a caller
 * can tell truncation by a result >= Size.
 */
int RtlStringVPrintf(char *Buffer, size_t Size, const char *Format, va_list Args);
int RtlStringPrintf(char *Buffer, size_t Size, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* FORMAT_H */
