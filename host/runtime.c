/*
 * NAME
 *   runtime.c - the process's run-time state, built once the
 *   configuration is loaded
 *
 * SYNOPSIS
 *   struct host_conf hc;  struct host_runtime rt;
 *   host_conf_init(&hc);
 *   if (host_conf_load(&hc, &cl, stderr) != 0 ||
 *       host_runtime_init(&rt, &hc, argv[0], stderr) != 0)
 *       exit(1);
 *   ...
 *   host_runtime_free(&rt);  host_conf_free(&hc);
 *
 * DESCRIPTION
 *   host_runtime_init() turns the configuration into what the rest of
 *   the host reads: the typed main options (struct tern_opts_main, filled
 *   from the plan and the schema defaults), the host names Exim derives
 *   (primary_hostname from uname() when unset, then qualify_domain and
 *   qualify_recipient), exim_user and exim_group as ids, who called us,
 *   where the configuration lives ($config_dir, $config_file), the
 *   lookup registry, and every loaded module: its main options are
 *   filled, its init() is called with the host API table, and its
 *   lookups and variables are registered.
 *
 *   Modules the plan does not name can still be needed at run time (a
 *   lookup type typed at -be, a module variable in ${expand:..}):
 *   host_runtime_provider() loads the installed module that provides it,
 *   checked against the installed schema's hash, and initialises it the
 *   same way.
 *
 *   The `timezone` option is applied to the process (TZ) as Exim does,
 *   so $tod_* and log time stamps agree.
 *
 * DIAGNOSTICS
 *   "tern: option NAME: ..." for a value that cannot be used (an
 *   exim_user that does not exist), "tern: module NAME failed to
 *   initialise", and the lookup registry's refusals (a lookup type
 *   provided twice).  A default exim_user or exim_group that does not
 *   exist on this system is not an error: the ids stay -1 (unset) and
 *   the modes that drop privilege refuse to run as root.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tern/host.h>
#include <tern/module.h>

#include "ctx.h"
#include "host.h"
#include "lookup.h"
#include "match.h"
#include "optfill.h"

#define RT_ERRLEN 512

struct host_modvar {
    const char *name;
    const struct tern_variable *var;
};

/* A uid/gid default that names a user or group this system lacks (the
 * schema's Debian-exim) is dropped rather than refused. */
static const struct tern_option_def *
main_defs(struct host_runtime *rt)
{
    size_t n = 0;

    while (tern_optdefs_main[n].name != NULL)
        n++;
    struct tern_option_def *d = tern_alloc(rt->arena, (n + 1) * sizeof *d);

    memcpy(d, tern_optdefs_main, (n + 1) * sizeof *d);
    for (size_t i = 0; i < n; i++) {
        if ((d[i].type != TERN_T_UID && d[i].type != TERN_T_GID) ||
            d[i].dflt == NULL)
            continue;
        struct tern_value v;
        const char *why;
        unsigned col;

        if (tern_optval_parse(rt->arena, d[i].type, d[i].dflt, 1, &v, &why,
                              &col) != 0)
            d[i].dflt = NULL;
    }
    return d;
}

static const char *
text_opt(const struct tern_text *t)
{
    return t->text != NULL && *t->text != '\0' ? t->text : NULL;
}

/* uname(), made fully qualified through the resolver when it is not,
 * as Exim does. */
static const char *
own_hostname(struct host_runtime *rt)
{
    struct utsname u;
    struct addrinfo hints, *res = NULL;
    const char *name;

    if (uname(&u) != 0)
        return "localhost";
    name = tern_strdup(rt->arena, u.nodename);
    if (strchr(name, '.') != NULL)
        return name;
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(name, NULL, &hints, &res) == 0) {
        if (res->ai_canonname != NULL && strchr(res->ai_canonname, '.'))
            name = tern_strdup(rt->arena, res->ai_canonname);
        freeaddrinfo(res);
    }
    return name;
}

/* $config_dir as Exim 4.96 shows it: the directory part of -C, made
 * absolute by prefixing the working directory when it is relative. */
static const char *
config_dir(struct host_runtime *rt, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;

    if (path[0] == '/')
        return n ? tern_strndup(rt->arena, path, n) : "/";
    return tern_printf(rt->arena, "%s/%.*s",
                       rt->initial_cwd ? rt->initial_cwd : ".", (int)n, path);
}

