/*
 * NAME
 *   receive_log.c - the "<=" line Exim writes for every message received
 *
 * SYNOPSIS
 *   char *line = host_receive_log_line(&ctx);
 *   host_log(rt, TERN_LOG_MAIN, id, "%s", line);
 *
 * DESCRIPTION
 *   Fields in Exim 4.96's order (checked against its logs, log_selector
 *   +all over TLS with AUTH and PIPELINING):
 *
 *     <= SENDER H=NAME (HELO) [IP]:PORT I=[IP]:PORT U=IDENT P=PROTO L
 *        X=CIPHER CV=yes A=AUTH:ID K S=SIZE M8S=0 RT=TIME id=MSGID
 *        T="SUBJECT" from <SENDER> for RCPT RCPT...
 *
 *   H= names the host as Exim does: the verified name, the HELO name in
 *   parentheses when there is no name or it differs (caselessly), the
 *   address in brackets and, with +incoming_port, the port.  A local
 *   message has no H= and U= is the caller's login.  L (+pipelining) is
 *   "L" when the client pipelined and "L-" when it was offered but not
 *   used; Exim builds with PIPE_CONNECT add "." or "*" for that
 *   extension, which Tern does not offer, so those never appear.  id= is
 *   the Message-ID: the message came with; one Tern had to add is
 *   logged only with +msg_id_created, as "id*=".  T= is the decoded
 *   Subject:, escaped as Exim escapes log fields.
 *
 *   Not logged yet, for want of the state to log: K (CHUNKING), PRDR,
 *   DKIM=, DS, PRX=; M8S is always 0 (the BODY= of MAIL is not kept).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "expand.h"
#include "optval.h"
#include "receive_int.h"

static int
on(struct tern_ctx *ctx, enum host_logsel w)
{
    return host_logsel_on(ctx->rt, w);
}

static void
add_host(struct tern_ctx *ctx, struct tern_buf *b)
{
    const struct host_session *s = ctx->sess;

    if (s == NULL || s->peer_address == NULL || *s->peer_address == '\0')
        return;
    tern_buf_adds(b, " H=");
    if (s->sender_host_name != NULL) {
        tern_buf_adds(b, s->sender_host_name);
        if (s->helo_name != NULL &&
            strcasecmp(s->helo_name, s->sender_host_name) != 0)
            tern_buf_addf(b, " (%s)", s->helo_name);
    } else if (s->helo_name != NULL) {
        tern_buf_addf(b, "(%s)", s->helo_name);
    }
    tern_buf_addf(b, "%s[%s]", s->sender_host_name || s->helo_name ? " " : "",
                  s->peer_address);
    if (on(ctx, HOST_LS_INCOMING_PORT))
        tern_buf_addf(b, ":%d", s->peer_port);
    if (on(ctx, HOST_LS_INCOMING_INTERFACE) && s->local_address != NULL)
        tern_buf_addf(b, " I=[%s]:%d", s->local_address, s->local_port);
}

static void
add_tls(struct tern_ctx *ctx, struct tern_buf *b)
{
    const struct host_tls_info *t = &ctx->sess->tls_in;

    if (!t->active)
        return;
    if (on(ctx, HOST_LS_TLS_CIPHER) && t->cipher != NULL)
        tern_buf_addf(b, " X=%s%s", t->cipher,
                      on(ctx, HOST_LS_TLS_RESUMPTION) && (t->resumption & 0x10)
                          ? "*" : "");
    if (on(ctx, HOST_LS_TLS_CERTIFICATE_VERIFIED))
        tern_buf_addf(b, " CV=%s", t->certificate_verified ? "yes" : "no");
    if (on(ctx, HOST_LS_TLS_PEERDN) && t->peerdn != NULL)
        tern_buf_addf(b, " DN=\"%s\"", host_fmt_printing(ctx->arena, t->peerdn,
                      strlen(t->peerdn), 1, 0));
    if (on(ctx, HOST_LS_TLS_SNI) && t->sni != NULL)
        tern_buf_addf(b, " SNI=\"%s\"", host_fmt_printing(ctx->arena, t->sni,
                      strlen(t->sni), 1, 0));
}

static void
add_time(struct tern_ctx *ctx, struct tern_buf *b)
{
    const struct tern_spool_msg *m = &ctx->msg->spool;
    long long us;

    if (m->complete_sec < 0)
        return;
    us = (m->complete_sec - m->received_time) * 1000000LL +
         (m->complete_usec - m->received_usec);
    if (us < 0)
        us = 0;
    if (on(ctx, HOST_LS_MILLISEC) && us < 60000000LL)
        tern_buf_addf(b, " RT=%lld.%03llds", us / 1000000, (us / 1000) % 1000);
    else
        tern_buf_addf(b, " RT=%s", tern_format_time(ctx->arena, us / 1000000));
}

/* The Message-ID (Resent-Message-ID when there are Resent- headers), its
 * angle brackets taken away; *created when Tern made it up. */
