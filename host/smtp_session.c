/*
 * NAME
 *   smtp_session.c - one SMTP server session: creation, options, banner
 *
 * SYNOPSIS
 *   s = host_smtp_new(&ctx, spool, fd, tls_on_connect);
 *   while (!((want = host_smtp_step(s)) & HOST_SMTP_DONE)) ...
 *   host_smtp_free(s);
 *
 * DESCRIPTION
 *   A session starts with the options read once per connection
 *   (smtp_active_hostname, smtp_receive_timeout, message_size_limit),
 *   then TLS-on-connect's handshake if any, then the banner.  The step
 *   loop is in smtp_step.c.
 *
 *   The banner goes out after the connect ACL; input that arrived before
 *   it (checked after any ACL delay) is Exim's "input sent without
 *   waiting for greeting" synchronisation error.
 *
 *   smtp_receive_timeout: a command line must be complete within the
 *   timeout from the end of the previous command (a client trickling one
 *   byte at a time does not keep the session alive); during message data
 *   each completed line restarts it.
 *
 * DIAGNOSTICS
 *   Main and reject logs, as Exim: "SMTP protocol synchronization error
 *   (input sent without waiting for greeting): rejected connection from
 *   H input=\"...\"",
 *   "refused connection from H (host_reject_connection)".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smtp_int.h"
#include "tls.h"

long long
smtp_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct tern_arena *
smtp_scratch(struct host_smtp *s)
{
    if (s->scratch == NULL)
        s->scratch = tern_arena_new();
    return s->scratch;
}

void
smtp_set_arena(struct host_smtp *s)
{
    s->ctx->arena = s->ctx->msg ? s->ctx->msg->arena : s->sess->arena;
}

void
smtp_touch(struct host_smtp *s)
{
    s->deadline = s->timeout_ms > 0 ? smtp_now_ms() + s->timeout_ms : 0;
}

int
smtp_is_local(const struct host_smtp *s)
{
    return s->sess->peer_address == NULL || s->sess->is_local;
}

enum host_acl_verdict
smtp_acl(struct host_smtp *s, enum host_acl_where w, const char *acl,
         const char *rcpt, struct host_acl_result *res)
{
    enum host_acl_verdict v;

    memset(res, 0, sizeof *res);
    s->sess->smtp_command = s->cmd_len ? s->cmd : NULL;
    v = host_acl_run(s->ctx, w, acl, rcpt, res);
    if (res->delay > 0 && s->hold_until == 0) {
        /* Exim flushes what is already said, then sleeps before the
         * reply; here the reply is queued but held back. */
        s->hold_pos = s->out.len;
        s->hold_until = smtp_now_ms() + (long long)res->delay * 1000;
    }
    return v;
}

/* The not-QUIT ACL runs once, for any end other than QUIT. */
static void
notquit(struct host_smtp *s, const char *reason)
{
    struct host_acl_result r;
    const char *acl = s->rt->opts.acl_smtp_notquit.text;

    if (s->notquit_done || s->quit_seen || reason == NULL)
        return;
    s->notquit_done = 1;
    s->sess->smtp_notquit_reason = reason;
    if (acl != NULL && *acl != '\0')
        (void)host_acl_run(s->ctx, HOST_ACL_NOTQUIT, acl, NULL, &r);
}

void
smtp_close(struct host_smtp *s, const char *reason)
{
    if (s->phase == PH_DONE || s->phase == PH_CLOSING)
        return;
    if (s->txn.rcv != NULL || s->ctx->msg != NULL)
        smtp_txn_reset(s);
    notquit(s, reason);
    s->phase = PH_CLOSING;
}

void
smtp_finish(struct host_smtp *s)
{
    if (s->phase == PH_DONE)
        return;
    if (s->txn.rcv != NULL || s->ctx->msg != NULL)
        smtp_txn_reset(s);
    if (s->is_socket && !s->io_error && s->tls == NULL)
        (void)shutdown(s->fd, SHUT_WR);
    s->phase = PH_DONE;
}

/* Options read once per connection. */
static void
session_options(struct host_smtp *s)
{
    const char *out = NULL, *err = NULL;
    const char *t = s->rt->opts.smtp_active_hostname.text;
    long long v;

    s->active_hostname = s->rt->primary_hostname;
    if (t != NULL && *t != '\0') {
        int rc = smtp_expand(s, t, &out, &err);

        if (rc == 0 && out != NULL && *out != '\0')
            s->active_hostname = tern_strdup(s->sess->arena, out);
        else if (rc < 0)
            smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                     "failed to expand \"%s\": %s", t, err ? err : "");
    }
    if (s->active_hostname == NULL)
        s->active_hostname = "localhost";
    s->sess->smtp_active_hostname = s->active_hostname;
    if (smtp_opt_number(s, &s->rt->opts.smtp_receive_timeout, 1, &v,
                        &err) == 0)
        s->timeout_ms = v * 1000;
    else
        s->timeout_ms = 300 * 1000;
    if (smtp_opt_number(s, &s->rt->opts.message_size_limit, 0, &v,
                        &err) == 0) {
        s->size_limit = v;
    } else {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                 "failed to expand message_size_limit: %s", err);
        s->size_limit = -1;
    }
}

/* PIPECONNECT: a client that was offered it (in an earlier session)
 * may send EHLO and more before the banner.  As Exim does for a client
 * that matches pipelining_connect_advertise_hosts, the check for early
 * talkers is skipped, and the first EHLO need not be waited for.  (What
 * else early pipelining asks of a server, the banner and the EHLO reply
 * in one packet, comes with issue 7.) */
