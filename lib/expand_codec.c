/*
 * NAME
 *   expand_codec.c - encoding operators: base64, base62, base32, hex,
 *   escapes, UTF-8, RFC 2047, header wrapping
 *
 * SYNOPSIS
 *   ${base64:..} ${base64d:..} ${base62:n} ${base62d:..} ${base32:n}
 *   ${base32d:..} ${hex2b64:..} ${hexquote:..} ${escape:..}
 *   ${escape8bit:..} ${utf8clean:..} ${from_utf8:..} ${rfc2047:..}
 *   ${rfc2047d:..} ${headerwrap_COLS_LIMIT:..}
 *
 * DESCRIPTION
 *   base62 is Exim's message-id alphabet (digits, upper, lower), six
 *   digits of the value modulo 62^6; base32 uses a-z2-7 and writes
 *   nothing for zero.  base64d ignores white space and wants padding.
 *
 *   ${rfc2047} leaves a string alone unless it holds a byte outside
 *   32..126 or one of ?=()<>@,;:\".[]_, and then writes Q-encoded words
 *   of at most 68 encoded characters in headers_charset, never splitting
 *   a UTF-8 character.  ${rfc2047d} decodes Q and B words (dropping
 *   white space between adjacent ones), converts them to headers_charset
 *   with iconv, and turns NUL bytes into `?`; a word it cannot decode is
 *   kept as written, and an unknown character set is an error.
 *
 *   ${headerwrap} is Exim 4.97's operator (not in 4.96): wrap before
 *   column COLS (default 80) at white space, which is removed, with a
 *   newline and a tab counted as 8 columns, and truncate at LIMIT bytes
 *   (default 998).
 *
 * DIAGNOSTICS
 *   Malformed input for the decoders is an expansion error, as in Exim.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "expand_int.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static void base64_enc(struct xs s, struct xb *out)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0;
    for (; i + 2 < s.len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        char q[4] = { b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63],
                      b64[v & 63] };
        xb_add(out, q, 4);
    }
    if (i < s.len) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < s.len)
            v |= (unsigned)p[i + 1] << 8;
        char q[4] = { b64[v >> 18], b64[(v >> 12) & 63],
                      i + 1 < s.len ? b64[(v >> 6) & 63] : '=', '=' };
        xb_add(out, q, 4);
    }
}

/* 0 ok, -1 malformed. */
static int base64_dec(struct xs s, struct xb *out)
{
    unsigned v = 0, n = 0, pad = 0;
    for (size_t i = 0; i < s.len; i++) {
        int c = (unsigned char)s.p[i];
        if (x_space(c))
            continue;
        if (c == '=') {
            pad++;
            v <<= 6;
            n++;
        } else {
            const char *q = c ? strchr(b64, c) : NULL;
            if (!q || pad)
                return -1;
            v = v << 6 | (unsigned)(q - b64);
            n++;
        }
        if (n == 4) {
            if (pad > 2)
                return -1;
            char bytes[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
            xb_add(out, bytes, 3 - pad);
            if (pad)
                n = 99;     /* nothing may follow the padding */
            else
                n = v = 0;
        } else if (n > 4) {
            return -1;
        }
    }
    return n == 0 || n == 99 ? 0 : -1;
}

static int digits_value(struct xs s, const char *alpha, unsigned base,
                        int skip_space, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t i = 0;
    if (skip_space)
        while (i < s.len && x_space((unsigned char)s.p[i]))
            i++;
    for (; i < s.len; i++) {
        const char *q = s.p[i] ? strchr(alpha, s.p[i]) : NULL;
        if (!q || (unsigned)(q - alpha) >= base)
            return -1;
        unsigned d = (unsigned)(q - alpha);
        if (base == 10 && v > (~0ULL - d) / 10)
            v = ~0ULL;      /* strtoull saturates */
        else
            v = v * base + d;
    }
    *out = v;
    return 0;
}

static void escape(struct xs s, int eightbit, struct xb *out)
{
    for (size_t i = 0; i < s.len; i++) {
        int c = (unsigned char)s.p[i];
        if (eightbit) {
            if (c >= 0x7f || c == '\\')
                xb_addf(out, "\\%03o", c);
            else
                xb_addc(out, (char)c);
            continue;
        }
        if ((c >= 32 && c < 127) || c == '\t') {
            xb_addc(out, (char)c);
            continue;
        }
        const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" :
                        c == '\b' ? "\\b" : c == '\f' ? "\\f" :
                        c == '\v' ? "\\v" : NULL;
        if (e)
            xb_adds(out, e);
        else
            xb_addf(out, "\\%03o", c);
    }
}

static void utf8clean(struct xs s, int to_latin1, struct xb *out)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0;
    while (i < s.len) {
        unsigned c = p[i], need, cp;
        if (c < 0x80) {
            xb_addc(out, (char)c);
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
        else {
            xb_addc(out, to_latin1 ? '_' : '?');
            i++;
            continue;
        }
        unsigned got = 0;
        while (got < need && i + 1 + got < s.len &&
               (p[i + 1 + got] & 0xc0) == 0x80) {
            cp = cp << 6 | (p[i + 1 + got] & 0x3f);
            got++;
        }
        int bad = got < need || (need == 2 && cp < 0x800) ||
                  (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                  (cp >= 0xd800 && cp <= 0xdfff);
        if (to_latin1)
            xb_addc(out, bad || cp > 0xff ? '_' : (char)cp);
        else if (bad)
            xb_addc(out, '?');
        else
            xb_add(out, s.p + i, need + 1);
        i += 1 + got;
    }
}

/* ---- RFC 2047 ---- */

static const char *charset(const struct ev *v)
{
    return v->env->headers_charset ? v->env->headers_charset : "UTF-8";
}

static void rfc2047_enc(struct ev *v, struct xs s, struct xb *out)
{
    static const char specials[] = "?=()<>@,;:\\\".[]_";
    int coded = 0;
    for (size_t i = 0; i < s.len && !coded; i++) {
        int c = (unsigned char)s.p[i];
        coded = c < 32 || c > 126 || (c && strchr(specials, c));
    }
    if (!coded) {
        xb_add(out, s.p, s.len);
        return;
    }
    const char *cs = charset(v);
    size_t word = 0;
    xb_addf(out, "=?%s?Q?", cs);
    for (size_t i = 0; i < s.len; i++) {
        int c = (unsigned char)s.p[i];
        if (word > 67 && (c & 0xc0) != 0x80) {
            xb_addf(out, "?= =?%s?Q?", cs);
            word = 0;
        }
        if (c == ' ') {
            xb_addc(out, '_');
            word++;
        } else if (c < 33 || c > 126 || strchr(specials, c)) {
            xb_addf(out, "=%02X", (unsigned)c);
            word += 3;
        } else {
            xb_addc(out, (char)c);
            word++;
        }
    }
    xb_adds(out, "?=");
}

/* Convert with iconv; 0 on success, -1 on bad input, -2 when the
 * character set is unknown. */
static int convert(struct ev *v, const char *from, struct xs in,
                   struct xb *out)
{
    const char *to = charset(v);
    if (strcasecmp(from, to) == 0) {
        xb_add(out, in.p, in.len);
        return 0;
    }
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return -2;
    char *ip = (char *)in.p, buf[1024];
    size_t il = in.len;
    int rc = 0;
    while (il > 0) {
        char *op = buf;
        size_t ol = sizeof buf;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        xb_add(out, buf, sizeof buf - ol);
        if (r == (size_t)-1 && errno != E2BIG) {
            rc = -1;
            break;
        }
    }
    iconv_close(cd);
    return rc;
}

/* Decode one encoded word at p; its end in *endp. 0 ok, -1 not a word. */
static int word_2047(struct ev *v, const char *p, const char *e,
                     const char **endp, struct xb *out, const char **badcs)
{
    if (e - p < 8 || p[0] != '=' || p[1] != '?')
        return -1;
    const char *cs = p + 2, *q = memchr(cs, '?', (size_t)(e - cs));
    if (!q || q == cs || q + 3 > e || q[2] != '?')
        return -1;
    int enc = x_lower((unsigned char)q[1]);
    if (enc != 'q' && enc != 'b')
        return -1;
    const char *t = q + 3, *te = t;
    while (te + 1 < e && !(te[0] == '?' && te[1] == '='))
        te++;
    if (te + 1 >= e || te - p + 2 > 75)
        return -1;
    struct xb raw;
    ev_xb(v, &raw);
    if (enc == 'b') {
        if (base64_dec(xs_make(t, (size_t)(te - t)), &raw) < 0)
            return -1;
    } else {
        for (const char *c = t; c < te; c++) {
            int h1, h2;
            if (*c == '_') {
                xb_addc(&raw, ' ');
            } else if (*c == '=' && c + 2 < te &&
                       (h1 = x_digit(c[1]) ? c[1] - '0' :
                             (x_lower(c[1]) >= 'a' && x_lower(c[1]) <= 'f')
                                 ? x_lower(c[1]) - 'a' + 10 : -1) >= 0 &&
                       (h2 = x_digit(c[2]) ? c[2] - '0' :
                             (x_lower(c[2]) >= 'a' && x_lower(c[2]) <= 'f')
                                 ? x_lower(c[2]) - 'a' + 10 : -1) >= 0) {
                xb_addc(&raw, (char)(h1 * 16 + h2));
                c += 2;
            } else if (*c == '=') {
                return -1;      /* a bad escape: not a word after all */
            } else {
                xb_addc(&raw, *c);
            }
        }
    }
    char *csname = tern_strndup(v->a, cs, (size_t)(q - cs));
    struct xs r = xb_str(&raw);
    struct xb conv;
    ev_xb(v, &conv);
    int cr = convert(v, csname, r, &conv);
    if (cr == -2) {
        *badcs = csname;
        return -1;
    }
    if (cr == 0)
        r = xb_str(&conv);
    for (size_t i = 0; i < r.len; i++)
        xb_addc(out, r.p[i] ? r.p[i] : '?');
    *endp = te + 2;
    return 0;
}

static int rfc2047_dec(struct ev *v, uint32_t node, struct xs s,
                       struct xb *out)
{
    const char *badcs = NULL;
    const char *p = s.p, *e = s.p + s.len;
    int last_was_word = 0;
    while (p < e) {
        const char *ws = p;
        while (p < e && x_space((unsigned char)*p))
            p++;
        const char *end;
        struct xb w;
        ev_xb(v, &w);
        if (p < e && word_2047(v, p, e, &end, &w, &badcs) == 0) {
            if (!last_was_word)
                xb_add(out, ws, (size_t)(p - ws));
            struct xs d = xb_str(&w);
            xb_add(out, d.p, d.len);
            p = end;
            last_was_word = 1;
            continue;
        }
        if (badcs)
            return ev_fail(v, TERN_EXP_ERROR, node, "cannot convert from "
                           "character set \"%s\"", badcs);
        xb_add(out, ws, (size_t)(p - ws));
        if (p < e)
            xb_addc(out, *p++);
        while (p < e && !x_space((unsigned char)*p) &&
               !(p[0] == '=' && p + 1 < e && p[1] == '?'))
            xb_addc(out, *p++);
        last_was_word = 0;
    }
    return 0;
}

static void headerwrap(struct xs s, long long cols, long long limit,
                       struct xb *out)
{
    size_t start = out->len;
    long long col = 0;
    const char *p = s.p, *e = s.p + s.len;
    while (p < e) {
        const char *ws = p;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        const char *w = p;
        while (p < e && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        long long wl = p - w;
        if (col > 0 && w > ws && col + (w - ws) + wl > cols) {
            xb_adds(out, "\n\t");
            col = 8;
        } else {
            xb_add(out, ws, (size_t)(w - ws));
            col += w - ws;
        }
        xb_add(out, w, (size_t)wl);
        col += wl;
        if (p < e && *p == '\n') {
            xb_addc(out, *p++);
            col = 0;
        }
    }
    if (limit >= 0 && out->len - start > (size_t)limit) {
        out->len = start + (size_t)limit;
        if (out->p)
            out->p[out->len] = '\0';
    }
}

int exp_op_codec(struct ev *v, uint32_t node, unsigned op, struct xs s,
                 struct xb *out)
{
    unsigned long long n;
    const struct tern_exp_node *nd = ev_node(v, node);
    switch (op) {
    case OP_BASE64:
        base64_enc(s, out);
        return 0;
    case OP_BASE64D:
        if (base64_dec(s, out) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "string \"%s\" is not "
                           "well-formed for \"base64d\" operator", s.p);
        return 0;
    case OP_BASE62:
        if (digits_value(s, b62, 10, 1, &n) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "argument for base62 "
                           "operator is \"%s\", which is not a decimal "
                           "number", s.p);
        {
            char d[7];
            for (int k = 5; k >= 0; k--, n /= 62)
                d[k] = b62[n % 62];
            xb_add(out, d, 6);
        }
        return 0;
    case OP_BASE62D:
        if (digits_value(s, b62, 62, 0, &n) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "argument for base62d "
                           "operator is \"%s\", which is not a base 62 "
                           "number", s.p);
        xb_addf(out, "%llu", n);
        return 0;
    case OP_BASE32:
        if (digits_value(s, b62, 10, 0, &n) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "argument for base32 "
                           "operator is \"%s\", which is not a decimal "
                           "number", s.p);
        {
            char d[16];
            int k = 16;
            for (; n; n /= 32)
                d[--k] = b32[n % 32];
            xb_add(out, d + k, (size_t)(16 - k));
        }
        return 0;
    case OP_BASE32D:
        if (digits_value(s, b32, 32, 0, &n) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "argument for base32d "
                           "operator is \"%s\", which is not a base 32 "
                           "number", s.p);
        xb_addf(out, "%llu", n);
        return 0;
    case OP_HEX2B64: {
        if (s.len % 2)
            return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" contains an odd "
                           "number of characters", s.p);
        struct xb bin;
        ev_xb(v, &bin);
        for (size_t i = 0; i < s.len; i += 2) {
            unsigned long long b;
            if (digits_value(xs_make(s.p + i, 2), "0123456789abcdef", 16, 0,
                             &b) < 0 &&
                digits_value(xs_make(s.p + i, 2), "0123456789ABCDEF", 16, 0,
                             &b) < 0)
                return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not a hex "
                               "string", s.p);
            xb_addc(&bin, (char)b);
        }
        base64_enc(xb_str(&bin), out);
        return 0;
    }
    case OP_HEXQUOTE:
        for (size_t i = 0; i < s.len; i++) {
            int c = (unsigned char)s.p[i];
            if (c >= 33 && c <= 126)
                xb_addc(out, (char)c);
            else
                xb_addf(out, "\\x%02x", (unsigned)c);
        }
        return 0;
    case OP_ESCAPE:
    case OP_ESCAPE8BIT:
        escape(s, op == OP_ESCAPE8BIT, out);
        return 0;
    case OP_UTF8CLEAN:
    case OP_FROM_UTF8:
        utf8clean(s, op == OP_FROM_UTF8, out);
        return 0;
    case OP_RFC2047:
        rfc2047_enc(v, s, out);
        return 0;
    case OP_RFC2047D:
        return rfc2047_dec(v, node, s, out);
    default:
        headerwrap(s, (nd->flags & NF_P1) ? (int32_t)nd->c : 80,
                   (nd->flags & NF_P2) ? (int32_t)nd->d : 998, out);
        return 0;
    }
}
