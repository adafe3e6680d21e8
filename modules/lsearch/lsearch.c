/*
 * NAME
 *   lsearch.c - the lsearch module: lsearch, wildlsearch, nwildlsearch,
 *   iplsearch
 *
 * SYNOPSIS
 *   ${lookup{$local_part}lsearch{/etc/aliases}}
 *   ${lookup{$domain}wildlsearch{/etc/mail/domains}}
 *   ${lookup{$sender_host_address}iplsearch,ret=full{/etc/mail/nets}}
 *
 * DESCRIPTION
 *   Linear searches of "key: data" text files, read the way Exim 4.96
 *   reads them (checked against it by tests/integration/lookup-vs-exim):
 *
 *     - a line that is empty, starts with `#` or starts with white space
 *       is not a key line;
 *     - the key runs to a colon, white space or the end of the line; a
 *       key starting with `"` runs to the closing quote (or the end of
 *       the line) with \\ \" \n \r \t \b \f \v, octal \NNN and hex \xHH
 *       escapes; any other escaped character stands for itself;
 *     - the data is the rest of the line without leading blanks, one
 *       leading colon and the blanks after it, or trailing blanks; each
 *       following line that starts with white space and has more than
 *       white space on it adds one space and its trimmed text.  Any other
 *       line, comment and blank lines included, ends the data (the 4.96
 *       binary does this, though its manual says comments are skipped);
 *     - the first line whose key matches wins.  lsearch compares keys
 *       case-blind; the others match as lsearch_match.c describes;
 *     - option ret=full returns the (unquoted) key followed by the rest
 *       of the line as written, instead of the data alone.
 *
 *   The handle is the open FILE, rewound for each search.  The host
 *   keeps it open across messages and reopens it when the file is
 *   replaced or changed (lib/lookup.c).
 *
 * DIAGNOSTICS
 *   Lookups defer with "failed to open FILE for linear search: ERRNO",
 *   "error reading FILE: ERRNO", or, for iplsearch, ""KEY" is not a valid
 *   iplsearch key ..." as Exim words them.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <tern/host.h>
#include "../lookup_util.h"
#include "lsearch.h"
#include "lsearch_schema.h"

enum ls_type { LS_PLAIN, LS_WILD, LS_NWILD, LS_IP };

const struct tern_host_api *ls_host;

static int ls_init(const struct tern_host_api *host)
{
    ls_host = host;
    return TERN_OK;
}

static void *ls_open(const char *filename, const char **err)
{
    struct ls_file *h = calloc(1, sizeof *h);

    if (h == NULL) {
        *err = "out of memory";
        return NULL;
    }
    if ((h->f = fopen(filename, "r")) == NULL) {
        *err = lk_err("failed to open %s for linear search: %s", filename,
                      strerror(errno));
        free(h);
        return NULL;
    }
    return h;
}

static void ls_close(void *handle)
{
    struct ls_file *h = handle;

    fclose(h->f);
    ls_re_free(h);
    free(h->line);
    free(h);
}

/* Next line without its newline, cut at a NUL as Exim's fgets() would;
 * NULL at the end of the file. */
static char *next_line(struct ls_file *h, size_t *len)
{
    if (getline(&h->line, &h->cap, h->f) < 0)
        return NULL;
    *len = strlen(h->line);
    if (*len && h->line[*len - 1] == '\n')
        h->line[--*len] = '\0';
    return h->line;
}

/* One escape of a quoted key; *rp points after the backslash. */
static char unescape(const char **rp, const char *end)
{
    const char *r = *rp;
    int c = (unsigned char)*r++, v, n;

    switch (c) {
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'v': c = '\v'; break;
    case 'x':
        for (c = 0, n = 0; n < 2 && r < end && isxdigit((unsigned char)*r);
             n++, r++) {
            v = isdigit((unsigned char)*r) ? *r - '0'
                                           : (tolower((unsigned char)*r) -
                                              'a' + 10);
            c = c * 16 + v;
        }
        break;
    default:
        if (c >= '0' && c <= '7') {
            c -= '0';
            for (n = 1; n < 3 && r < end && *r >= '0' && *r <= '7'; n++)
                c = c * 8 + (*r++ - '0');
        }
        break;
    }
    *rp = r;
    return (char)c;
}

/* Split a key line: the key (unquoted in place) is s[0..*klen), *rest
 * points after it in the line as written. */
static void split_key(char *s, const char *end, size_t *klen,
                      const char **rest)
{
    const char *r = s;

    if (*s == '"') {
        char *w = s;
        for (r = s + 1; r < end && *r != '"';) {
            if (*r == '\\' && r + 1 < end) {
                r++;
                *w++ = unescape(&r, end);
            } else {
                *w++ = *r++;
            }
        }
        if (r < end)
            r++;
        *klen = (size_t)(w - s);
    } else {
        while (r < end && *r != ':' && !isspace((unsigned char)*r))
            r++;
        *klen = (size_t)(r - s);
    }
    *rest = r;
}

/* A growable malloc'd result. */
struct out {
    char *p;
    size_t len, cap;
    int oom;
};

