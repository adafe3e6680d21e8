/*
 * NAME
 *   tls_fixture.c - certificates, a fake runtime and an OpenSSL client
 *   for the server-side TLS tests
 *
 * DESCRIPTION
 *   See tls_fixture.h.  Certificates are made with the OpenSSL API (no
 *   openssl(1) needed), EC P-256 except for the one RSA server key that
 *   the several-certificates test needs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <tern/module.h>

#include "arena.h"
#include "tls_fixture.h"

struct tls_fix fix;
const char *fix_peer_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";

/* ---- stubs of the host functions tls_*.c call ---- */

int
host_expand(struct tern_ctx *ctx, const char *s, const char **out,
            const char **err)
{
    const char *sni = ctx->sess ? ctx->sess->tls_in.sni : NULL;
    int other = sni != NULL && strcmp(sni, "other.example") == 0;

    if (strcmp(s, "${sni_cert:$tls_in_sni}") == 0)
        *out = other ? fix.other : fix.srv;
    else if (strcmp(s, "${sni_key:$tls_in_sni}") == 0)
        *out = other ? fix.other_key : fix.srv_key;
    else if (strcmp(s, "${peer_ciphers}") == 0)
        *out = fix_peer_ciphers;
    else if (strcmp(s, "${fail}") == 0)
        return 1;
    else {
        *err = "stub cannot expand this";
        return -1;
    }
    return 0;
}

int
host_expand_exp(struct tern_ctx *ctx, const struct tern_exp *e,
                const char **out, size_t *olen, const char **err)
{
    (void)ctx;
    (void)e;
    (void)out;
    (void)olen;
    *err = "no parsed expressions in this test";
    return -1;
}

static int
stub_match_hostlist(struct tern_ctx *ctx, const char *list)
{
    const char *ip = ctx->sess ? ctx->sess->peer_address : NULL;
    char item[64];
    size_t n;

    for (const char *p = list; *p;) {
        n = strcspn(p, ":");
        snprintf(item, sizeof item, "%.*s", (int)n, p);
        if (strcmp(item, "*") == 0 || (ip && strcmp(item, ip) == 0))
            return TERN_OK;
        p += n + (p[n] == ':');
    }
    return TERN_FAIL;
}

/* ---- certificates ---- */

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    assert_non_null(ext);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

/* subject "/F=v/F=v"; issuer NULL: self-signed. */
static void
make_cert(const char *cert_path, const char *key_path, const char *subject,
          int rsa, int ca, const char *issuer_cert, const char *issuer_key)
{
    EVP_PKEY *key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    EVP_PKEY *ikey = key;
    X509 *cert = X509_new(), *issuer = NULL;
    X509_NAME *name = X509_NAME_new();
    char buf[256];
    FILE *f;
    static long serial = 1;

    assert_non_null(key);
    snprintf(buf, sizeof buf, "%s", subject);
    for (char *tok = strtok(buf, "/"); tok; tok = strtok(NULL, "/")) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        X509_NAME_add_entry_by_txt(name, tok, MBSTRING_UTF8,
                                   (unsigned char *)eq + 1, -1, -1, 0);
    }
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * 365);
    X509_set_subject_name(cert, name);
    X509_set_pubkey(cert, key);
    if (issuer_cert != NULL) {
        f = fopen(issuer_cert, "r");
        issuer = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
        f = fopen(issuer_key, "r");
        ikey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        X509_set_issuer_name(cert, X509_get_subject_name(issuer));
    } else {
        X509_set_issuer_name(cert, name);
    }
    add_ext(cert, issuer ? issuer : cert, NID_basic_constraints,
            ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca)
        add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert, issuer ? issuer : cert, NID_subject_key_identifier, "hash");
    assert_true(X509_sign(cert, ikey, EVP_sha256()) > 0);
    f = fopen(cert_path, "w");
    PEM_write_X509(f, cert);
    fclose(f);
    f = fopen(key_path, "w");
    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    if (ikey != key)
        EVP_PKEY_free(ikey);
    EVP_PKEY_free(key);
    X509_free(issuer);
    X509_free(cert);
    X509_NAME_free(name);
}

static void
path(char *out, const char *name)
{
    snprintf(out, 128, "%s/%s", fix.dir, name);
}

int
tls_fix_group_setup(void **state)
{
    (void)state;
    snprintf(fix.dir, sizeof fix.dir, "/tmp/tern-tls-test-XXXXXX");
    if (mkdtemp(fix.dir) == NULL)
        return -1;
    path(fix.ca, "ca.pem");
    path(fix.ca_key, "ca.key");
    path(fix.srv, "server.pem");
    path(fix.srv_key, "server.key");
    path(fix.srv_rsa, "server-rsa.pem");
    path(fix.srv_rsa_key, "server-rsa.key");
    path(fix.other, "other.pem");
    path(fix.other_key, "other.key");
    path(fix.cli, "client.pem");
    path(fix.cli_key, "client.key");
    path(fix.rogue, "rogue.pem");
    path(fix.rogue_key, "rogue.key");
    make_cert(fix.ca, fix.ca_key, "CN=Tern Test CA/O=Tern", 0, 1, NULL, NULL);
    make_cert(fix.srv, fix.srv_key, "CN=mail.test.example", 0, 0, fix.ca,
              fix.ca_key);
    make_cert(fix.srv_rsa, fix.srv_rsa_key, "CN=rsa.test.example", 1, 0,
              fix.ca, fix.ca_key);
    make_cert(fix.other, fix.other_key, "CN=other.test.example", 0, 0,
              fix.ca, fix.ca_key);
    make_cert(fix.cli, fix.cli_key,
              "C=GB/O=Example, Ltd/CN=client.example", 0, 0, fix.ca,
              fix.ca_key);
    make_cert(fix.rogue, fix.rogue_key, "CN=rogue.example", 0, 0, NULL,
              NULL);
    return 0;
}

