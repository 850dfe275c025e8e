/*
 * bench_vm.c - user-mode virtual memory benchmarks (make bench): the
 * demand-zero fault, with pages from the free list (zeroed on the spot) and
 * from the zeroed list (zeroed ahead by the idle thread), and
 * VirtualAlloc+VirtualFree and VirtualQuery with 100 and 10,000 live
 * reservations. Under QEMU's icount mode rdtsc counts instructions, so each
 * figure is exact; the median of the samples is printed.
 */
#include <windows.h>
#include <stdio.h>

#include "bench.h"

#define TOUCH_BYTES (32u << 20)

/* Touches one byte per page of 32 MB of fresh commit; cost per page. */
static unsigned long long DemandZeroPerPage(void)
{
    volatile char *p = VirtualAlloc(NULL, TOUCH_BYTES, MEM_COMMIT, PAGE_READWRITE);
    if (!p)
        return 0;
    unsigned long long t0 = Tsc();
    for (unsigned i = 0; i < TOUCH_BYTES; i += 4096)
        p[i] = 1;
    unsigned long long cost = (Tsc() - t0) / (TOUCH_BYTES / 4096);
    VirtualFree((void *)p, 0, MEM_RELEASE);
    return cost;
}

static void *Live[10000];

static void AllocFreeAndQuery(int LiveCount)
{
    unsigned long long a[63], q[63];
    MEMORY_BASIC_INFORMATION m;
    for (int i = 0; i < LiveCount; i++)
        Live[i] = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_NOACCESS);
    for (int i = 0; i < 64; i++) {
        unsigned long long t0 = Tsc();
        void *v = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        VirtualFree(v, 0, MEM_RELEASE);
        unsigned long long t1 = Tsc();
        VirtualQuery(Live[(i * 7919) % LiveCount], &m, sizeof(m));
        unsigned long long t2 = Tsc();
        if (i) {                        /* the first round warms up */
            a[i - 1] = t1 - t0;
            q[i - 1] = t2 - t1;
        }
    }
    printf("BENCH vm.alloc_free.%d %llu insns\n", LiveCount, Median(a, 63));
    printf("BENCH vm.query.%d %llu insns\n", LiveCount, Median(q, 63));
    for (int i = 0; i < LiveCount; i++)
        VirtualFree(Live[i], 0, MEM_RELEASE);
}

int main(void)
{
    /* First from the free list: nothing has zeroed ahead yet. */
    printf("BENCH vm.demand_zero_fault.free_list %llu insns\n", DemandZeroPerPage());
    /* Let the idle thread zero pages ahead, then again. */
    Sleep(500);
    printf("BENCH vm.demand_zero_fault.zeroed_list %llu insns\n", DemandZeroPerPage());
    AllocFreeAndQuery(100);
    AllocFreeAndQuery(10000);
    return 0;
}
