/*
 * ntuser.h - the structures the kernel and user mode share, with NT/x86's
 * layouts: the TEB (reached through FS in user mode), the PEB, CONTEXT and
 * EXCEPTION_RECORD. Offsets that Windows code relies on are asserted.
 */
#ifndef NTUSER_H
#define NTUSER_H

#include "ntdef.h"

/* ---- exceptions ------------------------------------------------------------ */

#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x1

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

#define SIZE_OF_80387_REGISTERS 80
#define MAXIMUM_SUPPORTED_EXTENSION 512

typedef struct _FLOATING_SAVE_AREA {
    ULONG ControlWord, StatusWord, TagWord, ErrorOffset, ErrorSelector;
    ULONG DataOffset, DataSelector;
    UCHAR RegisterArea[SIZE_OF_80387_REGISTERS];
    ULONG Cr0NpxState;
} FLOATING_SAVE_AREA;

#define CONTEXT_i386               0x00010000
#define CONTEXT_CONTROL            (CONTEXT_i386 | 0x01)   /* SS:SP, CS:IP, FLAGS, BP */
#define CONTEXT_INTEGER            (CONTEXT_i386 | 0x02)   /* AX, BX, CX, DX, SI, DI */
#define CONTEXT_SEGMENTS           (CONTEXT_i386 | 0x04)   /* DS, ES, FS, GS */
#define CONTEXT_FLOATING_POINT     (CONTEXT_i386 | 0x08)
#define CONTEXT_DEBUG_REGISTERS    (CONTEXT_i386 | 0x10)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS)

typedef struct _CONTEXT {
    ULONG ContextFlags;
    ULONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    FLOATING_SAVE_AREA FloatSave;
    ULONG SegGs, SegFs, SegEs, SegDs;
    ULONG Edi, Esi, Ebx, Edx, Ecx, Eax;
    ULONG Ebp, Eip, SegCs, EFlags, Esp, SegSs;
    UCHAR ExtendedRegisters[MAXIMUM_SUPPORTED_EXTENSION];
} CONTEXT, *PCONTEXT;

#if defined(__i386__)
C_ASSERT(sizeof(CONTEXT) == 0x2CC);
C_ASSERT(offsetof(CONTEXT, Eip) == 0xB8);
C_ASSERT(offsetof(CONTEXT, Esp) == 0xC4);
#endif

/* ---- the TEB and PEB --------------------------------------------------------- */

#define TLS_MINIMUM_AVAILABLE 64

typedef struct _NT_TIB {
    PVOID ExceptionList;
    PVOID StackBase;
    PVOID StackLimit;
    PVOID SubSystemTib;
    PVOID FiberData;
    PVOID ArbitraryUserPointer;
    struct _NT_TIB *Self;
} NT_TIB;

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID;

typedef struct _PEB {
    UCHAR InheritedAddressSpace, ReadImageFileExecOptions, BeingDebugged, SpareBool;
    PVOID Mutant;
    PVOID ImageBaseAddress;                 /* 0x08 */
    PVOID Ldr;
    PVOID ProcessParameters;                /* 0x10 */
    PVOID SubSystemData;
    PVOID ProcessHeap;                      /* 0x18 */
    ULONG Reserved[9];
    PCSTR ImageName;                        /* this kernel's: the program's name */
    PCSTR CommandLine;                      /* this kernel's: its command line */
} PEB, *PPEB;

typedef struct _TEB {
    NT_TIB NtTib;                           /* 0x000 */
    PVOID EnvironmentPointer;               /* 0x01C */
    CLIENT_ID ClientId;                     /* 0x020 */
    PVOID ActiveRpcHandle;                  /* 0x028 */
    PVOID ThreadLocalStoragePointer;        /* 0x02C */
    PPEB ProcessEnvironmentBlock;           /* 0x030 */
    ULONG LastErrorValue;                   /* 0x034 */
    UCHAR Reserved1[0xE0C - 0x038];
    PVOID DeallocationStack;                /* 0xE0C */
    PVOID TlsSlots[TLS_MINIMUM_AVAILABLE];  /* 0xE10 */
    UCHAR Reserved2[0xF78 - 0xF10];
    ULONG GuaranteedStackBytes;             /* 0xF78 */
} TEB, *PTEB;

#if defined(__i386__)
C_ASSERT(offsetof(TEB, ProcessEnvironmentBlock) == 0x30);
C_ASSERT(offsetof(TEB, LastErrorValue) == 0x34);
C_ASSERT(offsetof(TEB, DeallocationStack) == 0xE0C);
C_ASSERT(offsetof(TEB, TlsSlots) == 0xE10);
C_ASSERT(offsetof(TEB, GuaranteedStackBytes) == 0xF78);
C_ASSERT(offsetof(PEB, ProcessHeap) == 0x18);
#endif

/* Process and thread information classes used so far. */
#define ProcessBasicInformation 0
#define ThreadBasicInformation 0

typedef struct _PROCESS_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PPEB PebBaseAddress;
    ULONG_PTR AffinityMask;
    LONG BasePriority;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION;

typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PTEB TebBaseAddress;
    CLIENT_ID ClientId;
    ULONG_PTR AffinityMask;
    LONG Priority;
    LONG BasePriority;
} THREAD_BASIC_INFORMATION;

typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, without a terminator */
    USHORT MaximumLength;
    PWCHAR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

/* The pseudo-handles of GetCurrentProcess / GetCurrentThread. */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)

#endif /* NTUSER_H */
