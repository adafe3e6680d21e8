/*
 * NAME
 *   confc - compile and check Exim-style configurations for Tern
 *
 * SYNOPSIS
 *   confc [-D NAME[=value]]... [--format=text|json] check FILE
 *   confc [-D NAME[=value]]... [--format=text|json] -o PLAN FILE
 *   confc dump PLAN
 *   confc --help | --version
 *
 * DESCRIPTION
 *   `check` compiles FILE against the schemas of the installed modules
 *   and reports every problem; `-o PLAN` also writes the compiled plan
 *   (atomically: a running host never sees half a plan); `dump` prints a
 *   plan in readable form (dump.c).  Schemas are found on
 *   $TERN_SCHEMA_PATH and modules on $TERN_MODULE_PATH (else the
 *   compiled-in directories), exactly as the host finds them, so confc
 *   accepts what the host on this machine will run.
 *
 *   Diagnostics go to standard error as text; with --format=json they
 *   go to standard output as one JSON array, and nothing else is
 *   printed there.  A clean check says so: "confc: FILE: configuration
 *   is valid".  docs/confc.md is the user guide.
 *
 * DIAGNOSTICS
 *   Exit status 0 when the configuration is valid (warnings allowed), 1
 *   when it has errors or the plan cannot be written or read, 2 for a
 *   usage error or when the schemas cannot be loaded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "compile.h"
#include "modload.h"
#include "plan.h"
#include "schema.h"

int cc_dump(const char *path, FILE *out, FILE *err);

struct args {
    const char **defines;
    size_t n_defines;
    int json;
    const char *plan_out;
    const char *cmd;
    const char *file;
};

static void
usage(FILE *out)
{
    fputs("usage: confc [-D NAME[=value]]... [--format=text|json] check "
          "FILE\n"
          "       confc [-D NAME[=value]]... [--format=text|json] -o PLAN "
          "FILE\n"
          "       confc dump PLAN\n"
          "       confc --help | --version\n"
          "\n"
          "  check FILE      compile FILE and report every error\n"
          "  -o PLAN FILE    compile FILE and write the plan to PLAN\n"
          "  dump PLAN       print a compiled plan in readable form\n"
          "  -D NAME=value   define (or override) a macro\n"
          "  --format=json   print diagnostics as JSON on standard output\n"
          "\n"
          "Schemas: $TERN_SCHEMA_PATH; modules: $TERN_MODULE_PATH.  "
          "See confc(1).\n", out);
}

static void
version(void)
{
    printf("confc (Tern) %s\n", PACKAGE_VERSION);
    printf("schema path: %s\n", tern_schema_path());
    if (tern_modules_preopened())
        printf("modules: preopened (all-in-one build)\n");
    else
        printf("module path: %s\n", tern_module_path(NULL));
}

/* 0, 1 when the program should stop with status 0, -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct args *a)
{
    a->defines = calloc((size_t)argc + 1, sizeof *a->defines);
    if (a->defines == NULL)
        return -1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(s, "--version") == 0 || strcmp(s, "-V") == 0) {
            version();
            return 1;
        } else if (strncmp(s, "-D", 2) == 0) {
            const char *d = s[2] ? s + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (d == NULL || *d == '\0')
                return -1;
            a->defines[a->n_defines++] = d;
        } else if (strcmp(s, "--format=json") == 0) {
            a->json = 1;
        } else if (strcmp(s, "--format=text") == 0) {
            a->json = 0;
        } else if (strcmp(s, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") != 0 && strcmp(f, "text") != 0)
                return -1;
            a->json = strcmp(f, "json") == 0;
        } else if (strcmp(s, "-o") == 0 && i + 1 < argc) {
            a->plan_out = argv[++i];
        } else if (s[0] == '-' && s[1] != '\0') {
            return -1;
        } else if (a->cmd == NULL && a->file == NULL &&
                   (strcmp(s, "check") == 0 || strcmp(s, "dump") == 0 ||
                    strcmp(s, "compile") == 0)) {
            a->cmd = s;
        } else if (a->file == NULL) {
            a->file = s;
        } else {
            return -1;
        }
    }
    if (a->cmd == NULL)
        a->cmd = a->plan_out ? "compile" : NULL;
    if (a->cmd == NULL || a->file == NULL)
        return -1;
    if (strcmp(a->cmd, "compile") == 0 && a->plan_out == NULL)
        return -1;
    if (strcmp(a->cmd, "dump") == 0 && (a->plan_out || a->n_defines))
        return -1;
    return 0;
}

static void
print_diags(const struct args *a, const struct tern_diags *d)
{
    if (a->json)
        tern_diags_print_json(d, stdout);
    else
        tern_diags_print_text(d, stderr);
}

static int
compile_file(const struct args *a)
{
    struct tern_schema_set set;
    struct tern_diags d = { 0 };
    struct tern_compile_opts o = { 0 };
    struct tern_config cfg;
    struct tern_arena *arena;
    int status = 0;

    if (tern_load_schemas(&set, NULL, &d) != 0 || d.errors > 0) {
        tern_diags_print_text(&d, stderr);
        fprintf(stderr, "confc: cannot load the schemas from %s\n",
                tern_schema_path());
        tern_diags_free(&d);
        tern_schema_set_free(&set);
        return 2;
    }
    tern_diags_free(&d);
    arena = tern_arena_new();
    o.config_path = a->file;
    o.schemas = &set;
    o.defines = a->defines;
    o.n_defines = a->n_defines;
    if (tern_compile(arena, &o, &cfg, &d) != 0 || d.errors > 0) {
        print_diags(a, &d);
        fprintf(stderr, "confc: %s: %u error%s\n", a->file, d.errors,
                d.errors == 1 ? "" : "s");
        status = 1;
    } else {
        print_diags(a, &d);
        if (a->plan_out != NULL) {
            char why[1024];
            if (tern_plan_write(&cfg, a->plan_out, why, sizeof why) != 0) {
                fprintf(stderr, "confc: %s\n", why);
                status = 1;
            } else if (!a->json) {
                printf("confc: %s: compiled into %s\n", a->file,
                       a->plan_out);
            }
        } else if (!a->json) {
            printf("confc: %s: configuration is valid", a->file);
            if (d.warnings > 0)
                printf(" (%u warning%s)", d.warnings,
                       d.warnings == 1 ? "" : "s");
            putchar('\n');
        }
    }
    tern_diags_free(&d);
    tern_arena_free(arena);
    tern_schema_set_free(&set);
    return status;
}

int
main(int argc, char **argv)
{
    struct args a;
    int rc;

    TERN_MODLOAD_PREOPEN();
    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        free(a.defines);
        if (rc < 0) {
            usage(stderr);
            return 2;
        }
        return 0;
    }
    if (strcmp(a.cmd, "dump") == 0)
        rc = cc_dump(a.file, stdout, stderr);
    else
        rc = compile_file(&a);
    free(a.defines);
    if (fflush(stdout) != 0)
        rc = rc ? rc : 1;
    return rc;
}
