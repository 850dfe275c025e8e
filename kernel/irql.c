/*
 * irql.c - interrupt request levels on the 8259.
 *
 * The IRQL is a number in KiCurrentIrql; raising or lowering it rewrites the
 * PIC masks so that exactly the lines above the new level can interrupt.
 * Lines map to levels as NT's PIC HAL maps them: the clock (line 0) at
 * CLOCK2_LEVEL, line n >= 1 at PROFILE_LEVEL - n (so line 1 is 26 and line
 * 15 is 12). APC and DISPATCH are software levels: no line is masked there
 * until a scheduler and DPCs give them work.
 */
#include "ki.h"

volatile KIRQL KiCurrentIrql = HIGH_LEVEL;   /* until startup lowers it */
volatile ULONG KiWrittenMask = 0xFFFFFFFF;
/* The 8259 mask for each IRQL, rebuilt when a line is connected: raising
 * and lowering (inline, in ke.h) is then a lookup and, only if the mask
 * changes, two OUTs. */
USHORT KiIrqlMask[HIGH_LEVEL + 1];
static BOOLEAN KiIrqlMaskReady;
ULONG KiConnectedLines(void);
void KiRunInterrupt(ULONG Irq);

KIRQL KeIrqToIrql(ULONG Irq)
{
    return Irq == 0 ? CLOCK2_LEVEL : (KIRQL)(PROFILE_LEVEL - Irq);
}

/* The lines masked at Irql: those at or below it and those not connected. */
static ULONG KiMaskForIrql(KIRQL Irql)
{
    ULONG mask = ~KiConnectedLines() & 0xFFFF;
    for (ULONG irq = 0; irq < 16; irq++)
        if (irq != 2 && KeIrqToIrql(irq) <= Irql)
            mask |= 1u << irq;
    /* Line 2 is the cascade: mask it only if every slave line is masked. */
    if ((mask & 0xFF00) == 0xFF00)
        mask |= 1u << 2;
    else
        mask &= ~(1u << 2);
    return mask;
}

/* Called when the set of connected lines changes (KeConnectInterrupt). */
void KiRebuildIrqlMasks(void)
{
    for (ULONG irql = 0; irql <= HIGH_LEVEL; irql++)
        KiIrqlMask[irql] = (USHORT)KiMaskForIrql((KIRQL)irql);
    KiIrqlMaskReady = TRUE;
}

void KiApplyIrqlMask(KIRQL Irql)
{
    if (!KiIrqlMaskReady)
        KiRebuildIrqlMasks();
    ULONG mask = KiIrqlMask[Irql];
    if (mask == KiWrittenMask)
        return;
    if (mask != (KiWrittenMask & 0xFFFF) || KiWrittenMask == 0xFFFFFFFF) {
        outb(0x21, (UCHAR)mask);
        outb(0xA1, (UCHAR)(mask >> 8));
    }
    /* Keeps the fast paths' compare failing while lines are held back. */
    KiWrittenMask = KiPendingInterrupts ? mask | KI_IRQL_PENDING : mask;
}

/* Replays lines that arrived while the IRQL held them off, highest first. */
static void KiReplayPending(KIRQL Irql)
{
    for (;;) {
        int best = -1;
        for (ULONG irq = 0; irq < 16; irq++)
            if ((KiPendingInterrupts & (1u << irq)) && KeIrqToIrql(irq) > Irql &&
                (best < 0 || KeIrqToIrql(irq) > KeIrqToIrql((ULONG)best)))
                best = (int)irq;
        if (best < 0)
            return;
        KiPendingInterrupts &= ~(1u << best);
        KiRunInterrupt((ULONG)best);
    }
}

/* The slow path of KfRaiseIrql and KfLowerIrql (ke.h): the level's mask
 * differs from the one written, or lines are pending. After a raise no
 * pending line is above the new level, so only a lower replays any. */
void KiSynchronizeIrqlMask(void)
{
    ULONG flags = __readeflags();
    _disable();
    KiApplyIrqlMask(KiCurrentIrql);
    if (KiPendingInterrupts)
        KiReplayPending(KiCurrentIrql);
    __writeeflags(flags);
}

/* After a recovered bugcheck: put the IRQL back where the test had it. */
void KiSetIrqlForRecovery(KIRQL Irql)
{
    KiCurrentIrql = Irql;
    KiApplyIrqlMask(Irql);
}

void KeCheckIrqlAtMost(KIRQL Max, PVOID Routine)
{
    if (KiCurrentIrql > Max)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Routine, KiCurrentIrql, 0,
                     (ULONG_PTR)__builtin_return_address(0));
}
