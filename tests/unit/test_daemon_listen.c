/*
 * NAME
 *   test_daemon_listen.c - which sockets the daemon opens (host/listen.c)
 *
 * DESCRIPTION
 *   Exim's rules for -oX, local_interfaces and daemon_smtp_ports
 *   (chapter 13 of the 4.96 specification): ports-only -oX items replace
 *   daemon_smtp_ports, address items replace local_interfaces, an address
 *   may carry its port as "addr.port" or "[addr]:port", service names are
 *   allowed in port lists only, tls_on_connect_ports marks sockets.
 *   Nothing is bound here.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "daemon_int.h"

static void
opts(struct tern_opts_main *o, const char *ifaces, const char *ports,
     const char *tls)
{
    memset(o, 0, sizeof *o);
    o->local_interfaces.text = ifaces;
    o->daemon_smtp_ports.text = ports;
    o->tls_on_connect_ports.text = tls;
}

static int
has(const struct daemon_listeners *ls, const char *addr, int port)
{
    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].port == port && strcmp(ls->l[i].addr, addr) == 0)
            return 1;
    return 0;
}

static void
test_items(void **state)
{
    char a[64];
    int port;

    (void)state;
    assert_int_equal(daemon_listen_parse_item("192.0.2.1", a, sizeof a,
                                              &port), 0);
    assert_string_equal(a, "192.0.2.1");
    assert_int_equal(port, -1);
    assert_int_equal(daemon_listen_parse_item("192.0.2.1.2525", a, sizeof a,
                                              &port), 0);
    assert_string_equal(a, "192.0.2.1");
    assert_int_equal(port, 2525);
    assert_int_equal(daemon_listen_parse_item("::1.25", a, sizeof a, &port),
                     0);
    assert_string_equal(a, "::1");
    assert_int_equal(port, 25);
    assert_int_equal(daemon_listen_parse_item("[::1]:587", a, sizeof a,
                                              &port), 0);
    assert_string_equal(a, "::1");
    assert_int_equal(port, 587);
    assert_int_equal(daemon_listen_parse_item("::ffff:192.0.2.1", a,
                                              sizeof a, &port), 0);
    assert_int_equal(port, -1);
    /* names are for port lists only; garbage is refused */
    assert_int_equal(daemon_listen_parse_item("192.0.2.1.smtp", a, sizeof a,
                                              &port), -1);
    assert_int_equal(daemon_listen_parse_item("mail.example", a, sizeof a,
                                              &port), -1);
    assert_int_equal(daemon_listen_parse_item("[::1]587", a, sizeof a,
                                              &port), -1);
    assert_int_equal(daemon_listen_parse_item("192.0.2.1.70000", a, sizeof a,
                                              &port), -1);
}

static void
test_defaults(void **state)
{
    struct tern_opts_main o;
    struct daemon_listeners ls;
    char err[256];

    (void)state;
    opts(&o, NULL, NULL, NULL);
    assert_int_equal(daemon_listen_plan(&o, NULL, &ls, err, sizeof err), 0);
    assert_int_equal(ls.n, 2);
    assert_true(has(&ls, "::0", 25));
    assert_true(has(&ls, "0.0.0.0", 25));
    assert_true(ls.l[0].wildcard && ls.l[1].wildcard);
    daemon_listen_close(&ls);
}

static void
test_ox(void **state)
{
    struct tern_opts_main o;
    struct daemon_listeners ls;
    char err[256];

    (void)state;
    opts(&o, "127.0.0.1 : 192.0.2.7", "smtp : 587", "465");
    /* ports only: daemon_smtp_ports replaced, interfaces kept */
    assert_int_equal(daemon_listen_plan(&o, "2525", &ls, err, sizeof err), 0);
    assert_int_equal(ls.n, 2);
    assert_true(has(&ls, "127.0.0.1", 2525));
    assert_true(has(&ls, "192.0.2.7", 2525));
    daemon_listen_close(&ls);
    /* a bare port list */
    assert_int_equal(daemon_listen_plan(&o, "25:465", &ls, err, sizeof err),
                     0);
    assert_int_equal(ls.n, 4);
    for (size_t i = 0; i < ls.n; i++)
        assert_int_equal(ls.l[i].tls_on_connect, ls.l[i].port == 465);
    daemon_listen_close(&ls);
    /* an address: local_interfaces replaced */
    assert_int_equal(daemon_listen_plan(&o, "127.0.0.1.2626", &ls, err,
                                        sizeof err), 0);
    assert_int_equal(ls.n, 1);
    assert_true(has(&ls, "127.0.0.1", 2626));
    daemon_listen_close(&ls);
    /* an address without port takes daemon_smtp_ports */
    assert_int_equal(daemon_listen_plan(&o, "<; ::1 ; 10.0.0.1.26", &ls, err,
                                        sizeof err), 0);
    assert_int_equal(ls.n, 3);
    assert_true(has(&ls, "::1", 25));
    assert_true(has(&ls, "::1", 587));
    assert_true(has(&ls, "10.0.0.1", 26));
    daemon_listen_close(&ls);
    /* both kinds at once */
    assert_int_equal(daemon_listen_plan(&o, "<; 2700 ; 127.0.0.2", &ls, err,
                                        sizeof err), 0);
    assert_int_equal(ls.n, 1);
    assert_true(has(&ls, "127.0.0.2", 2700));
    daemon_listen_close(&ls);
    assert_int_equal(daemon_listen_plan(&o, "no.such.thing", &ls, err,
                                        sizeof err), -1);
    assert_non_null(strstr(err, "no.such.thing"));
    assert_int_equal(daemon_listen_plan(&o, "nosuchservice", &ls, err,
                                        sizeof err), -1);
    assert_non_null(strstr(err, "unknown port"));
}

static void
test_describe(void **state)
{
    struct tern_opts_main o;
    struct daemon_listeners ls;
    struct tern_arena *a = tern_arena_new();
    char err[256];

    (void)state;
    opts(&o, "<; ::0 ; 0.0.0.0 ; 127.0.0.1.2526", "25", NULL);
    assert_int_equal(daemon_listen_plan(&o, NULL, &ls, err, sizeof err), 0);
    assert_string_equal(daemon_listen_describe(&ls, a),
                        "SMTP on port 25 (IPv6 and IPv4) [127.0.0.1]:2526");
    daemon_listen_close(&ls);
    opts(&o, "<; ::0 ; 0.0.0.0 ; ::1", "25 : 465", "465");
    assert_int_equal(daemon_listen_plan(&o, NULL, &ls, err, sizeof err), 0);
    assert_string_equal(daemon_listen_describe(&ls, a),
                        "SMTP on port 25 (IPv6 and IPv4) [::1]:25 and for"
                        " SMTPS on port 465 (IPv6 and IPv4) [::1]:465");
    daemon_listen_close(&ls);
    opts(&o, "127.0.0.1", "465", "465");
    assert_int_equal(daemon_listen_plan(&o, NULL, &ls, err, sizeof err), 0);
    assert_string_equal(daemon_listen_describe(&ls, a),
                        "SMTPS on [127.0.0.1]:465");
    daemon_listen_close(&ls);
    tern_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ox),
        cmocka_unit_test(test_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
