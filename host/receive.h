/*
 * NAME
 *   receive.h - building a message and putting it on the spool
 *
 * SYNOPSIS
 *   r = host_receive_begin(&ctx, spool, err, sizeof err);
 *   host_receive_feed(r, data, n) ...      (message bytes, LF line ends,
 *                                           no SMTP dot-stuffing)
 *   host_receive_end_data(r, err, sizeof err);
 *   ... run the DATA or not-SMTP ACL on ctx ...
 *   out = host_receive_prepare_commit(r, err, sizeof err);
 *   ... tern_spool_commit() (alone or in a group) ...
 *   host_receive_done(r, committed_ok);   logs "<=", frees
 *
 * DESCRIPTION
 *   Shared by the SMTP engine and local submission (tern -t, tern rcpt,
 *   -bs).  The header is held in memory and parsed when it ends; the body
 *   streams straight into the -D file, so a large message never sits in
 *   memory.  At end of data the header gets what Exim adds: Received:
 *   (received_header_text), Message-Id: and Date: when missing, From: or
 *   Sender: fix-ups for local submission; $message_size and
 *   $message_linecount are set.  ACL add_header/remove_header lines are
 *   applied in prepare_commit, which writes the -H file.
 *
 *   Nothing a client sends can leave a partial message on the queue:
 *   until prepare_commit the -H file does not exist (a -D without -H is
 *   tidied by the queue runner, as Exim does), and host_receive_abort()
 *   removes what was written.
 */
#ifndef TERN_HOST_RECEIVE_H
#define TERN_HOST_RECEIVE_H

#include <stddef.h>

#include "ctx.h"

struct tern_spool;
struct tern_spool_out;
struct host_receiver;

/* ctx->msg must exist with the envelope (sender, recipients) filled;
 * allocates the message id and opens the -D file. */
struct host_receiver *host_receive_begin(struct tern_ctx *ctx,
                                         struct tern_spool *spool,
                                         char *err, size_t errlen);
/* 0, or -1 (write error, or message_size_limit exceeded: err says so and
 * *too_big is set). */
int host_receive_feed(struct host_receiver *r, const char *p, size_t n,
                      int *too_big, char *err, size_t errlen);
int host_receive_end_data(struct host_receiver *r, char *err, size_t errlen);
struct tern_spool_out *host_receive_prepare_commit(struct host_receiver *r,
                                                   char *err, size_t errlen);
/* After the commit: log "<=" (ok) or remove the files (!ok), free. */
void host_receive_done(struct host_receiver *r, int ok);
void host_receive_abort(struct host_receiver *r);

/* The "<=" line, as Exim writes it under log_selector (H= U= P= S= id=
 * T= for, X= L ...).  Exposed for tests. */
char *host_receive_log_line(struct tern_ctx *ctx);

#endif
