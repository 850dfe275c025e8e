/*
 * mmlayout.h - the virtual address map, in one place. It keeps the shape
 * of NT's x86 layout (Server 2003, no PAE), with sizes scaled to a small
 * machine:
 *
 *   0x00000000 - 0x0000FFFF  never mapped: the NULL pointer guard
 *   0x00010000 - 0x7FFEFFFF  user space (per process)
 *   0x7FFF0000 - 0x7FFFFFFF  never mapped: guard between user and kernel
 *   0x80000000 - 0x80FFFFFF  boot window: kernel image at 0x80000000 + physical
 *   0x81000000 - 0x827FFFFF  the PFN database (24 MB covers 4 GB of RAM)
 *   0x82800000 - 0x847FFFFF  initial nonpaged pool
 *   0xC0000000 - 0xC03FFFFF  page tables through the self-map (PDE 0x300)
 *   0xC0300000 - 0xC0300FFF    of which: the page directory
 *   0xC0400000 - 0xC07FFFFF  hyperspace: per-process temporary mappings
 *   0xC1000000 - 0xE0FFFFFF  system cache (for mapped files)
 *   0xE1000000 - 0xE8FFFFFF  paged pool
 *   0xE9000000 - 0xF8FFFFFF  system PTEs (I/O space, MDL mappings, stacks)
 *   0xF9000000 - 0xFFBDFFFF  nonpaged pool expansion
 *   0xFFC00000 - 0xFFFFFFFF  left to the HAL's fixed mappings
 *
 * The kernel half (0x80000000 up) is the same in every address space except
 * the self-map and hyperspace, which are per process. boot/layout.inc holds
 * the values the assembly needs; they must agree.
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

#define MI_PFN_DATABASE_START    0x81000000u
#define MI_PFN_DATABASE_END      0x827FFFFFu
#define MI_NONPAGED_POOL_START   0x82800000u
#define MI_NONPAGED_POOL_END     0x847FFFFFu

#define PTE_BASE                 0xC0000000u
#define PTE_TOP                  0xC03FFFFFu
#define PDE_BASE                 0xC0300000u
#define MI_SELFMAP_PDE_INDEX     0x300u
#define HYPER_SPACE              0xC0400000u
#define HYPER_SPACE_END          0xC07FFFFFu
#define MI_HYPERSPACE_PDE_INDEX  0x301u

#define MI_SYSTEM_CACHE_START    0xC1000000u
#define MI_SYSTEM_CACHE_END      0xE0FFFFFFu
#define MI_PAGED_POOL_START      0xE1000000u
#define MI_PAGED_POOL_END        0xE8FFFFFFu
#define MI_SYSTEM_PTE_START      0xE9000000u
#define MI_SYSTEM_PTE_END        0xF8FFFFFFu
#define MI_NONPAGED_POOL_EXPANSION_START 0xF9000000u
#define MI_NONPAGED_POOL_EXPANSION_END   0xFFBDFFFFu
#define MI_HAL_RESERVED_START    0xFFC00000u

/* The regions are in address order and do not overlap. */
_Static_assert(MI_PFN_DATABASE_END < MI_NONPAGED_POOL_START, "layout");
_Static_assert(MI_NONPAGED_POOL_END < PTE_BASE, "layout");
_Static_assert(HYPER_SPACE_END < MI_SYSTEM_CACHE_START, "layout");
_Static_assert(MI_SYSTEM_CACHE_END < MI_PAGED_POOL_START, "layout");
_Static_assert(MI_PAGED_POOL_END < MI_SYSTEM_PTE_START, "layout");
_Static_assert(MI_SYSTEM_PTE_END < MI_NONPAGED_POOL_EXPANSION_START, "layout");
_Static_assert(MI_NONPAGED_POOL_EXPANSION_END < MI_HAL_RESERVED_START, "layout");

#endif /* MMLAYOUT_H */
