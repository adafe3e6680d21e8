/*
 * NAME
 *   match_int.h - what the parts of the list matcher share
 *
 * DESCRIPTION
 *   One struct mt holds everything about one tern_match_* call: the
 *   caller's hooks, the subject in the forms the kinds of item need, and
 *   what the match found.  match_list.c walks lists and calls the item
 *   matcher of the kind being matched (match_domain.c, match_host.c,
 *   match_address.c); match_lookup.c does lookup items, match_cache.c
 *   the cache and regular expressions.  Internal names start with mt_.
 */
#ifndef TERN_MATCH_INT_H
#define TERN_MATCH_INT_H

#include <stddef.h>

#include "match.h"

/* Item results besides TERN_OK/FAIL/DEFER/ERROR: the information an
 * item needs (a host's name or address) cannot be found. */
#define MT_UNKNOWN 10

/* Named lists may refer to each other this deep (catches loops). */
#define MT_MAX_DEPTH 32

/* A parsed IP address. */
struct mt_ip {
    int v6;                     /* 0: 4 bytes in b, 1: 16 bytes */
    unsigned char b[16];
};

struct mt {
    const struct tern_match_env *env;
    struct tern_match_cache *cache;
    struct tern_arena *a;
    unsigned flags;             /* TERN_MATCH_* of the call */
    int caseful;                /* local parts compared with case */

    /* The subject, as each kind of list sees it. */
    const char *domain;         /* domain lists (lower case in addresses) */
    const char *local;          /* local part as compared now */
    const char *local_orig;     /* as given */
    const char *local_lc;       /* lowercased */
    const char *address;        /* address as compared now */
    const char *address_orig;   /* local part as given, domain lowercased */
    const char *address_lc;
    int has_at;                 /* the address has a local part and domain */
    const char *ip;             /* host lists: text, "" for none */
    int have_ip;
    struct mt_ip ipa;           /* as compared (mapped IPv4 made IPv4) */
    struct mt_ip ipraw;         /* as given (net- lookup keys) */
    int names_asked;            /* host_names has been called */
    int names_state;            /* then: TERN_OK, TERN_FAIL, TERN_DEFER */
    const char *const *names;
    size_t n_names;

    /* What was found. */
    const char *value;
    const char *err;
    const char *err_item;
    unsigned n_subs;
    const char *subs[TERN_MATCH_MAX_SUBS];

    unsigned depth;             /* named-list nesting */
    int vol;                    /* a list consulted may change: no caching */
};

/* match_list.c */
void mt_init(struct mt *m, const struct tern_match_env *env,
             struct tern_match_cache *cache, unsigned flags,
             struct tern_arena *a);
int mt_run(struct mt *m, unsigned kind, const char *list,
           struct tern_match_result *res);
int mt_named(struct mt *m, unsigned kind, const char *name);
int mt_fail(struct mt *m, int rc, const char *item, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int mt_item(struct mt *m, unsigned kind, const char *item);
/* The subject of `kind` for caching and messages. */
const char *mt_subject(const struct mt *m, unsigned kind);

/* match_domain.c: one item of a domain or local part list against
 * m->domain or m->local. */
int mt_domain_item(struct mt *m, const char *pat);
int mt_local_item(struct mt *m, const char *pat);
/* Shared by the kinds: `*suffix` and plain comparison. */
int mt_star_or_literal(struct mt *m, const char *pat, const char *subj,
                       int caseless);

/* match_host.c */
int mt_host_item(struct mt *m, const char *pat);
int mt_ip_parse(const char *s, struct mt_ip *ip);
void mt_ip_unmap(struct mt_ip *ip);
int mt_ip_in_net(const struct mt_ip *ip, const struct mt_ip *net,
                 unsigned bits);
const char *mt_ip_key(struct tern_arena *a, const struct mt_ip *ip,
                      int bits, int colons);

/* match_address.c */
int mt_address_item(struct mt *m, const char *pat);

/* match_lookup.c: lookup items. */
struct mt_spec {
    const char *type;           /* bare name, arena copy */
    const char *options;        /* after the comma, "" if none */
    int partial;                /* -1 none, else minimum components */
    const char *prefix;         /* partial prefix, "*." by default */
    int star;                   /* 0, 1 `*`, 2 `*@` */
    int ret_key;                /* options contain ret=key */
    int style;                  /* TERN_LOOKUP_SINGLE_KEY / _QUERY */
    int net;                    /* host lists: `net-` or `netN-` given */
    int net_mask;               /* its N, -1 for plain `net-` */
    const char *data;           /* file or query: after the `;` */
};
/* Parse the lookup item `item` (`host`: `net-` prefixes allowed): 1
 * parsed, 0 no `;` in it, -1 error (m->err set: bad shape, unknown
 * type, partial or default with a query-style type). */
int mt_lookup_parse(struct mt *m, const char *item, int host,
                    struct mt_spec *sp);
/* Look `key` up as the spec says (partial matching, defaults).  TERN_OK
 * with m->value set, TERN_FAIL, TERN_DEFER, TERN_ERROR. */
int mt_lookup_key(struct mt *m, const struct mt_spec *sp, const char *key,
                  const char *item);
/* Whether the text before the first `;` of `item` could be a lookup
 * type; *semi points at the `;`. */
int mt_looks_like_lookup(const char *item, const char **semi);

/* match_cache.c */
int mt_cache_get(struct tern_match_cache *c, unsigned kind, unsigned fl,
                 const char *name, const char *subject, int *rc,
                 const char **value);
void mt_cache_put(struct tern_match_cache *c, unsigned kind, unsigned fl,
                  const char *name, const char *subject, int rc,
                  const char *value);
/* Match `subject` against a regular expression.  TERN_OK (and $0.. in
 * m->subs when set_subs), TERN_FAIL, TERN_ERROR for a bad pattern. */
int mt_regex(struct mt *m, const char *pattern, const char *subject,
             int caseless, int set_subs);

#endif
