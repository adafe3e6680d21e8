/*
 * NAME
 *   expand_parse.c - parse an expansion string into a flat node array
 *
 * SYNOPSIS
 *   rc = tern_exp_parse(arena, src, len, &schema, 0, &exp, &err);
 *
 * DESCRIPTION
 *   A recursive-descent parser over Exim's expansion syntax: literal text
 *   with backslash escapes and \N...\N regions, $name and ${name}
 *   variables, $h_name: headers, ${op:string} operators and ${item{..}}
 *   items (expand_parse_item.c handles the items and the conditions).
 *
 *   Nodes and text are collected in heap arrays while parsing and copied
 *   into the caller's arena at the end, so a failed parse leaves nothing
 *   behind but the error message.  A parent node is always allocated
 *   before its children and a sibling after its predecessor, so every
 *   link points forward; tern_exp_check() relies on that.
 *
 *   Exim parses and evaluates in one pass and only notices some errors
 *   in the branch it takes; here everything is parsed up front, so an
 *   unknown variable or operator anywhere in the string is an error.
 *
 * DIAGNOSTICS
 *   The first error stops the parse; its message and the 0-based offset
 *   of the construct at fault are returned in struct tern_exp_error.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expand_int.h"

int ps_error(struct ps *p, uint32_t off, const char *fmt, ...)
{
    if (p->err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    p->err = tern_vprintf(p->a, fmt, ap);
    va_end(ap);
    p->err_off = off;
    return -1;
}

uint32_t ps_node(struct ps *p, unsigned type, uint32_t src)
{
    if (p->nn == p->ncap) {
        if (p->ncap >= (1u << 26)) {
            ps_error(p, src, "expansion too large");
            return 0;
        }
        uint32_t cap = p->ncap ? p->ncap * 2 : 32;
        void *np = realloc(p->nodes, (size_t)cap * sizeof *p->nodes);
        if (!np) {
            ps_error(p, src, "out of memory");
            return 0;
        }
        p->nodes = np;
        p->ncap = cap;
    }
    uint32_t k = p->nn++;
    memset(&p->nodes[k], 0, sizeof p->nodes[k]);
    p->nodes[k].type = (uint8_t)type;
    p->nodes[k].src = src;
    if (type != EN_NONE && type != EN_SEQ && type != EN_LIT)
        p->dynamic = 1;
    return k;
}

int ps_text(struct ps *p, const char *s, size_t n, uint32_t *off)
{
    if (n > (1u << 30) || p->tlen + n > (1u << 30))
        return ps_error(p, p->i, "expansion too large");
    if (p->tlen + n > p->tcap) {
        uint32_t cap = p->tcap ? p->tcap : 256;
        while (cap < p->tlen + n)
            cap *= 2;
        char *np = realloc(p->text, cap);
        if (!np)
            return ps_error(p, p->i, "out of memory");
        p->text = np;
        p->tcap = cap;
    }
    if (n)
        memcpy(p->text + p->tlen, s, n);
    *off = p->tlen;
    p->tlen += (uint32_t)n;
    return 0;
}

void ps_link(struct ps *p, uint32_t parent, uint32_t child, uint32_t *last)
{
    if (*last)
        p->nodes[*last].next = child;
    else
        p->nodes[parent].a = child;
    p->nodes[parent].b++;
    *last = child;
}

void ps_skip_space(struct ps *p)
{
    while (p->i < p->n && x_space((unsigned char)p->s[p->i]))
        p->i++;
}

int ps_at(const struct ps *p, char c)
{
    return p->i < p->n && p->s[p->i] == c;
}

uint32_t ps_name(struct ps *p)
{
    uint32_t st = p->i;
    while (p->i < p->n &&
           (x_alnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_'))
        p->i++;
    return p->i - st;
}

/* ---- literal text ---- */

struct run {
    uint32_t seq, last;         /* the sequence being filled */
    uint32_t start;             /* text offset where the run began */
    uint32_t src;               /* source offset of its first byte */
    int open;                   /* a run is in progress */
    int verbatim;               /* text maps 1:1 onto the source */
    int sealed;                 /* a \N region ended: no more verbatim */
};

static int run_byte(struct ps *p, struct run *r, char c, uint32_t src,
                    int escaped)
{
    uint32_t off;
    if (!r->open) {
        r->open = 1;
        r->start = p->tlen;
        r->src = src;
        r->verbatim = 1;
        r->sealed = 0;
    }
    if (escaped || r->sealed)
        r->verbatim = 0;
    return ps_text(p, &c, 1, &off);
}

