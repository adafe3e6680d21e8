/*
 * NAME
 *   match_host.c - items of host lists, and match_ip
 *
 * SYNOPSIS
 *   hosts = <; 127.0.0.1 ; ::1 ; 10.0.0.0/8 ; 2001:db8::/32 ; @[] ; \
 *           +include_unknown ; *.friend.example ; mail.example ; \
 *           net24-lsearch;/etc/nets ; lsearch;/etc/names
 *
 * DESCRIPTION
 *   A host has an address and, when the reverse DNS is right, names.
 *   Items that look at the address: an empty item (only a host that is
 *   not remote, a locally submitted message, matches), `*` (everything),
 *   an IPv4 or IPv6 address with an optional `/bits` mask (a missing
 *   number is 0; more bits than the address has compare the whole
 *   address), `@[]` (an address of a local interface), `net-type;file`
 *   and `netN-type;file` (the address, or the masked address followed
 *   by `/N`, as the key; IPv6 written in full with dots between the
 *   groups, or colons for iplsearch), and query-style lookups.
 *
 *   Items that need a name: `*suffix`, `^regex` (caseless), and
 *   `type;file` without `net-` (the host's name is the key).  The names
 *   come from env->host_names.  A plain name, and `@` (the primary host
 *   name), is looked up forward (env->host_addresses) and matches when
 *   one of its addresses is the host's.  When a name cannot be found the
 *   item is "unknown", which the list's `+include_unknown` /
 *   `+ignore_unknown` decide (by default the host is then not in the
 *   list); a temporary DNS failure likewise with `+include_defer` /
 *   `+ignore_defer` (by default the match defers).
 *
 *   An IPv4 address written `::ffff:a.b.c.d` is compared as IPv4, so
 *   IPv6 items never match it; a `net-` key keeps the IPv6 form, as
 *   Exim 4.96 does.  A `%scope` suffix is ignored.
 *
 *   match_ip (TERN_MATCH_IP_ONLY) has no names: everything that needs
 *   one is unknown, and single-key lookups without `net-` use the
 *   address.  Only lookups set the value of a match.
 *
 * DIAGNOSTICS
 *   A subject that is not an IP address is an error ("... is not an IP
 *   address").
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <tern/module.h>

#include "arena.h"
#include "match_int.h"

int mt_ip_parse(const char *s, struct mt_ip *ip)
{
    char buf[64];
    size_t n = strcspn(s, "%");

    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(ip, 0, sizeof *ip);
    if (s[n] == '\0' && inet_pton(AF_INET, buf, ip->b) == 1)
        return 1;
    if (inet_pton(AF_INET6, buf, ip->b) == 1) {
        ip->v6 = 1;
        return 1;
    }
    return 0;
}

void mt_ip_unmap(struct mt_ip *ip)
{
    static const unsigned char mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };
    if (ip->v6 && memcmp(ip->b, mapped, sizeof mapped) == 0) {
        memmove(ip->b, ip->b + 12, 4);
        memset(ip->b + 4, 0, 12);
        ip->v6 = 0;
    }
}

int mt_ip_in_net(const struct mt_ip *ip, const struct mt_ip *net,
                 unsigned bits)
{
    unsigned max = ip->v6 ? 128 : 32;
    if (ip->v6 != net->v6)
        return 0;
    if (bits > max)
        bits = max;
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(ip->b, net->b, whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (ip->b[whole] & mask) == (net->b[whole] & mask);
}

const char *mt_ip_key(struct tern_arena *a, const struct mt_ip *ip,
                      int bits, int colons)
{
    struct mt_ip x = *ip;
    unsigned max = x.v6 ? 128 : 32;
    char buf[80];
    size_t n = 0;

    if (bits >= 0) {
        for (unsigned i = 0; i < max; i++)
            if (i >= (unsigned)bits)
                x.b[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
    }
    if (!x.v6) {
        n = (size_t)snprintf(buf, sizeof buf, "%u.%u.%u.%u", x.b[0], x.b[1],
                             x.b[2], x.b[3]);
    } else {
        for (unsigned g = 0; g < 8; g++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%02x%02x",
                                  g ? (colons ? ":" : ".") : "",
                                  x.b[2 * g], x.b[2 * g + 1]);
    }
    if (bits >= 0)
        snprintf(buf + n, sizeof buf - n, "/%d", bits);
    return tern_strdup(a, buf);
}

/* An `address[/bits]` item: 1 with *net and *bits, 0 if not one. */
static int parse_net(struct mt *m, const char *pat, struct mt_ip *net,
                     unsigned *bits)
{
    const char *slash = strchr(pat, '/');
    const char *addr = slash ? tern_strndup(m->a, pat,
                                            (size_t)(slash - pat)) : pat;
    if (!mt_ip_parse(addr, net))
        return 0;
    *bits = net->v6 ? 128 : 32;
    if (slash) {
        unsigned long n = 0;
        for (const char *p = slash + 1; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return 0;
            if (n < 1000)
                n = n * 10 + (unsigned)(*p - '0');
        }
        *bits = (unsigned)n;
    }
    return 1;
}

