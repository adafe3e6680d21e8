/*
 * NAME
 *   acl_cond.c - the table of ACL conditions and modifiers, the list
 *   conditions, and conditions and modifiers provided by modules
 *
 * DESCRIPTION
 *   One table names every core condition and modifier (core.schema's
 *   `provides acl_condition` and `acl_modifier` lines), says whether its
 *   value is expanded before the handler sees it, and in which ACLs it
 *   may not be used, as Exim forbids (domains outside RCPT, hosts in the
 *   non-SMTP ACLs, add_header before a message exists ...).
 *
 *   The conditions here:
 *
 *     acl            a nested ACL with up to nine arguments, each word
 *                    (double quotes group) expanded on its own
 *     hosts          the client against a host list; $host_data
 *     domains        the recipient's domain (RCPT); $domain_data
 *     local_parts    the recipient's local part (RCPT); $local_part_data
 *     recipients     the recipient (RCPT); $recipient_data
 *     senders        the envelope sender; $sender_data
 *     sender_domains the sender's domain
 *     authenticated  the authenticator's name against a list
 *     encrypted      the TLS cipher against a list
 *     condition      Exim's truth rules: "", "0", "no", "false" are
 *                    false; a non-zero number, "yes", "true" are true;
 *                    anything else defers
 *
 *   Names no core entry has are looked up in the loaded modules'
 *   acl_conditions and acl_modifiers (loading the installed provider
 *   when the plan did not name it, for ACLs read at run time).  A
 *   module's eval gets the expanded value and answers TERN_OK (true),
 *   TERN_FAIL (false, *msg for the log), TERN_DEFER or TERN_ERROR.
 *
 * DIAGNOSTICS
 *   Conditions Tern does not implement (content scanning, SPF, DKIM,
 *   seen) are errors naming the condition; a module entry without a
 *   function (a schema-only module) is an error naming the module.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tern/module.h>

#include "acl_int.h"
#include "host.h"

#define W HOST_ACL_W
/* Only where a recipient is being looked at. */
#define RCPT_ONLY (~(W(HOST_ACL_RCPT) | W(HOST_ACL_VRFY) | \
                     W(HOST_ACL_EXPAND)))
/* Where there is no sender yet. */
#define NO_SENDER (W(HOST_ACL_CONNECT) | W(HOST_ACL_HELO) | \
                   W(HOST_ACL_STARTTLS) | W(HOST_ACL_AUTH) | \
                   W(HOST_ACL_VRFY) | W(HOST_ACL_EXPN) | W(HOST_ACL_ETRN) | \
                   W(HOST_ACL_MAILAUTH))
/* Where no message is being received. */
#define NO_MESSAGE (NO_SENDER | W(HOST_ACL_QUIT) | W(HOST_ACL_NOTQUIT))

static int
unsupported(struct host_acl_run *r, const char *arg)
{
    (void)arg;
    r->err = tern_printf(r->ctx->arena, "ACL condition \"%s\" is not "
                         "supported by this version of Tern",
                         r->item->name);
    return TERN_ERROR;
}

static int
modifier_noop(struct host_acl_run *r, const char *arg)
{
    (void)r;
    (void)arg;
    return TERN_OK;
}

/* Split `s` into words (blanks separate, double quotes group, backslash
 * escapes inside quotes).  Returns the count, -1 when more than max. */
static int
words(struct tern_arena *a, const char *s, char **out, int max)
{
    int n = 0;

    for (;;) {
        struct tern_buf b = { 0 };
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            return n;
        if (n == max)
            return -1;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1] != '\0')
                    s++;
                tern_buf_addc(&b, *s);
            }
            if (*s == '"')
                s++;
        } else {
            while (*s && !isspace((unsigned char)*s))
                tern_buf_addc(&b, *s++);
        }
        out[n++] = tern_strndup(a, b.data ? b.data : "", b.len);
        tern_buf_free(&b);
    }
}

