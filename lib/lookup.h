/*
 * NAME
 *   lookup.h - the host side of lookups: lookup types, open files,
 *   per-message cache, partial matching and defaults
 *
 * SYNOPSIS
 *   struct tern_lookups *lk = tern_lookups_new();
 *   if (tern_lookups_add_module(lk, loaded.mod, err, sizeof err) < 0)
 *       die(err);
 *   env.lookup = tern_lookups_exp_hook;     (with env.arg = lk)
 *   ...
 *   tern_lookups_set_ctx(lk, msg_ctx);       what modules see as ctx
 *   rc = tern_lookups_list_item(lk, "partial-lsearch;/etc/domains",
 *                               domain, strlen(domain), arena, &val,
 *                               &len, &err);
 *   tern_lookups_message_done(lk);           between messages
 *   tern_lookups_free(lk);
 *
 * DESCRIPTION
 *   A registry of the lookup types that loaded modules provide (struct
 *   tern_module.lookups), and the one place lookups run through:
 *
 *   Open files.  A file is opened on first use and the handle kept for
 *   the life of the process, where Exim closes its files at the end of
 *   each message and opens them again for the next.  To see what Exim
 *   would see, the first use of a handle in each message (each
 *   tern_lookups_message_done() starts a new one) stats the file; when
 *   its device, inode, size or modification time changed (a rebuilt
 *   file renamed into place, an edited one) the handle is closed and the
 *   file opened again.  Within a message the handle is not rechecked,
 *   as in Exim.  At most open_max handles (default 25, Exim's
 *   lookup_open_max) are kept; past that the least recently used is
 *   closed.  Handles inherited across fork() are abandoned unused in the
 *   child (stdio offsets, Berkeley DB and LMDB handles must not be
 *   shared), and reopened there.
 *
 *   Cache.  Every OK and FAIL result is kept until
 *   tern_lookups_message_done(), keyed by lookup type, file, key and
 *   options (other than ret=key and cache=...); deferrals are not kept.
 *   The option cache=no_rd skips reading the cache but still writes it,
 *   as in Exim 4.96.
 *
 *   Memory.  Results are copied into the caller's arena; what a module
 *   returned is handed back to its free_result at once (tern/module.h),
 *   and the cache lives in an arena of its own dropped with each
 *   message, so a long-lived worker does not grow with its lookups.
 *
 *   Partial matching and defaults.  tern_lookup_spec_parse() reads a
 *   type specification "[partialN-|partialN(prefix)]name[*|*@][,opts]"
 *   and tern_lookup_single() runs the sequence of keys it implies
 *   (docs: Exim's spec 9.6, 9.7) through a caller's function; the
 *   expansion evaluator (lib/expand_lookup.c) and lookups in lists
 *   (tern_lookups_list_item) both use them, so they agree.
 *
 * DIAGNOSTICS
 *   Unknown or schema-only lookup types are TERN_ERROR ("unknown lookup
 *   type "x""); a file that cannot be opened is TERN_DEFER with the
 *   module's message.  Messages are allocated in the caller's arena.
 */
#ifndef TERN_LOOKUP_H
#define TERN_LOOKUP_H

#include <stddef.h>

struct tern_arena;
struct tern_ctx;
struct tern_lookup;
struct tern_module;
struct tern_exp_lookup_req;

/* ---- type specifications and partial matching (lookup_spec.c) ---- */

struct tern_lookup_spec {
    const char *name;           /* "lsearch", not NUL-terminated */
    size_t name_len;
    const char *options;        /* after the comma, may be empty */
    size_t options_len;
    int partial;                /* -1 none, else minimum components */
    const char *prefix;         /* partial prefix, default "*." */
    size_t prefix_len;
    int star;                   /* 0, 1 "*", 2 "*@" */
    int ret_key;                /* ret=key among the options */
};

/* Split s[0..len): 0 on success, -1 with *why ("format error"). */
int tern_lookup_spec_parse(const char *s, size_t len,
                           struct tern_lookup_spec *spec, const char **why);

/* One exact key: TERN_OK with *result and *rlen, TERN_FAIL, or TERN_DEFER /
 * TERN_ERROR (which end the sequence; the function keeps its message). */
typedef int tern_lookup_try_fn(void *arg, const char *key, size_t len,
                               char **result, size_t *rlen);

/* What was found, and the numeric variables Exim 4.96 sets for the
 * yes-string: none after an exact match without partial matching; else
 * $0 empty and $1/$2 as below. */
