/*
 * NAME
 *   tools_conf.c - finding the spool, logging and formatting for the
 *   spool tools
 *
 * SYNOPSIS
 *   tern-spool -C /etc/tern/tern.conf list
 *   tern-hints --spool /var/spool/tern dump retry
 *
 * DESCRIPTION
 *   `-C FILE` is compiled with libconfc against the installed schemas
 *   ($TERN_SCHEMA_PATH), exactly as `tern -C` compiles it, or mapped if it
 *   is a plan; the tools read three main options from it:
 *   spool_directory, split_spool_directory and log_file_path.  An option
 *   whose value needs expanding (a `$` in it) cannot be used without the
 *   host's expansion context: spool_directory then has to be given with
 *   --spool, and log_file_path falls back to SPOOL/log/%slog.  A
 *   configuration with errors elsewhere (a module not installed) is still
 *   used for these options, with a warning, when spool_directory itself
 *   was read: the queue must stay reachable while a configuration is
 *   being repaired.
 *
 *   When run as root, files the tools create (a rewritten -H, a hints
 *   database) are given to the owner of the spool directory, so that
 *   the MTA, which runs as that user, can still use them.
 *
 * DIAGNOSTICS
 *   "tern-spool: FILE: 2 errors" after the compiler's messages; "no
 *   spool directory: give -C FILE or --spool DIR"; "spool_directory
 *   "$x" needs expanding: give --spool DIR".
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cfgmodel.h"
#include "compile.h"
#include "diag.h"
#include "log.h"
#include "modload.h"
#include "optval.h"
#include "plan.h"
#include "schema.h"
#include "tools.h"

void tools_env_init(struct tools_env *e, const char *prog)
{
    memset(e, 0, sizeof *e);
    e->prog = prog;
    e->owner_uid = e->owner_gid = -1;
    e->arena = tern_arena_new();
}

void tools_env_free(struct tools_env *e)
{
    if (e->log)
        tern_log_close(e->log);
    tern_arena_free(e->arena);
}

void tools_warn(const struct tools_env *e, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", e->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int tools_common_opt(struct tools_env *e, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    if (!strcmp(s, "-C") || !strcmp(s, "--spool")) {
        if (*i + 1 >= argc)
            return -1;
        if (s[1] == 'C')
            e->config = argv[++*i];
        else
            e->spool = argv[++*i];
        return 1;
    }
    if (!strncmp(s, "-C", 2)) {
        e->config = s + 2;
        return 1;
    }
    if (!strncmp(s, "--spool=", 8)) {
        e->spool = s + 8;
        return 1;
    }
    if (!strcmp(s, "--split"))
        e->split = 1;
    else if (!strcmp(s, "--json"))
        e->json = 1;
    else if (!strcmp(s, "-z"))
        e->utc = 1;
    else
        return 0;
    return 1;
}

static const struct tern_cfg_option *
find_main(const struct tern_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_main; i++)
        if (!strcmp(cfg->main[i].name, name))
            return &cfg->main[i];
    return NULL;
}

/* Take what we need out of the compiled configuration; strings are copied
 * into the arena because the plan or compile arena goes away. */
static int take_options(struct tools_env *e, const struct tern_config *cfg,
                        const struct tern_schema_set *set)
{
    const struct tern_cfg_option *o;
    const char *spool = NULL;
    if ((o = find_main(cfg, "spool_directory")) && o->value.text)
        spool = o->value.text;
    else if (set) {
        const struct tern_schema *owner;
        const struct tern_schema_option *so =
            tern_schema_find_option(set, "main", "spool_directory", &owner);
        spool = so ? so->dflt : NULL;
    }
    if (!e->spool && spool) {
        if (strchr(spool, '$')) {
            tools_warn(e, "spool_directory \"%s\" needs expanding: give "
                       "--spool DIR", spool);
            return -1;
        }
        e->spool = tern_strdup(e->arena, spool);
    }
    if ((o = find_main(cfg, "split_spool_directory")) && o->value.is_set)
        e->split = e->split || o->value.num != 0;
    if ((o = find_main(cfg, "log_file_path")) && o->value.text &&
        !strchr(o->value.text, '$'))
        e->log_path = tern_strdup(e->arena, o->value.text);
    return 0;
}

static int read_plan(struct tools_env *e)
{
    struct tern_plan p;
    struct tern_config cfg;
    char err[1024];
    int rc;
    if (tern_plan_open(&p, e->config, err, sizeof err) != 0) {
        tools_warn(e, "%s", err);
        return -1;
    }
    if (tern_plan_decode(&p, e->arena, &cfg, err, sizeof err) != 0) {
        tools_warn(e, "%s", err);
        tern_plan_close(&p);
        return -1;
    }
    rc = take_options(e, &cfg, NULL);
    tern_plan_close(&p);
    return rc;
}

