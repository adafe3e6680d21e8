/*
 * NAME
 *   smtp_mail.c - MAIL FROM, and the transaction it opens
 *
 * DESCRIPTION
 *   MAIL opens a transaction: a struct host_message with its own arena
 *   (dropped when the transaction ends, so a long session does not grow)
 *   holds the envelope as the spool record will have it.  In Exim's
 *   order: HELO required (hosts_require_helo), one sender only,
 *   smtp_accept_max_per_connection (421 and close), the parameters (only
 *   after EHLO: SIZE, BODY=7BIT|8BITMIME with accept_8bitmime, SMTPUTF8
 *   when offered, AUTH=, RET and ENVID when DSN was offered; anything
 *   else is a malformed address, as in Exim), the address, SIZE against
 *   message_size_limit (552) and the spool's free space (452), then
 *   acl_smtp_mail.
 *
 *   Unqualified addresses are refused from remote hosts unless they match
 *   sender_unqualified_hosts / recipient_unqualified_hosts, and qualified
 *   with qualify_domain / qualify_recipient otherwise ("postmaster" is
 *   always accepted, as RFC 5321 requires).  A -bs caller that is not
 *   trusted cannot set the sender: it becomes login@qualify_domain.
 *
 * DIAGNOSTICS
 *   Main and reject logs: "rejected MAIL FROM:<a> H: message too big:
 *   size=N max=M", "rejected MAIL command H: too many messages in one
 *   connection", "rejected MAIL from H: no HELO/EHLO given", and the ACL
 *   refusals (smtp_reply.c).  Main log: "ignoring AUTH=x from H (client
 *   not authenticated)".
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>

#include "receive.h"
#include "smtp_int.h"

void
smtp_txn_reset(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    enum smtp_chunking ch = t->chunking;

    if (t->rcv != NULL)
        host_receive_abort(t->rcv);
    if (s->ctx->msg != NULL) {
        tern_arena_free(s->ctx->msg->arena);
        s->ctx->msg = NULL;
    }
    free(t->last_rcpt_error);
    free(t->data_error);
    memset(t, 0, sizeof *t);
    t->chunking = ch == CH_BROKEN ? CH_BROKEN : CH_NONE;
    t->size_param = -1;
    t->last_fed = '\n';
    s->feed.len = s->feed.off = 0;
    s->rcpt_cap = 0;
    s->sess->rcpt_count = 0;
    s->sess->authenticated_sender = NULL;
    smtp_set_arena(s);
    if (s->phase == PH_DATA || s->phase == PH_BDAT || s->phase == PH_COMMIT)
        s->phase = PH_CMD;
}

static struct host_message *
new_message(struct host_smtp *s)
{
    struct tern_arena *a = tern_arena_new();
    struct host_message *m = tern_alloc(a, sizeof *m);

    m->arena = a;
    tern_spool_msg_init(&m->spool);
    m->size = -1;
    m->first_delivery = 1;
    s->ctx->msg = m;
    smtp_set_arena(s);
    return m;
}

/* The domain an unqualified address gets, NULL when it is refused. */
const char *
smtp_qualify(struct host_smtp *s, const char *addr, int rcpt)
{
    const struct tern_opts_main *o = &s->rt->opts;
    const char *dom = rcpt ? s->rt->qualify_recipient : s->rt->qualify_domain;
    const struct tern_text *hosts = rcpt ? &o->recipient_unqualified_hosts
                                         : &o->sender_unqualified_hosts;

    if (dom == NULL)
        dom = s->rt->primary_hostname;
    if (smtp_is_local(s) || smtp_hosts(s, hosts, 0) ||
        (rcpt && strcasecmp(addr, "postmaster") == 0))
        return tern_printf(s->ctx->arena, "%s@%s", addr, dom);
    return NULL;
}

static int
helo_required(struct host_smtp *s)
{
    if (s->helo_seen)
        return 0;
    if (!smtp_hosts(s, &s->rt->opts.hosts_require_helo, 1))
        return 0;
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "rejected MAIL "
             "from %s: no HELO/EHLO given", smtp_host_ident(s, 0));
    smtp_reply(s, 503, "HELO or EHLO required");
    return 1;
}

