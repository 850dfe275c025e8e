; trapstub.asm - the way into C for every trap and interrupt.
;
; Each vector has a stub that makes the stack uniform (a zero error code
; when the CPU pushes none, then the vector number) and jumps to a common
; path that saves the registers as a KTRAP_FRAME (ki.h) and calls the C
; dispatcher with a pointer to it. Vectors 0-31 go to KiTrapDispatch, the
; 8259's 0x30-0x3F to KiInterruptDispatch. Vector 8, the double fault, has
; no stub: it is a task gate (gdt.c) so it runs on a stack of its own.
; Both common paths pass the frame to KiCheckForSuspend before the iretd:
; a thread going back to user mode stops there while it is suspended
; (suspend.c), where NT's trap exits deliver APCs.

extern KiTrapDispatch, KiInterruptDispatch, KiDoubleFaultHandler, KiCheckForSuspend
global KiTrapStubs, KiInterruptStubs, KiDoubleFaultEntry, KiSystemServiceStub
global KiSetJump, KiLongJump
global KiBootStackGuard, KiBootStackTop

KGDT_R0_DATA equ 0x10
KGDT_R0_PCR  equ 0x30

section .text
bits 32

%macro TRAP_NOERR 1
    push dword 0
    push dword %1
    jmp KiTrapCommon
    align 16
%endmacro
%macro TRAP_ERR 1
    push dword %1
    jmp KiTrapCommon
    align 16
%endmacro

; The stubs are 16 bytes apart: idt.c computes KiTrapStubs + 16 * vector.
align 16
KiTrapStubs:
%assign v 0
%rep 32
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21
    TRAP_ERR v
%else
    TRAP_NOERR v
%endif
%assign v v + 1
%endrep

align 16
KiInterruptStubs:
%assign v 0x30
%rep 16
    push dword 0
    push dword v
    jmp KiInterruptCommon
    align 16
%assign v v + 1
%endrep

; int 0x2E from user mode: a system call (syscall.c).
align 16
KiSystemServiceStub:
    push dword 0
    push dword 0x2E
    jmp KiTrapCommon

%macro SAVE_FRAME 0
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, KGDT_R0_DATA
    mov ds, ax
    mov es, ax
    mov ax, KGDT_R0_PCR
    mov fs, ax
    cld
%endmacro

; A C callee may reuse its argument's slot, so the frame is pushed afresh.
%macro CHECK_FOR_SUSPEND 0
    push esp
    call KiCheckForSuspend
    add esp, 4
%endmacro

%macro RESTORE_FRAME_AND_IRET 0
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8                  ; vector and error code
    iretd
%endmacro

KiTrapCommon:
    SAVE_FRAME
    push esp
    call KiTrapDispatch
    add esp, 4
    CHECK_FOR_SUSPEND
    RESTORE_FRAME_AND_IRET

KiInterruptCommon:
    SAVE_FRAME
    push esp
    call KiInterruptDispatch
    add esp, 4
    CHECK_FOR_SUSPEND
    RESTORE_FRAME_AND_IRET

; The double-fault task starts here with the registers from KiDoubleFaultTss:
; a fresh stack, flat segments, interrupts off. The faulting context was
; saved by the CPU in KiTss. The handler never returns.
KiDoubleFaultEntry:
    xor ebp, ebp
    call KiDoubleFaultHandler
.hang:
    cli
    hlt
    jmp .hang

; int KiSetJump(KJUMP_BUFFER *b): saves the callee-saved registers, the stack
; and the return address; returns 0 now and Value when KiLongJump comes back.
KiSetJump:
    mov eax, [esp + 4]
    mov [eax + 0], ebx
    mov [eax + 4], esi
    mov [eax + 8], edi
    mov [eax + 12], ebp
    lea ecx, [esp + 4]
    mov [eax + 16], ecx         ; ESP after our return
    mov ecx, [esp]
    mov [eax + 20], ecx         ; return address
    pushfd
    pop ecx
    mov [eax + 24], ecx
    xor eax, eax
    ret

; void KiLongJump(KJUMP_BUFFER *b, int value): resumes at the saved
; KiSetJump with EFLAGS (so the interrupt flag) as they were then.
KiLongJump:
    mov edx, [esp + 4]
    mov eax, [esp + 8]
    test eax, eax
    jnz .nonzero
    inc eax
.nonzero:
    mov ebx, [edx + 0]
    mov esi, [edx + 4]
    mov edi, [edx + 8]
    mov ebp, [edx + 12]
    mov esp, [edx + 16]
    push dword [edx + 24]
    popfd
    jmp dword [edx + 20]

; The boot stack, with a page below it that startup unmaps so that an
; overflow faults (and, with nowhere to push the fault, double-faults).
section .bss
align 4096
KiBootStackGuard:
    resb 4096
    resb 16384
KiBootStackTop:
