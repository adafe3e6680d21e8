/*
 * NAME
 *   test_list.c - Exim list syntax: separators, doubling, blanks, empties
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "list.h"

/* Items of `list` joined with '|' for compact assertions. */
static const char *
items(const char *list, char sep)
{
    static char out[512];
    char buf[64];
    struct tern_list_iter it;
    size_t n = 0, count = 0;

    out[0] = '\0';
    tern_list_start(&it, list, sep);
    while (tern_list_next(&it, buf, sizeof buf, NULL) != NULL)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
                              count++ ? "|" : "", buf);
    return out;
}

static void
test_basic(void **state)
{
    (void)state;
    assert_string_equal(items("a : b:c", ':'), "a|b|c");
    assert_string_equal(items("  a  ", ':'), "a");
    assert_string_equal(items("", ':'), "");
    assert_string_equal(items("a::b", ':'), "a:b");
    assert_string_equal(items("a:", ':'), "a");
    assert_string_equal(items("<; ::1 ; 127.0.0.1", ':'), "::1|127.0.0.1");
    assert_string_equal(items("<, a,b", ':'), "a|b");
    assert_string_equal(items("<;a;;b", ':'), "a;b");
    assert_int_equal(tern_list_count("a : b : c :", ':'), 3);
    assert_int_equal(tern_list_count("a::b : c", ':'), 2);
    assert_int_equal(tern_list_count("", ':'), 0);
    assert_int_equal(tern_list_count("<; a ; b", ':'), 2);
}

static void
test_empty_middle(void **state)
{
    char buf[16];
    struct tern_list_iter it;

    (void)state;
    tern_list_start(&it, "a : : b", ':');
    assert_string_equal(tern_list_next(&it, buf, sizeof buf, NULL), "a");
    assert_string_equal(tern_list_next(&it, buf, sizeof buf, NULL), "");
    assert_string_equal(tern_list_next(&it, buf, sizeof buf, NULL), "b");
    assert_null(tern_list_next(&it, buf, sizeof buf, NULL));
}

static void
test_too_long(void **state)
{
    char buf[4];
    struct tern_list_iter it;
    int too_long = 0;

    (void)state;
    tern_list_start(&it, "ab : abcdef", ':');
    assert_string_equal(tern_list_next(&it, buf, sizeof buf, &too_long), "ab");
    assert_int_equal(too_long, 0);
    assert_null(tern_list_next(&it, buf, sizeof buf, &too_long));
    assert_int_equal(too_long, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_empty_middle),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
