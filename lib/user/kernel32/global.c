/*
 * global.c - LocalAlloc/GlobalAlloc and friends (seeds 000 and 002): the
 * 16-bit Windows memory API kept alive over the process heap.
 *
 *   FIXED     the handle is the pointer (a process-heap block)
 *   MOVEABLE  the handle names an entry that holds the pointer; Lock counts
 *             up and returns it, Unlock counts down, and ReAlloc may move
 *             the block while nothing holds it locked
 *
 *   entry (process heap, 8-byte aligned)      handle = &entry->Object
 *   +--------+------+------+--------------+    (so handle % 8 == 4, while
 *   | Flags  | Lock | Sig  | Object ------+--> every fixed block is 8-byte
 *   +--------+------+------+--------------+    aligned: the two never mix)
 *
 * A moveable allocation of 0 bytes is "discarded": a handle with no block.
 * The LMEM_ and GMEM_ flags used here have the same values, so Local* and
 * Global* share the code.
 */
#include "kernel32p.h"
#include "heap.h"

#define BASEP_HANDLE_SIGNATURE 0x47     /* 'G' */

typedef struct _BASE_HANDLE_ENTRY {
    USHORT Flags;
    UCHAR LockCount;
    UCHAR Signature;
    PVOID Object;
} BASE_HANDLE_ENTRY;

static BASE_HANDLE_ENTRY *BasepEntry(HGLOBAL hMem)
{
    ULONG_PTR h = (ULONG_PTR)hMem;
    if ((h & 7) != 4)
        return NULL;
    BASE_HANDLE_ENTRY *e = (BASE_HANDLE_ENTRY *)(h - 4);
    /* Look before touching: a stale or foreign handle must not fault. */
    if (!HeapValidate(GetProcessHeap(), 0, e) || e->Signature != BASEP_HANDLE_SIGNATURE)
        return NULL;
    return e;
}

static BOOL BasepIsFixedBlock(HGLOBAL hMem)
{
    return hMem != NULL && ((ULONG_PTR)hMem & 7) == 0 && HeapValidate(GetProcessHeap(), 0, hMem);
}

