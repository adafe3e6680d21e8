/*
 * NAME
 *   expand_env.c - string expansion in the host: the evaluator's
 *   environment for a ctx, and parsed strings cached by text
 *
 * SYNOPSIS
 *   struct tern_ctx ctx = { rt, sess, msg, addr, msg->arena };
 *   const char *out, *err;
 *   switch (host_expand(&ctx, "${lc:$sender_address_domain}", &out, &err))
 *   { case 0: ...; case 1: forced failure; case -1: error; case -2: defer }
 *
 * DESCRIPTION
 *   host_exp_env() wires lib/expand.h's hooks to the host: variables
 *   (vars.c), header lines of the message (expand_hdr.c), lookups through
 *   the registry (an installed lookup module the plan did not name is
 *   loaded on first use), list matching (lib/match.h, with the message's
 *   named-list cache, or the process's outside a message), module
 *   expansion items, ${env} under keep_environment and add_environment,
 *   ${listnamed}, ${run} and ${readsocket} (libtern's defaults: no shell),
 *   first_delivery and queue_running.  $runrc is kept after a ${run}, in
 *   the session or else the process.
 *
 *   Strings the plan does not carry parsed yet are parsed here against
 *   the installed schemas (expand_names.c) and kept by text in a table
 *   owned by the runtime, so each is parsed once per process; parse
 *   errors are kept too.  The table stops growing at HOST_EXP_CACHE_MAX
 *   strings (input to -be can be anything): past that, strings are
 *   parsed for each use.
 *
 * DIAGNOSTICS
 *   Evaluation and parse errors come back as the evaluator words them;
 *   core expansion items the host does not run yet (prvs, certextract,
 *   imapfolder, perl, dlfunc) fail with "NAME is not available in this
 *   version of Tern", and ${acl} until the ACL engine installs
 *   host_acl_item_hook.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <tern/module.h>

#include "ctx.h"
#include "host.h"
#include "list.h"
#include "lookup.h"
#include "match.h"

#define HOST_EXP_CACHE_MAX 4096

int (*host_acl_item_hook)(struct tern_ctx *ctx, int argc,
                          const char *const *argv, char **result,
                          const char **err);

/* ---- parsed strings, by text ---- */

struct exp_ent {
    struct exp_ent *next;
    unsigned long long hash;
    const char *text;
    size_t len;
    const struct tern_exp *e;   /* NULL: `err` */
    const char *err;
};

struct host_exp_cache {
    struct tern_arena *arena;
    struct exp_ent *buckets[1024];
    size_t n;
};

void
host_exp_cache_free(struct host_runtime *rt)
{
    if (rt->exp_cache == NULL)
        return;
    tern_arena_free(rt->exp_cache->arena);
    free(rt->exp_cache);
    rt->exp_cache = NULL;
}

static int
parse_into(struct host_runtime *rt, const char *s, size_t len,
           struct tern_arena *a, const struct tern_exp **out,
           const char **err)
{
    struct tern_exp *e = NULL;
    struct tern_exp_error perr;

    if (tern_exp_parse(a, s, len, &rt->exp_schema, 0, &e, &perr) < 0) {
        *err = perr.msg;
        return -1;
    }
    *out = e;
    return 0;
}

/* Eight bytes at a time: the whole string is hashed at every use, so
 * this is on the hot path. */
