/*
 * NAME
 *   schema.c - parsing one schema file (docs/schema-format.md)
 *
 * DESCRIPTION
 *   The same parser serves tern-schemagen (build time), confc and the
 *   host, so the generated option tables, the compiler's checks and -bV
 *   can never disagree about what a module declares.  The schema hash is
 *   computed here from a canonical rendering of the declarations that
 *   affect a configuration.
 *
 * DIAGNOSTICS
 *   file:line:col: error: ... for unknown declarations, types, flags,
 *   provide kinds and scopes, malformed names and quoting, duplicate
 *   options within a scope, and a missing `module` line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "schema.h"
#include "tern/option.h"

#define MAX_WORDS 64

static const char *const type_names[TERN_T_MAX + 1] = {
    [TERN_T_BOOL] = "bool", [TERN_T_INT] = "int", [TERN_T_MKINT] = "mkint",
    [TERN_T_OCTINT] = "octint", [TERN_T_TIME] = "time",
    [TERN_T_TIMELIST] = "timelist", [TERN_T_FIXED] = "fixed",
    [TERN_T_STRING] = "string", [TERN_T_UID] = "uid", [TERN_T_GID] = "gid",
    [TERN_T_UIDLIST] = "uidlist", [TERN_T_GIDLIST] = "gidlist",
    [TERN_T_HOSTLIST] = "hostlist", [TERN_T_DOMAINLIST] = "domainlist",
    [TERN_T_LOCALPARTLIST] = "localpartlist",
    [TERN_T_ADDRESSLIST] = "addresslist", [TERN_T_LIST] = "list",
    [TERN_T_REWRITE] = "rewrite", [TERN_T_RULESET] = "ruleset",
    [TERN_T_KINT] = "kint",
};

static const struct { const char *name; unsigned flag; } flag_names[] = {
    { "expand", TERN_F_EXPAND }, { "deprecated", TERN_F_DEPRECATED },
    { "secret", TERN_F_SECRET }, { "inert", TERN_F_INERT },
    { "multi", TERN_F_MULTI },
};

static const char *const provide_kinds[] = {
    "router", "transport", "auth", "lookup", "acl_condition",
    "acl_modifier", "acl_control", "variable", "expansion_item",
    "expansion_operator", "expansion_condition", "router_precondition",
    "log_element", "log_selector", "spool_field", "support", NULL,
};

unsigned
tern_type_from_name(const char *name)
{
    for (unsigned t = 1; t <= TERN_T_MAX; t++) {
        if (strcmp(type_names[t], name) == 0)
            return t;
    }
    return 0;
}

const char *
tern_type_name(unsigned type)
{
    return type >= 1 && type <= TERN_T_MAX ? type_names[type] : NULL;
}

struct word {
    char *text;
    unsigned col;               /* 1-based */
    char *key;                  /* key of key="value", else NULL */
};

struct parse_state {
    struct tern_arena *a;
    struct tern_diags *d;
    struct tern_srcpos pos;
    struct tern_vec macros, provides, options;
    const char *scope;
    struct tern_buf canon;
};

static void
error_at(struct parse_state *ps, unsigned col, unsigned len,
         const char *fmt, const char *arg)
{
    struct tern_srcpos p = ps->pos;
    p.col = col;
    p.len = len;
    tern_diag_add(ps->d, TERN_ERROR_SEV, &p, NULL, fmt, arg);
}

/* Split a line into words; key="..." values are unquoted. */
static int
split_words(struct parse_state *ps, const char *line, struct word *w,
            size_t *n)
{
    const char *p = line;
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n')
            return 0;
        if (*n == MAX_WORDS) {
            error_at(ps, (unsigned)(p - line) + 1, 1, "too many words%s", "");
            return -1;
        }
        struct word *cur = &w[(*n)++];
        const char *start = p;
        cur->col = (unsigned)(p - line) + 1;
        cur->key = NULL;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '"')
            p++;
        if (*p != '"') {
            cur->text = tern_strndup(ps->a, start, (size_t)(p - start));
            continue;
        }
        if (p == start || p[-1] != '=') {
            error_at(ps, (unsigned)(p - line) + 1, 1,
                     "quotes are only allowed in key=\"value\"%s", "");
            return -1;
        }
        cur->key = tern_strndup(ps->a, start, (size_t)(p - start - 1));
        struct tern_buf b = { 0 };
        tern_buf_add(&b, "", 0);
        for (p++; *p != '"'; p++) {
            if (*p == '\0' || *p == '\n') {
                tern_buf_free(&b);
                error_at(ps, cur->col, 1, "unterminated quoted value%s", "");
                return -1;
            }
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            tern_buf_addc(&b, *p);
        }
        p++;
        cur->text = tern_strndup(ps->a, b.data, b.len);
        tern_buf_free(&b);
    }
}

/* Names: lower case, digits, `_`; `upper` also allows capitals (macros,
 * log elements, support words, option families ending in `*`). */
static int
good_name(const char *s, int upper)
{
    if (*s == '\0')
        return 0;
    for (const char *p = s; *p; p++) {
        if (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
            *p == '_' || (upper && (isupper((unsigned char)*p) || *p == '-')))
            continue;
        if (*p == '*' && p[1] == '\0' && p != s)
            continue;
        return 0;
    }
    return 1;
}

static int
good_scope(const char *s)
{
    static const char *const kinds[] = { "router", "transport", "auth" };
    if (strcmp(s, "main") == 0)
        return 1;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(kinds[i]);
        if (strncmp(s, kinds[i], n) == 0 &&
            (s[n] == '\0' || (s[n] == ':' && good_name(s + n + 1, 0))))
            return 1;
    }
    return 0;
}

static void
canon_add(struct parse_state *ps, const struct word *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            tern_buf_addc(&ps->canon, ' ');
        if (w[i].key) {
            tern_buf_adds(&ps->canon, w[i].key);
            tern_buf_addc(&ps->canon, '=');
        }
        tern_buf_adds(&ps->canon, w[i].text);
    }
    tern_buf_addc(&ps->canon, '\n');
}

static void
decl_option(struct parse_state *ps, struct word *w, size_t n)
{
    struct tern_schema_option *o = tern_alloc(ps->a, sizeof *o);
    struct word canon[MAX_WORDS + 1];
    size_t nc = 0;

    if (ps->scope == NULL) {
        error_at(ps, w[0].col, 6, "option before any 'scope' line%s", "");
        return;
    }
    if (n < 3) {
        error_at(ps, w[0].col, 6, "usage: option NAME TYPE [FLAGS]%s", "");
        return;
    }
    if (!good_name(w[1].text, 0) || w[1].key) {
        error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                 "bad option name '%s'", w[1].text);
        return;
    }
    o->scope = ps->scope;
    o->name = w[1].text;
    o->line = ps->pos.line;
    o->type = tern_type_from_name(w[2].text);
    if (o->type == 0) {
        error_at(ps, w[2].col, (unsigned)strlen(w[2].text),
                 "unknown type '%s'", w[2].text);
        return;
    }
    canon[nc++] = (struct word){ .text = "option" };
    canon[nc++] = (struct word){ .text = (char *)ps->scope };
    canon[nc++] = w[1];
    canon[nc++] = w[2];
    for (size_t i = 3; i < n; i++) {
        if (w[i].key && strcmp(w[i].key, "default") == 0) {
            o->dflt = w[i].text;
            canon[nc++] = w[i];
            continue;
        }
        if (w[i].key && strcmp(w[i].key, "doc") == 0) {
            o->doc = w[i].text;
            continue;
        }
        size_t f;
        for (f = 0; f < sizeof flag_names / sizeof flag_names[0]; f++) {
            if (!w[i].key && strcmp(flag_names[f].name, w[i].text) == 0)
                break;
        }
        if (f == sizeof flag_names / sizeof flag_names[0]) {
            error_at(ps, w[i].col, (unsigned)strlen(w[i].text),
                     "unknown option flag '%s'", w[i].text);
            return;
        }
        o->flags |= flag_names[f].flag;
        canon[nc++] = w[i];
    }
    for (size_t i = 0; i < ps->options.len; i++) {
        const struct tern_schema_option *q = ps->options.items[i];
        if (strcmp(q->scope, o->scope) == 0 && strcmp(q->name, o->name) == 0) {
            error_at(ps, w[1].col, (unsigned)strlen(o->name),
                     "option '%s' declared twice in this scope", o->name);
            return;
        }
    }
    canon_add(ps, canon, nc);
    tern_vec_push(&ps->options, o);
}

