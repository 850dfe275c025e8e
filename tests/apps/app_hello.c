// app_hello.c - the first user program: printf formatting and the argument
// vector. Prints PASS app/<name> or FAIL app/<name>: reason per check.
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "apptest.h"

/* snprintf gives C99's results, as the Microsoft C runtime's does since VS2015. */
static void TestFormat(void)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%x|%X|%#x|%o|%c|%s|%.2s|%%",
                     -42, 7, 7, 42, 0xbeef, 0xbeef, 0x1f, 8, 'z', "str", "abc");
    const char *expect = "-42|    7|7    |00042|beef|BEEF|0x1f|10|z|str|ab|%";
    Check(strcmp(buf, expect) == 0 && n == (int)strlen(expect), "hello_snprintf_conversions", buf);

    n = snprintf(buf, 4, "%s", "truncated");
    Check(n == 9 && strcmp(buf, "tru") == 0, "hello_snprintf_truncates_and_counts", buf);

    n = sprintf(buf, "%u %ld %lu", 4000000000u, -5L, 123456789UL);
    Check(strcmp(buf, "4000000000 -5 123456789") == 0 && n == 23, "hello_sprintf_long", buf);

    n = sprintf(buf, "%lld %llx", -1234567890123LL, 0x123456789abcULL);
    Check(strcmp(buf, "-1234567890123 123456789abc") == 0, "hello_sprintf_64bit", buf);

    Check(atoi("  -123") == -123 && strtoul("0x10", NULL, 0) == 16 && strtol("-077", NULL, 8) == -63,
          "hello_atoi_strtoul", "conversion results");

    n = printf("app/hello: printf returns its count\n");
    Check(n == 36, "hello_printf_count", "printf count");
}

static void TestArgv(int argc, char **argv)
{
    char reason[128];
    for (int i = 0; i < argc; i++)
        printf("app/hello: argv[%d] = '%s'\n", i, argv[i]);
    snprintf(reason, sizeof(reason), "argc %d, argv[0] '%s'", argc, argc > 0 ? argv[0] : "");
    Check(argc >= 1 && argv[0] != NULL && strstr(argv[0], "app_hello") != NULL,
          "hello_argv0_is_image_name", reason);
    Check(argv[argc] == NULL, "hello_argv_null_terminated", "argv[argc] not NULL");
}

int main(int argc, char **argv)
{
    puts("app/hello: user mode reached");
    putchar('a');
    putchar('p');
    putchar('p');
    putchar('\n');
    TestFormat();
    TestArgv(argc, argv);
    return Failures ? 1 : 0;
}
