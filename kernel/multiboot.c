/*
 * multiboot.c - reads the Multiboot2 boot information GRUB leaves for us
 * into KeLoaderBlock (NT's name for what its loader hands the kernel): the
 * command line, the memory map and the modules. The information itself is
 * somewhere in low physical memory, reached through the boot mapping of
 * the first 16 MB; later code must reserve [InfoPhysical, +InfoSize).
 */
#include "ki.h"
#include "kstring.h"
#include "mmlayout.h"

#define MB2_BOOTLOADER_MAGIC 0x36D76289
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6

KLOADER_BLOCK KeLoaderBlock;

typedef struct { ULONG Type, Size; } MB2_TAG;
typedef struct { ULONG Type, Size, EntrySize, EntryVersion; } MB2_TAG_MMAP_HEADER;
typedef struct { ULONGLONG Base, Length; ULONG Type, Reserved; } MB2_MMAP_ENTRY;
typedef struct { ULONG Type, Size, ModStart, ModEnd; char Name[]; } MB2_TAG_MODULE_T;
typedef struct { ULONG Type, Size, MemLower, MemUpper; } MB2_TAG_MEMINFO;

static void KiCopyString(char *Dst, SIZE_T Size, PCSTR Src, SIZE_T Max)
{
    SIZE_T n = strnlen(Src, Max);
    if (n >= Size)
        n = Size - 1;
    memcpy(Dst, Src, n);
    Dst[n] = 0;
}

void KiParseMultiboot(ULONG Magic, ULONG InfoPhysical)
{
    if (Magic != MB2_BOOTLOADER_MAGIC) {
        DbgPrint("Not started by a Multiboot2 loader (magic %08X); stopping.\n", Magic);
        HalExitEmulator(HAL_EXIT_BUGCHECK);
    }
    ULONG totalSize = *(ULONG *)MI_BOOT_PHYSICAL_TO_VIRTUAL(InfoPhysical);
    if (InfoPhysical + totalSize > MI_BOOT_MAPPED_BYTES) {
        DbgPrint("Boot information at %08X is outside the boot mapping; stopping.\n",
                 InfoPhysical);
        HalExitEmulator(HAL_EXIT_BUGCHECK);
    }
    KeLoaderBlock.InfoPhysical = InfoPhysical;
    KeLoaderBlock.InfoSize = totalSize;

    PUCHAR base = (PUCHAR)MI_BOOT_PHYSICAL_TO_VIRTUAL(InfoPhysical);
    for (ULONG off = 8; off + sizeof(MB2_TAG) <= totalSize;) {
        MB2_TAG *tag = (MB2_TAG *)(base + off);
        if (tag->Type == MB2_TAG_END || tag->Size < 8)
            break;
        switch (tag->Type) {
        case MB2_TAG_CMDLINE:
            KiCopyString(KeLoaderBlock.CommandLine, sizeof(KeLoaderBlock.CommandLine),
                         (PCSTR)(tag + 1), tag->Size - 8);
            break;
        case MB2_TAG_BASIC_MEMINFO: {
            MB2_TAG_MEMINFO *mi = (MB2_TAG_MEMINFO *)tag;
            KeLoaderBlock.MemLowerKb = mi->MemLower;
            KeLoaderBlock.MemUpperKb = mi->MemUpper;
            break;
        }
        case MB2_TAG_MMAP: {
            MB2_TAG_MMAP_HEADER *mm = (MB2_TAG_MMAP_HEADER *)tag;
            for (ULONG e = sizeof(*mm); e + sizeof(MB2_MMAP_ENTRY) <= mm->Size &&
                                        KeLoaderBlock.RangeCount < KBOOT_MAX_RANGES;
                 e += mm->EntrySize) {
                MB2_MMAP_ENTRY *m = (MB2_MMAP_ENTRY *)((PUCHAR)mm + e);
                KBOOT_MEMORY_RANGE *r = &KeLoaderBlock.Ranges[KeLoaderBlock.RangeCount++];
                r->Base = m->Base;
                r->Length = m->Length;
                r->Type = m->Type;
            }
            break;
        }
        case MB2_TAG_MODULE: {
            MB2_TAG_MODULE_T *mod = (MB2_TAG_MODULE_T *)tag;
            if (KeLoaderBlock.ModuleCount < KBOOT_MAX_MODULES) {
                KBOOT_MODULE *k = &KeLoaderBlock.Modules[KeLoaderBlock.ModuleCount++];
                k->Start = mod->ModStart;
                k->End = mod->ModEnd;
                KiCopyString(k->Name, sizeof(k->Name), mod->Name, tag->Size - 16);
            }
            break;
        }
        }
        off += (tag->Size + 7) & ~7u;
    }
}

/* "key=value" words of the command line; Buffer receives the value. */
PCSTR KeGetBootOption(PCSTR Key, char *Buffer, SIZE_T Size)
{
    SIZE_T klen = strlen(Key);
    for (PCSTR p = KeLoaderBlock.CommandLine; *p;) {
        while (*p == ' ')
            p++;
        PCSTR word = p;
        while (*p && *p != ' ')
            p++;
        if ((SIZE_T)(p - word) > klen && strncmp(word, Key, klen) == 0 && word[klen] == '=') {
            KiCopyString(Buffer, Size, word + klen + 1, (SIZE_T)(p - word) - klen - 1);
            return Buffer;
        }
    }
    return NULL;
}
