/*
 * NAME
 *   test_tls_server.c - server-side TLS over a socketpair: handshake,
 *   non-blocking I/O, bad input, options
 *
 * DESCRIPTION
 *   A real OpenSSL client (tls_fixture.c) talks to host/tls_*.c over a
 *   non-blocking socketpair.  Client certificates and resumption are in
 *   test_tls_verify.c.
 */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_fixture.h"

static struct host_tls_info
info(void)
{
    struct host_tls_info i;

    host_tls_info(fix.srv_conn, &i);
    return i;
}

static void
connect_ok(void)
{
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
}

static void
test_handshake_and_info(void **state)
{
    (void)state;
    connect_ok();
    SSL_set_tlsext_host_name(fix.cli_ssl, "sni.test.example");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    struct host_tls_info i = info();
    assert_int_equal(i.active, 1);
    assert_string_equal(i.ver, "TLS1.3");
    assert_string_equal(i.cipher, "TLS1.3:TLS_AES_256_GCM_SHA384:256");
    assert_string_equal(i.cipher_std, "TLS_AES_256_GCM_SHA384");
    assert_int_equal(i.bits, 256);
    assert_null(i.peerdn);
    assert_int_equal(i.certificate_verified, 0);
    assert_string_equal(i.sni, "sni.test.example");
    /* support built; no tls_resumption_hosts: no ticket, no resume */
    assert_int_equal(i.resumption & 0x19, 0x01);
    assert_true(host_tls_server_available());
    assert_int_equal(host_tls_advertise(&fix.ctx), 1);
}

