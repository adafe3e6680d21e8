/*
 * NAME
 *   match_exp.c - the match_address, match_domain, match_local_part and
 *   match_ip expansion conditions
 *
 * SYNOPSIS
 *   static int my_list_match(void *arg, unsigned kind, const char *subj,
 *                            const char *list, struct tern_arena *a,
 *                            const char **value, const char **err)
 *   {
 *       struct session *s = arg;
 *       return tern_match_exp(&s->match_env, s->match_cache, kind, subj,
 *                             list, a, value, err);
 *   }
 *   exp_env.list_match = my_list_match;
 *
 * DESCRIPTION
 *   Exim 4.96 (built without EXPAND_LISTMATCH_RHS) does not expand the
 *   list argument of these conditions, though the named lists it refers
 *   to are expanded.  match_local_part and match_address start caseless.
 *   match_ip takes an IP address or an empty string and uses the host
 *   list rules without host names (TERN_MATCH_IP_ONLY).  Exim does not
 *   use its named-list cache here; passing a cache is allowed and gives
 *   the same answers for lists that are cacheable.
 *
 * DIAGNOSTICS
 *   Exim reports "unable to complete match against ..." for a deferral;
 *   the message here is the matcher's, with the item that failed.
 */
#include "config.h"

#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "match.h"

int tern_match_exp(const struct tern_match_env *env,
                   struct tern_match_cache *cache, unsigned kind,
                   const char *subject, const char *list,
                   struct tern_arena *a, const char **value,
                   const char **err)
{
    struct tern_match_result r;
    int rc;

    memset(&r, 0, sizeof r);
    switch (kind) {
    case TERN_EXP_MATCH_ADDRESS:
        rc = tern_match_address(env, cache, subject, list, 0, a, &r);
        break;
    case TERN_EXP_MATCH_DOMAIN:
        rc = tern_match_domain(env, cache, subject, list, 0, a, &r);
        break;
    case TERN_EXP_MATCH_LOCAL_PART:
        rc = tern_match_localpart(env, cache, subject, list, 0, a, &r);
        break;
    case TERN_EXP_MATCH_IP:
        rc = tern_match_host(env, cache, subject, list, TERN_MATCH_IP_ONLY,
                             a, &r);
        break;
    default:
        rc = TERN_ERROR;
        r.err = "unknown kind of list match";
        break;
    }
    if (value)
        *value = rc == TERN_OK ? (r.value ? r.value : "") : NULL;
    if (err) {
        *err = NULL;
        if (rc != TERN_OK && rc != TERN_FAIL)
            *err = r.err_item && !strstr(r.err, r.err_item) ?
                   tern_printf(a, "%s (in \"%s\")", r.err, r.err_item) :
                   r.err;
    }
    return rc;
}

int tern_match_list_env_adapter(void *arg, unsigned kind,
                                const char *subject, const char *list,
                                struct tern_arena *a, const char **value,
                                const char **err)
{
    const struct tern_match_ctx *ctx = arg;
    return tern_match_exp(ctx->env, ctx->cache, kind, subject, list, a,
                          value, err);
}