static unsigned long long
text_hash(const char *s, size_t n)
{
    unsigned long long h = 0x9e3779b97f4a7c15ULL ^ n, w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

int
host_exp_parse(struct host_runtime *rt, const char *s, size_t len,
               int cache, struct tern_arena *a, const struct tern_exp **out,
               const char **err)
{
    struct host_exp_cache *c = rt->exp_cache;
    unsigned long long h = text_hash(s, len);
    struct exp_ent *x;

    if (!cache)
        return parse_into(rt, s, len, a, out, err);
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c == NULL)
            return parse_into(rt, s, len, a, out, err);
        c->arena = tern_arena_new();
        rt->exp_cache = c;
    }
    for (x = c->buckets[h % 1024]; x; x = x->next) {
        if (x->hash == h && x->len == len && memcmp(x->text, s, len) == 0) {
            *out = x->e;
            *err = x->err;
            return x->e ? 0 : -1;
        }
    }
    if (c->n >= HOST_EXP_CACHE_MAX)
        return parse_into(rt, s, len, a, out, err);
    x = tern_alloc(c->arena, sizeof *x);
    x->hash = h;
    x->text = tern_strndup(c->arena, s, len);
    x->len = len;
    if (parse_into(rt, s, len, c->arena, &x->e, &x->err) != 0)
        x->e = NULL;
    x->next = c->buckets[h % 1024];
    c->buckets[h % 1024] = x;
    c->n++;
    *out = x->e;
    *err = x->err;
    return x->e ? 0 : -1;
}

/* ---- hooks ---- */

int
host_lookup_hook(void *arg, const struct tern_exp_lookup_req *req,
                 struct tern_arena *a, char **result, size_t *rlen,
                 const char **err)
{
    struct tern_ctx *c = arg;
    struct tern_lookups *lk = c->rt->lookups;
    const char *why = NULL;

    if (tern_lookups_get(lk, req->type, strlen(req->type)) == NULL &&
        host_runtime_provider(c->rt, "lookup", req->type, strlen(req->type),
                              &why) < 0) {
        *err = why;
        return TERN_DEFER;
    }
    tern_lookups_set_ctx(lk, c);
    return tern_lookups_find(lk, req->type, req->options, req->file,
                             req->key, req->key_len, a, result, rlen, err);
}

static int
list_match(void *arg, unsigned kind, const char *subject, const char *list,
           struct tern_arena *a, const char **value, const char **err)
{
    struct tern_ctx *c = arg;
    struct tern_match_env env;
    struct tern_match_cache *cache = c->msg && c->msg->match_cache
                                     ? c->msg->match_cache
                                     : c->rt->match_cache;

    host_match_env(c, &env);
    if (kind == TERN_EXP_MATCH_IP && c->sess && c->sess->host_cache)
        cache = c->sess->host_cache;
    return tern_match_exp(&env, cache, kind, subject, list, a, value, err);
}

static const struct tern_expansion_item *
module_item(struct host_runtime *rt, const char *name)
{
    for (size_t i = 0; i < rt->hc->n_mods; i++) {
        const struct tern_module *m = rt->hc->mods[i].mod;

        for (size_t j = 0; m->expansion_items && m->expansion_items[j]; j++)
            if (strcmp(m->expansion_items[j]->name, name) == 0)
                return m->expansion_items[j];
    }
    return NULL;
}

static int
item(void *arg, unsigned kind, const char *name, int argc,
     const char *const *argv, struct tern_arena *a, char **result,
     const char **err)
{
    struct tern_ctx c = *(struct tern_ctx *)arg;
    const struct tern_expansion_item *it;
    const char *why = NULL;

    c.arena = a;
    if (kind == TERN_EXP_ITEM && strcmp(name, "acl") == 0 &&
        host_acl_item_hook != NULL)
        return host_acl_item_hook(&c, argc, argv, result, err);
    it = kind == TERN_EXP_ITEM ? module_item(c.rt, name) : NULL;
    if (it == NULL && kind == TERN_EXP_ITEM &&
        host_runtime_provider(c.rt, "expansion_item", name, strlen(name),
                              &why) > 0)
        it = module_item(c.rt, name);
    if (it == NULL || it->eval == NULL) {
        *err = why ? why : tern_printf(a, "%s is not available in this"
                                       " version of Tern", name);
        return TERN_ERROR;
    }
    return it->eval(&c, argc, argv, result, err);
}

static int
flag(void *arg, unsigned which)
{
    struct tern_ctx *c = arg;

    if (which == TERN_EXP_FIRST_DELIVERY)
        return c->msg ? c->msg->first_delivery : 0;
    return c->rt->queue_running;
}

/* keep_environment: names (or ^regex) whose values survive; Exim
 * clears the rest.  add_environment: NAME=value settings. */
