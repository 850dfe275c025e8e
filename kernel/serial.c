/*
 * serial.c - the 16550 UART on COM1 (0x3F8), 115200 8N1, polled.
 *
 * Polled output is slow but works at any IRQL, from a trap handler, the
 * double-fault task and a bugcheck, which is what a debug console needs.
 */
#include "ki.h"

#define COM1 0x3F8
#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_THR_EMPTY 0x20
#define LCR_DLAB 0x80

void KiInitializeSerial(void)
{
    outb(COM1 + UART_IER, 0x00);            /* no interrupts */
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, 1);              /* divisor 1: 115200 baud */
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, 0x03);            /* 8 bits, no parity, 1 stop */
    outb(COM1 + UART_FCR, 0xC7);            /* FIFOs on, cleared, 14-byte trigger */
    outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS */
}

void KiSerialPut(char c)
{
    if (c == '\n')
        KiSerialPut('\r');
    while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
        ;
    outb(COM1 + UART_DATA, (UCHAR)c);
}

void KiSerialWrite(PCSTR s, SIZE_T n)
{
    while (n--)
        KiSerialPut(*s++);
}
