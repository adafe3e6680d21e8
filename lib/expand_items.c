/*
 * NAME
 *   expand_items.c - the ${item{..}} forms that work on plain strings
 *
 * SYNOPSIS
 *   rc = ev_item(v, node, out);        dispatches every built-in item
 *
 * DESCRIPTION
 *   if, sg, length, substr, hash, nhash, hmac, tr, listquote, env and
 *   extract live here; list items are in expand_lists.c, lookup in
 *   expand_lookup.c, readfile, readsocket and run in expand_io.c.
 *
 *   Numeric arguments of length, substr, hash and nhash are read as
 *   Exim reads them (strtol: leading blanks and a sign allowed, nothing
 *   after the digits), and must be positive where Exim says so.  ${hash}
 *   folds the bytes after the first n into the first n with a
 *   position-dependent rotation and maps each result byte onto the
 *   first m of 62 letters and digits; ${nhash} weights the bytes with
 *   descending primes.  Both reproduce Exim's values exactly, which was
 *   checked against Exim 4.96.
 *
 * DIAGNOSTICS
 *   "is not a number", "is not a positive number", "hash count too big".
 */
#include "config.h"

#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

/* Exim's table, with its t and s the other way round (checked against
 * Exim 4.96; the hash values depend on it). */
static const char hashcodes[] =
    "abcdefghijklmnopqrtsuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Evaluate the first `n` children into s[]. */
static int ev_args(struct ev *v, uint32_t node, unsigned n, struct xs *s)
{
    for (unsigned k = 0; k < n; k++) {
        uint32_t c = ev_child(v, node, k);
        if (!c) {
            s[k] = xs_make("", 0);
            continue;
        }
        if (ev_str(v, c, &s[k]) < 0)
            return -1;
    }
    return 0;
}

static int item_num(struct ev *v, uint32_t node, struct xs s, int positive,
                    const char *name, long long *out)
{
    if (exp_dec(s, out) < 0 || (positive && *out < 0))
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not a %snumber "
                       "(in \"%s\" expansion)", xs_dup(v->a, s),
                       positive ? "positive " : "", name);
    return 0;
}

/* Exim's substr arithmetic, shared with the operator form. */
void exp_substr(struct xs s, long long start, long long len, int has_len,
                struct xb *out)
{
    long long sl = (long long)s.len;
    if (start >= 0) {
        if (start >= sl)
            return;
        if (!has_len || len > sl - start)
            len = sl - start;
    } else {
        long long pos = sl + start;
        if (!has_len) {
            len = pos > 0 ? pos : 0;
            pos = 0;
        } else if (pos < 0) {
            len += pos;
            pos = 0;
        }
        start = pos;
        if (len > sl - start)
            len = sl - start;
    }
    if (len > 0)
        xb_add(out, s.p + start, (size_t)len);
}

int exp_hash(struct ev *v, uint32_t node, struct xs s, long long n,
             long long m, struct xb *out)
{
    if (m > (long long)sizeof hashcodes - 1)
        return ev_fail(v, TERN_EXP_ERROR, node, "hash count \"%lld\" too big",
                       m);
    if (m <= 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "hash count \"%lld\" too "
                       "small", m);
    if (n < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "hash length \"%lld\" "
                       "negative", n);
    if ((size_t)n >= s.len) {
        xb_add(out, s.p, s.len);
        return 0;
    }
    unsigned char *h = tern_alloc(v->a, (size_t)n + 1);
    if (n == 0)
        return 0;
    memcpy(h, s.p, (size_t)n);
    size_t i = 0;
    for (size_t j = (size_t)n; j < s.len; j++) {
        unsigned c = (unsigned char)s.p[j];
        unsigned sh = (c + (unsigned)j) & 7;
        h[i] ^= (unsigned char)((c << sh) | (c >> (8 - sh)));
        if (++i >= (size_t)n)
            i = 0;
    }
    for (i = 0; i < (size_t)n; i++)
        xb_addc(out, hashcodes[h[i] % (unsigned)m]);
    return 0;
}

int exp_nhash(struct ev *v, uint32_t node, struct xs s, long long n,
              long long m, int has_m, struct xb *out)
{
    static const unsigned primes[] = {
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61,
        67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113
    };
    unsigned total = 0, i = 0;
    if (n <= 0 || (has_m && m <= 0))
        return ev_fail(v, TERN_EXP_ERROR, node, "nhash divisor must be "
                       "positive");
    for (size_t k = 0; k < s.len; k++) {
        if (i == 0)
            i = sizeof primes / sizeof primes[0] - 1;
        total += primes[i--] * (unsigned char)s.p[k];
    }
    if (!has_m) {
        xb_addf(out, "%u", (unsigned)(total % (unsigned long long)n));
        return 0;
    }
    unsigned long long t = total % ((unsigned long long)n *
                                    (unsigned long long)m);
    xb_addf(out, "%llu/%llu", t / (unsigned long long)m,
            t % (unsigned long long)m);
    return 0;
}

