/*
 * NAME
 *   bv.c - tern -bV: version, modules, and a check of the configuration
 *
 * SYNOPSIS
 *   tern [-C file] [-D NAME=value]... -bV
 *
 * DESCRIPTION
 *   Prints, in the spirit of Exim's -bV: the version; a "Support for:"
 *   line made of the `provides support` words of the installed schemas;
 *   Exim's Lookups/Authenticators/Routers/Transports lines, here made of
 *   what the loadable modules provide; then every module found on the
 *   module path with its version, its status and what it provides, or
 *   the reason it was refused; and the schemas whose module is not
 *   installed.  Finally it reads the configuration, as Exim does, and
 *   ends with "Configuration file is X".
 *
 * DIAGNOSTICS
 *   A refused module is listed with the loader's reason but does not by
 *   itself fail -bV; a configuration that does not compile, or that needs
 *   a module that cannot be loaded, prints its diagnostics on standard
 *   error and makes the exit status 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>
#include "host.h"

struct bv_mod {
    char *name;
    struct tern_loaded_module lm;   /* lm.mod NULL when refused */
    char why[512];
};

/* Print `label` and the names of one kind of provision of every module
 * that loaded; nothing when there are none. */
static void
print_kind_line(const struct bv_mod *m, size_t n, const char *label,
                unsigned driver_kind, int lookups)
{
    int any = 0;

    for (size_t i = 0; i < n; i++) {
        const struct tern_module *mod = m[i].lm.mod;

        if (mod == NULL)
            continue;
        if (lookups) {
            for (size_t j = 0; mod->lookups && mod->lookups[j]; j++) {
                printf("%s %s", any ? "" : label, mod->lookups[j]->name);
                any = 1;
            }
            continue;
        }
        for (size_t j = 0; mod->drivers && mod->drivers[j]; j++) {
            if (mod->drivers[j]->kind != driver_kind)
                continue;
            printf("%s %s", any ? "" : label, mod->drivers[j]->name);
            any = 1;
        }
    }
    if (any)
        printf("\n");
}

static void
print_support(const struct host_conf *hc)
{
    const struct tern_schema_set *set = &hc->schemas;

    printf("Support for:");
    for (size_t i = 0; hc->have_schemas && i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];

        if (set->installed != NULL && !set->installed[i])
            continue;
        for (size_t j = 0; j < s->n_provides; j++) {
            if (strcmp(s->provides[j].kind, "support") == 0)
                printf(" %s", s->provides[j].name);
        }
    }
    printf("\n");
}

/* "router accept, lookup lsearch, ..." from the module's own tables. */
#define PROVIDE_LIST(arr, label) \
    for (size_t j = 0; (arr) != NULL && (arr)[j] != NULL; j++) { \
        printf("%s%s %s", sep, (label), (arr)[j]->name); \
        sep = ", "; \
    }

static void
print_provides(const struct tern_module *mod, const struct tern_schema *s)
{
    const char *sep = "";

    printf("    provides: ");
    for (size_t j = 0; mod->drivers != NULL && mod->drivers[j]; j++) {
        const struct tern_driver *d = mod->drivers[j];

        printf("%s%s %s", sep, d->kind == TERN_DRIVER_ROUTER ? "router"
               : d->kind == TERN_DRIVER_TRANSPORT ? "transport" : "auth",
               d->name);
        sep = ", ";
    }
    PROVIDE_LIST(mod->lookups, "lookup")
    PROVIDE_LIST(mod->acl_conditions, "acl_condition")
    PROVIDE_LIST(mod->acl_modifiers, "acl_modifier")
    PROVIDE_LIST(mod->acl_controls, "acl_control")
    PROVIDE_LIST(mod->variables, "variable")
    PROVIDE_LIST(mod->expansion_items, "expansion_item")
    PROVIDE_LIST(mod->router_preconditions, "router_precondition")
    PROVIDE_LIST(mod->log_elements, "log_element")
    PROVIDE_LIST(mod->spool_fields, "spool_field")
    if (mod->main_options != NULL) {
        size_t n = 0;

        while (mod->main_options[n].name != NULL)
            n++;
        printf("%s%zu main option%s", sep, n, n == 1 ? "" : "s");
        sep = ", ";
    }
    /* Features have no table in the module: the schema names them. */
    for (size_t j = 0; s != NULL && j < s->n_provides; j++) {
        if (strcmp(s->provides[j].kind, "support") == 0) {
            printf("%ssupport %s", sep, s->provides[j].name);
            sep = ", ";
        }
    }
    printf("%s\n", *sep ? "" : "nothing");
}

