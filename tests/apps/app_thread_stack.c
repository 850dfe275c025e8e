/*
 * app_thread_stack.c - stacks of CreateThread threads grow by guard page
 * like the main thread's, and a thread created with a small reservation
 * (STACK_SIZE_PARAM_IS_A_RESERVATION) overflows sooner: its vectored
 * handler sees STATUS_STACK_OVERFLOW after about 64 KB, not 1 MB.
 */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <windows.h>
#include <stdio.h>

static volatile LONG Depth;
static volatile DWORD OverflowThread;

static __attribute__((noinline)) int Deep(int n, int Max)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    Depth = n;
    if (n == Max)
        return 0;
    return Deep(n + 1, Max) + frame[0];
}

static DWORD WINAPI GrowQuietly(LPVOID Parameter)
{
    (void)Parameter;
    Deep(0, 200);                               /* 200 KB: about 50 guard pages */
    NT_TIB *tib = (NT_TIB *)NtCurrentTeb();
    return (DWORD)(((char *)tib->StackBase - (char *)tib->StackLimit) / 4096);
}

static DWORD WINAPI OverflowSoon(LPVOID Parameter)
{
    (void)Parameter;
    Deep(0, 0x7FFFFFFF);
    return 1;                                   /* not reached */
}

static LONG CALLBACK OnOverflow(PEXCEPTION_POINTERS e)
{
    if (e->ExceptionRecord->ExceptionCode != EXCEPTION_STACK_OVERFLOW)
        return EXCEPTION_CONTINUE_SEARCH;
    OverflowThread = GetCurrentThreadId();
    ExitThread(0xFD);                           /* this thread ends; the process goes on */
    return EXCEPTION_CONTINUE_SEARCH;
}

int main(void)
{
    DWORD code = 0, id = 0;
    HANDLE t = CreateThread(NULL, 0, GrowQuietly, NULL, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    printf("thread stack: %u pages committed after 200 KB of frames\n", (unsigned)code);
    printf("%s app/thread_stack_grows_by_guard_page_without_an_exception\n",
           code >= 50 && code < 64 ? "PASS" : "FAIL");

    AddVectoredExceptionHandler(1, OnOverflow);
    t = CreateThread(NULL, 0x10000, OverflowSoon, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, &id);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    int ok = code == 0xFD && OverflowThread == id && Depth > 40 && Depth < 64;
    printf("small stack: overflow at %d KB of frames\n", (int)Depth);
    printf("%s app/thread_with_64k_reservation_overflows_after_about_64k\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
