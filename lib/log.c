/*
 * NAME
 *   log.c - Exim-format log files (see log.h)
 *
 * DESCRIPTION
 *   Each of the three logs (main, reject, panic) keeps one descriptor per
 *   log_file_path entry, opened lazily with O_APPEND|O_CREAT.  A line is
 *   built completely in a stack buffer and written with one write(2), the
 *   only way to keep lines from concurrent processes whole.
 *
 * DIAGNOSTICS
 *   A log file that cannot be opened or written is reported once on
 *   stderr (there is nowhere else to say it) and the line goes to syslog
 *   instead, so it is not lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

#define LOG_MAX_TARGETS 4
#define LOG_LINE_MAX 16384
#define LOG_PATH_MAX 1024

enum { LOG_I_MAIN, LOG_I_REJECT, LOG_I_PANIC, LOG_I_COUNT };
static const char *const log_names[LOG_I_COUNT] = { "main", "reject", "panic" };

struct log_target {
    char pattern[LOG_PATH_MAX];     /* entry of log_file_path; "" = syslog */
    int is_syslog;
    int fd[LOG_I_COUNT];
    char name[LOG_I_COUNT][LOG_PATH_MAX];   /* file the fd belongs to */
    time_t checked[LOG_I_COUNT];            /* last rename check */
    int complained;
};

struct tern_log {
    struct tern_log_opts o;
    struct log_target t[LOG_MAX_TARGETS];
    int n;
    int syslog_open;
};

int tern_log_expand_name(const char *pattern, const char *which, time_t t,
                         char *buf, size_t buflen)
{
    struct tm tm;
    size_t o = 0;
    char date[16];
    localtime_r(&t, &tm);
    for (const char *p = pattern; *p; p++) {
        const char *ins = NULL;
        char one[2] = { *p, 0 };
        if (*p == '%' && p[1] == 's') {
            ins = which;
        } else if (*p == '%' && p[1] == 'D') {
            strftime(date, sizeof date, "%Y%m%d", &tm);
            ins = date;
        } else if (*p == '%' && p[1] == 'M') {
            strftime(date, sizeof date, "%Y%m", &tm);
            ins = date;
        }
        if (ins)
            p++;
        else
            ins = one;
        size_t n = strlen(ins);
        if (o + n + 1 > buflen)
            return -1;
        memcpy(buf + o, ins, n);
        o += n;
    }
    buf[o] = 0;
    return 0;
}

static int add_target(struct tern_log *lg, const char *entry, size_t len,
                      const char **err)
{
    if (lg->n == LOG_MAX_TARGETS) {
        *err = "log_file_path: too many entries (at most 4)";
        return -1;
    }
    struct log_target *t = &lg->t[lg->n];
    memset(t, 0, sizeof *t);
    for (int i = 0; i < LOG_I_COUNT; i++)
        t->fd[i] = -1;
    while (len && (*entry == ' ' || *entry == '\t')) {
        entry++;
        len--;
    }
    while (len && (entry[len - 1] == ' ' || entry[len - 1] == '\t'))
        len--;
    if (len == 6 && strncmp(entry, "syslog", 6) == 0) {
        t->is_syslog = 1;
    } else if (len == 0) {
        const char *spool = lg->o.spool_dir ? lg->o.spool_dir : ".";
        if ((size_t)snprintf(t->pattern, sizeof t->pattern, "%s/log/%%slog",
                             spool) >= sizeof t->pattern) {
            *err = "log_file_path: spool directory name too long";
            return -1;
        }
    } else {
        if (len >= sizeof t->pattern) {
            *err = "log_file_path: entry too long";
            return -1;
        }
        memcpy(t->pattern, entry, len);
        t->pattern[len] = 0;
        if (t->pattern[0] != '/' && t->pattern[0] != '.') {
            *err = "log_file_path: entries must be absolute paths or 'syslog'";
            return -1;
        }
        if (!strstr(t->pattern, "%s")) {
            *err = "log_file_path: a file entry must contain %s";
            return -1;
        }
    }
    lg->n++;
    return 0;
}

struct tern_log *tern_log_open(const struct tern_log_opts *o, const char **err)
{
    struct tern_log *lg = calloc(1, sizeof *lg);
    if (!lg) {
        *err = "out of memory";
        return NULL;
    }
    lg->o = *o;
    const char *p = o->path ? o->path : "";
    /* Exim lists: colon separated, "::" would be a literal colon, which no
     * sane log path has; we split on single colons. */
    for (;;) {
        const char *c = strchr(p, ':');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (add_target(lg, p, len, err) < 0) {
            free(lg);
            return NULL;
        }
        if (!c)
            break;
        p = c + 1;
    }
    return lg;
}

void tern_log_close(struct tern_log *lg)
{
    if (!lg)
        return;
    for (int i = 0; i < lg->n; i++)
        for (int j = 0; j < LOG_I_COUNT; j++)
            if (lg->t[i].fd[j] >= 0)
                close(lg->t[i].fd[j]);
    if (lg->syslog_open)
        closelog();
    free(lg);
}

