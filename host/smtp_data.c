/*
 * NAME
 *   smtp_data.c - DATA and BDAT: message bytes in, group commit out
 *
 * DESCRIPTION
 *   DATA lines are decoded with Exim 4.96's rules: CRLF and a bare LF
 *   both end a line, a bare CR ends one too (it is stored as a newline),
 *   a dot that starts a line is removed, and a line holding only a dot
 *   (after CRLF or LF, with CRLF or LF after it) ends the message.  "CR
 *   dot CR" does not end it.  Everything else, 8-bit bytes and NULs
 *   included, is stored exactly.
 *
 *   BDAT chunks are taken byte-counted, with CRLF and a bare CR turned
 *   into LF as for DATA but no dot handling; a final line without its
 *   newline gets one, as Exim does.  After a chunk that is not LAST the
 *   reply is "250 N byte chunk received".
 *
 *   The decoded bytes go to receive.h in large pieces.  A message over
 *   message_size_limit is read to its end without being stored and then
 *   refused with 552; a client that vanishes or times out mid-message
 *   leaves nothing on the queue (host_receive_abort).
 *
 *   The end of the message (ACL, commit) is in smtp_end.c.
 *
 * DIAGNOSTICS
 *   Main log: "H F=<s> temporarily rejected DATA: why" when receive.h
 *   cannot start a message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "receive.h"
#include "smtp_int.h"

void
smtp_feed_flush(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    char err[256];
    int too_big = 0;

    if (s->feed.len == 0)
        return;
    if (t->rcv != NULL && !t->too_big && t->data_error == NULL &&
        host_receive_feed(t->rcv, s->feed.p, s->feed.len, &too_big, err,
                          sizeof err) != 0) {
        if (too_big)
            t->too_big = 1;
        else
            t->data_error = strdup(err);
    }
    s->feed.len = 0;
}

static void
feed_room(struct host_smtp *s)
{
    if (s->feed.cap < SMTP_FEED_SIZE) {
        char *p = realloc(s->feed.p, SMTP_FEED_SIZE);

        if (p == NULL)
            abort();
        s->feed.p = p;
        s->feed.cap = SMTP_FEED_SIZE;
    }
}

/* Hand `n` decoded bytes on (counted even when no longer stored). */
static void
emit(struct host_smtp *s, const char *p, size_t n)
{
    struct smtp_txn *t = &s->txn;

    if (n == 0)
        return;
    t->fed += (long long)n;
    t->last_fed = p[n - 1];
    if (t->size_limit > 0 && t->fed > t->size_limit)
        t->too_big = 1;
    if (t->too_big || t->data_error != NULL || t->rcv == NULL)
        return;
    while (n > 0) {
        size_t room = SMTP_FEED_SIZE - s->feed.len;
        size_t k = n < room ? n : room;

        memcpy(s->feed.p + s->feed.len, p, k);
        s->feed.len += k;
        p += k;
        n -= k;
        if (s->feed.len == SMTP_FEED_SIZE)
            smtp_feed_flush(s);
    }
}

static void
emit_nl(struct host_smtp *s)
{
    emit(s, "\n", 1);
}

/* Length of the run at p with no CR or LF. */
static size_t
plain_run(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    return i;
}

/* DATA: decode up to `n` bytes; returns the bytes used, and sets *end
 * when the terminating dot line was seen. */
