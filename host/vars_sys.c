/*
 * NAME
 *   vars_sys.c - expansion variables about the process, the system and
 *   the clock
 *
 * DESCRIPTION
 *   $primary_hostname, $qualify_domain, $config_dir, $exim_uid, $pid,
 *   $load_average, $spool_space, $tod_log and their kind: what is true
 *   of this process whatever session or message it works on.  The
 *   formats are Exim 4.96's:
 *
 *     $tod_log       2026-12-02 05:05:41
 *     $tod_full      Wed, 02 Dec 2026 05:05:41 +0000
 *     $tod_bsdinbox  Wed Dec 02 05:05:41 2026
 *     $tod_zulu      20261202050541Z
 *     $tod_logfile   20261202
 *     $tod_zone      +0000
 *     $tod_epoch     1796187941       $tod_epoch_l  1796187941937876
 *
 *   Disc space is in kilobytes and load averages are multiplied by 1000,
 *   as Exim shows them; -1 when the system cannot tell.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "vars.h"

static const char *
num(struct tern_arena *a, long long n)
{
    return tern_printf(a, "%lld", n);
}

static const char *
nz(const char *s)
{
    return s ? s : "";
}

const char *
vs_primary_hostname(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->primary_hostname);
}

const char *
vs_qualify_domain(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->qualify_domain);
}

const char *
vs_qualify_recipient(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->qualify_recipient);
}

/* smtp_active_hostname is expanded, in the context of the session. */
const char *
vs_smtp_active_hostname(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *t = c->rt->opts.smtp_active_hostname.text, *out, *why;
    struct tern_ctx x = *c;

    if (c->sess && c->sess->smtp_active_hostname)
        return c->sess->smtp_active_hostname;
    if (c->msg && c->msg->spool.active_hostname.s)
        return c->msg->spool.active_hostname.s;
    if (t == NULL)
        return nz(c->rt->primary_hostname);
    x.arena = a;
    if (host_expand(&x, t, &out, &why) != 0)
        return nz(c->rt->primary_hostname);
    return out;
}

const char *
vs_config_dir(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->config_dir);
}

const char *
vs_config_file(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->config_file);
}

const char *
vs_exim_path(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->exim_path);
}

const char *
vs_initial_cwd(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->initial_cwd);
}

const char *
vs_spool_directory(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return nz(c->rt->spool_directory);
}

const char *
vs_exim_uid(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->rt->exim_uid);
}

const char *
vs_exim_gid(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->rt->exim_gid);
}

/* A local submission's caller; a remote session's is ours. */
const char *
vs_caller_uid(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->sess && c->sess->is_local && c->sess->uid >= 0 && c->sess->login)
        return num(a, c->sess->uid);
    return num(a, c->rt->caller_uid);
}

const char *
vs_caller_gid(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->sess && c->sess->is_local && c->sess->gid >= 0 && c->sess->login)
        return num(a, c->sess->gid);
    return num(a, c->rt->caller_gid);
}

const char *
vs_pid(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return num(a, (long long)getpid());
}

const char *
vs_runrc(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->sess ? c->sess->runrc : c->rt->runrc);
}

const char *
vs_return_size_limit(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->rt->opts.bounce_return_size_limit);
}

const char *
vs_localhost_number(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *t = c->rt->opts.localhost_number.text, *out, *why;
    struct tern_ctx x = *c;

    if (t == NULL)
        return "0";
    x.arena = a;
    if (host_expand(&x, t, &out, &why) != 0)
        return "0";
    return num(a, atoll(out));
}

/* Exim's compile date: "26-Nov-2026 14:26:47". */
const char *
vs_compile_date(const struct tern_ctx *c, struct tern_arena *a)
{
    static const char date[] = __DATE__, tod[] = __TIME__;   /* "Nov 26 2026" */

    (void)c;
    return tern_printf(a, "%.2s-%.3s-%.4s %s",
                       date[4] == ' ' ? date + 5 : date + 4, date, date + 7,
                       tod);
}

const char *
vs_load_average(const struct tern_ctx *c, struct tern_arena *a)
{
    double l[1];

    (void)c;
    if (getloadavg(l, 1) < 1)
        return "-1";
    return num(a, (long long)(l[0] * 1000.0));
}

static const char *
space(struct tern_arena *a, const char *dir, int inodes)
{
    struct statvfs s;

    if (dir == NULL || *dir == '\0' || statvfs(dir, &s) != 0)
        return "-1";
    if (inodes)
        return num(a, (long long)s.f_favail);
    return num(a, (long long)((unsigned long long)s.f_bavail *
                              s.f_frsize / 1024));
}

const char *
vs_spool_space(const struct tern_ctx *c, struct tern_arena *a)
{
    return space(a, c->rt->spool_directory, 0);
}

const char *
vs_spool_inodes(const struct tern_ctx *c, struct tern_arena *a)
{
    return space(a, c->rt->spool_directory, 1);
}

/* The directory of the main log: the first path of log_file_path,
 * else spool_directory/log. */
static const char *
log_dir(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *p = c->rt->opts.log_file_path.text;

    while (p != NULL && *p != '\0') {
        const char *e = p + strcspn(p, ":"), *last = NULL;

        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        for (const char *q = p; q < e; q++)
            if (*q == '/')
                last = q;
        if (p < e && *p == '/')
            return last == p ? "/" : tern_strndup(a, p, (size_t)(last - p));
        p = *e ? e + 1 : e;
    }
    return tern_printf(a, "%s/log", nz(c->rt->spool_directory));
}

const char *
vs_log_space(const struct tern_ctx *c, struct tern_arena *a)
{
    return space(a, log_dir(c, a), 0);
}

const char *
vs_log_inodes(const struct tern_ctx *c, struct tern_arena *a)
{
    return space(a, log_dir(c, a), 1);
}

/* ---- the clock ---- */

static const char *
tod(struct tern_arena *a, const char *fmt, int utc)
{
    time_t now = time(NULL);
    struct tm tm;
    char buf[64];

    if ((utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) == NULL ||
        strftime(buf, sizeof buf, fmt, &tm) == 0)
        return "";
    return tern_strdup(a, buf);
}

const char *
vs_tod_log(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%Y-%m-%d %H:%M:%S", 0);
}

const char *
vs_tod_logfile(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%Y%m%d", 0);
}

const char *
vs_tod_full(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%a, %d %b %Y %H:%M:%S %z", 0);
}

const char *
vs_tod_bsdinbox(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%a %b %d %H:%M:%S %Y", 0);
}

const char *
vs_tod_zone(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%z", 0);
}

const char *
vs_tod_zulu(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return tod(a, "%Y%m%d%H%M%SZ", 1);
}

const char *
vs_tod_epoch(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)c;
    return num(a, (long long)time(NULL));
}

const char *
vs_tod_epoch_l(const struct tern_ctx *c, struct tern_arena *a)
{
    struct timeval tv;

    (void)c;
    gettimeofday(&tv, NULL);
    return num(a, (long long)tv.tv_sec * 1000000 + tv.tv_usec);
}
