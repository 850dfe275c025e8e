/*
 * stdlib.c - exit, abort and the number conversions of <stdlib.h>
 * (strtoul is lib/string.c's, shared with the kernel).
 */
#include <stdlib.h>
#include "../kernel32/kernel32p.h"
#include "kstring.h"

void exit(int status)
{
    ExitProcess((UINT)status);
}

void abort(void)
{
    static const char Message[] = "abort() called\n";
    CrtpFlushAll();
    RtlpDisplayText(Message, sizeof(Message) - 1);
    ExitProcess(3);
}

long strtol(const char *s, char **end, int base)
{
    const char *p = s;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        p++;
    BOOLEAN Negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    char *stop;
    unsigned long Magnitude = strtoul(p, &stop, base);
    if (end)
        *end = stop == p ? (char *)s : stop;
    return Negative ? -(long)Magnitude : (long)Magnitude;
}

long atol(const char *s)
{
    return strtol(s, NULL, 10);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

int abs(int n)
{
    return n < 0 ? -n : n;
}

long labs(long n)
{
    return n < 0 ? -n : n;
}
