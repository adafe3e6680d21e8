/*
 * NAME
 *   ctx.h - the run-time state of the host: process, session, message,
 *   address
 *
 * SYNOPSIS
 *   struct tern_ctx ctx = { .rt = rt, .sess = sess, .msg = msg,
 *                           .arena = msg->arena };
 *   host_expand(&ctx, "${lc:$sender_address_domain}", &out, &err);
 *
 * DESCRIPTION
 *   Four lifetimes, four structs, each with the arena everything of that
 *   lifetime is allocated from (dropping the arena frees it all, so a
 *   long-lived worker never leaks):
 *
 *     struct host_runtime   one per process, built once the plan is
 *                           loaded: typed main options (generated from
 *                           core.schema), loaded modules, the lookup
 *                           registry, parsed expansions of the options
 *     struct host_session   one SMTP connection, or one local submission
 *                           (-bs, -t, tern rcpt...): peer, HELO, TLS,
 *                           AUTH, $acl_c* variables
 *     struct host_message   one message being received or delivered: its
 *                           spool record (lib/spool.h), $acl_m* variables
 *     struct host_address   one address being routed, verified or
 *                           delivered: $local_part, $domain, $address_data
 *
 *   struct tern_ctx ties one of each together (any may be NULL: -be has
 *   only a runtime) and is what every expansion, ACL condition, lookup
 *   and module call receives.  Modules see it only as an opaque pointer
 *   and reach into it through the host API (include/tern/host.h).
 *
 *   Variables ($name) are answered by host_variable() from these structs
 *   (vars.c) and by the modules' variable tables; host_exp_env() builds
 *   the evaluator's environment (lib/expand.h) for a ctx.
 */
#ifndef TERN_HOST_CTX_H
#define TERN_HOST_CTX_H

#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "core_schema.h"        /* struct tern_opts_main, generated */
#include "spool.h"

struct host_conf;
struct tern_lookups;
struct tern_match_cache;
struct tern_exp;
struct tern_exp_env;

/* Named variables set with `set acl_c_x = ...` / `acl_m_x`, and the
 * numbered $acl_c0..9 / $acl_m0..9: one small list, searched linearly
 * (ACLs use a handful). */
struct host_var {
    const char *name;           /* "acl_c_x", "acl_m3" */
    const char *value;
    size_t len;
    struct host_var *next;
};

/* What the process knows once the plan is loaded. */
struct host_runtime {
    struct tern_arena *arena;
    struct host_conf *hc;               /* plan, config model, modules */
    struct tern_opts_main opts;         /* core main options, typed */
    const char *primary_hostname;       /* option, else uname() */
    const char *qualify_domain;         /* option, else primary_hostname */
    const char *qualify_recipient;      /* option, else qualify_domain */
    struct tern_lookups *lookups;       /* lib/lookup.h */
    const char *progname;               /* "tern" */
    long exim_uid, exim_gid;            /* exim_user / exim_group, -1 */
    int queue_running;                  /* a queue runner process */
    int is_daemon;
};

/* TLS state of one direction, for $tls_in_* / $tls_out_*. */
struct host_tls_info {
    int active;
    const char *cipher;                 /* "TLS1.3:TLS_AES_256_GCM_SHA384:256" */
    const char *cipher_std;             /* RFC name */
    const char *ver;                    /* "TLSv1.3" */
    const char *peerdn;
    const char *sni;
    int bits;
    int certificate_verified;
    unsigned resumption;                /* bits 0-4 as the seed defines */
};