size_t tern_log_stamp(const struct tern_log *lg, time_t t, long usec,
                      char *buf, size_t buflen)
{
    struct tm tm;
    localtime_r(&t, &tm);
    size_t n = strftime(buf, buflen, "%Y-%m-%d %H:%M:%S", &tm);
    if (lg->o.with_millisec && n + 5 < buflen)
        n += (size_t)snprintf(buf + n, buflen - n, ".%03ld", usec / 1000);
    if (lg->o.timezone_offset && n + 7 < buflen) {
        long off = tm.tm_gmtoff / 60;
        char sign = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        n += (size_t)snprintf(buf + n, buflen - n, " %c%02ld%02ld", sign,
                              off / 60, off % 60);
    }
    return n;
}

/* Exim creates a missing log directory (and its parents) rather than
 * losing log lines; so do we, mode 0750 like Exim's spool folders. */
static int make_parent_dirs(const char *path)
{
    char dir[LOG_PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return -1;
    memcpy(dir, path, n + 1);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* Make sure t->fd[i] is open on the file the pattern names now; reopen
 * when the day changed (%D) or the file was renamed away. */
static int target_fd(struct log_target *t, int i, time_t now)
{
    char name[LOG_PATH_MAX];
    if (tern_log_expand_name(t->pattern, log_names[i], now, name,
                             sizeof name) < 0)
        return -1;
    if (t->fd[i] >= 0 && strcmp(name, t->name[i]) == 0) {
        if (t->checked[i] == now)
            return t->fd[i];
        struct stat a, b;
        t->checked[i] = now;
        if (stat(name, &a) == 0 && fstat(t->fd[i], &b) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return t->fd[i];
    }
    if (t->fd[i] >= 0)
        close(t->fd[i]);
    t->fd[i] = open(name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (t->fd[i] < 0 && errno == ENOENT && make_parent_dirs(name) == 0)
        t->fd[i] = open(name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                        0640);
    if (t->fd[i] >= 0) {
        memcpy(t->name[i], name, sizeof name);
        t->checked[i] = now;
    }
    return t->fd[i];
}

static void to_syslog(struct tern_log *lg, int i, const char *text)
{
    if (!lg->syslog_open) {
        openlog(lg->o.syslog_ident ? lg->o.syslog_ident : "tern",
                LOG_PID | LOG_NDELAY, LOG_MAIL);
        lg->syslog_open = 1;
    }
    int prio = i == LOG_I_PANIC ? LOG_ALERT
             : i == LOG_I_REJECT ? LOG_NOTICE : LOG_INFO;
    syslog(prio, "%s", text);
}

/* The line as Exim writes it: stamp, optional [pid], optional id, text;
 * control characters in the text are shown as escapes. */
static size_t build_line(struct tern_log *lg, const char *msgid,
                         const char *text, char *line, size_t cap)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    size_t n = tern_log_stamp(lg, tv.tv_sec, tv.tv_usec, line, cap);
    if (lg->o.with_pid)
        n += (size_t)snprintf(line + n, cap - n, " [%ld]", (long)getpid());
    if (msgid && *msgid && n < cap)
        n += (size_t)snprintf(line + n, cap - n, " %s", msgid);
    if (n < cap - 1)
        line[n++] = ' ';
    for (const unsigned char *p = (const unsigned char *)text;
         *p && n + 5 < cap; p++) {
        if (*p == '\n') {
            line[n++] = '\\';
            line[n++] = 'n';
        } else if (*p < 0x20 && *p != '\t') {
            n += (size_t)snprintf(line + n, cap - n, "\\x%02x", *p);
        } else {
            line[n++] = (char)*p;
        }
    }
    line[n++] = '\n';
    line[n] = 0;
    return n;
}

static void write_one(struct tern_log *lg, int i, const char *line,
                      size_t len, time_t now)
{
    for (int k = 0; k < lg->n; k++) {
        struct log_target *t = &lg->t[k];
        if (t->is_syslog) {
            to_syslog(lg, i, line);
            continue;
        }
        int fd = target_fd(t, i, now);
        if (fd >= 0 && write(fd, line, len) == (ssize_t)len)
            continue;
        if (!t->complained) {
            fprintf(stderr, "tern: cannot write %slog for pattern %s: %s\n",
                    log_names[i], t->pattern, strerror(errno));
            t->complained = 1;
        }
        to_syslog(lg, i, line);
    }
}

void tern_log_vwrite(struct tern_log *lg, unsigned dest, const char *msgid,
                     const char *fmt, va_list ap)
{
    char text[LOG_LINE_MAX];
    char line[LOG_LINE_MAX + 128];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t len = build_line(lg, msgid, text, line, sizeof line);
    time_t now = time(NULL);
    /* Like Exim: reject and panic lines are in the main log too. */
    if (dest & (TERN_LOG_MAIN | TERN_LOG_REJECT | TERN_LOG_PANIC))
        write_one(lg, LOG_I_MAIN, line, len, now);
    if (dest & TERN_LOG_REJECT)
        write_one(lg, LOG_I_REJECT, line, len, now);
    if (dest & TERN_LOG_PANIC)
        write_one(lg, LOG_I_PANIC, line, len, now);
}

void tern_log_write(struct tern_log *lg, unsigned dest, const char *msgid,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tern_log_vwrite(lg, dest, msgid, fmt, ap);
    va_end(ap);
}
