/*
 * NAME
 *   smtp_step.c - the step loop of an SMTP session, and the rest of the
 *   engine's interface (smtp.h)
 *
 * DESCRIPTION
 *   host_smtp_step() runs passes until nothing more can happen without
 *   waiting: each pass writes pending replies, notices an expired ACL
 *   delay or receive timeout, drives a TLS handshake, hands buffered input
 *   to the phase that wants it, and reads more only when all of it is
 *   used.  It stops early while a message waits for its commit, while a
 *   delay holds the output, and while a client that does not read its
 *   replies has more than SMTP_OUT_HIGH of them pending.
 *
 *   While a message waits for its commit the worker holds its spool
 *   files: nothing ends the transaction then, not even a failed write
 *   (it is noticed after host_smtp_committed()).
 *
 * DIAGNOSTICS
 *   Main log, as Exim: "SMTP command timeout on connection from H",
 *   "unexpected disconnection while reading SMTP command from H D=...".
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "smtp_int.h"
#include "tls.h"

static void
timed_out(struct host_smtp *s)
{
    switch (s->phase) {
    case PH_DATA:
    case PH_BDAT:
        smtp_data_lost(s, 1);
        break;
    case PH_TLS_CONNECT:
    case PH_STARTTLS:
        smtp_log(s, TERN_LOG_MAIN, NULL, "TLS error on connection from %s"
                 " (timeout)", smtp_host_ident(s, 0));
        s->io_error = 1;
        smtp_close(s, "tls-failed");
        break;
    case PH_CLOSING:
        s->io_error = 1;
        smtp_finish(s);
        break;
    default:
        if (s->log_sel & SMTP_LOG_LOST)
            smtp_log(s, TERN_LOG_MAIN, NULL, "SMTP command timeout on%s "
                     "connection from %s", s->tls ? " TLS" : "",
                     smtp_host_ident(s, 0));
        smtp_out_printf(s, "421 %s: SMTP command timeout - closing "
                        "connection\r\n", s->active_hostname);
        smtp_close(s, "command-timeout");
        break;
    }
}

/* The client closed its side (or the connection failed). */
static void
at_eof(struct host_smtp *s)
{
    if (s->phase == PH_DATA || s->phase == PH_BDAT) {
        smtp_data_lost(s, 0);
        return;
    }
    if (!s->quit_seen && (s->log_sel & SMTP_LOG_LOST))
        smtp_log(s, TERN_LOG_MAIN, NULL, "unexpected disconnection while "
                 "reading SMTP command from %s D=%s", smtp_host_ident(s, 0),
                 smtp_duration(s));
    smtp_close(s, "connection-lost");
}

/* Hand buffered input to the current phase. */
static int
consume(struct host_smtp *s)
{
    switch (s->phase) {
    case PH_CMD:
    case PH_AUTH:
        return smtp_commands(s);
    case PH_DATA:
    case PH_BDAT:
        return smtp_data_input(s);
    default:
        return 0;
    }
}

static int
waits_for_client(const struct host_smtp *s)
{
    return s->phase == PH_CMD || s->phase == PH_DATA ||
           s->phase == PH_BDAT || s->phase == PH_AUTH ||
           s->phase == PH_STARTTLS || s->phase == PH_TLS_CONNECT ||
           s->phase == PH_CLOSING;
}

/* One pass of the loop; 1 when something happened. */
static int
pass(struct host_smtp *s)
{
    long long now = smtp_now_ms();
    int r;

    if (s->phase == PH_COMMIT) {
        /* The worker holds the message's spool files: nothing may end
         * the transaction now, not even a write error (seen later). */
        (void)smtp_flush(s);
        return 0;
    }
    if (s->hold_until != 0 && now >= s->hold_until) {
        s->hold_until = 0;
        if (s->banner_mark != 0) {
            size_t mark = s->banner_mark - 1;

            s->banner_mark = 0;
            smtp_banner_sync(s, mark);
        }
        return 1;
    }
    if (smtp_flush(s) < 0 && s->phase != PH_DONE) {
        s->io_error = 1;
        if (s->phase == PH_CLOSING)
            smtp_finish(s);
        else
            at_eof(s);
        return 1;
    }
    if (s->phase == PH_DONE)
        return 0;
    if (s->deadline != 0 && now >= s->deadline && waits_for_client(s) &&
        s->hold_until == 0) {
        s->deadline = 0;
        timed_out(s);
        return 1;
    }
    switch (s->phase) {
    case PH_CLOSING:
        if (smtp_out_pending(s) == 0 || s->io_error) {
            smtp_finish(s);
            return 1;
        }
        return 0;
    case PH_TLS_CONNECT:
    case PH_STARTTLS:
        return smtp_tls_drive(s);
    default:
        break;
    }
    if (s->hold_until != 0 || smtp_out_pending(s) > SMTP_OUT_HIGH)
        return 0;
    if (consume(s))
        return 1;
    if (s->phase != PH_CMD && s->phase != PH_DATA && s->phase != PH_BDAT &&
        s->phase != PH_AUTH)
        return 0;
    if (s->eof) {
        at_eof(s);
        return 1;
    }
    r = smtp_fill(s);
    if (r > 0)
        return 1;
    if (r == 0) {
        s->eof = 1;
        return 1;
    }
    if (r == -1) {
        s->io_error = 1;
        s->eof = 1;
        return 1;
    }
    return 0;
}

