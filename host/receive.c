/*
 * NAME
 *   receive.c - building a message from its bytes and putting it on the
 *   spool (receive.h)
 *
 * DESCRIPTION
 *   Bytes arrive in any pieces.  Until the header ends they are kept in
 *   one buffer and checked line by line: a header starts with a name and
 *   a colon, a line starting with a blank continues it, an empty line
 *   ends the header (and is not stored), and any other line ends the
 *   header and is the first line of the body, as Exim reads messages.
 *   header_maxsize limits the whole header and header_line_maxsize one
 *   header with its continuations.  The body goes straight into the -D
 *   file.  message_size_limit counts every byte fed.
 *
 *   The -H file is written only by host_receive_prepare_commit(), after
 *   the DATA or non-SMTP ACL: until then a crash or a vanished client
 *   leaves at most a temporary -D, which the spool library tidies.
 *
 *   Message ids come from one generator per process; call
 *   host_receive_exit() before the process exits so that a later
 *   process with the same pid can never repeat one (lib/msgid.c).
 *
 * DIAGNOSTICS
 *   Failures are reported in `err` and by host_receive_failure(): the
 *   SMTP engine turns them into replies (host_receive_smtp_reply), local
 *   submission into Exim's stderr messages and exit statuses.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "optval.h"
#include "receive_int.h"

static struct tern_msgid_gen idgen;
static int idgen_ready;

static int
idgen_init(struct tern_ctx *ctx, char *err, size_t errlen)
{
    long long n = -1;
    const char *t = ctx->rt->opts.localhost_number.text;

    if (idgen_ready)
        return 0;
    if (t != NULL) {
        const char *out = NULL, *why = NULL, *perr = NULL;
        unsigned col;

        if (host_expand(ctx, t, &out, &why) != 0 ||
            tern_parse_int(out, &n, &perr, &col) != 0 || n < 0 || n > 16) {
            snprintf(err, errlen, "localhost_number: %s",
                     why ? why : perr ? perr : "must be 0 to 16");
            return -1;
        }
    }
    if (tern_msgid_gen_init(&idgen, (int)n) != 0) {
        snprintf(err, errlen, "localhost_number out of range");
        return -1;
    }
    idgen_ready = 1;
    return 0;
}

void
host_receive_exit(void)
{
    if (idgen_ready)
        tern_msgid_barrier(&idgen);
}

long long
host_receive_size_limit(struct tern_ctx *ctx, char *err, size_t errlen)
{
    const char *t = ctx->rt->opts.message_size_limit.text;
    const char *out = NULL, *why = NULL, *perr = NULL;
    long long n = 0;
    unsigned col;
    int rc;

    if (t == NULL)
        return 0;
    rc = host_expand(ctx, t, &out, &why);
    if (rc != 0 || out == NULL) {
        snprintf(err, errlen, "failed to expand message_size_limit \"%s\": %s",
                 t, why ? why : "forced failure");
        return -1;
    }
    if (*out == '\0')
        return 0;
    if (tern_parse_int(out, &n, &perr, &col) != 0 || n < 0) {
        snprintf(err, errlen, "invalid message_size_limit \"%s\"", out);
        return -1;
    }
    return n;
}

enum host_receive_fail
host_receive_failure(const struct host_receiver *r)
{
    return r ? r->fail : HOST_RCV_IO;
}

const char *
host_receive_smtp_reply(enum host_receive_fail f)
{
    switch (f) {
    case HOST_RCV_OK:
        return "250 OK";
    case HOST_RCV_TOO_BIG:
        return "552 Message size exceeds maximum permitted";
    case HOST_RCV_HEADER_TOO_BIG:
        return "552 A message header line is too long";
    case HOST_RCV_NO_RCPTS:
    case HOST_RCV_BAD_ADDRESS:
        return "550 Administrative prohibition";
    case HOST_RCV_CONFIG:
        return "451 Temporary local problem - please try later";
    case HOST_RCV_IO:
    default:
        return "451 Local delivery error: please try later";
    }
}

static int
rfail(struct host_receiver *r, enum host_receive_fail f, char *err,
      size_t errlen, const char *text)
{
    r->fail = f;
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", text);
    return -1;
}

/* A local session (-bs) gets the local-submission treatment without
 * being asked, as in Exim: the caller's trust, name and default sender
 * come from the session. */
