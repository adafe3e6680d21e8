/*
 * NAME
 *   optview.c - option values as -bP shows them: the plan over the schemas
 *
 * SYNOPSIS
 *   n = host_optview_scope(hc, "main", cfg->main, cfg->n_main, &rows);
 *   for (i = 0; i < n; i++) host_optview_print(hc, &rows[i], stdout);
 *
 * DESCRIPTION
 *   A plan holds only the options a configuration sets; everything else
 *   has the default its schema declares.  This file lists every option of
 *   a scope that an installed schema declares, sorted by name as Exim
 *   prints them, and gives each the value from the plan or the parsed
 *   schema default.  Printing follows Exim's -bP: `name = value`, `name`
 *   or `no_name` for booleans, `name = ` for an unset value, and
 *   `<value not displayable>` for a secret shown to a non-admin caller.
 *
 * DIAGNOSTICS
 *   A schema default that does not parse as its own type is shown as
 *   written (schemagen and the schema tests are where that is caught).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tern/option.h>
#include "host.h"
#include "optval.h"

int
host_is_admin(void)
{
    return getuid() == 0 || geteuid() == 0;
}

static const struct tern_cfg_option *
find_set(const struct tern_cfg_option *set, size_t n_set, const char *name)
{
    for (size_t i = 0; i < n_set; i++) {
        if (set[i].name != NULL && strcmp(set[i].name, name) == 0)
            return &set[i];
    }
    return NULL;
}

static void
default_value(struct host_conf *hc, const struct tern_schema_option *o,
              struct tern_value *v)
{
    const char *err = NULL;
    unsigned col = 0;

    memset(v, 0, sizeof *v);
    v->type = o->type;
    if (o->dflt == NULL)
        return;
    if (tern_optval_parse(hc->arena, o->type, o->dflt, 0, v, &err,
                          &col) != 0) {
        memset(v, 0, sizeof *v);
        v->type = o->type;
        v->is_set = 1;
        v->text = o->dflt;
    }
}

static int
cmp_rows(const void *a, const void *b)
{
    const struct host_optview *x = a, *y = b;

    return strcmp(x->name, y->name);
}

static int
seen(const struct host_optview *rows, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name) == 0)
            return 1;
    }
    return 0;
}

/* Options of `scope` in installed schemas; the first declaration of a
 * name wins (core comes first in the set). */
static size_t
collect(struct host_conf *hc, const char *scope, struct host_optview **out)
{
    const struct tern_schema_set *set = &hc->schemas;
    struct host_optview *rows;
    size_t total = 0, n = 0;

    for (size_t i = 0; i < set->n; i++)
        total += set->schemas[i]->n_options;
    rows = tern_alloc(hc->arena, (total ? total : 1) * sizeof *rows);
    for (size_t i = 0; i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];

        if (set->installed != NULL && !set->installed[i])
            continue;
        for (size_t j = 0; j < s->n_options; j++) {
            const struct tern_schema_option *o = &s->options[j];

            if (strcmp(o->scope, scope) != 0 || seen(rows, n, o->name))
                continue;
            rows[n].name = o->name;
            rows[n].def = o;
            n++;
        }
    }
    *out = rows;
    return n;
}

size_t
host_optview_scope(struct host_conf *hc, const char *scope,
                   const struct tern_cfg_option *set, size_t n_set,
                   struct host_optview **out)
{
    size_t n = collect(hc, scope, out);
    struct host_optview *rows = *out;

    for (size_t i = 0; i < n; i++) {
        const struct tern_cfg_option *o = find_set(set, n_set, rows[i].name);

        if (o != NULL)
            rows[i].value = o->value;
        else
            default_value(hc, rows[i].def, &rows[i].value);
    }
    if (n > 1)
        qsort(rows, n, sizeof *rows, cmp_rows);
    return n;
}

void
host_optview_print(struct host_conf *hc, const struct host_optview *v,
                   FILE *out)
{
    unsigned type = v->def ? v->def->type : v->value.type;
    unsigned flags = v->def ? v->def->flags : 0;

    if (type == TERN_T_BOOL) {
        fprintf(out, "%s%s\n", v->value.is_set && v->value.num ? "" : "no_",
                v->name);
    } else if ((flags & TERN_F_SECRET) && !host_is_admin()) {
        fprintf(out, "%s = <value not displayable>\n", v->name);
    } else if (!v->value.is_set) {
        fprintf(out, "%s = \n", v->name);
    } else {
        const char *text = tern_optval_format(hc->arena, &v->value);

        fprintf(out, "%s = %s\n", v->name, text ? text : "");
    }
}
