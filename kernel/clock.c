/*
 * clock.c - the 8253/8254 programmable interval timer on line 0, the
 * system clock: KE_CLOCK_HZ ticks a second, counted in KeTickCount.
 */
#include "ki.h"

void KiClockTick(void);

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_INPUT_HZ 1193182u

volatile ULONG KeTickCount;

static void KiClockInterrupt(ULONG Irq, void *Context)
{
    (void)Irq;
    (void)Context;
    KeTickCount++;
    KiClockTick();
}

void KiInitializeClock(void)
{
    ULONG divisor = (PIT_INPUT_HZ + KE_CLOCK_HZ / 2) / KE_CLOCK_HZ;
    outb(PIT_COMMAND, 0x34);                  /* channel 0, lo/hi, rate generator */
    outb(PIT_CHANNEL0, (UCHAR)divisor);
    outb(PIT_CHANNEL0, (UCHAR)(divisor >> 8));
    KeConnectInterrupt(0, KiClockInterrupt, NULL);
}

ULONG KeQueryTimeIncrement(void)
{
    return 10000000u / KE_CLOCK_HZ;
}