/* smtp_accept_max_per_connection: 1 when the session was closed. */
static int
too_many_messages(struct host_smtp *s)
{
    const char *err;

    if (s->max_per_conn == -2) {
        long long v;

        if (smtp_opt_number(s, &s->rt->opts.smtp_accept_max_per_connection,
                            0, &v, &err) != 0) {
            smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "failed to "
                     "expand smtp_accept_max_per_connection: %s", err);
            v = 0;
        }
        s->max_per_conn = v;
    }
    s->mail_count++;
    if (s->max_per_conn <= 0 || (long long)s->mail_count <= s->max_per_conn)
        return 0;
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "rejected MAIL "
             "command %s: too many messages in one connection",
             smtp_host_ident(s, 1));
    smtp_reply(s, 421, "too many messages in this connection");
    smtp_close(s, "bad-commands");
    return 1;
}

/* A parameter with a bad value: 501, counted; returns 1. */
static int
bad_param(struct host_smtp *s, const char *text)
{
    smtp_synprot(s, 501, text, 0);
    return 1;
}

struct mail_params {
    long long size;
    const char *auth;
    const char *ret, *envid;
    int smtputf8;
};

/* 0, 1 when a reply was sent (error), or 2: an unknown parameter. */
static int
mail_params(struct host_smtp *s, const char *cursor, struct mail_params *mp)
{
    struct tern_arena *a = smtp_scratch(s);
    const char *name, *value;

    memset(mp, 0, sizeof *mp);
    mp->size = -1;
    while (smtp_next_param(a, &cursor, &name, &value)) {
        if (strcasecmp(name, "SIZE") == 0 && value != NULL) {
            char *end;

            errno = 0;
            mp->size = strtoll(value, &end, 10);
            if (*value == '\0' || *end != '\0' || mp->size < 0)
                return 2;
            if (errno == ERANGE)
                mp->size = LLONG_MAX;
        } else if (strcasecmp(name, "BODY") == 0 && value != NULL &&
                   s->rt->opts.accept_8bitmime) {
            if (strcasecmp(value, "8BITMIME") == 0)
                s->txn.body_type = 8;
            else if (strcasecmp(value, "7BIT") == 0)
                s->txn.body_type = 7;
            else
                return bad_param(s, "invalid data for BODY");
        } else if (strcasecmp(name, "SMTPUTF8") == 0 && value == NULL &&
                   s->smtputf8) {
            mp->smtputf8 = 1;
        } else if (strcasecmp(name, "AUTH") == 0 && value != NULL) {
            mp->auth = value;
        } else if (strcasecmp(name, "RET") == 0 && value != NULL && s->dsn) {
            if (mp->ret != NULL)
                return bad_param(s, "RET can be specified once only");
            if (strcasecmp(value, "FULL") != 0 &&
                strcasecmp(value, "HDRS") != 0)
                return bad_param(s, "Value for RET is invalid");
            mp->ret = value;
        } else if (strcasecmp(name, "ENVID") == 0 && value != NULL &&
                   s->dsn) {
            if (mp->envid != NULL)
                return bad_param(s, "ENVID can be specified once only");
            mp->envid = value;
        } else {
            return 2;
        }
    }
    return 0;
}

/* The AUTH= parameter (Exim's rules, section 33.2): the value is kept
 * only from a client that authenticated, and server_mail_auth_condition
 * may still drop it. */
static int
mail_auth_param(struct host_smtp *s, const char *value)
{
    char *v;

    if (strcmp(value, "<>") == 0)
        return 0;
    v = smtp_xtext_decode(s->ctx->arena, value);
    if (v == NULL)
        return bad_param(s, "invalid data for AUTH");
    if (!s->authenticated) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "ignoring AUTH=%s from %s (client "
                 "not authenticated)", v, smtp_host_ident(s, 0));
        return 0;
    }
    s->sess->authenticated_sender = v;
    if (!smtp_auth_mail_condition(s)) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "ignoring AUTH=%s from %s "
                 "(server_mail_auth_condition)", v, smtp_host_ident(s, 0));
        s->sess->authenticated_sender = NULL;
        return 0;
    }
    s->ctx->msg->spool.auth_sender.s = v;
    s->ctx->msg->spool.auth_sender.tainted = 1;
    return 0;
}

/* SIZE against the limit and the spool's free space. */
static int
size_refused(struct host_smtp *s, const char *sender, long long size)
{
    struct statvfs sv;

    if (s->size_limit < 0) {
        smtp_reply(s, 451, "Temporary local problem - please try later");
        return 1;
    }
    if (s->size_limit > 0 && size > s->size_limit) {
        if (s->log_sel & SMTP_LOG_SIZE_REJECT)
            smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "rejected MAIL"
                     " FROM:<%s> %s: message too big: size=%lld max=%lld",
                     sender, smtp_host_ident(s, 1), size, s->size_limit);
        smtp_reply(s, 552, "Message size exceeds maximum permitted");
        return 1;
    }
    if (size > 0 && s->rt->opts.smtp_check_spool_space &&
        s->rt->spool_directory != NULL &&
        statvfs(s->rt->spool_directory, &sv) == 0 &&
        (long long)sv.f_bavail * (long long)sv.f_frsize < size) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "rejected MAIL FROM:<%s> %s: "
                 "insufficient disk space", sender, smtp_host_ident(s, 1));
        smtp_reply(s, 452, "Space shortage, please try later");
        return 1;
    }
    return 0;
}

