/*
 * NAME
 *   test_match_cache.c - named lists, their caching, and the expansion
 *   conditions
 *
 * DESCRIPTION
 *   Counts the fake hooks' calls to show when a named list's result is
 *   reused: lists without `$` are cached per subject, lists with `$`
 *   are not unless defined `_cache`, no-cache lists never are, a list
 *   that consulted an uncacheable list is not cached either, deferrals
 *   are not cached.  Also: expansion of named lists (forced failure,
 *   errors), loops, values found through named lists, and the
 *   match_* expansion conditions through tern_exp_expand.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "expand.h"
#include "test_match_env.h"

static void test_constant_cached(void **state)
{
    (void)state;
    tm_use_cache();
    tm_add_lookup("lsearch", "/d", "a.com", "data-a");
    tm_add_list(TERN_MATCH_DOMAIN, "local", "x.com : lsearch;/d", 0);
    assert_int_equal(tm_domain("a.com", "+local"), TERN_OK);
    assert_string_equal(tm_value(), "data-a");
    assert_int_equal(tm.calls.lookup, 1);
    assert_int_equal(tern_match_cache_count(tm.cache), 1);
    assert_int_equal(tm_domain("a.com", "+local"), TERN_OK);
    assert_string_equal(tm_value(), "data-a");
    assert_int_equal(tm_domain("a.com", "! +local"), TERN_FAIL);
    assert_int_equal(tm_domain("a.com", "z.com : +local"), TERN_OK);
    assert_int_equal(tm.calls.lookup, 1);
    /* Failures are cached too; other subjects are looked up. */
    assert_int_equal(tm_domain("b.com", "+local"), TERN_FAIL);
    assert_int_equal(tm_domain("b.com", "+local"), TERN_FAIL);
    assert_int_equal(tm.calls.lookup, 2);
    assert_int_equal(tern_match_cache_count(tm.cache), 2);
    tern_match_cache_clear(tm.cache);
    assert_int_equal(tern_match_cache_count(tm.cache), 0);
    assert_int_equal(tm_domain("a.com", "+local"), TERN_OK);
    assert_int_equal(tm.calls.lookup, 3);
}

static void test_no_cache_object(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/d", "a.com", "data-a");
    tm_add_list(TERN_MATCH_DOMAIN, "local", "lsearch;/d", 0);
    assert_int_equal(tm_domain("a.com", "+local"), TERN_OK);
    assert_int_equal(tm_domain("a.com", "+local"), TERN_OK);
    assert_int_equal(tm.calls.lookup, 2);
}

static void test_dollar_not_cached(void **state)
{
    (void)state;
    tm_use_cache();
    tm.dollar_value = "v1.example";
    tm_add_list(TERN_MATCH_DOMAIN, "dyn", "$v", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "forced", "$v", TERN_MATCH_LIST_CACHE);
    tm_add_list(TERN_MATCH_DOMAIN, "never", "v1.example",
                TERN_MATCH_LIST_NO_CACHE);
    assert_int_equal(tm_domain("v1.example", "+dyn"), TERN_OK);
    tm.dollar_value = "v2.example";
    assert_int_equal(tm_domain("v1.example", "+dyn"), TERN_FAIL);
    assert_int_equal(tm.calls.expand, 2);
    assert_int_equal(tern_match_cache_count(tm.cache), 0);

    /* `_cache`: the first answer stands for the message. */
    tm.dollar_value = "v1.example";
    assert_int_equal(tm_domain("v1.example", "+forced"), TERN_OK);
    tm.dollar_value = "v2.example";
    assert_int_equal(tm_domain("v1.example", "+forced"), TERN_OK);
    assert_int_equal(tm.calls.expand, 3);

    assert_int_equal(tm_domain("v1.example", "+never"), TERN_OK);
    assert_int_equal(tm_domain("v1.example", "+never"), TERN_OK);
    assert_int_equal(tern_match_cache_count(tm.cache), 1);
}

