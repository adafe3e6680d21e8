/*
 * NAME
 *   preproc_macro.c - macros: built-ins, -D, definitions, substitution
 *
 * DESCRIPTION
 *   Exim's macros are plain text substitution on physical lines.  The
 *   table is scanned in definition order: built-in macros first, then -D
 *   macros, then the file's definitions.  For each macro every occurrence
 *   of its name is replaced, anywhere in the line, even inside a longer
 *   word (Exim documents that `.ifdef AAA` is true when `A` is defined);
 *   the replacement is not scanned again for the same macro but is for
 *   the macros defined after it.  That is why a new macro's name may not
 *   contain the name of an earlier one.
 *
 *   Built-in macros all start with `_` and an upper-case letter.  Like
 *   Exim, the built-ins are only tried on a line whose first possible
 *   macro name starts with `_`; a line whose first candidate is an
 *   upper-case letter only sees -D and file macros.  This is what lets a
 *   user macro such as MY_HAVE_TLS coexist with the built-in _HAVE_TLS.
 *
 *   Built-ins come from the installed schemas: every `macro` line, a
 *   `_DRIVER_ROUTER_X` (TRANSPORT, AUTHENTICATOR) for every driver
 *   provided, and an `_OPT_...` macro for every option:
 *   _OPT_MAIN_X, _OPT_ROUTERS_X (generic), _OPT_ROUTER_D_X (private to
 *   driver D), likewise TRANSPORTS/TRANSPORT_ and AUTHENTICATORS/
 *   AUTHENTICATOR_.  Their value is "y", as in Exim.  They are scanned
 *   longest first, so a name that contains another is found first.
 *
 * DIAGNOSTICS
 *   `=` for a name already defined (with a note at the first definition),
 *   `==` for a name never defined, a name containing an earlier macro's
 *   name, and malformed or duplicated -D options.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "preproc_int.h"

static struct cc_pp_macro *
add_macro(struct cc_pp_macros *m)
{
    m->v = cc_pp_grow(m->v, &m->cap, m->n + 1, sizeof *m->v);
    struct cc_pp_macro *x = &m->v[m->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* ---- built-ins ---- */

struct name_list {
    char **v;
    size_t n, cap;
};

static void
add_name(struct name_list *l, struct tern_arena *a, const char *prefix,
         const char *mid, const char *name)
{
    /* Exim makes the names from its option tables; names with anything
     * but letters, digits and `_` (families such as acl_c*) get none. */
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return;
    if (mid)
        for (const char *p = mid; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_')
                return;
    char *s = mid ? tern_printf(a, "%s%s_%s", prefix, mid, name)
                  : tern_printf(a, "%s%s", prefix, name);
    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    l->v = cc_pp_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = s;
}

static int
installed(const struct tern_schema_set *set, size_t i)
{
    return set->installed == NULL || set->installed[i];
}

/* A module may add options to another module's driver; they exist only
 * while that driver is installed too. */
static int
driver_installed(const struct tern_schema_set *set, const char *kind,
                 const char *name)
{
    for (size_t i = 0; i < set->n; i++) {
        if (!installed(set, i))
            continue;
        const struct tern_schema *s = set->schemas[i];
        for (size_t j = 0; j < s->n_provides; j++)
            if (strcmp(s->provides[j].kind, kind) == 0 &&
                strcmp(s->provides[j].name, name) == 0)
                return 1;
    }
    return 0;
}

static const struct {
    const char *kind;           /* scope and provides kind */
    const char *generic;        /* _OPT_ROUTERS_ */
    const char *priv;           /* _OPT_ROUTER_ */
    const char *driver;         /* _DRIVER_ROUTER_ */
} kinds[] = {
    { "router", "_OPT_ROUTERS_", "_OPT_ROUTER_", "_DRIVER_ROUTER_" },
    { "transport", "_OPT_TRANSPORTS_", "_OPT_TRANSPORT_",
      "_DRIVER_TRANSPORT_" },
    { "auth", "_OPT_AUTHENTICATORS_", "_OPT_AUTHENTICATOR_",
      "_DRIVER_AUTHENTICATOR_" },
};

static void
option_macro(struct name_list *l, struct tern_arena *a,
             const struct tern_schema_set *set,
             const struct tern_schema_option *o)
{
    if (strcmp(o->scope, "main") == 0) {
        add_name(l, a, "_OPT_MAIN_", NULL, o->name);
        return;
    }
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t kl = strlen(kinds[k].kind);
        if (strncmp(o->scope, kinds[k].kind, kl) != 0)
            continue;
        if (o->scope[kl] == '\0') {
            add_name(l, a, kinds[k].generic, NULL, o->name);
        } else if (o->scope[kl] == ':') {
            const char *drv = o->scope + kl + 1;
            if (driver_installed(set, kinds[k].kind, drv))
                add_name(l, a, kinds[k].priv, drv, o->name);
        }
        return;
    }
}

static void
schema_macros(struct name_list *l, struct tern_arena *a,
              const struct tern_schema_set *set, const struct tern_schema *s)
{
    for (size_t j = 0; j < s->n_macros; j++)
        add_name(l, a, "", NULL, s->macros[j]);
    for (size_t j = 0; j < s->n_provides; j++)
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            if (strcmp(s->provides[j].kind, kinds[k].kind) == 0)
                add_name(l, a, kinds[k].driver, NULL, s->provides[j].name);
    for (size_t j = 0; j < s->n_options; j++)
        option_macro(l, a, set, &s->options[j]);
}

static int
cmp_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
cmp_macro_name(const void *x, const void *y)
{
    const struct cc_pp_macro *const *p = x, *const *q = y;
    return strcmp((*p)->name, (*q)->name);
}

static int
cmp_longest(const void *x, const void *y)
{
    const struct cc_pp_macro *p = x, *q = y;
    if (p->namelen != q->namelen)
        return p->namelen > q->namelen ? -1 : 1;
    return strcmp(p->name, q->name);
}

void
cc_pp_macros_builtin(struct cc_pp_macros *m, struct tern_arena *a,
                     const struct tern_schema_set *set)
{
    struct name_list l = { 0 };

    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        if (installed(set, i))
            schema_macros(&l, a, set, set->schemas[i]);
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, cmp_name);
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0 && strcmp(l.v[i], l.v[i - 1]) == 0)
            continue;                       /* declared twice: once */
        struct cc_pp_macro *x = add_macro(m);
        x->name = l.v[i];
        x->namelen = strlen(l.v[i]);
        x->value = "y";
        x->builtin = 1;
    }
    m->n_builtin = m->n;
    if (m->n > 1)
        qsort(m->v, m->n, sizeof *m->v, cmp_longest);
    free(l.v);
}

/* ---- -D ---- */

static struct cc_pp_macro *
find_user(const struct cc_pp_macros *m, const char *name, size_t len)
{
    for (size_t k = m->n_builtin; k < m->n; k++)
        if (m->v[k].namelen == len && memcmp(m->v[k].name, name, len) == 0)
            return &m->v[k];
    return NULL;
}

int
cc_pp_macros_cmdline(struct cc_pp_macros *m, struct tern_arena *a,
                     const char **defs, size_t n, struct tern_diags *d)
{
    struct tern_srcpos cl = { .file = "command line" };
    int bad = 0;

    for (size_t i = 0; i < n; i++) {
        const char *s = defs[i];
        size_t len = strlen(s), p = cc_pp_skip_blanks(s, 0, len), q = p;

        if (p == len || !isupper((unsigned char)s[p])) {
            tern_diag_add(d, TERN_ERROR_SEV, &cl, NULL,
                          "-D%s: a macro name must start with an upper-case "
                          "letter", s);
            bad = 1;
            continue;
        }
        while (q < len && (isalnum((unsigned char)s[q]) || s[q] == '_'))
            q++;
        size_t r = cc_pp_skip_blanks(s, q, len);
        if (r < len && s[r] != '=') {
            tern_diag_add(d, TERN_ERROR_SEV, &cl,
                          "write -DNAME or -DNAME=value",
                          "-D%s: malformed macro definition", s);
            bad = 1;
            continue;
        }
        if (find_user(m, s + p, q - p) != NULL) {
            tern_diag_add(d, TERN_ERROR_SEV, &cl, NULL,
                          "-D%s: macro '%.*s' is defined twice on the "
                          "command line", s, (int)(q - p), s + p);
            bad = 1;
            continue;
        }
        size_t v = r < len ? cc_pp_skip_blanks(s, r + 1, len) : len;
        size_t e = len;
        while (e > v && cc_pp_is_blank((unsigned char)s[e - 1]))
            e--;
        struct cc_pp_macro *x = add_macro(m);
        x->name = tern_strndup(a, s + p, q - p);
        x->namelen = q - p;
        x->value = tern_strndup(a, s + v, e - v);
        x->cmdline = 1;
    }
    return bad ? -1 : 0;
}

/* ---- substitution ---- */

static int
may_start_name(const char *s, size_t i, size_t len)
{
    return isupper((unsigned char)s[i]) ||
           (s[i] == '_' && i + 1 < len && isupper((unsigned char)s[i + 1]));
}

size_t
cc_pp_def_skip(const char *s, size_t len, size_t first)
{
    size_t i = first;
    if (i >= len || !isupper((unsigned char)s[i]))
        return first;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    i = cc_pp_skip_blanks(s, i, len);
    return i < len && s[i] == '=' ? i : first;
}

