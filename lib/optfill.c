/*
 * NAME
 *   optfill.c - filling generated option structs (see optfill.h)
 *
 * DESCRIPTION
 *   Values already parsed by confc are taken as they are (the plan holds
 *   the number); defaults are parsed here from the schema text, which is
 *   what confc would have parsed had the option been written out.  User
 *   and group names are resolved now, so a missing user is reported when
 *   the configuration is loaded, not in the middle of a delivery.
 *
 * DIAGNOSTICS
 *   "option exim_user: unknown user" and the like.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "optfill.h"
#include "optval.h"

const struct tern_cfg_option *
tern_cfg_find_option(const struct tern_cfg_option *set, size_t n,
                     const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].name != NULL && strcmp(set[i].name, name) == 0)
            return &set[i];
    }
    return NULL;
}

static void
store(const struct tern_option_def *d, void *values,
      const struct tern_value *v)
{
    char *field = (char *)values + d->offset;

    if (d->flags & TERN_F_EXPAND) {
        struct tern_text t = { v->is_set ? v->text : NULL, NULL };
        memcpy(field, &t, sizeof t);
        return;
    }
    switch (d->type) {
    case TERN_T_BOOL: case TERN_T_TIME: case TERN_T_FIXED: {
        int x = v->is_set ? (int)v->num : 0;
        memcpy(field, &x, sizeof x);
        break;
    }
    case TERN_T_INT: case TERN_T_MKINT: case TERN_T_OCTINT: case TERN_T_KINT: {
        long long x = v->is_set ? v->num : 0;
        memcpy(field, &x, sizeof x);
        break;
    }
    case TERN_T_UID: case TERN_T_GID: {
        long x = v->is_set ? (long)v->num : -1;
        memcpy(field, &x, sizeof x);
        break;
    }
    default: {
        struct tern_text t = { v->is_set ? v->text : NULL, NULL };
        memcpy(field, &t, sizeof t);
        break;
    }
    }
}

int
tern_opts_fill(struct tern_arena *a, const struct tern_option_def *defs,
               void *values, const struct tern_cfg_option *set, size_t n_set,
               char *err, size_t errlen)
{
    for (const struct tern_option_def *d = defs; d->name != NULL; d++) {
        const struct tern_cfg_option *o = tern_cfg_find_option(set, n_set,
                                                               d->name);
        struct tern_value v = { .type = d->type };
        const char *why = NULL;
        unsigned col = 0;
        const char *text = o ? o->value.text : d->dflt;
        int numeric_id = d->type == TERN_T_UID || d->type == TERN_T_GID;

        if (o != NULL && !numeric_id) {
            v = o->value;
        } else if (text != NULL && (d->flags & TERN_F_EXPAND)) {
            v.is_set = 1;
            v.text = text;
        } else if (text != NULL) {
            if (tern_optval_parse(a, d->type, text, 1, &v, &why, &col) != 0) {
                snprintf(err, errlen, "option %s: %s (value \"%s\")",
                         d->name, why, text);
                return -1;
            }
        }
        store(d, values, &v);
    }
    return 0;
}
