/*
 * NAME
 *   spool_commit.c - make messages durable: group commit, header rewrite
 *
 * SYNOPSIS
 *   size_t ok = tern_spool_commit(sp, outs, n, status, &err);
 *   tern_spool_write_message(sp, &msg, body, len, &err);
 *   tern_spool_rewrite_header(sp, &msg, &err);
 *
 * DESCRIPTION
 *   The disk does about a thousand flushes a second, so a flush per file
 *   per message caps the server there.  A commit costs two flushes for the
 *   whole batch in TERN_SPOOL_SYNC_SYNCFS mode (contents, then names), or
 *   two fdatasyncs per message plus one fsync per directory in
 *   TERN_SPOOL_SYNC_FSYNC mode, which still shares the directory flush and
 *   lets the kernel merge the journal commits of a batch.  The order of
 *   the steps is what makes a crash at any point safe; spool_out.c and
 *   docs/spool-format.md explain it.
 *
 *   syncfs() flushes everything dirty on the spool's filesystem, not only
 *   our files, so it is best when the spool has a filesystem of its own;
 *   before Linux 5.8 it did not report writeback errors, so FSYNC is the
 *   default there.
 *
 * DIAGNOSTICS
 *   tern_spool_commit returns the number of durable messages; status[i]
 *   holds each message's errno (0 = durable).  The others return 0 or -1
 *   with *err.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "spool_int.h"

/* Flush the filesystem holding the spool (all our files at once). */
static int flush_fs(struct tern_spool *sp)
{
#ifdef __linux__
    return syncfs(sp->inputfd >= 0 ? sp->inputfd : sp->spoolfd);
#else
    (void)sp;
    sync();
    return 0;
#endif
}

/* Some filesystems cannot fsync a directory and say EINVAL: nothing more
 * can be done there (Exim ignores it too). */
static int flush_dir(int dfd)
{
    return fsync(dfd) != 0 && errno != EINVAL ? -1 : 0;
}

static int rename_noreplace(int dfd, const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;                      /* EEXIST included: never clobber */
#endif
    return renameat(dfd, from, dfd, to);
}

static void fail(struct tern_spool_out *o, int *status, int e,
                 struct tern_spool_err *err, int *have_err, const char *what)
{
    *status = e;
    if (!*have_err) {
        char name[64];
        tern_spool_out_name(o, !o->final_h, 'H', name, sizeof name);
        errno = e;
        tern_spool_out_err(o, err, name, what);
        *have_err = 1;
    }
    tern_spool_out_remove(o);
    o->state = TERN_OUT_FAILED;
}

