/*
 * NAME
 *   schema.h - reading schema files (docs/schema-format.md)
 *
 * DESCRIPTION
 *   tern_schema_parse() reads one schema; a tern_schema_set holds every
 *   schema found on a search path together with which modules are
 *   installed, and answers the questions confc asks: is this option valid
 *   in this scope, which module provides driver X, what did the user mean.
 */
#ifndef TERN_SCHEMA_H
#define TERN_SCHEMA_H

#include <stddef.h>
#include "diag.h"

struct tern_arena;

struct tern_schema_option {
    const char *scope;          /* "main", "router", "transport:smtp" ... */
    const char *name;
    unsigned type;              /* enum tern_opt_type */
    unsigned flags;             /* enum tern_opt_flag */
    const char *dflt;           /* NULL = unset */
    const char *doc;            /* may be NULL */
    unsigned line;              /* where it is declared */
};

struct tern_schema_provide {
    const char *kind;           /* "router", "lookup", "acl_control" ... */
    const char *name;
    const char *args;           /* rest of the line, "" when none */
};

struct tern_schema {
    const char *path;
    const char *module;
    const char *version;
    const char *summary;
    const char *package;        /* may be NULL */
    int schema_only;            /* status schema-only */
    unsigned long long hash;
    const char **macros;        size_t n_macros;
    struct tern_schema_provide *provides; size_t n_provides;
    struct tern_schema_option *options;   size_t n_options;
};

/* Parse `text` (read from `path`); errors go to `d` with file:line:col.
 * Returns NULL when there were errors. */
struct tern_schema *tern_schema_parse(struct tern_arena *a, const char *path,
                                      const char *text, struct tern_diags *d);
struct tern_schema *tern_schema_load(struct tern_arena *a, const char *path,
                                     struct tern_diags *d);

/* Type names <-> enum tern_opt_type; 0 / NULL when unknown. */
unsigned tern_type_from_name(const char *name);
const char *tern_type_name(unsigned type);

/* ---- the set of known schemas ---- */

struct tern_schema_set {
    struct tern_arena *arena;
    struct tern_schema **schemas;   /* core first */
    size_t n;
    int *installed;                 /* per schema: module object found */
};

/* Load core.schema and every NAME.schema from the colon-separated
 * `schema_path`; a module counts as installed when `is_installed(name)`
 * says so (the host checks its module path or preopened list). */
int tern_schema_set_load(struct tern_schema_set *set, const char *schema_path,
                         int (*is_installed)(const char *module, void *arg),
                         void *arg, struct tern_diags *d);
void tern_schema_set_free(struct tern_schema_set *set);

/* Find an option of `scope` (generic or driver scope) among installed
 * schemas; *owner gets the schema it came from. NULL when unknown. */
const struct tern_schema_option *
tern_schema_find_option(const struct tern_schema_set *set, const char *scope,
                        const char *name, const struct tern_schema **owner);

/* Same search, but among schemas that are known and not installed: for
 * "option X is provided by module Y, which is not installed". */
const struct tern_schema_option *
tern_schema_find_uninstalled_option(const struct tern_schema_set *set,
                                    const char *scope, const char *name,
                                    const struct tern_schema **owner);

/* Who provides `kind` `name` (e.g. "transport" "smtp"); installed only
 * unless `any`. */
const struct tern_schema *
tern_schema_find_provider(const struct tern_schema_set *set, const char *kind,
                          const char *name, int any);

/* Closest known name (edit distance <= 2 or a prefix match) among the
 * options valid in `scope` (scopes "router:redirect" also search
 * "router"); NULL when nothing is close. */
const char *tern_schema_suggest_option(const struct tern_schema_set *set,
                                       const char *scope, const char *name);
const char *tern_schema_suggest_provide(const struct tern_schema_set *set,
                                        const char *kind, const char *name);

#endif
