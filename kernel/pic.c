/*
 * pic.c - the two 8259 interrupt controllers and interrupt dispatch.
 *
 * Lines 0-7 (master) and 8-15 (slave, cascaded on line 2) are remapped to
 * vectors 0x30-0x3F, as NT's HAL does, out of the way of the CPU exceptions.
 * Each line runs its handler at its own device IRQL (irql.c); the masks the
 * PIC holds are those of the current IRQL, so a line at or below it waits.
 * A line that still slips in (it was latched before the mask changed) is
 * remembered and replayed when the IRQL drops below it.
 */
#include "ki.h"

void KiPreemptIfDue(void);

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B

static struct {
    PKINTERRUPT_ROUTINE Routine;
    void *Context;
} KiInterruptTable[16];

volatile ULONG KiPendingInterrupts;   /* bit n: line n arrived while masked by IRQL */

void KiInitializePic(void)
{
    outb(PIC1_CMD, 0x11); io_wait();       /* ICW1: edge, cascade, ICW4 */
    outb(PIC2_CMD, 0x11); io_wait();
    outb(PIC1_DATA, PRIMARY_VECTOR_BASE); io_wait();
    outb(PIC2_DATA, PRIMARY_VECTOR_BASE + 8); io_wait();
    outb(PIC1_DATA, 0x04); io_wait();      /* slave on line 2 */
    outb(PIC2_DATA, 0x02); io_wait();
    outb(PIC1_DATA, 0x01); io_wait();      /* 8086 mode */
    outb(PIC2_DATA, 0x01); io_wait();
    KiApplyIrqlMask(KiCurrentIrql);
}

void KeConnectInterrupt(ULONG Irq, PKINTERRUPT_ROUTINE Routine, void *Context)
{
    ASSERT(Irq < 16 && Irq != 2);
    ULONG flags = __readeflags();
    _disable();
    KiInterruptTable[Irq].Routine = Routine;
    KiInterruptTable[Irq].Context = Context;
    KiRebuildIrqlMasks();
    KiApplyIrqlMask(KiCurrentIrql);
    __writeeflags(flags);
}

/* Lines with no handler stay masked whatever the IRQL (irql.c asks). */
ULONG KiConnectedLines(void)
{
    ULONG lines = 1u << 2;      /* the cascade */
    for (ULONG i = 0; i < 16; i++)
        if (KiInterruptTable[i].Routine)
            lines |= 1u << i;
    return lines;
}

static void KiEndOfInterrupt(ULONG Irq)
{
    if (Irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* Lines 7 and 15 can fire with nothing in service (a spurious interrupt). */
static BOOLEAN KiIsSpurious(ULONG Irq)
{
    if (Irq == 7) {
        outb(PIC1_CMD, PIC_READ_ISR);
        return !(inb(PIC1_CMD) & 0x80);
    }
    if (Irq == 15) {
        outb(PIC2_CMD, PIC_READ_ISR);
        if (!(inb(PIC2_CMD) & 0x80)) {
            outb(PIC1_CMD, PIC_EOI);   /* the master did see the cascade */
            return TRUE;
        }
    }
    return FALSE;
}

/* Runs line Irq's handler at its IRQL, with interrupts on. */
void KiRunInterrupt(ULONG Irq)
{
    KIRQL old = KiCurrentIrql;
    KiCurrentIrql = KeIrqToIrql(Irq);
    KiApplyIrqlMask(KiCurrentIrql);
    _enable();
    if (KiInterruptTable[Irq].Routine)
        KiInterruptTable[Irq].Routine(Irq, KiInterruptTable[Irq].Context);
    _disable();
    KiCurrentIrql = old;
    KiApplyIrqlMask(old);
}

void KiInterruptDispatch(PKTRAP_FRAME TrapFrame)
{
    ULONG irq = TrapFrame->Vector - PRIMARY_VECTOR_BASE;
    if (KiIsSpurious(irq))
        return;
    KiEndOfInterrupt(irq);
    if (KeIrqToIrql(irq) <= KiCurrentIrql) {
        KiPendingInterrupts |= 1u << irq;
        KiWrittenMask |= KI_IRQL_PENDING;   /* the next lower replays it */
        return;
    }
    KiRunInterrupt(irq);
    KiPreemptIfDue();       /* the quantum may have run out (thread.c) */
}