static void
default_local(struct host_receiver *r)
{
    const struct host_session *s = r->ctx.sess;
    struct host_receive_local lo;
    const struct passwd *pw;
    const char *qd = r->rt->qualify_domain ? r->rt->qualify_domain
                                           : r->rt->primary_hostname;
    const char *sender = r->msg->spool.sender;

    if (s == NULL || !s->is_local || s->login == NULL ||
        (s->peer_address != NULL && *s->peer_address != '\0'))
        return;
    memset(&lo, 0, sizeof lo);
    lo.trusted = host_caller_trusted(r->rt, s->uid, s->gid);
    pw = getpwuid((uid_t)s->uid);
    lo.gecos = pw ? host_caller_gecos(r->a, pw->pw_name, pw->pw_gecos) : NULL;
    lo.sender_local = sender != NULL && qd != NULL &&
        strncmp(sender, s->login, strlen(s->login)) == 0 &&
        sender[strlen(s->login)] == '@' &&
        strcasecmp(sender + strlen(s->login) + 1, qd) == 0;
    lo.auth_login = !lo.trusted || lo.sender_local;
    host_receive_set_local(r, &lo);
}

struct host_receiver *
host_receive_begin(struct tern_ctx *ctx, struct tern_spool *spool,
                   char *err, size_t errlen)
{
    struct host_receiver *r;
    struct tern_spool_err serr;
    struct host_message *msg = ctx->msg;
    struct timespec when;
    long long limit;

    if (msg == NULL || ctx->rt == NULL) {
        snprintf(err, errlen, "no message to receive");
        return NULL;
    }
    limit = host_receive_size_limit(ctx, err, errlen);
    if (limit < 0 || idgen_init(ctx, err, errlen) != 0)
        return NULL;
    if (tern_msgid_next(&idgen, msg->spool.id, &when) != 0) {
        snprintf(err, errlen, "cannot read the clock: %s", strerror(errno));
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->out = tern_spool_out_new(spool, msg->spool.id, &serr);
    if (r->out == NULL) {
        snprintf(err, errlen, "%s", serr.text);
        free(r);
        return NULL;
    }
    r->ctx = *ctx;
    r->rt = ctx->rt;
    r->msg = msg;
    r->a = msg->arena ? msg->arena : ctx->arena;
    r->spool = spool;
    r->limit = limit;
    r->started = when;
    msg->spool.received_time = when.tv_sec;
    msg->spool.received_usec = (int)(when.tv_nsec / 1000);
    host_hdrs_init(&r->hdrs, &msg->spool, r->a);
    default_local(r);
    return r;
}

void
host_receive_set_local(struct host_receiver *r,
                       const struct host_receive_local *lo)
{
    r->local = *lo;
    r->have_local = 1;
}

static int
body_write(struct host_receiver *r, const char *p, size_t n, char *err,
           size_t errlen)
{
    struct tern_spool_err serr;

    if (n == 0)
        return 0;
    if (tern_spool_out_data(r->out, p, n, &serr) != 0)
        return rfail(r, HOST_RCV_IO, err, errlen, serr.text);
    r->want_newline = p[n - 1] != '\n';
    return 0;
}

/* Line statistics over every byte fed: $message_linecount and Exim's
 * -max_received_linelength (longest line without its newline). */
static void
count_lines(struct host_receiver *r, const char *p, size_t n)
{
    const char *end = p + n;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (nl == NULL) {
            r->cur_len += end - p;
            break;
        }
        r->cur_len += nl - p;
        if (r->cur_len > r->max_len)
            r->max_len = r->cur_len;
        r->cur_len = 0;
        r->lines++;
        p = nl + 1;
    }
}

/* The header is complete: parse it, then everything after it is body. */
static int
header_end(struct host_receiver *r, size_t hdr_len, size_t body_from,
           char *err, size_t errlen)
{
    struct tern_spool_msg *m = &r->msg->spool;
    struct tern_spool_header *v;
    size_t n = host_hdr_split(r->a, r->hdr.data, hdr_len, &v);

    /* Headers an SMTP engine set up front (none normally) stay first. */
    for (size_t i = 0; i < n; i++)
        host_hdrs_insert(&r->hdrs, m->n_headers, v[i].text, v[i].len);
    r->in_body = 1;
    for (size_t i = 0; i < hdr_len; i++)
        r->header_lines += r->hdr.data[i] == '\n';
    if (host_receive_header_done(r, err, errlen) != 0)
        return -1;
    if (body_write(r, r->hdr.data + body_from, r->hdr.len - body_from,
                   err, errlen) != 0)
        return -1;
    tern_buf_free(&r->hdr);
    return 0;
}

static int
too_long(struct host_receiver *r, const char *what, long long max, char *err,
         size_t errlen)
{
    char text[160];

    snprintf(text, sizeof text, "message header%s longer than %lld characters"
             " received", what, max);
    return rfail(r, HOST_RCV_HEADER_TOO_BIG, err, errlen, text);
}

