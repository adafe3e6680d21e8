/*
 * NAME
 *   spool_read.c - read a queued message: its -H file and its body
 *
 * SYNOPSIS
 *   tern_spool_read_header(sp, id, arena, &msg, &err);
 *   int fd = tern_spool_open_data(sp, id, 1, &err);   // locked, at body
 *
 * DESCRIPTION
 *   The -H file is read whole and handed to the strict parser
 *   (spool_parse.c); the -D file is opened without following symlinks,
 *   optionally write-locked on its first line as Exim locks it, and
 *   checked to start with its own name.  Nothing here writes to a spool
 *   file: a malformed one is reported and left exactly as it is, for the
 *   caller to decide about.
 *
 * DIAGNOSTICS
 *   -1 with err: "spool/input/ID-H:12: what is wrong" for format errors,
 *   "path: open: No such file or directory" (sys_errno set) for system
 *   errors, sys_errno EAGAIN when the -D file is locked by another process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "spool_int.h"

#define MAX_HEADER_FILE (256L * 1024 * 1024)

/* Read a whole (small) file into a heap buffer. */
static char *slurp(int fd, const char *path, size_t *len,
                   struct tern_spool_err *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > MAX_HEADER_FILE) {
        tern_spool_seterr(err, errno ? errno : EFBIG, path, 0,
                          "stat: %s", errno ? strerror(errno) : "too big");
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            tern_spool_seterr(err, errno, path, 0, "read: %s",
                              strerror(errno));
            free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) {                 /* grew while we read */
            char *nb = cap < MAX_HEADER_FILE ? realloc(buf, cap * 2) : NULL;
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    if (!buf)
        tern_spool_seterr(err, ENOMEM, path, 0, "too big or out of memory");
    *len = n;
    return buf;
}

static int read_header_at(int dfd, const char *name, const char *path,
                          struct tern_arena *a, struct tern_spool_msg *m,
                          struct tern_spool_err *err)
{
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    size_t len;
    if (fd < 0) {
        tern_spool_seterr(err, errno, path, 0, "open: %s", strerror(errno));
        return -1;
    }
    char *buf = slurp(fd, path, &len, err);
    close(fd);
    if (!buf)
        return -1;
    int rc = tern_spool_parse(buf, len, path, a, m, err);
    free(buf);
    return rc;
}

int tern_spool_read_header_file(const char *path, struct tern_arena *a,
                                struct tern_spool_msg *m,
                                struct tern_spool_err *err)
{
    return read_header_at(AT_FDCWD, path, path, a, m, err);
}

int tern_spool_read_header(struct tern_spool *sp, const char *id,
                           struct tern_arena *a, struct tern_spool_msg *m,
                           struct tern_spool_err *err)
{
    char sub, name[TERN_MSGID_SIZE + 2], path[4096];
    int dfd = tern_spool_locate(sp, id, "-H", &sub, err);
    if (dfd < 0)
        return -1;
    snprintf(name, sizeof name, "%s-H", id);
    tern_spool_path(sp, sub, name, path, sizeof path);
    return read_header_at(dfd, name, path, a, m, err);
}

int tern_spool_open_data(struct tern_spool *sp, const char *id, int lock,
                         struct tern_spool_err *err)
{
    char sub, name[TERN_MSGID_SIZE + 2], path[4096];
    char first[TERN_SPOOL_DATA_START];
    int dfd = tern_spool_locate(sp, id, "-D", &sub, err);
    if (dfd < 0)
        return -1;
    snprintf(name, sizeof name, "%s-D", id);
    tern_spool_path(sp, sub, name, path, sizeof path);
    int fd = openat(dfd, name, (lock ? O_RDWR | O_APPEND : O_RDONLY) |
                    O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        tern_spool_seterr(err, errno, path, 0, "open: %s", strerror(errno));
        return -1;
    }
    /* Exim locks the id line of the -D file while it works on a message. */
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                        .l_start = 0, .l_len = TERN_SPOOL_DATA_START };
#ifdef F_OFD_SETLK
    int cmd = F_OFD_SETLK;
#else
    int cmd = F_SETLK;
#endif
    if (lock && fcntl(fd, cmd, &fl) != 0) {
        int e = errno == EACCES ? EAGAIN : errno;
        tern_spool_seterr(err, e, path, 0, "%s", e == EAGAIN
                          ? "locked: another process is handling this message"
                          : strerror(e));
        close(fd);
        return -1;
    }
    ssize_t r;
    do
        r = pread(fd, first, sizeof first, 0);
    while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof first || memcmp(first, id, TERN_MSGID_LEN) ||
        memcmp(first + TERN_MSGID_LEN, "-D\n", 3)) {
        tern_spool_seterr(err, r < 0 ? errno : 0, path, 1,
                          "first line is not %s-D", id);
        close(fd);
        return -1;
    }
    if (lseek(fd, TERN_SPOOL_DATA_START, SEEK_SET) < 0) {
        tern_spool_seterr(err, errno, path, 0, "seek: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int tern_spool_read_body(struct tern_spool *sp, const char *id,
                         struct tern_arena *a, char **body, size_t *len,
                         struct tern_spool_err *err)
{
    int fd = tern_spool_open_data(sp, id, 0, err);
    size_t n;
    if (fd < 0)
        return -1;
    char *buf = slurp(fd, id, &n, err);
    close(fd);
    if (!buf)
        return -1;
    *body = tern_alloc(a, n + 1);
    memcpy(*body, buf, n);
    *len = n;
    free(buf);
    return 0;
}