int
tls_fix_group_teardown(void **state)
{
    char cmd[128];

    (void)state;
    host_tls_server_free();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fix.dir);
    return system(cmd) == 0 ? 0 : -1;
}

int
tls_fix_setup(void **state)
{
    (void)state;
    memset(&fix.rt, 0, sizeof fix.rt);
    memset(&fix.sess, 0, sizeof fix.sess);
    fix.rt.arena = tern_arena_new();
    fix.api.size = sizeof fix.api;
    fix.api.abi_version = TERN_ABI_VERSION;
    fix.api.match_hostlist = stub_match_hostlist;
    fix.rt.api = &fix.api;
    fix.rt.opts.tls_certificate.text = fix.srv;
    fix.rt.opts.tls_privatekey.text = fix.srv_key;
    fix.rt.opts.tls_verify_certificates.text = fix.ca;
    fix.rt.opts.tls_advertise_hosts.text = "*";
    fix.rt.opts.tls_alpn.text = "smtp:esmtp";
    fix.rt.opts.tls_eccurve.text = "auto";
    fix.sess.arena = tern_arena_new();
    fix.sess.peer_address = "127.0.0.1";
    fix.sess.is_smtp = 1;
    fix.ctx.rt = &fix.rt;
    fix.ctx.sess = &fix.sess;
    fix.ctx.arena = fix.sess.arena;
    fix.sfd = fix.cfd = -1;
    fix.err[0] = '\0';
    return 0;
}

int
tls_fix_teardown(void **state)
{
    (void)state;
    tls_fix_disconnect();
    host_tls_server_free();
    tern_arena_free(fix.sess.arena);
    tern_arena_free(fix.rt.arena);
    return 0;
}

int
tls_fix_init(void)
{
    return host_tls_server_init(&fix.rt, fix.err, sizeof fix.err);
}

int
tls_fix_connect(const char *client_cert, const char *client_key)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -1;
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    fix.sfd = sv[0];
    fix.cfd = sv[1];
    fix.srv_conn = host_tls_accept(&fix.ctx, fix.sfd);
    if (fix.srv_conn == NULL)
        return -1;
    fix.cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(fix.cctx, SSL_VERIFY_NONE, NULL);
    /* No client cache: freeing the context would mark every session in
     * it not resumable, and the tests keep sessions across contexts. */
    SSL_CTX_set_session_cache_mode(fix.cctx, SSL_SESS_CACHE_OFF);
    if (client_cert != NULL) {
        if (SSL_CTX_use_certificate_file(fix.cctx, client_cert,
                                         SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_use_PrivateKey_file(fix.cctx, client_key,
                                        SSL_FILETYPE_PEM) != 1)
            return -1;
    }
    fix.cli_ssl = SSL_new(fix.cctx);
    SSL_set_fd(fix.cli_ssl, fix.cfd);
    SSL_set_connect_state(fix.cli_ssl);
    return 0;
}

int
tls_fix_handshake(int *srv_rc)
{
    int sdone = 0, cdone = 0, rc = 0;

    for (int i = 0; i < 200 && !(sdone && cdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(fix.cli_ssl);
            if (r == 1)
                cdone = 1;
            else {
                int e = SSL_get_error(fix.cli_ssl, r);
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                    cdone = -1;
            }
        }
        if (!sdone) {
            rc = host_tls_handshake(fix.srv_conn);
            if (rc == HOST_TLS_OK)
                sdone = 1;
            else if (rc != HOST_TLS_WANT_READ && rc != HOST_TLS_WANT_WRITE)
                sdone = -1;
        }
        if (sdone < 0 || (cdone < 0 && sdone))
            break;
        /* A failed client leaves the server waiting for bytes that never
         * come: let the server see the alert, then stop. */
        if (cdone < 0 && i > 20)
            break;
    }
    ERR_clear_error();
    if (srv_rc != NULL)
        *srv_rc = rc;
    return sdone == 1 && cdone == 1 ? 0 : -1;
}

int
tls_fix_client_drain(char *buf, int len)
{
    int total = 0;

    for (int i = 0; i < 10; i++) {
        size_t got = 0;
        if (SSL_read_ex(fix.cli_ssl, buf + total, (size_t)(len - total),
                        &got) == 1)
            total += (int)got;
        else if (SSL_get_error(fix.cli_ssl, 0) != SSL_ERROR_WANT_READ)
            break;
    }
    ERR_clear_error();
    return total;
}

void
tls_fix_disconnect(void)
{
    if (fix.srv_conn != NULL)
        host_tls_close(fix.srv_conn);
    fix.srv_conn = NULL;
    /* A session freed without a shutdown is marked not resumable. */
    if (fix.cli_ssl != NULL)
        SSL_set_shutdown(fix.cli_ssl,
                         SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(fix.cli_ssl);
    fix.cli_ssl = NULL;
    SSL_CTX_free(fix.cctx);
    fix.cctx = NULL;
    if (fix.sfd >= 0)
        close(fix.sfd);
    if (fix.cfd >= 0)
        close(fix.cfd);
    fix.sfd = fix.cfd = -1;
}
