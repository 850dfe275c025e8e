/*
 * error.c - RtlNtStatusToDosError: the Win32 error code that kernel32 stores
 * with SetLastError when a native call fails (NT: ntdll's error.c, a table
 * generated from the real system's mapping).
 *
 * This table covers the statuses of lib/ntdef.h; the values are Windows'
 * (as Wine's conformance tests in dlls/ntdll/tests/error.c check them). Some
 * exception codes map to themselves, as on Windows. The rules before the
 * table are Windows' too: success is 0, a customer status (bit 29) is
 * returned as is, 0xDxxxxxxx reads as 0xCxxxxxxx, and 0xC001xxxx / 0x8007xxxx
 * carry a Win32 code in their low word. Anything else: ERROR_MR_MID_NOT_FOUND.
 */
#include "ntdllp.h"

typedef struct _RTLP_STATUS_MAP {
    NTSTATUS Status;
    ULONG Error;
} RTLP_STATUS_MAP;

static const RTLP_STATUS_MAP RtlpStatusMap[] = {
    { STATUS_TIMEOUT,                  ERROR_TIMEOUT },
    { STATUS_PENDING,                  ERROR_IO_PENDING },
    { STATUS_GUARD_PAGE_VIOLATION,     (ULONG)STATUS_GUARD_PAGE_VIOLATION },
    { STATUS_DATATYPE_MISALIGNMENT,    ERROR_NOACCESS },
    { STATUS_BREAKPOINT,               (ULONG)STATUS_BREAKPOINT },
    { STATUS_SINGLE_STEP,              (ULONG)STATUS_SINGLE_STEP },
    { STATUS_NO_MORE_ENTRIES,          ERROR_NO_MORE_ITEMS },
    { STATUS_UNSUCCESSFUL,             ERROR_GEN_FAILURE },
    { STATUS_NOT_IMPLEMENTED,          ERROR_INVALID_FUNCTION },
    { STATUS_INVALID_INFO_CLASS,       ERROR_INVALID_PARAMETER },
    { STATUS_INFO_LENGTH_MISMATCH,     ERROR_BAD_LENGTH },
    { STATUS_ACCESS_VIOLATION,         ERROR_NOACCESS },
    { STATUS_IN_PAGE_ERROR,            ERROR_SWAPERROR },
    { STATUS_INVALID_HANDLE,           ERROR_INVALID_HANDLE },
    { STATUS_INVALID_PARAMETER,        ERROR_INVALID_PARAMETER },
    { STATUS_NO_MEMORY,                ERROR_NOT_ENOUGH_MEMORY },
    { STATUS_CONFLICTING_ADDRESSES,    ERROR_INVALID_ADDRESS },
    { STATUS_UNABLE_TO_FREE_VM,        ERROR_INVALID_PARAMETER },
    { STATUS_ILLEGAL_INSTRUCTION,      ERROR_INVALID_FUNCTION },
    { STATUS_ACCESS_DENIED,            ERROR_ACCESS_DENIED },
    { STATUS_BUFFER_TOO_SMALL,         ERROR_INSUFFICIENT_BUFFER },
    { STATUS_OBJECT_TYPE_MISMATCH,     ERROR_INVALID_HANDLE },
    { STATUS_NONCONTINUABLE_EXCEPTION, (ULONG)STATUS_NONCONTINUABLE_EXCEPTION },
    { STATUS_INVALID_DISPOSITION,      (ULONG)STATUS_INVALID_DISPOSITION },
    { STATUS_INVALID_PAGE_PROTECTION,  ERROR_INVALID_PARAMETER },
    { STATUS_ARRAY_BOUNDS_EXCEEDED,    (ULONG)STATUS_ARRAY_BOUNDS_EXCEEDED },
    { STATUS_INTEGER_DIVIDE_BY_ZERO,   (ULONG)STATUS_INTEGER_DIVIDE_BY_ZERO },
    { STATUS_INTEGER_OVERFLOW,         ERROR_ARITHMETIC_OVERFLOW },
    { STATUS_PRIVILEGED_INSTRUCTION,   (ULONG)STATUS_PRIVILEGED_INSTRUCTION },
    { STATUS_INSUFFICIENT_RESOURCES,   ERROR_NO_SYSTEM_RESOURCES },
    { STATUS_FREE_VM_NOT_AT_BASE,      ERROR_INVALID_ADDRESS },
    { STATUS_MEMORY_NOT_ALLOCATED,     ERROR_INVALID_ADDRESS },
    { STATUS_WORKING_SET_QUOTA,        ERROR_WORKING_SET_QUOTA },
    { STATUS_STACK_OVERFLOW,           ERROR_STACK_OVERFLOW },
    { STATUS_COMMITMENT_LIMIT,         ERROR_COMMITMENT_LIMIT },
};

ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status)
{
    ULONG Code = (ULONG)Status;

    if (Code == 0 || (Code & 0x20000000))
        return Code;
    if ((Code & 0xF0000000) == 0xD0000000)
        Code &= ~0x10000000u;
    for (SIZE_T i = 0; i < ARRAYSIZE(RtlpStatusMap); i++)
        if ((ULONG)RtlpStatusMap[i].Status == Code)
            return RtlpStatusMap[i].Error;
    if ((Code >> 16) == 0xC001 || (Code >> 16) == 0x8007)
        return Code & 0xFFFF;
    return ERROR_MR_MID_NOT_FOUND;
}
