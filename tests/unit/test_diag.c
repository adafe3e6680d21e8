/*
 * NAME
 *   test_diag.c - diagnostics: counting, text form with caret and notes,
 *   JSON form
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Print `d` with `printer` into a heap string. */
static char *
render(const struct tern_diags *d,
       void (*printer)(const struct tern_diags *, FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    printer(d, f);
    fclose(f);
    return buf;
}

static void
test_text(void **state)
{
    struct tern_diags d = { 0 };
    struct tern_srcpos inc = { .file = "main.conf", .line = 12 };
    struct tern_srcpos p = {
        .file = "sub.conf", .line = 3, .col = 3, .len = 5,
        .line_text = "  mesage = 1", .include_from = &inc,
    };

    (void)state;
    tern_diag_add(&d, TERN_ERROR_SEV, &p, "did you mean 'message'?",
                  "unknown option '%s'", "mesage");
    tern_diag_add(&d, TERN_WARNING, &p, NULL, "deprecated");
    tern_diag_add(&d, TERN_ERROR_SEV, NULL, NULL, "no position");
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.warnings, 1);

    char *out = render(&d, tern_diags_print_text);
    assert_string_equal(out,
        "sub.conf:3:3: error: unknown option 'mesage'\n"
        "    3 |   mesage = 1\n"
        "      |   ^~~~~\n"
        "note: in file included from main.conf:12\n"
        "note: did you mean 'message'?\n"
        "sub.conf:3:3: warning: deprecated\n"
        "    3 |   mesage = 1\n"
        "      |   ^~~~~\n"
        "note: in file included from main.conf:12\n"
        "error: no position\n");
    free(out);
    tern_diags_free(&d);
    assert_int_equal(d.errors, 0);
}

static void
test_json(void **state)
{
    struct tern_diags d = { 0 };
    struct tern_srcpos p = { .file = "a\"b.conf", .line = 1, .col = 2 };

    (void)state;
    tern_diag_add(&d, TERN_ERROR_SEV, &p, NULL, "tab\there");
    char *out = render(&d, tern_diags_print_json);
    assert_non_null(strstr(out, "\"file\": \"a\\\"b.conf\""));
    assert_non_null(strstr(out, "\"message\": \"tab\\there\""));
    assert_non_null(strstr(out, "\"line\": 1, \"column\": 2"));
    assert_non_null(strstr(out, "\"hint\": null"));
    free(out);
    tern_diags_free(&d);

    out = render(&d, tern_diags_print_json);
    assert_string_equal(out, "[]\n");
    free(out);
}

/* The position is copied: the caller's buffers may go away. */
static void
test_copies(void **state)
{
    struct tern_diags d = { 0 };
    char file[] = "x.conf", line[] = "bad line";
    struct tern_srcpos p = { .file = file, .line = 9, .col = 1,
                             .line_text = line };

    (void)state;
    tern_diag_add(&d, TERN_ERROR_SEV, &p, NULL, "oops");
    memset(file, 'Z', sizeof file - 1);
    memset(line, 'Z', sizeof line - 1);
    char *out = render(&d, tern_diags_print_text);
    assert_non_null(strstr(out, "x.conf:9:1: error: oops"));
    assert_non_null(strstr(out, "bad line"));
    free(out);
    tern_diags_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
