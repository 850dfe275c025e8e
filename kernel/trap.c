/*
 * trap.c - the CPU exceptions: dispatch, the register dump, the double fault.
 *
 * A page fault goes to the memory manager first (MmAccessFault). One it
 * cannot resolve in kernel mode bugchecks as NT does: a write to a present
 * read-only page ATTEMPTED_WRITE_TO_READONLY_MEMORY (0xBE: address, PTE),
 * anything else PAGE_FAULT_IN_NONPAGED_AREA (0x50: address, 1 for a write,
 * the faulting EIP, 0). Any other unexpected trap is
 * UNEXPECTED_KERNEL_MODE_TRAP (0x7F: the trap number).
 */
#include "ki.h"
#include "mm.h"
#include "except.h"

void KiSystemService(PKTRAP_FRAME Frame);

const KTRAP_FRAME *KiBugCheckTrapFrame;

static const char *const KiTrapNames[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check", "machine check",
    "SIMD error", "virtualization", "control protection",
};

static void KiPageFault(PKTRAP_FRAME TrapFrame)
{
    ULONG address = __readcr2();
    NTSTATUS status = MmAccessFault(TrapFrame->ErrCode, (PVOID)address,
                                    KI_FRAME_FROM_USER(TrapFrame), TrapFrame);
    if (NT_SUCCESS(status))
        return;
    if (KI_FRAME_FROM_USER(TrapFrame)) {
        KiUserTrap(TrapFrame, address);
        return;
    }
    /* Kernel code touching user memory inside a KE_TRY: an exception. */
    if (address < MM_SYSTEM_RANGE_START && KiTryActive())
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);
    KiBugCheckTrapFrame = TrapFrame;
    if ((TrapFrame->ErrCode & (PF_PRESENT | PF_WRITE)) == (PF_PRESENT | PF_WRITE))
        KeBugCheckEx(ATTEMPTED_WRITE_TO_READONLY_MEMORY, address,
                     MiGetPteAddress((PVOID)address)->u, 0, 0);
    KeBugCheckEx(PAGE_FAULT_IN_NONPAGED_AREA, address,
                 (TrapFrame->ErrCode & PF_WRITE) ? 1 : 0, TrapFrame->Eip, 0);
}

void KiTrapDispatch(PKTRAP_FRAME TrapFrame)
{
    if (TrapFrame->Vector == 0x2E) {
        KiSystemService(TrapFrame);
        return;
    }
    if (TrapFrame->Vector == 14) {
        KiPageFault(TrapFrame);
        return;
    }
    if (KI_FRAME_FROM_USER(TrapFrame)) {
        KiUserTrap(TrapFrame, 0);
        return;
    }
    KiBugCheckTrapFrame = TrapFrame;
    KeBugCheckEx(UNEXPECTED_KERNEL_MODE_TRAP, TrapFrame->Vector, 0, 0, 0);
}

/* The stack pointer at the time of the trap. */
ULONG KiTrapFrameEsp(const KTRAP_FRAME *f)
{
    if (KI_FRAME_FROM_USER(f) || f->Vector == 8)
        return f->HardwareEsp;
    return KI_KERNEL_TRAP_ESP(f);
}

void KiDumpTrapFrame(const KTRAP_FRAME *f)
{
    ULONG off;
    PCSTR sym = KiLookupSymbol(f->Eip, &off);
    ULONG esp = KiTrapFrameEsp(f);
    if (f->Vector < 32)
        DbgPrint("Trap 0x%02X (%s), error code 0x%08X\n", f->Vector,
                 KiTrapNames[f->Vector] ? KiTrapNames[f->Vector] : "reserved", f->ErrCode);
    DbgPrint("eip=%08X %s+0x%X\n", f->Eip, sym ? sym : "?", off);
    DbgPrint("eax=%08X ebx=%08X ecx=%08X edx=%08X esi=%08X edi=%08X\n", f->Eax, f->Ebx,
             f->Ecx, f->Edx, f->Esi, f->Edi);
    DbgPrint("esp=%08X ebp=%08X efl=%08X cs=%04X ds=%04X es=%04X fs=%04X gs=%04X\n", esp,
             f->Ebp, f->EFlags, f->SegCs & 0xFFFF, f->SegDs & 0xFFFF, f->SegEs & 0xFFFF,
             f->SegFs & 0xFFFF, f->SegGs & 0xFFFF);
    DbgPrint("cr0=%08X cr2=%08X cr3=%08X cr4=%08X irql=%u\n", __readcr0(), __readcr2(),
             __readcr3(), __readcr4(), KiCurrentIrql);
}

/*
 * The double-fault task. The CPU saved the faulting context in KiTss when it
 * switched here; turn it into a trap frame for the report.
 */
void KiDoubleFaultHandler(void)
{
    static KTRAP_FRAME frame;
    frame.Eax = KiTss.Eax; frame.Ebx = KiTss.Ebx; frame.Ecx = KiTss.Ecx;
    frame.Edx = KiTss.Edx; frame.Esi = KiTss.Esi; frame.Edi = KiTss.Edi;
    frame.Ebp = KiTss.Ebp; frame.Eip = KiTss.Eip; frame.EFlags = KiTss.EFlags;
    frame.SegCs = KiTss.Cs; frame.SegDs = KiTss.Ds; frame.SegEs = KiTss.Es;
    frame.SegFs = KiTss.Fs; frame.SegGs = KiTss.Gs;
    frame.Vector = 8;
    frame.ErrCode = 0;
    /* Not pushed by a trap, so the real ESP is kept where a ring-3 frame
     * has it (KiTrapFrameEsp knows vector 8). */
    frame.HardwareEsp = KiTss.Esp;
    frame.HardwareSegSs = KiTss.Ss;
    KiBugCheckTrapFrame = &frame;
    DbgPrint("Double fault: esp=%08X (the kernel stack is exhausted or corrupt)\n", KiTss.Esp);
    KeBugCheckEx(UNEXPECTED_KERNEL_MODE_TRAP, 8, 0, 0, 0);
}
