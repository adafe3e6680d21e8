/*
 * NAME
 *   expand_names.c - what a string parsed at run time may name
 *
 * SYNOPSIS
 *   rt->exp_schema.known = host_names_known;  rt->exp_schema.arg = rt;
 *   tern_exp_parse(a, s, len, &rt->exp_schema, 0, &e, &perr);
 *
 * DESCRIPTION
 *   confc checks every expansion of the configuration against the
 *   schemas when it compiles.  Strings the host parses itself (-be input,
 *   ${expand:..}, options until the plan carries parsed expansions) are
 *   checked the same way here: variables, lookup types and expansion
 *   items are those the installed schemas provide (core.schema lists
 *   Exim's own variables), so a module that is installed but not named by
 *   the plan can still be used from -be; the host loads it on first use.
 *
 *   The names are gathered once, at the first question, into one sorted
 *   array searched by bisection; `NAME*` families are kept apart and
 *   tried by prefix.  The acl_c and acl_m families follow Exim's rule:
 *   the bare name, or a sixth character that is a digit or underscore.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <tern/module.h>

#include "ctx.h"
#include "host.h"

struct host_name {
    unsigned kind;              /* TERN_EXP_VARIABLE, _LOOKUP, _ITEM */
    const char *name;
    size_t len;
    struct tern_exp_known info;
};

struct host_names {
    struct host_name *v;        /* exact names, sorted by (kind, name) */
    size_t n, cap;
    struct host_name *fam;      /* families: name is the prefix */
    size_t n_fam, cap_fam;
};

static void
push(struct host_name **v, size_t *n, size_t *cap, const struct host_name *x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct host_name *p = realloc(*v, c * sizeof *p);

        if (p == NULL) {
            fprintf(stderr, "tern: out of memory\n");
            exit(HOST_EXIT_FAIL);
        }
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = *x;
}

static int
cmp_name(unsigned ka, const char *a, size_t la, unsigned kb, const char *b,
         size_t lb)
{
    if (ka != kb)
        return ka < kb ? -1 : 1;
    int c = memcmp(a, b, la < lb ? la : lb);

    if (c != 0)
        return c;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

static int
cmp_entry(const void *x, const void *y)
{
    const struct host_name *a = x, *b = y;

    return cmp_name(a->kind, a->name, a->len, b->kind, b->name, b->len);
}

/* One `provides` line of an installed schema. */
static void
add_provide(struct host_names *n, const struct tern_schema_provide *p)
{
    struct host_name x;

    memset(&x, 0, sizeof x);
    if (strcmp(p->kind, "variable") == 0) {
        x.kind = TERN_EXP_VARIABLE;
    } else if (strcmp(p->kind, "lookup") == 0) {
        x.kind = TERN_EXP_LOOKUP;
        x.info.lookup_style = strncmp(p->args, "query", 5) == 0
                              ? TERN_LOOKUP_QUERY : TERN_LOOKUP_SINGLE_KEY;
    } else if (strcmp(p->kind, "expansion_item") == 0) {
        unsigned lo = 0, hi = 0;

        x.kind = TERN_EXP_ITEM;
        if (sscanf(p->args, "%u %u", &lo, &hi) != 2)
            hi = lo;
        x.info.min_args = lo;
        x.info.max_args = hi;
    } else {
        return;
    }
    x.name = p->name;
    x.len = strlen(p->name);
    if (x.len > 0 && x.name[x.len - 1] == '*') {
        x.len--;
        push(&n->fam, &n->n_fam, &n->cap_fam, &x);
    } else {
        push(&n->v, &n->n, &n->cap, &x);
    }
}

static struct host_names *
build(struct host_runtime *rt)
{
    const struct tern_schema_set *set = &rt->hc->schemas;
    struct host_names *n = calloc(1, sizeof *n);

    if (n == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    for (size_t i = 0; rt->hc->have_schemas && i < set->n; i++) {
        if (set->installed != NULL && !set->installed[i])
            continue;
        for (size_t j = 0; j < set->schemas[i]->n_provides; j++)
            add_provide(n, &set->schemas[i]->provides[j]);
    }
    if (n->n > 1)
        qsort(n->v, n->n, sizeof *n->v, cmp_entry);
    return n;
}

void
host_names_free(struct host_names *n)
{
    if (n == NULL)
        return;
    free(n->v);
    free(n->fam);
    free(n);
}

static const struct host_name *
find(const struct host_names *n, unsigned kind, const char *name, size_t len)
{
    size_t lo = 0, hi = n->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct host_name *e = &n->v[mid];
        int c = cmp_name(kind, name, len, e->kind, e->name, e->len);

        if (c == 0)
            return e;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* $acl_c..., $acl_m...: Exim wants "acl_c" alone or a digit or an
 * underscore next. */
static int
acl_family_ok(const char *name, size_t len, size_t plen)
{
    if (plen != 5 || (memcmp(name, "acl_c", 5) != 0 &&
                      memcmp(name, "acl_m", 5) != 0))
        return 1;
    return len == 5 || name[5] == '_' || (name[5] >= '0' && name[5] <= '9');
}

static int
family(const struct host_names *n, const char *name, size_t len)
{
    for (size_t i = 0; i < n->n_fam; i++) {
        const struct host_name *f = &n->fam[i];

        if (f->kind == TERN_EXP_VARIABLE && len >= f->len &&
            memcmp(name, f->name, f->len) == 0)
            return acl_family_ok(name, len, f->len);
    }
    return 0;
}

int
host_names_known(void *arg, unsigned kind, const char *name, size_t len,
                 struct tern_exp_known *info)
{
    struct host_runtime *rt = arg;
    const struct host_name *e;

    if (rt->names == NULL)
        rt->names = build(rt);
    e = find(rt->names, kind, name, len);
    if (e != NULL) {
        *info = e->info;
        return 1;
    }
    return kind == TERN_EXP_VARIABLE && family(rt->names, name, len);
}