static void
test_tls12_cipher_format(void **state)
{
    (void)state;
    connect_ok();
    SSL_set_max_proto_version(fix.cli_ssl, TLS1_2_VERSION);
    SSL_set_cipher_list(fix.cli_ssl, "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    struct host_tls_info i = info();
    assert_string_equal(i.ver, "TLS1.2");
    assert_string_equal(i.cipher,
                        "TLS1.2:ECDHE-ECDSA-AES128-GCM-SHA256:128");
    assert_string_equal(i.cipher_std,
                        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert_null(i.sni);
}

/* Data in both directions, bigger than the socket buffers: the server
 * must hand back WANT_WRITE and finish with the same bytes. */
static void
test_partial_io(void **state)
{
    enum { BIG = 1 << 20 };
    char *out = malloc(BIG), *in = malloc(BIG);
    size_t sent = 0, got = 0;
    int wants = 0, sz = 4096;

    (void)state;
    for (size_t k = 0; k < BIG; k++)
        out[k] = (char)('a' + k % 23);
    connect_ok();
    setsockopt(fix.sfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    for (int rounds = 0; got < BIG && rounds < 100000; rounds++) {
        if (sent < BIG) {
            ssize_t n = host_tls_write(fix.srv_conn, out + sent, BIG - sent);
            if (n > 0)
                sent += (size_t)n;
            else {
                assert_true(n == HOST_TLS_WANT_WRITE ||
                            n == HOST_TLS_WANT_READ);
                wants++;
            }
        }
        size_t r = 0;
        if (SSL_read_ex(fix.cli_ssl, in + got, BIG - got, &r) == 1)
            got += r;
    }
    assert_int_equal(sent, BIG);
    assert_int_equal(got, BIG);
    assert_memory_equal(in, out, BIG);
    assert_true(wants > 0);

    /* and the other way, read in small pieces */
    size_t w = 0;
    assert_int_equal(SSL_write_ex(fix.cli_ssl, "QUIT\r\n", 6, &w), 1);
    char small[3];
    ssize_t n;
    size_t total = 0;
    while ((n = host_tls_read(fix.srv_conn, small, sizeof small)) > 0)
        total += (size_t)n;
    assert_int_equal(n, HOST_TLS_WANT_READ);
    assert_int_equal(total, 6);
    free(out);
    free(in);
}

/* A client that pipelines commands right behind its Finished: read-ahead
 * pulls them out of the socket during the handshake, and pending()
 * must say so, or an event loop would wait for ever. */
static void
test_pipelined_after_handshake(void **state)
{
    const char *cmds = "EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n";
    size_t w;
    char buf[256];
    size_t total = 0;

    (void)state;
    connect_ok();
    /* client side to completion first */
    for (int i = 0; i < 50 && SSL_do_handshake(fix.cli_ssl) != 1; i++)
        (void)host_tls_handshake(fix.srv_conn);
    assert_int_equal(SSL_write_ex(fix.cli_ssl, "EHLO client.example\r\n", 21,
                                  &w), 1);
    assert_int_equal(SSL_write_ex(fix.cli_ssl, cmds + 21, strlen(cmds) - 21,
                                  &w), 1);
    int rc;
    for (int i = 0; i < 10; i++)
        if ((rc = host_tls_handshake(fix.srv_conn)) == HOST_TLS_OK)
            break;
    assert_int_equal(rc, HOST_TLS_OK);
    struct pollfd p = {.fd = fix.sfd, .events = POLLIN};
    if (poll(&p, 1, 0) == 0)
        assert_true(host_tls_pending(fix.srv_conn) > 0);
    while (total < strlen(cmds)) {
        ssize_t n = host_tls_read(fix.srv_conn, buf + total,
                                  sizeof buf - total);
        assert_true(n > 0);
        total += (size_t)n;
    }
    assert_memory_equal(buf, cmds, strlen(cmds));
    assert_int_equal(host_tls_pending(fix.srv_conn), 0);
}

static void
expect_garbage_fails(const void *bytes, size_t n)
{
    int rc = 0;

    connect_ok();
    assert_int_equal(write(fix.cfd, bytes, n), (ssize_t)n);
    for (int i = 0; i < 5; i++)
        if ((rc = host_tls_handshake(fix.srv_conn)) != HOST_TLS_WANT_READ)
            break;
    assert_int_equal(rc, HOST_TLS_ERROR);
    const char *e = host_tls_error(fix.srv_conn);
    assert_non_null(strstr(e, "(SSL_accept): "));
    tls_fix_disconnect();
    host_tls_server_free();
}

static void
test_garbage_client_hello(void **state)
{
    static const unsigned char zeros[64];
    static const unsigned char bad_record[] = {0x16, 0x03, 0x01, 0x00, 0x05,
                                               'h', 'e', 'l', 'l', 'o'};
    (void)state;
    expect_garbage_fails("GET / HTTP/1.0\r\n\r\n", 18);
    expect_garbage_fails("EHLO x\r\n", 8);
    expect_garbage_fails(zeros, sizeof zeros);
    expect_garbage_fails(bad_record, sizeof bad_record);
}

static void
test_peer_closes_mid_handshake(void **state)
{
    int rc;

    (void)state;
    connect_ok();
    assert_int_equal(write(fix.cfd, "\x16\x03\x01\x02\x00\x01", 6), 6);
    shutdown(fix.cfd, SHUT_WR);
    for (int i = 0; i < 5; i++)
        if ((rc = host_tls_handshake(fix.srv_conn)) != HOST_TLS_WANT_READ)
            break;
    assert_int_equal(rc, HOST_TLS_ERROR);
    assert_non_null(strstr(host_tls_error(fix.srv_conn), "(SSL_accept): "));
}

static void
test_eof_after_handshake(void **state)
{
    char buf[16];

    (void)state;
    connect_ok();
    assert_int_equal(tls_fix_handshake(NULL), 0);
    shutdown(fix.cfd, SHUT_WR);             /* no close_notify */
    assert_int_equal(host_tls_read(fix.srv_conn, buf, sizeof buf),
                     HOST_TLS_EOF);
}

static void
test_close_notify(void **state)
{
    char buf[16];

    (void)state;
    connect_ok();
    assert_int_equal(tls_fix_handshake(NULL), 0);
    SSL_shutdown(fix.cli_ssl);
    assert_int_equal(host_tls_read(fix.srv_conn, buf, sizeof buf),
                     HOST_TLS_EOF);
}

static void
test_cipher_restriction(void **state)
{
    (void)state;
    /* TLS 1.2 list, written with underscores as Exim allows */
    fix.rt.opts.tls_require_ciphers.text = "ECDHE_ECDSA_AES256_GCM_SHA384";
    connect_ok();
    SSL_set_max_proto_version(fix.cli_ssl, TLS1_2_VERSION);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_string_equal(info().cipher,
                        "TLS1.2:ECDHE-ECDSA-AES256-GCM-SHA384:256");
    tls_fix_disconnect();

    /* a client offering nothing allowed fails */
    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    SSL_set_max_proto_version(fix.cli_ssl, TLS1_2_VERSION);
    SSL_set_cipher_list(fix.cli_ssl, "ECDHE-ECDSA-CHACHA20-POLY1305");
    assert_int_equal(tls_fix_handshake(NULL), -1);
    tls_fix_disconnect();
    host_tls_server_free();

    /* TLS 1.3 suites among the items */
    fix.rt.opts.tls_require_ciphers.text =
        "ECDHE-ECDSA-AES256-GCM-SHA384:TLS_CHACHA20_POLY1305_SHA256";
    connect_ok();
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_string_equal(info().cipher,
                        "TLS1.3:TLS_CHACHA20_POLY1305_SHA256:256");
    tls_fix_disconnect();
    host_tls_server_free();

    /* expanded for each session */
    fix.rt.opts.tls_require_ciphers.text = "${peer_ciphers}";
    fix_peer_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    connect_ok();
    SSL_set_max_proto_version(fix.cli_ssl, TLS1_2_VERSION);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_string_equal(info().cipher,
                        "TLS1.2:ECDHE-ECDSA-AES128-GCM-SHA256:128");
}

static void
test_bad_options(void **state)
{
    (void)state;
    fix.rt.opts.tls_certificate.text = "/nonexistent/cert.pem";
    assert_int_equal(tls_fix_init(), -1);
    assert_non_null(strstr(fix.err, "tls_certificate: /nonexistent/cert.pem"));
    assert_false(host_tls_server_available());
    assert_null(host_tls_accept(&fix.ctx, 0));
    assert_non_null(strstr(host_tls_error(NULL), "not available"));

    fix.rt.opts.tls_certificate.text = fix.srv;
    fix.rt.opts.tls_privatekey.text = fix.other_key;
    assert_int_equal(tls_fix_init(), -1);
    assert_non_null(strstr(fix.err, "tls_privatekey"));

    fix.rt.opts.tls_privatekey.text = fix.srv_key;
    fix.rt.opts.tls_require_ciphers.text = "NO-SUCH-CIPHER";
    assert_int_equal(tls_fix_init(), -1);
    assert_non_null(strstr(fix.err, "tls_require_ciphers"));

    fix.rt.opts.tls_require_ciphers.text = NULL;
    fix.rt.opts.tls_dhparam.text = "ike99";
    assert_int_equal(tls_fix_init(), -1);
    assert_non_null(strstr(fix.err, "tls_dhparam"));

    fix.rt.opts.tls_dhparam.text = "ffdhe2048";
    fix.rt.opts.tls_privatekey.text = "${unknown}";
    assert_int_equal(tls_fix_init(), -1);
    assert_non_null(strstr(fix.err, "failed to expand tls_privatekey"));

    /* no certificate: TLS simply not offered */
    fix.rt.opts.tls_privatekey.text = fix.srv_key;
    fix.rt.opts.tls_certificate.text = "${fail}";
    assert_int_equal(tls_fix_init(), 0);
    assert_false(host_tls_server_available());
    assert_int_equal(host_tls_advertise(&fix.ctx), 0);
}

static void
test_advertise_hosts(void **state)
{
    (void)state;
    fix.rt.opts.tls_advertise_hosts.text = "192.0.2.1";
    assert_int_equal(tls_fix_init(), 0);
    assert_int_equal(host_tls_advertise(&fix.ctx), 0);
    fix.rt.opts.tls_advertise_hosts.text = "192.0.2.1:127.0.0.1";
    assert_int_equal(host_tls_advertise(&fix.ctx), 1);
    fix.rt.opts.tls_advertise_hosts.text = "";
    assert_int_equal(host_tls_advertise(&fix.ctx), 0);
}

static void
check_peer_cn(const char *want)
{
    X509 *c = SSL_get0_peer_certificate(fix.cli_ssl);
    char cn[128] = "";

    assert_non_null(c);
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn,
                              sizeof cn);
    assert_string_equal(cn, want);
}

static void
test_sni_selects_certificate(void **state)
{
    (void)state;
    fix.rt.opts.tls_certificate.text = "${sni_cert:$tls_in_sni}";
    fix.rt.opts.tls_privatekey.text = "${sni_key:$tls_in_sni}";
    connect_ok();
    SSL_set_tlsext_host_name(fix.cli_ssl, "other.example");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    check_peer_cn("other.test.example");
    assert_string_equal(info().sni, "other.example");
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    SSL_set_tlsext_host_name(fix.cli_ssl, "mail.test.example");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    check_peer_cn("mail.test.example");
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    check_peer_cn("mail.test.example");
    assert_null(info().sni);
}

static void
test_several_certificates(void **state)
{
    char certs[300], keys[300];

    (void)state;
    snprintf(certs, sizeof certs, "%s : %s", fix.srv_rsa, fix.srv);
    snprintf(keys, sizeof keys, "%s : %s", fix.srv_rsa_key, fix.srv_key);
    fix.rt.opts.tls_certificate.text = certs;
    fix.rt.opts.tls_privatekey.text = keys;
    connect_ok();
    SSL_set1_sigalgs_list(fix.cli_ssl, "ECDSA+SHA256");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    check_peer_cn("mail.test.example");
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    SSL_set1_sigalgs_list(fix.cli_ssl, "RSA-PSS+SHA256:RSA+SHA256");
    assert_int_equal(tls_fix_handshake(NULL), 0);
    check_peer_cn("rsa.test.example");
}

static void
test_alpn(void **state)
{
    static const unsigned char smtp[] = "\x04smtp";
    static const unsigned char http[] = "\x08http/1.1";

    (void)state;
    connect_ok();
    SSL_set_alpn_protos(fix.cli_ssl, smtp, sizeof smtp - 1);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);
    SSL_set_alpn_protos(fix.cli_ssl, http, sizeof http - 1);
    assert_int_equal(tls_fix_handshake(NULL), -1);
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);   /* no ALPN: fine */
    assert_int_equal(tls_fix_handshake(NULL), 0);
}

