; entry.asm - from GRUB to C.
;
; GRUB enters _start in 32-bit protected mode, paging off, with EAX = the
; Multiboot2 magic and EBX = the physical address of the boot information.
; This code runs at its physical address (section .boot.text is linked low),
; builds the boot page tables, turns paging on and jumps to the higher half:
;
;   virtual 0x00000000-0x00FFFFFF -> physical 0-16 MB  (identity, only until
;                                     KiSystemStartup removes it)
;   virtual 0x80000000-0x80FFFFFF -> physical 0-16 MB  (the kernel image)
;   virtual 0xC0000000-0xC03FFFFF -> the page tables    (PDE 0x300 = the PD)
;
; The same four page tables back both windows, and the kernel's PTEs are
; global (CR4.PGE) so a CR3 reload keeps them in the TLB.

%include "layout.inc"

extern KiSystemStartup
extern MmBootPageDirectory, MmBootPageTables
extern KiBootStackTop
extern MiBootEntryTsc

global _start

section .boot.text progbits alloc exec
bits 32
_start:
    cli
    cld
    mov esi, eax                ; Multiboot2 magic
    mov edi, ebx                ; boot information (physical)
    rdtsc                       ; for the boot benchmark: instructions from here
    mov [MiBootEntryTsc - KERNEL_BASE], eax
    mov [MiBootEntryTsc - KERNEL_BASE + 4], edx

    ; Fill the four page tables: PTE i maps physical page i, present,
    ; writable, global.
    mov ebx, MmBootPageTables - KERNEL_BASE
    xor ecx, ecx
.fill_pte:
    mov eax, ecx
    shl eax, 12
    or eax, 0x103               ; P | RW | G
    mov [ebx + ecx * 4], eax
    inc ecx
    cmp ecx, BOOT_MAPPED_BYTES >> 12
    jb .fill_pte

    ; Point PDEs 0-3 (identity) and 0x200-0x203 (kernel) at them.
    mov edx, MmBootPageDirectory - KERNEL_BASE
    xor ecx, ecx
.fill_pde:
    mov eax, ecx
    shl eax, 12
    add eax, ebx
    or eax, 0x003               ; P | RW
    mov [edx + ecx * 4], eax
    mov [edx + ecx * 4 + (KERNEL_BASE >> 22) * 4], eax
    inc ecx
    cmp ecx, BOOT_MAPPED_BYTES >> 22
    jb .fill_pde

    ; The self-map: the directory is also the page table for 0xC0000000.
    mov eax, edx
    or eax, 0x003
    mov [edx + SELFMAP_PDE_INDEX * 4], eax

    mov cr3, edx
    mov eax, cr4
    or eax, (1 << 7)            ; PGE: global pages
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80010000          ; PG | WP (the kernel honours read-only PTEs)
    mov cr0, eax

    mov eax, .higher_half
    jmp eax

section .text
.higher_half:
    mov esp, KiBootStackTop
    xor ebp, ebp                ; the stack walk stops here
    push edi                    ; boot information, physical
    push esi                    ; magic
    call KiSystemStartup
.hang:
    cli
    hlt
    jmp .hang
