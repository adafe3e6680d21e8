/*
 * NAME
 *   expand_parse_item.c - parse ${item{...}} forms, ${op:...}, and
 *   conditions
 *
 * SYNOPSIS
 *   (called from expand_parse.c)
 *
 * DESCRIPTION
 *   Each built-in item has its own shape: `if` takes a condition and a
 *   yes/no tail, `lookup` a key, a type word and a file or query,
 *   `extract` an optional json word and a form that depends on whether
 *   its first argument is a number, `run` an option list and a command
 *   that is split into words before each word is parsed (as Exim splits
 *   it before expanding each argument).  Everything else is a fixed
 *   number of {} arguments.
 *
 *   Conditions: `!` any number of times, then a name (letters, digits and
 *   underscore, or one of = == < <= > >=), then what that condition
 *   takes.  The second argument of match_address, match_domain,
 *   match_local_part and match_ip is read with $ taken literally, because
 *   Exim does not expand it.
 *
 * DIAGNOSTICS
 *   Errors name the item or condition and point at it; argument count
 *   errors point where the missing or extra argument is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expand_int.h"

/* n-th child (0-based) of node k, 0 when there are fewer. */
static uint32_t ps_child(const struct ps *p, uint32_t k, unsigned n)
{
    uint32_t c = p->nodes[k].b ? p->nodes[k].a : 0;
    while (c && n--)
        c = p->nodes[c].next;
    return c;
}

/* Generic {}-arguments: at least min, at most max. */
static int ps_args(struct ps *p, uint32_t k, uint32_t *last, unsigned min,
                   unsigned max, const char *name)
{
    unsigned got = 0;
    while (got < max) {
        int r = ps_arg(p, 0, k, last);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got++;
    }
    if (got < min)
        return ps_error(p, p->i, "not enough arguments for '%s' (min is %u)",
                        name, min);
    ps_skip_space(p);
    if (ps_at(p, '{'))
        return ps_error(p, p->i, "too many arguments for '%s' (max is %u)",
                        name, max);
    return 0;
}

/* The tail of if, lookup, extract, listextract, run, env:
 *   [ {yes} [ {no} | fail ] ] }
 * `need` strings must already have been read for `fail` to be allowed. */
static int ps_yesno(struct ps *p, uint32_t k, uint32_t *last,
                    const char *name)
{
    int r = ps_arg(p, 0, k, last);
    if (r < 0)
        return -1;
    if (r == 0) {
        if (ps_at(p, '}')) {
            p->i++;
            return 0;
        }
        return ps_error(p, p->i, "'yes' part of \"%s\" did not start with "
                        "'{'", name);
    }
    r = ps_arg(p, 0, k, last);
    if (r < 0)
        return -1;
    if (r == 0 && p->i < p->n && x_alpha((unsigned char)p->s[p->i])) {
        uint32_t ws = p->i, wl = ps_name(p);
        if (!xs_eq(xs_make(p->s + ws, wl), "fail"))
            return ps_error(p, ws, "syntax error in \"%s\" item - \"fail\" "
                            "expected", name);
        p->nodes[k].flags |= NF_FAIL;
    }
    ps_skip_space(p);
    if (!ps_at(p, '}'))
        return ps_error(p, p->i, "\"%s\" item did not close with '}'", name);
    p->i++;
    return 0;
}

static int ps_need_arg(struct ps *p, uint32_t k, uint32_t *last,
                       unsigned mode, const char *what, const char *name)
{
    int r = ps_arg(p, mode, k, last);
    if (r == 0)
        return ps_error(p, p->i, "missing '{' for %s of \"%s\"", what, name);
    return r < 0 ? -1 : 0;
}

/* ---- lookup ---- */

