/*
 * Host tests for lib/avltree.c: the AVL tree of page ranges under the VAD
 * tree. Insert, lookup, walk and remove, the overlap refusal (what becomes
 * STATUS_CONFLICTING_ADDRESSES when VirtualAlloc asks for a range that
 * touches an existing reservation), and a randomized storm against a sorted
 * array, with the whole tree validated after each early step. The free-range
 * edge cases are in test_rangesearch.c, the validator's own in
 * test_rangecheck.c.
 */
#include "htest.h"
#include "avltree.h"
#include "ke.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_VPN (~(ULONG_PTR)0)

static RTL_RANGE_NODE Nodes[4096];

static PRTL_RANGE_NODE MakeNode(int Index, ULONG_PTR Start, ULONG_PTR End)
{
    PRTL_RANGE_NODE Node = &Nodes[Index];
    Node->StartingVpn = Start;
    Node->EndingVpn = End;
    return Node;
}

/* The tree's height, measured (the validator checks it matches the balances). */
static ULONG Height(const RTL_RANGE_NODE *Node)
{
    ULONG l, r;
    if (Node == NULL)
        return 0;
    l = Height(Node->LeftChild);
    r = Height(Node->RightChild);
    return 1 + (l > r ? l : r);
}

#define HT_VALID(tree) do {                                                 \
        PRTL_RANGE_NODE bad_; PCSTR why_;                                   \
        if (!RtlValidateRangeTree((tree), &bad_, &why_)) {                  \
            htest_fail(__FILE__, __LINE__, "tree invalid at node %p: %s",   \
                       (void *)bad_, why_);                                 \
            return; } } while (0)

HTEST(avltree, empty_tree_has_nothing)
{
    RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    HT_ASSERT(RtlIsRangeTreeEmpty(&Tree));
    HT_ASSERT(RtlFindRangeNode(&Tree, 0) == NULL);
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0) == NULL);
    HT_ASSERT(RtlFirstRangeNode(&Tree) == NULL);
    HT_ASSERT(RtlLastRangeNode(&Tree) == NULL);
    HT_EQ(Tree.NumberOfNodes, 0);
    HT_VALID(&Tree);
}

HTEST(avltree, insert_find_remove)
{
    RTL_RANGE_TREE Tree;
    PRTL_RANGE_NODE a = MakeNode(0, 0x10, 0x10), b = MakeNode(1, 0x20, 0x2F),
                    c = MakeNode(2, 0x40, 0x7F);
    RtlInitializeRangeTree(&Tree, 16);
    HT_ASSERT(RtlInsertRangeNode(&Tree, b));
    HT_ASSERT(RtlInsertRangeNode(&Tree, a));
    HT_ASSERT(RtlInsertRangeNode(&Tree, c));
    HT_EQ(Tree.NumberOfNodes, 3);
    HT_VALID(&Tree);

    /* Both end pages are inside (EndingVpn is inclusive); neighbours are not. */
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x10) == a);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x0F) == NULL);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x11) == NULL);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x20) == b);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x2F) == b);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x30) == NULL);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x7F) == c);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x80) == NULL);

    RtlRemoveRangeNode(&Tree, b);
    HT_EQ(Tree.NumberOfNodes, 2);
    HT_VALID(&Tree);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x25) == NULL);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x10) == a);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x40) == c);
    HT_ASSERT(b->Parent == NULL && b->LeftChild == NULL && b->RightChild == NULL);

    /* A removed node can go back in. */
    HT_ASSERT(RtlInsertRangeNode(&Tree, b));
    HT_ASSERT(RtlFindRangeNode(&Tree, 0x25) == b);
    RtlRemoveRangeNode(&Tree, a);
    RtlRemoveRangeNode(&Tree, c);
    RtlRemoveRangeNode(&Tree, b);
    HT_ASSERT(RtlIsRangeTreeEmpty(&Tree));
    HT_VALID(&Tree);
}

