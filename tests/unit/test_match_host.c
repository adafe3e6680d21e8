/*
 * NAME
 *   test_match_host.c - host lists and match_ip
 *
 * DESCRIPTION
 *   IPv4 and IPv6 addresses and CIDR masks at their edges (/0, /32,
 *   /128, more bits than there are, an empty mask), IPv4-mapped IPv6,
 *   `<;` lists, `@[]`, `@`, names through the fake forward and reverse
 *   DNS, `*suffix` and regex on names, `net-` keys, the
 *   +include/+ignore unknown/defer options, and match_ip's rules.
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

static void test_ipv4(void **state)
{
    (void)state;
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.4"), TERN_OK);
    assert_null(tm.res.value);
    assert_string_equal(tm.res.item, "1.2.3.4");
    assert_int_equal(tm_host("1.2.3.5", "1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_host("10.1.2.3", "10.0.0.0/8"), TERN_OK);
    assert_int_equal(tm_host("11.1.2.3", "10.0.0.0/8"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.4/32"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.5", "1.2.3.4/32"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.5/31"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.6", "1.2.3.5/31"), TERN_FAIL);
    assert_int_equal(tm_host("200.1.1.1", "0.0.0.0/0"), TERN_OK);
    assert_int_equal(tm_host("200.1.1.1", "128.0.0.0/1"), TERN_OK);
    assert_int_equal(tm_host("127.1.1.1", "128.0.0.0/1"), TERN_FAIL);
    assert_int_equal(tm_host("9.9.9.9", "1.2.3.4/"), TERN_OK);   /* /0 */
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.4/33"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.5", "1.2.3.4/33"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.0/24"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.4", "1.2.3.0/25"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.200", "1.2.3.0/25"), TERN_FAIL);
}

