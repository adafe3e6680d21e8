/*
 * NAME
 *   match_address.c - items of address lists
 *
 * SYNOPSIS
 *   senders = : postmaster@example.com : *-bounces@*.example.net : \
 *             *@+hostile_domains : bozo@partial-lsearch;/etc/dodgy : \
 *             enemy.example : ^\N\d{8}@\N : lsearch*@;/etc/senders : \
 *             @@lsearch;/etc/by-domain
 *
 * DESCRIPTION
 *   The subject's domain is always lowercased; its local part too,
 *   until `+caseful` (or with TERN_MATCH_CASEFUL), and comparisons are
 *   caseless until then - domains included, since after `+caseful` an
 *   address pattern is compared as written against the lowercased
 *   domain, which is what Exim 4.96 does.
 *
 *   Items that can match any address, including the empty one that
 *   bounces have as sender:
 *   - an empty item matches only the empty address;
 *   - `^regex` is applied to the whole address (no value);
 *   - `type;data` (the text before `;` shaped like a lookup type, such
 *     as `lsearch*@`) looks the whole address up; `partial-` is ignored
 *     there, as in Exim; an empty address never matches a single-key
 *     lookup.
 *   Items that need a local part and a domain (an address without `@`
 *   matches no item at all):
 *   - `@@type;file` looks the domain up (partial matching and defaults
 *     allowed) and matches the local part against the colon-separated
 *     local part patterns found; the first that matches decides, a
 *     negated one meaning no; a last item `>key` continues with the list
 *     found under `key` (at most 50 times); running off the end is no;
 *   - `local@domain`: the local part of the pattern (which may start
 *     with `*`) against the subject's, then the domain part exactly as
 *     one item of a domain list (`*.x`, `^re`, lookups, `+name` naming a
 *     domain list); value: the local pattern, `@`, the domain's value;
 *   - anything else is a domain, literal or `*suffix`, as if `*@` came
 *     before it; value: `@` and the item.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <tern/module.h>

#include "arena.h"
#include "list.h"
#include "match_int.h"

#define MT_MAX_CHAIN 50

static char *lower(struct tern_arena *a, const char *s)
{
    char *p = tern_strdup(a, s);
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

/* Where a `local@domain` pattern splits: the last `@` before any `;`,
 * not counting the `@` of a `*@` default (`*@lsearch*@;file`). */
static const char *split_at(const char *pat)
{
    const char *end = strchr(pat, ';'), *at = NULL;
    if (!end)
        end = pat + strlen(pat);
    for (const char *p = pat; p < end; p++)
        if (*p == '@' && !(p > pat && p[-1] == '*' &&
                           (p[1] == ';' || p[1] == ',') && at))
            at = p;
    return at;
}

/* Is `item` the last of the list `it` is walking? */
static int is_last(const struct tern_list_iter *it, char *buf, size_t size)
{
    struct tern_list_iter peek = *it;
    return tern_list_next(&peek, buf, size, NULL) == NULL;
}

/* Local part patterns found by `@@`: TERN_OK/TERN_FAIL, or with
 * *next the key of a `>` continuation when nothing decided. */
static int at_at_list(struct mt *m, const char *data, int query,
                      const char **next)
{
    struct tern_list_iter it;
    size_t size = strlen(data) + 1;
    char *buf = tern_alloc(m->a, size), *peek = tern_alloc(m->a, size);

    *next = NULL;
    tern_list_start(&it, data, ':');
    while (tern_list_next(&it, buf, size, NULL)) {
        const char *item = buf;
        int neg = 0;
        if (*item == '>' && !query && is_last(&it, peek, size)) {
            *next = tern_strdup(m->a, item + 1);
            return TERN_FAIL;
        }
        if (*item == '!') {
            neg = 1;
            for (item++; isspace((unsigned char)*item); item++)
                ;
        }
        int rc = mt_local_item(m, item);
        if (rc == TERN_OK) {
            return neg ? TERN_FAIL : TERN_OK;
        }
        if (rc != TERN_FAIL)
            return rc;
    }
    return TERN_FAIL;
}

