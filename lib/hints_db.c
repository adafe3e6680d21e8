/*
 * NAME
 *   hints_db.c - opening and closing a hints database: locks, damage
 *
 * SYNOPSIS
 *   struct tern_hints *h = tern_hints_open(&opts, &err);
 *   tern_hints_close(h, &err);
 *
 * DESCRIPTION
 *   Berkeley DB used without an environment is not journaled: a process
 *   killed while it holds dirty pages, or a crash during the flush, can
 *   leave a file that no longer opens or whose pages do not agree.  Hints
 *   can always be rebuilt, so the rule here is that such a file must never
 *   stop mail: it is renamed aside and an empty one is made.
 *
 *   Damage is noticed three ways.  Opening fails with a format error (a
 *   truncated or overwritten file).  A writer that died left the dirty
 *   mark in the lock file, so the next writer runs DB->verify before use.
 *   An operation reports a damaged page (new files have page checksums);
 *   the handle is marked and, at close, a writer verifies and moves the
 *   file aside while it still holds the lock, and a reader sets the dirty
 *   mark so that the next writer does it.
 *
 *   The lock is an open-file-description lock (F_OFD_SETLK) where the
 *   system has one, so two handles in one process cannot silently share
 *   a lock; it conflicts with the traditional fcntl locks Exim takes.
 *
 * DIAGNOSTICS
 *   "SPOOL/db/retry: lock: timed out after 60s", "SPOOL/db/retry: open:
 *   Permission denied"; through the log callback: "hints database
 *   SPOOL/db/retry is damaged (REASON): moved to SPOOL/db/retry.corrupt,
 *   starting with an empty one".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hints_int.h"

/* Berkeley DB reports details through a callback without a context
 * argument; the handle's call collects them here for its error text. */
static _Thread_local char db_last_msg[256];

static void db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    (void)env;
    (void)pfx;
    /* The first message says what went wrong; later ones sum it up. */
    if (!db_last_msg[0])
        snprintf(db_last_msg, sizeof db_last_msg, "%s", msg ? msg : "");
}

void tern_hints_seterr(struct tern_hints_err *err, int sys_errno,
                       const char *path, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err->sys_errno = sys_errno;
    snprintf(err->text, sizeof err->text, "%s: %s", path, what);
}

const char *tern_hints_dberr(int rc, char *buf, size_t size)
{
    if (db_last_msg[0] && strstr(db_last_msg, db_strerror(rc)))
        snprintf(buf, size, "%s", db_last_msg);
    else if (db_last_msg[0])
        snprintf(buf, size, "%s (%s)", db_strerror(rc), db_last_msg);
    else
        snprintf(buf, size, "%s", db_strerror(rc));
    db_last_msg[0] = 0;
    return buf;
}

int tern_hints_rc_corrupt(int rc)
{
    switch (rc) {
    case 0: case DB_NOTFOUND: case DB_KEYEMPTY: case DB_BUFFER_SMALL:
    case ENOENT: case EACCES: case EPERM: case ENOMEM: case ENOSPC:
    case EMFILE: case ENFILE: case EROFS: case EDQUOT: case EINTR:
    case EAGAIN:
        return 0;
    default:
        return 1;
    }
}

void tern_hints_op_failed(struct tern_hints *h, int rc, const char *what,
                          struct tern_hints_err *err)
{
    char why[384];
    if (tern_hints_rc_corrupt(rc))
        h->corrupt = 1;
    tern_hints_seterr(err, rc > 0 ? rc : 0, h->path, "%s: %s%s", what,
                      tern_hints_dberr(rc, why, sizeof why),
                      h->corrupt ? " (damaged hints file)" : "");
}

int tern_hints_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    static const char suffix[] = ".lockfile";
    if (n == 0 || n > 200 || strchr(name, '/') || !strcmp(name, ".") ||
        !strcmp(name, ".."))
        return 0;
    if (n >= sizeof suffix - 1 &&
        !strcmp(name + n - (sizeof suffix - 1), suffix))
        return 0;
    return 1;
}

/* ---- the lock file ------------------------------------------------------ */

static int setlk(int fd, int type, int wait)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = (short)type;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
#endif
    return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to `timeout` seconds (polling: a blocking wait cannot be
 * bounded without a signal, and a library must not take SIGALRM). */
