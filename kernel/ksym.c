/*
 * ksym.c - address to symbol, for stack traces.
 *
 * The table is generated from the kernel image itself at build time
 * (tools/gensyms.sh, linked in by the Makefile's second pass): every text
 * symbol with its address, sorted.
 */
#include "ki.h"

typedef struct _KSYMBOL {
    ULONG Address;
    PCSTR Name;
} KSYMBOL;
extern const KSYMBOL KiSymbols[];
extern const ULONG KiSymbolCount;

PCSTR KiLookupSymbol(ULONG Address, ULONG *Offset)
{
    *Offset = 0;
    if (Address < (ULONG)__text_start || Address >= (ULONG)__text_end || KiSymbolCount == 0)
        return NULL;
    ULONG lo = 0, hi = KiSymbolCount;  /* find the last symbol <= Address */
    while (hi - lo > 1) {
        ULONG mid = lo + (hi - lo) / 2;
        if (KiSymbols[mid].Address <= Address)
            lo = mid;
        else
            hi = mid;
    }
    if (KiSymbols[lo].Address > Address)
        return NULL;
    *Offset = Address - KiSymbols[lo].Address;
    return KiSymbols[lo].Name;
}
