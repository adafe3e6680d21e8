/*
 * NAME
 *   test_receive_hdr.c - unit tests of the receive path's pure parts:
 *   header splitting and type letters, ACL header changes, the address
 *   list scanner, display names, Exim's output formats, log_selector
 *
 * DESCRIPTION
 *   Expected values were taken from Debian's Exim 4.96 (its -H files,
 *   -bp listings and log lines for the same input).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "receive_int.h"

/* logsel.c reports a bad log_selector on the panic log. */
void
host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    (void)rt; (void)dest; (void)msgid; (void)fmt;
}

static struct tern_arena *A;

static int
setup(void **state)
{
    (void)state;
    A = tern_arena_new();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tern_arena_free(A);
    return 0;
}

static void
test_line_ok(void **state)
{
    (void)state;
    assert_true(host_hdr_line_ok("Subject: x", 10));
    assert_true(host_hdr_line_ok("Subject : x", 11));
    assert_true(host_hdr_line_ok("X-Empty:", 8));
    assert_false(host_hdr_line_ok("not a header line", 17));
    assert_false(host_hdr_line_ok(": no name", 9));
    assert_false(host_hdr_line_ok(" Subject: x", 11));
    assert_false(host_hdr_line_ok("Sub ject: x", 11));
    assert_false(host_hdr_line_ok("From root Wed Dec  2", 20));
}

static void
test_split_types(void **state)
{
    const char *h =
        "Received: from a\n\tby b\n"
        "From: a@x\nTo: b@y,\n  c@y\nCc: d@y\nBcc: e@y\n"
        "Message-ID: <m@x>\nReply-To: r@x\nSender: s@x\n"
        "Subject: s\nResent-From: rf@x\nResent-Message-Id: <r@x>\n";
    struct tern_spool_header *v;
    size_t n = host_hdr_split(A, h, strlen(h), &v);
    const char types[] = "PFTCBIRS FI";

    (void)state;
    assert_int_equal(n, 11);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].type, types[i]);
    assert_string_equal(v[0].text, "Received: from a\n\tby b\n");
    assert_string_equal(v[2].text, "To: b@y,\n  c@y\n");
    assert_int_equal(v[2].len, strlen("To: b@y,\n  c@y\n"));
}

static struct tern_spool_msg M;
static struct host_hdrs H;

static void
msg_with(const char *block)
{
    tern_spool_msg_init(&M);
    M.n_headers = host_hdr_split(A, block, strlen(block), &M.headers);
    host_hdrs_init(&H, &M, A);
}

static void
test_find_remove_insert(void **state)
{
    (void)state;
    msg_with("Return-path: <x>\nSubject: a\nreturn-PATH : <y>\n");
    assert_int_equal(host_hdrs_find(&M, "subject"), 1);
    assert_int_equal(host_hdrs_remove(&M, "return-path"), 2);
    assert_int_equal(M.headers[0].type, '*');
    assert_int_equal(M.headers[2].type, '*');
    assert_int_equal(host_hdrs_find(&M, "return-path"), -1);
    assert_int_equal(host_hdrs_remove(&M, "return-path"), 0);
    for (int i = 0; i < 40; i++)
        host_hdrs_insert(&H, 0, "X-N: 1\n", 7);
    host_hdrs_insert(&H, M.n_headers, "To: t@x\n", 8);
    assert_int_equal(M.n_headers, 44);
    assert_int_equal(M.headers[43].type, 'T');
    assert_string_equal(M.headers[41].text, "Subject: a\n");
}

static void
test_acl_changes(void **state)
{
    struct host_hdr_change c4 = { 0, "\nX-Dup: same\n", NULL };
    struct host_hdr_change c3 = { 0, ":at_start:X-First: 1\nnot a header\n"
                                     " folded", &c4 };
    struct host_hdr_change c2 = { 1, "x-gone : x-other", &c3 };
    struct host_hdr_change c1 = { 0, "X-Dup: same\n:after_received:X-AR: 2",
                                  &c2 };

    (void)state;
    msg_with("Received: a\nReceived: b\nX-Gone: 1\nSubject: s\n");
    host_hdrs_apply_changes(&H, &c1);
    /* X-First at the very top, X-AR after the Received: block, the
     * second identical X-Dup dropped, X-ACL-Warn: in front of a line
     * that is not a header (with its continuation). */
    assert_int_equal(M.n_headers, 8);
    assert_string_equal(M.headers[0].text, "X-First: 1\n");
    assert_string_equal(M.headers[1].text, "Received: a\n");
    assert_string_equal(M.headers[3].text, "X-AR: 2\n");
    assert_int_equal(M.headers[4].type, '*');       /* X-Gone */
    assert_string_equal(M.headers[6].text, "X-Dup: same\n");
    assert_string_equal(M.headers[7].text,
                        "X-ACL-Warn: not a header\n folded\n");
}

