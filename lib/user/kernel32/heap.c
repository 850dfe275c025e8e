/*
 * heap.c - the Win32 heap functions over the Rtl heap (lib/heap.c), and the
 * process heap every program starts with.
 *
 *   malloc -> HeapAlloc(GetProcessHeap()) -> RtlAllocateHeap -> (a new
 *   page) NtAllocateVirtualMemory(MEM_COMMIT)          (seed 002's chain)
 *
 * HeapCreate(flOptions, dwInitialSize, dwMaximumSize): a maximum of 0 makes
 * a growable heap (more segments are reserved as needed), otherwise the
 * maximum is reserved up front and the heap never grows past it.
 */
#include "kernel32p.h"
#include "heap.h"
#include <string.h>

#define BASEP_MAX_HEAPS 64
static HANDLE BasepHeaps[BASEP_MAX_HEAPS];     /* for GetProcessHeaps */

/* The process heap's reservation: a link-time setting, 1 MB by default. */
extern char __ntmm_heap_reserve[] __attribute__((weak));

static void BasepRememberHeap(HANDLE Heap, BOOL Add)
{
    for (int i = 0; i < BASEP_MAX_HEAPS; i++)
        if (Add ? BasepHeaps[i] == NULL : BasepHeaps[i] == Heap) {
            BasepHeaps[i] = Add ? Heap : NULL;
            return;
        }
}

void BasepCreateProcessHeap(void)
{
    SIZE_T reserve = (SIZE_T)(ULONG_PTR)__ntmm_heap_reserve;
    if (reserve == 0)
        reserve = 0x100000;
    PPEB peb = NtCurrentTeb()->ProcessEnvironmentBlock;
    peb->ProcessHeap = RtlCreateHeap(HEAP_GROWABLE, NULL, reserve, 0, NULL, NULL);
    if (peb->ProcessHeap)
        BasepRememberHeap(peb->ProcessHeap, TRUE);
}

HANDLE WINAPI GetProcessHeap(void)
{
    return NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap;
}

DWORD WINAPI GetProcessHeaps(DWORD NumberOfHeaps, PHANDLE ProcessHeaps)
{
    DWORD n = 0;
    for (int i = 0; i < BASEP_MAX_HEAPS; i++)
        if (BasepHeaps[i]) {
            if (n < NumberOfHeaps)
                ProcessHeaps[n] = BasepHeaps[i];
            n++;
        }
    return n;
}

HANDLE WINAPI HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize)
{
    ULONG flags = flOptions & (HEAP_NO_SERIALIZE | HEAP_GENERATE_EXCEPTIONS |
                               HEAP_CREATE_ENABLE_EXECUTE);
    SIZE_T reserve = dwMaximumSize;
    if (dwMaximumSize == 0) {
        flags |= HEAP_GROWABLE;
        reserve = dwInitialSize > 0x100000 ? dwInitialSize : 0x100000;
    } else if (dwInitialSize > dwMaximumSize) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    HANDLE h = RtlCreateHeap(flags, NULL, reserve, dwInitialSize, NULL, NULL);
    if (h == NULL)
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    else
        BasepRememberHeap(h, TRUE);
    return h;
}

BOOL WINAPI HeapDestroy(HANDLE hHeap)
{
    if (hHeap == GetProcessHeap()) {
        SetLastError(ERROR_INVALID_PARAMETER);      /* the process heap stays */
        return FALSE;
    }
    if (RtlDestroyHeap(hHeap) != NULL) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    BasepRememberHeap(hHeap, FALSE);
    return TRUE;
}

/*
 * HeapAlloc, HeapReAlloc and HeapSize are ntdll's Rtl calls under other
 * names, as Windows' kernel32 forwards them: one jump each, since both
 * sides are stdcall with the same arguments. HeapFree widens RtlFreeHeap's
 * BOOLEAN to a BOOL on the way back, so it calls. (Its FALSE never comes
 * in user mode: a heap that finds damage ends the process.)
 */
