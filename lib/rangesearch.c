/*
 * rangesearch.c - the search for a free, aligned run of pages in the range
 * tree: VirtualAlloc's bottom-up choice and MEM_TOP_DOWN's top-down one.
 * NT's counterparts are MiFindEmptyAddressRangeInTree and
 * MiFindEmptyAddressRangeDownTree.
 *
 * The free runs of the address space, in order, are: below the first node,
 * between each node and the next, and above the last. The first and last are
 * read off the root's SubtreeLowestVpn / SubtreeHighestVpn. The ones between
 * nodes are found by a descent that enters a subtree only if
 *  - its largest gap could hold the request (LargestAlignedGap when the
 *    alignment is a multiple of the tree's Granularity, since any such start
 *    is also Granularity-aligned; LargestGap, which ignores alignment,
 *    otherwise), and
 *  - the span between its lowest and highest node, clipped to the bounds,
 *    is long enough.
 * A subtree wholly inside the bounds that passes the first test at the
 * tree's own Granularity is certain to hold an answer, so the descent only
 * strays along the two paths that straddle the bounds: O(log n). Pruning is
 * looser at other alignments; the answer is still exact, only slower.
 *
 * Recursion goes one way only (left for bottom-up, right for top-down) and
 * the other way is a loop, so the stack holds at most the tree's height of
 * frames (about 1.44 log2 n; under 46 for any 32-bit count of nodes).
 */
#include "avltree.h"
#include "rangep.h"
#include "ntassert.h"

typedef struct _RTLP_RANGE_SEARCH {
    PRTL_RANGE_TREE Tree;
    ULONG_PTR LowestVpn, HighestVpn;    /* inclusive bounds of the answer */
    ULONG_PTR SizeInPages, Alignment;
    BOOLEAN UseAlignedGap;              /* LargestAlignedGap is a valid bound */
    ULONG_PTR Result;
} RTLP_RANGE_SEARCH, *PRTLP_RANGE_SEARCH;

/* The lowest fitting start in the free run First..Last, clipped to the bounds. */
static BOOLEAN RtlpFitLowest(PRTLP_RANGE_SEARCH Search, ULONG_PTR First, ULONG_PTR Last)
{
    ULONG_PTR Start;
    if (First < Search->LowestVpn)
        First = Search->LowestVpn;
    if (Last > Search->HighestVpn)
        Last = Search->HighestVpn;
    if (First > Last || !RtlpAlignUp(First, Search->Alignment, &Start) || Start > Last ||
        Last - Start < Search->SizeInPages - 1)
        return FALSE;
    Search->Result = Start;
    return TRUE;
}

/* The highest fitting start in the free run First..Last, clipped to the bounds. */
static BOOLEAN RtlpFitHighest(PRTLP_RANGE_SEARCH Search, ULONG_PTR First, ULONG_PTR Last)
{
    ULONG_PTR Start;
    if (First < Search->LowestVpn)
        First = Search->LowestVpn;
    if (Last > Search->HighestVpn)
        Last = Search->HighestVpn;
    if (First > Last || Last - First < Search->SizeInPages - 1)
        return FALSE;
    Start = RtlpAlignDown(Last - (Search->SizeInPages - 1), Search->Alignment);
    if (Start < First)
        return FALSE;
    Search->Result = Start;
    return TRUE;
}

/* FALSE when no gap between two nodes of Node's subtree can hold the request. */
static BOOLEAN RtlpSubtreeMayFit(PRTLP_RANGE_SEARCH Search, const RTL_RANGE_NODE *Node)
{
    ULONG_PTR Bound = Search->UseAlignedGap ? Node->LargestAlignedGap : Node->LargestGap;
    ULONG_PTR First, Last;

    Search->Tree->LastSearchVisits++;
    if (Bound < Search->SizeInPages)
        return FALSE;
    /* A gap of one page or more means Lowest < Highest - 1: no wrap below. */
    First = RtlpMaxVpn(Node->SubtreeLowestVpn + 1, Search->LowestVpn);
    Last = Node->SubtreeHighestVpn - 1;
    if (Last > Search->HighestVpn)
        Last = Search->HighestVpn;
    return First <= Last && Last - First >= Search->SizeInPages - 1;
}

static BOOLEAN RtlpSearchBottomUp(PRTLP_RANGE_SEARCH Search, const RTL_RANGE_NODE *Node)
{
    for (; Node != NULL && RtlpSubtreeMayFit(Search, Node); Node = Node->RightChild) {
        const RTL_RANGE_NODE *Left = Node->LeftChild, *Right = Node->RightChild;
        if (RtlpSearchBottomUp(Search, Left))
            return TRUE;
        if (Left != NULL && RtlpFitLowest(Search, Left->SubtreeHighestVpn + 1,
                                          Node->StartingVpn - 1))
            return TRUE;
        if (Right != NULL && RtlpFitLowest(Search, Node->EndingVpn + 1,
                                           Right->SubtreeLowestVpn - 1))
            return TRUE;
    }
    return FALSE;
}