static const char *
msgid(struct tern_ctx *ctx, int *created)
{
    const struct tern_spool_msg *m = &ctx->msg->spool;
    long i = host_hdrs_find(m, "resent-message-id");

    if (i < 0)
        i = host_hdrs_find(m, "message-id");
    if (i < 0)
        return NULL;
    const struct tern_spool_header *h = &m->headers[i];
    size_t st = host_hdr_value_off(h->text, h->len), end = h->len;
    while (st < end && strchr(" \t\n", h->text[st]))
        st++;
    while (end > st && strchr(" \t\n", h->text[end - 1]))
        end--;
    if (st < end && h->text[st] == '<') {
        const char *gt = memchr(h->text + st, '>', end - st);
        st++;
        if (gt != NULL)
            end = (size_t)(gt - h->text);
    }
    char *v = tern_strndup(ctx->arena, h->text + st, end - st);
    *created = v[0] == 'E' && strncmp(v + 1, m->id, TERN_MSGID_LEN) == 0 &&
               (v[1 + TERN_MSGID_LEN] == '@' || v[1 + TERN_MSGID_LEN] == '.');
    return v;
}

static const char *
subject(struct tern_ctx *ctx)
{
    struct tern_exp_env env;
    char *val = NULL;
    size_t len = 0;
    long i = host_hdrs_find(&ctx->msg->spool, "subject");

    if (i < 0)
        return NULL;
    memset(&env, 0, sizeof env);
    host_exp_env(ctx, &env);
    if (env.header != NULL &&
        env.header(env.arg, TERN_EXP_HDR_DECODED, "subject", 7, ctx->arena,
                   &val, &len) == TERN_OK && val != NULL)
        return host_fmt_printing(ctx->arena, val, len, 1,
                                 ctx->rt->opts.print_topbitchars);
    /* no decoder: the raw value, trimmed */
    const struct tern_spool_header *h = &ctx->msg->spool.headers[i];
    size_t st = host_hdr_value_off(h->text, h->len), end = h->len;
    while (st < end && strchr(" \t", h->text[st]))
        st++;
    while (end > st && strchr(" \t\n", h->text[end - 1]))
        end--;
    return host_fmt_printing(ctx->arena, h->text + st, end - st, 1,
                             ctx->rt->opts.print_topbitchars);
}

char *
host_receive_log_line(struct tern_ctx *ctx)
{
    const struct host_session *s = ctx->sess;
    const struct host_message *msg = ctx->msg;
    const struct tern_spool_msg *m = &msg->spool;
    struct tern_buf b = { 0 };
    const char *proto = m->received_protocol.s ? m->received_protocol.s
                        : s && s->protocol ? s->protocol : "local";
    const char *id, *subj;
    int created = 0;
    char *out;

    tern_buf_addf(&b, "<= %s", m->sender && *m->sender ? m->sender : "<>");
    add_host(ctx, &b);
    if (s != NULL && s->ident != NULL && *s->ident)
        tern_buf_addf(&b, " U=%s", s->ident);
    tern_buf_addf(&b, " P=%s", proto);
    if (s != NULL && on(ctx, HOST_LS_PIPELINING) && s->pipelining_advertised)
        tern_buf_adds(&b, s->pipelining_used ? " L" : " L-");
    if (s != NULL)
        add_tls(ctx, &b);
    if (s != NULL && s->auth_mechanism != NULL) {
        tern_buf_addf(&b, " A=%s", s->auth_mechanism);
        if (s->authenticated_id != NULL && *s->authenticated_id)
            tern_buf_addf(&b, ":%s", s->authenticated_id);
        if (on(ctx, HOST_LS_SMTP_MAILAUTH) && s->authenticated_sender)
            tern_buf_addf(&b, ":%s", s->authenticated_sender);
    }
    tern_buf_addf(&b, " S=%lld", msg->size);
    if (on(ctx, HOST_LS_8BITMIME))
        tern_buf_adds(&b, " M8S=0");
    if (on(ctx, HOST_LS_RECEIVE_TIME))
        add_time(ctx, &b);
    id = msgid(ctx, &created);
    if (id != NULL && created && on(ctx, HOST_LS_MSG_ID_CREATED))
        tern_buf_addf(&b, " id*=%s", id);
    else if (id != NULL && !created && on(ctx, HOST_LS_MSG_ID))
        tern_buf_addf(&b, " id=%s", id);
    if (on(ctx, HOST_LS_SUBJECT) && (subj = subject(ctx)) != NULL)
        tern_buf_addf(&b, " T=\"%s\"", subj);
    if (on(ctx, HOST_LS_RECEIVED_SENDER))
        tern_buf_addf(&b, " from <%s>", m->sender ? m->sender : "");
    if (on(ctx, HOST_LS_RECEIVED_RECIPIENTS) && m->n_rcpts > 0) {
        tern_buf_adds(&b, " for");
        for (size_t i = 0; i < m->n_rcpts; i++)
            tern_buf_addf(&b, " %s", m->rcpts[i].address);
    }
    out = tern_strndup(ctx->arena, b.data ? b.data : "", b.len);
    tern_buf_free(&b);
    return out;
}
