/*
 * Host tests for lib/rangecheck.c: RtlValidateRangeTree must catch each kind
 * of damage, name the node, and survive a cycle, or a TRUE from it in the
 * other tests proves nothing.
 */
#include "htest.h"
#include "avltree.h"
#include <string.h>

enum { N = 31 };
static RTL_RANGE_NODE Nodes[N];
static RTL_RANGE_TREE Tree;

/* A perfect tree of 31 two-page ranges with one-page gaps: 0x10-0x11, 0x13-0x14, ... */
static void Build(void)
{
    RtlInitializeRangeTree(&Tree, 16);
    for (int i = 0; i < N; i++) {
        Nodes[i].StartingVpn = 0x10 + i * 3;
        Nodes[i].EndingVpn = 0x11 + i * 3;
        RtlInsertRangeNode(&Tree, &Nodes[i]);
    }
}

/* Validates, expecting a failure at Node whose reason contains Words. */
static int FailsWith(const RTL_RANGE_NODE *Node, PCSTR Words)
{
    PRTL_RANGE_NODE Bad = (PRTL_RANGE_NODE)1;
    PCSTR Why = NULL;
    if (RtlValidateRangeTree(&Tree, &Bad, &Why))
        return 0;
    if (Bad != Node || Why == NULL || strstr(Why, Words) == NULL) {
        printf("  got node %p (want %p): %s\n", (void *)Bad, (const void *)Node,
               Why ? Why : "(null)");
        return 0;
    }
    return 1;
}

HTEST(rangecheck, valid_tree_passes)
{
    PRTL_RANGE_NODE Bad = (PRTL_RANGE_NODE)1;
    PCSTR Why = "unset";
    Build();
    HT_ASSERT(RtlValidateRangeTree(&Tree, &Bad, &Why));
    HT_ASSERT(Bad == NULL && Why == NULL);
    HT_ASSERT(RtlValidateRangeTree(&Tree, NULL, NULL));
}

HTEST(rangecheck, catches_overlap_and_order)
{
    PRTL_RANGE_NODE Leaf;
    Build();
    Leaf = RtlFirstRangeNode(&Tree);
    /* Grown over the one-page gap onto its successor's first page. */
    Leaf->EndingVpn += 2;
    Leaf->SubtreeHighestVpn += 2;
    HT_ASSERT(FailsWith(RtlNextRangeNode(Leaf), "overlapping"));
    Leaf->EndingVpn -= 2;
    Leaf->SubtreeHighestVpn -= 2;
    HT_ASSERT(RtlValidateRangeTree(&Tree, NULL, NULL));
    Leaf->StartingVpn = Leaf->EndingVpn + 1;
    HT_ASSERT(FailsWith(Leaf, "StartingVpn above EndingVpn"));
}

HTEST(rangecheck, catches_wrong_parent_link)
{
    PRTL_RANGE_NODE Root;
    Build();
    Root = Tree.Root;
    Root->LeftChild->Parent = Root->RightChild;
    HT_ASSERT(FailsWith(Root->LeftChild, "parent link"));
}

HTEST(rangecheck, catches_bad_balance)
{
    Build();
    Tree.Root->Balance = 1;
    HT_ASSERT(FailsWith(Tree.Root, "balance factor does not match"));
    Tree.Root->Balance = 2;
    HT_ASSERT(FailsWith(Tree.Root, "outside -1..1"));
}

HTEST(rangecheck, catches_unbalanced_tree_with_honest_factors)
{
    /* A chain of three with factors that match its heights is still no AVL tree. */
    RTL_RANGE_NODE *a = &Nodes[0], *b = &Nodes[1], *c = &Nodes[2];
    memset(Nodes, 0, sizeof Nodes);
    RtlInitializeRangeTree(&Tree, 16);
    a->StartingVpn = a->EndingVpn = a->SubtreeLowestVpn = 1;
    b->StartingVpn = b->EndingVpn = b->SubtreeLowestVpn = 3;
    c->StartingVpn = c->EndingVpn = c->SubtreeLowestVpn = c->SubtreeHighestVpn = 5;
    a->SubtreeHighestVpn = b->SubtreeHighestVpn = 5;
    a->LargestGap = b->LargestGap = 1;
    a->RightChild = b, b->Parent = a, b->RightChild = c, c->Parent = b;
    a->Balance = 2, b->Balance = 1;
    Tree.Root = a;
    Tree.NumberOfNodes = 3;
    HT_ASSERT(FailsWith(a, "outside -1..1"));
}

HTEST(rangecheck, catches_stale_subtree_fields)
{
    PRTL_RANGE_NODE Node;
    ULONG_PTR Aligned;
    Build();
    Node = Tree.Root->LeftChild;
    Node->LargestGap++;
    HT_ASSERT(FailsWith(Node, "LargestGap"));
    Node->LargestGap--;
    Aligned = Node->LargestAlignedGap;
    HT_EQ(Aligned, 1);                  /* the free page 0x30 is at a 64 KB boundary */
    Node->LargestAlignedGap = 5;
    HT_ASSERT(FailsWith(Node, "LargestAlignedGap"));
    Node->LargestAlignedGap = Aligned;
    HT_ASSERT(RtlValidateRangeTree(&Tree, NULL, NULL));
    Node->SubtreeHighestVpn--;
    HT_ASSERT(FailsWith(Node, "lowest/highest"));
}

HTEST(rangecheck, catches_node_count)
{
    Build();
    Tree.NumberOfNodes++;
    HT_ASSERT(FailsWith(NULL, "fewer nodes"));
    Tree.NumberOfNodes -= 2;
    HT_ASSERT(!RtlValidateRangeTree(&Tree, NULL, NULL));
}

HTEST(rangecheck, survives_a_cycle)
{
    /* A leaf pointing back at the root: the walk must stop, not recurse forever. */
    PRTL_RANGE_NODE Leaf;
    Build();
    Leaf = RtlLastRangeNode(&Tree);
    Leaf->RightChild = Tree.Root;
    HT_ASSERT(!RtlValidateRangeTree(&Tree, NULL, NULL));
    /* With a consistent parent link and no count to run out of, order or depth stops it. */
    Tree.Root->Parent = Leaf;
    Tree.NumberOfNodes = 0xFFFFFFFF;
    HT_ASSERT(!RtlValidateRangeTree(&Tree, NULL, NULL));
}

HTEST(rangecheck, catches_bad_granularity)
{
    Build();
    Tree.Granularity = 12;
    HT_ASSERT(FailsWith(NULL, "Granularity"));
}
