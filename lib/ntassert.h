/*
 * ntassert.h - ASSERT for code that runs in the kernel, in user mode and on
 * the host alike. A failed assertion calls RtlAssert, which each
 * environment provides: the kernel bugchecks ASSERTION_FAILURE, the host
 * test harness reports and aborts. Assertions stay on in every build: they
 * are cheap, and a teaching kernel should stop at the first broken rule.
 */
#ifndef NTASSERT_H
#define NTASSERT_H

#include "ntdef.h"

void RtlAssert(PCSTR Expression, PCSTR File, ULONG Line, PCSTR Message) __attribute__((noreturn));
#define ASSERT(e) ((e) ? (void)0 : RtlAssert(#e, __FILE__, __LINE__, NULL))
#define ASSERTMSG(msg, e) ((e) ? (void)0 : RtlAssert(#e, __FILE__, __LINE__, (msg)))
#define NT_ASSERT(e) ASSERT(e)

#endif /* NTASSERT_H */
