/*
 * NAME
 *   tern/module.h - the module ABI
 *
 * SYNOPSIS
 *   #include <tern/module.h>
 *   #include "NAME_schema.h"          (generated from schemas/NAME.schema)
 *
 *   #define tern_module NAME_LTX_tern_module
 *   TERN_EXPORT const struct tern_module tern_module = { ... };
 *
 * DESCRIPTION
 *   A module is one shared object exporting exactly one symbol,
 *   `tern_module`, a constant struct that says who it is (name, version,
 *   ABI version, schema hash) and lists what it provides: drivers
 *   (routers, transports, authenticators), lookups, ACL conditions,
 *   modifiers and controls, expansion variables and items, router
 *   preconditions, log elements and spool fields.
 *
 *   The `NAME_LTX_` prefix lets libltdl find the symbol both in a shared
 *   object and in an all-in-one binary where every module is preopened
 *   (configure --enable-static-modules) and the plain names would clash.
 *
 *   A module calls the host only through the table in tern/host.h that
 *   init() receives.  Everything a module provides is also declared in its
 *   schema; the host refuses a module whose schema hash differs from the
 *   one the plan was compiled against.
 *
 *   A table entry whose function pointer is NULL is declared but not yet
 *   implemented ("schema only"); `tern -bV` says so and the host refuses to
 *   run it.
 */
#ifndef TERN_MODULE_H
#define TERN_MODULE_H

#include <stdint.h>
#include <tern/option.h>

#define TERN_ABI_VERSION 1

#if defined(__GNUC__)
#define TERN_EXPORT __attribute__((visibility("default")))
#else
#define TERN_EXPORT
#endif

struct tern_host_api;   /* tern/host.h */
struct tern_ctx;        /* per-session / per-message / per-address state */

/* Results every provided function returns (Exim's OK / FAIL / DEFER). */
enum tern_rc {
    TERN_OK = 0,
    TERN_FAIL = 1,      /* definite no: lookup miss, condition false */
    TERN_DEFER = 2,     /* temporary failure, try later */
    TERN_ERROR = 3,     /* configuration or internal error */
    TERN_DECLINE = 4    /* router: not for me, next one */
};

enum tern_driver_kind {
    TERN_DRIVER_ROUTER = 1,
    TERN_DRIVER_TRANSPORT = 2,
    TERN_DRIVER_AUTH = 3
};

/* A router, transport or authenticator driver. `ops` points at the
 * kind-specific operations (declared in tern/driver.h as the delivery and
 * receive paths grow); NULL means the driver is schema-only. */
struct tern_driver {
    const char *name;
    unsigned kind;                          /* enum tern_driver_kind */
    const struct tern_option_def *options;  /* generated from the schema */
    size_t options_size;                    /* sizeof the option struct */
    /* Called once per configured instance after its options are set. */
    int (*instance_init)(void *options, const char *instance_name,
                         const struct tern_host_api *host);
    const void *ops;
};

enum tern_lookup_style {
    TERN_LOOKUP_SINGLE_KEY = 1,   /* ${lookup{key}type{file}} */
    TERN_LOOKUP_QUERY = 2         /* ${lookup type{query}} */
};

/* A lookup type (lsearch, dbm, lmdb ...): small vtable, OpenSMTPD style.
 *
 * The host (lib/lookup.c) keeps handles open for the life of the process
 * and reopens one when its file has been replaced, so open() is rare and
 * find() is the hot path.  A lookup is implemented when find or find_opt
 * is set; with both NULL it is schema only.
 *
 * Memory: *err points at static or module-owned text that stays valid
 * until the next call into the module; the host copies it at once.  A
 * result is malloc'd by the module when free_result is set: the host
 * copies it into the caller's arena (and its per-message cache) and hands
 * it straight back to free_result, so nothing a lookup returns lives
 * longer than the message that asked for it.  Without free_result the
 * old contract holds: *result came from host->alloc(ctx, n) and is never
 * freed by the host (process lifetime when ctx is NULL), which only suits
 * lookups that return constant strings. */
