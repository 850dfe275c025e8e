/* Host tests for lib/format.c: each case is compared with the host's own
 * snprintf where C defines the result, and with Windows' output for %p. */
#include "htest.h"
#include "format.h"
#include <string.h>
#include <stdarg.h>

/* No format attribute: the cases below are deliberately outside C's rules. */
static int Unchecked(char *Buffer, size_t Size, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = RtlStringVPrintf(Buffer, Size, Format, ap);
    va_end(ap);
    return n;
}

#define CHECK_LIKE_LIBC(fmt, ...) do {                                      \
        char ours[128], theirs[128];                                        \
        int n1 = RtlStringPrintf(ours, sizeof ours, fmt, __VA_ARGS__);      \
        int n2 = snprintf(theirs, sizeof theirs, fmt, __VA_ARGS__);         \
        if (n1 != n2 || strcmp(ours, theirs) != 0) {                        \
            htest_fail(__FILE__, __LINE__, "%s: got \"%s\" (%d), want \"%s\" (%d)", \
                       fmt, ours, n1, theirs, n2);                          \
            return; } } while (0)

HTEST(format, integers_like_c)
{
    CHECK_LIKE_LIBC("%d|%i|%u", -42, 7, 4000000000u);
    CHECK_LIKE_LIBC("%x|%X|%o", 0xBEEFu, 0xBEEFu, 8u);
    CHECK_LIKE_LIBC("%5d|%-5d|%05d", 42, 42, -42);
    CHECK_LIKE_LIBC("%+d|% d|%+d", 5, 5, -5);
    CHECK_LIKE_LIBC("%#x|%#o|%#X", 255u, 8u, 0u);
    CHECK_LIKE_LIBC("%.3d|%8.3x|%.0d", 7, 0xAu, 0);
    CHECK_LIKE_LIBC("%lld|%llx|%llu", -1234567890123LL, 0x123456789ABCDEFULL, 18446744073709551615ULL);
    CHECK_LIKE_LIBC("%hd|%hhu|%zu", (short)-3, (unsigned char)300, (size_t)99);
    CHECK_LIKE_LIBC("%d", -2147483647 - 1);
    CHECK_LIKE_LIBC("%*d|%-*d", 6, 1, 6, 2);
}

HTEST(format, strings_and_chars)
{
    CHECK_LIKE_LIBC("[%s]|[%10s]|[%-10s]|[%.2s]", "abc", "abc", "abc", "abc");
    CHECK_LIKE_LIBC("[%c]|[%3c]|[%-3c]|%%", 'x', 'y', 'z');
}

HTEST(format, msvc_i64_and_null_string)
{
    char buf[64];
    Unchecked(buf, sizeof buf, "%I64x %I64d", 0x100000000ULL, -5LL);
    HT_ASSERT(strcmp(buf, "100000000 -5") == 0);
    Unchecked(buf, sizeof buf, "%s", (char *)NULL);
    HT_ASSERT(strcmp(buf, "(null)") == 0);
}

HTEST(format, pointer_is_fixed_width_upper_hex)
{
    char buf[64], want[64];
    RtlStringPrintf(buf, sizeof buf, "%p", (void *)0x1234);
    snprintf(want, sizeof want, "%0*llX", (int)(2 * sizeof(void *)), 0x1234ULL);
    HT_ASSERT(strcmp(buf, want) == 0);
}

HTEST(format, truncation_reports_full_length)
{
    char buf[5];
    memset(buf, 'x', sizeof buf);
    HT_EQ(RtlStringPrintf(buf, sizeof buf, "%s", "abcdefgh"), 8);
    HT_ASSERT(strcmp(buf, "abcd") == 0);
    HT_EQ(RtlStringPrintf(buf, 0, "%d", 123), 3);
    HT_EQ(buf[0], 'a');
}

HTEST(format, unknown_conversion_is_visible)
{
    char buf[32];
    Unchecked(buf, sizeof buf, "a%qb");
    HT_ASSERT(strcmp(buf, "a%qb") == 0);
    Unchecked(buf, sizeof buf, "end%");
    HT_ASSERT(strcmp(buf, "end%") == 0);
}
