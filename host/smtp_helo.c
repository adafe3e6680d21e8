/*
 * NAME
 *   smtp_helo.c - HELO, EHLO and the commands that carry no message:
 *   HELP, QUIT, VRFY, EXPN, ETRN
 *
 * DESCRIPTION
 *   HELO/EHLO: the argument must be a domain name (letters, digits,
 *   hyphens, dots and the characters of helo_allow_chars) or an address
 *   literal, unless the client matches helo_accept_junk_hosts.  A valid
 *   one resets any transaction, runs acl_smtp_helo, and is answered
 *   "250 <host> Hello <name> [<ip>]"; EHLO adds the extensions in Exim
 *   4.96's order: SIZE, 8BITMIME, DSN, VRFY, EXPN, PIPELINING,
 *   PIPECONNECT, AUTH, CHUNKING, STARTTLS, SMTPUTF8, HELP.  (PRDR and ETRN
 *   are not offered: Tern implements neither yet.)
 *
 *   QUIT runs acl_smtp_quit for its side effects and answers 221 at once:
 *   unlike Exim, nothing holds the reply back.
 *
 *   VRFY: acl_smtp_vrfy decides (unset: refused, with Exim's 252 rather
 *   than a 5xx, for clients that VRFY before every RCPT); an accepted
 *   VRFY verifies through host_verify_hook.  EXPN and ETRN are refused
 *   unless their ACL accepts; Tern cannot yet expand or start a queue
 *   run for them.
 *
 * DIAGNOSTICS
 *   "rejected EHLO from H: syntactically invalid argument(s): ARG" to the
 *   main and reject logs; with +smtp_connection, "SMTP connection from H
 *   closed by QUIT".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "smtp_int.h"

void smtp_helo(struct host_smtp *s, const char *arg, int esmtp);
void smtp_help(struct host_smtp *s);
void smtp_quit(struct host_smtp *s);
void smtp_vrfy(struct host_smtp *s, const char *arg);
void smtp_expn(struct host_smtp *s, const char *arg);
void smtp_etrn(struct host_smtp *s, const char *arg);

void
smtp_set_protocol(struct host_smtp *s)
{
    const char *p;
    int tls = s->tls != NULL && s->sess->tls_in.active;

    if (s->sess->esmtp)
        p = s->authenticated ? (tls ? "esmtpsa" : "esmtpa")
                             : (tls ? "esmtps" : "esmtp");
    else
        p = tls ? "smtps" : "smtp";
    if (smtp_is_local(s))
        p = tern_printf(s->sess->arena, "local-%s", p);
    s->sess->protocol = p;
}

void
smtp_forget_helo(struct host_smtp *s)
{
    s->sess->helo_name = NULL;
    s->sess->esmtp = 0;
    s->helo_seen = 0;
    s->pipelining = s->chunking = s->starttls = s->dsn = 0;
    s->smtputf8 = s->auth_offered = s->pipe_connect = 0;
    s->sess->pipelining_advertised = 0;
    s->sess->pipe_connect_advertised = 0;
    s->authenticated = 0;
    s->sess->authenticated_id = NULL;
    s->sess->auth_mechanism = NULL;
    s->sess->auth_public_name = NULL;
    s->helo_free = s->auth_free = 1;
    smtp_set_protocol(s);
}

static int
valid_literal(const char *arg)
{
    size_t n = strlen(arg);
    char buf[64];
    unsigned char addr[16];

    if (n < 3 || arg[n - 1] != ']' || n - 2 >= sizeof buf)
        return 0;
    memcpy(buf, arg + 1, n - 2);
    buf[n - 2] = '\0';
    if (strncasecmp(buf, "IPv6:", 5) == 0)
        return inet_pton(AF_INET6, buf + 5, addr) == 1;
    return inet_pton(AF_INET, buf, addr) == 1;
}

static int
check_helo(struct host_smtp *s, const char *arg)
{
    const char *allow = s->rt->opts.helo_allow_chars.text;

    if (*arg == '\0')
        return 0;
    if (!smtp_is_local(s) &&
        smtp_hosts(s, &s->rt->opts.helo_accept_junk_hosts, 0))
        return 1;
    if (*arg == '[')
        return valid_literal(arg);
    for (const char *p = arg; *p; p++) {
        if (isalnum((unsigned char)*p) || *p == '.' || *p == '-')
            continue;
        if (allow != NULL && strchr(allow, *p) != NULL)
            continue;
        return 0;
    }
    return 1;
}

/* "host Hello name [ip]" (Exim: the ident, if any, "at" the name). */
static const char *
greeting(struct host_smtp *s)
{
    struct host_session *ss = s->sess;
    const char *name = ss->sender_host_name ? ss->sender_host_name
                                            : ss->helo_name;

    return tern_printf(smtp_scratch(s), "%s Hello %s%s%s%s%s%s",
                       s->active_hostname, ss->ident ? ss->ident : "",
                       ss->ident ? " at " : "", name,
                       ss->peer_address ? " [" : "",
                       ss->peer_address ? ss->peer_address : "",
                       ss->peer_address ? "]" : "");
}