static int run_flush(struct ps *p, struct run *r)
{
    if (!r->open)
        return 0;
    r->open = 0;
    uint32_t k = ps_node(p, EN_LIT, r->src);
    if (!k)
        return -1;
    p->nodes[k].a = r->start;
    p->nodes[k].b = p->tlen - r->start;
    p->nodes[k].flags = r->verbatim ? NF_VERBATIM : 0;
    ps_link(p, r->seq, k, &r->last);
    return 0;
}

static int hexval(int c)
{
    if (x_digit(c))
        return c - '0';
    c = x_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Exim's escapes after a backslash at p->i (already past the \):
 * octal up to three digits, \x and up to two hex digits (none = NUL),
 * \b \f \n \r \t \v, anything else stands for itself. */
char ps_escape(struct ps *p)
{
    int c = (unsigned char)p->s[p->i++];
    if (c >= '0' && c <= '7') {
        int v = c - '0';
        for (int k = 0; k < 2 && p->i < p->n && p->s[p->i] >= '0' &&
                        p->s[p->i] <= '7'; k++)
            v = v * 8 + (p->s[p->i++] - '0');
        return (char)v;
    }
    switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    case 'x': {
        int v = 0;
        for (int k = 0; k < 2 && p->i < p->n; k++) {
            int h = hexval((unsigned char)p->s[p->i]);
            if (h < 0)
                break;
            v = v * 16 + h;
            p->i++;
        }
        return (char)v;
    }
    default:
        return (char)c;
    }
}

/* A backslash at p->i: \N...\N copied raw, else one escape. */
static int backslash(struct ps *p, struct run *r)
{
    uint32_t at = p->i++;
    if (p->i >= p->n)
        return ps_error(p, at, "\\ at end of string");
    if (p->s[p->i] != 'N') {
        char c = ps_escape(p);
        return run_byte(p, r, c, at, 1);
    }
    p->i++;
    /* A region that starts a run maps onto the source; one that joins
     * text already in the run does not. */
    int fresh = !r->open;
    while (p->i < p->n &&
           !(p->s[p->i] == '\\' && p->i + 1 < p->n && p->s[p->i + 1] == 'N')) {
        if (run_byte(p, r, p->s[p->i], p->i, !fresh) < 0)
            return -1;
        p->i++;
    }
    if (p->i < p->n)
        p->i += 2;
    if (r->open)
        r->sealed = 1;
    return 0;
}

/* ---- $ constructs ---- */

static const struct {
    const char *prefix;
    unsigned kind;
} hdr_prefixes[] = {
    { "bheader_", TERN_EXP_HDR_BASIC }, { "bh_", TERN_EXP_HDR_BASIC },
    { "header_", TERN_EXP_HDR_DECODED }, { "h_", TERN_EXP_HDR_DECODED },
    { "lheader_", TERN_EXP_HDR_LIST }, { "lh_", TERN_EXP_HDR_LIST },
    { "rheader_", TERN_EXP_HDR_RAW }, { "rh_", TERN_EXP_HDR_RAW },
};

/* If the name at nstart starts with a header prefix, read the header
 * name (up to a colon, which is consumed, or white space) and make a
 * HEADER node.  0 = not a header, 1 = made, -1 = error. */
int ps_header(struct ps *p, uint32_t start, uint32_t nstart,
              uint32_t *out)
{
    for (size_t k = 0; k < sizeof hdr_prefixes / sizeof hdr_prefixes[0];
         k++) {
        size_t pl = strlen(hdr_prefixes[k].prefix);
        if (p->n - nstart < pl ||
            memcmp(p->s + nstart, hdr_prefixes[k].prefix, pl) != 0)
            continue;
        uint32_t hs = nstart + (uint32_t)pl, he = hs;
        while (he < p->n && p->s[he] != ':' &&
               !x_space((unsigned char)p->s[he]))
            he++;
        p->i = he < p->n && p->s[he] == ':' ? he + 1 : he;
        uint32_t k2 = ps_node(p, EN_HEADER, start), off;
        if (!k2 || ps_text(p, p->s + hs, he - hs, &off) < 0)
            return -1;
        p->nodes[k2].op = (uint16_t)hdr_prefixes[k].kind;
        p->nodes[k2].a = off;
        p->nodes[k2].b = he - hs;
        *out = k2;
        return 1;
    }
    return 0;
}

