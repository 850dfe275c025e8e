/*
 * ntddk.h - the NT kernel API this kernel offers, for its own code and for
 * tests compiled in with EXTRA_KTESTS: the base types, lists, the Rtl
 * memory functions, IRQL, bugchecks and the memory manager's calls. Grows
 * with each component.
 */
#ifndef NTDDK_H
#define NTDDK_H

#include "ntdef.h"
#include "list.h"
#include "rtl.h"
#include "kstring.h"
#include "ke.h"
#include "mm.h"
#include "pool.h"
#include "mdl.h"

#endif /* NTDDK_H */
