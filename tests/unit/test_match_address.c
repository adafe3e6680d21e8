/*
 * NAME
 *   test_match_address.c - address lists
 *
 * DESCRIPTION
 *   `local@domain` and domain-only patterns, the empty (bounce) address,
 *   addresses without `@`, regexes on the whole address, case rules and
 *   `+caseful`, whole-address lookups with `*@` defaults, `@@` lookups
 *   with negation and `>` continuations, domain parts that are lookups
 *   or named domain lists, and the values Exim 4.96 gives each.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <tern/module.h>

#include "test_match_env.h"

static void test_plain(void **state)
{
    (void)state;
    assert_int_equal(tm_address("a@b.com", "a@b.com"), TERN_OK);
    assert_string_equal(tm_value(), "a@b.com");
    assert_int_equal(tm_address("AbC@X.com", "abc@x.com"), TERN_OK);
    assert_int_equal(tm_address("a@b.com", "A@B.COM"), TERN_OK);
    assert_string_equal(tm_value(), "A@B.COM");
    assert_int_equal(tm_address("a@b.com", "c@b.com"), TERN_FAIL);
    assert_int_equal(tm_address("a@b.com", "a@c.com"), TERN_FAIL);
    assert_int_equal(tm_address("a@b.com", "!a@b.com"), TERN_FAIL);
    assert_int_equal(tm_address("c@b.com", "!a@b.com"), TERN_OK);
}

static void test_wild(void **state)
{
    (void)state;
    assert_int_equal(tm_address("a@b.com", "*@b.com"), TERN_OK);
    assert_string_equal(tm_value(), "*@b.com");
    assert_int_equal(tm_address("ab@b.com", "*b@b.com"), TERN_OK);
    assert_string_equal(tm_value(), "*b@b.com");
    assert_int_equal(tm_address("a@b.com", "*b@b.com"), TERN_FAIL);
    /* Only a leading star is special in the local part. */
    assert_int_equal(tm_address("a@b.com", "a*@*.com"), TERN_FAIL);
    assert_int_equal(tm_address("a*@b.com", "a*@*.com"), TERN_OK);
    assert_string_equal(tm_value(), "a*@*.com");
    assert_int_equal(tm_address("a@x.b.com", "*@*.b.com"), TERN_OK);
    assert_int_equal(tm_address("a@b.com", "*@^b\\.c"), TERN_OK);
    assert_string_equal(tm_value(), "*@^b\\.c");
}

static void test_domain_only(void **state)
{
    (void)state;
    assert_int_equal(tm_address("a@b.com", "b.com"), TERN_OK);
    assert_string_equal(tm_value(), "@b.com");
    assert_int_equal(tm_address("a@b.com", "B.COM"), TERN_OK);
    assert_string_equal(tm_value(), "@B.COM");
    assert_int_equal(tm_address("a@b.com", "*.com"), TERN_OK);
    assert_string_equal(tm_value(), "@*.com");
    assert_int_equal(tm_address("a@b.com", "*"), TERN_OK);
    assert_string_equal(tm_value(), "@*");
    assert_int_equal(tm_address("a@b.com", "c.com"), TERN_FAIL);
}

static void test_empty_and_odd(void **state)
{
    (void)state;
    assert_int_equal(tm_address("", ":"), TERN_OK);
    assert_int_equal(tm_address("", "*"), TERN_FAIL);
    assert_int_equal(tm_address("", "*@*"), TERN_FAIL);
    assert_int_equal(tm_address("", "^$"), TERN_OK);
    assert_int_equal(tm_address("a@b.com", ":"), TERN_FAIL);
    assert_int_equal(tm_address(NULL, ":"), TERN_OK);
    /* No @: no item matches, regexes included. */
    assert_int_equal(tm_address("noat", "noat"), TERN_FAIL);
    assert_int_equal(tm_address("noat", "*"), TERN_FAIL);
    assert_int_equal(tm_address("noat", "^noat"), TERN_FAIL);
    assert_int_equal(tm_address("@b.com", "@b.com"), TERN_OK);
    assert_int_equal(tm_address("a@b.com", "@b.com"), TERN_FAIL);
    assert_int_equal(tm_address("a@", "a@"), TERN_FAIL);
    /* The last @ splits subject and pattern. */
    assert_int_equal(tm_address("a@b@c.com", "a@b@*"), TERN_OK);
    assert_int_equal(tm_address("a@b@c.com", "a@b@c.com"), TERN_OK);
}

