/*
 * NAME
 *   acl_state.c - what the ACL engine keeps between runs, its variables,
 *   its trace and its log lines
 *
 * DESCRIPTION
 *   The hooks and switches other parts of the host set (the verify hook,
 *   the trace stream, the -bh address), the variables the engine owns
 *   ($acl_arg1.., $dnslist_*, $sender_rate ...) and their lookup for
 *   vars.c, Exim's ">>> " trace lines, and the log lines the engine
 *   writes: logwrite as it is, warn and verify lines with "H=..." or
 *   "U=..." in front.  A warn's log_message is written once per message
 *   (Exim: "only one copy is actually logged"); what was written is
 *   remembered per message or session until host_acl_forget().
 *
 *   It also installs itself as the evaluator's ${acl{..}} item
 *   (host_acl_item_hook, ctx.h) when the program starts.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/host.h>

#include "acl_int.h"
#include "host.h"

host_verify_fn *host_verify_hook;
FILE *host_acl_trace;
const char *host_bh_address;
int host_bh_port;
struct host_acl_vars host_acl_v;

void
host_acl_tr(const char *fmt, ...)
{
    va_list ap;

    if (host_acl_trace == NULL)
        return;
    fputs(">>> ", host_acl_trace);
    va_start(ap, fmt);
    vfprintf(host_acl_trace, fmt, ap);
    va_end(ap);
    fputc('\n', host_acl_trace);
    fflush(host_acl_trace);
}

const char *
host_acl_where_name(enum host_acl_where where)
{
    static const char *const names[] = {
        "?", "connect", "EHLO or HELO", "MAIL", "RCPT", "DATA (predata)",
        "DATA", "QUIT", "not-QUIT", "non-SMTP", "STARTTLS", "AUTH",
        "VRFY", "EXPN", "MIME", "non-SMTP start", "ETRN", "MAILAUTH",
        "expansion"
    };
    return (unsigned)where < sizeof names / sizeof names[0] ? names[where]
                                                             : "?";
}

void
host_acl_log(struct tern_ctx *ctx, unsigned dest, const char *text)
{
    const char *id = ctx->msg && ctx->msg->spool.id[0] ? ctx->msg->spool.id
                                                        : NULL;

    if (host_acl_trace != NULL)
        fprintf(host_acl_trace, "LOG: %s\n", text);
    if (ctx->rt != NULL && host_bh_address == NULL)
        host_log(ctx->rt, dest, id, "%s", text);
}

/* "H=(helo) [ip] " or "U=login " in front of the lines the engine
 * writes about the client, as Exim's warn and verify lines have. */
static const char *
who(struct tern_ctx *ctx)
{
    struct host_session *s = ctx->sess;
    const char *host = NULL, *err, *user;

    if (s != NULL && s->peer_address != NULL && *s->peer_address &&
        host_expand(ctx, "$sender_fullhost", &host, &err) == 0 &&
        *host != '\0')
        return s->ident ? tern_printf(ctx->arena, "H=%s U=%s ", host,
                                      s->ident)
                        : tern_printf(ctx->arena, "H=%s ", host);
    user = s && s->ident ? s->ident : s && s->login ? s->login
         : ctx->rt ? ctx->rt->caller_login : NULL;
    return user ? tern_printf(ctx->arena, "U=%s ", user) : "";
}

void
host_acl_log_client(struct tern_ctx *ctx, unsigned dest, const char *text)
{
    host_acl_log(ctx, dest, tern_printf(ctx->arena, "%s%s", who(ctx), text));
}

/* ---- warn log lines written once per message ---- */

#define SEEN_MAX 1024

struct seen_line {
    const void *scope;
    unsigned long long hash;
    struct seen_line *next;
};
static struct seen_line *seen_lines;

/* 1 when `text` was logged by a warn for this message already. */
int
host_acl_seen_before(struct tern_ctx *ctx, const char *text)
{
    const void *scope = ctx->msg ? (const void *)ctx->msg
                                 : (const void *)ctx->sess;
    unsigned long long h = tern_fnv1a(TERN_FNV_INIT, text, strlen(text));
    struct seen_line *s, **pp;
    size_t n = 0;

    if (scope == NULL)
        return 0;
    for (s = seen_lines; s != NULL; s = s->next)
        if (s->scope == scope && s->hash == h)
            return 1;
    if ((s = malloc(sizeof *s)) != NULL) {
        s->scope = scope;
        s->hash = h;
        s->next = seen_lines;
        seen_lines = s;
    }
    /* A bound, in case a message ends without host_acl_forget(): the
     * oldest lines go first. */
    for (pp = &seen_lines; *pp != NULL && n < SEEN_MAX; pp = &(*pp)->next)
        n++;
    while (*pp != NULL) {
        s = *pp;
        *pp = s->next;
        free(s);
    }
    return 0;
}

void
host_acl_forget(const void *scope)
{
    struct seen_line **pp = &seen_lines;

    while (*pp != NULL) {
        struct seen_line *s = *pp;
        if (s->scope == scope) {
            *pp = s->next;
            free(s);
        } else {
            pp = &s->next;
        }
    }
    host_acl_ratelimit_forget(scope);
}

const char *
host_acl_var(const char *name, size_t len)
{
    static const struct {
        const char *name;
        size_t off;
    } vars[] = {
#define V(n) { #n, offsetof(struct host_acl_vars, n) }
        V(dnslist_domain), V(dnslist_matched), V(dnslist_text),
        V(dnslist_value), V(host_data), V(sender_data), V(recipient_data),
        V(sender_address_data), V(sender_rate), V(sender_rate_limit),
        V(sender_rate_period), V(sender_verify_failure),
        V(recipient_verify_failure),
        { "acl_verify_message",
          offsetof(struct host_acl_vars, verify_message) },
#undef V
    };
    static char narg[4];

    if (len == 8 && memcmp(name, "acl_arg", 7) == 0 && name[7] >= '1' &&
        name[7] <= '9')
        return host_acl_v.arg[name[7] - '1'];
    if (len == 8 && memcmp(name, "acl_narg", 8) == 0) {
        snprintf(narg, sizeof narg, "%d", host_acl_v.narg);
        return narg;
    }
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (strlen(vars[i].name) == len &&
            memcmp(vars[i].name, name, len) == 0)
            return *(const char *const *)((const char *)&host_acl_v +
                                          vars[i].off);
    return NULL;
}

/* ${acl{..}} for the evaluator (expand_env.c calls host_acl_item_hook):
 * the result is copied into the evaluator's arena, the ctx's here. */
static int
acl_item(struct tern_ctx *ctx, int argc, const char *const *argv,
         char **result, const char **err)
{
    const char *out = "";
    int rc = host_acl_expand_item(ctx, argc, argv, &out, err);

    *result = tern_strdup(ctx->arena, out ? out : "");
    return rc;
}

/* The engine plugs itself into the evaluator when the program starts,
 * so ${acl} works wherever strings are expanded (-be, routers), not
 * only once an ACL has run. */
__attribute__((constructor)) static void
install_item_hook(void)
{
    host_acl_item_hook = acl_item;
}