static int ps_lookup(struct ps *p, uint32_t k, uint32_t *last)
{
    struct exp_lookup_spec spec;
    struct tern_exp_known info;
    const char *why;
    uint32_t off;

    ps_skip_space(p);
    int single = ps_at(p, '{');
    if (single && ps_need_arg(p, k, last, 0, "key", "lookup") < 0)
        return -1;
    ps_skip_space(p);
    uint32_t ts = p->i;
    while (p->i < p->n && p->s[p->i] != '{' &&
           !x_space((unsigned char)p->s[p->i]))
        p->i++;
    struct xs type = xs_make(p->s + ts, p->i - ts);
    if (type.len == 0 || type.p[0] == '}')
        return ps_error(p, ts, "missing lookup type");
    if (exp_lookup_spec(type, &spec, &why) < 0)
        return ps_error(p, ts, "%s in lookup type \"%.*s\"", why,
                        (int)type.len, type.p);
    if (!ps_known(p, TERN_EXP_LOOKUP, spec.name.p, spec.name.len, &info))
        return ps_error(p, ts, "unknown lookup type \"%.*s\"",
                        (int)spec.name.len, spec.name.p);
    if (single && info.lookup_style == 2)
        return ps_error(p, ts, "a single key was given for lookup type "
                        "\"%.*s\", which is not a single-key lookup type",
                        (int)spec.name.len, spec.name.p);
    if (!single && info.lookup_style != 2)
        return ps_error(p, ts, "missing {key} for single-key \"%.*s\" "
                        "lookup", (int)spec.name.len, spec.name.p);
    if (!single && (spec.star || spec.partial >= 0))
        return ps_error(p, ts, "partial matching and defaults using \"*\" "
                        "or \"*@\" are not permitted for lookup type "
                        "\"%.*s\"", (int)type.len, type.p);
    if (ps_text(p, type.p, type.len, &off) < 0)
        return -1;
    p->nodes[k].c = off;
    p->nodes[k].d = (uint32_t)type.len;
    if (single)
        p->nodes[k].flags |= NF_SINGLE;
    if (ps_need_arg(p, k, last, 0, single ? "file" : "query", "lookup") < 0)
        return -1;
    return ps_yesno(p, k, last, "lookup");
}

/* ---- extract ---- */

static int numeric_key(struct xs s)
{
    s = xs_trim(s);
    if (s.len && s.p[0] == '-') {
        s.p++;
        s.len--;
    }
    if (!s.len)
        return 0;
    for (size_t i = 0; i < s.len; i++)
        if (!x_digit((unsigned char)s.p[i]))
            return 0;
    return 1;
}

static int ps_extract(struct ps *p, uint32_t k, uint32_t *last)
{
    struct tern_exp_node *n;
    unsigned got = 0;

    ps_skip_space(p);
    if (p->i < p->n && x_alpha((unsigned char)p->s[p->i])) {
        uint32_t ws = p->i;
        struct xs w = xs_make(p->s + ws, ps_name(p));
        if (xs_eq(w, "json"))
            p->nodes[k].flags |= NF_JSON;
        else if (xs_eq(w, "jsons"))
            p->nodes[k].flags |= NF_JSON | NF_JSONS;
        else
            return ps_error(p, ws, "unknown extract variant \"%.*s\"",
                            (int)w.len, w.p);
    }
    for (; got < 5; got++) {
        int r = ps_arg(p, 0, k, last);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
    }
    int fail = 0;
    if (p->i < p->n && x_alpha((unsigned char)p->s[p->i])) {
        uint32_t ws = p->i;
        if (!xs_eq(xs_make(p->s + ws, ps_name(p)), "fail"))
            return ps_error(p, ws, "syntax error in \"extract\" item - "
                            "\"fail\" expected");
        fail = 1;
    }
    n = &p->nodes[k];
    if (fail)
        n->flags |= NF_FAIL;
    struct xs key;
    unsigned lo = 2, hi = 5, fail_at = 0;
    if (got >= 1 && ps_const_arg(p, n->a, &key)) {
        if (n->flags & NF_JSON) {
            hi = 4;
            fail_at = 3;
        } else if (numeric_key(key)) {
            n->flags |= NF_NUMERIC;
            lo = 3;
            fail_at = 4;
        } else {
            if (xs_trim(key).len == 0)
                return ps_error(p, p->nodes[n->a].src, "first argument of "
                                "\"extract\" must not be empty");
            n->flags |= NF_NAMED;
            hi = 4;
            fail_at = 3;
        }
    } else if (n->flags & NF_JSON) {
        hi = 4;
        fail_at = 3;
    }
    if (got < lo)
        return ps_error(p, p->i, "missing '{' for arg %u of extract",
                        got + 1);
    if (got > hi)
        return ps_error(p, p->i, "too many arguments for extract");
    if (fail && (fail_at ? got != fail_at : (got != 3 && got != 4)))
        return ps_error(p, p->i, "\"fail\" misplaced in extract");
    return ps_close(p, "extract");
}

