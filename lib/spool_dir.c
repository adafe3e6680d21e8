/*
 * NAME
 *   spool_dir.c - the spool directory: open, find, list, remove, tidy
 *
 * SYNOPSIS
 *   struct tern_spool_opts o = { .directory = "/var/spool/exim4",
 *                                .split = 1, .owner_uid = -1,
 *                                .owner_gid = -1 };
 *   struct tern_spool *sp = tern_spool_open(&o, &err);
 *   tern_spool_list(sp, arena, &ids, &n, &err);
 *
 * DESCRIPTION
 *   Messages live in spool_directory/input/ (spool_directory/QUEUE/input/
 *   for a named queue), or in input/X/ where X is the sixth character of
 *   the id when split_spool_directory is set.  Like Exim, lookups try the
 *   configured layout first and the other one second, so messages left
 *   over from before the option changed are still found.
 *
 *   Directories are opened once and kept as descriptors; everything else
 *   is done relative to them (openat, renameat), so a long-running worker
 *   does not re-resolve paths.
 *
 * DIAGNOSTICS
 *   Errors carry the path and the failing call: "spool/input/X/ID-H: open:
 *   Permission denied".
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "spool_int.h"

static const char subdir_chars[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int sub_index(char sub)
{
    const char *p = sub ? strchr(subdir_chars, sub) : NULL;
    return p ? (int)(p - subdir_chars) : -1;
}

void tern_spool_path(const struct tern_spool *sp, char sub, const char *name,
                     char *buf, size_t size)
{
    if (sub)
        snprintf(buf, size, "%s/%c/%s", sp->input_path, sub, name);
    else
        snprintf(buf, size, "%s/%s", sp->input_path, name);
}

int tern_spool_own(const struct tern_spool *sp, int fd, int mode)
{
    if ((sp->uid >= 0 || sp->gid >= 0) &&
        fchown(fd, (uid_t)sp->uid, (gid_t)sp->gid) != 0)
        return -1;
    return fchmod(fd, (mode_t)mode);
}

int tern_spool_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Open directory `name` under `parent`, creating it if asked. */
static int open_dir(struct tern_spool *sp, int parent, const char *name,
                    int create)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT || !create)
        return fd;
    if (mkdirat(parent, name, TERN_SPOOL_DIR_MODE) != 0 && errno != EEXIST)
        return -1;
    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && tern_spool_own(sp, fd, TERN_SPOOL_DIR_MODE) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int tern_spool_dirfd(struct tern_spool *sp, char sub, int create,
                     struct tern_spool_err *err)
{
    char path[4096];
    int i = sub ? sub_index(sub) : 0;
    if (i < 0) {
        tern_spool_seterr(err, EINVAL, sp->input_path, 0,
                          "bad subdirectory '%c'", sub);
        return -1;
    }
    if (sp->inputfd < 0) {
        int base = sp->spoolfd;
        if (sp->queue_name) {
            if (sp->queuefd < 0)
                sp->queuefd = open_dir(sp, sp->spoolfd, sp->queue_name,
                                       create);
            base = sp->queuefd;
        }
        if (base >= 0)
            sp->inputfd = open_dir(sp, base, "input", create);
        if (sp->inputfd < 0) {
            tern_spool_seterr(err, errno, sp->input_path, 0, "open: %s",
                              strerror(errno));
            return -1;
        }
    }
    if (!sub)
        return sp->inputfd;
    if (sp->subfd[i] < 0) {
        char name[2] = { sub, 0 };
        sp->subfd[i] = open_dir(sp, sp->inputfd, name, create);
        if (sp->subfd[i] < 0) {
            tern_spool_path(sp, sub, "", path, sizeof path);
            tern_spool_seterr(err, errno, path, 0, "open: %s",
                              strerror(errno));
            return -1;
        }
    }
    return sp->subfd[i];
}

struct tern_spool *tern_spool_open(const struct tern_spool_opts *o,
                                   struct tern_spool_err *err)
{
    const char *q = o->queue_name && *o->queue_name ? o->queue_name : NULL;
    struct tern_spool *sp;
    if (!o->directory || !*o->directory ||
        (q && (strchr(q, '/') || !strcmp(q, ".") || !strcmp(q, "..")))) {
        tern_spool_seterr(err, EINVAL, "spool", 0,
                          "bad spool directory or queue name");
        return NULL;
    }
    sp = calloc(1, sizeof *sp);
    if (!sp) {
        tern_spool_seterr(err, ENOMEM, o->directory, 0, "out of memory");
        return NULL;
    }
    sp->spoolfd = sp->queuefd = sp->inputfd = -1;
    for (int i = 0; i < 62; i++)
        sp->subfd[i] = -1;
    sp->split = o->split;
    sp->sync = o->sync;
#ifndef __linux__
    if (sp->sync == TERN_SPOOL_SYNC_SYNCFS)
        sp->sync = TERN_SPOOL_SYNC_FSYNC;       /* syncfs is Linux's */
#endif
    sp->uid = o->owner_uid;
    sp->gid = o->owner_gid;
    size_t plen = strlen(o->directory) + (q ? strlen(q) + 1 : 0) + 8;
    sp->input_path = malloc(plen);
    sp->queue_name = q ? strdup(q) : NULL;
    if (!sp->input_path || (q && !sp->queue_name)) {
        tern_spool_seterr(err, ENOMEM, o->directory, 0, "out of memory");
        tern_spool_close(sp);
        return NULL;
    }
    snprintf(sp->input_path, plen, "%s%s%s/input", o->directory,
             q ? "/" : "", q ? q : "");
    sp->spoolfd = open(o->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sp->spoolfd < 0) {
        tern_spool_seterr(err, errno, o->directory, 0, "open: %s",
                          strerror(errno));
        tern_spool_close(sp);
        return NULL;
    }
    return sp;
}

