/*
 * NAME
 *   match_lookup.c - lookup items in lists: `type;file`, `type;query`,
 *   with partial matching, defaults and (in host lists) `net-` keys
 *
 * SYNOPSIS
 *   partial2-lsearch*;/etc/domains        single-key, key = the subject
 *   partial(.)dbm;/etc/relay.db           other partial prefix
 *   lsearch*@;/etc/senders                defaults *@domain, then *
 *   net24-lsearch;/etc/nets               host lists: masked address
 *   lsearch,ret=key;/etc/x                options after a comma
 *   pgsql;select 1 from t where d='$domain'    query style
 *
 * DESCRIPTION
 *   An item is a lookup when the text before its first `;` has the
 *   shape of a lookup type: optional `net` [digits] `-` (host lists),
 *   optional `partial` [digits] followed by `-` or a prefix in
 *   parentheses, a name, optional `*` or `*@`, optional `,options`.
 *   Whether the name is single-key or query style is asked of the
 *   caller (env->lookup_style).
 *
 *   The lookup hook sees one exact key per call.  The sequence tried
 *   for a single-key lookup is Exim's: the key; then, with partialN, the
 *   prefix (default `*.`) followed by the key and by the key with its
 *   leading components removed one at a time while at least N remain;
 *   with partial0 finally the prefix on its own (without a trailing dot
 *   when longer than one character, nothing when empty); with `*@`,
 *   `*@` and the part of the key after its last `@`; with `*` or `*@`,
 *   `*`.  An empty key never matches.  Partial matching and defaults are
 *   errors for query-style lookups.  `ret=key` makes the value of a
 *   match the key looked up instead of the data.
 *
 * DIAGNOSTICS
 *   "unknown lookup type", "format error in lookup type" (TERN_ERROR);
 *   a hook's TERN_DEFER or TERN_ERROR comes back with its message.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "match_int.h"

/* Query-style types Exim knows, for callers without a style hook. */
static const char *const query_types[] = {
    "dnsdb", "ibase", "ldap", "ldapdn", "ldapm", "mysql", "nisplus",
    "oracle", "passwd", "pgsql", "redis", "sqlite", "testdb", "whoson",
    "spf", NULL
};

