/*
 * NAME
 *   expand_addr.c - RFC 2822 address operators: address, addresses,
 *   domain, local_part
 *
 * SYNOPSIS
 *   ${address:Joe <joe@example.com>}        joe@example.com
 *   ${addresses:>; a@b, Joe <c@d>}          a@b;c@d
 *
 * DESCRIPTION
 *   The string is cut into RFC 2822 tokens (atoms, quoted strings,
 *   domain literals, specials; comments and white space dropped).  One
 *   address is either `phrase <[@route,..:]addr-spec>` or a bare
 *   addr-spec, optionally preceded by an @route.  The local part may
 *   have dots anywhere, as Exim accepts; the domain must be dot-separated
 *   atoms with none empty, or a literal.  The working address is rebuilt
 *   from the tokens, so quoting is kept and white space is not.
 *
 *   ${addresses} splits at top-level commas, understands groups
 *   (`name: a, b;`, where as in Exim the `;` ends its item and whatever
 *   follows it in that item is dropped), drops what does not parse, and
 *   writes a list whose separator is `:` unless the string starts with
 *   `>` and a character.
 *
 * DIAGNOSTICS
 *   None: an address that does not parse gives an empty result, as in
 *   Exim.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "expand_int.h"

enum { T_ATOM = 1, T_QUOTED, T_LITERAL, T_SPECIAL };

struct tok {
    int type;
    struct xs text;
};

struct toks {
    struct tok *t;
    size_t n, cap;
};

static void push(struct ev *v, struct toks *ts, int type, const char *p,
                 size_t n)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 16;
        struct tok *nt = tern_alloc(v->a, cap * sizeof *nt);
        if (ts->n)
            memcpy(nt, ts->t, ts->n * sizeof *nt);
        ts->t = nt;
        ts->cap = cap;
    }
    ts->t[ts->n].type = type;
    ts->t[ts->n].text = xs_make(p, n);
    ts->n++;
}

static int is_special(int c)
{
    return c && strchr("()<>@,;:\".[]", c) != NULL;
}

/* 0 ok, -1 unterminated quote, comment or literal. */
static int tokenize(struct ev *v, struct xs s, struct toks *ts)
{
    const char *p = s.p, *e = s.p + s.len;
    while (p < e) {
        int c = (unsigned char)*p;
        if (x_space(c)) {
            p++;
        } else if (c == '(') {
            int depth = 0;
            do {
                if (*p == '\\' && p + 1 < e)
                    p++;
                else if (*p == '(')
                    depth++;
                else if (*p == ')')
                    depth--;
                p++;
            } while (p < e && depth > 0);
            /* An unterminated comment runs to the end, as in Exim. */
        } else if (c == '"' || c == '[') {
            const char *st = p++;
            char close = c == '"' ? '"' : ']';
            while (p < e && *p != close) {
                if (*p == '\\' && p + 1 < e)
                    p++;
                p++;
            }
            if (p >= e)
                return -1;
            p++;
            push(v, ts, c == '"' ? T_QUOTED : T_LITERAL, st,
                 (size_t)(p - st));
        } else if (is_special(c)) {
            push(v, ts, T_SPECIAL, p++, 1);
        } else {
            const char *st = p;
            while (p < e && !x_space((unsigned char)*p) &&
                   !is_special((unsigned char)*p)) {
                if (*p == '\\' && p + 1 < e)
                    p++;
                p++;
            }
            push(v, ts, T_ATOM, st, (size_t)(p - st));
        }
    }
    return 0;
}

static int sp(const struct tok *t, char c)
{
    return t->type == T_SPECIAL && t->text.p[0] == c;
}

struct addr {
    struct xs local, domain;
};

/* A domain label: letters, digits, hyphens (not first), 8-bit bytes. */
static int domain_label(struct xs s)
{
    for (size_t i = 0; i < s.len; i++) {
        int c = (unsigned char)s.p[i];
        if (!(x_alnum(c) || c >= 0x80 || (c == '-' && i > 0)))
            return 0;
    }
    return s.len > 0;
}

/* addr-spec over t[i..j); 0 ok. */
static int addr_spec(struct ev *v, const struct tok *t, size_t i, size_t j,
                     struct addr *a)
{
    struct xb lp, dom;
    ev_xb(v, &lp);
    ev_xb(v, &dom);
    int last_word = 0;
    for (; i < j && !sp(&t[i], '@'); i++) {
        if (sp(&t[i], '.')) {
            last_word = 0;
        } else if (t[i].type == T_ATOM || t[i].type == T_QUOTED) {
            if (last_word)
                return -1;
            last_word = 1;
        } else {
            return -1;
        }
        xb_add(&lp, t[i].text.p, t[i].text.len);
    }
    if (lp.len == 0)
        return -1;
    a->local = xb_str(&lp);
    a->domain = xs_make("", 0);
    if (i == j)
        return 0;
    i++;                                /* @ */
    if (i + 1 == j && t[i].type == T_LITERAL) {
        a->domain = t[i].text;
        return 0;
    }
    int want_atom = 1;
    for (; i < j; i++) {
        if (want_atom ? t[i].type != T_ATOM || !domain_label(t[i].text)
                      : !sp(&t[i], '.'))
            return -1;
        want_atom = !want_atom;
        xb_add(&dom, t[i].text.p, t[i].text.len);
    }
    if (want_atom)
        return -1;                      /* empty, or ends with a dot */
    a->domain = xb_str(&dom);
    return 0;
}