HTEST(avltree, insert_refuses_overlap)
{
    static const ULONG_PTR Clash[][2] = {
        { 0x05, 0x10 }, { 0x1F, 0x25 }, { 0x12, 0x13 }, { 0x00, 0x100 }, { 0x10, 0x1F },
        { 0x10, 0x10 }, { 0x1F, 0x1F }, { 0x2F, 0x30 }, { 0x00, MAX_VPN },
    };
    RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(0, 0x10, 0x1F)));
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(1, 0x30, 0x3F)));
    for (unsigned i = 0; i < ARRAYSIZE(Clash); i++) {
        HT_ASSERT(!RtlInsertRangeNode(&Tree, MakeNode(2, Clash[i][0], Clash[i][1])));
        HT_EQ(Tree.NumberOfNodes, 2);
        HT_VALID(&Tree);
    }
    /* Touching is not overlapping: the pages on either side are free. */
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(2, 0x0F, 0x0F)));
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(3, 0x20, 0x2F)));
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(4, 0x40, 0x40)));
    HT_EQ(Tree.NumberOfNodes, 5);
    HT_VALID(&Tree);
}

HTEST(avltree, address_space_ends)
{
    RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(0, 0, 0)));
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(1, MAX_VPN, MAX_VPN)));
    HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(2, 1, MAX_VPN - 1)));
    HT_VALID(&Tree);
    HT_ASSERT(RtlFindRangeNode(&Tree, MAX_VPN) == &Nodes[1]);
    HT_ASSERT(RtlFindRangeNode(&Tree, 0) == &Nodes[0]);
    HT_ASSERT(RtlFindRangeNode(&Tree, 12345) == &Nodes[2]);
    HT_ASSERT(!RtlInsertRangeNode(&Tree, MakeNode(3, 7, 7)));
}

HTEST(avltree, at_or_above_and_overlapping)
{
    RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    RtlInsertRangeNode(&Tree, MakeNode(0, 0x10, 0x1F));
    RtlInsertRangeNode(&Tree, MakeNode(1, 0x30, 0x3F));
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0) == &Nodes[0]);
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0x1F) == &Nodes[0]);
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0x20) == &Nodes[1]);
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0x3F) == &Nodes[1]);
    HT_ASSERT(RtlFindRangeNodeAtOrAbove(&Tree, 0x40) == NULL);
    HT_ASSERT(RtlFindOverlappingRangeNode(&Tree, 0x20, 0x2F) == NULL);
    HT_ASSERT(RtlFindOverlappingRangeNode(&Tree, 0x20, 0x30) == &Nodes[1]);
    HT_ASSERT(RtlFindOverlappingRangeNode(&Tree, 0x00, 0x40) == &Nodes[0]);
    HT_ASSERT(RtlFindOverlappingRangeNode(&Tree, 0x40, MAX_VPN) == NULL);
}

HTEST(avltree, walk_in_order_both_ways)
{
    enum { N = 1000 };
    int Order[N];
    RTL_RANGE_TREE Tree;
    PRTL_RANGE_NODE Node;
    int i;

    srand(7);
    for (i = 0; i < N; i++)
        Order[i] = i;
    for (i = N - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = Order[i];
        Order[i] = Order[j];
        Order[j] = t;
    }
    RtlInitializeRangeTree(&Tree, 16);
    for (i = 0; i < N; i++)
        HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(Order[i], Order[i] * 16 + 16,
                                                     Order[i] * 16 + 16 + Order[i] % 15)));
    HT_VALID(&Tree);
    for (i = 0, Node = RtlFirstRangeNode(&Tree); Node != NULL; Node = RtlNextRangeNode(Node))
        HT_ASSERT(Node == &Nodes[i++]);
    HT_EQ(i, N);
    for (Node = RtlLastRangeNode(&Tree); Node != NULL; Node = RtlPreviousRangeNode(Node))
        HT_ASSERT(Node == &Nodes[--i]);
    HT_EQ(i, 0);
}

HTEST(avltree, ascending_inserts_stay_balanced)
{
    /* The VAD pattern: each reservation above the last. A plain BST would be a list. */
    enum { N = 4095 };
    RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    for (int i = 0; i < N; i++)
        HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(i, i * 16, i * 16)));
    HT_VALID(&Tree);
    HT_ASSERT(Height(Tree.Root) <= 13);     /* 1.44 log2(4097) is about 17; AVL does better here */
    for (int i = 0; i < N; i += 2)
        RtlRemoveRangeNode(&Tree, &Nodes[i]);
    HT_VALID(&Tree);
    HT_EQ(Tree.NumberOfNodes, N / 2);
    HT_ASSERT(Height(Tree.Root) <= 16);
}

