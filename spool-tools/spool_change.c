/*
 * NAME
 *   spool_change.c - tern-spool freeze, thaw, remove, requeue
 *
 * SYNOPSIS
 *   tern-spool freeze ID...     (exim -Mf)
 *   tern-spool thaw ID...       (exim -Mt)
 *   tern-spool remove ID...     (exim -Mrm)
 *   tern-spool requeue ID...
 *
 * DESCRIPTION
 *   Each message is first locked the way a delivery locks it (the write
 *   lock on the first line of its -D file), and held locked until the
 *   change is complete, so that no delivery can start on it meanwhile and
 *   none that is running is changed underneath; a locked message is
 *   refused and left alone.
 *
 *   freeze sets -frozen to now (and clears -manual_thaw), thaw removes
 *   it and sets -manual_thaw, as Exim's -Mf and -Mt do; the -H file is
 *   rewritten atomically (temporary file, flush, rename).  remove unlinks
 *   the message log, then -H (the message leaves the queue), -D and -J.
 *   The main log gets Exim's lines: "frozen by USER", "unfrozen by USER",
 *   "removed by USER" followed by "Completed".
 *
 *   requeue makes a message due at the next queue run: it is thawed if
 *   frozen, and the retry hints that would hold it back are cleared (see
 *   spool_requeue.c).  The queue runner then tries it like a new message.
 *
 * DIAGNOSTICS
 *   "Message ID is already frozen" / "is not frozen" (exit 1, as Exim);
 *   "ID is locked: a delivery is in progress, not changed"; a malformed
 *   -H file is reported with its line and left unchanged.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "spool_cmd.h"

int spool_find_file(const struct tools_env *e, const char *dir,
                    const char *id, const char *suffix, char *path,
                    size_t size)
{
    for (int split = 0; split < 2; split++) {
        int flip = e->split ? !split : split;   /* configured layout first */
        if (flip)
            snprintf(path, size, "%s/%s/%c/%s%s", e->spool, dir, id[5], id,
                     suffix);
        else
            snprintf(path, size, "%s/%s/%s%s", e->spool, dir, id, suffix);
        if (access(path, F_OK) == 0)
            return 0;
    }
    return -1;
}

long long spool_body_len(const struct tools_env *e, const char *id)
{
    char path[4096];
    struct stat st;
    if (spool_find_file(e, "input", id, "-D", path, sizeof path) != 0 ||
        stat(path, &st) != 0 || st.st_size < TERN_MSGID_LEN + 3)
        return -1;
    return (long long)st.st_size - (TERN_MSGID_LEN + 3);
}

/* Lock the message; -1 when it cannot be (reported), -2 when it has no -D
 * file (only remove goes on then). */
static int lock_msg(struct tools_env *e, struct tern_spool *sp,
                    const char *id)
{
    struct tern_spool_err err;
    int fd = tern_spool_open_data(sp, id, 1, &err);
    if (fd >= 0)
        return fd;
    if (err.sys_errno == EAGAIN)
        tools_warn(e, "%s is locked: a delivery is in progress, not changed",
                   id);
    else if (err.sys_errno == ENOENT)
        return -2;
    else
        tools_warn(e, "%s", err.text);
    return -1;
}

static int set_frozen(struct tools_env *e, struct tern_spool *sp,
                      struct tern_spool_msg *m, int freeze)
{
    struct tern_spool_err err;
    if (freeze) {
        m->frozen_at = (long long)time(NULL);
        m->flags &= ~(unsigned)TERN_SPOOL_MANUAL_THAW;
    } else {
        m->frozen_at = -1;
        m->flags |= TERN_SPOOL_MANUAL_THAW;
    }
    if (tern_spool_rewrite_header(sp, m, &err) != 0) {
        tools_warn(e, "%s", err.text);
        return -1;
    }
    tools_log(e, m->id, "%s by %s", freeze ? "frozen" : "unfrozen",
              tools_user());
    return 0;
}

static int do_remove(struct tools_env *e, struct tern_spool *sp,
                     const char *id)
{
    struct tern_spool_err err;
    char path[4096];
    if (spool_find_file(e, "input", id, "-H", path, sizeof path) != 0 &&
        spool_find_file(e, "input", id, "-D", path, sizeof path) != 0) {
        printf("Message %s is not on the queue\n", id);
        return TOOLS_FAIL;
    }
    if (spool_find_file(e, "msglog", id, "", path, sizeof path) == 0 &&
        unlink(path) != 0 && errno != ENOENT)
        tools_warn(e, "%s: unlink: %s", path, strerror(errno));
    if (tern_spool_remove(sp, id, &err) != 0) {
        tools_warn(e, "%s", err.text);
        return TOOLS_FAIL;
    }
    tools_log(e, id, "removed by %s", tools_user());
    tools_log(e, id, "Completed");
    printf("Message %s has been removed\n", id);
    return TOOLS_OK;
}

static int one(struct tools_env *e, struct tern_spool *sp, const char *verb,
               const char *id)
{
    struct tern_arena *a;
    struct tern_spool_msg m;
    struct tern_spool_err err;
    int fd = lock_msg(e, sp, id), rc = TOOLS_OK, cleared;

    if (fd == -1)
        return TOOLS_FAIL;
    if (!strcmp(verb, "remove")) {
        rc = do_remove(e, sp, id);
        if (fd >= 0)
            close(fd);                  /* the lock goes with the file */
        return rc;
    }
    if (fd == -2) {
        printf("Message %s is not on the queue (no -D file)\n", id);
        return TOOLS_FAIL;
    }
    a = tern_arena_new();
    tern_spool_msg_init(&m);
    if (tern_spool_read_header(sp, id, a, &m, &err) != 0) {
        tools_warn(e, "%s (left unchanged)", err.text);
        rc = TOOLS_FAIL;
    } else if (!strcmp(verb, "freeze")) {
        if (m.frozen_at >= 0) {
            printf("Message %s is already frozen\n", id);
            rc = TOOLS_FAIL;
        } else if (set_frozen(e, sp, &m, 1) != 0) {
            rc = TOOLS_FAIL;
        } else {
            printf("Message %s is now frozen\n", id);
        }
    } else if (!strcmp(verb, "thaw")) {
        if (m.frozen_at < 0) {
            printf("Message %s is not frozen\n", id);
            rc = TOOLS_FAIL;
        } else if (set_frozen(e, sp, &m, 0) != 0) {
            rc = TOOLS_FAIL;
        } else {
            printf("Message %s is no longer frozen\n", id);
        }
    } else {                            /* requeue */
        if (m.frozen_at >= 0 && set_frozen(e, sp, &m, 0) != 0)
            rc = TOOLS_FAIL;
        else if ((cleared = spool_clear_retry(e, &m)) < 0)
            rc = TOOLS_FAIL;
        else
            printf("Message %s is due at the next queue run "
                   "(%d retry record%s cleared)\n", id, cleared,
                   cleared == 1 ? "" : "s");
    }
    close(fd);
    tern_arena_free(a);
    return rc;
}

int spool_cmd_change(struct tools_env *e, struct tern_spool *sp,
                     const char *verb, int argc, char **argv)
{
    int status = TOOLS_OK;
    if (argc == 0) {
        tools_warn(e, "%s: which messages? (%s ID...)", verb, verb);
        return TOOLS_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        if (!tern_msgid_valid(argv[i])) {
            tools_warn(e, "%s: not a message id", argv[i]);
            status = TOOLS_FAIL;
            continue;
        }
        if (one(e, sp, verb, argv[i]) != TOOLS_OK)
            status = TOOLS_FAIL;
    }
    fflush(stdout);
    return status;
}