static void
add_line(struct tern_buf *b, const char *fmt, const char *arg)
{
    tern_buf_adds(b, "250-");
    tern_buf_addf(b, fmt, arg);
    tern_buf_adds(b, "\r\n");
}

static void
ehlo_lines(struct host_smtp *s, struct tern_buf *b)
{
    const struct tern_opts_main *o = &s->rt->opts;
    const char *mechs;
    char size[32];

    if (s->size_limit > 0)
        snprintf(size, sizeof size, " %lld", s->size_limit);
    else
        size[0] = '\0';
    add_line(b, "SIZE%s", size);
    if (o->accept_8bitmime)
        add_line(b, "%s", "8BITMIME");
    s->dsn = o->dsn_advertise_hosts.text != NULL &&
             smtp_hosts(s, &o->dsn_advertise_hosts, 0);
    if (s->dsn)
        add_line(b, "%s", "DSN");
    if (o->acl_smtp_vrfy.text != NULL)
        add_line(b, "%s", "VRFY");
    if (o->acl_smtp_expn.text != NULL)
        add_line(b, "%s", "EXPN");
    s->pipelining = !(s->sess->controls & HOST_CTL_NO_PIPELINING) &&
                    smtp_hosts(s, &o->pipelining_advertise_hosts, 0);
    if (s->pipelining)
        add_line(b, "%s", "PIPELINING");
    s->pipe_connect = s->pipelining && !smtp_is_local(s) &&
                      smtp_hosts(s, &o->pipelining_connect_advertise_hosts,
                                 0);
    if (s->pipe_connect)
        add_line(b, "%s", "PIPECONNECT");
    mechs = smtp_auth_advertise(s);
    s->auth_offered = mechs != NULL;
    if (mechs != NULL)
        add_line(b, "AUTH %s", mechs);
    s->chunking = smtp_hosts(s, &o->chunking_advertise_hosts, 0);
    if (s->chunking)
        add_line(b, "%s", "CHUNKING");
    s->starttls = smtp_tls_offerable(s);
    if (s->starttls)
        add_line(b, "%s", "STARTTLS");
    s->smtputf8 = smtp_hosts(s, &o->smtputf8_advertise_hosts, 0);
    if (s->smtputf8)
        add_line(b, "%s", "SMTPUTF8");
    tern_buf_adds(b, "250 HELP\r\n");
    s->sess->pipelining_advertised = s->pipelining;
    s->sess->pipe_connect_advertised = s->pipe_connect;
}

void
smtp_helo(struct host_smtp *s, const char *arg, int esmtp)
{
    const char *hello = esmtp ? "EHLO" : "HELO";
    struct host_acl_result r;
    enum host_acl_verdict v;
    struct tern_buf b = { 0 };
    const char *first;

    if (!check_helo(s, arg)) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "rejected %s "
                 "from %s: syntactically invalid argument(s): %s", hello,
                 smtp_host_ident(s, 0), *arg ? smtp_printing(
                     smtp_scratch(s), arg, strlen(arg), 1000)
                 : "(no argument given)");
        smtp_synprot(s, 501, tern_printf(smtp_scratch(s), "Syntactically "
                     "invalid %s argument(s)", hello), 0);
        return;
    }
    smtp_txn_reset(s);
    s->txn.chunking = CH_NONE;
    /* What an earlier EHLO offered no longer holds (HELO offers none). */
    s->pipelining = s->chunking = s->starttls = s->dsn = 0;
    s->smtputf8 = s->auth_offered = s->pipe_connect = 0;
    s->sess->pipelining_advertised = 0;
    s->sess->pipe_connect_advertised = 0;
    s->sess->helo_name = tern_strdup(s->sess->arena, arg);
    s->sess->esmtp = esmtp;
    s->helo_seen = 1;
    smtp_set_protocol(s);
    v = smtp_acl(s, HOST_ACL_HELO, s->rt->opts.acl_smtp_helo.text, NULL, &r);
    if (v != HOST_ACL_ACCEPT && v != HOST_ACL_DISCARD) {
        smtp_acl_refuse(s, HOST_ACL_HELO, v, &r,
                        tern_printf(smtp_scratch(s), "EHLO or HELO %s", arg),
                        0, NULL);
        s->sess->helo_name = NULL;
        s->helo_seen = 0;
        return;
    }
    first = greeting(s);
    if (r.user_message != NULL && *r.user_message != '\0') {
        int code;
        char ext[16];
        const char *t = smtp_message_code(s, r.user_message, 250, &code,
                                          ext, sizeof ext);
        size_t n = strcspn(t, "\n");

        first = tern_printf(smtp_scratch(s), "%s%.*s", ext, (int)n, t);
    }
    if (!esmtp) {
        smtp_set_protocol(s);
        smtp_out_printf(s, "250 %s\r\n", first);
        return;
    }
    tern_buf_addf(&b, "250-%s\r\n", first);
    ehlo_lines(s, &b);
    smtp_out_add(s, b.data, b.len);
    tern_buf_free(&b);
    smtp_set_protocol(s);
}