HTEST(avltree, remove_every_node_validating)
{
    enum { N = 600 };
    RTL_RANGE_TREE Tree;
    srand(11);
    RtlInitializeRangeTree(&Tree, 16);
    for (int i = 0; i < N; i++)
        HT_ASSERT(RtlInsertRangeNode(&Tree, MakeNode(i, i * 3, i * 3 + 1)));
    for (int Left = N; Left > 0; Left--) {
        PRTL_RANGE_NODE Node = RtlFirstRangeNode(&Tree);
        for (int k = rand() % Left; k > 0; k--)
            Node = RtlNextRangeNode(Node);
        RtlRemoveRangeNode(&Tree, Node);
        HT_EQ(Tree.NumberOfNodes, Left - 1);
        HT_VALID(&Tree);
    }
    HT_ASSERT(RtlIsRangeTreeEmpty(&Tree));
}

HTEST(avltree, remove_twice_asserts)
{
    static RTL_RANGE_TREE Tree;
    RtlInitializeRangeTree(&Tree, 16);
    RtlInsertRangeNode(&Tree, MakeNode(0, 0x10, 0x1F));
    RtlInsertRangeNode(&Tree, MakeNode(1, 0x20, 0x2F));
    RtlRemoveRangeNode(&Tree, &Nodes[1]);
    HT_EXPECT_BUGCHECK(ASSERTION_FAILURE, RtlRemoveRangeNode(&Tree, &Nodes[1]));
    HT_EQ(Tree.NumberOfNodes, 1);
}

HTEST(avltree, search_visits_logarithmic_nodes)
{
    /*
     * The benchmark case: many 1-page reservations at 64 KB steps
     * leave 15-page gaps, long enough for a 1-page request but never at a
     * 64 KB boundary. Pruning on the aligned gap skips them all and goes
     * straight to the one hole, so 200 times the nodes costs about twice
     * the visits.
     */
    static RTL_RANGE_NODE Many[20000];
    RTL_RANGE_TREE Tree;
    ULONG_PTR Vpn;
    ULONG Small, Large;

    RtlInitializeRangeTree(&Tree, 16);
    for (int i = 0; i < 20000; i++)
        Many[i].StartingVpn = Many[i].EndingVpn = 0x10 + i * 16;
    for (int i = 0; i < 100; i++)
        RtlInsertRangeNode(&Tree, &Many[i]);
    RtlRemoveRangeNode(&Tree, &Many[37]);
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x7FFEF, 1, 16, &Vpn), STATUS_SUCCESS);
    HT_EQ(Vpn, 0x10 + 37 * 16);
    Small = Tree.LastSearchVisits;

    RtlInsertRangeNode(&Tree, &Many[37]);
    for (int i = 100; i < 20000; i++)
        RtlInsertRangeNode(&Tree, &Many[i]);
    RtlRemoveRangeNode(&Tree, &Many[12345]);
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x7FFEF, 1, 16, &Vpn), STATUS_SUCCESS);
    HT_EQ(Vpn, 0x10 + 12345 * 16);
    Large = Tree.LastSearchVisits;
    HT_EQ(RtlFindFreeRangeTopDown(&Tree, 0x10, 0x10 + 20000 * 16 - 1, 16, 16, &Vpn),
          STATUS_SUCCESS);
    HT_EQ(Vpn, 0x10 + 12345 * 16);
    HT_ASSERT(Tree.LastSearchVisits <= 4 * Height(Tree.Root));

    /* Below the granularity the raw gaps prune; 15 pages are still too short for 16. */
    HT_EQ(RtlFindFreeRange(&Tree, 0x10, 0x7FFEF, 16, 8, &Vpn), STATUS_SUCCESS);
    HT_EQ(Vpn, 0x10 + 12344 * 16 + 8);     /* the hole runs from the page after node 12344 */
    HT_ASSERT(Tree.LastSearchVisits <= 4 * Height(Tree.Root));
    printf("  visits: %u with 100 reservations, %u with 20000 (height %u)\n", Small, Large,
           Height(Tree.Root));
    HT_ASSERT(Large <= 4 * Height(Tree.Root));
    HT_ASSERT(Large <= 3 * Small);
}

