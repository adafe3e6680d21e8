/*
 * NAME
 *   expand_check.c - parsing and checking every expanded value
 *
 * SYNOPSIS
 *   cc_exp_init(c);
 *   const struct tern_exp *e;
 *   if (cc_exp_value(c, line, v_off, v_len, quoted, text,
 *                    "option 'transport' of router 'r'", &e) == 0)
 *       option->exp = e;
 *
 * DESCRIPTION
 *   confc parses every value that Tern expands at run time into the
 *   position-independent form of lib/expand.h, so that a bad `${...}` is
 *   reported when the configuration is compiled, with the line and the
 *   column of the character at fault, and the host never parses a
 *   string of the configuration again.
 *
 *   The parser asks a callback (struct tern_exp_schema) about the names
 *   that modules can add.  It is built here, once per compile, from the
 *   schemas: `provides variable NAME` (a NAME ending in `*` is a family:
 *   `r_*` is r_ followed by anything, `acl_c*` is acl_c followed by a
 *   digit or `_` and then anything), `provides expansion_item NAME MIN
 *   MAX`, `provides expansion_operator NAME`, `provides
 *   expansion_condition NAME MIN MAX` and `provides lookup NAME
 *   single|query`.  Names of every known schema are kept, installed or
 *   not, so that a name a missing module provides is reported as such,
 *   with the package to install, rather than as unknown.  The tables are
 *   sorted arrays searched by bisection, so parsing every expansion of a
 *   large configuration takes a millisecond or two.
 *
 *   The text parsed is the value as the host will expand it: for a
 *   quoted option value ("..."), the text after the quotes and escapes
 *   were processed; for any other value, the characters as written, with
 *   backslashes untouched (Exim processes escapes in unquoted values
 *   only when it expands them).  An error offset in that text is turned
 *   back into an offset in the logical line (through the escapes of a
 *   quoted value, by the rules of ccutil.c), and the preprocessor's
 *   position map turns that into a file, line and column, across
 *   continuation lines and macro uses.
 *
 *   A value with neither `$` nor `\` expands to itself: it is not parsed
 *   and its expression is NULL, which tells the host to use the text as
 *   it is.
 *
 * DIAGNOSTICS
 *   "invalid expansion in WHAT: MESSAGE", where MESSAGE is the parser's
 *   (Exim's wording: `unknown variable name "x"`, `unknown lookup type
 *   "x"`, `regular expression error: ...`, `not enough arguments for
 *   'substr' (min is 2)` ...), with "did you mean" for near misses; and
 *   "KIND 'x' is provided by module M, which is not installed" with the
 *   package to install.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>

#include "arena.h"
#include "confc_int.h"
#include "expand.h"
#include "list.h"

/* One name a schema provides to the expansion language. */
struct kentry {
    const char *name;
    size_t len;                 /* without the `*` of a family */
    unsigned kind;              /* TERN_EXP_* */
    int installed;
    unsigned min, max, style;
    const struct tern_schema *owner;
};

struct cc_known {
    struct kentry *v;           /* sorted by kind, name, installed first */
    size_t n;
    struct kentry *fam;         /* variable families, in schema order */
    size_t n_fam;
    /* The last question answered "no", for the message about it. */
    unsigned miss_kind;
    const char *miss_name;
    size_t miss_len;
    const struct tern_schema *miss_owner;   /* its provider, not installed */
};

static const struct {
    const char *provides;
    unsigned kind;
} kinds[] = {
    { "variable", TERN_EXP_VARIABLE },
    { "expansion_item", TERN_EXP_ITEM },
    { "expansion_operator", TERN_EXP_OPERATOR },
    { "expansion_condition", TERN_EXP_CONDITION },
    { "lookup", TERN_EXP_LOOKUP },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const char *
kind_noun(unsigned kind)
{
    switch (kind) {
    case TERN_EXP_VARIABLE: return "variable";
    case TERN_EXP_ITEM: return "expansion item";
    case TERN_EXP_OPERATOR: return "expansion operator";
    case TERN_EXP_CONDITION: return "expansion condition";
    default: return "lookup type";
    }
}

static int
name_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int r = memcmp(a, b, al < bl ? al : bl);

    if (r != 0)
        return r;
    return al < bl ? -1 : al > bl;
}

