/*
 * NAME
 *   vars_conn.c - expansion variables about the session, the message
 *   and the address
 *
 * DESCRIPTION
 *   Each getter reads the innermost lifetime that knows the answer: the
 *   address being routed, then the message (its spool record, which is
 *   also what a queue runner reads back from the -H file), then the
 *   session.  With none of them (tern -be) the values are the ones Exim
 *   4.96 shows for a local caller: $sender_address is the caller's
 *   login at qualify_domain, $sender_ident and $authenticated_id the
 *   login, ports -1 or 0, counts 0.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vars.h"

static const char *
num(struct tern_arena *a, long long n)
{
    return tern_printf(a, "%lld", n);
}

static const char *
nz(const char *s)
{
    return s ? s : "";
}

/* Neither a message nor a session: -be, or start-up. */
static int
bare(const struct tern_ctx *c)
{
    return c->sess == NULL && c->msg == NULL;
}

/* A local caller's identity applies: -be, or a local submission. */
static int
local_caller(const struct tern_ctx *c)
{
    return c->sess == NULL || c->sess->is_local;
}

static const char *
login(const struct tern_ctx *c)
{
    if (c->msg && c->msg->spool.login)
        return c->msg->spool.login;
    if (c->sess && c->sess->login)
        return c->sess->login;
    return nz(c->rt->caller_login);
}

/* ---- address ---- */

#define ADDR_FIELD(fn, field)                                          \
    const char *fn(const struct tern_ctx *c, struct tern_arena *a)     \
    {                                                                  \
        (void)a;                                                       \
        return c->addr ? nz(c->addr->field) : "";                      \
    }

ADDR_FIELD(vc_local_part, local_part)
ADDR_FIELD(vc_domain, domain)
ADDR_FIELD(vc_local_part_prefix, prefix)
ADDR_FIELD(vc_local_part_suffix, suffix)
ADDR_FIELD(vc_address_data, address_data)
ADDR_FIELD(vc_domain_data, domain_data)
ADDR_FIELD(vc_local_part_data, local_part_data)
ADDR_FIELD(vc_router_name, router)
ADDR_FIELD(vc_transport_name, transport)
ADDR_FIELD(vc_host, host)
ADDR_FIELD(vc_host_address, host_address)
ADDR_FIELD(vc_original_local_part, original_local_part)
ADDR_FIELD(vc_original_domain, original_domain)
ADDR_FIELD(vc_self_hostname, self_hostname)

const char *
vc_parent_local_part(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->addr && c->addr->parent ? nz(c->addr->parent->local_part) : "";
}

const char *
vc_parent_domain(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->addr && c->addr->parent ? nz(c->addr->parent->domain) : "";
}

/* ---- envelope ---- */

const char *
vc_sender_address(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->msg && c->msg->spool.sender)
        return c->msg->spool.sender;
    if (bare(c))
        return tern_printf(a, "%s@%s", login(c), nz(c->rt->qualify_domain));
    return "";
}

const char *
vc_sender_address_local_part(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *s = vc_sender_address(c, a), *at = strrchr(s, '@');

    return at ? tern_strndup(a, s, (size_t)(at - s)) : s;
}

const char *
vc_sender_address_domain(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *s = vc_sender_address(c, a), *at = strrchr(s, '@');

    return at ? at + 1 : "";
}

const char *
vc_return_path(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->addr && c->addr->errors_to)
        return c->addr->errors_to;
    return c->msg ? vc_sender_address(c, a) : "";
}

const char *
vc_recipients_count(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->msg ? (long long)c->msg->spool.n_rcpts : 0);
}

/* Exim sets $received_for only when the message has exactly one
 * recipient, which is what puts "for <rcpt>" into Received:. */
const char *
vc_received_for(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    if (c->msg == NULL || c->msg->spool.n_rcpts != 1)
        return "";
    return c->msg->spool.rcpts[0].address;
}

const char *
vc_recipients(const struct tern_ctx *c, struct tern_arena *a)
{
    struct host_message *m = c->msg;
    size_t n = 0;

    if (m == NULL)
        return "";
    if (m->recipients_text)
        return m->recipients_text;
    for (size_t i = 0; i < m->spool.n_rcpts; i++)
        n += strlen(m->spool.rcpts[i].address) + 2;
    char *s = tern_alloc(m->arena, n + 1), *p = s;
    for (size_t i = 0; i < m->spool.n_rcpts; i++)
        p += sprintf(p, "%s%s", i ? ", " : "", m->spool.rcpts[i].address);
    (void)a;
    m->recipients_text = s;
    return s;
}

