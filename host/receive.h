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
 *
 *   Header changes the MAIL, RCPT and predata ACLs made (msg->hdr_changes)
 *   are applied by end_data, so the DATA ACL sees them; the DATA or
 *   non-SMTP ACL's by prepare_commit.  A local session (sess->is_local
 *   with a login and no peer address: -bs) gets local-submission fix-ups
 *   without being asked; `tern rcpt...` sets them with
 *   host_receive_set_local().  docs/receive.md has the details.
 *
 *   Failures: err holds Exim's words for standard error ("message too
 *   big: read=N max=M", "message header line longer than N characters
 *   received"); host_receive_failure() says which kind, and
 *   host_receive_smtp_reply() gives the SMTP reply for it (552 for the
 *   limits).
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
 * T= for, X= L ...), without the timestamp and message id.  Exposed for
 * tests.  Allocated in ctx->arena. */
char *host_receive_log_line(struct tern_ctx *ctx);

/* Create spool_directory (and its parents) when it is missing, as Exim
 * does: mode 0750, owned by the Exim user when running as root.  0, or
 * -1 with err. */
int host_receive_spool_make(struct host_runtime *rt, char *err,
                            size_t errlen);

/* Call once before the process exits: makes sure no later process can
 * be given a message id this one gave (see docs/spool-format.md). */
void host_receive_exit(void);

/* A line read but not part of the message (the UUCP "From " line of a
 * local submission): Exim counts it in -max_received_linelength. */
void host_receive_skipped(struct host_receiver *r, const char *p, size_t n);

/* $message_linecount: lines of the message as received (header and
 * body), valid after host_receive_end_data(). */
long long host_receive_linecount(const struct host_receiver *r);

/* ---- failures ------------------------------------------------------------ */

/* Why feed / end_data / prepare_commit failed, so that the caller can
 * answer as Exim does (SMTP reply, or exit status and stderr). */
enum host_receive_fail {
    HOST_RCV_OK = 0,
    HOST_RCV_IO,                /* spool or clock trouble: 451 */
    HOST_RCV_TOO_BIG,           /* message_size_limit: 552 */
    HOST_RCV_HEADER_TOO_BIG,    /* header_maxsize, header_line_maxsize: 552 */
    HOST_RCV_CONFIG,            /* an option failed to expand: 451 */
    HOST_RCV_NO_RCPTS,          /* -t found no recipients */
    HOST_RCV_BAD_ADDRESS        /* -t: a malformed address in To/Cc/Bcc */
};
enum host_receive_fail host_receive_failure(const struct host_receiver *r);
/* The SMTP reply for a failure, e.g. "552 Message size exceeds maximum
 * permitted" (no CRLF). */
const char *host_receive_smtp_reply(enum host_receive_fail f);

/* message_size_limit expanded for ctx (Exim expands it per connection,
 * for EHLO's SIZE too): bytes, 0 for no limit, -1 when the expansion
 * fails or is not a size (err says which: a temporary error). */
long long host_receive_size_limit(struct tern_ctx *ctx, char *err,
                                  size_t errlen);

/* ---- local submission ---------------------------------------------- */

/* How the caller of `tern rcpt...`, `-t` or `-bs` is treated; given to
 * the receiver right after host_receive_begin().  Without it the
 * message is an SMTP one (fix-ups only with control = submission). */
struct host_receive_local {
    int trusted;                /* root, exim user, trusted_users/groups */
    int sender_local;           /* the sender is login@qualify_domain by
                                   default (not set by a trusted caller):
                                   -local, -auth_id, -auth_sender */
    int sender_set_untrusted;   /* -f allowed by untrusted_set_sender */
    int auth_login;             /* no -f from a trusted caller: the login
                                   is the -auth_id, as Exim records it */
    int extract;                /* -t: recipients from To/Cc/Bcc */
    int extract_remove_args;    /* extract_addresses_remove_arguments */
    const char *name;           /* -F, NULL when not given */
    const char *gecos;          /* the caller's full name, or NULL */
    int suppress_fixups;        /* control = suppress_local_fixups */
};
void host_receive_set_local(struct host_receiver *r,
                            const struct host_receive_local *lo);