static int
cond_acl(struct host_acl_run *r, const char *raw)
{
    char *w[10];
    const char *x[10];
    struct host_acl_result res;
    int n = words(r->ctx->arena, raw, w, 10), v;

    if (n <= 0) {
        r->err = n < 0 ? "too many arguments for the acl condition (nine "
                         "at most)"
                       : "the acl condition needs the name of an ACL";
        return TERN_ERROR;
    }
    for (int i = 0; i < n; i++) {
        if (strpbrk(w[i], "$\\") == NULL) {
            x[i] = w[i];
        } else if ((x[i] = host_acl_expand_str(r, w[i])) == NULL) {
            if (r->err == NULL)
                r->err = tern_printf(r->ctx->arena, "failed to expand "
                                     "\"%s\"", w[i]);
            return TERN_ERROR;
        }
    }
    v = host_acl_call(r, x[0], x + 1, n - 1, &res);
    switch (v) {
    case HOST_ACL_ACCEPT:
        return TERN_OK;
    case HOST_ACL_DISCARD:
        return HOST_ACL_C_DISCARD;
    case HOST_ACL_DROP:
        /* The connection goes when this statement denies because of it;
         * `!acl =` turns the drop into a plain true (exim4 -bh). */
        if (!r->item->negated)
            r->drop = 1;
        /* fall through */
    case HOST_ACL_DENY:
        r->cond_user = res.user_message;
        r->cond_log = res.log_message;
        return TERN_FAIL;
    case HOST_ACL_DEFER:
        r->cond_user = res.user_message;
        r->cond_log = res.log_message;
        r->err = res.log_message;
        return TERN_DEFER;
    default:
        r->err = res.log_message;
        return TERN_ERROR;
    }
}

/* Record a list match's value in *slot and map the result. */
static int
matched(struct host_acl_run *r, int rc, const struct tern_match_result *m,
        const char **slot, const char *what)
{
    if (rc == TERN_OK && slot != NULL)
        *slot = m->value;
    return host_acl_match_rc(r, rc, m, what);
}

static int
cond_hosts(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;
    const char *ip = c->sess ? c->sess->peer_address : NULL;

    host_acl_match_env(c, &env);
    return matched(r, tern_match_host(&env, c->sess ? c->sess->host_cache
                                                    : NULL,
                                      ip, list, 0, c->arena, &m),
                   &m, &host_acl_v.host_data, "host");
}

static struct tern_match_cache *
msg_cache(struct tern_ctx *c)
{
    return c->msg ? c->msg->match_cache : NULL;
}

static int
cond_domains(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;

    if (c->addr == NULL || c->addr->domain == NULL)
        return TERN_FAIL;
    host_acl_match_env(c, &env);
    return matched(r, tern_match_domain(&env, msg_cache(c), c->addr->domain,
                                        list, 0, c->arena, &m),
                   &m, &c->addr->domain_data, "domain");
}

static int
cond_local_parts(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;

    if (c->addr == NULL || c->addr->local_part == NULL)
        return TERN_FAIL;
    host_acl_match_env(c, &env);
    return matched(r, tern_match_localpart(&env, msg_cache(c),
                                           c->addr->local_part, list, 0,
                                           c->arena, &m),
                   &m, &c->addr->local_part_data, "local part");
}

static int
cond_recipients(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;
    const char *rcpt = r->rcpt ? r->rcpt
                               : c->addr ? c->addr->address : NULL;

    if (rcpt == NULL)
        return TERN_FAIL;
    host_acl_match_env(c, &env);
    return matched(r, tern_match_address(&env, msg_cache(c), rcpt, list, 0,
                                         c->arena, &m),
                   &m, &host_acl_v.recipient_data, "recipient");
}

static const char *
sender_of(struct tern_ctx *c)
{
    return c->msg && c->msg->spool.sender ? c->msg->spool.sender : NULL;
}

static int
cond_senders(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;
    const char *s = sender_of(c);

    if (s == NULL)
        return TERN_FAIL;
    host_acl_match_env(c, &env);
    return matched(r, tern_match_address(&env, msg_cache(c), s, list, 0,
                                         c->arena, &m),
                   &m, &host_acl_v.sender_data, "sender");
}

static int
cond_sender_domains(struct host_acl_run *r, const char *list)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    struct tern_match_result m;
    const char *s = sender_of(c), *at;

    if (s == NULL)
        return TERN_FAIL;
    at = strrchr(s, '@');
    host_acl_match_env(c, &env);
    return matched(r, tern_match_domain(&env, msg_cache(c), at ? at + 1 : "",
                                        list, 0, c->arena, &m),
                   &m, NULL, "sender domain");
}

