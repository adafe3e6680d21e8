/*
 * NAME
 *   lsearch_match.c - key matching for wildlsearch, nwildlsearch and
 *   iplsearch
 *
 * DESCRIPTION
 *   A key in a (n)wildlsearch file is, as in Exim 4.96, a one-item string
 *   list matched case-blind against the key looked up:
 *
 *     - wildlsearch expands it first; one without `$` or `\` expands to
 *       itself, so only keys with those reach the host's expand().  A
 *       forced failure means "no match"; any other failure defers the
 *       lookup, naming the key;
 *     - blanks around it are dropped, and a leading `!` (then blanks)
 *       negates the match, so `!x` matches every key but x;
 *     - `^...` is a PCRE2 regex compiled case-blind ((?-i) turns that
 *       off); `*suffix` matches keys that end with suffix (`*` alone
 *       matches all); anything else is compared literally.
 *
 *   `type;file` (anything else with a semicolon) is a nested single-key
 *   lookup of the key in that file; its data is discarded.  Modules
 *   cannot call lookups themselves, so the host runs it through its
 *   expand(), as ${lookup{KEY}type{file}{1}{0}}.  An unknown type, or a
 *   query-style one, defers the lookup (Exim dies on an unknown type);
 *   so does a regex that does not compile, where Exim dies too.
 *
 *   iplsearch keys are IPv4 or IPv6 addresses with an optional /bits;
 *   the address looked up must belong to the same family.
 *
 * DIAGNOSTICS
 *   "failed to expand "KEY" while checking a list: WHY",
 *   "regular expression error: WHY at offset N while compiling RE",
 *   "cannot expand wildlsearch key ...: the host offers no expansion".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <tern/host.h>
#include "../lookup_util.h"
#include "lsearch.h"

int ls_caseless_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

void ls_re_free(struct ls_file *h)
{
    for (unsigned i = 0; i < LS_RE_SLOTS; i++) {
        free(h->re[i].pat);
        pcre2_code_free(h->re[i].code);
        h->re[i].pat = NULL;
        h->re[i].code = NULL;
    }
    pcre2_match_data_free(h->md);
    h->md = NULL;
}

/* The compiled form of a regex key, from the handle's small cache. */
static pcre2_code *re_get(struct ls_file *h, const char *pat, size_t len,
                          const char **err)
{
    int ec;
    PCRE2_SIZE eoff;
    PCRE2_UCHAR msg[256];

    for (unsigned i = 0; i < LS_RE_SLOTS; i++)
        if (h->re[i].code && h->re[i].len == len &&
            memcmp(h->re[i].pat, pat, len) == 0)
            return h->re[i].code;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_CASELESS,
                                     &ec, &eoff, NULL);
    if (code == NULL) {
        pcre2_get_error_message(ec, msg, sizeof msg);
        *err = lk_err("regular expression error: %s at offset %zu while "
                      "compiling %.*s", (char *)msg, (size_t)eoff, (int)len,
                      pat);
        return NULL;
    }
    struct ls_re *slot = &h->re[h->re_next++ % LS_RE_SLOTS];
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        pcre2_code_free(code);
        *err = "out of memory";
        return NULL;
    }
    free(slot->pat);
    pcre2_code_free(slot->code);
    memcpy(copy, pat, len);
    copy[len] = '\0';
    slot->pat = copy;
    slot->len = len;
    slot->code = code;
    return code;
}

static int re_match(struct ls_file *h, const char *pat, size_t plen,
                    const char *key, size_t klen, const char **err)
{
    pcre2_code *code = re_get(h, pat, plen, err);
    if (code == NULL)
        return -1;
    if (h->md == NULL && (h->md = pcre2_match_data_create(1, NULL)) == NULL) {
        *err = "out of memory";
        return -1;
    }
    int rc = pcre2_match(code, (PCRE2_SPTR)key, klen, 0, 0, h->md, NULL);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    *err = lk_err("regular expression error: %s while matching %.*s",
                  (char *)msg, (int)plen, pat);
    return -1;
}

/* wildlsearch: the key expanded by the host.  1 expanded (*out set),
 * 0 forced failure, -1 error. */
