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
static ULONG KiWrittenMask = 0xFFFFFFFF;
/* The 8259 mask for each IRQL, rebuilt when a line is connected: raising
 * and lowering is then a lookup and, only if the mask changes, two OUTs. */
static USHORT KiIrqlMask[HIGH_LEVEL + 1];
static BOOLEAN KiIrqlMaskReady;
extern volatile ULONG KiPendingInterrupts;
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
    KiWrittenMask = mask;
    outb(0x21, (UCHAR)mask);
    outb(0xA1, (UCHAR)(mask >> 8));
}

KIRQL KeGetCurrentIrql(void)
{
    return KiCurrentIrql;
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = KiCurrentIrql;
    if (NewIrql < old)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, old, NewIrql, 0, 0);
    /* One store is atomic against interrupts on this processor; a line that
     * arrives just after it finds the new level and is held as pending. */
    KiCurrentIrql = NewIrql;
    if (KiIrqlMask[NewIrql] != KiWrittenMask || !KiIrqlMaskReady) {
        ULONG flags = __readeflags();
        _disable();
        KiApplyIrqlMask(NewIrql);
        __writeeflags(flags);
    }
    return old;
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

void KfLowerIrql(KIRQL NewIrql)
{
    KIRQL old = KiCurrentIrql;
    if (NewIrql > old)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, NewIrql, old, 0, 0);
    KiCurrentIrql = NewIrql;
    /* The common case: same mask, nothing held back. A line held back
     * before the store above is seen pending here; one after it runs. */
    if (KiIrqlMask[NewIrql] == KiWrittenMask && KiIrqlMaskReady && !KiPendingInterrupts)
        return;
    ULONG flags = __readeflags();
    _disable();
    KiApplyIrqlMask(NewIrql);
    if (KiPendingInterrupts)
        KiReplayPending(NewIrql);
    __writeeflags(flags);
}

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    *OldIrql = KfRaiseIrql(NewIrql);
}

void KeLowerIrql(KIRQL NewIrql)
{
    KfLowerIrql(NewIrql);
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
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