static void
check_list(const char *value, const char *const *want, size_t nwant)
{
    struct host_addr_item *it;
    size_t n;
    const char *err = NULL;

    assert_int_equal(host_addr_list(A, value, strlen(value), &it, &n, &err), 0);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(it[i].address, want[i]);
}

static void
test_address_list(void **state)
{
    static const char *const w1[] = {
        "a@y.test", "b@y.test", "c1@y.test", "c2@y.test", "d@y.test"
    };
    static const char *const w2[] = { "\"x y\"@q.test", "r@[192.0.2.1]" };
    static const char *const w3[] = { "bob", "q" };
    static const char *const w4[] = { "z@z.test" };

    (void)state;
    check_list(" A <a@y.test>, \"B c\" <b@y.test>", w1, 2);
    check_list(" grp: c1@y.test, c2@y.test;, d (comment) <d@y.test>",
               w1 + 2, 3);
    check_list("\"x y\"@q.test (c (nested)), <r@[192.0.2.1]>", w2, 2);
    check_list("undisclosed-recipients:;", NULL, 0);
    check_list("bob, \"Q\" <q>", w3, 2);
    check_list("<@route.a,@route.b:z@z.test>", w4, 1);
    check_list("Z <z\n  @z.test>", w4, 1);
}

static void
test_address_errors(void **state)
{
    struct host_addr_item *it;
    size_t n;
    const char *err = NULL;

    (void)state;
    assert_int_equal(host_addr_list(A, "bad <<", 6, &it, &n, &err), -1);
    assert_non_null(err);
    assert_int_equal(host_addr_list(A, "a@", 2, &it, &n, &err), -1);
    assert_string_equal(err, "domain missing or malformed");
    assert_int_equal(host_addr_list(A, "@x", 2, &it, &n, &err), -1);
    assert_string_equal(err, "missing or malformed local part");
    assert_int_equal(host_addr_list(A, "John Smith", 10, &it, &n, &err), -1);
    assert_string_equal(err, "malformed address: Smith may not follow John");
    assert_int_equal(host_addr_list(A, "(open", 5, &it, &n, &err), -1);
}

static void
test_address_offsets(void **state)
{
    const char *v = " carol (c), <q>, bob";
    struct host_addr_item *it;
    size_t n;
    const char *err;

    (void)state;
    assert_int_equal(host_addr_list(A, v, strlen(v), &it, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(it[0].end, 6);     /* after "carol", before the comment */
    assert_int_equal(it[1].end, 14);    /* before ">" */
    assert_int_equal(it[2].end, strlen(v));
    assert_false(it[0].has_domain);
}

static void
test_extract(void **state)
{
    const char *addr;
    int dom;

    (void)state;
    assert_null(host_addr_extract(A, "Bob <bob@x.test>", &addr, &dom));
    assert_string_equal(addr, "bob@x.test");
    assert_true(dom);
    assert_null(host_addr_extract(A, "local", &addr, &dom));
    assert_false(dom);
    assert_non_null(host_addr_extract(A, "a@x, b@x", &addr, &dom));
    assert_non_null(host_addr_extract(A, "", &addr, &dom));
}

static void
test_phrase(void **state)
{
    (void)state;
    assert_string_equal(host_addr_phrase(A, "daemon"), "daemon");
    assert_string_equal(host_addr_phrase(A, "Zaphod B. (x)"),
                        "\"Zaphod B. (x)\"");
    assert_string_equal(host_addr_phrase(A, "a \"q\""), "\"a \\\"q\\\"\"");
    assert_string_equal(host_addr_phrase(A, "Jos\xc3\xa9 A"),
                        "=?UTF-8?Q?Jos=C3=A9_A?=");
}

static void
test_qsize(void **state)
{
    /* sizes and their Exim 4.96 -bp column */
    static const struct { long long s; const char *w; } t[] = {
        { 0, "     " }, { 297, "  297" }, { 1011, " 1011" },
        { 1035, " 1.0K" }, { 1087, " 1.1K" }, { 5012, " 4.9K" },
        { 10251, "  10K" }, { 10764, "  11K" }, { 1048587, " 1.0M" },
        { 10485771, "  10M" }, { 1000000012, " 954M" },
    };
    char buf[24];

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        host_fmt_qsize(t[i].s, buf);
        assert_string_equal(buf, t[i].w);
    }
}

static void
test_qage(void **state)
{
    /* minutes on the queue and Exim 4.96's column */
    static const struct { long long m; const char *w; } t[] = {
        { 0, " 0m" }, { 59, "59m" }, { 90, "90m" }, { 91, " 2h" },
        { 149, " 2h" }, { 150, " 3h" }, { 4349, "72h" }, { 4350, " 3d" },
        { 100000, "69d" },
    };
    char buf[24];

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        host_fmt_qage(t[i].m * 60 + 5, buf);
        assert_string_equal(buf, t[i].w);
    }
}

