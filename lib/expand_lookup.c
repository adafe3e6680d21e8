/*
 * NAME
 *   expand_lookup.c - ${lookup}: type specifications and dispatch to the
 *   host's lookup hook
 *
 * SYNOPSIS
 *   ${lookup{key} partial2-lsearch*@,ret=key {file} {yes}{no}}
 *   ${lookup dnsdb{mx=example.com}{yes}{no}}
 *
 * DESCRIPTION
 *   The type word "[partialN-|partialN(prefix)]name[*|*@][,options]" is
 *   split, and the partial matching and `*` / `*@` defaults are run, by
 *   lib/lookup_spec.c (tern_lookup_spec_parse, tern_lookup_single), which
 *   lookups in lists use too, so both agree by construction.  The parser
 *   checks the word through exp_lookup_spec(); the evaluator calls the
 *   host's lookup hook once per candidate key, so a lookup module only
 *   ever sees one exact key.  While the yes-string is expanded after a
 *   partial match or a default, $1 holds the part of the key the
 *   wildcard covered and $2 the rest (lookup.h says exactly what Exim
 *   4.96 puts there).  ret=key makes the result the key itself.
 *
 * DIAGNOSTICS
 *   A lookup that defers makes the expansion defer (TERN_EXP_DEFER); a
 *   hook error is an expansion error.
 */
#include "config.h"

#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"
#include "lookup.h"

int exp_lookup_spec(struct xs s, struct exp_lookup_spec *spec,
                    const char **why)
{
    struct tern_lookup_spec sp;

    if (tern_lookup_spec_parse(s.p, s.len, &sp, why) < 0)
        return -1;
    memset(spec, 0, sizeof *spec);
    spec->name = xs_make(sp.name, sp.name_len);
    spec->options = xs_make(sp.options, sp.options_len);
    spec->partial = sp.partial;
    spec->prefix = xs_make(sp.prefix, sp.prefix_len);
    spec->star = sp.star;
    spec->ret_key = sp.ret_key;
    return 0;
}

struct lk {
    struct ev *v;
    uint32_t node;
    struct tern_exp_lookup_req req;
};

/* One call of the hook (tern_lookup_try_fn): a deferral or an error is
 * recorded in the evaluator here, where the key is known. */
static int try_key(void *arg, const char *key, size_t len, char **result,
                   size_t *rlen)
{
    struct lk *k = arg;
    struct ev *v = k->v;
    const char *err = NULL;

    *result = NULL;
    *rlen = 0;
    k->req.key = key;
    k->req.key_len = len;
    int rc = v->env->lookup(v->env->arg, &k->req, v->a, result, rlen, &err);
    switch (rc) {
    case TERN_OK:
        if (*result == NULL) {
            *result = "";
            *rlen = 0;
        }
        return TERN_OK;
    case TERN_FAIL:
        return TERN_FAIL;
    case TERN_DEFER:
        ev_fail(v, TERN_EXP_DEFER, k->node, "lookup of \"%.*s\" "
                "deferred%s%s", (int)len, key, err ? ": " : "",
                err ? err : "");
        return TERN_DEFER;
    default:
        ev_fail(v, TERN_EXP_ERROR, k->node, "%s", err ? err :
                "lookup failed");
        return TERN_ERROR;
    }
}

int ev_item_lookup(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct tern_lookup_spec sp;
    struct tern_lookup_hit hit;
    const char *why;
    struct xs key, file = xs_make("", 0);
    int is_single = (n->flags & NF_SINGLE) != 0;
    unsigned yes = is_single ? 2 : 1;
    struct xs type = ev_text(v, n->c, n->d);

    if (tern_lookup_spec_parse(type.p, type.len, &sp, &why) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "bad lookup type");
    if (ev_str(v, ev_child(v, node, 0), &key) < 0)
        return -1;
    if (is_single && ev_str(v, ev_child(v, node, 1), &file) < 0)
        return -1;
    if (!v->env->lookup)
        return ev_fail(v, TERN_EXP_ERROR, node, "lookups are not available "
                       "here");
    struct lk k;
    memset(&k, 0, sizeof k);
    k.v = v;
    k.node = node;
    k.req.type = tern_strndup(v->a, sp.name, sp.name_len);
    k.req.options = tern_strndup(v->a, sp.options, sp.options_len);
    k.req.file = is_single ? file.p : NULL;
    memset(&hit, 0, sizeof hit);
    int rc = is_single
        ? tern_lookup_single(&sp, key.p, key.len, v->a, try_key, &k, &hit)
        : try_key(&k, key.p, key.len, &hit.result, &hit.rlen);
    if (rc != TERN_OK && rc != TERN_FAIL)
        return -1;
    int found = rc == TERN_OK;
    struct xs result = found ? xs_make(hit.result, hit.rlen)
                             : xs_make("", 0);
    if (found && sp.ret_key)
        result = key;

    struct xs saved_value = v->value, saved_nums[EXP_MAX_NUMVARS];
    unsigned saved_n = v->n_nums;
    memcpy(saved_nums, v->nums, sizeof saved_nums);
    if (found) {
        v->value = result;
        if (hit.nums) {
            v->nums[0] = xs_make("", 0);
            v->nums[1] = xs_make(hit.wild, hit.wild_len);
            v->nums[2] = xs_make(hit.rest, hit.rest_len);
            v->n_nums = 3;
        }
    }
    rc = ev_yesno(v, node, found, yes, result, out);
    v->value = saved_value;
    memcpy(v->nums, saved_nums, sizeof saved_nums);
    v->n_nums = saved_n;
    return rc;
}