static void test_nested(void **state)
{
    (void)state;
    tm_use_cache();
    tm.dollar_value = "dyn.example";
    tm_add_list(TERN_MATCH_DOMAIN, "dyn", "$v", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "pinned", "$v", TERN_MATCH_LIST_CACHE);
    tm_add_list(TERN_MATCH_DOMAIN, "plain", "a.example", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "outer", "+plain : +dyn", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "outer2", "+plain : +pinned", 0);
    /* a.example is decided by +plain before +dyn is consulted. */
    assert_int_equal(tm_domain("a.example", "+outer"), TERN_OK);
    assert_int_equal(tern_match_cache_count(tm.cache), 2);   /* plain, outer */
    /* dyn.example reaches +dyn: outer may change, so is not stored. */
    assert_int_equal(tm_domain("dyn.example", "+outer"), TERN_OK);
    assert_int_equal(tern_match_cache_count(tm.cache), 3);   /* + plain */
    tm.dollar_value = "other.example";
    assert_int_equal(tm_domain("dyn.example", "+outer"), TERN_FAIL);
    /* A `_cache` sublist does not stop its parent being cached:
     * plain, pinned and outer2 are stored. */
    size_t before = tern_match_cache_count(tm.cache);
    assert_int_equal(tm_domain("other.example", "+outer2"), TERN_OK);
    assert_int_equal(tern_match_cache_count(tm.cache), before + 3);
    tm.dollar_value = "changed.example";
    assert_int_equal(tm_domain("other.example", "+outer2"), TERN_OK);
}

static void test_defer_not_cached(void **state)
{
    (void)state;
    tm_use_cache();
    tm_add_list(TERN_MATCH_DOMAIN, "slow", "lsearch;/tmp/defer", 0);
    assert_int_equal(tm_domain("a.com", "+slow"), TERN_DEFER);
    assert_int_equal(tm_domain("a.com", "+slow"), TERN_DEFER);
    assert_int_equal(tm.calls.lookup, 2);
    assert_int_equal(tern_match_cache_count(tm.cache), 0);
    assert_string_equal(tm.res.err_item, "lsearch;/tmp/defer");
}

static void test_cache_keys(void **state)
{
    (void)state;
    tm_use_cache();
    tm_add_list(TERN_MATCH_LOCALPART, "lp", "abc", 0);
    tm_add_list(TERN_MATCH_HOST, "hl", "1.2.3.4 : some.name", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "abc", "abc", 0);
    tm_add_name("some.name", "5.6.7.8");
    assert_int_equal(tm_local("ABC", "+lp"), TERN_OK);
    assert_int_equal(tm_local("ABC", "+caseful : +lp"), TERN_FAIL);
    assert_int_equal(tm_local("ABC", "+lp"), TERN_OK);
    /* Same name, other kind of list. */
    assert_int_equal(tm_domain("abc", "+abc"), TERN_OK);
    assert_int_equal(tm_host("5.6.7.8", "+hl"), TERN_OK);
    assert_int_equal(tm_ip("5.6.7.8", "+hl"), TERN_FAIL);
    assert_int_equal(tm_host("5.6.7.8", "+hl"), TERN_OK);
    assert_int_equal(tm.calls.host_addresses, 1);
    /* Compiled regexes are shared but caseless and caseful differ. */
    tm_add_list(TERN_MATCH_LOCALPART, "rx", "^ab", 0);
    assert_int_equal(tm_local("ABx", "^ab"), TERN_OK);
    assert_int_equal(tm_local("ABx", "+caseful : ^ab"), TERN_FAIL);
    assert_int_equal(tm_local("aby", "^ab"), TERN_OK);
}

static void test_named_errors(void **state)
{
    (void)state;
    tm_add_list(TERN_MATCH_DOMAIN, "loop", "a : +loop", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "ff", "FORCEFAIL", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "bad", "EXPERR$v", 0);
    assert_int_equal(tm_domain("a", "+loop"), TERN_OK);
    assert_int_equal(tm_domain("b", "+loop"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "nested too deeply"));
    assert_int_equal(tm_domain("x", "+nope"), TERN_ERROR);
    assert_string_equal(tm.res.err, "unknown named domain list \"+nope\"");
    assert_string_equal(tm.res.err_item, "+nope");
    assert_int_equal(tm_domain("x", "+ff"), TERN_FAIL);
    assert_int_equal(tm_domain("x", "! +ff"), TERN_OK);
    assert_int_equal(tm_domain("x", "+bad"), TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "failed to expand"));
    tm.env.named_list = NULL;
    assert_int_equal(tm_domain("a", "+loop"), TERN_ERROR);
}