/* ---- run ---- */

/* Parse source range [ws, we) of the current source as one string. */
static int ps_word_verbatim(struct ps *p, uint32_t k, uint32_t *last,
                            uint32_t ws, uint32_t we)
{
    uint32_t save_n = p->n, seq;
    p->n = we;
    p->i = ws;
    int rc = ps_string(p, PS_TOP, &seq);
    p->n = save_n;
    if (rc < 0)
        return -1;
    ps_link(p, k, seq, last);
    return 0;
}

/* Parse a double-quoted word after dequoting it; its nodes all point at
 * the word's start, since their text no longer matches the source. */
static int ps_word_quoted(struct ps *p, uint32_t k, uint32_t *last,
                          uint32_t *j, uint32_t end)
{
    uint32_t ws = *j, nn0 = p->nn, seq;
    char *buf = tern_alloc(p->a, end - ws + 1);
    size_t bl = 0;

    p->i = ws + 1;
    while (p->i < end && p->s[p->i] != '"') {
        if (p->s[p->i] == '\\' && p->i + 1 < end) {
            p->i++;
            buf[bl++] = ps_escape(p);
        } else {
            buf[bl++] = p->s[p->i++];
        }
    }
    *j = p->i < end ? p->i + 1 : end;
    const char *save_s = p->s;
    uint32_t save_n = p->n;
    p->s = buf;
    p->n = (uint32_t)bl;
    p->i = 0;
    int rc = ps_string(p, PS_TOP, &seq);
    p->s = save_s;
    p->n = save_n;
    if (rc < 0) {
        p->err_off = ws;
        return -1;
    }
    for (uint32_t q = nn0; q < p->nn; q++) {
        p->nodes[q].src = ws;
        if (p->nodes[q].type == EN_LIT)
            p->nodes[q].flags &= (uint8_t)~NF_VERBATIM;
    }
    ps_link(p, k, seq, last);
    return 0;
}

static int ps_run_words(struct ps *p, uint32_t k, uint32_t *last,
                        uint32_t start, uint32_t end)
{
    uint32_t j = start, words = 0;
    while (j < end) {
        while (j < end && x_space((unsigned char)p->s[j]))
            j++;
        if (j >= end)
            break;
        int rc;
        if (p->s[j] == '"') {
            rc = ps_word_quoted(p, k, last, &j, end);
        } else if (p->s[j] == '\'') {
            uint32_t ws = ++j;
            while (j < end && p->s[j] != '\'')
                j++;
            rc = ps_word_verbatim(p, k, last, ws, j);
            if (j < end)
                j++;
        } else {
            uint32_t ws = j;
            while (j < end && !x_space((unsigned char)p->s[j]))
                j++;
            rc = ps_word_verbatim(p, k, last, ws, j);
        }
        if (rc < 0)
            return -1;
        words++;
    }
    p->nodes[k].c = words;
    return 0;
}

