/*
 * loader.c - starting a program: an ELF32 executable (a GRUB module) loaded
 * into a new process, and its first thread sent to user mode.
 *
 *   0x00010000 ...          (free)
 *   (chosen bottom-up)      the first thread's stack: 1 MB reserved, the top
 *                           page committed, a guard page below it
 *   0x00400000              the image: text read-only, data, bss zeroed
 *   0x7FFDE000              the first thread's TEB (FS in user mode)
 *   0x7FFDF000              the PEB, with the program's name and command line
 *
 * The runtime's exception entry (KiUserExceptionDispatcher) is found by
 * name in the image's symbol table, as NT finds ntdll's exports at boot.
 */
#include "ps.h"
#include "mi.h"
#include "kstring.h"

#define PS_DEFAULT_STACK_RESERVE 0x00100000u   /* 1 MB, as Windows */
#define PS_MAX_STACK_RESERVE     0x10000000u
#define PS_TEB_ADDRESS      0x7FFDE000u
#define PS_PEB_ADDRESS      0x7FFDF000u

typedef struct { UCHAR Ident[16]; USHORT Type, Machine; ULONG Version, Entry, PhOff, ShOff, Flags;
                 USHORT EhSize, PhEntSize, PhNum, ShEntSize, ShNum, ShStrNdx; } ELF32_EHDR;
typedef struct { ULONG Type, Offset, VAddr, PAddr, FileSz, MemSz, Flags, Align; } ELF32_PHDR;
typedef struct { ULONG Name, Type, Flags, Addr, Offset, Size, Link, Info, AddrAlign, EntSize; } ELF32_SHDR;
typedef struct { ULONG Name, Value, Size; UCHAR Info, Other; USHORT Shndx; } ELF32_SYM;
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define SHT_SYMTAB 2

static BOOLEAN PspInImage(SIZE_T ImageSize, ULONG Offset, ULONG Length)
{
    return Offset <= ImageSize && Length <= ImageSize - Offset;
}

/* The value of a global symbol, or 0. */
static ULONG PspFindSymbol(const UCHAR *Image, SIZE_T Size, PCSTR Name)
{
    const ELF32_EHDR *eh = (const ELF32_EHDR *)Image;
    if (!eh->ShOff || !PspInImage(Size, eh->ShOff, (ULONG)eh->ShNum * sizeof(ELF32_SHDR)))
        return 0;
    const ELF32_SHDR *sh = (const ELF32_SHDR *)(Image + eh->ShOff);
    for (ULONG i = 0; i < eh->ShNum; i++) {
        if (sh[i].Type != SHT_SYMTAB || sh[i].Link >= eh->ShNum)
            continue;
        const ELF32_SHDR *str = &sh[sh[i].Link];
        if (!PspInImage(Size, sh[i].Offset, sh[i].Size) || !PspInImage(Size, str->Offset, str->Size))
            return 0;
        const ELF32_SYM *sym = (const ELF32_SYM *)(Image + sh[i].Offset);
        for (ULONG j = 0; j < sh[i].Size / sizeof(ELF32_SYM); j++)
            if (sym[j].Name < str->Size &&
                strncmp((PCSTR)Image + str->Offset + sym[j].Name, Name, str->Size - sym[j].Name) == 0)
                return sym[j].Value;
    }
    return 0;
}

