/*
 * NAME
 *   bp_driver.c - tern -bP for routers, transports and authenticators
 *
 * SYNOPSIS
 *   tern -bP router NAME | routers | router_list
 *   tern -bP transport NAME | transports | transport_list
 *   tern -bP authenticator NAME | authenticators | authenticator_list
 *
 * DESCRIPTION
 *   Prints a driver instance as Exim 4.96 does: the generic options of
 *   its kind sorted by name (`driver = X` among them), then the private
 *   options of its driver sorted by name, each with the value the
 *   configuration sets or the schema default.  The plural form prints
 *   every instance in configuration order, each after a blank line and a
 *   "NAME router:" heading; the _list form prints the names only.
 *
 *   A module may add private options to another module's driver (SRS adds
 *   to redirect); they are listed with the driver's own.  A private option
 *   that repeats a generic name only changes that generic's default (some
 *   drivers default log_as_local differently) and is printed once.
 *
 * DIAGNOSTICS
 *   "router NAME not found" on standard output, exit status 1, as Exim.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tern/option.h>
#include "host.h"

struct kind_desc {
    const char *word;           /* "router" */
    const char *scope;          /* schema scope of the generic options */
};

static const struct kind_desc kinds[] = {
    { "router", "router" },
    { "transport", "transport" },
    { "authenticator", "auth" },
};

static void
instances(struct host_conf *hc, size_t k, struct tern_cfg_driver **v,
          size_t *n)
{
    switch (k) {
    case 0:  *v = hc->cfg.routers;    *n = hc->cfg.n_routers;    break;
    case 1:  *v = hc->cfg.transports; *n = hc->cfg.n_transports; break;
    default: *v = hc->cfg.auths;      *n = hc->cfg.n_auths;      break;
    }
}

/* Insert a synthetic `driver = X` row when the schema lacks one. */
static size_t
add_driver_row(struct host_conf *hc, struct host_optview **rows, size_t n,
               const char *driver)
{
    struct host_optview *r;
    size_t at = 0;

    for (size_t i = 0; i < n; i++) {
        if (strcmp((*rows)[i].name, "driver") == 0)
            return n;
        if (strcmp((*rows)[i].name, "driver") < 0)
            at = i + 1;
    }
    r = tern_alloc(hc->arena, (n + 1) * sizeof *r);
    memcpy(r, *rows, at * sizeof *r);
    memcpy(r + at + 1, *rows + at, (n - at) * sizeof *r);
    r[at].name = "driver";
    r[at].value.type = TERN_T_STRING;
    r[at].value.is_set = 1;
    r[at].value.text = driver;
    *rows = r;
    return n + 1;
}

static void
print_instance(struct host_conf *hc, const struct kind_desc *kd,
               const struct tern_cfg_driver *d)
{
    struct host_optview *gen, *priv;
    const char *pscope = tern_printf(hc->arena, "%s:%s", kd->scope,
                                     d->driver);
    size_t ng = host_optview_scope(hc, kd->scope, d->options, d->n_options,
                                   &gen);
    size_t np = host_optview_scope(hc, pscope, d->options, d->n_options,
                                   &priv);

    ng = add_driver_row(hc, &gen, ng, d->driver);
    for (size_t i = 0; i < np; i++) {
        for (size_t j = 0; j < ng; j++) {
            if (strcmp(priv[i].name, gen[j].name) == 0) {
                gen[j].value = priv[i].value;
                priv[i].name = NULL;        /* printed with the generics */
                break;
            }
        }
    }
    for (size_t j = 0; j < ng; j++)
        host_optview_print(hc, &gen[j], stdout);
    for (size_t i = 0; i < np; i++) {
        if (priv[i].name != NULL)
            host_optview_print(hc, &priv[i], stdout);
    }
}

static int
print_named(struct host_conf *hc, size_t k, const char *name)
{
    struct tern_cfg_driver *v;
    size_t n;

    instances(hc, k, &v, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, name) == 0) {
            print_instance(hc, &kinds[k], &v[i]);
            return HOST_EXIT_OK;
        }
    }
    printf("%s %s not found\n", kinds[k].word, name);
    return HOST_EXIT_FAIL;
}

static int
print_all(struct host_conf *hc, size_t k, int names_only)
{
    struct tern_cfg_driver *v;
    size_t n;

    instances(hc, k, &v, &n);
    for (size_t i = 0; i < n; i++) {
        if (names_only) {
            printf("%s\n", v[i].name);
            continue;
        }
        printf("\n%s %s:\n", v[i].name, kinds[k].word);
        print_instance(hc, &kinds[k], &v[i]);
    }
    return HOST_EXIT_OK;
}

int
host_bp_driver_item(struct host_conf *hc, const char *item, const char *arg,
                    int *consumed)
{
    *consumed = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t wl = strlen(kinds[k].word);

        if (strncmp(item, kinds[k].word, wl) != 0)
            continue;
        if (item[wl] == '\0' && arg != NULL) {
            *consumed = 1;
            return print_named(hc, k, arg);
        }
        if (strcmp(item + wl, "s") == 0)
            return print_all(hc, k, 0);
        if (strcmp(item + wl, "_list") == 0)
            return print_all(hc, k, 1);
    }
    return -1;
}