void
smtp_help(struct host_smtp *s)
{
    const struct tern_opts_main *o = &s->rt->opts;

    smtp_out_printf(s, "214-Commands supported:\r\n214 AUTH%s HELO EHLO "
                    "MAIL RCPT DATA BDAT NOOP QUIT RSET HELP%s%s\r\n",
                    smtp_tls_offerable(s) ? " STARTTLS" : "",
                    o->acl_smtp_expn.text ? " EXPN" : "",
                    o->acl_smtp_vrfy.text ? " VRFY" : "");
}

void
smtp_quit(struct host_smtp *s)
{
    struct host_acl_result r;
    const char *acl = s->rt->opts.acl_smtp_quit.text;
    const char *text = NULL;

    s->quit_seen = 1;
    if (acl != NULL && *acl != '\0') {
        (void)smtp_acl(s, HOST_ACL_QUIT, acl, NULL, &r);
        if (r.user_message != NULL && *r.user_message != '\0') {
            int code;
            char ext[16];

            text = smtp_message_code(s, r.user_message, 221, &code, ext,
                                     sizeof ext);
        }
    }
    if (text != NULL)
        smtp_reply(s, 221, text);
    else
        smtp_out_printf(s, "221 %s closing connection\r\n",
                        s->active_hostname);
    if (s->log_sel & SMTP_LOG_CONNECTION)
        smtp_log(s, TERN_LOG_MAIN, NULL, "%s closed by QUIT",
                 smtp_conn_info(s));
    smtp_close(s, NULL);
}

/* The address of VRFY/EXPN: inside <> if given so. */
static const char *
bare_address(struct host_smtp *s, const char *arg)
{
    size_t n = strlen(arg);

    if (n >= 2 && arg[0] == '<' && arg[n - 1] == '>')
        return tern_strndup(smtp_scratch(s), arg + 1, n - 2);
    return arg;
}

void
smtp_vrfy(struct host_smtp *s, const char *arg)
{
    struct host_acl_result r;
    enum host_acl_verdict v;
    const char *addr, *msg = NULL;

    if (*arg == '\0') {
        smtp_synprot(s, 501, "VRFY must have an address operand", 0);
        return;
    }
    addr = bare_address(s, arg);
    v = smtp_acl(s, HOST_ACL_VRFY, s->rt->opts.acl_smtp_vrfy.text, addr, &r);
    if (v != HOST_ACL_ACCEPT) {
        smtp_acl_refuse(s, HOST_ACL_VRFY, v, &r,
                        tern_printf(smtp_scratch(s), "VRFY %s", arg), 0,
                        NULL);
        return;
    }
    if (host_verify_hook == NULL) {
        smtp_reply(s, 252, "Cannot VRFY user; try RCPT to attempt "
                   "delivery (or try finger)");
        return;
    }
    switch (host_verify_hook(s->ctx, addr, 0, &msg)) {
    case TERN_OK:
        smtp_out_printf(s, "250 <%s> is deliverable\r\n", addr);
        break;
    case TERN_FAIL:
        smtp_out_printf(s, "550 <%s> %s\r\n", addr,
                        msg ? msg : "is not deliverable");
        break;
    default:
        smtp_out_printf(s, "451 <%s> %s\r\n", addr,
                        msg ? msg : "Temporary local problem");
        break;
    }
}

void
smtp_expn(struct host_smtp *s, const char *arg)
{
    struct host_acl_result r;
    enum host_acl_verdict v;

    v = smtp_acl(s, HOST_ACL_EXPN, s->rt->opts.acl_smtp_expn.text,
                 bare_address(s, arg), &r);
    if (v != HOST_ACL_ACCEPT) {
        smtp_acl_refuse(s, HOST_ACL_EXPN, v, &r,
                        tern_printf(smtp_scratch(s), "EXPN %s", arg), 0,
                        NULL);
        return;
    }
    smtp_reply(s, 502, "EXPN is not available in this version");
}

void
smtp_etrn(struct host_smtp *s, const char *arg)
{
    /* acl.h has no ETRN stage yet and Tern no queue runner to start:
     * ETRN is refused as Exim refuses it without acl_smtp_etrn. */
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "%s rejected ETRN %s",
             smtp_host_ident(s, 1),
             smtp_printing(smtp_scratch(s), arg, strlen(arg), 1000));
    smtp_reply(s, 458, "Administrative prohibition");
}
