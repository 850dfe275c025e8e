/*
 * gdt.c - the GDT in NT's x86 layout, the TSS, and the double-fault task.
 *
 *   0x08 ring-0 code    0x10 ring-0 data    0x18|3 ring-3 code  0x20|3 ring-3 data
 *   0x28 the TSS        0x30 the PCR (FS)   0x38|3 the TEB (FS in user mode)
 *   0x50 the double-fault TSS
 *
 * A double fault usually means the kernel stack is gone (a fault while
 * pushing a fault frame), so its handler cannot use that stack: vector 8 is
 * a task gate to KiDoubleFaultTss, whose own stack and registers are loaded
 * by the CPU. That turns a would-be triple fault into a bugcheck report.
 */
#include "ki.h"
#include "kstring.h"

KGDTENTRY KiGdt[KGDT_COUNT] __attribute__((aligned(8)));
KTSS KiTss __attribute__((aligned(128)));
KTSS KiDoubleFaultTss __attribute__((aligned(128)));

/* The processor control region FS points at in kernel mode (grows later). */
typedef struct _KPCR {
    struct _KPCR *Self;
    ULONG Reserved[31];
} KPCR;
static KPCR KiPcr;

#define KI_DOUBLE_FAULT_STACK_BYTES 8192
static UCHAR KiDoubleFaultStack[KI_DOUBLE_FAULT_STACK_BYTES] __attribute__((aligned(16)));
extern char KiDoubleFaultEntry[];

static void KiSetGdtEntry(ULONG Selector, ULONG Base, ULONG Limit, UCHAR Access,
                          UCHAR Flags)
{
    PKGDTENTRY e = &KiGdt[Selector >> 3];
    e->LimitLow = (USHORT)Limit;
    e->BaseLow = (USHORT)Base;
    e->BaseMid = (UCHAR)(Base >> 16);
    e->Access = Access;
    e->Granularity = (UCHAR)(Flags | ((Limit >> 16) & 0x0F));
    e->BaseHi = (UCHAR)(Base >> 24);
}

/* The flat 4 GB segments use 4 KB granularity (G) and 32-bit size (D). */
#define GDT_FLAT 0xC0

void KiInitializeGdt(void)
{
    memset(KiGdt, 0, sizeof(KiGdt));
    KiSetGdtEntry(KGDT_R0_CODE, 0, 0xFFFFF, GDT_PRESENT | GDT_CODE_DATA | GDT_CODE_RX, GDT_FLAT);
    KiSetGdtEntry(KGDT_R0_DATA, 0, 0xFFFFF, GDT_PRESENT | GDT_CODE_DATA | GDT_DATA_RW, GDT_FLAT);
    KiSetGdtEntry(KGDT_R3_CODE, 0, 0xFFFFF,
                  GDT_PRESENT | GDT_DPL3 | GDT_CODE_DATA | GDT_CODE_RX, GDT_FLAT);
    KiSetGdtEntry(KGDT_R3_DATA, 0, 0xFFFFF,
                  GDT_PRESENT | GDT_DPL3 | GDT_CODE_DATA | GDT_DATA_RW, GDT_FLAT);
    KiPcr.Self = &KiPcr;
    KiSetGdtEntry(KGDT_R0_PCR, (ULONG)&KiPcr, sizeof(KiPcr) - 1,
                  GDT_PRESENT | GDT_CODE_DATA | GDT_DATA_RW, 0x40);
    /* The TEB segment is pointed at each thread's TEB when user mode runs. */
    KiSetGdtEntry(KGDT_R3_TEB, 0, 0xFFF, GDT_PRESENT | GDT_DPL3 | GDT_CODE_DATA | GDT_DATA_RW, 0x40);

    memset(&KiTss, 0, sizeof(KiTss));
    KiTss.Ss0 = KGDT_R0_DATA;
    KiTss.Esp0 = (ULONG)KiBootStackTop;
    KiTss.IoMapBase = sizeof(KTSS);          /* no I/O bitmap: ring 3 gets no ports */
    KiSetGdtEntry(KGDT_TSS, (ULONG)&KiTss, sizeof(KTSS) - 1, GDT_PRESENT | GDT_TSS_AVAIL, 0);

    memset(&KiDoubleFaultTss, 0, sizeof(KiDoubleFaultTss));
    KiDoubleFaultTss.CR3 = __readcr3();
    KiDoubleFaultTss.Eip = (ULONG)KiDoubleFaultEntry;
    KiDoubleFaultTss.EFlags = EFLAGS_RESERVED;     /* interrupts off */
    KiDoubleFaultTss.Esp = KiDoubleFaultTss.Esp0 =
        (ULONG)&KiDoubleFaultStack[KI_DOUBLE_FAULT_STACK_BYTES];
    KiDoubleFaultTss.Cs = KGDT_R0_CODE;
    KiDoubleFaultTss.Ss = KiDoubleFaultTss.Ss0 = KGDT_R0_DATA;
    KiDoubleFaultTss.Ds = KiDoubleFaultTss.Es = KGDT_R0_DATA;
    KiDoubleFaultTss.Fs = KGDT_R0_PCR;
    KiDoubleFaultTss.IoMapBase = sizeof(KTSS);
    KiSetGdtEntry(KGDT_DF_TSS, (ULONG)&KiDoubleFaultTss, sizeof(KTSS) - 1,
                  GDT_PRESENT | GDT_TSS_AVAIL, 0);

    KDESCRIPTOR gdtr = { sizeof(KiGdt) - 1, (ULONG)KiGdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ds\n\t"
        "mov %2, %%es\n\t"
        "mov %2, %%ss\n\t"
        "mov %3, %%fs\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%ax, %%gs\n\t"
        "ltr %w4"
        :
        : "m"(gdtr), "i"(KGDT_R0_CODE), "r"(KGDT_R0_DATA), "r"(KGDT_R0_PCR), "r"(KGDT_TSS)
        : "eax", "memory");
}

/*
 * Called when a bugcheck raised in the double-fault task is recovered by a
 * test: the CPU entered that task by a nested task switch, so both TSSs are
 * marked busy and TR names the double-fault one. Put TR back on the main
 * TSS and free the double-fault TSS for the next double fault; its saved
 * registers were never overwritten (a task's TSS is written only when the
 * CPU switches away from it), so it starts afresh next time.
 */
void KiLeaveDoubleFaultTask(void)
{
    if (KiReadTr() != KGDT_DF_TSS)
        return;
    KiGdt[KGDT_TSS >> 3].Access &= (UCHAR)~GDT_TSS_BUSY;
    KiGdt[KGDT_DF_TSS >> 3].Access &= (UCHAR)~GDT_TSS_BUSY;
    __asm__ volatile("ltr %w0" : : "r"(KGDT_TSS) : "memory");
    /* The task switch set NT in EFLAGS; the long jump restores the
     * EFLAGS saved before the fault, which have it clear. */
}

/* Points the TEB segment (FS in user mode) at a thread's TEB; it takes
 * effect when FS is next loaded, on the way back to user mode. */
void KiSetTebDescriptor(ULONG_PTR Base)
{
    KiSetGdtEntry(KGDT_R3_TEB, (ULONG)Base, 0xFFF,
                  GDT_PRESENT | GDT_DPL3 | GDT_CODE_DATA | GDT_DATA_RW, 0x40);
}
