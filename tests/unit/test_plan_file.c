/*
 * NAME
 *   test_plan_file.c - unit tests of plans on disk
 *
 * DESCRIPTION
 *   tern_plan_write() (atomic replace, modes, no temporary left behind,
 *   a mapped plan unchanged by a replacement), tern_plan_open() on plans,
 *   text files, short, missing and truncated files and directories, and
 *   tern_plan_is_plan().  Error messages must start with the path given.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "plan.h"
#include "plan_format.h"
#include "plan_fixture.h"

static char *tmpdir_new(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = malloc(strlen(base) + 32);
    sprintf(dir, "%s/tern-plan-XXXXXX", base);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void put_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_files_write_open(void **state)
{
    char *dir = tmpdir_new(), *path = path_in(dir, "exim.plan");
    char err[512];
    struct stat st;
    struct tern_plan p;
    struct tern_config got, empty;
    struct tern_arena *a = tern_arena_new();
    size_t size;
    unsigned char *want = plan_bytes(plan_fixture_config(), &size);

    assert_int_equal(tern_plan_write(plan_fixture_config(), path, err,
                                     sizeof err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_size, size);
    assert_int_equal(tern_plan_is_plan(path), 1);

    assert_int_equal(tern_plan_open(&p, path, err, sizeof err), 0);
    assert_int_equal(p.mapped, 1);
    assert_string_equal(p.path, path);
    assert_int_equal(p.size, size);
    assert_memory_equal(p.data, want, size);

    /* replace it while mapped: the mapping keeps the old plan, the mode
     * of the replaced file is kept, and no temporary file is left */
    assert_int_equal(chmod(path, 0600), 0);
    memset(&empty, 0, sizeof empty);
    assert_int_equal(tern_plan_write(&empty, path, err, sizeof err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true((size_t)st.st_size < size);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    plan_fixture_compare(plan_fixture_config(), &got);
    tern_plan_close(&p);
    assert_null(p.data);
    assert_null(p.path);

    assert_int_equal(tern_plan_open(&p, path, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    plan_fixture_compare(&empty, &got);
    tern_plan_close(&p);

    unlink(path);
    rmdir(dir);
    tern_arena_free(a);
    free(want);
    free(path);
    free(dir);
}

/* Open `path`, expecting failure with message "PATH: rest...". */
static void expect_open_error(const char *path, const char *rest)
{
    char err[512], want[512];
    struct tern_plan p;

    assert_int_equal(tern_plan_open(&p, path, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: %s", path, rest);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("got \"%s\", want \"%s\"", err, want);
}

static void test_files_errors(void **state)
{
    char *dir = tmpdir_new();
    char *text = path_in(dir, "exim.conf"), *shrt = path_in(dir, "short");
    char *magic = path_in(dir, "magic"), *plan = path_in(dir, "x.plan");
    char *missing = path_in(dir, "missing"), *nodir = path_in(dir, "no/x");
    const char *conf = "primary_hostname = mail.example.org\n"
                       "begin routers\n";
    char err[512], want[512];
    size_t size;
    unsigned char *bytes = plan_bytes(plan_fixture_config(), &size);

    put_file(text, conf, strlen(conf));
    put_file(shrt, "x\n", 2);
    put_file(magic, "TERNPLAN", 8);
    assert_int_equal(tern_plan_is_plan(text), 0);
    assert_int_equal(tern_plan_is_plan(shrt), 0);
    assert_int_equal(tern_plan_is_plan(magic), 1);
    assert_int_equal(tern_plan_is_plan(missing), 0);
    expect_open_error(text, "not a Tern plan (bad magic)");
    expect_open_error(shrt, "truncated: 2 bytes");
    expect_open_error(magic, "truncated: 8 bytes");
    expect_open_error(missing, "cannot open: ");
    expect_open_error(dir, "not a regular file");

    /* a plan cut short on disk */
    put_file(plan, bytes, size - 1);
    snprintf(want, sizeof want, "truncated: header says %zu bytes, file "
             "has %zu", size, size - 1);
    expect_open_error(plan, want);

    /* a crafted plan: decode's message names the file too */
    uint32_t n;
    unsigned char *o = plan_section(bytes, TP_SEC_MAIN_OPTIONS, &n);
    tp_put32(o, 0x7fffffff);
    plan_fix_checksum(bytes, size);
    put_file(plan, bytes, size);
    struct tern_plan p;
    struct tern_config cfg;
    struct tern_arena *a = tern_arena_new();
    assert_int_equal(tern_plan_open(&p, plan, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &cfg, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: main_options record 0: name (offset "
             "2147483647", plan);
    assert_memory_equal(err, want, strlen(want));
    tern_plan_close(&p);
    tern_arena_free(a);

    assert_int_equal(tern_plan_write(plan_fixture_config(), nodir, err,
                                     sizeof err), -1);
    snprintf(want, sizeof want, "%s: cannot create a temporary file", nodir);
    assert_memory_equal(err, want, strlen(want));

    unlink(text);
    unlink(shrt);
    unlink(magic);
    unlink(plan);
    assert_int_equal(rmdir(dir), 0);
    free(bytes);
    free(text);
    free(shrt);
    free(magic);
    free(plan);
    free(missing);
    free(nodir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_write_open),
        cmocka_unit_test(test_files_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
