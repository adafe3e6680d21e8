/*
 * NAME
 *   test_optval.c - every option type: good values, overflow, negative,
 *   bad suffix, empty, and the -bP rendering
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"
#include "optval.h"
#include "tern/option.h"

static struct tern_arena *arena;

/* Parse `text` as `type`; returns the value, fails the test on error. */
static long long
ok_num(unsigned type, const char *text)
{
    struct tern_value v;
    const char *err = NULL;
    unsigned col = 99;
    int rc = tern_optval_parse(arena, type, text, 0, &v, &err, &col);
    if (rc != 0)
        fail_msg("'%s' refused: %s (col %u)", text, err, col);
    assert_true(v.is_set);
    return v.num;
}

/* Parse must fail with a message containing `what` at column `col`. */
static void
bad(unsigned type, const char *text, const char *what, unsigned col)
{
    struct tern_value v;
    const char *err = NULL;
    unsigned at = 99;
    assert_int_equal(tern_optval_parse(arena, type, text, 0, &v, &err, &at),
                     -1);
    assert_non_null(err);
    if (strstr(err, what) == NULL)
        fail_msg("'%s': expected '%s' in '%s'", text, what, err);
    assert_int_equal(at, col);
}

static const char *
fmt(unsigned type, const char *text)
{
    struct tern_value v;
    const char *err;
    unsigned col;
    assert_int_equal(tern_optval_parse(arena, type, text, 0, &v, &err, &col),
                     0);
    return tern_optval_format(arena, &v);
}

static void
test_int(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_INT, "42"), 42);
    assert_int_equal(ok_num(TERN_T_INT, " 42 "), 42);
    assert_int_equal(ok_num(TERN_T_INT, "-7"), -7);
    assert_int_equal(ok_num(TERN_T_INT, "0x1f"), 31);
    assert_int_equal(ok_num(TERN_T_INT, "017"), 15);
    assert_int_equal(ok_num(TERN_T_INT, "10K"), 10240);
    assert_int_equal(ok_num(TERN_T_INT, "2M"), 2 * 1024 * 1024);
    assert_int_equal(ok_num(TERN_T_INT, "1G"), 1024LL * 1024 * 1024);
    assert_int_equal(ok_num(TERN_T_INT, "2147483647"), 2147483647);
    assert_int_equal(ok_num(TERN_T_INT, "-2147483648"), -2147483648LL);
    bad(TERN_T_INT, "2147483648", "too large", 0);
    bad(TERN_T_INT, "-2147483649", "too small", 1);
    bad(TERN_T_INT, "99999999999999999999999", "too large", 0);
    bad(TERN_T_INT, "2G", "too large", 0);
    bad(TERN_T_INT, "10X", "extra characters", 2);
    bad(TERN_T_INT, "", "missing", 0);
    bad(TERN_T_INT, "   ", "missing", 3);
    bad(TERN_T_INT, "abc", "integer value expected", 0);
    bad(TERN_T_INT, "019", "octal", 2);
    bad(TERN_T_INT, "12 3", "extra characters", 2);
}

static void
test_mkint_octint(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_MKINT, "50M"), 50 * 1024 * 1024);
    assert_int_equal(ok_num(TERN_T_MKINT, "-1K"), -1024);
    assert_int_equal(ok_num(TERN_T_KINT, "100"), 100);
    assert_int_equal(ok_num(TERN_T_KINT, "10M"), 10240);
    assert_int_equal(ok_num(TERN_T_KINT, "3G"), 3 * 1024 * 1024);
    bad(TERN_T_KINT, "3000G", "too large", 0);
    bad(TERN_T_KINT, "-5", "negative", 0);
    bad(TERN_T_KINT, "5Q", "extra characters", 1);
    assert_string_equal(fmt(TERN_T_KINT, "10M"), "10M");
    assert_string_equal(fmt(TERN_T_KINT, "1500"), "1500K");
    bad(TERN_T_MKINT, "5T", "extra characters", 1);
    assert_int_equal(ok_num(TERN_T_OCTINT, "0640"), 0640);
    assert_int_equal(ok_num(TERN_T_OCTINT, "600"), 0600);
    bad(TERN_T_OCTINT, "0648", "octal", 3);
    bad(TERN_T_OCTINT, "-1", "negative", 0);
    assert_string_equal(fmt(TERN_T_MKINT, "52428800"), "50M");
    assert_string_equal(fmt(TERN_T_MKINT, "1536"), "1536");
    assert_string_equal(fmt(TERN_T_MKINT, "2048"), "2K");
    assert_string_equal(fmt(TERN_T_MKINT, "0"), "0");
    assert_string_equal(fmt(TERN_T_OCTINT, "0640"), "0640");
}

