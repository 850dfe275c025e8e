/* Host tests for lib/string.c, checked against the C standard's results. */
#include "htest.h"
#include "kstring.h"

HTEST(string, memcpy_copies_and_returns_dst)
{
    char src[37], dst[40];
    for (int i = 0; i < 37; i++) src[i] = (char)i;
    memset(dst, 0x55, sizeof dst);
    HT_EQ(kl_memcpy(dst, src, 37), dst);
    HT_ASSERT(memcmp(dst, src, 37) == 0);
    HT_EQ(dst[37], 0x55);
}

HTEST(string, memmove_handles_both_overlaps)
{
    char a[16] = "0123456789";
    kl_memmove(a + 2, a, 8);
    HT_ASSERT(memcmp(a, "0101234567", 10) == 0);
    char b[16] = "0123456789";
    kl_memmove(b, b + 2, 8);
    HT_ASSERT(memcmp(b, "2345678989", 10) == 0);
}

HTEST(string, memset_fills_exactly_n)
{
    unsigned char a[11];
    memset(a, 1, sizeof a);
    kl_memset(a, 0xAB, 9);
    for (int i = 0; i < 9; i++) HT_EQ(a[i], 0xAB);
    HT_EQ(a[9], 1);
}

HTEST(string, memcmp_sign_and_unsigned_bytes)
{
    HT_ASSERT(kl_memcmp("abc", "abd", 3) < 0);
    HT_ASSERT(kl_memcmp("abd", "abc", 3) > 0);
    HT_ASSERT(kl_memcmp("abc", "abd", 2) == 0);
    HT_ASSERT(kl_memcmp("\x80", "\x01", 1) > 0);   /* compared as unsigned char */
}

HTEST(string, str_functions)
{
    char buf[32];
    HT_EQ(kl_strlen(""), 0);
    HT_EQ(kl_strlen("hello"), 5);
    HT_EQ(kl_strnlen("hello", 3), 3);
    HT_ASSERT(kl_strcmp("a", "b") < 0 && kl_strcmp("b", "a") > 0 && kl_strcmp("x", "x") == 0);
    HT_ASSERT(kl_strncmp("abcX", "abcY", 3) == 0 && kl_strncmp("ab", "abc", 3) < 0);
    HT_EQ(kl_strchr("hello", 'l') - (char *)"hello" >= 0, 1);
    const char *s = "hello";
    HT_EQ(kl_strchr(s, 'l'), s + 2);
    HT_EQ(kl_strrchr(s, 'l'), s + 3);
    HT_EQ(kl_strchr(s, 0), s + 5);
    HT_EQ(kl_strchr(s, 'z'), NULL);
    HT_EQ(kl_strstr(s, "ll"), s + 2);
    HT_EQ(kl_strstr(s, ""), s);
    HT_EQ(kl_strstr(s, "lo!"), NULL);
    kl_strcpy(buf, "ab");
    kl_strcat(buf, "cd");
    HT_ASSERT(strcmp(buf, "abcd") == 0);
    memset(buf, 'x', sizeof buf);
    kl_strncpy(buf, "ab", 5);
    HT_ASSERT(memcmp(buf, "ab\0\0\0x", 6) == 0);
}

HTEST(string, strtoul_bases)
{
    char *end;
    HT_EQ(kl_strtoul("1234xyz", &end, 10), 1234);
    HT_EQ(*end, 'x');
    HT_EQ(kl_strtoul("0x1F", NULL, 0), 31);
    HT_EQ(kl_strtoul("017", NULL, 0), 15);
    HT_EQ(kl_strtoul("ff", NULL, 16), 255);
    HT_EQ(kl_strtoul("  42", NULL, 0), 42);
    HT_EQ(kl_strtoul("0x", &end, 0), 0);
    HT_EQ(*end, 'x');
}
