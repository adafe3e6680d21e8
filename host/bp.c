/*
 * NAME
 *   bp.c - tern -bP: print configuration values as Exim does
 *
 * SYNOPSIS
 *   tern [-C file] [-D NAME=value]... -bP [item...]
 *
 * DESCRIPTION
 *   With no item, or `all`, every main option of the core and of the
 *   installed modules, sorted, with its value from the configuration or
 *   its schema default.  An item is a main option name; `config_file`;
 *   `macros`, `macro_list`, `macro NAME`; `+NAME` for a named list; or
 *   one of the driver items handled in bp_driver.c (`router NAME`,
 *   `routers`, `router_list`, and the same for transports and
 *   authenticators).  As Exim 4.96 does, a failed item prints its
 *   message on standard output and the exit status is the one of the
 *   last item.
 *
 * DIAGNOSTICS
 *   "NAME is not a known option", "macro NAME not found", "no address,
 *   domain, host, or local part list called "NAME" exists" (Exim's
 *   words).  Items Exim knows that Tern does not do yet (`config`,
 *   `environment`) exit 2 saying so.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "host.h"

static int
print_main_all(struct host_conf *hc)
{
    struct host_optview *rows;
    size_t n = host_optview_scope(hc, "main", hc->cfg.main, hc->cfg.n_main,
                                  &rows);

    for (size_t i = 0; i < n; i++)
        host_optview_print(hc, &rows[i], stdout);
    return HOST_EXIT_OK;
}

static int
print_main_one(struct host_conf *hc, const char *name)
{
    const struct tern_schema *owner = NULL;
    struct host_optview *rows;
    size_t n = host_optview_scope(hc, "main", hc->cfg.main, hc->cfg.n_main,
                                  &rows);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            host_optview_print(hc, &rows[i], stdout);
            return HOST_EXIT_OK;
        }
    }
    printf("%s is not a known option\n", name);
    if (tern_schema_find_uninstalled_option(&hc->schemas, "main", name,
                                            &owner) != NULL && owner)
        fprintf(stderr, "tern: note: %s is an option of module %s, which is"
                " not installed%s%s\n", name, owner->module,
                owner->package ? " (package " : "",
                owner->package ? owner->package : "");
    return HOST_EXIT_FAIL;
}

/* Exim lists built-in macros before the ones the configuration defines. */
static int
print_macros(struct host_conf *hc, int names_only)
{
    for (int pass = 1; pass >= 0; pass--) {
        for (size_t i = 0; i < hc->cfg.n_macros; i++) {
            const struct tern_cfg_macro *m = &hc->cfg.macros[i];

            if ((m->builtin != 0) != pass)
                continue;
            if (names_only)
                printf("%s\n", m->name);
            else
                printf("%s=%s\n", m->name, m->value ? m->value : "");
        }
    }
    return HOST_EXIT_OK;
}

static int
print_macro(struct host_conf *hc, const char *name)
{
    for (size_t i = 0; i < hc->cfg.n_macros; i++) {
        const struct tern_cfg_macro *m = &hc->cfg.macros[i];

        if (strcmp(m->name, name) == 0) {
            printf("%s=%s\n", m->name, m->value ? m->value : "");
            return HOST_EXIT_OK;
        }
    }
    printf("macro %s not found\n", name);
    return HOST_EXIT_FAIL;
}

static const char *
list_keyword(unsigned kind)
{
    switch (kind) {
    case TERN_LIST_DOMAIN:    return "domainlist";
    case TERN_LIST_HOST:      return "hostlist";
    case TERN_LIST_ADDRESS:   return "addresslist";
    case TERN_LIST_LOCALPART: return "localpartlist";
    default:                  return "list";
    }
}

static int
print_named_list(struct host_conf *hc, const char *name)
{
    for (size_t i = 0; i < hc->cfg.n_lists; i++) {
        const struct tern_cfg_named_list *l = &hc->cfg.lists[i];

        if (strcmp(l->name, name) == 0) {
            printf("%s %s = %s\n", list_keyword(l->kind), l->name,
                   l->value ? l->value : "");
            return HOST_EXIT_OK;
        }
    }
    printf("no address, domain, host, or local part list called \"%s\""
           " exists\n", name);
    return HOST_EXIT_FAIL;
}

/* One item (and the argument it consumes, if any). */
static int
print_item(struct host_conf *hc, char **items, size_t n, size_t *i)
{
    const char *item = items[*i];
    const char *arg = *i + 1 < n ? items[*i + 1] : NULL;
    int consumed = 0;
    int rc;

    if (strcmp(item, "all") == 0)
        return print_main_all(hc);
    if (strcmp(item, "config_file") == 0) {
        printf("%s\n", hc->path);
        return HOST_EXIT_OK;
    }
    if (strcmp(item, "config") == 0 || strcmp(item, "environment") == 0) {
        fprintf(stderr, "tern: -bP %s is not implemented yet in this"
                " version\n", item);
        return -HOST_EXIT_UNIMPLEMENTED;
    }
    if (strcmp(item, "macros") == 0 || strcmp(item, "macro_list") == 0)
        return print_macros(hc, item[5] == '_');
    if (strcmp(item, "macro") == 0 && arg != NULL) {
        (*i)++;
        return print_macro(hc, arg);
    }
    if (item[0] == '+')
        return print_named_list(hc, item + 1);
    rc = host_bp_driver_item(hc, item, arg, &consumed);
    if (rc >= 0) {
        *i += consumed;
        return rc;
    }
    return print_main_one(hc, item);
}

int
host_mode_bp(const struct host_cmdline *cl)
{
    struct host_conf hc;
    int rc = HOST_EXIT_OK;

    host_conf_init(&hc);
    if (host_conf_load(&hc, cl, stderr) != 0) {
        host_conf_free(&hc);
        return HOST_EXIT_FAIL;
    }
    if (cl->n_items == 0)
        rc = print_main_all(&hc);
    for (size_t i = 0; i < cl->n_items; i++) {
        rc = print_item(&hc, cl->items, cl->n_items, &i);
        if (rc < 0) {           /* not implemented: stop here */
            rc = -rc;
            break;
        }
    }
    fflush(stdout);
    host_conf_free(&hc);
    return rc;
}
