/*
 * NAME
 *   cram_md5.c - the cram_md5 authenticator (server side)
 *
 * SYNOPSIS
 *   begin authenticators
 *   fixed_cram:
 *     driver = cram_md5
 *     public_name = CRAM-MD5
 *     server_secret = ${if eq{$auth1}{ph10}{secret}fail}
 *     server_set_id = $auth1
 *
 * DESCRIPTION
 *   RFC 2195, as Exim 4.96 serves it (spec chapter 35): the server sends
 *   the challenge "<pid.time@primary_hostname>", the client answers
 *   "user hexdigest" where the digest is HMAC-MD5 (RFC 2104) of the
 *   challenge keyed with the shared secret.  The user name goes into
 *   $auth1, server_secret is expanded to find the secret, and the digest
 *   is compared case-blind.  A forced failure of server_secret fails the
 *   authentication; any other expansion failure is temporary.  When
 *   server_condition is set it must also allow the client.
 *
 *   Data sent with the AUTH command itself is refused (553), as CRAM-MD5
 *   has no initial response.
 *
 *   MD5 is implemented here from RFC 1321, so the module needs no
 *   crypto library.  CRAM-MD5 is kept for compatibility; MD5 is no
 *   longer a strong hash.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <tern/auth.h>
#include <tern/host.h>
#include <tern/module.h>

#include "cram_md5_schema.h"

/* Made before the rename below, which would rename the tag too. */
typedef struct tern_module cram_module_type;

#define tern_module cram_md5_LTX_tern_module

/* ---- MD5 (RFC 1321) ---------------------------------------------------- */

struct md5 {
    uint32_t h[4];
    uint64_t len;               /* bytes so far */
    unsigned char buf[64];
    size_t fill;
};

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
    0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
    0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const unsigned char md5_r[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void
md5_init(struct md5 *m)
{
    m->h[0] = 0x67452301;
    m->h[1] = 0xefcdab89;
    m->h[2] = 0x98badcfe;
    m->h[3] = 0x10325476;
    m->len = 0;
    m->fill = 0;
}

static uint32_t
rol(uint32_t x, unsigned c)
{
    return (x << c) | (x >> (32 - c));
}

static void
md5_block(struct md5 *m, const unsigned char *p)
{
    uint32_t w[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
               (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
    for (unsigned i = 0; i < 64; i++) {
        uint32_t f;
        unsigned g;

        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;

        d = c;
        c = b;
        b = b + rol(a + f + md5_k[i] + w[g], md5_r[i]);
        a = t;
    }
    m->h[0] += a;
    m->h[1] += b;
    m->h[2] += c;
    m->h[3] += d;
}

static void
md5_add(struct md5 *m, const void *data, size_t n)
{
    const unsigned char *p = data;

    m->len += n;
    while (n > 0) {
        size_t k = 64 - m->fill < n ? 64 - m->fill : n;

        memcpy(m->buf + m->fill, p, k);
        m->fill += k;
        p += k;
        n -= k;
        if (m->fill == 64) {
            md5_block(m, m->buf);
            m->fill = 0;
        }
    }
}

static void
md5_end(struct md5 *m, unsigned char out[16])
{
    uint64_t bits = m->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];

    md5_add(m, &pad, 1);
    while (m->fill != 56)
        md5_add(m, &zero, 1);
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (8 * i));
    md5_add(m, lenb, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[i * 4 + j] = (unsigned char)(m->h[i] >> (8 * j));
}

/* HMAC-MD5 (RFC 2104). */
static void
hmac_md5(const char *key, size_t klen, const char *msg, size_t mlen,
         unsigned char out[16])
{
    unsigned char k[64], ipad[64], opad[64], inner[16];
    struct md5 m;

    memset(k, 0, sizeof k);
    if (klen > 64) {
        md5_init(&m);
        md5_add(&m, key, klen);
        md5_end(&m, k);
    } else {
        memcpy(k, key, klen);
    }
    for (int i = 0; i < 64; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    md5_init(&m);
    md5_add(&m, ipad, 64);
    md5_add(&m, msg, mlen);
    md5_end(&m, inner);
    md5_init(&m);
    md5_add(&m, opad, 64);
    md5_add(&m, inner, 16);
    md5_end(&m, out);
}

/* ---- the authenticator ------------------------------------------------- */

struct cram_state {
    const char *challenge;
};

static int
cram_configured(const void *options, const char *server_condition)
{
    const struct tern_opts_auth_cram_md5 *o = options;

    (void)server_condition;
    return o->server_secret.text != NULL && *o->server_secret.text != '\0';
}

static int
cram_start(struct tern_auth_server *as, const char *data, size_t len)
{
    struct cram_state *st;
    const char *host;
    char buf[512];

    (void)len;
    if (data != NULL)
        return TERN_AUTH_UNEXPECTED;
    host = as->host->variable(as->ctx, "primary_hostname");
    snprintf(buf, sizeof buf, "<%ld.%lld@%s>", (long)getpid(),
             (long long)time(NULL), host ? host : "localhost");
    st = as->host->alloc(as->ctx, sizeof *st);
    st->challenge = as->host->strdup(as->ctx, buf);
    as->state = st;
    as->challenge = st->challenge;
    as->challenge_len = strlen(st->challenge);
    return TERN_AUTH_CHALLENGE;
}

static int
cram_next(struct tern_auth_server *as, const char *data, size_t len)
{
    const struct tern_opts_auth_cram_md5 *o = as->options;
    const struct cram_state *st = as->state;
    const char *sp = NULL, *secret, *err = NULL;
    unsigned char digest[16];
    char hex[33];
    int forced = 0;

    for (size_t i = 0; i < len; i++)
        if (data[i] == ' ')
            sp = data + i;
    if (sp == NULL || (size_t)(data + len - (sp + 1)) != 32)
        return TERN_AUTH_FAIL;
    as->set_var(as, 1, data, (size_t)(sp - data));
    secret = as->host->expand(as->ctx, o->server_secret.text, &err, &forced);
    if (secret == NULL) {
        if (forced)
            return TERN_AUTH_FAIL;
        as->message = as->host->strdup(as->ctx, err ? err
                                       : "server_secret expansion failed");
        return TERN_AUTH_DEFER;
    }
    hmac_md5(secret, strlen(secret), st->challenge, strlen(st->challenge),
             digest);
    for (int i = 0; i < 16; i++)
        snprintf(hex + i * 2, 3, "%02x", digest[i]);
    if (strncasecmp(hex, sp + 1, 32) != 0)
        return TERN_AUTH_FAIL;
    return as->check_condition(as);
}

static const struct tern_auth_ops ops = {
    .size = sizeof(struct tern_auth_ops),
    .server_configured = cram_configured,
    .server_start = cram_start,
    .server_next = cram_next,
};

static const struct tern_driver drv_cram_md5 = {
    .name = "cram_md5",
    .kind = TERN_DRIVER_AUTH,
    .options = tern_optdefs_auth_cram_md5,
    .options_size = sizeof(struct tern_opts_auth_cram_md5),
    .ops = &ops,
};

static const struct tern_driver *const drivers[] = { &drv_cram_md5, NULL };

TERN_EXPORT const cram_module_type tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "cram_md5",
    .version = CRAM_MD5_SCHEMA_VERSION,
    .schema_hash = CRAM_MD5_SCHEMA_HASH,
    .drivers = drivers,
};
