/*
 * NAME
 *   acl_env.c - expansion and list matching for the ACL engine
 *
 * DESCRIPTION
 *   Values of conditions and modifiers are expanded before use, as Exim
 *   does: through the parsed form confc stored with the item when there
 *   is one (host_expand_exp), else from the text (host_expand, which
 *   parses once and caches); text without `$` and `\` is its own
 *   expansion and is used as it is.
 *
 *   A forced failure makes a condition count as true (Exim: "the
 *   condition is ignored"); a lookup that defers makes it defer; any
 *   other failure is an error, which gives a 4xx.
 *
 *   Lists are matched with the host's list-matching surroundings
 *   (host_match_env: lookups, named lists, DNS names of hosts), never
 *   expanded again: the condition's value was expanded already.
 */
#include "config.h"

#include <string.h>

#include <tern/module.h>

#include "acl_int.h"

static int
map(struct host_acl_run *r, int rc, const char *err, const char *what)
{
    switch (rc) {
    case 0:
        return 0;
    case 1:
        return HOST_ACL_C_SKIP;
    case -2:
        r->err = tern_printf(r->ctx->arena, "failed to expand ACL string "
                             "\"%s\": %s", what, err ? err : "deferred");
        return TERN_DEFER;
    default:
        r->err = tern_printf(r->ctx->arena, "failed to expand ACL string "
                             "\"%s\": %s", what, err ? err : "error");
        return TERN_ERROR;
    }
}

int
host_acl_expand(struct host_acl_run *r, const struct tern_cfg_acl_item *it,
                const char *text, const char **out)
{
    const char *err = NULL;
    size_t len;
    int rc;

    if (it != NULL && it->exp != NULL) {
        rc = host_expand_exp(r->ctx, it->exp, out, &len, &err);
    } else if (strpbrk(text, "$\\") == NULL) {
        *out = text;
        return 0;
    } else {
        rc = host_expand(r->ctx, text, out, &err);
    }
    return map(r, rc, err, text);
}

const char *
host_acl_expand_str(struct host_acl_run *r, const char *s)
{
    const char *out;
    int rc = host_acl_expand(r, NULL, s, &out);

    return rc == 0 ? out : NULL;
}

void
host_acl_match_env(struct tern_ctx *ctx, struct tern_match_env *env)
{
    memset(env, 0, sizeof *env);
    host_match_env(ctx, env);
}

int
host_acl_match_rc(struct host_acl_run *r, int rc,
                  const struct tern_match_result *m, const char *what)
{
    switch (rc) {
    case TERN_OK:
    case TERN_FAIL:
        host_acl_tr("%s %s list", what, rc == TERN_OK ? "in" : "not in");
        return rc;
    case TERN_DEFER:
        r->err = tern_printf(r->ctx->arena, "%s list deferred%s%s%s%s",
                             what, m->err_item ? " at \"" : "",
                             m->err_item ? m->err_item : "",
                             m->err_item ? "\"" : "",
                             m->err ? tern_printf(r->ctx->arena, ": %s",
                                                  m->err) : "");
        return TERN_DEFER;
    default:
        r->err = tern_printf(r->ctx->arena, "error in %s list%s%s%s: %s",
                             what, m->err_item ? " at \"" : "",
                             m->err_item ? m->err_item : "",
                             m->err_item ? "\"" : "",
                             m->err ? m->err : "unknown error");
        return TERN_ERROR;
    }
}
