/*
 * NAME
 *   cfgmodel.h - the compiled configuration, as confc builds it in memory
 *
 * DESCRIPTION
 *   confc parses and validates an Exim-style configuration into this
 *   model; plan_write.c serialises it into a plan (docs/plan-format.md) and
 *   plan_read.c gives the host read-only access to the same information
 *   straight from the mapped file.  Everything here lives in one arena.
 *
 *   Options are stored as set in the file (`set_options`), each resolved
 *   against its schema; defaults are not copied: the reader takes them from
 *   the schema tables compiled into the host and modules.
 */
#ifndef TERN_CFGMODEL_H
#define TERN_CFGMODEL_H

#include <stddef.h>
#include "optval.h"

struct tern_arena;
struct tern_exp;

struct tern_cfg_loc {
    unsigned file;              /* index into tern_config.files */
    unsigned line;
    unsigned col;
};

struct tern_cfg_option {
    const char *name;           /* canonical name (without no_/not_) */
    const char *module;         /* schema that declares it ("core") */
    struct tern_value value;
    unsigned flags;             /* schema flags (TERN_F_EXPAND ...) */
    struct tern_cfg_loc loc;
    /* The value parsed as an expansion (expand.h), when the option is
     * expanded at run time and its text needs expanding; NULL when the
     * value is used as it is (not expanded, or no `$` and no `\`). */
    const struct tern_exp *exp;
};

/* A driver instance: `name: driver = smtp` and its options. */
struct tern_cfg_driver {
    unsigned kind;              /* enum tern_driver_kind */
    const char *name;
    const char *driver;         /* "smtp" */
    const char *module;         /* module that provides the driver */
    struct tern_cfg_option *options; size_t n_options;
    struct tern_cfg_loc loc;
};

enum tern_list_kind {
    TERN_LIST_DOMAIN = 1, TERN_LIST_HOST = 2,
    TERN_LIST_ADDRESS = 3, TERN_LIST_LOCALPART = 4
};

struct tern_cfg_named_list {
    unsigned kind;              /* enum tern_list_kind */
    const char *name;
    const char *value;
    int cache;               /* domainlist_cache etc.: cache even when the list has a `$` */
    struct tern_cfg_loc loc;
};

enum tern_acl_verb {
    TERN_ACL_ACCEPT = 1, TERN_ACL_DEFER, TERN_ACL_DENY, TERN_ACL_DISCARD,
    TERN_ACL_DROP, TERN_ACL_REQUIRE, TERN_ACL_WARN
};

/* One `condition = value` or `modifier = value` of an ACL statement;
 * `negated` for `!condition = value`.  `exp` is the value parsed as an
 * expansion (for `set`, the part after its `=`), NULL when the value is
 * not expanded (control, endpass) or expands to itself (no `$`, no
 * `\`). */
struct tern_cfg_acl_item {
    const char *name;
    const char *value;
    const char *module;         /* who provides it ("core") */
    int negated;
    struct tern_cfg_loc loc;
    const struct tern_exp *exp;
};

struct tern_cfg_acl_stmt {
    unsigned verb;              /* enum tern_acl_verb */
    struct tern_cfg_acl_item *items; size_t n_items;
    struct tern_cfg_loc loc;
};

struct tern_cfg_acl {
    const char *name;
    struct tern_cfg_acl_stmt *stmts; size_t n_stmts;
    struct tern_cfg_loc loc;
};

/* `pattern error rules`: rules are "F,2h,15m; G,16h,1h,1.5; F,4d,6h". */
struct tern_cfg_retry_rule {
    char algo;                  /* 'F', 'G' or 'H' */
    long long cutoff;           /* seconds */
    long long p1;               /* seconds */
    long long p2;               /* fixed x1000 for G/H; 0 for F */
};

struct tern_cfg_retry {
    const char *pattern;
    const char *error;          /* "*" when any */
    const char *senders;        /* NULL when not given */
    struct tern_cfg_retry_rule *rules; size_t n_rules;
    struct tern_cfg_loc loc;
};

struct tern_cfg_rewrite {
    const char *pattern;
    const char *replacement;
    const char *flags;          /* "EFTbcfhrstSQqRwX" subset */
    struct tern_cfg_loc loc;
};

struct tern_cfg_module {
    const char *name;
    const char *version;
    unsigned long long schema_hash;
};

struct tern_cfg_macro {
    const char *name;
    const char *value;
    int builtin;
};

struct tern_config {
    const char *source;                     /* main file path */
    const char **files; size_t n_files;     /* every file read */
    struct tern_cfg_module *modules; size_t n_modules;
    struct tern_cfg_option *main; size_t n_main;
    struct tern_cfg_named_list *lists; size_t n_lists;
    struct tern_cfg_acl *acls; size_t n_acls;
    struct tern_cfg_driver *routers; size_t n_routers;
    struct tern_cfg_driver *transports; size_t n_transports;
    struct tern_cfg_driver *auths; size_t n_auths;
    struct tern_cfg_retry *retries; size_t n_retries;
    struct tern_cfg_rewrite *rewrites; size_t n_rewrites;
    struct tern_cfg_macro *macros; size_t n_macros;
};

#endif
