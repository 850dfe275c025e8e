// app_tls.c - thread local storage: TlsAlloc / TlsFree / TlsGetValue /
// TlsSetValue as Windows defines them: a value per thread; TlsGetValue sets
// the last error to ERROR_SUCCESS so a stored NULL reads as success; an
// index out of range is ERROR_INVALID_PARAMETER; TlsFree clears the slot in
// every thread (a reallocated index reads back 0 everywhere); this runtime
// has TLS_MINIMUM_AVAILABLE (64) slots, so the 65th TlsAlloc is
// TLS_OUT_OF_INDEXES (Windows adds 1,024 expansion slots).
#include <windows.h>
#include <stdio.h>
#include "apptest.h"

#define THREADS 3

static DWORD Index;
static volatile LONG Phase;         /* 0 set values, 1 main freed and reallocated, 2 done */
static volatile LONG Arrived;
static volatile LONG Result[THREADS];

static void WaitPhase(LONG p)
{
    while (Phase < p)
        Sleep(1);
}

static DWORD WINAPI TlsWorker(LPVOID Parameter)
{
    int n = (int)(INT_PTR)Parameter;
    LPVOID mine = (LPVOID)(INT_PTR)(0x1000 + n);
    TlsSetValue(Index, mine);
    for (int i = 0; i < 5; i++)
        Sleep(0);
    int ok = TlsGetValue(Index) == mine;
    __atomic_add_fetch(&Arrived, 1, __ATOMIC_SEQ_CST);
    WaitPhase(1);
    /* Main freed Index and allocated it again: the slot reads 0 here too. */
    SetLastError(123);
    LPVOID after = TlsGetValue(Index);
    Result[n] = ok ? (after == NULL && GetLastError() == ERROR_SUCCESS ? 1 : 2) : 3;
    return 0;
}

static void TestPerThreadValuesAndFree(void)
{
    Index = TlsAlloc();
    Check(Index != TLS_OUT_OF_INDEXES, "tls/alloc", "out of indexes");
    TlsSetValue(Index, (LPVOID)0x77);
    HANDLE h[THREADS];
    for (int i = 0; i < THREADS; i++)
        h[i] = CreateThread(NULL, 16384, TlsWorker, (LPVOID)(INT_PTR)i, 0, NULL);
    while (Arrived < THREADS)
        Sleep(1);
    Check(TlsGetValue(Index) == (LPVOID)0x77, "tls/value_per_thread_main",
          R("main reads %p", TlsGetValue(Index)));
    Check(TlsFree(Index), "tls/free", "failed");
    DWORD again = TlsAlloc();
    Check(again == Index, "tls/lowest_index_reused", R("%lu then %lu", (unsigned long)Index,
          (unsigned long)again));
    Check(TlsGetValue(again) == NULL, "tls/freed_slot_zero_in_main", "not zero");
    Phase = 1;
    for (int i = 0; i < THREADS; i++) {
        WaitForSingleObject(h[i], INFINITE);
        CloseHandle(h[i]);
        Check(Result[i] == 1, "tls/value_per_thread_and_freed_slot_zero",
              R("thread %d: %ld (2: slot not cleared, 3: value not its own)", i,
                (long)Result[i]));
    }
    TlsFree(again);
}

static void TestErrors(void)
{
    DWORD i = TlsAlloc();
    SetLastError(123);
    Check(TlsGetValue(i) == NULL && GetLastError() == ERROR_SUCCESS,
          "tls/get_sets_error_success", R("error %lu", (unsigned long)GetLastError()));
    TlsFree(i);
    SetLastError(0);
    Check(TlsGetValue(TLS_MINIMUM_AVAILABLE + 1000) == NULL &&
          GetLastError() == ERROR_INVALID_PARAMETER, "tls/get_bad_index",
          R("error %lu", (unsigned long)GetLastError()));
    SetLastError(0);
    Check(!TlsSetValue(TLS_MINIMUM_AVAILABLE + 1000, (LPVOID)1) &&
          GetLastError() == ERROR_INVALID_PARAMETER, "tls/set_bad_index",
          R("error %lu", (unsigned long)GetLastError()));
    SetLastError(0);
    Check(!TlsFree(TLS_MINIMUM_AVAILABLE + 1000) && GetLastError() == ERROR_INVALID_PARAMETER,
          "tls/free_bad_index", R("error %lu", (unsigned long)GetLastError()));
}

static void TestExhaustion(void)
{
    static DWORD got[TLS_MINIMUM_AVAILABLE + 1];
    int n = 0;
    DWORD i;
    while (n <= TLS_MINIMUM_AVAILABLE && (i = TlsAlloc()) != TLS_OUT_OF_INDEXES)
        got[n++] = i;
    Check(n == TLS_MINIMUM_AVAILABLE, "tls/exhausted_at_64_slots",
          R("%d indexes before TLS_OUT_OF_INDEXES", n));
    int freed = 0;
    for (int k = 0; k < n; k++)
        freed += TlsFree(got[k]) ? 1 : 0;
    Check(freed == n && TlsAlloc() == got[0], "tls/all_free_again", R("freed %d of %d", freed, n));
    TlsFree(got[0]);
}

int main(void)
{
    TestPerThreadValuesAndFree();
    TestErrors();
    TestExhaustion();
    Check(Failures == 0, "app_tls", "some checks failed");
    return 0;
}
