/*
 * NAME
 *   expand_str.c - strings with lengths, an arena string builder, and
 *   Exim list iteration for the expansion evaluator
 *
 * SYNOPSIS
 *   struct xb b;  xb_init(&b, arena, max);  xb_add(&b, p, n);
 *   struct xlist l;  xlist_start(&l, s, ':');
 *   while (xlist_next(&l, arena, &item)) ...
 *
 * DESCRIPTION
 *   Expansion results may be large and may contain any byte, so the
 *   evaluator carries (pointer, length) pairs and builds results in an
 *   arena-backed buffer that doubles as it grows; the old copies are
 *   dropped with the arena.  A builder refuses to grow past its `max`, or
 *   past what is left of the evaluation's allocation budget, and remembers
 *   that it overflowed, so a runaway ${map} cannot eat memory.
 *
 *   Lists follow Exim: colon by default, `<x` at the start (after blanks)
 *   changes the separator to any punctuation or control character x, a
 *   doubled printing separator stands for itself, items are trimmed, and
 *   an empty last item is ignored.
 *
 * DIAGNOSTICS
 *   None here: callers check `overflow`.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "expand_int.h"

void xb_init(struct xb *b, struct tern_arena *a, size_t max)
{
    b->a = a;
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->overflow = 0;
    b->budget = NULL;
}

/* Make room for n more bytes plus a NUL; 0 on success. */
static int xb_room(struct xb *b, size_t n)
{
    if (b->overflow)
        return -1;
    if (n > b->max || b->len > b->max - n) {
        b->overflow = 1;
        return -1;
    }
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (b->budget) {
        if (*b->budget < cap) {
            b->overflow = 1;
            return -1;
        }
        *b->budget -= cap;
    }
    char *np = tern_alloc(b->a, cap);
    if (b->len)
        memcpy(np, b->p, b->len);
    b->p = np;
    b->cap = cap;
    return 0;
}

void xb_add(struct xb *b, const char *p, size_t n)
{
    if (n == 0 || xb_room(b, n) < 0)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void xb_addc(struct xb *b, char c)
{
    xb_add(b, &c, 1);
}

void xb_adds(struct xb *b, const char *s)
{
    xb_add(b, s, strlen(s));
}

void xb_addf(struct xb *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        xb_add(b, small, (size_t)n);
        return;
    }
    char *big = tern_alloc(b->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    xb_add(b, big, (size_t)n);
}

struct xs xb_str(struct xb *b)
{
    if (!b->p) {
        b->p = tern_alloc(b->a, 1);
        b->cap = 1;
    }
    return xs_make(b->p, b->len);
}

struct xs xs_trim(struct xs s)
{
    while (s.len && x_space((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && x_space((unsigned char)s.p[s.len - 1]))
        s.len--;
    return s;
}

int xs_eq(struct xs s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

int xs_eqi(struct xs s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (x_lower((unsigned char)s.p[i]) != x_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

char *xs_dup(struct tern_arena *a, struct xs s)
{
    return tern_strndup(a, s.p ? s.p : "", s.len);
}

/* ---- lists ---- */

static int is_punct(int c)
{
    return c > 32 && c < 127 && !x_alnum(c);
}

static int is_cntrl(int c)
{
    return (c >= 0 && c < 32) || c == 127;
}

void xlist_start(struct xlist *l, struct xs s, int default_sep)
{
    const char *p = s.p, *end = s.p + s.len;

    l->sep = default_sep;
    /* The `<x` prefix may follow leading blanks. */
    const char *q = p;
    while (q < end && x_space((unsigned char)*q))
        q++;
    if (end - q >= 2 && q[0] == '<' &&
        (is_punct((unsigned char)q[1]) || is_cntrl((unsigned char)q[1]))) {
        l->sep = (unsigned char)q[1];
        p = q + 2;
    }
    if (end - q == 1 && q[0] == '<')
        p = end;                /* "<" then nothing: an empty list */
    l->p = p;
    l->end = end;
}

int xlist_next(struct xlist *l, struct tern_arena *a, struct xs *item)
{
    const char *p = l->p, *end = l->end;
    int sep = l->sep;

    /* Leading blanks are skipped, unless the separator is one of them. */
    while (p < end && x_space((unsigned char)*p) && *p != sep)
        p++;
    if (p >= end) {
        l->p = end;
        return 0;
    }
    const char *start = p;
    int doubled = 0;
    if (is_punct(sep)) {
        while (p < end) {
            if ((unsigned char)*p == sep) {
                if (p + 1 < end && (unsigned char)p[1] == sep) {
                    doubled = 1;
                    p += 2;
                    continue;
                }
                break;
            }
            p++;
        }
    } else {
        while (p < end && (unsigned char)*p != sep)
            p++;
    }
    const char *stop = p;
    if (p < end)
        p++;                    /* the separator */
    l->p = p;
    while (stop > start && x_space((unsigned char)stop[-1]))
        stop--;
    if (!doubled) {
        *item = xs_make(start, (size_t)(stop - start));
        return 1;
    }
    /* Un-double the separators into a copy. */
    char *buf = tern_alloc(a, (size_t)(stop - start) + 1);
    size_t n = 0;
    for (const char *q = start; q < stop; q++) {
        buf[n++] = *q;
        if ((unsigned char)*q == sep && q + 1 < stop &&
            (unsigned char)q[1] == sep)
            q++;
    }
    buf[n] = '\0';
    *item = xs_make(buf, n);
    return 1;
}

void xlist_append(struct xb *b, int sep, struct xs ele, int first)
{
    if (!first)
        xb_addc(b, (char)sep);
    if (ele.len == 0) {
        if (b->len)
            xb_addc(b, ' ');
        return;
    }
    for (size_t i = 0; i < ele.len; i++) {
        xb_addc(b, ele.p[i]);
        if ((unsigned char)ele.p[i] == sep)
            xb_addc(b, (char)sep);
    }
}
