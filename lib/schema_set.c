/*
 * NAME
 *   schema_set.c - every schema on the schema path, and queries on them
 *
 * DESCRIPTION
 *   confc checks a configuration against exactly the modules installed,
 *   but it knows the schemas of modules that are not installed too, so
 *   that it can say "option X belongs to module Y, which is not
 *   installed" instead of only "unknown option".  The first directory on
 *   the path that holds NAME.schema wins; core.schema is always first in
 *   the set and always counts as installed.
 *
 *   Option queries are exact on the scope: "router:redirect" finds only
 *   the redirect router's private options, "router" only the generic
 *   ones; the caller decides the order (private first, as Exim does).
 *
 * DIAGNOSTICS
 *   Schema parse errors with file:line:col; a missing core.schema.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "schema.h"

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
have_module(const struct tern_schema_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->schemas[i]->module, name) == 0)
            return 1;
    }
    return 0;
}

/* Names of the *.schema files in `dir`, sorted (so the order is stable). */
static size_t
schema_files(const char *dir, char ***out)
{
    DIR *dp = opendir(dir);
    struct tern_vec v = { 0 };
    struct dirent *de;

    *out = NULL;
    if (dp == NULL)
        return 0;
    while ((de = readdir(dp)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n > 7 && strcmp(de->d_name + n - 7, ".schema") == 0 &&
            de->d_name[0] != '.') {
            char *s = strdup(de->d_name);
            if (s != NULL)
                tern_vec_push(&v, s);
        }
    }
    closedir(dp);
    if (v.len > 1)
        qsort(v.items, v.len, sizeof *v.items, cmp_str);
    *out = (char **)v.items;
    return v.len;
}

static void
add_schema(struct tern_schema_set *set, struct tern_vec *list,
           struct tern_schema *s, int core)
{
    tern_vec_push(list, s);
    if (core && list->len > 1) {
        /* keep core first */
        void *t = list->items[list->len - 1];
        memmove(list->items + 1, list->items,
                (list->len - 1) * sizeof *list->items);
        list->items[0] = t;
    }
    set->schemas = (struct tern_schema **)list->items;
    set->n = list->len;
}

int
tern_schema_set_load(struct tern_schema_set *set, const char *schema_path,
                     int (*is_installed)(const char *module, void *arg),
                     void *arg, struct tern_diags *d)
{
    struct tern_vec list = { 0 };
    char *path = strdup(schema_path ? schema_path : "");
    int rc = 0;

    memset(set, 0, sizeof *set);
    set->arena = tern_arena_new();
    for (char *dir = path, *next; dir != NULL && *dir; dir = next) {
        next = strchr(dir, ':');
        if (next != NULL)
            *next++ = '\0';
        char **names;
        size_t n = schema_files(dir, &names);
        for (size_t i = 0; i < n; i++) {
            char *file = tern_printf(set->arena, "%s/%s", dir, names[i]);
            names[i][strlen(names[i]) - 7] = '\0';
            if (!have_module(set, names[i])) {
                struct tern_schema *s = tern_schema_load(set->arena, file, d);
                if (s == NULL)
                    rc = -1;
                else if (strcmp(s->module, names[i]) != 0) {
                    struct tern_srcpos p = { .file = file };
                    tern_diag_add(d, TERN_ERROR_SEV, &p, NULL,
                                  "schema declares module '%s' but is named "
                                  "%s.schema", s->module, names[i]);
                    rc = -1;
                } else
                    add_schema(set, &list, s, strcmp(s->module, "core") == 0);
            }
            free(names[i]);
        }
        free(names);
    }
    free(path);
    if (!have_module(set, "core")) {
        struct tern_srcpos p = { .file = schema_path };
        tern_diag_add(d, TERN_ERROR_SEV, &p, NULL,
                      "core.schema not found on the schema path");
        rc = -1;
    }
    set->installed = tern_alloc(set->arena, (set->n + 1) * sizeof(int));
    for (size_t i = 0; i < set->n; i++) {
        const char *m = set->schemas[i]->module;
        set->installed[i] = strcmp(m, "core") == 0 ||
                            (is_installed != NULL && is_installed(m, arg));
    }
    return rc;
}

void
tern_schema_set_free(struct tern_schema_set *set)
{
    free(set->schemas);
    tern_arena_free(set->arena);
    memset(set, 0, sizeof *set);
}

static const struct tern_schema_option *
find_option(const struct tern_schema_set *set, const char *scope,
            const char *name, const struct tern_schema **owner,
            int want_installed)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];
        int inst = set->installed == NULL || set->installed[i];
        if (inst != want_installed)
            continue;
        for (size_t j = 0; j < s->n_options; j++) {
            const struct tern_schema_option *o = &s->options[j];
            if (strcmp(o->name, name) == 0 && strcmp(o->scope, scope) == 0) {
                if (owner)
                    *owner = s;
                return o;
            }
        }
    }
    return NULL;
}

const struct tern_schema_option *
tern_schema_find_option(const struct tern_schema_set *set, const char *scope,
                        const char *name, const struct tern_schema **owner)
{
    return find_option(set, scope, name, owner, 1);
}

const struct tern_schema_option *
tern_schema_find_uninstalled_option(const struct tern_schema_set *set,
                                    const char *scope, const char *name,
                                    const struct tern_schema **owner)
{
    return find_option(set, scope, name, owner, 0);
}

const struct tern_schema *
tern_schema_find_provider(const struct tern_schema_set *set, const char *kind,
                          const char *name, int any)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];
        if (!any && set->installed != NULL && !set->installed[i])
            continue;
        for (size_t j = 0; j < s->n_provides; j++) {
            if (strcmp(s->provides[j].kind, kind) == 0 &&
                strcmp(s->provides[j].name, name) == 0)
                return s;
        }
    }
    return NULL;
}

/* Is `cand` close enough to `name` to suggest? */
static size_t
closeness(const char *name, const char *cand)
{
    size_t dist = tern_edit_distance(name, cand);
    size_t n = strlen(name);
    if (dist <= 2 && dist < n)
        return dist;
    if (n >= 4 && strncmp(cand, name, n) == 0)
        return 3;               /* a prefix: weaker than a typo */
    return (size_t)-1;
}

const char *
tern_schema_suggest_option(const struct tern_schema_set *set,
                           const char *scope, const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    const char *colon = strchr(scope, ':');
    size_t generic_len = colon ? (size_t)(colon - scope) : strlen(scope);

    for (size_t i = 0; i < set->n; i++) {
        if (set->installed != NULL && !set->installed[i])
            continue;
        const struct tern_schema *s = set->schemas[i];
        for (size_t j = 0; j < s->n_options; j++) {
            const struct tern_schema_option *o = &s->options[j];
            if (strcmp(o->scope, scope) != 0 &&
                !(strlen(o->scope) == generic_len &&
                  strncmp(o->scope, scope, generic_len) == 0))
                continue;
            size_t dist = closeness(name, o->name);
            if (dist < best_d) {
                best_d = dist;
                best = o->name;
            }
        }
    }
    return best;
}

const char *
tern_schema_suggest_provide(const struct tern_schema_set *set,
                            const char *kind, const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;

    for (size_t i = 0; i < set->n; i++) {
        if (set->installed != NULL && !set->installed[i])
            continue;
        const struct tern_schema *s = set->schemas[i];
        for (size_t j = 0; j < s->n_provides; j++) {
            if (strcmp(s->provides[j].kind, kind) != 0)
                continue;
            size_t dist = closeness(name, s->provides[j].name);
            if (dist < best_d) {
                best_d = dist;
                best = s->provides[j].name;
            }
        }
    }
    return best;
}
