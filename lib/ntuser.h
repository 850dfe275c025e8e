/*
 * ntuser.h - the structures the kernel and user mode share, with NT/x86's
 * layouts: the TEB (reached through FS in user mode), the PEB, CONTEXT and
 * EXCEPTION_RECORD. Offsets that Windows code relies on are asserted.
 */
#ifndef NTUSER_H
#define NTUSER_H

#include "ntdef.h"
#include "list.h"             /* LIST_ENTRY: TEB.TlsLinks */

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
} CLIENT_ID, *PCLIENT_ID;

typedef ULONG ACCESS_MASK;

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
    LIST_ENTRY TlsLinks;                    /* 0xF10: the runtime's list of its threads */
    UCHAR Reserved2[0xF74 - 0xF18];
    BOOLEAN InDbgPrint;                     /* 0xF74 */
    BOOLEAN FreeStackOnTermination;         /* 0xF75: the kernel frees DeallocationStack */
    BOOLEAN HasFiberData;
    BOOLEAN IdealProcessor;
    ULONG GuaranteedStackBytes;             /* 0xF78 */
} TEB, *PTEB;

#if defined(__i386__)
C_ASSERT(offsetof(TEB, ProcessEnvironmentBlock) == 0x30);
C_ASSERT(offsetof(TEB, LastErrorValue) == 0x34);
C_ASSERT(offsetof(TEB, DeallocationStack) == 0xE0C);
C_ASSERT(offsetof(TEB, TlsSlots) == 0xE10);
C_ASSERT(offsetof(TEB, TlsLinks) == 0xF10);
C_ASSERT(offsetof(TEB, FreeStackOnTermination) == 0xF75);
C_ASSERT(offsetof(TEB, GuaranteedStackBytes) == 0xF78);
C_ASSERT(offsetof(PEB, ProcessHeap) == 0x18);
#endif

/* NtCreateThread's description of the new thread's stack (NT's INITIAL_TEB):
 * the Old* pair is for fibers' stack switches and unused here. */
typedef struct _INITIAL_TEB {
    PVOID OldStackBase;
    PVOID OldStackLimit;
    PVOID StackBase;                        /* the top: the stack grows down from here */
    PVOID StackLimit;                       /* the lowest committed byte (guard page excluded) */
    PVOID AllocatedStackBase;               /* the reservation's base: DeallocationStack */
} INITIAL_TEB, *PINITIAL_TEB;

#if defined(__i386__)
C_ASSERT(sizeof(INITIAL_TEB) == 20);
#endif

/* Process and thread information classes used so far. */
#define ProcessBasicInformation 0
#define ThreadBasicInformation 0
#define ThreadAmILastThread 12            /* ULONG: nonzero for the process's only thread */

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

/* ---- virtual memory (winnt.h values; shared by the kernel and the runtime) ---- */

#define PAGE_NOACCESS           0x01
#define PAGE_READONLY           0x02
#define PAGE_READWRITE          0x04
#define PAGE_WRITECOPY          0x08
#define PAGE_EXECUTE            0x10
#define PAGE_EXECUTE_READ       0x20
#define PAGE_EXECUTE_READWRITE  0x40
#define PAGE_EXECUTE_WRITECOPY  0x80
#define PAGE_GUARD              0x100
#define PAGE_NOCACHE            0x200
#define PAGE_WRITECOMBINE       0x400

#define MEM_COMMIT              0x00001000
#define MEM_RESERVE             0x00002000
#define MEM_DECOMMIT            0x00004000
#define MEM_RELEASE             0x00008000
#define MEM_FREE                0x00010000
#define MEM_PRIVATE             0x00020000
#define MEM_MAPPED              0x00040000
#define MEM_RESET               0x00080000
#define MEM_TOP_DOWN            0x00100000
#define MEM_WRITE_WATCH         0x00200000
#define MEM_PHYSICAL            0x00400000
#define MEM_LARGE_PAGES         0x20000000
#define MEM_IMAGE               0x01000000

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    ULONG AllocationProtect;
    SIZE_T RegionSize;
    ULONG State;
    ULONG Protect;
    ULONG Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

#if defined(__i386__)
C_ASSERT(sizeof(MEMORY_BASIC_INFORMATION) == 28);
#endif

/* NtQueryVirtualMemory's classes (only the first is implemented). */
typedef enum _MEMORY_INFORMATION_CLASS {
    MemoryBasicInformation = 0,
} MEMORY_INFORMATION_CLASS;

/* NtLockVirtualMemory's MapType. */
#define MAP_PROCESS 1
#define MAP_SYSTEM  2

/* NtQueryInformationProcess(ProcessVmCounters): VM_COUNTERS, or the _EX
 * form with PrivateUsage (NT accepts either length). Sizes in bytes. */
#define ProcessVmCounters 3

typedef struct _VM_COUNTERS_EX {
    SIZE_T PeakVirtualSize;
    SIZE_T VirtualSize;
    ULONG PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
    SIZE_T PrivateUsage;
} VM_COUNTERS_EX, *PVM_COUNTERS_EX;
#define VM_COUNTERS_SIZE (offsetof(VM_COUNTERS_EX, PrivateUsage))

/* NtQuerySystemInformation classes: SystemBasicInformation (GetSystemInfo)
 * and SystemPerformanceInformation (GlobalMemoryStatusEx). Layouts are NT's;
 * the fields this kernel does not keep are zero. */
#define SystemBasicInformation 0
#define SystemPerformanceInformation 2

typedef struct _SYSTEM_BASIC_INFORMATION {
    ULONG Reserved, TimerResolution, PageSize, NumberOfPhysicalPages, LowestPhysicalPageNumber;
    ULONG HighestPhysicalPageNumber, AllocationGranularity;
    ULONG_PTR MinimumUserModeAddress, MaximumUserModeAddress, ActiveProcessorsAffinityMask;
    CHAR NumberOfProcessors;
} SYSTEM_BASIC_INFORMATION;

typedef struct _SYSTEM_PERFORMANCE_INFORMATION {
    LARGE_INTEGER IdleProcessTime;
    LARGE_INTEGER IoReadTransferCount, IoWriteTransferCount, IoOtherTransferCount;
    ULONG IoReadOperationCount, IoWriteOperationCount, IoOtherOperationCount;
    ULONG AvailablePages;               /* 0x2C */
    ULONG CommittedPages;               /* the system's commit charge */
    ULONG CommitLimit;
    ULONG PeakCommitment;
    ULONG PageFaultCount;
    ULONG CopyOnWriteCount, TransitionCount, CacheTransitionCount;
    ULONG DemandZeroCount;
    ULONG Reserved[58];                 /* the rest of NT's fields: not kept */
} SYSTEM_PERFORMANCE_INFORMATION;

#if defined(__i386__)
C_ASSERT(offsetof(SYSTEM_PERFORMANCE_INFORMATION, AvailablePages) == 0x2C);
C_ASSERT(sizeof(SYSTEM_PERFORMANCE_INFORMATION) == 0x138);
#endif

typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, without a terminator */
    USHORT MaximumLength;
    PWCHAR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

/* The pseudo-handles of GetCurrentProcess / GetCurrentThread. */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)

#endif /* NTUSER_H */