/*
 * The storm: random inserts (some overlapping, so refused), allocations
 * through the free-range search, removals, lookups and searches, each
 * checked against a sorted array of ranges. The array's searches step from
 * candidate to candidate past each blocking range, an algorithm unlike the
 * tree's; every 64th search is also checked by trying every aligned start
 * against a page bitmap.
 */
#define STORM_PAGES 16384               /* the pages the storm's ranges live in */
#define STORM_MAX_NODES 4096

typedef struct { ULONG_PTR Start, End; PRTL_RANGE_NODE Node; } REF_RANGE;

typedef struct {
    RTL_RANGE_TREE Tree;
    RTL_RANGE_NODE Pool[STORM_MAX_NODES];
    PRTL_RANGE_NODE FreeNodes[STORM_MAX_NODES];
    int FreeCount;
    REF_RANGE Ref[STORM_MAX_NODES];     /* sorted by Start */
    int RefCount;
    ULONG_PTR Base;                     /* first page of the storm's span */
    unsigned long long Rng;
    unsigned long Searches, Found, Refused;
    int MostNodes;
} STORM;

static ULONG_PTR StormRandom(STORM *s)
{
    /* xorshift64*: deterministic on every host, unlike rand(). */
    s->Rng ^= s->Rng >> 12;
    s->Rng ^= s->Rng << 25;
    s->Rng ^= s->Rng >> 27;
    return (ULONG_PTR)((s->Rng * 0x2545F4914F6CDD1DULL) >> 16);
}

/* The index of the first reference range ending at or above Vpn (RefCount if none). */
static int RefLowerBound(const STORM *s, ULONG_PTR Vpn)
{
    int lo = 0, hi = s->RefCount;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s->Ref[mid].End >= Vpn)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static BOOLEAN RefIsFree(const STORM *s, ULONG_PTR Start, ULONG_PTR End)
{
    int i = RefLowerBound(s, Start);
    return i == s->RefCount || s->Ref[i].Start > End;
}

static BOOLEAN RefRoundUp(ULONG_PTR Vpn, ULONG_PTR Align, ULONG_PTR *Out)
{
    ULONG_PTR q = Vpn / Align + (Vpn % Align != 0);
    if (q > MAX_VPN / Align)
        return FALSE;
    *Out = q * Align;
    return TRUE;
}

static BOOLEAN RefFindLowest(const STORM *s, ULONG_PTR Lo, ULONG_PTR Hi, ULONG_PTR Size,
                             ULONG_PTR Align, ULONG_PTR *Out)
{
    ULONG_PTR X;
    if (!RefRoundUp(Lo, Align, &X))
        return FALSE;
    while (X <= Hi && Hi - X >= Size - 1) {
        int i = RefLowerBound(s, X);
        if (i == s->RefCount || s->Ref[i].Start > X + Size - 1) {
            *Out = X;
            return TRUE;
        }
        /* Every start from X up to that range's end overlaps it. */
        if (s->Ref[i].End == MAX_VPN || !RefRoundUp(s->Ref[i].End + 1, Align, &X))
            return FALSE;
    }
    return FALSE;
}

static BOOLEAN RefFindHighest(const STORM *s, ULONG_PTR Lo, ULONG_PTR Hi, ULONG_PTR Size,
                              ULONG_PTR Align, ULONG_PTR *Out)
{
    ULONG_PTR X;
    if (Hi - Lo < Size - 1)
        return FALSE;
    X = (Hi - (Size - 1)) / Align * Align;
    while (X >= Lo) {
        /* The last range starting at or below the window's end. */
        int i = RefLowerBound(s, X + Size - 1);
        if (i == s->RefCount || s->Ref[i].Start > X + Size - 1)
            i--;
        if (i < 0 || s->Ref[i].End < X) {
            *Out = X;
            return TRUE;
        }
        /* The window must end below that range's start. */
        if (s->Ref[i].Start < Size)
            return FALSE;
        X = (s->Ref[i].Start - Size) / Align * Align;
    }
    return FALSE;
}

