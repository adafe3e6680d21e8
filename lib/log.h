/*
 * NAME
 *   log.h - Exim-format log files
 *
 * SYNOPSIS
 *   struct tern_log *lg = tern_log_open("/var/log/tern/%slog", &err);
 *   tern_log_write(lg, TERN_LOG_MAIN, "1abcDE-000123-AB", "<= %s", who);
 *
 * DESCRIPTION
 *   Lines look exactly like Exim's, so eximstats, exigrep and fail2ban
 *   filters keep working:
 *
 *     2026-11-24 11:29:52 1tPfhS-0000Ai-2B <= a@b.example H=... S=412
 *
 *   `log_file_path` is a colon list; each entry is a file name pattern in
 *   which `%s` becomes main, reject or panic and `%D` the date (YYYYMMDD,
 *   `%M` YYYYMM), or the word `syslog`.  An empty entry means the default
 *   (spool_directory/log/%slog).  Every line is one write(2) on an O_APPEND
 *   descriptor, so lines from many processes never interleave.  Files are
 *   reopened when their name changes (a new day for %D) or when the file was
 *   moved away (exicyclog), checked at most once a second.
 *
 *   As in Exim, a line for the reject log is also written to the main log,
 *   and a panic line to the main log too.
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stdarg.h>
#include <time.h>
#include <tern/host.h>   /* enum tern_log_dest */

struct tern_log;

struct tern_log_opts {
    const char *path;           /* log_file_path; NULL or "" = default */
    const char *spool_dir;      /* for the default path */
    int timezone_offset;        /* log_timezone: print +hhmm when set */
    int with_pid;               /* log_selector +pid */
    int with_millisec;          /* log_selector +millisec */
    const char *syslog_ident;   /* syslog_processname, default "tern" */
};

/* Open (lazily: files are created on first write). NULL only on a bad
 * path, with *err set. */
struct tern_log *tern_log_open(const struct tern_log_opts *o, const char **err);
void tern_log_close(struct tern_log *lg);

/* Write one line to `dest` (a set of enum tern_log_dest); `msgid` may be
 * NULL.  Newlines inside the text are turned into `\n` as Exim does, so a
 * line is always one line. */
void tern_log_write(struct tern_log *lg, unsigned dest, const char *msgid,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tern_log_vwrite(struct tern_log *lg, unsigned dest, const char *msgid,
                     const char *fmt, va_list ap);

/* The timestamp prefix for `t` (and microseconds `usec` if millisec),
 * into buf; returns its length.  Exposed for tests. */
size_t tern_log_stamp(const struct tern_log *lg, time_t t, long usec,
                      char *buf, size_t buflen);

/* Expand one log_file_path entry for `which` ("main", "reject", "panic")
 * at time t; returns 0, or -1 when the result does not fit. */
int tern_log_expand_name(const char *pattern, const char *which, time_t t,
                         char *buf, size_t buflen);

#endif
