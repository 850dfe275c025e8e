/*
 * mmlayout.h - the kernel's virtual address map, in one place.
 *
 *   0x00000000 - 0x0000FFFF  never mapped (NULL pointer guard)
 *   0x00010000 - 0x7FFEFFFF  user space (per process)
 *   0x7FFF0000 - 0x7FFFFFFF  never mapped (guard between user and kernel)
 *   0x80000000 -             the kernel image: virtual = 0x80000000 + physical
 *   0xC0000000 - 0xC03FFFFF  the page tables, through the self-map (PDE 0x300)
 *
 * boot/layout.inc holds the values the assembly needs; they must agree.
 */
#ifndef MMLAYOUT_H
#define MMLAYOUT_H

#define MM_LOWEST_USER_ADDRESS   0x00010000u
#define MM_HIGHEST_USER_ADDRESS  0x7FFEFFFFu
#define MM_USER_PROBE_ADDRESS    0x7FFF0000u
#define MM_SYSTEM_RANGE_START    0x80000000u

#define MI_KERNEL_BASE           0x80000000u
#define MI_BOOT_MAPPED_BYTES     0x01000000u
#define MI_BOOT_PHYSICAL_TO_VIRTUAL(pa) ((ULONG)(pa) + MI_KERNEL_BASE)

#define PTE_BASE                 0xC0000000u
#define PDE_BASE                 0xC0300000u
#define MI_SELFMAP_PDE_INDEX     0x300u

#endif /* MMLAYOUT_H */
