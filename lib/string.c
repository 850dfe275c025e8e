/*
 * string.c - freestanding string and memory functions (see kstring.h).
 *
 * Plain byte loops except where the kernel spends real time: memcpy and
 * memset move 32-bit words with "rep movsl"/"rep stosl" on x86, which QEMU
 * executes as one instruction per iteration.
 */
#include "kstring.h"

void *KLIB(memcpy)(void *dst, const void *src, size_t n)
{
#if defined(__i386__) && !defined(HOST_BUILD)
    void *ret = dst;
    size_t words = n >> 2;
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
    n &= 3;
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return ret;
#else
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
#endif
}

void *KLIB(memmove)(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return KLIB(memcpy)(dst, src, n);
    /* Overlap with dst above src: copy backwards. */
    while (n--)
        d[n] = s[n];
    return dst;
}

void *KLIB(memset)(void *dst, int c, size_t n)
{
#if defined(__i386__) && !defined(HOST_BUILD)
    void *ret = dst;
    unsigned int fill = (unsigned char)c * 0x01010101u;
    size_t words = n >> 2;
    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(words) : "a"(fill) : "memory");
    n &= 3;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(fill) : "memory");
    return ret;
#else
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
#endif
}

int KLIB(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

void *KLIB(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

size_t KLIB(strlen)(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t KLIB(strnlen)(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int KLIB(strcmp)(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int KLIB(strncmp)(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *KLIB(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *KLIB(strrchr)(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

char *KLIB(strstr)(const char *haystack, const char *needle)
{
    size_t n = KLIB(strlen)(needle);
    for (; *haystack; haystack++)
        if (KLIB(strncmp)(haystack, needle, n) == 0)
            return (char *)haystack;
    return n == 0 ? (char *)haystack : NULL;
}

char *KLIB(strcpy)(char *dst, const char *src)
{
    char *d = dst;
    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

/* As C's strncpy: pads with NULs, does not terminate a src of length >= n. */
char *KLIB(strncpy)(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *KLIB(strcat)(char *dst, const char *src)
{
    KLIB(strcpy)(dst + KLIB(strlen)(dst), src);
    return dst;
}

static int KlpDigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/* Base 0 takes a 0x prefix as hex and a leading 0 as octal, as C does. */
unsigned long KLIB(strtoul)(const char *s, char **end, int base)
{
    unsigned long v = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '+')
        s++;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
        KlpDigit(s[2]) < 16) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }
    for (; KlpDigit(*s) < base; s++)
        v = v * (unsigned long)base + (unsigned long)KlpDigit(*s);
    if (end)
        *end = (char *)s;
    return v;
}
