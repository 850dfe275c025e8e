/*
 * Special pool (mm/specialpool.c), as Driver Verifier's: a page per block,
 * the data at its end before a no-access page, the slack checked on free.
 * Bug check references: 0xCD PAGE_FAULT_BEYOND_END_OF_ALLOCATION and 0xCC
 * PAGE_FAULT_IN_FREED_SPECIAL_POOL (address, 0 read / 1 write, the
 * referencing address, reserved); 0xC1 SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION
 * (parameter 4 the subcode: 0x20 not allocated, 0x21 bad address, 0x23 bytes
 * before the data, 0x24 bytes after it, 0x30/0x31 IRQL).
 */
#include "ntddk.h"
#include "ktest.h"
#include "mi.h"
#include "poolp.h"

#define KT_SP_TAG  '1pSK'   /* "KSp1": chosen */
#define KT_NORMAL  '2pSK'   /* "KSp2": not chosen */

/* Each test chooses its tag and takes it back, so others see normal pool. */
#define KT_WITH_SPECIAL_POOL(tag) KT_EQ(MmAddSpecialPoolTag(tag), STATUS_SUCCESS)
#define KT_END_SPECIAL_POOL(tag)  KT_EQ(MmRemoveSpecialPoolTag(tag), STATUS_SUCCESS)

KTEST(specialpool, boot_option_is_parsed_into_tags)
{
    ULONG tags[4];
    KT_EQ(MiParseSpecialPoolTags("Tag1,Mdl,,Ab?*,Extra,More", tags, 4), 4);
    KT_EQ(tags[0], '1gaT');
    KT_EQ(tags[1], IOP_MDL_TAG);            /* "Mdl" padded: "Mdl " */
    KT_EQ(tags[2], '*?bA');
    KT_EQ(tags[3], 'rtxE');
    KT_EQ(MiParseSpecialPoolTags("", tags, 4), 0);
}

KTEST(specialpool, block_is_at_the_end_of_its_own_page_before_a_guard_page)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    MM_SPECIAL_POOL_USAGE before, during, after;
    MmQuerySpecialPoolUsage(&before);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 13, KT_SP_TAG);
    KT_ASSERT(p != NULL);
    KT_ASSERT(MmIsSpecialPoolAddress(p));
    KT_ASSERT((ULONG)p >= MI_SYSTEM_PTE_START && (ULONG)p <= MI_SYSTEM_PTE_END);
    /* 8-byte alignment: 13 bytes end 3 bytes short of the page's end. */
    KT_EQ(BYTE_OFFSET(p), PAGE_SIZE - 16);
    KT_ASSERT(MmIsAddressValid(p));
    KT_ASSERT(!MmIsAddressValid(p + 16));        /* the guard page */
    for (ULONG i = 13; i < 16; i++)
        KT_EQ(p[i], 0xF5);                       /* slack pattern */
    memset(p, 0x11, 13);
    MmQuerySpecialPoolUsage(&during);
    KT_EQ(during.Allocations, before.Allocations + 1);
    KT_EQ(during.PagesInUse, before.PagesInUse + 1);
    KT_EQ(during.BytesInUse, before.BytesInUse + 13);
    KT_EQ(ExpPoolTagBytes(KT_SP_TAG, NonPagedPool), 0);   /* not in the pool */
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_ASSERT(!MmIsAddressValid(p));
    MmQuerySpecialPoolUsage(&after);
    KT_EQ(after.Frees, before.Frees + 1);
    KT_EQ(after.PagesInUse, before.PagesInUse);
    KT_EQ(after.BytesInUse, before.BytesInUse);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, other_tags_and_large_requests_use_the_normal_pool)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR n = ExAllocatePoolWithTag(NonPagedPool, 13, KT_NORMAL);
    KT_ASSERT(n != NULL && !MmIsSpecialPoolAddress(n));
    KT_ASSERT((ULONG)n >= MI_NONPAGED_POOL_START && (ULONG)n <= MI_NONPAGED_POOL_END);
    KT_ASSERT(ExpPoolTagBytes(KT_NORMAL, NonPagedPool) > 0);
    PUCHAR big = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_SP_TAG);
    KT_ASSERT(big != NULL && !MmIsSpecialPoolAddress(big));
    ExFreePoolWithTag(n, KT_NORMAL);
    ExFreePoolWithTag(big, KT_SP_TAG);
    KT_EQ(ExpPoolTagBytes(KT_NORMAL, NonPagedPool), 0);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
    /* Unchosen again: the same tag goes to the pool. */
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 13, KT_SP_TAG);
    KT_ASSERT(!MmIsSpecialPoolAddress(p));
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_EQ(MmRemoveSpecialPoolTag(KT_SP_TAG), STATUS_NOT_FOUND);
}