/* ---- message ---- */

const char *
vc_message_id(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->msg ? c->msg->spool.id : "";
}

const char *
vc_message_size(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->msg && c->msg->size > 0 ? c->msg->size : 0);
}

static long long
body_lines(const struct host_message *m)
{
    return m->spool.body_linecount >= 0 ? m->spool.body_linecount
                                        : m->body_linecount;
}

const char *
vc_body_linecount(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->msg ? body_lines(c->msg) : 0);
}

const char *
vc_body_zerocount(const struct tern_ctx *c, struct tern_arena *a)
{
    long long n = c->msg ? c->msg->spool.body_zerocount : 0;

    return num(a, n > 0 ? n : 0);
}

/* Lines of the live headers plus the body's. */
const char *
vc_message_linecount(const struct tern_ctx *c, struct tern_arena *a)
{
    long long n = 0;

    if (c->msg == NULL)
        return "0";
    for (size_t i = 0; i < c->msg->spool.n_headers; i++) {
        const struct tern_spool_header *h = &c->msg->spool.headers[i];
        if (h->type == TERN_HT_DELETED)
            continue;
        for (size_t j = 0; j < h->len; j++)
            n += h->text[j] == '\n';
    }
    return num(a, n + body_lines(c->msg));
}

const char *
vc_message_body_size(const struct tern_ctx *c, struct tern_arena *a)
{
    long long hdr = 0;

    if (c->msg == NULL || c->msg->size <= 0)
        return "0";
    for (size_t i = 0; i < c->msg->spool.n_headers; i++)
        if (c->msg->spool.headers[i].type != TERN_HT_DELETED)
            hdr += (long long)c->msg->spool.headers[i].len;
    return num(a, c->msg->size > hdr ? c->msg->size - hdr - 1 : 0);
}

const char *
vc_received_count(const struct tern_ctx *c, struct tern_arena *a)
{
    long long n = 0;

    for (size_t i = 0; c->msg && i < c->msg->spool.n_headers; i++)
        n += c->msg->spool.headers[i].type == TERN_HT_RECEIVED;
    return num(a, n);
}

const char *
vc_received_time(const struct tern_ctx *c, struct tern_arena *a)
{
    long long t = c->msg ? c->msg->spool.received_time : 0;

    return num(a, t > 0 ? t : 0);
}

const char *
vc_message_age(const struct tern_ctx *c, struct tern_arena *a)
{
    long long t = c->msg ? c->msg->spool.received_time : 0;

    return num(a, t > 0 ? (long long)time(NULL) - t : 0);
}

const char *
vc_max_received_linelength(const struct tern_ctx *c, struct tern_arena *a)
{
    long long n = c->msg ? c->msg->spool.max_received_linelength : 0;

    return num(a, n > 0 ? n : 0);
}

const char *
vc_message_smtputf8(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->msg && (c->msg->spool.flags & TERN_SPOOL_SMTPUTF8) ? "yes"
                                                                  : "no";
}

const char *
vc_host_lookup_failed(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->msg && (c->msg->spool.flags & TERN_SPOOL_HOST_LOOKUP_FAILED)
           ? "1" : "0";
}

const char *
vc_host_lookup_deferred(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return c->msg && (c->msg->spool.flags & TERN_SPOOL_HOST_LOOKUP_DEFERRED)
           ? "1" : "0";
}

const char *
vc_originator_uid(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->msg && c->msg->spool.uid >= 0)
        return num(a, c->msg->spool.uid);
    return num(a, c->rt->caller_uid);
}

const char *
vc_originator_gid(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->msg && c->msg->spool.gid >= 0)
        return num(a, c->msg->spool.gid);
    return num(a, c->rt->caller_gid);
}

#define SPOOL_STR(fn, field)                                           \
    const char *fn(const struct tern_ctx *c, struct tern_arena *a)     \
    {                                                                  \
        (void)a;                                                       \
        return c->msg ? nz(c->msg->spool.field.s) : "";                \
    }

SPOOL_STR(vc_spam_bar, spam_bar)
SPOOL_STR(vc_spam_score, spam_score)
SPOOL_STR(vc_spam_score_int, spam_score_int)

const char *
vc_headers_added(const struct tern_ctx *c, struct tern_arena *a)
{
    size_t n = 0;

    if (c->msg == NULL)
        return "";
    for (struct host_hdr_change *h = c->msg->hdr_changes; h; h = h->next)
        if (!h->remove)
            n += strlen(h->text);
    char *s = tern_alloc(a, n + 1), *p = s;
    for (struct host_hdr_change *h = c->msg->hdr_changes; h; h = h->next)
        if (!h->remove)
            p = stpcpy(p, h->text);
    while (p > s && p[-1] == '\n')
        *--p = '\0';
    return s;
}

