// EXPECT_EXIT: 0xC00000FD
/*
 * app_stack_overflow.c - recursion without end and nothing to catch it:
 * the process ends with STATUS_STACK_OVERFLOW while the kernel and the
 * other programs go on.
 */
#include <windows.h>
#include <stdio.h>

/* Recursion whose end the compiler cannot see (Depth is volatile). */
static volatile int Depth = 0x7FFFFFFF;

static __attribute__((noinline)) int Forever(int n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    if (n == Depth)
        return 0;
    return Forever(n + 1) + frame[0];
}

int main(void)
{
    printf("recursing until the stack runs out\n");
    return Forever(0);
}