/* The host's names: TERN_OK, TERN_FAIL (none: not remote), MT_UNKNOWN,
 * TERN_DEFER. */
static int get_names(struct mt *m, const char *pat)
{
    if (m->flags & TERN_MATCH_IP_ONLY)
        return mt_fail(m, MT_UNKNOWN, pat, "cannot match host name in "
                       "match_ip list");
    if (!m->have_ip)
        return TERN_FAIL;
    if (!m->names_asked) {
        const char *err = NULL;
        m->names_asked = 1;
        m->names_state = TERN_FAIL;
        if (m->env->host_names) {
            int rc = m->env->host_names(m->env->arg, m->ip, m->a, &m->names,
                                        &m->n_names, &err);
            m->names_state = rc == TERN_OK && m->n_names > 0 ? TERN_OK :
                             rc == TERN_DEFER ? TERN_DEFER : TERN_FAIL;
        }
        if (m->names_state == TERN_DEFER)
            return mt_fail(m, TERN_DEFER, pat, "host name lookup for %s "
                           "deferred%s%s", m->ip, err ? ": " : "",
                           err ? err : "");
    }
    if (m->names_state == TERN_FAIL)
        return mt_fail(m, MT_UNKNOWN, pat, "no host name found for IP "
                       "address %s", m->ip);
    if (m->names_state == TERN_DEFER)
        return mt_fail(m, TERN_DEFER, pat, "host name lookup for %s "
                       "deferred", m->ip);
    return TERN_OK;
}

/* A plain name: its addresses against the host's. */
static int by_name(struct mt *m, const char *name, const char *pat)
{
    const char *const *addrs = NULL;
    const char *err = NULL;
    size_t n = 0;

    if (m->flags & TERN_MATCH_IP_ONLY)
        return mt_fail(m, MT_UNKNOWN, pat, "cannot match host name in "
                       "match_ip list");
    if (!m->have_ip)
        return TERN_FAIL;
    int rc = m->env->host_addresses ?
        m->env->host_addresses(m->env->arg, name, m->a, &addrs, &n, &err) :
        TERN_FAIL;
    if (rc == TERN_DEFER)
        return mt_fail(m, TERN_DEFER, pat, "DNS lookup of \"%s\" deferred%s%s",
                       name, err ? ": " : "", err ? err : "");
    if (rc != TERN_OK)
        return mt_fail(m, MT_UNKNOWN, pat, "no IP address found for host "
                       "%s", name);
    for (size_t i = 0; i < n; i++) {
        struct mt_ip x;
        if (addrs[i] && mt_ip_parse(addrs[i], &x)) {
            mt_ip_unmap(&x);
            if (mt_ip_in_net(&m->ipa, &x, 128))
                return TERN_OK;
        }
    }
    return TERN_FAIL;
}

