/*
 * Host tests for lib/rangesearch.c: the free-range search behind
 * VirtualAlloc's choice of address. Windows hands out reservations at 64 KB
 * (16-page) allocation granularity inside 0x00010000-0x7FFEFFFF, the lowest
 * free address first, or the highest with MEM_TOP_DOWN; these are the
 * boundary cases of that search, at the page level.
 */
#include "htest.h"
#include "avltree.h"

#define MAX_VPN (~(ULONG_PTR)0)
#define USER_LOW_VPN  0x10          /* 0x00010000 */
#define USER_HIGH_VPN 0x7FFEF       /* 0x7FFEFFFF */

static RTL_RANGE_NODE Nodes[64];
static RTL_RANGE_TREE Tree;

/* Starts a 16-page-granularity tree holding the given inclusive ranges. */
static BOOLEAN Build(const ULONG_PTR (*Ranges)[2], int Count)
{
    RtlInitializeRangeTree(&Tree, 16);
    for (int i = 0; i < Count; i++) {
        Nodes[i].StartingVpn = Ranges[i][0];
        Nodes[i].EndingVpn = Ranges[i][1];
        if (!RtlInsertRangeNode(&Tree, &Nodes[i]))
            return FALSE;
    }
    return RtlValidateRangeTree(&Tree, NULL, NULL);
}

/* Bottom-up search; MAX_VPN stands for STATUS_NO_MEMORY. */
static ULONG_PTR Up(ULONG_PTR Lo, ULONG_PTR Hi, ULONG_PTR Size, ULONG_PTR Align)
{
    ULONG_PTR Vpn = 0x5A5A;
    NTSTATUS Status = RtlFindFreeRange(&Tree, Lo, Hi, Size, Align, &Vpn);
    return Status == STATUS_SUCCESS ? Vpn : Status == STATUS_NO_MEMORY ? MAX_VPN : 0xBAD;
}

static ULONG_PTR Down(ULONG_PTR Lo, ULONG_PTR Hi, ULONG_PTR Size, ULONG_PTR Align)
{
    ULONG_PTR Vpn = 0x5A5A;
    NTSTATUS Status = RtlFindFreeRangeTopDown(&Tree, Lo, Hi, Size, Align, &Vpn);
    return Status == STATUS_SUCCESS ? Vpn : Status == STATUS_NO_MEMORY ? MAX_VPN : 0xBAD;
}

HTEST(rangesearch, empty_tree_gives_the_user_range_ends)
{
    HT_ASSERT(Build(NULL, 0));
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 1, 16), 0x10);
    /* The highest 64 KB boundary with a page below 0x7FFF0000. */
    HT_EQ(Down(USER_LOW_VPN, USER_HIGH_VPN, 1, 16), 0x7FFE0);
    HT_EQ(Down(USER_LOW_VPN, USER_HIGH_VPN, 17, 16), 0x7FFD0);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 0x7FFE0, 16), 0x10);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 0x7FFE1, 16), MAX_VPN);
    HT_EQ(Down(0, MAX_VPN, 2, 1), MAX_VPN - 1);
    HT_EQ(Up(0, MAX_VPN, 5, 16), 0);
    /* The very last page (Down's failure marker would hide it). */
    ULONG_PTR Vpn = 0;
    HT_EQ(RtlFindFreeRangeTopDown(&Tree, 0, MAX_VPN, 1, 1, &Vpn), STATUS_SUCCESS);
    HT_EQ(Vpn, MAX_VPN);
}

HTEST(rangesearch, gap_exactly_fitting)
{
    static const ULONG_PTR R[][2] = { { 0x10, 0x1F }, { 0x30, 0x3F }, { 0x50, 0x5F } };
    HT_ASSERT(Build(R, 3));
    HT_EQ(Up(0x10, 0x5F, 16, 16), 0x20);
    HT_EQ(Down(0x10, 0x5F, 16, 16), 0x40);
    HT_EQ(Up(0x10, 0x5F, 17, 16), MAX_VPN);
    HT_EQ(Down(0x10, 0x5F, 17, 16), MAX_VPN);
}

HTEST(rangesearch, gap_too_small_by_one_page)
{
    /* 0x20..0x2E: 15 pages at a 64 KB boundary. */
    static const ULONG_PTR R[][2] = { { 0x10, 0x1F }, { 0x2F, 0x3F } };
    HT_ASSERT(Build(R, 2));
    HT_EQ(Up(0x10, 0x3F, 16, 16), MAX_VPN);
    HT_EQ(Down(0x10, 0x3F, 16, 16), MAX_VPN);
    HT_EQ(Up(0x10, 0x3F, 15, 16), 0x20);
    HT_EQ(Down(0x10, 0x3F, 15, 16), 0x20);
    /* Beyond the last node the search goes on to the next boundary. */
    HT_EQ(Up(0x10, USER_HIGH_VPN, 16, 16), 0x40);
}