static int
entry_cmp(const void *x, const void *y)
{
    const struct kentry *a = x, *b = y;
    int r;

    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if ((r = name_cmp(a->name, a->len, b->name, b->len)) != 0)
        return r;
    return b->installed - a->installed;
}

/* "MIN MAX" of an item or condition; a missing MAX is MIN. */
static void
arg_counts(const char *args, struct kentry *e)
{
    char *end;
    unsigned long lo = strtoul(args, &end, 10), hi = lo;

    if (end != args && *end == ' ')
        hi = strtoul(end + 1, NULL, 10);
    e->min = (unsigned)lo;
    e->max = (unsigned)(hi < lo ? lo : hi);
}

/* An entry for `provides KIND NAME ARGS` of `s`, or 0 for other kinds. */
static int
make_entry(const struct tern_schema_provide *p, const struct tern_schema *s,
           int installed, struct kentry *e)
{
    size_t q;

    for (q = 0; q < N_KINDS; q++) {
        if (strcmp(p->kind, kinds[q].provides) == 0)
            break;
    }
    if (q == N_KINDS)
        return 0;
    memset(e, 0, sizeof *e);
    e->name = p->name;
    e->len = strlen(p->name);
    e->kind = kinds[q].kind;
    e->installed = installed;
    e->owner = s;
    if (e->kind == TERN_EXP_ITEM || e->kind == TERN_EXP_CONDITION)
        arg_counts(p->args ? p->args : "", e);
    if (e->kind == TERN_EXP_LOOKUP)
        e->style = p->args && strcmp(p->args, "query") == 0
                       ? TERN_LOOKUP_QUERY : TERN_LOOKUP_SINGLE_KEY;
    return 1;
}

/* Does `name` belong to the family `f` (f->name without its `*`)?  A
 * prefix ending in `_` takes anything after it; acl_c and acl_m take a
 * digit or `_` first, as Exim's ACL variables do. */
static int
in_family(const struct kentry *f, const char *name, size_t len)
{
    if (len <= f->len || memcmp(name, f->name, f->len) != 0)
        return 0;
    if (f->len == 0 || f->name[f->len - 1] == '_')
        return 1;
    return isdigit((unsigned char)name[f->len]) || name[f->len] == '_';
}

/* The entry for (kind, name), an installed one if there is one. */
static const struct kentry *
find(const struct cc_known *k, unsigned kind, const char *name, size_t len)
{
    size_t lo = 0, hi = k->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct kentry *e = &k->v[mid];
        int r = e->kind != kind ? (e->kind < kind ? -1 : 1)
                                : name_cmp(e->name, e->len, name, len);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct kentry *any = NULL;
    if (lo < k->n && k->v[lo].kind == kind &&
        name_cmp(k->v[lo].name, k->v[lo].len, name, len) == 0) {
        if (k->v[lo].installed)
            return &k->v[lo];
        any = &k->v[lo];
    }
    if (kind != TERN_EXP_VARIABLE)
        return any;
    for (size_t i = 0; i < k->n_fam; i++) {
        if (!in_family(&k->fam[i], name, len))
            continue;
        if (k->fam[i].installed)
            return &k->fam[i];
        if (any == NULL)
            any = &k->fam[i];
    }
    return any;
}

/* The struct tern_exp_schema callback. */
static int
known(void *arg, unsigned kind, const char *name, size_t len,
      struct tern_exp_known *info)
{
    struct cc_known *k = arg;
    const struct kentry *e = find(k, kind, name, len);

    if (e != NULL && e->installed) {
        info->min_args = e->min;
        info->max_args = e->max;
        info->lookup_style = e->style;
        k->miss_kind = 0;
        return 1;
    }
    k->miss_kind = kind;
    k->miss_name = name;
    k->miss_len = len;
    k->miss_owner = e != NULL ? e->owner : NULL;
    return 0;
}

