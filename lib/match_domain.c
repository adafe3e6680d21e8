/*
 * NAME
 *   match_domain.c - items of domain lists and local part lists
 *
 * SYNOPSIS
 *   domains = @ : @[] : @mx_any/ignore=127.0.0.1 : *.example : \
 *             ^\N[0-9]+\.example$\N : partial-lsearch;/etc/doms : a.example
 *   local_parts = +caseful : Root : *-request : lsearch;/etc/users
 *
 * DESCRIPTION
 *   A domain list item is, in the order tried:
 *   `@` (the primary host name; value: that name), `@[]` (a domain
 *   literal `[a.b.c.d]` or `[IPv6:...]` holding a local interface
 *   address; value "@[]"), `@mx_any`, `@mx_primary`, `@mx_secondary`,
 *   each with optional `/ignore=<host list>` (asked of env->mx_local;
 *   value: the item), `*suffix` (the domain ends with suffix; the
 *   character after the star need not be a dot; $0 is the domain and $1
 *   what the star covered), `^regex` (caseless unless it says `(?-i)`;
 *   $0.. its captures), a lookup (value: the data looked up), else a
 *   caseless comparison.  The value of the last three is the item.
 *
 *   Local part lists have the same items except the `@` ones; they are
 *   compared caselessly (the subject lowercased, so lookups use a
 *   lowercased key) until `+caseful`, or from the start with
 *   TERN_MATCH_CASEFUL.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <tern/module.h>

#include "arena.h"
#include "match_int.h"

static char *lower(struct tern_arena *a, const char *s)
{
    char *p = tern_strdup(a, s);
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

int mt_star_or_literal(struct mt *m, const char *pat, const char *subj,
                       int caseless)
{
    if (*pat == '*') {
        size_t sl = strlen(subj), pl = strlen(pat + 1);
        if (pl > sl)
            return TERN_FAIL;
        const char *tail = subj + sl - pl;
        if (caseless ? strcasecmp(tail, pat + 1) : strcmp(tail, pat + 1))
            return TERN_FAIL;
        m->value = tern_strdup(m->a, pat);
        m->subs[0] = tern_strdup(m->a, subj);
        m->subs[1] = tern_strndup(m->a, subj, sl - pl);
        m->n_subs = 2;
        return TERN_OK;
    }
    if (caseless ? strcasecmp(pat, subj) : strcmp(pat, subj))
        return TERN_FAIL;
    m->value = tern_strdup(m->a, pat);
    return TERN_OK;
}

/* `@[]`: the domain is a literal holding one of our addresses. */
static int local_literal(struct mt *m)
{
    const char *d = m->domain;
    size_t n = strlen(d);
    struct mt_ip ip, mine;
    const char *const *addrs = NULL;
    size_t count = 0;

    if (n < 3 || d[0] != '[' || d[n - 1] != ']' || !m->env->local_addresses)
        return TERN_FAIL;
    char *inner = tern_strndup(m->a, d + 1, n - 2);
    if (strncasecmp(inner, "IPv6:", 5) == 0)
        inner += 5;
    if (!mt_ip_parse(inner, &ip))
        return TERN_FAIL;
    mt_ip_unmap(&ip);
    if (m->env->local_addresses(m->env->arg, m->a, &addrs, &count)
        != TERN_OK)
        return TERN_FAIL;
    for (size_t i = 0; i < count; i++) {
        if (!addrs[i] || !mt_ip_parse(addrs[i], &mine))
            continue;
        mt_ip_unmap(&mine);
        if (mt_ip_in_net(&ip, &mine, mine.v6 ? 128 : 32)) {
            m->value = "@[]";
            return TERN_OK;
        }
    }
    return TERN_FAIL;
}

