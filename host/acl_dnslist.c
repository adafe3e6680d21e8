/*
 * NAME
 *   acl_dnslist.c - the dnslists condition, and the DNS queries it makes
 *
 * SYNOPSIS
 *   deny dnslists = +defer_unknown : zen.example=127.0.0.2,127.0.0.3 : \
 *                   dsn.example/$sender_address_domain : \
 *                   a.example,merged.example!&0.0.0.4
 *
 * DESCRIPTION
 *   Exim 4.96 (44.27-44.37).  For each item of the list, in order, the
 *   keys (the client's IP address by default, else the sublist after
 *   `/`) are looked up as A records under the list's domain: an IPv4
 *   address reversed by octet, an IPv6 one by nibble, a name as it is.
 *   Only answers in 127.0.0.0/8 count.  `=a,b` / `&mask` restrict the
 *   answers that match (any answer; `==`, `=&`: every answer), `!`
 *   before them inverts that.  With two domains, `primary,check`, the
 *   check domain is asked with the restriction and, on a match, the
 *   primary without it, which also gives the TXT record.
 *
 *   The first match makes the condition true and sets $dnslist_domain
 *   (the primary domain), $dnslist_matched (the key, not reversed),
 *   $dnslist_value (the addresses, ", "-separated) and $dnslist_text
 *   (the TXT record).  A lookup that cannot be completed counts as "not
 *   listed" unless +include_unknown (listed) or +defer_unknown (defer)
 *   came before the item.
 *
 *   Queries go through the system resolver (res_nquery), or, when the
 *   environment has TERN_DNS_SERVER=ip[:port], to that IPv4 server only:
 *   the tests run their own authoritative server on a loopback port.
 *   dns_retrans and dns_retry are honoured.  Nothing is cached.
 *
 * DIAGNOSTICS
 *   "invalid IP address "x" in dnslists restriction", "dnslists lookup
 *   of NAME deferred" (with +defer_unknown).
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>

#include "acl_int.h"
#include "list.h"

/* ---- the resolver ---- */

static struct __res_state res;
static int res_ready;

static void
resolver_init(struct tern_ctx *ctx)
{
    const char *srv = getenv("TERN_DNS_SERVER");

    if (res_ready)
        return;
    memset(&res, 0, sizeof res);
    res_ninit(&res);
    if (srv != NULL && *srv != '\0') {
        char ip[64];
        const char *colon = strrchr(srv, ':');
        size_t n = colon ? (size_t)(colon - srv) : strlen(srv);
        struct sockaddr_in sa;

        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons(colon ? (unsigned short)atoi(colon + 1) : 53);
        snprintf(ip, sizeof ip, "%.*s", (int)n, srv);
        if (inet_pton(AF_INET, ip, &sa.sin_addr) == 1) {
            res.nscount = 1;
            res.nsaddr_list[0] = sa;
        }
        res.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
    }
    if (ctx->rt != NULL && ctx->rt->opts.dns_retrans > 0)
        res.retrans = ctx->rt->opts.dns_retrans;
    if (ctx->rt != NULL && ctx->rt->opts.dns_retry > 0)
        res.retry = (int)ctx->rt->opts.dns_retry;
    res_ready = 1;
}

/* Skip a (possibly compressed) name; NULL when it runs off the end. */
static const unsigned char *
skip_name(const unsigned char *p, const unsigned char *end)
{
    while (p < end) {
        if ((*p & 0xC0) == 0xC0)
            return p + 2 <= end ? p + 2 : NULL;
        if (*p == 0)
            return p + 1;
        p += *p + 1;
    }
    return NULL;
}

static const char *
rdata_text(struct tern_arena *a, int type, const unsigned char *msg,
           const unsigned char *end, const unsigned char *rd, unsigned len)
{
    char buf[NS_MAXDNAME];

    if (type == ns_t_a && len == 4)
        return inet_ntop(AF_INET, rd, buf, sizeof buf)
            ? tern_strdup(a, buf) : NULL;
    if (type == ns_t_aaaa && len == 16)
        return inet_ntop(AF_INET6, rd, buf, sizeof buf)
            ? tern_strdup(a, buf) : NULL;
    if (type == ns_t_txt) {
        struct tern_buf b = { 0 };
        char *out;
        for (unsigned i = 0; i < len; i += rd[i] + 1u)
            if (i + 1u + rd[i] <= len)
                tern_buf_add(&b, rd + i + 1, rd[i]);
        out = tern_strndup(a, b.data ? b.data : "", b.len);
        tern_buf_free(&b);
        return out;
    }
    if (type == ns_t_ptr && dn_expand(msg, end, rd, buf, sizeof buf) >= 0)
        return tern_strdup(a, buf);
    return NULL;
}

