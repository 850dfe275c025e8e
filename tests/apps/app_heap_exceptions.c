/*
 * app_heap_exceptions.c - HEAP_GENERATE_EXCEPTIONS: a fixed heap that is
 * full raises STATUS_NO_MEMORY instead of returning NULL.
 */
#include <windows.h>
#include <stdio.h>

static LONG CALLBACK OnNoMemory(PEXCEPTION_POINTERS e)
{
    int ok = (DWORD)e->ExceptionRecord->ExceptionCode == (DWORD)STATUS_NO_MEMORY;
    printf("%s app/heap_generate_exceptions_raises_no_memory\n", ok ? "PASS" : "FAIL");
    ExitProcess(ok ? 0 : 1);
    return EXCEPTION_CONTINUE_SEARCH;
}

int main(void)
{
    HANDLE h = HeapCreate(HEAP_GENERATE_EXCEPTIONS, 0, 0x10000);
    AddVectoredExceptionHandler(1, OnNoMemory);
    for (int i = 0; i < 1000; i++)
        HeapAlloc(h, 0, 1024);
    printf("FAIL app/heap_generate_exceptions_raises_no_memory: no exception\n");
    return 1;
}
