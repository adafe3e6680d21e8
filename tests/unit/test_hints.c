/*
 * NAME
 *   test_hints.c - the hints database layer: records, locks, damage
 *
 * DESCRIPTION
 *   Real Berkeley DB files in a temporary spool: put, get, delete and
 *   iterate; every record carries its time stamp; read-only handles
 *   refuse writes and a missing database reads as ENOENT; two forked
 *   writers incrementing one counter never lose an update (the lock);
 *   a held lock makes a non-waiting open fail with EAGAIN; a file of
 *   garbage, a truncated file and a file with a torn page are moved
 *   aside (NAME.corrupt) with a log line and replaced by an empty one;
 *   a writer that died with the file open leaves a mark that makes the
 *   next writer check the file.  Typed records and tidying are in
 *   test_hints_records.c.
 */
#include "config.h"

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

#include "hints.h"

/* Berkeley DB does not free a handle that met a damaged page (its
 * environment is left "panicked"); that is the library's, not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

static char dir[64];
static char logged[1024];
static int n_logged;

static void on_log(void *arg, const char *line)
{
    (void)arg;
    snprintf(logged, sizeof logged, "%s", line);
    n_logged++;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tern-test-hints.XXXXXX");
    logged[0] = 0;
    n_logged = 0;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct tern_hints *open_db(const char *name, int write, int timeout,
                                  struct tern_hints_err *err)
{
    struct tern_hints_opts o = { .spool_directory = dir, .name = name,
                                 .write = write, .lock_timeout = timeout,
                                 .owner_uid = -1, .owner_gid = -1,
                                 .log = on_log };
    return tern_hints_open(&o, err);
}

static struct tern_hints *must_open(const char *name, int write)
{
    struct tern_hints_err err;
    struct tern_hints *h = open_db(name, write, 5, &err);
    if (!h)
        fail_msg("open %s: %s", name, err.text);
    return h;
}

static void path_of(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/db/%s", dir, name);
}

static void test_put_get_delete_iterate(void **state)
{
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints *h;
    struct tern_hints_iter *it;
    const char *key;
    char k[32], v[32], path[128];
    int seen[300] = { 0 }, n = 0;
    long long before = (long long)time(NULL);
    (void)state;

    h = must_open("misc", 1);
    for (int i = 0; i < 300; i++) {
        snprintf(k, sizeof k, "key-%d", i);
        snprintf(v, sizeof v, "value %d", i);
        assert_int_equal(tern_hints_put(h, k, v, strlen(v) + 1, &err), 0);
    }
    assert_int_equal(tern_hints_put_at(h, "old", 1000, "x", 1, &err), 0);
    assert_int_equal(tern_hints_get(h, "key-7", &rec, &err), 0);
    assert_string_equal((const char *)rec.data, "value 7");
    assert_int_equal(rec.len, 8);
    assert_true(rec.stamp >= before && rec.stamp <= (long long)time(NULL));
    assert_int_equal(tern_hints_get(h, "old", &rec, &err), 0);
    assert_int_equal(rec.stamp, 1000);
    assert_int_equal(tern_hints_get(h, "nope", &rec, &err),
                     TERN_HINTS_NOTFOUND);
    assert_int_equal(tern_hints_delete(h, "key-9", &err), 0);
    assert_int_equal(tern_hints_delete(h, "key-9", &err),
                     TERN_HINTS_NOTFOUND);
    /* one iterator at a time, and no writes beside it */
    it = tern_hints_iter_new(h, &err);
    assert_non_null(it);
    assert_int_equal(tern_hints_put(h, "x", "y", 1, &err), -1);
    assert_int_equal(err.sys_errno, EBUSY);
    while (tern_hints_iter_next(it, &key, &rec, &err) == 0) {
        int i;
        n++;
        if (sscanf(key, "key-%d", &i) == 1) {
            assert_true(i >= 0 && i < 300);
            seen[i]++;
            if (i % 2 == 0)
                assert_int_equal(tern_hints_iter_delete(it, &err), 0);
        }
    }
    tern_hints_iter_free(it);
    assert_int_equal(n, 300);           /* 299 keys + "old" */
    for (int i = 0; i < 300; i++)
        assert_int_equal(seen[i], i == 9 ? 0 : 1);
    assert_int_equal(tern_hints_get(h, "key-8", &rec, &err),
                     TERN_HINTS_NOTFOUND);
    assert_int_equal(tern_hints_get(h, "key-11", &rec, &err), 0);
    assert_int_equal(tern_hints_close(h, &err), 0);

    /* Exim's files: the database and its lock file, keys with a NUL */
    path_of("misc.lockfile", path, sizeof path);
    assert_int_equal(access(path, F_OK), 0);
    h = must_open("misc", 0);
    assert_int_equal(tern_hints_get(h, "key-11", &rec, &err), 0);
    assert_string_equal((const char *)rec.data, "value 11");
    assert_int_equal(tern_hints_put(h, "x", "y", 1, &err), -1);
    assert_int_equal(tern_hints_delete(h, "key-11", &err), -1);
    assert_int_equal(tern_hints_close(h, &err), 0);
    assert_int_equal(n_logged, 0);
}