static void
test_eccurve(void **state)
{
    (void)state;
    fix.rt.opts.tls_eccurve.text = "P-384";
    connect_ok();
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(SSL_get_negotiated_group(fix.cli_ssl), NID_secp384r1);
}

static int
ocsp_seen(SSL *ssl, void *arg)
{
    const unsigned char *p;
    long n = SSL_get_tlsext_status_ocsp_resp(ssl, &p);

    *(long *)arg = n;
    return 1;
}

static void
test_ocsp(void **state)
{
    char file[160];
    long n = -1;
    FILE *f;

    (void)state;
    connect_ok();                           /* no tls_ocsp_file */
    SSL_set_tlsext_status_type(fix.cli_ssl, TLSEXT_STATUSTYPE_ocsp);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(host_tls_ocsp(fix.srv_conn), 1);
    tls_fix_disconnect();
    host_tls_server_free();

    snprintf(file, sizeof file, "%s/ocsp.der", fix.dir);
    f = fopen(file, "wb");
    fwrite("\x30\x03\x0a\x01\x00", 1, 5, f);     /* a tiny DER blob */
    fclose(f);
    fix.rt.opts.tls_ocsp_file.text = file;
    connect_ok();
    SSL_CTX_set_tlsext_status_cb(fix.cctx, ocsp_seen);
    SSL_CTX_set_tlsext_status_arg(fix.cctx, &n);
    SSL_set_tlsext_status_type(fix.cli_ssl, TLSEXT_STATUSTYPE_ocsp);
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(host_tls_ocsp(fix.srv_conn), 2);
    assert_int_equal(n, 5);
    tls_fix_disconnect();

    assert_int_equal(tls_fix_connect(NULL, NULL), 0);   /* not asked */
    assert_int_equal(tls_fix_handshake(NULL), 0);
    assert_int_equal(host_tls_ocsp(fix.srv_conn), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tls_fix_setup, tls_fix_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_handshake_and_info),
        T(test_tls12_cipher_format),
        T(test_partial_io),
        T(test_pipelined_after_handshake),
        T(test_garbage_client_hello),
        T(test_peer_closes_mid_handshake),
        T(test_eof_after_handshake),
        T(test_close_notify),
        T(test_cipher_restriction),
        T(test_bad_options),
        T(test_advertise_hosts),
        T(test_sni_selects_certificate),
        T(test_several_certificates),
        T(test_alpn),
        T(test_eccurve),
        T(test_ocsp),
    };
    return cmocka_run_group_tests(tests, tls_fix_group_setup,
                                  tls_fix_group_teardown);
}
