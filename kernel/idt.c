/*
 * idt.c - the interrupt descriptor table.
 *
 * Exceptions 0-31 are interrupt gates (interrupts off on entry) to the stubs
 * in trapstub.asm, except the double fault, a task gate (see gdt.c), and the
 * breakpoint, callable from ring 3. The 8259's lines are at 0x30-0x3F as on
 * NT (PRIMARY_VECTOR_BASE). Everything else is absent, so a stray INT n
 * faults with #GP and is reported.
 */
#include "ki.h"
#include "kstring.h"

static KIDTENTRY KiIdt[256] __attribute__((aligned(8)));
extern char KiTrapStubs[], KiInterruptStubs[], KiSystemServiceStub[];
#define KI_STUB_BYTES 16

void KiSetIdtGate(ULONG Vector, void *Handler, UCHAR Access, USHORT Selector)
{
    PKIDTENTRY e = &KiIdt[Vector];
    e->OffsetLow = (USHORT)(ULONG)Handler;
    e->OffsetHigh = (USHORT)((ULONG)Handler >> 16);
    e->Selector = Selector;
    e->Reserved = 0;
    e->Access = Access;
}

void KiInitializeIdt(void)
{
    memset(KiIdt, 0, sizeof(KiIdt));
    for (ULONG v = 0; v < 32; v++)
        KiSetIdtGate(v, KiTrapStubs + v * KI_STUB_BYTES, IDT_INTERRUPT_GATE, KGDT_R0_CODE);
    KiSetIdtGate(3, KiTrapStubs + 3 * KI_STUB_BYTES, IDT_INTERRUPT_GATE | IDT_DPL3, KGDT_R0_CODE);
    KiSetIdtGate(8, NULL, IDT_TASK_GATE, KGDT_DF_TSS);
    /* NT/x86's system call gate, callable from ring 3. */
    KiSetIdtGate(0x2E, KiSystemServiceStub, IDT_INTERRUPT_GATE | IDT_DPL3, KGDT_R0_CODE);
    for (ULONG i = 0; i < 16; i++)
        KiSetIdtGate(PRIMARY_VECTOR_BASE + i, KiInterruptStubs + i * KI_STUB_BYTES,
                     IDT_INTERRUPT_GATE, KGDT_R0_CODE);

    KDESCRIPTOR idtr = { sizeof(KiIdt) - 1, (ULONG)KiIdt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
