/*
 * NAME
 *   tls.h - server-side TLS with OpenSSL 3 (STARTTLS and TLS-on-connect)
 *
 * SYNOPSIS
 *   host_tls_server_init(rt, err, sizeof err);         once, in the master
 *   conn = host_tls_accept(ctx, fd);                    per session
 *   while ((rc = host_tls_handshake(conn)) == HOST_TLS_WANT_READ ...)
 *   n = host_tls_read(conn, buf, sizeof buf);
 *   host_tls_info(conn, &ctx->sess->tls_in);
 *   host_tls_close(conn);                               (fd stays open)
 *
 * DESCRIPTION
 *   Non-blocking: every call that would block returns HOST_TLS_WANT_READ
 *   or HOST_TLS_WANT_WRITE and the caller's event loop retries when the
 *   socket is ready, so one worker can hold many TLS sessions.  The
 *   context (certificate, key, ciphers, CA for client certificates) is
 *   built from the main options once and shared by every worker; session
 *   ticket keys live in memory only (resumption: issue 7).
 *
 *   STARTTLS: the engine must drop whatever it had read after the
 *   STARTTLS line before calling host_tls_accept() (plaintext injected
 *   ahead of the handshake is never treated as protected input), and
 *   reset its SMTP state after the handshake, as RFC 3207 says.
 *   TLS-on-connect: call host_tls_accept() before sending the banner.
 *
 *   After a HOST_TLS_WANT_* from host_tls_write() the caller retries with
 *   the same bytes (the buffer may move; the length must not shrink).
 *   Data may be left inside OpenSSL after the handshake or a read (a
 *   pipelining client's commands): when host_tls_pending() is non-zero
 *   read again before waiting for the socket.
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
/* Drop the contexts (before a reload calls host_tls_server_init again,
 * and at exit). */
void host_tls_server_free(void);
/* Offer STARTTLS to this session's client: TLS is available and the
 * peer matches tls_advertise_hosts.  1 or 0. */
int host_tls_advertise(struct tern_ctx *ctx);

/* Start a server-side TLS session on `fd` (non-blocking; the caller
 * keeps owning it) for the session in ctx, which must outlive the
 * connection; the host list options (tls_verify_hosts,
 * tls_try_verify_hosts, tls_resumption_hosts) and a tls_require_ciphers
 * that contains `$` are evaluated here.  NULL when TLS is not available
 * or the session cannot be set up: host_tls_error(NULL) says why. */
struct host_tls_conn *host_tls_accept(struct tern_ctx *ctx, int fd);
/* Drive the handshake: HOST_TLS_OK when done, WANT_* to retry, ERROR. */
int host_tls_handshake(struct host_tls_conn *c);
/* >0 bytes, HOST_TLS_EOF, or a HOST_TLS_WANT_* / HOST_TLS_ERROR code. */
ssize_t host_tls_read(struct host_tls_conn *c, void *buf, size_t n);
ssize_t host_tls_write(struct host_tls_conn *c, const void *buf, size_t n);
/* Bytes already decrypted and buffered (pipelined input after the
 * handshake must not wait for the socket to become readable). */
size_t host_tls_pending(const struct host_tls_conn *c);
/* Fill $tls_in_* (cipher, version, peer DN, SNI, verification,
 * resumption) after the handshake, in Exim 4.96's formats with OpenSSL:
 * cipher "TLS1.3:TLS_AES_256_GCM_SHA384:256", ver "TLS1.3", peerdn
 * "/C=GB/O=Example/CN=client.example", certificate_verified 1 only for
 * a certificate that verified.  Strings come from the session's arena. */
void host_tls_info(const struct host_tls_conn *c, struct host_tls_info *out);
/* Why the last call failed, for the log, in Exim's shape after "TLS
 * error on connection from <host>": "(SSL_accept): error:0A00010B:SSL
 * routines::wrong version number", "(SSL_read): ...".  With c NULL:
 * why host_tls_accept() returned NULL. */
const char *host_tls_error(const struct host_tls_conn *c);
/* $tls_in_ocsp: 0 not requested, 1 requested but nothing to staple,
 * 2 a response was stapled (the server does not verify its own). */
int host_tls_ocsp(const struct host_tls_conn *c);
/* The client's certificate (an OpenSSL X509 *, owned by the connection)
 * or NULL: $tls_in_peercert, ${certextract}, the tls authenticator. */
void *host_tls_peer_cert(const struct host_tls_conn *c);
/* Send close_notify (best effort) and free. */
void host_tls_close(struct host_tls_conn *c);

/* Session-ticket keys (tls_keys.c).  Stateless tickets (TLS 1.2 and
 * 1.3) are sealed with a key that lives only in memory shared by every
 * process forked after host_tls_keys_init() (called by
 * host_tls_server_init(), so in the master before the workers start).
 * The key is replaced hourly by whichever process first needs a key
 * after it expired; the previous one still opens tickets (which are then
 * renewed), older tickets give a full handshake.  Tickets are issued
 * only to clients in tls_resumption_hosts. */
int host_tls_keys_init(char *err, size_t errlen);
void host_tls_keys_free(void);
/* Rotate now (tests, and an admin's "forget every ticket"). */
void host_tls_keys_rotate(void);
/* Seconds a key encrypts new tickets; a ticket lives twice that. */
#define HOST_TLS_KEY_LIFETIME 3600

#endif
