/*
 * NAME
 *   acl.c - the ACL engine: running an ACL's statements and deciding
 *   the verdict
 *
 * SYNOPSIS
 *   struct host_acl_result r;
 *   switch (host_acl_run(&ctx, HOST_ACL_RCPT, opts->acl_smtp_rcpt.text,
 *                        "user@example.com", &r)) { ... }
 *
 * DESCRIPTION
 *   Exim 4.96's rules (spec chapter 44).  The option's value is expanded
 *   (a forced failure accepts) and names the ACL (acl_find.c).  An unset
 *   option gives the stage's default: deny for RCPT, VRFY, EXPN and
 *   ETRN, accept for the rest.
 *
 *   Each statement's conditions and modifiers are taken in order; the
 *   first condition that is false (or defers, or fails) ends the
 *   statement and the verb decides what that means:
 *
 *     accept   true: accept; false: next statement, or deny after endpass
 *     discard  as accept, returning discard
 *     defer    true: defer
 *     deny     true: deny
 *     drop     true: deny and close the connection
 *     require  true: next statement; false: deny
 *     warn     true: log log_message ("Warning: ", once per message);
 *              always the next statement, even after a deferral
 *
 *   Falling off the end denies.  `message` and `log_message` are kept
 *   unexpanded as they are met and expanded when the verb fires, so they
 *   can use what later conditions set ($dnslist_domain ...).  A nested
 *   ACL (`acl =`, acl_cond.c) runs with its own $acl_arg1.. and gives
 *   true for accept, false for deny, drop carried to the statement that
 *   denies, discard at once.  Nesting stops at 20 levels.  docs/acl.md
 *   has the whole contract.
 *
 * DIAGNOSTICS
 *   Errors (an expansion that fails, a condition not allowed in this
 *   ACL, a missing ACL file) give HOST_ACL_ERROR with the reason in
 *   log_message, as Exim turns them into a 4xx and a log line.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/host.h>
#include <tern/module.h>

#include "acl_int.h"
#include "host.h"

#define ACL_MAX_DEPTH 20

/* Runs under way (a run can start another through ${acl}); the
 * variables are cleared when the outermost one ends. */
static int active;

static const char *const verb_names[] = {
    "?", "accept", "defer", "deny", "discard", "drop", "require", "warn"
};
static const char *const verdict_names[] = {
    "ACCEPT", "DENY", "DEFER", "DISCARD", "DROP", "ERROR"
};

/* ---- one statement ---- */

static void
trace_item(const struct tern_cfg_acl_item *it)
{
    if (host_acl_trace == NULL)
        return;
    if (it->value == NULL)
        host_acl_tr("check %s%s", it->negated ? "!" : "", it->name);
    else if (strcmp(it->name, "set") == 0)
        host_acl_tr("check set %s", it->value);
    else
        host_acl_tr("check %s%s = %s", it->negated ? "!" : "", it->name,
                    it->value);
}

/* Run one item: a condition's truth or a modifier's effect. */
static int
run_item(struct host_acl_run *r, const struct tern_cfg_acl_item *it)
{
    const struct host_acl_op *op = host_acl_op(r->ctx, it->name);
    const char *arg = it->value ? it->value : "";
    int rc;

    r->item = it;
    trace_item(it);
    if (op == NULL) {
        r->err = tern_printf(r->ctx->arena, "unknown ACL condition or "
                             "modifier \"%s\"", it->name);
        return TERN_ERROR;
    }
    if (op->forbid & HOST_ACL_W(r->where)) {
        r->err = tern_printf(r->ctx->arena, "cannot %s %s in %s ACL",
                             op->is_cond ? "test" : "use", it->name,
                             host_acl_where_name(r->where));
        return TERN_ERROR;
    }
    if (strcmp(it->name, "message") == 0) {
        r->message = arg;
        r->message_item = it;
        return TERN_OK;
    }
    if (strcmp(it->name, "log_message") == 0) {
        r->log_message = arg;
        r->log_item = it;
        return TERN_OK;
    }
    if (op->expand && (rc = host_acl_expand(r, it, arg, &arg)) != 0)
        return rc == HOST_ACL_C_SKIP ? (op->is_cond ? HOST_ACL_C_SKIP
                                                    : TERN_OK) : rc;
    rc = op->fn(r, arg);
    if (!op->is_cond || !it->negated)
        return rc;
    switch (rc) {
    case TERN_OK: return TERN_FAIL;
    case TERN_FAIL: return TERN_OK;
    case HOST_ACL_C_DROP: return TERN_OK;
    default: return rc;
    }
}

