/*
 * NAME
 *   test_spool_dir.c - writing messages to a spool directory
 *
 * DESCRIPTION
 *   Group commit in every durability mode and both layouts: nothing is
 *   visible before the commit, everything is in place (mode 0640, no
 *   temporary files) after it, bodies come back byte for byte; a failing
 *   message in a batch fails alone; the -D lock keeps Exim-style and Tern
 *   readers away; listing, removing, tidying and rewriting.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "spool.h"

static char dir[64];
static struct tern_msgid_gen gen;

static int setup(void **state)
{
    strcpy(dir, "/tmp/tern-test-spool.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    return tern_msgid_gen_init(&gen, -1);
}

static int teardown(void **state)
{
    char cmd[128];
    tern_msgid_barrier(&gen);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct tern_spool *open_sp(int split, enum tern_spool_sync sync,
                                  const char *queue)
{
    struct tern_spool_opts o = { .directory = dir, .split = split,
                                 .sync = sync, .queue_name = queue,
                                 .owner_uid = -1, .owner_gid = -1 };
    struct tern_spool_err err;
    struct tern_spool *sp = tern_spool_open(&o, &err);
    if (!sp)
        fail_msg("%s", err.text);
    return sp;
}

static const char *input_dir(const char *queue)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s%sinput", dir, queue ? queue : "",
             queue ? "/" : "");
    return buf;
}

static void file_path(const char *queue, int split, const char *id,
                      const char *suffix, char *buf, size_t size)
{
    if (split)
        snprintf(buf, size, "%s/%c/%s%s", input_dir(queue), id[5], id, suffix);
    else
        snprintf(buf, size, "%s/%s%s", input_dir(queue), id, suffix);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Count entries starting with "tmp." anywhere under input/. */
static int count_tmp(const char *d)
{
    DIR *dd = opendir(d);
    struct dirent *e;
    int n = 0;
    if (!dd)
        return 0;
    while ((e = readdir(dd)) != NULL) {
        char sub[512];
        if (!strncmp(e->d_name, "tmp.", 4))
            n++;
        else if (strlen(e->d_name) == 1 && e->d_name[0] != '.') {
            snprintf(sub, sizeof sub, "%s/%s", d, e->d_name);
            n += count_tmp(sub);
        }
    }
    closedir(dd);
    return n;
}

static void make_msg(struct tern_arena *a, struct tern_spool_msg *m, int i)
{
    struct timespec ts;
    tern_spool_msg_init(m);
    assert_int_equal(tern_msgid_next(&gen, m->id, &ts), 0);
    m->login = "tester";
    m->uid = 1000;
    m->gid = 1000;
    m->sender = tern_printf(a, "sender%d@x.example", i);
    m->received_time = ts.tv_sec;
    m->received_usec = (int)(ts.tv_nsec / 1000);
    m->flags = TERN_SPOOL_DELIVER_FIRSTTIME;
    m->n_rcpts = 1;
    m->rcpts = tern_alloc(a, sizeof *m->rcpts);
    m->rcpts[0].address = tern_printf(a, "rcpt%d@y.example", i);
    m->rcpts[0].pno = -1;
    m->n_headers = 1;
    m->headers = tern_alloc(a, sizeof *m->headers);
    m->headers[0].type = 'T';
    m->headers[0].text = tern_printf(a, "To: rcpt%d@y.example\n", i);
    m->headers[0].len = strlen(m->headers[0].text);
}

/* A body with every byte value, sized so that some chunks overflow the
 * writer's buffer and some bypass it. */
static char *make_body(int i, size_t *len)
{
    *len = 1000 + (size_t)i * 7919 % 200000;
    char *b = malloc(*len);
    for (size_t k = 0; k < *len; k++)
        b[k] = (char)((k * 131 + (size_t)i) & 0xff);
    return b;
}

