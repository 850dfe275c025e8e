/*
 * virtual.c - VirtualAlloc, VirtualFree, VirtualProtect, VirtualQuery,
 * VirtualLock, VirtualUnlock and their -Ex forms (Windows: kernelbase's
 * memory.c) over the native services of mm/virtual.c.
 *
 * What kernel32 adds to the native calls, as Windows does: an address
 * below the lowest application address (64 KB) is ERROR_INVALID_PARAMETER
 * before any system call; VirtualFree with MEM_RELEASE takes only a size of
 * 0 (the whole reservation) and says ERROR_INVALID_PARAMETER otherwise; a
 * failed native call stores its Win32 error (BaseSetLastNTError).
 */
#include "kernel32p.h"

#define BASEP_MINIMUM_APPLICATION_ADDRESS ((ULONG_PTR)0x00010000)

LPVOID WINAPI VirtualAllocEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flAllocationType, DWORD flProtect)
{
    if (lpAddress != NULL && (ULONG_PTR)lpAddress < BASEP_MINIMUM_APPLICATION_ADDRESS) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    PVOID Base = lpAddress;
    SIZE_T Size = dwSize;
    NTSTATUS Status = NtAllocateVirtualMemory(hProcess, &Base, 0, &Size, flAllocationType,
                                              flProtect);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return NULL;
    }
    return Base;
}

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType,
                           DWORD flProtect)
{
    return VirtualAllocEx(NtCurrentProcess(), lpAddress, dwSize, flAllocationType, flProtect);
}

BOOL WINAPI VirtualFreeEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
    if ((dwFreeType & MEM_RELEASE) && dwSize != 0) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    PVOID Base = lpAddress;
    SIZE_T Size = dwSize;
    NTSTATUS Status = NtFreeVirtualMemory(hProcess, &Base, &Size, dwFreeType);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
    return VirtualFreeEx(NtCurrentProcess(), lpAddress, dwSize, dwFreeType);
}

BOOL WINAPI VirtualProtectEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flNewProtect, PDWORD lpflOldProtect)
{
    PVOID Base = lpAddress;
    SIZE_T Size = dwSize;
    NTSTATUS Status = NtProtectVirtualMemory(hProcess, &Base, &Size, flNewProtect,
                                             (PULONG)lpflOldProtect);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                           PDWORD lpflOldProtect)
{
    return VirtualProtectEx(NtCurrentProcess(), lpAddress, dwSize, flNewProtect, lpflOldProtect);
}

/* The bytes written to lpBuffer (sizeof(MEMORY_BASIC_INFORMATION)), or 0. */
SIZE_T WINAPI VirtualQueryEx(HANDLE hProcess, LPCVOID lpAddress,
                             PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
{
    SIZE_T Written = 0;
    NTSTATUS Status = NtQueryVirtualMemory(hProcess, (PVOID)lpAddress, MemoryBasicInformation,
                                           lpBuffer, dwLength, &Written);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return 0;
    }
    return Written;
}

SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
{
    return VirtualQueryEx(NtCurrentProcess(), lpAddress, lpBuffer, dwLength);
}

BOOL WINAPI VirtualLock(LPVOID lpAddress, SIZE_T dwSize)
{
    PVOID Base = lpAddress;
    SIZE_T Size = dwSize;
    NTSTATUS Status = NtLockVirtualMemory(NtCurrentProcess(), &Base, &Size, MAP_PROCESS);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;        /* STATUS_WAS_LOCKED too */
}

BOOL WINAPI VirtualUnlock(LPVOID lpAddress, SIZE_T dwSize)
{
    PVOID Base = lpAddress;
    SIZE_T Size = dwSize;
    NTSTATUS Status = NtUnlockVirtualMemory(NtCurrentProcess(), &Base, &Size, MAP_PROCESS);
    if (!NT_SUCCESS(Status)) {
        BaseSetLastNTError(Status);
        return FALSE;
    }
    return TRUE;
}
