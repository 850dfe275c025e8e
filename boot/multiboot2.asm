; multiboot2.asm - the Multiboot2 header GRUB looks for in the first 32 KB.
;
; It asks for the command line, the modules and the memory map (required
; tags: GRUB refuses to boot rather than hand us less), and for modules to be
; page aligned so they can later be mapped as files and program images.

MB2_MAGIC equ 0xE85250D6
MB2_ARCH_I386 equ 0

section .multiboot
align 8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    ; information request: 1 command line, 3 modules, 4 basic meminfo, 6 memory map
align 8
    dw 1, 0
    dd 8 + 4 * 4
    dd 1, 3, 4, 6

    ; module alignment: modules start on page boundaries
align 8
    dw 6, 0
    dd 8

    ; end tag
align 8
    dw 0, 0
    dd 8
mb2_header_end:
