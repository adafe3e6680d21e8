/*
 * NAME
 *   tls.h - server-side TLS with OpenSSL 3 (STARTTLS and TLS-on-connect)
 *
 * SYNOPSIS
 *   host_tls_server_init(rt, err, sizeof err);         once, in the master
 *   conn = host_tls_accept(ctx, fd);                    per session
 *   while ((rc = host_tls_handshake(conn)) == HOST_TLS_WANT_READ ...)
 *   n = host_tls_read(conn, buf, sizeof buf);
 *
 * DESCRIPTION
 *   Non-blocking: every call that would block returns HOST_TLS_WANT_READ
 *   or HOST_TLS_WANT_WRITE and the caller's event loop retries when the
 *   socket is ready, so one worker can hold many TLS sessions.  The
 *   context (certificate, key, ciphers, CA for client certificates) is
 *   built from the main options once and shared by every worker; session
 *   ticket keys live in memory only (resumption: issue 7).
 */
#ifndef TERN_HOST_TLS_H
#define TERN_HOST_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "ctx.h"

enum {
    HOST_TLS_OK = 0,
    HOST_TLS_WANT_READ = -2,
    HOST_TLS_WANT_WRITE = -3,
    HOST_TLS_ERROR = -1,        /* handshake or I/O failed: see why */
    HOST_TLS_EOF = -4           /* peer closed (close_notify or EOF) */
};

struct host_tls_conn;

/* Build the server context from tls_certificate, tls_privatekey,
 * tls_require_ciphers, tls_verify_certificates ...; 0, or -1 with err.
 * Without tls_certificate TLS is simply not offered (returns 0). */
int host_tls_server_init(struct host_runtime *rt, char *err, size_t errlen);
/* Is TLS available at all (a certificate was configured)? */
int host_tls_server_available(void);

/* Start a server-side TLS session on `fd` for the session in ctx; the
 * host list options (tls_verify_hosts ...) are evaluated here. */
struct host_tls_conn *host_tls_accept(struct tern_ctx *ctx, int fd);
/* Drive the handshake: HOST_TLS_OK when done, WANT_* to retry, ERROR. */
int host_tls_handshake(struct host_tls_conn *c);
/* >0 bytes, HOST_TLS_EOF, or a HOST_TLS_WANT_* / HOST_TLS_ERROR code. */
ssize_t host_tls_read(struct host_tls_conn *c, void *buf, size_t n);
ssize_t host_tls_write(struct host_tls_conn *c, const void *buf, size_t n);
/* Bytes already decrypted and buffered (pipelined input after the
 * handshake must not wait for the socket to become readable). */
size_t host_tls_pending(const struct host_tls_conn *c);
/* Fill $tls_in_* (cipher, version, peer DN, SNI, verification). */
void host_tls_info(const struct host_tls_conn *c, struct host_tls_info *out);
/* Why the last call failed (OpenSSL's text), for the log. */
const char *host_tls_error(const struct host_tls_conn *c);
/* Send close_notify (best effort) and free. */
void host_tls_close(struct host_tls_conn *c);

#endif