static size_t
decode_data(struct host_smtp *s, const char *p, size_t n, int *end)
{
    struct smtp_txn *t = &s->txn;
    size_t i = 0;

    *end = 0;
    while (i < n) {
        char c = p[i];

        switch (t->dstate) {
        case DS_LINESTART:
            if (c == '.') {
                t->dstate = DS_DOT;
                i++;
                continue;
            }
            t->dstate = DS_MID;
            /* FALLTHROUGH */
        case DS_MID: {
            size_t r = plain_run(p + i, n - i);

            emit(s, p + i, r);
            i += r;
            if (i == n)
                return i;
            if (p[i] == '\n') {
                emit_nl(s);
                t->dstate = DS_LINESTART;
            } else {
                t->dstate = DS_CR;
            }
            i++;
            continue;
        }
        case DS_CR:
            emit_nl(s);
            if (c == '\n') {
                t->dstate = DS_LINESTART;
            } else if (c != '\r') {
                emit(s, &c, 1);
                t->dstate = DS_MID;
            }
            i++;
            continue;
        case DS_DOT:
            if (c == '\n') {
                *end = 1;
                return i + 1;
            }
            if (c == '\r') {
                t->dstate = DS_DOTCR;
            } else {
                emit(s, &c, 1);
                t->dstate = DS_MID;
            }
            i++;
            continue;
        case DS_DOTCR:
            if (c == '\n') {
                *end = 1;
                return i + 1;
            }
            emit_nl(s);
            if (c == '\r') {
                t->dstate = DS_CR;
            } else {
                emit(s, &c, 1);
                t->dstate = DS_MID;
            }
            i++;
            continue;
        }
    }
    return i;
}

/* BDAT: CRLF and bare CR become LF; no dots. */
static void
decode_bdat(struct host_smtp *s, const char *p, size_t n)
{
    struct smtp_txn *t = &s->txn;
    size_t i = 0;

    while (i < n) {
        if (t->bcr) {
            t->bcr = 0;
            emit_nl(s);
            if (p[i] == '\n') {
                i++;
                continue;
            }
        }
        size_t r = plain_run(p + i, n - i);

        emit(s, p + i, r);
        i += r;
        if (i == n)
            break;
        if (p[i] == '\n')
            emit_nl(s);
        else
            t->bcr = 1;
        i++;
    }
}

static int
begin(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    char err[256];

    t->size_limit = s->size_limit;
    t->fed = 0;
    t->last_fed = '\n';
    t->dstate = DS_LINESTART;
    t->bcr = 0;
    feed_room(s);
    s->feed.len = 0;
    if (s->size_limit < 0) {
        smtp_reply(s, 451, "Temporary local problem - please try later");
        return -1;
    }
    t->rcv = host_receive_begin(s->ctx, s->spool, err, sizeof err);
    if (t->rcv == NULL) {
        smtp_log(s, TERN_LOG_MAIN, NULL, "%s F=<%s> temporarily rejected "
                 "DATA: %s", smtp_host_ident(s, 1),
                 s->ctx->msg->spool.sender, err);
        smtp_reply(s, 451, "Temporary local problem - please try later");
        return -1;
    }
    t->data_started = 1;
    return 0;
}

/* 503 for DATA or BDAT without an accepted recipient; 1 if refused. */
static int
no_recipients(struct host_smtp *s, const char *cmd)
{
    struct smtp_txn *t = &s->txn;

    if (t->active && (t->rcpts_ok > 0 || t->discard ||
                      t->rcpts_discarded > 0))
        return 0;
    if (t->rcpts_failed > 0 && !t->rcpt_errors_differ &&
        t->last_rcpt_error != NULL)
        smtp_out_printf(s, "503-All RCPT commands were rejected with this "
                        "error:\r\n503-%s\r\n", t->last_rcpt_error);
    if (s->sess->pipelining_advertised && t->rcpts_failed > 0)
        smtp_out_printf(s, "503 Valid RCPT command must precede %s\r\n",
                        cmd);
    else
        smtp_synprot(s, 503, tern_printf(smtp_scratch(s), "valid RCPT "
                     "command must precede %s", cmd), 1);
    return 1;
}

/* The predata ACL: 0 go on, 1 refused (reply sent). */
static int
predata(struct host_smtp *s, struct host_acl_result *r)
{
    enum host_acl_verdict v;

    v = smtp_acl(s, HOST_ACL_PREDATA, s->rt->opts.acl_smtp_predata.text,
                 NULL, r);
    if (v == HOST_ACL_ACCEPT)
        return 0;
    smtp_acl_refuse(s, HOST_ACL_PREDATA, v, r, "DATA", 1, NULL);
    return 1;
}

void
smtp_data_cmd(struct host_smtp *s)
{
    struct host_acl_result r;

    if (no_recipients(s, "DATA"))
        return;
    memset(&r, 0, sizeof r);
    if (!s->txn.discard && s->txn.rcpts_ok > 0 && predata(s, &r))
        return;
    if (begin(s) != 0)
        return;
    smtp_reply_acl_ok(s, 354, "Enter message, ending with \".\" on a line "
                      "by itself", &r, 0);
    s->phase = PH_DATA;
    smtp_touch(s);
}