KTEST(specialpool, wildcard_pattern_chooses_matching_tags)
{
    KT_WITH_SPECIAL_POOL('?pSK');           /* "KSp?" */
    PVOID a = ExAllocatePoolWithTag(PagedPool, 40, '9pSK');
    PVOID b = ExAllocatePoolWithTag(PagedPool, 40, '9pXK');
    KT_ASSERT(MmIsSpecialPoolAddress(a));
    KT_ASSERT(!MmIsSpecialPoolAddress(b));
    ExFreePool(a);
    ExFreePool(b);
    KT_END_SPECIAL_POOL('?pSK');
}

/* "Allocating n bytes and then accessing n+1 bytes": caught at once. */
KTEST(specialpool, one_byte_overrun_faults_0xcd)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    volatile UCHAR *p = ExAllocatePoolWithTag(NonPagedPool, 16, KT_SP_TAG);
    p[15] = 1;
    KT_EXPECT_BUGCHECK(PAGE_FAULT_BEYOND_END_OF_ALLOCATION, p[16] = 1);
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)(p + 16));
    KT_EQ(KtLastBugCheck.Parameter[1], 1);       /* a write */
    KT_ASSERT(KtLastBugCheck.Parameter[2] >= MI_KERNEL_BASE);   /* the instruction */
    KT_EXPECT_BUGCHECK(PAGE_FAULT_BEYOND_END_OF_ALLOCATION, (void)p[16]);
    KT_EQ(KtLastBugCheck.Parameter[1], 0);       /* a read */
    ExFreePoolWithTag((PVOID)p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, use_after_free_faults_0xcc)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    volatile ULONG *p = ExAllocatePoolWithTag(PagedPool, 24, KT_SP_TAG);
    p[0] = 42;
    ExFreePoolWithTag((PVOID)p, KT_SP_TAG);
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_FREED_SPECIAL_POOL, (void)p[0]);
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)p);
    KT_EQ(KtLastBugCheck.Parameter[1], 0);
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_FREED_SPECIAL_POOL, p[1] = 7);
    KT_EQ(KtLastBugCheck.Parameter[1], 1);
    /* The freed slot is not handed out again at once. */
    PVOID q = ExAllocatePoolWithTag(PagedPool, 24, KT_SP_TAG);
    KT_ASSERT(q != (PVOID)p);
    KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_FREED_SPECIAL_POOL, (void)p[0]);
    ExFreePoolWithTag(q, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, write_into_slack_after_data_bugchecks_0xc1_24)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 13, KT_SP_TAG);
    p[13] = 0;                                  /* inside the slack: no fault */
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, ExFreePoolWithTag(p, KT_SP_TAG));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)p);
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG)(p + 13));
    KT_EQ(KtLastBugCheck.Parameter[3], 0x24);
    p[13] = 0xF5;                               /* the free changed nothing: repair, free */
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, write_before_data_bugchecks_0xc1_23)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 100, KT_SP_TAG);
    p[-1] = 0;
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, ExFreePoolWithTag(p, KT_SP_TAG));
    KT_EQ(KtLastBugCheck.Parameter[1], (ULONG)(p - 1));
    KT_EQ(KtLastBugCheck.Parameter[3], 0x23);
    p[-1] = 0xF5;
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, double_free_and_bad_address_bugcheck_0xc1)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 32, KT_SP_TAG);
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, ExFreePool(p + 8));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)(p + 8));
    KT_EQ(KtLastBugCheck.Parameter[1], 32);     /* bytes requested */
    KT_EQ(KtLastBugCheck.Parameter[2], 24);     /* bytes from there to the end */
    KT_EQ(KtLastBugCheck.Parameter[3], 0x21);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, ExFreePoolWithTag(p, KT_NORMAL));
    KT_EQ(KtLastBugCheck.Parameter[0], 0x0A);   /* the pool's tag rule holds here too */
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, ExFreePool(p));
    KT_EQ(KtLastBugCheck.Parameter[0], (ULONG)p);
    KT_EQ(KtLastBugCheck.Parameter[3], 0x20);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, wrong_irql_bugchecks_0xc1_30_and_31)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PVOID p = ExAllocatePoolWithTag(PagedPool, 8, KT_SP_TAG);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION,
                       ExAllocatePoolWithTag(PagedPool, 8, KT_SP_TAG));
    KT_EQ(KtLastBugCheck.Parameter[0], DISPATCH_LEVEL);
    KT_EQ(KtLastBugCheck.Parameter[1], PagedPool);
    KT_EQ(KtLastBugCheck.Parameter[2], 8);
    KT_EQ(KtLastBugCheck.Parameter[3], 0x30);
    KT_EXPECT_BUGCHECK(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, ExFreePoolWithTag(p, KT_SP_TAG));
    KT_EQ(KtLastBugCheck.Parameter[2], (ULONG)p);
    KT_EQ(KtLastBugCheck.Parameter[3], 0x31);
    KeLowerIrql(old);
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

