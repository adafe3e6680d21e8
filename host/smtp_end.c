/*
 * NAME
 *   smtp_end.c - the end of a message: size and write errors, the DATA
 *   ACL, the commit, and messages cut short
 *
 * DESCRIPTION
 *   When the data is complete (the dot, or BDAT LAST): a message over
 *   message_size_limit is refused with 552 (it was read to its end but
 *   not kept), a write error with 451; a message whose recipients were
 *   all discarded is answered "250 OK id=..." and thrown away; otherwise
 *   acl_smtp_data decides.  Accepted, the message is prepared for the
 *   commit and the session waits in PH_COMMIT; host_smtp_committed()
 *   then sends "250 OK id=..." (or the ACL's accept message) or 451.
 *
 *   A client that vanishes or times out mid-message gets its message
 *   aborted: nothing of it stays on the queue.
 *
 * DIAGNOSTICS
 *   Main and reject logs: "H F=<s> message too big: read=N max=M", the
 *   DATA ACL's "rejected after DATA".  Main log: "SMTP connection from H
 *   lost while reading message data", "SMTP data timeout (message
 *   abandoned) on connection from H F=<s>", "H F=<s> temporarily
 *   rejected after DATA: why".
 */
#include "config.h"

#include <string.h>

#include "receive.h"
#include "smtp_int.h"

static void
too_big(struct host_smtp *s)
{
    if (s->log_sel & SMTP_LOG_SIZE_REJECT)
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "%s F=<%s> "
                 "message too big: read=%lld max=%lld", smtp_host_ident(s, 1),
                 s->ctx->msg->spool.sender, s->txn.fed, s->txn.size_limit);
    smtp_reply(s, 552, "Message size exceeds maximum permitted");
    smtp_txn_reset(s);
}

static void
local_problem(struct host_smtp *s, const char *why)
{
    smtp_log(s, TERN_LOG_MAIN, s->ctx->msg->spool.id[0] ? s->ctx->msg->spool.id
                                                          : NULL,
             "%s F=<%s> temporarily rejected after DATA: %s",
             smtp_host_ident(s, 1), s->ctx->msg->spool.sender, why);
    smtp_reply(s, 451, "Temporary local problem - please try later");
    smtp_txn_reset(s);
}

static void
data_acl(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    struct host_message *m = s->ctx->msg;
    struct host_acl_result r;
    enum host_acl_verdict v;
    char err[256];

    v = smtp_acl(s, HOST_ACL_DATA, s->rt->opts.acl_smtp_data.text, NULL, &r);
    if (v == HOST_ACL_DISCARD) {
        smtp_out_printf(s, "250 OK id=%s\r\n", m->spool.id);
        smtp_txn_reset(s);
        return;
    }
    if (v != HOST_ACL_ACCEPT) {
        if (smtp_acl_refuse(s, HOST_ACL_DATA, v, &r, "after DATA", 1,
                            m->spool.id) == 0)
            smtp_txn_reset(s);
        return;
    }
    if (r.user_message != NULL && *r.user_message != '\0')
        t->accept_text = tern_strdup(m->arena, r.user_message);
    t->pending = host_receive_prepare_commit(t->rcv, err, sizeof err);
    if (t->pending == NULL) {
        local_problem(s, err);
        return;
    }
    s->phase = PH_COMMIT;
}

void
smtp_end_message(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    char err[256];

    smtp_feed_flush(s);
    if (t->too_big) {
        too_big(s);
        return;
    }
    if (t->data_error != NULL) {
        local_problem(s, t->data_error);
        return;
    }
    if (host_receive_end_data(t->rcv, err, sizeof err) != 0) {
        local_problem(s, err);
        return;
    }
    if (t->rcpts_ok == 0) {
        /* Every recipient was discarded: nothing to keep. */
        smtp_out_printf(s, "250 OK id=%s\r\n", s->ctx->msg->spool.id);
        smtp_txn_reset(s);
        return;
    }
    data_acl(s);
}

void
smtp_data_committed(struct host_smtp *s, int ok, const char *why)
{
    struct smtp_txn *t = &s->txn;
    struct host_message *m = s->ctx->msg;
    struct host_acl_result r;

    host_receive_done(t->rcv, ok);
    t->rcv = NULL;
    t->pending = NULL;
    s->phase = PH_CMD;
    if (ok) {
        s->sess->messages++;
        memset(&r, 0, sizeof r);
        r.user_message = t->accept_text;
        if (r.user_message != NULL)
            smtp_reply_acl_ok(s, 250, NULL, &r, 0);
        else
            smtp_out_printf(s, "250 OK id=%s\r\n", m->spool.id);
    } else {
        smtp_log(s, TERN_LOG_MAIN, m->spool.id, "%s F=<%s> temporarily "
                 "rejected after DATA: %s", smtp_host_ident(s, 1),
                 m->spool.sender, why ? why : "spool commit failed");
        smtp_reply(s, 451, "Temporary local problem - please try later");
    }
    smtp_txn_reset(s);
    smtp_touch(s);
}

void
smtp_data_lost(struct host_smtp *s, int timeout)
{
    const char *sender = s->ctx->msg ? s->ctx->msg->spool.sender : "";

    if (timeout) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "SMTP data timeout (message "
                 "abandoned) on connection from %s F=<%s>",
                 smtp_host_ident(s, 0), sender);
        smtp_out_printf(s, "421 %s: SMTP incoming data timeout - closing "
                        "connection\r\n", s->active_hostname);
    } else if (s->log_sel & SMTP_LOG_LOST) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "%s lost while reading message "
                 "data", smtp_conn_info(s));
    }
    smtp_txn_reset(s);
    s->txn.chunking = CH_NONE;
    smtp_close(s, timeout ? "data-timeout" : "connection-lost");
}
