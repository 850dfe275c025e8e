// EXPECT_EXIT: 0xC0000374
/*
 * app_heap_double_free.c - freeing a block twice ends the process with
 * STATUS_HEAP_CORRUPTION, as modern Windows does; the kernel and the other
 * programs go on.
 */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    HANDLE h = GetProcessHeap();
    void *p = HeapAlloc(h, 0, 100);
    HeapFree(h, 0, p);
    printf("freeing the block a second time\n");
    HeapFree(h, 0, p);
    printf("FAIL app/heap_double_free_was_not_caught\n");
    return 1;
}
