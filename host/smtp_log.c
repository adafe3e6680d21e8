/*
 * NAME
 *   smtp_log.c - how the SMTP engine names the client in log lines
 *
 * DESCRIPTION
 *   Exim's host identification: "H=" then the host's name when it is
 *   known, the HELO name in parentheses when it differs from it (or when
 *   no name is known), and the address in brackets; with +incoming_port
 *   the port after the address, with +incoming_interface " I=[ip]:port";
 *   " U=ident" when an ident is known.  A local -bs session is "U=login".
 *
 *   smtp_log_selectors() reads the log_selector words the engine acts
 *   on; the defaults are Exim's (lost_incoming_connection and size_reject
 *   on, the others off), "+all" and "-all" included.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "smtp_int.h"

static const struct {
    const char *name;
    unsigned bit;
} selectors[] = {
    { "smtp_connection", SMTP_LOG_CONNECTION },
    { "smtp_syntax_error", SMTP_LOG_SYNTAX },
    { "smtp_protocol_error", SMTP_LOG_PROTOCOL },
    { "lost_incoming_connection", SMTP_LOG_LOST },
    { "incoming_port", SMTP_LOG_PORT },
    { "incoming_interface", SMTP_LOG_IFACE },
    { "size_reject", SMTP_LOG_SIZE_REJECT },
};

unsigned
smtp_log_selectors(const char *sel)
{
    unsigned bits = SMTP_LOG_LOST | SMTP_LOG_SIZE_REJECT;

    for (const char *p = sel ? sel : ""; *p;) {
        size_t w;

        while (*p == ' ' || *p == '\t')
            p++;
        w = strcspn(p, " \t");
        if (w > 1 && (p[0] == '+' || p[0] == '-')) {
            int on = p[0] == '+';

            if (w == 4 && strncmp(p + 1, "all", 3) == 0) {
                bits = on ? ~0u : 0;
            } else {
                for (size_t i = 0; i < sizeof selectors / sizeof *selectors;
                     i++) {
                    if (strlen(selectors[i].name) == w - 1 &&
                        strncmp(p + 1, selectors[i].name, w - 1) == 0)
                        bits = on ? bits | selectors[i].bit
                                  : bits & ~selectors[i].bit;
                }
            }
        }
        p += w;
    }
    return bits;
}

static const char *
fullhost(struct host_smtp *s)
{
    struct host_session *ss = s->sess;
    struct tern_arena *a = smtp_scratch(s);
    const char *helo = ss->helo_name, *name = ss->sender_host_name;
    const char *port = "", *iface = "";
    char lit[80];

    if (s->log_sel & SMTP_LOG_PORT)
        port = tern_printf(a, ":%d", ss->peer_port);
    if ((s->log_sel & SMTP_LOG_IFACE) && ss->local_address != NULL)
        iface = tern_printf(a, " I=[%s]:%d", ss->local_address,
                            ss->local_port);
    snprintf(lit, sizeof lit, "[%s]", ss->peer_address);
    if (helo != NULL && strcasecmp(helo, lit) == 0)
        helo = NULL;            /* the literal of the host: nothing new */
    if (name != NULL && helo != NULL && strcasecmp(name, helo) == 0)
        helo = NULL;
    return tern_printf(a, "%s%s%s%s%s[%s]%s%s", name ? name : "",
                       name ? " " : "", helo ? "(" : "", helo ? helo : "",
                       helo ? ") " : "", ss->peer_address, port, iface);
}

const char *
smtp_host_ident(struct host_smtp *s, int useflag)
{
    struct host_session *ss = s->sess;
    struct tern_arena *a = smtp_scratch(s);

    if (ss->peer_address == NULL) {
        const char *who = ss->ident ? ss->ident
                        : ss->login ? ss->login : "unknown";

        return tern_printf(a, "%s%s", useflag ? "U=" : "", who);
    }
    return tern_printf(a, "%s%s%s%s", useflag ? "H=" : "", fullhost(s),
                       ss->ident ? " U=" : "", ss->ident ? ss->ident : "");
}

const char *
smtp_conn_info(struct host_smtp *s)
{
    return tern_printf(smtp_scratch(s), "SMTP connection from %s",
                       smtp_host_ident(s, 0));
}

const char *
smtp_duration(struct host_smtp *s)
{
    long long d = (long long)(time(NULL) - s->sess->started);
    struct tern_arena *a = smtp_scratch(s);
    char buf[64];
    size_t n = 0;
    static const struct {
        long long secs;
        char unit;
    } units[] = {
        { 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
        { 1, 's' },
    };

    if (d <= 0)
        return "0s";
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (d >= units[i].secs) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%lld%c",
                                  d / units[i].secs, units[i].unit);
            d %= units[i].secs;
        }
    }
    return tern_strdup(a, buf);
}

const char *
smtp_printing(struct tern_arena *a, const char *p, size_t n, size_t max)
{
    struct tern_buf b = { 0 };
    const char *r;

    if (p == NULL)
        return "";
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == '\\')
            tern_buf_adds(&b, "\\\\");
        else if (c == '\n')
            tern_buf_adds(&b, "\\n");
        else if (c == '\r')
            tern_buf_adds(&b, "\\r");
        else if (c == '\t')
            tern_buf_adds(&b, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            tern_buf_addf(&b, "\\%03o", c);
        else
            tern_buf_addc(&b, (char)c);
    }
    r = tern_strndup(a, b.data ? b.data : "", b.len);
    tern_buf_free(&b);
    return r;
}

void
smtp_log(struct host_smtp *s, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    char *line;
    va_list ap;

    va_start(ap, fmt);
    line = tern_vprintf(smtp_scratch(s), fmt, ap);
    va_end(ap);
    host_log(s->rt, dest, msgid, "%s", line);
}