__asm__(".text\n"
        ".globl HeapAlloc\n.type HeapAlloc, @function\nHeapAlloc: jmp RtlAllocateHeap\n"
        ".globl HeapReAlloc\n.type HeapReAlloc, @function\nHeapReAlloc: jmp RtlReAllocateHeap\n"
        ".globl HeapSize\n.type HeapSize, @function\nHeapSize: jmp RtlSizeHeap\n"
        ".globl HeapFree\n.type HeapFree, @function\nHeapFree:\n"
        "    pushl 12(%esp)\n    pushl 12(%esp)\n    pushl 12(%esp)\n"
        "    call RtlFreeHeap\n    movzbl %al, %eax\n    ret $12\n");

BOOL WINAPI HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem)
{
    return RtlValidateHeap(hHeap, dwFlags, lpMem);
}

SIZE_T WINAPI HeapCompact(HANDLE hHeap, DWORD dwFlags)
{
    return RtlCompactHeap(hHeap, dwFlags);
}

BOOL WINAPI HeapLock(HANDLE hHeap)
{
    return RtlLockHeap(hHeap);
}

BOOL WINAPI HeapUnlock(HANDLE hHeap)
{
    return RtlUnlockHeap(hHeap);
}

/*
 * HeapCompatibilityInformation: 2 (the low-fragmentation heap) is what
 * growable heaps start with; 0 and 1 (none, lookaside lists) may be chosen
 * until the LFH has handed out a block. HeapEnableTerminationOnCorruption
 * is always on here.
 */
BOOL WINAPI HeapSetInformation(HANDLE HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                               PVOID HeapInformation, SIZE_T HeapInformationLength)
{
    NTSTATUS s = RtlSetHeapInformation(HeapHandle, HeapInformationClass, HeapInformation,
                                       HeapInformationLength);
    if (!NT_SUCCESS(s)) {
        BaseSetLastNTError(s);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI HeapQueryInformation(HANDLE HeapHandle, HEAP_INFORMATION_CLASS HeapInformationClass,
                                 PVOID HeapInformation, SIZE_T HeapInformationLength,
                                 PSIZE_T ReturnLength)
{
    NTSTATUS s = RtlQueryHeapInformation(HeapHandle, HeapInformationClass, HeapInformation,
                                         HeapInformationLength, ReturnLength);
    if (!NT_SUCCESS(s)) {
        BaseSetLastNTError(s);
        return FALSE;
    }
    return TRUE;
}

/* A walk starts with lpData NULL and ends with ERROR_NO_MORE_ITEMS. */
BOOL WINAPI HeapWalk(HANDLE hHeap, LPPROCESS_HEAP_ENTRY lpEntry)
{
    RTL_HEAP_WALK_ENTRY rtl;
    memset(&rtl, 0, sizeof(rtl));
    if (lpEntry->lpData != NULL) {
        rtl.DataAddress = lpEntry->lpData;
        rtl.DataSize = lpEntry->cbData;
        rtl.OverheadBytes = lpEntry->cbOverhead;
        rtl.SegmentIndex = lpEntry->iRegionIndex;
        if (lpEntry->wFlags & PROCESS_HEAP_REGION)
            rtl.Flags = RTL_HEAP_SEGMENT;
        else if (lpEntry->wFlags & PROCESS_HEAP_UNCOMMITTED_RANGE)
            rtl.Flags = RTL_HEAP_UNCOMMITTED_RANGE;
        else if (lpEntry->wFlags & PROCESS_HEAP_ENTRY_BUSY)
            rtl.Flags = RTL_HEAP_BUSY;
    }
    NTSTATUS s = RtlWalkHeap(hHeap, &rtl);
    if (!NT_SUCCESS(s)) {
        SetLastError(s == STATUS_NO_MORE_ENTRIES ? ERROR_NO_MORE_ITEMS : RtlNtStatusToDosError(s));
        return FALSE;
    }
    RtlpHeapWalkEntryToProcessHeapEntry(&rtl, lpEntry);
    return TRUE;
}
