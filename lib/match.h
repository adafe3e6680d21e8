/*
 * NAME
 *   match.h - matching domains, hosts, addresses and local parts against
 *   Exim-style lists
 *
 * SYNOPSIS
 *   struct tern_match_env env = { .arg = me, .lookup = my_lookup,
 *       .named_list = my_lists, .primary_hostname = "mx.example" };
 *   struct tern_match_cache *c = tern_match_cache_new();
 *   struct tern_match_result r;
 *
 *   switch (tern_match_domain(&env, c, "a.example", "+local_domains",
 *                             0, arena, &r)) {
 *   case TERN_OK:    domain_data = r.value; break;
 *   case TERN_FAIL:  not in the list; break;
 *   case TERN_DEFER: try later (r.err); break;
 *   case TERN_ERROR: configuration problem (r.err, r.err_item); break;
 *   }
 *   tern_match_cache_free(c);
 *
 * DESCRIPTION
 *   The four kinds of list of Exim 4.96's chapter "Domain, host, address,
 *   and local part lists": items are tried left to right and the first
 *   that matches decides; `!item` that matches means "not in the list";
 *   falling off the end means "not in the list" unless the last item
 *   was negative; `+name` refers to a named list, `/file` reads items
 *   from a file, `type;data` is a lookup.  docs/lists.md lists every kind
 *   of item these functions understand.
 *
 *   The matcher knows nothing about the process it runs in: everything
 *   it needs from outside (lookups, named lists, the primary host name,
 *   local interface addresses, reverse and forward DNS of hosts, MX
 *   records, string expansion) comes through struct tern_match_env.  A
 *   hook left NULL means the facility is absent, with the effect given
 *   next to each hook.
 *
 *   Partial matching (`partialN-`, `partial(prefix)`), the `*` and `*@`
 *   defaults and `net-`/`netN-` keys are done here: the lookup hook is
 *   asked for one exact key at a time, exactly as tern_exp_env.lookup is
 *   by the expansion evaluator.
 *
 *   Results come back as TERN_OK (in the list), TERN_FAIL (not in the
 *   list), TERN_DEFER (a lookup, DNS query or expansion could not be
 *   completed now) or TERN_ERROR (the list is wrong: unknown named list,
 *   unknown lookup type, bad regular expression).  Strings handed back
 *   are allocated from the caller's arena.
 */
#ifndef TERN_MATCH_H
#define TERN_MATCH_H

#include <stddef.h>

#include "expand.h"             /* struct tern_exp_lookup_req */

struct tern_arena;

/* The kinds of list; the values are those of enum tern_list_kind in
 * cfgmodel.h, so a configured named list's kind can be passed as is. */
enum tern_match_kind {
    TERN_MATCH_DOMAIN = 1,
    TERN_MATCH_HOST = 2,
    TERN_MATCH_ADDRESS = 3,
    TERN_MATCH_LOCALPART = 4
};

/* Flags of the tern_match_* calls. */
/* Expand the list (through env->expand) before using it, as Exim does
 * for options; the expansion conditions (match_domain ...) do not. */
#define TERN_MATCH_EXPAND   0x1u
/* Local parts (local part and address lists): compare case-sensitively
 * from the start, as a router with caseful_local_part does.  Without it
 * matching is caseless until a `+caseful` item. */
#define TERN_MATCH_CASEFUL  0x2u
/* Host lists: the rules of the match_ip condition.  The host has no
 * name: items that need one (`*.a.b`, `^regex`, plain names, `@`) count
 * as "cannot be found", and single-key lookups use the IP address as
 * if `net-` had been written. */
#define TERN_MATCH_IP_ONLY  0x4u

/* Flags a named list is defined with (the named_list hook's *flags). */
/* `domainlist_cache` and friends: cache results even though the list
 * contains `$` (Exim 4.96 spells the option `_cache`). */
#define TERN_MATCH_LIST_CACHE     0x1u
/* Never cache this list's results (a Tern extension; see lists.md). */
#define TERN_MATCH_LIST_NO_CACHE  0x2u

/* Which MX test an `@mx_...` item asks for. */
enum tern_match_mx {
    TERN_MATCH_MX_ANY = 1,          /* @mx_any */
    TERN_MATCH_MX_PRIMARY = 2,      /* @mx_primary */
    TERN_MATCH_MX_SECONDARY = 3     /* @mx_secondary */
};

struct tern_match_env {
    void *arg;                      /* passed to every hook */

