/*
 * NAME
 *   daemon_setup.c - what the daemon does as root before serving:
 *   directories, pid file, detaching, and the privilege workers drop to
 *
 * DESCRIPTION
 *   Workers run as tern_user (else exim_user) and exim_group.  Everything
 *   they write must be theirs, so the master creates what is missing of
 *   spool_directory (with input/, msglog/ and db/) and of the log
 *   directories named by log_file_path, owned by that user, as Exim
 *   creates its directories as the Exim user.  An existing spool
 *   directory the user cannot write is handed to it (never a sticky
 *   directory such as /tmp, nor /).
 *
 *   The master itself stays root (it must bind again on a reload and
 *   remove the pid file), but writes its log lines with the workers'
 *   effective ids, so a log file it happens to create (at start-up, or
 *   on a new day with %D) is one the workers can append to.
 *
 *   The pid file follows Exim: pid_file_path (expanded), else
 *   exim-daemon.pid in the spool directory; none when -oX chose the
 *   sockets, unless -oP names one.  It is written while still root and
 *   replaced atomically (temporary name, rename).
 *
 *   When not started as root there is nothing to drop: the workers run
 *   as the caller, as Exim does for an unprivileged daemon.
 *
 * DIAGNOSTICS
 *   "exim_user is not set or does not exist: the daemon will not run its
 *   workers as root", "cannot create DIR: ...", "cannot set uid ...".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tern/host.h>

#include "daemon_int.h"
#include "list.h"
#include "log.h"

int
daemon_ids(const struct host_runtime *rt, struct daemon_ids *ids, char *err,
           size_t errlen)
{
    struct passwd *pw;

    ids->uid = ids->gid = -1;
    ids->user = NULL;
    if (geteuid() != 0)
        return 0;
    ids->uid = rt->opts.tern_user >= 0 ? rt->opts.tern_user : rt->exim_uid;
    ids->gid = rt->exim_gid;
    if (ids->uid <= 0) {
        snprintf(err, errlen, ids->uid == 0
                 ? "exim_user is root: the daemon will not run its workers"
                   " as root"
                 : "exim_user is not set or does not exist: the daemon will"
                   " not run its workers as root");
        return -1;
    }
    pw = getpwuid((uid_t)ids->uid);
    if (pw != NULL) {
        ids->user = tern_strdup(rt->arena, pw->pw_name);
        if (ids->gid < 0)
            ids->gid = (long)pw->pw_gid;
    }
    if (ids->gid < 0) {
        snprintf(err, errlen, "exim_group is not set and user %ld has no"
                 " group", ids->uid);
        return -1;
    }
    return 0;
}

/* mkdir -p; what is created gets `mode` and the owner uid:gid (-1: as
 * we are). */
static int
mkdir_p(const char *path, mode_t mode, long uid, long gid, char *err,
        size_t errlen)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof buf) {
        snprintf(err, errlen, "bad directory name \"%s\"", path);
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;

        *p = '\0';
        if (mkdir(buf, mode) == 0) {
            if (uid >= 0 && chown(buf, (uid_t)uid, (gid_t)gid) != 0) {
                snprintf(err, errlen, "cannot chown %s: %s", buf,
                         strerror(errno));
                return -1;
            }
        } else if (errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", buf,
                     strerror(errno));
            return -1;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    return 0;
}

/* Hand an existing directory to the workers' user when they could not
 * write to it (a spool made by root by hand). */
static void
hand_over(const char *path, const struct daemon_ids *ids)
{
    struct stat st;

    if (ids->uid < 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid == (uid_t)ids->uid || (st.st_mode & S_ISVTX) ||
        strcmp(path, "/") == 0)
        return;
    if (chown(path, (uid_t)ids->uid, (gid_t)ids->gid) != 0)
        fprintf(stderr, "tern: cannot chown %s: %s\n", path,
                strerror(errno));
}

