/*
 * NAME
 *   receive_add.c - the header lines Exim adds at the end of the data
 *
 * DESCRIPTION
 *   For every message, Received: from received_header_text with "; date"
 *   appended, at the top; its date is the start of the reception until
 *   the message is accepted, then the acceptance time
 *   (host_receive_stamp), as Exim does.  For local or submission-mode
 *   messages, in this order after the message's own headers:
 *   Message-Id: (Resent-Message-Id: when the message has Resent-
 *   headers), From: when missing, Sender: when an untrusted caller's
 *   From: is not theirs (local_from_check, local_from_prefix/suffix),
 *   and Date:.
 *
 * DIAGNOSTICS
 *   "expansion of received_header_text failed: ..." (HOST_RCV_CONFIG);
 *   a failed expansion of message_id_header_text or _domain is logged and
 *   the option ignored.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "list.h"
#include "receive_int.h"

/* Record why the message is refused, for the caller's reply and log. */
int
host_rcv_fail(struct host_receiver *r, enum host_receive_fail f, char *err,
              size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    r->fail = f;
    return -1;
}

/* ---- at the end of the data ----------------------------------------- */

static int
add_received(struct host_receiver *r, char *err, size_t errlen)
{
    const char *text, *why = NULL;
    int rc = host_expand(&r->ctx, r->rt->opts.received_header_text.text,
                         &text, &why);
    char date[64];

    if (rc < 0 || rc == -2)
        return host_rcv_fail(r, HOST_RCV_CONFIG, err, errlen,
                    "expansion of received_header_text failed: %s",
                    why ? why : "unknown error");
    if (rc == 1 || text == NULL || *text == '\0')
        return 0;               /* nothing to add, as Exim */
    r->received_text = text;
    host_fmt_date(r->started.tv_sec, date, sizeof date);
    host_rcv_append(r, 0, "%s;\n\t%s\n", text, date);
    r->received_hdr = 1;
    return 0;
}

void
host_receive_stamp(struct host_receiver *r, time_t when)
{
    struct tern_spool_msg *m = &r->msg->spool;
    char date[64];

    if (!r->received_hdr)
        return;
    host_fmt_date(when, date, sizeof date);
    for (size_t i = 0; i < m->n_headers; i++) {
        if (m->headers[i].type != TERN_HT_RECEIVED)
            continue;
        char *s = tern_printf(r->a, "%s;\n\t%s\n", r->received_text, date);
        size_t len = strlen(s);

        /* Ours is the first whose text starts with the expansion. */
        if (strncmp(m->headers[i].text, r->received_text,
                    strlen(r->received_text)) == 0) {
            m->headers[i].text = s;
            m->headers[i].len = len;
            return;
        }
    }
}

/* message_id_header_text keeps RFC 5322 atext, the domain letters,
 * digits, '-' and '.'; anything else becomes '-', as Exim does. */
static char *
sanitise(struct tern_arena *a, const char *s, int domain)
{
    char *o = tern_strdup(a, s);

    for (char *p = o; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' ||
                 (domain ? c == '.' : strchr("!#$%&'*+/=?^_`{|}~", c) != NULL);
        if (!ok || c == 0)
            *p = '-';
    }
    return o;
}

static const char *
expand_opt(struct host_receiver *r, const struct tern_text *t)
{
    const char *out = NULL, *why = NULL;

    if (t->text == NULL)
        return NULL;
    if (host_expand(&r->ctx, t->text, &out, &why) != 0) {
        host_log(r->rt, TERN_LOG_MAIN, r->msg->spool.id,
                 "expansion of \"%s\" failed: %s", t->text,
                 why ? why : "forced failure");
        return NULL;
    }
    return out;
}

static void
add_message_id(struct host_receiver *r, int resent, size_t at)
{
    const char *text = expand_opt(r, &r->rt->opts.message_id_header_text);
    const char *dom = expand_opt(r, &r->rt->opts.message_id_header_domain);

    if (resent ? host_hdrs_find(&r->msg->spool, "resent-message-id") >= 0
               : host_hdrs_find(&r->msg->spool, "message-id") >= 0)
        return;
    host_rcv_append(r, at, "%sMessage-Id: <E%s%s%s@%s>\n",
                    resent ? "Resent-" : "",
           r->msg->spool.id, text && *text ? "." : "",
           text && *text ? sanitise(r->a, text, 0) : "",
           dom && *dom ? sanitise(r->a, dom, 1) : r->rt->primary_hostname);
}

static void
add_from(struct host_receiver *r, int resent, size_t at)
{
    const struct tern_spool_msg *m = &r->msg->spool;
    const char *sender = m->sender && *m->sender ? m->sender : NULL;
    const char *name = r->local.name;
    const char *addr;

    if (host_hdrs_find(m, resent ? "resent-from" : "from") >= 0)
        return;
    if (name == NULL && (r->local.sender_local || r->local.sender_set_untrusted
                         || sender == NULL))
        name = r->local.gecos;
    if (!r->have_local) {
        /* submission mode over SMTP: the envelope sender, else the
         * authenticated id at qualify_domain */
        const char *id = r->ctx.sess ? r->ctx.sess->authenticated_id : NULL;
        if (sender == NULL && (id == NULL || *id == '\0'))
            return;
        name = NULL;
        addr = sender ? sender
             : tern_printf(r->a, "%s@%s", id, host_rcv_qdomain(r));
    } else {
        addr = sender ? sender : tern_printf(r->a, "%s@%s", host_rcv_login(r),
                                             host_rcv_qdomain(r));
    }
    if (name && *name)
        host_rcv_append(r, at, "%sFrom: %s <%s>\n", resent ? "Resent-" : "",
               host_addr_phrase(r->a, name), addr);
    else
        host_rcv_append(r, at, "%sFrom: %s\n", resent ? "Resent-" : "", addr);
}

/* Does one item of a local_from_prefix / _suffix list match `part`?
 * A leading (prefix) or trailing (suffix) '*' stands for any text. */
static int
affix_ok(const char *list, const char *part, size_t len, int prefix)
{
    struct tern_list_iter it;
    char item[256];
    int too_long = 0;

    if (len == 0)
        return 1;
    if (list == NULL)
        return 0;
    tern_list_start(&it, list, ':');
    while (tern_list_next(&it, item, sizeof item, &too_long) != NULL) {
        size_t n = strlen(item);
        int wild = n > 0 && item[prefix ? 0 : n - 1] == '*';
        const char *fixed = prefix && wild ? item + 1 : item;
        size_t fl = wild ? n - 1 : n;

        if (!wild && fl == len && strncmp(fixed, part, len) == 0)
            return 1;
        if (wild && fl <= len &&
            strncmp(fixed, prefix ? part + len - fl : part, fl) == 0)
            return 1;
    }
    return 0;
}

/* Is the From: address login@qualify_domain, allowing the affixes of
 * local_from_prefix and local_from_suffix around the login? */
static int
from_is_caller(struct host_receiver *r, int resent)
{
    const struct tern_spool_msg *m = &r->msg->spool;
    long i = host_hdrs_find(m, resent ? "resent-from" : "from");
    struct host_addr_item *it;
    size_t n, ll, lp;
    const char *why, *at, *hit, *login = host_rcv_login(r);

    if (i < 0)
        return 1;
    const struct tern_spool_header *h = &m->headers[i];
    size_t off = host_hdr_value_off(h->text, h->len);
    if (host_addr_list(r->a, h->text + off, h->len - off, &it, &n, &why) != 0
        || n != 1 || (at = strrchr(it[0].address, '@')) == NULL ||
        strcasecmp(at + 1, host_rcv_qdomain(r)) != 0)
        return 0;
    ll = strlen(login);
    lp = (size_t)(at - it[0].address);
    /* the login somewhere in the local part, affixes around it */
    for (hit = it[0].address; (hit = strstr(hit, login)) != NULL &&
         hit + ll <= at; hit++) {
        size_t pre = (size_t)(hit - it[0].address);

        if (affix_ok(r->rt->opts.local_from_prefix.text, it[0].address, pre, 1)
            && affix_ok(r->rt->opts.local_from_suffix.text, hit + ll,
                        lp - pre - ll, 0))
            return 1;
    }
    return 0;
}

static void
add_sender(struct host_receiver *r, int resent, size_t at)
{
    const char *name = r->local.name ? r->local.name : r->local.gecos;

    if (!r->have_local || r->local.trusted || !r->rt->opts.local_from_check ||
        from_is_caller(r, resent))
        return;
    if (name && *name)
        host_rcv_append(r, at, "%sSender: %s <%s@%s>\n",
                        resent ? "Resent-" : "", host_addr_phrase(r->a, name),
                        host_rcv_login(r), host_rcv_qdomain(r));
    else
        host_rcv_append(r, at, "%sSender: %s@%s\n", resent ? "Resent-" : "",
               host_rcv_login(r), host_rcv_qdomain(r));
}

static void
add_date(struct host_receiver *r, int resent, size_t at)
{
    char date[64];

    if (host_hdrs_find(&r->msg->spool, resent ? "resent-date" : "date") >= 0)
        return;
    host_fmt_date(r->started.tv_sec, date, sizeof date);
    host_rcv_append(r, at, "%sDate: %s\n", resent ? "Resent-" : "", date);
}

int
host_receive_additions(struct host_receiver *r, char *err, size_t errlen)
{
    struct tern_spool_msg *m = &r->msg->spool;

    if (add_received(r, err, errlen) != 0)
        return -1;
    if (!r->fixups)
        return 0;
    if (host_rcv_has_resent(m)) {
        /* Resent- headers go together after the Received: block; each
         * goes in front of the previous one, as Exim orders them. */
        size_t at = 0;

        while (at < m->n_headers && m->headers[at].type == TERN_HT_RECEIVED)
            at++;
        add_message_id(r, 1, at);
        add_date(r, 1, at);
        add_from(r, 1, at);
        add_sender(r, 1, at);
        return 0;
    }
    add_message_id(r, 0, m->n_headers);
    add_from(r, 0, m->n_headers);
    if (!r->have_local) {
        /* submission mode: Sender: is the client's business only when
         * the ACL asked for sender_retain, which Tern does not parse yet */
        host_hdrs_remove(m, "sender");
    } else {
        add_sender(r, 0, m->n_headers);
    }
    add_date(r, 0, m->n_headers);
    return 0;
}