static int style_of(struct mt *m, const char *type)
{
    if (m->env->lookup_style)
        return m->env->lookup_style(m->env->arg, type);
    for (size_t i = 0; query_types[i]; i++)
        if (strcmp(query_types[i], type) == 0)
            return TERN_LOOKUP_QUERY;
    return TERN_LOOKUP_SINGLE_KEY;
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Parse "[netN-][partialN-|partialN(prefix)]name[*|*@][,options]" from
 * p to end.  0 on success, -1 if the text is not shaped like that. */
static int parse_type(struct tern_arena *a, const char *p, const char *end,
                      int host, struct mt_spec *sp)
{
    sp->partial = -1;
    sp->prefix = "*.";
    sp->net_mask = -1;
    sp->options = "";
    if (host && end - p >= 4 && memcmp(p, "net", 3) == 0 &&
        (p[3] == '-' || isdigit((unsigned char)p[3]))) {
        const char *q = p + 3;
        int n = 0;
        while (q < end && isdigit((unsigned char)*q) && n < 1000)
            n = n * 10 + (*q++ - '0');
        if (q < end && *q == '-') {
            sp->net = 1;
            sp->net_mask = q == p + 3 ? -1 : n;
            p = q + 1;
        }
    }
    if (end - p >= 7 && memcmp(p, "partial", 7) == 0) {
        const char *q = p + 7;
        int n = 2;
        if (q < end && isdigit((unsigned char)*q))
            for (n = 0; q < end && isdigit((unsigned char)*q) && n < 1000;)
                n = n * 10 + (*q++ - '0');
        if (q < end && *q == '-') {
            p = q + 1;
        } else if (q < end && *q == '(') {
            const char *r = ++q;
            while (r < end && *r != ')') {
                if (isalnum((unsigned char)*r) || isspace((unsigned char)*r))
                    return -1;
                r++;
            }
            if (r >= end)
                return -1;
            sp->prefix = tern_strndup(a, q, (size_t)(r - q));
            p = r + 1;
        } else {
            return -1;
        }
        sp->partial = n;
    }
    const char *name = p;
    while (p < end && is_name_char((unsigned char)*p))
        p++;
    if (p == name)
        return -1;
    sp->type = tern_strndup(a, name, (size_t)(p - name));
    if (p < end && *p == '*') {
        sp->star = 1;
        if (++p < end && *p == '@') {
            sp->star = 2;
            p++;
        }
    }
    if (p < end && *p == ',') {
        sp->options = tern_strndup(a, p + 1, (size_t)(end - p - 1));
        for (const char *o = sp->options; *o;) {
            size_t n = strcspn(o, ",");
            if (n == 7 && memcmp(o, "ret=key", 7) == 0)
                sp->ret_key = 1;
            o += n + (o[n] == ',');
        }
        p = end;
    }
    return p == end ? 0 : -1;
}

int mt_looks_like_lookup(const char *item, const char **semi)
{
    const char *s = strchr(item, ';');

    if (!s)
        return 0;
    *semi = s;
    /* The same shape as parse_type() accepts, without copying. */
    const char *p = item, *end = s;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (end - p >= 4 && memcmp(p, "net", 3) == 0) {
        const char *q = p + 3;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        if (q < end && *q == '-')
            p = q + 1;
    }
    if (end - p >= 7 && memcmp(p, "partial", 7) == 0) {
        const char *q = p + 7;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        if (q < end && *q == '(') {
            while (q < end && *q != ')')
                q++;
            if (q >= end)
                return 0;
        } else if (q >= end || *q != '-') {
            return 0;
        }
        p = q + 1;
    }
    const char *name = p;
    while (p < end && is_name_char((unsigned char)*p))
        p++;
    if (p == name)
        return 0;
    if (p < end && *p == '*') {
        p++;
        if (p < end && *p == '@')
            p++;
    }
    return p == end || *p == ',';
}

int mt_lookup_parse(struct mt *m, const char *item, int host,
                    struct mt_spec *sp)
{
    const char *semi = strchr(item, ';');
    memset(sp, 0, sizeof *sp);
    if (!semi)
        return 0;
    const char *end = semi;
    while (end > item && isspace((unsigned char)end[-1]))
        end--;
    if (parse_type(m->a, item, end, host, sp) < 0) {
        mt_fail(m, TERN_ERROR, item, "format error in lookup type \"%.*s\"",
                (int)(semi - item), item);
        return -1;
    }
    sp->style = style_of(m, sp->type);
    if (sp->style != TERN_LOOKUP_SINGLE_KEY &&
        sp->style != TERN_LOOKUP_QUERY) {
        mt_fail(m, TERN_ERROR, item, "unknown lookup type \"%s\"", sp->type);
        return -1;
    }
    if (sp->style == TERN_LOOKUP_QUERY && (sp->partial >= 0 || sp->star)) {
        mt_fail(m, TERN_ERROR, item, "\"%s\" is a query-style lookup: "
                "partial matching and defaults are not allowed", sp->type);
        return -1;
    }
    const char *d = semi + 1;
    while (isspace((unsigned char)*d))
        d++;
    sp->data = tern_strdup(m->a, d);
    return 1;
}

/* One key: TERN_OK (m->value set), TERN_FAIL, or the hook's failure. */
static int try_key(struct mt *m, const struct mt_spec *sp, const char *key,
                   const char *orig, const char *item)
{
    struct tern_exp_lookup_req req;
    char *res = NULL;
    size_t rlen = 0;
    const char *err = NULL;

    if (sp->style == TERN_LOOKUP_SINGLE_KEY && *key == '\0')
        return TERN_FAIL;
    req.type = sp->type;
    req.options = sp->options;
    req.file = sp->style == TERN_LOOKUP_SINGLE_KEY ? sp->data : NULL;
    req.key = key;
    req.key_len = strlen(key);
    int rc = m->env->lookup(m->env->arg, &req, m->a, &res, &rlen, &err);
    switch (rc) {
    case TERN_OK:
        m->value = sp->ret_key ? tern_strdup(m->a, orig) :
                   res ? tern_strndup(m->a, res, rlen) : "";
        return TERN_OK;
    case TERN_FAIL:
        return TERN_FAIL;
    case TERN_DEFER:
        return mt_fail(m, TERN_DEFER, item, "lookup of \"%s\" in %s "
                       "deferred%s%s", key, sp->type, err ? ": " : "",
                       err ? err : "");
    default:
        return mt_fail(m, TERN_ERROR, item, "%s", err ? err :
                       "lookup failed");
    }
}

static int try_cat(struct mt *m, const struct mt_spec *sp, const char *a,
                   const char *b, const char *orig, const char *item)
{
    return try_key(m, sp, tern_printf(m->a, "%s%s", a, b), orig, item);
}

/* The partial keys after the exact key failed. */
static int try_partial(struct mt *m, const struct mt_spec *sp,
                       const char *key, const char *item)
{
    size_t comps = 1;
    for (const char *p = key; *p; p++)
        comps += *p == '.';
    const char *tail = key;
    for (size_t left = comps; left >= 1 && left >= (size_t)sp->partial;
         left--) {
        int rc = try_cat(m, sp, sp->prefix, tail, key, item);
        if (rc != TERN_FAIL)
            return rc;
        const char *dot = strchr(tail, '.');
        if (!dot)
            break;
        tail = dot + 1;
    }
    if (sp->partial != 0 || sp->prefix[0] == '\0')
        return TERN_FAIL;
    size_t n = strlen(sp->prefix);
    if (n > 1 && sp->prefix[n - 1] == '.')
        n--;
    return try_key(m, sp, tern_strndup(m->a, sp->prefix, n), key, item);
}

int mt_lookup_key(struct mt *m, const struct mt_spec *sp, const char *key,
                  const char *item)
{
    if (!m->env->lookup)
        return mt_fail(m, TERN_ERROR, item, "lookups are not available "
                       "here");
    if (sp->style == TERN_LOOKUP_QUERY)
        return try_key(m, sp, sp->data, sp->data, item);
    if (*key == '\0')
        return TERN_FAIL;
    int rc = try_key(m, sp, key, key, item);
    if (rc == TERN_FAIL && sp->partial >= 0)
        rc = try_partial(m, sp, key, item);
    if (rc == TERN_FAIL && sp->star == 2) {
        const char *at = strrchr(key, '@');
        if (at)
            rc = try_cat(m, sp, "*", at, key, item);
    }
    /* partial0 with the default prefix has looked "*" up already. */
    if (rc == TERN_FAIL && sp->star &&
        !(sp->partial == 0 && strcmp(sp->prefix, "*.") == 0))
        rc = try_key(m, sp, "*", key, item);
    return rc;
}