static int take_lock(struct tern_hints *h, int timeout,
                     struct tern_hints_err *err)
{
    int type = h->write ? F_WRLCK : F_RDLCK;
    if (timeout < 0) {
        while (setlk(h->lockfd, type, 1) != 0) {
            if (errno != EINTR) {
                tern_hints_seterr(err, errno, h->lockpath, "lock: %s",
                                  strerror(errno));
                return -1;
            }
        }
        return 0;
    }
    long long deadline = mono_ms() + (long long)timeout * 1000;
    long nap = 1;
    while (setlk(h->lockfd, type, 0) != 0) {
        if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
            tern_hints_seterr(err, errno, h->lockpath, "lock: %s",
                              strerror(errno));
            return -1;
        }
        if (mono_ms() >= deadline) {
            tern_hints_seterr(err, EAGAIN, h->lockpath,
                              "lock: timed out after %ds", timeout);
            return -1;
        }
        struct timespec ts = { 0, nap * 1000000L };
        nanosleep(&ts, NULL);
        if (nap < 32)
            nap *= 2;
    }
    return 0;
}

static void set_mark(struct tern_hints *h, char mark)
{
    ssize_t w;
    do
        w = pwrite(h->lockfd, &mark, 1, 0);
    while (w < 0 && errno == EINTR);
}

static char get_mark(const struct tern_hints *h)
{
    char c = 0;
    ssize_t r;
    do
        r = pread(h->lockfd, &c, 1, 0);
    while (r < 0 && errno == EINTR);
    return r == 1 ? c : 0;
}

static void own(int fd, const struct tern_hints_opts *o)
{
    if (o->owner_uid >= 0 || o->owner_gid >= 0) {
        if (fchown(fd, (uid_t)o->owner_uid, (gid_t)o->owner_gid) != 0) {
            /* Not fatal: the file is usable by us; an admin tool run by
             * root just leaves root-owned hints, as exim_tidydb does. */
        }
    }
}

/* ---- damage -------------------------------------------------------------- */

/* 0 when DB->verify finds nothing wrong (or there is no file). */
static int verify_file(const char *path, char *why, size_t size)
{
    DB *v;
    struct stat st;
    int rc;
    if (stat(path, &st) != 0)
        return 0;
    if ((rc = db_create(&v, NULL, 0)) != 0) {
        snprintf(why, size, "%s", db_strerror(rc));
        return -1;
    }
    v->set_errcall(v, db_errcall);
    db_last_msg[0] = 0;
    rc = v->verify(v, path, NULL, NULL, 0);     /* destroys v */
    if (rc != 0) {
        tern_hints_dberr(rc, why, size);
        return -1;
    }
    return 0;
}

static void move_aside(struct tern_hints *h, const char *why)
{
    char aside[4200], line[4700];
    snprintf(aside, sizeof aside, "%s.corrupt", h->path);
    if (rename(h->path, aside) != 0 && errno != ENOENT) {
        /* Cannot rename: remove, so that mail does not stop. */
        unlink(h->path);
        snprintf(aside, sizeof aside, "(removed: rename failed: %s)",
                 strerror(errno));
    }
    snprintf(line, sizeof line, "hints database %s is damaged (%s): "
             "moved to %s, starting with an empty one", h->path, why, aside);
    if (h->log)
        h->log(h->log_arg, line);
}

/* ---- open --------------------------------------------------------------- */

static int open_db(struct tern_hints *h, int *rc_out)
{
    int rc = db_create(&h->db, NULL, 0);
    if (rc == 0) {
        h->db->set_errcall(h->db, db_errcall);
        /* Ignored for an existing file: checksums are chosen at creation. */
        if (h->write)
            h->db->set_flags(h->db, DB_CHKSUM);
        db_last_msg[0] = 0;
        rc = h->db->open(h->db, NULL, h->path, NULL, DB_HASH,
                         h->write ? DB_CREATE : DB_RDONLY, 0640);
    }
    if (rc != 0 && h->db) {
        h->db->close(h->db, DB_NOSYNC);
        h->db = NULL;
    }
    *rc_out = rc;
    return rc == 0 ? 0 : -1;
}

static void free_handle(struct tern_hints *h)
{
    if (h->lockfd >= 0)
        close(h->lockfd);           /* releases the lock */
    free(h->out.data);
    free(h->wbuf);
    free(h->name);
    free(h->path);
    free(h->lockpath);
    free(h);
}

static char *dupf(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static int make_dir(const struct tern_hints_opts *o, const char *dir,
                    struct tern_hints_err *err)
{
    if (mkdir(dir, 0750) == 0) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            own(fd, o);
            close(fd);
        }
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    tern_hints_seterr(err, errno, dir, "mkdir: %s", strerror(errno));
    return -1;
}

static int open_lockfile(struct tern_hints *h, const struct tern_hints_opts *o,
                         struct tern_hints_err *err)
{
    h->lockfd = open(h->lockpath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                     0640);
    if (h->lockfd >= 0) {
        own(h->lockfd, o);
        return 0;
    }
    if (errno == EEXIST)
        h->lockfd = open(h->lockpath, O_RDWR | O_CLOEXEC);
    /* A reader may lack write permission: a read lock needs only read. */
    if (h->lockfd < 0 && !h->write && (errno == EACCES || errno == EROFS))
        h->lockfd = open(h->lockpath, O_RDONLY | O_CLOEXEC);
    if (h->lockfd < 0) {
        tern_hints_seterr(err, errno, h->lockpath, "open: %s",
                          strerror(errno));
        return -1;
    }
    return 0;
}