int
host_acl_dns(struct tern_ctx *ctx, const char *name, int type,
             const char ***recs, size_t *n)
{
    unsigned char buf[NS_PACKETSZ * 4];
    const unsigned char *p, *end;
    int len, qd, an;
    const char **out;

    *recs = NULL;
    *n = 0;
    resolver_init(ctx);
    len = res_nquery(&res, name, ns_c_in, type, buf, sizeof buf);
    if (len < 0) {
        host_acl_tr("DNS lookup of %s (%d): %s", name, type,
                    res.res_h_errno == HOST_NOT_FOUND ? "no such name"
                    : res.res_h_errno == NO_DATA ? "no data" : "deferred");
        return res.res_h_errno == HOST_NOT_FOUND ||
               res.res_h_errno == NO_DATA ? TERN_FAIL : TERN_DEFER;
    }
    if (len < NS_HFIXEDSZ)
        return TERN_DEFER;
    end = buf + len;
    qd = buf[4] << 8 | buf[5];
    an = buf[6] << 8 | buf[7];
    p = buf + NS_HFIXEDSZ;
    while (qd-- > 0 && p != NULL)
        p = (p = skip_name(p, end)) != NULL && p + 4 <= end ? p + 4 : NULL;
    out = tern_alloc(ctx->arena, (size_t)(an + 1) * sizeof *out);
    while (an-- > 0 && p != NULL) {
        unsigned rtype, rdlen;
        if ((p = skip_name(p, end)) == NULL || p + 10 > end)
            break;
        rtype = (unsigned)(p[0] << 8 | p[1]);
        rdlen = (unsigned)(p[8] << 8 | p[9]);
        p += 10;
        if (p + rdlen > end)
            break;
        if (rtype == (unsigned)type) {
            const char *t = rdata_text(ctx->arena, type, buf, end, p, rdlen);
            if (t != NULL)
                out[(*n)++] = t;
        }
        p += rdlen;
    }
    *recs = out;
    host_acl_tr("DNS lookup of %s (%d) gave %zu record(s)", name, type, *n);
    return *n > 0 ? TERN_OK : TERN_FAIL;
}

/* ---- dnslists ---- */

enum unknown { EXCLUDE = 0, INCLUDE, DEFER_UNKNOWN };

struct dnsl_item {
    const char *domain;         /* primary: $dnslist_domain, TXT */
    const char *check;          /* asked first (with the restriction) */
    const char *ips;            /* restriction list, NULL for none */
    int negate, bitmask, all;
    const char *keys;           /* sublist after '/', NULL: client IP */
};

static int
parse_item(struct tern_arena *a, const char *s, struct dnsl_item *it)
{
    size_t n = strcspn(s, "/");
    size_t d = strcspn(s, "!=&");
    char *dom;

    memset(it, 0, sizeof *it);
    if (s[n] == '/')
        it->keys = s + n + 1;
    if (d > n)
        d = n;
    dom = tern_strndup(a, s, d);
    if (strchr(dom, ',') != NULL) {
        it->check = strchr(dom, ',') + 1;
        *strchr(dom, ',') = '\0';
    }
    it->domain = dom;
    if (it->check == NULL)
        it->check = dom;
    if (d < n) {
        const char *p = s + d;
        if (*p == '!') {
            it->negate = 1;
            p++;
        }
        if (*p == '&') {
            it->bitmask = 1;
            p++;
        } else if (*p == '=') {
            p++;
            if (*p == '=' || *p == '&') {
                it->all = 1;
                it->bitmask = *p == '&';
                p++;
            }
        }
        it->ips = tern_strndup(a, p, (size_t)(s + n - p));
    }
    return *dom ? 0 : -1;
}

static int
ip4(const char *s, uint32_t *v)
{
    struct in_addr in;

    if (inet_pton(AF_INET, s, &in) != 1)
        return -1;
    *v = ntohl(in.s_addr);
    return 0;
}

/* Does one answer match the restriction list?  -1 for a bad list. */
static int
one_matches(const struct dnsl_item *it, uint32_t ans)
{
    struct tern_list_iter li;
    char buf[64];
    const char *w;
    int too_long = 0;
    uint32_t v;

    tern_list_start(&li, it->ips, ',');
    while ((w = tern_list_next(&li, buf, sizeof buf, &too_long)) != NULL) {
        if (ip4(w, &v) != 0)
            return -1;
        if (it->bitmask ? (ans & v) == v : ans == v)
            return 1;
    }
    return 0;
}

/* The answers against the restriction: 1 match, 0 not, -1 bad list. */
static int
restricted(struct host_acl_run *r, const struct dnsl_item *it,
           const char *const *ans, size_t n)
{
    int any = 0, every = 1;

    if (it->ips == NULL)
        return 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        int m = ip4(ans[i], &v) == 0 ? one_matches(it, v) : 0;
        if (m < 0) {
            r->err = tern_printf(r->ctx->arena, "invalid IP address in "
                                 "dnslists restriction \"%s\"", it->ips);
            return -1;
        }
        any |= m;
        every &= m;
    }
    return (it->all ? every : any) ^ it->negate;
}