HTEST(rangesearch, gap_long_enough_but_misaligned)
{
    /* 0x21..0x30: 16 pages, but only one page of it at a boundary (0x30). */
    static const ULONG_PTR R[][2] = { { 0x10, 0x20 }, { 0x31, 0x3F } };
    HT_ASSERT(Build(R, 2));
    HT_EQ(Up(0x10, 0x3F, 16, 16), MAX_VPN);
    HT_EQ(Up(0x10, 0x3F, 16, 1), 0x21);
    HT_EQ(Down(0x10, 0x3F, 16, 1), 0x21);
    HT_EQ(Up(0x10, 0x3F, 1, 16), 0x30);
    HT_EQ(Up(0x10, 0x3F, 2, 16), MAX_VPN);
    HT_EQ(Up(0x10, 0x3F, 8, 8), 0x28);
    HT_EQ(Down(0x10, 0x3F, 4, 4), 0x2C);
}

HTEST(rangesearch, range_touching_the_bounds)
{
    static const ULONG_PTR R[][2] = { { 0x100, 0x1FF } };
    HT_ASSERT(Build(R, 1));
    /* Below the node: the run 0x40..0xFF ends where the node starts. */
    HT_EQ(Up(0x40, 0x7F, 0x40, 16), 0x40);      /* exactly the bounds */
    HT_EQ(Up(0x40, 0x7E, 0x40, 16), MAX_VPN);   /* a page short at the top */
    HT_EQ(Up(0x41, 0x7F, 0x40, 1), MAX_VPN);    /* a page short at the bottom */
    HT_EQ(Down(0x40, 0x7F, 0x40, 16), 0x40);
    HT_EQ(Down(0xC0, 0x1FF, 0x40, 16), 0xC0);   /* free run ends at the node */
    HT_EQ(Down(0xC1, 0x1FF, 0x40, 16), MAX_VPN);
    /* Above the node. */
    HT_EQ(Up(0x100, 0x23F, 0x40, 16), 0x200);
    HT_EQ(Up(0x100, 0x23E, 0x40, 16), MAX_VPN);
    HT_EQ(Down(0x100, 0x23F, 0x40, 16), 0x200);
    /* Bounds inside the node: nothing. */
    HT_EQ(Up(0x120, 0x1F0, 1, 1), MAX_VPN);
    HT_EQ(Down(0x120, 0x1F0, 1, 1), MAX_VPN);
}

HTEST(rangesearch, nothing_fits)
{
    static const ULONG_PTR R[][2] = {
        { 0x10, 0x1E }, { 0x20, 0x2E }, { 0x30, 0x3E }, { 0x40, 0x50 }, { 0x52, 0x7FFEF },
    };
    /* Free: 0x1F, 0x2F, 0x3F and 0x51, all odd, none at a boundary. */
    HT_ASSERT(Build(R, 5));
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 2, 1), MAX_VPN);
    HT_EQ(Down(USER_LOW_VPN, USER_HIGH_VPN, 2, 1), MAX_VPN);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 1, 16), MAX_VPN);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 1, 1), 0x1F);
    HT_EQ(Down(USER_LOW_VPN, USER_HIGH_VPN, 1, 1), 0x51);
    HT_EQ(Down(USER_LOW_VPN, USER_HIGH_VPN, 1, 2), MAX_VPN);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 1, 2), MAX_VPN);
}

HTEST(rangesearch, lowest_and_highest_of_many_gaps)
{
    static const ULONG_PTR R[][2] = {
        { 0x10, 0x10 }, { 0x40, 0x40 }, { 0x90, 0x9F }, { 0xC0, 0xC0 }, { 0x200, 0x2FF },
    };
    HT_ASSERT(Build(R, 5));
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 16, 16), 0x20);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 48, 16), 0x50);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 0x130, 16), 0xD0);   /* 0xD0..0x1FF exactly */
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 0x131, 16), 0x300);
    HT_EQ(Down(USER_LOW_VPN, 0x1FF, 16, 16), 0x1F0);
    HT_EQ(Down(USER_LOW_VPN, 0xBF, 16, 16), 0xB0);
    HT_EQ(Down(USER_LOW_VPN, 0x8F, 64, 16), 0x50);
    /* A larger alignment than the tree's granularity. */
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 1, 64), 0x80);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 17, 64), 0x100);
}