    /* One exact-key lookup (single-key: req->file and req->key; query
     * style: req->file NULL and req->key the query).  req->type is the
     * bare type name ("lsearch"), req->options the text after its comma.
     * TERN_OK with *result (NUL-terminated, from `a`), TERN_FAIL when
     * the key is not there, TERN_DEFER, or TERN_ERROR with *err.
     * NULL: every lookup item is an error. */
    int (*lookup)(void *arg, const struct tern_exp_lookup_req *req,
                  struct tern_arena *a, char **result, size_t *rlen,
                  const char **err);
    /* Style of a lookup type: TERN_LOOKUP_SINGLE_KEY, TERN_LOOKUP_QUERY
     * (tern/module.h), or 0 when no such type is installed (then the
     * item is an error).  NULL: the query-style types Exim knows
     * (dnsdb, ldap, mysql, pgsql, sqlite, redis, passwd ...) are query
     * style and every other name is single-key. */
    int (*lookup_style)(void *arg, const char *type);
    /* A named list of `kind` (without the `+`): TERN_OK with its text
     * and TERN_MATCH_LIST_* flags, TERN_FAIL when there is none (then
     * the referring item is an error).  NULL: no named lists. */
    int (*named_list)(void *arg, unsigned kind, const char *name,
                      const char **list, unsigned *flags);
    /* Expand `s` (the text of a named list, or a whole list with
     * TERN_MATCH_EXPAND).  `kind` and `subject` say what is being
     * matched, so a host can make $domain available as Exim does.
     * TERN_OK with *out; TERN_FAIL for a forced failure (the subject
     * is then not in that list); TERN_DEFER or TERN_ERROR with *err
     * (both make the match defer, as Exim's expansion failures do).
     * NULL: lists are used as written. */
    int (*expand)(void *arg, unsigned kind, const char *subject,
                  const char *s, struct tern_arena *a, char **out,
                  const char **err);
    /* `@` in domain and host lists.  NULL: `@` never matches. */
    const char *primary_hostname;
    /* Addresses of the local interfaces that count as local (`@[]`),
     * in any textual form.  TERN_OK with the array; anything else
     * means none.  NULL: `@[]` never matches. */
    int (*local_addresses)(void *arg, struct tern_arena *a,
                           const char *const **addrs, size_t *n);
    /* Names of the host with address `ip` (reverse lookup, each name
     * already confirmed by a forward lookup, as Exim requires):
     * TERN_OK with the names (at least one), TERN_FAIL when no name can
     * be found, TERN_DEFER for a temporary DNS failure.  NULL: names
     * can never be found. */
    int (*host_names)(void *arg, const char *ip, struct tern_arena *a,
                      const char *const **names, size_t *n,
                      const char **err);
    /* Addresses of host `name` (forward lookup of a plain name in a host
     * list): TERN_OK, TERN_FAIL (no such host), TERN_DEFER.  NULL: names
     * can never be found. */
    int (*host_addresses)(void *arg, const char *name, struct tern_arena *a,
                          const char *const **addrs, size_t *n,
                          const char **err);
    /* `@mx_any`, `@mx_primary`, `@mx_secondary` (`which`) for `domain`,
     * with `ignore` the text after `/ignore=` or NULL (a host list of
     * addresses to disregard; tern_match_host with TERN_MATCH_IP_ONLY
     * can test it).  TERN_OK: it points here; TERN_FAIL: it does not;
     * TERN_DEFER.  NULL: such items defer. */
    int (*mx_local)(void *arg, const char *domain, unsigned which,
                    const char *ignore, struct tern_arena *a,
                    const char **err);
};

/* What a match found out; every field is reset by each call. */
#define TERN_MATCH_MAX_SUBS 10
struct tern_match_result {
    /* TERN_OK: Exim's "value" of the match ($domain_data,
     * $local_part_data, $host_data, $value after match_*): the data of
     * a lookup, else the list item that matched (for address items, the
     * local part pattern, `@`, and the domain's value).  NULL when the
     * match had none (IP addresses, a list ending in a negative item). */
    const char *value;
    /* The top-level item that decided, as written (after `!`), or NULL
     * when the end of the list decided. */
    const char *item;
    /* TERN_DEFER, TERN_ERROR: what went wrong, and the item that was
     * being tried. */
    const char *err;
    const char *err_item;
    /* $0, $1 ... of a `*suffix` item ($0 the subject, $1 what the star
     * covered) or of a regular expression item. */
    unsigned n_subs;
    const char *subs[TERN_MATCH_MAX_SUBS];
};

/* ------------------------------------------------------------------ */
/* Named-list cache                                                    */

