// EXPECT_EXIT: 0
// INSTANCES: 4
/*
 * app_fuzz.c - random system calls with random arguments: bad pointers,
 * kernel addresses, misaligned and huge values, invalid handles and service
 * numbers. Four copies run at once. The kernel must answer every call with
 * a status (never a bugcheck), and the test runner checks after they end
 * that every page and pool byte came back.
 *
 * It calls int 0x2E directly, below the runtime, so the service numbers and
 * argument blocks are whatever the dice say. Calls that would end or hijack
 * the fuzzer itself (terminating itself, NtContinue onto a valid CONTEXT,
 * endless waits, suspending itself) only ever get invalid arguments.
 */
#include <windows.h>
#include <stdio.h>

#define CALLS 2500

static unsigned int Seed;
static unsigned int Scratch[256];           /* a valid buffer services may write */
static const unsigned int Empty[2];         /* an empty UNICODE_STRING */

static unsigned int Rand(void)
{
    Seed = Seed * 1103515245u + 12345u;
    return Seed >> 7;
}

static unsigned int AnyValue(void)
{
    static const unsigned int special[] = {
        0, 1, 4, 0x1000, 0x10000, 0x7FFEFFFF, 0x7FFF0000, 0x7FFFFFFF, 0x80000000,
        0xC0000000, 0xC0300000, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFF000, 0x00400000,
    };
    switch (Rand() % 6) {
    case 0: return special[Rand() % (sizeof(special) / sizeof(special[0]))];
    case 1: return (unsigned int)(size_t)&Scratch[Rand() % 200];
    case 2: return (unsigned int)(size_t)&Scratch[0] + 1 + Rand() % 3;    /* misaligned */
    case 3: return Rand() % 64;
    default: return Rand() ^ (Rand() << 16);
    }
}

/* Never a usable pointer or handle: for the calls that could hurt the caller. */
static unsigned int BadValue(void)
{
    static const unsigned int bad[] = { 0x80000000, 0xC0000000, 0xFFFFF000, 0x1000, 0x3,
                                        0x7FFF0000, 0x12345678 & ~3u };
    return bad[Rand() % (sizeof(bad) / sizeof(bad[0]))];
}

/* For the memory services: NULL (the system chooses), the fuzzer's own
 * playground at 0x10000000, kernel space, or odd addresses. */
static unsigned int SafeTarget(void)
{
    switch (Rand() % 5) {
    case 0: return 0;
    case 1: return 0x10000000 + (Rand() % 16) * 0x10000 + (Rand() % 2) * (Rand() % 0x10000);
    case 2: return 0x80000000 + Rand() % 0x1000000;
    case 3: return 0x7FFF0000;
    default: return 0x20000000 + Rand() % 0x1000000;
    }
}

static long Call(unsigned int Service, void *Arguments)
{
    long result;
    __asm__ volatile("int $0x2e" : "=a"(result), "+d"(Arguments) : "a"(Service) : "ecx", "memory");
    return result;
}

int main(int argc, char **argv)
{
    unsigned int args[6];
    unsigned int failures = 0, successes = 0;
    Seed = GetCurrentProcessId() * 2654435761u;
    for (int i = 0; i < CALLS; i++) {
        unsigned int service = Rand() % 23;        /* 21 services and some that do not exist */
        for (int a = 0; a < 6; a++)
            args[a] = AnyValue();
        switch (service) {
        case 0: case 1:     /* NtTerminateProcess/Thread: only handles that name nobody */
        case 7: case 8:     /* NtContinue, NtRaiseException: only bad pointers */
            args[0] = BadValue();
            args[1] = BadValue();
            break;
        case 19:            /* NtSuspendThread: only handles that name nobody (not itself) */
            args[0] = BadValue();
            break;
        case 3:             /* NtWaitForSingleObject: never wait without a (zero) timeout */
            args[2] = (unsigned int)(size_t)&Empty[0];
            break;
        case 4:             /* NtDisplayString: an empty string or a bad pointer */
            args[0] = Rand() % 2 ? (unsigned int)(size_t)Empty : BadValue();
            break;
        case 11:            /* NtDelayExecution: no delay, or a bad pointer */
            args[1] = Rand() % 2 ? (unsigned int)(size_t)Empty : BadValue();
            break;
        case 12: case 13: case 14: case 16: case 17:
            /* The memory services take PVOID *BaseAddress and PSIZE_T RegionSize:
             * point them at slots holding addresses that are never the fuzzer's
             * own image, stack, TEB or PEB (so it cannot pull the floor away). */
            Scratch[250] = SafeTarget();
            Scratch[251] = Rand() % 4 ? Rand() % 0x40000 : AnyValue();
            if (Rand() % 4)
                args[0] = 0xFFFFFFFF;                   /* the current process */
            if (Rand() % 8)
                args[1] = (unsigned int)(size_t)&Scratch[250];
            if (Rand() % 8)
                args[service == 12 ? 3 : 2] = (unsigned int)(size_t)&Scratch[251];
            break;
        case 15:            /* NtQueryVirtualMemory: any address, output into Scratch */
            if (Rand() % 4)
                args[0] = 0xFFFFFFFF;
            break;
        }
        void *edx = args;
        if (Rand() % 16 == 0)
            edx = (void *)(size_t)BadValue();    /* the argument block itself is bad */
        long status = Call(service, edx);
        if (status < 0)
            failures++;
        else
            successes++;
    }
    printf("fuzz: %d calls, %u failed with a status, %u succeeded\n", CALLS, failures, successes);
    return 0;
}
