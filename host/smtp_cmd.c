/*
 * NAME
 *   smtp_cmd.c - SMTP command lines: recognition, dispatch, error limits
 *
 * DESCRIPTION
 *   Every complete line in the input buffer is one command (or, during
 *   AUTH, one answer).  A line longer than SMTP_CMD_MAX is dropped as it
 *   arrives, never held whole, and answered "500 Line too long".
 *   Trailing white space (the CR included) is removed, as Exim does.
 *
 *   Commands are recognised case-insensitively by their first word, or
 *   by "MAIL FROM:" and "RCPT TO:" as Exim does (so "MAIL" alone is an
 *   unrecognised command).
 *
 *   Synchronisation (smtp_enforce_sync, for remote clients only): a
 *   command after which the client must wait for the reply (HELO, EHLO,
 *   DATA, STARTTLS, VRFY, EXPN, ETRN, NOOP: RFC 2920's list) is refused
 *   when more input is already there; when PIPELINING was not advertised
 *   every command except BDAT (its data follows it) and QUIT is such a
 *   point.  The refusal is Exim's "554 SMTP synchronization error" and
 *   the connection is dropped.
 *
 *   Limits: smtp_max_unknown_commands, smtp_max_synprot_errors (an
 *   unrecognised command also counts as a syntax error, as in Exim;
 *   "expected" errors of a pipelining client do not count),
 *   smtp_accept_max_nonmail (HELO/EHLO, RSET and STARTTLS once per
 *   message and the first AUTH are free, as Exim counts them).
 *
 * DIAGNOSTICS
 *   Main and reject log: "SMTP call from H dropped: too many
 *   unrecognized commands (last was \"...\")", "... too many syntax or
 *   protocol errors (last command was \"...\")", "... too many nonmail
 *   commands (last was \"...\")", "SMTP protocol synchronization error
 *   (next input sent too soon: pipelining was [not] advertised):
 *   rejected \"CMD\" H next input=\"...\"".  With +smtp_syntax_error and
 *   +smtp_protocol_error, each error: "SMTP syntax error in \"...\" H
 *   text".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_int.h"

enum verb {
    V_HELO, V_EHLO, V_MAIL, V_RCPT, V_DATA, V_BDAT, V_RSET, V_NOOP,
    V_QUIT, V_VRFY, V_EXPN, V_ETRN, V_HELP, V_AUTH, V_STARTTLS
};

#define F_SYNC    1u    /* client must wait for the reply */
#define F_NONMAIL 2u    /* counts towards smtp_accept_max_nonmail */
#define F_NOCHECK 4u    /* never a synchronisation point */

static const struct cmd {
    const char *name;
    size_t len;
    enum verb v;
    unsigned flags;
} cmds[] = {
    { "HELO", 4, V_HELO, F_SYNC | F_NONMAIL },
    { "EHLO", 4, V_EHLO, F_SYNC | F_NONMAIL },
    { "MAIL FROM:", 10, V_MAIL, 0 },
    { "RCPT TO:", 8, V_RCPT, 0 },
    { "DATA", 4, V_DATA, F_SYNC },
    { "BDAT", 4, V_BDAT, F_NOCHECK },
    { "RSET", 4, V_RSET, F_NONMAIL },
    { "NOOP", 4, V_NOOP, F_SYNC | F_NONMAIL },
    { "QUIT", 4, V_QUIT, F_NOCHECK },
    { "VRFY", 4, V_VRFY, F_SYNC | F_NONMAIL },
    { "EXPN", 4, V_EXPN, F_SYNC | F_NONMAIL },
    { "ETRN", 4, V_ETRN, F_SYNC | F_NONMAIL },
    { "HELP", 4, V_HELP, F_NONMAIL },
    { "AUTH", 4, V_AUTH, F_NONMAIL },
    { "STARTTLS", 8, V_STARTTLS, F_SYNC | F_NONMAIL },
};

/* smtp_helo.c */
void smtp_helo(struct host_smtp *s, const char *arg, int esmtp);
void smtp_help(struct host_smtp *s);
void smtp_quit(struct host_smtp *s);
void smtp_vrfy(struct host_smtp *s, const char *arg);
void smtp_expn(struct host_smtp *s, const char *arg);
void smtp_etrn(struct host_smtp *s, const char *arg);

int
smtp_enforce_sync(const struct host_smtp *s)
{
    unsigned c = s->sess->controls;

    if (c & HOST_CTL_NO_ENFORCE_SYNC)
        return 0;
    if (c & HOST_CTL_ENFORCE_SYNC)
        return 1;
    return s->rt->opts.smtp_enforce_sync;
}

static const struct cmd *
lookup(const char *line)
{
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const struct cmd *c = &cmds[i];

        if (strncasecmp(line, c->name, c->len) != 0)
            continue;
        if (c->name[c->len - 1] == ':' || line[c->len] == '\0' ||
            line[c->len] == ' ' || line[c->len] == '\t')
            return c;
    }
    return NULL;
}