static void
paths(struct host_runtime *rt, const char *progname)
{
    char buf[PATH_MAX];
    ssize_t n;

    if (getcwd(buf, sizeof buf) != NULL)
        rt->initial_cwd = tern_strdup(rt->arena, buf);
    n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        rt->exim_path = tern_strdup(rt->arena, buf);
    } else {
        rt->exim_path = progname ? progname : "tern";
    }
    rt->config_file = rt->hc->path ? rt->hc->path : "";
    rt->config_dir = config_dir(rt, rt->config_file);
}

static void
ids(struct host_runtime *rt)
{
    struct passwd *pw;

    rt->caller_uid = (long)getuid();
    rt->caller_gid = (long)getgid();
    pw = getpwuid(getuid());
    rt->caller_login = pw ? tern_strdup(rt->arena, pw->pw_name)
                          : tern_printf(rt->arena, "%ld", rt->caller_uid);
    rt->exim_uid = rt->opts.exim_user;
    rt->exim_gid = rt->opts.exim_group;
    /* exim_user without exim_group: the user's own group, as Exim. */
    if (tern_cfg_find_option(rt->hc->cfg.main, rt->hc->cfg.n_main,
                             "exim_user") != NULL &&
        tern_cfg_find_option(rt->hc->cfg.main, rt->hc->cfg.n_main,
                             "exim_group") == NULL && rt->exim_uid >= 0) {
        pw = getpwuid((uid_t)rt->exim_uid);
        if (pw != NULL)
            rt->exim_gid = (long)pw->pw_gid;
    }
}

static int
cmp_modvar(const void *x, const void *y)
{
    return strcmp(((const struct host_modvar *)x)->name,
                  ((const struct host_modvar *)y)->name);
}