void
cc_exp_init(struct cc_ctx *c)
{
    const struct tern_schema_set *set = c->set;
    struct cc_known *k = tern_alloc(c->a, sizeof *k);
    size_t cap = 0, cap_fam = 0;
    struct kentry e;

    for (size_t i = 0; set != NULL && i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];
        int inst = set->installed == NULL || set->installed[i];
        for (size_t j = 0; j < s->n_provides; j++) {
            if (!make_entry(&s->provides[j], s, inst, &e))
                continue;
            if (e.kind == TERN_EXP_VARIABLE && e.len > 1 &&
                e.name[e.len - 1] == '*') {
                e.len--;
                *CC_PUSH(c, k->fam, k->n_fam, cap_fam) = e;
            } else {
                *CC_PUSH(c, k->v, k->n, cap) = e;
            }
        }
    }
    if (k->n > 1)
        qsort(k->v, k->n, sizeof *k->v, entry_cmp);
    c->known = k;
    c->exp_schema.known = known;
    c->exp_schema.arg = k;
}

/* ---- positions ---------------------------------------------------------- */

/* Where the escape starting with the backslash at t[i] ends (ccutil.c's
 * rules for quoted values). */
static size_t
escape_end(const char *t, size_t i, size_t end)
{
    size_t p = i + 1, n = 0;

    if (p >= end)
        return p;
    if (t[p] >= '0' && t[p] <= '7') {
        while (n < 3 && p < end && t[p] >= '0' && t[p] <= '7') {
            p++;
            n++;
        }
        return p;
    }
    if (t[p] == 'x' && p + 1 < end && isxdigit((unsigned char)t[p + 1])) {
        p++;
        while (n < 2 && p < end && isxdigit((unsigned char)t[p])) {
            p++;
            n++;
        }
        return p;
    }
    return p + 1;
}

/* Offset in the logical line of byte `o` of the text of the value at
 * [off, off + len): the same place when the value is not quoted, else
 * found by walking the escapes. */
static size_t
line_offset(const struct cc_line *l, size_t off, size_t len, int quoted,
            size_t o)
{
    const char *t = l->text;
    size_t i = off + 1, end = off + len, n = 0;

    if (!quoted)
        return off + o;
    while (i < end && t[i] != '"' && n < o) {
        i = t[i] == '\\' ? escape_end(t, i, end) : i + 1;
        n++;
    }
    return i;
}

/* How much to underline at `at`: `$name`, `${name`, a word, or one
 * character. */
static size_t
token_len(const char *t, size_t at, size_t end)
{
    size_t i = at;

    if (i < end && t[i] == '$') {
        i++;
        if (i < end && t[i] == '{')
            i++;
    }
    while (i < end && (isalnum((unsigned char)t[i]) || t[i] == '_'))
        i++;
    return i > at ? i - at : 1;
}

/* ---- reports ------------------------------------------------------------ */

/* Does the parser's message quote the name the callback last refused
 * ("name" or "${name")? */
static int
mentions(const char *msg, const char *name, size_t len)
{
    for (const char *p = strchr(msg, '"'); p != NULL;
         p = strchr(p + 1, '"')) {
        const char *q = strncmp(p + 1, "${", 2) == 0 ? p + 3 : p + 1;
        if (strncmp(q, name, len) == 0 && q[len] == '"')
            return 1;
    }
    return 0;
}

static const char *
suggest(struct cc_ctx *c, unsigned kind, const char *name, size_t len)
{
    const char *pk = kind == TERN_EXP_VARIABLE ? "variable"
                   : kind == TERN_EXP_LOOKUP ? "lookup" : NULL;
    const char *s;

    if (pk == NULL)
        return NULL;
    char *n = tern_strndup(c->a, name, len);
    s = tern_schema_suggest_provide(c->set, pk, n);
    if (s == NULL || s[strlen(s) - 1] == '*')
        return NULL;            /* a family is no spelling to suggest */
    /* Short names are a few edits from many others: only close ones. */
    size_t d = tern_edit_distance(n, s);
    if (d > 1 && (d > 2 || len < 6) && strncmp(s, n, len) != 0)
        return NULL;
    return cc_did_you_mean(c, s);
}