static void test_open_errors(void **state)
{
    struct tern_hints_err err;
    (void)state;
    assert_null(open_db("retry", 0, 5, &err));
    assert_int_equal(err.sys_errno, ENOENT);
    assert_null(open_db("../etc", 1, 5, &err));
    assert_null(open_db("retry.lockfile", 1, 5, &err));
    assert_null(open_db("", 1, 5, &err));
    assert_false(tern_hints_name_ok(".."));
    assert_true(tern_hints_name_ok("wait-remote_smtp"));
}

/* Each child adds 1 to a counter `rounds` times, opening and closing the
 * database every time as a delivery process would. */
static void bump(int rounds)
{
    for (int i = 0; i < rounds; i++) {
        struct tern_hints_err err;
        struct tern_hints_rec rec;
        struct tern_hints *h = open_db("misc", 1, -1, &err);
        int v = 0;
        if (!h)
            _exit(2);
        if (tern_hints_get(h, "counter", &rec, &err) == 0)
            memcpy(&v, rec.data, sizeof v);
        v++;
        if (tern_hints_put(h, "counter", &v, sizeof v, &err) != 0 ||
            tern_hints_close(h, &err) != 0)
            _exit(3);
    }
    _exit(0);
}

static void test_concurrent_writers(void **state)
{
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints *h;
    pid_t pids[2];
    int v = 0, status;
    (void)state;

    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            bump(150);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    h = must_open("misc", 0);
    assert_int_equal(tern_hints_get(h, "counter", &rec, &err), 0);
    memcpy(&v, rec.data, sizeof v);
    assert_int_equal(v, 300);
    tern_hints_close(h, NULL);
}

