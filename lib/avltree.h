/*
 * avltree.h - an intrusive AVL tree of non-overlapping page ranges: the
 * balanced tree under the VAD tree (NT's MM_AVL_TABLE of MMADDRESS_NODEs).
 *
 * A node is embedded in its owner (an MMVAD) and names an inclusive range of
 * virtual page numbers, StartingVpn..EndingVpn. Ranges never overlap, so the
 * tree is ordered by StartingVpn and one descent answers "which node holds
 * this page". Every node also carries facts about its whole subtree (lowest
 * and highest page, longest free run between two of its nodes), updated on
 * each insert, delete and rotation, so the search for a free range skips
 * every subtree too full to hold it: O(log n), not a walk over all VADs.
 * docs/vad-tree.md has a diagram.
 *
 * The tree takes no lock and allocates nothing: the caller serializes (the
 * VAD tree is under the process's address-creation lock) and owns the nodes.
 * Misuse (a node removed twice, an inverted range, a granularity that is not
 * a power of two) fails an ASSERT; bad search parameters return a status.
 */
#ifndef AVLTREE_H
#define AVLTREE_H

#include "ntdef.h"

typedef struct _RTL_RANGE_NODE {
    struct _RTL_RANGE_NODE *Parent;
    struct _RTL_RANGE_NODE *LeftChild;
    struct _RTL_RANGE_NODE *RightChild;
    LONG Balance;                   /* height(right) - height(left): -1, 0, +1 */
    ULONG_PTR StartingVpn;          /* first page of the range, set by the owner */
    ULONG_PTR EndingVpn;            /* last page, inclusive, set by the owner */
    /* Kept by the tree; each describes the subtree rooted here. */
    ULONG_PTR SubtreeLowestVpn;     /* the leftmost node's StartingVpn */
    ULONG_PTR SubtreeHighestVpn;    /* the rightmost node's EndingVpn */
    ULONG_PTR LargestGap;           /* longest free run between two nodes, pages */
    ULONG_PTR LargestAlignedGap;    /* the same, counted from a Granularity boundary */
} RTL_RANGE_NODE, *PRTL_RANGE_NODE;

/* Ten words on either width: the kernel's MMVAD budget depends on it. */
C_ASSERT(sizeof(RTL_RANGE_NODE) == 10 * sizeof(ULONG_PTR));

typedef struct _RTL_RANGE_TREE {
    PRTL_RANGE_NODE Root;
    ULONG NumberOfNodes;
    ULONG LastSearchVisits;         /* nodes the last free-range search examined */
    ULONG_PTR Granularity;          /* pages; LargestAlignedGap counts from multiples */
} RTL_RANGE_TREE, *PRTL_RANGE_TREE;

/*
 * Makes Tree empty. Granularity (pages, a power of two) is the alignment the
 * owner searches at most often: the VAD tree uses 16 (64 KB), and free-range
 * searches at that alignment or a multiple of it prune exactly.
 */
void RtlInitializeRangeTree(PRTL_RANGE_TREE Tree, ULONG_PTR Granularity);

static inline BOOLEAN RtlIsRangeTreeEmpty(const RTL_RANGE_TREE *Tree)
{
    return Tree->Root == NULL;
}

/*
 * Links Node, whose StartingVpn <= EndingVpn the caller has set, into Tree.
 * Returns FALSE and leaves the tree unchanged when the range overlaps a node
 * already there (the VAD layer turns that into STATUS_CONFLICTING_ADDRESSES).
 */
BOOLEAN RtlInsertRangeNode(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node);

/* Unlinks Node, which must be in Tree (ASSERTs otherwise); clears its links. */
void RtlRemoveRangeNode(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node);

/* The node whose range holds Vpn, or NULL. */
PRTL_RANGE_NODE RtlFindRangeNode(const RTL_RANGE_TREE *Tree, ULONG_PTR Vpn);

