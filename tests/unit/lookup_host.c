/*
 * NAME
 *   lookup_host.c - a small host for lookup tests (see lookup_host.h)
 *
 * DESCRIPTION
 *   The host API table the modules receive is the least a real host
 *   gives: logging to stderr, arena allocation, and expand() through the
 *   evaluator with the dispatcher as its lookup hook.
 *
 * DIAGNOSTICS
 *   lh_open() names the module and the loader's reason when one cannot
 *   be loaded.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>
#include "arena.h"
#include "lookup_host.h"

static struct lh *the_host;     /* for calls that come with ctx NULL */

static void h_log(unsigned dest, const char *fmt, ...)
{
    va_list ap;

    (void)dest;
    va_start(ap, fmt);
    fputs("log: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void h_debug(const char *fmt, ...)
{
    (void)fmt;
}

static struct lh *host_of(struct tern_ctx *ctx)
{
    return ctx ? ctx->h : the_host;
}

static void *h_alloc(struct tern_ctx *ctx, size_t n)
{
    return tern_alloc(host_of(ctx)->a, n);
}

static char *h_strdup(struct tern_ctx *ctx, const char *s)
{
    return tern_strdup(host_of(ctx)->a, s);
}

static char *h_expand(struct tern_ctx *ctx, const char *s, const char **err,
                      int *forced)
{
    struct lh *h = host_of(ctx);
    struct tern_exp_result r;

    tern_exp_expand(s, strlen(s), &h->env, h->a, &r);
    if (r.status == TERN_EXP_OK)
        return r.str;
    *forced = r.status == TERN_EXP_FORCED;
    *err = r.err;
    return NULL;
}

static const char *h_variable(struct tern_ctx *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static int h_match_hostlist(struct tern_ctx *ctx, const char *list)
{
    (void)ctx;
    (void)list;
    return TERN_FAIL;
}

static const struct tern_host_api host_api = {
    .size = sizeof(struct tern_host_api),
    .abi_version = TERN_ABI_VERSION,
    .log_write = h_log,
    .debug = h_debug,
    .alloc = h_alloc,
    .strdup = h_strdup,
    .expand = h_expand,
    .variable = h_variable,
    .match_hostlist = h_match_hostlist,
};

/* Names the parser asks about: every variable, the registered lookups. */
static int known(void *arg, unsigned kind, const char *name, size_t len,
                 struct tern_exp_known *info)
{
    struct lh *h = arg;

    if (kind == TERN_EXP_VARIABLE)
        return 1;
    if (kind == TERN_EXP_LOOKUP) {
        const struct tern_lookup *lk = tern_lookups_get(h->lk, name, len);
        if (lk)
            info->lookup_style = lk->style;
        return lk != NULL;
    }
    return 0;
}

static int variable(void *arg, const char *name, size_t len,
                    const char **val, size_t *vlen)
{
    (void)arg;
    *val = len == 16 && memcmp(name, "primary_hostname", 16) == 0
               ? "test.ex" : "";
    *vlen = strlen(*val);
    return TERN_OK;
}

int lh_open(struct lh *h, char *err, size_t errlen)
{
    static const char *const names[LH_MODULES] = { "lsearch", "dsearch",
                                                   "dbm", "lmdb" };
    char path[1024];
    const char *mp = getenv("TERN_MODULE_PATH");
    const char *bd = getenv("TERN_BUILDDIR");

    memset(h, 0, sizeof *h);
    if (tern_modules_preopened())
        return 1;
    if (mp == NULL && bd != NULL) {
        snprintf(path, sizeof path, "%s/modules/.libs", bd);
        mp = path;
    }
    if (mp == NULL)
        mp = tern_module_path(NULL);
    h->lk = tern_lookups_new();
    h->a = tern_arena_new();
    h->ctx.h = h;
    the_host = h;
    for (size_t i = 0; i < LH_MODULES; i++) {
        struct tern_loaded_module *m = &h->mods[i];
        if (tern_module_load(names[i], mp, 0, m, err, errlen) < 0)
            return -1;
        h->n_mods++;
        if (m->mod->init && m->mod->init(&host_api) != TERN_OK) {
            snprintf(err, errlen, "module %s: init failed", names[i]);
            return -1;
        }
        if (tern_lookups_add_module(h->lk, m->mod, err, errlen) < 0)
            return -1;
    }
    tern_lookups_set_ctx(h->lk, &h->ctx);
    h->schema.known = known;
    h->schema.arg = h;
    h->env.arg = h->lk;
    h->env.lookup = tern_lookups_exp_hook;
    h->env.variable = variable;
    h->env.schema = &h->schema;
    return 0;
}

void lh_close(struct lh *h)
{
    tern_lookups_free(h->lk);
    for (size_t i = 0; i < h->n_mods; i++) {
        if (h->mods[i].mod->fini)
            h->mods[i].mod->fini();
        tern_module_unload(&h->mods[i]);
    }
    tern_arena_free(h->a);
    if (the_host == h)
        the_host = NULL;
    memset(h, 0, sizeof *h);
}

const char *lh_expand(struct lh *h, const char *s)
{
    struct tern_exp_result r;

    tern_exp_expand(s, strlen(s), &h->env, h->a, &r);
    if (r.status == TERN_EXP_OK)
        return r.str;
    return tern_printf(h->a, "Failed: %s", r.err ? r.err : "?");
}