static int
log_dirs(struct host_runtime *rt, const struct daemon_ids *ids, char *err,
         size_t errlen)
{
    struct tern_ctx c = host_ctx_rt(rt);
    const char *list = rt->opts.log_file_path.text, *out = NULL, *why;
    struct tern_list_iter it;
    char item[1024], name[4096];
    const char *p;
    int too_long = 0;

    if (list != NULL && strchr(list, '$') != NULL &&
        host_expand(&c, list, &out, &why) == 0)
        list = out;
    tern_list_start(&it, list ? list : "", ':');
    while ((p = tern_list_next(&it, item, sizeof item, &too_long)) != NULL) {
        if (strcmp(p, "syslog") == 0)
            continue;
        if (*p == '\0') {
            snprintf(item, sizeof item, "%s/log/%%slog", rt->spool_directory);
            p = item;
        }
        if (tern_log_expand_name(p, "main", time(NULL), name,
                                 sizeof name) != 0)
            continue;
        char *slash = strrchr(name, '/');
        if (slash == NULL || slash == name)
            continue;
        *slash = '\0';
        if (mkdir_p(name, 0750, ids->uid, ids->gid, err, errlen) != 0)
            return -1;
    }
    if (list == NULL || *list == '\0') {
        snprintf(name, sizeof name, "%s/log", rt->spool_directory);
        return mkdir_p(name, 0750, ids->uid, ids->gid, err, errlen);
    }
    return 0;
}

int
daemon_dirs(struct host_runtime *rt, const struct daemon_ids *ids, char *err,
            size_t errlen)
{
    static const char *const sub[] = { "input", "msglog", "db", NULL };
    const char *spool = rt->spool_directory;
    char path[4096];

    if (spool == NULL || *spool == '\0') {
        snprintf(err, errlen, "spool_directory is not set");
        return -1;
    }
    if (mkdir_p(spool, 0750, ids->uid, ids->gid, err, errlen) != 0)
        return -1;
    hand_over(spool, ids);
    for (size_t i = 0; sub[i] != NULL; i++) {
        snprintf(path, sizeof path, "%s/%s", spool, sub[i]);
        if (mkdir_p(path, 0750, ids->uid, ids->gid, err, errlen) != 0)
            return -1;
        hand_over(path, ids);
    }
    return log_dirs(rt, ids, err, errlen);
}

int
daemon_drop(const struct daemon_ids *ids, char *err, size_t errlen)
{
    if (ids->uid < 0)
        return 0;
    if ((ids->user != NULL ? initgroups(ids->user, (gid_t)ids->gid)
                           : setgroups(1, &(gid_t){ (gid_t)ids->gid })) != 0 ||
        setgid((gid_t)ids->gid) != 0 || setuid((uid_t)ids->uid) != 0) {
        snprintf(err, errlen, "cannot set uid %ld gid %ld: %s", ids->uid,
                 ids->gid, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || geteuid() == 0) {
        snprintf(err, errlen, "root privilege could be regained after"
                 " dropping it");
        return -1;
    }
    return 0;
}

int
daemon_detach(char *err, size_t errlen)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0) {
        snprintf(err, errlen, "fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid > 0)
        _exit(0);
    if (setsid() < 0) {
        snprintf(err, errlen, "setsid failed: %s", strerror(errno));
        return -1;
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    return 0;
}

const char *
daemon_pid_path(struct host_runtime *rt, const char *ox, const char *op)
{
    struct tern_ctx c = host_ctx_rt(rt);
    const char *p = rt->opts.pid_file_path.text, *out, *why;

    if (op != NULL)
        return *op ? op : NULL;
    if (ox != NULL)
        return NULL;
    if (p != NULL && strchr(p, '$') != NULL) {
        if (host_expand(&c, p, &out, &why) == 0)
            p = out;
        else
            p = NULL;
    }
    if (p == NULL || *p == '\0')
        p = tern_printf(rt->arena, "%s/exim-daemon.pid", rt->spool_directory);
    return p;
}

int
daemon_pid_write(const char *path, char *err, size_t errlen)
{
    char tmp[4096], dir[4096];
    const char *slash = strrchr(path, '/');
    FILE *f;

    if (slash != NULL && slash != path &&
        (size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (mkdir_p(dir, 0755, -1, -1, err, errlen) != 0)
            return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
        fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write pid file %s: %s", path,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

long
daemon_fd_limit(void)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return 1024;
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max > (1u << 20) ? (1u << 20) : r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    return r.rlim_cur == RLIM_INFINITY ? (1L << 20) : (long)r.rlim_cur;
}

void
daemon_log(struct host_runtime *rt, const struct daemon_ids *ids,
           unsigned dest, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int as_user = ids != NULL && ids->uid >= 0 && geteuid() == 0;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (as_user && setegid((gid_t)ids->gid) != 0)
        as_user = 0;
    if (as_user && seteuid((uid_t)ids->uid) != 0) {
        if (setegid(0) != 0)
            abort();
        as_user = 0;
    }
    host_log(rt, dest, NULL, "%s", line);
    if (as_user) {
        if (seteuid(0) != 0 || setegid(0) != 0)
            abort();            /* the master must stay able to rebind */
    }
}