/* A message or log_message: NULL when the expansion fails (then the
 * modifier is ignored, as in Exim). */
static const char *
expand_msg(struct host_acl_run *r, const struct tern_cfg_acl_item *it,
           const char *text)
{
    const char *out, *saved = r->err;

    if (host_acl_expand(r, it, text, &out) == 0)
        return out;
    host_acl_tr("failed to expand \"%s\": %s", text, r->err ? r->err : "");
    r->err = saved;
    return NULL;
}

/* Expand the statement's message and log_message into res. */
static void
set_messages(struct host_acl_run *r, int denying)
{
    struct host_acl_result *res = r->res;
    const char *um = NULL, *lm = NULL;

    if (r->message != NULL)
        um = expand_msg(r, r->message_item, r->message);
    if (r->log_message != NULL)
        lm = expand_msg(r, r->log_item, r->log_message);
    if (um != NULL && *um != '\0')
        res->user_message = um;
    else if (denying && r->cond_user != NULL)
        res->user_message = r->cond_user;
    if (!denying) {
        /* discard: log_message goes on the line that records it */
        if (lm != NULL && *lm != '\0')
            res->log_message = lm;
        return;
    }
    if (lm != NULL && *lm != '\0')
        res->log_message = lm;
    else if (r->cond_log != NULL)
        res->log_message = r->cond_log;
    else if (res->user_message != NULL)
        res->log_message = tern_strndup(r->ctx->arena, res->user_message,
                                        strcspn(res->user_message, "\n"));
}

/* warn: true conditions log log_message and add `message` as a header. */
static void
warn_fired(struct host_acl_run *r)
{
    const char *lm = r->log_message ? expand_msg(r, r->log_item,
                                                 r->log_message) : NULL;
    const char *um = r->message ? expand_msg(r, r->message_item, r->message)
                                : NULL;

    if (lm != NULL && *lm != '\0') {
        const char *line = tern_printf(r->ctx->arena, "Warning: %s", lm);
        if (!host_acl_seen_before(r->ctx, line))
            host_acl_log_client(r->ctx, TERN_LOG_MAIN, line);
    }
    if (um != NULL && *um != '\0' && (HOST_ACL_W(r->where) &
                                      HOST_ACL_W_MESSAGE))
        host_acl_add_headers(r, um);
}