unsigned
host_smtp_step(struct host_smtp *s)
{
    unsigned want = 0;

    if (s->phase == PH_START)
        smtp_start(s);
    while (s->phase != PH_DONE && pass(s))
        ;
    if (s->scratch != NULL) {
        tern_arena_free(s->scratch);
        s->scratch = NULL;
    }
    if (s->phase == PH_DONE)
        return HOST_SMTP_DONE;
    if (s->phase == PH_COMMIT)
        want |= HOST_SMTP_WANT_COMMIT;
    if (s->hold_until != 0)
        want |= HOST_SMTP_WANT_TIMER;
    if (smtp_out_pending(s) > 0 &&
        (s->hold_until == 0 || s->hold_pos > s->out.off))
        want |= HOST_SMTP_WANT_WRITE;
    if (s->tls_io_want == HOST_TLS_WANT_WRITE)
        want |= HOST_SMTP_WANT_WRITE;
    if (s->phase != PH_CLOSING && s->phase != PH_COMMIT &&
        s->hold_until == 0 && smtp_out_pending(s) <= SMTP_OUT_HIGH)
        want |= HOST_SMTP_WANT_READ;
    return want;
}

long
host_smtp_timeout_ms(const struct host_smtp *s)
{
    long long now = smtp_now_ms(), best = -1;

    if (s->phase == PH_DONE)
        return -1;
    if (s->hold_until != 0)
        best = s->hold_until - now;
    if (s->deadline != 0 && waits_for_client(s) && s->hold_until == 0) {
        long long d = s->deadline - now;

        if (best < 0 || d < best)
            best = d;
    }
    if (best < 0 && (s->hold_until != 0 || s->deadline != 0))
        best = 0;
    return (long)best;
}

struct tern_spool_out *
host_smtp_pending_commit(struct host_smtp *s)
{
    return s->phase == PH_COMMIT ? s->txn.pending : NULL;
}

void
host_smtp_committed(struct host_smtp *s, int ok, const char *why)
{
    if (s->phase != PH_COMMIT)
        return;
    smtp_data_committed(s, ok, why);
    if (s->shutdown_pending)
        host_smtp_shutdown(s, s->shutdown_why);
    /* The 250 goes out at once; pipelined commands wait for the next
     * host_smtp_step(). */
    (void)smtp_flush(s);
}

void
host_smtp_shutdown(struct host_smtp *s, const char *why)
{
    if (s->phase == PH_DONE || s->phase == PH_CLOSING)
        return;
    if (s->phase == PH_COMMIT) {
        s->shutdown_pending = 1;
        s->shutdown_why = why;
        return;
    }
    if (s->phase != PH_START && s->phase != PH_TLS_CONNECT &&
        s->phase != PH_STARTTLS)
        smtp_out_printf(s, "421 %s %s\r\n",
                        s->active_hostname ? s->active_hostname
                                           : s->rt->primary_hostname,
                        why ? why : "Service not available - closing "
                                    "connection");
    s->hold_until = 0;
    smtp_close(s, "signal-exit");
    (void)smtp_flush(s);
}

int
host_smtp_fd(const struct host_smtp *s)
{
    return s->fd;
}

void
host_smtp_free(struct host_smtp *s)
{
    if (s == NULL)
        return;
    if (s->txn.rcv != NULL || s->ctx->msg != NULL)
        smtp_txn_reset(s);
    if (s->tls != NULL)
        host_tls_close(s->tls);
    if (s->tls_pending != NULL)
        host_tls_close(s->tls_pending);
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    smtp_buf_free(&s->in);
    smtp_buf_free(&s->out);
    smtp_buf_free(&s->feed);
    free(s->cmd);
    free(s->txn.last_rcpt_error);
    free(s->txn.data_error);
    if (s->scratch != NULL)
        tern_arena_free(s->scratch);
    free(s);
}
