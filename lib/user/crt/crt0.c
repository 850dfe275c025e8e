/*
 * crt0.c - where a user program starts: _start, the argument vector, the
 * top-level exception frame, main, ExitProcess (Windows: kernel32's
 * BaseProcessStart plus the C runtime's mainCRTStartup).
 *
 * The kernel enters _start in ring 3 with ESP at the top of the user stack,
 * 16-byte aligned, [ESP] = 0 (a fake return address), and FS on the TEB. The
 * PEB's ImageName and CommandLine give argv: argv[0] is ImageName, then the
 * words of CommandLine, split on spaces (a first word equal to ImageName is
 * the program's name again, as in a Windows command line, and is skipped).
 *
 * This object is linked into every program ahead of the runtime archive, and
 * holds the reference that pulls KiUserExceptionDispatcher in with it.
 */
#include "../kernel32/kernel32p.h"
#include "kstring.h"

#define CRTP_MAX_ARGS 64
#define CRTP_COMMAND_LINE 1024

int main(int argc, char **argv);
void BasepCreateProcessHeap(void);

static char CrtpCommandLine[CRTP_COMMAND_LINE];
static char *CrtpArgv[CRTP_MAX_ARGS + 1];

/* The kernel jumps here (by the ELF symbol) for every user exception. */
__attribute__((used)) static void *const CrtpKeepDispatcher = (void *)KiUserExceptionDispatcher;

/* Constructors (__attribute__((constructor))): the linker script's array. */
typedef void (*CRTP_INIT)(void);
extern CRTP_INIT __init_array_start[], __init_array_end[];

__asm__(".pushsection .text\n\t"
        ".globl _start\n\t"
        ".type _start, @function\n"
        "_start:\n\t"
        "xorl %ebp, %ebp\n\t"           /* the end of every stack trace */
        "andl $-16, %esp\n\t"
        "call BaseProcessStartup\n\t"
        "ud2\n\t"
        ".size _start, . - _start\n\t"
        ".popsection");

/* Splits the command line into CrtpArgv; returns argc. */
static int CrtpBuildArgv(PCSTR ImageName, PCSTR CommandLine)
{
    int argc = 0;
    CrtpArgv[argc++] = (char *)(ImageName ? ImageName : "");
    if (!CommandLine)
        goto done;
    strncpy(CrtpCommandLine, CommandLine, sizeof(CrtpCommandLine) - 1);
    char *p = CrtpCommandLine;
    BOOLEAN First = TRUE;
    while (*p && argc < CRTP_MAX_ARGS) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        char *Word = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = 0;
        if (First && ImageName && strcmp(Word, ImageName) == 0) {
            First = FALSE;
            continue;
        }
        First = FALSE;
        CrtpArgv[argc++] = Word;
    }
done:
    CrtpArgv[argc] = NULL;
    return argc;
}

/*
 * The frame around main: an exception no vectored handler took reaches the
 * unhandled-exception filter here. EXCEPTION_EXECUTE_HANDLER ends the process
 * with the exception code (Windows' __except body: ExitProcess(code));
 * EXCEPTION_CONTINUE_EXECUTION resumes; EXCEPTION_CONTINUE_SEARCH leaves it
 * unhandled, for the kernel to end the process.
 */
EXCEPTION_DISPOSITION NTAPI BasepTopLevelHandler(PEXCEPTION_RECORD ExceptionRecord,
                                                        PVOID EstablisherFrame,
                                                        PCONTEXT ContextRecord,
                                                        PVOID DispatcherContext)
{
    EXCEPTION_POINTERS Pointers = { ExceptionRecord, ContextRecord };
    LONG Filter = UnhandledExceptionFilter(&Pointers);
    if (Filter == EXCEPTION_CONTINUE_EXECUTION)
        return ExceptionContinueExecution;
    if (Filter == EXCEPTION_EXECUTE_HANDLER)
        ExitProcess((UINT)ExceptionRecord->ExceptionCode);
    return ExceptionContinueSearch;
}

DECLSPEC_NORETURN void BaseProcessStartup(void)
{
    PTEB Teb = NtCurrentTeb();
    PPEB Peb = Teb->ProcessEnvironmentBlock;
    EXCEPTION_REGISTRATION_RECORD Frame;

    Frame.Next = Teb->NtTib.ExceptionList;
    if (Frame.Next == NULL)
        Frame.Next = EXCEPTION_CHAIN_END;
    Frame.Handler = BasepTopLevelHandler;
    Teb->NtTib.ExceptionList = &Frame;
    BasepRegisterThread(Teb);

    BasepCreateProcessHeap();           /* every process starts with one (seed 004) */
    int argc = CrtpBuildArgv(Peb ? Peb->ImageName : NULL, Peb ? Peb->CommandLine : NULL);
    for (CRTP_INIT *Init = __init_array_start; Init < __init_array_end; Init++)
        (*Init)();
    ExitProcess((UINT)main(argc, CrtpArgv));
}
