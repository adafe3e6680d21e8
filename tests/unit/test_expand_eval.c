/*
 * NAME
 *   test_expand_eval.c - evaluator behaviour that Exim's -be cannot show:
 *   hooks, deferral, limits, state restoration, module items
 *
 * DESCRIPTION
 *   Headers, a deferring query lookup, list matching, module items and
 *   conditions, $runrc, the environment hook, ${headerwrap} (Exim 4.97),
 *   forced failure inside ${expand}, and the size and depth limits, each
 *   against a small environment built here.
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
#include <tern/module.h>

#include "arena.h"
#include "test_expand_env.h"

#ifndef TERN_SRCDIR
#define TERN_SRCDIR "."
#endif

static struct tern_arena *arena;
static struct tern_exp_env env;
static int item_calls;

static int header(void *arg, unsigned kind, const char *name, size_t len,
                  struct tern_arena *a, char **val, size_t *vlen)
{
    (void)arg;
    if (strcmp(name, "subject") != 0 && strcmp(name, "Subject") != 0)
        return TERN_FAIL;
    *val = tern_printf(a, "%s:hello world", kind == TERN_EXP_HDR_RAW ? "raw"
                       : kind == TERN_EXP_HDR_BASIC ? "basic" : "decoded");
    *vlen = strlen(*val);
    (void)len;
    return TERN_OK;
}

static int item(void *arg, unsigned kind, const char *name, int argc,
                const char *const *argv, struct tern_arena *a, char **result,
                const char **err)
{
    (void)arg;
    item_calls++;
    if (kind == TERN_EXP_ITEM && strcmp(name, "authresults") == 0) {
        *result = tern_printf(a, "%s; none", argv[0]);
        return TERN_OK;
    }
    if (kind == TERN_EXP_CONDITION && strcmp(name, "inbound_srs") == 0 &&
        argc == 2)
        return strcmp(argv[0], argv[1]) == 0 ? TERN_OK : TERN_FAIL;
    *err = "unexpected module call";
    return TERN_ERROR;
}

static int getenv_hook(void *arg, const char *name, const char **val)
{
    (void)arg;
    if (strcmp(name, "TERNTEST") != 0)
        return TERN_FAIL;
    *val = "from-env";
    return TERN_OK;
}

static int setup(void **state)
{
    (void)state;
    arena = tern_arena_new();
    texp_env(&env, TERN_SRCDIR "/tests/data/expand");
    env.header = header;
    env.item = item;
    env.getenv = getenv_hook;
    item_calls = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tern_arena_free(arena);
    return 0;
}

static struct tern_exp_result run(const char *src)
{
    struct tern_exp_result r;
    tern_exp_expand(src, strlen(src), &env, arena, &r);
    return r;
}

static void expect(const char *src, const char *want)
{
    struct tern_exp_result r = run(src);
    if (r.status != TERN_EXP_OK || strcmp(r.str, want) != 0)
        fail_msg("%s: expected [%s], got status %u [%s] (%s)", src, want,
                 r.status, r.status == TERN_EXP_OK ? r.str : "",
                 r.err ? r.err : "");
}

static void expect_status(const char *src, unsigned status)
{
    struct tern_exp_result r = run(src);
    if (r.status != status)
        fail_msg("%s: expected status %u, got %u (%s)", src, status,
                 r.status, r.err ? r.err : r.str);
}

static void test_headers(void **state)
{
    (void)state;
    expect("[$h_subject:]", "[decoded:hello world]");
    expect("[$rh_Subject:]", "[raw:hello world]");
    expect("[$bheader_subject:]", "[basic:hello world]");
    expect("[$h_x-none:]", "[]");
    expect("${if def:h_subject:{y}{n}}", "y");
    expect("${if def:header_x-none:{y}{n}}", "n");
    /* White space ends a header name and is kept. */
    expect("$h_subject x", "decoded:hello world x");
}

static void test_lookup_dispatch(void **state)
{
    (void)state;
    expect("${lookup tq{abc}}", "[abc]");
    expect("${lookup tq{abc}{<$value>}{no}}", "<[abc]>");
    expect("${lookup tq{miss}{<$value>}{no}}", "no");
    expect_status("${lookup tq{miss}{y}fail}", TERN_EXP_FORCED);
    expect_status("${lookup tq{defer}{y}{n}}", TERN_EXP_DEFER);
    /* $value is restored after the item. */
    expect("${lookup tq{a}{${lookup tq{b}{$value}}$value}}[$value]",
           "[b][a][]");
    /* partial: $1 is the wild part, $2 the rest. */
    expect("${lookup{x.y.example.org}partial-lsearch{$config_dir/"
           "aliases.lsearch}{$value/$1/$2}}", "wild-org/x.y/example.org");
}