static void write_chunks(struct tern_spool_out *o, const char *b, size_t len)
{
    struct tern_spool_err err;
    size_t off = 0, step = 1;
    while (off < len) {
        size_t n = step < len - off ? step : len - off;
        if (tern_spool_out_data(o, b + off, n, &err) != 0)
            fail_msg("%s", err.text);
        off += n;
        step = step * 3 + 1;            /* 1, 4, 13, ... up to > 64 KiB */
    }
}

static void batch_commit(int split, enum tern_spool_sync sync,
                         const char *queue)
{
    enum { N = 40 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(split, sync, queue);
    struct tern_spool_out *outs[N];
    struct tern_spool_msg m[N];
    struct tern_spool_err err;
    char *bodies[N], path[512];
    size_t blen[N];
    int status[N];
    for (int i = 0; i < N; i++) {
        make_msg(a, &m[i], i);
        bodies[i] = make_body(i, &blen[i]);
        outs[i] = tern_spool_out_new(sp, m[i].id, &err);
        if (!outs[i])
            fail_msg("%s", err.text);
        write_chunks(outs[i], bodies[i], blen[i]);
        long long bytes, lines, zeros;
        tern_spool_out_stats(outs[i], &bytes, &lines, &zeros);
        assert_int_equal(bytes, (long long)blen[i]);
        long long want_lines = 0, want_zeros = 0;
        for (size_t k = 0; k < blen[i]; k++) {
            want_lines += bodies[i][k] == '\n';
            want_zeros += bodies[i][k] == 0;
        }
        assert_int_equal(lines, want_lines);
        assert_int_equal(zeros, want_zeros);
        m[i].body_linecount = lines;
        assert_int_equal(tern_spool_out_finish(outs[i], &m[i], &err), 0);
        /* nothing on the queue before the commit */
        file_path(queue, split, m[i].id, "-H", path, sizeof path);
        assert_false(exists(path));
    }
    const char **ids;
    size_t n;
    assert_int_equal(tern_spool_list(sp, a, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(count_tmp(input_dir(queue)), 2 * N);

    assert_int_equal(tern_spool_commit(sp, outs, N, status, &err), N);
    for (int i = 0; i < N; i++) {
        struct stat st;
        assert_int_equal(status[i], 0);
        tern_spool_out_free(outs[i]);
        file_path(queue, split, m[i].id, "-D", path, sizeof path);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(st.st_size, (long long)blen[i] + 19);
        file_path(queue, split, m[i].id, "-H", path, sizeof path);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
    }
    assert_int_equal(count_tmp(input_dir(queue)), 0);
    assert_int_equal(tern_spool_list(sp, a, &ids, &n, &err), 0);
    assert_int_equal(n, N);
    for (int i = 0; i < N; i++) {       /* ids are in generation order */
        assert_string_equal(ids[i], m[i].id);
        struct tern_spool_msg back;
        char *body;
        size_t len;
        if (tern_spool_read_header(sp, m[i].id, a, &back, &err) != 0)
            fail_msg("%s", err.text);
        assert_string_equal(back.sender, m[i].sender);
        assert_string_equal(back.rcpts[0].address, m[i].rcpts[0].address);
        assert_int_equal(back.body_linecount, m[i].body_linecount);
        assert_int_equal(tern_spool_read_body(sp, m[i].id, a, &body, &len,
                                              &err), 0);
        assert_int_equal(len, blen[i]);
        assert_memory_equal(body, bodies[i], len);
        assert_int_equal(tern_spool_remove(sp, m[i].id, &err), 0);
        free(bodies[i]);
    }
    assert_int_equal(tern_spool_list(sp, a, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    tern_spool_close(sp);
    tern_arena_free(a);
}

static void test_commit_fsync_flat(void **state)
{
    batch_commit(0, TERN_SPOOL_SYNC_FSYNC, NULL);
}

static void test_commit_fsync_split(void **state)
{
    batch_commit(1, TERN_SPOOL_SYNC_FSYNC, NULL);
}

static void test_commit_syncfs_split(void **state)
{
    batch_commit(1, TERN_SPOOL_SYNC_SYNCFS, NULL);
}

static void test_commit_none_named_queue(void **state)
{
    batch_commit(0, TERN_SPOOL_SYNC_NONE, "slow");
}

static void test_free_without_commit(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(1, TERN_SPOOL_SYNC_NONE, NULL);
    struct tern_spool_msg m;
    struct tern_spool_err err;
    make_msg(a, &m, 1);
    struct tern_spool_out *o = tern_spool_out_new(sp, m.id, &err);
    assert_non_null(o);
    write_chunks(o, "abc\n", 4);
    assert_int_equal(count_tmp(input_dir(NULL)), 1);
    assert_int_equal(tern_spool_out_finish(o, &m, &err), 0);
    assert_int_equal(count_tmp(input_dir(NULL)), 2);
    tern_spool_out_free(o);             /* the session went away */
    assert_int_equal(count_tmp(input_dir(NULL)), 0);
    /* a wrong id at finish is refused */
    o = tern_spool_out_new(sp, m.id, &err);
    struct tern_spool_msg other = m;
    strcpy(other.id, "1xVorO-0003wg-2p");
    assert_int_equal(tern_spool_out_finish(o, &other, &err), -1);
    tern_spool_out_free(o);
    assert_int_equal(count_tmp(input_dir(NULL)), 0);
    assert_null(tern_spool_out_new(sp, "bad id", &err));
    assert_int_equal(err.sys_errno, EINVAL);
    tern_spool_close(sp);
    tern_arena_free(a);
}

/* One bad message in a batch fails alone and leaves nothing behind. */
static void test_partial_failure(void **state)
{
    enum { N = 5 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(0, TERN_SPOOL_SYNC_FSYNC, NULL);
    struct tern_spool_out *outs[N];
    struct tern_spool_msg m[N];
    struct tern_spool_err err;
    int status[N];
    char path[512];
    for (int i = 0; i < N; i++) {
        make_msg(a, &m[i], i);
        outs[i] = tern_spool_out_new(sp, m[i].id, &err);
        assert_non_null(outs[i]);
        write_chunks(outs[i], "body\n", 5);
        if (i != 3)                     /* 3 is never finished */
            assert_int_equal(tern_spool_out_finish(outs[i], &m[i], &err), 0);
    }
    /* something already holds message 1's final -D name */
    file_path(NULL, 0, m[1].id, "-D", path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(tern_spool_commit(sp, outs, N, status, &err), 3);
    assert_int_equal(status[0], 0);
    assert_int_not_equal(status[1], 0);
    assert_int_equal(status[2], 0);
    assert_int_equal(status[3], EINVAL);
    assert_int_equal(status[4], 0);
    assert_true(strlen(err.text) > 0);
    file_path(NULL, 0, m[1].id, "-H", path, sizeof path);
    assert_false(exists(path));         /* not on the queue */
    for (int i = 0; i < N; i++)
        tern_spool_out_free(outs[i]);
    assert_int_equal(count_tmp(input_dir(NULL)), 0);
    file_path(NULL, 0, m[1].id, "-D", path, sizeof path);
    rmdir(path);
    const char **ids;
    size_t n;
    assert_int_equal(tern_spool_list(sp, a, &ids, &n, &err), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        tern_spool_remove(sp, ids[i], &err);
    tern_spool_close(sp);
    tern_arena_free(a);
}

/* What Exim's queue runner does: a classic lock on the id line. */
static int exim_style_lock(const char *path)
{
    int fd = open(path, O_RDWR | O_APPEND);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                        .l_start = 0, .l_len = 19 };
    if (fd < 0)
        return -1;
    int rc = fcntl(fd, F_SETLK, &fl);
    close(fd);
    return rc;
}

static int child_status(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static void test_data_file_locked(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(1, TERN_SPOOL_SYNC_NONE, NULL);
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char path[512];
    int status;
    make_msg(a, &m, 7);
    struct tern_spool_out *o = tern_spool_out_new(sp, m.id, &err);
    assert_non_null(o);
    write_chunks(o, "locked body\n", 12);
    assert_int_equal(tern_spool_out_finish(o, &m, &err), 0);
    assert_int_equal(tern_spool_commit(sp, &o, 1, &status, &err), 1);
    file_path(NULL, 1, m.id, "-D", path, sizeof path);

    /* In place and durable, but still ours until free. */
    pid_t pid = fork();
    if (pid == 0) {
        struct tern_spool_err e;
        struct tern_spool *csp = open_sp(1, TERN_SPOOL_SYNC_NONE, NULL);
        int fd = tern_spool_open_data(csp, m.id, 1, &e);
        _exit(fd < 0 && e.sys_errno == EAGAIN &&
              exim_style_lock(path) != 0 ? 0 : 1);
    }
    assert_int_equal(child_status(pid), 0);
    /* same process, another descriptor: refused too (OFD locks) */
    assert_int_equal(tern_spool_open_data(sp, m.id, 1, &err), -1);
    assert_int_equal(err.sys_errno, EAGAIN);
    /* reading without a lock is fine, positioned at the body */
    int fd = tern_spool_open_data(sp, m.id, 0, &err);
    char buf[32];
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, sizeof buf), 12);
    assert_memory_equal(buf, "locked body\n", 12);
    close(fd);

    tern_spool_out_free(o);
    pid = fork();
    if (pid == 0)
        _exit(exim_style_lock(path) == 0 ? 0 : 1);
    assert_int_equal(child_status(pid), 0);
    fd = tern_spool_open_data(sp, m.id, 1, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tern_spool_remove(sp, m.id, &err), 0);
    assert_false(exists(path));
    assert_int_equal(tern_spool_remove(sp, m.id, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    tern_spool_close(sp);
    tern_arena_free(a);
}

/* Messages written in one layout are found after switching layouts. */
static void test_layout_fallback(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m1, m2, back;
    struct tern_spool_err err;
    struct tern_spool *flat = open_sp(0, TERN_SPOOL_SYNC_NONE, NULL);
    struct tern_spool *split = open_sp(1, TERN_SPOOL_SYNC_NONE, NULL);
    make_msg(a, &m1, 1);
    make_msg(a, &m2, 2);
    assert_int_equal(tern_spool_write_message(flat, &m1, "one\n", 4, &err), 0);
    assert_int_equal(tern_spool_write_message(split, &m2, "two\n", 4, &err), 0);
    char path[512];
    file_path(NULL, 0, m1.id, "-H", path, sizeof path);
    assert_true(exists(path));
    file_path(NULL, 1, m2.id, "-H", path, sizeof path);
    assert_true(exists(path));
    struct tern_spool *sps[2] = { flat, split };
    for (int k = 0; k < 2; k++) {
        const char **ids;
        size_t n;
        assert_int_equal(tern_spool_read_header(sps[k], m1.id, a, &back, &err), 0);
        assert_string_equal(back.sender, m1.sender);
        assert_int_equal(tern_spool_read_header(sps[k], m2.id, a, &back, &err), 0);
        assert_string_equal(back.sender, m2.sender);
        assert_int_equal(tern_spool_list(sps[k], a, &ids, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(ids[0], m1.id);
        assert_string_equal(ids[1], m2.id);
    }
    assert_int_equal(tern_spool_remove(split, m1.id, &err), 0);
    assert_int_equal(tern_spool_remove(flat, m2.id, &err), 0);
    assert_int_equal(tern_spool_read_header(flat, m1.id, a, &back, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    tern_spool_close(flat);
    tern_spool_close(split);
    tern_arena_free(a);
}

static void test_rewrite_header(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(1, TERN_SPOOL_SYNC_FSYNC, NULL);
    struct tern_spool_msg m, back;
    struct tern_spool_err err;
    const char *done[] = { "rcpt3@y.example" };
    make_msg(a, &m, 3);
    assert_int_equal(tern_spool_write_message(sp, &m, "x\n", 2, &err), 0);
    m.flags &= ~(unsigned)TERN_SPOOL_DELIVER_FIRSTTIME;
    m.frozen_at = 1700000000;
    m.warning_count = 1;
    m.nonrcpts = done;
    m.n_nonrcpts = 1;
    assert_int_equal(tern_spool_rewrite_header(sp, &m, &err), 0);
    assert_int_equal(tern_spool_read_header(sp, m.id, a, &back, &err), 0);
    assert_int_equal(back.frozen_at, 1700000000);
    assert_int_equal(back.warning_count, 1);
    assert_int_equal(back.flags, 0);
    assert_true(tern_spool_is_nonrcpt(&back, "rcpt3@y.example"));
    assert_int_equal(count_tmp(input_dir(NULL)), 0);
    /* a message that is not there cannot be rewritten */
    struct tern_spool_msg ghost = m;
    assert_int_equal(tern_msgid_next(&gen, ghost.id, NULL), 0);
    assert_int_equal(tern_spool_rewrite_header(sp, &ghost, &err), -1);
    assert_int_equal(tern_spool_remove(sp, m.id, &err), 0);
    tern_spool_close(sp);
    tern_arena_free(a);
}

static void test_tidy_and_bad_data(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_sp(0, TERN_SPOOL_SYNC_NONE, NULL);
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char path[512];
    make_msg(a, &m, 4);
    assert_int_equal(tern_spool_write_message(sp, &m, "ok\n", 3, &err), 0);
    /* a crash left temporary files: one old, one fresh */
    const char *names[] = { "tmp.1xVorO-0003wg-2p-D", "tmp.1xVorO-0003wg-2p-H" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", input_dir(NULL), names[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
    struct timespec old[2] = { { time(NULL) - 7200, 0 }, { time(NULL) - 7200, 0 } };
    snprintf(path, sizeof path, "%s/%s", input_dir(NULL), names[0]);
    assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
    assert_int_equal(tern_spool_tidy(sp, 3600, &err), 1);
    assert_int_equal(count_tmp(input_dir(NULL)), 1);
    assert_int_equal(tern_spool_tidy(sp, 0, &err), 1);
    assert_int_equal(count_tmp(input_dir(NULL)), 0);
    /* the message itself is untouched */
    struct tern_spool_msg back;
    assert_int_equal(tern_spool_read_header(sp, m.id, a, &back, &err), 0);

    /* a -D file whose first line is wrong is refused */
    file_path(NULL, 0, m.id, "-D", path, sizeof path);
    FILE *f = fopen(path, "r+");
    fputc('X', f);
    fclose(f);
    assert_int_equal(tern_spool_open_data(sp, m.id, 0, &err), -1);
    assert_int_equal(err.line, 1);
    assert_int_equal(tern_spool_remove(sp, m.id, &err), 0);
    tern_spool_close(sp);
    tern_arena_free(a);
}

static void test_open_errors(void **state)
{
    struct tern_spool_err err;
    struct tern_spool_opts o = { .directory = "/nonexistent/tern-spool",
                                 .owner_uid = -1, .owner_gid = -1 };
    assert_null(tern_spool_open(&o, &err));
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.text, "/nonexistent/tern-spool"));
    o.directory = dir;
    o.queue_name = "../escape";
    assert_null(tern_spool_open(&o, &err));
    assert_int_equal(err.sys_errno, EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_fsync_flat),
        cmocka_unit_test(test_commit_fsync_split),
        cmocka_unit_test(test_commit_syncfs_split),
        cmocka_unit_test(test_commit_none_named_queue),
        cmocka_unit_test(test_free_without_commit),
        cmocka_unit_test(test_partial_failure),
        cmocka_unit_test(test_data_file_locked),
        cmocka_unit_test(test_layout_fallback),
        cmocka_unit_test(test_rewrite_header),
        cmocka_unit_test(test_tidy_and_bad_data),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
