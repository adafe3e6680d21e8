/*
 * NAME
 *   tls_int.h - what the server-side TLS files share (not for callers)
 *
 * DESCRIPTION
 *   tls_server.c builds the OpenSSL contexts from the main options,
 *   tls_conn.c runs one session over a non-blocking descriptor,
 *   tls_info.c reads what a finished handshake established ($tls_in_*),
 *   tls_keys.c keeps the session-ticket keys.  Callers use tls.h only.
 */
#ifndef TERN_HOST_TLS_INT_H
#define TERN_HOST_TLS_INT_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "tls.h"

/* Process-wide server state, built by host_tls_server_init() in the
 * master and inherited by every worker it forks. */
struct tls_server {
    struct host_runtime *rt;
    SSL_CTX *ctx;               /* certificates of tls_certificate as
                                   expanded at start-up */
    int available;
    /* tls_certificate or tls_privatekey mention $tls_sni / $tls_in_sni:
     * re-expanded once the client's SNI is known. */
    int cert_per_sni;
    /* tls_require_ciphers contains `$`: expanded for each session. */
    int ciphers_per_session;
    /* Shared by every context (one per certificate set). */
    X509_STORE *store;                  /* tls_verify_certificates, tls_crl */
    STACK_OF(X509_NAME) *client_cas;    /* CA names sent with the request */
    unsigned char *alpn;                /* tls_alpn in wire format */
    size_t alpn_len;
    unsigned char *ocsp;                /* tls_ocsp_file, DER */
    size_t ocsp_len;
    /* Contexts for other certificate sets chosen by SNI. */
    struct tls_sni_ctx {
        char *key;                      /* "certs\nkeys" as expanded */
        SSL_CTX *ctx;
    } *sni;
    size_t n_sni;
};

extern struct tls_server tls_srv;

/* One server-side session. */
struct host_tls_conn {
    SSL *ssl;
    int fd;
    struct tern_ctx *ctx;
    int established;            /* handshake done */
    int verify;                 /* 0 none, 1 try (optional), 2 required */
    int resume_ok;              /* host in tls_resumption_hosts */
    int ocsp;                   /* $tls_in_ocsp */
    unsigned resumption;        /* $tls_in_resumption bits */
    char *sni;                  /* malloc'd */
    char err[320];              /* "(SSL_accept): ..." */
};

/* Bits of $tls_in_resumption (the seed's definition). */
#define TLS_RESUME_SUPPORT      0x01u   /* support built */
#define TLS_RESUME_CLIENT_REQ   0x02u   /* client requested a ticket */
#define TLS_RESUME_CLIENT_OFFER 0x04u   /* client offered a session */
#define TLS_RESUME_ISSUED       0x08u   /* server issued a ticket */
#define TLS_RESUME_USED         0x10u   /* the session was resumed */

/* Exim's $tls_in_ocsp values. */
#define TLS_OCSP_NOT_REQ    0   /* the client did not ask */
#define TLS_OCSP_NOT_RESP   1   /* it asked; no response configured */
#define TLS_OCSP_VFY_NOT_TRIED 2 /* a response was stapled */

/* tls_server.c: an option as its text expanded in ctx: 0 with *out
 * (NULL when unset or forced to fail), -1 with err. */
int tls_opt(struct tern_ctx *ctx, const struct tern_text *t,
            const char *name, const char **out, char *err, size_t errlen);
/* tls_server.c: the context for certificate list `certs` / `keys`
 * (from the SNI cache, built on first use); NULL with err. */
SSL_CTX *tls_sni_context(const char *certs, const char *keys, char *err,
                         size_t errlen);
/* tls_server.c: the list `name` (its text) matched against the session's
 * host: 1 yes, 0 no (also on deferral, as Exim). */
int tls_hostlist(struct tern_ctx *ctx, const struct tern_text *list);
/* tls_server.c: split tls_require_ciphers into the TLS 1.2 cipher list
 * and the TLS 1.3 suites and apply them to ctx or ssl; -1 with err. */
int tls_set_ciphers(SSL_CTX *ctx, SSL *ssl, const char *spec, char *err,
                    size_t errlen);

/* tls_conn.c: the callbacks every context installs. */
int tls_cb_servername(SSL *ssl, int *alert, void *arg);
int tls_cb_client_hello(SSL *ssl, int *alert, void *arg);
int tls_cb_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                const unsigned char *in, unsigned int inlen, void *arg);
int tls_cb_status(SSL *ssl, void *arg);
/* The most recent OpenSSL error as text ("error:0A00010B:SSL
 * routines::wrong version number"), into buf. */
void tls_openssl_error(char *buf, size_t len);

/* tls_keys.c: the session-ticket callback every context installs. */
int tls_cb_ticket_key(SSL *ssl, unsigned char key_name[16],
                      unsigned char *iv, EVP_CIPHER_CTX *cctx,
                      EVP_MAC_CTX *hctx, int enc);

#endif
