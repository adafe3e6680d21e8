/*
 * NAME
 *   lookup_find.c - running one lookup: cache, module call, result
 *   copying; the evaluator's hook and lookups in lists
 *
 * DESCRIPTION
 *   tern_lookups_find() is the one path every lookup takes: find the
 *   type, answer from the per-message cache when it can (not with
 *   cache=no_rd), else get the handle (lookup.c) and call the module,
 *   copy what it returned into the caller's arena and the cache, and
 *   give the module's memory back at once (tern/module.h).
 *
 *   The cache key leaves out the options the dispatcher or evaluator
 *   handle themselves (ret=key, cache=...), so a lookup with
 *   cache=no_rd refreshes the entry plain lookups then read.
 *
 * DIAGNOSTICS
 *   TERN_ERROR: "unknown lookup type "x"", "lookup type "x" is not
 *   implemented (module m is schema only)", "x is a single-key lookup: a
 *   file is needed" (or the reverse), format errors in list items.
 *   TERN_DEFER: the module's message, or "recursive x lookup in FILE".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>

#include "arena.h"
#include "expand.h"
#include "lookup.h"
#include "lookup_int.h"

/* The options that make a difference to the module, for the cache key:
 * every item but ret=key and cache=... */
static const char *cache_opts(const char *opts, struct tern_arena *a,
                              size_t *len, int *no_read)
{
    char *out = tern_alloc(a, strlen(opts) + 1);
    size_t n = 0;

    *no_read = 0;
    for (const char *o = opts; *o;) {
        const char *e = strchr(o, ',');
        size_t il = e ? (size_t)(e - o) : strlen(o);
        if (il == 11 && memcmp(o, "cache=no_rd", 11) == 0)
            *no_read = 1;
        if (!(il == 7 && memcmp(o, "ret=key", 7) == 0) &&
            !(il >= 6 && memcmp(o, "cache=", 6) == 0)) {
            if (n)
                out[n++] = ',';
            memcpy(out + n, o, il);
            n += il;
        }
        o += il + (e != NULL);
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static int find_module(struct tern_lookups *r, const struct tern_lookup *lk,
                       const char *opts, const char *file, const char *key,
                       size_t klen, struct tern_arena *a, char **result,
                       size_t *rlen, const char **err)
{
    const char *why = NULL;
    char *res = NULL;
    size_t len = 0;
    int rc;

    struct lk_open *o = lk_handle(r, lk, file, a, err);
    if (o == NULL)
        return TERN_DEFER;
    if (o->busy) {
        /* A wildlsearch key that looks up in its own file. */
        *err = tern_printf(a, "recursive %s lookup in %s", lk->name,
                           file ? file : "(query)");
        return TERN_DEFER;
    }
    r->st.finds++;
    o->busy = 1;
    if (lk->find_opt)
        rc = lk->find_opt(o->handle, file, key, klen, opts, &res, &len, &why,
                          r->ctx);
    else
        rc = lk->find(o->handle, file, key, klen, &res, &why, r->ctx);
    o->busy = 0;
    if (rc == TERN_OK) {
        if (res == NULL)
            len = 0;
        else if (!lk->find_opt)
            len = strlen(res);
        *result = tern_strndup(a, res ? res : "", len);
        *rlen = len;
        if (res && lk->free_result)
            lk->free_result(res);
        return TERN_OK;
    }
    if (rc != TERN_FAIL)
        *err = tern_strdup(a, why ? why : "lookup failed");
    return rc == TERN_FAIL || rc == TERN_DEFER ? rc : TERN_ERROR;
}

int tern_lookups_find(struct tern_lookups *r, const char *type,
                      const char *options, const char *file,
                      const char *key, size_t klen, struct tern_arena *a,
                      char **result, size_t *rlen, const char **err)
{
    const struct tern_lookup *lk = tern_lookups_get(r, type, strlen(type));
    const char *opts = options ? options : "";
    size_t olen;
    int no_read;

    if (lk == NULL) {
        *err = tern_printf(a, "unknown lookup type \"%s\"", type);
        return TERN_ERROR;
    }
    if (lk->find == NULL && lk->find_opt == NULL) {
        *err = tern_printf(a, "lookup type \"%s\" is not implemented "
                           "(module %s is schema only)", type,
                           lk_module_of(r, lk));
        return TERN_ERROR;
    }
    if ((lk->style == TERN_LOOKUP_SINGLE_KEY) != (file != NULL)) {
        *err = tern_printf(a, file ? "%s is a query-style lookup: no file "
                           "is used" : "%s is a single-key lookup: a file "
                           "is needed", type);
        return TERN_ERROR;
    }
    const char *copts = cache_opts(opts, a, &olen, &no_read);
    struct lk_cent *c = lk_cache_get(r, lk, file, copts, olen, key, klen);
    if (c && !no_read) {
        r->st.cache_hits++;
        if (c->rc == TERN_OK) {
            *result = tern_strndup(a, c->res, c->rlen);
            *rlen = c->rlen;
        }
        return c->rc;
    }
    int rc = find_module(r, lk, opts, file, key, klen, a, result, rlen, err);
    if (rc == TERN_OK || rc == TERN_FAIL)
        lk_cache_put(r, c, lk, file, copts, olen, key, klen, rc,
                     rc == TERN_OK ? *result : NULL,
                     rc == TERN_OK ? *rlen : 0);
    return rc;
}

int tern_lookups_exp_hook(void *arg, const struct tern_exp_lookup_req *req,
                          struct tern_arena *a, char **result, size_t *rlen,
                          const char **err)
{
    return tern_lookups_find(arg, req->type, req->options, req->file,
                             req->key, req->key_len, a, result, rlen, err);
}

/* ---- lookups in lists ------------------------------------------------ */

struct list_try {
    struct tern_lookups *r;
    const char *type, *opts, *file;
    struct tern_arena *a;
    const char **err;
};

static int list_try(void *arg, const char *key, size_t len, char **result,
                    size_t *rlen)
{
    struct list_try *t = arg;

    return tern_lookups_find(t->r, t->type, t->opts, t->file, key, len,
                             t->a, result, rlen, t->err);
}

int tern_lookups_list_item(struct tern_lookups *r, const char *item,
                           const char *subject, size_t slen,
                           struct tern_arena *a, char **result,
                           size_t *rlen, const char **err)
{
    struct tern_lookup_spec sp;
    const char *why, *semi = strchr(item, ';');

    if (semi == NULL) {
        *err = tern_printf(a, "\"%s\" is not a lookup (no semicolon)", item);
        return TERN_ERROR;
    }
    size_t tlen = (size_t)(semi - item);
    while (tlen && (item[tlen - 1] == ' ' || item[tlen - 1] == '\t'))
        tlen--;
    if (tern_lookup_spec_parse(item, tlen, &sp, &why) < 0) {
        *err = tern_printf(a, "%s in lookup type \"%.*s\"", why, (int)tlen,
                           item);
        return TERN_ERROR;
    }
    const char *arg = semi + 1;
    while (*arg == ' ' || *arg == '\t' || *arg == '\n')
        arg++;
    struct list_try t = { r, tern_strndup(a, sp.name, sp.name_len),
                          tern_strndup(a, sp.options, sp.options_len), arg,
                          a, err };
    const struct tern_lookup *lk = tern_lookups_get(r, sp.name, sp.name_len);
    if (lk && lk->style == TERN_LOOKUP_QUERY) {
        if (sp.partial >= 0 || sp.star) {
            *err = tern_printf(a, "partial matching and defaults are not "
                               "available for query-style lookup \"%s\"",
                               t.type);
            return TERN_ERROR;
        }
        return tern_lookups_find(r, t.type, t.opts, NULL, arg, strlen(arg),
                                 a, result, rlen, err);
    }
    struct tern_lookup_hit hit;
    int rc = tern_lookup_single(&sp, subject, slen, a, list_try, &t, &hit);
    if (rc != TERN_OK)
        return rc;
    if (sp.ret_key) {
        *result = tern_strndup(a, subject, slen);
        *rlen = slen;
    } else {
        *result = hit.result;
        *rlen = hit.rlen;
    }
    return TERN_OK;
}