/* Results of named lists for each subject, and compiled regular
 * expressions.  Exim keeps such results for one message (domains, local
 * parts, addresses) or one connection (hosts); use one cache per
 * message, or per session for host lists, and clear or free it when
 * that ends.  A list's result is cached only when the list and every
 * named list it consulted contain no `$` (or were defined with
 * TERN_MATCH_LIST_CACHE) and none was defined TERN_MATCH_LIST_NO_CACHE;
 * deferrals and errors are never cached.  Not thread-safe. */
struct tern_match_cache;

struct tern_match_cache *tern_match_cache_new(void);
/* Forget every result and regular expression. */
void tern_match_cache_clear(struct tern_match_cache *c);
void tern_match_cache_free(struct tern_match_cache *c);
/* Number of list results held (for tests and statistics). */
size_t tern_match_cache_count(const struct tern_match_cache *c);

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/* Each returns TERN_OK, TERN_FAIL, TERN_DEFER or TERN_ERROR and fills
 * *res when res is not NULL.  `cache` may be NULL (nothing is cached).
 * `flags` are TERN_MATCH_EXPAND, TERN_MATCH_CASEFUL, TERN_MATCH_IP_ONLY
 * as they apply.  An empty or NULL list matches nothing. */

/* Domain list: caseless; `@`, `@[]`, `@mx_*`, `*suffix`, `^regex`,
 * lookups (partial, defaults), literal domains. */
int tern_match_domain(const struct tern_match_env *env,
                      struct tern_match_cache *cache, const char *domain,
                      const char *list, unsigned flags,
                      struct tern_arena *a, struct tern_match_result *res);

/* Local part list: like a domain list without the `@` items; caseless
 * unless TERN_MATCH_CASEFUL or after a `+caseful` item. */
int tern_match_localpart(const struct tern_match_env *env,
                         struct tern_match_cache *cache,
                         const char *local_part, const char *list,
                         unsigned flags, struct tern_arena *a,
                         struct tern_match_result *res);

/* Address list: `local@domain` patterns (local part optionally starting
 * with `*`, domain part any domain list item), domain-only patterns,
 * `^regex` on the whole address, whole-address lookups, `@@lookup`.
 * The domain is always lowercased; the local part too unless caseful.
 * The empty address (a bounce sender) matches only an empty item, a
 * regex or a query-style lookup. */
int tern_match_address(const struct tern_match_env *env,
                       struct tern_match_cache *cache, const char *address,
                       const char *list, unsigned flags,
                       struct tern_arena *a, struct tern_match_result *res);

/* Host list for the host with address `ip` (NULL or "" for a message
 * submitted locally, which matches only an empty item or `*`).  IPv4
 * addresses, IPv6 addresses, CIDR masks, `@[]`, `@`, host names,
 * `*suffix` and `^regex` on the host's names, `net-` and `netN-`
 * lookups, name lookups, query lookups, `+include_unknown`,
 * `+ignore_unknown`, `+include_defer`, `+ignore_defer`.  An IPv4
 * address written as `::ffff:a.b.c.d` is matched as IPv4.  A non-empty
 * `ip` that is not an IP address is an error, as in match_ip.  The
 * host's names come from env->host_names when an item needs them. */
int tern_match_host(const struct tern_match_env *env,
                    struct tern_match_cache *cache, const char *ip,
                    const char *list, unsigned flags,
                    struct tern_arena *a, struct tern_match_result *res);

/* ------------------------------------------------------------------ */
/* The expansion conditions                                            */

/* match_address, match_domain, match_local_part, match_ip
 * (kind = TERN_EXP_MATCH_* of expand.h) with Exim's rules for them: the
 * list is not expanded (named lists still are), match_ip is
 * TERN_MATCH_IP_ONLY.  The shape of tern_exp_env.list_match, except
 * for env and cache in front: a host's list_match hook calls this with
 * its own env and cache.  On TERN_OK *value is the match's value, ""
 * when it has none; otherwise *err says why (TERN_DEFER, TERN_ERROR). */
int tern_match_exp(const struct tern_match_env *env,
                   struct tern_match_cache *cache, unsigned kind,
                   const char *subject, const char *list,
                   struct tern_arena *a, const char **value,
                   const char **err);

/* A ready-made tern_exp_env.list_match for callers whose env->arg can
 * be a struct tern_match_ctx (tests, tools): env.list_match =
 * tern_match_list_env_adapter; env.arg = &ctx. */
struct tern_match_ctx {
    const struct tern_match_env *env;
    struct tern_match_cache *cache;     /* may be NULL */
};
int tern_match_list_env_adapter(void *arg, unsigned kind,
                                const char *subject, const char *list,
                                struct tern_arena *a, const char **value,
                                const char **err);

#endif