/* The name to look up for `key` under `domain`. */
static char *
query_name(struct tern_arena *a, const char *key, const char *domain)
{
    unsigned char b[16];
    struct tern_buf q = { 0 };
    char *out;

    if (inet_pton(AF_INET, key, b) == 1) {
        tern_buf_addf(&q, "%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0], domain);
    } else if (inet_pton(AF_INET6, key, b) == 1) {
        for (int i = 15; i >= 0; i--)
            tern_buf_addf(&q, "%x.%x.", b[i] & 15, b[i] >> 4);
        tern_buf_adds(&q, domain);
    } else {
        tern_buf_addf(&q, "%s.%s", key, domain);
    }
    out = tern_strdup(a, q.data);
    tern_buf_free(&q);
    return out;
}

/* Only 127.0.0.0/8 answers are believed. */
static size_t
loopback_only(const char **ans, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (strncmp(ans[i], "127.", 4) == 0)
            ans[k++] = ans[i];
    return k;
}

/* One key of one item: TERN_OK (listed), TERN_FAIL, TERN_DEFER,
 * TERN_ERROR. */
static int
try_key(struct host_acl_run *r, const struct dnsl_item *it, const char *key)
{
    struct tern_arena *a = r->ctx->arena;
    const char **ans, **txt;
    size_t n, nt;
    int rc = host_acl_dns(r->ctx, query_name(a, key, it->check), ns_t_a,
                          &ans, &n);

    if (rc != TERN_OK)
        return rc;
    if ((n = loopback_only(ans, n)) == 0)
        return TERN_FAIL;
    if ((rc = restricted(r, it, ans, n)) <= 0)
        return rc < 0 ? TERN_ERROR : TERN_FAIL;
    if (it->check != it->domain) {
        rc = host_acl_dns(r->ctx, query_name(a, key, it->domain), ns_t_a,
                          &ans, &n);
        if (rc != TERN_OK || (n = loopback_only(ans, n)) == 0)
            return rc == TERN_DEFER ? TERN_DEFER : TERN_FAIL;
    }
    struct tern_buf v = { 0 };
    for (size_t i = 0; i < n; i++)
        tern_buf_addf(&v, "%s%s", i ? ", " : "", ans[i]);
    host_acl_v.dnslist_domain = it->domain;
    host_acl_v.dnslist_matched = key;
    host_acl_v.dnslist_value = tern_strdup(a, v.data);
    tern_buf_free(&v);
    host_acl_v.dnslist_text = "";
    if (host_acl_dns(r->ctx, query_name(a, key, it->domain), ns_t_txt, &txt,
                     &nt) == TERN_OK && nt > 0)
        host_acl_v.dnslist_text = txt[0];
    host_acl_tr("%s is listed at %s (%s)", key, it->domain,
                host_acl_v.dnslist_value);
    return TERN_OK;
}

/* Every key of one item; the first listed one wins. */
static int
try_item(struct host_acl_run *r, const struct dnsl_item *it)
{
    struct tern_list_iter li;
    char buf[1024];
    const char *key;
    int too_long = 0, deferred = 0, rc;
    const char *ip = r->ctx->sess ? r->ctx->sess->peer_address : NULL;

    if (it->keys == NULL) {
        if (ip == NULL || *ip == '\0')
            return TERN_FAIL;
        rc = try_key(r, it, tern_strdup(r->ctx->arena, ip));
        return rc;
    }
    tern_list_start(&li, it->keys, ':');
    while ((key = tern_list_next(&li, buf, sizeof buf, &too_long)) != NULL) {
        if (*key == '\0')
            continue;
        rc = try_key(r, it, tern_strdup(r->ctx->arena, key));
        if (rc == TERN_OK || rc == TERN_ERROR)
            return rc;
        deferred |= rc == TERN_DEFER;
    }
    return deferred ? TERN_DEFER : TERN_FAIL;
}

int
host_acl_cond_dnslists(struct host_acl_run *r, const char *list)
{
    struct tern_list_iter li;
    char buf[2048];
    const char *w;
    int too_long = 0, rc;
    enum unknown unknown = EXCLUDE;
    struct dnsl_item it;

    tern_list_start(&li, list, ':');
    while ((w = tern_list_next(&li, buf, sizeof buf, &too_long)) != NULL) {
        if (strcmp(w, "+include_unknown") == 0) {
            unknown = INCLUDE;
            continue;
        }
        if (strcmp(w, "+exclude_unknown") == 0) {
            unknown = EXCLUDE;
            continue;
        }
        if (strcmp(w, "+defer_unknown") == 0) {
            unknown = DEFER_UNKNOWN;
            continue;
        }
        if (*w == '\0')
            continue;
        if (parse_item(r->ctx->arena, w, &it) != 0) {
            r->err = tern_printf(r->ctx->arena, "malformed dnslists item "
                                 "\"%s\"", w);
            return TERN_ERROR;
        }
        rc = try_item(r, &it);
        if (rc == TERN_OK || rc == TERN_ERROR)
            return rc;
        if (rc == TERN_DEFER && unknown == INCLUDE) {
            host_acl_v.dnslist_domain = it.domain;
            return TERN_OK;
        }
        if (rc == TERN_DEFER && unknown == DEFER_UNKNOWN) {
            r->err = tern_printf(r->ctx->arena, "DNS list lookup in %s "
                                 "deferred", it.domain);
            return TERN_DEFER;
        }
    }
    if (too_long) {
        r->err = "dnslists item too long";
        return TERN_ERROR;
    }
    return TERN_FAIL;
}
