/*
 * x86.h - the processor: control-register bits, EFLAGS, descriptors, the
 * TSS, and the one-instruction helpers. Hardware facts live here and only
 * here; page-table entry bits are in mm/mm.h.
 */
#ifndef X86_H
#define X86_H

#include "ntdef.h"

#define CR0_PE 0x00000001u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x00000010u
#define CR4_PGE 0x00000080u

#define EFLAGS_CF 0x00000001u
#define EFLAGS_IF 0x00000200u
#define EFLAGS_NT 0x00004000u
#define EFLAGS_RESERVED 0x00000002u

/* Page-fault error code bits. */
#define PF_PRESENT 0x1u
#define PF_WRITE   0x2u
#define PF_USER    0x4u
#define PF_RSVD    0x8u

/* Selectors, as NT/x86 lays out its GDT (ks386.inc's KGDT_*). */
#define KGDT_R0_CODE 0x08
#define KGDT_R0_DATA 0x10
#define KGDT_R3_CODE 0x18
#define KGDT_R3_DATA 0x20
#define KGDT_TSS     0x28
#define KGDT_R0_PCR  0x30
#define KGDT_R3_TEB  0x38
#define KGDT_LDT     0x48
#define KGDT_DF_TSS  0x50
#define KGDT_NMI_TSS 0x58
#define KGDT_COUNT   12
#define RPL_USER     3

#pragma pack(push, 1)
typedef struct _KGDTENTRY {
    USHORT LimitLow;
    USHORT BaseLow;
    UCHAR BaseMid;
    UCHAR Access;       /* P, DPL, S, type */
    UCHAR Granularity;  /* G, D/B, limit 19:16 */
    UCHAR BaseHi;
} KGDTENTRY, *PKGDTENTRY;

typedef struct _KIDTENTRY {
    USHORT OffsetLow;
    USHORT Selector;
    UCHAR Reserved;
    UCHAR Access;       /* P, DPL, gate type */
    USHORT OffsetHigh;
} KIDTENTRY, *PKIDTENTRY;

typedef struct _KDESCRIPTOR {
    USHORT Limit;
    ULONG Base;
} KDESCRIPTOR;

/* The 32-bit TSS (Intel SDM vol. 3, 7.2.1). */
typedef struct _KTSS {
    USHORT Backlink, Reserved0;
    ULONG Esp0;
    USHORT Ss0, Reserved1;
    ULONG Esp1;
    USHORT Ss1, Reserved2;
    ULONG Esp2;
    USHORT Ss2, Reserved3;
    ULONG CR3, Eip, EFlags, Eax, Ecx, Edx, Ebx, Esp, Ebp, Esi, Edi;
    USHORT Es, Reserved4, Cs, Reserved5, Ss, Reserved6, Ds, Reserved7;
    USHORT Fs, Reserved8, Gs, Reserved9, LDT, Reserved10;
    USHORT Flags, IoMapBase;
} KTSS, *PKTSS;
#pragma pack(pop)

C_ASSERT(sizeof(KGDTENTRY) == 8);
C_ASSERT(sizeof(KIDTENTRY) == 8);
C_ASSERT(sizeof(KTSS) == 104);

/* GDT access bytes. */
#define GDT_PRESENT     0x80
#define GDT_DPL3        0x60
#define GDT_CODE_DATA   0x10
#define GDT_CODE_RX     0x0A
#define GDT_DATA_RW     0x02
#define GDT_TSS_AVAIL   0x09
#define GDT_TSS_BUSY    0x02    /* set in the type field of a busy TSS */
/* IDT gate types. */
#define IDT_INTERRUPT_GATE 0x8E
#define IDT_TRAP_GATE      0x8F
#define IDT_TASK_GATE      0x85
#define IDT_DPL3           0x60

static inline void outb(USHORT port, UCHAR v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(USHORT port, ULONG v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline UCHAR inb(USHORT port)
{
    UCHAR v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void io_wait(void) { outb(0x80, 0); }

static inline void _disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void _enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void __halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline ULONG __readeflags(void)
{
    ULONG f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f) : : "memory");
    return f;
}
static inline void __writeeflags(ULONG f) { __asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc"); }

#define X86_CR_ACCESSORS(n)                                                   \
    static inline ULONG __readcr##n(void)                                     \
    { ULONG v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; }  \
    static inline void __writecr##n(ULONG v)                                  \
    { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
X86_CR_ACCESSORS(0)
X86_CR_ACCESSORS(2)
X86_CR_ACCESSORS(3)
X86_CR_ACCESSORS(4)

static inline void __invlpg(const volatile void *va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline ULONGLONG __rdtsc(void)
{
    ULONG lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((ULONGLONG)hi << 32) | lo;
}

static inline USHORT KiReadTr(void)
{
    USHORT tr;
    __asm__ volatile("str %0" : "=r"(tr));
    return tr;
}

#endif /* X86_H */
