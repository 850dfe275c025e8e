/*
 * avltree.c - the AVL tree of page ranges under the VAD tree: insert, remove,
 * lookup and walk. NT's counterpart is the MM_AVL_TABLE code of
 * ntoskrnl/mm (MiInsertNode, MiRemoveNode, MiLocateAddress); the free-range
 * search is in rangesearch.c and the validator in rangecheck.c.
 *
 * Invariants, checked by RtlValidateRangeTree:
 *  - in-order, each node's EndingVpn < the next node's StartingVpn;
 *  - Balance == height(right) - height(left), always -1, 0 or +1;
 *  - the subtree fields (SubtreeLowestVpn, SubtreeHighestVpn, LargestGap,
 *    LargestAlignedGap) equal RtlpComputeSubtreeFields of the node.
 *
 * The subtree fields depend only on a node and its two children, so after
 * any change they are recomputed bottom-up along one path to the root, and a
 * rotation recomputes the two nodes it moves, lower one first.
 *
 * Balance factors rather than heights are stored, as NT does; rotations use
 * the general update rules (they hold for any balances, so the double
 * rotations are simply two single ones and the delete cases need no tables).
 */
#include "avltree.h"
#include "rangep.h"
#include "ntassert.h"

void RtlInitializeRangeTree(PRTL_RANGE_TREE Tree, ULONG_PTR Granularity)
{
    ASSERT(Granularity != 0 && (Granularity & (Granularity - 1)) == 0);
    Tree->Root = NULL;
    Tree->NumberOfNodes = 0;
    Tree->LastSearchVisits = 0;
    Tree->Granularity = Granularity;
}

static inline void RtlpUpdateNode(const RTL_RANGE_TREE *Tree, PRTL_RANGE_NODE Node)
{
    RtlpComputeSubtreeFields(Tree, Node, &Node->SubtreeLowestVpn, &Node->SubtreeHighestVpn,
                             &Node->LargestGap, &Node->LargestAlignedGap);
}

/* Points whatever held Old (its parent's child link, or the root) at New. */
static void RtlpReplaceChild(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Parent,
                             PRTL_RANGE_NODE Old, PRTL_RANGE_NODE New)
{
    if (Parent == NULL)
        Tree->Root = New;
    else if (Parent->LeftChild == Old)
        Parent->LeftChild = New;
    else
        Parent->RightChild = New;
}

static inline LONG RtlpMax(LONG a, LONG b) { return a > b ? a : b; }
static inline LONG RtlpMin(LONG a, LONG b) { return a < b ? a : b; }

/*
 * Rotates X's right child Z up into X's place and returns Z. The balance
 * rules follow from heights: with h(X.left) = 0, the new balances of X and Z
 * come out as below for any starting balances.
 */
static PRTL_RANGE_NODE RtlpRotateLeft(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE X)
{
    PRTL_RANGE_NODE Z = X->RightChild, Inner = Z->LeftChild;

    X->RightChild = Inner;
    if (Inner != NULL)
        Inner->Parent = X;
    Z->Parent = X->Parent;
    RtlpReplaceChild(Tree, X->Parent, X, Z);
    Z->LeftChild = X;
    X->Parent = Z;

    X->Balance = X->Balance - 1 - RtlpMax(Z->Balance, 0);
    Z->Balance = Z->Balance - 1 + RtlpMin(X->Balance, 0);
    RtlpUpdateNode(Tree, X);
    RtlpUpdateNode(Tree, Z);
    return Z;
}

/* The mirror image: X's left child Z comes up; returns Z. */
static PRTL_RANGE_NODE RtlpRotateRight(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE X)
{
    PRTL_RANGE_NODE Z = X->LeftChild, Inner = Z->RightChild;

    X->LeftChild = Inner;
    if (Inner != NULL)
        Inner->Parent = X;
    Z->Parent = X->Parent;
    RtlpReplaceChild(Tree, X->Parent, X, Z);
    Z->RightChild = X;
    X->Parent = Z;

    X->Balance = X->Balance + 1 - RtlpMin(Z->Balance, 0);
    Z->Balance = Z->Balance + 1 + RtlpMax(X->Balance, 0);
    RtlpUpdateNode(Tree, X);
    RtlpUpdateNode(Tree, Z);
    return Z;
}

/*
 * Restores balance at Node, whose balance is +2 or -2, by a single or double
 * rotation; returns the subtree's new root. *HeightKept is set when the
 * subtree is as tall as before the rotation, which happens only when the
 * heavy child was balanced (a case only deletion produces).
 */
