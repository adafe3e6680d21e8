/*
 * NAME
 *   lsearch.h - internals shared by the files of the lsearch module
 *
 * DESCRIPTION
 *   lsearch.c reads the files (lines, keys, data, continuations);
 *   lsearch_match.c decides whether a key in the file matches the key
 *   looked up, for the wildcard and IP flavours.  Nothing here leaves
 *   the module: the symbols are hidden.
 */
#ifndef TERN_MODULES_LSEARCH_H
#define TERN_MODULES_LSEARCH_H

#include <stddef.h>
#include <stdio.h>

#define LS_HIDDEN __attribute__((visibility("hidden")))

struct tern_ctx;
struct tern_host_api;

/* Compiled regexes of wildlsearch keys, reused across lookups. */
#define LS_RE_SLOTS 32
struct ls_re {
    char *pat;
    size_t len;
    void *code;                 /* pcre2_code * */
};

/* One open file (the handle the host keeps). */
struct ls_file {
    FILE *f;
    char *line;                 /* getline() buffer */
    size_t cap;
    struct ls_re re[LS_RE_SLOTS];
    unsigned re_next;           /* slot to reuse next */
    void *md;                   /* pcre2_match_data *, made on first use */
};

/* An IP address or network: family 4 or 6 (0 for the key "*"). */
struct ls_ip {
    int family;
    unsigned bits;
    unsigned char addr[16];
};

/* The host table init() received (for wildlsearch key expansion). */
extern LS_HIDDEN const struct tern_host_api *ls_host;

/* ASCII case-blind comparison of two byte strings. */
LS_HIDDEN int ls_caseless_eq(const char *a, size_t alen, const char *b,
                             size_t blen);

/* Does the key in the file, pat[0..plen), match key[0..klen)?  1 yes,
 * 0 no, -1 on an error (bad regex, failed expansion) with *err set.
 * `expand`: wildlsearch (expand the pattern first) vs nwildlsearch. */
LS_HIDDEN int ls_match_wild(struct ls_file *h, int expand, const char *pat,
                            size_t plen, const char *key, size_t klen,
                            struct tern_ctx *ctx, const char **err);

/* Parse s[0..n) as an IP address, with a /bits mask when allow_mask.
 * 1 when valid, else 0. */
LS_HIDDEN int ls_ip_parse(const char *s, size_t n, struct ls_ip *ip,
                          int allow_mask);
/* Is addr inside net (same family, first net->bits bits equal)? */
LS_HIDDEN int ls_ip_match(const struct ls_ip *net, const struct ls_ip *addr);

/* Free the compiled regexes and match data of a handle. */
LS_HIDDEN void ls_re_free(struct ls_file *h);

#endif
