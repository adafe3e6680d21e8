/*
 * NAME
 *   match_env.c - what list matching needs from the host
 *
 * SYNOPSIS
 *   struct tern_match_env env;
 *   host_match_env(ctx, &env);
 *   tern_match_domain(&env, ctx->msg->match_cache, dom, list, 0, a, &r);
 *
 * DESCRIPTION
 *   Fills a struct tern_match_env (lib/match.h) for a ctx: lookups go
 *   through the lookup registry (loading an installed lookup module on
 *   first use), named lists come from the configuration (`domainlist`,
 *   `hostlist`, `addresslist`, `localpartlist`, with their `_cache`
 *   flag), list texts are expanded in the ctx, `@` is primary_hostname,
 *   `@[]` the addresses of the local interfaces (read once per process),
 *   and host names and addresses come from the system resolver
 *   (getnameinfo / getaddrinfo; a reverse name counts only when a
 *   forward lookup of it gives the address back, as Exim requires).
 *   `@mx_*` items need DNS MX records, which the delivery path brings;
 *   until then they defer.
 *
 * DIAGNOSTICS
 *   Resolver failures are TERN_FAIL (no such name) or TERN_DEFER
 *   (EAI_AGAIN: try later), with the resolver's message.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <tern/module.h>

#include "ctx.h"
#include "host.h"
#include "lookup.h"
#include "match.h"

static int
lookup_style(void *arg, const char *type)
{
    struct tern_ctx *c = arg;
    const struct tern_lookup *lk;
    const char *why;

    lk = tern_lookups_get(c->rt->lookups, type, strlen(type));
    if (lk == NULL &&
        host_runtime_provider(c->rt, "lookup", type, strlen(type), &why) > 0)
        lk = tern_lookups_get(c->rt->lookups, type, strlen(type));
    return lk ? (int)lk->style : 0;
}

static int
named_list(void *arg, unsigned kind, const char *name, const char **list,
           unsigned *flags)
{
    struct tern_ctx *c = arg;
    const struct tern_config *cfg = &c->rt->hc->cfg;

    for (size_t i = 0; i < cfg->n_lists; i++) {
        const struct tern_cfg_named_list *l = &cfg->lists[i];

        if (l->kind == kind && strcmp(l->name, name) == 0) {
            *list = l->value ? l->value : "";
            *flags = l->cache ? TERN_MATCH_LIST_CACHE : 0;
            return TERN_OK;
        }
    }
    return TERN_FAIL;
}

static int
expand(void *arg, unsigned kind, const char *subject, const char *s,
       struct tern_arena *a, char **out, const char **err)
{
    struct tern_ctx x = *(struct tern_ctx *)arg;
    const char *res = NULL;
    int rc;

    (void)kind;
    (void)subject;
    x.arena = a;
    rc = host_expand(&x, s, &res, err);
    if (rc == 0) {
        *out = (char *)res;
        return TERN_OK;
    }
    return rc == 1 ? TERN_FAIL : rc == -2 ? TERN_DEFER : TERN_ERROR;
}

/* The local interfaces' addresses, read once. */
static const char *const *local_addrs;
static size_t n_local_addrs;
static int have_local_addrs;

static int
local_addresses(void *arg, struct tern_arena *a, const char *const **addrs,
                size_t *n)
{
    struct tern_ctx *c = arg;
    struct ifaddrs *ifa = NULL;

    (void)a;
    if (!have_local_addrs) {
        size_t k = 0, cap = 0;
        const char **v = NULL;

        have_local_addrs = 1;
        if (getifaddrs(&ifa) != 0)
            return TERN_FAIL;
        for (struct ifaddrs *p = ifa; p; p = p->ifa_next)
            cap++;
        v = tern_alloc(c->rt->arena, (cap + 1) * sizeof *v);
        for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
            char buf[INET6_ADDRSTRLEN];
            socklen_t sl;

            if (p->ifa_addr == NULL || (p->ifa_addr->sa_family != AF_INET &&
                                        p->ifa_addr->sa_family != AF_INET6))
                continue;
            sl = p->ifa_addr->sa_family == AF_INET
                 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
            if (getnameinfo(p->ifa_addr, sl, buf, sizeof buf, NULL, 0,
                            NI_NUMERICHOST) == 0) {
                char *pct = strchr(buf, '%');       /* fe80::1%eth0 */
                if (pct)
                    *pct = '\0';
                v[k++] = tern_strdup(c->rt->arena, buf);
            }
        }
        freeifaddrs(ifa);
        local_addrs = v;
        n_local_addrs = k;
    }
    *addrs = local_addrs;
    *n = n_local_addrs;
    return n_local_addrs ? TERN_OK : TERN_FAIL;
}

static int
resolver_rc(int e, struct tern_arena *a, const char *what, const char **err)
{
    *err = tern_printf(a, "%s: %s", what, gai_strerror(e));
    return e == EAI_AGAIN ? TERN_DEFER : TERN_FAIL;
}

static int
host_addresses(void *arg, const char *name, struct tern_arena *a,
               const char *const **addrs, size_t *n, const char **err)
{
    struct addrinfo hints, *res = NULL;
    size_t k = 0, cap = 0;
    const char **v;
    int e;

    (void)arg;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    e = getaddrinfo(name, NULL, &hints, &res);
    if (e != 0)
        return resolver_rc(e, a, name, err);
    for (struct addrinfo *p = res; p; p = p->ai_next)
        cap++;
    v = tern_alloc(a, (cap + 1) * sizeof *v);
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        char buf[INET6_ADDRSTRLEN];

        if (getnameinfo(p->ai_addr, p->ai_addrlen, buf, sizeof buf, NULL, 0,
                        NI_NUMERICHOST) == 0)
            v[k++] = tern_strdup(a, buf);
    }
    freeaddrinfo(res);
    *addrs = v;
    *n = k;
    return k ? TERN_OK : TERN_FAIL;
}

/* Reverse lookup, confirmed by a forward lookup giving `ip` back. */
static int
host_names(void *arg, const char *ip, struct tern_arena *a,
           const char *const **names, size_t *n, const char **err)
{
    struct addrinfo hints, *res = NULL;
    char name[NI_MAXHOST];
    const char *const *fwd;
    size_t nf;
    int e, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST;
    e = getaddrinfo(ip, NULL, &hints, &res);
    if (e != 0)
        return resolver_rc(e, a, ip, err);
    e = getnameinfo(res->ai_addr, res->ai_addrlen, name, sizeof name, NULL,
                    0, NI_NAMEREQD);
    freeaddrinfo(res);
    if (e != 0)
        return resolver_rc(e, a, ip, err);
    rc = host_addresses(arg, name, a, &fwd, &nf, err);
    if (rc != TERN_OK)
        return rc;
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(fwd[i], ip) == 0) {
            const char **v = tern_alloc(a, 2 * sizeof *v);
            v[0] = tern_strdup(a, name);
            *names = v;
            *n = 1;
            return TERN_OK;
        }
    }
    *err = tern_printf(a, "%s: forward lookup of %s does not give it back",
                       ip, name);
    return TERN_FAIL;
}

void
host_match_env(struct tern_ctx *ctx, struct tern_match_env *env)
{
    memset(env, 0, sizeof *env);
    env->arg = ctx;
    env->lookup = host_lookup_hook;
    env->lookup_style = lookup_style;
    env->named_list = named_list;
    env->expand = expand;
    env->primary_hostname = ctx->rt->primary_hostname;
    env->local_addresses = local_addresses;
    env->host_names = host_names;
    env->host_addresses = host_addresses;
}
