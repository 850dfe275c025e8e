/*
 * syscall.c - the system-service stubs, one per entry of NT_SERVICE_TABLE
 * (lib/ntsyscalls.h), as ntdll.dll had them on NT/x86 before sysenter:
 *
 *     NtClose:  movl $SERVICE_NtClose, %eax     service number
 *               leal 4(%esp), %edx              the caller's stdcall arguments
 *               int  $0x2e
 *               ret  $4                         stdcall: pop ArgumentCount * 4
 *
 * The stubs are emitted as assembly from inside a C function so that the
 * service number and the argument bytes come from the table itself (the "i"
 * operands), not from a second list that could drift. ELF stdcall names
 * carry no @N decoration, so the symbol is the plain name (NtClose).
 */
#include <ntdll.h>
#include "ntsyscalls.h"

#define KI_SYSTEM_SERVICE_STUB(Name, Args)                                  \
    __asm__ volatile(".pushsection .text\n\t"                               \
                     ".globl " #Name "\n\t"                                 \
                     ".type " #Name ", @function\n\t"                       \
                     ".p2align 4\n"                                         \
                     #Name ":\n\t"                                          \
                     "movl $%c0, %%eax\n\t"                                 \
                     "leal 4(%%esp), %%edx\n\t"                             \
                     "int $0x2e\n\t"                                        \
                     "ret $%c1\n\t"                                         \
                     ".size " #Name ", . - " #Name "\n\t"                   \
                     ".popsection"                                          \
                     : : "i"(SERVICE_##Name), "i"((Args) * 4));

/* Never called: it exists to hold the stubs' assembly. */
__attribute__((used)) static void KiSystemServiceStubs(void)
{
    NT_SERVICE_TABLE(KI_SYSTEM_SERVICE_STUB)
}
