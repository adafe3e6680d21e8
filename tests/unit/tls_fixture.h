/*
 * NAME
 *   tls_fixture.h - certificates, a fake runtime and an OpenSSL client
 *   for the server-side TLS tests
 *
 * DESCRIPTION
 *   tls_fix_setup() makes a scratch directory with a CA, a server
 *   certificate signed by it (EC and RSA), a second server certificate
 *   for SNI tests, a client certificate signed by the CA and a
 *   self-signed "rogue" client certificate, and a runtime whose TLS
 *   options point at them.  Host lists are matched by a stub: "*" or a
 *   colon list of addresses compared with the session's peer.
 *   Expansion is a stub too: "${sni_cert:$tls_in_sni}" and "${sni_key:$tls_in_sni}" become the
 *   second certificate when $tls_in_sni is other.example, "${peer_ciphers}"
 *   becomes the peer-dependent cipher in fix_peer_ciphers.
 *
 *   A test changes fix.rt.opts, calls tls_fix_init(), then
 *   tls_fix_connect() for a socketpair with the server side accepted
 *   and a client SSL on the other end, and tls_fix_handshake() to drive
 *   both sides to the end.
 */
#ifndef TERN_TESTS_TLS_FIXTURE_H
#define TERN_TESTS_TLS_FIXTURE_H

#include <openssl/ssl.h>
#include <tern/host.h>

#include "ctx.h"
#include "tls.h"

struct tls_fix {
    char dir[64];
    char ca[128], ca_key[128];
    char srv[128], srv_key[128];            /* EC, CN=mail.test.example */
    char srv_rsa[128], srv_rsa_key[128];    /* RSA, CN=rsa.test.example */
    char other[128], other_key[128];        /* EC, CN=other.test.example */
    char cli[128], cli_key[128];            /* signed by the CA */
    char rogue[128], rogue_key[128];        /* self-signed */
    struct host_runtime rt;
    struct host_session sess;
    struct tern_ctx ctx;
    struct tern_host_api api;
    char err[512];
    /* one connection */
    int sfd, cfd;
    struct host_tls_conn *srv_conn;
    SSL_CTX *cctx;
    SSL *cli_ssl;
};

extern struct tls_fix fix;
extern const char *fix_peer_ciphers;

/* CMocka group setup/teardown: certificates once per group. */
int tls_fix_group_setup(void **state);
int tls_fix_group_teardown(void **state);
/* Per test: fresh runtime options (certificate, key, CA), no session. */
int tls_fix_setup(void **state);
int tls_fix_teardown(void **state);

/* host_tls_server_init() with the current options; 0 or -1 (fix.err). */
int tls_fix_init(void);
/* Socketpair, server side accepted, client SSL made (not started);
 * `client_cert` / `client_key` may be NULL; 0 or -1. */
int tls_fix_connect(const char *client_cert, const char *client_key);
/* Drive both handshakes; 0 when both finished, -1 when either failed
 * (server's result in *srv_rc when not NULL). */
int tls_fix_handshake(int *srv_rc);
/* Close the connection of tls_fix_connect(). */
void tls_fix_disconnect(void);
/* Client reads whatever arrived (processes tickets); bytes read. */
int tls_fix_client_drain(char *buf, int len);

#endif
