/*
 * NAME
 *   smtp.h - the SMTP server protocol engine
 *
 * SYNOPSIS
 *   s = host_smtp_new(&ctx, spool, fd, tls_on_connect);
 *   for (;;) {
 *       unsigned want = host_smtp_step(s);
 *       if (want & HOST_SMTP_DONE) break;
 *       if (want & HOST_SMTP_WANT_COMMIT) {     (group commit)
 *           out = host_smtp_pending_commit(s);
 *           ... tern_spool_commit(spool, outs, n, status, &err) ...
 *           host_smtp_committed(s, ok, why);
 *           continue;                       (step again: pipelined
 *       }                                    commands wait for it)
 *       ... wait in epoll for WANT_READ / WANT_WRITE / the timeout ...
 *   }
 *   host_smtp_free(s);                      (closes fd)
 *
 * DESCRIPTION
 *   One server-side SMTP session as a state machine that never blocks on
 *   the network: host_smtp_step() reads what is there, handles every
 *   complete command (pipelined ones included), queues the replies and
 *   writes as much as the socket takes, then says what it waits for.  The
 *   daemon's workers drive many sessions with one event loop; -bs drives
 *   one with host_smtp_run_blocking().
 *
 *   A message that the DATA ACL accepted is not acknowledged at once: the
 *   engine reports HOST_SMTP_WANT_COMMIT and hands out its spool files;
 *   the worker makes every pending message of the loop iteration durable
 *   with one tern_spool_commit() and tells each engine the outcome, and
 *   only then is the 250 sent (group commit: never a 250 before its
 *   message is durable).
 *
 *   STARTTLS and TLS-on-connect go through tls.h; ACLs through acl.h;
 *   building and spooling the message through receive.h.
 *
 *   The engine owns `fd` from host_smtp_new() on (it makes it
 *   non-blocking) and closes it in host_smtp_free().  The timeout
 *   (host_smtp_timeout_ms) is smtp_receive_timeout for the client, or
 *   the end of an ACL `delay`; when it passes, call host_smtp_step(),
 *   which notices.  docs/smtp-server.md describes the behaviour.
 */
#ifndef TERN_HOST_SMTP_H
#define TERN_HOST_SMTP_H

#include "ctx.h"

struct tern_spool;
struct tern_spool_out;
struct host_smtp;

enum host_smtp_want {
    HOST_SMTP_WANT_READ = 1u << 0,
    HOST_SMTP_WANT_WRITE = 1u << 1,
    HOST_SMTP_WANT_COMMIT = 1u << 2,  /* a message waits for durability */
    HOST_SMTP_WANT_TIMER = 1u << 3,   /* an ACL delay is running */
    HOST_SMTP_DONE = 1u << 4          /* session over: free it */
};

/* `ctx` carries the runtime and a fresh session (peer addresses filled
 * by the caller); the engine keeps the pointers. */
struct host_smtp *host_smtp_new(struct tern_ctx *ctx,
                                struct tern_spool *spool, int fd,
                                int tls_on_connect);
unsigned host_smtp_step(struct host_smtp *s);
/* Milliseconds until the engine's next deadline (receive timeout, ACL
 * delay), -1 for none. */
long host_smtp_timeout_ms(const struct host_smtp *s);
/* The spool files of the message waiting for commit (WANT_COMMIT);
 * valid until host_smtp_committed(), or host_smtp_free() (which
 * abandons the message). */
struct tern_spool_out *host_smtp_pending_commit(struct host_smtp *s);
/* After the commit: ok = 1 durable (send 250, log "<="), ok = 0 failed
 * (remove the files, send 451 with `why` in the log). */
void host_smtp_committed(struct host_smtp *s, int ok, const char *why);
/* The daemon is stopping or the worker recycles: 421 and close. */
void host_smtp_shutdown(struct host_smtp *s, const char *why);
int host_smtp_fd(const struct host_smtp *s);
void host_smtp_free(struct host_smtp *s);

/* -bs: one session on stdin/stdout, committing each message at once. */
int host_smtp_run_blocking(struct host_smtp *s);

#endif
