/*
 * NAME
 *   smtp_tls.c - STARTTLS and TLS-on-connect for the SMTP engine
 *
 * DESCRIPTION
 *   STARTTLS is offered (smtp_tls_offerable) to remote clients that
 *   match tls_advertise_hosts when tls.h has a certificate to use, and
 *   never inside TLS.  An accepted STARTTLS (acl_smtp_starttls) is
 *   answered "220 TLS go ahead"; anything the client sent after it in
 *   clear is thrown away (a pipelined command must not take effect inside
 *   the TLS session: the STARTTLS command injection attack), then the
 *   handshake runs without blocking.  Afterwards the session starts
 *   afresh, as RFC 3207 requires: no HELO, nothing advertised, no AUTH;
 *   the client sends EHLO again.
 *
 *   With TLS-on-connect the handshake comes first and the banner after
 *   it.
 *
 * DIAGNOSTICS
 *   Main log: "TLS error on connection from H (reason)" when the
 *   handshake fails; the connection is then dropped.
 */
#include "config.h"

#include <string.h>

#include "smtp_int.h"
#include "tls.h"

int
smtp_tls_offerable(struct host_smtp *s)
{
    return s->tls == NULL && !smtp_is_local(s) && s->is_socket &&
           host_tls_server_available() &&
           smtp_hosts(s, &s->rt->opts.tls_advertise_hosts, 1);
}

void
smtp_starttls(struct host_smtp *s, const char *arg)
{
    struct host_acl_result r;
    enum host_acl_verdict v;

    (void)arg;
    if (s->tls != NULL) {
        smtp_synprot(s, 554, "Already in TLS", 1);
        return;
    }
    if (!s->starttls) {
        smtp_synprot(s, 503, "STARTTLS command used when not advertised",
                     1);
        return;
    }
    v = smtp_acl(s, HOST_ACL_STARTTLS, s->rt->opts.acl_smtp_starttls.text,
                 NULL, &r);
    if (v != HOST_ACL_ACCEPT) {
        smtp_acl_refuse(s, HOST_ACL_STARTTLS, v, &r, "STARTTLS", 0, NULL);
        return;
    }
    s->tls_pending = host_tls_accept(s->ctx, s->fd);
    if (s->tls_pending == NULL) {
        smtp_reply(s, 454, "TLS currently unavailable");
        return;
    }
    smtp_in_clear(s);
    smtp_txn_reset(s);
    smtp_reply(s, 220, "TLS go ahead");
    s->phase = PH_STARTTLS;
    smtp_touch(s);
}

static void
established(struct host_smtp *s)
{
    host_tls_info(s->tls, &s->sess->tls_in);
    s->sess->tls_in.active = 1;
    s->tls_io_want = 0;
    smtp_touch(s);
    if (s->phase == PH_TLS_CONNECT) {
        smtp_auth_tls(s);
        smtp_set_protocol(s);
        smtp_banner(s);
        return;
    }
    /* STARTTLS forgets the HELO and any AUTH; the certificate then
     * authenticates afresh. */
    smtp_forget_helo(s);
    smtp_auth_tls(s);
    s->starttls_free = 1;
    s->phase = PH_CMD;
}

int
smtp_tls_drive(struct host_smtp *s)
{
    int rc;

    if (s->phase == PH_STARTTLS && s->tls == NULL) {
        if (smtp_out_pending(s) > 0)
            return 0;           /* the 220 first, in clear */
        s->tls = s->tls_pending;
        s->tls_pending = NULL;
        smtp_in_clear(s);
    }
    rc = host_tls_handshake(s->tls);
    if (rc == HOST_TLS_WANT_READ || rc == HOST_TLS_WANT_WRITE) {
        s->tls_io_want = rc;
        return 0;
    }
    if (rc != HOST_TLS_OK) {
        const char *why = host_tls_error(s->tls);

        /* host_tls_error() already reads "(SSL_accept): ...". */
        smtp_log(s, TERN_LOG_MAIN, NULL, "TLS error on connection from %s "
                 "%s", smtp_host_ident(s, 0),
                 why ? why : rc == HOST_TLS_EOF ? "(connection closed)"
                                                : "(handshake failed)");
        s->io_error = 1;
        smtp_close(s, "tls-failed");
        return 1;
    }
    established(s);
    return 1;
}