static void test_ipv6(void **state)
{
    (void)state;
    assert_int_equal(tm_host("::1", "<; ::1"), TERN_OK);
    /* Doubled colons in a colon-separated list. */
    assert_int_equal(tm_host("2001:db8::1", "2001::db8::::/32"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::1", "<; 2001:db8::/32"), TERN_OK);
    assert_int_equal(tm_host("2001:db9::1", "<; 2001:db8::/32"), TERN_FAIL);
    assert_int_equal(tm_host("2001:db8::1", "<; 2001:db8::1/128"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::2", "<; 2001:db8::1/128"),
                     TERN_FAIL);
    assert_int_equal(tm_host("2001:db8::1", "<; 2001:db8::1/200"), TERN_OK);
    assert_int_equal(tm_host("::1", "<; ::/0"), TERN_OK);
    assert_int_equal(tm_host("2001:DB8::1", "<; 2001:db8:0:0::1"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::8000", "<; 2001:db8::8000/113"),
                     TERN_OK);
    assert_int_equal(tm_host("2001:db8::7fff", "<; 2001:db8::8000/113"),
                     TERN_FAIL);
    assert_int_equal(tm_host("fe80::1%eth0", "<; fe80::1"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.4", "<; fe80::1%eth0 ; 1.2.3.4"),
                     TERN_OK);
}

static void test_families(void **state)
{
    (void)state;
    assert_int_equal(tm_host("::1", "0.0.0.0/0"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "<; ::/0"), TERN_FAIL);
    /* A mapped address is IPv4; IPv6 items never match it. */
    assert_int_equal(tm_host("::ffff:1.2.3.4", "1.2.3.4"), TERN_OK);
    assert_int_equal(tm_host("::ffff:10.1.2.3", "10.1.2.0/24"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.4", "<; ::ffff:1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_host("::ffff:1.2.3.4", "<; ::ffff:1.2.3.4"),
                     TERN_FAIL);
    assert_int_equal(tm_host("::ffff:1.2.3.4", "<; ::ffff:0:0/96"),
                     TERN_FAIL);
}

static void test_special(void **state)
{
    (void)state;
    assert_int_equal(tm_host("1.2.3.4", "*"), TERN_OK);
    assert_int_equal(tm_host("", "*"), TERN_OK);
    assert_int_equal(tm_host(NULL, ":1.2.3.4"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.4", ":1.2.3.4"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.5", ":1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_host("", "1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_host("", "*.example : ^x : some.name"), TERN_FAIL);
    assert_int_equal(tm.calls.host_names + tm.calls.host_addresses, 0);
    assert_int_equal(tm_host("127.0.0.1", "@[]"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::25", "@[]"), TERN_OK);
    assert_int_equal(tm_host("::ffff:192.0.2.25", "@[]"), TERN_OK);
    assert_int_equal(tm_host("10.9.9.9", "@[]"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "!1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.5", "!1.2.3.4"), TERN_OK);
    assert_int_equal(tm_host("1.2.3.5", "! 1.2.3.0/24 : 1.2.0.0/16"),
                     TERN_FAIL);
    assert_int_equal(tm_host("1.2.4.5", "! 1.2.3.0/24 : 1.2.0.0/16"),
                     TERN_OK);
}

static void test_bad_subject(void **state)
{
    (void)state;
    assert_int_equal(tm_ip("junk", "*"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "not an IP address"));
    assert_int_equal(tm_host("1.2.3.4/24", "*"), TERN_ERROR);
    assert_int_equal(tm_ip("", ":"), TERN_OK);
}

static void test_names(void **state)
{
    (void)state;
    tm_add_name("mx.friend.example", "192.0.2.7 2001:db8::7");
    tm_add_name("gone.example", "");
    tm_add_name("slow.example", NULL);
    tm_add_name("mail.example", "192.0.2.25");
    assert_int_equal(tm_host("192.0.2.7", "mx.friend.example"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::7", "mx.friend.example"), TERN_OK);
    assert_int_equal(tm_host("::ffff:192.0.2.7", "mx.friend.example"),
                     TERN_OK);
    assert_int_equal(tm_host("192.0.2.8", "mx.friend.example"), TERN_FAIL);
    assert_int_equal(tm_host("192.0.2.25", "@"), TERN_OK);
    /* A name that does not exist stops the list with "no". */
    assert_int_equal(tm_host("192.0.2.7", "gone.example : 192.0.2.7"),
                     TERN_FAIL);
    assert_int_equal(tm_host("192.0.2.7",
                             "+ignore_unknown : gone.example : 192.0.2.7"),
                     TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "+include_unknown : gone.example"),
                     TERN_OK);
    assert_int_equal(tm_host("192.0.2.7",
                             "+include_unknown : !gone.example"), TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "slow.example : 192.0.2.7"),
                     TERN_DEFER);
    assert_non_null(strstr(tm.res.err, "fake DNS timeout"));
    assert_int_equal(tm_host("192.0.2.7",
                             "+ignore_defer : slow.example : 192.0.2.7"),
                     TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "+include_defer : slow.example"),
                     TERN_OK);
    /* The latest option of a kind is the one in force. */
    assert_int_equal(tm_host("192.0.2.7", "+ignore_unknown : "
                             "+include_unknown : gone.example"), TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "+include_unknown : "
                             "+ignore_unknown : gone.example"), TERN_FAIL);
    /* Options in force only after them, and only in their own list. */
    assert_int_equal(tm_host("192.0.2.7",
                             "gone.example : +include_unknown"), TERN_FAIL);
    tm.env.host_addresses = NULL;
    assert_int_equal(tm_host("192.0.2.7", "mx.friend.example"), TERN_FAIL);
}

static void test_reverse(void **state)
{
    (void)state;
    tm_add_host("192.0.2.7", "mx.friend.example alias.other.example");
    tm_add_host("192.0.2.8", "");
    tm_add_host("192.0.2.9", NULL);
    assert_int_equal(tm_host("192.0.2.7", "*.friend.example"), TERN_OK);
    assert_int_equal(tm.res.n_subs, 2);
    assert_string_equal(tm.res.subs[1], "mx");
    assert_int_equal(tm_host("192.0.2.7", "*.OTHER.example"), TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "^alias\\."), TERN_OK);
    assert_int_equal(tm_host("192.0.2.7", "^(?-i)ALIAS"), TERN_FAIL);
    assert_int_equal(tm_host("192.0.2.7", "*.enemy.example"), TERN_FAIL);
    assert_int_equal(tm.calls.host_names, 5);     /* once per match */
    assert_int_equal(tm_host("192.0.2.7", "*.a : *.b : *.friend.example"),
                     TERN_OK);
    assert_int_equal(tm.calls.host_names, 6);
    assert_int_equal(tm_host("192.0.2.8", "*.friend.example : 192.0.2.8"),
                     TERN_FAIL);
    assert_int_equal(tm_host("192.0.2.8",
                             "+include_unknown : *.friend.example"),
                     TERN_OK);
    assert_int_equal(tm_host("192.0.2.9", "*.friend.example"), TERN_DEFER);
    assert_int_equal(tm_host("192.0.2.9",
                             "+ignore_defer : *.friend.example : "
                             "192.0.2.9"), TERN_OK);
}

static void test_lookups(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/h", "10.1.2.3", "single");
    tm_add_lookup("lsearch", "/h", "10.1.2.0/24", "net24");
    tm_add_lookup("lsearch", "/h", "0000.0000.0000.0000.0000.0000.0000.0001",
                  "v6dots");
    tm_add_lookup("iplsearch", "/h", "2001:0db8:0000:0000:0000:0000:0000:"
                  "0000/32", "v6colons");
    tm_add_lookup("lsearch", "/h", "mx.friend.example", "byname");
    tm_add_lookup("mysql", NULL, "select 1", "q");
    tm_add_host("192.0.2.7", "mx.friend.example");
    assert_int_equal(tm_host("10.1.2.3", "net-lsearch;/h"), TERN_OK);
    assert_string_equal(tm_value(), "single");
    assert_int_equal(tm_host("10.1.2.9", "net24-lsearch;/h"), TERN_OK);
    assert_string_equal(tm_value(), "net24");
    assert_string_equal(tm.keys, "10.1.2.0/24");
    assert_int_equal(tm_host("::1", "net-lsearch;/h"), TERN_OK);
    assert_int_equal(tm_host("2001:db8::5", "net32-iplsearch;/h"), TERN_OK);
    assert_string_equal(tm_value(), "v6colons");
    assert_int_equal(tm_host("::ffff:10.1.2.3", "net-lsearch;/h"),
                     TERN_FAIL);
    assert_string_equal(tm.keys, "0000.0000.0000.0000.0000.ffff.0a01.0203");
    assert_int_equal(tm_host("10.1.2.9", "net32-lsearch;/h"), TERN_FAIL);
    assert_string_equal(tm.keys, "10.1.2.9/32");
    /* Without net-: the host's name is the key. */
    assert_int_equal(tm_host("192.0.2.7", "lsearch;/h"), TERN_OK);
    assert_string_equal(tm_value(), "byname");
    assert_int_equal(tm_host("10.1.2.3", "lsearch;/h"), TERN_FAIL);
    assert_int_equal(tm_host("10.1.2.3", "+include_unknown : lsearch;/h"),
                     TERN_OK);
    assert_int_equal(tm_host("10.1.2.3", "mysql;select 1"), TERN_OK);
    assert_int_equal(tm_host("10.1.2.3", "net-mysql;select 1"), TERN_OK);
    assert_int_equal(tm_host("10.1.2.3",
                             "net-lsearch;/tmp/defer : 10.1.2.3"),
                     TERN_DEFER);
    assert_int_equal(tm_host("10.1.2.3", "+ignore_defer : "
                             "net-lsearch;/tmp/defer : 10.1.2.3"), TERN_OK);
}

static void test_match_ip(void **state)
{
    (void)state;
    tm_add_lookup("lsearch", "/h", "10.1.2.3", "single");
    tm_add_host("127.0.0.1", "localhost");
    tm_add_name("localhost", "127.0.0.1");
    assert_int_equal(tm_ip("10.1.2.3", "lsearch;/h"), TERN_OK);
    assert_string_equal(tm_value(), "single");
    assert_int_equal(tm_ip("127.0.0.1", "localhost"), TERN_FAIL);
    assert_int_equal(tm_ip("127.0.0.1", "*.foo"), TERN_FAIL);
    assert_int_equal(tm_ip("127.0.0.1", "^foo"), TERN_FAIL);
    assert_int_equal(tm_ip("127.0.0.1", "@"), TERN_FAIL);
    assert_int_equal(tm.calls.host_names + tm.calls.host_addresses, 0);
    assert_int_equal(tm_ip("1.2.3.4", "foo.invalid : 1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_ip("1.2.3.4", "+ignore_unknown : foo : 1.2.3.4"),
                     TERN_OK);
    assert_int_equal(tm_ip("1.2.3.4", "+include_unknown : !foo.invalid"),
                     TERN_OK);
    assert_int_equal(tm_ip("1.2.3.5", "+include_unknown"), TERN_FAIL);
    assert_int_equal(tm_ip("1.2.3.5", "!1.2.3.4 : +include_unknown"),
                     TERN_OK);
    assert_int_equal(tm_ip("", "*.foo : "), TERN_FAIL);
    assert_int_equal(tm_ip("1.2.3.4", "01.2.3.4 : 1.2.3.4"), TERN_FAIL);
    assert_int_equal(tm_ip("1.2.3.4", "1.2.3.4/x : 1.2.3.4"), TERN_FAIL);
}

static void test_named(void **state)
{
    (void)state;
    tm_add_list(TERN_MATCH_HOST, "nets", "10.0.0.0/8 : 192.168.1.0/24", 0);
    tm_add_list(TERN_MATCH_HOST, "v6", "<; ::1 ; 2001:db8::/32", 0);
    tm_add_list(TERN_MATCH_HOST, "unk", "foo.invalid", 0);
    tm_add_list(TERN_MATCH_HOST, "inc", "+include_unknown : foo.invalid", 0);
    assert_int_equal(tm_host("10.1.1.1", "+nets"), TERN_OK);
    assert_string_equal(tm.res.item, "+nets");
    assert_int_equal(tm_host("2001:db8::7", "+v6"), TERN_OK);
    assert_int_equal(tm_host("10.0.0.1", "! +nets"), TERN_FAIL);
    assert_int_equal(tm_host("11.0.0.1", "! +nets"), TERN_OK);
    /* A named list's "unknown" is its own business. */
    assert_int_equal(tm_ip("1.2.3.4", "+unk : 1.2.3.4"), TERN_OK);
    assert_int_equal(tm_ip("1.2.3.4", "+inc"), TERN_OK);
    assert_int_equal(tm_ip("1.2.3.4", "+include_unknown : +unk"),
                     TERN_FAIL);
    assert_int_equal(tm_host("1.2.3.4", "+nope"), TERN_ERROR);
    assert_non_null(strstr(tm.res.err, "unknown named host list"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ipv4, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_families, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_special, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_bad_subject, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_names, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_reverse, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_lookups, tm_setup, tm_teardown),
        cmocka_unit_test_setup_teardown(test_match_ip, tm_setup,
                                        tm_teardown),
        cmocka_unit_test_setup_teardown(test_named, tm_setup, tm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
