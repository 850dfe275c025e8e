/*
 * malloc.c - the C allocation functions over the process heap, as the
 * Windows C runtime has them: malloc -> HeapAlloc -> RtlAllocateHeap
 * (seed 002's call chain).
 */
#include <windows.h>
#include <stdlib.h>

void *malloc(size_t size)
{
    return HeapAlloc(GetProcessHeap(), 0, size);
}

void *calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        return NULL;                    /* count * size would overflow */
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, count * size);
}

/* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL. */
void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return HeapReAlloc(GetProcessHeap(), 0, ptr, size);
}

void free(void *ptr)
{
    if (ptr != NULL)
        HeapFree(GetProcessHeap(), 0, ptr);
}