static void test_module_items(void **state)
{
    (void)state;
    expect("${authresults{$primary_hostname}}", "test.ex; none");
    expect("${if inbound_srs{a}{a}{y}{n}}", "y");
    expect("${if !inbound_srs{a}{b}{y}{n}}", "y");
    assert_int_equal(item_calls, 3);
    /* Arguments in a branch not taken are not expanded or called. */
    expect("${if eq{a}{b}{${authresults{x}}}{n}}", "n");
    assert_int_equal(item_calls, 3);
}

static void test_run_and_env(void **state)
{
    (void)state;
    struct tern_exp_result r = run("${run{/bin/sh -c \"exit 4\"}{y}{n}}");
    assert_int_equal(r.status, TERN_EXP_OK);
    assert_string_equal(r.str, "n");
    assert_true(r.runrc_set);
    assert_int_equal(r.runrc, 4);
    expect("${run{/bin/echo -n a b}{<$value>}}$runrc", "<a b>0");
    expect("${env{TERNTEST}{<$value>}{unset}}", "<from-env>");
    expect("${env{ TERNTEST }}", "from-env");
    expect("${env{OTHER}{<$value>}{unset}}", "unset");
    /* The argument vector is never given to a shell. */
    expect("${run{/bin/echo $primary_hostname;true}}", "test.ex;true\n");
}

static void test_headerwrap(void **state)
{
    (void)state;
    expect("${headerwrap_20:aaaa bbbb cccc dddd eeee ffff}",
           "aaaa bbbb cccc dddd\n\teeee ffff");
    expect("${headerwrap_20_12:aaaa bbbb cccc dddd eeee}", "aaaa bbbb cc");
    expect("${headerwrap:short}", "short");
}

static void test_state_and_nesting(void **state)
{
    (void)state;
    expect("${if match{ab}{(a)}{${if match{cd}{(c)}{$1}}$1}}", "ca");
    expect("${map{a:b}{${map{1:2}{$item}}-$item}}", "1::2-a:1::2-b");
    expect("${reduce{a:b}{x}{$value$item}}[$value][$item]", "xab[][]");
    expect_status("${expand:\\${if eq\\{a\\}\\{b\\}\\{x\\}fail\\}}",
                  TERN_EXP_FORCED);
    expect("${expand:\\${if eq\\{a\\}\\{a\\}\\{yes\\}\\}}", "yes");
    expect_status("${if eq{a}{a}{x}fail}${expand:\\$nosuch}",
                  TERN_EXP_ERROR);
}

static void test_limits(void **state)
{
    (void)state;
    env.max_len = 1000;
    expect_status("${map{a:b:c:d:e:f:g:h:i:j}{${map{1:2:3:4:5:6:7:8:9:0}"
                  "{${map{1:2:3:4:5:6:7:8:9:0}{$item}}}}}}", TERN_EXP_ERROR);
    env.max_len = 0;
    /* ${expand} of itself nests until the depth limit, then fails. */
    char src[4000];
    size_t k = 0;
    for (int i = 0; i < 90; i++)
        k += (size_t)snprintf(src + k, sizeof src - k, "${expand:");
    k += (size_t)snprintf(src + k, sizeof src - k, "x");
    for (int i = 0; i < 90; i++)
        src[k++] = '}';
    src[k] = '\0';
    expect(src, "x");
}

static void test_errors_point_at_node(void **state)
{
    (void)state;
    struct tern_exp_result r = run("abc ${eval:1/0}");
    assert_int_equal(r.status, TERN_EXP_ERROR);
    assert_int_equal(r.err_offset, 4);
    assert_non_null(strstr(r.err, "divide by zero"));
    r = run("x ${if eq{a}{b}{y}fail}");
    assert_int_equal(r.status, TERN_EXP_FORCED);
    assert_int_equal(r.err_offset, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_dispatch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_module_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_and_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headerwrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_and_nesting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_point_at_node, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
