/*
 * NAME
 *   expand_lookup.c - ${lookup}: type specifications, partial matching,
 *   defaults, dispatch to the host
 *
 * SYNOPSIS
 *   ${lookup{key} partial2-lsearch*@,ret=key {file} {yes}{no}}
 *   ${lookup dnsdb{mx=example.com}{yes}{no}}
 *
 * DESCRIPTION
 *   The type word is "[partialN-|partialN(prefix)]name[*|*@][,options]".
 *   exp_lookup_spec() splits it; the parser uses it to check the word and
 *   the evaluator to run it, so both agree by construction.
 *
 *   Partial matching and the `*` and `*@` defaults are done here, by
 *   calling the host's lookup hook once per candidate key: the key
 *   itself, then the prefix followed by the key with leading components
 *   removed one at a time while at least N remain, then (partial0) the
 *   prefix alone or shortened, then `*@domain`, then `*`.  A lookup
 *   module only ever sees one exact key.  While the yes-string of a
 *   partial match is expanded, $1 holds the part of the key the wildcard
 *   covered and $2 the rest.  ret=key makes the result the key itself.
 *
 * DIAGNOSTICS
 *   A lookup that defers makes the expansion defer (TERN_EXP_DEFER); a
 *   hook error is an expansion error.
 */
#include "config.h"

#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

int exp_lookup_spec(struct xs s, struct exp_lookup_spec *spec,
                    const char **why)
{
    const char *p = s.p, *end = s.p + s.len;

    memset(spec, 0, sizeof *spec);
    spec->partial = -1;
    spec->prefix = xs_make("*.", 2);
    spec->options = xs_make("", 0);
    if (end - p >= 7 && memcmp(p, "partial", 7) == 0) {
        p += 7;
        spec->partial = 2;
        if (p < end && x_digit((unsigned char)*p)) {
            spec->partial = 0;
            while (p < end && x_digit((unsigned char)*p))
                if ((spec->partial = spec->partial * 10 + (*p++ - '0')) > 999)
                    goto bad;
        }
        if (p < end && *p == '-') {
            p++;
        } else if (p < end && *p == '(') {
            const char *q = ++p;
            while (q < end && *q != ')') {
                if (x_alnum((unsigned char)*q) || x_space((unsigned char)*q))
                    goto bad;
                q++;
            }
            if (q >= end)
                goto bad;
            spec->prefix = xs_make(p, (size_t)(q - p));
            p = q + 1;
        } else {
            goto bad;
        }
    }
    /* The name runs to a star or comma (so "lsearch-" is an unknown
     * name); after the star, anything up to a comma is ignored, as Exim
     * ignores it. */
    const char *ns = p;
    while (p < end && *p != '*' && *p != ',')
        p++;
    if (p == ns)
        goto bad;
    spec->name = xs_make(ns, (size_t)(p - ns));
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
    if (p < end && *p == ',') {
        p++;
        spec->options = xs_make(p, (size_t)(end - p));
        /* ret=key is ours; the rest is the lookup's business. */
        for (const char *o = p; o < end;) {
            const char *e = memchr(o, ',', (size_t)(end - o));
            if (!e)
                e = end;
            if (xs_eq(xs_make(o, (size_t)(e - o)), "ret=key"))
                spec->ret_key = 1;
            o = e + (e < end);
        }
        p = end;
    }
    if (p != end)
        goto bad;
    return 0;
bad:
    *why = "format error";
    return -1;
}

struct lk {
    struct ev *v;
    uint32_t node;
    struct tern_exp_lookup_req req;
    struct xs result;
    int single;                 /* an empty single key never matches */
};

/* One call of the hook: 1 found, 0 not found, -1 failed. */
static int try_key(struct lk *k, const char *key, size_t len)
{
    struct ev *v = k->v;
    char *res = NULL;
    size_t rlen = 0;
    const char *err = NULL;

    if (len == 0 && k->single)
        return 0;
    k->req.key = key;
    k->req.key_len = len;
    int rc = v->env->lookup(v->env->arg, &k->req, v->a, &res, &rlen, &err);
    switch (rc) {
    case TERN_OK:
        k->result = xs_make(res ? res : "", res ? rlen : 0);
        return 1;
    case TERN_FAIL:
        return 0;
    case TERN_DEFER:
        return ev_fail(v, TERN_EXP_DEFER, k->node, "lookup of \"%.*s\" "
                       "deferred%s%s", (int)len, key, err ? ": " : "",
                       err ? err : "");
    default:
        return ev_fail(v, TERN_EXP_ERROR, k->node, "%s", err ? err :
                       "lookup failed");
    }
}