static int it_numeric(struct ev *v, uint32_t node, unsigned id,
                      struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct xs s[3];
    long long a = 0, b = 0;
    unsigned argc = n->b;
    if (argc < 2 || argc > 3)
        return ev_fail(v, TERN_EXP_ERROR, node, "bad argument count");
    if (ev_args(v, node, argc, s) < 0)
        return -1;
    struct xs subj = s[argc - 1];
    const char *name = exp_item_name(id);
    if (item_num(v, node, s[0], id != IT_SUBSTR, name, &a) < 0)
        return -1;
    if (argc == 3 && item_num(v, node, s[1], 1, name, &b) < 0)
        return -1;
    switch (id) {
    case IT_LENGTH:
        exp_substr(subj, 0, a, 1, out);
        return 0;
    case IT_SUBSTR:
        exp_substr(subj, a, b, argc == 3, out);
        return 0;
    case IT_HASH:
        return exp_hash(v, node, subj, a, argc == 3 ? b : 26, out);
    default:
        return exp_nhash(v, node, subj, a, b, argc == 3, out);
    }
}

static int it_if(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs saved_nums[EXP_MAX_NUMVARS];
    unsigned saved_n = v->n_nums;
    struct xs saved_value = v->value;
    memcpy(saved_nums, v->nums, sizeof saved_nums);

    int t = ev_cond(v, ev_child(v, node, 0));
    int rc = t < 0 ? -1 : ev_yesno(v, node, t, 1, xs_make("true", 4), out);

    memcpy(v->nums, saved_nums, sizeof saved_nums);
    v->n_nums = saved_n;
    v->value = saved_value;
    return rc;
}

static int it_tr(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs s[3];
    unsigned char map[256];
    if (ev_args(v, node, 3, s) < 0)
        return -1;
    for (int c = 0; c < 256; c++)
        map[c] = (unsigned char)c;
    if (s[2].len)
        for (size_t k = 0; k < s[1].len; k++)
            map[(unsigned char)s[1].p[k]] =
                (unsigned char)s[2].p[k < s[2].len ? k : s[2].len - 1];
    for (size_t k = 0; k < s[0].len; k++)
        xb_addc(out, (char)map[(unsigned char)s[0].p[k]]);
    return 0;
}

static int it_listquote(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs s[2];
    if (ev_args(v, node, 2, s) < 0)
        return -1;
    if (s[1].len == 0) {
        xb_addc(out, ' ');
        return 0;
    }
    int sep = s[0].len ? (unsigned char)s[0].p[0] : -1;
    for (size_t k = 0; k < s[1].len; k++) {
        xb_addc(out, s[1].p[k]);
        if ((unsigned char)s[1].p[k] == sep)
            xb_addc(out, s[1].p[k]);
    }
    return 0;
}

static int it_env(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs key;
    if (ev_str(v, ev_child(v, node, 0), &key) < 0)
        return -1;
    key = xs_trim(key);
    const char *val = NULL;
    int found = v->env->getenv &&
                v->env->getenv(v->env->arg, xs_dup(v->a, key), &val) ==
                    TERN_OK && val;
    struct xs saved = v->value;
    if (found)
        v->value = xs_make(val, strlen(val));
    int rc = ev_yesno(v, node, found, 1, v->value, out);
    v->value = saved;
    return rc;
}

static int it_hmac(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs s[3];
    if (ev_args(v, node, 3, s) < 0)
        return -1;
    return exp_hmac(v, node, s[0], s[1], s[2], out);
}

static int it_sg(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs s[3];
    if (ev_args(v, node, 3, s) < 0)
        return -1;
    return exp_sg(v, node, s[0], s[1], s[2], out);
}

int ev_item(struct ev *v, uint32_t node, struct xb *out)
{
    unsigned id = ev_node(v, node)->op;
    switch (id) {
    case IT_IF: return it_if(v, node, out);
    case IT_SG: return it_sg(v, node, out);
    case IT_LENGTH: case IT_SUBSTR: case IT_HASH: case IT_NHASH:
        return it_numeric(v, node, id, out);
    case IT_HMAC: return it_hmac(v, node, out);
    case IT_TR: return it_tr(v, node, out);
    case IT_LISTQUOTE: return it_listquote(v, node, out);
    case IT_ENV: return it_env(v, node, out);
    case IT_EXTRACT: return ev_item_extract(v, node, out);
    case IT_MAP: case IT_FILTER: case IT_REDUCE: case IT_SORT:
    case IT_LISTEXTRACT:
        return ev_item_lists(v, node, out);
    case IT_LOOKUP: return ev_item_lookup(v, node, out);
    case IT_READFILE: case IT_READSOCKET: case IT_RUN:
        return ev_item_io(v, node, out);
    default:
        return ev_fail(v, TERN_EXP_ERROR, node, "unknown item %u", id);
    }
}