static void out_add(struct out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 128;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (p == NULL) {
            o->oom = 1;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static const char *skip_blanks(const char *s, const char *end)
{
    while (s < end && isspace((unsigned char)*s))
        s++;
    return s;
}

static const char *trim_end(const char *s, const char *end)
{
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    return end;
}

/* The data of the entry whose key line was just read, with its
 * continuation lines. */
static int collect(struct ls_file *h, const char *key, size_t klen,
                   const char *rest, const char *end, int full,
                   char **result, size_t *rlen, const char **err)
{
    struct out o = { NULL, 0, 0, 0 };
    size_t len;
    const char *s;

    if (full) {
        out_add(&o, key, klen);
    } else {
        rest = skip_blanks(rest, end);
        if (rest < end && *rest == ':')
            rest = skip_blanks(rest + 1, end);
    }
    out_add(&o, rest, (size_t)(trim_end(rest, end) - rest));
    out_add(&o, "", 0);
    while ((s = next_line(h, &len)) != NULL &&
           len > 0 && isspace((unsigned char)*s)) {
        const char *e = trim_end(s, s + len);
        s = skip_blanks(s, e);
        if (s == e)
            break;
        out_add(&o, " ", 1);
        out_add(&o, s, (size_t)(e - s));
    }
    if (o.oom || o.p == NULL) {
        free(o.p);
        *err = "out of memory";
        return TERN_DEFER;
    }
    *result = o.p;
    *rlen = o.len;
    return TERN_OK;
}

/* iplsearch takes an address (IPv4-mapped IPv6 ones as IPv4) or "*". */
static int ip_key(const char *key, size_t klen, struct ls_ip *ip,
                  const char **err)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                              0xff, 0xff };

    if (klen == 1 && *key == '*') {
        memset(ip, 0, sizeof *ip);
        return 1;
    }
    if (memchr(key, '\0', klen) || !ls_ip_parse(key, klen, ip, 0)) {
        *err = lk_err("\"%.*s\" is not a valid iplsearch key (an IP "
                      "address, with optional CIDR mask, is wanted): in a "
                      "host list, use net-iplsearch as the search type",
                      (int)klen, key);
        return 0;
    }
    if (ip->family == 6 && memcmp(ip->addr, mapped, 12) == 0) {
        memmove(ip->addr, ip->addr + 12, 4);
        memset(ip->addr + 4, 0, 12);
        ip->family = 4;
        ip->bits = 32;
    }
    return 1;
}

/* 1 when the key in the file matches, 0 when not, -1 on an error. */
static int key_matches(struct ls_file *h, enum ls_type type,
                       const char *fkey, size_t fklen, const char *key,
                       size_t klen, const struct ls_ip *ipkey,
                       struct tern_ctx *ctx, const char **err)
{
    struct ls_ip net;

    switch (type) {
    case LS_PLAIN:
        return ls_caseless_eq(fkey, fklen, key, klen);
    case LS_IP:
        if (fklen == 1 && *fkey == '*')
            return ipkey->family == 0;
        return ipkey->family != 0 && ls_ip_parse(fkey, fklen, &net, 1) &&
               ls_ip_match(&net, ipkey);
    default:
        return ls_match_wild(h, type == LS_WILD, fkey, fklen, key, klen,
                             ctx, err);
    }
}

static int ls_find(enum ls_type type, void *handle, const char *filename,
                   const char *key, size_t klen, const char *opts,
                   char **result, size_t *rlen, const char **err,
                   struct tern_ctx *ctx)
{
    struct ls_file *h = handle;
    struct ls_ip ipkey;
    size_t len, fklen;
    const char *rest;
    char *s;

    if (type == LS_IP && !ip_key(key, klen, &ipkey, err))
        return TERN_DEFER;
    rewind(h->f);
    while ((s = next_line(h, &len)) != NULL) {
        if (len == 0 || *s == '#' || isspace((unsigned char)*s))
            continue;
        split_key(s, s + len, &fklen, &rest);
        int m = key_matches(h, type, s, fklen, key, klen, &ipkey, ctx, err);
        if (m < 0)
            return TERN_DEFER;
        if (m)
            return collect(h, s, fklen, rest, s + len,
                           lk_option_is(opts, "ret", "full"), result, rlen,
                           err);
    }
    if (ferror(h->f)) {
        *err = lk_err("error reading %s: %s", filename, strerror(errno));
        return TERN_DEFER;
    }
    return TERN_FAIL;
}

#define LS_FIND(fn, type)                                                  \
    static int fn(void *h, const char *file, const char *key, size_t klen, \
                  const char *opts, char **res, size_t *rlen,              \
                  const char **err, struct tern_ctx *ctx)                  \
    {                                                                      \
        return ls_find(type, h, file, key, klen, opts, res, rlen, err,     \
                       ctx);                                               \
    }
LS_FIND(find_plain, LS_PLAIN)
LS_FIND(find_wild, LS_WILD)
LS_FIND(find_nwild, LS_NWILD)
LS_FIND(find_ip, LS_IP)

#define LS_LOOKUP(id, lname, fn)                                           \
    static const struct tern_lookup id = {                                 \
        .name = (lname), .style = TERN_LOOKUP_SINGLE_KEY,                  \
        .open = ls_open, .close = ls_close, .find_opt = (fn),               \
        .free_result = lk_free_result }
LS_LOOKUP(lk_lsearch, "lsearch", find_plain);
LS_LOOKUP(lk_wildlsearch, "wildlsearch", find_wild);
LS_LOOKUP(lk_nwildlsearch, "nwildlsearch", find_nwild);
LS_LOOKUP(lk_iplsearch, "iplsearch", find_ip);

static const struct tern_lookup *const lookups[] = {
    &lk_lsearch, &lk_wildlsearch, &lk_nwildlsearch, &lk_iplsearch, NULL
};

TERN_EXPORT const struct tern_module lsearch_LTX_tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "lsearch",
    .version = LSEARCH_SCHEMA_VERSION,
    .schema_hash = LSEARCH_SCHEMA_HASH,
    .init = ls_init,
    .lookups = lookups,
};
