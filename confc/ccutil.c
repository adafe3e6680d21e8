/*
 * NAME
 *   ccutil.c - helpers shared by confc's section parsers
 *
 * DESCRIPTION
 *   Arena arrays that grow, diagnostics held back until the end of the
 *   compile so they can be sorted into file order, positions of bytes of
 *   a logical line (through the preprocessor's position map), a few
 *   lexing helpers, and Exim's double-quoted strings.
 *
 *   A quoted value ("...") is read as Exim reads string options: the
 *   quotes go, and backslash introduces an escape: \n \r \t \b \f \v,
 *   up to three octal digits, \x and up to two hex digits; a backslash
 *   before any other character stands for that character.
 *
 * DIAGNOSTICS
 *   "missing closing quote in VALUE" and "extra characters after the
 *   quoted VALUE", at the opening quote and the extra character.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "confc_int.h"

void
cc_grow(struct cc_ctx *c, void **arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = tern_alloc(c->a, ncap * size);
    if (n > 0)
        memcpy(p, *arr, n * size);
    *arr = p;
    *cap = ncap;
}

void
cc_diag(struct cc_ctx *c, enum tern_severity sev, const struct cc_line *l,
        size_t off, size_t len, const char *hint, const char *fmt, ...)
{
    struct cc_pdiag *p = CC_PUSH(c, c->pd, c->n_pd, c->cap_pd);
    va_list ap;

    memset(p, 0, sizeof *p);
    p->seq = c->n_pd;
    p->sev = sev;
    if (l != NULL) {
        p->key = (size_t)(l - c->lines->v);
        if (off > l->len)
            off = l->len;
        p->pos = cc_line_pos(l, off, (unsigned)(len ? len : 1));
    } else {
        p->key = (size_t)-1;
    }
    p->hint = hint ? tern_strdup(c->a, hint) : NULL;
    va_start(ap, fmt);
    p->msg = tern_vprintf(c->a, fmt, ap);
    va_end(ap);
}

static int
cmp_pdiag(const void *x, const void *y)
{
    const struct cc_pdiag *a = x, *b = y;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Hand the held-back diagnostics to the caller's list, in file order. */
void
cc_flush_diags(struct cc_ctx *c)
{
    if (c->n_pd > 1)
        qsort(c->pd, c->n_pd, sizeof *c->pd, cmp_pdiag);
    for (size_t i = 0; i < c->n_pd; i++) {
        const struct cc_pdiag *p = &c->pd[i];
        tern_diag_add(c->d, p->sev, p->pos.file ? &p->pos : NULL, p->hint,
                      "%s", p->msg);
    }
    c->n_pd = 0;
}

struct tern_cfg_loc
cc_loc(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    struct tern_cfg_loc loc = { 0, 0, 0 };
    struct tern_srcpos p;

    if (l == NULL)
        return loc;
    p = cc_line_pos(l, off > l->len ? l->len : off, 1);
    loc.line = p.line;
    loc.col = p.col;
    for (size_t i = 0; i < c->lines->n_files; i++) {
        if (c->lines->files[i] == p.file ||
            (p.file != NULL && strcmp(c->lines->files[i], p.file) == 0)) {
            loc.file = (unsigned)i;
            return loc;
        }
    }
    return loc;
}

const char *
cc_where(struct cc_ctx *c, const struct tern_cfg_loc *loc)
{
    const char *file = loc->file < c->lines->n_files
                           ? c->lines->files[loc->file] : "?";
    return tern_printf(c->a, "%s:%u", file, loc->line);
}

void
cc_use_module(struct cc_ctx *c, const struct tern_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < c->n_used; i++) {
        if (c->used[i] == s)
            return;
    }
    *CC_PUSH(c, c->used, c->n_used, c->cap_used) = s;
}

size_t
cc_skip_blanks(const char *t, size_t off)
{
    while (t[off] == ' ' || t[off] == '\t')
        off++;
    return off;
}

size_t
cc_word_len(const char *t, size_t off)
{
    size_t n = 0;

    while (isalnum((unsigned char)t[off + n]) || t[off + n] == '_')
        n++;
    return n;
}

char *
cc_strn(struct cc_ctx *c, const struct cc_line *l, size_t off, size_t len)
{
    return tern_strndup(c->a, l->text + off, len);
}

void
cc_trim(const struct cc_line *l, size_t *off, size_t *len)
{
    size_t s = cc_skip_blanks(l->text, *off);
    size_t e = l->len;

    while (e > s && isspace((unsigned char)l->text[e - 1]))
        e--;
    *off = s;
    *len = e - s;
}

const char *
cc_closest(const char *name, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, nl = strlen(name);

    for (size_t i = 0; i < n; i++) {
        size_t d = tern_edit_distance(name, names[i]);
        if (d <= 2 && d < nl && d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

char *
cc_did_you_mean(struct cc_ctx *c, const char *s)
{
    return s ? tern_printf(c->a, "did you mean '%s'?", s) : NULL;
}

/* One escape after a backslash at t[*i]; advances *i past it. */
static char
read_escape(const char *t, size_t *i, size_t end)
{
    size_t p = *i + 1;
    char ch = p < end ? t[p] : '\\';
    int v = 0, n = 0;

    if (p >= end) {
        *i = p;
        return '\\';
    }
    if (ch >= '0' && ch <= '7') {
        while (n < 3 && p < end && t[p] >= '0' && t[p] <= '7') {
            v = v * 8 + (t[p++] - '0');
            n++;
        }
        *i = p;
        return (char)v;
    }
    if (ch == 'x' && p + 1 < end && isxdigit((unsigned char)t[p + 1])) {
        p++;
        while (n < 2 && p < end && isxdigit((unsigned char)t[p])) {
            int d = (unsigned char)t[p++];
            v = v * 16 + (isdigit(d) ? d - '0' : tolower(d) - 'a' + 10);
            n++;
        }
        *i = p;
        return (char)v;
    }
    *i = p + 1;
    switch (ch) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    default:  return ch;
    }
}

char *
cc_unquote(struct cc_ctx *c, const char *s, size_t len, size_t *consumed)
{
    size_t i = 1;
    struct tern_buf b = { 0 };
    char *out;

    tern_buf_add(&b, "", 0);
    while (i < len && s[i] != '"') {
        if (s[i] == '\\')
            tern_buf_addc(&b, read_escape(s, &i, len));
        else
            tern_buf_addc(&b, s[i++]);
    }
    if (i >= len) {
        tern_buf_free(&b);
        *consumed = len;
        return NULL;
    }
    *consumed = i + 1;
    out = tern_strndup(c->a, b.data, b.len);
    tern_buf_free(&b);
    return out;
}

char *
cc_dequote(struct cc_ctx *c, const struct cc_line *l, size_t off,
           size_t len, const char *what, size_t *consumed)
{
    size_t used, end = off + len;
    char *out = cc_unquote(c, l->text + off, len, &used);

    if (out == NULL) {
        cc_error(c, l, off, 1, NULL, "missing closing quote in %s", what);
        return NULL;
    }
    if (consumed != NULL) {
        *consumed = used;
        return out;
    }
    size_t x = cc_skip_blanks(l->text, off + used);
    if (x < end) {
        cc_error(c, l, x, end - x, NULL,
                 "extra characters after the quoted %s", what);
        return NULL;
    }
    return out;
}