static int at_at(struct mt *m, const char *pat)
{
    struct mt_spec sp;
    int r = mt_lookup_parse(m, pat + 2, 0, &sp);
    if (r < 0)
        return TERN_ERROR;
    if (r == 0)
        return mt_fail(m, TERN_ERROR, pat, "\"@@\" must be followed by a "
                       "lookup in \"%s\"", pat);
    int rc = mt_lookup_key(m, &sp, m->domain, pat);
    if (rc != TERN_OK)
        return rc;
    /* Continuations are looked up by their exact key. */
    struct mt_spec exact = sp;
    exact.partial = -1;
    exact.star = 0;
    exact.ret_key = 0;
    for (int chain = 0; chain <= MT_MAX_CHAIN; chain++) {
        const char *next, *data = m->value ? m->value : "";
        rc = at_at_list(m, data, sp.style == TERN_LOOKUP_QUERY, &next);
        if (rc != TERN_FAIL || !next)
            return rc;
        rc = mt_lookup_key(m, &exact, next, pat);
        if (rc != TERN_OK)
            return rc;
    }
    return mt_fail(m, TERN_ERROR, pat, "more than %d continuations in "
                   "\"%s\" lookups (a loop?)", MT_MAX_CHAIN, pat);
}

/* `local@domain`. */
static int split_item(struct mt *m, const char *pat, const char *at)
{
    const char *lp = tern_strndup(m->a, pat, (size_t)(at - pat));
    const char *dp = at + 1;
    int caseless = !m->caseful;

    if (*lp == '*') {
        size_t sl = strlen(m->local), pl = strlen(lp + 1);
        const char *tail = m->local + sl - (pl <= sl ? pl : 0);
        if (pl > sl || (caseless ? strcasecmp(tail, lp + 1) :
                        strcmp(tail, lp + 1)))
            return TERN_FAIL;
    } else if (caseless ? strcasecmp(lp, m->local) : strcmp(lp, m->local)) {
        return TERN_FAIL;
    }
    if (*dp == '\0')
        return TERN_FAIL;       /* an empty domain list matches nothing */
    const char *saved = m->value;
    m->value = NULL;
    int rc = *dp == '+' ? mt_named(m, TERN_MATCH_DOMAIN, dp + 1)
                        : mt_domain_item(m, dp);
    if (rc == TERN_OK)
        m->value = tern_printf(m->a, "%s@%s", lp, m->value ? m->value : dp);
    else if (!m->value)
        m->value = saved;
    return rc;
}

int mt_address_item(struct mt *m, const char *pat)
{
    const char *semi;

    if (*m->address != '\0' && !m->has_at)
        return TERN_FAIL;
    if (*pat == '\0')
        return *m->address == '\0' ? TERN_OK : TERN_FAIL;
    if (*pat == '^')
        return mt_regex(m, pat, m->address, !m->caseful, 1);
    if (mt_looks_like_lookup(pat, &semi)) {
        struct mt_spec sp;
        if (mt_lookup_parse(m, pat, 0, &sp) < 0)
            return TERN_ERROR;
        sp.partial = -1;        /* not for whole addresses */
        return mt_lookup_key(m, &sp, m->address, pat);
    }
    if (*m->address == '\0')
        return TERN_FAIL;
    if (pat[0] == '@' && pat[1] == '@')
        return at_at(m, pat);
    const char *at = split_at(pat);
    if (at)
        return split_item(m, pat, at);
    int rc = mt_star_or_literal(m, pat, m->domain, !m->caseful);
    if (rc == TERN_OK)
        m->value = tern_printf(m->a, "@%s", pat);
    return rc;
}

int tern_match_address(const struct tern_match_env *env,
                       struct tern_match_cache *cache, const char *address,
                       const char *list, unsigned flags,
                       struct tern_arena *a, struct tern_match_result *res)
{
    struct mt m;
    const char *addr = address ? address : "";
    const char *at = strrchr(addr, '@');

    mt_init(&m, env, cache, flags, a);
    if (at) {
        m.has_at = 1;
        m.local_orig = tern_strndup(a, addr, (size_t)(at - addr));
        m.domain = lower(a, at + 1);
        m.local_lc = lower(a, m.local_orig);
        m.address_orig = tern_printf(a, "%s@%s", m.local_orig, m.domain);
        m.address_lc = tern_printf(a, "%s@%s", m.local_lc, m.domain);
    } else {
        m.local_orig = m.address_orig = addr;
        m.local_lc = m.address_lc = lower(a, addr);
    }
    m.local = m.caseful ? m.local_orig : m.local_lc;
    m.address = m.caseful ? m.address_orig : m.address_lc;
    return mt_run(&m, TERN_MATCH_ADDRESS, list, res);
}