static void test_regex(void **state)
{
    (void)state;
    assert_int_equal(tm_address("a@b.com", "^a@"), TERN_OK);
    assert_null(tm.res.value);
    assert_int_equal(tm_address("A@b.com", "^a@"), TERN_OK);
    assert_int_equal(tm_address("A@B.COM", "+caseful : ^A@b"), TERN_OK);
    assert_int_equal(tm_address("A@b.com", "+caseful : ^a@"), TERN_FAIL);
    assert_int_equal(tm_address("a@b.com", "^(x"), TERN_ERROR);
}

static void test_caseful(void **state)
{
    (void)state;
    assert_int_equal(tm_address("AbC@X.com", "+caseful : abc@x.com"),
                     TERN_FAIL);
    assert_int_equal(tm_address("AbC@X.com", "+caseful : AbC@x.com"),
                     TERN_OK);
    /* After +caseful the domain part is compared as written too. */
    assert_int_equal(tm_address("A@B.COM", "+caseful : A@B.COM"), TERN_FAIL);
    assert_int_equal(tm_address("A@B.COM", "+caseful : *@B.COM"), TERN_FAIL);
    assert_int_equal(tm_address("A@B.COM", "+caseful : *@b.com"), TERN_OK);
    assert_int_equal(tm_address("A@B.COM", "+caseful : *A@b.com"), TERN_OK);
    assert_int_equal(tm_address("A@B.COM", "+caseful : *a@b.com"),
                     TERN_FAIL);
    assert_int_equal(tern_match_address(&tm.env, NULL, "AbC@x.com",
                                        "abc@x.com", TERN_MATCH_CASEFUL,
                                        tm.arena, &tm.res), TERN_FAIL);
}

static void test_lookups(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/a", "u@x.com", "ux");
    tm_add_lookup("lsearch", "/a", "*@y.com", "stary");
    tm_add_lookup("lsearch", "/d", "a.com", "data-a");
    tm_add_lookup("lsearch", "/d", "*.p.com", "star-p");
    tm_add_lookup("mysql", NULL, "select ''", "empty-ok");
    assert_int_equal(tm_address("u@x.com", "lsearch;/a"), TERN_OK);
    assert_string_equal(tm_value(), "ux");
    assert_int_equal(tm_address("U@X.COM", "lsearch;/a"), TERN_OK);
    assert_string_equal(tm.keys, "u@x.com");
    assert_int_equal(tm_address("v@y.com", "lsearch*@;/a"), TERN_OK);
    assert_string_equal(tm.keys, "v@y.com|*@y.com");
    assert_string_equal(tm_value(), "stary");
    assert_int_equal(tm_address("v@z.com", "lsearch*@;/a"), TERN_FAIL);
    assert_string_equal(tm.keys, "v@z.com|*@z.com|*");
    assert_int_equal(tm_address("", "lsearch*@;/a"), TERN_FAIL);
    assert_string_equal(tm.keys, "");
    assert_int_equal(tm_address("", "mysql;select ''"), TERN_OK);
    /* partial- is ignored for whole addresses. */
    assert_int_equal(tm_address("q@zz.p.com", "partial-lsearch;/d"),
                     TERN_FAIL);
    assert_string_equal(tm.keys, "q@zz.p.com");
    /* ... but works on the domain part. */
    assert_int_equal(tm_address("q@zz.p.com", "*@partial-lsearch;/d"),
                     TERN_OK);
    assert_string_equal(tm_value(), "*@star-p");
    assert_int_equal(tm_address("q@a.com", "q@lsearch;/d"), TERN_OK);
    assert_string_equal(tm_value(), "q@data-a");
    assert_int_equal(tm_address("r@a.com", "q@lsearch;/d"), TERN_FAIL);
    assert_int_equal(tm_address("a@b.com", "lsearch;/tmp/defer"),
                     TERN_DEFER);
}