static int local_interface(struct mt *m)
{
    const char *const *addrs = NULL;
    size_t n = 0;

    if (!m->have_ip || !m->env->local_addresses ||
        m->env->local_addresses(m->env->arg, m->a, &addrs, &n) != TERN_OK)
        return TERN_FAIL;
    for (size_t i = 0; i < n; i++) {
        struct mt_ip x;
        if (addrs[i] && mt_ip_parse(addrs[i], &x)) {
            mt_ip_unmap(&x);
            if (mt_ip_in_net(&m->ipa, &x, 128))
                return TERN_OK;
        }
    }
    return TERN_FAIL;
}

static int lookup_item(struct mt *m, const char *pat)
{
    struct mt_spec sp;
    if (mt_lookup_parse(m, pat, 1, &sp) < 0)
        return TERN_ERROR;
    if (sp.style == TERN_LOOKUP_QUERY)
        return mt_lookup_key(m, &sp, "", pat);
    if (sp.net || (m->flags & TERN_MATCH_IP_ONLY)) {
        if (!m->have_ip)
            return TERN_FAIL;
        int colons = strcmp(sp.type, "iplsearch") == 0;
        return mt_lookup_key(m, &sp, mt_ip_key(m->a, &m->ipraw,
                                               sp.net_mask, colons), pat);
    }
    int rc = get_names(m, pat);
    if (rc != TERN_OK)
        return rc;
    return mt_lookup_key(m, &sp, m->names[0], pat);
}

/* `*suffix` or `^regex` against each of the host's names. */
static int name_pattern(struct mt *m, const char *pat)
{
    int rc = get_names(m, pat);
    if (rc != TERN_OK)
        return rc;
    for (size_t i = 0; i < m->n_names; i++) {
        const char *name = m->names[i];
        if (!name)
            continue;
        if (*pat == '^') {
            rc = mt_regex(m, pat, name, 1, 1);
            if (rc != TERN_FAIL)
                return rc;
        } else {
            size_t nl = strlen(name), pl = strlen(pat + 1);
            if (pl <= nl && strcasecmp(name + nl - pl, pat + 1) == 0) {
                m->subs[0] = tern_strdup(m->a, name);
                m->subs[1] = tern_strndup(m->a, name, nl - pl);
                m->n_subs = 2;
                return TERN_OK;
            }
        }
    }
    return TERN_FAIL;
}

int mt_host_item(struct mt *m, const char *pat)
{
    struct mt_ip net;
    unsigned bits;

    if (*pat == '\0')
        return m->have_ip ? TERN_FAIL : TERN_OK;
    if (strcmp(pat, "*") == 0)
        return TERN_OK;
    if (parse_net(m, pat, &net, &bits))
        return m->have_ip && mt_ip_in_net(&m->ipa, &net, bits) ?
               TERN_OK : TERN_FAIL;
    if (strcmp(pat, "@[]") == 0)
        return local_interface(m);
    if (*pat == '*' || *pat == '^')
        return name_pattern(m, pat);
    if (strchr(pat, ';'))
        return lookup_item(m, pat);
    if (strcmp(pat, "@") == 0) {
        if (!m->env->primary_hostname)
            return TERN_FAIL;
        return by_name(m, m->env->primary_hostname, pat);
    }
    return by_name(m, pat, pat);
}

int tern_match_host(const struct tern_match_env *env,
                    struct tern_match_cache *cache, const char *ip,
                    const char *list, unsigned flags,
                    struct tern_arena *a, struct tern_match_result *res)
{
    struct mt m;
    mt_init(&m, env, cache, flags & ~TERN_MATCH_CASEFUL, a);
    if (ip && *ip) {
        if (!mt_ip_parse(ip, &m.ipraw)) {
            if (res) {
                memset(res, 0, sizeof *res);
                res->err = tern_printf(a, "\"%s\" is not an IP address", ip);
            }
            return TERN_ERROR;
        }
        m.ipa = m.ipraw;
        mt_ip_unmap(&m.ipa);
        m.have_ip = 1;
        m.ip = ip;
    }
    return mt_run(&m, TERN_MATCH_HOST, list, res);
}
