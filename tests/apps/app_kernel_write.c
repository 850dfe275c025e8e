// EXPECT_EXIT: 0xC0000005
// app_kernel_write.c - a user-mode write to the kernel half (0x80000000) is
// an access violation; with no handler the process ends with 0xC0000005.
#include <windows.h>
#include <stdio.h>

static volatile ULONG_PTR KernelAddress = 0x80000000;

int main(void)
{
    printf("app/kernel_write: writing to 0x80000000, expecting exit 0xC0000005\n");
    *(volatile int *)KernelAddress = 1;
    printf("FAIL app/kernel_write: the write to 0x80000000 did not fault\n");
    return 1;
}
