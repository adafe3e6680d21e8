/*
 * NAME
 *   test_match_domain.c - domain lists and local part lists
 *
 * DESCRIPTION
 *   Literal, `*suffix`, regex, `@`, `@[]`, `@mx_*` and lookup items,
 *   negation and the "last item negative" rule, `<;` separators, files
 *   of items, partial matching and defaults (through the fake lookup of
 *   test_match_env.c, which records the keys asked for), deferrals and
 *   errors; local part case rules and `+caseful`.
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
#include <unistd.h>
#include <tern/module.h>

#include "test_match_env.h"

/* A temporary file holding `text`; the caller unlinks it. */
static char *temp_file(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/tern-match-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_literal(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("a.example", "a.example"), TERN_OK);
    assert_string_equal(tm_value(), "a.example");
    assert_string_equal(tm.res.item, "a.example");
    assert_int_equal(tm_domain("A.Example", "a.example"), TERN_OK);
    assert_int_equal(tm_domain("a.example", "A.EXAMPLE"), TERN_OK);
    assert_string_equal(tm_value(), "A.EXAMPLE");
    assert_int_equal(tm_domain("b.example", "a.example"), TERN_FAIL);
    assert_null(tm.res.item);
    assert_int_equal(tm_domain("a.example.", "a.example"), TERN_FAIL);
    assert_int_equal(tm_domain("b", "a : b : c"), TERN_OK);
    assert_string_equal(tm.res.item, "b");
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("x", ""), TERN_FAIL);
    assert_int_equal(tm_domain("x", NULL), TERN_FAIL);
    assert_int_equal(tm_domain("", ":"), TERN_OK);
    assert_string_equal(tm_value(), "");
    assert_int_equal(tm_domain("x", ":"), TERN_FAIL);
    assert_int_equal(tm_domain("", "*"), TERN_OK);
    assert_int_equal(tm_domain("", "!"), TERN_FAIL);
    assert_int_equal(tm_domain("x", "!"), TERN_OK);
}

static void test_negation(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("foo.com", "!foo.com"), TERN_FAIL);
    assert_string_equal(tm.res.item, "foo.com");
    assert_int_equal(tm_domain("bar.com", "!foo.com"), TERN_OK);
    assert_null(tm.res.value);
    assert_null(tm.res.item);
    assert_int_equal(tm_domain("foo.com", "!   foo.com"), TERN_FAIL);
    /* One `!` only: the second is part of the pattern. */
    assert_int_equal(tm_domain("foo.com", "! ! foo.com"), TERN_OK);
    assert_int_equal(tm_domain("!foo.com", "!!foo.com"), TERN_FAIL);
    assert_int_equal(tm_domain("x.b.c", "!a.b.c : *.b.c"), TERN_OK);
    assert_int_equal(tm_domain("a.b.c", "!a.b.c : *.b.c"), TERN_FAIL);
    assert_int_equal(tm_domain("x.y", "!a.b.c : *.b.c"), TERN_FAIL);
    assert_int_equal(tm_domain("x.y", "*.b.c : !a.b.c"), TERN_OK);
}

static void test_star(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("donkey.ex", "*key.ex"), TERN_OK);
    assert_string_equal(tm_value(), "*key.ex");
    assert_int_equal(tm.res.n_subs, 2);
    assert_string_equal(tm.res.subs[0], "donkey.ex");
    assert_string_equal(tm.res.subs[1], "don");
    assert_int_equal(tm_domain("b.com", "*.b.com"), TERN_FAIL);
    assert_int_equal(tm_domain("x.B.COM", "*.b.com"), TERN_OK);
    assert_int_equal(tm_domain("anything", "*"), TERN_OK);
    assert_string_equal(tm_value(), "*");
    assert_int_equal(tm_domain("om", "*.com"), TERN_FAIL);
}

static void test_separators(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("foo.com", "<; a.com; foo.com"), TERN_OK);
    assert_int_equal(tm_domain("foo.com", "a.com::foo.com"), TERN_FAIL);
    assert_int_equal(tm_domain("a.com:foo.com", "a.com::foo.com"), TERN_OK);
    assert_int_equal(tm_domain("b", "<, a , b"), TERN_OK);
    assert_int_equal(tm_domain("a:b", "<, a:b , c"), TERN_OK);
}

static void test_regex(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("X.Com", "^x\\.com$"), TERN_OK);
    assert_string_equal(tm_value(), "^x\\.com$");
    assert_int_equal(tm_domain("X.Com", "^(?-i)x\\.com$"), TERN_FAIL);
    assert_int_equal(tm_domain("c12.com", "^c(\\d+)\\.com$"), TERN_OK);
    assert_int_equal(tm.res.n_subs, 2);
    assert_string_equal(tm.res.subs[1], "12");
    assert_int_equal(tm_domain("x.com.evil", "^x\\.com"), TERN_OK);
    assert_int_equal(tm_domain("x.com", "^x("), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "missing closing parenthesis"));
    assert_string_equal(tm.res.err_item, "^x(");
}