/* Skip "@a,@b:" at t[i]; returns the index after it, or i. */
static size_t skip_route(const struct tok *t, size_t i, size_t j)
{
    if (i >= j || !sp(&t[i], '@'))
        return i;
    for (size_t k = i; k < j; k++)
        if (sp(&t[k], ':'))
            return k + 1;
    return i;
}

/* One address over t[i..j): 0 ok, -1 does not parse. */
static int one_address(struct ev *v, const struct tok *t, size_t i, size_t j,
                       struct addr *a)
{
    size_t lt = j;
    for (size_t k = i; k < j; k++)
        if (sp(&t[k], '<')) {
            lt = k;
            break;
        }
    if (lt == j)
        return addr_spec(v, t, skip_route(t, i, j), j, a);
    for (size_t k = i; k < lt; k++)
        if (t[k].type == T_SPECIAL && !sp(&t[k], '.'))
            return -1;
    if (!sp(&t[j - 1], '>') || j - 1 <= lt)
        return -1;
    size_t s = skip_route(t, lt + 1, j - 1);
    return addr_spec(v, t, s, j - 1, a);
}

static void write_addr(const struct addr *a, struct xb *out)
{
    xb_add(out, a->local.p, a->local.len);
    if (a->domain.len) {
        xb_addc(out, '@');
        xb_add(out, a->domain.p, a->domain.len);
    }
}

/* Index of the first top-level special c in t[i..j), or j. */
static size_t find_special(const struct tok *t, size_t i, size_t j, char c)
{
    int angle = 0;
    for (; i < j; i++) {
        if (sp(&t[i], '<'))
            angle = 1;
        else if (sp(&t[i], '>'))
            angle = 0;
        else if (!angle && sp(&t[i], c))
            return i;
    }
    return j;
}

/* Exim's way: items end at top-level commas; an item that starts with
 * "name:" opens a group, and inside a group a `;` ends the item and the
 * group, and the rest of that item is dropped. */
static int addresses(struct ev *v, uint32_t node, struct xs s,
                     struct xb *out)
{
    int sep = ':';
    if (s.len >= 1 && s.p[0] == '>') {
        if (s.len < 2)
            return ev_fail(v, TERN_EXP_ERROR, node, "output separator "
                           "missing in ${addresses}");
        sep = (unsigned char)s.p[1];
        s = xs_make(s.p + 2, s.len - 2);
    }
    struct toks ts = { 0 };
    if (tokenize(v, s, &ts) < 0)
        return 0;
    int first = 1, in_group = 0;
    size_t i = 0;
    while (i <= ts.n) {
        size_t end = find_special(ts.t, i, ts.n, ',');
        size_t st = i, stop = end;
        size_t colon = find_special(ts.t, st, stop, ':');
        size_t at = find_special(ts.t, st, stop, '@');
        size_t lt = find_special(ts.t, st, stop, '<');
        if (!in_group && colon < stop && colon < at && colon < lt &&
            (colon == st || !sp(&ts.t[st], '@'))) {
            in_group = 1;
            st = colon + 1;
        }
        if (in_group) {
            size_t semi = find_special(ts.t, st, stop, ';');
            if (semi < stop) {
                stop = semi;
                in_group = 0;
            }
        }
        struct addr a;
        if (stop > st && one_address(v, ts.t, st, stop, &a) == 0) {
            struct xb one;
            ev_xb(v, &one);
            write_addr(&a, &one);
            xlist_append(out, sep, xb_str(&one), first);
            first = 0;
        }
        i = end + 1;
    }
    return 0;
}

int exp_op_addr(struct ev *v, uint32_t node, unsigned op, struct xs s,
                struct xb *out)
{
    if (op == OP_ADDRESSES)
        return addresses(v, node, s, out);
    struct toks ts = { 0 };
    struct addr a;
    if (tokenize(v, s, &ts) < 0 || ts.n == 0 ||
        one_address(v, ts.t, 0, ts.n, &a) < 0)
        return 0;
    if (op == OP_ADDRESS)
        write_addr(&a, out);
    else if (op == OP_DOMAIN)
        xb_add(out, a.domain.p, a.domain.len);
    else
        xb_add(out, a.local.p, a.local.len);
    return 0;
}