const char *
vc_headers_text(const struct tern_ctx *c, struct tern_arena *a, int raw)
{
    size_t n = 0;

    (void)raw;          /* RFC 2047 decoding of $message_headers: later */
    if (c->msg == NULL)
        return "";
    for (size_t i = 0; i < c->msg->spool.n_headers; i++)
        n += c->msg->spool.headers[i].len;
    char *s = tern_alloc(a, n + 1), *p = s;
    for (size_t i = 0; i < c->msg->spool.n_headers; i++) {
        const struct tern_spool_header *h = &c->msg->spool.headers[i];
        if (h->type == TERN_HT_DELETED)
            continue;
        memcpy(p, h->text, h->len);
        p += h->len;
    }
    while (p > s && p[-1] == '\n')
        p--;
    *p = '\0';
    return s;
}

const char *
vc_message_headers(const struct tern_ctx *c, struct tern_arena *a)
{
    return vc_headers_text(c, a, 0);
}

const char *
vc_message_headers_raw(const struct tern_ctx *c, struct tern_arena *a)
{
    return vc_headers_text(c, a, 1);
}

/* Reply-To:, else From: (the address part is the evaluator's business:
 * Exim gives the header text, trimmed). */
const char *
vc_reply_address(const struct tern_ctx *c, struct tern_arena *a)
{
    static const char *const names[] = { "reply-to:", "from:" };

    for (size_t k = 0; c->msg && k < 2; k++) {
        size_t nl = strlen(names[k]);
        for (size_t i = 0; i < c->msg->spool.n_headers; i++) {
            const struct tern_spool_header *h = &c->msg->spool.headers[i];
            if (h->type == TERN_HT_DELETED || h->len < nl ||
                strncasecmp(h->text, names[k], nl) != 0)
                continue;
            const char *s = h->text + nl, *e = h->text + h->len;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
            return tern_strndup(a, s, (size_t)(e - s));
        }
    }
    return "";
}

/* ---- session (or the message's record of it) ---- */

#define SESS_OR_SPOOL(fn, sfield, mfield)                              \
    const char *fn(const struct tern_ctx *c, struct tern_arena *a)     \
    {                                                                  \
        (void)a;                                                       \
        if (c->sess && c->sess->sfield)                                \
            return c->sess->sfield;                                    \
        return c->msg ? nz(c->msg->spool.mfield.s) : "";               \
    }

SESS_OR_SPOOL(vc_sender_host_name, sender_host_name, host_name)
SESS_OR_SPOOL(vc_sender_helo_name, helo_name, helo_name)
SESS_OR_SPOOL(vc_sender_host_authenticated, auth_mechanism, host_auth)
SESS_OR_SPOOL(vc_received_protocol, protocol, received_protocol)
SESS_OR_SPOOL(vc_sender_host_address, peer_address, host_address.addr)
SESS_OR_SPOOL(vc_interface_address, local_address, interface_address.addr)

const char *
vc_sender_host_port(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->sess && c->sess->peer_address)
        return num(a, c->sess->peer_port);
    if (c->msg && c->msg->spool.host_address.addr.s)
        return num(a, c->msg->spool.host_address.port);
    return "0";
}

const char *
vc_interface_port(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->sess && c->sess->local_address)
        return num(a, c->sess->local_port);
    if (c->msg && c->msg->spool.interface_address.addr.s)
        return num(a, c->msg->spool.interface_address.port);
    return "-1";
}

const char *
vc_sender_ident(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    if (c->sess && c->sess->ident)
        return c->sess->ident;
    if (c->msg && c->msg->spool.ident.s)
        return c->msg->spool.ident.s;
    return local_caller(c) ? login(c) : "";
}

const char *
vc_authenticated_id(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    if (c->sess && c->sess->authenticated_id)
        return c->sess->authenticated_id;
    if (c->msg && c->msg->spool.auth_id.s)
        return c->msg->spool.auth_id.s;
    return local_caller(c) ? login(c) : "";
}

const char *
vc_authenticated_sender(const struct tern_ctx *c, struct tern_arena *a)
{
    if (c->sess && c->sess->authenticated_sender)
        return c->sess->authenticated_sender;
    if (c->msg && c->msg->spool.auth_sender.s)
        return c->msg->spool.auth_sender.s;
    if (local_caller(c))
        return tern_printf(a, "%s@%s", login(c), nz(c->rt->qualify_domain));
    return "";
}

