// EXPECT_EXIT: 0xC0000005
// app_null_write.c - a write to NULL is an access violation; with no handler
// the process ends with STATUS_ACCESS_VIOLATION as its exit status.
#include <windows.h>
#include <stdio.h>

/* Read through a volatile so the compiler cannot see the NULL and trap. */
static volatile ULONG_PTR Zero;

int main(void)
{
    printf("app/null_write: writing to NULL, expecting exit 0xC0000005\n");
    *(volatile int *)Zero = 1;
    printf("FAIL app/null_write: the write to NULL did not fault\n");
    return 1;
}
