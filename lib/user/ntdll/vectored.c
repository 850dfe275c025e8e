/*
 * vectored.c - vectored exception handlers (NT: ntdll's vectxcpt.c).
 *
 * A process-wide list walked before any SEH frame. FirstHandler nonzero puts
 * a handler at the head, otherwise at the tail, as Windows does; the first
 * handler to return EXCEPTION_CONTINUE_EXECUTION ends the walk.
 *
 * Windows allocates the entries from the process heap; the heap is not in
 * user mode yet, so they come from a fixed pool (AddVectored... returns NULL
 * when it is used up, as Windows does when the allocation fails). The list
 * and the pool are under RtlpVectoredLock, held over the walk too (Windows
 * holds its lock while it calls the handlers); it is recursive, so a handler
 * may add or remove handlers.
 */
#include "ntdllp.h"
#include "list.h"

#define RTLP_MAX_VECTORED_HANDLERS 32

typedef struct _RTLP_VECTORED_HANDLER {
    LIST_ENTRY ListEntry;
    PVECTORED_EXCEPTION_HANDLER Handler;
    BOOLEAN InUse;
} RTLP_VECTORED_HANDLER;

static RTLP_VECTORED_HANDLER RtlpVectoredPool[RTLP_MAX_VECTORED_HANDLERS];
static LIST_ENTRY RtlpVectoredList = { &RtlpVectoredList, &RtlpVectoredList };
static RTLP_LOCK RtlpVectoredLock;

/* list.h's corruption hook: Windows fast-fails the process. */
void RtlpListCorrupted(PLIST_ENTRY Entry)
{
    RtlpRaiseFailed(STATUS_STACK_BUFFER_OVERRUN);
}

PVOID NTAPI RtlAddVectoredExceptionHandler(ULONG FirstHandler,
                                           PVECTORED_EXCEPTION_HANDLER VectoredHandler)
{
    RtlpAcquireLock(&RtlpVectoredLock);
    for (ULONG i = 0; i < RTLP_MAX_VECTORED_HANDLERS; i++) {
        RTLP_VECTORED_HANDLER *Entry = &RtlpVectoredPool[i];
        if (Entry->InUse)
            continue;
        Entry->InUse = TRUE;
        Entry->Handler = VectoredHandler;
        if (FirstHandler)
            InsertHeadList(&RtlpVectoredList, &Entry->ListEntry);
        else
            InsertTailList(&RtlpVectoredList, &Entry->ListEntry);
        RtlpReleaseLock(&RtlpVectoredLock);
        return Entry;
    }
    RtlpReleaseLock(&RtlpVectoredLock);
    return NULL;
}

/* Returns nonzero if Handle was a registered handler (now removed), else 0. */
ULONG NTAPI RtlRemoveVectoredExceptionHandler(PVOID Handle)
{
    ULONG Found = FALSE;
    RtlpAcquireLock(&RtlpVectoredLock);
    for (PLIST_ENTRY Link = RtlpVectoredList.Flink; Link != &RtlpVectoredList;
         Link = Link->Flink) {
        RTLP_VECTORED_HANDLER *Entry = CONTAINING_RECORD(Link, RTLP_VECTORED_HANDLER, ListEntry);
        if (Entry == Handle) {
            RemoveEntryList(Link);
            Entry->InUse = FALSE;
            Found = TRUE;
            break;
        }
    }
    RtlpReleaseLock(&RtlpVectoredLock);
    return Found;
}

BOOLEAN RtlpCallVectoredHandlers(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context)
{
    EXCEPTION_POINTERS Pointers = { ExceptionRecord, Context };
    BOOLEAN Continue = FALSE;
    RtlpAcquireLock(&RtlpVectoredLock);
    PLIST_ENTRY Link = RtlpVectoredList.Flink;
    while (Link != &RtlpVectoredList) {
        RTLP_VECTORED_HANDLER *Entry = CONTAINING_RECORD(Link, RTLP_VECTORED_HANDLER, ListEntry);
        /* A handler may remove itself: step first. */
        Link = Link->Flink;
        if (Entry->Handler(&Pointers) == EXCEPTION_CONTINUE_EXECUTION) {
            Continue = TRUE;
            break;
        }
    }
    RtlpReleaseLock(&RtlpVectoredLock);
    return Continue;
}
