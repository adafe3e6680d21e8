/*
 * NAME
 *   tls_conn.c - one server-side TLS session over a non-blocking socket
 *
 * SYNOPSIS
 *   c = host_tls_accept(&ctx, fd);
 *   rc = host_tls_handshake(c);        HOST_TLS_OK / WANT_READ / ...
 *   n = host_tls_read(c, buf, sizeof buf);
 *   n = host_tls_write(c, out, len);
 *   host_tls_close(c);
 *
 * DESCRIPTION
 *   OpenSSL reads and writes the descriptor itself (SSL_set_fd); every
 *   call that would block comes back as HOST_TLS_WANT_READ or
 *   HOST_TLS_WANT_WRITE for the caller's event loop.  Read-ahead is on,
 *   so a record or more can sit inside OpenSSL while the socket is empty:
 *   host_tls_pending() tells the caller to read again before waiting.
 *
 *   Client certificates, per session (Exim 4.96's rules): a peer in
 *   tls_verify_hosts must send one that verifies or the handshake fails;
 *   one in tls_try_verify_hosts is asked, and the answer only sets
 *   $tls_in_certificate_verified; any other is not asked.
 *
 *   The callbacks every context installs live here too: SNI (recorded,
 *   and the certificate chosen again when tls_certificate depends on
 *   it), ALPN, OCSP stapling and the client-hello inspection behind the
 *   $tls_in_resumption bits.
 *
 * DIAGNOSTICS
 *   host_tls_error() gives Exim's "(SSL_accept): <OpenSSL's reason>";
 *   a peer that closes during the handshake gives "(SSL_accept): TCP
 *   connection closed by peer".
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include "tls_int.h"

static char accept_err[320];

/* ---- callbacks ---- */

static struct host_tls_conn *
conn_of(SSL *ssl)
{
    return SSL_get_app_data(ssl);
}

static int
cb_verify_try(int ok, X509_STORE_CTX *store)
{
    (void)ok;
    (void)store;
    return 1;           /* the result stays in SSL_get_verify_result() */
}

/* Choose the certificate again for this SNI when the options say so. */
static int
sni_switch(SSL *ssl, struct host_tls_conn *c)
{
    struct tern_ctx *ctx = c->ctx;
    const char *saved = ctx->sess ? ctx->sess->tls_in.sni : NULL;
    const char *certs, *keys;
    char err[256];
    SSL_CTX *sctx = NULL;

    if (ctx->sess != NULL)
        ctx->sess->tls_in.sni = c->sni;
    if (tls_opt(ctx, &ctx->rt->opts.tls_certificate, "tls_certificate",
                &certs, err, sizeof err) == 0 && certs != NULL && *certs &&
        tls_opt(ctx, &ctx->rt->opts.tls_privatekey, "tls_privatekey",
                &keys, err, sizeof err) == 0)
        sctx = tls_sni_context(certs, keys, err, sizeof err);
    if (ctx->sess != NULL)
        ctx->sess->tls_in.sni = saved;
    if (sctx == NULL) {
        snprintf(c->err, sizeof c->err, "(SSL_accept): SNI: %s", err);
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (sctx != SSL_get_SSL_CTX(ssl))
        SSL_set_SSL_CTX(ssl, sctx);
    return SSL_TLSEXT_ERR_OK;
}

int
tls_cb_servername(SSL *ssl, int *alert, void *arg)
{
    struct host_tls_conn *c = conn_of(ssl);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

    (void)arg;
    if (c == NULL || name == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    free(c->sni);
    if ((c->sni = strdup(name)) == NULL)
        abort();
    if (tls_srv.cert_per_sni) {
        int rc = sni_switch(ssl, c);
        if (rc != SSL_TLSEXT_ERR_OK)
            *alert = SSL_AD_INTERNAL_ERROR;
        return rc;
    }
    return SSL_TLSEXT_ERR_OK;
}

int
tls_cb_client_hello(SSL *ssl, int *alert, void *arg)
{
    struct host_tls_conn *c = conn_of(ssl);
    const unsigned char *ext;
    size_t len;

    (void)alert;
    (void)arg;
    if (c == NULL)
        return SSL_CLIENT_HELLO_SUCCESS;
    /* TLS 1.2 asks with an empty session_ticket extension and offers
     * with a full one; TLS 1.3 asks with psk_key_exchange_modes and
     * offers with pre_shared_key. */
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &ext,
                                  &len)) {
        c->resumption |= TLS_RESUME_CLIENT_REQ;
        if (len > 0)
            c->resumption |= TLS_RESUME_CLIENT_OFFER;
    }
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk_kex_modes, &ext,
                                  &len))
        c->resumption |= TLS_RESUME_CLIENT_REQ;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &ext, &len))
        c->resumption |= TLS_RESUME_CLIENT_OFFER;
    return SSL_CLIENT_HELLO_SUCCESS;
}

