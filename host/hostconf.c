/*
 * NAME
 *   hostconf.c - the configuration in force: source or plan, and its modules
 *
 * SYNOPSIS
 *   struct host_conf hc;
 *   host_conf_init(&hc);
 *   if (host_conf_load(&hc, &cmdline, stderr) != 0) exit(1);
 *
 * DESCRIPTION
 *   `tern -C file` takes either a compiled plan (recognised by its magic)
 *   or an Exim-style source, which is compiled in-process with the same
 *   library confc uses.  A source is then serialised into a plan in
 *   memory and read back through the plan reader, so that `-C source` and
 *   `-C plan` run exactly the same code from there on.
 *
 *   Then every module the plan names is loaded from the module path and
 *   checked against the schema hash the plan recorded: a plan compiled
 *   against other schemas than the installed modules carry is refused.
 *
 * DIAGNOSTICS
 *   Compiler diagnostics (file:line:col) as confc prints them; plan
 *   reader refusals with the reader's reason; module refusals with the
 *   file and the reason.  All go to the stream the caller passes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "host.h"

#define CONF_ERRLEN 1024

const char *
host_conf_search_path(void)
{
    return TERN_SYSCONF_DIR "/tern/tern.plan:" TERN_SYSCONF_DIR
           "/tern/tern.conf";
}

void
host_conf_init(struct host_conf *hc)
{
    memset(hc, 0, sizeof *hc);
    hc->arena = tern_arena_new();
}

void
host_conf_free(struct host_conf *hc)
{
    for (size_t i = 0; i < hc->n_mods; i++)
        tern_module_unload(&hc->mods[i]);
    free(hc->mods);
    if (hc->have_plan)
        tern_plan_close(&hc->plan);
    tern_buf_free(&hc->image);
    if (hc->have_schemas)
        tern_schema_set_free(&hc->schemas);
    tern_arena_free(hc->arena);
    memset(hc, 0, sizeof *hc);
}

int
host_conf_schemas(struct host_conf *hc, FILE *err)
{
    struct tern_diags d = { 0 };
    int rc;

    if (hc->have_schemas)
        return 0;
    rc = tern_load_schemas(&hc->schemas, NULL, &d);
    tern_diags_print_text(&d, err);
    if (rc != 0 || d.errors > 0) {
        fprintf(err, "tern: cannot load the schemas from %s\n",
                tern_schema_path());
        tern_diags_free(&d);
        /* The set holds memory whether or not loading failed. */
        tern_schema_set_free(&hc->schemas);
        return -1;
    }
    tern_diags_free(&d);
    hc->have_schemas = 1;
    return 0;
}

/* First existing file of the default search path, as Exim does. */
static const char *
find_default(struct host_conf *hc, FILE *err)
{
    const char *sp = host_conf_search_path();
    const char *p = sp;

    while (p != NULL && *p != '\0') {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *file = tern_strndup(hc->arena, p, n);

        if (n > 0 && access(file, F_OK) == 0)
            return file;
        p = colon ? colon + 1 : NULL;
    }
    fprintf(err, "tern: non-existent configuration file(s): %s\n", sp);
    return NULL;
}

static int
open_plan_file(struct host_conf *hc, FILE *err)
{
    char why[CONF_ERRLEN];

    if (tern_plan_open(&hc->plan, hc->path, why, sizeof why) != 0) {
        fprintf(err, "tern: %s\n", why);     /* "path: reason" */
        return -1;
    }
    hc->have_plan = 1;
    return 0;
}

/* Compile a source configuration and turn it into an in-memory plan. */
static int
compile_source(struct host_conf *hc, const struct host_cmdline *cl,
               FILE *err)
{
    struct tern_compile_opts o = { 0 };
    struct tern_diags d = { 0 };
    struct tern_config src;
    char why[CONF_ERRLEN];
    int rc;

    memset(&src, 0, sizeof src);
    o.config_path = hc->path;
    o.schemas = &hc->schemas;
    o.defines = cl->defines;
    o.n_defines = cl->n_defines;
    rc = tern_compile(hc->arena, &o, &src, &d);
    tern_diags_print_text(&d, err);
    if (rc != 0 || d.errors > 0) {
        fprintf(err, "tern: configuration %s has %u error%s\n", hc->path,
                d.errors, d.errors == 1 ? "" : "s");
        tern_diags_free(&d);
        return -1;
    }
    tern_diags_free(&d);
    tern_plan_serialize(&src, &hc->image);
    if (tern_plan_open_mem(&hc->plan, hc->image.data, hc->image.len, why,
                           sizeof why) != 0) {
        fprintf(err, "tern: internal error: the plan compiled from %s does"
                " not verify: %s\n", hc->path, why);
        return -1;
    }
    hc->have_plan = 1;
    return 0;
}

static const char *
main_text(const struct tern_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_main; i++) {
        if (strcmp(cfg->main[i].name, name) == 0 && cfg->main[i].value.is_set)
            return cfg->main[i].value.text;
    }
    return NULL;
}

/* Load every module the plan names (except the host itself, "core")
 * with the plan's schema hash; report every refusal, not just the first. */
static int
load_modules(struct host_conf *hc, FILE *err)
{
    const struct tern_config *cfg = &hc->cfg;
    char why[CONF_ERRLEN];
    int failed = 0;

    hc->module_path = tern_module_path(main_text(cfg, "module_dir"));
    hc->mods = calloc(cfg->n_modules ? cfg->n_modules : 1, sizeof *hc->mods);
    if (hc->mods == NULL) {
        fprintf(err, "tern: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < cfg->n_modules; i++) {
        const struct tern_cfg_module *m = &cfg->modules[i];

        if (strcmp(m->name, "core") == 0)
            continue;
        if (tern_module_load(m->name, hc->module_path, m->schema_hash,
                             &hc->mods[hc->n_mods], why, sizeof why) != 0) {
            fprintf(err, "tern: %s: %s\n", hc->path, why);
            failed = 1;
            continue;
        }
        hc->n_mods++;
    }
    return failed ? -1 : 0;
}

int
host_conf_load(struct host_conf *hc, const struct host_cmdline *cl,
               FILE *err)
{
    char why[CONF_ERRLEN];

    hc->path = cl->config ? cl->config : find_default(hc, err);
    if (hc->path == NULL)
        return -1;
    if (access(hc->path, R_OK) != 0) {
        fprintf(err, "tern: cannot open configuration file %s: %s\n",
                hc->path, strerror(errno));
        return -1;
    }
    if (host_conf_schemas(hc, err) != 0)
        return -1;
    hc->is_plan = tern_plan_is_plan(hc->path);
    if (hc->is_plan && cl->n_defines > 0)
        fprintf(err, "tern: warning: -D has no effect on the compiled plan"
                " %s (macros were expanded when it was compiled)\n",
                hc->path);
    if ((hc->is_plan ? open_plan_file(hc, err)
                     : compile_source(hc, cl, err)) != 0)
        return -1;
    if (tern_plan_decode(&hc->plan, hc->arena, &hc->cfg, why,
                         sizeof why) != 0) {
        fprintf(err, "tern: %s%s\n", hc->is_plan ? "" : "compiled ", why);
        return -1;
    }
    hc->have_cfg = 1;
    return load_modules(hc, err);
}