static void
decl_provides(struct parse_state *ps, struct word *w, size_t n)
{
    if (n < 3) {
        error_at(ps, w[0].col, 8, "usage: provides KIND NAME [ARGS]%s", "");
        return;
    }
    size_t k;
    for (k = 0; provide_kinds[k] != NULL; k++) {
        if (strcmp(provide_kinds[k], w[1].text) == 0)
            break;
    }
    if (provide_kinds[k] == NULL) {
        error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                 "unknown provides kind '%s'", w[1].text);
        return;
    }
    if (!good_name(w[2].text, 1)) {
        error_at(ps, w[2].col, (unsigned)strlen(w[2].text),
                 "bad name '%s'", w[2].text);
        return;
    }
    struct tern_schema_provide *p = tern_alloc(ps->a, sizeof *p);
    p->kind = provide_kinds[k];
    p->name = w[2].text;
    struct tern_buf args = { 0 };
    tern_buf_add(&args, "", 0);
    for (size_t i = 3; i < n; i++) {
        if (i > 3)
            tern_buf_addc(&args, ' ');
        tern_buf_adds(&args, w[i].text);
    }
    p->args = tern_strndup(ps->a, args.data, args.len);
    tern_buf_free(&args);
    canon_add(ps, w, n);
    tern_vec_push(&ps->provides, p);
}

/* The rest of the line after the first word (summary text). */
static const char *
rest_of_line(struct tern_arena *a, const char *line, const struct word *w)
{
    const char *p = line + w->col - 1 + strlen(w->text);
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, "\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return tern_strndup(a, p, n);
}

static void
parse_line(struct parse_state *ps, struct tern_schema *s, const char *line)
{
    struct word w[MAX_WORDS];
    size_t n;
    const char *first = line + strspn(line, " \t");

    if (*first == '#' || split_words(ps, line, w, &n) != 0 || n == 0)
        return;
    const char *kw = w[0].text;
    if (s->module == NULL && strcmp(kw, "module") != 0) {
        error_at(ps, w[0].col, (unsigned)strlen(kw),
                 "the first declaration must be 'module NAME'%s", "");
        s->module = "";
        return;
    }
    if (strcmp(kw, "summary") == 0) {
        s->summary = rest_of_line(ps->a, line, &w[0]);
        return;
    }
    if (strcmp(kw, "option") == 0) {
        decl_option(ps, w, n);
        return;
    }
    if (strcmp(kw, "provides") == 0) {
        decl_provides(ps, w, n);
        return;
    }
    if (n != 2) {
        error_at(ps, w[0].col, (unsigned)strlen(kw),
                 "'%s' takes exactly one argument", kw);
        return;
    }
    if (strcmp(kw, "module") == 0) {
        if (s->module != NULL && *s->module)
            error_at(ps, w[0].col, 6, "second 'module' line%s", "");
        else if (!good_name(w[1].text, 0))
            error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                     "bad module name '%s'", w[1].text);
        else {
            s->module = w[1].text;
            canon_add(ps, w, n);
        }
    } else if (strcmp(kw, "version") == 0) {
        s->version = w[1].text;
    } else if (strcmp(kw, "package") == 0) {
        s->package = w[1].text;
    } else if (strcmp(kw, "status") == 0) {
        if (strcmp(w[1].text, "working") == 0)
            s->schema_only = 0;
        else if (strcmp(w[1].text, "schema-only") == 0)
            s->schema_only = 1;
        else
            error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                     "status must be 'working' or 'schema-only', not '%s'",
                     w[1].text);
    } else if (strcmp(kw, "macro") == 0) {
        if (!good_name(w[1].text, 1) || w[1].text[0] != '_')
            error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                     "built-in macro names start with '_': '%s'", w[1].text);
        else {
            tern_vec_push(&ps->macros, w[1].text);
            canon_add(ps, w, n);
        }
    } else if (strcmp(kw, "scope") == 0) {
        if (!good_scope(w[1].text))
            error_at(ps, w[1].col, (unsigned)strlen(w[1].text),
                     "unknown scope '%s' (main, router, transport, auth, "
                     "or KIND:DRIVER)", w[1].text);
        else
            ps->scope = w[1].text;
    } else {
        error_at(ps, w[0].col, (unsigned)strlen(kw),
                 "unknown declaration '%s'", kw);
    }
}

