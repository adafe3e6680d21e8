/*
 * NAME
 *   test_expand_cases.c - every case of tests/data/expand/cases.txt
 *   through Tern's parser and evaluator
 *
 * SYNOPSIS
 *   tests/unit/test_expand_cases [CASES]
 *
 * DESCRIPTION
 *   The expected results in the case file are what Exim 4.96 printed
 *   (tests/interop/expand-cases.sh writes them); this test evaluates
 *   each input with the test environment (test_expand_env.c) and fails
 *   on any difference, listing every case that differs.  It also checks
 *   that each input which parses gives an image tern_exp_check() accepts,
 *   and that a byte-for-byte copy of that image evaluates the same way,
 *   which is what a plan relies on.
 *
 * DIAGNOSTICS
 *   One line per differing case: its line number, input, expected and
 *   actual result.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "test_expand_env.h"

#ifndef TERN_SRCDIR
#define TERN_SRCDIR "."
#endif

static const char *cases_path = TERN_SRCDIR "/tests/data/expand/cases.txt";
static const char *data_dir = TERN_SRCDIR "/tests/data/expand";

struct tcase {
    unsigned line;
    char *input;
    char *expect;
};

static struct tcase *load(size_t *n)
{
    FILE *f = fopen(cases_path, "r");
    assert_non_null(f);
    struct tcase *c = NULL;
    size_t len = 0, cap = 0;
    char buf[65536];
    unsigned line = 0;
    char *pending = NULL;
    unsigned pending_line = 0;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[0] == '#' || buf[0] == '\0')
            continue;
        if (!pending) {
            pending = strdup(buf);
            pending_line = line;
            continue;
        }
        if (len == cap) {
            cap = cap ? cap * 2 : 512;
            c = realloc(c, cap * sizeof *c);
            assert_non_null(c);
        }
        c[len].line = pending_line;
        c[len].input = pending;
        c[len].expect = strdup(buf);
        len++;
        pending = NULL;
    }
    fclose(f);
    assert_null(pending);       /* every input has an expectation */
    *n = len;
    return c;
}

static void free_cases(struct tcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].input);
        free(c[i].expect);
    }
    free(c);
}

static void test_all_cases_match_exim(void **state)
{
    (void)state;
    size_t n, bad = 0;
    struct tcase *c = load(&n);
    struct tern_exp_env env;
    texp_env(&env, data_dir);

    assert_true(n >= 300);
    for (size_t i = 0; i < n; i++) {
        struct tern_arena *a = tern_arena_new();
        char *got = texp_classify(a, &env, c[i].input, strlen(c[i].input));
        if (strcmp(got, c[i].expect) != 0) {
            fprintf(stderr, "%s:%u: %s\n  expected: %s\n  got:      %s\n",
                    cases_path, c[i].line, c[i].input, c[i].expect, got);
            bad++;
        }
        tern_arena_free(a);
    }
    fprintf(stderr, "%zu cases, %zu match Exim 4.96\n", n, n - bad);
    free_cases(c, n);
    assert_int_equal(bad, 0);
}

/* Parse, check the image, copy it to fresh memory, evaluate both. */
static void test_images_are_position_independent(void **state)
{
    (void)state;
    size_t n, parsed = 0;
    struct tcase *c = load(&n);
    struct tern_exp_env env;
    texp_env(&env, data_dir);

    for (size_t i = 0; i < n; i++) {
        struct tern_arena *a = tern_arena_new();
        struct tern_exp *e;
        struct tern_exp_error err;
        const char *in = c[i].input;
        if (tern_exp_parse(a, in, strlen(in), &texp_schema, 0, &e, &err) < 0) {
            tern_arena_free(a);
            continue;
        }
        parsed++;
        char why[200];
        assert_int_equal(tern_exp_check(e, why, sizeof why), 0);
        /* A plan holds nodes and text at arbitrary addresses. */
        size_t nb = e->n_nodes * sizeof *e->nodes;
        struct tern_exp_node *nodes = malloc(nb);
        char *text = malloc(e->text_len + 1);
        assert_non_null(nodes);
        assert_non_null(text);
        memcpy(nodes, e->nodes, nb);
        memcpy(text, e->text, e->text_len);
        struct tern_exp copy = *e;
        copy.nodes = nodes;
        copy.text = text;
        struct tern_exp_result r1, r2;
        tern_exp_eval(e, &env, a, &r1);
        tern_exp_eval(&copy, &env, a, &r2);
        assert_int_equal(r1.status, r2.status);
        if (r1.status == TERN_EXP_OK) {
            assert_int_equal(r1.len, r2.len);
            assert_memory_equal(r1.str, r2.str, r1.len);
        }
        free(nodes);
        free(text);
        tern_arena_free(a);
    }
    assert_true(parsed > 200);
    free_cases(c, n);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        cases_path = argv[1];
    if (argc > 2)
        data_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_cases_match_exim),
        cmocka_unit_test(test_images_are_position_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