static int try_cat(struct lk *k, struct xs a, struct xs b)
{
    char *s = tern_alloc(k->v->a, a.len + b.len + 1);
    memcpy(s, a.p, a.len);
    memcpy(s + a.len, b.p, b.len);
    return try_key(k, s, a.len + b.len);
}

/* The partial sequence after the exact key failed.  *wild and *rest
 * receive the split of the key for $1 and $2. */
static int try_partial(struct lk *k, const struct exp_lookup_spec *sp,
                       struct xs key, struct xs *wild, struct xs *rest)
{
    size_t comps = 1;
    for (size_t i = 0; i < key.len; i++)
        comps += key.p[i] == '.';
    size_t off = 0;
    for (size_t left = comps; left >= 1 && (long)left >= sp->partial;
         left--) {
        struct xs tail = xs_make(key.p + off, key.len - off);
        int r = try_cat(k, sp->prefix, tail);
        if (r != 0) {
            *wild = xs_make(key.p, off ? off - 1 : 0);
            *rest = tail;
            return r;
        }
        const char *dot = memchr(tail.p, '.', tail.len);
        if (!dot)
            break;
        off = (size_t)(dot - key.p) + 1;
    }
    if (sp->partial != 0 || sp->prefix.len == 0)
        return 0;
    struct xs last = sp->prefix;
    if (last.len > 1 && last.p[last.len - 1] == '.')
        last.len--;
    int r = try_key(k, last.p, last.len);
    if (r > 0) {
        *wild = key;
        *rest = xs_make("", 0);
    }
    return r;
}

static int single(struct lk *k, const struct exp_lookup_spec *sp,
                  struct xs key, struct xs *wild, struct xs *rest)
{
    int r = try_key(k, key.p, key.len);
    if (r != 0)
        return r;
    if (sp->partial >= 0 && (r = try_partial(k, sp, key, wild, rest)) != 0)
        return r;
    if (sp->star == 2) {
        const char *at = NULL;
        for (size_t i = 0; i < key.len; i++)
            if (key.p[i] == '@')
                at = key.p + i;
        if (at && (r = try_cat(k, xs_make("*", 1),
                               xs_make(at, key.len - (size_t)(at - key.p)))))
            return r;
    }
    if (sp->star)
        return try_key(k, "*", 1);
    return 0;
}

int ev_item_lookup(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct exp_lookup_spec sp;
    const char *why;
    struct xs key, file = xs_make("", 0);
    int is_single = (n->flags & NF_SINGLE) != 0;
    unsigned yes = is_single ? 2 : 1;

    if (exp_lookup_spec(ev_text(v, n->c, n->d), &sp, &why) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "bad lookup type");
    if (ev_str(v, ev_child(v, node, 0), &key) < 0)
        return -1;
    if (is_single && ev_str(v, ev_child(v, node, 1), &file) < 0)
        return -1;
    if (!v->env->lookup)
        return ev_fail(v, TERN_EXP_ERROR, node, "lookups are not available "
                       "here");
    struct lk k;
    memset(&k, 0, sizeof k);
    k.v = v;
    k.node = node;
    k.single = is_single;
    k.req.type = xs_dup(v->a, sp.name);
    k.req.options = xs_dup(v->a, sp.options);
    k.req.file = is_single ? file.p : NULL;
    struct xs wild = xs_make("", 0), rest = key;
    int found = is_single ? single(&k, &sp, key, &wild, &rest)
                          : try_key(&k, key.p, key.len);
    if (found < 0)
        return -1;
    if (found && sp.ret_key)
        k.result = key;

    struct xs saved_value = v->value, saved_nums[EXP_MAX_NUMVARS];
    unsigned saved_n = v->n_nums;
    memcpy(saved_nums, v->nums, sizeof saved_nums);
    if (found) {
        v->value = k.result;
        if (sp.partial >= 0) {
            v->nums[0] = key;
            v->nums[1] = wild;
            v->nums[2] = rest;
            v->n_nums = 3;
        }
    }
    int rc = ev_yesno(v, node, found, yes, k.result, out);
    v->value = saved_value;
    memcpy(v->nums, saved_nums, sizeof saved_nums);
    v->n_nums = saved_n;
    return rc;
}
