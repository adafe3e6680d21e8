/*
 * NAME
 *   schemagen.c - tern-schemagen: C option tables from a schema
 *
 * SYNOPSIS
 *   tern-schemagen -o gen/smtp_schema.h schemas/smtp.schema
 *
 * DESCRIPTION
 *   Runs at build time for every schema, so a module's option struct and
 *   table are always what its schema declares; a module never parses an
 *   option by hand.  For each scope with options the header holds
 *
 *     struct tern_opts_SCOPE { one field per option };
 *     static const struct tern_option_def tern_optdefs_SCOPE[];
 *
 *   with SCOPE the scope name with ':' turned into '_' (transport_smtp).
 *   A module that adds options to another module's driver (arc adds to
 *   transport:smtp) gets MODULE_ in front (tern_opts_arc_transport_smtp),
 *   so the two headers can be included together.
 *
 *   Field types follow include/tern/option.h; an option with the `expand`
 *   flag is always a struct tern_text, whatever its type, because its
 *   value is only known after expansion at run time.
 *
 * DIAGNOSTICS
 *   Schema errors as file:line:col: error: ...; exit 1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "schema.h"
#include "tern/option.h"

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", NULL,
};

static const char *
field_name(struct tern_arena *a, const char *name)
{
    for (size_t i = 0; c_keywords[i]; i++) {
        if (strcmp(c_keywords[i], name) == 0)
            return tern_printf(a, "%s_", name);
    }
    return name;
}

static const char *
field_type(const struct tern_schema_option *o)
{
    if (o->flags & TERN_F_EXPAND)
        return "struct tern_text";
    switch (o->type) {
    case TERN_T_BOOL: case TERN_T_TIME: case TERN_T_FIXED:
        return "int";
    case TERN_T_INT: case TERN_T_MKINT: case TERN_T_OCTINT: case TERN_T_KINT:
        return "long long";
    case TERN_T_UID: case TERN_T_GID:
        return "long";
    default:
        return "struct tern_text";
    }
}

static const char *const type_enum[TERN_T_MAX + 1] = {
    [TERN_T_BOOL] = "TERN_T_BOOL", [TERN_T_INT] = "TERN_T_INT",
    [TERN_T_MKINT] = "TERN_T_MKINT", [TERN_T_OCTINT] = "TERN_T_OCTINT",
    [TERN_T_TIME] = "TERN_T_TIME", [TERN_T_TIMELIST] = "TERN_T_TIMELIST",
    [TERN_T_FIXED] = "TERN_T_FIXED", [TERN_T_STRING] = "TERN_T_STRING",
    [TERN_T_UID] = "TERN_T_UID", [TERN_T_GID] = "TERN_T_GID",
    [TERN_T_UIDLIST] = "TERN_T_UIDLIST", [TERN_T_GIDLIST] = "TERN_T_GIDLIST",
    [TERN_T_HOSTLIST] = "TERN_T_HOSTLIST",
    [TERN_T_DOMAINLIST] = "TERN_T_DOMAINLIST",
    [TERN_T_LOCALPARTLIST] = "TERN_T_LOCALPARTLIST",
    [TERN_T_ADDRESSLIST] = "TERN_T_ADDRESSLIST",
    [TERN_T_LIST] = "TERN_T_LIST", [TERN_T_REWRITE] = "TERN_T_REWRITE",
    [TERN_T_RULESET] = "TERN_T_RULESET", [TERN_T_KINT] = "TERN_T_KINT",
};

static void
c_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '?' && p[1] == '?')
            fputs("?\"\"", out);        /* no trigraphs */
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Does the schema provide the driver a `KIND:DRIVER` scope names? */
static int
owns_scope(const struct tern_schema *s, const char *scope)
{
    const char *colon = strchr(scope, ':');
    if (colon == NULL)
        return 1;
    for (size_t i = 0; i < s->n_provides; i++) {
        const struct tern_schema_provide *p = &s->provides[i];
        if (strlen(p->kind) == (size_t)(colon - scope) &&
            strncmp(p->kind, scope, (size_t)(colon - scope)) == 0 &&
            strcmp(p->name, colon + 1) == 0)
            return 1;
    }
    return 0;
}