/* One SMTP connection or local submission. */
struct host_session {
    struct tern_arena *arena;
    int is_smtp;                        /* 0: local submission (-t, rcpt) */
    int is_local;                       /* -bs or command line: no peer */
    const char *peer_address;           /* "192.0.2.1", NULL when local */
    int peer_port;
    const char *local_address;          /* $received_ip_address */
    int local_port;                     /* $received_port */
    const char *sender_host_name;       /* reverse lookup, NULL if none */
    const char *helo_name;              /* $sender_helo_name */
    int esmtp;                          /* EHLO was used */
    const char *protocol;               /* $received_protocol: smtp, esmtps,
                                           esmtpa, esmtpsa, local, local-esmtp */
    const char *ident;                  /* $sender_ident (login when local) */
    const char *authenticated_id;       /* $authenticated_id */
    const char *authenticated_sender;
    const char *auth_mechanism;         /* $sender_host_authenticated */
    struct host_tls_info tls_in;
    struct host_var *acl_c;             /* connection variables */
    time_t started;
    unsigned long messages;             /* messages accepted so far */
    long uid, gid;                      /* caller (local submission) */
    const char *login;                  /* caller's login name */
    unsigned controls;                  /* enum host_acl_control (acl.h) */
    int pipelining_advertised;          /* for log_selector +pipelining */
    int pipelining_used;
    const char *smtp_command;           /* $smtp_command: current command */
};

/* A header line an ACL added (add_header) or a name it removed
 * (remove_header); applied when the -H file is written. */
struct host_hdr_change {
    int remove;                         /* 1: `text` is a header name list */
    const char *text;                   /* the line(s), newline-terminated */
    struct host_hdr_change *next;
};

/* One message. `spool` holds the envelope and headers in the shape the
 * spool writer and reader use. */
struct host_message {
    struct tern_arena *arena;
    struct tern_spool_msg spool;        /* id, sender, rcpts, headers ... */
    long long size;                     /* $message_size */
    long long body_linecount;
    struct host_var *acl_m;             /* message variables */
    const char *recipients_text;        /* $recipients (comma list), lazily */
    int first_delivery;
    unsigned controls;                  /* enum host_acl_control (acl.h) */
    struct host_hdr_change *hdr_changes;/* in the order the ACLs made them */
    const char *body_path;              /* -D file while receiving */
};

/* One address being routed, verified or delivered. */
struct host_address {
    struct tern_arena *arena;
    const char *address;                /* as given */
    const char *local_part;             /* after prefix/suffix removal */
    const char *domain;
    const char *prefix, *suffix;        /* $local_part_prefix/_suffix */
    const char *address_data;           /* $address_data */
    const char *domain_data;            /* $domain_data */
    const char *local_part_data;        /* $local_part_data */
    const char *errors_to;
    const char *router;                 /* instance name routing it */
    const char *transport;              /* instance name chosen */
    const char *host;                   /* $host during delivery */
    const char *host_address;           /* $host_address */
    const char *original_local_part, *original_domain;
    struct host_address *parent;        /* redirection chain */
};

/* Passed to every expansion, ACL condition, lookup and module call. */
struct tern_ctx {
    struct host_runtime *rt;
    struct host_session *sess;          /* may be NULL */
    struct host_message *msg;           /* may be NULL */
    struct host_address *addr;          /* may be NULL */
    struct tern_arena *arena;           /* innermost lifetime's arena */
};

/* vars.c: value of a variable for the evaluator (lib/expand.h's
 * `variable` hook: TERN_OK with *val, TERN_FAIL when unknown). */
int host_variable(void *ctx, const char *name, size_t len, const char **val,
                  size_t *vlen);

/* vars.c: set $acl_c... / $acl_m... (`set` ACL modifier). */
void host_var_set(struct tern_ctx *ctx, const char *name, const char *value,
                  size_t len);

/* expand_env.c: the evaluator's environment for `ctx` (headers from the
 * message, lookups from the registry, lists from the configuration). */
void host_exp_env(struct tern_ctx *ctx, struct tern_exp_env *env);

/* expand_env.c: parse (once, cached by text) and evaluate `s` in `ctx`.
 * 0 with *out; 1 forced failure; -1 error with *err; -2 deferred. */
int host_expand(struct tern_ctx *ctx, const char *s, const char **out,
                const char **err);

#endif
