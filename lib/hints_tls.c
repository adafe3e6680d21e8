/*
 * NAME
 *   hints_tls.c - TLS session records and the PIPE_CONNECT EHLO cache
 *
 * SYNOPSIS
 *   tern_hints_tls_key(key, sizeof key, "192.0.2.1", 25, "mx.example",
 *                      policy);
 *   tern_hints_tls_put(h, key, &(struct tern_hints_tls){ ... }, &err);
 *   tern_hints_ehlo_key(key, sizeof key, "192.0.2.1", 25, helo, NULL);
 *
 * DESCRIPTION
 *   These records are Tern's own (Exim keeps different data under other
 *   keys), so each payload starts with a four-byte magic and version;
 *   anything else under such a key is treated as absent.  After the time
 *   stamp:
 *
 *     tls:   "TLS1", 4 bytes padding, int64 expires, uint32 policy
 *            length, uint32 session length, the policy and a NUL, the
 *            session bytes
 *     EHLO:  "EHL1", uint32 features before and after STARTTLS, 4 bytes
 *            padding, int64 SIZE before and after, the AUTH mechanisms
 *            before and after, each with a NUL
 *
 *   Key parts that are addresses are bracketed, because an IPv6 address
 *   contains the colons that separate the parts.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "hints_int.h"

#define TLS_FIXED 24
#define EHLO_FIXED 32

size_t tern_hints_tls_key(char *buf, size_t size, const char *host, int port,
                          const char *sni, const char *policy)
{
    int n = snprintf(buf, size, "[%s]:%d:%s:%s", host ? host : "", port,
                     sni ? sni : "", policy ? policy : "");
    return n < 0 ? 0 : (size_t)n;
}

void tern_hints_tls_encode(const struct tern_hints_tls *t,
                           struct tern_buf *out)
{
    unsigned char fixed[TLS_FIXED];
    const char *policy = t->policy ? t->policy : "";
    size_t plen = strlen(policy);
    memset(fixed, 0, sizeof fixed);
    memcpy(fixed, "TLS1", 4);
    tern_hints_put64(fixed + 8, t->expires);
    tern_hints_put32(fixed + 16, (int)plen);
    tern_hints_put32(fixed + 20, (int)t->session_len);
    tern_buf_add(out, fixed, sizeof fixed);
    tern_buf_add(out, policy, plen + 1);
    if (t->session_len)
        tern_buf_add(out, t->session, t->session_len);
}

int tern_hints_tls_decode(const struct tern_hints_rec *rec,
                          struct tern_hints_tls *t)
{
    const unsigned char *p = rec->data;
    uint32_t plen, slen;
    if (rec->stamp < 0 || rec->len < TLS_FIXED || memcmp(p, "TLS1", 4))
        return -1;
    plen = (uint32_t)tern_hints_get32(p + 16);
    slen = (uint32_t)tern_hints_get32(p + 20);
    if ((size_t)plen + 1 + slen != rec->len - TLS_FIXED ||
        p[TLS_FIXED + plen] != 0 || memchr(p + TLS_FIXED, 0, plen))
        return -1;
    t->expires = tern_hints_get64(p + 8);
    t->policy = (const char *)p + TLS_FIXED;
    t->session = p + TLS_FIXED + plen + 1;
    t->session_len = slen;
    return 0;
}

int tern_hints_tls_get(struct tern_hints *h, const char *key, long long now,
                       struct tern_hints_tls *t, struct tern_hints_err *err)
{
    struct tern_hints_rec rec;
    int rc = tern_hints_get(h, key, &rec, err);
    if (rc != 0)
        return rc;
    if (tern_hints_tls_decode(&rec, t) != 0 ||
        (t->expires > 0 && t->expires <= now))
        return TERN_HINTS_NOTFOUND;
    return 0;
}

int tern_hints_tls_put(struct tern_hints *h, const char *key,
                       const struct tern_hints_tls *t,
                       struct tern_hints_err *err)
{
    struct tern_buf b = { 0 };
    int rc;
    tern_hints_tls_encode(t, &b);
    rc = tern_hints_put(h, key, b.data, b.len, err);
    tern_buf_free(&b);
    return rc;
}

/* ---- EHLO cache ---------------------------------------------------------- */

