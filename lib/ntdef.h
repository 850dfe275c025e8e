/*
 * ntdef.h - the NT base types, status codes and helper macros.
 *
 * Shared by the kernel, the user runtime and the host unit tests, so every
 * type is defined by its width (ULONG is 32 bits on the 32-bit guest and on
 * the 64-bit host alike) and the pointer-sized ones follow the pointer.
 */
#ifndef NTDEF_H
#define NTDEF_H

#include <stddef.h>
#include <stdint.h>

typedef void VOID, *PVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, *PSTR;
typedef const char *PCSTR, *PCCH;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef short SHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT, WORD, *PWORD, WCHAR, *PWCHAR;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG, DWORD, *PDWORD;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef intptr_t LONG_PTR, *PLONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef size_t SIZE_T, *PSIZE_T;
typedef intptr_t SSIZE_T;
typedef LONG NTSTATUS;
typedef void *HANDLE, **PHANDLE;
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG LOGICAL;

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

#ifndef TRUE
#define TRUE  1
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

#define IN
#define OUT
#define OPTIONAL

#define NT_SUCCESS(Status) ((NTSTATUS)(Status) >= 0)

/* Status codes used across the project (values as in ntstatus.h). */
#define STATUS_SUCCESS                  ((NTSTATUS)0x00000000L)
#define STATUS_TIMEOUT                  ((NTSTATUS)0x00000102L)
#define STATUS_PENDING                  ((NTSTATUS)0x00000103L)
#define STATUS_WAS_LOCKED               ((NTSTATUS)0x40000019L)
#define STATUS_GUARD_PAGE_VIOLATION     ((NTSTATUS)0x80000001L)
#define STATUS_DATATYPE_MISALIGNMENT    ((NTSTATUS)0x80000002L)
#define STATUS_BREAKPOINT               ((NTSTATUS)0x80000003L)
#define STATUS_SINGLE_STEP              ((NTSTATUS)0x80000004L)
#define STATUS_NO_MORE_ENTRIES          ((NTSTATUS)0x8000001AL)
#define STATUS_UNSUCCESSFUL             ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED          ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_INFO_CLASS       ((NTSTATUS)0xC0000003L)
#define STATUS_INFO_LENGTH_MISMATCH     ((NTSTATUS)0xC0000004L)
#define STATUS_ACCESS_VIOLATION         ((NTSTATUS)0xC0000005L)
#define STATUS_IN_PAGE_ERROR            ((NTSTATUS)0xC0000006L)
#define STATUS_INVALID_HANDLE           ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER        ((NTSTATUS)0xC000000DL)
#define STATUS_CONFLICTING_ADDRESSES    ((NTSTATUS)0xC0000018L)
#define STATUS_UNABLE_TO_FREE_VM        ((NTSTATUS)0xC000001AL)
#define STATUS_ALREADY_COMMITTED        ((NTSTATUS)0xC0000021L)
#define STATUS_NOT_LOCKED               ((NTSTATUS)0xC000002AL)
#define STATUS_NOT_COMMITTED            ((NTSTATUS)0xC000002DL)
#define STATUS_PRIVILEGE_NOT_HELD       ((NTSTATUS)0xC0000061L)
#define STATUS_INVALID_PARAMETER_1      ((NTSTATUS)0xC00000EFL)
#define STATUS_INVALID_PARAMETER_2      ((NTSTATUS)0xC00000F0L)
#define STATUS_INVALID_PARAMETER_3      ((NTSTATUS)0xC00000F1L)
#define STATUS_INVALID_PARAMETER_4      ((NTSTATUS)0xC00000F2L)
#define STATUS_INVALID_PARAMETER_5      ((NTSTATUS)0xC00000F3L)
#define STATUS_INVALID_PARAMETER_6      ((NTSTATUS)0xC00000F4L)
#define STATUS_PROCESS_IS_TERMINATING   ((NTSTATUS)0xC000010AL)
#define STATUS_SUSPEND_COUNT_EXCEEDED   ((NTSTATUS)0xC000004AL)
#define STATUS_THREAD_IS_TERMINATING    ((NTSTATUS)0xC000004BL)
#define STATUS_INSUFFICIENT_RESOURCES   ((NTSTATUS)0xC000009AL)
#define STATUS_FREE_VM_NOT_AT_BASE      ((NTSTATUS)0xC000009FL)
#define STATUS_MEMORY_NOT_ALLOCATED     ((NTSTATUS)0xC00000A0L)
#define STATUS_NO_MEMORY                ((NTSTATUS)0xC0000017L)
#define STATUS_INVALID_SYSTEM_SERVICE   ((NTSTATUS)0xC000001CL)
#define STATUS_ILLEGAL_INSTRUCTION      ((NTSTATUS)0xC000001DL)
#define STATUS_NONCONTINUABLE_EXCEPTION ((NTSTATUS)0xC0000025L)
#define STATUS_INVALID_DISPOSITION      ((NTSTATUS)0xC0000026L)
#define STATUS_ACCESS_DENIED            ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL         ((NTSTATUS)0xC0000023L)
#define STATUS_OBJECT_TYPE_MISMATCH     ((NTSTATUS)0xC0000024L)
#define STATUS_INVALID_PAGE_PROTECTION  ((NTSTATUS)0xC0000045L)
#define STATUS_WORKING_SET_QUOTA        ((NTSTATUS)0xC00000A1L)
#define STATUS_ARRAY_BOUNDS_EXCEEDED    ((NTSTATUS)0xC000008CL)
#define STATUS_INTEGER_DIVIDE_BY_ZERO   ((NTSTATUS)0xC0000094L)
#define STATUS_INTEGER_OVERFLOW         ((NTSTATUS)0xC0000095L)
#define STATUS_PRIVILEGED_INSTRUCTION   ((NTSTATUS)0xC0000096L)
#define STATUS_INSUFFICIENT_RESOURCES   ((NTSTATUS)0xC000009AL)
#define STATUS_STACK_OVERFLOW           ((NTSTATUS)0xC00000FDL)
#define STATUS_COMMITMENT_LIMIT         ((NTSTATUS)0xC000012DL)
#define STATUS_HEAP_CORRUPTION          ((NTSTATUS)0xC0000374L)
#define STATUS_NOT_FOUND                ((NTSTATUS)0xC0000225L)

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#define C_ASSERT(e) _Static_assert(e, #e)
#define UNREFERENCED_PARAMETER(p) ((void)(p))

/* wdm.h's: for the hot paths kept in headers (page lists, IRQL, SLIST,
 * lookaside), where a call would cost as much as the work. */
#define FORCEINLINE static inline __attribute__((always_inline))

#endif /* NTDEF_H */
