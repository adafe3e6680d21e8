/*
 * NAME
 *   logsel.c - log_selector: which optional items go into the logs
 *
 * SYNOPSIS
 *   unsigned long long bits;
 *   host_logsel_parse("+all -subject", &bits, err, sizeof err);
 *   if (host_logsel_on(rt, HOST_LS_SUBJECT)) ...
 *
 * DESCRIPTION
 *   The value is read as Exim 4.96 reads it: starting from the default
 *   set, a sequence of "+name" and "-name" items, blanks between them
 *   optional ("+tls_sni+subject" is two items), a name running until
 *   the next blank, '+' or '-'; "all" stands for every selector.  The
 *   names are those of Exim 4.96's table (spec 53.15) plus the ones its
 *   binary also accepts (protocol_detail, rejected_headers as a synonym
 *   of rejected_header).  unknown_in_list, documented for 4.96 but
 *   refused by Debian's 4.96 binary, is accepted.
 *
 * DIAGNOSTICS
 *   Exim's words: "unknown log_selector setting: +foo", "malformed
 *   log_selector setting: + or - expected but found "foo"".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tern/host.h>

#include "receive.h"

#define BIT(x) (1ULL << (x))

static const struct {
    const char *name;
    int bit;
    int dflt;
} table[] = {
    { "8bitmime", HOST_LS_8BITMIME, 0 },
    { "acl_warn_skipped", HOST_LS_ACL_WARN_SKIPPED, 1 },
    { "address_rewrite", HOST_LS_ADDRESS_REWRITE, 0 },
    { "all_parents", HOST_LS_ALL_PARENTS, 0 },
    { "arguments", HOST_LS_ARGUMENTS, 0 },
    { "connection_reject", HOST_LS_CONNECTION_REJECT, 1 },
    { "delay_delivery", HOST_LS_DELAY_DELIVERY, 1 },
    { "deliver_time", HOST_LS_DELIVER_TIME, 0 },
    { "delivery_size", HOST_LS_DELIVERY_SIZE, 0 },
    { "dkim", HOST_LS_DKIM, 1 },
    { "dkim_verbose", HOST_LS_DKIM_VERBOSE, 0 },
    { "dnslist_defer", HOST_LS_DNSLIST_DEFER, 1 },
    { "dnssec", HOST_LS_DNSSEC, 0 },
    { "etrn", HOST_LS_ETRN, 1 },
    { "host_lookup_failed", HOST_LS_HOST_LOOKUP_FAILED, 1 },
    { "ident_timeout", HOST_LS_IDENT_TIMEOUT, 0 },
    { "incoming_interface", HOST_LS_INCOMING_INTERFACE, 0 },
    { "incoming_port", HOST_LS_INCOMING_PORT, 0 },
    { "lost_incoming_connection", HOST_LS_LOST_INCOMING_CONNECTION, 1 },
    { "millisec", HOST_LS_MILLISEC, 0 },
    { "msg_id", HOST_LS_MSG_ID, 1 },
    { "msg_id_created", HOST_LS_MSG_ID_CREATED, 0 },
    { "outgoing_interface", HOST_LS_OUTGOING_INTERFACE, 0 },
    { "outgoing_port", HOST_LS_OUTGOING_PORT, 0 },
    { "pid", HOST_LS_PID, 0 },
    { "pipelining", HOST_LS_PIPELINING, 0 },
    { "protocol_detail", HOST_LS_PROTOCOL_DETAIL, 0 },
    { "proxy", HOST_LS_PROXY, 0 },
    { "queue_run", HOST_LS_QUEUE_RUN, 1 },
    { "queue_time", HOST_LS_QUEUE_TIME, 0 },
    { "queue_time_exclusive", HOST_LS_QUEUE_TIME_EXCLUSIVE, 0 },
    { "queue_time_overall", HOST_LS_QUEUE_TIME_OVERALL, 0 },
    { "receive_time", HOST_LS_RECEIVE_TIME, 0 },
    { "received_recipients", HOST_LS_RECEIVED_RECIPIENTS, 0 },
    { "received_sender", HOST_LS_RECEIVED_SENDER, 0 },
    { "rejected_header", HOST_LS_REJECTED_HEADER, 1 },
    { "rejected_headers", HOST_LS_REJECTED_HEADER, 1 },
    { "retry_defer", HOST_LS_RETRY_DEFER, 1 },
    { "return_path_on_delivery", HOST_LS_RETURN_PATH_ON_DELIVERY, 0 },
    { "sender_on_delivery", HOST_LS_SENDER_ON_DELIVERY, 0 },
    { "sender_verify_fail", HOST_LS_SENDER_VERIFY_FAIL, 1 },
    { "size_reject", HOST_LS_SIZE_REJECT, 1 },
    { "skip_delivery", HOST_LS_SKIP_DELIVERY, 1 },
    { "smtp_confirmation", HOST_LS_SMTP_CONFIRMATION, 1 },
    { "smtp_connection", HOST_LS_SMTP_CONNECTION, 0 },
    { "smtp_incomplete_transaction", HOST_LS_SMTP_INCOMPLETE_TRANSACTION, 0 },
    { "smtp_mailauth", HOST_LS_SMTP_MAILAUTH, 0 },
    { "smtp_no_mail", HOST_LS_SMTP_NO_MAIL, 0 },
    { "smtp_protocol_error", HOST_LS_SMTP_PROTOCOL_ERROR, 0 },
    { "smtp_syntax_error", HOST_LS_SMTP_SYNTAX_ERROR, 0 },
    { "subject", HOST_LS_SUBJECT, 0 },
    { "tls_certificate_verified", HOST_LS_TLS_CERTIFICATE_VERIFIED, 1 },
    { "tls_cipher", HOST_LS_TLS_CIPHER, 1 },
    { "tls_peerdn", HOST_LS_TLS_PEERDN, 0 },
    { "tls_resumption", HOST_LS_TLS_RESUMPTION, 0 },
    { "tls_sni", HOST_LS_TLS_SNI, 0 },
    { "unknown_in_list", HOST_LS_UNKNOWN_IN_LIST, 0 },
};

unsigned long long
host_logsel_default(void)
{
    unsigned long long bits = 0;

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].dflt)
            bits |= BIT(table[i].bit);
    return bits;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
host_logsel_parse(const char *text, unsigned long long *bits, char *err,
                  size_t errlen)
{
    unsigned long long b = host_logsel_default();
    const char *p = text ? text : "";

    for (;;) {
        while (is_blank(*p))
            p++;
        if (*p == '\0')
            break;
        if (*p != '+' && *p != '-') {
            size_t n = 0;
            while (p[n] && !is_blank(p[n]))
                n++;
            snprintf(err, errlen, "malformed log_selector setting: + or -"
                     " expected but found \"%.*s\"", (int)n, p);
            return -1;
        }
        char sign = *p++;
        size_t n = 0;
        while (p[n] && !is_blank(p[n]) && p[n] != '+' && p[n] != '-')
            n++;
        unsigned long long sel = 0;
        if (n == 3 && strncmp(p, "all", 3) == 0) {
            sel = ~0ULL >> (64 - HOST_LS_COUNT);
        } else {
            for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
                if (strlen(table[i].name) == n &&
                    strncmp(table[i].name, p, n) == 0) {
                    sel = BIT(table[i].bit);
                    break;
                }
            }
        }
        if (sel == 0) {
            snprintf(err, errlen, "unknown log_selector setting: %c%.*s",
                     sign, (int)n, p);
            return -1;
        }
        if (sign == '+')
            b |= sel;
        else
            b &= ~sel;
        p += n;
    }
    *bits = b;
    return 0;
}

int
host_logsel_on(struct host_runtime *rt, enum host_logsel which)
{
    static struct host_runtime *cached_rt;
    static const char *cached_text;
    static unsigned long long cached_bits;
    const char *text = rt ? rt->opts.log_selector.text : NULL;

    if (rt == NULL)
        return (host_logsel_default() >> which) & 1;
    if (cached_rt != rt || cached_text != text) {
        char err[256];

        if (host_logsel_parse(text, &cached_bits, err, sizeof err) != 0) {
            cached_bits = host_logsel_default();
            host_log(rt, TERN_LOG_PANIC, NULL, "%s", err);
        }
        cached_rt = rt;
        cached_text = text;
    }
    return (cached_bits >> which) & 1;
}
