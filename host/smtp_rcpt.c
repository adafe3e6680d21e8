/*
 * NAME
 *   smtp_rcpt.c - RCPT TO
 *
 * DESCRIPTION
 *   RCPT needs a sender ("503 sender not yet given", not counted as an
 *   error when a pipelining client's MAIL was just refused), takes NOTIFY
 *   and ORCPT when DSN was offered, answers 452 past recipients_max (552
 *   with recipients_max_reject), and runs acl_smtp_rcpt.  A discard
 *   verdict accepts the recipient and drops it; MAIL's discard drops them
 *   all without running the RCPT ACL.  Accepted recipients go into the
 *   message's spool record in order.
 *
 *   The reply that refused the last RCPT is kept: when every RCPT was
 *   refused the same way, DATA's 503 repeats it, as Exim does.
 *
 * DIAGNOSTICS
 *   Main and reject logs: "H F=<s> rejected RCPT <r>: why" (smtp_reply.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_int.h"

static void
add_rcpt(struct host_smtp *s, const char *addr, const char *orcpt,
         int dsn_flags)
{
    struct host_message *m = s->ctx->msg;
    struct tern_spool_rcpt *r;

    if (m->spool.n_rcpts == s->rcpt_cap) {
        unsigned long cap = s->rcpt_cap ? s->rcpt_cap * 2 : 8;
        struct tern_spool_rcpt *n = tern_alloc(m->arena, cap * sizeof *n);

        if (m->spool.n_rcpts > 0)
            memcpy(n, m->spool.rcpts, m->spool.n_rcpts * sizeof *n);
        m->spool.rcpts = n;
        s->rcpt_cap = cap;
    }
    r = &m->spool.rcpts[m->spool.n_rcpts++];
    memset(r, 0, sizeof *r);
    r->address = tern_strdup(m->arena, addr);
    r->orcpt = orcpt ? tern_strdup(m->arena, orcpt) : NULL;
    r->dsn_flags = dsn_flags;
    r->pno = -1;
}

/* A parameter with a bad value: 501, counted; returns 1. */
static int
bad_param(struct host_smtp *s, const char *text)
{
    smtp_synprot(s, 501, text, 0);
    return 1;
}

/* NOTIFY= and ORCPT=: 0, 1 after a reply, 2 for an unknown one. */
static int
rcpt_params(struct host_smtp *s, const char *cursor, const char **orcpt,
            int *flags)
{
    struct tern_arena *a = smtp_scratch(s);
    const char *name, *value;

    while (smtp_next_param(a, &cursor, &name, &value)) {
        if (!s->dsn || value == NULL)
            return 2;
        if (strcasecmp(name, "NOTIFY") == 0) {
            char *list = tern_strdup(a, value), *save = NULL;

            if (strcasecmp(value, "NEVER") == 0) {
                *flags |= TERN_DSN_NEVER;
                continue;
            }
            for (char *w = strtok_r(list, ",", &save); w != NULL;
                 w = strtok_r(NULL, ",", &save)) {
                if (strcasecmp(w, "SUCCESS") == 0)
                    *flags |= TERN_DSN_SUCCESS;
                else if (strcasecmp(w, "FAILURE") == 0)
                    *flags |= TERN_DSN_FAILURE;
                else if (strcasecmp(w, "DELAY") == 0)
                    *flags |= TERN_DSN_DELAY;
                else
                    return bad_param(s, "Invalid value for NOTIFY parameter");
            }
        } else if (strcasecmp(name, "ORCPT") == 0) {
            const char *semi = strchr(value, ';');

            if (semi == NULL || (*orcpt = smtp_xtext_decode(
                                     s->ctx->arena, semi + 1)) == NULL)
                return bad_param(s, "Invalid value for ORCPT parameter");
            *orcpt = tern_printf(s->ctx->arena, "%.*s;%s",
                                 (int)(semi - value), value, *orcpt);
        } else {
            return 2;
        }
    }
    return 0;
}

static int
rcpt_limit(struct host_smtp *s)
{
    long long max = s->rt->opts.recipients_max;

    if (max <= 0 || (long long)s->txn.rcpts_ok < max)
        return 0;
    s->txn.rcpts_failed++;
    if (s->rt->opts.recipients_max_reject)
        smtp_reply(s, 552, "too many recipients");
    else
        smtp_reply(s, 452, "too many recipients");
    return 1;
}

/* Remember the reply refusing this RCPT (its first line), for a later
 * DATA's 503; `pend` is what was pending before it was queued. */
static void
keep_rcpt_error(struct host_smtp *s, size_t pend)
{
    size_t added = smtp_out_pending(s) - pend;
    const char *p = s->out.p + s->out.len - added;
    size_t n = strcspn(p, "\r\n");
    char *e = strndup(p, n < added ? n : added);

    if (s->txn.last_rcpt_error != NULL && e != NULL &&
        strcmp(e, s->txn.last_rcpt_error) != 0)
        s->txn.rcpt_errors_differ = 1;
    free(s->txn.last_rcpt_error);
    s->txn.last_rcpt_error = e;
}

void
smtp_rcpt(struct host_smtp *s, const char *arg)
{
    struct smtp_path p;
    struct host_acl_result r;
    enum host_acl_verdict v;
    const char *why, *addr, *orcpt = NULL;
    int flags = 0, rc;
    size_t mark;

    s->sess->rcpt_count++;
    if (!s->txn.active) {
        if (s->mail_rejected && s->sess->pipelining_advertised)
            smtp_reply(s, 503, "sender not yet given");
        else
            smtp_synprot(s, 503, "sender not yet given", 1);
        return;
    }
    if (*arg == '\0') {
        smtp_synprot(s, 501, "RCPT must have an address operand", 0);
        return;
    }
    if (smtp_parse_path(smtp_scratch(s), arg, &p, &why) != 0 ||
        (*p.addr == '\0' && (why = "empty address") != NULL)) {
        smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: %s", arg,
                                         why), 0);
        return;
    }
    rc = *p.params == '\0' ? 0
       : s->sess->esmtp ? rcpt_params(s, p.params, &orcpt, &flags) : 2;
    if (rc == 1)
        return;
    if (rc == 2) {
        smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: malformed "
                     "address: %s may not follow %s", arg, p.params, p.text),
                     0);
        return;
    }
    addr = p.has_domain ? p.addr : smtp_qualify(s, p.addr, 1);
    if (addr == NULL) {
        smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: recipient "
                     "address must contain a domain", p.text), 0);
        return;
    }
    if (rcpt_limit(s))
        return;
    if (s->txn.discard) {
        s->txn.rcpts_discarded++;
        smtp_reply(s, 250, "Accepted");
        return;
    }
    v = smtp_acl(s, HOST_ACL_RCPT, s->rt->opts.acl_smtp_rcpt.text, addr, &r);
    if (v == HOST_ACL_ACCEPT || v == HOST_ACL_DISCARD) {
        if (v == HOST_ACL_ACCEPT) {
            add_rcpt(s, addr, orcpt, flags);
            s->txn.rcpts_ok++;
        } else {
            s->txn.rcpts_discarded++;
        }
        smtp_reply_acl_ok(s, 250, "Accepted", &r, 0);
        return;
    }
    s->txn.rcpts_failed++;
    mark = smtp_out_pending(s);
    smtp_acl_refuse(s, HOST_ACL_RCPT, v, &r,
                    tern_printf(smtp_scratch(s), "RCPT %s", arg), 1, NULL);
    if (smtp_out_pending(s) > mark)
        keep_rcpt_error(s, mark);
}
