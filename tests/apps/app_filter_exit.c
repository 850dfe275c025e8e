// EXPECT_EXIT: 0xC0000005
// app_filter_exit.c - an unhandled-exception filter returning
// EXCEPTION_EXECUTE_HANDLER: the process ends quietly with the exception code
// as its exit status (what Windows' process start-up frame does).
#include <windows.h>
#include <stdio.h>

static volatile ULONG_PTR Zero;

static LONG WINAPI ExecuteHandlerFilter(EXCEPTION_POINTERS *Info)
{
    printf("app/filter_exit: filter called for 0x%lx, ending the process\n",
           (unsigned long)Info->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

int main(void)
{
    SetUnhandledExceptionFilter(ExecuteHandlerFilter);
    *(volatile int *)Zero = 1;
    printf("FAIL app/filter_exit: execution went on after the filter\n");
    return 1;
}