static int ps_run(struct ps *p, uint32_t k, uint32_t *last)
{
    if (ps_at(p, ',')) {
        p->i++;
        while (p->i < p->n && (x_alnum((unsigned char)p->s[p->i]) ||
                               p->s[p->i] == '_' || p->s[p->i] == ',')) {
            uint32_t ws = p->i;
            while (p->i < p->n && p->s[p->i] != ',' &&
                   (x_alnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_'))
                p->i++;
            struct xs w = xs_make(p->s + ws, p->i - ws);
            if (xs_eq(w, "preexpand"))
                p->nodes[k].flags |= NF_PREEXP;
            else if (w.len)
                return ps_error(p, ws, "bad option '%.*s' for run",
                                (int)w.len, w.p);
            if (ps_at(p, ','))
                p->i++;
        }
    }
    ps_skip_space(p);
    if (!ps_at(p, '{'))
        return ps_error(p, p->i, "missing '{' for command of \"run\"");
    if (p->nodes[k].flags & NF_PREEXP) {
        if (ps_need_arg(p, k, last, 0, "command", "run") < 0)
            return -1;
        p->nodes[k].c = 1;
    } else {
        /* Find the end of the command as one string, drop what that
         * built, then parse each word on its own. */
        uint32_t cs = ++p->i, nn0 = p->nn, tl0 = p->tlen, seq;
        if (ps_string(p, PS_BRACE, &seq) < 0)
            return -1;
        uint32_t ce = p->i;
        p->nn = nn0;
        p->tlen = tl0;
        if (ps_run_words(p, k, last, cs, ce) < 0)
            return -1;
        p->i = ce + 1;
    }
    return ps_yesno(p, k, last, "run");
}

/* ---- filter, sort ---- */

static int ps_braced_cond(struct ps *p, uint32_t k, uint32_t *last,
                          const char *name)
{
    uint32_t c;
    ps_skip_space(p);
    if (!ps_at(p, '{'))
        return ps_error(p, p->i, "missing '{' for condition of \"%s\"",
                        name);
    p->i++;
    if (ps_cond(p, &c) < 0)
        return -1;
    ps_skip_space(p);
    if (!ps_at(p, '}'))
        return ps_error(p, p->i, "missing '}' after condition of \"%s\"",
                        name);
    p->i++;
    ps_link(p, k, c, last);
    return 0;
}

static int ps_sort(struct ps *p, uint32_t k, uint32_t *last)
{
    static const unsigned ok[] = {
        CO_NUM_LT, CO_NUM_LE, CO_NUM_GT, CO_NUM_GE, CO_LT,
        CO_LTI, CO_LE, CO_LEI, CO_GT, CO_GTI, CO_GE, CO_GEI
    };
    if (ps_need_arg(p, k, last, 0, "list", "sort") < 0)
        return -1;
    ps_skip_space(p);
    if (!ps_at(p, '{'))
        return ps_error(p, p->i, "missing '{' for comparator of \"sort\"");
    p->i++;
    ps_skip_space(p);
    uint32_t cs = p->i;
    if (p->i < p->n && x_alpha((unsigned char)p->s[p->i]))
        ps_name(p);
    else
        while (p->i < p->n && strchr("=<>", p->s[p->i]) && p->s[p->i])
            p->i++;
    const struct exp_name *c = exp_find_cond(p->s + cs, p->i - cs);
    unsigned id = 0;
    for (size_t q = 0; c && q < sizeof ok / sizeof ok[0]; q++)
        if (ok[q] == c->id)
            id = c->id;
    if (!id)
        return ps_error(p, cs, "comparator \"%.*s\" not handled for sort",
                        (int)(p->i - cs), p->s + cs);
    ps_skip_space(p);
    if (!ps_at(p, '}'))
        return ps_error(p, p->i, "missing '}' after comparator of \"sort\"");
    p->i++;
    p->nodes[k].c = id;
    if (ps_need_arg(p, k, last, 0, "extractor", "sort") < 0)
        return -1;
    return ps_close(p, "sort");
}

int ps_item(struct ps *p, const struct exp_name *it, uint32_t start,
            uint32_t *out)
{
    uint32_t k = ps_node(p, EN_ITEM, start), last = 0, c;
    if (!k)
        return -1;
    p->nodes[k].op = (uint16_t)it->id;
    *out = k;
    switch (it->id) {
    case IT_IF:
        if (ps_cond(p, &c) < 0)
            return -1;
        ps_link(p, k, c, &last);
        return ps_yesno(p, k, &last, "if");
    case IT_LOOKUP:
        return ps_lookup(p, k, &last);
    case IT_EXTRACT:
        return ps_extract(p, k, &last);
    case IT_RUN:
        return ps_run(p, k, &last);
    case IT_SORT:
        return ps_sort(p, k, &last);
    case IT_FILTER:
        if (ps_need_arg(p, k, &last, 0, "list", "filter") < 0 ||
            ps_braced_cond(p, k, &last, "filter") < 0)
            return -1;
        return ps_close(p, "filter");
    case IT_LISTEXTRACT:
        if (ps_need_arg(p, k, &last, 0, "number", "listextract") < 0 ||
            ps_need_arg(p, k, &last, 0, "list", "listextract") < 0)
            return -1;
        return ps_yesno(p, k, &last, "listextract");
    case IT_ENV:
        if (ps_need_arg(p, k, &last, 0, "name", "env") < 0)
            return -1;
        return ps_yesno(p, k, &last, "env");
    default:
        if (ps_args(p, k, &last, it->min, it->max, it->name) < 0)
            return -1;
        if (it->id == IT_SG && ps_regex(p, ps_child(p, k, 1)) < 0)
            return -1;
        return ps_close(p, it->name);
    }
}