/* Step 1: the bytes of every file reach the disk. */
static void flush_contents(struct tern_spool *sp,
                           struct tern_spool_out *const *outs, size_t n,
                           int *status, struct tern_spool_err *err,
                           int *have_err)
{
    if (sp->sync == TERN_SPOOL_SYNC_NONE)
        return;
    if (sp->sync == TERN_SPOOL_SYNC_SYNCFS) {
        if (flush_fs(sp) != 0) {
            int e = errno;
            for (size_t i = 0; i < n; i++)
                if (status[i] == 0)
                    fail(outs[i], &status[i], e, err, have_err, "syncfs");
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (status[i] == 0 && (fdatasync(outs[i]->dfd) != 0 ||
                               fdatasync(outs[i]->hfd) != 0))
            fail(outs[i], &status[i], errno, err, have_err, "fdatasync");
}

/* Step 2: -D, then -H (which puts the message on the queue). */
static void rename_into_place(struct tern_spool_out *const *outs, size_t n,
                              int *status, struct tern_spool_err *err,
                              int *have_err)
{
    char from[64], to[64];
    for (size_t i = 0; i < n; i++) {
        struct tern_spool_out *o = outs[i];
        if (status[i] != 0)
            continue;
        tern_spool_out_name(o, 1, 'D', from, sizeof from);
        tern_spool_out_name(o, 0, 'D', to, sizeof to);
        if (rename_noreplace(o->dirfd, from, to) != 0) {
            fail(o, &status[i], errno, err, have_err, "rename -D");
            continue;
        }
        o->final_d = 1;
        tern_spool_out_name(o, 1, 'H', from, sizeof from);
        tern_spool_out_name(o, 0, 'H', to, sizeof to);
        if (rename_noreplace(o->dirfd, from, to) != 0) {
            fail(o, &status[i], errno, err, have_err, "rename -H");
            continue;
        }
        o->final_h = 1;
    }
}

/* Step 3: the new names reach the disk; each directory flushed once. */
static void flush_names(struct tern_spool *sp,
                        struct tern_spool_out *const *outs, size_t n,
                        int *status, struct tern_spool_err *err,
                        int *have_err)
{
    if (sp->sync == TERN_SPOOL_SYNC_NONE)
        return;
    if (sp->sync == TERN_SPOOL_SYNC_SYNCFS) {
        flush_contents(sp, outs, n, status, err, have_err);
        return;
    }
    int done[63];
    size_t ndone = 0;
    for (size_t i = 0; i < n; i++) {
        int dfd = outs[i]->dirfd, seen = 0;
        if (status[i] != 0)
            continue;
        for (size_t j = 0; j < ndone; j++)
            seen |= done[j] == dfd;
        if (seen)
            continue;
        if (flush_dir(dfd) != 0) {
            int e = errno;
            for (size_t j = i; j < n; j++)
                if (status[j] == 0 && outs[j]->dirfd == dfd)
                    fail(outs[j], &status[j], e, err, have_err, "fsync dir");
            continue;
        }
        if (ndone < sizeof done / sizeof done[0])
            done[ndone++] = dfd;
    }
}

size_t tern_spool_commit(struct tern_spool *sp,
                         struct tern_spool_out *const *outs, size_t n,
                         int *status, struct tern_spool_err *err)
{
    int have_err = 0;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        status[i] = 0;
        if (outs[i]->sp != sp || outs[i]->state != TERN_OUT_FINISHED) {
            status[i] = EINVAL;
            if (!have_err)
                tern_spool_seterr(err, EINVAL, outs[i]->id, 0,
                                  "commit: message not finished");
            have_err = 1;
        }
    }
    flush_contents(sp, outs, n, status, err, &have_err);
    rename_into_place(outs, n, status, err, &have_err);
    flush_names(sp, outs, n, status, err, &have_err);
    for (size_t i = 0; i < n; i++)
        if (status[i] == 0) {
            outs[i]->state = TERN_OUT_COMMITTED;
            ok++;
        }
    return ok;
}

int tern_spool_write_message(struct tern_spool *sp,
                             const struct tern_spool_msg *m,
                             const void *body, size_t body_len,
                             struct tern_spool_err *err)
{
    int status;
    struct tern_spool_out *o = tern_spool_out_new(sp, m->id, err);
    if (!o)
        return -1;
    if (tern_spool_out_data(o, body, body_len, err) != 0 ||
        tern_spool_out_finish(o, m, err) != 0 ||
        tern_spool_commit(sp, &o, 1, &status, err) != 1) {
        tern_spool_out_free(o);
        return -1;
    }
    tern_spool_out_free(o);
    return 0;
}

int tern_spool_rewrite_header(struct tern_spool *sp,
                              const struct tern_spool_msg *m,
                              struct tern_spool_err *err)
{
    char sub, tmp[64], name[64], path[4096];
    struct tern_buf b = { 0 };
    int dfd = tern_spool_locate(sp, m->id, "-H", &sub, err);
    if (dfd < 0 || tern_spool_format(m, &b, err) != 0) {
        tern_buf_free(&b);
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s%s-H", TERN_SPOOL_TMP_PREFIX, m->id);
    snprintf(name, sizeof name, "%s-H", m->id);
    tern_spool_path(sp, sub, tmp, path, sizeof path);
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
    int fd = openat(dfd, tmp, flags, TERN_SPOOL_FILE_MODE);
    const char *what = "create";
    if (fd >= 0) {
        what = "write";
        if (tern_spool_own(sp, fd, TERN_SPOOL_FILE_MODE) != 0 ||
            tern_spool_write_all(fd, b.data, b.len) != 0 ||
            (sp->sync != TERN_SPOOL_SYNC_NONE && fdatasync(fd) != 0))
            what = "write/flush";
        else if (renameat(dfd, tmp, dfd, name) != 0)
            what = "rename";
        else if (sp->sync != TERN_SPOOL_SYNC_NONE && flush_dir(dfd) != 0)
            what = "fsync dir";
        else
            what = NULL;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    tern_buf_free(&b);
    if (what) {
        unlinkat(dfd, tmp, 0);
        tern_spool_seterr(err, e, path, 0, "%s: %s", what, strerror(e));
        return -1;
    }
    return 0;
}