static int expand_key(const char *pat, size_t plen, struct tern_ctx *ctx,
                      const char **out, const char **err)
{
    const size_t need = offsetof(struct tern_host_api, expand) +
                        sizeof ls_host->expand;
    char *src = malloc(plen + 1);

    if (src == NULL) {
        *err = "out of memory";
        return -1;
    }
    memcpy(src, pat, plen);
    src[plen] = '\0';
    if (ls_host == NULL || ls_host->size < need || ls_host->expand == NULL) {
        *err = lk_err("cannot expand wildlsearch key \"%s\": the host "
                      "offers no expansion (use nwildlsearch)", src);
        free(src);
        return -1;
    }
    const char *why = NULL;
    int forced = 0;
    char *x = ls_host->expand(ctx, src, &why, &forced);
    if (x == NULL && !forced)
        *err = lk_err("failed to expand \"%s\" while checking a list: %s",
                      src, why ? why : "unknown error");
    free(src);
    if (x == NULL)
        return forced ? 0 : -1;
    *out = x;
    return 1;
}

/* Append s[0..n) to o, with the expansion language's specials escaped. */
static char *add_escaped(char *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\${}", s[i]))
            *o++ = '\\';
        *o++ = s[i];
    }
    return o;
}

/* A "type;file" key: a nested single-key lookup of the key in that file,
 * run by the host as ${lookup{KEY}TYPE{FILE}{1}{0}}, so it goes through
 * the host's dispatcher like any other.  1 found, 0 not, -1 error. */
static int nested(const char *pat, size_t plen, const char *key, size_t klen,
                  struct tern_ctx *ctx, const char **err)
{
    const char *semi = memchr(pat, ';', plen);
    const char *file = semi + 1, *end = pat + plen;

    if (memchr(key, '\0', klen))
        return 0;
    while (file < end && isspace((unsigned char)*file))
        file++;
    char *src = malloc(2 * (klen + plen) + 32);
    if (src == NULL) {
        *err = "out of memory";
        return -1;
    }
    char *o = src;
    o = add_escaped(o + sprintf(o, "${lookup{"), key, klen);
    *o++ = '}';
    memcpy(o, pat, (size_t)(semi - pat));
    o += semi - pat;
    *o++ = '{';
    o = add_escaped(o, file, (size_t)(end - file));
    strcpy(o, "}{1}{0}}");
    const char *x;
    int r = expand_key(src, strlen(src), ctx, &x, err);
    free(src);
    return r < 0 ? -1 : r > 0 && strcmp(x, "1") == 0;
}

int ls_match_wild(struct ls_file *h, int expand, const char *pat,
                  size_t plen, const char *key, size_t klen,
                  struct tern_ctx *ctx, const char **err)
{
    int neg = 0, m;

    if (expand && (memchr(pat, '$', plen) || memchr(pat, '\\', plen))) {
        const char *x;
        int r = expand_key(pat, plen, ctx, &x, err);
        if (r <= 0)
            return r;
        pat = x;
        plen = strlen(x);
    }
    while (plen && isspace((unsigned char)*pat))
        pat++, plen--;
    while (plen && isspace((unsigned char)pat[plen - 1]))
        plen--;
    if (plen && *pat == '!') {
        neg = 1;
        pat++, plen--;
        while (plen && isspace((unsigned char)*pat))
            pat++, plen--;
    }
    if (plen && *pat == '^') {
        if ((m = re_match(h, pat, plen, key, klen, err)) < 0)
            return -1;
    } else if (plen && *pat == '*') {
        m = klen >= plen - 1 &&
            ls_caseless_eq(key + klen - (plen - 1), plen - 1, pat + 1,
                           plen - 1);
    } else if (memchr(pat, ';', plen)) {
        if ((m = nested(pat, plen, key, klen, ctx, err)) < 0)
            return -1;
    } else {
        m = ls_caseless_eq(pat, plen, key, klen);
    }
    return m ^ neg;
}

int ls_ip_parse(const char *s, size_t n, struct ls_ip *ip, int allow_mask)
{
    char buf[INET6_ADDRSTRLEN + 8];
    long bits = -1;

    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/');
    if (slash) {
        if (!allow_mask || slash[1] == '\0' || strlen(slash + 1) > 3)
            return 0;
        for (const char *d = slash + 1; *d; d++)
            if (!isdigit((unsigned char)*d))
                return 0;
        bits = strtol(slash + 1, NULL, 10);
        *slash = '\0';
    }
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, buf, ip->addr) == 1) {
        ip->family = 4;
        ip->bits = 32;
    } else if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
        ip->family = 6;
        ip->bits = 128;
    } else {
        return 0;
    }
    if (bits > (long)ip->bits)
        return 0;
    if (bits >= 0)
        ip->bits = (unsigned)bits;
    return 1;
}

int ls_ip_match(const struct ls_ip *net, const struct ls_ip *addr)
{
    unsigned full = net->bits / 8, rest = net->bits % 8;

    if (net->family != addr->family)
        return 0;
    if (memcmp(net->addr, addr->addr, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (net->addr[full] & mask) == (addr->addr[full] & mask);
}
