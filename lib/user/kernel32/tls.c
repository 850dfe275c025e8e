/*
 * tls.c - thread local storage: TlsAlloc, TlsFree, TlsGetValue, TlsSetValue
 * (Windows: kernel32's thread.c), and the runtime's list of its threads.
 *
 * TLS_MINIMUM_AVAILABLE (64) slots live in each TEB (TlsSlots); which are
 * taken is a bitmap here (Windows keeps it in the PEB, whose fields at that
 * offset this kernel uses for the command line). Windows' 1,024 expansion
 * slots are not provided: the 65th TlsAlloc is TLS_OUT_OF_INDEXES.
 *
 * TlsFree clears the slot in every thread of the process. Windows asks the
 * kernel (NtSetInformationThread, ThreadZeroTlsCell); here the runtime knows
 * its threads: every TEB is on BasepThreadList through TEB.TlsLinks (the
 * first thread from crt0, the others from BaseThreadStart) until ExitThread
 * or TerminateThread takes it off. One lock, BasepTlsLock, covers the bitmap
 * and the list.
 */
#include "kernel32p.h"

static RTLP_LOCK BasepTlsLock;
static ULONG BasepTlsBitmap[TLS_MINIMUM_AVAILABLE / 32];
static LIST_ENTRY BasepThreadList = { &BasepThreadList, &BasepThreadList };

void BasepRegisterThread(PTEB Teb)
{
    RtlpAcquireLock(&BasepTlsLock);
    InsertTailList(&BasepThreadList, &Teb->TlsLinks);
    RtlpReleaseLock(&BasepTlsLock);
}

void BasepUnregisterThread(PTEB Teb)
{
    RtlpAcquireLock(&BasepTlsLock);
    if (Teb->TlsLinks.Flink != NULL) {
        RemoveEntryList(&Teb->TlsLinks);
        Teb->TlsLinks.Flink = Teb->TlsLinks.Blink = NULL;
    }
    RtlpReleaseLock(&BasepTlsLock);
}

/*
 * TerminateThread's work for a thread with a TEB: off the list (under the
 * lock, so the thread cannot be in the middle of taking itself off), its
 * stack marked for release, then ended.
 */
NTSTATUS BasepTerminateRegisteredThread(HANDLE Thread, PTEB Teb, NTSTATUS ExitStatus)
{
    RtlpAcquireLock(&BasepTlsLock);
    BOOLEAN Linked = Teb->TlsLinks.Flink != NULL;
    if (Linked)
        RemoveEntryList(&Teb->TlsLinks);
    Teb->FreeStackOnTermination = TRUE;
    NTSTATUS Status = NtTerminateThread(Thread, ExitStatus);
    if (!NT_SUCCESS(Status) && Linked)
        InsertTailList(&BasepThreadList, &Teb->TlsLinks);
    RtlpReleaseLock(&BasepTlsLock);
    return Status;
}

/* The lowest free index, its slot zeroed in this thread; TLS_OUT_OF_INDEXES if none. */
DWORD WINAPI TlsAlloc(VOID)
{
    DWORD Index = TLS_OUT_OF_INDEXES;
    RtlpAcquireLock(&BasepTlsLock);
    for (DWORD i = 0; i < TLS_MINIMUM_AVAILABLE; i++)
        if (!(BasepTlsBitmap[i / 32] & (1u << (i % 32)))) {
            BasepTlsBitmap[i / 32] |= 1u << (i % 32);
            NtCurrentTeb()->TlsSlots[i] = NULL;
            Index = i;
            break;
        }
    RtlpReleaseLock(&BasepTlsLock);
    if (Index == TLS_OUT_OF_INDEXES)
        BaseSetLastNTError(STATUS_NO_MEMORY);   /* what Windows reports */
    return Index;
}

/* Frees an allocated index and zeroes its slot in every thread. */
BOOL WINAPI TlsFree(DWORD dwTlsIndex)
{
    BOOL Ok = FALSE;
    RtlpAcquireLock(&BasepTlsLock);
    if (dwTlsIndex < TLS_MINIMUM_AVAILABLE &&
        (BasepTlsBitmap[dwTlsIndex / 32] & (1u << (dwTlsIndex % 32)))) {
        for (PLIST_ENTRY Link = BasepThreadList.Flink; Link != &BasepThreadList;
             Link = Link->Flink)
            CONTAINING_RECORD(Link, TEB, TlsLinks)->TlsSlots[dwTlsIndex] = NULL;
        NtCurrentTeb()->TlsSlots[dwTlsIndex] = NULL;
        BasepTlsBitmap[dwTlsIndex / 32] &= ~(1u << (dwTlsIndex % 32));
        Ok = TRUE;
    }
    RtlpReleaseLock(&BasepTlsLock);
    if (!Ok)
        SetLastError(ERROR_INVALID_PARAMETER);
    return Ok;
}

/* The calling thread's value; the last error is ERROR_SUCCESS on success,
 * so that a stored NULL can be told from a failure. */
LPVOID WINAPI TlsGetValue(DWORD dwTlsIndex)
{
    if (dwTlsIndex >= TLS_MINIMUM_AVAILABLE) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    PTEB Teb = NtCurrentTeb();
    Teb->LastErrorValue = ERROR_SUCCESS;
    return Teb->TlsSlots[dwTlsIndex];
}

BOOL WINAPI TlsSetValue(DWORD dwTlsIndex, LPVOID lpTlsValue)
{
    if (dwTlsIndex >= TLS_MINIMUM_AVAILABLE) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NtCurrentTeb()->TlsSlots[dwTlsIndex] = lpTlsValue;
    return TRUE;
}
