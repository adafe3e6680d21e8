/*
 * NAME
 *   acl_int.h - what the parts of the ACL engine share
 *
 * DESCRIPTION
 *   acl.c runs statements and decides verdicts; acl_find.c finds the
 *   ACL a name, file or text stands for; acl_state.c keeps the engine's
 *   variables, trace and log lines; acl_parse.c reads ACLs that come as
 *   text at run time (files, inline strings); acl_cond.c holds the
 *   table of every condition and modifier and the simple conditions;
 *   acl_mod.c the modifiers, acl_control.c the controls; acl_verify.c
 *   (with acl_verify_hdr.c), acl_dnslist.c and acl_ratelimit.c one
 *   condition each; acl_env.c expansion and list matching for all.
 *
 *   One struct host_acl_run describes the ACL being run (nested calls
 *   get their own, sharing the result); struct host_acl_vars holds the
 *   variables the engine owns ($acl_arg1, $dnslist_domain ...), which
 *   live for one top-level run.
 */
#ifndef TERN_HOST_ACL_INT_H
#define TERN_HOST_ACL_INT_H

#include <stddef.h>

#include "acl.h"
#include "cfgmodel.h"
#include "match.h"

/* Results of conditions and modifiers, beyond TERN_OK (true / go on),
 * TERN_FAIL (false), TERN_DEFER, TERN_ERROR. */
#define HOST_ACL_C_DROP 16      /* false, and a nested ACL said drop */
#define HOST_ACL_C_DISCARD 17   /* a nested ACL said discard: now */
#define HOST_ACL_C_SKIP 18      /* forced expansion failure: "true",
                                   whatever the negation */

/* Where-bits: 1u << enum host_acl_where. */
#define HOST_ACL_W(w) (1u << (w))
#define HOST_ACL_W_NOTSMTP \
    (HOST_ACL_W(HOST_ACL_NOT_SMTP) | HOST_ACL_W(HOST_ACL_NOT_SMTP_START))
/* ACLs run while a message is being received. */
#define HOST_ACL_W_MESSAGE \
    (HOST_ACL_W(HOST_ACL_MAIL) | HOST_ACL_W(HOST_ACL_RCPT) | \
     HOST_ACL_W(HOST_ACL_PREDATA) | HOST_ACL_W(HOST_ACL_DATA) | \
     HOST_ACL_W(HOST_ACL_MIME) | HOST_ACL_W(HOST_ACL_NOT_SMTP) | \
     HOST_ACL_W(HOST_ACL_NOT_SMTP_START))

struct host_acl_run {
    struct tern_ctx *ctx;
    enum host_acl_where where;
    const char *rcpt;
    struct host_acl_result *res;
    int depth;
    const char *name;                   /* for traces and errors */
    const struct tern_config *cfg;      /* file names for traces */
    /* The statement being run. */
    unsigned verb;                      /* enum tern_acl_verb */
    const struct tern_cfg_acl_item *item;
    const char *message;                /* last `message` seen, raw */
    const struct tern_cfg_acl_item *message_item;
    const char *log_message;            /* last `log_message` seen, raw */
    const struct tern_cfg_acl_item *log_item;
    const char *err;                    /* why TERN_ERROR / TERN_DEFER */
    const char *cond_user;              /* a failed condition's reply */
    const char *cond_log;               /*   and log text (verify, acl) */
    int drop;                           /* a nested ACL dropped */
};

/* The engine's variables (host_acl_var()); reset when a top-level run
 * ends, because they point into arenas that may go. */
struct host_acl_vars {
    const char *arg[9];
    int narg;
    const char *verify_message;
    const char *dnslist_domain, *dnslist_matched, *dnslist_text,
        *dnslist_value;
    const char *host_data, *sender_data, *recipient_data,
        *sender_address_data;
    const char *sender_rate, *sender_rate_limit, *sender_rate_period;
    const char *sender_verify_failure, *recipient_verify_failure;
};
extern struct host_acl_vars host_acl_v;

/* A condition or modifier of the core, or provided by a module. */
typedef int host_acl_fn(struct host_acl_run *r, const char *arg);
struct host_acl_op {
    const char *name;
    int is_cond;
    int expand;                 /* the handler gets the expanded value */
    unsigned forbid;            /* where-bits it may not be used in */
    host_acl_fn *fn;
};

/* ---- acl_state.c ---- */
/* Trace line (">>> " and the text) when host_acl_trace is set. */
void host_acl_tr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The name of `where` as Exim says it ("RCPT", "connect", ...). */
const char *host_acl_where_name(enum host_acl_where where);
/* 1 when a warn logged `text` for this message (or session) already;
 * else remembers it and returns 0. */
int host_acl_seen_before(struct tern_ctx *ctx, const char *text);
/* Write a log line (logwrite) as the host does; _client puts "H=..."
 * or "U=..." in front (warn log_message, verify failures). */
