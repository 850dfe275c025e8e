/* htest.c - runs every registered host test; see htest.h. */
#include "htest.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HTEST_MAX 1024

static const struct htest *htests[HTEST_MAX];
static int htest_count;
static char htest_reason[512];
int htest_failed_now;

void htest_register(const struct htest *t)
{
    if (htest_count == HTEST_MAX) {
        fprintf(stderr, "htest: too many tests\n");
        exit(2);
    }
    htests[htest_count++] = t;
}

void htest_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(htest_reason, sizeof htest_reason, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(htest_reason + n, sizeof htest_reason - n, fmt, ap);
    va_end(ap);
    htest_failed_now = 1;
}

/* Runs the tests whose "suite/name" contains argv[1] (all when absent). */
int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : "";
    int failed = 0;
    for (int i = 0; i < htest_count; i++) {
        char full[256];
        snprintf(full, sizeof full, "%s/%s", htests[i]->suite, htests[i]->name);
        if (*filter && !strstr(full, filter))
            continue;
        htest_failed_now = 0;
        htests[i]->fn();
        if (htest_failed_now) {
            printf("FAIL host.%s: %s\n", full, htest_reason);
            failed++;
        } else {
            printf("PASS host.%s\n", full);
        }
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