HTEST(rangesearch, address_space_ends_do_not_wrap)
{
    static const ULONG_PTR R[][2] = { { 0, 3 }, { MAX_VPN - 5, MAX_VPN } };
    HT_ASSERT(Build(R, 2));
    HT_EQ(Up(0, MAX_VPN, 1, 1), 4);
    HT_EQ(Down(0, MAX_VPN, 1, 1), MAX_VPN - 6);
    HT_EQ(Down(0, MAX_VPN, 16, 16), MAX_VPN - 31);
    HT_EQ(Up(MAX_VPN - 6, MAX_VPN, 1, 1), MAX_VPN - 6);
    HT_EQ(Up(MAX_VPN - 5, MAX_VPN, 1, 1), MAX_VPN);
    HT_EQ(Up(MAX_VPN - 20, MAX_VPN, 1, 16), MAX_VPN - 15);
    HT_EQ(Up(MAX_VPN - 14, MAX_VPN, 1, 16), MAX_VPN);   /* the next boundary would wrap */
    HT_EQ(Down(MAX_VPN - 14, MAX_VPN, 1, 16), MAX_VPN);
    HT_EQ(Down(0, 4, 1, 1), 4);
    HT_EQ(Down(0, 3, 1, 1), MAX_VPN);
}

HTEST(rangesearch, invalid_parameters)
{
    ULONG_PTR Vpn;
    HT_ASSERT(Build(NULL, 0));
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x20, 0, 16, &Vpn), STATUS_INVALID_PARAMETER);
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x20, 1, 0, &Vpn), STATUS_INVALID_PARAMETER);
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x20, 1, 12, &Vpn), STATUS_INVALID_PARAMETER);
    HT_EQ(RtlFindFreeRangeTopDown(&Tree, 0x21, 0x20, 1, 1, &Vpn), STATUS_INVALID_PARAMETER);
    HT_EQ(RtlFindFreeRange(&Tree, 0x20, 0x20, 1, 1, &Vpn), STATUS_SUCCESS);
    HT_EQ(Vpn, 0x20);
}

HTEST(rangesearch, subtree_fields_by_hand)
{
    /*
     * Three nodes make a root with two leaves. Free runs between them:
     * 0x13..0x2F (29 pages; 16 from the boundary 0x20) and 0x31..0x4E
     * (30 pages; 15 from 0x40). The validator recomputes these with the
     * tree's own rule, so this test pins the rule itself.
     */
    static const ULONG_PTR R[][2] = { { 0x30, 0x30 }, { 0x10, 0x12 }, { 0x4F, 0x60 } };
    HT_ASSERT(Build(R, 3));
    HT_ASSERT(Tree.Root == &Nodes[0]);
    HT_EQ(Nodes[0].SubtreeLowestVpn, 0x10);
    HT_EQ(Nodes[0].SubtreeHighestVpn, 0x60);
    HT_EQ(Nodes[0].LargestGap, 30);
    HT_EQ(Nodes[0].LargestAlignedGap, 16);
    HT_EQ(Nodes[1].LargestGap, 0);
    HT_EQ(Nodes[1].LargestAlignedGap, 0);
    HT_EQ(Nodes[1].SubtreeLowestVpn, 0x10);
    HT_EQ(Nodes[1].SubtreeHighestVpn, 0x12);
    HT_EQ(Up(0x10, 0x60, 16, 16), 0x20);
    HT_EQ(Up(0x10, 0x60, 17, 16), MAX_VPN);
    HT_EQ(Up(0x10, 0x60, 30, 1), 0x31);
    HT_EQ(Up(0x10, 0x60, 31, 1), MAX_VPN);
}

HTEST(rangesearch, docs_vad_tree_example)
{
    /* The example drawn in docs/vad-tree.md, replayed: keep the two in step. */
    static const ULONG_PTR R[][2] = {
        { 0x40, 0x4F }, { 0x10, 0x22 }, { 0x80, 0x9F }, { 0x50, 0x50 },
    };
    HT_ASSERT(Build(R, 4));
    HT_ASSERT(Tree.Root == &Nodes[0] && Nodes[0].Balance == 1 && Nodes[2].Balance == -1);
    HT_ASSERT(Nodes[0].LeftChild == &Nodes[1] && Nodes[2].LeftChild == &Nodes[3]);
    HT_EQ(Nodes[0].SubtreeLowestVpn, 0x10);
    HT_EQ(Nodes[0].SubtreeHighestVpn, 0x9F);
    HT_EQ(Nodes[0].LargestGap, 0x2F);
    HT_EQ(Nodes[0].LargestAlignedGap, 0x20);
    HT_EQ(Nodes[2].SubtreeLowestVpn, 0x50);
    HT_EQ(Nodes[2].LargestGap, 0x2F);
    HT_EQ(Nodes[2].LargestAlignedGap, 0x20);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 16, 16), 0x30);
    HT_EQ(Up(USER_LOW_VPN, USER_HIGH_VPN, 17, 16), 0x60);
    HT_EQ(Down(0x10, 0x9F, 16, 16), 0x70);
}