/* Report `err`, found at byte `t_off` of the value's text. */
static void
report(struct cc_ctx *c, const struct cc_line *l, size_t off, size_t len,
       int quoted, size_t t_off, const char *what,
       const struct tern_exp_error *err)
{
    const struct cc_known *k = c->known;
    size_t at = line_offset(l, off, len, quoted, t_off);
    size_t ul = token_len(l->text, at, off + len);
    int named = k->miss_kind != 0 &&
                mentions(err->msg, k->miss_name, k->miss_len);
    const struct tern_schema *s = k->miss_owner;

    if (named && s != NULL) {
        cc_error(c, l, at, ul,
                 s->package ? tern_printf(c->a, "install package %s",
                                          s->package)
                            : tern_printf(c->a, "install the %s module",
                                          s->module),
                 "%s '%.*s' is provided by module %s, which is not "
                 "installed", kind_noun(k->miss_kind), (int)k->miss_len,
                 k->miss_name, s->module);
        return;
    }
    cc_error(c, l, at, ul,
             named ? suggest(c, k->miss_kind, k->miss_name, k->miss_len)
                   : NULL,
             "invalid expansion in %s: %s", what, err->msg);
}

/* ---- entry points ------------------------------------------------------- */

int
cc_exp_needed(const char *text)
{
    return text != NULL && strpbrk(text, "$\\") != NULL;
}

const struct tern_exp *
cc_exp_parse(struct cc_ctx *c, const char *text, struct tern_exp_error *err)
{
    struct tern_exp *e = NULL;
    struct tern_exp_error dummy;

    if (err == NULL)
        err = &dummy;
    memset(err, 0, sizeof *err);
    c->known->miss_kind = 0;
    if (!cc_exp_needed(text))
        return NULL;
    if (tern_exp_parse(c->a, text, strlen(text), &c->exp_schema, 0, &e,
                       err) != 0) {
        if (err->msg == NULL)
            err->msg = "expansion parse failed";
        return NULL;
    }
    return e;
}

int
cc_exp_value(struct cc_ctx *c, const struct cc_line *l, size_t off,
             size_t len, int quoted, const char *text, const char *what,
             const struct tern_exp **out)
{
    struct tern_exp_error err;

    *out = cc_exp_parse(c, text, &err);
    if (*out != NULL || err.msg == NULL)
        return 0;
    report(c, l, off, len, quoted, err.offset, what, &err);
    return -1;
}

/* The router option `set`: a list (`;` unless changed) of `name = value`
 * whose values Exim expands one by one when the router runs.  Each value
 * is checked; the option keeps no expression, since it is not one
 * string.  Positions are exact unless a doubled separator precedes the
 * error in its item. */
void
cc_exp_router_set(struct cc_ctx *c, const struct cc_line *l, size_t off,
                  size_t len, int quoted, const char *text, const char *who)
{
    struct tern_list_iter it;
    struct tern_exp_error err;
    char item[4096];
    int too_long = 0;

    tern_list_start(&it, text, ';');
    for (;;) {
        const char *start = it.p;
        if (tern_list_next(&it, item, sizeof item, &too_long) == NULL)
            break;
        const char *eq = strchr(item, '=');
        if (eq == NULL)
            continue;
        size_t base = (size_t)(start - text), v = (size_t)(eq + 1 - item);
        while (text[base] == ' ' || text[base] == '\t')
            base++;
        while (item[v] == ' ' || item[v] == '\t')
            v++;
        if (cc_exp_parse(c, item + v, &err) == NULL && err.msg != NULL)
            report(c, l, off, len, quoted, base + v + err.offset,
                   tern_printf(c->a, "option 'set' of %s", who), &err);
    }
}