/* Tries every aligned start in the span against a page bitmap: slow, obviously right. */
static BOOLEAN RefExhaustive(const STORM *s, ULONG_PTR Lo, ULONG_PTR Hi, ULONG_PTR Size,
                             ULONG_PTR Align, BOOLEAN TopDown, ULONG_PTR *Out)
{
    static unsigned Used[STORM_PAGES + 1];  /* prefix counts of used pages */
    static unsigned char Map[STORM_PAGES];
    BOOLEAN Any = FALSE;
    memset(Map, 0, sizeof Map);
    for (int i = 0; i < s->RefCount; i++)
        memset(&Map[s->Ref[i].Start - s->Base], 1, s->Ref[i].End - s->Ref[i].Start + 1);
    Used[0] = 0;
    for (int p = 0; p < STORM_PAGES; p++)
        Used[p + 1] = Used[p] + Map[p];
    for (ULONG_PTR p = 0; p + Size <= STORM_PAGES; p++) {
        ULONG_PTR X = s->Base + p;
        if (X % Align != 0 || X < Lo || X + Size - 1 > Hi || Used[p + Size] != Used[p])
            continue;
        if (!Any || TopDown)
            *Out = X;
        Any = TRUE;
        if (!TopDown)
            break;
    }
    return Any;
}

static void RefInsert(STORM *s, PRTL_RANGE_NODE Node)
{
    int i = RefLowerBound(s, Node->StartingVpn);
    memmove(&s->Ref[i + 1], &s->Ref[i], (s->RefCount - i) * sizeof s->Ref[0]);
    s->Ref[i] = (REF_RANGE){ Node->StartingVpn, Node->EndingVpn, Node };
    s->RefCount++;
}

static ULONG_PTR StormSize(STORM *s)
{
    ULONG_PTR r = StormRandom(s) % 100;
    if (r < 60)
        return 1 + StormRandom(s) % 8;
    if (r < 90)
        return 1 + StormRandom(s) % 48;
    return 1 + StormRandom(s) % 600;
}

static ULONG_PTR StormAlignment(STORM *s)
{
    static const ULONG_PTR Choices[] = { 16, 16, 16, 16, 1, 1, 2, 4, 8, 32, 64, 256 };
    return Choices[StormRandom(s) % ARRAYSIZE(Choices)];
}

/* Bounds for a search: mostly inside the span, sometimes the whole address space. */
static void StormBounds(STORM *s, ULONG_PTR *Lo, ULONG_PTR *Hi, BOOLEAN *InSpan)
{
    ULONG_PTR a = s->Base + StormRandom(s) % STORM_PAGES;
    ULONG_PTR b = s->Base + StormRandom(s) % STORM_PAGES;
    ULONG_PTR r = StormRandom(s) % 16;
    *InSpan = TRUE;
    if (r == 0) {
        *Lo = 0, *Hi = MAX_VPN, *InSpan = FALSE;
    } else if (r < 4) {
        *Lo = s->Base, *Hi = s->Base + STORM_PAGES - 1;
    } else {
        *Lo = a < b ? a : b, *Hi = a < b ? b : a;
    }
}

/* One search both ways, compared with the reference; returns the bottom-up answer. */
static int StormSearch(STORM *s, BOOLEAN Exhaustive, ULONG_PTR *Answer, ULONG_PTR *Pages,
                       BOOLEAN *Found)
{
    ULONG_PTR Lo, Hi, Size = *Pages = StormSize(s), Align = StormAlignment(s), Got = 0, Want = 0;
    BOOLEAN InSpan, Ok, RefOk;
    StormBounds(s, &Lo, &Hi, &InSpan);

    for (int TopDown = 0; TopDown < 2; TopDown++) {
        NTSTATUS Status = TopDown ? RtlFindFreeRangeTopDown(&s->Tree, Lo, Hi, Size, Align, &Got)
                                  : RtlFindFreeRange(&s->Tree, Lo, Hi, Size, Align, &Got);
        Ok = Status == STATUS_SUCCESS;
        if (!Ok && Status != STATUS_NO_MEMORY)
            return 1;
        RefOk = TopDown ? RefFindHighest(s, Lo, Hi, Size, Align, &Want)
                        : RefFindLowest(s, Lo, Hi, Size, Align, &Want);
        if (Ok != RefOk || (Ok && Got != Want)) {
            fprintf(stderr, "search %s lo=%lx hi=%lx size=%lx align=%lx: tree %d %lx, ref %d %lx\n",
                    TopDown ? "down" : "up", (unsigned long)Lo, (unsigned long)Hi,
                    (unsigned long)Size, (unsigned long)Align, Ok, (unsigned long)Got, RefOk,
                    (unsigned long)Want);
            return 1;
        }
        if (Exhaustive && InSpan) {
            RefOk = RefExhaustive(s, Lo, Hi, Size, Align, (BOOLEAN)TopDown, &Want);
            if (Ok != RefOk || (Ok && Got != Want))
                return 2;
        }
        if (!TopDown) {
            *Answer = Got;
            *Found = Ok;
        }
        s->Searches++;
        s->Found += Ok;
    }
    return 0;
}

