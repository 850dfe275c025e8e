/*
 * mm.h - the memory manager's public interface: page-table entries and
 * their accessors, and the calls the rest of the kernel makes.
 */
#ifndef MM_H
#define MM_H

#include "ntdef.h"
#include "mmlayout.h"

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12
#define PAGE_ALIGN(va) ((PVOID)((ULONG_PTR)(va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define BYTE_OFFSET(va) ((ULONG)((ULONG_PTR)(va) & (PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(size) (((ULONG_PTR)(size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(size) (((ULONG_PTR)(size) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* x86 non-PAE PTE/PDE bits (Intel SDM vol. 3, 4.3). */
#define PTE_VALID         0x001u
#define PTE_WRITE         0x002u
#define PTE_OWNER         0x004u    /* user accessible */
#define PTE_WRITE_THROUGH 0x008u
#define PTE_CACHE_DISABLE 0x010u
#define PTE_ACCESSED      0x020u
#define PTE_DIRTY         0x040u
#define PTE_LARGE_PAGE    0x080u    /* in a PDE: a 4 MB page */
#define PTE_GLOBAL        0x100u
#define PTE_FRAME_MASK    0xFFFFF000u

typedef struct _MMPTE {
    ULONG u;
} MMPTE, *PMMPTE;
C_ASSERT(sizeof(MMPTE) == 4);

/* Where the PTE (PDE) mapping Va lives, through the self-map. */
static inline PMMPTE MiGetPteAddress(const void *Va)
{
    return (PMMPTE)(ULONG_PTR)(PTE_BASE + (((ULONG)(ULONG_PTR)Va >> PAGE_SHIFT) << 2));
}
static inline PMMPTE MiGetPdeAddress(const void *Va)
{
    return (PMMPTE)(ULONG_PTR)(PDE_BASE + (((ULONG)(ULONG_PTR)Va >> 22) << 2));
}
static inline ULONG MiGetPdeOffset(const void *Va) { return (ULONG)(ULONG_PTR)Va >> 22; }

/* Early paging set-up: removes the identity map, guards the boot stack. */
void MmInitializeBootPaging(void);

/* The kernel's page-zeroing routine: the unit calib.zero_page measures. */
void KeZeroPages(PVOID Address, SIZE_T Size);

#endif /* MM_H */