struct tern_schema *
tern_schema_parse(struct tern_arena *a, const char *path, const char *text,
                  struct tern_diags *d)
{
    struct tern_schema *s = tern_alloc(a, sizeof *s);
    struct parse_state ps = { .a = a, .d = d };
    unsigned errors_before = d->errors;

    s->path = tern_strdup(a, path);
    ps.pos.file = s->path;
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        char *copy = tern_strndup(a, line, len);
        ps.pos.line++;
        ps.pos.line_text = copy;
        parse_line(&ps, s, copy);
        line += len;
        if (*line == '\n')
            line++;
    }
    ps.pos.line_text = NULL;
    if (s->module == NULL) {
        ps.pos.line = 0;
        tern_diag_add(d, TERN_ERROR_SEV, &ps.pos, NULL,
                      "no 'module NAME' declaration");
    }
    s->macros = tern_alloc(a, (ps.macros.len + 1) * sizeof *s->macros);
    for (size_t i = 0; i < ps.macros.len; i++)
        s->macros[i] = ps.macros.items[i];
    s->n_macros = ps.macros.len;
    s->provides = tern_alloc(a, (ps.provides.len + 1) * sizeof *s->provides);
    for (size_t i = 0; i < ps.provides.len; i++)
        s->provides[i] = *(struct tern_schema_provide *)ps.provides.items[i];
    s->n_provides = ps.provides.len;
    s->options = tern_alloc(a, (ps.options.len + 1) * sizeof *s->options);
    for (size_t i = 0; i < ps.options.len; i++)
        s->options[i] = *(struct tern_schema_option *)ps.options.items[i];
    s->n_options = ps.options.len;
    s->hash = tern_fnv1a(TERN_FNV_INIT, ps.canon.data ? ps.canon.data : "",
                         ps.canon.len);
    if (s->version == NULL)
        s->version = "0";
    tern_vec_free(&ps.macros);
    tern_vec_free(&ps.provides);
    tern_vec_free(&ps.options);
    tern_buf_free(&ps.canon);
    return d->errors > errors_before ? NULL : s;
}

struct tern_schema *
tern_schema_load(struct tern_arena *a, const char *path, struct tern_diags *d)
{
    FILE *f = fopen(path, "r");
    struct tern_buf b = { 0 };
    char chunk[8192];
    size_t n;

    if (f == NULL) {
        struct tern_srcpos p = { .file = path };
        tern_diag_add(d, TERN_ERROR_SEV, &p, NULL, "cannot open schema: %s",
                      strerror(errno));
        return NULL;
    }
    tern_buf_add(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tern_buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        struct tern_srcpos p = { .file = path };
        tern_diag_add(d, TERN_ERROR_SEV, &p, NULL, "cannot read schema");
        tern_buf_free(&b);
        return NULL;
    }
    if (memchr(b.data, '\0', b.len) != NULL) {
        struct tern_srcpos p = { .file = path };
        tern_diag_add(d, TERN_ERROR_SEV, &p, NULL,
                      "schema contains a NUL byte");
        tern_buf_free(&b);
        return NULL;
    }
    struct tern_schema *s = tern_schema_parse(a, path, b.data, d);
    tern_buf_free(&b);
    return s;
}
