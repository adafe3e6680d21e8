/*
 * NAME
 *   expand_digest.c - ${md5}, ${sha1}, ${sha2_N}, ${sha3_N}, ${hmac} and
 *   the crypteq condition, with OpenSSL
 *
 * SYNOPSIS
 *   ${md5:x}  ${sha256:x}  ${sha3_512:x}  ${hmac{sha1}{secret}{data}}
 *   ${if crypteq{clear}{\{md5\}base64-or-hex}}
 *
 * DESCRIPTION
 *   Exim prints MD5 (and HMAC) in lower-case hex and the SHA family in
 *   upper case; so does this.  crypteq understands {md5} and {sha1}
 *   (base64 by length 24/28, hex by length 32/40, other lengths never
 *   match); {crypt} and {crypt16} need the system's crypt(), which
 *   libtern does not link, and are reported as unsupported.
 *
 * DIAGNOSTICS
 *   Unknown hmac algorithm, unknown crypteq mechanism, OpenSSL failure.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "expand_int.h"

static const EVP_MD *md_for(unsigned op, unsigned bits)
{
    switch (op) {
    case OP_MD5: return EVP_md5();
    case OP_SHA1: return EVP_sha1();
    case OP_SHA2:
        return bits == 384 ? EVP_sha384() : bits == 512 ? EVP_sha512()
                                                        : EVP_sha256();
    default:
        return bits == 224 ? EVP_sha3_224() : bits == 384 ? EVP_sha3_384() :
               bits == 512 ? EVP_sha3_512() : EVP_sha3_256();
    }
}

static int digest(const EVP_MD *md, struct xs s, unsigned char *out,
                  unsigned *len)
{
    return EVP_Digest(s.p, s.len, out, len, md, NULL) == 1 ? 0 : -1;
}

static void hex(const unsigned char *d, unsigned n, int upper,
                struct xb *out)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        xb_addc(out, digits[d[i] >> 4]);
        xb_addc(out, digits[d[i] & 15]);
    }
}

int exp_op_digest(struct ev *v, uint32_t node, unsigned op, unsigned bits,
                  struct xs s, struct xb *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (digest(md_for(op, bits), s, d, &n) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "digest failed");
    hex(d, n, op != OP_MD5, out);
    return 0;
}

int exp_hmac(struct ev *v, uint32_t node, struct xs algo, struct xs key,
             struct xs data, struct xb *out)
{
    const EVP_MD *md = xs_eq(algo, "md5") ? EVP_md5() :
                       xs_eq(algo, "sha1") ? EVP_sha1() : NULL;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!md)
        return ev_fail(v, TERN_EXP_ERROR, node, "hmac algorithm \"%s\" is not "
                       "recognised", xs_dup(v->a, algo));
    if (!HMAC(md, key.p, (int)(key.len > 0x7fffffff ? 0x7fffffff : key.len),
              (const unsigned char *)data.p, data.len, d, &n))
        return ev_fail(v, TERN_EXP_ERROR, node, "hmac failed");
    hex(d, n, 0, out);
    return 0;
}

static int b64_of(const unsigned char *d, unsigned n, char *out, size_t max)
{
    if ((n + 2) / 3 * 4 + 1 > max)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, d, (int)n);
    return 0;
}

int exp_crypteq(struct ev *v, uint32_t node, struct xs clear,
                struct xs crypted)
{
    const char *close = crypted.len && crypted.p[0] == '{'
                            ? memchr(crypted.p, '}', crypted.len) : NULL;
    struct xs mech = close ? xs_make(crypted.p + 1,
                                     (size_t)(close - crypted.p - 1))
                           : xs_make("crypt", 5);
    struct xs rest = close ? xs_make(close + 1, crypted.len -
                                     (size_t)(close + 1 - crypted.p))
                           : crypted;
    const EVP_MD *md = xs_eqi(mech, "md5") ? EVP_md5() :
                       xs_eqi(mech, "sha1") ? EVP_sha1() : NULL;
    if (!md) {
        if (xs_eqi(mech, "crypt") || xs_eqi(mech, "crypt16"))
            return ev_fail(v, TERN_EXP_ERROR, node, "crypteq: {%s} is not "
                           "supported in this build", xs_dup(v->a, mech));
        return ev_fail(v, TERN_EXP_ERROR, node, "unknown encryption "
                       "mechanism in \"%s\"", xs_dup(v->a, crypted));
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (digest(md, clear, d, &n) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "digest failed");
    char enc[2 * EVP_MAX_MD_SIZE + 1];
    if (rest.len == (n + 2) / 3 * 4) {
        if (b64_of(d, n, enc, sizeof enc) < 0)
            return 0;
        return memcmp(enc, rest.p, rest.len) == 0;
    }
    if (rest.len == 2 * n) {
        for (unsigned i = 0; i < n; i++)
            snprintf(enc + 2 * i, 3, "%02x", d[i]);
        return strncasecmp(enc, rest.p, rest.len) == 0;
    }
    return 0;
}