static PRTL_RANGE_NODE RtlpRebalance(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node,
                                     BOOLEAN *HeightKept)
{
    if (Node->Balance > 0) {
        PRTL_RANGE_NODE Heavy = Node->RightChild;
        *HeightKept = Heavy->Balance == 0;
        if (Heavy->Balance < 0)
            RtlpRotateRight(Tree, Heavy);
        return RtlpRotateLeft(Tree, Node);
    } else {
        PRTL_RANGE_NODE Heavy = Node->LeftChild;
        *HeightKept = Heavy->Balance == 0;
        if (Heavy->Balance > 0)
            RtlpRotateLeft(Tree, Heavy);
        return RtlpRotateRight(Tree, Node);
    }
}

/* Recomputes the subtree fields of Node and every ancestor. */
static void RtlpUpdateToRoot(const RTL_RANGE_TREE *Tree, PRTL_RANGE_NODE Node)
{
    for (; Node != NULL; Node = Node->Parent)
        RtlpUpdateNode(Tree, Node);
}

BOOLEAN RtlInsertRangeNode(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node)
{
    PRTL_RANGE_NODE Parent = NULL, Current = Tree->Root;
    BOOLEAN Left = FALSE;

    ASSERT(Node->StartingVpn <= Node->EndingVpn);

    /*
     * The ranges are disjoint, so any node overlapping the new range lies on
     * this descent: each step leaves behind only nodes wholly to one side.
     */
    while (Current != NULL) {
        Parent = Current;
        if (Node->EndingVpn < Current->StartingVpn) {
            Left = TRUE;
            Current = Current->LeftChild;
        } else if (Node->StartingVpn > Current->EndingVpn) {
            Left = FALSE;
            Current = Current->RightChild;
        } else {
            return FALSE;
        }
    }

    Node->Parent = Parent;
    Node->LeftChild = Node->RightChild = NULL;
    Node->Balance = 0;
    RtlpUpdateNode(Tree, Node);
    if (Parent == NULL)
        Tree->Root = Node;
    else if (Left)
        Parent->LeftChild = Node;
    else
        Parent->RightChild = Node;
    Tree->NumberOfNodes++;

    /* Retrace while the subtree below grew taller; one rotation ends it. */
    for (PRTL_RANGE_NODE Child = Node; Parent != NULL; Child = Parent, Parent = Parent->Parent) {
        BOOLEAN HeightKept;
        Parent->Balance += Parent->LeftChild == Child ? -1 : 1;
        if (Parent->Balance == 0)
            break;
        if (Parent->Balance == 2 || Parent->Balance == -2) {
            Parent = RtlpRebalance(Tree, Parent, &HeightKept);
            break;
        }
        RtlpUpdateNode(Tree, Parent);
    }
    RtlpUpdateToRoot(Tree, Parent);
    return TRUE;
}

static PRTL_RANGE_NODE RtlpLeftmost(PRTL_RANGE_NODE Node)
{
    while (Node->LeftChild != NULL)
        Node = Node->LeftChild;
    return Node;
}

static PRTL_RANGE_NODE RtlpRightmost(PRTL_RANGE_NODE Node)
{
    while (Node->RightChild != NULL)
        Node = Node->RightChild;
    return Node;
}

/*
 * Detaches Node from the shape of the tree. Returns the lowest node whose
 * subtree lost a level's worth of nodes and sets *FromLeft to the side it
 * lost them on, for the retrace; NULL when the tree is now empty or the
 * removed node was the root with at most one child.
 */
static PRTL_RANGE_NODE RtlpUnlinkNode(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node,
                                      BOOLEAN *FromLeft)
{
    PRTL_RANGE_NODE Parent = Node->Parent;

    if (Node->LeftChild == NULL || Node->RightChild == NULL) {
        PRTL_RANGE_NODE Child = Node->LeftChild != NULL ? Node->LeftChild : Node->RightChild;
        *FromLeft = Parent != NULL && Parent->LeftChild == Node;
        RtlpReplaceChild(Tree, Parent, Node, Child);
        if (Child != NULL)
            Child->Parent = Parent;
        return Parent;
    }

    /*
     * Two children: the successor (leftmost on the right, so without a left
     * child) is relinked into Node's place. The nodes are the caller's
     * objects, so they are moved, never their contents swapped.
     */
    PRTL_RANGE_NODE Successor = RtlpLeftmost(Node->RightChild), Start;
    if (Successor == Node->RightChild) {
        Start = Successor;
        *FromLeft = FALSE;
    } else {
        Start = Successor->Parent;
        Start->LeftChild = Successor->RightChild;
        if (Successor->RightChild != NULL)
            Successor->RightChild->Parent = Start;
        Successor->RightChild = Node->RightChild;
        Node->RightChild->Parent = Successor;
        *FromLeft = TRUE;
    }
    Successor->LeftChild = Node->LeftChild;
    Node->LeftChild->Parent = Successor;
    Successor->Parent = Parent;
    Successor->Balance = Node->Balance;
    RtlpReplaceChild(Tree, Parent, Node, Successor);
    return Start;
}