int ps_known(struct ps *p, unsigned kind, const char *name,
                        size_t len, struct tern_exp_known *info)
{
    memset(info, 0, sizeof *info);
    if (!p->schema || !p->schema->known)
        return kind == TERN_EXP_VARIABLE;
    return p->schema->known(p->schema->arg, kind, name, len, info) > 0;
}

/* A variable named by [nstart, nstart+nlen): $value and $item are the
 * evaluator's own, digits are $0..$n, the rest must be in the schema. */
int ps_var_name(struct ps *p, uint32_t start, uint32_t nstart, uint32_t nlen,
                int is_def, uint32_t *out)
{
    const char *nm = p->s + nstart;
    struct xs name = xs_make(nm, nlen);
    uint32_t k;

    if (x_digit((unsigned char)nm[0])) {
        uint32_t v = 0;
        for (uint32_t j = 0; j < nlen; j++) {
            if (!x_digit((unsigned char)nm[j]))
                return ps_error(p, start, "unknown variable name \"%.*s\"",
                                (int)nlen, nm);
            if (v < 100000)
                v = v * 10 + (uint32_t)(nm[j] - '0');
        }
        if (!(k = ps_node(p, EN_NUMVAR, start)))
            return -1;
        p->nodes[k].a = v;
        *out = k;
        return 0;
    }
    unsigned op = VAR_EXTERNAL;
    struct tern_exp_known info;
    if (xs_eq(name, "value"))
        op = VAR_VALUE;
    else if (xs_eq(name, "item"))
        op = VAR_ITEM;
    else if (!ps_known(p, TERN_EXP_VARIABLE, nm, nlen, &info))
        return ps_error(p, start, is_def ? "unknown variable \"%.*s\" after "
                        "\"def:\"" : "unknown variable name \"%.*s\"",
                        (int)nlen, nm);
    uint32_t off;
    if (!(k = ps_node(p, EN_VAR, start)) || ps_text(p, nm, nlen, &off) < 0)
        return -1;
    p->nodes[k].op = (uint16_t)op;
    p->nodes[k].a = off;
    p->nodes[k].b = nlen;
    *out = k;
    return 0;
}

/* After `$` (p->i at the character following it). */
static int dollar(struct ps *p, uint32_t start, uint32_t *out)
{
    if (p->i < p->n && x_alpha((unsigned char)p->s[p->i])) {
        uint32_t ns = p->i, nl = ps_name(p);
        int h = ps_header(p, start, ns, out);
        if (h)
            return h < 0 ? -1 : 0;
        return ps_var_name(p, start, ns, nl, 0, out);
    }
    if (p->i < p->n && x_digit((unsigned char)p->s[p->i])) {
        uint32_t ns = p->i;
        while (p->i < p->n && x_digit((unsigned char)p->s[p->i]))
            p->i++;
        return ps_var_name(p, start, ns, p->i - ns, 0, out);
    }
    if (!ps_at(p, '{'))
        return ps_error(p, start, "$ not followed by letter, digit, or {");
    p->i++;
    if (p->i >= p->n || !x_alnum((unsigned char)p->s[p->i]))
        return ps_error(p, p->i, "letter or digit expected after ${");
    uint32_t ns = p->i, nl = ps_name(p);
    /* ${substr_-1_2:..}: a minus may follow an underscore. */
    while (p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i - 1] == '_' &&
           x_digit((unsigned char)p->s[p->i + 1])) {
        p->i++;
        ps_name(p);
        nl = p->i - ns;
    }
    const struct exp_name *it = exp_find_item(p->s + ns, nl);
    if (it)
        return ps_item(p, it, start, out);
    struct tern_exp_known info;
    if (ps_at(p, '}') && !(ps_known(p, TERN_EXP_ITEM, p->s + ns, nl, &info) &&
                           !ps_known(p, TERN_EXP_VARIABLE, p->s + ns, nl,
                                     &info))) {
        p->i++;
        return ps_var_name(p, start, ns, nl, 0, out);
    }
    if (ps_at(p, ':'))
        return ps_oper(p, start, ns, nl, out);
    if (ps_known(p, TERN_EXP_ITEM, p->s + ns, nl, &info))
        return ps_mod(p, TERN_EXP_ITEM, &info, start, ns, nl, out);
    return ps_error(p, start, "\"${%.*s\" is not a known operator (or a } "
                    "is missing in a variable reference)", (int)nl,
                    p->s + ns);
}

