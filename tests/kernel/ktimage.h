/*
 * ktimage.h - tiny user programs for kernel tests and benchmarks, assembled
 * by hand into a real ELF32 image in memory: a text segment at 0x00400000
 * holding the code and a bss page at KT_DATA. They need nothing of the user
 * runtime, so the kernel's side of user mode is tested on its own.
 */
#ifndef KTIMAGE_H
#define KTIMAGE_H

#include "ntddk.h"
#include "ps.h"
#include "ntsyscalls.h"

typedef struct { UCHAR Ident[16]; USHORT Type, Machine; ULONG Version, Entry, PhOff, ShOff, Flags;
                 USHORT EhSize, PhEntSize, PhNum, ShEntSize, ShNum, ShStrNdx; } KT_EHDR;
typedef struct { ULONG Type, Offset, VAddr, PAddr, FileSz, MemSz, Flags, Align; } KT_PHDR;
typedef struct {
    KT_EHDR Eh;
    KT_PHDR Ph[2];
    UCHAR Code[200];
    ULONG Length;
} KT_IMAGE;

#define KT_DATA 0x00500000u

static inline void KtBegin(KT_IMAGE *im)
{
    memset(im, 0, sizeof(*im));
    memcpy(im->Eh.Ident, "\177ELF\1\1\1", 7);
    im->Eh.Type = 2;
    im->Eh.Machine = 3;
    im->Eh.Version = 1;
    im->Eh.Entry = 0x00400000 + offsetof(KT_IMAGE, Code);
    im->Eh.PhOff = offsetof(KT_IMAGE, Ph);
    im->Eh.EhSize = sizeof(KT_EHDR);
    im->Eh.PhEntSize = sizeof(KT_PHDR);
    im->Eh.PhNum = 2;
    im->Ph[0] = (KT_PHDR){ 1, 0, 0x00400000, 0, sizeof(KT_IMAGE), sizeof(KT_IMAGE), 5, 0x1000 };
    im->Ph[1] = (KT_PHDR){ 1, 0, KT_DATA, 0, 0, 0x1000, 6, 0x1000 };
}

static inline void KtByte(KT_IMAGE *im, ULONG b) { im->Code[im->Length++] = (UCHAR)b; }
static inline void KtLong(KT_IMAGE *im, ULONG v) { for (int i = 0; i < 4; i++) KtByte(im, v >> (8 * i)); }
static inline void KtSyscall(KT_IMAGE *im, ULONG Service)
{
    KtByte(im, 0x89); KtByte(im, 0xE2);             /* mov edx, esp */
    KtByte(im, 0xB8); KtLong(im, Service);          /* mov eax, service */
    KtByte(im, 0xCD); KtByte(im, 0x2E);             /* int 0x2e */
}
/* NtTerminateProcess(NtCurrentProcess(), eax) */
static inline void KtExitWithEax(KT_IMAGE *im)
{
    KtByte(im, 0x50);                               /* push eax */
    KtByte(im, 0x6A); KtByte(im, 0xFF);             /* push -1 */
    KtSyscall(im, SERVICE_NtTerminateProcess);
    KtByte(im, 0xEB); KtByte(im, 0xFE);             /* jmp $ (never reached) */
}
static inline void KtMovEax(KT_IMAGE *im, ULONG v) { KtByte(im, 0xB8); KtLong(im, v); }

/* Runs the image as a process; returns its exit status (or fails the test). */
static inline NTSTATUS KtRun(KT_IMAGE *im, PCSTR Name, PEPROCESS *Out)
{
    PEPROCESS p;
    NTSTATUS s = PsCreateUserProcess(Name, Name, im, sizeof(*im), &p);
    if (!NT_SUCCESS(s))
        return s;
    if (Out) {
        *Out = p;
        return STATUS_PENDING;
    }
    s = KeWaitForObject(&p->Header, 10 * KE_CLOCK_HZ);
    NTSTATUS exit = s == STATUS_SUCCESS ? p->ExitStatus : STATUS_TIMEOUT;
    if (s != STATUS_SUCCESS)
        PsTerminateProcess(p, STATUS_TIMEOUT);
    ObDereferenceObject(&p->Header);
    return exit;
}

#endif /* KTIMAGE_H */