void host_acl_log(struct tern_ctx *ctx, unsigned dest, const char *text);
void host_acl_log_client(struct tern_ctx *ctx, unsigned dest,
                         const char *text);

/* ---- acl_find.c ---- */
/* The ACL `spec` names (expanded already): a file, a named ACL or ACL
 * text.  `cacheable`: text from a constant option, kept for the process.
 * NULL with r->err. */
const struct tern_cfg_acl *host_acl_find(struct host_acl_run *r,
                                         const char *spec, int cacheable);

/* ---- acl.c ---- */
/* Run the ACL `spec` (a name, a file or text, expanded already) nested
 * in r, with `argv` as $acl_arg1.. (argc <= 9, or -1 to keep them).
 * Returns an enum host_acl_verdict; messages land in *res. */
int host_acl_call(struct host_acl_run *r, const char *spec,
                  const char *const *argv, int argc,
                  struct host_acl_result *res);

/* ---- acl_parse.c ---- */
/* loc.file of statements read at run time: not a configuration file. */
#define HOST_ACL_TEXT_FILE 0xffffffffu
/* Parse ACL text (from a file or an inline option) into *out, allocated
 * from `a`.  0, or -1 with *err ("line 3: unknown ACL verb "x""). */
int host_acl_parse(struct tern_ctx *ctx, struct tern_arena *a,
                   const char *text, const char *name,
                   struct tern_cfg_acl **out, const char **err);

/* ---- acl_cond.c ---- */
/* The operation `name` (core or module), NULL when nobody provides it. */
const struct host_acl_op *host_acl_op(struct tern_ctx *ctx,
                                      const char *name);
/* Is `name` a known condition or modifier (for the run-time parser)?
 * 1 condition, 2 modifier, 0 unknown. */
int host_acl_op_kind(struct tern_ctx *ctx, const char *name);
/* Run a module's condition or modifier (op from host_acl_op). */
int host_acl_module_item(struct host_acl_run *r, const char *name,
                         int is_cond, const char *arg);

/* ---- acl_mod.c, acl_control.c ---- */
host_acl_fn host_acl_mod_add_header, host_acl_mod_remove_header,
    host_acl_mod_set, host_acl_mod_control, host_acl_mod_delay,
    host_acl_mod_logwrite, host_acl_mod_continue,
    host_acl_mod_log_reject_target, host_acl_mod_queue,
    host_acl_mod_udpsend;
/* Add header text (add_header and warn's `message`). */
void host_acl_add_headers(struct host_acl_run *r, const char *text);

/* ---- acl_verify.c ---- */
host_acl_fn host_acl_cond_verify;

/* ---- acl_verify_hdr.c ---- */
/* Call fn (may be NULL; non-zero stops) for each address of an
 * address-list header value.  NULL when the list parses, else why not. */
const char *host_acl_addr_list(struct tern_arena *a, const char *value,
                               int allow_unqualified,
                               int (*fn)(void *arg, const char *local,
                                         const char *domain),
                               void *arg);

/* ---- acl_dnslist.c ---- */
host_acl_fn host_acl_cond_dnslists;
/* One DNS query: TERN_OK with the records (type 1: dotted quads, 16:
 * the TXT strings joined, 12: names), TERN_FAIL when there are none
 * (NXDOMAIN or no data), TERN_DEFER.  TERN_DNS_SERVER=ip[:port] sends
 * every query there (tests). */
int host_acl_dns(struct tern_ctx *ctx, const char *name, int type,
                 const char ***recs, size_t *n);

/* ---- acl_ratelimit.c ---- */
host_acl_fn host_acl_cond_ratelimit;
void host_acl_ratelimit_forget(const void *scope);

/* ---- acl_env.c ---- */
/* Expand an item's value (its parsed form when the plan has one): 0 with
 * *out; otherwise HOST_ACL_C_SKIP (forced failure), TERN_DEFER or
 * TERN_ERROR with r->err set. */
int host_acl_expand(struct host_acl_run *r, const struct tern_cfg_acl_item *it,
                    const char *text, const char **out);
/* Expand a plain string (message, log_message, pieces): NULL on any
 * failure, with r->err when it was an error. */
const char *host_acl_expand_str(struct host_acl_run *r, const char *s);
/* The list-matching surroundings for ctx (host_match_env()). */
void host_acl_match_env(struct tern_ctx *ctx, struct tern_match_env *env);
/* Map a tern_match_* result to a condition result, with r->err. */
int host_acl_match_rc(struct host_acl_run *r, int rc,
                      const struct tern_match_result *m, const char *what);

/* expand_env.c (the host's): the list-matching surroundings for a ctx.
 * Declared here too until ctx.h carries it. */
void host_match_env(struct tern_ctx *ctx, struct tern_match_env *env);

#endif