static int
env_get(void *arg, const char *name, const char **val)
{
    struct tern_ctx *c = arg;
    const char *add = c->rt->opts.add_environment.text;
    const char *keep = c->rt->opts.keep_environment.text;
    size_t n = strlen(name);
    char buf[1024];
    struct tern_list_iter it;
    const char *e;
    int too_long = 0;

    if (add != NULL) {
        tern_list_start(&it, add, ':');
        while ((e = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL)
            if (strncmp(e, name, n) == 0 && e[n] == '=') {
                *val = tern_strdup(c->arena, e + n + 1);
                return TERN_OK;
            }
    }
    if (keep != NULL && *keep != '\0') {
        struct tern_match_env env;
        struct tern_match_result r;

        memset(&env, 0, sizeof env);
        if (tern_match_localpart(&env, NULL, name, keep, TERN_MATCH_CASEFUL,
                                 c->arena, &r) == TERN_OK &&
            (*val = getenv(name)) != NULL)
            return TERN_OK;
    }
    return TERN_FAIL;
}

static int
named(void *arg, char type, const char *name, struct tern_arena *a,
      const char **list)
{
    struct tern_ctx *c = arg;
    const struct tern_config *cfg = &c->rt->hc->cfg;
    static const char kinds[] = { 0, 'd', 'h', 'a', 'l' };

    (void)a;
    for (unsigned k = 1; k <= 4; k++) {
        if (type != 0 && kinds[k] != type)
            continue;
        for (size_t i = 0; i < cfg->n_lists; i++)
            if (cfg->lists[i].kind == k &&
                strcmp(cfg->lists[i].name, name) == 0) {
                *list = cfg->lists[i].value ? cfg->lists[i].value : "";
                return TERN_OK;
            }
    }
    return TERN_FAIL;
}

void
host_exp_env(struct tern_ctx *ctx, struct tern_exp_env *env)
{
    memset(env, 0, sizeof *env);
    env->arg = ctx;
    env->variable = host_variable;
    env->header = host_header_hook;
    env->lookup = host_lookup_hook;
    env->run = tern_exp_default_run;
    env->readsocket = tern_exp_default_readsocket;
    env->list_match = list_match;
    env->item = item;
    env->flag = flag;
    env->getenv = env_get;
    env->named_list = named;
    env->headers_charset = ctx->rt->opts.headers_charset.text;
    env->schema = &ctx->rt->exp_schema;
}

/* ---- evaluation ---- */

static int
status(struct tern_ctx *ctx, const struct tern_exp_result *r,
       const char **out, size_t *olen, const char **err)
{
    if (r->runrc_set) {
        if (ctx->sess)
            ctx->sess->runrc = r->runrc;
        else
            ctx->rt->runrc = r->runrc;
    }
    switch (r->status) {
    case TERN_EXP_OK:
        *out = r->str;
        if (olen)
            *olen = r->len;
        return 0;
    case TERN_EXP_FORCED:
        *err = r->err;
        return 1;
    case TERN_EXP_DEFER:
        *err = r->err;
        return -2;
    default:
        *err = r->err;
        return -1;
    }
}

int
host_expand_exp(struct tern_ctx *ctx, const struct tern_exp *e,
                const char **out, size_t *olen, const char **err)
{
    struct tern_exp_env env;
    struct tern_exp_result r;

    host_exp_env(ctx, &env);
    tern_exp_eval(e, &env, ctx->arena, &r);
    return status(ctx, &r, out, olen, err);
}

int
host_expand(struct tern_ctx *ctx, const char *s, const char **out,
            const char **err)
{
    const struct tern_exp *e;

    if (host_exp_parse(ctx->rt, s, strlen(s), 1, ctx->arena, &e, err) != 0)
        return -1;
    if ((e->flags & TERN_EXP_CONSTANT) && strchr(s, '\\') == NULL) {
        *out = s;               /* nothing to do: no copy */
        return 0;
    }
    return host_expand_exp(ctx, e, out, NULL, err);
}