static NTSTATUS PspLoadImage(PEPROCESS Process, const UCHAR *Image, SIZE_T Size, ULONG *Entry,
                             ULONG *ImageBase, ULONG *ImageEnd)
{
    const ELF32_EHDR *eh = (const ELF32_EHDR *)Image;
    if (Size < sizeof(*eh) || memcmp(eh->Ident, "\177ELF\1\1", 6) != 0 || eh->Type != 2 ||
        eh->Machine != 3 || !PspInImage(Size, eh->PhOff, (ULONG)eh->PhNum * sizeof(ELF32_PHDR)))
        return STATUS_INVALID_PARAMETER;        /* not an i386 ELF32 executable */
    const ELF32_PHDR *ph = (const ELF32_PHDR *)(Image + eh->PhOff);
    *ImageBase = 0xFFFFFFFF;
    *ImageEnd = 0;
    for (ULONG i = 0; i < eh->PhNum; i++) {
        if (ph[i].Type != PT_LOAD || ph[i].MemSz == 0)
            continue;
        if (ph[i].VAddr < MM_LOWEST_USER_ADDRESS || ph[i].MemSz > MM_HIGHEST_USER_ADDRESS ||
            ph[i].VAddr + ph[i].MemSz > MM_HIGHEST_USER_ADDRESS || ph[i].FileSz > ph[i].MemSz ||
            !PspInImage(Size, ph[i].Offset, ph[i].FileSz))
            return STATUS_INVALID_PARAMETER;
        NTSTATUS s = MmCommitUserRange(ph[i].VAddr, ph[i].MemSz, TRUE);
        if (!NT_SUCCESS(s))
            return s;
        memcpy((PVOID)ph[i].VAddr, Image + ph[i].Offset, ph[i].FileSz);
        if (ph[i].VAddr < *ImageBase)
            *ImageBase = ph[i].VAddr & ~(PAGE_SIZE - 1);
        if (ph[i].VAddr + ph[i].MemSz > *ImageEnd)
            *ImageEnd = ph[i].VAddr + ph[i].MemSz;
    }
    /* Text and constants read-only once filled: every page of a read-only
     * segment that no writable segment touches. */
    for (ULONG i = 0; i < eh->PhNum; i++) {
        if (ph[i].Type != PT_LOAD || !ph[i].MemSz || (ph[i].Flags & PF_W))
            continue;
        for (ULONG va = ph[i].VAddr & ~(PAGE_SIZE - 1); va < ph[i].VAddr + ph[i].MemSz; va += PAGE_SIZE) {
            BOOLEAN shared = FALSE;
            for (ULONG j = 0; j < eh->PhNum; j++)
                if (ph[j].Type == PT_LOAD && (ph[j].Flags & PF_W) && ph[j].MemSz &&
                    (ph[j].VAddr & ~(PAGE_SIZE - 1)) <= va && ph[j].VAddr + ph[j].MemSz > va)
                    shared = TRUE;
            if (!shared)
                MmProtectUserRangeReadOnly(va, PAGE_SIZE, (ph[i].Flags & PF_X) != 0);
        }
    }
    *Entry = eh->Entry;
    Process->UserExceptionDispatcher = PspFindSymbol(Image, Size, "KiUserExceptionDispatcher");
    return STATUS_SUCCESS;
}

static void PspUserThreadStart(void *Context)
{
    PTEB teb = KiCurrentThread->Teb;
    KiCheckForSuspendOnFirstEntry();        /* no handle names it yet, but the rule holds */
    KiEnterUserMode((ULONG)(ULONG_PTR)Context, (ULONG)(ULONG_PTR)teb->NtTib.StackBase - 16);
}

/*
 * The first thread's stack, laid out as Windows lays out every user stack
 * (docs/user-mode.md, "stacks"): Reserve bytes of address space; the top
 * page committed read/write; the page below it committed read/write with
 * PAGE_GUARD; the rest reserved, its lowest page never to be committed.
 * Touching the guard page grows the stack one page (mm/fault.c).
 */
static NTSTATUS PspCreateUserStack(PEPROCESS Process, ULONG Reserve, PINITIAL_TEB Stack)
{
    ULONG_PTR base = 0, top, commit;
    SIZE_T size = Reserve;
    NTSTATUS s = MiAllocateVirtualMemory(Process, &base, 0, &size, MEM_RESERVE, PAGE_READWRITE);
    if (!NT_SUCCESS(s))
        return s;
    top = base + size;
    commit = top - PAGE_SIZE;
    size = PAGE_SIZE;
    s = MiAllocateVirtualMemory(Process, &commit, 0, &size, MEM_COMMIT, PAGE_READWRITE);
    if (NT_SUCCESS(s)) {
        ULONG_PTR guard = top - 2 * PAGE_SIZE;
        size = PAGE_SIZE;
        s = MiAllocateVirtualMemory(Process, &guard, 0, &size, MEM_COMMIT,
                                    PAGE_READWRITE | PAGE_GUARD);
    }
    Stack->StackBase = (PVOID)top;
    Stack->StackLimit = (PVOID)(top - PAGE_SIZE);
    Stack->AllocatedStackBase = (PVOID)base;
    return s;
}

