/*
 * ki.h - kernel-core internals shared between the files of kernel/ and the
 * tests that look inside them. Not for mm/ or drivers: use ke.h.
 */
#ifndef KI_H
#define KI_H

#include "ke.h"
#include "x86.h"

/*
 * KTRAP_FRAME: what the trap stubs (trapstub.asm) build on the stack, from
 * the lowest address. HardwareEsp/HardwareSegSs exist only for a trap from
 * ring 3. NT's KTRAP_FRAME holds the same registers in another order.
 */
typedef struct _KTRAP_FRAME {
    ULONG SegGs, SegFs, SegEs, SegDs;
    ULONG Edi, Esi, Ebp, TempEsp, Ebx, Edx, Ecx, Eax;
    ULONG Vector, ErrCode;
    ULONG Eip, SegCs, EFlags;
    ULONG HardwareEsp, HardwareSegSs;
} KTRAP_FRAME, *PKTRAP_FRAME;

#define KI_FRAME_FROM_USER(f) (((f)->SegCs & RPL_USER) == RPL_USER)
/* The ESP at the time of a kernel-mode trap (the CPU pushed no ESP). */
#define KI_KERNEL_TRAP_ESP(f) ((ULONG)&(f)->HardwareEsp)

/* The first 48 vectors: 32 CPU exceptions, then the 8259's 16 lines. */
#define PRIMARY_VECTOR_BASE 0x30

/* Startup sequence (startup.c calls them in this order). */
void KiInitializeSerial(void);
void KiInitializeGdt(void);
void KiInitializeIdt(void);
void KiInitializePic(void);
void KiInitializeClock(void);

void KiSetIdtGate(ULONG Vector, void *Handler, UCHAR Access, USHORT Selector);
void KiTrapDispatch(PKTRAP_FRAME TrapFrame);
void KiInterruptDispatch(PKTRAP_FRAME TrapFrame);
void KiDoubleFaultHandler(void);
void KiDumpTrapFrame(const KTRAP_FRAME *TrapFrame);
ULONG KiTrapFrameEsp(const KTRAP_FRAME *TrapFrame);
/* Prints the frames from Eip up the EBP chain; Esp (or 0) helps when Eip is
 * in a function's prologue, before its frame exists. */
void KiStackTrace(ULONG Ebp, ULONG Eip, ULONG Esp);

/* Writes one character to COM1 (polled). */
void KiSerialPut(char c);
void KiSerialWrite(PCSTR s, SIZE_T n);

/* The IRQL and the 8259 masks follow each other (irql.c). */
extern volatile KIRQL KiCurrentIrql;
void KiSetIrqlForRecovery(KIRQL Irql);
void KiApplyIrqlMask(KIRQL Irql);
void KiRebuildIrqlMasks(void);

/* The TSSs (gdt.c): the main one and the double-fault task's. */
extern KTSS KiTss;
extern KTSS KiDoubleFaultTss;
extern KGDTENTRY KiGdt[KGDT_COUNT];
void KiLeaveDoubleFaultTask(void);

/* Minimal setjmp/longjmp for recovery (trapstub.asm). */
typedef struct _KJUMP_BUFFER {
    ULONG Ebx, Esi, Edi, Ebp, Esp, Eip, EFlags;
} KJUMP_BUFFER;
int KiSetJump(KJUMP_BUFFER *Buffer) __attribute__((returns_twice));
void KiLongJump(KJUMP_BUFFER *Buffer, int Value) __attribute__((noreturn));

/* The bugcheck the running test expects, if any (ktest.c, bugcheck.c). */
typedef struct _KBUGCHECK_RECORD {
    ULONG Code;
    ULONG_PTR Parameter[4];
} KBUGCHECK_RECORD;
BOOLEAN KiBugCheckIsExpected(const KBUGCHECK_RECORD *Record);
/* Prints the FAIL line of the test an unexpected bugcheck ended. */
void KiBugCheckReportToTests(const KBUGCHECK_RECORD *Record);

/* Trap context for the bugcheck report: set by the trap dispatcher. */
extern const KTRAP_FRAME *KiBugCheckTrapFrame;

/* Symbols resolved from the kernel image at build time (ksym.c). */
PCSTR KiLookupSymbol(ULONG Address, ULONG *Offset);

/* Multiboot2 boot information (multiboot.c). */
typedef struct _KBOOT_MEMORY_RANGE {
    ULONGLONG Base, Length;
    ULONG Type;     /* 1 usable, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad */
} KBOOT_MEMORY_RANGE;
typedef struct _KBOOT_MODULE {
    ULONG Start, End;   /* physical */
    char Name[64];
} KBOOT_MODULE;
#define KBOOT_MAX_RANGES 64
#define KBOOT_MAX_MODULES 32
typedef struct _KLOADER_BLOCK {
    ULONG InfoPhysical, InfoSize;
    char CommandLine[256];
    ULONG RangeCount;
    KBOOT_MEMORY_RANGE Ranges[KBOOT_MAX_RANGES];
    ULONG ModuleCount;
    KBOOT_MODULE Modules[KBOOT_MAX_MODULES];
    ULONG MemLowerKb, MemUpperKb;
} KLOADER_BLOCK;
extern KLOADER_BLOCK KeLoaderBlock;
void KiParseMultiboot(ULONG Magic, ULONG InfoPhysical);

/* The in-kernel test and benchmark runners (ktest.c, kbench.c). */
void KiRunTests(void) __attribute__((noreturn));
void KiRunBenchmarks(void) __attribute__((noreturn));
/* Runs the user programs loaded as modules whose "app/name" the filter
 * selects, after the first Skip of them; returns the next index. */
ULONG KiRunUserPrograms(PCSTR Filter, ULONG Skip, ULONG Index);

/* Image bounds from the linker script. */
extern char __image_start_phys[], __text_start[], __text_end[], __rodata_start[],
    __rodata_end[], __data_start[], __bss_start[], __bss_end[], __image_end[];
extern char KiBootStackTop[], KiBootStackGuard[];

#endif /* KI_H */
