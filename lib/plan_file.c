/*
 * NAME
 *   plan_file.c - plans on disk: atomic write, read-only mapping
 *
 * SYNOPSIS
 *   tern_plan_write(&cfg, "/etc/tern/exim.plan", err, sizeof err);
 *   tern_plan_open(&plan, "/etc/tern/exim.plan", err, sizeof err);
 *   tern_plan_close(&plan);
 *   tern_plan_is_plan("/etc/exim4/exim4.conf");
 *
 * DESCRIPTION
 *   A plan is replaced, never rewritten in place: the new bytes go to a
 *   temporary file next to the target (same file system, so rename(2) is
 *   atomic), are fsync'ed, renamed over the target, and the directory is
 *   fsync'ed so the rename itself is durable.  That is also what makes
 *   mapping safe: a process that mapped the old plan keeps the old inode
 *   and never sees its pages change or disappear under it (a truncation
 *   in place would turn reads into SIGBUS).
 *
 *   A new plan gets mode 0640, as it may carry secrets (authenticator
 *   passwords); a replaced plan keeps the mode of the file it replaces.
 *
 * DIAGNOSTICS
 *   "PATH: cannot open: ...", "PATH: not a regular file", the verification
 *   messages of plan_read.c, and "PATH: cannot write TEMP: ..." style
 *   messages from tern_plan_write().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "plan.h"
#include "plan_format.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding `path`, so a rename into it is durable. */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int write_atomically(const char *path, const char *data, size_t n,
                            char *err, size_t errlen)
{
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0640;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".tmp.XXXXXX");
    const char *step = "cannot create a temporary file";

    if (tmp == NULL) {
        tern_plan_error(err, errlen, path, "out of memory");
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        goto fail;
    step = "cannot write";
    if (fchmod(fd, mode) < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0)
        goto fail_fd;
    int rc = close(fd);
    fd = -1;
    if (rc < 0)
        goto fail_fd;
    step = "cannot rename the temporary file into place";
    if (rename(tmp, path) < 0)
        goto fail_fd;
    free(tmp);
    if (sync_dir(path) < 0) {
        tern_plan_error(err, errlen, path, "cannot sync its directory: %s",
                        strerror(errno));
        return -1;
    }
    return 0;

fail_fd:;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
fail:
    tern_plan_error(err, errlen, path, "%s (%s): %s", step, tmp,
                    strerror(errno));
    free(tmp);
    return -1;
}

int tern_plan_write(const struct tern_config *cfg, const char *path,
                    char *err, size_t errlen)
{
    struct tern_buf b = { NULL, 0, 0 };

    tern_plan_serialize(cfg, &b);
    int rc = write_atomically(path, b.data, b.len, err, errlen);
    tern_buf_free(&b);
    return rc;
}

int tern_plan_is_plan(const char *path)
{
    unsigned char magic[8];
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    while (got < sizeof magic) {
        ssize_t r = read(fd, magic + got, sizeof magic - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return got == sizeof magic && memcmp(magic, TERN_PLAN_MAGIC, 8) == 0;
}

/* Map the whole file read-only; 0, or -1 with a message. */
static int map_file(const char *path, const unsigned char **data,
                    size_t *size, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *data = NULL;
    *size = 0;
    if (fd < 0) {
        tern_plan_error(err, errlen, path, "cannot open: %s",
                        strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        tern_plan_error(err, errlen, path, "not a regular file");
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    if (st.st_size < TP_HEADER_SIZE || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);              /* too short to map: verify says why */
        return 0;
    }
    void *m = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (m == MAP_FAILED) {
        tern_plan_error(err, errlen, path, "cannot map: %s",
                        strerror(saved));
        return -1;
    }
    *data = m;
    return 0;
}

int tern_plan_open(struct tern_plan *p, const char *path, char *err,
                   size_t errlen)
{
    const unsigned char *data;
    size_t size;

    memset(p, 0, sizeof *p);
    if (map_file(path, &data, &size, err, errlen) < 0)
        return -1;
    /* A file too short to map is still verified, so it gets the same
     * "truncated" message (verify reads nothing of so short a file). */
    static const unsigned char none[TP_HEADER_SIZE];
    if (tern_plan_verify(data ? data : none, size, path, err, errlen) < 0)
        goto fail;
    p->path = strdup(path);
    if (p->path == NULL) {
        tern_plan_error(err, errlen, path, "out of memory");
        goto fail;
    }
    p->data = data;
    p->size = size;
    p->mapped = 1;
    return 0;

fail:
    if (data != NULL)
        munmap((void *)data, size);
    return -1;
}

void tern_plan_close(struct tern_plan *p)
{
    if (p->mapped && p->data != NULL)
        munmap((void *)p->data, p->size);
    free(p->path);
    memset(p, 0, sizeof *p);
}