/* Parse "SIZE [LAST]": 0, or -1. */
static int
bdat_args(const char *arg, long long *size, int *last)
{
    char *end;

    if (arg == NULL || *arg < '0' || *arg > '9')
        return -1;
    *size = strtoll(arg, &end, 10);
    if (*size < 0 || *size > (1LL << 50))
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    *last = 0;
    if (*end == '\0')
        return 0;
    if ((end[0] == 'L' || end[0] == 'l') && strncasecmp(end, "LAST", 4) == 0
        && end[4] == '\0') {
        *last = 1;
        return 0;
    }
    return -1;
}

static void
swallow(struct host_smtp *s, long long size)
{
    s->txn.bdat_left = size;
    s->txn.bdat_discard = 1;
    s->phase = PH_BDAT;
}

void
smtp_bdat_cmd(struct host_smtp *s, const char *arg)
{
    struct smtp_txn *t = &s->txn;
    struct host_acl_result r;
    long long size;
    int last;

    if (bdat_args(arg, &size, &last) != 0) {
        smtp_synprot(s, 501, "missing size for BDAT command", 0);
        return;
    }
    if (t->chunking == CH_BROKEN) {
        swallow(s, size);
        smtp_synprot(s, 503, "only RSET accepted now", 1);
        return;
    }
    if (!s->chunking) {
        swallow(s, size);
        smtp_synprot(s, 503, "BDAT command used when CHUNKING not "
                     "advertised", 1);
        return;
    }
    if (!t->data_started) {
        if (no_recipients(s, "BDAT")) {
            swallow(s, size);
            return;
        }
        memset(&r, 0, sizeof r);
        if ((!t->discard && t->rcpts_ok > 0 && predata(s, &r)) ||
            begin(s) != 0) {
            smtp_txn_reset(s);
            t->chunking = CH_BROKEN;
            swallow(s, size);
            return;
        }
    }
    t->chunking = CH_OPEN;
    t->bdat_size = size;
    t->bdat_left = size;
    t->bdat_last = last;
    t->bdat_discard = 0;
    s->phase = PH_BDAT;
    smtp_touch(s);
}

static int
bdat_input(struct host_smtp *s)
{
    struct smtp_txn *t = &s->txn;
    size_t avail = s->in.len - s->in.off;
    size_t take = (long long)avail < t->bdat_left ? avail
                                                  : (size_t)t->bdat_left;

    if (take > 0) {
        if (!t->bdat_discard)
            decode_bdat(s, s->in.p + s->in.off, take);
        s->in.off += take;
        t->bdat_left -= (long long)take;
        smtp_touch(s);
    }
    if (t->bdat_left > 0) {
        smtp_feed_flush(s);
        return take > 0;
    }
    s->phase = PH_CMD;
    if (t->bdat_discard) {
        t->bdat_discard = 0;
        return 1;
    }
    if (!t->bdat_last) {
        smtp_feed_flush(s);
        smtp_out_printf(s, "250 %lld byte chunk received\r\n", t->bdat_size);
        return 1;
    }
    if (t->bcr) {
        t->bcr = 0;
        emit_nl(s);
    }
    if (t->fed > 0 && t->last_fed != '\n')
        emit_nl(s);
    t->chunking = CH_NONE;
    smtp_end_message(s);
    return 1;
}

int
smtp_data_input(struct host_smtp *s)
{
    size_t avail = s->in.len - s->in.off, used;
    int end;

    if (s->phase == PH_BDAT)
        return bdat_input(s);
    if (avail == 0)
        return 0;
    used = decode_data(s, s->in.p + s->in.off, avail, &end);
    if (memchr(s->in.p + s->in.off, '\n', used) != NULL)
        smtp_touch(s);
    s->in.off += used;
    if (end) {
        s->phase = PH_CMD;
        smtp_end_message(s);
    } else {
        smtp_feed_flush(s);
    }
    return 1;
}
