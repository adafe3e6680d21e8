/*
 * NAME
 *   host.h - what the parts of the `tern` program share
 *
 * DESCRIPTION
 *   main.c parses the command line into struct host_cmdline and calls one
 *   mode (bv.c for -bV, bp.c for -bP).  hostconf.c turns `-C file` (a
 *   source configuration or a plan) into the config model, checks every
 *   module the plan names, and keeps the schemas the values are read
 *   against.  optview.c merges values set in the plan with schema
 *   defaults for printing.
 */
#ifndef TERN_HOST_HOST_H
#define TERN_HOST_HOST_H

#include <stddef.h>
#include <stdio.h>

#include "arena.h"
#include "cfgmodel.h"
#include "modload.h"
#include "plan.h"
#include "schema.h"

/* Exit statuses: Exim's 1 for failures, 2 for what is not there yet. */
#define HOST_EXIT_OK 0
#define HOST_EXIT_FAIL 1
#define HOST_EXIT_UNIMPLEMENTED 2

struct host_cmdline {
    const char *config;             /* -C, NULL = default search path */
    const char **defines;           /* -D NAME=value, as given */
    size_t n_defines;
    char **items;                   /* arguments after the options:
                                       -bP items, -be strings, recipients */
    size_t n_items;
    /* Receiving and daemon options (main.c parses them as Exim does). */
    const char *listen;             /* -oX: "2525", "127.0.0.1.2525",
                                       "<; ::1.25 ; 127.0.0.1.25" */
    int foreground;                 /* -bdf */
    const char *sender;             /* -f / -r, NULL when not given */
    int extract_recipients;         /* -t */
    int dot_ends;                   /* 1 unless -oi / -i */
    int delivery_mode;              /* 'q' -odq, 'i' -odi, 'b' -odb, 0 */
    const char *queue_interval;     /* -q15m: "15m"; "" for a one-off -q */
    int queue_force;                /* -qf: 1, -qff: 2 */
    int verbose;                    /* -v */
    const char *debug;              /* -d..., NULL when not given */
    const char *sender_name;        /* -F */
    const char *oMr;                /* -oMr protocol for -bs etc. */
    const char *pid_file;           /* -oP: pid file even with -oX */
};

/* Everything known about the configuration in force. */
struct host_conf {
    struct tern_arena *arena;
    const char *path;               /* file read (source or plan) */
    int is_plan;                    /* path was a compiled plan */
    struct tern_schema_set schemas;
    int have_schemas;
    struct tern_buf image;          /* plan compiled in memory (-C source) */
    struct tern_plan plan;
    int have_plan;
    struct tern_config cfg;
    int have_cfg;
    const char *module_path;        /* the path modules were loaded from */
    struct tern_loaded_module *mods;
    size_t n_mods;
};

/* hostconf.c */
void host_conf_init(struct host_conf *hc);
void host_conf_free(struct host_conf *hc);
/* Load the schema set (idempotent); diagnostics to `err`. */
int host_conf_schemas(struct host_conf *hc, FILE *err);
/* Find, read (compile or decode) and check the configuration, loading
 * every module it names; diagnostics to `err`.  0 or -1. */
int host_conf_load(struct host_conf *hc, const struct host_cmdline *cl,
                   FILE *err);
/* The default configuration search path ("a:b"). */
const char *host_conf_search_path(void);

/* optview.c: one option as -bP shows it. */
struct host_optview {
    const char *name;
    const struct tern_schema_option *def;   /* NULL for synthetic rows */
    struct tern_value value;
};

/* Every option of `scope` ("main", "router") declared by an installed
 * schema, sorted by name, each with its value from `set` (n_set) or its
 * schema default.  Returns the count; *out is arena memory. */
size_t host_optview_scope(struct host_conf *hc, const char *scope,
                          const struct tern_cfg_option *set, size_t n_set,
                          struct host_optview **out);
/* One row "name = value" / "name" / "no_name" into `out`. */
void host_optview_print(struct host_conf *hc, const struct host_optview *v,
                        FILE *out);
/* Admin callers see secret values (as Exim: root, for now). */
int host_is_admin(void);

/* Modes. */
int host_mode_bv(const struct host_cmdline *cl);
int host_mode_bp(const struct host_cmdline *cl);
/* daemon.c: -bd [-oX ...] [-q...]. */
int host_mode_bd(const struct host_cmdline *cl);
/* be.c: -be [string...], expansion testing as exim -be. */
int host_mode_be(const struct host_cmdline *cl);
/* smtp_bs.c: -bs, an SMTP session on stdin/stdout. */
int host_mode_bs(const struct host_cmdline *cl);
/* submit.c: tern [-f sender] [-t] [-oi] rcpt... (message on stdin);
 * sendmail exit codes (EX_* from sysexits.h). */
int host_mode_submit(const struct host_cmdline *cl);
/* queue_list.c: -bp, -bpc (and -bpu, -bpr as Exim). */
int host_mode_queue_list(const struct host_cmdline *cl, const char *which);
/* bp_driver.c: -bP router NAME, routers, router_list and friends. */
int host_bp_driver_item(struct host_conf *hc, const char *item,
                        const char *arg, int *consumed);

#endif