static int read_config(struct tools_env *e)
{
    struct tern_schema_set set;
    struct tern_diags d = { 0 };
    struct tern_compile_opts o = { 0 };
    struct tern_config cfg;
    struct tern_arena *a;
    int rc = -1;

    if (tern_plan_is_plan(e->config))
        return read_plan(e);
    if (tern_load_schemas(&set, NULL, &d) != 0 || d.errors > 0) {
        tern_diags_print_text(&d, stderr);
        tools_warn(e, "cannot load the schemas from %s",
                   tern_schema_path());
        tern_diags_free(&d);
        tern_schema_set_free(&set);
        return -1;
    }
    tern_diags_free(&d);
    a = tern_arena_new();
    o.config_path = e->config;
    o.schemas = &set;
    if (tern_compile(a, &o, &cfg, &d) != 0 || d.errors > 0) {
        /* The queue must stay reachable while a configuration is broken
         * (a module removed, an upgrade half done): only three main
         * options are needed, and they are used when they were read
         * without error. */
        if (e->spool || find_main(&cfg, "spool_directory")) {
            tools_warn(e, "%s: %u error%s (see confc check); using its "
                       "spool settings anyway", e->config, d.errors,
                       d.errors == 1 ? "" : "s");
            rc = take_options(e, &cfg, NULL);
        } else {
            tern_diags_print_text(&d, stderr);
            tools_warn(e, "%s: %u error%s", e->config, d.errors,
                       d.errors == 1 ? "" : "s");
        }
    } else {
        rc = take_options(e, &cfg, &set);
    }
    tern_diags_free(&d);
    tern_arena_free(a);
    tern_schema_set_free(&set);
    return rc;
}

int tools_env_ready(struct tools_env *e)
{
    struct stat st;
    if (e->config && read_config(e) != 0)
        return -1;
    if (!e->spool || !*e->spool) {
        tools_warn(e, "no spool directory: give -C FILE or --spool DIR");
        return -1;
    }
    if (stat(e->spool, &st) != 0) {
        tools_warn(e, "%s: %s", e->spool, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        tools_warn(e, "%s: not a directory", e->spool);
        return -1;
    }
    if (geteuid() == 0 && st.st_uid != 0) {
        e->owner_uid = (long)st.st_uid;
        e->owner_gid = (long)st.st_gid;
    }
    return 0;
}

void tools_log(struct tools_env *e, const char *id, const char *fmt, ...)
{
    va_list ap;
    if (!e->log) {
        struct tern_log_opts lo = { 0 };
        const char *why = NULL;
        lo.path = e->log_path;
        lo.spool_dir = e->spool;
        if (!(e->log = tern_log_open(&lo, &why))) {
            tools_warn(e, "cannot log: %s", why ? why : "bad log path");
            return;
        }
    }
    va_start(ap, fmt);
    tern_log_vwrite(e->log, TERN_LOG_MAIN, id, fmt, ap);
    va_end(ap);
}

const char *tools_user(void)
{
    static char name[64];
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "%ld", (long)getuid());
    return name;
}

int tools_parse_time(const char *s, long long *out)
{
    const char *why;
    unsigned col;
    return tern_parse_time(s, out, &why, &col);
}

void tools_fmt_date(const struct tools_env *e, long long t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((e->utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
        strftime(buf, 32, "%d-%b-%Y %H:%M:%S", &tm) == 0)
        snprintf(buf, 32, "%lld", t);
}

/* The same columns as Exim's -bp (and tern -bp). */
void tools_fmt_age(long long seconds, char buf[24])
{
    long long mins = seconds < 0 ? 0 : seconds / 60, hours;
    if (mins <= 90) {
        snprintf(buf, 24, "%2lldm", mins);
        return;
    }
    hours = (mins + 30) / 60;
    if (hours <= 72)
        snprintf(buf, 24, "%2lldh", hours);
    else
        snprintf(buf, 24, "%2lldd", (hours + 12) / 24);
}

void tools_fmt_size(long long size, char buf[24])
{
    if (size <= 0)
        snprintf(buf, 24, "     ");
    else if (size < 1024)
        snprintf(buf, 24, "%5lld", size);
    else if (size < 10 * 1024)
        snprintf(buf, 24, "%4.1fK", (double)size / 1024.0);
    else if (size < 1024 * 1024)
        snprintf(buf, 24, "%4lldK", (size + 512) / 1024);
    else if (size < 10 * 1024 * 1024)
        snprintf(buf, 24, "%4.1fM", (double)size / (1024.0 * 1024.0));
    else
        snprintf(buf, 24, "%4lldM", (size + 512 * 1024) / (1024 * 1024));
}

/* Anything but "no such file" counts as present: tidying must never drop
 * the hints of a message it merely failed to see. */
static int present(const char *path)
{
    return access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

int tools_msg_exists(const struct tools_env *e, const char *id)
{
    static const char kinds[] = "HD";
    char path[4096];
    if (strlen(id) < 6)
        return 0;
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/input/%s-%c", e->spool, id,
                 kinds[k]);
        if (present(path))
            return 1;
        snprintf(path, sizeof path, "%s/input/%c/%s-%c", e->spool, id[5],
                 id, kinds[k]);
        if (present(path))
            return 1;
    }
    return 0;
}