static void test_at_items(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("mail.example", "@"), TERN_OK);
    assert_string_equal(tm_value(), "mail.example");
    assert_int_equal(tm_domain("MAIL.example", "@"), TERN_OK);
    assert_int_equal(tm_domain("other.example", "@"), TERN_FAIL);
    assert_int_equal(tm_domain("[127.0.0.1]", "@[]"), TERN_OK);
    assert_string_equal(tm_value(), "@[]");
    assert_int_equal(tm_domain("[192.0.2.25]", "@[]"), TERN_OK);
    assert_int_equal(tm_domain("[IPv6:2001:db8::25]", "@[]"), TERN_OK);
    assert_int_equal(tm_domain("[192.0.2.26]", "@[]"), TERN_FAIL);
    assert_int_equal(tm_domain("127.0.0.1", "@[]"), TERN_FAIL);
    assert_int_equal(tm_domain("[junk]", "@[]"), TERN_FAIL);
    tm.env.primary_hostname = NULL;
    assert_int_equal(tm_domain("mail.example", "@"), TERN_FAIL);
}

static void test_mx(void **state)
{
    (void)state;
    tm_set_mx("mx.example", TERN_MATCH_MX_ANY, TERN_OK);
    tm_set_mx("mx.example", TERN_MATCH_MX_PRIMARY, TERN_FAIL);
    tm_set_mx("slow.example", TERN_MATCH_MX_ANY, TERN_DEFER);
    assert_int_equal(tm_domain("mx.example", "@mx_any"), TERN_OK);
    assert_string_equal(tm_value(), "@mx_any");
    assert_int_equal(tm_domain("mx.example", "@mx_primary"), TERN_FAIL);
    assert_int_equal(tm_domain("mx.example", "@mx_any/ignore=192.0.2.25"),
                     TERN_FAIL);
    assert_int_equal(tm_domain("mx.example", "@mx_any/bogus=1"),
                     TERN_ERROR);
    assert_int_equal(tm_domain("slow.example", "@mx_any : slow.example"),
                     TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "fake MX timeout"));
    assert_string_equal(tm.res.err_item, "@mx_any");
    assert_int_equal(tm.calls.mx, 4);     /* not for the bad option */
    /* No MX hook: defer, as the brief says DNS is unavailable. */
    tm.env.mx_local = NULL;
    assert_int_equal(tm_domain("mx.example", "@mx_secondary"), TERN_DEFER);
    /* Not an @mx item at all: compared literally. */
    assert_int_equal(tm_domain("@mx_anything", "@mx_anything"), TERN_OK);
}

static void test_lookup(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/d", "a.com", "data-a");
    tm_add_lookup("lsearch", "/d", "b.com", "");
    tm_add_lookup("lsearch", "/d", "*", "default");
    assert_int_equal(tm_domain("a.com", "lsearch;/d"), TERN_OK);
    assert_string_equal(tm_value(), "data-a");
    assert_string_equal(tm.res.item, "lsearch;/d");
    assert_int_equal(tm_domain("b.com", "lsearch;/d"), TERN_OK);
    assert_string_equal(tm_value(), "");
    assert_int_equal(tm_domain("q.com", "lsearch;/d"), TERN_FAIL);
    assert_string_equal(tm.keys, "q.com");
    assert_int_equal(tm_domain("q.com", "lsearch*;/d"), TERN_OK);
    assert_string_equal(tm_value(), "default");
    assert_string_equal(tm.keys, "q.com|*");
    assert_int_equal(tm_domain("a.com", "lsearch,ret=key;/d"), TERN_OK);
    assert_string_equal(tm_value(), "a.com");
    assert_int_equal(tm_domain("a.com", "lsearch; /d"), TERN_OK);
    assert_int_equal(tm_domain("a.com", "!lsearch;/d"), TERN_FAIL);
    assert_int_equal(tm_domain("", "lsearch*;/d"), TERN_FAIL);
    assert_int_equal(tm.calls.lookup, 8);
}

