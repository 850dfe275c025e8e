/*
 * rangep.h - private to the range tree (avltree.c, rangesearch.c,
 * rangecheck.c): alignment arithmetic that cannot wrap, and the rule that
 * computes a node's subtree fields from the node and its two children.
 */
#ifndef RANGEP_H
#define RANGEP_H

#include "avltree.h"

/* Rounds Vpn up to a multiple of Alignment (a power of two); FALSE if that wraps. */
static inline BOOLEAN RtlpAlignUp(ULONG_PTR Vpn, ULONG_PTR Alignment, PULONG_PTR Aligned)
{
    ULONG_PTR Up = Vpn + ((0 - Vpn) & (Alignment - 1));
    *Aligned = Up;
    return Up >= Vpn;
}

static inline ULONG_PTR RtlpAlignDown(ULONG_PTR Vpn, ULONG_PTR Alignment)
{
    return Vpn & ~(Alignment - 1);
}

/*
 * The pages of the free run First..Last (inclusive, with First <= Last + 1,
 * so an empty run is allowed) that remain from its first Alignment boundary
 * on. First never exceeds the maximum VPN because a node lies above the run.
 */
static inline ULONG_PTR RtlpAlignedRunLength(ULONG_PTR First, ULONG_PTR Last,
                                             ULONG_PTR Alignment)
{
    ULONG_PTR Aligned;
    if (First > Last || !RtlpAlignUp(First, Alignment, &Aligned) || Aligned > Last)
        return 0;
    return Last - Aligned + 1;
}

static inline ULONG_PTR RtlpMaxVpn(ULONG_PTR a, ULONG_PTR b)
{
    return a > b ? a : b;
}

/*
 * Computes what Node's subtree fields must be, from its range and its
 * children's (already correct) fields. The gaps counted are those between two
 * nodes of the subtree: the runs below its lowest node and above its highest
 * belong to an ancestor, or to the tree's ends.
 */
static inline void RtlpComputeSubtreeFields(const RTL_RANGE_TREE *Tree,
                                            const RTL_RANGE_NODE *Node, PULONG_PTR Lowest,
                                            PULONG_PTR Highest, PULONG_PTR Gap,
                                            PULONG_PTR AlignedGap)
{
    const RTL_RANGE_NODE *Left = Node->LeftChild, *Right = Node->RightChild;
    ULONG_PTR G = 0, A = 0;

    if (Left != NULL) {
        G = RtlpMaxVpn(Left->LargestGap, Node->StartingVpn - Left->SubtreeHighestVpn - 1);
        A = RtlpMaxVpn(Left->LargestAlignedGap,
                       RtlpAlignedRunLength(Left->SubtreeHighestVpn + 1, Node->StartingVpn - 1,
                                            Tree->Granularity));
    }
    if (Right != NULL) {
        G = RtlpMaxVpn(G, RtlpMaxVpn(Right->LargestGap,
                                     Right->SubtreeLowestVpn - Node->EndingVpn - 1));
        A = RtlpMaxVpn(A, RtlpMaxVpn(Right->LargestAlignedGap,
                                     RtlpAlignedRunLength(Node->EndingVpn + 1,
                                                          Right->SubtreeLowestVpn - 1,
                                                          Tree->Granularity)));
    }
    *Lowest = Left != NULL ? Left->SubtreeLowestVpn : Node->StartingVpn;
    *Highest = Right != NULL ? Right->SubtreeHighestVpn : Node->EndingVpn;
    *Gap = G;
    *AlignedGap = A;
}

#endif /* RANGEP_H */