/* Compares an in-order walk of the tree with the reference array. */
static BOOLEAN StormWalkMatches(const STORM *s)
{
    PRTL_RANGE_NODE Node = RtlFirstRangeNode(&s->Tree);
    for (int i = 0; i < s->RefCount; i++, Node = RtlNextRangeNode(Node))
        if (Node != s->Ref[i].Node || Node->StartingVpn != s->Ref[i].Start)
            return FALSE;
    return Node == NULL && s->Tree.NumberOfNodes == (ULONG)s->RefCount;
}

/*
 * Runs Steps random operations; returns 0 or the step that went wrong (with
 * the reason in *Why). Validates after every step below FullCheckSteps, then
 * every 1000th.
 */
static long StormRun(STORM *s, ULONG_PTR Base, ULONG_PTR Granularity, long Steps,
                     long FullCheckSteps, unsigned long long Seed, PCSTR *Why)
{
    memset(s, 0, sizeof *s);
    s->Base = Base;
    s->Rng = Seed;
    RtlInitializeRangeTree(&s->Tree, Granularity);
    for (int i = 0; i < STORM_MAX_NODES; i++)
        s->FreeNodes[s->FreeCount++] = &s->Pool[i];

    for (long Step = 1; Step <= Steps; Step++) {
        ULONG_PTR Op = StormRandom(s) % 100, Vpn = Base + StormRandom(s) % STORM_PAGES;
        /* Alternate phases: fill the span until little fits, then thin it out. */
        BOOLEAN Filling = (Step / 10000) % 2 == 1;
        *Why = NULL;

        if (Op < 30 && s->FreeCount > 0) {
            /* A range anywhere: refused exactly when it overlaps. */
            PRTL_RANGE_NODE Node = s->FreeNodes[s->FreeCount - 1];
            ULONG_PTR Size = StormSize(s);
            Node->StartingVpn = Vpn;
            Node->EndingVpn = Base + STORM_PAGES - 1 - Vpn < Size - 1 ? Base + STORM_PAGES - 1
                                                                     : Vpn + Size - 1;
            BOOLEAN Free = RefIsFree(s, Node->StartingVpn, Node->EndingVpn);
            if (RtlInsertRangeNode(&s->Tree, Node) != Free)
                *Why = "insert disagreed with the reference about overlap";
            else if (Free)
                RefInsert(s, s->FreeNodes[--s->FreeCount]);
            else
                s->Refused++;
        } else if (Op < 45 && s->FreeCount > 0) {
            /* VirtualAlloc's way: find a free range, then take it. */
            ULONG_PTR Start, Pages;
            BOOLEAN Found;
            if (StormSearch(s, FALSE, &Start, &Pages, &Found) != 0) {
                *Why = "search disagreed with the reference";
            } else if (Found && Start >= Base && Start - Base < STORM_PAGES) {
                PRTL_RANGE_NODE Node = s->FreeNodes[--s->FreeCount];
                Node->StartingVpn = Start;
                /* Clipped to the span, so the reference's page map holds it. */
                Node->EndingVpn = Base + STORM_PAGES - 1 - Start < Pages - 1
                                      ? Base + STORM_PAGES - 1 : Start + Pages - 1;
                if (!RtlInsertRangeNode(&s->Tree, Node))
                    *Why = "insert at a found free range refused";
                else
                    RefInsert(s, Node);
            }
        } else if (Op < (Filling ? 50 : 70) && s->RefCount > 0) {
            int i = (int)(StormRandom(s) % (ULONG_PTR)s->RefCount);
            PRTL_RANGE_NODE Node = s->Ref[i].Node;
            RtlRemoveRangeNode(&s->Tree, Node);
            memmove(&s->Ref[i], &s->Ref[i + 1], (s->RefCount - i - 1) * sizeof s->Ref[0]);
            s->RefCount--;
            s->FreeNodes[s->FreeCount++] = Node;
        } else if (Op < 88) {
            ULONG_PTR Start, Pages;
            BOOLEAN Found;
            if (StormSearch(s, s->Searches % 64 == 0, &Start, &Pages, &Found) != 0)
                *Why = "search disagreed with the reference";
        } else {
            int i = RefLowerBound(s, Vpn);
            PRTL_RANGE_NODE Above = i < s->RefCount ? s->Ref[i].Node : NULL;
            PRTL_RANGE_NODE Holder = Above != NULL && Above->StartingVpn <= Vpn ? Above : NULL;
            if (RtlFindRangeNode(&s->Tree, Vpn) != Holder)
                *Why = "find disagreed with the reference";
            else if (RtlFindRangeNodeAtOrAbove(&s->Tree, Vpn) != Above)
                *Why = "at-or-above disagreed with the reference";
            else if (Above != NULL &&
                     RtlPreviousRangeNode(Above) != (i > 0 ? s->Ref[i - 1].Node : NULL))
                *Why = "predecessor disagreed with the reference";
            else if (Above != NULL && RtlNextRangeNode(Above) !=
                                          (i + 1 < s->RefCount ? s->Ref[i + 1].Node : NULL))
                *Why = "successor disagreed with the reference";
        }

        if (*Why == NULL && (Step <= FullCheckSteps || Step % 1000 == 0 || Step == Steps)) {
            if (!RtlValidateRangeTree(&s->Tree, NULL, Why))
                ;
            else if (!StormWalkMatches(s))
                *Why = "in-order walk differs from the reference";
        }
        if (*Why != NULL)
            return Step;
        if (s->RefCount > s->MostNodes)
            s->MostNodes = s->RefCount;
    }
    return 0;
}

