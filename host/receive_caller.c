/*
 * NAME
 *   receive_caller.c - who submits a local message, and what sender
 *   they may give it
 *
 * DESCRIPTION
 *   Exim's rules for local input (spec 5.2 and the options named here):
 *
 *   - trusted callers are root, the Exim user, the users of
 *     trusted_users and the members (primary or supplementary) of
 *     trusted_groups; they may set any sender with -f, or with a UUCP
 *     "From " line;
 *   - an untrusted caller's -f is honoured when untrusted_set_sender
 *     matches it, and an empty sender (-f '<>') is always allowed; the
 *     message is then flagged sender_set_untrusted, and -bp shows the
 *     login after the sender;
 *   - otherwise the sender is login@qualify_domain and the -f is
 *     silently ignored;
 *   - admin users (the queue listing) are root, the Exim user and the
 *     members of admin_groups;
 *   - the full name is -F, else the password entry's gecos field up to
 *     its first comma, '&' standing for the login with a capital.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expand.h"
#include "list.h"
#include "receive_int.h"

static int
id_in_list(const char *list, long id, int groups)
{
    struct tern_list_iter it;
    char item[256];
    int too_long = 0;

    if (list == NULL)
        return 0;
    tern_list_start(&it, list, ':');
    while (tern_list_next(&it, item, sizeof item, &too_long) != NULL) {
        char *end;
        long n = strtol(item, &end, 10);

        if (*item != '\0' && *end == '\0') {
            if (n == id)
                return 1;
            continue;
        }
        if (groups) {
            const struct group *g = getgrnam(item);
            if (g != NULL && (long)g->gr_gid == id)
                return 1;
        } else {
            const struct passwd *pw = getpwnam(item);
            if (pw != NULL && (long)pw->pw_uid == id)
                return 1;
        }
    }
    return 0;
}

int
host_caller_trusted(struct host_runtime *rt, long uid, long gid)
{
    const char *tg = rt->opts.trusted_groups.text;
    gid_t groups[256];
    int n;

    if (uid == 0 || (rt->exim_uid >= 0 && uid == rt->exim_uid))
        return 1;
    if (id_in_list(rt->opts.trusted_users.text, uid, 0))
        return 1;
    if (tg == NULL)
        return 0;
    if (id_in_list(tg, gid, 1))
        return 1;
    n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (id_in_list(tg, (long)groups[i], 1))
            return 1;
    return 0;
}

int
host_caller_admin(struct host_runtime *rt, long uid, long gid)
{
    const char *ag = rt->opts.admin_groups.text;
    gid_t groups[256];
    int n;

    if (uid == 0 || (rt->exim_uid >= 0 && uid == rt->exim_uid))
        return 1;
    if (ag == NULL)
        return 0;
    if (id_in_list(ag, gid, 1))
        return 1;
    n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (id_in_list(ag, (long)groups[i], 1))
            return 1;
    return 0;
}

char *
host_caller_gecos(struct tern_arena *a, const char *login, const char *gecos)
{
    struct tern_buf b = { 0 };
    char *r;

    if (gecos == NULL)
        return NULL;
    for (const char *p = gecos; *p && *p != ','; p++) {
        if (*p == '&' && login && *login) {
            tern_buf_addc(&b, (char)(login[0] >= 'a' && login[0] <= 'z'
                                     ? login[0] - 32 : login[0]));
            tern_buf_adds(&b, login + 1);
        } else {
            tern_buf_addc(&b, *p);
        }
    }
    r = b.len ? tern_strndup(a, b.data, b.len) : NULL;
    tern_buf_free(&b);
    return r;
}

/* Does untrusted_set_sender allow `sender`?  The list is expanded, then
 * matched as an address list, in the ctx of the submission. */
static int
untrusted_may_set(struct tern_ctx *ctx, const char *sender)
{
    const char *list = ctx->rt->opts.untrusted_set_sender.text;
    const char *out = NULL, *why = NULL, *value = NULL;
    struct tern_exp_env env;

    if (list == NULL)
        return 0;
    if (host_expand(ctx, list, &out, &why) != 0 || out == NULL)
        return 0;
    memset(&env, 0, sizeof env);
    host_exp_env(ctx, &env);
    if (env.list_match == NULL)
        return 0;
    return env.list_match(env.arg, TERN_EXP_MATCH_ADDRESS, sender, out,
                          ctx->arena, &value, &why) == TERN_OK;
}

void
host_caller_sender(struct tern_ctx *ctx, const char *given, int trusted,
                   struct host_caller_sender *out)
{
    const char *qd = ctx->rt->qualify_domain ? ctx->rt->qualify_domain
                                             : ctx->rt->primary_hostname;
    const char *login = ctx->sess->login;

    memset(out, 0, sizeof *out);
    out->sender = tern_printf(ctx->arena, "%s@%s", login, qd);
    out->sender_local = 1;
    if (given == NULL)
        return;
    const char *addr = "";
    int has_domain = 1;
    if (*given != '\0' && strcmp(given, "<>") != 0) {
        out->error = host_addr_extract(ctx->arena, given, &addr, &has_domain);
        if (out->error != NULL)
            return;
    }
    if (*addr != '\0' && !has_domain)
        addr = tern_printf(ctx->arena, "%s@%s", addr, qd);
    if (trusted) {
        out->sender = addr;
        out->sender_local = 0;
    } else if (*addr == '\0' || untrusted_may_set(ctx, addr)) {
        out->sender = addr;
        out->set_untrusted = 1;
    }
}
