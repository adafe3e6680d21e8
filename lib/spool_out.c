/*
 * NAME
 *   spool_out.c - write new messages to the spool, with group commit
 *
 * SYNOPSIS
 *   o[i] = tern_spool_out_new(sp, id, &err);
 *   tern_spool_out_data(o[i], chunk, n, &err);     // while DATA arrives
 *   tern_spool_out_finish(o[i], &msg, &err);
 *   ...more sessions finish...
 *   tern_spool_commit(sp, o, count, status, &err); // one flush for all
 *   for each i: status[i] == 0 ? send 250 : send 451
 *
 * DESCRIPTION
 *   A message is written as tmp.ID-D and tmp.ID-H in the directory it
 *   will live in; Exim never looks at those names.  Nothing is flushed
 *   while writing.  tern_spool_commit then, for the whole batch:
 *
 *     1. flushes the contents of every file (one syncfs(), or an
 *        fdatasync per file);
 *     2. renames each message into place, -D first, -H last: the -H
 *        name is what puts a message on the queue;
 *     3. flushes the directories (one syncfs(), or one fsync per
 *        directory touched).
 *
 *   Only after step 3 is a message durable, and only then may its 250 be
 *   sent.  Flushing contents before the rename means a crash can never
 *   leave a final name on a short or empty file: either the message is
 *   complete under its final names or only temporary files remain, which
 *   tern_spool_tidy removes.  The -D file is write-locked from creation
 *   until tern_spool_out_free, as Exim locks it, so no queue runner (Exim
 *   or Tern) starts delivering before the receiver is done.
 *
 * DIAGNOSTICS
 *   Per message: status[i] is an errno value; err names the first failure
 *   with its path.  A message that fails after its rename is taken off
 *   the queue again (its -H is unlinked first), so no message the client
 *   was told to retry stays queued, unless that unlink fails too.
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

void tern_spool_out_name(const struct tern_spool_out *o, int tmp, char kind,
                         char *buf, size_t size)
{
    snprintf(buf, size, "%s%s-%c", tmp ? TERN_SPOOL_TMP_PREFIX : "", o->id,
             kind);
}

void tern_spool_out_err(const struct tern_spool_out *o,
                        struct tern_spool_err *err, const char *name,
                        const char *what)
{
    char path[4096];
    int e = errno;
    tern_spool_path(o->sp, o->sub, name, path, sizeof path);
    tern_spool_seterr(err, e, path, 0, "%s: %s", what, strerror(e));
    errno = e;
}

/* Create a temporary file; one that a crash left behind with the same
 * name (only possible after a pid was reused) is replaced. */
static int create_tmp(struct tern_spool_out *o, char kind,
                      struct tern_spool_err *err)
{
    char name[64];
    tern_spool_out_name(o, 1, kind, name, sizeof name);
    int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
    int fd = openat(o->dirfd, name, flags, TERN_SPOOL_FILE_MODE);
    if (fd < 0 && errno == EEXIST && unlinkat(o->dirfd, name, 0) == 0)
        fd = openat(o->dirfd, name, flags, TERN_SPOOL_FILE_MODE);
    if (fd < 0) {
        tern_spool_out_err(o, err, name, "create");
        return -1;
    }
    if (tern_spool_own(o->sp, fd, TERN_SPOOL_FILE_MODE) != 0) {
        tern_spool_out_err(o, err, name, "chown/chmod");
        close(fd);
        unlinkat(o->dirfd, name, 0);
        return -1;
    }
    return fd;
}

static int lock_data(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                        .l_start = 0, .l_len = TERN_SPOOL_DATA_START };
#ifdef F_OFD_SETLK
    return fcntl(fd, F_OFD_SETLK, &fl);
#else
    return fcntl(fd, F_SETLK, &fl);
#endif
}

struct tern_spool_out *tern_spool_out_new(struct tern_spool *sp,
                                          const char *id,
                                          struct tern_spool_err *err)
{
    struct tern_spool_out *o;
    if (!tern_msgid_valid(id)) {
        tern_spool_seterr(err, EINVAL, sp->input_path, 0,
                          "'%.40s' is not a message id", id);
        return NULL;
    }
    o = calloc(1, sizeof *o);
    if (!o) {
        tern_spool_seterr(err, ENOMEM, sp->input_path, 0, "out of memory");
        return NULL;
    }
    o->sp = sp;
    memcpy(o->id, id, TERN_MSGID_SIZE);
    o->sub = sp->split ? id[5] : 0;
    o->dfd = o->hfd = -1;
    o->dirfd = tern_spool_dirfd(sp, o->sub, 1, err);
    if (o->dirfd < 0 || (o->dfd = create_tmp(o, 'D', err)) < 0) {
        free(o);
        return NULL;
    }
    if (lock_data(o->dfd) != 0) {
        char name[64];
        tern_spool_out_name(o, 1, 'D', name, sizeof name);
        tern_spool_out_err(o, err, name, "lock");
        tern_spool_out_free(o);
        return NULL;
    }
    o->blen = (size_t)snprintf(o->buf, sizeof o->buf, "%s-D\n", id);
    return o;
}