HGLOBAL WINAPI GlobalAlloc(UINT uFlags, SIZE_T dwBytes)
{
    DWORD heapFlags = (uFlags & GMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0;
    if (uFlags & ~GMEM_VALID_FLAGS) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!(uFlags & GMEM_MOVEABLE)) {
        HGLOBAL p = HeapAlloc(GetProcessHeap(), heapFlags, dwBytes);
        if (p == NULL)
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return p;
    }
    BASE_HANDLE_ENTRY *e = HeapAlloc(GetProcessHeap(), 0, sizeof(*e));
    if (e == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    e->Flags = (USHORT)uFlags;
    e->LockCount = 0;
    e->Signature = BASEP_HANDLE_SIGNATURE;
    e->Object = NULL;
    if (dwBytes != 0) {
        e->Object = HeapAlloc(GetProcessHeap(), heapFlags, dwBytes);
        if (e->Object == NULL) {
            HeapFree(GetProcessHeap(), 0, e);
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return NULL;
        }
    }
    return (HGLOBAL)&e->Object;
}

LPVOID WINAPI GlobalLock(HGLOBAL hMem)
{
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (e == NULL) {
        if (BasepIsFixedBlock(hMem))
            return hMem;                /* fixed: the handle is the pointer */
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    if (e->Object == NULL) {
        SetLastError(ERROR_DISCARDED);
        return NULL;
    }
    if (e->LockCount < GMEM_LOCKCOUNT)
        e->LockCount++;
    return e->Object;
}

BOOL WINAPI GlobalUnlock(HGLOBAL hMem)
{
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (e == NULL) {
        if (BasepIsFixedBlock(hMem))
            return TRUE;
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (e->LockCount == 0) {
        SetLastError(ERROR_NOT_LOCKED);
        return FALSE;
    }
    if (--e->LockCount == 0) {
        SetLastError(NO_ERROR);
        return FALSE;                   /* unlocked now: zero, with NO_ERROR */
    }
    return TRUE;
}

SIZE_T WINAPI GlobalSize(HGLOBAL hMem)
{
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (e != NULL)
        return e->Object ? HeapSize(GetProcessHeap(), 0, e->Object) : 0;
    if (BasepIsFixedBlock(hMem))
        return HeapSize(GetProcessHeap(), 0, hMem);
    SetLastError(ERROR_INVALID_HANDLE);
    return 0;
}

UINT WINAPI GlobalFlags(HGLOBAL hMem)
{
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (e != NULL)
        return e->LockCount | (e->Object ? 0 : GMEM_DISCARDED) | (e->Flags & GMEM_DISCARDABLE);
    if (BasepIsFixedBlock(hMem))
        return 0;
    SetLastError(ERROR_INVALID_HANDLE);
    return GMEM_INVALID_HANDLE;
}

HGLOBAL WINAPI GlobalReAlloc(HGLOBAL hMem, SIZE_T dwBytes, UINT uFlags)
{
    DWORD heapFlags = (uFlags & GMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0;
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (uFlags & GMEM_MODIFY) {
        /* Only the attributes change (GMEM_DISCARDABLE); the block stays. */
        if (e)
            e->Flags = (USHORT)((e->Flags & ~GMEM_DISCARDABLE) | (uFlags & GMEM_DISCARDABLE));
        return hMem;
    }
    if (e == NULL) {
        if (!BasepIsFixedBlock(hMem)) {
            SetLastError(ERROR_INVALID_HANDLE);
            return NULL;
        }
        /* A fixed block moves only when the caller allows it (GMEM_MOVEABLE). */
        if (!(uFlags & GMEM_MOVEABLE))
            heapFlags |= HEAP_REALLOC_IN_PLACE_ONLY;
        HGLOBAL p = HeapReAlloc(GetProcessHeap(), heapFlags, hMem, dwBytes);
        if (p == NULL)
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return p;
    }
    if (dwBytes == 0) {
        /* Moveable to zero bytes: discard the block, keep the handle (unlocked only). */
        if (e->LockCount) {
            SetLastError(ERROR_INVALID_PARAMETER);
            return NULL;
        }
        if (e->Object)
            HeapFree(GetProcessHeap(), 0, e->Object);
        e->Object = NULL;
        return hMem;
    }
    PVOID p;
    if (e->Object == NULL)
        p = HeapAlloc(GetProcessHeap(), heapFlags, dwBytes);
    else
        p = HeapReAlloc(GetProcessHeap(), heapFlags | (e->LockCount ? HEAP_REALLOC_IN_PLACE_ONLY : 0),
                        e->Object, dwBytes);
    if (p == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    e->Object = p;
    return hMem;
}

HGLOBAL WINAPI GlobalFree(HGLOBAL hMem)
{
    if (hMem == NULL)
        return NULL;
    BASE_HANDLE_ENTRY *e = BasepEntry(hMem);
    if (e != NULL) {
        if (e->Object)
            HeapFree(GetProcessHeap(), 0, e->Object);
        e->Signature = 0;
        HeapFree(GetProcessHeap(), 0, e);
        return NULL;
    }
    if (BasepIsFixedBlock(hMem) && HeapFree(GetProcessHeap(), 0, hMem))
        return NULL;
    SetLastError(ERROR_INVALID_HANDLE);
    return hMem;                        /* failure: the handle comes back */
}

HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes) { return GlobalAlloc(uFlags, uBytes); }
LPVOID WINAPI LocalLock(HLOCAL hMem) { return GlobalLock(hMem); }
BOOL WINAPI LocalUnlock(HLOCAL hMem) { return GlobalUnlock(hMem); }
SIZE_T WINAPI LocalSize(HLOCAL hMem) { return GlobalSize(hMem); }
UINT WINAPI LocalFlags(HLOCAL hMem) { return GlobalFlags(hMem); }
HLOCAL WINAPI LocalReAlloc(HLOCAL hMem, SIZE_T uBytes, UINT uFlags) { return GlobalReAlloc(hMem, uBytes, uFlags); }
HLOCAL WINAPI LocalFree(HLOCAL hMem) { return GlobalFree(hMem); }