void RtlRemoveRangeNode(PRTL_RANGE_TREE Tree, PRTL_RANGE_NODE Node)
{
    BOOLEAN FromLeft, Shrunk = TRUE;
    PRTL_RANGE_NODE Current;

    /* A node not in this tree (or removed twice) would corrupt it: stop here. */
    ASSERT(Node->Parent != NULL ? Node->Parent->LeftChild == Node ||
                                      Node->Parent->RightChild == Node
                                : Tree->Root == Node);
    ASSERT(Tree->NumberOfNodes != 0);

    Current = RtlpUnlinkNode(Tree, Node, &FromLeft);
    Tree->NumberOfNodes--;
    Node->Parent = Node->LeftChild = Node->RightChild = NULL;

    /*
     * Retrace while the subtree below got shorter. Unlike insertion a
     * rotation may leave the height lower still, so it does not end the loop.
     */
    while (Current != NULL && Shrunk) {
        PRTL_RANGE_NODE Parent;
        Current->Balance += FromLeft ? 1 : -1;
        RtlpUpdateNode(Tree, Current);
        if (Current->Balance == 1 || Current->Balance == -1) {
            Shrunk = FALSE;
        } else if (Current->Balance != 0) {
            BOOLEAN HeightKept;
            Current = RtlpRebalance(Tree, Current, &HeightKept);
            Shrunk = !HeightKept;
        }
        Parent = Current->Parent;
        if (Parent != NULL)
            FromLeft = Parent->LeftChild == Current;
        if (Shrunk)
            Current = Parent;
    }
    RtlpUpdateToRoot(Tree, Current);
}

PRTL_RANGE_NODE RtlFindRangeNode(const RTL_RANGE_TREE *Tree, ULONG_PTR Vpn)
{
    PRTL_RANGE_NODE Node = Tree->Root;
    while (Node != NULL) {
        if (Vpn < Node->StartingVpn)
            Node = Node->LeftChild;
        else if (Vpn > Node->EndingVpn)
            Node = Node->RightChild;
        else
            return Node;
    }
    return NULL;
}

PRTL_RANGE_NODE RtlFindRangeNodeAtOrAbove(const RTL_RANGE_TREE *Tree, ULONG_PTR Vpn)
{
    PRTL_RANGE_NODE Node = Tree->Root, Best = NULL;
    while (Node != NULL) {
        if (Node->EndingVpn >= Vpn) {
            Best = Node;
            Node = Node->LeftChild;
        } else {
            Node = Node->RightChild;
        }
    }
    return Best;
}

PRTL_RANGE_NODE RtlFirstRangeNode(const RTL_RANGE_TREE *Tree)
{
    return Tree->Root != NULL ? RtlpLeftmost(Tree->Root) : NULL;
}

PRTL_RANGE_NODE RtlLastRangeNode(const RTL_RANGE_TREE *Tree)
{
    return Tree->Root != NULL ? RtlpRightmost(Tree->Root) : NULL;
}

PRTL_RANGE_NODE RtlNextRangeNode(const RTL_RANGE_NODE *Node)
{
    if (Node->RightChild != NULL)
        return RtlpLeftmost(Node->RightChild);
    while (Node->Parent != NULL && Node->Parent->RightChild == Node)
        Node = Node->Parent;
    return Node->Parent;
}

PRTL_RANGE_NODE RtlPreviousRangeNode(const RTL_RANGE_NODE *Node)
{
    if (Node->LeftChild != NULL)
        return RtlpRightmost(Node->LeftChild);
    while (Node->Parent != NULL && Node->Parent->LeftChild == Node)
        Node = Node->Parent;
    return Node->Parent;
}