static int flush_buf(struct tern_spool_out *o, struct tern_spool_err *err)
{
    if (o->blen && tern_spool_write_all(o->dfd, o->buf, o->blen) != 0) {
        char name[64];
        tern_spool_out_name(o, 1, 'D', name, sizeof name);
        tern_spool_out_err(o, err, name, "write");
        o->state = TERN_OUT_FAILED;
        return -1;
    }
    o->blen = 0;
    return 0;
}

static void count(struct tern_spool_out *o, const char *p, size_t n)
{
    const char *end = p + n, *q = p;
    while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        o->lines++;
        q++;
    }
    for (q = p; (q = memchr(q, 0, (size_t)(end - q))) != NULL; q++)
        o->zeros++;
    o->bytes += (long long)n;
}

int tern_spool_out_data(struct tern_spool_out *o, const void *p, size_t n,
                        struct tern_spool_err *err)
{
    if (o->state != TERN_OUT_WRITING) {
        tern_spool_seterr(err, EINVAL, o->id, 0, "data after finish/failure");
        return -1;
    }
    count(o, p, n);
    if (n >= sizeof o->buf) {           /* big chunk: no copy */
        if (flush_buf(o, err) != 0)
            return -1;
        if (tern_spool_write_all(o->dfd, p, n) != 0) {
            char name[64];
            tern_spool_out_name(o, 1, 'D', name, sizeof name);
            tern_spool_out_err(o, err, name, "write");
            o->state = TERN_OUT_FAILED;
            return -1;
        }
        return 0;
    }
    if (o->blen + n > sizeof o->buf && flush_buf(o, err) != 0)
        return -1;
    memcpy(o->buf + o->blen, p, n);
    o->blen += n;
    return 0;
}

void tern_spool_out_stats(const struct tern_spool_out *o, long long *bytes,
                          long long *lines, long long *zeros)
{
    if (bytes)
        *bytes = o->bytes;
    if (lines)
        *lines = o->lines;
    if (zeros)
        *zeros = o->zeros;
}

int tern_spool_out_finish(struct tern_spool_out *o,
                          const struct tern_spool_msg *m,
                          struct tern_spool_err *err)
{
    struct tern_buf b = { 0 };
    if (o->state != TERN_OUT_WRITING || strcmp(m->id, o->id) != 0) {
        tern_spool_seterr(err, EINVAL, o->id, 0,
                          "finish: wrong state or message id %.16s", m->id);
        return -1;
    }
    if (flush_buf(o, err) != 0)
        return -1;
    if (tern_spool_format(m, &b, err) != 0) {
        tern_buf_free(&b);
        return -1;
    }
    o->hfd = create_tmp(o, 'H', err);
    if (o->hfd < 0 || tern_spool_write_all(o->hfd, b.data, b.len) != 0) {
        if (o->hfd >= 0) {
            char name[64];
            tern_spool_out_name(o, 1, 'H', name, sizeof name);
            tern_spool_out_err(o, err, name, "write");
        }
        tern_buf_free(&b);
        o->state = TERN_OUT_FAILED;
        return -1;
    }
    tern_buf_free(&b);
    o->state = TERN_OUT_FINISHED;
    return 0;
}

int tern_spool_out_fd(const struct tern_spool_out *o)
{
    return o->dfd;
}

/* Unlink what exists of this message (final names first: -H takes it
 * off the queue). */
void tern_spool_out_remove(struct tern_spool_out *o)
{
    char name[64];
    if (o->final_h) {
        tern_spool_out_name(o, 0, 'H', name, sizeof name);
        unlinkat(o->dirfd, name, 0);
    }
    tern_spool_out_name(o, !o->final_d, 'D', name, sizeof name);
    unlinkat(o->dirfd, name, 0);
    if (o->hfd >= 0 && !o->final_h) {
        tern_spool_out_name(o, 1, 'H', name, sizeof name);
        unlinkat(o->dirfd, name, 0);
    }
    o->final_d = o->final_h = 0;
}

void tern_spool_out_free(struct tern_spool_out *o)
{
    if (!o)
        return;
    if (o->state != TERN_OUT_COMMITTED)
        tern_spool_out_remove(o);
    if (o->hfd >= 0)
        close(o->hfd);
    if (o->dfd >= 0)
        close(o->dfd);                  /* releases the lock */
    free(o);
}