static void
add_modvars(struct host_runtime *rt, const struct tern_module *m)
{
    size_t k = 0;

    for (size_t i = 0; m->variables && m->variables[i]; i++)
        k++;
    if (k == 0)
        return;
    struct host_modvar *v = realloc(rt->modvars,
                                    (rt->n_modvars + k) * sizeof *v);
    if (v == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    for (size_t i = 0; i < k; i++) {
        v[rt->n_modvars].name = m->variables[i]->name;
        v[rt->n_modvars++].var = m->variables[i];
    }
    rt->modvars = v;
    qsort(rt->modvars, rt->n_modvars, sizeof *v, cmp_modvar);
}

const struct tern_variable *
host_runtime_modvar(struct host_runtime *rt, const char *name, size_t len)
{
    size_t lo = 0, hi = rt->n_modvars;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = rt->modvars[mid].name;
        int c = strncmp(name, m, len);

        if (c == 0 && m[len] != '\0')
            c = -1;
        if (c == 0)
            return rt->modvars[mid].var;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Fill module i's main options, run its init(), register what it
 * provides. */
static int
init_module(struct host_runtime *rt, size_t i, char *err, size_t errlen)
{
    const struct tern_module *m = rt->hc->mods[i].mod;
    const struct tern_config *cfg = &rt->hc->cfg;

    if (m->main_options != NULL && m->main_option_values != NULL &&
        tern_opts_fill(rt->arena, m->main_options, m->main_option_values,
                       cfg->main, cfg->n_main, err, errlen) != 0)
        return -1;
    if (m->init != NULL && m->init(rt->api) != TERN_OK) {
        snprintf(err, errlen, "module %s failed to initialise", m->name);
        return -1;
    }
    rt->inited[i] = 1;
    if (tern_lookups_add_module(rt->lookups, m, err, errlen) < 0)
        return -1;
    add_modvars(rt, m);
    return 0;
}

static void
grow_inited(struct host_runtime *rt, size_t n)
{
    unsigned char *p = realloc(rt->inited, n ? n : 1);

    if (p == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    if (n > rt->n_inited)
        memset(p + rt->n_inited, 0, n - rt->n_inited);
    rt->inited = p;
    rt->n_inited = n;
}

static int
options(struct host_runtime *rt, FILE *err)
{
    const struct tern_config *cfg = &rt->hc->cfg;
    char why[RT_ERRLEN];

    if (tern_opts_fill(rt->arena, main_defs(rt), &rt->opts, cfg->main,
                       cfg->n_main, why, sizeof why) != 0) {
        fprintf(err, "tern: %s\n", why);
        return -1;
    }
    if (text_opt(&rt->opts.timezone) != NULL) {
        setenv("TZ", rt->opts.timezone.text, 1);
        tzset();
    }
    rt->primary_hostname = text_opt(&rt->opts.primary_hostname);
    if (rt->primary_hostname == NULL)
        rt->primary_hostname = own_hostname(rt);
    rt->qualify_domain = text_opt(&rt->opts.qualify_domain);
    if (rt->qualify_domain == NULL)
        rt->qualify_domain = rt->primary_hostname;
    rt->qualify_recipient = text_opt(&rt->opts.qualify_recipient);
    if (rt->qualify_recipient == NULL)
        rt->qualify_recipient = rt->qualify_domain;
    return 0;
}

/* spool_directory is expanded once, as Exim does at start-up. */
static void
spool_dir(struct host_runtime *rt)
{
    struct tern_ctx c = host_ctx_rt(rt);
    const char *s = rt->opts.spool_directory.text, *out, *why;

    rt->spool_directory = s ? s : "";
    if (s != NULL && strchr(s, '$') != NULL &&
        host_expand(&c, s, &out, &why) == 0)
        rt->spool_directory = out;
}

int
host_runtime_init(struct host_runtime *rt, struct host_conf *hc,
                  const char *progname, FILE *err)
{
    char why[RT_ERRLEN];

    memset(rt, 0, sizeof *rt);
    rt->arena = tern_arena_new();
    rt->hc = hc;
    rt->progname = "tern";
    rt->started = time(NULL);
    rt->exp_schema.known = host_names_known;
    rt->exp_schema.arg = rt;
    paths(rt, progname);
    if (options(rt, err) != 0)
        return -1;
    ids(rt);
    rt->api = host_api_table(rt);
    rt->match_cache = tern_match_cache_new();
    rt->lookups = tern_lookups_new();
    tern_lookups_set_open_max(rt->lookups,
                              rt->opts.lookup_open_max > 0
                              ? (unsigned)rt->opts.lookup_open_max : 25);
    spool_dir(rt);
    grow_inited(rt, hc->n_mods);
    for (size_t i = 0; i < hc->n_mods; i++) {
        if (init_module(rt, i, why, sizeof why) != 0) {
            fprintf(err, "tern: %s\n", why);
            return -1;
        }
    }
    return 0;
}

/* The installed schema providing kind/name, NULL if none. */
static const struct tern_schema *
provider(struct host_runtime *rt, const char *kind, const char *name,
         size_t len)
{
    const struct tern_schema_set *set = &rt->hc->schemas;
    char *nm = tern_strndup(rt->arena, name, len);

    return rt->hc->have_schemas ? tern_schema_find_provider(set, kind, nm, 0)
                                : NULL;
}

int
host_runtime_provider(struct host_runtime *rt, const char *kind,
                      const char *name, size_t len, const char **why)
{
    const struct tern_schema *s = provider(rt, kind, name, len);
    struct host_conf *hc = rt->hc;
    char err[RT_ERRLEN];
    struct tern_loaded_module lm;

    if (s == NULL)
        return 0;
    if (strcmp(s->module, "core") == 0)
        return 1;
    for (size_t i = 0; i < hc->n_mods; i++)
        if (strcmp(hc->mods[i].mod->name, s->module) == 0)
            return 1;
    if (tern_module_load(s->module, hc->module_path ? hc->module_path
                                                    : tern_module_path(NULL),
                         s->hash, &lm, err, sizeof err) != 0) {
        *why = tern_strdup(rt->arena, err);
        return -1;
    }
    struct tern_loaded_module *m = realloc(hc->mods,
                                           (hc->n_mods + 1) * sizeof *m);
    if (m == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    hc->mods = m;
    hc->mods[hc->n_mods++] = lm;
    grow_inited(rt, hc->n_mods);
    if (init_module(rt, hc->n_mods - 1, err, sizeof err) != 0) {
        *why = tern_strdup(rt->arena, err);
        return -1;
    }
    return 1;
}

void
host_runtime_free(struct host_runtime *rt)
{
    if (rt->arena == NULL)
        return;
    /* Handles go back to their modules before the modules finish. */
    if (rt->lookups != NULL)
        tern_lookups_free(rt->lookups);
    for (size_t i = rt->n_inited; i-- > 0;) {
        const struct tern_module *m = rt->hc->mods[i].mod;

        if (rt->inited[i] && m->fini != NULL)
            m->fini();
    }
    if (rt->match_cache != NULL)
        tern_match_cache_free(rt->match_cache);
    host_api_close(rt);
    host_names_free(rt->names);
    host_exp_cache_free(rt);
    free(rt->modvars);
    free(rt->inited);
    tern_arena_free(rt->arena);
    memset(rt, 0, sizeof *rt);
}
