/*
 * format.c - the printf engine (see format.h).
 *
 * One pass over the format: parse a conversion spec, turn the value into
 * digits in a small buffer, then emit padding, sign, prefix, zeros, digits.
 * No floating point: the kernel is built without it.
 */
#include "format.h"
#include "kstring.h"

enum {
    FMT_LEFT = 1, FMT_ZERO = 2, FMT_PLUS = 4, FMT_SPACE = 8, FMT_ALT = 16,
};

struct RtlpFmtState {
    PRTL_FORMAT_SINK Sink;
    void *Context;
    int Count;
};

static void RtlpPut(struct RtlpFmtState *S, char c)
{
    S->Sink(c, S->Context);
    S->Count++;
}

static void RtlpPutRepeat(struct RtlpFmtState *S, char c, int n)
{
    while (n-- > 0)
        RtlpPut(S, c);
}

/* Emits one integer conversion: value already made non-negative in Mag. */
static void RtlpPutInteger(struct RtlpFmtState *S, ULONGLONG Mag, BOOLEAN Negative,
                           unsigned Base, BOOLEAN Upper, int Flags, int Width,
                           int Precision, BOOLEAN IsPointer)
{
    const char *digits = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;
    const char *prefix = "";
    char sign = 0;

    while (Mag) {
        buf[len++] = digits[Mag % Base];
        Mag /= Base;
    }
    if (Precision < 0 && len == 0)
        buf[len++] = '0';
    if (Negative)
        sign = '-';
    else if (Flags & FMT_PLUS)
        sign = '+';
    else if (Flags & FMT_SPACE)
        sign = ' ';
    if ((Flags & FMT_ALT) && Base == 16 && (len > 1 || buf[0] != '0'))
        prefix = Upper ? "0X" : "0x";
    if ((Flags & FMT_ALT) && Base == 8 && buf[len - 1] != '0')
        prefix = "0";
    (void)IsPointer;

    int zeros = Precision > len ? Precision - len : 0;
    int body = len + zeros + (sign ? 1 : 0) + (int)KLIB(strlen)(prefix);
    int pad = Width > body ? Width - body : 0;

    if ((Flags & FMT_ZERO) && !(Flags & FMT_LEFT) && Precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(Flags & FMT_LEFT))
        RtlpPutRepeat(S, ' ', pad);
    if (sign)
        RtlpPut(S, sign);
    for (; *prefix; prefix++)
        RtlpPut(S, *prefix);
    RtlpPutRepeat(S, '0', zeros);
    while (len)
        RtlpPut(S, buf[--len]);
    if (Flags & FMT_LEFT)
        RtlpPutRepeat(S, ' ', pad);
}

int RtlFormatV(PRTL_FORMAT_SINK Sink, void *Context, const char *Format, va_list Args)
{
    struct RtlpFmtState S = { Sink, Context, 0 };
    va_list ap;
    va_copy(ap, Args);

    for (const char *p = Format; *p; p++) {
        if (*p != '%') {
            RtlpPut(&S, *p);
            continue;
        }
        const char *spec = p++;
        int flags = 0, width = 0, precision = -1, lng = 0;

        for (;; p++) {
            if (*p == '-') flags |= FMT_LEFT;
            else if (*p == '0') flags |= FMT_ZERO;
            else if (*p == '+') flags |= FMT_PLUS;
            else if (*p == ' ') flags |= FMT_SPACE;
            else if (*p == '#') flags |= FMT_ALT;
            else break;
        }
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= FMT_LEFT;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    precision = precision * 10 + (*p++ - '0');
            }
        }
        /* lng: 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
        if (*p == 'h') {
            lng = -1;
            if (*++p == 'h') { lng = -2; p++; }
        } else if (*p == 'l') {
            lng = 1;
            if (*++p == 'l') { lng = 2; p++; }
        } else if (*p == 'z') {
            lng = 3;
            p++;
        } else if (p[0] == 'I' && p[1] == '6' && p[2] == '4') {
            lng = 2;
            p += 3;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            LONGLONG v;
            if (lng == 2) v = va_arg(ap, long long);
            else if (lng == 1) v = va_arg(ap, long);
            else if (lng == 3) v = va_arg(ap, SSIZE_T);
            else v = va_arg(ap, int);
            if (lng == -1) v = (short)v;
            if (lng == -2) v = (signed char)v;
            ULONGLONG mag = v < 0 ? (ULONGLONG)0 - (ULONGLONG)v : (ULONGLONG)v;
            RtlpPutInteger(&S, mag, v < 0, 10, FALSE, flags, width, precision, FALSE);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            ULONGLONG v;
            if (lng == 2) v = va_arg(ap, unsigned long long);
            else if (lng == 1) v = va_arg(ap, unsigned long);
            else if (lng == 3) v = va_arg(ap, size_t);
            else v = va_arg(ap, unsigned int);
            if (lng == -1) v = (unsigned short)v;
            if (lng == -2) v = (unsigned char)v;
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            RtlpPutInteger(&S, v, FALSE, base, *p == 'X', flags, width, precision, FALSE);
            break;
        }
        case 'p': {
            /* As Windows prints pointers: fixed width, upper-case hex. */
            ULONG_PTR v = (ULONG_PTR)va_arg(ap, void *);
            RtlpPutInteger(&S, v, FALSE, 16, TRUE, flags | FMT_ZERO, width,
                           (int)(sizeof(void *) * 2), TRUE);
            break;
        }
        case 'c': {
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & FMT_LEFT))
                RtlpPutRepeat(&S, ' ', pad);
            RtlpPut(&S, (char)va_arg(ap, int));
            if (flags & FMT_LEFT)
                RtlpPutRepeat(&S, ' ', pad);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            int len = (int)(precision >= 0 ? KLIB(strnlen)(s, (size_t)precision)
                                           : KLIB(strlen)(s));
            int pad = width > len ? width - len : 0;
            if (!(flags & FMT_LEFT))
                RtlpPutRepeat(&S, ' ', pad);
            for (int i = 0; i < len; i++)
                RtlpPut(&S, s[i]);
            if (flags & FMT_LEFT)
                RtlpPutRepeat(&S, ' ', pad);
            break;
        }
        case '%':
            RtlpPut(&S, '%');
            break;
        default:
            /* Unknown conversion: print it verbatim so the mistake shows. */
            for (; spec <= p && *spec; spec++)
                RtlpPut(&S, *spec);
            if (!*p)
                p--;
            break;
        }
    }
    va_end(ap);
    return S.Count;
}

struct RtlpBufferSink {
    char *Buffer;
    size_t Size, Used;
};

static void RtlpBufferPut(char c, void *Context)
{
    struct RtlpBufferSink *B = Context;
    if (B->Used + 1 < B->Size)
        B->Buffer[B->Used] = c;
    B->Used++;
}

int RtlStringVPrintf(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    struct RtlpBufferSink B = { Buffer, Size, 0 };
    int n = RtlFormatV(RtlpBufferPut, &B, Format, Args);
    if (Size > 0)
        Buffer[B.Used < Size ? B.Used : Size - 1] = 0;
    return n;
}

int RtlStringPrintf(char *Buffer, size_t Size, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = RtlStringVPrintf(Buffer, Size, Format, ap);
    va_end(ap);
    return n;
}
