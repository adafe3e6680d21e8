/*
 * NAME
 *   expand_extract.c - ${extract}: named, numbered and JSON fields
 *
 * SYNOPSIS
 *   ${extract{key}{k1=v1 k2="v 2"}{yes}{no}}
 *   ${extract{2}{:,}{a:b,c}{yes}{no}}
 *   ${extract json{key}{\{"key":1\}}}   ${extract jsons{2}{\[1,"x"\]}}
 *
 * DESCRIPTION
 *   Named form: the subject is a sequence of `key = value` pairs in which
 *   the equals sign or the blanks around it may be left out; a value in
 *   double quotes may hold blanks and backslash escapes.  Keys compare
 *   without regard to case and the first one wins.
 *
 *   Numbered form: fields are separated by any of the separator
 *   characters, counted from 1, or from the end when negative; 0 is the
 *   whole subject.
 *
 *   JSON form: the subject must be an object (for a key) or an array
 *   (for a number); the raw text of the member is the result, without
 *   its quotes for `jsons`.  Values are skipped structurally (strings
 *   with escapes, nested objects and arrays), never by counting commas;
 *   Exim 4.96 is looser with malformed JSON (a comma inside a string
 *   ends a value there), which is not reproduced: malformed JSON is an
 *   error here.
 *
 *   Which form applies is known while parsing when the first argument
 *   is plain text; otherwise it is decided here from the expanded key.
 *
 * DIAGNOSTICS
 *   Empty key, JSON that is not wrapped as expected, argument shapes
 *   that fit neither form.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "expand_int.h"

/* Exim's quoted-string reader for extract values: backslash escapes as
 * in quoted configuration strings. */
static struct xs dequote(struct ev *v, const char **pp, const char *end)
{
    const char *p = *pp;
    if (p >= end || *p != '"') {
        const char *st = p;
        while (p < end && !x_space((unsigned char)*p))
            p++;
        *pp = p;
        return xs_make(st, (size_t)(p - st));
    }
    struct xb b;
    ev_xb(v, &b);
    p++;
    while (p < end && *p != '"') {
        if (*p == '\\' && p + 1 < end) {
            struct ps tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.s = p + 1;
            tmp.n = (uint32_t)(end - p - 1);
            xb_addc(&b, ps_escape(&tmp));
            p += 1 + tmp.i;
        } else {
            xb_addc(&b, *p++);
        }
    }
    if (p < end)
        p++;
    *pp = p;
    return xb_str(&b);
}

static int find_named(struct ev *v, struct xs key, struct xs s,
                      struct xs *val)
{
    const char *p = s.p, *end = s.p + s.len;
    while (p < end) {
        while (p < end && x_space((unsigned char)*p))
            p++;
        const char *k = p;
        while (p < end && !x_space((unsigned char)*p) && *p != '=')
            p++;
        struct xs dk = xs_make(k, (size_t)(p - k));
        while (p < end && x_space((unsigned char)*p))
            p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && x_space((unsigned char)*p))
                p++;
        }
        struct xs data = dequote(v, &p, end);
        if (dk.len == key.len) {
            size_t i = 0;
            while (i < key.len && x_lower((unsigned char)dk.p[i]) ==
                                      x_lower((unsigned char)key.p[i]))
                i++;
            if (i == key.len) {
                *val = data;
                return 1;
            }
        }
    }
    return 0;
}

static int find_numbered(long long field, struct xs seps, struct xs s,
                         struct xs *val)
{
    if (field == 0) {
        *val = s;
        return 1;
    }
    size_t nf = 1;
    for (size_t i = 0; i < s.len; i++)
        if (memchr(seps.p, s.p[i], seps.len))
            nf++;
    if (field < 0)
        field = (long long)nf + field + 1;
    if (field < 1 || (unsigned long long)field > nf)
        return 0;
    size_t k = 1, st = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i == s.len || memchr(seps.p, s.p[i], seps.len)) {
            if (k == (size_t)field) {
                *val = xs_make(s.p + st, i - st);
                return 1;
            }
            k++;
            st = i + 1;
        }
    }
    return 0;
}

/* ---- JSON ---- */

static const char *js_space(const char *p, const char *e)
{
    while (p < e && x_space((unsigned char)*p))
        p++;
    return p;
}

/* Skip one value; NULL on malformed input. */
static const char *js_value(const char *p, const char *e, unsigned depth)
{
    if (p >= e || depth > 64)
        return NULL;
    if (*p == '"') {
        for (p++; p < e && *p != '"'; p++)
            if (*p == '\\')
                p++;
        return p < e ? p + 1 : NULL;
    }
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = js_space(p + 1, e);
        while (p < e && *p != close) {
            if (!(p = js_value(p, e, depth + 1)))
                return NULL;
            p = js_space(p, e);
            if (p < e && (*p == ':' || *p == ','))
                p = js_space(p + 1, e);
        }
        return p < e ? p + 1 : NULL;
    }
    const char *st = p;
    while (p < e && *p != ',' && *p != '}' && *p != ']')
        p++;
    return p > st ? p : NULL;   /* no progress: malformed (and no loop) */
}

