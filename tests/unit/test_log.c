/*
 * NAME
 *   test_log.c - unit tests for the Exim-format log writer
 */
#include "config.h"

#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static char dir[64];

static int setup(void **state)
{
    strcpy(dir, "/tmp/tern-test-log.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static struct tern_log *open_in_dir(const char *pattern_tail)
{
    char path[256];
    const char *err = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, pattern_tail);
    struct tern_log_opts o = { .path = path };
    struct tern_log *lg = tern_log_open(&o, &err);
    assert_non_null(lg);
    return lg;
}

static void test_expand_name(void **state)
{
    char buf[64];
    time_t t = 86400 * 365; /* 1971-01-01 */
    setenv("TZ", "UTC", 1);
    tzset();
    assert_int_equal(tern_log_expand_name("/l/%slog", "main", t, buf,
                                          sizeof buf), 0);
    assert_string_equal(buf, "/l/mainlog");
    assert_int_equal(tern_log_expand_name("/l/%s-%D", "panic", t, buf,
                                          sizeof buf), 0);
    assert_string_equal(buf, "/l/panic-19710101");
    assert_int_equal(tern_log_expand_name("/l/%M/%s", "reject", t, buf,
                                          sizeof buf), 0);
    assert_string_equal(buf, "/l/197101/reject");
    assert_int_equal(tern_log_expand_name("/a/very/long/%s", "main", t, buf,
                                          8), -1);
}

static void test_line_format(void **state)
{
    struct tern_log *lg = open_in_dir("%slog");
    tern_log_write(lg, TERN_LOG_MAIN, "1tPfhS-0000Ai-2B", "<= a@b.example S=%d",
                   412);
    tern_log_write(lg, TERN_LOG_MAIN, NULL, "two\nlines\x01");
    tern_log_close(lg);
    char path[256];
    snprintf(path, sizeof path, "%s/mainlog", dir);
    char *text = slurp(path);
    assert_non_null(text);
    regex_t re;
    assert_int_equal(regcomp(&re,
        "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
        "1tPfhS-0000Ai-2B <= a@b.example S=412\n"
        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
        "two\\\\nlines\\\\x01\n$", REG_EXTENDED), 0);
    assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
    regfree(&re);
}

static void test_reject_also_in_main(void **state)
{
    struct tern_log *lg = open_in_dir("%slog");
    tern_log_write(lg, TERN_LOG_REJECT, NULL, "rejected RCPT <x@y>");
    tern_log_write(lg, TERN_LOG_PANIC, NULL, "disaster");
    tern_log_close(lg);
    char path[256];
    snprintf(path, sizeof path, "%s/mainlog", dir);
    char *m = slurp(path);
    assert_non_null(strstr(m, "rejected RCPT <x@y>"));
    assert_non_null(strstr(m, "disaster"));
    snprintf(path, sizeof path, "%s/rejectlog", dir);
    char *r = slurp(path);
    assert_non_null(strstr(r, "rejected RCPT <x@y>"));
    assert_null(strstr(r, "disaster"));
    snprintf(path, sizeof path, "%s/paniclog", dir);
    assert_non_null(strstr(slurp(path), "disaster"));
}

/* exicyclog renames mainlog away; the next line must go to a new file. */
static void test_reopen_after_rename(void **state)
{
    struct tern_log *lg = open_in_dir("%slog");
    tern_log_write(lg, TERN_LOG_MAIN, NULL, "before");
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/mainlog", dir);
    snprintf(b, sizeof b, "%s/mainlog.01", dir);
    assert_int_equal(rename(a, b), 0);
    sleep(1); /* the rename check runs at most once a second */
    tern_log_write(lg, TERN_LOG_MAIN, NULL, "after");
    tern_log_close(lg);
    assert_non_null(strstr(slurp(b), "before"));
    char *now = slurp(a);
    assert_non_null(now);
    assert_non_null(strstr(now, "after"));
    assert_null(strstr(now, "before"));
}

/* Lines from concurrent processes never interleave. */
static void test_concurrent_whole_lines(void **state)
{
    enum { PROCS = 4, LINES = 500 };
    for (int p = 0; p < PROCS; p++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct tern_log *lg = open_in_dir("%slog");
            for (int i = 0; i < LINES; i++)
                tern_log_write(lg, TERN_LOG_MAIN, NULL,
                               "proc=%d line=%d %0200d", p, i, 0);
            tern_log_close(lg);
            _exit(0);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int st;
        wait(&st);
        assert_int_equal(st, 0);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/mainlog", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        int pp, ii;
        char *at = strstr(line, "proc=");
        assert_non_null(at);
        assert_int_equal(sscanf(at, "proc=%d line=%d", &pp, &ii), 2);
        assert_int_equal(strlen(line), (size_t)(at - line) +
                         strlen("proc=0 line=") + (ii > 99 ? 3 : ii > 9 ? 2 : 1)
                         + 1 + 200 + 1);
        count++;
    }
    fclose(f);
    assert_int_equal(count, PROCS * LINES);
}

static void test_bad_paths(void **state)
{
    const char *err = NULL;
    struct tern_log_opts o = { .path = "/var/log/nopercent" };
    assert_null(tern_log_open(&o, &err));
    assert_non_null(strstr(err, "%s"));
    o.path = "relative/%slog";
    assert_null(tern_log_open(&o, &err));
    assert_non_null(strstr(err, "absolute"));
    o.path = "syslog:/var/log/%slog";
    struct tern_log *lg = tern_log_open(&o, &err);
    assert_non_null(lg);
    tern_log_close(lg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_name),
        cmocka_unit_test_setup_teardown(test_line_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_also_in_main, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_after_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_whole_lines, setup, teardown),
        cmocka_unit_test(test_bad_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