struct tern_hints *tern_hints_open(const struct tern_hints_opts *o,
                                   struct tern_hints_err *err)
{
    struct tern_hints *h;
    char *dir;
    char why[384];
    int rc;

    if (!o || !o->spool_directory || !*o->spool_directory ||
        !tern_hints_name_ok(o->name)) {
        tern_hints_seterr(err, EINVAL, o && o->name ? o->name : "(null)",
                          "bad hints database name or spool directory");
        return NULL;
    }
    h = calloc(1, sizeof *h);
    dir = dupf(o->spool_directory, "/db", "");
    if (!h || !dir) {
        free(h);
        free(dir);
        tern_hints_seterr(err, ENOMEM, o->name, "out of memory");
        return NULL;
    }
    h->lockfd = -1;
    h->write = !!o->write;
    h->log = o->log;
    h->log_arg = o->log_arg;
    h->out.flags = DB_DBT_REALLOC;
    h->name = strdup(o->name);
    h->path = dupf(dir, "/", o->name);
    h->lockpath = dupf(h->path ? h->path : "", ".lockfile", "");
    if (!h->name || !h->path || !h->lockpath) {
        tern_hints_seterr(err, ENOMEM, o->name, "out of memory");
        goto fail;
    }
    if (h->write && make_dir(o, dir, err) != 0)
        goto fail;
    if (open_lockfile(h, o, err) != 0 || take_lock(h, o->lock_timeout, err))
        goto fail;

    if (h->write && get_mark(h) == TERN_HINTS_DIRTY &&
        verify_file(h->path, why, sizeof why) != 0)
        move_aside(h, why);
    if (open_db(h, &rc) != 0) {
        if (!tern_hints_rc_corrupt(rc)) {
            tern_hints_seterr(err, rc > 0 ? rc : 0, h->path, "open: %s",
                              tern_hints_dberr(rc, why, sizeof why));
            goto fail;
        }
        tern_hints_dberr(rc, why, sizeof why);
        if (!h->write) {
            /* The next writer will check and move it aside. */
            if (get_mark(h) != TERN_HINTS_DIRTY)
                set_mark(h, TERN_HINTS_DIRTY);
            tern_hints_seterr(err, 0, h->path, "open: %s (damaged hints "
                              "file: left for the next writer to replace)",
                              why);
            goto fail;
        }
        move_aside(h, why);
        if (open_db(h, &rc) != 0) {
            tern_hints_seterr(err, rc > 0 ? rc : 0, h->path, "open: %s",
                              tern_hints_dberr(rc, why, sizeof why));
            goto fail;
        }
    }
    if (h->write) {
        int fd;
        struct stat st;
        if (h->db->fd(h->db, &fd) == 0 && fstat(fd, &st) == 0 &&
            ((o->owner_uid >= 0 && st.st_uid != (uid_t)o->owner_uid) ||
             (o->owner_gid >= 0 && st.st_gid != (gid_t)o->owner_gid)))
            own(fd, o);
        set_mark(h, TERN_HINTS_DIRTY);
    }
    free(dir);
    return h;

fail:
    free(dir);
    free_handle(h);
    return NULL;
}

int tern_hints_close(struct tern_hints *h, struct tern_hints_err *err)
{
    char why[384];
    int status = 0, rc;
    if (!h)
        return 0;
    if (h->iter)
        tern_hints_iter_free(h->iter);
    rc = h->db->close(h->db, 0);
    h->db = NULL;
    if (rc != 0) {
        if (tern_hints_rc_corrupt(rc))
            h->corrupt = 1;
        tern_hints_seterr(err, rc > 0 ? rc : 0, h->path, "close: %s",
                          tern_hints_dberr(rc, why, sizeof why));
        status = -1;
    }
    if (h->write) {
        int gone = 0;
        if (h->corrupt && verify_file(h->path, why, sizeof why) != 0) {
            move_aside(h, why);
            gone = 1;
        }
        /* A failed flush leaves the mark: the next writer checks again. */
        if (status == 0 || gone)
            set_mark(h, TERN_HINTS_CLEAN);
    } else if (h->corrupt) {
        set_mark(h, TERN_HINTS_DIRTY);
    }
    free_handle(h);
    return status;
}

const char *tern_hints_path(const struct tern_hints *h)
{
    return h->path;
}

const char *tern_hints_name(const struct tern_hints *h)
{
    return h->name;
}
