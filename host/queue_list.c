/*
 * NAME
 *   queue_list.c - tern -bp, -bpc, -bpu, -bpr, -bpa (and -bpra, -bpru):
 *   the queue as Exim 4.96 lists it
 *
 * SYNOPSIS
 *   tern [-C file] -bp [message-id...]
 *
 * DESCRIPTION
 *   One block per message, in arrival order (ids sort by time):
 *
 *      25m  2.9K 1xVorK-0003vR-1J <alice@example> (login) *** frozen ***
 *                red.king@example
 *              D delivered@example
 *             +D generated@example                    (-bpa only)
 *
 *   then an empty line.  The age and size columns are Exim's (see
 *   receive_fmt.c); the size is the live headers, one, and the body.
 *   "(login)" follows the sender when an untrusted caller set it;
 *   delivered recipients are marked D (left out by -bpu); -bpa adds the
 *   delivered addresses that are not original recipients, marked +D.
 *   -bpr lists in the same order (it only spares Exim a sort); -bpc
 *   prints the number of messages.  Message ids given as arguments
 *   restrict the listing to them (not the count, as in Exim).
 *
 *   queue_list_requires_admin (the default) limits all of this to admin
 *   users: root, the Exim user and the members of admin_groups.
 *
 * DIAGNOSTICS
 *   A message whose -H file cannot be parsed is shown as Exim shows it,
 *   "*** spool format error: size=N ***", and the parser's reason
 *   (file and line) goes to standard error; one that cannot be read
 *   shows "*** spool read error: REASON ***".  Nothing is ever changed
 *   or removed.  "tern: permission denied" for a caller who is not an
 *   admin user (exit 1).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "receive_int.h"

struct qlist {
    struct host_runtime *rt;
    struct tern_spool *spool;
    int undelivered_only;       /* u */
    int all;                    /* a */
    time_t now;
};

/* The file ID-X (X = 'D' or 'H') in either layout; st filled. */
static int
spool_stat(const struct qlist *q, const char *id, char x, struct stat *st)
{
    char path[4096];
    int split = q->rt->opts.split_spool_directory;

    for (int pass = 0; pass < 2; pass++, split = !split) {
        if (split && strlen(id) > 5)
            snprintf(path, sizeof path, "%s/input/%c/%s-%c",
                     q->rt->spool_directory, id[5], id, x);
        else
            snprintf(path, sizeof path, "%s/input/%s-%c",
                     q->rt->spool_directory, id, x);
        if (stat(path, st) == 0)
            return 0;
    }
    return -1;
}

static void
show_error(const struct qlist *q, const char *id,
           const struct tern_spool_err *err)
{
    struct stat st;

    printf("      %s\n", id);
    if (err->sys_errno == 0) {
        long long size = spool_stat(q, id, 'H', &st) == 0
                       ? (long long)st.st_size : 0;
        printf("    *** spool format error: size=%lld ***\n\n", size);
        fprintf(stderr, "tern: %s\n", err->text);
    } else {
        printf("    *** spool read error: %s ***\n\n",
               strerror(err->sys_errno));
    }
}

static int
is_rcpt(const struct tern_spool_msg *m, const char *addr)
{
    for (size_t i = 0; i < m->n_rcpts; i++)
        if (strcmp(m->rcpts[i].address, addr) == 0)
            return 1;
    return 0;
}

static void
show(const struct qlist *q, const char *id)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    struct stat st;
    char age[24], size[24];
    long long body = -1;

    tern_spool_msg_init(&m);
    if (!tern_msgid_valid(id)) {
        /* not an id: Exim looks for the file and does not find it */
        memset(&err, 0, sizeof err);
        err.sys_errno = ENOENT;
        show_error(q, id, &err);
        tern_arena_free(a);
        return;
    }
    if (tern_spool_read_header(q->spool, id, a, &m, &err) != 0) {
        show_error(q, id, &err);
        tern_arena_free(a);
        return;
    }
    if (spool_stat(q, id, 'D', &st) == 0)
        body = (long long)st.st_size - (TERN_MSGID_LEN + 3);
    host_fmt_qage((long long)(q->now - m.received_time), age);
    host_fmt_qsize(body < 0 ? 0 : tern_spool_msg_size(&m, body), size);
    printf("%s %s %s <%s>", age, size, m.id, m.sender ? m.sender : "");
    if (m.flags & TERN_SPOOL_SENDER_SET_UNTRUSTED)
        printf(" (%s)", m.login ? m.login : "");
    if (m.frozen_at >= 0)
        printf(" *** frozen ***");
    printf("\n");
    for (size_t i = 0; i < m.n_rcpts; i++) {
        const char *r = m.rcpts[i].address;

        if (!tern_spool_is_nonrcpt(&m, r))
            printf("          %s\n", r);
        else if (!q->undelivered_only)
            printf("        D %s\n", r);
    }
    if (q->all) {
        for (size_t i = 0; i < m.n_nonrcpts; i++)
            if (!is_rcpt(&m, m.nonrcpts[i]))
                printf("       +D %s\n", m.nonrcpts[i]);
    }
    printf("\n");
    tern_arena_free(a);
}

static int
list(struct qlist *q, const struct host_cmdline *cl, int count_only)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_err err;
    const char **ids;
    size_t n;

    if (tern_spool_list(q->spool, a, &ids, &n, &err) != 0) {
        fprintf(stderr, "tern: %s\n", err.text);
        tern_arena_free(a);
        return HOST_EXIT_FAIL;
    }
    if (count_only) {
        printf("%zu\n", n);
    } else if (cl->n_items > 0) {
        for (size_t i = 0; i < cl->n_items; i++)
            show(q, cl->items[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            show(q, ids[i]);
    }
    fflush(stdout);
    tern_arena_free(a);
    return HOST_EXIT_OK;
}

int
host_mode_queue_list(const struct host_cmdline *cl, const char *which)
{
    struct host_conf hc;
    struct host_runtime rt;
    struct tern_spool_opts so = { 0 };
    struct tern_spool_err err;
    struct qlist q = { 0 };
    int rc = HOST_EXIT_FAIL;

    memset(&rt, 0, sizeof rt);
    host_conf_init(&hc);
    if (host_conf_load(&hc, cl, stderr) != 0 ||
        host_runtime_init(&rt, &hc, "tern", stderr) != 0) {
        host_conf_free(&hc);
        return HOST_EXIT_FAIL;
    }
    if (rt.opts.queue_list_requires_admin &&
        !host_caller_admin(&rt, (long)getuid(), (long)getgid())) {
        fprintf(stderr, "tern: permission denied\n");
        goto out;
    }
    if (access(rt.spool_directory, F_OK) != 0 && errno == ENOENT) {
        /* no spool yet: an empty queue */
        if (strchr(which, 'c') != NULL)
            printf("0\n");
        rc = HOST_EXIT_OK;
        goto out;
    }
    so.directory = rt.spool_directory;
    so.split = rt.opts.split_spool_directory;
    so.sync = TERN_SPOOL_SYNC_NONE;     /* read only */
    so.owner_uid = so.owner_gid = -1;
    q.spool = tern_spool_open(&so, &err);
    if (q.spool == NULL) {
        fprintf(stderr, "tern: %s\n", err.text);
        goto out;
    }
    q.rt = &rt;
    q.now = time(NULL);
    q.undelivered_only = strchr(which, 'u') != NULL;
    q.all = strchr(which, 'a') != NULL;
    rc = list(&q, cl, strchr(which, 'c') != NULL);
    tern_spool_close(q.spool);
out:
    host_runtime_free(&rt);
    host_conf_free(&hc);
    return rc;
}
