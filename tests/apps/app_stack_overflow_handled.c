/*
 * app_stack_overflow_handled.c - STATUS_STACK_OVERFLOW arrives once, and a
 * vectored handler can see it and run on the pages committed for it; the
 * bottom page of the reservation stays reserved.
 */
/* mingw's NtCurrentTeb (__readfsdword) trips -Warray-bounds at -O2. */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <windows.h>
#include <stdio.h>

static volatile LONG Overflows;
static char *Bottom;

static LONG CALLBACK OnOverflow(PEXCEPTION_POINTERS e)
{
    if (e->ExceptionRecord->ExceptionCode != EXCEPTION_STACK_OVERFLOW)
        return EXCEPTION_CONTINUE_SEARCH;
    Overflows++;
    MEMORY_BASIC_INFORMATION m;
    NT_TIB *tib = (NT_TIB *)NtCurrentTeb();
    VirtualQuery(tib->StackLimit, &m, sizeof(m));
    int committedDown = m.State == MEM_COMMIT && m.Protect == PAGE_READWRITE;
    VirtualQuery(Bottom, &m, sizeof(m));
    int bottomReserved = m.State == MEM_RESERVE && m.BaseAddress == Bottom && m.RegionSize == 4096;
    int nearBottom = (char *)tib->StackLimit - Bottom == 4096;
    printf("%s app/stack_overflow_reaches_a_vectored_handler\n", Overflows == 1 ? "PASS" : "FAIL");
    printf("%s app/stack_overflow_commits_down_to_above_the_bottom_page\n",
           committedDown && nearBottom ? "PASS" : "FAIL");
    printf("%s app/stack_overflow_leaves_the_bottom_page_reserved\n",
           bottomReserved ? "PASS" : "FAIL");
    ExitProcess(committedDown && nearBottom && bottomReserved ? 0 : 1);
    return EXCEPTION_CONTINUE_SEARCH;
}

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
    MEMORY_BASIC_INFORMATION m = { 0 };
    VirtualQuery(&m, &m, sizeof(m));
    Bottom = (char *)m.AllocationBase;
    AddVectoredExceptionHandler(1, OnOverflow);
    return Forever(0);
}
