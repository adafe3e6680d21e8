/*
 * NAME
 *   api.c - the host API table modules call (include/tern/host.h)
 *
 * SYNOPSIS
 *   rt->api = host_api_table(rt);      (runtime.c, before any init())
 *   m->init(rt->api);
 *
 * DESCRIPTION
 *   One table per process.  Calls that carry a ctx work on it; the ones
 *   that do not (log_write, debug, alloc with a NULL ctx) reach the one
 *   runtime of the process, which host_api_table() records.
 *
 *     log_write       Exim-format lines through lib/log.h; the log files
 *                     are opened at the first line from log_file_path
 *                     (expanded) and spool_directory, with log_timezone
 *                     and the +pid / +millisec selectors
 *     debug           to stderr when tern runs with -d
 *     alloc, strdup   from the ctx's arena (freed with its session,
 *                     message or address); process lifetime without ctx
 *     expand          host_expand(); the result lives in the ctx's arena
 *     variable        host_variable(), NUL-terminated
 *     match_hostlist  the session's peer against a host list (expanded,
 *                     as host-list options are), cached per connection
 *
 * DIAGNOSTICS
 *   A log that cannot be opened is reported once on stderr and the
 *   lines are dropped; a host list that is in error is logged to the
 *   panic log and counts as a deferral, as Exim treats it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <tern/host.h>
#include <tern/module.h>

#include "ctx.h"
#include "log.h"
#include "match.h"

static struct host_runtime *api_rt;
static int log_failed;

static struct tern_arena *
arena_of(struct tern_ctx *ctx)
{
    if (ctx != NULL && ctx->arena != NULL)
        return ctx->arena;
    return api_rt->arena;
}

/* "+pid" among the log_selector words (not taken back by "-pid"). */
static int
selector(const char *sel, const char *name)
{
    int on = 0;
    size_t n = strlen(name);

    for (const char *p = sel ? sel : ""; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t w = strcspn(p, " \t");
        if (w == n + 1 && (p[0] == '+' || p[0] == '-') &&
            memcmp(p + 1, name, n) == 0)
            on = p[0] == '+';
        if (w == 4 && memcmp(p, "+all", 4) == 0)
            on = 1;
        p += w;
    }
    return on;
}

static struct tern_log *
open_log(struct host_runtime *rt)
{
    struct tern_log_opts o;
    struct tern_ctx c = host_ctx_rt(rt);
    const char *path = rt->opts.log_file_path.text, *why = NULL;

    memset(&o, 0, sizeof o);
    if (path != NULL && strchr(path, '$') != NULL &&
        host_expand(&c, path, &path, &why) != 0)
        path = rt->opts.log_file_path.text;
    o.path = path;
    o.spool_dir = rt->spool_directory;
    o.timezone_offset = rt->opts.log_timezone;
    o.with_pid = selector(rt->opts.log_selector.text, "pid");
    o.with_millisec = selector(rt->opts.log_selector.text, "millisec");
    o.syslog_ident = rt->opts.syslog_processname.text;
    rt->log = tern_log_open(&o, &why);
    if (rt->log == NULL && !log_failed) {
        log_failed = 1;
        fprintf(stderr, "tern: cannot use log_file_path: %s\n",
                why ? why : "unknown error");
    }
    return rt->log;
}

void
host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    va_list ap;

    if (rt->no_log || (rt->log == NULL && open_log(rt) == NULL))
        return;
    va_start(ap, fmt);
    tern_log_vwrite(rt->log, dest, msgid, fmt, ap);
    va_end(ap);
}

static void
api_log_write(unsigned dest, const char *fmt, ...)
{
    va_list ap;

    if (api_rt == NULL || api_rt->no_log)
        return;
    if (api_rt->log == NULL && open_log(api_rt) == NULL)
        return;
    va_start(ap, fmt);
    tern_log_vwrite(api_rt->log, dest, NULL, fmt, ap);
    va_end(ap);
}

static void
api_debug(const char *fmt, ...)
{
    va_list ap;

    if (api_rt == NULL || !api_rt->debug)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static void *
api_alloc(struct tern_ctx *ctx, size_t n)
{
    return tern_alloc(arena_of(ctx), n);
}

static char *
api_strdup(struct tern_ctx *ctx, const char *s)
{
    return tern_strdup(arena_of(ctx), s);
}

static char *
api_expand(struct tern_ctx *ctx, const char *s, const char **err,
           int *forced)
{
    struct tern_ctx c;
    const char *out = NULL, *why = NULL;
    int rc;

    if (ctx == NULL) {
        c = host_ctx_rt(api_rt);
        ctx = &c;
    }
    rc = host_expand(ctx, s, &out, &why);
    if (forced)
        *forced = rc == 1;
    if (rc == 0)
        return (char *)out;
    if (err)
        *err = why ? why : rc == 1 ? "forced failure" : "expansion failed";
    return NULL;
}

static const char *
api_variable(struct tern_ctx *ctx, const char *name)
{
    struct tern_ctx c;
    const char *v;
    size_t n;

    if (ctx == NULL) {
        c = host_ctx_rt(api_rt);
        ctx = &c;
    }
    if (host_variable(ctx, name, strlen(name), &v, &n) != TERN_OK)
        return NULL;
    return v[n] == '\0' ? v : tern_strndup(arena_of(ctx), v, n);
}

static int
api_match_hostlist(struct tern_ctx *ctx, const char *list)
{
    struct tern_match_env env;
    struct tern_match_result r;
    const char *ip = ctx && ctx->sess ? ctx->sess->peer_address : NULL;
    int rc;

    if (ctx == NULL)
        return TERN_FAIL;
    host_match_env(ctx, &env);
    rc = tern_match_host(&env, ctx->sess ? ctx->sess->host_cache : NULL,
                         ip, list, TERN_MATCH_EXPAND, ctx->arena, &r);
    if (rc == TERN_ERROR) {
        host_log(ctx->rt, TERN_LOG_PANIC, NULL, "error in host list \"%s\":"
                 " %s", list, r.err ? r.err : "unknown error");
        rc = TERN_DEFER;
    }
    return rc;
}

static const struct tern_host_api table = {
    .size = sizeof(struct tern_host_api),
    .abi_version = TERN_ABI_VERSION,
    .log_write = api_log_write,
    .debug = api_debug,
    .alloc = api_alloc,
    .strdup = api_strdup,
    .expand = api_expand,
    .variable = api_variable,
    .match_hostlist = api_match_hostlist,
};

const struct tern_host_api *
host_api_table(struct host_runtime *rt)
{
    api_rt = rt;
    return &table;
}

void
host_api_close(struct host_runtime *rt)
{
    if (rt->log != NULL)
        tern_log_close(rt->log);
    rt->log = NULL;
    if (api_rt == rt)
        api_rt = NULL;
}