/* Run statement `st`.  Returns a verdict, or -1 to go on. */
static int
run_statement(struct host_acl_run *r, const struct tern_cfg_acl_stmt *st)
{
    int rc = TERN_OK, endpass = 0, failed_after_endpass = 0;
    const char *verb = verb_names[st->verb < 8 ? st->verb : 0];

    r->verb = st->verb;
    r->message = r->log_message = NULL;
    r->message_item = r->log_item = NULL;
    r->cond_user = r->cond_log = NULL;
    r->drop = 0;
    host_acl_v.verify_message = NULL;
    if (host_acl_trace != NULL) {
        const struct tern_config *cfg = r->cfg;
        if (cfg && st->loc.line && st->loc.file < cfg->n_files)
            host_acl_tr("processing \"%s\" (%s %u)", verb,
                        cfg->files[st->loc.file], st->loc.line);
        else if (st->loc.file == HOST_ACL_TEXT_FILE)
            host_acl_tr("processing \"%s\" (ACL %s, line %u)", verb,
                        r->name, st->loc.line);
        else
            host_acl_tr("processing \"%s\"", verb);
    }
    for (size_t i = 0; i < st->n_items; i++) {
        const struct tern_cfg_acl_item *it = &st->items[i];
        if (strcmp(it->name, "endpass") == 0) {
            endpass = 1;
            continue;
        }
        rc = run_item(r, it);
        if (rc == HOST_ACL_C_SKIP)
            rc = TERN_OK;
        if (rc != TERN_OK) {
            failed_after_endpass = endpass;
            break;
        }
    }
    if (rc == HOST_ACL_C_DROP) {
        r->drop = 1;
        rc = TERN_FAIL;
    }
    if (rc == TERN_DEFER && st->verb == TERN_ACL_WARN) {
        host_acl_log(r->ctx, TERN_LOG_MAIN, tern_printf(
            r->ctx->arena, "ACL \"warn\" statement skipped: condition test "
            "deferred%s%s", r->err ? ": " : "", r->err ? r->err : ""));
        return -1;
    }
    if (rc == TERN_DEFER || rc == TERN_ERROR) {
        host_acl_tr("%s: condition test %s in ACL \"%s\"", verb,
                    rc == TERN_DEFER ? "deferred" : "error", r->name);
        set_messages(r, 1);
        if (rc == TERN_ERROR || r->res->log_message == NULL)
            r->res->log_message = r->err;
        return rc == TERN_DEFER ? HOST_ACL_DEFER : HOST_ACL_ERROR;
    }
    if (rc == HOST_ACL_C_DISCARD) {
        if (st->verb != TERN_ACL_ACCEPT && st->verb != TERN_ACL_DISCARD) {
            r->res->log_message = tern_printf(r->ctx->arena, "nested ACL "
                "returned \"discard\" for \"%s\" (only accept and discard "
                "may)", verb);
            return HOST_ACL_ERROR;
        }
        set_messages(r, 0);
        return HOST_ACL_DISCARD;
    }
    host_acl_tr("%s: condition test %s in ACL \"%s\"", verb,
                rc == TERN_OK ? "succeeded" : "failed", r->name);
    switch (st->verb) {
    case TERN_ACL_ACCEPT:
    case TERN_ACL_DISCARD:
        if (rc == TERN_OK) {
            set_messages(r, 0);
            return st->verb == TERN_ACL_ACCEPT ? HOST_ACL_ACCEPT
                                               : HOST_ACL_DISCARD;
        }
        if (!failed_after_endpass)
            return -1;
        set_messages(r, 1);
        return r->drop ? HOST_ACL_DROP : HOST_ACL_DENY;
    case TERN_ACL_DEFER:
        if (rc != TERN_OK)
            return -1;
        set_messages(r, 1);
        return HOST_ACL_DEFER;
    case TERN_ACL_DENY:
    case TERN_ACL_DROP:
        if (rc != TERN_OK)
            return -1;
        set_messages(r, 1);
        return st->verb == TERN_ACL_DROP || r->drop ? HOST_ACL_DROP
                                                    : HOST_ACL_DENY;
    case TERN_ACL_REQUIRE:
        if (rc == TERN_OK)
            return -1;
        set_messages(r, 1);
        return r->drop ? HOST_ACL_DROP : HOST_ACL_DENY;
    case TERN_ACL_WARN:
        if (rc == TERN_OK)
            warn_fired(r);
        return -1;
    }
    return -1;
}