static BOOLEAN RtlpSearchTopDown(PRTLP_RANGE_SEARCH Search, const RTL_RANGE_NODE *Node)
{
    for (; Node != NULL && RtlpSubtreeMayFit(Search, Node); Node = Node->LeftChild) {
        const RTL_RANGE_NODE *Left = Node->LeftChild, *Right = Node->RightChild;
        if (RtlpSearchTopDown(Search, Right))
            return TRUE;
        if (Right != NULL && RtlpFitHighest(Search, Node->EndingVpn + 1,
                                            Right->SubtreeLowestVpn - 1))
            return TRUE;
        if (Left != NULL && RtlpFitHighest(Search, Left->SubtreeHighestVpn + 1,
                                           Node->StartingVpn - 1))
            return TRUE;
    }
    return FALSE;
}

/* Checks the parameters and fills in the search; FALSE if they are invalid. */
static BOOLEAN RtlpStartSearch(PRTLP_RANGE_SEARCH Search, PRTL_RANGE_TREE Tree,
                               ULONG_PTR LowestVpn, ULONG_PTR HighestVpn,
                               ULONG_PTR SizeInPages, ULONG_PTR AlignmentInPages)
{
    if (SizeInPages == 0 || AlignmentInPages == 0 ||
        (AlignmentInPages & (AlignmentInPages - 1)) != 0 || LowestVpn > HighestVpn)
        return FALSE;
    Search->Tree = Tree;
    Search->LowestVpn = LowestVpn;
    Search->HighestVpn = HighestVpn;
    Search->SizeInPages = SizeInPages;
    Search->Alignment = AlignmentInPages;
    /* Both powers of two: a multiple of Granularity is one at least as big. */
    Search->UseAlignedGap = AlignmentInPages >= Tree->Granularity;
    Tree->LastSearchVisits = 0;
    return TRUE;
}

NTSTATUS RtlFindFreeRange(PRTL_RANGE_TREE Tree, ULONG_PTR LowestVpn, ULONG_PTR HighestVpn,
                          ULONG_PTR SizeInPages, ULONG_PTR AlignmentInPages,
                          PULONG_PTR StartingVpn)
{
    RTLP_RANGE_SEARCH Search;
    const RTL_RANGE_NODE *Root = Tree->Root;
    BOOLEAN Found;

    if (!RtlpStartSearch(&Search, Tree, LowestVpn, HighestVpn, SizeInPages, AlignmentInPages))
        return STATUS_INVALID_PARAMETER;
    if (Root == NULL)
        Found = RtlpFitLowest(&Search, 0, ~(ULONG_PTR)0);
    else
        Found = (Root->SubtreeLowestVpn != 0 &&
                 RtlpFitLowest(&Search, 0, Root->SubtreeLowestVpn - 1)) ||
                RtlpSearchBottomUp(&Search, Root) ||
                (Root->SubtreeHighestVpn != ~(ULONG_PTR)0 &&
                 RtlpFitLowest(&Search, Root->SubtreeHighestVpn + 1, ~(ULONG_PTR)0));
    if (!Found)
        return STATUS_NO_MEMORY;
    *StartingVpn = Search.Result;
    return STATUS_SUCCESS;
}

NTSTATUS RtlFindFreeRangeTopDown(PRTL_RANGE_TREE Tree, ULONG_PTR LowestVpn,
                                 ULONG_PTR HighestVpn, ULONG_PTR SizeInPages,
                                 ULONG_PTR AlignmentInPages, PULONG_PTR StartingVpn)
{
    RTLP_RANGE_SEARCH Search;
    const RTL_RANGE_NODE *Root = Tree->Root;
    BOOLEAN Found;

    if (!RtlpStartSearch(&Search, Tree, LowestVpn, HighestVpn, SizeInPages, AlignmentInPages))
        return STATUS_INVALID_PARAMETER;
    if (Root == NULL)
        Found = RtlpFitHighest(&Search, 0, ~(ULONG_PTR)0);
    else
        Found = (Root->SubtreeHighestVpn != ~(ULONG_PTR)0 &&
                 RtlpFitHighest(&Search, Root->SubtreeHighestVpn + 1, ~(ULONG_PTR)0)) ||
                RtlpSearchTopDown(&Search, Root) ||
                (Root->SubtreeLowestVpn != 0 &&
                 RtlpFitHighest(&Search, 0, Root->SubtreeLowestVpn - 1));
    if (!Found)
        return STATUS_NO_MEMORY;
    *StartingVpn = Search.Result;
    return STATUS_SUCCESS;
}
