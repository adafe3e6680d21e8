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
#include <stdio.h>
#include <time.h>

#include "arena.h"
#include "core_schema.h"        /* struct tern_opts_main, generated */
#include "spool.h"

#include "expand.h"              /* struct tern_exp_schema */

struct host_conf;
struct smtp_auth_table;
struct host_names;
struct host_exp_cache;
struct host_modvar;
struct tern_host_api;
struct tern_log;
struct tern_lookups;
struct tern_match_cache;
struct tern_module;
struct tern_variable;
struct tern_exp;
struct tern_exp_env;
struct tern_exp_lookup_req;
struct tern_match_env;

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

    /* Filled by host_runtime_init() (runtime.c). */
    const char *config_file;            /* $config_file: -C as given */
    const char *config_dir;             /* $config_dir */
    const char *exim_path;              /* $exim_path: this program */
    const char *initial_cwd;            /* $initial_cwd */
    const char *spool_directory;        /* expanded spool_directory */
    long caller_uid, caller_gid;        /* who ran us */
    const char *caller_login;           /* their login name */
    time_t started;
    int runrc;                          /* $runrc when there is no session */
    int debug;                          /* -d: host API debug() prints */
    struct tern_match_cache *match_cache;   /* lists outside a message */
    struct tern_log *log;               /* opened at the first log_write */
    int no_log;                         /* -bh: nothing is logged */
    const struct tern_host_api *api;    /* the table modules get */
    /* What strings parsed at run time may name (expand_env.c). */
    struct host_names *names;
    struct tern_exp_schema exp_schema;
    struct host_exp_cache *exp_cache;   /* parsed strings, keyed by text */
    struct host_modvar *modvars;        /* loaded modules' variables, */
    size_t n_modvars;                   /*   sorted by name */
    unsigned char *inited;              /* per hc->mods[i]: init() ran */
    size_t n_inited;
    /* smtp_auth.c: the authenticator instances, built at first use
     * (rt->arena). */
    struct smtp_auth_table *smtp_auths;
};

/* TLS state of one direction, for $tls_in_* / $tls_out_*. */
struct host_tls_info {
    int active;
    const char *cipher;                 /* "TLS1.3:TLS_AES_256_GCM_SHA384:256" */
    const char *cipher_std;             /* RFC name */
    const char *ver;                    /* "TLS1.3" */
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
    int runrc;                          /* $runrc after a ${run} */
    struct tern_match_cache *host_cache;    /* host lists: per connection */
    /* Set by the SMTP engine (smtp_*.c). */
    const char *smtp_active_hostname;   /* expanded once per connection */
    const char *smtp_command_argument;  /* $smtp_command_argument */
    const char *smtp_notquit_reason;    /* $smtp_notquit_reason */
    unsigned long rcpt_count;           /* $rcpt_count: RCPTs this message */
    const char *auth_var[4];            /* $auth1..$auth4 during AUTH */
    const char *authenticated_fail_id;  /* $authenticated_fail_id */
    const char *auth_public_name;       /* -host_auth_pubname */
    int pipe_connect_advertised;        /* PIPECONNECT offered (issue 7) */
    int pipe_connect_used;
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
    struct tern_match_cache *match_cache;   /* named lists: per message */
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
    struct host_var *r_vars;            /* $r_... set by routers */
    const char *self_hostname;          /* $self_hostname */
};

/* Passed to every expansion, ACL condition, lookup and module call. */
struct tern_ctx {
    struct host_runtime *rt;
    struct host_session *sess;          /* may be NULL */
    struct host_message *msg;           /* may be NULL */
    struct host_address *addr;          /* may be NULL */
    struct tern_arena *arena;           /* innermost lifetime's arena */
};

/* runtime.c: build rt from a loaded configuration: typed main options,
 * host names, ids, the lookup registry, the main options of every module
 * and their init() with the host API.  0, or -1 with the reason on `err`.
 * `progname` is argv[0] (for $exim_path when /proc is not there). */
int host_runtime_init(struct host_runtime *rt, struct host_conf *hc,
                      const char *progname, FILE *err);
void host_runtime_free(struct host_runtime *rt);

/* runtime.c: make sure the installed module providing `kind` `name`
 * ("lookup", "variable", "expansion_item", as in the schemas) is loaded
 * and initialised, loading it now if the plan did not name it (strings
 * given to -be, ${expand:..}).  1 when such a module is loaded, 0 when
 * no installed module provides it, -1 when it failed to load (*why). */
int host_runtime_provider(struct host_runtime *rt, const char *kind,
                          const char *name, size_t len, const char **why);

/* runtime.c: the variable `name` of a loaded module, NULL if none. */
const struct tern_variable *host_runtime_modvar(struct host_runtime *rt,
                                                const char *name, size_t len);

/* api.c: the host API table handed to modules (one per process; it
 * reaches `rt` for the calls that carry no ctx). */
const struct tern_host_api *host_api_table(struct host_runtime *rt);
/* api.c: write a log line in Exim's format (the log is opened from
 * log_file_path at the first call).  `msgid` may be NULL. */
void host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* api.c: close the log and detach the table from rt (runtime_free). */
void host_api_close(struct host_runtime *rt);

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

/* expand_env.c: the same for an expression parsed already (the plan's),
 * with the length of the result (it may hold NULs). */
int host_expand_exp(struct tern_ctx *ctx, const struct tern_exp *e,
                    const char **out, size_t *olen, const char **err);

/* expand_env.c: parse `s` for run-time use against the installed
 * schemas (cached by text in rt when `cache`).  0, or -1 with *err. */
int host_exp_parse(struct host_runtime *rt, const char *s, size_t len,
                   int cache, struct tern_arena *a,
                   const struct tern_exp **out, const char **err);
/* expand_env.c: drop the parsed-string cache (runtime_free). */
void host_exp_cache_free(struct host_runtime *rt);

/* expand_env.c: the lookup hook of both the evaluator's and the list
 * matcher's environment (arg is the ctx): the lookup registry, loading
 * an installed lookup module the plan did not name on first use. */
int host_lookup_hook(void *arg, const struct tern_exp_lookup_req *req,
                     struct tern_arena *a, char **result, size_t *rlen,
                     const char **err);

/* expand_env.c: ${acl{name}{arg}...} runs through this hook, which the
 * ACL engine sets; NULL: the item fails. */
extern int (*host_acl_item_hook)(struct tern_ctx *ctx, int argc,
                                 const char *const *argv, char **result,
                                 const char **err);

/* expand_hdr.c: the evaluator's header hook ($h_, $bh_, $rh_, $lh_). */
int host_header_hook(void *arg, unsigned kind, const char *name, size_t len,
                     struct tern_arena *a, char **val, size_t *vlen);

/* match_env.c: the list matcher's environment for ctx (lookups, named
 * lists, expansion, @, @[], host names and addresses). */
void host_match_env(struct tern_ctx *ctx, struct tern_match_env *env);

/* expand_names.c: the schema callback strings parsed at run time are
 * checked with (rt->exp_schema; arg is rt). */
int host_names_known(void *arg, unsigned kind, const char *name, size_t len,
                     struct tern_exp_known *info);
void host_names_free(struct host_names *n);

/* A ctx with nothing but the runtime (-be, module init, start-up). */
static inline struct tern_ctx
host_ctx_rt(struct host_runtime *rt)
{
    struct tern_ctx c = { rt, NULL, NULL, NULL, rt->arena };
    return c;
}

#endif