static void
test_time(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_TIME, "1h30m"), 5400);
    assert_int_equal(ok_num(TERN_T_TIME, "2d"), 172800);
    assert_int_equal(ok_num(TERN_T_TIME, "1w"), 604800);
    assert_int_equal(ok_num(TERN_T_TIME, "45s"), 45);
    assert_int_equal(ok_num(TERN_T_TIME, "90"), 90);
    assert_int_equal(ok_num(TERN_T_TIME, "0s"), 0);
    bad(TERN_T_TIME, "5x", "bad time unit", 1);
    bad(TERN_T_TIME, "-5m", "negative", 0);
    bad(TERN_T_TIME, "", "missing", 0);
    bad(TERN_T_TIME, "h", "time value expected", 0);
    bad(TERN_T_TIME, "9999999999s", "too large", 0);
    bad(TERN_T_TIME, "4000w", "too large", 0);
    bad(TERN_T_TIME, "1h 2", "extra characters", 3);
    assert_string_equal(fmt(TERN_T_TIME, "5400"), "1h30m");
    assert_string_equal(fmt(TERN_T_TIME, "7d"), "1w");
    assert_string_equal(fmt(TERN_T_TIME, "0"), "0s");
    assert_string_equal(fmt(TERN_T_TIME, "8d1s"), "1w1d1s");
}

static void
test_timelist(void **state)
{
    struct tern_value v;
    const char *err;
    unsigned col;

    (void)state;
    assert_int_equal(tern_optval_parse(arena, TERN_T_TIMELIST,
                                       "1d : 2d: 3h", 0, &v, &err, &col), 0);
    assert_int_equal(tern_optval_parse(arena, TERN_T_TIMELIST, "1d : 2q",
                                       0, &v, &err, &col), -1);
    assert_int_equal(col, 6);
}

static void
test_fixed(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_FIXED, "1.5"), 1500);
    assert_int_equal(ok_num(TERN_T_FIXED, "2"), 2000);
    assert_int_equal(ok_num(TERN_T_FIXED, "0.125"), 125);
    bad(TERN_T_FIXED, "1.2345", "three decimal", 5);
    bad(TERN_T_FIXED, "-1.5", "negative", 0);
    bad(TERN_T_FIXED, "x", "fixed-point value expected", 0);
    bad(TERN_T_FIXED, "", "missing", 0);
    bad(TERN_T_FIXED, "99999999", "too large", 0);
    assert_string_equal(fmt(TERN_T_FIXED, "1.5"), "1.5");
    assert_string_equal(fmt(TERN_T_FIXED, "2"), "2.0");
}

static void
test_bool(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_BOOL, "true"), 1);
    assert_int_equal(ok_num(TERN_T_BOOL, "YES"), 1);
    assert_int_equal(ok_num(TERN_T_BOOL, "false"), 0);
    assert_int_equal(ok_num(TERN_T_BOOL, " no "), 0);
    bad(TERN_T_BOOL, "maybe", "boolean value expected", 0);
    bad(TERN_T_BOOL, "", "boolean value expected", 0);
    bad(TERN_T_BOOL, "1", "boolean value expected", 0);
}

static void
test_ids(void **state)
{
    (void)state;
    assert_int_equal(ok_num(TERN_T_UID, "0"), 0);
    assert_int_equal(ok_num(TERN_T_UID, "Debian-exim"), -1);
    assert_int_equal(ok_num(TERN_T_GID, "mail"), -1);
    bad(TERN_T_UID, "", "missing user", 0);
    bad(TERN_T_UID, "-1", "negative", 0);
    bad(TERN_T_GID, "a b", "invalid character", 1);
    bad(TERN_T_UIDLIST, "root : 12x", "extra characters", 9);
    assert_string_equal(fmt(TERN_T_UID, "mail"), "mail");
    assert_string_equal(fmt(TERN_T_UID, "8"), "8");

    struct tern_value v;
    const char *err;
    unsigned col;
    assert_int_equal(tern_optval_parse(arena, TERN_T_UID, "root", 1, &v, &err,
                                       &col), 0);
    assert_int_equal(v.num, 0);
    assert_int_equal(tern_optval_parse(arena, TERN_T_UID, "no-such-user-x",
                                       1, &v, &err, &col), -1);
    assert_string_equal(err, "unknown user");
}

static void
test_strings(void **state)
{
    (void)state;
    assert_string_equal(fmt(TERN_T_STRING, "a b c"), "a b c");
    assert_string_equal(fmt(TERN_T_HOSTLIST, "<; ::1 ; 127.0.0.1"),
                        "<; ::1 ; 127.0.0.1");
    assert_string_equal(fmt(TERN_T_STRING, ""), "");
}

static int
setup(void **state)
{
    (void)state;
    arena = tern_arena_new();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tern_arena_free(arena);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),    cmocka_unit_test(test_mkint_octint),
        cmocka_unit_test(test_time),   cmocka_unit_test(test_timelist),
        cmocka_unit_test(test_fixed),  cmocka_unit_test(test_bool),
        cmocka_unit_test(test_ids),    cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