static void test_partial(void **state)
{
    (void)state;
    tm_add_lookup("dbm", "/p", "*.dates.fict.example", "wild");
    tm_add_lookup("dbm", "/p", "*", "star");
    assert_int_equal(tm_domain("2250.dates.fict.example", "partial-dbm;/p"),
                     TERN_OK);
    assert_string_equal(tm_value(), "wild");
    assert_string_equal(tm.keys, "2250.dates.fict.example|"
                        "*.2250.dates.fict.example|*.dates.fict.example");
    assert_int_equal(tm_domain("dates.fict.example", "partial-dbm;/p"),
                     TERN_OK);
    assert_int_equal(tm_domain("a.b.c", "partial-dbm;/p"), TERN_FAIL);
    assert_string_equal(tm.keys, "a.b.c|*.a.b.c|*.b.c");
    assert_int_equal(tm_domain("a.b.c", "partial3-dbm;/p"), TERN_FAIL);
    assert_string_equal(tm.keys, "a.b.c|*.a.b.c");
    assert_int_equal(tm_domain("a.b.c", "partial0-dbm;/p"), TERN_OK);
    assert_string_equal(tm.keys, "a.b.c|*.a.b.c|*.b.c|*.c|*");
    assert_int_equal(tm_domain("a.b.c", "partial1(.)dbm;/p"), TERN_FAIL);
    assert_string_equal(tm.keys, "a.b.c|.a.b.c|.b.c|.c");
    assert_int_equal(tm_domain("a.b.c", "partial0()dbm;/p"), TERN_FAIL);
    assert_string_equal(tm.keys, "a.b.c|a.b.c|b.c|c");
    assert_int_equal(tm_domain("a.b.c", "partial0(.)dbm*;/p"), TERN_OK);
    assert_string_equal(tm.keys, "a.b.c|.a.b.c|.b.c|.c|.|*");
    assert_int_equal(tm_domain("a.b.c", "partial2(+-)dbm;/p"), TERN_FAIL);
    assert_string_equal(tm.keys, "a.b.c|+-a.b.c|+-b.c");
    /* The default prefix already looked "*" up with partial0. */
    assert_int_equal(tm_domain("q.r", "partial0-dbm*;/p"), TERN_OK);
    assert_string_equal(tm.keys, "q.r|*.q.r|*.r|*");
}

static void test_lookup_errors(void **state)
{
    (void)state;
    assert_int_equal(tm_domain("a.com", "xxx;foo"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "unknown lookup type \"xxx\""));
    assert_int_equal(tm_domain("a.com", "partial-;foo"), TERN_ERROR);
    assert_int_equal(tm_domain("a.com", "partial(ab)dbm;foo"), TERN_ERROR);
    assert_int_equal(tm_domain("a.com", "partial-mysql;select 1"),
                     TERN_ERROR);
    assert_int_equal(tm_domain("a.com", "mysql*;select 1"), TERN_ERROR);
    assert_int_equal(tm_domain("a.com", "lsearch;/tmp/defer"), TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "fake deferral"));
    assert_string_equal(tm.res.err_item, "lsearch;/tmp/defer");
    assert_int_equal(tm_domain("a.com", "a.com : lsearch;/tmp/defer"),
                     TERN_OK);
    assert_int_equal(tm_domain("a.com", "lsearch;/tmp/error"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "fake error"));
    tm.env.lookup = NULL;
    assert_int_equal(tm_domain("a.com", "lsearch;/d"), TERN_ERROR);
}

static void test_query_lookup(void **state)
{
    (void)state;
    tm_add_lookup("mysql", NULL, "select 1 from d where d='a.com'", "1");
    assert_int_equal(tm_domain("a.com",
                               "mysql;select 1 from d where d='a.com'"),
                     TERN_OK);
    assert_string_equal(tm_value(), "1");
    assert_int_equal(tm_domain("a.com", "pgsql;select nothing"), TERN_FAIL);
    /* Without a style hook, Exim's query-style names are known. */
    tm.env.lookup_style = NULL;
    assert_int_equal(tm_domain("a.com",
                               "mysql;select 1 from d where d='a.com'"),
                     TERN_OK);
    tm_add_lookup("whatever", "/f", "a.com", "w");
    assert_int_equal(tm_domain("a.com", "whatever;/f"), TERN_OK);
}

static void test_files(void **state)
{
    (void)state;
    char *p = temp_file("# domains\nfile1.com\n  !bad.file.com # no\n"
                        "*.file.com\n\nhash#inside.com\n");
    char path[64], list[96];
    strcpy(path, p);
    assert_int_equal(tm_domain("file1.com", path), TERN_OK);
    assert_string_equal(tm_value(), "file1.com");
    assert_string_equal(tm.res.item, path);
    assert_int_equal(tm_domain("bad.file.com", path), TERN_FAIL);
    assert_int_equal(tm_domain("x.file.com", path), TERN_OK);
    assert_int_equal(tm_domain("hash", path), TERN_OK);   /* # anywhere */
    snprintf(list, sizeof list, "!%s", path);
    assert_int_equal(tm_domain("x.file.com", list), TERN_FAIL);
    assert_int_equal(tm_domain("bad.file.com", list), TERN_OK);
    assert_string_equal(tm_value(), "bad.file.com");
    assert_int_equal(tm_domain("zz.com", list), TERN_OK);
    snprintf(list, sizeof list, "%s : last.com", path);
    assert_int_equal(tm_domain("last.com", list), TERN_OK);
    unlink(path);
    assert_int_equal(tm_domain("file1.com", path), TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "failed to open"));

    p = temp_file("a.com\n!bad.com\n");
    strcpy(path, p);
    assert_int_equal(tm_domain("zz.com", path), TERN_OK);   /* last neg */
    assert_int_equal(tm_domain("bad.com", path), TERN_FAIL);
    unlink(path);
}