int
smtp_synprot(struct host_smtp *s, int code, const char *text, int protocol)
{
    const char *cmd = smtp_printing(smtp_scratch(s), s->cmd, s->cmd_len,
                                    1000);

    if (s->log_sel & (protocol ? SMTP_LOG_PROTOCOL : SMTP_LOG_SYNTAX))
        smtp_log(s, TERN_LOG_MAIN, NULL, "SMTP %s error in \"%s\" %s %s",
                 protocol ? "protocol" : "syntax", cmd,
                 smtp_host_ident(s, 1), text);
    if ((long long)++s->synprot_count >
        s->rt->opts.smtp_max_synprot_errors) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL,
                 "SMTP call from %s dropped: too many syntax or protocol "
                 "errors (last command was \"%s\")", smtp_host_ident(s, 0),
                 cmd);
        smtp_out_printf(s, "%d-%s\r\n%d Too many syntax or protocol "
                        "errors\r\n", code, text, code);
        smtp_close(s, "bad-commands");
        return 1;
    }
    smtp_out_printf(s, "%d %s\r\n", code, text);
    return 0;
}

static void
unknown(struct host_smtp *s)
{
    if ((long long)s->unknown_count++ >=
        s->rt->opts.smtp_max_unknown_commands) {
        const char *cmd = smtp_printing(smtp_scratch(s), s->cmd, s->cmd_len,
                                        1000);

        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL,
                 "SMTP call from %s dropped: too many unrecognized commands"
                 " (last was \"%s\")", smtp_host_ident(s, 0), cmd);
        smtp_reply(s, 500, "Too many unrecognized commands");
        smtp_close(s, "bad-commands");
        return;
    }
    smtp_synprot(s, 500, "unrecognized command", 0);
}

static void
sync_error(struct host_smtp *s)
{
    size_t n = s->in.len - s->in.off;
    const char *next = smtp_printing(smtp_scratch(s), s->in.p + s->in.off,
                                     n, 150);

    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL,
             "SMTP protocol synchronization error (next input sent too "
             "soon: pipelining was%s advertised): rejected \"%s\" %s next "
             "input=\"%s\"", s->sess->pipelining_advertised ? "" : " not",
             smtp_printing(smtp_scratch(s), s->cmd, s->cmd_len, 1000),
             smtp_host_ident(s, 1), next);
    smtp_reply(s, 554, "SMTP synchronization error");
    smtp_close(s, "synchronization-error");
}

/* Must the client have waited for this command's reply? */
static int
sync_point(struct host_smtp *s, const struct cmd *c)
{
    if (!smtp_enforce_sync(s) || smtp_is_local(s) || (c->flags & F_NOCHECK))
        return 0;
    if (c->v == V_EHLO && !s->helo_seen && s->tls == NULL &&
        smtp_early_pipe_ok(s)) {
        if (s->in.len > s->in.off)
            s->sess->pipe_connect_used = 1;
        return 0;       /* early pipelining (PIPECONNECT) */
    }
    if (c->flags & F_SYNC)
        return 1;
    return !s->sess->pipelining_advertised;
}

/* 1 when the session was dropped for too many non-mail commands. */
static int
nonmail(struct host_smtp *s, enum verb v)
{
    int *free_pass = v == V_HELO || v == V_EHLO ? &s->helo_free
                   : v == V_RSET ? &s->rset_free
                   : v == V_STARTTLS ? &s->starttls_free
                   : v == V_AUTH ? &s->auth_free : NULL;
    long long max = s->rt->opts.smtp_accept_max_nonmail;

    if (free_pass != NULL && *free_pass) {
        *free_pass = 0;
        return 0;
    }
    if (max <= 0 || (long long)++s->nonmail_count <= max)
        return 0;
    if (!smtp_hosts(s, &s->rt->opts.smtp_accept_max_nonmail_hosts, 0))
        return 0;
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "SMTP call from %s "
             "dropped: too many nonmail commands (last was \"%.*s\")",
             smtp_host_ident(s, 0), (int)strcspn(s->cmd, " \t"), s->cmd);
    smtp_reply(s, 421, "too many nonmail commands");
    smtp_close(s, "bad-commands");
    return 1;
}

/* After a BDAT that was not LAST, only BDAT, RSET, QUIT and NOOP. */
static int
chunking_refuses(struct host_smtp *s, enum verb v, const char *arg)
{
    if (s->txn.chunking == CH_NONE)
        return 0;
    if (v == V_RSET || v == V_QUIT)
        return 0;
    if (s->txn.chunking == CH_OPEN) {
        if (v == V_BDAT || v == V_NOOP)
            return 0;
        smtp_txn_reset(s);
        s->txn.chunking = CH_BROKEN;
        smtp_synprot(s, 503, "only BDAT permissible after non-LAST BDAT",
                     1);
        return 1;
    }
    if (v == V_BDAT) {
        /* Still swallow its data, so it is not read as commands. */
        smtp_bdat_cmd(s, arg);
        return 1;
    }
    smtp_synprot(s, 503, "only RSET accepted now", 1);
    return 1;
}

