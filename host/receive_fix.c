/*
 * NAME
 *   receive_fix.c - what Exim does to a message's header when the header
 *   ends, and the helpers the header additions share
 *
 * DESCRIPTION
 *   For every message (host_receive_header_done): Return-path:,
 *   Envelope-to: and Delivery-date: are removed as return_path_remove,
 *   envelope_to_remove and delivery_date_remove say.  For a local
 *   submission, as Exim 4.96 does (spec chapter 48, and checked against
 *   its -H files):
 *
 *   - a From: holding just the caller's login is replaced by one built
 *     from the login, qualify_domain and the full name (appended);
 *   - unqualified addresses in From:, Sender:, Reply-To: (qualify_domain)
 *     and To:, Cc:, Bcc: (qualify_recipient) get their domain; the old
 *     header is kept flagged deleted and the new one follows it;
 *   - an untrusted caller's Sender: (and Resent-Sender:) is removed
 *     unless local_sender_retain;
 *   - with -t the recipients come from To:, Cc: and Bcc: (the Resent-
 *     ones when there are any), Bcc: is removed, and the command line
 *     addresses are taken away (extract_addresses_remove_arguments) or
 *     added.
 *
 *   What is added at the end of the data is in receive_add.c.
 *
 * DIAGNOSTICS
 *   "no recipients found in headers", "invalid address: VALUE: REASON"
 *   (r->fail says which kind).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "receive_int.h"

void
host_rcv_append(struct host_receiver *r, size_t at, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = tern_vprintf(r->a, fmt, ap);
    va_end(ap);
    host_hdrs_insert(&r->hdrs, at, s, strlen(s));
}

const char *
host_rcv_login(const struct host_receiver *r)
{
    const struct host_session *s = r->ctx.sess;

    return s && s->login ? s->login : "unknown";
}

const char *
host_rcv_qdomain(const struct host_receiver *r)
{
    return r->rt->qualify_domain ? r->rt->qualify_domain
                                 : r->rt->primary_hostname;
}

const char *
host_rcv_qrecipient(const struct host_receiver *r)
{
    return r->rt->qualify_recipient ? r->rt->qualify_recipient
                                    : host_rcv_qdomain(r);
}

int
host_rcv_has_resent(const struct tern_spool_msg *m)
{
    for (size_t i = 0; i < m->n_headers; i++) {
        if (m->headers[i].type != TERN_HT_DELETED &&
            strncasecmp(m->headers[i].text, "resent-", 7) == 0)
            return 1;
    }
    return 0;
}

/* The value of header i without its name and final newline, trimmed. */
const char *
host_rcv_value(struct tern_arena *a, const struct tern_spool_header *h)
{
    size_t off = host_hdr_value_off(h->text, h->len), end = h->len;

    while (off < end && (h->text[off] == ' ' || h->text[off] == '\t'))
        off++;
    while (end > off && (h->text[end - 1] == '\n' || h->text[end - 1] == ' ' ||
                         h->text[end - 1] == '\t'))
        end--;
    return tern_strndup(a, h->text + off, end - off);
}

/* ---- when the header ends ------------------------------------------- */

static void
replace_login_from(struct host_receiver *r)
{
    struct tern_spool_msg *m = &r->msg->spool;
    long i = host_hdrs_find(m, "from");

    if (i < 0 ||
        strcmp(host_rcv_value(r->a, &m->headers[i]), host_rcv_login(r)) != 0)
        return;
    m->headers[i].type = TERN_HT_DELETED;
    const char *name = r->local.name ? r->local.name : r->local.gecos;
    if (name && *name)
        host_rcv_append(r, m->n_headers, "From: %s <%s@%s>\n",
                        host_addr_phrase(r->a, name), host_rcv_login(r),
                        host_rcv_qdomain(r));
    else
        host_rcv_append(r, m->n_headers, "From: %s@%s\n", host_rcv_login(r),
               host_rcv_qdomain(r));
}

/* Qualify the unqualified addresses of one address header in place:
 * the old header is flagged deleted and the new one follows it. */
static void
qualify_header(struct host_receiver *r, size_t i, const char *domain)
{
    struct tern_spool_msg *m = &r->msg->spool;
    const struct tern_spool_header *h = &m->headers[i];
    size_t off = host_hdr_value_off(h->text, h->len);
    struct host_addr_item *it;
    size_t n, from = 0;
    const char *err;
    struct tern_buf b = { 0 };
    int changed = 0;

    if (off == 0 ||
        host_addr_list(r->a, h->text + off, h->len - off, &it, &n, &err) != 0)
        return;
    tern_buf_add(&b, h->text, off);
    for (size_t k = 0; k < n; k++) {
        if (it[k].has_domain || it[k].address[0] == '\0')
            continue;
        tern_buf_add(&b, h->text + off + from, it[k].end - from);
        tern_buf_addf(&b, "@%s", domain);
        from = it[k].end;
        changed = 1;
    }
    if (changed) {
        tern_buf_add(&b, h->text + off + from, h->len - off - from);
        m->headers[i].type = TERN_HT_DELETED;
        host_hdrs_insert(&r->hdrs, i + 1, b.data, b.len);
    }
    tern_buf_free(&b);
}

