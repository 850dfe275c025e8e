/*
 * app_stack.c - the main thread's stack, as Windows makes it (seed 004's
 * stack chapter): a reservation with the top committed, a guard page below,
 * and growth one page at a time as the guard page moves down.
 */
/* mingw's NtCurrentTeb (__readfsdword) trips -Warray-bounds at -O2. */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <windows.h>
#include <stdio.h>

static int Failures;
#define CHECK(name, cond) do { if (cond) printf("PASS app/stack_%s\n", name); \
    else { printf("FAIL app/stack_%s: %s\n", name, #cond); Failures++; } } while (0)

/* Volatile: the kernel moves StackLimit behind the compiler's back. */
static volatile NT_TIB *Tib(void)
{
    return (volatile NT_TIB *)NtCurrentTeb();
}

static SIZE_T CommittedBytes(void)
{
    return (SIZE_T)((char *)Tib()->StackBase - (char *)Tib()->StackLimit);
}

/* One page of frame per level: the compiler's stack probes touch each page.
 * The deepest level reports its frame's lowest byte and the StackLimit then. */
static char *DeepestFrame, *DeepestLimit;
#pragma GCC diagnostic ignored "-Wdangling-pointer"

static __attribute__((noinline)) int Recurse(int Levels)
{
    volatile char frame[4096 - 64];
    frame[0] = (char)Levels;
    if (Levels <= 1) {
        DeepestFrame = (char *)(ULONG_PTR)&frame[0];     /* an address only, compared later */
        DeepestLimit = (char *)Tib()->StackLimit;
        return 0;
    }
    int r = Recurse(Levels - 1);            /* not a tail call: each frame stays */
    return r + (frame[0] != (char)Levels);
}

/* Seed 004's case: a local array bigger than a page must not jump the guard. */
static __attribute__((noinline)) int LargeFrame(void)
{
    volatile char big[16000];
    big[0] = 1;                     /* the lowest byte: 4 pages below the caller */
    big[15999] = 2;
    return big[0] + big[15999];
}

/* Uses up what is committed (a variable-length pad down to StackLimit),
 * then calls the large frame there, so it must grow the stack itself. */
static SIZE_T FreshBefore, FreshAfter;

static __attribute__((noinline)) int LargeFrameAtTheEdge(void)
{
    char here = 0;
    SIZE_T room = (SIZE_T)(&here - (char *)Tib()->StackLimit);
    volatile char pad[room > 1024 ? room - 1024 : 1];
    pad[0] = here;
    FreshBefore = CommittedBytes();
    int r = LargeFrame();
    FreshAfter = CommittedBytes();
    return r + pad[0];
}

int main(void)
{
    int largeResult = LargeFrameAtTheEdge();
    SIZE_T freshBefore = FreshBefore, freshAfter = FreshAfter;

    MEMORY_BASIC_INFORMATION committed, guard, reserved;
    char here = 0;
    VirtualQuery(&here, &committed, sizeof(committed));
    char *limit = (char *)Tib()->StackLimit;
    VirtualQuery(limit - 1, &guard, sizeof(guard));
    VirtualQuery(committed.AllocationBase, &reserved, sizeof(reserved));

    /* The three regions of the seed's diagram. */
    CHECK("committed_part_is_readwrite", committed.State == MEM_COMMIT &&
          committed.Protect == PAGE_READWRITE && committed.Type == MEM_PRIVATE);
    CHECK("committed_part_ends_at_stack_base",
          (char *)committed.BaseAddress + committed.RegionSize == (char *)Tib()->StackBase);
    CHECK("guard_page_below_stack_limit", guard.State == MEM_COMMIT &&
          guard.Protect == (PAGE_READWRITE | PAGE_GUARD) && guard.RegionSize == 4096 &&
          (char *)guard.BaseAddress == limit - 4096);
    CHECK("rest_is_reserved", reserved.State == MEM_RESERVE &&
          (char *)reserved.BaseAddress + reserved.RegionSize == limit - 4096);
    CHECK("reservation_is_one_megabyte",
          (char *)Tib()->StackBase - (char *)committed.AllocationBase == 0x100000);
    CHECK("same_allocation", guard.AllocationBase == committed.AllocationBase &&
          reserved.AllocationBase == committed.AllocationBase);

    CHECK("large_frame_runs", largeResult == 3);
    CHECK("large_frame_grew_page_by_page", freshAfter - freshBefore >= 3 * 4096);

    /* Recursion: the rule predicts the commit follows the deepest touch to
     * the page: StackLimit is the page holding the lowest byte touched (the
     * probe at the deepest ESP, just under the frame), never more. */
    char *main_sp = (char *)&here;
    CHECK("recursion_runs", Recurse(12) == 0);
    SIZE_T pages = (SIZE_T)((char *)Tib()->StackBase - DeepestLimit) / 4096;
    printf("stack: %u pages committed at the deepest of 12 one-page frames "
           "(main's frame %u bytes below the base)\n", (unsigned)pages,
           (unsigned)((char *)Tib()->StackBase - main_sp));
    CHECK("recursion_commits_to_the_page_of_the_deepest_frame",
          DeepestLimit <= DeepestFrame && DeepestFrame - DeepestLimit < 2 * 4096);
    CHECK("twelve_frames_commit_at_least_twelve_pages", pages >= 12 && pages <= 14);
    VirtualQuery((char *)Tib()->StackLimit - 1, &guard, sizeof(guard));
    CHECK("guard_page_moved_down_with_it", guard.Protect == (PAGE_READWRITE | PAGE_GUARD) &&
          (char *)guard.BaseAddress == (char *)Tib()->StackLimit - 4096);
    return Failures;
}
