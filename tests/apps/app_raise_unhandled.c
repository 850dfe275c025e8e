// EXPECT_EXIT: 0xE0000042
// app_raise_unhandled.c - a software exception nobody handles ends the
// process with its code as the exit status.
#include <windows.h>
#include <stdio.h>

int main(void)
{
    printf("app/raise_unhandled: raising 0xE0000042 with no handler\n");
    RaiseException(0xE0000042, 0, 0, NULL);
    printf("FAIL app/raise_unhandled: RaiseException returned\n");
    return 1;
}
