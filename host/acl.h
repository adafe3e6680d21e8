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
 *
 *   What the caller must have set before each stage: ctx->sess (peer,
 *   helo, TLS, AUTH), and from MAIL on ctx->msg with spool.sender (the
 *   MAIL ACL runs with the new message, so its $acl_m* start empty and
 *   message controls have somewhere to go).  In RCPT, `rcpt` is the
 *   address; when ctx->addr is NULL the engine makes one for the run
 *   ($local_part lower-cased, $domain) and takes it away afterwards.
 *   docs/acl.md has the whole contract.
 */
#ifndef TERN_HOST_ACL_H
#define TERN_HOST_ACL_H

#include <stdio.h>

#include "ctx.h"

/* Where an ACL runs: decides which conditions are allowed and the default
 * verdict of a missing ACL (Exim: rcpt, vrfy, expn, etrn deny; the rest
 * accept). */
enum host_acl_where {
    HOST_ACL_CONNECT = 1, HOST_ACL_HELO, HOST_ACL_MAIL, HOST_ACL_RCPT,
    HOST_ACL_PREDATA, HOST_ACL_DATA, HOST_ACL_QUIT, HOST_ACL_NOTQUIT,
    HOST_ACL_NOT_SMTP, HOST_ACL_STARTTLS, HOST_ACL_AUTH, HOST_ACL_VRFY,
    HOST_ACL_EXPN, HOST_ACL_MIME, HOST_ACL_NOT_SMTP_START,
    HOST_ACL_ETRN, HOST_ACL_MAILAUTH, HOST_ACL_EXPAND   /* ${acl{..}} */
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
                                   extended code, as Exim allows (the
                                   SMTP engine checks the first digit);
                                   NULL: the engine's default text */
    const char *log_message;    /* `log_message =` (else the verify
                                   failure, else the first line of
                                   user_message), for the rejection log
                                   line; for HOST_ACL_ERROR the error */
    int delay;                  /* seconds to wait before replying */
    unsigned log_targets;       /* `log_reject_target`: enum
                                   tern_log_dest bits; default main and
                                   reject; 0 means do not log */
    const char *fake_message;   /* control = fakereject/fakedefer text */
};

/* Session and message flags the `control` modifier sets. */
enum host_acl_control {
    HOST_CTL_QUEUE_ONLY = 1u << 0,          /* message */
    HOST_CTL_SUBMISSION = 1u << 1,          /* message */
    HOST_CTL_NO_PIPELINING = 1u << 2,       /* session */
    HOST_CTL_NO_MULTILINE = 1u << 3,        /* session */
    HOST_CTL_FREEZE = 1u << 4,              /* message */
    HOST_CTL_NO_ENFORCE_SYNC = 1u << 5,     /* session */
    HOST_CTL_ENFORCE_SYNC = 1u << 6,        /* session */
    HOST_CTL_SUPPRESS_LOCAL_FIXUPS = 1u << 7,   /* message */
    HOST_CTL_FAKEREJECT = 1u << 8,          /* message: 550 after DATA */
    HOST_CTL_FAKEDEFER = 1u << 9,           /* message: 450 after DATA */
    HOST_CTL_ALLOW_AUTH_UNADVERTISED = 1u << 10,    /* session */
    HOST_CTL_NO_DELAY_FLUSH = 1u << 11,     /* session */
    HOST_CTL_NO_CALLOUT_FLUSH = 1u << 12,   /* session */
    HOST_CTL_CUTTHROUGH = 1u << 13,         /* message (not acted on) */
    HOST_CTL_UTF8_DOWNCONVERT = 1u << 14,   /* message */
    HOST_CTL_FREEZE_NO_TELL = 1u << 15,     /* message: with FREEZE */
    HOST_CTL_DKIM_DISABLE_VERIFY = 1u << 16,    /* message */
    HOST_CTL_DMARC_DISABLE_VERIFY = 1u << 17,   /* message */
    HOST_CTL_QUEUE_FIRST_PASS = 1u << 18    /* message: queue/first_pass_route */
};

/* Run the ACL `acl` (NULL or empty: the default for `where`, as Exim).
 * `rcpt` is the recipient being checked in RCPT (else NULL).  `acl` is
 * expanded first; the result names an ACL of the configuration, or is a
 * file (starting with `/`), or is the text of an ACL. */
enum host_acl_verdict host_acl_run(struct tern_ctx *ctx,
                                   enum host_acl_where where,
                                   const char *acl, const char *rcpt,
                                   struct host_acl_result *res);

/* Hook for `verify = recipient` / `sender`: routes the address through
 * the routers (delivery path).  TERN_OK, TERN_FAIL (with *msg), or
 * TERN_DEFER.  Until routing exists the receive path installs a hook
 * that accepts every address in a local domain.  NULL: verification
 * defers ("address verification is not available"). */
typedef int host_verify_fn(struct tern_ctx *ctx, const char *address,
                           int is_sender, const char **msg);
extern host_verify_fn *host_verify_hook;

/* Where the engine writes its trace, Exim's "-bh" / "-d+acl" lines
 * (">>> processing "deny"", "LOG: ..."); NULL (the default): none. */
extern FILE *host_acl_trace;

/* The variables the engine owns, for vars.c: acl_arg1..acl_arg9,
 * acl_narg, acl_verify_message, dnslist_domain, dnslist_matched,
 * dnslist_text, dnslist_value, host_data, sender_data, recipient_data,
 * sender_address_data, sender_rate, sender_rate_limit, sender_rate_period,
 * sender_verify_failure, recipient_verify_failure.  Their values while
 * (and only while) an ACL runs: NULL when `name` is not one of them or is
 * unset now (then the variable is empty). */
const char *host_acl_var(const char *name, size_t len);

/* ${acl{name}{arg1}...}: runs ACL argv[0] with $acl_arg1... from the
 * rest (argc <= 10).  Exim's rules: accept or deny give TERN_OK with
 * *result the `message` set (empty when none); defer gives TERN_DEFER
 * (the expansion fails forced); anything else TERN_ERROR with *err. */
int host_acl_expand_item(struct tern_ctx *ctx, int argc,
                         const char *const *argv, const char **result,
                         const char **err);

/* Forget what the engine keeps for a session or message that has ended
 * (ratelimit per_conn / per_mail results, warn log_message lines
 * already written): pass ctx->sess at the end of a connection, ctx->msg
 * when a message is done (accepted, rejected or reset). */
void host_acl_forget(const void *scope);

/* Forget the ACLs read from files and parsed from inline texts (they
 * are kept for the life of the process otherwise): on a reload. */
void host_acl_reset(void);

/* acl_bh.c: tern -bh IP[.port]: Exim's fake SMTP session on stdin and
 * stdout as if from IP, the ACL trace and "LOG:" lines on stderr,
 * nothing logged or spooled.  It sets host_bh_address / host_bh_port
 * and the trace, then runs host_mode_bs(), which must take its peer
 * from them when host_bh_address is set (and keep no message). */
struct host_cmdline;
int host_mode_bh(const struct host_cmdline *cl, const char *ip);
extern const char *host_bh_address;    /* canonical, NULL unless -bh */
extern int host_bh_port;                /* 0 when none was given */

#endif
