/*
 * NAME
 *   tls_info.c - what a finished handshake established, as $tls_in_*
 *
 * SYNOPSIS
 *   host_tls_info(conn, &ctx->sess->tls_in);
 *
 * DESCRIPTION
 *   The formats are those of Exim 4.96 built with OpenSSL, so ACLs,
 *   received_header_text and log parsers written for it keep working:
 *
 *     $tls_in_cipher    "TLS1.3:TLS_AES_256_GCM_SHA384:256": protocol
 *                       without OpenSSL's "v", OpenSSL's cipher name,
 *                       secret bits (the X= log element)
 *     $tls_in_ver       "TLS1.3"
 *     $tls_in_cipher_std the IANA/RFC name, "TLS_AES_256_GCM_SHA384"
 *     $tls_in_peerdn    OpenSSL's one-line form of the subject,
 *                       "/C=GB/O=Example/CN=client.example" (the DN= log
 *                       element), set whether or not it verified
 *     $tls_in_bits      256
 *     $tls_in_certificate_verified  1 only when a certificate was sent
 *                       and its chain verified
 *     $tls_in_sni       the name the client asked for, as sent
 *     $tls_in_resumption bits 0-4: support built, client requested a
 *                       ticket, client offered a session, server issued
 *                       a ticket, session resumed
 */
#include "config.h"

#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "arena.h"
#include "tls_int.h"

static struct tern_arena *
arena_of(const struct host_tls_conn *c)
{
    if (c->ctx->sess != NULL && c->ctx->sess->arena != NULL)
        return c->ctx->sess->arena;
    return c->ctx->arena;
}

/* "TLSv1.3" -> "TLS1.3"; other spellings as they are. */
static const char *
version_name(struct tern_arena *a, SSL *ssl)
{
    const char *v = SSL_get_version(ssl);

    if (strncmp(v, "TLSv", 4) == 0)
        return tern_printf(a, "TLS%s", v + 4);
    return tern_strdup(a, v);
}

void
host_tls_info(const struct host_tls_conn *c, struct host_tls_info *out)
{
    struct tern_arena *a = arena_of(c);
    const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
    X509 *peer = SSL_get0_peer_certificate(c->ssl);
    const char *ver = version_name(a, c->ssl);
    unsigned resumption = c->resumption;

    memset(out, 0, sizeof *out);
    out->active = c->established;
    out->ver = ver;
    if (ci != NULL) {
        const char *std = SSL_CIPHER_standard_name(ci);

        out->bits = SSL_CIPHER_get_bits(ci, NULL);
        out->cipher = tern_printf(a, "%s:%s:%d", ver, SSL_CIPHER_get_name(ci),
                                  out->bits);
        out->cipher_std = std ? tern_strdup(a, std) : NULL;
    }
    if (peer != NULL) {
        char *dn = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);

        if (dn != NULL) {
            out->peerdn = tern_strdup(a, dn);
            OPENSSL_free(dn);
        }
        out->certificate_verified =
            c->verify != 0 && SSL_get_verify_result(c->ssl) == X509_V_OK;
    }
    if (c->sni != NULL)
        out->sni = tern_strdup(a, c->sni);
    if (SSL_session_reused(c->ssl))
        resumption |= TLS_RESUME_USED;
    out->resumption = resumption;
}

void *
host_tls_peer_cert(const struct host_tls_conn *c)
{
    return SSL_get0_peer_certificate(c->ssl);
}