/* A plain string against a list (authenticated, encrypted): caseless,
 * with the items a local-part list allows (`*`, `*suffix`, `^regex`,
 * lookups), as Exim matches these lists. */
static int
string_in_list(struct host_acl_run *r, const char *s, const char *list)
{
    struct tern_match_env env;
    struct tern_match_result m;

    host_acl_match_env(r->ctx, &env);
    return host_acl_match_rc(r, tern_match_localpart(&env, NULL, s, list, 0,
                                                     r->ctx->arena, &m),
                             &m, r->item->name);
}

static int
cond_authenticated(struct host_acl_run *r, const char *list)
{
    struct host_session *s = r->ctx->sess;

    if (s == NULL || s->auth_mechanism == NULL || *s->auth_mechanism == '\0')
        return TERN_FAIL;
    return string_in_list(r, s->auth_mechanism, list);
}

static int
cond_encrypted(struct host_acl_run *r, const char *list)
{
    struct host_session *s = r->ctx->sess;

    if (s == NULL || !s->tls_in.active)
        return TERN_FAIL;
    return string_in_list(r, s->tls_in.cipher ? s->tls_in.cipher : "",
                          list);
}

static int
cond_condition(struct host_acl_run *r, const char *v)
{
    char *end;
    long long n;

    if (*v == '\0' || strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
        return TERN_FAIL;
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
        return TERN_OK;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (end != v && *end == '\0' && errno == 0)
        return n != 0 ? TERN_OK : TERN_FAIL;
    r->err = tern_printf(r->ctx->arena, "invalid \"condition\" value "
                         "\"%s\"", v);
    return TERN_DEFER;
}

/* Module-provided conditions and modifiers go through one entry each. */
static int
module_cond(struct host_acl_run *r, const char *arg)
{
    return host_acl_module_item(r, r->item->name, 1, arg);
}

static int
module_mod(struct host_acl_run *r, const char *arg)
{
    return host_acl_module_item(r, r->item->name, 0, arg);
}

/* Sorted by name. */
static const struct host_acl_op ops[] = {
    { "acl", 1, 0, 0, cond_acl },
    { "add_header", 0, 1, NO_MESSAGE, host_acl_mod_add_header },
    { "authenticated", 1, 1, HOST_ACL_W_NOTSMTP, cond_authenticated },
    { "condition", 1, 1, 0, cond_condition },
    { "continue", 0, 1, 0, host_acl_mod_continue },
    { "control", 0, 0, 0, host_acl_mod_control },
    { "decode", 1, 1, 0, unsupported },
    { "delay", 0, 1, W(HOST_ACL_NOTQUIT), host_acl_mod_delay },
    { "dkim_signers", 1, 1, 0, unsupported },
    { "dkim_status", 1, 1, 0, unsupported },
    { "dnslists", 1, 1, HOST_ACL_W_NOTSMTP, host_acl_cond_dnslists },
    { "domains", 1, 1, RCPT_ONLY, cond_domains },
    { "encrypted", 1, 1, HOST_ACL_W_NOTSMTP, cond_encrypted },
    { "endpass", 0, 0, 0, modifier_noop },
    { "hosts", 1, 1, HOST_ACL_W_NOTSMTP, cond_hosts },
    { "local_parts", 1, 1, RCPT_ONLY, cond_local_parts },
    { "log_message", 0, 0, 0, modifier_noop },
    { "log_reject_target", 0, 1, 0, host_acl_mod_log_reject_target },
    { "logwrite", 0, 1, 0, host_acl_mod_logwrite },
    { "malware", 1, 1, 0, unsupported },
    { "message", 0, 0, 0, modifier_noop },
    { "mime_regex", 1, 1, 0, unsupported },
    { "queue", 0, 1, NO_MESSAGE | W(HOST_ACL_DATA) | W(HOST_ACL_MIME),
      host_acl_mod_queue },
    { "ratelimit", 1, 1, 0, host_acl_cond_ratelimit },
    { "recipients", 1, 1, RCPT_ONLY, cond_recipients },
    { "regex", 1, 1, 0, unsupported },
    { "remove_header", 0, 1, NO_MESSAGE, host_acl_mod_remove_header },
    { "seen", 1, 1, 0, unsupported },
    { "sender_domains", 1, 1, NO_SENDER, cond_sender_domains },
    { "senders", 1, 1, NO_SENDER, cond_senders },
    { "set", 0, 0, 0, host_acl_mod_set },
    { "spam", 1, 1, 0, unsupported },
    { "spf", 1, 1, 0, unsupported },
    { "spf_guess", 1, 1, 0, unsupported },
    { "udpsend", 0, 1, 0, host_acl_mod_udpsend },
    { "verify", 1, 1, 0, host_acl_cond_verify },
};
static const struct host_acl_op module_cond_op = {
    NULL, 1, 1, 0, module_cond
};
static const struct host_acl_op module_mod_op = {
    NULL, 0, 1, 0, module_mod
};

static const struct host_acl_op *
core_op(const char *name)
{
    size_t lo = 0, hi = sizeof ops / sizeof ops[0];

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, ops[mid].name);
        if (c == 0)
            return &ops[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The module entry called `name`: kind 1 condition, 2 modifier. */
static const struct tern_acl_condition *
module_entry(struct tern_ctx *ctx, const char *name, int *kind,
             const char **module)
{
    struct host_conf *hc = ctx->rt ? ctx->rt->hc : NULL;

    for (size_t i = 0; hc != NULL && i < hc->n_mods; i++) {
        const struct tern_module *m = hc->mods[i].mod;
        const struct tern_acl_condition *const *t[2] = {
            m->acl_conditions, m->acl_modifiers
        };
        for (int k = 0; k < 2; k++)
            for (size_t j = 0; t[k] != NULL && t[k][j] != NULL; j++)
                if (strcmp(t[k][j]->name, name) == 0) {
                    *kind = k + 1;
                    *module = m->name;
                    return t[k][j];
                }
    }
    return NULL;
}

/* Load the installed module providing `name` if the plan did not. */
static const struct tern_acl_condition *
find_module_entry(struct tern_ctx *ctx, const char *name, int *kind,
                  const char **module)
{
    const struct tern_acl_condition *e = module_entry(ctx, name, kind,
                                                      module);
    const char *why = NULL;

    if (e != NULL || ctx->rt == NULL || ctx->rt->hc == NULL)
        return e;
    if (host_runtime_provider(ctx->rt, "acl_condition", name, strlen(name),
                              &why) > 0 ||
        host_runtime_provider(ctx->rt, "acl_modifier", name, strlen(name),
                              &why) > 0)
        e = module_entry(ctx, name, kind, module);
    return e;
}

const struct host_acl_op *
host_acl_op(struct tern_ctx *ctx, const char *name)
{
    const struct host_acl_op *op = core_op(name);
    const char *module;
    int kind;

    if (op != NULL)
        return op;
    if (find_module_entry(ctx, name, &kind, &module) == NULL)
        return NULL;
    return kind == 1 ? &module_cond_op : &module_mod_op;
}

int
host_acl_op_kind(struct tern_ctx *ctx, const char *name)
{
    const struct host_acl_op *op = host_acl_op(ctx, name);

    return op == NULL ? 0 : op->is_cond ? 1 : 2;
}

int
host_acl_module_item(struct host_acl_run *r, const char *name, int is_cond,
                     const char *arg)
{
    const char *module = "?", *msg = NULL;
    int kind = 0, rc;
    const struct tern_acl_condition *e = find_module_entry(r->ctx, name,
                                                           &kind, &module);

    if (e == NULL || e->eval == NULL) {
        r->err = tern_printf(r->ctx->arena, "ACL %s \"%s\" is not "
                             "implemented%s%s", is_cond ? "condition"
                                                        : "modifier",
                             name, e ? " by module " : "", e ? module : "");
        return TERN_ERROR;
    }
    rc = e->eval(r->ctx, arg, &msg);
    switch (rc) {
    case TERN_OK:
        return TERN_OK;
    case TERN_FAIL:
        if (msg != NULL)
            r->cond_log = tern_strdup(r->ctx->arena, msg);
        return is_cond ? TERN_FAIL : TERN_OK;
    case TERN_DEFER:
        r->err = msg ? tern_strdup(r->ctx->arena, msg)
                     : tern_printf(r->ctx->arena, "%s deferred", name);
        return TERN_DEFER;
    default:
        r->err = msg ? tern_strdup(r->ctx->arena, msg)
                     : tern_printf(r->ctx->arena, "%s failed", name);
        return TERN_ERROR;
    }
}
