/*
 * NAME
 *   acl.h - the ACL engine
 *
 * SYNOPSIS
 *   struct host_acl_result r;
 *   if (host_acl_run(ctx, HOST_ACL_RCPT, rt->opts.acl_smtp_rcpt.text,
 *                    rcpt, &r) == HOST_ACL_ACCEPT) ...
 *
 * DESCRIPTION
 *   Runs one ACL (named in the configuration's acl section, or given as
 *   inline text, or a file path, as Exim allows) against a ctx, with
 *   Exim's verbs, conditions and modifiers, and the conditions, modifiers
 *   and controls that modules provide through the ABI.  The caller turns
 *   the verdict into an SMTP reply (smtp engine) or an exit status
 *   (local submission); the engine itself never writes to the client.
 *
 *   Side effects land in the ctx: `set` variables ($acl_c*, $acl_m*),
 *   header lines added or removed (kept in the message until it is
 *   spooled), controls (queue_only ... in session/message flags),
 *   `logwrite` lines.  `delay` is returned, not slept, so an event-driven
 *   worker can keep serving other sessions.
 */
#ifndef TERN_HOST_ACL_H
#define TERN_HOST_ACL_H

#include "ctx.h"

/* Where an ACL runs: decides which conditions are allowed and the default
 * verdict of a missing ACL (Exim: rcpt and data deny... see acl.c). */
enum host_acl_where {
    HOST_ACL_CONNECT = 1, HOST_ACL_HELO, HOST_ACL_MAIL, HOST_ACL_RCPT,
    HOST_ACL_PREDATA, HOST_ACL_DATA, HOST_ACL_QUIT, HOST_ACL_NOTQUIT,
    HOST_ACL_NOT_SMTP, HOST_ACL_STARTTLS, HOST_ACL_AUTH, HOST_ACL_VRFY,
    HOST_ACL_EXPN, HOST_ACL_MIME, HOST_ACL_NOT_SMTP_START
};

enum host_acl_verdict {
    HOST_ACL_ACCEPT = 0,
    HOST_ACL_DENY = 1,          /* 5xx */
    HOST_ACL_DEFER = 2,         /* 4xx */
    HOST_ACL_DISCARD = 3,       /* accept, then throw away */
    HOST_ACL_DROP = 4,          /* deny and close the connection */
    HOST_ACL_ERROR = 5          /* configuration or run-time error: 4xx */
};

struct host_acl_result {
    enum host_acl_verdict verdict;
    const char *user_message;   /* `message =`: for the SMTP reply; may
                                   start with a 3-digit code and an
                                   extended code, as Exim allows */
    const char *log_message;    /* `log_message =`, for the log line */
    int delay;                  /* seconds to wait before replying */
};

/* Session and message flags the `control` modifier sets. */
enum host_acl_control {
    HOST_CTL_QUEUE_ONLY = 1u << 0,
    HOST_CTL_SUBMISSION = 1u << 1,
    HOST_CTL_NO_PIPELINING = 1u << 2,
    HOST_CTL_NO_MULTILINE = 1u << 3,
    HOST_CTL_FREEZE = 1u << 4,
    HOST_CTL_NO_ENFORCE_SYNC = 1u << 5,
    HOST_CTL_ENFORCE_SYNC = 1u << 6
};

/* Run the ACL `acl` (NULL or empty: the default for `where`, as Exim).
 * `rcpt` is the recipient being checked in RCPT (else NULL). */
enum host_acl_verdict host_acl_run(struct tern_ctx *ctx,
                                   enum host_acl_where where,
                                   const char *acl, const char *rcpt,
                                   struct host_acl_result *res);

/* Hook for `verify = recipient` / `sender`: routes the address through
 * the routers (delivery path).  TERN_OK, TERN_FAIL (with *msg), or
 * TERN_DEFER.  Until routing exists the receive path installs a hook
 * that accepts every address in a local domain. */
typedef int host_verify_fn(struct tern_ctx *ctx, const char *address,
                           int is_sender, const char **msg);
extern host_verify_fn *host_verify_hook;

#endif