static int
run_acl(struct host_acl_run *r, const struct tern_cfg_acl *acl)
{
    int v = -1;

    r->name = acl->name;
    host_acl_tr("using ACL \"%s\"", acl->name);
    for (size_t i = 0; i < acl->n_stmts && v < 0; i++)
        v = run_statement(r, &acl->stmts[i]);
    if (v < 0) {
        host_acl_tr("end of ACL \"%s\": implicit DENY", acl->name);
        return HOST_ACL_DENY;
    }
    if (v == HOST_ACL_DISCARD && !(HOST_ACL_W(r->where) &
                                   (HOST_ACL_W_MESSAGE |
                                    HOST_ACL_W(HOST_ACL_EXPAND))) ) {
        r->res->log_message = tern_printf(r->ctx->arena, "\"discard\" is "
            "not allowed in %s ACL", host_acl_where_name(r->where));
        v = HOST_ACL_ERROR;
    } else if (v == HOST_ACL_DISCARD && r->where == HOST_ACL_PREDATA) {
        r->res->log_message = "\"discard\" is not allowed in the predata ACL";
        v = HOST_ACL_ERROR;
    }
    host_acl_tr("end of ACL \"%s\": %s", acl->name, verdict_names[v]);
    return v;
}

int
host_acl_call(struct host_acl_run *r, const char *spec,
              const char *const *argv, int argc,
              struct host_acl_result *res)
{
    struct host_acl_run sub = *r;
    const struct tern_cfg_acl *acl;
    const char *saved[9];
    int saved_n = host_acl_v.narg, v;

    memset(res, 0, sizeof *res);
    res->log_targets = r->res->log_targets;
    if (r->depth + 1 >= ACL_MAX_DEPTH) {
        res->log_message = tern_printf(r->ctx->arena, "ACL nested too deep "
                                       "(%d levels) calling \"%s\"",
                                       ACL_MAX_DEPTH, spec);
        return HOST_ACL_ERROR;
    }
    sub.depth = r->depth + 1;
    sub.res = res;
    sub.err = NULL;
    if ((acl = host_acl_find(&sub, spec, 0)) == NULL) {
        res->log_message = sub.err;
        return HOST_ACL_ERROR;
    }
    memcpy(saved, host_acl_v.arg, sizeof saved);
    if (argc >= 0) {
        for (int i = 0; i < 9; i++)
            host_acl_v.arg[i] = i < argc ? argv[i] : NULL;
        host_acl_v.narg = argc;
    }
    v = run_acl(&sub, acl);
    memcpy(host_acl_v.arg, saved, sizeof saved);
    host_acl_v.narg = saved_n;
    r->res->delay += res->delay;
    r->res->log_targets = res->log_targets;
    return v;
}

