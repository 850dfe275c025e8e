/*
 * app_stack_guarantee.c - SetThreadStackGuarantee: the overflow handler gets
 * the bytes asked for. Without a guarantee a handler that needs 12 KB of
 * stack would run into the bottom page of the reservation; with 24 KB
 * guaranteed it runs, and the guarantee is there for the asking.
 */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <windows.h>
#include <stdio.h>

static volatile int Depth = 0x7FFFFFFF;

static LONG CALLBACK OnOverflow(PEXCEPTION_POINTERS e)
{
    if (e->ExceptionRecord->ExceptionCode != EXCEPTION_STACK_OVERFLOW)
        return EXCEPTION_CONTINUE_SEARCH;
    volatile char room[12 * 1024];              /* the handler's own big frame */
    for (int i = 0; i < (int)sizeof(room); i += 512)
        room[i] = (char)i;
    NT_TIB *tib = (NT_TIB *)NtCurrentTeb();
    MEMORY_BASIC_INFORMATION m;
    VirtualQuery((char *)tib->StackLimit, &m, sizeof(m));
    printf("PASS app/stack_guarantee_handler_runs_on_the_guaranteed_bytes\n");
    printf("%s app/stack_guarantee_bytes_committed_below_the_overflow\n",
           m.State == MEM_COMMIT && room[512] == (char)512 ? "PASS" : "FAIL");
    ExitProcess(0);
    return EXCEPTION_CONTINUE_SEARCH;
}

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
    ULONG size = 24 * 1024;
    BOOL first = SetThreadStackGuarantee(&size);
    printf("%s app/stack_guarantee_set_returns_the_previous_zero\n",
           first && size == 0 ? "PASS" : "FAIL");
    size = 4096;
    BOOL smaller = SetThreadStackGuarantee(&size);
    printf("%s app/stack_guarantee_never_shrinks\n",
           smaller && size == 24 * 1024 ? "PASS" : "FAIL");
    size = 0x200000;                            /* more than the 1 MB reservation */
    printf("%s app/stack_guarantee_past_the_reservation_fails\n",
           !SetThreadStackGuarantee(&size) && GetLastError() == ERROR_STACK_OVERFLOW ? "PASS" : "FAIL");
    AddVectoredExceptionHandler(1, OnOverflow);
    return Forever(0);
}
