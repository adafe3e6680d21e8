/*
 * NAME
 *   test_tls_verify.c - client certificates and session resumption on
 *   the server side
 *
 * DESCRIPTION
 *   tls_verify_hosts (required), tls_try_verify_hosts (asked, only
 *   recorded), neither (not asked); $tls_in_peerdn in Exim's OpenSSL
 *   form; stateless tickets only for tls_resumption_hosts, and the key
 *   rotation of tls_keys.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "tls_fixture.h"

static struct host_tls_info
info(void)
{
    struct host_tls_info i;

    host_tls_info(fix.srv_conn, &i);
    return i;
}

static void
test_try_verify_good_cert(void **state)
{
    (void)state;
    fix.rt.opts.tls_try_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.cli, fix.cli_key), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    struct host_tls_info i = info();
    assert_int_equal(i.certificate_verified, 1);
    assert_string_equal(i.peerdn, "/C=GB/O=Example, Ltd/CN=client.example");
    assert_non_null(host_tls_peer_cert(fix.srv_conn));
    /* the CA file's names went out with the request */
    STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(fix.cli_ssl);
    assert_non_null(cas);
    assert_int_equal(sk_X509_NAME_num(cas), 1);
}

static void
test_try_verify_rogue_cert(void **state)
{
    (void)state;
    fix.rt.opts.tls_try_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.rogue, fix.rogue_key), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    struct host_tls_info i = info();
    assert_int_equal(i.certificate_verified, 0);
    assert_string_equal(i.peerdn, "/CN=rogue.example");
}

static void
test_try_verify_no_cert(void **state)
{
    (void)state;
    fix.rt.opts.tls_try_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(info().certificate_verified, 0);
    assert_null(info().peerdn);
    assert_null(host_tls_peer_cert(fix.srv_conn));
}

static void
test_not_asked(void **state)
{
    (void)state;
    fix.rt.opts.tls_try_verify_hosts.text = "192.0.2.7";
    fix.rt.opts.tls_verify_hosts.text = "192.0.2.8";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.cli, fix.cli_key), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_null(info().peerdn);
    assert_int_equal(info().certificate_verified, 0);
}

static void
test_required_good(void **state)
{
    (void)state;
    fix.rt.opts.tls_verify_hosts.text = "127.0.0.1";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.cli, fix.cli_key), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(info().certificate_verified, 1);
}

static void
test_required_missing(void **state)
{
    int rc;

    (void)state;
    fix.rt.opts.tls_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    assert_int_equal(tls_fix_handshake(&rc), -1);
    assert_int_equal(rc, HOST_TLS_ERROR);
    const char *e = host_tls_error(fix.srv_conn);
    assert_non_null(strstr(e, "(SSL_accept): error:"));
    assert_non_null(strstr(e, "peer did not return a certificate"));
}

static void
test_required_rogue(void **state)
{
    int rc;

    (void)state;
    fix.rt.opts.tls_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.rogue, fix.rogue_key), 0);
    assert_int_equal(tls_fix_handshake(&rc), -1);
    assert_int_equal(rc, HOST_TLS_ERROR);
    assert_non_null(strstr(host_tls_error(fix.srv_conn),
                           "certificate verify failed"));
}

static void
test_required_wins_over_try(void **state)
{
    (void)state;
    fix.rt.opts.tls_verify_hosts.text = "*";
    fix.rt.opts.tls_try_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    assert_int_equal(tls_fix_handshake(NULL), -1);
}

static void
test_no_ca_nothing_verifies(void **state)
{
    (void)state;
    fix.rt.opts.tls_verify_certificates.text = "";
    fix.rt.opts.tls_try_verify_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(fix.cli, fix.cli_key), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(info().certificate_verified, 0);
    assert_non_null(info().peerdn);
}

/* ---- resumption ---- */

/* One full connection; returns the client's session (with ticket). */
static SSL_SESSION *
first_connection(unsigned *bits, int max_version)
{
    char buf[64];
    size_t w;

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    if (max_version)
        SSL_set_max_proto_version(fix.cli_ssl, max_version);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    /* TLS 1.3 tickets follow the handshake: let the client read them */
    assert_int_equal(host_tls_write(fix.srv_conn, "220 go\r\n", 8), 8);
    assert_int_equal(tls_fix_client_drain(buf, sizeof buf), 8);
    assert_int_equal(SSL_write_ex(fix.cli_ssl, "x", 1, &w), 1);
    *bits = info().resumption;
    SSL_SESSION *s = SSL_get1_session(fix.cli_ssl);
    tls_fix_disconnect();
    return s;
}