static void test_lock_excludes(void **state)
{
    struct tern_hints_err err;
    struct tern_hints *h, *r1, *r2;
    int go[2], ready[2], status;
    char c;
    pid_t pid;
    (void)state;

    h = must_open("retry", 1);      /* create it */
    tern_hints_close(h, NULL);
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(ready), 0);
    if ((pid = fork()) == 0) {
        h = open_db("retry", 1, 5, &err);
        if (!h || write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(2);
        tern_hints_close(h, NULL);
        _exit(0);
    }
    assert_int_equal(read(ready[0], &c, 1), 1);
    /* a writer holds it: neither writers nor readers get in */
    assert_null(open_db("retry", 1, 0, &err));
    assert_int_equal(err.sys_errno, EAGAIN);
    assert_null(open_db("retry", 0, 0, &err));
    assert_int_equal(err.sys_errno, EAGAIN);
    assert_null(open_db("retry", 0, 1, &err));
    assert_non_null(strstr(err.text, "timed out after 1s"));
    assert_int_equal(write(go[1], "g", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    /* readers share */
    r1 = must_open("retry", 0);
    r2 = open_db("retry", 0, 0, &err);
    assert_non_null(r2);
    assert_null(open_db("retry", 1, 0, &err));
    tern_hints_close(r1, NULL);
    tern_hints_close(r2, NULL);
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
}

static void fill(const char *name, int n)
{
    struct tern_hints *h = must_open(name, 1);
    char k[64], v[300];
    memset(v, 'v', sizeof v);
    for (int i = 0; i < n; i++) {
        snprintf(k, sizeof k, "T:host%d.example:192.0.2.%d", i, i % 250);
        assert_int_equal(tern_hints_put(h, k, v, sizeof v, NULL), 0);
    }
    tern_hints_close(h, NULL);
}

/* After damage: a writer gets a working, empty database and the old file
 * is kept as NAME.corrupt, with one log line. */
static void expect_replaced(const char *name)
{
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints *h = open_db(name, 1, 5, &err);
    char path[128];
    if (!h)
        fail_msg("writer could not recover: %s", err.text);
    assert_int_equal(tern_hints_put(h, "k", "v", 1, &err), 0);
    assert_int_equal(tern_hints_get(h, "k", &rec, &err), 0);
    assert_int_equal(tern_hints_close(h, &err), 0);
    path_of(name, path, sizeof path);
    strcat(path, ".corrupt");
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(n_logged, 1);
    assert_non_null(strstr(logged, "is damaged"));
    assert_non_null(strstr(logged, ".corrupt"));
}

static void test_garbage_file(void **state)
{
    char path[128];
    FILE *f;
    (void)state;
    mkdir(strcat(strcpy(path, dir), "/db"), 0750);
    path_of("retry", path, sizeof path);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 5000; i++)
        fputs("this is not a database ", f);
    fclose(f);
    expect_replaced("retry");
}

static void test_truncated_file(void **state)
{
    struct tern_hints_err err;
    char path[128];
    (void)state;
    fill("retry", 2000);
    path_of("retry", path, sizeof path);
    assert_int_equal(truncate(path, 200001), 0);
    /* A reader cannot repair: it fails, and marks the file for the
     * next writer. */
    assert_null(open_db("retry", 0, 5, &err));
    assert_non_null(strstr(err.text, "damaged"));
    assert_int_equal(n_logged, 0);
    expect_replaced("retry");
}

static void test_torn_page(void **state)
{
    struct tern_hints_err err;
    struct tern_hints_iter *it;
    struct tern_hints_rec rec;
    struct tern_hints *h;
    const char *key;
    char path[128], junk[3 * 4096];
    int fd, rc;
    (void)state;
    fill("wait-smtp", 2000);
    path_of("wait-smtp", path, sizeof path);
    memset(junk, 0x5a, sizeof junk);
    fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, junk, sizeof junk, 30 * 4096),
                     (ssize_t)sizeof junk);
    close(fd);
    /* The page checksum gives it away while reading... */
    h = must_open("wait-smtp", 1);
    it = tern_hints_iter_new(h, &err);
    assert_non_null(it);
    while ((rc = tern_hints_iter_next(it, &key, &rec, &err)) == 0)
        ;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.text, "damaged"));
    tern_hints_iter_free(it);
    /* ...and the writer moves it aside when it closes. */
    tern_hints_close(h, NULL);
    assert_int_equal(n_logged, 1);
    expect_replaced("wait-smtp");
}

static void test_writer_died(void **state)
{
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints *h;
    char path[128], mark = 0;
    int status, fd;
    pid_t pid;
    (void)state;

    fill("tls", 10);
    if ((pid = fork()) == 0) {
        h = open_db("tls", 1, 5, &err);
        if (!h || tern_hints_put(h, "new", "x", 1, &err) != 0)
            _exit(2);
        _exit(0);                       /* as if killed: never closed */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    path_of("tls.lockfile", path, sizeof path);
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, &mark, 1), 1);
    close(fd);
    assert_int_equal(mark, 'D');
    /* The file is sound: checked, kept, old records still there. */
    h = must_open("tls", 1);
    assert_int_equal(tern_hints_get(h, "T:host3.example:192.0.2.3", &rec,
                                    &err), 0);
    tern_hints_close(h, NULL);
    assert_int_equal(n_logged, 0);
    path_of("tls.corrupt", path, sizeof path);
    assert_int_equal(access(path, F_OK), -1);
    /* and the mark was cleared by the clean close */
    path_of("tls.lockfile", path, sizeof path);
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, &mark, 1), 1);
    close(fd);
    assert_int_equal(mark, 'C');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_delete_iterate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lock_excludes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_torn_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_died, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
