/*
 * NAME
 *   lookup_spec.c - lookup type specifications, partial matching and
 *   the `*` / `*@` defaults
 *
 * SYNOPSIS
 *   partial2-lsearch*@,ret=key     partial(.)dbm     lsearch*
 *
 * DESCRIPTION
 *   The type word is "[partialN-|partialN(prefix)]name[*|*@][,options]"
 *   (Exim's spec, 9.6 and 9.7).  The name runs to a star or a comma, so
 *   "lsearch-" is an unknown name; after the star anything up to a comma
 *   is ignored, as Exim ignores it.  "partial-" alone means partial2;
 *   the prefix in parentheses may hold any punctuation but `)`.
 *
 *   tern_lookup_single() tries, until one is found: the key itself; then
 *   (partial) the prefix followed by the key with leading components
 *   removed one at a time while at least N remain; then (partial0) the
 *   prefix alone, without its trailing dot if it has one; then for `*@`
 *   the key with everything before its last `@` replaced by `*`; then
 *   for `*` and `*@` the key `*`.  A lookup module only ever sees one
 *   exact key.  An empty key never matches (Exim's spec 9.2).  The
 *   split of the key reported for $1 and $2 follows what the 4.96
 *   binary does (lookup.h, struct tern_lookup_hit).
 *
 * DIAGNOSTICS
 *   tern_lookup_spec_parse() says "format error" for a bad word.
 */
#include "config.h"

#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "lookup.h"

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int is_alnum_or_space(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Read "partial[N](-|(prefix))"; p is after "partial".  NULL if bad. */
static const char *parse_partial(const char *p, const char *end,
                                 struct tern_lookup_spec *spec)
{
    spec->partial = 2;
    if (p < end && is_digit((unsigned char)*p)) {
        spec->partial = 0;
        while (p < end && is_digit((unsigned char)*p))
            if ((spec->partial = spec->partial * 10 + (*p++ - '0')) > 999)
                return NULL;
    }
    if (p < end && *p == '-')
        return p + 1;
    if (p >= end || *p != '(')
        return NULL;
    const char *q = ++p;
    while (q < end && *q != ')') {
        if (is_alnum_or_space((unsigned char)*q))
            return NULL;
        q++;
    }
    if (q >= end)
        return NULL;
    spec->prefix = p;
    spec->prefix_len = (size_t)(q - p);
    return q + 1;
}

int tern_lookup_spec_parse(const char *s, size_t len,
                           struct tern_lookup_spec *spec, const char **why)
{
    const char *p = s, *end = s + len;

    memset(spec, 0, sizeof *spec);
    spec->partial = -1;
    spec->prefix = "*.";
    spec->prefix_len = 2;
    spec->options = "";
    if (end - p >= 7 && memcmp(p, "partial", 7) == 0 &&
        (p = parse_partial(p + 7, end, spec)) == NULL)
        goto bad;
    const char *ns = p;
    while (p < end && *p != '*' && *p != ',')
        p++;
    if (p == ns)
        goto bad;
    spec->name = ns;
    spec->name_len = (size_t)(p - ns);
    if (p < end && *p == '*') {
        p++;
        spec->star = 1;
        if (p < end && *p == '@') {
            p++;
            spec->star = 2;
        }
        while (p < end && *p != ',')
            p++;
    }
    if (p < end) {              /* a comma: options to the end */
        p++;
        spec->options = p;
        spec->options_len = (size_t)(end - p);
        for (const char *o = p; o < end;) {
            const char *e = memchr(o, ',', (size_t)(end - o));
            if (!e)
                e = end;
            if (e - o == 7 && memcmp(o, "ret=key", 7) == 0)
                spec->ret_key = 1;
            o = e + (e < end);
        }
    }
    return 0;
bad:
    *why = "format error";
    return -1;
}

struct seq {
    struct tern_arena *a;
    tern_lookup_try_fn *try_fn;
    void *arg;
    struct tern_lookup_hit *hit;
};

/* One candidate: TERN_OK found, TERN_FAIL not, else an error. */
static int try_key(struct seq *q, const char *key, size_t len)
{
    if (len == 0)
        return TERN_FAIL;
    return q->try_fn(q->arg, key, len, &q->hit->result, &q->hit->rlen);
}

static int try_cat(struct seq *q, const char *a, size_t alen, const char *b,
                   size_t blen)
{
    char *s = tern_alloc(q->a, alen + blen + 1);

    memcpy(s, a, alen);
    memcpy(s + alen, b, blen);
    return try_key(q, s, alen + blen);
}

static void set_nums(struct tern_lookup_hit *hit, const char *wild,
                     size_t wild_len, const char *rest, size_t rest_len)
{
    hit->nums = 1;
    hit->wild = wild;
    hit->wild_len = wild_len;
    hit->rest = rest;
    hit->rest_len = rest_len;
}

/* The partial sequence after the exact key failed. */
static int try_partial(struct seq *q, const struct tern_lookup_spec *sp,
                       const char *key, size_t len)
{
    size_t comps = 1, off = 0;
    int rc;

    for (size_t i = 0; i < len; i++)
        comps += key[i] == '.';
    for (size_t left = comps; left >= 1 && (long)left >= sp->partial;
         left--) {
        /* With an empty prefix the first of these is the key itself,
         * which has been tried already. */
        rc = off == 0 && sp->prefix_len == 0
                 ? TERN_FAIL
                 : try_cat(q, sp->prefix, sp->prefix_len, key + off,
                           len - off);
        if (rc != TERN_FAIL) {
            set_nums(q->hit, key, off ? off - 1 : 0, key + off, len - off);
            return rc;
        }
        const char *dot = memchr(key + off, '.', len - off);
        if (!dot)
            break;
        off = (size_t)(dot - key) + 1;
    }
    if (sp->partial != 0 || sp->prefix_len == 0)
        return TERN_FAIL;
    size_t plen = sp->prefix_len;
    if (plen > 1 && sp->prefix[plen - 1] == '.')
        plen--;
    rc = try_key(q, sp->prefix, plen);
    if (rc != TERN_FAIL)
        set_nums(q->hit, key, len ? len - 1 : 0, key + len, 0);
    return rc;
}

int tern_lookup_single(const struct tern_lookup_spec *spec, const char *key,
                       size_t len, struct tern_arena *a,
                       tern_lookup_try_fn *try_fn, void *arg,
                       struct tern_lookup_hit *hit)
{
    struct seq q = { a, try_fn, arg, hit };
    int rc;

    memset(hit, 0, sizeof *hit);
    set_nums(hit, key, 0, key, len);
    hit->nums = spec->partial >= 0;
    if ((rc = try_key(&q, key, len)) != TERN_FAIL)
        return rc;
    if (spec->partial >= 0 &&
        (rc = try_partial(&q, spec, key, len)) != TERN_FAIL)
        return rc;
    if (spec->star == 2) {
        const char *at = NULL;
        for (size_t i = 0; i < len; i++)
            if (key[i] == '@')
                at = key + i;
        if (at && (rc = try_cat(&q, "*", 1, at,
                                len - (size_t)(at - key))) != TERN_FAIL) {
            set_nums(hit, key, (size_t)(at - key), key + len, 0);
            return rc;
        }
    }
    if (spec->star && (rc = try_key(&q, "*", 1)) != TERN_FAIL) {
        set_nums(hit, key, len, key + len, 0);
        return rc;
    }
    return TERN_FAIL;
}
