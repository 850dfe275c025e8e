/*
 * mdl.h - memory descriptor lists as wdm.h declares them: the MDL, its
 * flags, IoAllocateMdl / IoFreeMdl, MmBuildMdlForNonPagedPool,
 * MmProbeAndLockPages / MmUnlockPages, MmMapLockedPages(SpecifyCache) /
 * MmUnmapLockedPages, MmGetSystemAddressForMdl(Safe) and the MDL macros
 * (here static inline functions with the macros' names).
 *
 * An MDL describes a buffer by its physical pages: a header, then one
 * PFN_NUMBER per page the buffer spans. docs/mdl.md has the picture;
 * mm/mdl.c the implementation.
 */
#ifndef MDL_H
#define MDL_H

#include "ntdef.h"
#include "ke.h"
#include "mm.h"

typedef ULONG PFN_NUMBER, *PPFN_NUMBER;
typedef short CSHORT;

/* wdm.h's KPROCESSOR_MODE and MODE. */
typedef CHAR KPROCESSOR_MODE;
typedef enum _MODE { KernelMode = 0, UserMode = 1, MaximumMode = 2 } MODE;

/* wdm.h's LOCK_OPERATION: what MmProbeAndLockPages probes the buffer for. */
typedef enum _LOCK_OPERATION {
    IoReadAccess = 0,
    IoWriteAccess = 1,
    IoModifyAccess = 2,
} LOCK_OPERATION;

/* wdm.h's MM_PAGE_PRIORITY, and the flags Windows 8 lets callers OR into it. */
typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32,
} MM_PAGE_PRIORITY;
#define MdlMappingNoWrite   0x80000000u
#define MdlMappingNoExecute 0x40000000u   /* accepted; x86 without PAE has no NX bit */

/* wdm.h's MDL flag values. */
#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_LOCKED_PAGE_TABLES      0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES         0x0200
#define MDL_DESCRIBES_AWE           0x0400
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000
#define MDL_ALLOCATED_MUST_SUCCEED  0x4000

#define MDL_MAPPING_FLAGS (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | \
                           MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_PARENT_MAPPED_SYSTEM_VA | MDL_IO_SPACE)

struct _EPROCESS;

/*
 * wdm.h's MDL, field for field (28 bytes on x86). The PFN array follows
 * the header: one entry per page of [StartVa + ByteOffset, + ByteCount).
 *   StartVa         the buffer's first page (page aligned)
 *   ByteOffset      where the buffer starts in that page
 *   ByteCount       the buffer's length
 *   MappedSystemVa  a system address of the buffer, valid when MdlFlags has
 *                   MDL_MAPPED_TO_SYSTEM_VA or MDL_SOURCE_IS_NONPAGED_POOL
 *   Process         the owner of a user buffer; NULL for system addresses
 *   Size            bytes of header plus PFN array
 */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    struct _EPROCESS *Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL, *PMDLX;
C_ASSERT(sizeof(MDL) == 28 || sizeof(void *) == 8);

/* The pool tag of MDLs: "Mdl " as it reads in memory, NT's tag. */
#define IOP_MDL_TAG ' ldM'

/* ---- the macros (wdm.h), as static inline functions ------------------------- */

static inline ULONG MmGetMdlByteCount(const MDL *Mdl) { return Mdl->ByteCount; }
static inline ULONG MmGetMdlByteOffset(const MDL *Mdl) { return Mdl->ByteOffset; }
static inline PVOID MmGetMdlVirtualAddress(const MDL *Mdl)
{
    return (PVOID)((PUCHAR)Mdl->StartVa + Mdl->ByteOffset);
}
static inline PPFN_NUMBER MmGetMdlPfnArray(PMDL Mdl) { return (PPFN_NUMBER)(Mdl + 1); }

/* Bytes an MDL for Length bytes at Base needs: the header and one PFN a page. */
static inline SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) * sizeof(PFN_NUMBER);
}

/* Initializes an MDL the caller allocated (MmSizeOfMdl bytes) for Length
 * bytes at BaseVa: no pages yet, no flags. Process and MappedSystemVa are
 * left as they are, as wdm.h's macro leaves them. */
static inline void MmInitializeMdl(PMDL Mdl, PVOID BaseVa, SIZE_T Length)
{
    Mdl->Next = NULL;
    Mdl->Size = (CSHORT)(sizeof(MDL) +
                         sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(BaseVa, Length));
    Mdl->MdlFlags = 0;
    Mdl->StartVa = PAGE_ALIGN(BaseVa);
    Mdl->ByteOffset = BYTE_OFFSET(BaseVa);
    Mdl->ByteCount = (ULONG)Length;
}

/* ---- the calls (mm/mdl.c) ----------------------------------------------------- */

/*
 * IoAllocateMdl: an MDL for Length bytes at VirtualAddress, from nonpaged
 * pool (tag 'Mdl '), initialized by MmInitializeMdl with Process and
 * MappedSystemVa NULL. NULL when pool is exhausted or Length is 2 GB or
 * more. There are no IRPs yet: Irp must be NULL and SecondaryBuffer is
 * ignored; no process exists to charge, so ChargeQuota is ignored, as the
 * pool's quota calls ignore it. IRQL <= DISPATCH_LEVEL.
 */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PVOID Irp);

/*
 * IoFreeMdl: frees an MDL from IoAllocateMdl. An MDL whose pages are still
 * mapped into system space bugchecks DRIVER_VERIFIER_DETECTED_VIOLATION
 * (0xC4) 0xB8, as Driver Verifier does; locked pages are not checked (NT
 * leaves that to process exit). IRQL <= DISPATCH_LEVEL.
 */
void IoFreeMdl(PMDL Mdl);