/* The sender as it goes on the spool, NULL after a reply. */
static const char *
mail_sender(struct host_smtp *s, const char *arg, const struct smtp_path *p)
{
    const char *sender = p->addr;

    if (*sender != '\0' && !p->has_domain) {
        sender = smtp_qualify(s, p->addr, 0);
        if (sender == NULL) {
            smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: sender "
                         "address must contain a domain", p->text), 0);
            return NULL;
        }
    }
    if (s->untrusted && *sender != '\0')
        sender = tern_printf(s->ctx->arena, "%s@%s", s->sess->login
                             ? s->sess->login : "unknown",
                             s->rt->qualify_domain ? s->rt->qualify_domain
                                                   : s->rt->primary_hostname);
    (void)arg;
    return sender;
}

static void
mail_acl(struct host_smtp *s, const char *arg)
{
    struct host_acl_result r;
    enum host_acl_verdict v;

    v = smtp_acl(s, HOST_ACL_MAIL, s->rt->opts.acl_smtp_mail.text, NULL, &r);
    if (v == HOST_ACL_ACCEPT || v == HOST_ACL_DISCARD) {
        s->txn.active = 1;
        s->txn.discard = v == HOST_ACL_DISCARD;
        s->mail_rejected = 0;
        smtp_reply_acl_ok(s, 250, "OK", &r, 0);
        return;
    }
    s->mail_rejected = 1;
    if (smtp_acl_refuse(s, HOST_ACL_MAIL, v, &r,
                        tern_printf(smtp_scratch(s), "MAIL %s", arg), 0,
                        NULL) == 0)
        smtp_txn_reset(s);
}

void
smtp_mail(struct host_smtp *s, const char *arg)
{
    struct smtp_path p;
    struct mail_params mp;
    struct host_message *m;
    const char *why, *sender;
    int rc = 0;

    if (helo_required(s))
        return;
    if (s->txn.active) {
        smtp_synprot(s, 503, "sender already given", 1);
        return;
    }
    if (*arg == '\0') {
        smtp_synprot(s, 501, "MAIL must have an address operand", 0);
        return;
    }
    if (too_many_messages(s))
        return;
    smtp_txn_reset(s);
    s->mail_rejected = 1;       /* until the ACL accepts */
    if (smtp_parse_path(smtp_scratch(s), arg, &p, &why) != 0) {
        smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: %s", arg,
                                         why), 0);
        return;
    }
    if (*p.params != '\0') {
        rc = s->sess->esmtp ? mail_params(s, p.params, &mp) : 2;
        if (rc == 1)
            return;
        if (rc == 2) {
            smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "%s: malformed"
                         " address: %s may not follow %s", arg, p.params,
                         p.text), 0);
            return;
        }
    } else {
        memset(&mp, 0, sizeof mp);
        mp.size = -1;
    }
    if ((sender = mail_sender(s, arg, &p)) == NULL)
        return;
    if (size_refused(s, sender, mp.size))
        return;
    m = new_message(s);
    m->spool.sender = tern_strdup(m->arena, sender);
    m->size = mp.size;
    s->txn.size_param = mp.size;
    if (mp.smtputf8)
        m->spool.flags |= TERN_SPOOL_SMTPUTF8;
    if (mp.ret != NULL)
        m->spool.dsn_ret = strcasecmp(mp.ret, "HDRS") == 0
                           ? TERN_DSN_RET_HDRS : TERN_DSN_RET_FULL;
    if (mp.envid != NULL) {
        m->spool.dsn_envid.s = smtp_xtext_decode(m->arena, mp.envid);
        m->spool.dsn_envid.tainted = 1;
        if (m->spool.dsn_envid.s == NULL) {
            smtp_txn_reset(s);
            smtp_synprot(s, 501, "invalid data for ENVID", 0);
            return;
        }
    }
    if (mp.auth != NULL && mail_auth_param(s, mp.auth) != 0) {
        smtp_txn_reset(s);
        return;
    }
    mail_acl(s, arg);
}