NTSTATUS PsCreateUserProcess(PCSTR ImageName, PCSTR CommandLine, const void *Image,
                             SIZE_T ImageSize, PEPROCESS *ProcessOut)
{
    PEPROCESS p = PsCreateProcess(ImageName);
    if (p == NULL)
        return STATUS_NO_MEMORY;
    ULONG entry = 0, base = 0, end = 0;
    KeAttachProcess(p);
    INITIAL_TEB stack = { 0 };
    NTSTATUS s = PspLoadImage(p, Image, ImageSize, &entry, &base, &end);
    if (NT_SUCCESS(s)) {
        /* The reserve: the image's __ntmm_stack_reserve (a link-time setting), 1 MB by default. */
        ULONG reserve = PspFindSymbol(Image, ImageSize, "__ntmm_stack_reserve");
        if (reserve < 4 * PAGE_SIZE || reserve > PS_MAX_STACK_RESERVE)
            reserve = PS_DEFAULT_STACK_RESERVE;
        s = PspCreateUserStack(p, reserve, &stack);
    }
    if (NT_SUCCESS(s))
        s = MmCommitUserRange(PS_TEB_ADDRESS, 2 * PAGE_SIZE, TRUE);
    /* VADs over what is mapped, so VirtualQuery sees it as on NT: the image
     * MEM_IMAGE (AllocationProtect PAGE_EXECUTE_WRITECOPY, as NT reports a
     * mapped image), TEB and PEB MEM_PRIVATE read/write (the stack is a
     * reservation of its own). */
    if (NT_SUCCESS(s))
        s = MmCreateLoaderVad(p, base, end - base, PAGE_EXECUTE_WRITECOPY, MEM_IMAGE);
    if (NT_SUCCESS(s))
        s = MmCreateLoaderVad(p, PS_TEB_ADDRESS, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (NT_SUCCESS(s))
        s = MmCreateLoaderVad(p, PS_PEB_ADDRESS, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (NT_SUCCESS(s)) {
        PPEB peb = (PPEB)PS_PEB_ADDRESS;
        PCHAR strings = (PCHAR)peb + 0x200;
        strncpy(strings, ImageName, 255);
        strncpy(strings + 256, CommandLine ? CommandLine : ImageName, 1023);
        peb->ImageBaseAddress = (PVOID)base;
        peb->ImageName = strings;
        peb->CommandLine = strings + 256;
        p->Peb = peb;
    }
    KeDetachProcess();
    if (!NT_SUCCESS(s)) {
        MmDeleteProcessVads(p);
        MmDeleteProcessAddressSpace(p->DirectoryTableBase);
        RemoveEntryList(&p->ProcessListEntry);
        ObDereferenceObject(&p->Header);
        return s;
    }
    /* At DISPATCH_LEVEL nothing runs the new thread before its TEB is filled. */
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    PETHREAD t = PsCreateThread(p, PspUserThreadStart, (void *)entry);
    if (t == NULL) {
        KfLowerIrql(old);
        MmDeleteProcessVads(p);
        MmDeleteProcessAddressSpace(p->DirectoryTableBase);
        RemoveEntryList(&p->ProcessListEntry);
        ObDereferenceObject(&p->Header);
        return STATUS_NO_MEMORY;
    }
    KeAttachProcess(p);
    PTEB teb = (PTEB)PS_TEB_ADDRESS;
    teb->NtTib.Self = &teb->NtTib;
    teb->NtTib.StackBase = stack.StackBase;
    teb->NtTib.StackLimit = stack.StackLimit;
    teb->NtTib.ExceptionList = (PVOID)-1;
    teb->DeallocationStack = stack.AllocatedStackBase;
    teb->ClientId = t->Cid;
    teb->ProcessEnvironmentBlock = p->Peb;
    KeDetachProcess();
    t->Teb = teb;
    KfLowerIrql(old);
    ObReferenceObject(&p->Header);      /* the caller's */
    *ProcessOut = p;
    return STATUS_SUCCESS;
}
