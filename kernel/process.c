/*
 * process.c - process objects and their handle tables.
 *
 * A process is its address space (a page directory: procmm.c), its threads,
 * a handle table and an exit status. It is a waitable object, signaled when
 * its last thread has ended and its memory is gone (wait.c). Handles are
 * indexes into a small fixed table, scaled by 4 as NT's are; -1 and -2 are
 * the pseudo-handles of the current process and thread.
 */
#include "ps.h"
#include "mi.h"
#include "pool.h"
#include "kstring.h"

static LIST_ENTRY PspProcessList = { &PspProcessList, &PspProcessList };
static ULONG PspNextProcessId = 0x100;

PEPROCESS PsCreateProcess(PCSTR ImageName)
{
    PEPROCESS p = ExAllocatePoolWithTag(NonPagedPool, sizeof(EPROCESS), 'corP');
    if (p == NULL)
        return NULL;
    memset(p, 0, sizeof(*p));
    ULONG dir = MmCreateProcessAddressSpace();
    if (dir == MM_EMPTY_LIST) {
        ExFreePoolWithTag(p, 'corP');
        return NULL;
    }
    p->Header.Type = KOBJECT_PROCESS;
    p->Header.ReferenceCount = 1;       /* held while it lives; dropped when deleted */
    InitializeListHead(&p->Header.WaitListHead);
    InitializeListHead(&p->ThreadListHead);
    p->DirectoryTableBase = dir;
    MmInitializeProcessVads(p);
    p->ExitStatus = STATUS_PENDING;
    strncpy(p->ImageName, ImageName, sizeof(p->ImageName) - 1);
    ULONG flags = __readeflags();
    _disable();
    p->UniqueProcessId = PspNextProcessId;
    PspNextProcessId += 4;
    InsertTailList(&PspProcessList, &p->ProcessListEntry);
    __writeeflags(flags);
    return p;
}

ULONG PsActiveProcessCount(void)
{
    ULONG n = 0;
    ULONG flags = __readeflags();
    _disable();
    for (PLIST_ENTRY e = PspProcessList.Flink; e != &PspProcessList; e = e->Flink)
        n++;
    __writeeflags(flags);
    return n;
}

HANDLE ObInsertHandle(PEPROCESS Process, DISPATCHER_HEADER *Object)
{
    for (ULONG i = 0; i < KI_MAX_HANDLES; i++)
        if (Process->Handles[i] == NULL) {
            ObReferenceObject(Object);
            Process->Handles[i] = Object;
            return (HANDLE)(ULONG_PTR)((i + 1) * 4);
        }
    return NULL;
}

/* The object a handle of the current process names, referenced. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, UCHAR Type, DISPATCHER_HEADER **Object)
{
    DISPATCHER_HEADER *o = NULL;
    ULONG_PTR h = (ULONG_PTR)Handle;
    if (Handle == NtCurrentProcess())
        o = &PsGetCurrentProcess()->Header;
    else if (Handle == NtCurrentThread())
        o = &PsGetCurrentThread()->Header;
    else if (h && (h & 3) == 0 && h / 4 <= KI_MAX_HANDLES)
        o = PsGetCurrentProcess()->Handles[h / 4 - 1];
    if (o == NULL)
        return STATUS_INVALID_HANDLE;
    if (Type && o->Type != Type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    ObReferenceObject(o);
    *Object = o;
    return STATUS_SUCCESS;
}

NTSTATUS ObCloseHandle(PEPROCESS Process, HANDLE Handle)
{
    ULONG_PTR h = (ULONG_PTR)Handle;
    if (!h || (h & 3) || h / 4 > KI_MAX_HANDLES || Process->Handles[h / 4 - 1] == NULL)
        return STATUS_INVALID_HANDLE;
    DISPATCHER_HEADER *o = Process->Handles[h / 4 - 1];
    Process->Handles[h / 4 - 1] = NULL;
    ObDereferenceObject(o);
    return STATUS_SUCCESS;
}