/* ---- log_selector (logsel.c) --------------------------------------- */

/* Exim 4.96's log_selector names, in Exim's table order. */
enum host_logsel {
    HOST_LS_8BITMIME, HOST_LS_ACL_WARN_SKIPPED, HOST_LS_ADDRESS_REWRITE,
    HOST_LS_ALL_PARENTS, HOST_LS_ARGUMENTS, HOST_LS_CONNECTION_REJECT,
    HOST_LS_DELAY_DELIVERY, HOST_LS_DELIVER_TIME, HOST_LS_DELIVERY_SIZE,
    HOST_LS_DKIM, HOST_LS_DKIM_VERBOSE, HOST_LS_DNSLIST_DEFER,
    HOST_LS_DNSSEC, HOST_LS_ETRN, HOST_LS_HOST_LOOKUP_FAILED,
    HOST_LS_IDENT_TIMEOUT, HOST_LS_INCOMING_INTERFACE,
    HOST_LS_INCOMING_PORT, HOST_LS_LOST_INCOMING_CONNECTION,
    HOST_LS_MILLISEC, HOST_LS_MSG_ID, HOST_LS_MSG_ID_CREATED,
    HOST_LS_OUTGOING_INTERFACE, HOST_LS_OUTGOING_PORT, HOST_LS_PID,
    HOST_LS_PIPELINING, HOST_LS_PROTOCOL_DETAIL, HOST_LS_PROXY,
    HOST_LS_QUEUE_RUN, HOST_LS_QUEUE_TIME, HOST_LS_QUEUE_TIME_EXCLUSIVE,
    HOST_LS_QUEUE_TIME_OVERALL, HOST_LS_RECEIVE_TIME,
    HOST_LS_RECEIVED_RECIPIENTS, HOST_LS_RECEIVED_SENDER,
    HOST_LS_REJECTED_HEADER, HOST_LS_RETRY_DEFER,
    HOST_LS_RETURN_PATH_ON_DELIVERY, HOST_LS_SENDER_ON_DELIVERY,
    HOST_LS_SENDER_VERIFY_FAIL, HOST_LS_SIZE_REJECT, HOST_LS_SKIP_DELIVERY,
    HOST_LS_SMTP_CONFIRMATION, HOST_LS_SMTP_CONNECTION,
    HOST_LS_SMTP_INCOMPLETE_TRANSACTION, HOST_LS_SMTP_MAILAUTH,
    HOST_LS_SMTP_NO_MAIL, HOST_LS_SMTP_PROTOCOL_ERROR,
    HOST_LS_SMTP_SYNTAX_ERROR, HOST_LS_SUBJECT,
    HOST_LS_TLS_CERTIFICATE_VERIFIED, HOST_LS_TLS_CIPHER,
    HOST_LS_TLS_PEERDN, HOST_LS_TLS_RESUMPTION, HOST_LS_TLS_SNI,
    HOST_LS_UNKNOWN_IN_LIST,
    HOST_LS_COUNT
};

/* Parse a log_selector value as Exim does: "+name" and "-name" items,
 * blanks optional between them, `all`; the default set first.  0 with
 * *bits, or -1 with err ("unknown log_selector setting: +foo"). */
int host_logsel_parse(const char *text, unsigned long long *bits,
                      char *err, size_t errlen);
/* The default set (the names marked * in Exim's table). */
unsigned long long host_logsel_default(void);
/* Is `which` selected in rt's configuration?  Parsed once per runtime;
 * a value that does not parse (confc refuses it) counts as the default
 * and is reported once on the panic log. */
int host_logsel_on(struct host_runtime *rt, enum host_logsel which);

#endif