static void test_named_values(void **state)
{
    (void)state;
    tm_use_cache();
    tm_add_list(TERN_MATCH_DOMAIN, "neg", "!a.com", 0);
    tm_add_list(TERN_MATCH_DOMAIN, "foo", "a.com", 0);
    assert_int_equal(tm_domain("a.com", "+neg"), TERN_FAIL);
    assert_int_equal(tm_domain("zz", "+neg"), TERN_OK);
    assert_null(tm.res.value);
    /* Exim keeps the value of the negative match inside +neg. */
    assert_int_equal(tm_domain("a.com", "! +neg"), TERN_OK);
    assert_string_equal(tm_value(), "a.com");
    assert_null(tm.res.item);
    assert_int_equal(tm_domain("b.com", "! +foo"), TERN_OK);
    assert_null(tm.res.value);
    assert_int_equal(tm_domain("a.com", "+foo"), TERN_OK);
    assert_string_equal(tm_value(), "a.com");
}

/* The conditions, through the expansion evaluator. */
static const char *expand(const char *s)
{
    static struct tern_match_ctx ctx;
    struct tern_exp_env env;
    struct tern_exp_result r;
    memset(&env, 0, sizeof env);
    ctx.env = &tm.env;
    ctx.cache = tm.cache;
    env.arg = &ctx;
    env.list_match = tern_match_list_env_adapter;
    tern_exp_expand(s, strlen(s), &env, tm.arena, &r);
    if (r.status == TERN_EXP_OK)
        return r.str;
    return r.status == TERN_EXP_DEFER ? "DEFER" : "ERROR";
}

static void test_conditions(void **state)
{
    (void)state;
    tm_add_list(TERN_MATCH_DOMAIN, "local", "a.example : *.b.example", 0);
    tm_add_list(TERN_MATCH_HOST, "nets", "10.0.0.0/8", 0);
    tm_add_lookup("lsearch", "/d", "x.example", "xdata");
    assert_string_equal(expand("${if match_domain{a.example}{+local}"
                               "{yes $value}{no}}"), "yes a.example");
    assert_string_equal(expand("${if match_domain{c.b.example}{+local}"
                               "{yes $value}{no}}"), "yes *.b.example");
    assert_string_equal(expand("${if match_domain{x.example}{lsearch;/d}"
                               "{yes $value}{no}}"), "yes xdata");
    assert_string_equal(expand("${if match_domain{q.example}{+local}"
                               "{yes}{no}}"), "no");
    assert_string_equal(expand("${if match_ip{10.1.1.1}{+nets}"
                               "{yes [$value]}{no}}"), "yes []");
    assert_string_equal(expand("${if match_ip{junk}{+nets}{yes}{no}}"),
                        "ERROR");
    assert_string_equal(expand("${if match_local_part{Abc}{abc}"
                               "{yes}{no}}"), "yes");
    assert_string_equal(expand("${if match_address{a@B.example}"
                               "{*@b.example}{yes $value}{no}}"),
                        "yes *@b.example");
    assert_string_equal(expand("${if match_domain{a}{+nope}{yes}{no}}"),
                        "ERROR");
    assert_string_equal(expand("${if match_domain{a}{lsearch;/tmp/defer}"
                               "{yes}{no}}"), "DEFER");
}

static void test_exp_direct(void **state)
{
    (void)state;
    const char *value = "x", *err = "x";
    assert_int_equal(tern_match_exp(&tm.env, NULL, TERN_EXP_MATCH_DOMAIN,
                                    "a", "b", tm.arena, &value, &err),
                     TERN_FAIL);
    assert_null(value);
    assert_null(err);
    assert_int_equal(tern_match_exp(&tm.env, NULL, TERN_EXP_MATCH_IP,
                                    "1.2.3.4", "1.2.3.4", tm.arena, &value,
                                    &err), TERN_OK);
    assert_string_equal(value, "");
    assert_int_equal(tern_match_exp(&tm.env, NULL, 99, "a", "a", tm.arena,
                                    &value, &err), TERN_ERROR);
    assert_non_null(err);
    assert_int_equal(tern_match_exp(&tm.env, NULL, TERN_EXP_MATCH_DOMAIN,
                                    "a", "xxx;y", tm.arena, &value, &err),
                     TERN_ERROR);
    assert_non_null(strstr(err, "unknown lookup type"));
    /* Lists of the conditions are not expanded. */
    tm.dollar_value = "a";
    assert_int_equal(tern_match_exp(&tm.env, NULL, TERN_EXP_MATCH_DOMAIN,
                                    "a", "$v", tm.arena, &value, &err),
                     TERN_FAIL);
    assert_int_equal(tm.calls.expand, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_constant_cached, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_no_cache_object, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_dollar_not_cached, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_nested, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_defer_not_cached, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_cache_keys, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_named_errors, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_named_values, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_conditions, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_exp_direct, tm_setup,
                                        tm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