static void test_at_at(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/at", "x.com", "!bad : *");
    tm_add_lookup("lsearch", "/at", "y.com", "foo : ^ba+r$ : >more");
    tm_add_lookup("lsearch", "/at", "more", "chained");
    tm_add_lookup("lsearch", "/at", "z.com", "!bad");
    tm_add_lookup("lsearch", "/at", "loop.com", ">loop.com");
    tm_add_lookup("lsearch", "/at", "loop2.com", "a : >loop2.com");
    tm_add_lookup("lsearch", "/at", "*.p.com", "pp");
    tm_add_lookup("lsearch", "/at", "mid.com", ">x : y");
    assert_int_equal(tm_address("v@x.com", "@@lsearch;/at"), TERN_OK);
    assert_string_equal(tm_value(), "*");
    assert_int_equal(tm_address("bad@x.com", "@@lsearch;/at"), TERN_FAIL);
    assert_int_equal(tm_address("baar@y.com", "@@lsearch;/at"), TERN_OK);
    assert_string_equal(tm_value(), "^ba+r$");
    assert_int_equal(tm_address("chained@y.com", "@@lsearch;/at"), TERN_OK);
    assert_string_equal(tm_value(), "chained");
    assert_int_equal(tm_address("other@y.com", "@@lsearch;/at"), TERN_FAIL);
    /* Running off the end is "no", negative last item or not. */
    assert_int_equal(tm_address("good@z.com", "@@lsearch;/at"), TERN_FAIL);
    assert_int_equal(tm_address("a@nowhere.com", "@@lsearch;/at"),
                     TERN_FAIL);
    assert_int_equal(tm_address("pp@q.p.com", "@@partial-lsearch;/at"),
                     TERN_OK);
    assert_int_equal(tm_address("pp@q.p.com", "@@lsearch;/at : *"),
                     TERN_OK);
    assert_string_equal(tm_value(), "@*");
    assert_int_equal(tm_address("a@loop.com", "@@lsearch;/at"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "continuations"));
    assert_int_equal(tm_address("b@loop2.com", "@@lsearch;/at"),
                     TERN_ERROR);
    /* `>` not last: just a pattern. */
    assert_int_equal(tm_address(">x@mid.com", "@@lsearch;/at"), TERN_OK);
    assert_int_equal(tm_address("", "@@lsearch;/at"), TERN_FAIL);
    assert_int_equal(tm_address("a@x.com", "@@nonsense"), TERN_ERROR);
}

static void test_named(void **state)
{
    (void)state;
    tm_add_list(TERN_MATCH_DOMAIN, "local", "test.ex : a.example", 0);
    tm_add_list(TERN_MATCH_ADDRESS, "senders",
                "*@spam.example : bob@x.example : +caseful : "
                "Carol@y.example", 0);
    tm_add_list(TERN_MATCH_ADDRESS, "viadom", "*@+local", 0);
    assert_int_equal(tm_address("q@a.example", "*@+local"), TERN_OK);
    assert_string_equal(tm_value(), "*@a.example");
    assert_int_equal(tm_address("q@a.example", "q@+local"), TERN_OK);
    assert_string_equal(tm_value(), "q@a.example");
    assert_int_equal(tm_address("q@b.example", "q@+local"), TERN_FAIL);
    assert_int_equal(tm_address("q@a.example", "+viadom"), TERN_OK);
    assert_int_equal(tm_address("Bob@x.example", "+senders"), TERN_OK);
    assert_int_equal(tm_address("carol@y.example", "+senders"), TERN_FAIL);
    assert_int_equal(tm_address("Carol@y.example", "+senders"), TERN_OK);
    /* +caseful lasts for the rest of the match, out of the named list. */
    assert_int_equal(tm_address("Carol@y.example",
                                "+senders : carol@y.example"), TERN_OK);
    assert_int_equal(tm_address("Dan@y.example", "+senders : dan@y.example"),
                     TERN_FAIL);
    /* `+name` alone is an address list, `*@+name` a domain list. */
    assert_int_equal(tm_address("q@a.example", "+local"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "unknown named address list"));
    assert_int_equal(tm_address("q@a.example", "*@+senders"), TERN_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_wild, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_domain_only, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_odd, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_regex, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_caseful, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_lookups, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_at_at, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_named, tm_setup, tm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