struct tern_lookup {
    const char *name;
    unsigned style;                         /* enum tern_lookup_style */
    /* open returns a handle or NULL with *err set; handles are cached by
     * the host and opened once per process.  filename is NULL for a
     * query-style lookup. */
    void *(*open)(const char *filename, const char **err);
    /* Optional: vet an opened file (owner, mode); not TERN_OK refuses it. */
    int (*check)(void *handle, const char *filename, const char **err);
    /* find: TERN_OK with *result, TERN_FAIL on a miss, TERN_DEFER. */
    int (*find)(void *handle, const char *filename, const char *key,
                size_t key_len, char **result, const char **err,
                struct tern_ctx *ctx);
    void (*close)(void *handle);
    /* Fields below were appended to ABI 1; a table that leaves them out
     * has them zero. */
    /* find with the lookup's options (the text after the type's comma:
     * "ret=full,filter=file", "" when none, including the ones the host
     * handles itself such as ret=key and cache=no_rd, which a module
     * ignores) and the result's length, so a result may hold NULs.  Used
     * instead of find when set. */
    int (*find_opt)(void *handle, const char *filename, const char *key,
                    size_t key_len, const char *options, char **result,
                    size_t *result_len, const char **err,
                    struct tern_ctx *ctx);
    /* Frees a result of find/find_opt; see "Memory" above. */
    void (*free_result)(char *result);
};

/* ACL condition (`dcc = *`, `verify = arc/...`) or modifier (`bmi_optin`). */
struct tern_acl_condition {
    const char *name;
    int (*eval)(struct tern_ctx *ctx, const char *arg, const char **msg);
};

/* ACL control (`control = bmi_run`). */
struct tern_acl_control {
    const char *name;
    int (*apply)(struct tern_ctx *ctx, const char *arg);
};

/* Expansion variable ($bmi_alt_location, $tls_in_resumption ...). */
struct tern_variable {
    const char *name;
    const char *(*get)(struct tern_ctx *ctx);
};

/* Expansion item (${authresults{...}}); min/max arguments are checked by
 * confc from the schema. */
struct tern_expansion_item {
    const char *name;
    int (*eval)(struct tern_ctx *ctx, int argc, const char *const *argv,
                char **result, const char **err);
};

/* Router precondition (bmi_deliver_default, bmi_rule = 5:8). */
struct tern_router_precondition {
    const char *name;
    unsigned type;      /* TERN_T_BOOL or a list type */
    int (*eval)(struct tern_ctx *ctx, const char *arg);
};

/* Log line element (TFO, SRS=, ARC). */
struct tern_log_element {
    const char *name;
    const char *(*render)(struct tern_ctx *ctx);
};

/* A field a module keeps in the -H spool file (BMI verdicts). */
struct tern_spool_field {
    const char *name;
    int (*write)(struct tern_ctx *ctx, char **line);
    int (*read)(struct tern_ctx *ctx, const char *line);
};

/* Module flags. */
enum tern_module_flag {
    TERN_MOD_SCHEMA_ONLY = 1u << 0   /* declares options, implements nothing */
};

struct tern_module {
    unsigned abi_version;           /* TERN_ABI_VERSION */
    const char *name;               /* as in the schema: "smtp" */
    const char *version;            /* "0.1.0" */
    uint64_t schema_hash;           /* generated: NAME_SCHEMA_HASH */
    unsigned flags;                 /* enum tern_module_flag */
    int (*init)(const struct tern_host_api *host);
    void (*fini)(void);
    /* Module-wide main-section options (srs_secrets, dccifd_address). */
    const struct tern_option_def *main_options;
    size_t main_options_size;
    void *main_option_values;       /* struct the host fills */
    /* NULL-terminated arrays of pointers; any may be NULL. */
    const struct tern_driver *const *drivers;
    const struct tern_lookup *const *lookups;
    const struct tern_acl_condition *const *acl_conditions;
    const struct tern_acl_condition *const *acl_modifiers;
    const struct tern_acl_control *const *acl_controls;
    const struct tern_variable *const *variables;
    const struct tern_expansion_item *const *expansion_items;
    const struct tern_router_precondition *const *router_preconditions;
    const struct tern_log_element *const *log_elements;
    const struct tern_spool_field *const *spool_fields;
};

#endif
