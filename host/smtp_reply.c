/*
 * NAME
 *   smtp_reply.c - SMTP replies, and ACL verdicts turned into replies
 *
 * DESCRIPTION
 *   A reply text with newlines becomes a multi-line reply, every line
 *   but the last with "CODE-".
 *
 *   An ACL `message` may start with its own code, "550 " or "550 5.7.1
 *   ": the code is used only when its first digit is the one the reply
 *   would have had anyway (for VRFY any code goes, as in Exim); a wrong
 *   class is a configuration error, logged to the panic log, and the
 *   default code is sent with the whole text.  An extended code is
 *   repeated on every line of a multi-line reply.  With the ACL control
 *   no_multiline_responses only the first line is sent.
 *
 *   A refusal (deny, defer, drop, or an ACL error) is answered with the
 *   default code of the stage (550; 252 for VRFY; 503 for AUTH) or 451,
 *   and the text "Administrative prohibition" or "Temporary local problem
 *   - please try later" when the ACL gave none; a deferral shows its
 *   message only when the ACL set one, and an ACL error never does.
 *
 * DIAGNOSTICS
 *   Main and reject logs, as Exim writes them:
 *     H=(helo) [ip] F=<sender> rejected RCPT <rcpt>: reason
 *     H=(helo) [ip] temporarily rejected MAIL <sender>: reason
 *     H=[ip] rejected connection in "connect" ACL: reason
 *   and, with +smtp_connection, "SMTP connection from H closed by DROP in
 *   ACL".  Panic log: "configured error code starts with incorrect digit
 *   (expected 5) in \"...\"".
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_int.h"

static void
lines(struct host_smtp *s, int code, const char *ext, const char *text,
      int single)
{
    const char *p = text ? text : "";

    for (;;) {
        size_t n = strcspn(p, "\n");
        int last = p[n] == '\0' || single;
        size_t m = n;

        while (m > 0 && p[m - 1] == '\r')
            m--;
        smtp_out_printf(s, "%d%c%s%.*s\r\n", code, last ? ' ' : '-', ext,
                        (int)m, p);
        if (last)
            break;
        p += n + 1;
    }
}

void
smtp_reply(struct host_smtp *s, int code, const char *text)
{
    lines(s, code, "", text, 0);
}

static int
is_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

/* "d.ddd.ddd " at p: its length with the space, else 0. */
static size_t
ext_code_len(const char *p)
{
    size_t i = 0, part;

    if (!isdigit((unsigned char)p[0]) || p[1] != '.')
        return 0;
    i = 2;
    for (int k = 0; k < 2; k++) {
        for (part = 0; isdigit((unsigned char)p[i]) && part < 3; part++)
            i++;
        if (part == 0)
            return 0;
        if (k == 0) {
            if (p[i] != '.')
                return 0;
            i++;
        }
    }
    return p[i] == ' ' ? i + 1 : 0;
}

static const char *
message_code(struct host_smtp *s, const char *msg, int dflt, int check,
             int *code, char *ext, size_t extlen)
{
    char first = (char)('0' + dflt / 100);
    size_t e;

    *code = dflt;
    ext[0] = '\0';
    if (msg == NULL || !is_digits(msg, 3) || msg[3] != ' ')
        return msg;
    if (check && msg[0] != first) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "configured error "
                 "code starts with incorrect digit (expected %c) in \"%s\"",
                 first, msg);
        return msg;
    }
    *code = (msg[0] - '0') * 100 + (msg[1] - '0') * 10 + (msg[2] - '0');
    msg += 4;
    e = ext_code_len(msg);
    if (e > 0 && msg[0] == (char)('0' + *code / 100) && e < extlen) {
        memcpy(ext, msg, e);
        ext[e] = '\0';
        msg += e;
    }
    return msg;
}

const char *
smtp_message_code(struct host_smtp *s, const char *msg, int dflt, int *code,
                  char *ext, size_t extlen)
{
    return message_code(s, msg, dflt, 1, code, ext, extlen);
}

static int
single_line(const struct host_smtp *s)
{
    unsigned c = s->sess->controls;

    if (s->ctx->msg != NULL)
        c |= s->ctx->msg->controls;
    return (c & HOST_CTL_NO_MULTILINE) != 0;
}

void
smtp_reply_acl_ok(struct host_smtp *s, int code, const char *dflt,
                  const struct host_acl_result *res, int single)
{
    char ext[16];
    int c;
    const char *t;

    if (res == NULL || res->user_message == NULL ||
        *res->user_message == '\0') {
        smtp_reply(s, code, dflt);
        return;
    }
    t = message_code(s, res->user_message, code, 1, &c, ext, sizeof ext);
    lines(s, c, ext, t, single || single_line(s));
}

static int
where_code(enum host_acl_where where)
{
    switch (where) {
    case HOST_ACL_VRFY:
        return 252;
    case HOST_ACL_AUTH:
        return 503;
    default:
        return 550;
    }
}

/* " A=name:id" for a client that authenticated (sender info). */
static const char *
sender_info(struct host_smtp *s)
{
    struct host_session *ss = s->sess;
    const char *sender = s->ctx->msg && s->ctx->msg->spool.sender
                         ? s->ctx->msg->spool.sender : "";

    if (ss->auth_mechanism == NULL)
        return tern_printf(smtp_scratch(s), "F=<%s> ", sender);
    return tern_printf(smtp_scratch(s), "F=<%s> A=%s%s%s ", sender,
                       ss->auth_mechanism, ss->authenticated_id ? ":" : "",
                       ss->authenticated_id ? ss->authenticated_id : "");
}

int
smtp_acl_refuse(struct host_smtp *s, enum host_acl_where where,
                enum host_acl_verdict v, const struct host_acl_result *res,
                const char *what, int with_sender, const char *msgid)
{
    int fail = v == HOST_ACL_DENY || v == HOST_ACL_DROP;
    int dflt = fail ? where_code(where) : 451;
    const char *user = res->user_message && *res->user_message
                       ? res->user_message : NULL;
    const char *text, *logmsg = res->log_message;
    char ext[16];
    int code;

    if (fail)
        text = user ? user : "Administrative prohibition";
    else if (v == HOST_ACL_DEFER && user != NULL)
        text = user;
    else
        text = "Temporary local problem - please try later";
    text = message_code(s, text, dflt, where != HOST_ACL_VRFY, &code, ext,
                        sizeof ext);
    lines(s, code, ext, text, single_line(s));
    if ((logmsg == NULL || *logmsg == '\0') && user != NULL &&
        (fail || v == HOST_ACL_DEFER))
        logmsg = text;
    if (logmsg != NULL && *logmsg != '\0')
        logmsg = tern_printf(smtp_scratch(s), ": %.*s",
                             (int)strcspn(logmsg, "\n"), logmsg);
    else
        logmsg = "";
    if (where == HOST_ACL_CONNECT)
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, msgid,
                 "%s %srejected connection in \"connect\" ACL%s",
                 smtp_host_ident(s, 1), fail ? "" : "temporarily ", logmsg);
    else
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, msgid,
                 "%s %s%srejected %s%s", smtp_host_ident(s, 1),
                 with_sender ? sender_info(s) : "",
                 fail ? "" : "temporarily ", what, logmsg);
    if (v != HOST_ACL_DROP)
        return 0;
    if (s->log_sel & SMTP_LOG_CONNECTION)
        smtp_log(s, TERN_LOG_MAIN, NULL, "%s closed by DROP in ACL",
                 smtp_conn_info(s));
    smtp_close(s, "acl-drop");
    return 1;
}