void tern_spool_close(struct tern_spool *sp)
{
    if (!sp)
        return;
    for (int i = 0; i < 62; i++)
        if (sp->subfd[i] >= 0)
            close(sp->subfd[i]);
    if (sp->inputfd >= 0)
        close(sp->inputfd);
    if (sp->queuefd >= 0)
        close(sp->queuefd);
    if (sp->spoolfd >= 0)
        close(sp->spoolfd);
    free(sp->input_path);
    free(sp->queue_name);
    free(sp);
}

int tern_spool_locate(struct tern_spool *sp, const char *id,
                      const char *suffix, char *sub,
                      struct tern_spool_err *err)
{
    char name[TERN_MSGID_SIZE + 4];
    if (!tern_msgid_valid(id)) {
        tern_spool_seterr(err, EINVAL, sp->input_path, 0,
                          "'%.40s' is not a message id", id);
        return -1;
    }
    snprintf(name, sizeof name, "%s%s", id, suffix);
    for (int pass = 0; pass < 2; pass++) {
        char s = (pass == 0) == (sp->split != 0) ? id[5] : 0;
        int dfd = tern_spool_dirfd(sp, s, 0, NULL);
        struct stat st;
        if (dfd >= 0 && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            *sub = s;
            return dfd;
        }
    }
    tern_spool_seterr(err, ENOENT, sp->input_path, 0, "%s not found", name);
    return -1;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_dir(int dfd, struct tern_arena *a, struct tern_vec *v)
{
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n == TERN_MSGID_LEN + 2 && !strcmp(e->d_name + TERN_MSGID_LEN, "-H")) {
            char *id = tern_strndup(a, e->d_name, TERN_MSGID_LEN);
            if (tern_msgid_valid(id))
                tern_vec_push(v, id);
        }
    }
    closedir(d);
}

int tern_spool_list(struct tern_spool *sp, struct tern_arena *a,
                    const char ***ids, size_t *n, struct tern_spool_err *err)
{
    struct tern_vec v = { 0 };
    struct tern_spool_err e;
    int top = tern_spool_dirfd(sp, 0, 0, &e);
    *ids = NULL;
    *n = 0;
    if (top < 0) {
        if (e.sys_errno == ENOENT)
            return 0;                   /* no input directory: empty */
        if (err)
            *err = e;
        return -1;
    }
    list_dir(top, a, &v);
    for (int i = 0; i < 62; i++) {
        int dfd = tern_spool_dirfd(sp, subdir_chars[i], 0, NULL);
        if (dfd >= 0)
            list_dir(dfd, a, &v);
    }
    if (v.len > 1)
        qsort(v.items, v.len, sizeof *v.items, cmp_id);
    const char **out = tern_alloc(a, (v.len ? v.len : 1) * sizeof *out);
    for (size_t i = 0; i < v.len; i++)   /* a message in both layouts: once */
        if (*n == 0 || strcmp(out[*n - 1], v.items[i]) != 0)
            out[(*n)++] = v.items[i];
    tern_vec_free(&v);
    *ids = out;
    return 0;
}

int tern_spool_remove(struct tern_spool *sp, const char *id,
                      struct tern_spool_err *err)
{
    static const char *const suffixes[] = { "-H", "-D", "-J" };
    char sub, name[TERN_MSGID_SIZE + 2], path[4096];
    int dfd = tern_spool_locate(sp, id, "-H", &sub, NULL);
    if (dfd < 0)
        dfd = tern_spool_locate(sp, id, "-D", &sub, err);
    if (dfd < 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s%s", id, suffixes[i]);
        if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT) {
            tern_spool_path(sp, sub, name, path, sizeof path);
            tern_spool_seterr(err, errno, path, 0, "unlink: %s",
                              strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int tidy_dir(int dfd, time_t cutoff)
{
    int fd = dup(dfd), count = 0;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    struct stat st;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TERN_SPOOL_TMP_PREFIX,
                    strlen(TERN_SPOOL_TMP_PREFIX)) != 0)
            continue;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && st.st_mtime <= cutoff &&
            unlinkat(dfd, e->d_name, 0) == 0)
            count++;
    }
    closedir(d);
    return count;
}

int tern_spool_tidy(struct tern_spool *sp, long max_age,
                    struct tern_spool_err *err)
{
    time_t cutoff = time(NULL) - (max_age > 0 ? max_age : -1);
    struct tern_spool_err e;
    int top = tern_spool_dirfd(sp, 0, 0, &e);
    if (top < 0) {
        if (e.sys_errno == ENOENT)
            return 0;
        if (err)
            *err = e;
        return -1;
    }
    int count = tidy_dir(top, cutoff);
    for (int i = 0; i < 62; i++) {
        int dfd = tern_spool_dirfd(sp, subdir_chars[i], 0, NULL);
        if (dfd >= 0)
            count += tidy_dir(dfd, cutoff);
    }
    return count;
}