static void test_expand_flag(void **state)
{
    (void)state;
    tm.dollar_value = "v.example";
    assert_int_equal(tern_match_domain(&tm.env, NULL, "v.example",
                                       "a : $v", TERN_MATCH_EXPAND,
                                       tm.arena, &tm.res), TERN_OK);
    assert_int_equal(tm.calls.expand, 1);
    /* Without the flag the list is used as written. */
    assert_int_equal(tm_domain("v.example", "a : $v"), TERN_FAIL);
    assert_int_equal(tern_match_domain(&tm.env, NULL, "v.example",
                                       "FORCEFAIL", TERN_MATCH_EXPAND,
                                       tm.arena, &tm.res), TERN_FAIL);
    assert_int_equal(tern_match_domain(&tm.env, NULL, "v.example",
                                       "EXPERR$v", TERN_MATCH_EXPAND,
                                       tm.arena, &tm.res), TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "fake expansion error"));
}

static void test_localpart(void **state)
{
    (void)state;
    assert_int_equal(tm_local("AbC", "abc"), TERN_OK);
    assert_string_equal(tm_value(), "abc");
    assert_int_equal(tm_local("abc", "ABC"), TERN_OK);
    assert_int_equal(tm_local("AbC", "+caseful : abc"), TERN_FAIL);
    assert_int_equal(tm_local("AbC", "+caseful : AbC"), TERN_OK);
    assert_int_equal(tm_local("ABC", "*c"), TERN_OK);
    assert_int_equal(tm_local("ABC", "+caseful : *c"), TERN_FAIL);
    assert_int_equal(tm_local("ABC", "^abc"), TERN_OK);
    assert_int_equal(tm_local("ABC", "+caseful : ^abc"), TERN_FAIL);
    assert_int_equal(tm_local_flags("AbC", "abc", TERN_MATCH_CASEFUL),
                     TERN_FAIL);
    assert_int_equal(tm_local_flags("AbC", "AbC", TERN_MATCH_CASEFUL),
                     TERN_OK);
    /* No @ items in local part lists. */
    assert_int_equal(tm_local("mail.example", "@"), TERN_FAIL);
    assert_int_equal(tm_local("@", "@"), TERN_OK);
    assert_int_equal(tm_local("", ":"), TERN_OK);
    assert_int_equal(tm_local("x", "!"), TERN_OK);
    /* `+caseful` is an option, but `!+caseful` names a list. */
    assert_int_equal(tm_local("a", "!b : +caseful"), TERN_OK);
    assert_int_equal(tm_local("a", "!+caseful"), TERN_ERROR);
}

static void test_localpart_lookup(void **state)
{
    (void)state;
    tm_add_lookup("dbm", "/u", "root", "r");
    assert_int_equal(tm_local("ROOT", "dbm;/u"), TERN_OK);
    assert_string_equal(tm.keys, "root");   /* lowercased key */
    assert_int_equal(tm_local("ROOT", "+caseful : dbm;/u"), TERN_FAIL);
    assert_string_equal(tm.keys, "ROOT");
}

static void test_localpart_file(void **state)
{
    (void)state;
    char path[64];
    strcpy(path, temp_file("al#ice\n#comment\nbob # c\n !carol\n"));
    assert_int_equal(tm_local("al#ice", path), TERN_OK);
    assert_int_equal(tm_local("bob", path), TERN_OK);
    /* Only the last (negative) line lets a comment's text in. */
    assert_int_equal(tm_local("#comment", path), TERN_OK);
    assert_null(tm.res.value);
    assert_int_equal(tm_local("carol", path), TERN_FAIL);
    assert_int_equal(tm_local("dave", path), TERN_OK);     /* last neg */
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_empty, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_negation, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_star, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_separators, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_regex, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_at_items, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_mx, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_lookup, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_partial, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_lookup_errors, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_query_lookup, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_files, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_expand_flag, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_localpart, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_localpart_lookup, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_localpart_file, tm_setup,
                                        tm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