size_t tern_hints_ehlo_key(char *buf, size_t size, const char *addr,
                           int port, const char *helo, const char *iface)
{
    int n;
    if (iface && *iface)
        n = snprintf(buf, size, TERN_HINTS_EHLO_PREFIX "[%s]:%d:%s:[%s]",
                     addr ? addr : "", port, helo ? helo : "", iface);
    else
        n = snprintf(buf, size, TERN_HINTS_EHLO_PREFIX "[%s]:%d:%s:",
                     addr ? addr : "", port, helo ? helo : "");
    return n < 0 ? 0 : (size_t)n;
}

void tern_hints_ehlo_encode(const struct tern_hints_ehlo *e,
                            struct tern_buf *out)
{
    unsigned char fixed[EHLO_FIXED];
    const char *ca = e->clear.auths ? e->clear.auths : "";
    const char *ta = e->tls.auths ? e->tls.auths : "";
    memset(fixed, 0, sizeof fixed);
    memcpy(fixed, "EHL1", 4);
    tern_hints_put32(fixed + 4, (int)e->clear.features);
    tern_hints_put32(fixed + 8, (int)e->tls.features);
    tern_hints_put64(fixed + 16, e->clear.size);
    tern_hints_put64(fixed + 24, e->tls.size);
    tern_buf_add(out, fixed, sizeof fixed);
    tern_buf_add(out, ca, strlen(ca) + 1);
    tern_buf_add(out, ta, strlen(ta) + 1);
}

int tern_hints_ehlo_decode(const struct tern_hints_rec *rec,
                           struct tern_hints_ehlo *e)
{
    const unsigned char *p = rec->data, *end = p + rec->len, *a2;
    if (rec->stamp < 0 || rec->len < EHLO_FIXED + 2 || memcmp(p, "EHL1", 4))
        return -1;
    a2 = memchr(p + EHLO_FIXED, 0, rec->len - EHLO_FIXED);
    if (!a2 || ++a2 >= end || memchr(a2, 0, (size_t)(end - a2)) != end - 1)
        return -1;
    e->clear.features = (unsigned)tern_hints_get32(p + 4);
    e->tls.features = (unsigned)tern_hints_get32(p + 8);
    e->clear.size = tern_hints_get64(p + 16);
    e->tls.size = tern_hints_get64(p + 24);
    e->clear.auths = (const char *)p + EHLO_FIXED;
    e->tls.auths = (const char *)a2;
    return 0;
}

int tern_hints_ehlo_get(struct tern_hints *h, const char *key,
                        long long max_age, long long now,
                        struct tern_hints_ehlo *e, struct tern_hints_err *err)
{
    struct tern_hints_rec rec;
    int rc = tern_hints_get(h, key, &rec, err);
    if (rc != 0)
        return rc;
    if (tern_hints_ehlo_decode(&rec, e) != 0 ||
        (max_age > 0 && rec.stamp < now - max_age))
        return TERN_HINTS_NOTFOUND;
    return 0;
}

int tern_hints_ehlo_put(struct tern_hints *h, const char *key,
                        const struct tern_hints_ehlo *e,
                        struct tern_hints_err *err)
{
    struct tern_buf b = { 0 };
    int rc;
    tern_hints_ehlo_encode(e, &b);
    rc = tern_hints_put(h, key, b.data, b.len, err);
    tern_buf_free(&b);
    return rc;
}

const char *tern_hints_ehlo_feature_name(unsigned bit)
{
    static const char *const names[] = {
        "PIPELINING", "PIPECONNECT", "CHUNKING", "SIZE", "8BITMIME",
        "STARTTLS", "DSN", "SMTPUTF8", "AUTH", "PRDR",
        "ENHANCEDSTATUSCODES"
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (bit == 1u << i)
            return names[i];
    return NULL;
}