/* The address being verified in RCPT, when the caller has none. */
static struct host_address *
rcpt_address(struct tern_ctx *ctx, const char *rcpt)
{
    struct host_address *a = tern_alloc(ctx->arena, sizeof *a);
    const char *at = strrchr(rcpt, '@');
    char *lp;

    a->arena = ctx->arena;
    a->address = rcpt;
    lp = at ? tern_strndup(ctx->arena, rcpt, (size_t)(at - rcpt))
            : tern_strdup(ctx->arena, rcpt);
    for (char *p = lp; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    a->local_part = lp;
    a->original_local_part = lp;
    if (at != NULL) {
        char *d = tern_strdup(ctx->arena, at + 1);
        for (char *p = d; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        a->domain = d;
    } else {
        a->domain = "";
    }
    a->original_domain = a->domain;
    return a;
}

static enum host_acl_verdict
default_verdict(enum host_acl_where where)
{
    switch (where) {
    case HOST_ACL_RCPT: case HOST_ACL_VRFY: case HOST_ACL_EXPN:
    case HOST_ACL_ETRN:
        return HOST_ACL_DENY;
    default:
        return HOST_ACL_ACCEPT;
    }
}

enum host_acl_verdict
host_acl_run(struct tern_ctx *ctx, enum host_acl_where where,
             const char *acl, const char *rcpt, struct host_acl_result *res)
{
    struct host_acl_run r;
    struct host_address *saved_addr = ctx->addr;
    const struct tern_cfg_acl *a;
    const char *spec = acl;
    int v;

    memset(res, 0, sizeof *res);
    res->log_targets = TERN_LOG_MAIN | TERN_LOG_REJECT;
    /* What was kept for an earlier connection or message whose struct
     * happens to sit at the same address is gone now. */
    if (where == HOST_ACL_CONNECT && ctx->sess != NULL)
        host_acl_forget(ctx->sess);
    if ((where == HOST_ACL_MAIL || where == HOST_ACL_NOT_SMTP_START) &&
        ctx->msg != NULL)
        host_acl_forget(ctx->msg);
    if (acl == NULL || *acl == '\0') {
        res->verdict = default_verdict(where);
        host_acl_tr("no ACL for %s: %s", host_acl_where_name(where),
                    verdict_names[res->verdict]);
        return res->verdict;
    }
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.where = where;
    r.rcpt = rcpt;
    r.res = res;
    r.name = acl;
    r.cfg = ctx->rt && ctx->rt->hc ? &ctx->rt->hc->cfg : NULL;
    if (strpbrk(acl, "$\\") != NULL) {
        struct tern_cfg_acl_item it = { .name = "acl", .value = acl };
        int rc = host_acl_expand(&r, &it, acl, &spec);
        if (rc == HOST_ACL_C_SKIP) {
            res->verdict = HOST_ACL_ACCEPT;
            return res->verdict;
        }
        if (rc != 0) {
            res->log_message = tern_printf(ctx->arena, "failed to expand "
                                           "ACL string \"%s\": %s", acl,
                                           r.err ? r.err : "error");
            res->verdict = rc == TERN_DEFER ? HOST_ACL_DEFER
                                            : HOST_ACL_ERROR;
            return res->verdict;
        }
    }
    if (rcpt != NULL && ctx->addr == NULL)
        ctx->addr = rcpt_address(ctx, rcpt);
    active++;
    if ((a = host_acl_find(&r, spec, spec == acl)) == NULL) {
        res->log_message = r.err;
        v = HOST_ACL_ERROR;
    } else {
        v = run_acl(&r, a);
    }
    if (--active == 0)
        memset(&host_acl_v, 0, sizeof host_acl_v);
    ctx->addr = saved_addr;
    res->verdict = (enum host_acl_verdict)v;
    return res->verdict;
}

int
host_acl_expand_item(struct tern_ctx *ctx, int argc,
                     const char *const *argv, const char **result,
                     const char **err)
{
    struct host_acl_result top, res;
    struct host_acl_run r;
    int v;

    *result = "";
    if (argc < 1 || argc > 10) {
        *err = "${acl} needs an ACL name and at most nine arguments";
        return TERN_ERROR;
    }
    memset(&top, 0, sizeof top);
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.where = HOST_ACL_EXPAND;
    r.res = &top;
    r.name = argv[0];
    r.cfg = ctx->rt && ctx->rt->hc ? &ctx->rt->hc->cfg : NULL;
    active++;
    v = host_acl_call(&r, argv[0], argv + 1, argc - 1, &res);
    if (--active == 0)
        memset(&host_acl_v, 0, sizeof host_acl_v);
    if (res.user_message != NULL)
        *result = res.user_message;
    switch (v) {
    case HOST_ACL_ACCEPT:
    case HOST_ACL_DENY:
        return TERN_OK;
    case HOST_ACL_DEFER:
        *err = res.log_message ? res.log_message : "ACL deferred";
        return TERN_DEFER;
    default:
        *err = res.log_message ? res.log_message
                               : tern_printf(ctx->arena, "ACL \"%s\" "
                                             "returned %s", argv[0],
                                             v == HOST_ACL_DROP ? "drop"
                                             : v == HOST_ACL_DISCARD
                                             ? "discard" : "an error");
        return TERN_ERROR;
    }
}