/* Look at the complete lines not yet checked. */
static int
header_scan(struct host_receiver *r, char *err, size_t errlen)
{
    const struct tern_opts_main *o = &r->rt->opts;

    for (;;) {
        size_t ls = r->hdr_line;
        const char *nl = memchr(r->hdr.data + ls, '\n', r->hdr.len - ls);

        if (o->header_maxsize > 0 &&
            (long long)(nl ? (size_t)(nl - r->hdr.data) : r->hdr.len) >
            o->header_maxsize)
            return too_long(r, "", o->header_maxsize, err, errlen);
        if (nl == NULL)
            return 0;
        size_t le = (size_t)(nl - r->hdr.data), len = le - ls;
        const char *line = r->hdr.data + ls;

        if (len == 0)
            return header_end(r, ls, le + 1, err, errlen);
        if (line[0] == ' ' || line[0] == '\t') {
            if (ls == 0)
                return header_end(r, 0, 0, err, errlen);
            r->hdr_logical += len + 1;
        } else if (host_hdr_line_ok(line, len)) {
            r->hdr_logical = len + 1;
        } else {
            return header_end(r, ls, ls, err, errlen);
        }
        if (o->header_line_maxsize > 0 &&
            (long long)r->hdr_logical - 1 > o->header_line_maxsize)
            return too_long(r, " line", o->header_line_maxsize, err, errlen);
        r->hdr_line = le + 1;
    }
}

int
host_receive_feed(struct host_receiver *r, const char *p, size_t n,
                  int *too_big, char *err, size_t errlen)
{
    if (too_big != NULL)
        *too_big = 0;
    if (r->fail != HOST_RCV_OK) {
        if (too_big != NULL)
            *too_big = r->fail == HOST_RCV_TOO_BIG;
        return -1;
    }
    r->received += (long long)n;
    if (r->limit > 0 && r->received > r->limit) {
        char text[128];

        snprintf(text, sizeof text, "message too big: read=%lld max=%lld",
                 r->received, r->limit);
        if (too_big != NULL)
            *too_big = 1;
        return rfail(r, HOST_RCV_TOO_BIG, err, errlen, text);
    }
    count_lines(r, p, n);
    if (r->in_body)
        return body_write(r, p, n, err, errlen);
    tern_buf_add(&r->hdr, p, n);
    return header_scan(r, err, errlen);
}

/* Exim's $message_size: live headers, the blank line, the body. */
static void
set_sizes(struct host_receiver *r)
{
    long long bytes, lines, zeros;
    struct tern_spool_msg *m = &r->msg->spool;

    tern_spool_out_stats(r->out, &bytes, &lines, &zeros);
    m->body_linecount = lines;
    m->body_zerocount = zeros > 0 ? zeros : -1;
    m->max_received_linelength = r->max_len;
    r->msg->size = tern_spool_msg_size(m, bytes);
    r->msg->body_linecount = lines;
}

int
host_receive_end_data(struct host_receiver *r, char *err, size_t errlen)
{
    const struct host_session *s = r->ctx.sess;

    if (r->fail != HOST_RCV_OK)
        return rfail(r, r->fail, err, errlen, "message already failed");
    if (r->cur_len > r->max_len)
        r->max_len = r->cur_len;
    if (!r->in_body) {
        /* The data ended inside the header: an unfinished last line is
         * completed, then the header ends where the data does. */
        if (r->hdr.len > r->hdr_line) {
            tern_buf_addc(&r->hdr, '\n');
            r->lines++;
            if (header_scan(r, err, errlen) != 0)
                return -1;
        }
        if (!r->in_body && header_end(r, r->hdr.len, r->hdr.len, err,
                                      errlen) != 0)
            return -1;
    } else if (r->want_newline) {
        /* as Exim, a body whose last line has no newline gets one */
        r->lines++;
        if (body_write(r, "\n", 1, err, errlen) != 0)
            return -1;
    }
    if (r->have_local)
        r->fixups = !r->local.suppress_fixups;
    else
        r->fixups = ((r->msg->controls | (s ? s->controls : 0)) &
                     HOST_CTL_SUBMISSION) != 0;
    if (host_receive_additions(r, err, errlen) != 0)
        return -1;
    /* Changes the MAIL, RCPT and predata ACLs asked for are applied now,
     * so the DATA ACL sees them; later ones in prepare_commit. */
    host_hdrs_apply_changes(&r->hdrs, r->msg->hdr_changes);
    r->msg->hdr_changes = NULL;
    set_sizes(r);
    r->ended = 1;
    return 0;
}

void
host_receive_skipped(struct host_receiver *r, const char *p, size_t n)
{
    count_lines(r, p, n);
    r->lines--;                 /* not a line of the message */
}

long long
host_receive_linecount(const struct host_receiver *r)
{
    return r->lines;
}