static const struct tern_schema *
schema_of(const struct host_conf *hc, const char *name)
{
    for (size_t i = 0; hc->have_schemas && i < hc->schemas.n; i++) {
        if (strcmp(hc->schemas.schemas[i]->module, name) == 0)
            return hc->schemas.schemas[i];
    }
    return NULL;
}

static void
print_module(const struct host_conf *hc, const struct bv_mod *m)
{
    const struct tern_module *mod = m->lm.mod;
    const struct tern_schema *s;

    if (mod == NULL) {
        printf("  %s: refused: %s\n", m->name, m->why);
        return;
    }
    printf("  %s %s: %s\n", mod->name, mod->version ? mod->version : "?",
           (mod->flags & TERN_MOD_SCHEMA_ONLY)
               ? "schema only: not implemented yet" : "working");
    s = schema_of(hc, mod->name);
    print_provides(mod, s);
    if (s == NULL && hc->have_schemas)
        printf("    warning: no %s.schema on the schema path: confc cannot"
               " check options of this module\n", mod->name);
    else if (s != NULL && s->hash != mod->schema_hash)
        printf("    warning: %s has schema hash %016llx, the module was"
               " built with %016llx: reinstall one of them\n", s->path,
               s->hash, (unsigned long long)mod->schema_hash);
}

static void
print_uninstalled(const struct host_conf *hc)
{
    const struct tern_schema_set *set = &hc->schemas;
    int any = 0;

    for (size_t i = 0; hc->have_schemas && i < set->n; i++) {
        const struct tern_schema *s = set->schemas[i];

        if (set->installed == NULL || set->installed[i]
            || strcmp(s->module, "core") == 0)
            continue;
        printf("%s %s%s%s%s", any ? "," : "Known but not installed:",
               s->module, s->package ? " (package " : "",
               s->package ? s->package : "", s->package ? ")" : "");
        any = 1;
    }
    if (any)
        printf("\n");
}

static size_t
load_all(const char *path, struct bv_mod **out)
{
    char **names = NULL;
    size_t n = tern_module_list(path, &names);
    struct bv_mod *m = calloc(n ? n : 1, sizeof *m);

    if (m == NULL) {
        perror("tern");
        exit(HOST_EXIT_FAIL);
    }
    for (size_t i = 0; i < n; i++) {
        m[i].name = names[i];
        if (tern_module_load(names[i], path, 0, &m[i].lm, m[i].why,
                             sizeof m[i].why) != 0)
            m[i].lm.mod = NULL;
    }
    free(names);
    *out = m;
    return n;
}

int
host_mode_bv(const struct host_cmdline *cl)
{
    struct host_conf hc;
    const char *path = tern_module_path(NULL);
    struct bv_mod *mods;
    size_t n;
    int rc = HOST_EXIT_OK;

    host_conf_init(&hc);
    printf("Tern version %s (module ABI %u)\n", PACKAGE_VERSION,
           (unsigned)TERN_ABI_VERSION);
    host_conf_schemas(&hc, stderr);
    n = load_all(path, &mods);
    print_support(&hc);
    print_kind_line(mods, n, "Lookups (modules):", 0, 1);
    print_kind_line(mods, n, "Authenticators:", TERN_DRIVER_AUTH, 0);
    print_kind_line(mods, n, "Routers:", TERN_DRIVER_ROUTER, 0);
    print_kind_line(mods, n, "Transports:", TERN_DRIVER_TRANSPORT, 0);
    if (tern_modules_preopened())
        printf("Modules (built in):\n");
    else
        printf("Modules (from %s):\n", path);
    for (size_t i = 0; i < n; i++)
        print_module(&hc, &mods[i]);
    print_uninstalled(&hc);
    printf("Schema path is %s\n", tern_schema_path());
    fflush(stdout);
    if (host_conf_load(&hc, cl, stderr) == 0)
        printf("Configuration file is %s\n", hc.path);
    else
        rc = HOST_EXIT_FAIL;
    for (size_t i = 0; i < n; i++) {
        tern_module_unload(&mods[i].lm);
        free(mods[i].name);
    }
    free(mods);
    host_conf_free(&hc);
    return rc;
}