int
cc_pp_macros_expand(const struct cc_pp_macros *m, struct cc_pp_text *t,
                    size_t from)
{
    size_t c = from;
    while (c < t->len && !may_start_name(t->s, c, t->len))
        c++;
    if (c >= t->len)
        return 0;

    int found = 0;
    for (size_t k = t->s[c] == '_' ? 0 : m->n_builtin; k < m->n; k++) {
        const struct cc_pp_macro *x = &m->v[k];
        size_t vlen = strlen(x->value), at = c;
        while (at < t->len) {
            const char *p = memmem(t->s + at, t->len - at, x->name,
                                   x->namelen);
            if (p == NULL)
                break;
            size_t i = (size_t)(p - t->s);
            cc_pp_text_replace(t, i, x->namelen, x->value, vlen);
            at = i + vlen;
            found = 1;
        }
    }
    return found;
}

/* ---- definitions from the file ---- */

int
cc_pp_macros_define(struct cc_pp_macros *m, struct tern_arena *a,
                    const struct cc_line *l, struct tern_diags *d)
{
    const char *s = l->text;
    size_t len = l->len, n = 0;
    while (n < len && (isalnum((unsigned char)s[n]) || s[n] == '_'))
        n++;
    size_t i = cc_pp_skip_blanks(s, n, len);
    if (n == 0 || i >= len || s[i] != '=')
        return 0;
    int redef = i + 1 < len && s[i + 1] == '=';
    i = cc_pp_skip_blanks(s, i + (redef ? 2 : 1), len);

    char *name = tern_strndup(a, s, n);
    struct tern_srcpos np = cc_line_pos(l, 0, (unsigned)n);
    struct cc_pp_macro *old = NULL;

    for (size_t k = m->n_builtin; k < m->n; k++) {
        const struct cc_pp_macro *x = &m->v[k];
        if (x->namelen == n && strcmp(x->name, name) == 0) {
            old = &m->v[k];
            break;
        }
        if (x->namelen < n && strstr(name, x->name) != NULL) {
            char *hint = tern_printf(a, "define '%s' before '%s', or rename "
                                     "one of them", name, x->name);
            tern_diag_add(d, TERN_ERROR_SEV, &np, hint,
                          "'%s' cannot be defined as a macro because the "
                          "previously defined macro '%s' is a substring",
                          name, x->name);
            return 1;
        }
    }
    if (old != NULL && old->cmdline)
        return 1;                   /* -D wins over the file */
    if (old != NULL && !redef) {
        char *hint = tern_printf(a, "write '%s == ...' to redefine it", name);
        tern_diag_add(d, TERN_ERROR_SEV, &np, hint,
                      "macro '%s' is already defined", name);
        if (old->pos.line != 0)
            tern_diag_add(d, TERN_NOTE, &old->pos, NULL,
                          "'%s' was first defined here", name);
        return 1;
    }
    if (old == NULL && redef) {
        char *hint = tern_printf(a, "write '%s = ...' to define it", name);
        tern_diag_add(d, TERN_ERROR_SEV, &np, hint,
                      "cannot redefine macro '%s': it is not defined", name);
        return 1;
    }
    char *value = tern_strndup(a, s + i, len - i);
    if (old != NULL) {
        old->value = value;         /* keeps its place in the scan order */
        return 1;
    }
    struct cc_pp_macro *x = add_macro(m);
    x->name = name;
    x->namelen = n;
    x->value = value;
    x->pos = np;
    return 1;
}

/* ---- results ---- */

void
cc_pp_macros_export(const struct cc_pp_macros *m, struct tern_arena *a,
                    struct cc_lines *out)
{
    out->n_macros = m->n;
    out->macros = tern_alloc(a, m->n * sizeof *out->macros);

    const struct cc_pp_macro **b = malloc((m->n_builtin + 1) * sizeof *b);
    if (b == NULL) {
        fputs("tern: out of memory\n", stderr);
        exit(1);
    }
    for (size_t k = 0; k < m->n_builtin; k++)
        b[k] = &m->v[k];
    if (m->n_builtin > 1)
        qsort(b, m->n_builtin, sizeof *b, cmp_macro_name);

    size_t o = 0;
    for (size_t k = 0; k < m->n_builtin; k++, o++) {
        out->macros[o].name = b[k]->name;
        out->macros[o].value = b[k]->value;
        out->macros[o].builtin = 1;
    }
    for (size_t k = m->n_builtin; k < m->n; k++, o++) {
        out->macros[o].name = m->v[k].name;
        out->macros[o].value = m->v[k].value;
        out->macros[o].builtin = 0;
    }
    free(b);
}

void
cc_pp_macros_free(struct cc_pp_macros *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}