/*
 * MmBuildMdlForNonPagedPool: fills the PFN array of an MDL that describes
 * resident system memory (nonpaged pool, the kernel image, contiguous or
 * I/O space), sets MDL_SOURCE_IS_NONPAGED_POOL (and MDL_IO_SPACE when the
 * pages are not RAM) and MappedSystemVa to the buffer itself. Nothing is
 * referenced: the memory must stay allocated while the MDL is used. An
 * unmapped page bugchecks PAGE_FAULT_IN_NONPAGED_AREA (0x50), as touching
 * it would. IRQL <= DISPATCH_LEVEL.
 */
void MmBuildMdlForNonPagedPool(PMDL Mdl);

/*
 * MmProbeAndLockPages: checks that every page of the buffer is mapped and,
 * for IoWriteAccess/IoModifyAccess, writable; references each page (its
 * PFN ReferenceCount goes up by one, so it cannot be freed while locked),
 * fills the PFN array and sets MDL_PAGES_LOCKED (and MDL_WRITE_OPERATION
 * unless IoReadAccess). IRQL <= APC_LEVEL when the buffer is pageable
 * (paged pool, user space, system cache), <= DISPATCH_LEVEL otherwise;
 * above that IRQL_NOT_LESS_OR_EQUAL (0xA). An MDL already locked, built
 * for nonpaged pool, partial or mapped bugchecks 0xC4 0xB0 (Driver
 * Verifier's rule).
 *
 * NT raises STATUS_ACCESS_VIOLATION on a bad address for the caller's
 * __try. This kernel has no exception dispatch yet, so the raise is what
 * an unhandled kernel-mode exception is: KMODE_EXCEPTION_NOT_HANDLED
 * (0x1E) with (STATUS_ACCESS_VIOLATION, caller, 0 read / 1 write, the bad
 * address). Code that wants the status instead calls MiProbeAndLockPages.
 * UserMode, or any user address, is refused that way until user mode exists.
 */
void MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                         LOCK_OPERATION Operation);

/*
 * MiProbeAndLockPages: MmProbeAndLockPages returning the status instead of
 * raising it: STATUS_SUCCESS, or STATUS_ACCESS_VIOLATION with the MDL as
 * it was and nothing referenced. *BadAddress (optional) receives the page
 * that failed.
 */
NTSTATUS MiProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                             LOCK_OPERATION Operation, PVOID *BadAddress);

/*
 * MmUnlockPages: unmaps the MDL's system mapping if it has one, drops the
 * reference MmProbeAndLockPages took on each page and clears
 * MDL_PAGES_LOCKED and MDL_WRITE_OPERATION. An MDL that does not have its
 * pages locked, or a page whose only reference left is its owner's,
 * bugchecks PFN_LIST_CORRUPT (0x4E) 0x07 (PFN, reference count, 0): what
 * NT reaches when an unlock takes a page's count below its owner's. A
 * partial MDL bugchecks 0xC4 0xB4. IRQL <= DISPATCH_LEVEL.
 */
void MmUnlockPages(PMDL MemoryDescriptorList);

/*
 * MmMapLockedPagesSpecifyCache: maps the MDL's pages (locked, or built for
 * nonpaged pool) into system PTEs and returns the buffer's address there
 * (page + ByteOffset), recorded in MappedSystemVa with
 * MDL_MAPPED_TO_SYSTEM_VA. AccessMode UserMode is not supported until user
 * address spaces exist: it returns NULL. RequestedAddress must be NULL.
 * Priority may carry MdlMappingNoWrite (a read-only mapping). With no
 * PTEs left it returns NULL, or with BugCheckOnFailure (and no
 * MDL_MAPPING_CAN_FAIL) bugchecks NO_MORE_SYSTEM_PTES (0x3F). An MDL
 * already mapped bugchecks 0xC4 0xB2, one neither locked nor built for
 * nonpaged pool 0xC4 0xB3 (Driver Verifier's rules). IRQL <= DISPATCH_LEVEL.
 */
PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority);

/* MmMapLockedPagesSpecifyCache(Mdl, AccessMode, MmCached, NULL, TRUE,
 * HighPagePriority), as NT defines it. */
PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode);

/*
 * MmUnmapLockedPages: releases the system PTEs of a mapping made by
 * MmMapLockedPages(SpecifyCache) and clears MDL_MAPPED_TO_SYSTEM_VA; for
 * an MDL built for nonpaged pool MappedSystemVa goes back to the buffer.
 * Unmapping twice bugchecks MEMORY_MANAGEMENT (0x1A) from the system-PTE
 * layer. IRQL <= DISPATCH_LEVEL.
 */
void MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);

/* ---- wdm.h's inline helpers --------------------------------------------------- */

/* A system address for the MDL's buffer: MappedSystemVa if it has one,
 * else a new mapping (NULL on failure). IRQL <= DISPATCH_LEVEL. */
static inline PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmMapLockedPagesSpecifyCache);
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    return MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, Priority);
}

/* The old form: bugchecks instead of returning NULL (MmMapLockedPages). */
static inline PVOID MmGetSystemAddressForMdl(PMDL Mdl)
{
    KeCheckIrqlAtMost(DISPATCH_LEVEL, (PVOID)MmMapLockedPages);
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    return MmMapLockedPages(Mdl, KernelMode);
}

/* Makes an MDL reusable (IoFreeMdl does this first): a partial MDL's
 * mapping is released. */
static inline void MmPrepareMdlForReuse(PMDL Mdl)
{
    if (Mdl->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED) {
        ASSERT(Mdl->MdlFlags & MDL_PARTIAL);
        MmUnmapLockedPages(Mdl->MappedSystemVa, Mdl);
    }
}

#endif /* MDL_H */
