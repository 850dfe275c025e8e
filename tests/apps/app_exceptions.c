// app_exceptions.c - user-mode exceptions as Windows delivers them: vectored
// handlers that repair a fault and continue, RaiseException with parameters,
// handler order, removal, and the unhandled-exception filter continuing.
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "apptest.h"

/* ---- a vectored handler fixes an access violation through the CONTEXT ---- */

static volatile LONG Target;
static EXCEPTION_RECORD SeenRecord;
static int FixCalls;

/* The faulting write goes through ECX, so the handler knows what to repair. */
static void WriteThroughEcx(volatile LONG *Pointer, LONG Value)
{
    /* "+c": the handler changes ECX, so the compiler must not trust it after. */
    __asm__ volatile("movl %1, (%0)" : "+c"(Pointer) : "r"(Value) : "memory");
}

static LONG WINAPI FixAccessViolation(EXCEPTION_POINTERS *Info)
{
    if (Info->ExceptionRecord->ExceptionCode != EXCEPTION_ACCESS_VIOLATION)
        return EXCEPTION_CONTINUE_SEARCH;
    FixCalls++;
    SeenRecord = *Info->ExceptionRecord;
    /* Point ECX at a real variable; the write runs again on continue. */
    Info->ContextRecord->Ecx = (DWORD)(ULONG_PTR)&Target;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void TestFixAccessViolation(void)
{
    char reason[160];
    PVOID Handle = AddVectoredExceptionHandler(1, FixAccessViolation);
    Check(Handle != NULL, "exceptions_add_vectored_handler", "returned NULL");

    static volatile ULONG_PTR BadAddress = 0x10;   /* in the unmapped first page */
    WriteThroughEcx((volatile LONG *)BadAddress, 0x1234);

    snprintf(reason, sizeof(reason), "calls %d target 0x%lx", FixCalls, (unsigned long)Target);
    Check(FixCalls == 1 && Target == 0x1234, "exceptions_vectored_handler_fixes_fault_and_continues",
          reason);
    /* Windows: ExceptionInformation[0] = 1 for a write, [1] = the address. */
    snprintf(reason, sizeof(reason), "n %lu info0 %lu info1 0x%lx",
             (unsigned long)SeenRecord.NumberParameters,
             (unsigned long)SeenRecord.ExceptionInformation[0],
             (unsigned long)SeenRecord.ExceptionInformation[1]);
    Check(SeenRecord.NumberParameters == 2 && SeenRecord.ExceptionInformation[0] == 1 &&
          SeenRecord.ExceptionInformation[1] == 0x10,
          "exceptions_access_violation_record_says_write_and_address", reason);
    Check(RemoveVectoredExceptionHandler(Handle) != 0, "exceptions_remove_vectored_handler",
          "returned 0");
}

/* ---- a vectored handler repairs a division by zero ---- */

static LONG WINAPI FixDivide(EXCEPTION_POINTERS *Info)
{
    if (Info->ExceptionRecord->ExceptionCode != EXCEPTION_INT_DIVIDE_BY_ZERO)
        return EXCEPTION_CONTINUE_SEARCH;
    Info->ContextRecord->Ecx = 7;       /* the divisor: the div runs again */
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void TestFixDivide(void)
{
    PVOID Handle = AddVectoredExceptionHandler(0, FixDivide);
    unsigned Quotient = 49, Remainder = 0, Divisor = 0;
    /* The handler sets ECX to 7 and the divl runs again. */
    __asm__ volatile("divl %%ecx" : "+a"(Quotient), "+d"(Remainder), "+c"(Divisor) : : "cc");
    char reason[64];
    snprintf(reason, sizeof(reason), "quotient %u", Quotient);
    Check(Quotient == 7, "exceptions_divide_by_zero_fixed_by_handler", reason);
    RemoveVectoredExceptionHandler(Handle);
}

/* ---- RaiseException with parameters ---- */

#define APP_EXCEPTION_CODE 0xE0424242

static EXCEPTION_RECORD Raised;
static int RaisedCalls;

static LONG WINAPI CatchRaised(EXCEPTION_POINTERS *Info)
{
    if ((DWORD)Info->ExceptionRecord->ExceptionCode != APP_EXCEPTION_CODE)
        return EXCEPTION_CONTINUE_SEARCH;
    RaisedCalls++;
    Raised = *Info->ExceptionRecord;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void TestRaiseException(void)
{
    char reason[160];
    PVOID Handle = AddVectoredExceptionHandler(1, CatchRaised);
    ULONG_PTR Arguments[3] = { 1, 0x22, 0xDEADBEEF };
    RaiseException(APP_EXCEPTION_CODE, 0, 3, Arguments);
    snprintf(reason, sizeof(reason), "calls %d code 0x%lx flags %lu n %lu [%lx %lx %lx]",
             RaisedCalls, (unsigned long)Raised.ExceptionCode,
             (unsigned long)Raised.ExceptionFlags, (unsigned long)Raised.NumberParameters,
             (unsigned long)Raised.ExceptionInformation[0],
             (unsigned long)Raised.ExceptionInformation[1],
             (unsigned long)Raised.ExceptionInformation[2]);
    Check(RaisedCalls == 1 && (DWORD)Raised.ExceptionCode == APP_EXCEPTION_CODE &&
          Raised.ExceptionFlags == 0 && Raised.NumberParameters == 3 &&
          Raised.ExceptionInformation[0] == 1 && Raised.ExceptionInformation[1] == 0x22 &&
          Raised.ExceptionInformation[2] == 0xDEADBEEF,
          "exceptions_raise_exception_parameters_reach_handler", reason);
    Check(Raised.ExceptionAddress != NULL, "exceptions_raise_exception_has_address",
          "ExceptionAddress NULL");

    /* Windows keeps at most EXCEPTION_MAXIMUM_PARAMETERS (15). */
    ULONG_PTR Many[20];
    for (int i = 0; i < 20; i++)
        Many[i] = (ULONG_PTR)i;
    RaiseException(APP_EXCEPTION_CODE, 0, 20, Many);
    snprintf(reason, sizeof(reason), "n %lu", (unsigned long)Raised.NumberParameters);
    Check(Raised.NumberParameters == EXCEPTION_MAXIMUM_PARAMETERS &&
          Raised.ExceptionInformation[14] == 14,
          "exceptions_raise_exception_caps_parameters_at_15", reason);
    RemoveVectoredExceptionHandler(Handle);
}

/* ---- handler order: FirstHandler nonzero goes to the head ---- */

static char Order[8];
static int OrderLength;

static LONG WINAPI HandlerA(EXCEPTION_POINTERS *Info)
{
    Order[OrderLength++] = 'A';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI HandlerB(EXCEPTION_POINTERS *Info)
{
    Order[OrderLength++] = 'B';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI HandlerC(EXCEPTION_POINTERS *Info)
{
    Order[OrderLength++] = 'C';
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void TestHandlerOrder(void)
{
    PVOID C = AddVectoredExceptionHandler(0, HandlerC);
    PVOID A = AddVectoredExceptionHandler(1, HandlerA);
    PVOID B = AddVectoredExceptionHandler(1, HandlerB);
    RaiseException(APP_EXCEPTION_CODE, 0, 0, NULL);
    Order[OrderLength] = 0;
    Check(strcmp(Order, "BAC") == 0, "exceptions_vectored_first_handler_runs_first", Order);

    /* A removed handler is not called; removing it twice fails. */
    Check(RemoveVectoredExceptionHandler(A) != 0, "exceptions_remove_returns_nonzero", "0");
    Check(RemoveVectoredExceptionHandler(A) == 0, "exceptions_remove_twice_returns_zero",
          "nonzero");
    OrderLength = 0;
    RaiseException(APP_EXCEPTION_CODE, 0, 0, NULL);
    Order[OrderLength] = 0;
    Check(strcmp(Order, "BC") == 0, "exceptions_removed_handler_not_called", Order);
    RemoveVectoredExceptionHandler(B);
    RemoveVectoredExceptionHandler(C);
}

/* ---- the unhandled-exception filter can continue execution ---- */

static int FilterCalls;

static LONG WINAPI ContinueFilter(EXCEPTION_POINTERS *Info)
{
    FilterCalls++;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void TestUnhandledFilter(void)
{
    LPTOP_LEVEL_EXCEPTION_FILTER Previous = SetUnhandledExceptionFilter(ContinueFilter);
    RaiseException(APP_EXCEPTION_CODE, 0, 0, NULL);
    Check(FilterCalls == 1, "exceptions_unhandled_filter_continues_execution",
          "filter not called once");
    LPTOP_LEVEL_EXCEPTION_FILTER Mine = SetUnhandledExceptionFilter(Previous);
    Check(Mine == ContinueFilter, "exceptions_set_filter_returns_previous", "wrong previous");
}

static void TestLastError(void)
{
    SetLastError(ERROR_INVALID_PARAMETER);
    Check(GetLastError() == ERROR_INVALID_PARAMETER, "exceptions_last_error_round_trip",
          "GetLastError differs");
    SetLastError(0);
}

int main(void)
{
    TestFixAccessViolation();
    TestFixDivide();
    TestRaiseException();
    TestHandlerOrder();
    TestUnhandledFilter();
    TestLastError();
    return Failures ? 1 : 0;
}