int
tls_cb_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
            const unsigned char *in, unsigned int inlen, void *arg)
{
    unsigned char *sel;

    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&sel, outlen, tls_srv.alpn,
                              (unsigned)tls_srv.alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

int
tls_cb_status(SSL *ssl, void *arg)
{
    struct host_tls_conn *c = conn_of(ssl);
    unsigned char *der;

    (void)arg;
    if (c == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    if (tls_srv.ocsp == NULL || tls_srv.ocsp_len == 0) {
        c->ocsp = TLS_OCSP_NOT_RESP;
        return SSL_TLSEXT_ERR_NOACK;
    }
    if ((der = OPENSSL_malloc(tls_srv.ocsp_len)) == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    memcpy(der, tls_srv.ocsp, tls_srv.ocsp_len);
    SSL_set_tlsext_status_ocsp_resp(ssl, der, (long)tls_srv.ocsp_len);
    c->ocsp = TLS_OCSP_VFY_NOT_TRIED;
    return SSL_TLSEXT_ERR_OK;
}

/* ---- the session ---- */

static int
setup(struct host_tls_conn *c, struct tern_ctx *ctx)
{
    struct host_runtime *rt = ctx->rt;

    if (tls_srv.ciphers_per_session) {
        const char *v;

        if (tls_opt(ctx, &rt->opts.tls_require_ciphers,
                    "tls_require_ciphers", &v, accept_err,
                    sizeof accept_err) < 0)
            return -1;
        if (v != NULL && *v &&
            tls_set_ciphers(NULL, c->ssl, v, accept_err,
                            sizeof accept_err) < 0)
            return -1;
    }
    if (tls_hostlist(ctx, &rt->opts.tls_verify_hosts))
        c->verify = 2;
    else if (tls_hostlist(ctx, &rt->opts.tls_try_verify_hosts))
        c->verify = 1;
    if (c->verify == 2)
        SSL_set_verify(c->ssl, SSL_VERIFY_PEER |
                                   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    else if (c->verify == 1)
        SSL_set_verify(c->ssl, SSL_VERIFY_PEER, cb_verify_try);
    else
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
    c->resume_ok = tls_hostlist(ctx, &rt->opts.tls_resumption_hosts);
    if (!c->resume_ok) {
        SSL_set_options(c->ssl, SSL_OP_NO_TICKET);
        SSL_set_num_tickets(c->ssl, 0);
    }
    return 0;
}

struct host_tls_conn *
host_tls_accept(struct tern_ctx *ctx, int fd)
{
    struct host_tls_conn *c;

    if (!tls_srv.available) {
        snprintf(accept_err, sizeof accept_err,
                 "TLS not available (no tls_certificate)");
        return NULL;
    }
    if ((c = calloc(1, sizeof *c)) == NULL)
        abort();
    c->fd = fd;
    c->ctx = ctx;
    c->resumption = TLS_RESUME_SUPPORT;
    ERR_clear_error();
    if ((c->ssl = SSL_new(tls_srv.ctx)) == NULL ||
        !SSL_set_fd(c->ssl, fd)) {
        char why[256];
        tls_openssl_error(why, sizeof why);
        snprintf(accept_err, sizeof accept_err, "(SSL_new): %s", why);
        SSL_free(c->ssl);
        free(c);
        return NULL;
    }
    SSL_set_app_data(c->ssl, c);
    SSL_set_accept_state(c->ssl);
    if (setup(c, ctx) < 0) {
        SSL_free(c->ssl);
        free(c);
        return NULL;
    }
    return c;
}

/* Map an OpenSSL failure to our codes, keeping the reason. */
static int
failed(struct host_tls_conn *c, int rc, const char *fn)
{
    char why[256];
    int e = SSL_get_error(c->ssl, rc);

    switch (e) {
    case SSL_ERROR_WANT_READ:
        return HOST_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return HOST_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        if (c->established)
            return HOST_TLS_EOF;
        snprintf(c->err, sizeof c->err,
                 "(%s): TCP connection closed by peer", fn);
        return HOST_TLS_ERROR;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return HOST_TLS_WANT_READ;
            snprintf(c->err, sizeof c->err, "(%s): %s", fn,
                     errno ? strerror(errno)
                           : "TCP connection closed by peer");
            return c->established && errno == 0 ? HOST_TLS_EOF
                                                : HOST_TLS_ERROR;
        }
        break;
    default:
        break;
    }
    if (c->err[0] == '\0' || c->established) {
        tls_openssl_error(why, sizeof why);
        snprintf(c->err, sizeof c->err, "(%s): %s", fn, why);
    }
    ERR_clear_error();
    return HOST_TLS_ERROR;
}

int
host_tls_handshake(struct host_tls_conn *c)
{
    int rc;

    if (c->established)
        return HOST_TLS_OK;
    ERR_clear_error();
    errno = 0;
    rc = SSL_do_handshake(c->ssl);
    if (rc == 1) {
        c->established = 1;
        if (SSL_session_reused(c->ssl))
            c->resumption |= TLS_RESUME_USED;
        return HOST_TLS_OK;
    }
    return failed(c, rc, "SSL_accept");
}

ssize_t
host_tls_read(struct host_tls_conn *c, void *buf, size_t n)
{
    size_t got = 0;

    if (!c->established) {
        int rc = host_tls_handshake(c);
        if (rc != HOST_TLS_OK)
            return rc;
    }
    ERR_clear_error();
    errno = 0;
    if (SSL_read_ex(c->ssl, buf, n, &got) == 1)
        return (ssize_t)got;
    return failed(c, 0, "SSL_read");
}

ssize_t
host_tls_write(struct host_tls_conn *c, const void *buf, size_t n)
{
    size_t put = 0;

    if (n == 0)
        return 0;
    ERR_clear_error();
    errno = 0;
    if (SSL_write_ex(c->ssl, buf, n, &put) == 1)
        return (ssize_t)put;
    return failed(c, 0, "SSL_write");
}

size_t
host_tls_pending(const struct host_tls_conn *c)
{
    int n = SSL_pending(c->ssl);

    if (n > 0)
        return (size_t)n;
    return SSL_has_pending(c->ssl) ? 1 : 0;
}

const char *
host_tls_error(const struct host_tls_conn *c)
{
    if (c == NULL)
        return accept_err;
    return c->err[0] ? c->err : "(SSL_accept): unknown TLS error";
}

int
host_tls_ocsp(const struct host_tls_conn *c)
{
    return c->ocsp;
}

void
host_tls_close(struct host_tls_conn *c)
{
    if (c == NULL)
        return;
    if (c->established) {
        ERR_clear_error();
        (void)SSL_shutdown(c->ssl);     /* one try: never wait for it */
        ERR_clear_error();
    }
    SSL_free(c->ssl);
    free(c->sni);
    free(c);
}