static void
dispatch(struct host_smtp *s, const struct cmd *c, const char *arg)
{
    switch (c->v) {
    case V_HELO:
    case V_EHLO:
        smtp_helo(s, arg, c->v == V_EHLO);
        break;
    case V_MAIL:
        s->helo_free = s->rset_free = s->starttls_free = 1;
        smtp_mail(s, arg);
        break;
    case V_RCPT:
        smtp_rcpt(s, arg);
        break;
    case V_DATA:
        smtp_data_cmd(s);
        break;
    case V_BDAT:
        smtp_bdat_cmd(s, arg);
        break;
    case V_RSET:
        smtp_txn_reset(s);
        s->txn.chunking = CH_NONE;
        smtp_reply(s, 250, "Reset OK");
        break;
    case V_NOOP:
        smtp_reply(s, 250, "OK");
        break;
    case V_QUIT:
        smtp_quit(s);
        break;
    case V_VRFY:
        smtp_vrfy(s, arg);
        break;
    case V_EXPN:
        smtp_expn(s, arg);
        break;
    case V_ETRN:
        smtp_etrn(s, arg);
        break;
    case V_HELP:
        smtp_help(s);
        break;
    case V_AUTH:
        smtp_auth_cmd(s, arg);
        break;
    case V_STARTTLS:
        smtp_starttls(s, arg);
        break;
    }
}

static void
command(struct host_smtp *s, int hadnull)
{
    const struct cmd *c;
    const char *arg;

    if (hadnull) {
        smtp_synprot(s, 501, "NUL characters are not allowed in SMTP "
                     "commands", 0);
        return;
    }
    c = lookup(s->cmd);
    if (c == NULL) {
        unknown(s);
        return;
    }
    arg = s->cmd + c->len;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    s->sess->smtp_command_argument = arg;
    if (sync_point(s, c) && smtp_input_waiting(s)) {
        sync_error(s);
        return;
    }
    if (s->sess->pipelining_advertised && !(c->flags & F_SYNC) &&
        s->in.len > s->in.off)
        s->sess->pipelining_used = 1;
    if (chunking_refuses(s, c->v, arg))
        return;
    if ((c->flags & F_NONMAIL) && nonmail(s, c->v))
        return;
    dispatch(s, c, arg);
}

/* Copy one line into s->cmd, without trailing white space. */
static int
take_line(struct host_smtp *s, const char *p, size_t n)
{
    int hadnull = memchr(p, '\0', n) != NULL;

    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
                     p[n - 1] == '\t' || p[n - 1] == '\n'))
        n--;
    free(s->cmd);
    s->cmd = malloc(n + 1);
    if (s->cmd == NULL)
        abort();
    memcpy(s->cmd, p, n);
    s->cmd[n] = '\0';
    s->cmd_len = n;
    return hadnull;
}

static int
line_phase(const struct host_smtp *s)
{
    return s->phase == PH_CMD || s->phase == PH_AUTH;
}

int
smtp_commands(struct host_smtp *s)
{
    int progress = 0;

    while (line_phase(s) && s->hold_until == 0 &&
           smtp_out_pending(s) <= SMTP_OUT_HIGH) {
        char *base = s->in.p + s->in.off;
        size_t avail = s->in.len - s->in.off;
        char *lf = avail ? memchr(base, '\n', avail) : NULL;

        if (s->discarding) {
            if (lf == NULL) {
                progress |= avail > 0;
                s->in.off = s->in.len;
                return progress;
            }
            s->in.off += (size_t)(lf - base) + 1;
            s->discarding = 0;
            smtp_touch(s);
            free(s->cmd);
            s->cmd = strdup("(line too long)");
            s->cmd_len = s->cmd ? strlen(s->cmd) : 0;
            smtp_synprot(s, 500, "Line too long", 0);
            progress = 1;
            continue;
        }
        if (lf == NULL) {
            if (avail > SMTP_CMD_MAX) {
                s->discarding = 1;
                s->in.off = s->in.len;
                progress = 1;
            }
            return progress;
        }
        s->in.off += (size_t)(lf - base) + 1;
        smtp_touch(s);
        int hadnull = take_line(s, base, (size_t)(lf - base));

        if (s->phase == PH_AUTH)
            smtp_auth_line(s, s->cmd);
        else
            command(s, hadnull);
        if (s->scratch != NULL) {
            tern_arena_free(s->scratch);
            s->scratch = NULL;
        }
        progress = 1;
    }
    return progress;
}
