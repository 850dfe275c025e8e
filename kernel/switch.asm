; switch.asm - changing threads, and the first entry into user mode.

global KiSwapContext, KiThreadStartupThunk, KiEnterUserMode, KiEnterUserModeWithRegisters
extern KiThreadStartup

section .text
bits 32

; void KiSwapContext(ULONG *OldEsp, ULONG NewEsp)
; Saves the callee-saved registers and EFLAGS on this stack, stores ESP in
; *OldEsp, takes NewEsp and restores the same set from it. A thread that
; never ran has a frame built by PsCreateThread that "returns" into
; KiThreadStartupThunk.
KiSwapContext:
    push ebp
    push ebx
    push esi
    push edi
    pushfd
    mov eax, [esp + 24]         ; OldEsp
    mov ecx, [esp + 28]         ; NewEsp
    mov [eax], esp
    mov esp, ecx
    popfd
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

KiThreadStartupThunk:
    xor ebp, ebp                ; the stack walk stops here
    call KiThreadStartup        ; never returns

; void KiEnterUserMode(ULONG Eip, ULONG Esp): ring 3 with interrupts on,
; user data segments, FS on the TEB (selector 0x3B).
KiEnterUserMode:
    mov ecx, [esp + 4]
    mov edx, [esp + 8]
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    mov ax, 0x3B
    mov fs, ax
    xor eax, eax
    mov gs, ax
    push dword 0x23             ; SS
    push edx                    ; ESP
    push dword 0x202            ; EFLAGS: IF
    push dword 0x1B             ; CS
    push ecx                    ; EIP
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd

; void KiEnterUserModeWithRegisters(const ULONG *Registers): as KiEnterUserMode,
; with Registers = { EIP, ESP, EAX, EBX, ECX, EDX, ESI, EDI, EBP }: how a
; thread made by NtCreateThread starts from its CONTEXT. EFLAGS is IF only.
KiEnterUserModeWithRegisters:
    mov esi, [esp + 4]
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    mov ax, 0x3B
    mov fs, ax
    xor eax, eax
    mov gs, ax
    push dword 0x23             ; SS
    push dword [esi + 4]        ; ESP
    push dword 0x202            ; EFLAGS: IF
    push dword 0x1B             ; CS
    push dword [esi]            ; EIP
    mov eax, [esi + 8]
    mov ebx, [esi + 12]
    mov ecx, [esi + 16]
    mov edx, [esi + 20]
    mov edi, [esi + 28]
    mov ebp, [esi + 32]
    mov esi, [esi + 24]         ; last: it was the pointer
    iretd