static double Seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void StormReport(PCSTR Name, const STORM *s, long Steps, double Elapsed)
{
    printf("  %s: %ld steps in %.2f s; %lu searches (%lu found), %lu overlaps refused, "
           "%d nodes at most\n", Name, Steps, Elapsed, s->Searches, s->Found, s->Refused,
           s->MostNodes);
}

HTEST(avltree, storm_against_reference)
{
    static STORM s;
    PCSTR Why;
    double t0 = Seconds();
    long Bad = StormRun(&s, 0x10, 16, 200000, 5000, 0x9E3779B97F4A7C15ULL, &Why);
    if (Bad != 0) {
        htest_fail(__FILE__, __LINE__, "step %ld: %s", Bad, Why);
        return;
    }
    StormReport("storm", &s, 200000, Seconds() - t0);
    HT_ASSERT(s.Found > 1000 && s.Found < s.Searches);    /* both outcomes exercised */
    HT_ASSERT(s.Refused > 1000);
}

HTEST(avltree, storm_at_top_of_address_space)
{
    /* The span ends at the last VPN, so every +1 and -1 at the edges is tried. */
    static STORM s;
    PCSTR Why;
    double t0 = Seconds();
    long Bad = StormRun(&s, MAX_VPN - STORM_PAGES + 1, 16, 50000, 2000, 12345, &Why);
    if (Bad != 0) {
        htest_fail(__FILE__, __LINE__, "step %ld: %s", Bad, Why);
        return;
    }
    StormReport("top storm", &s, 50000, Seconds() - t0);
}

HTEST(avltree, storm_granularity_one)
{
    static STORM s;
    PCSTR Why;
    double t0 = Seconds();
    long Bad = StormRun(&s, 0, 1, 50000, 2000, 777, &Why);
    if (Bad != 0) {
        htest_fail(__FILE__, __LINE__, "step %ld: %s", Bad, Why);
        return;
    }
    StormReport("granularity-1 storm", &s, 50000, Seconds() - t0);
}
