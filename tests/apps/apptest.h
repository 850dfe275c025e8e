/*
 * apptest.h - the reporting the test programs share: Check prints
 * "PASS app/name" or "FAIL app/name: reason" (the runner counts both) and
 * counts failures; R() formats a reason. Plain C, so the programs still
 * build with a Windows compiler.
 */
#ifndef APPTEST_H
#define APPTEST_H

#include <stdio.h>

static int Failures;

static void Check(int ok, const char *name, const char *reason)
{
    if (ok) {
        printf("PASS app/%s\n", name);
    } else {
        printf("FAIL app/%s: %s\n", name, reason);
        Failures++;
    }
}

static char Reason[200] __attribute__((unused));   /* for R(); not every program uses it */
#define R(...) (snprintf(Reason, sizeof(Reason), __VA_ARGS__), Reason)

#endif /* APPTEST_H */