/*
 * The lowest node that ends at or above Vpn: the node holding Vpn if there is
 * one, else the first node above it; NULL when none. The start of a walk with
 * RtlNextRangeNode, as VirtualQuery and range conflict checks need.
 */
PRTL_RANGE_NODE RtlFindRangeNodeAtOrAbove(const RTL_RANGE_TREE *Tree, ULONG_PTR Vpn);

/* The first node that overlaps StartingVpn..EndingVpn (inclusive), or NULL. */
static inline PRTL_RANGE_NODE RtlFindOverlappingRangeNode(const RTL_RANGE_TREE *Tree,
                                                          ULONG_PTR StartingVpn,
                                                          ULONG_PTR EndingVpn)
{
    PRTL_RANGE_NODE Node = RtlFindRangeNodeAtOrAbove(Tree, StartingVpn);
    return Node != NULL && Node->StartingVpn <= EndingVpn ? Node : NULL;
}

/* In-order walk: the lowest and highest nodes, and a node's neighbours; NULL at the ends. */
PRTL_RANGE_NODE RtlFirstRangeNode(const RTL_RANGE_TREE *Tree);
PRTL_RANGE_NODE RtlLastRangeNode(const RTL_RANGE_TREE *Tree);
PRTL_RANGE_NODE RtlNextRangeNode(const RTL_RANGE_NODE *Node);
PRTL_RANGE_NODE RtlPreviousRangeNode(const RTL_RANGE_NODE *Node);

/*
 * Finds SizeInPages free pages starting at a multiple of AlignmentInPages (a
 * power of two), wholly inside LowestVpn..HighestVpn (inclusive), and stores
 * the first page in *StartingVpn. RtlFindFreeRange returns the lowest such
 * start (VirtualAlloc's order), RtlFindFreeRangeTopDown the highest
 * (MEM_TOP_DOWN). Returns STATUS_SUCCESS, STATUS_NO_MEMORY when nothing fits
 * (NT's MiFindEmptyAddressRange result), or STATUS_INVALID_PARAMETER for a
 * zero size, a bad alignment or LowestVpn > HighestVpn. The tree is not
 * changed; the caller inserts the node it then builds.
 *
 * O(log n) when the alignment is 1 or the tree's Granularity (the VAD case):
 * the subtree fields then say exactly whether a subtree can hold the request.
 * Other alignments prune with a looser bound and may visit more nodes when
 * many gaps are long enough but badly aligned; the answer is the same.
 */
NTSTATUS RtlFindFreeRange(PRTL_RANGE_TREE Tree, ULONG_PTR LowestVpn, ULONG_PTR HighestVpn,
                          ULONG_PTR SizeInPages, ULONG_PTR AlignmentInPages,
                          PULONG_PTR StartingVpn);
NTSTATUS RtlFindFreeRangeTopDown(PRTL_RANGE_TREE Tree, ULONG_PTR LowestVpn,
                                 ULONG_PTR HighestVpn, ULONG_PTR SizeInPages,
                                 ULONG_PTR AlignmentInPages, PULONG_PTR StartingVpn);

/*
 * Checks the whole tree: parent links, BST order with no overlap, balance
 * factors against the real subtree heights (and |balance| <= 1), every
 * subtree field against a recomputation, and NumberOfNodes. Returns TRUE when
 * all hold; otherwise FALSE at the first violation, with the offending node
 * (NULL for a tree-level fault) and a short reason in the optional outputs.
 * It never bugchecks, so the caller picks the policy: tests assert on it, the
 * VAD layer calls KeBugCheckEx(MEMORY_MANAGEMENT, ...) with the node. It
 * visits each node once and stops at any cycle, so it is safe on a corrupt
 * tree; O(n), for debug builds and tests.
 */
BOOLEAN RtlValidateRangeTree(const RTL_RANGE_TREE *Tree, PRTL_RANGE_NODE *BadNode,
                             PCSTR *Reason);

#endif /* AVLTREE_H */