KTEST(specialpool, cache_aligned_block_is_64_byte_aligned)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 65, KT_SP_TAG);
    KT_EQ(BYTE_OFFSET(p), PAGE_SIZE - 128);
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

/* The MDL of a special pool block describes its one page. */
KTEST(specialpool, mdl_of_a_special_pool_block)
{
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 40, KT_SP_TAG);
    PMDL mdl = IoAllocateMdl(p, 40, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    KT_EQ(MmGetMdlPfnArray(mdl)[0], MmGetPhysicalAddress(p).QuadPart >> PAGE_SHIFT);
    KT_EQ(MmGetMdlByteOffset(mdl), PAGE_SIZE - 40);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(p, KT_SP_TAG);
    KT_END_SPECIAL_POOL(KT_SP_TAG);
}

/* The pool's fast path asks special pool nothing while no tag is chosen:
 * the bit it tests follows the tags (set with the first, cleared with the
 * last), while the range, and the frees' look at it, stay. */
KTEST(specialpool, allocations_ask_only_while_a_tag_is_chosen)
{
    BOOLEAN boot = (ExpPoolFlags & EXP_SPECIAL_POOL_TAGS) != 0;   /* specialpool= tags */
    KT_WITH_SPECIAL_POOL(KT_SP_TAG);
    KT_ASSERT(ExpPoolFlags & EXP_SPECIAL_POOL_TAGS);
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 40, KT_SP_TAG);
    KT_ASSERT(MmIsSpecialPoolAddress(p));
    KT_END_SPECIAL_POOL(KT_SP_TAG);
    KT_EQ((ExpPoolFlags & EXP_SPECIAL_POOL_TAGS) != 0, boot);
    KT_ASSERT(ExpPoolFlags & EX_SPECIAL_POOL_ENABLED);
    PVOID q = ExAllocatePoolWithTag(NonPagedPool, 40, KT_SP_TAG);
    KT_ASSERT(q != NULL && !MmIsSpecialPoolAddress(q));
    ExFreePoolWithTag(p, KT_SP_TAG);     /* still special pool's */
    ExFreePoolWithTag(q, KT_SP_TAG);
    KT_EQ(ExpPoolTagBytes(KT_SP_TAG, NonPagedPool), 0);
}
