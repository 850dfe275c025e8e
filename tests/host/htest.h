/*
 * htest.h - the host unit-test harness: HTEST(suite, name) registers a test,
 * HT_ASSERT / HT_EQ check, and main() (in htest.c) runs them all, printing
 * the same PASS/FAIL lines as the kernel's ktest.h so the runner counts both.
 * Each tests/host/test_*.c is linked with lib/ and any pure sources it names.
 */
#ifndef HTEST_H
#define HTEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdint.h>

struct htest {
    const char *suite, *name;
    void (*fn)(void);
};

void htest_register(const struct htest *t);
void htest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern int htest_failed_now;

#define HTEST(suite, name)                                                  \
    static void htest_##suite##_##name(void);                               \
    static const struct htest htest_desc_##suite##_##name =                 \
        { #suite, #name, htest_##suite##_##name };                          \
    __attribute__((constructor)) static void htest_reg_##suite##_##name(void) \
        { htest_register(&htest_desc_##suite##_##name); }                   \
    static void htest_##suite##_##name(void)

#define HT_ASSERT(cond) do { if (!(cond)) {                                 \
        htest_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);      \
        return; } } while (0)

#define HT_EQ(a, b) do {                                                    \
        unsigned long long ht_a_ = (unsigned long long)(a);                 \
        unsigned long long ht_b_ = (unsigned long long)(b);                 \
        if (ht_a_ != ht_b_) {                                               \
            htest_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx",    \
                       #a, #b, ht_a_, ht_b_);                               \
            return; } } while (0)

/*
 * HT_EXPECT_BUGCHECK(code, stmt): stmt must call KeBugCheckEx with exactly
 * that code (host_support.c catches it); the parameters are then in
 * htest_bugcheck_params. Locals changed by stmt must be volatile.
 */
extern jmp_buf *htest_bugcheck_jump;
extern unsigned int htest_bugcheck_code;
extern uintptr_t htest_bugcheck_params[4];

#define HT_EXPECT_BUGCHECK(code, stmt) do {                                 \
        jmp_buf ht_j_;                                                      \
        if (setjmp(ht_j_) == 0) {                                           \
            htest_bugcheck_jump = &ht_j_;                                   \
            stmt;                                                           \
            htest_bugcheck_jump = NULL;                                     \
            htest_fail(__FILE__, __LINE__, "expected bugcheck 0x%X, none raised", \
                       (unsigned)(code));                                   \
            return;                                                         \
        }                                                                   \
        if (htest_bugcheck_code != (unsigned)(code)) {                      \
            htest_fail(__FILE__, __LINE__, "expected bugcheck 0x%X, got 0x%X", \
                       (unsigned)(code), htest_bugcheck_code);              \
            return;                                                         \
        } } while (0)

#endif /* HTEST_H */