static const char *
scope_ident(struct tern_arena *a, const struct tern_schema *s,
            const char *scope)
{
    char *id = owns_scope(s, scope)
                   ? tern_strdup(a, scope)
                   : tern_printf(a, "%s_%s", s->module, scope);
    for (char *p = id; *p; p++) {
        if (*p == ':')
            *p = '_';
    }
    return id;
}

static void
emit_scope(struct tern_arena *a, FILE *out, const struct tern_schema *s,
           const char *scope)
{
    const char *id = scope_ident(a, s, scope);

    fprintf(out, "\n/* scope %s */\nstruct tern_opts_%s {\n", scope, id);
    for (size_t i = 0; i < s->n_options; i++) {
        const struct tern_schema_option *o = &s->options[i];
        if (strcmp(o->scope, scope) == 0)
            fprintf(out, "    %s %s;\n", field_type(o),
                    field_name(a, o->name));
    }
    fprintf(out, "};\n\nstatic const struct tern_option_def "
                 "tern_optdefs_%s[] = {\n", id);
    for (size_t i = 0; i < s->n_options; i++) {
        const struct tern_schema_option *o = &s->options[i];
        if (strcmp(o->scope, scope) != 0)
            continue;
        fputs("    { ", out);
        c_string(out, o->name);
        fprintf(out, ", %s, 0x%xu, ", type_enum[o->type], o->flags);
        c_string(out, o->dflt);
        fprintf(out, ",\n      offsetof(struct tern_opts_%s, %s), ", id,
                field_name(a, o->name));
        c_string(out, o->doc);
        fputs(" },\n", out);
    }
    fputs("    { NULL, 0, 0, NULL, 0, NULL }\n};\n", out);
}

static int
emit(struct tern_arena *a, FILE *out, const struct tern_schema *s)
{
    char *upper = tern_strdup(a, s->module);
    for (char *p = upper; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);

    fprintf(out, "/* Generated by tern-schemagen from %s: do not edit. */\n"
                 "#ifndef TERN_GEN_%s_SCHEMA_H\n#define TERN_GEN_%s_SCHEMA_H\n"
                 "\n#include <stddef.h>\n#include <tern/option.h>\n\n",
            s->path, upper, upper);
    fprintf(out, "#define %s_SCHEMA_HASH 0x%016llxULL\n", upper, s->hash);
    fprintf(out, "#define %s_SCHEMA_VERSION ", upper);
    c_string(out, s->version);
    fputc('\n', out);

    const char **done = tern_alloc(a, (s->n_options + 1) * sizeof *done);
    size_t n_done = 0;
    for (size_t i = 0; i < s->n_options; i++) {
        const char *scope = s->options[i].scope;
        size_t j;
        for (j = 0; j < n_done && strcmp(done[j], scope) != 0; j++)
            ;
        if (j < n_done)
            continue;
        done[n_done++] = scope;
        emit_scope(a, out, s, scope);
    }
    fputs("\n#endif\n", out);
    return ferror(out) ? -1 : 0;
}

int
main(int argc, char **argv)
{
    const char *out_path = NULL;
    int opt;

    while ((opt = getopt(argc, argv, "o:")) != -1) {
        if (opt != 'o')
            goto usage;
        out_path = optarg;
    }
    if (optind != argc - 1 || out_path == NULL)
        goto usage;

    struct tern_arena *a = tern_arena_new();
    struct tern_diags d = { 0 };
    struct tern_schema *s = tern_schema_load(a, argv[optind], &d);
    tern_diags_print_text(&d, stderr);
    if (s == NULL || d.errors) {
        tern_diags_free(&d);
        tern_arena_free(a);
        return 1;
    }
    tern_diags_free(&d);

    /* Write beside the target and rename, so make never sees half a file. */
    char *tmp = tern_printf(a, "%s.tmp", out_path);
    FILE *out = fopen(tmp, "w");
    if (out == NULL) {
        fprintf(stderr, "tern-schemagen: %s: %s\n", tmp, strerror(errno));
        tern_arena_free(a);
        return 1;
    }
    int rc = emit(a, out, s);
    if (fclose(out) != 0 || rc != 0 || rename(tmp, out_path) != 0) {
        fprintf(stderr, "tern-schemagen: cannot write %s: %s\n", out_path,
                strerror(errno));
        unlink(tmp);
        tern_arena_free(a);
        return 1;
    }
    tern_arena_free(a);
    return 0;

usage:
    fprintf(stderr, "usage: tern-schemagen -o OUT.h FILE.schema\n");
    return 2;
}