static void
qualify_headers(struct host_receiver *r)
{
    struct tern_spool_msg *m = &r->msg->spool;

    for (size_t i = 0; i < m->n_headers; i++) {
        switch (m->headers[i].type) {
        case TERN_HT_FROM: case TERN_HT_SENDER: case TERN_HT_REPLY_TO:
            qualify_header(r, i, host_rcv_qdomain(r));
            break;
        case TERN_HT_TO: case TERN_HT_CC: case TERN_HT_BCC:
            qualify_header(r, i, host_rcv_qrecipient(r));
            break;
        default:
            break;
        }
    }
}

static int
in_args(const struct tern_spool_rcpt *args, size_t n, const char *addr)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(args[i].address, addr) == 0)
            return 1;
    }
    return 0;
}

/* -t: the recipients from To:, Cc:, Bcc: (Resent- ones if present). */
static int
extract(struct host_receiver *r, char *err, size_t errlen)
{
    struct tern_spool_msg *m = &r->msg->spool;
    const char *pfx = host_rcv_has_resent(m) ? "resent-" : "";
    static const char *const names[] = { "to", "cc", "bcc" };
    struct tern_spool_rcpt *args = m->rcpts, *v;
    size_t n_args = m->n_rcpts, n = 0, cap = 8 + n_args;

    v = tern_alloc(r->a, cap * sizeof *v);
    if (!r->local.extract_remove_args) {
        memcpy(v, args, n_args * sizeof *v);
        n = n_args;
    }
    for (size_t i = 0; i < m->n_headers; i++) {
        struct tern_spool_header *h = &m->headers[i];
        int hit = 0;

        for (size_t k = 0; k < 3 && !hit; k++) {
            char name[16];
            snprintf(name, sizeof name, "%s%s", pfx, names[k]);
            hit = h->type != TERN_HT_DELETED &&
                  host_hdr_named(h->text, h->len, name);
        }
        if (!hit)
            continue;
        size_t off = host_hdr_value_off(h->text, h->len);
        struct host_addr_item *it;
        size_t ni;
        const char *why;

        if (host_addr_list(r->a, h->text + off, h->len - off, &it, &ni,
                           &why) != 0)
            return host_rcv_fail(r, HOST_RCV_BAD_ADDRESS, err, errlen,
                        "invalid address: %s: %s",
                        host_rcv_value(r->a, h), why);
        for (size_t k = 0; k < ni; k++) {
            const char *a = it[k].address;

            if (*a == '\0')
                continue;
            if (!it[k].has_domain)
                a = tern_printf(r->a, "%s@%s", a, host_rcv_qrecipient(r));
            if (r->local.extract_remove_args && in_args(args, n_args, a))
                continue;
            if (n == cap) {
                struct tern_spool_rcpt *nv =
                    tern_alloc(r->a, 2 * cap * sizeof *nv);
                memcpy(nv, v, n * sizeof *v);
                v = nv;
                cap *= 2;
            }
            memset(&v[n], 0, sizeof v[n]);
            v[n].address = a;
            v[n].pno = -1;
            n++;
        }
        if (host_hdr_named(h->text, h->len, *pfx ? "resent-bcc" : "bcc"))
            h->type = TERN_HT_DELETED;
    }
    m->rcpts = v;
    m->n_rcpts = n;
    if (n == 0)
        return host_rcv_fail(r, HOST_RCV_NO_RCPTS, err, errlen,
                    "no recipients found in headers");
    return 0;
}

int
host_receive_header_done(struct host_receiver *r, char *err, size_t errlen)
{
    struct tern_spool_msg *m = &r->msg->spool;
    const struct tern_opts_main *o = &r->rt->opts;

    if (o->return_path_remove)
        host_hdrs_remove(m, "return-path");
    if (o->envelope_to_remove)
        host_hdrs_remove(m, "envelope-to");
    if (o->delivery_date_remove)
        host_hdrs_remove(m, "delivery-date");
    if (!r->have_local)
        return 0;
    if (!r->local.suppress_fixups) {
        replace_login_from(r);
        qualify_headers(r);
        if (!r->local.trusted && !o->local_sender_retain) {
            host_hdrs_remove(m, "sender");
            host_hdrs_remove(m, "resent-sender");
        }
    }
    if (r->local.extract && extract(r, err, errlen) != 0)
        return -1;
    return 0;
}