/* `@mx_any`, `@mx_primary`, `@mx_secondary`, with `/ignore=list`. */
static int mx_item(struct mt *m, const char *pat, unsigned which,
                   const char *rest)
{
    const char *ignore = NULL, *err = NULL;
    if (*rest == '/') {
        if (strncmp(rest, "/ignore=", 8) != 0)
            return mt_fail(m, TERN_ERROR, pat, "unknown option in \"%s\"",
                           pat);
        ignore = rest + 8;
    }
    if (!m->env->mx_local)
        return mt_fail(m, TERN_DEFER, pat, "cannot look up the MX records "
                       "of %s here", m->domain);
    int rc = m->env->mx_local(m->env->arg, m->domain, which, ignore, m->a,
                              &err);
    switch (rc) {
    case TERN_OK:
        m->value = tern_strdup(m->a, pat);
        return TERN_OK;
    case TERN_FAIL:
        return TERN_FAIL;
    case TERN_DEFER:
        return mt_fail(m, TERN_DEFER, pat, "MX lookup of %s deferred%s%s",
                       m->domain, err ? ": " : "", err ? err : "");
    default:
        return mt_fail(m, TERN_ERROR, pat, "%s", err ? err :
                       "MX lookup failed");
    }
}

/* The `@` items, or -1 when `pat` is not one of them. */
static int at_item(struct mt *m, const char *pat)
{
    static const struct { const char *name; unsigned which; } mx[] = {
        { "@mx_any", TERN_MATCH_MX_ANY },
        { "@mx_primary", TERN_MATCH_MX_PRIMARY },
        { "@mx_secondary", TERN_MATCH_MX_SECONDARY },
    };
    if (strcmp(pat, "@") == 0) {
        const char *ph = m->env->primary_hostname;
        if (!ph || strcasecmp(ph, m->domain) != 0)
            return TERN_FAIL;
        m->value = tern_strdup(m->a, ph);
        return TERN_OK;
    }
    if (strcmp(pat, "@[]") == 0)
        return local_literal(m);
    for (size_t i = 0; i < sizeof mx / sizeof mx[0]; i++) {
        size_t n = strlen(mx[i].name);
        if (strncmp(pat, mx[i].name, n) == 0 &&
            (pat[n] == '\0' || pat[n] == '/'))
            return mx_item(m, pat, mx[i].which, pat + n);
    }
    return -1;
}

/* What domain and local part items share once the `@` items are out
 * of the way. */
static int common_item(struct mt *m, const char *pat, const char *subj,
                       int caseless)
{
    struct mt_spec sp;

    if (*pat == '*')
        return mt_star_or_literal(m, pat, subj, caseless);
    if (*pat == '^') {
        int rc = mt_regex(m, pat, subj, caseless, 1);
        if (rc == TERN_OK)
            m->value = tern_strdup(m->a, pat);
        return rc;
    }
    if (strchr(pat, ';')) {
        int r = mt_lookup_parse(m, pat, 0, &sp);
        if (r < 0)
            return TERN_ERROR;
        return mt_lookup_key(m, &sp, subj, pat);
    }
    return mt_star_or_literal(m, pat, subj, caseless);
}

int mt_domain_item(struct mt *m, const char *pat)
{
    if (*pat == '@') {
        int rc = at_item(m, pat);
        if (rc >= 0)
            return rc;
    }
    return common_item(m, pat, m->domain, !m->caseful);
}

int mt_local_item(struct mt *m, const char *pat)
{
    return common_item(m, pat, m->local, !m->caseful);
}

int tern_match_domain(const struct tern_match_env *env,
                      struct tern_match_cache *cache, const char *domain,
                      const char *list, unsigned flags,
                      struct tern_arena *a, struct tern_match_result *res)
{
    struct mt m;
    mt_init(&m, env, cache, flags & ~TERN_MATCH_CASEFUL, a);
    m.domain = domain ? domain : "";
    return mt_run(&m, TERN_MATCH_DOMAIN, list, res);
}

int tern_match_localpart(const struct tern_match_env *env,
                         struct tern_match_cache *cache,
                         const char *local_part, const char *list,
                         unsigned flags, struct tern_arena *a,
                         struct tern_match_result *res)
{
    struct mt m;
    mt_init(&m, env, cache, flags, a);
    m.local_orig = local_part ? local_part : "";
    m.local_lc = lower(a, m.local_orig);
    m.local = m.caseful ? m.local_orig : m.local_lc;
    return mt_run(&m, TERN_MATCH_LOCALPART, list, res);
}
