/*
 * rangecheck.c - RtlValidateRangeTree, the whole-structure check of the
 * range tree, in the spirit of OpenBSD's uvm_map tree checks: the VAD layer
 * runs it on entry and exit of each mutation in debug builds, and the host
 * tests after every step of their storm.
 *
 * It trusts nothing it reads: the walk is bounded by the node count and a
 * depth limit, so a cycle or a wild link ends the check instead of the stack.
 */
#include "avltree.h"
#include "rangep.h"

/* An AVL tree of 2^32 nodes is at most 46 levels; deeper means corruption. */
#define RTLP_RANGE_TREE_MAX_DEPTH 48

typedef struct _RTLP_RANGE_CHECK {
    const RTL_RANGE_TREE *Tree;
    ULONG Visited;
    const RTL_RANGE_NODE *Previous;     /* in-order predecessor of the next node */
    const RTL_RANGE_NODE *BadNode;
    PCSTR Reason;
} RTLP_RANGE_CHECK, *PRTLP_RANGE_CHECK;

static LONG RtlpRangeCheckFail(PRTLP_RANGE_CHECK Check, const RTL_RANGE_NODE *Node,
                               PCSTR Reason)
{
    Check->BadNode = Node;
    Check->Reason = Reason;
    return -1;
}

/* Checks the subtree at Node; returns its height, or -1 at the first fault. */
static LONG RtlpCheckSubtree(PRTLP_RANGE_CHECK Check, const RTL_RANGE_NODE *Node,
                             const RTL_RANGE_NODE *Parent, ULONG Depth)
{
    ULONG_PTR Lowest, Highest, Gap, AlignedGap;
    LONG LeftHeight, RightHeight;

    if (Node == NULL)
        return 0;
    if (Depth > RTLP_RANGE_TREE_MAX_DEPTH)
        return RtlpRangeCheckFail(Check, Node, "deeper than any AVL tree (a cycle?)");
    if (++Check->Visited > Check->Tree->NumberOfNodes)
        return RtlpRangeCheckFail(Check, Node, "more nodes than NumberOfNodes (a cycle?)");
    if (Node->Parent != Parent)
        return RtlpRangeCheckFail(Check, Node, "parent link does not match the tree");
    if (Node->StartingVpn > Node->EndingVpn)
        return RtlpRangeCheckFail(Check, Node, "StartingVpn above EndingVpn");

    LeftHeight = RtlpCheckSubtree(Check, Node->LeftChild, Node, Depth + 1);
    if (LeftHeight < 0)
        return -1;
    if (Check->Previous != NULL && Check->Previous->EndingVpn >= Node->StartingVpn)
        return RtlpRangeCheckFail(Check, Node, "out of order or overlapping its predecessor");
    Check->Previous = Node;
    RightHeight = RtlpCheckSubtree(Check, Node->RightChild, Node, Depth + 1);
    if (RightHeight < 0)
        return -1;

    if (Node->Balance < -1 || Node->Balance > 1)
        return RtlpRangeCheckFail(Check, Node, "balance factor outside -1..1");
    if (Node->Balance != RightHeight - LeftHeight)
        return RtlpRangeCheckFail(Check, Node, "balance factor does not match the heights");

    /* The children are verified, so a recomputation from them is the truth. */
    RtlpComputeSubtreeFields(Check->Tree, Node, &Lowest, &Highest, &Gap, &AlignedGap);
    if (Node->SubtreeLowestVpn != Lowest || Node->SubtreeHighestVpn != Highest)
        return RtlpRangeCheckFail(Check, Node, "subtree lowest/highest VPN is stale");
    if (Node->LargestGap != Gap)
        return RtlpRangeCheckFail(Check, Node, "LargestGap is stale");
    if (Node->LargestAlignedGap != AlignedGap)
        return RtlpRangeCheckFail(Check, Node, "LargestAlignedGap is stale");

    return 1 + (LeftHeight > RightHeight ? LeftHeight : RightHeight);
}

BOOLEAN RtlValidateRangeTree(const RTL_RANGE_TREE *Tree, PRTL_RANGE_NODE *BadNode,
                             PCSTR *Reason)
{
    RTLP_RANGE_CHECK Check = { Tree, 0, NULL, NULL, NULL };
    BOOLEAN Valid;

    if (Tree->Granularity == 0 || (Tree->Granularity & (Tree->Granularity - 1)) != 0)
        RtlpRangeCheckFail(&Check, NULL, "Granularity is not a power of two");
    else if (RtlpCheckSubtree(&Check, Tree->Root, NULL, 0) >= 0 &&
             Check.Visited != Tree->NumberOfNodes)
        RtlpRangeCheckFail(&Check, NULL, "fewer nodes than NumberOfNodes");
    Valid = Check.Reason == NULL;
    if (BadNode != NULL)
        *BadNode = (PRTL_RANGE_NODE)Check.BadNode;
    if (Reason != NULL)
        *Reason = Check.Reason;
    return Valid;
}