static const char *js_find(struct ev *v, uint32_t node, struct xs doc,
                           struct xs key, long long index, int by_index,
                           struct xs *out, int *found)
{
    const char *p = js_space(doc.p, doc.p + doc.len), *e = doc.p + doc.len;
    char open = by_index ? '[' : '{', close = by_index ? ']' : '}';
    *found = 0;
    if (p >= e || *p != open)
        return by_index ? "missing '[' wrapping array for extract json"
                        : "missing '{' wrapping object for extract json";
    while (e > p && x_space((unsigned char)e[-1]))
        e--;
    if (e[-1] != close)
        return by_index ? "missing ']' wrapping array for extract json"
                        : "missing '}' wrapping object for extract json";
    e--;
    p = js_space(p + 1, e);
    for (long long n = 1; p < e; n++) {
        struct xs name = xs_make("", 0);
        if (!by_index) {
            const char *ns = p, *ne = js_value(p, e, 0);
            if (*ns != '"' || !ne)
                return "bad member name for extract json";
            name = xs_make(ns + 1, (size_t)(ne - ns - 2));
            p = js_space(ne, e);
            if (p >= e || *p != ':')
                return "missing object value-separator for extract json";
            p = js_space(p + 1, e);
        }
        const char *vs = p, *ve = p < e && *p == ',' ? p : js_value(p, e, 0);
        if (!ve && p >= e)
            ve = e;             /* an empty last value, as Exim allows */
        if (!ve)
            return "malformed value for extract json";
        if (by_index ? n == index : (name.len == key.len &&
                                     memcmp(name.p, key.p, key.len) == 0)) {
            *out = xs_make(vs, (size_t)(ve - vs));
            *found = 1;
            return NULL;
        }
        p = js_space(ve, e);
        if (p < e && *p == ',')
            p = js_space(p + 1, e);
    }
    (void)v;
    (void)node;
    return NULL;
}

static int parse_field(struct xs s, long long *out)
{
    s = xs_trim(s);
    size_t i = s.len && s.p[0] == '-' ? 1 : 0;
    if (i == s.len)
        return -1;
    long long n = 0;
    for (; i < s.len; i++) {
        if (!x_digit((unsigned char)s.p[i]))
            return -1;
        if (n < 1000000000)
            n = n * 10 + (s.p[i] - '0');
    }
    *out = s.p[0] == '-' ? -n : n;
    return 0;
}

int ev_item_extract(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct xs key, subj, seps = xs_make("", 0), val = xs_make("", 0);
    long long field = 0;
    unsigned yes;
    int found;

    if (ev_str(v, ev_child(v, node, 0), &key) < 0)
        return -1;
    int numeric = !(n->flags & NF_NAMED) && parse_field(key, &field) == 0;
    if (n->flags & NF_JSON) {
        yes = 2;
        if (ev_str(v, ev_child(v, node, 1), &subj) < 0)
            return -1;
        if (numeric && field <= 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "first argument of "
                           "\"extract\" must be greater than zero");
        const char *err = js_find(v, node, subj, xs_trim(key), field,
                                  numeric, &val, &found);
        if (err)
            return ev_fail(v, TERN_EXP_ERROR, node, "%s", err);
        if (found && (n->flags & NF_JSONS) && val.len >= 2 &&
            val.p[0] == '"' && val.p[val.len - 1] == '"')
            val = xs_make(val.p + 1, val.len - 2);
    } else if (numeric) {
        yes = 3;
        if (n->b < 3 || ((n->flags & NF_FAIL) && n->b != 4))
            return ev_fail(v, TERN_EXP_ERROR, node, "wrong number of "
                           "arguments for numeric \"extract\"");
        if (ev_str(v, ev_child(v, node, 1), &seps) < 0 ||
            ev_str(v, ev_child(v, node, 2), &subj) < 0)
            return -1;
        found = find_numbered(field, seps, subj, &val);
    } else {
        yes = 2;
        key = xs_trim(key);
        if (key.len == 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "first argument of "
                           "\"extract\" must not be empty");
        if (n->b > 4 || ((n->flags & NF_FAIL) && n->b != 3))
            return ev_fail(v, TERN_EXP_ERROR, node, "wrong number of "
                           "arguments for \"extract\"");
        if (ev_str(v, ev_child(v, node, 1), &subj) < 0)
            return -1;
        found = find_named(v, key, subj, &val);
    }
    struct xs saved = v->value;
    if (found)
        v->value = val;
    int rc = ev_yesno(v, node, found, yes, val, out);
    v->value = saved;
    return rc;
}