struct tern_lookup_hit {
    char *result;               /* from the try function */
    size_t rlen;
    int nums;                   /* $1 and $2 are set */
    const char *wild;           /* $1: what the wildcard covered: "" for */
    size_t wild_len;            /* the key itself, the local part for *@, */
                                /* the whole key for *, and (as 4.96 does) */
                                /* the key less its last byte for the */
                                /* final prefix-only key of partial0 */
    const char *rest;           /* $2: the rest of the key: the key itself */
    size_t rest_len;            /* for an exact match, "" for defaults */
};

/* A single-key lookup of key[0..len) with the partial matching and the
 * `*` / `*@` defaults of `spec`, calling try_fn once per candidate key
 * (an empty key never matches).  Candidate keys are built in `a`.
 * Returns TERN_OK (and fills *hit), TERN_FAIL, or what try_fn returned
 * when that was TERN_DEFER or TERN_ERROR.  ret=key is the caller's. */
int tern_lookup_single(const struct tern_lookup_spec *spec, const char *key,
                       size_t len, struct tern_arena *a,
                       tern_lookup_try_fn *try_fn, void *arg,
                       struct tern_lookup_hit *hit);

/* ---- the registry and dispatcher (lookup.c) ---- */

struct tern_lookups;

struct tern_lookups *tern_lookups_new(void);
/* Close every handle and free everything. */
void tern_lookups_free(struct tern_lookups *r);

/* Register the lookups of a loaded (and initialised) module.  -1 with a
 * message when a type is already provided by another module. */
int tern_lookups_add_module(struct tern_lookups *r,
                            const struct tern_module *m, char *err,
                            size_t errlen);
/* The lookup type called name[0..len), NULL if none. */
const struct tern_lookup *tern_lookups_get(const struct tern_lookups *r,
                                           const char *name, size_t len);

/* Style of the lookup type `type` (TERN_LOOKUP_SINGLE_KEY or
 * TERN_LOOKUP_QUERY), 0 when none is registered; arg is the struct
 * tern_lookups, so this plugs into struct tern_match_env.lookup_style
 * (lib/match.h) as tern_lookups_exp_hook plugs into its lookup. */
int tern_lookups_style(void *arg, const char *type);

/* The ctx handed to modules' find() (and so to host->expand for
 * wildlsearch keys) from now on; NULL by default. */
void tern_lookups_set_ctx(struct tern_lookups *r, struct tern_ctx *ctx);
/* Most handles kept open at once (0 means 1). */
void tern_lookups_set_open_max(struct tern_lookups *r, unsigned n);
/* End of a message: drop the cache, recheck files at their next use. */
void tern_lookups_message_done(struct tern_lookups *r);
/* Close every open handle now (the cache is kept). */
void tern_lookups_close_all(struct tern_lookups *r);

/* One exact lookup: type name, options (text after the comma, NULL or ""
 * for none), file (NULL for query-style), key.  TERN_OK with *result
 * (NUL-terminated, in `a`) and *rlen; TERN_FAIL; TERN_DEFER or
 * TERN_ERROR with *err (in `a`). */
int tern_lookups_find(struct tern_lookups *r, const char *type,
                      const char *options, const char *file,
                      const char *key, size_t klen, struct tern_arena *a,
                      char **result, size_t *rlen, const char **err);

/* The evaluator's lookup hook (struct tern_exp_env.lookup); arg is the
 * struct tern_lookups.  A host whose env->arg is something else calls
 * tern_lookups_find() from its own hook. */
int tern_lookups_exp_hook(void *arg, const struct tern_exp_lookup_req *req,
                          struct tern_arena *a, char **result, size_t *rlen,
                          const char **err);

/* A lookup item of a list, "spec;file" or "spec;query" (blanks after the
 * semicolon skipped).  Single-key types look up `subject` in the file
 * with the spec's partial matching, defaults and ret=key; query-style
 * types run the query and refuse partial matching and defaults
 * (TERN_ERROR), as Exim does.  Results and errors as tern_lookups_find. */
int tern_lookups_list_item(struct tern_lookups *r, const char *item,
                           const char *subject, size_t slen,
                           struct tern_arena *a, char **result,
                           size_t *rlen, const char **err);

/* Counters, for -d output and tests. */
struct tern_lookup_stats {
    unsigned long opens;        /* module open() calls that succeeded */
    unsigned long closes;       /* module close() calls */
    unsigned long reopens;      /* files reopened because they changed */
    unsigned long finds;        /* module find() calls */
    unsigned long cache_hits;
    unsigned open_now;          /* handles held */
};
void tern_lookups_stats(const struct tern_lookups *r,
                        struct tern_lookup_stats *s);

#endif