static void
test_printing(void **state)
{
    const char in[] = "a \"q\" \\ b\tc \xc3\xa9\n  f\x01\x7f\b\f\v";

    (void)state;
    assert_string_equal(host_fmt_printing(A, in, sizeof in - 1, 1, 0),
                        "a \\\"q\\\" \\\\ b\tc \\303\\251\\n  f\\001\\177"
                        "\\b\\f\\v");
    assert_string_equal(host_fmt_printing(A, "\xc3\xa9", 2, 1, 1), "\xc3\xa9");
    assert_string_equal(host_fmt_printing(A, "\"", 1, 0, 0), "\"");
}

static void
test_date(void **state)
{
    char buf[64];

    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    host_fmt_date(1796188026, buf, sizeof buf);
    assert_string_equal(buf, "Wed, 02 Dec 2026 05:07:06 +0000");
    setenv("TZ", "EST5", 1);
    tzset();
    host_fmt_date(1796188026, buf, sizeof buf);
    assert_string_equal(buf, "Wed, 02 Dec 2026 00:07:06 -0500");
    unsetenv("TZ");
    tzset();
}

#define P(text, bits, e, n) host_logsel_parse(text, bits, e, n)

static void
test_logsel(void **state)
{
    unsigned long long b, d = host_logsel_default();
    char err[256];

    (void)state;
    assert_true((d >> HOST_LS_MSG_ID) & 1);
    assert_true((d >> HOST_LS_TLS_CIPHER) & 1);
    assert_false((d >> HOST_LS_SUBJECT) & 1);
    assert_int_equal(P(NULL, &b, err, 256), 0);
    assert_true(b == d);
    assert_int_equal(P("+subject -msg_id", &b, err, 256), 0);
    assert_true((b >> HOST_LS_SUBJECT) & 1);
    assert_false((b >> HOST_LS_MSG_ID) & 1);
    assert_int_equal(P("+tls_sni+subject", &b, err, 256), 0);
    assert_true((b >> HOST_LS_TLS_SNI) & 1);
    assert_int_equal(P("+all -subject", &b, err, 256), 0);
    assert_true((b >> HOST_LS_PID) & 1);
    assert_false((b >> HOST_LS_SUBJECT) & 1);
    assert_int_equal(P("-all", &b, err, 256), 0);
    assert_true(b == 0);
    assert_int_equal(P("+rejected_headers", &b, err, 256), 0);
    assert_int_equal(P("+foo", &b, err, 256), -1);
    assert_string_equal(err, "unknown log_selector setting: +foo");
    assert_int_equal(P("+subject-size", &b, err, 256), -1);
    assert_string_equal(err, "unknown log_selector setting: -size");
    assert_int_equal(P("subject", &b, err, 256), -1);
    assert_string_equal(err, "malformed log_selector setting: + or -"
                        " expected but found \"subject\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ok),
        cmocka_unit_test(test_split_types),
        cmocka_unit_test(test_find_remove_insert),
        cmocka_unit_test(test_acl_changes),
        cmocka_unit_test(test_address_list),
        cmocka_unit_test(test_address_errors),
        cmocka_unit_test(test_address_offsets),
        cmocka_unit_test(test_extract),
        cmocka_unit_test(test_phrase),
        cmocka_unit_test(test_qsize),
        cmocka_unit_test(test_qage),
        cmocka_unit_test(test_printing),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_logsel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