static unsigned
second_connection(SSL_SESSION *s, int *reused)
{
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    SSL_set_max_proto_version(fix.cli_ssl, SSL_SESSION_get_protocol_version(s));
    SSL_set_session(fix.cli_ssl, s);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    *reused = SSL_session_reused(fix.cli_ssl);
    unsigned bits = info().resumption;
    tls_fix_disconnect();
    return bits;
}

static void
resume_case(int max_version)
{
    unsigned bits;
    int reused;

    fix.rt.opts.tls_resumption_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    SSL_SESSION *s = first_connection(&bits, max_version);
    assert_int_equal(bits & 0x0b, 0x0b);    /* built, requested, issued */
    assert_int_equal(bits & 0x10, 0);
    assert_int_equal(SSL_SESSION_has_ticket(s), 1);
    assert_int_equal(SSL_SESSION_is_resumable(s), 1);

    bits = second_connection(s, &reused);
    assert_int_equal(reused, 1);
    assert_int_equal(bits & 0x15, 0x15);    /* built, offered, resumed */

    /* one rotation: the previous key still opens the ticket */
    host_tls_keys_rotate();
    bits = second_connection(s, &reused);
    assert_int_equal(reused, 1);
    /* two: the ticket is too old, full handshake */
    host_tls_keys_rotate();
    host_tls_keys_rotate();
    bits = second_connection(s, &reused);
    assert_int_equal(reused, 0);
    assert_int_equal(bits & 0x10, 0);
    SSL_SESSION_free(s);
}

static void
test_resume_tls13(void **state)
{
    (void)state;
    resume_case(0);
}

static void
test_resume_tls12(void **state)
{
    (void)state;
    resume_case(TLS1_2_VERSION);
}

static void
test_no_resumption_by_default(void **state)
{
    unsigned bits;
    int reused;

    (void)state;
    assert_int_equal(tls_fix_init(), 0);
    SSL_SESSION *s = first_connection(&bits, 0);
    assert_int_equal(bits & 0x08, 0);       /* no ticket issued */
    assert_int_equal(bits & 0x01, 0x01);
    bits = second_connection(s, &reused);
    assert_int_equal(reused, 0);
    SSL_SESSION_free(s);

    /* the client's host not in the list */
    host_tls_server_free();
    fix.rt.opts.tls_resumption_hosts.text = "192.0.2.1";
    assert_int_equal(tls_fix_init(), 0);
    s = first_connection(&bits, TLS1_2_VERSION);
    assert_int_equal(bits & 0x08, 0);
    SSL_SESSION_free(s);
}

/* A ticket from another daemon (other keys) gives a full handshake. */
static void
test_foreign_ticket(void **state)
{
    unsigned bits;
    int reused;

    (void)state;
    fix.rt.opts.tls_resumption_hosts.text = "*";
    assert_int_equal(tls_fix_init(), 0);
    SSL_SESSION *s = first_connection(&bits, 0);
    host_tls_keys_free();                   /* "another daemon" */
    host_tls_server_free();
    assert_int_equal(tls_fix_init(), 0);
    bits = second_connection(s, &reused);
    assert_int_equal(reused, 0);
    assert_int_equal(bits & 0x04, 0x04);    /* it was offered */
    SSL_SESSION_free(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tls_fix_setup, tls_fix_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_try_verify_good_cert),
        T(test_try_verify_rogue_cert),
        T(test_try_verify_no_cert),
        T(test_not_asked),
        T(test_required_good),
        T(test_required_missing),
        T(test_required_rogue),
        T(test_required_wins_over_try),
        T(test_no_ca_nothing_verifies),
        T(test_resume_tls13),
        T(test_resume_tls12),
        T(test_no_resumption_by_default),
        T(test_foreign_ticket),
    };
    return cmocka_run_group_tests(tests, tls_fix_group_setup,
                                  tls_fix_group_teardown);
}