/* "name (helo) [ip]", leaving out what is unknown or the same. */
const char *
vc_sender_fullhost(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *ip = vc_sender_host_address(c, a);
    const char *name = vc_sender_host_name(c, a);
    const char *helo = vc_sender_helo_name(c, a);

    if (*ip == '\0')
        return "";
    if (*name != '\0')
        return *helo == '\0' || strcasecmp(helo, name) == 0
               ? tern_printf(a, "%s [%s]", name, ip)
               : tern_printf(a, "%s (%s) [%s]", name, helo, ip);
    return *helo ? tern_printf(a, "(%s) [%s]", helo, ip)
                 : tern_printf(a, "[%s]", ip);
}

/* The host part of a Received: line: "name ([ip] helo=x)". */
const char *
vc_sender_rcvhost(const struct tern_ctx *c, struct tern_arena *a)
{
    const char *ip = vc_sender_host_address(c, a);
    const char *name = vc_sender_host_name(c, a);
    const char *helo = vc_sender_helo_name(c, a);
    int show_helo = *helo && strcasecmp(helo, name) != 0;

    if (*ip == '\0')
        return "";
    if (*name != '\0')
        return show_helo ? tern_printf(a, "%s ([%s] helo=%s)", name, ip, helo)
                         : tern_printf(a, "%s ([%s])", name, ip);
    return show_helo ? tern_printf(a, "[%s] (helo=%s)", ip, helo)
                     : tern_printf(a, "[%s]", ip);
}

#define SESS_STR(fn, field)                                            \
    const char *fn(const struct tern_ctx *c, struct tern_arena *a)     \
    {                                                                  \
        (void)a;                                                       \
        return c->sess ? nz(c->sess->field) : "";                      \
    }

SESS_STR(vc_smtp_command, smtp_command)
SESS_STR(vc_smtp_command_argument, smtp_command_argument)
SESS_STR(vc_smtp_notquit_reason, smtp_notquit_reason)
SESS_STR(vc_authenticated_fail_id, authenticated_fail_id)
SESS_STR(vc_auth1, auth_var[0])
SESS_STR(vc_auth2, auth_var[1])
SESS_STR(vc_auth3, auth_var[2])
SESS_STR(vc_auth4, auth_var[3])

const char *
vc_rcpt_count(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, c->sess ? (long long)c->sess->rcpt_count : 0);
}

/* ---- TLS on the incoming connection ---- */

static const struct host_tls_info *
tls_in(const struct tern_ctx *c)
{
    return c->sess && c->sess->tls_in.active ? &c->sess->tls_in : NULL;
}

#define TLS_STR(fn, field, spoolfield)                                 \
    const char *fn(const struct tern_ctx *c, struct tern_arena *a)     \
    {                                                                  \
        (void)a;                                                       \
        if (tls_in(c))                                                 \
            return nz(tls_in(c)->field);                               \
        return c->msg ? nz(c->msg->spool.spoolfield.s) : "";           \
    }

TLS_STR(vc_tls_in_cipher, cipher, tls_cipher)
TLS_STR(vc_tls_in_peerdn, peerdn, tls_peerdn)
TLS_STR(vc_tls_in_sni, sni, tls_sni)
TLS_STR(vc_tls_in_ver, ver, tls_ver)

const char *
vc_tls_in_cipher_std(const struct tern_ctx *c, struct tern_arena *a)
{
    (void)a;
    return tls_in(c) ? nz(tls_in(c)->cipher_std) : "";
}

const char *
vc_tls_in_bits(const struct tern_ctx *c, struct tern_arena *a)
{
    return num(a, tls_in(c) ? tls_in(c)->bits : 0);
}

const char *
vc_tls_in_certificate_verified(const struct tern_ctx *c,
                               struct tern_arena *a)
{
    (void)a;
    if (tls_in(c))
        return tls_in(c)->certificate_verified ? "1" : "0";
    return c->msg && (c->msg->spool.flags &
                      TERN_SPOOL_TLS_CERTIFICATE_VERIFIED) ? "1" : "0";
}

const char *
vc_tls_in_resumption(const struct tern_ctx *c, struct tern_arena *a)
{
    if (tls_in(c))
        return num(a, (long long)tls_in(c)->resumption);
    if (c->msg && c->msg->spool.tls_resumption.s)
        return c->msg->spool.tls_resumption.s;
    return "0";
}