int
smtp_early_pipe_ok(struct host_smtp *s)
{
    const struct tern_opts_main *o = &s->rt->opts;

    if (s->early_pipe < 0)
        s->early_pipe = !smtp_is_local(s) && !s->tls_on_connect &&
                        !(s->sess->controls & HOST_CTL_NO_PIPELINING) &&
                        smtp_hosts(s, &o->pipelining_advertise_hosts, 0) &&
                        smtp_hosts(s, &o->pipelining_connect_advertise_hosts,
                                   0);
    return s->early_pipe;
}

/* Input before the banner: the banner (at `mark`) is replaced by 554. */
void
smtp_banner_sync(struct host_smtp *s, size_t mark)
{
    size_t n;
    const char *got;

    if (!smtp_enforce_sync(s) || smtp_is_local(s) || !smtp_input_waiting(s))
        return;
    if (smtp_early_pipe_ok(s)) {
        s->sess->pipe_connect_used = 1;
        return;
    }
    n = s->in.len - s->in.off;
    got = smtp_printing(smtp_scratch(s), s->in.p + s->in.off, n, 150);
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL,
             "SMTP protocol synchronization error (input sent without "
             "waiting for greeting): rejected connection from %s "
             "input=\"%s\"", smtp_host_ident(s, 0), got);
    if (mark <= s->out.len)
        s->out.len = mark;
    smtp_reply(s, 554, "SMTP synchronization error");
    smtp_close(s, "synchronization-error");
}

void
smtp_banner(struct host_smtp *s)
{
    struct host_acl_result r;
    enum host_acl_verdict v;
    const char *text = NULL, *err = NULL;
    size_t mark = s->out.len;

    s->phase = PH_CMD;
    if (!smtp_is_local(s) &&
        smtp_hosts(s, &s->rt->opts.host_reject_connection, 0)) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL,
                 "refused connection from %s (host_reject_connection)",
                 smtp_host_ident(s, 0));
        smtp_reply(s, 554, "SMTP service not available");
        smtp_close(s, "host-reject");
        return;
    }
    v = smtp_acl(s, HOST_ACL_CONNECT, s->rt->opts.acl_smtp_connect.text,
                 NULL, &r);
    if (v != HOST_ACL_ACCEPT && v != HOST_ACL_DISCARD) {
        smtp_acl_refuse(s, HOST_ACL_CONNECT, v, &r, "connection", 0, NULL);
        smtp_close(s, "connect-acl");
        return;
    }
    if (r.user_message != NULL && *r.user_message != '\0') {
        smtp_reply_acl_ok(s, 220, NULL, &r, 0);
    } else {
        const char *b = s->rt->opts.smtp_banner.text;

        if (b == NULL || smtp_expand(s, b, &text, &err) != 0) {
            if (b != NULL)
                smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                         "Expansion of \"%s\" (smtp_banner) failed: %s", b,
                         err ? err : "forced failure");
            text = tern_printf(smtp_scratch(s), "%s ESMTP",
                               s->active_hostname);
        }
        smtp_reply(s, 220, text);
    }
    smtp_touch(s);
    if (s->hold_until != 0)
        s->banner_mark = mark + 1;      /* check when the delay ends */
    else
        smtp_banner_sync(s, mark);
}

struct host_smtp *
smtp_new_fds(struct tern_ctx *ctx, struct tern_spool *spool, int in_fd,
             int out_fd, int blocking, int tls_on_connect)
{
    struct host_smtp *s = calloc(1, sizeof *s);
    int type;
    socklen_t len = sizeof type;

    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    s->rt = ctx->rt;
    s->sess = ctx->sess;
    s->spool = spool;
    s->fd = in_fd;
    s->out_fd = out_fd;
    s->own_fd = !blocking;
    s->blocking = blocking;
    s->tls_on_connect = tls_on_connect;
    s->is_socket = getsockopt(in_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
    /* A socket is always non-blocking (TLS needs it, even under -bs);
     * a pipe or terminal given to -bs is left alone. */
    if (s->is_socket) {
        int fl = fcntl(in_fd, F_GETFL);

        if (fl >= 0)
            (void)fcntl(in_fd, F_SETFL, fl | O_NONBLOCK);
    }
    s->phase = PH_START;
    s->max_per_conn = -2;
    s->early_pipe = -1;
    s->helo_free = s->rset_free = s->starttls_free = s->auth_free = 1;
    s->txn.size_param = -1;
    s->txn.last_fed = '\n';
    s->sess->is_smtp = 1;
    if (s->sess->started == 0)
        s->sess->started = time(NULL);
    if (s->sess->arena == NULL)
        s->sess->arena = tern_arena_new();
    s->log_sel = smtp_log_selectors(s->rt->opts.log_selector.text);
    smtp_set_protocol(s);
    return s;
}

struct host_smtp *
host_smtp_new(struct tern_ctx *ctx, struct tern_spool *spool, int fd,
              int tls_on_connect)
{
    return smtp_new_fds(ctx, spool, fd, fd, 0, tls_on_connect);
}

void
smtp_start(struct host_smtp *s)
{
    session_options(s);
    if (!s->tls_on_connect) {
        smtp_banner(s);
        return;
    }
    s->tls = host_tls_accept(s->ctx, s->fd);
    if (s->tls == NULL) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "TLS error on connection from %s"
                 " (cannot start TLS)", smtp_host_ident(s, 0));
        s->phase = PH_CLOSING;
        return;
    }
    smtp_touch(s);
    s->phase = PH_TLS_CONNECT;
}