int ps_string(struct ps *p, unsigned mode, uint32_t *seq)
{
    uint32_t open_at = p->i ? p->i - 1 : 0;
    struct run r = { 0 };

    if (++p->depth > EXP_MAX_NEST)
        return ps_error(p, p->i, "expansion nested too deeply");
    if (!(r.seq = ps_node(p, EN_SEQ, p->i)))
        return -1;
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == '}' && (mode & PS_BRACE))
            break;
        if (c == '\\') {
            if (backslash(p, &r) < 0)
                return -1;
            continue;
        }
        if (c == '$' && !(mode & PS_NODOLLAR)) {
            uint32_t k, at = p->i++;
            if (run_flush(p, &r) < 0 || dollar(p, at, &k) < 0)
                return -1;
            ps_link(p, r.seq, k, &r.last);
            continue;
        }
        if (run_byte(p, &r, c, p->i, 0) < 0)
            return -1;
        p->i++;
    }
    if ((mode & PS_BRACE) && p->i >= p->n)
        return ps_error(p, open_at, "missing } at end of string");
    if (run_flush(p, &r) < 0)
        return -1;
    p->depth--;
    *seq = r.seq;
    return 0;
}

int ps_arg(struct ps *p, unsigned mode, uint32_t parent, uint32_t *last)
{
    ps_skip_space(p);
    if (!ps_at(p, '{'))
        return 0;
    p->i++;
    uint32_t seq;
    if (ps_string(p, mode | PS_BRACE, &seq) < 0)
        return -1;
    p->i++;                     /* the } */
    ps_link(p, parent, seq, last);
    return 1;
}

int ps_close(struct ps *p, const char *what)
{
    ps_skip_space(p);
    if (!ps_at(p, '}'))
        return ps_error(p, p->i, "missing '}' after '%s'", what);
    p->i++;
    return 0;
}

int ps_const_arg(struct ps *p, uint32_t seq, struct xs *s)
{
    struct tern_exp_node *n = &p->nodes[seq];
    if (n->type != EN_SEQ)
        return 0;
    if (n->b == 0) {
        *s = xs_make("", 0);
        return 1;
    }
    if (n->b != 1 || p->nodes[n->a].type != EN_LIT)
        return 0;
    *s = xs_make(p->text + p->nodes[n->a].a, p->nodes[n->a].b);
    return 1;
}

int ps_regex(struct ps *p, uint32_t seq)
{
    struct xs re;
    const char *why;
    size_t where;

    if ((p->flags & TERN_EXP_NO_REGEX_CHECK) || !ps_const_arg(p, seq, &re))
        return 0;
    if (exp_regex_check(re.p, re.len, &why, &where, p->a) == 0)
        return 0;
    uint32_t at = p->nodes[seq].src;
    const struct tern_exp_node *lit = re.len ? &p->nodes[p->nodes[seq].a]
                                             : NULL;
    if (lit && (lit->flags & NF_VERBATIM) && where <= re.len)
        at = lit->src + (uint32_t)where;
    return ps_error(p, at, "regular expression error: %s", why);
}

/* ---- entry points ---- */

int tern_exp_parse(struct tern_arena *a, const char *src, size_t len,
                   const struct tern_exp_schema *schema, unsigned flags,
                   struct tern_exp **out, struct tern_exp_error *err)
{
    struct ps p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.s = src;
    p.schema = schema;
    p.flags = flags;
    err->msg = NULL;
    err->offset = 0;
    if (len > (1u << 30)) {
        err->msg = "expansion string too long";
        return -1;
    }
    p.n = (uint32_t)len;
    uint32_t root = 0;
    int rc = -1;
    if (ps_node(&p, EN_NONE, 0) == 0 && ps_string(&p, PS_TOP, &root) == 0)
        rc = 0;
    if (rc == 0) {
        struct tern_exp *e = tern_alloc(a, sizeof *e);
        struct tern_exp_node *nodes = tern_alloc(a, p.nn * sizeof *nodes);
        memcpy(nodes, p.nodes, p.nn * sizeof *nodes);
        char *text = tern_alloc(a, p.tlen + 1);
        if (p.tlen)
            memcpy(text, p.text, p.tlen);
        e->nodes = nodes;
        e->n_nodes = p.nn;
        e->root = root;
        e->text = text;
        e->text_len = p.tlen;
        e->src_len = p.n;
        e->flags = p.dynamic ? 0 : TERN_EXP_CONSTANT;
        *out = e;
    } else {
        err->msg = p.err ? p.err : "expansion parse failed";
        err->offset = p.err_off;
    }
    free(p.nodes);
    free(p.text);
    return rc;
}

void tern_exp_position(const char *src, size_t len, uint32_t offset,
                       unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    for (size_t k = 0; k < len && k < offset; k++) {
        if (src[k] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}
