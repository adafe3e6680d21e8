/*
 * NAME
 *   preproc_text.c - a physical line with a column for every byte
 *
 * DESCRIPTION
 *   Macro substitution changes a line's length and content, but every
 *   diagnostic must still point at the physical column the user wrote.
 *   A cc_pp_text keeps, next to each byte, the column it came from; bytes a
 *   macro produced all carry the column and length of the macro's name
 *   (or, when that name itself came from a macro, of the outer name).
 *   Also the few allocation and blank-skipping helpers the preprocessor
 *   files share.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preproc_int.h"

/* ---- small shared helpers ---- */

void *
cc_pp_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > ((size_t)-1) / 2 / size)
            abort();
        c *= 2;
    }
    void *q = realloc(p, c * size);
    if (q == NULL) {
        fputs("tern: out of memory\n", stderr);
        exit(1);
    }
    *cap = c;
    return q;
}

int
cc_pp_is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

size_t
cc_pp_skip_blanks(const char *s, size_t i, size_t len)
{
    while (i < len && cc_pp_is_blank((unsigned char)s[i]))
        i++;
    return i;
}

/* ---- cc_pp_text: a physical line with a column map ---- */

static void
text_reserve(struct cc_pp_text *t, size_t n)
{
    size_t cap = t->cap;
    t->s = cc_pp_grow(t->s, &cap, n + 1, 1);
    cap = t->cap;
    t->col = cc_pp_grow(t->col, &cap, n + 1, sizeof *t->col);
    cap = t->cap;
    t->mlen = cc_pp_grow(t->mlen, &cap, n + 1, sizeof *t->mlen);
    t->cap = cap;
}

void
cc_pp_text_load(struct cc_pp_text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    memcpy(t->s, s, n);
    t->s[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        t->col[i] = (unsigned)(i + 1);
        t->mlen[i] = 0;
    }
    t->len = n;
}

void
cc_pp_text_replace(struct cc_pp_text *t, size_t at, size_t n, const char *rep,
                   size_t rlen)
{
    /* The replacement maps to the macro name it replaces; if that name
     * was itself produced by an earlier macro, to that macro's name. */
    unsigned col = t->col[at];
    unsigned ml = t->mlen[at] ? t->mlen[at] : (unsigned)n;
    size_t tail = t->len - at - n;

    if (rlen > n && t->len + (rlen - n) < t->len)
        abort();
    text_reserve(t, t->len - n + rlen);
    memmove(t->s + at + rlen, t->s + at + n, tail + 1);
    memmove(t->col + at + rlen, t->col + at + n, tail * sizeof *t->col);
    memmove(t->mlen + at + rlen, t->mlen + at + n, tail * sizeof *t->mlen);
    memcpy(t->s + at, rep, rlen);
    for (size_t i = 0; i < rlen; i++) {
        t->col[at + i] = col;
        t->mlen[at + i] = ml;
    }
    t->len = t->len - n + rlen;
}

void
cc_pp_text_free(struct cc_pp_text *t)
{
    free(t->s);
    free(t->col);
    free(t->mlen);
    memset(t, 0, sizeof *t);
}

struct tern_srcpos
cc_pp_pos(const struct cc_pp_phys *ph, const struct cc_pp_text *t, size_t i,
          unsigned len)
{
    struct tern_srcpos p = {
        .file = ph->file, .line = ph->line, .line_text = ph->text,
        .include_from = ph->include_from, .len = len,
    };
    if (i < t->len) {
        p.col = t->col[i];
        if (t->mlen[i])
            p.len = t->mlen[i];
    } else if (t->len > 0) {
        size_t l = t->len - 1;
        p.col = t->col[l] + (t->mlen[l] ? t->mlen[l] : 1);
    } else {
        p.col = 1;
    }
    return p;
}
