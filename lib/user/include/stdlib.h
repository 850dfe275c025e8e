/*
 * stdlib.h - process exit and number conversion for user programs.
 * malloc, calloc, realloc and free use the process heap (HeapAlloc).
 */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

#ifndef NULL
#define NULL ((void *)0)
#endif
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* Flushes stdout and ends the process with status (ExitProcess). */
void exit(int status) __attribute__((noreturn));
/* Ends the process with status 3, as the Microsoft C runtime's abort does. */
void abort(void) __attribute__((noreturn));

int atoi(const char *s);
long atol(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int abs(int n);
long labs(long n);

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);

#endif /* _STDLIB_H */
