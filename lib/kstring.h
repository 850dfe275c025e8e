/*
 * kstring.h - the freestanding C string and memory functions.
 *
 * In the kernel and the user runtime these are the standard names (gcc emits
 * calls to memcpy/memset by itself). Built for the host unit tests
 * (HOST_BUILD), the same code is compiled under a kl_ prefix so that it is
 * tested without clashing with the host's libc.
 */
#ifndef KSTRING_H
#define KSTRING_H

#include "ntdef.h"

#ifdef HOST_BUILD
#include <string.h>     /* other host code uses the libc names */
#define KLIB(name) kl_##name
#else
#define KLIB(name) name
#endif

void *KLIB(memcpy)(void *dst, const void *src, size_t n);
void *KLIB(memmove)(void *dst, const void *src, size_t n);
void *KLIB(memset)(void *dst, int c, size_t n);
int KLIB(memcmp)(const void *a, const void *b, size_t n);
void *KLIB(memchr)(const void *s, int c, size_t n);
size_t KLIB(strlen)(const char *s);
size_t KLIB(strnlen)(const char *s, size_t max);
int KLIB(strcmp)(const char *a, const char *b);
int KLIB(strncmp)(const char *a, const char *b, size_t n);
char *KLIB(strchr)(const char *s, int c);
char *KLIB(strrchr)(const char *s, int c);
char *KLIB(strstr)(const char *haystack, const char *needle);
char *KLIB(strcpy)(char *dst, const char *src);
char *KLIB(strncpy)(char *dst, const char *src, size_t n);
char *KLIB(strcat)(char *dst, const char *src);
unsigned long KLIB(strtoul)(const char *s, char **end, int base);

#endif /* KSTRING_H */
