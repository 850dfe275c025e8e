/*
 * stdio.c - printf and friends over the console (see <stdio.h>).
 *
 * stdout collects a line and writes it with one NtDisplayString at '\n', when
 * the buffer fills, and at exit (ExitProcess calls CrtpFlushAll), so that a
 * test line reaches the serial port whole. stderr writes at once. One lock
 * (CrtpStdioLock, recursive) covers both buffers, so threads' lines do not mix.
 */
#include <stdio.h>
#include "../kernel32/kernel32p.h"
#include "format.h"
#include "kstring.h"

struct _iobuf {
    char Buffer[BUFSIZ];
    size_t Used;
    BOOLEAN LineBuffered;
};

static FILE CrtpStdout = { .LineBuffered = TRUE };
static FILE CrtpStderr = { .LineBuffered = FALSE };
FILE *const stdout = &CrtpStdout;
FILE *const stderr = &CrtpStderr;
static RTLP_LOCK CrtpStdioLock;

int fflush(FILE *stream)
{
    if (stream == NULL) {
        CrtpFlushAll();
        return 0;
    }
    RtlpAcquireLock(&CrtpStdioLock);
    if (stream->Used) {
        RtlpDisplayText(stream->Buffer, stream->Used);
        stream->Used = 0;
    }
    RtlpReleaseLock(&CrtpStdioLock);
    return 0;
}

void CrtpFlushAll(void)
{
    fflush(stdout);
    fflush(stderr);
}

int fputc(int c, FILE *stream)
{
    RtlpAcquireLock(&CrtpStdioLock);
    stream->Buffer[stream->Used++] = (char)c;
    if (stream->Used == sizeof(stream->Buffer) || !stream->LineBuffered || c == '\n')
        fflush(stream);
    RtlpReleaseLock(&CrtpStdioLock);
    return (unsigned char)c;
}

int putc(int c, FILE *stream)
{
    return fputc(c, stream);
}

int putchar(int c)
{
    return fputc(c, stdout);
}

int fputs(const char *s, FILE *stream)
{
    RtlpAcquireLock(&CrtpStdioLock);
    if (!stream->LineBuffered) {
        fflush(stream);
        RtlpDisplayText(s, strlen(s));
    } else {
        while (*s)
            fputc(*s++, stream);
    }
    RtlpReleaseLock(&CrtpStdioLock);
    return 0;
}

int puts(const char *s)
{
    RtlpAcquireLock(&CrtpStdioLock);
    fputs(s, stdout);
    fputc('\n', stdout);
    RtlpReleaseLock(&CrtpStdioLock);
    return 0;
}

static void CrtpFileSink(char c, void *Context)
{
    FILE *stream = Context;
    /* stderr too is collected, then written once per call (below). */
    stream->Buffer[stream->Used++] = c;
    if (stream->Used == sizeof(stream->Buffer) || (stream->LineBuffered && c == '\n'))
        fflush(stream);
}

int vfprintf(FILE *stream, const char *format, va_list args)
{
    RtlpAcquireLock(&CrtpStdioLock);
    int n = RtlFormatV(CrtpFileSink, stream, format, args);
    if (!stream->LineBuffered)
        fflush(stream);
    RtlpReleaseLock(&CrtpStdioLock);
    return n;
}

int fprintf(FILE *stream, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(stream, format, args);
    va_end(args);
    return n;
}

int vprintf(const char *format, va_list args)
{
    return vfprintf(stdout, format, args);
}

int printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(stdout, format, args);
    va_end(args);
    return n;
}

int vsnprintf(char *buffer, size_t size, const char *format, va_list args)
{
    return RtlStringVPrintf(buffer, size, format, args);
}

int snprintf(char *buffer, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = RtlStringVPrintf(buffer, size, format, args);
    va_end(args);
    return n;
}

int vsprintf(char *buffer, const char *format, va_list args)
{
    /* Unbounded, as C's sprintf: the caller promised the room. */
    return RtlStringVPrintf(buffer, (size_t)-1 / 2, format, args);
}

int sprintf(char *buffer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsprintf(buffer, format, args);
    va_end(args);
    return n;
}
