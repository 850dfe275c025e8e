/* User-mode benchmarks: the null system call and a process create+exit. */
#include "ntddk.h"
#include "ktest.h"
#include "ktimage.h"

/*
 * The program times 64 calls of NtYieldExecution (with nothing else ready,
 * the cheapest full trip: trap, dispatch, argument copy, return) and 64
 * empty rdtsc pairs, keeps the minimum of each (a clock tick can land in
 * any one sample) and exits with the difference.
 */
static void KbEmitTimedLoop(KT_IMAGE *im, BOOLEAN WithSyscall)
{
    KtByte(im, 0xBE); KtLong(im, 64);               /* mov esi, 64 */
    KtByte(im, 0xBD); KtLong(im, 0xFFFFFFFF);       /* mov ebp, -1: the minimum */
    ULONG loop = im->Length;
    KtByte(im, 0x0F); KtByte(im, 0x31);             /* rdtsc */
    KtByte(im, 0x89); KtByte(im, 0xC3);             /* mov ebx, eax */
    if (WithSyscall)
        KtSyscall(im, SERVICE_NtYieldExecution);
    KtByte(im, 0x0F); KtByte(im, 0x31);             /* rdtsc */
    KtByte(im, 0x29); KtByte(im, 0xD8);             /* sub eax, ebx */
    KtByte(im, 0x39); KtByte(im, 0xE8);             /* cmp eax, ebp */
    KtByte(im, 0x73); KtByte(im, 0x02);             /* jae +2 */
    KtByte(im, 0x89); KtByte(im, 0xC5);             /* mov ebp, eax */
    KtByte(im, 0x4E);                               /* dec esi */
    KtByte(im, 0x75); KtByte(im, (UCHAR)(loop - (im->Length + 1)));  /* jnz loop */
}

KBENCH(calib_null_syscall)
{
    KT_IMAGE im;
    KtBegin(&im);
    KbEmitTimedLoop(&im, FALSE);
    KtByte(&im, 0x89); KtByte(&im, 0xEF);           /* mov edi, ebp: the empty cost */
    KbEmitTimedLoop(&im, TRUE);
    KtByte(&im, 0x89); KtByte(&im, 0xE8);           /* mov eax, ebp */
    KtByte(&im, 0x29); KtByte(&im, 0xF8);           /* sub eax, edi */
    KtExitWithEax(&im);
    KbReport("calib.null_syscall", (ULONG)KtRun(&im, "nullsys", NULL), "insns");
}

static KT_IMAGE KbExitImage;

static void KbCreateExit(void *Context)
{
    (void)Context;
    KtRun(&KbExitImage, "exit0", NULL);
}

KBENCH(ps_process_create_exit)
{
    KtBegin(&KbExitImage);
    KtMovEax(&KbExitImage, 0);
    KtExitWithEax(&KbExitImage);
    KbReport("ps.process_create_exit", KbMeasure(KbCreateExit, NULL, 15), "insns");
}
