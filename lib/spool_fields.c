/*
 * NAME
 *   spool_fields.c - the "-name value" lines of a -H file, and small
 *   helpers on a spool message
 *
 * SYNOPSIS
 *   const struct tern_spool_field *f = tern_spool_field_find("frozen", 6);
 *   tern_spool_msg_init(&m);
 *   m.headers[i].type = tern_spool_header_type(text, len);
 *
 * DESCRIPTION
 *   The table lists every line Exim 4.96 writes, in the order it writes
 *   them (spec chapter 57.1, checked against files written by 4.96), so
 *   a Tern-written file is byte-for-byte the file Exim would have written
 *   for the same message.  A line not in the table is kept as an extra.
 *
 * DIAGNOSTICS
 *   None: these functions cannot fail.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spool_int.h"

#define F(n, t, member, fl) \
    { n, t, offsetof(struct tern_spool_msg, member), fl }
#define FLAG(n, fl) { n, TERN_SF_FLAG, 0, fl }

const struct tern_spool_field tern_spool_fields[] = {
    F("received_time_usec", TERN_SF_USEC, received_usec, 0),
    F("received_time_complete", TERN_SF_COMPLETE, complete_sec, 0),
    F("helo_name", TERN_SF_STR, helo_name, 0),
    F("host_address", TERN_SF_HOSTPORT, host_address, 0),
    F("host_name", TERN_SF_STR, host_name, 0),
    F("host_auth", TERN_SF_STR, host_auth, 0),
    F("host_auth_pubname", TERN_SF_STR, host_auth_pubname, 0),
    F("interface_address", TERN_SF_HOSTPORT, interface_address, 0),
    F("active_hostname", TERN_SF_STR, active_hostname, 0),
    F("ident", TERN_SF_STR, ident, 0),
    F("received_protocol", TERN_SF_STR, received_protocol, 0),
    F("", TERN_SF_ACLVARS, aclvars, 0),
    FLAG("spool_file_wireformat", TERN_SPOOL_WIREFORMAT),
    F("body_linecount", TERN_SF_INT, body_linecount, 0),
    F("max_received_linelength", TERN_SF_INT, max_received_linelength, 0),
    F("body_zerocount", TERN_SF_INT, body_zerocount, 0),
    F("auth_id", TERN_SF_STR, auth_id, 0),
    F("auth_sender", TERN_SF_STR, auth_sender, 0),
    FLAG("allow_unqualified_recipient", TERN_SPOOL_ALLOW_UNQUALIFIED_RECIPIENT),
    FLAG("allow_unqualified_sender", TERN_SPOOL_ALLOW_UNQUALIFIED_SENDER),
    FLAG("deliver_firsttime", TERN_SPOOL_DELIVER_FIRSTTIME),
    F("frozen", TERN_SF_INT, frozen_at, 0),
    FLAG("N", TERN_SPOOL_DONT_DELIVER),
    FLAG("host_lookup_deferred", TERN_SPOOL_HOST_LOOKUP_DEFERRED),
    FLAG("host_lookup_failed", TERN_SPOOL_HOST_LOOKUP_FAILED),
    FLAG("local", TERN_SPOOL_LOCAL),
    FLAG("localerror", TERN_SPOOL_LOCALERROR),
    F("local_scan", TERN_SF_STR, local_scan, 0),
    F("spam_bar", TERN_SF_STR, spam_bar, 0),
    F("spam_score", TERN_SF_STR, spam_score, 0),
    F("spam_score_int", TERN_SF_STR, spam_score_int, 0),
    FLAG("manual_thaw", TERN_SPOOL_MANUAL_THAW),
    FLAG("sender_set_untrusted", TERN_SPOOL_SENDER_SET_UNTRUSTED),
    F("bmi_verdicts", TERN_SF_STR, bmi_verdicts, 0),
    FLAG("tls_certificate_verified", TERN_SPOOL_TLS_CERTIFICATE_VERIFIED),
    F("tls_cipher", TERN_SF_STR, tls_cipher, 0),
    F("tls_peercert", TERN_SF_STR, tls_peercert, 0),
    F("tls_peerdn", TERN_SF_STR, tls_peerdn, 0),
    F("tls_sni", TERN_SF_STR, tls_sni, 0),
    F("tls_ourcert", TERN_SF_STR, tls_ourcert, 0),
    F("tls_ocsp", TERN_SF_INT, tls_ocsp, 0),
    F("tls_resumption", TERN_SF_STR, tls_resumption, 0),
    F("tls_ver", TERN_SF_STR, tls_ver, 0),
    FLAG("smtputf8", TERN_SPOOL_SMTPUTF8),
    FLAG("utf8_downcvt", TERN_SPOOL_UTF8_DOWNCVT),
    FLAG("utf8_optdowncvt", TERN_SPOOL_UTF8_OPTDOWNCVT),
    F("dsn_envid", TERN_SF_STR, dsn_envid, 0),
    F("dsn_ret", TERN_SF_INT, dsn_ret, 0),
};

const size_t tern_spool_nfields =
    sizeof tern_spool_fields / sizeof tern_spool_fields[0];

const struct tern_spool_field *tern_spool_field_find(const char *name,
                                                     size_t len)
{
    for (size_t i = 0; i < tern_spool_nfields; i++) {
        const struct tern_spool_field *f = &tern_spool_fields[i];
        if (f->type != TERN_SF_ACLVARS && strlen(f->name) == len &&
            memcmp(f->name, name, len) == 0)
            return f;
    }
    return NULL;
}

void tern_spool_msg_init(struct tern_spool_msg *m)
{
    memset(m, 0, sizeof *m);
    m->sender = "";
    m->login = "";
    m->complete_sec = -1;
    m->body_linecount = -1;
    m->max_received_linelength = -1;
    m->body_zerocount = -1;
    m->frozen_at = -1;
    m->tls_ocsp = -1;
    m->dsn_ret = -1;
}

void tern_spool_seterr(struct tern_spool_err *err, int sys_errno,
                       const char *prefix, unsigned line,
                       const char *fmt, ...)
{
    char what[384];
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err->sys_errno = sys_errno;
    err->line = line;
    if (line)
        snprintf(err->text, sizeof err->text, "%s:%u: %s", prefix, line,
                 what);
    else
        snprintf(err->text, sizeof err->text, "%s: %s", prefix, what);
}

char tern_spool_header_type(const char *text, size_t len)
{
    static const struct { const char *name; char type; } known[] = {
        { "bcc", TERN_HT_BCC }, { "cc", TERN_HT_CC },
        { "from", TERN_HT_FROM }, { "message-id", TERN_HT_ID },
        { "received", TERN_HT_RECEIVED }, { "reply-to", TERN_HT_REPLY_TO },
        { "sender", TERN_HT_SENDER }, { "to", TERN_HT_TO },
    };
    size_t n = 0;
    while (n < len && text[n] != ':' && text[n] != ' ' && text[n] != '\t')
        n++;
    /* RFC 5322 allows blanks between the name and its colon. */
    size_t colon = n;
    while (colon < len && (text[colon] == ' ' || text[colon] == '\t'))
        colon++;
    if (colon >= len || text[colon] != ':')
        return TERN_HT_OTHER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == n &&
            strncasecmp(known[i].name, text, n) == 0)
            return known[i].type;
    return TERN_HT_OTHER;
}

long long tern_spool_msg_size(const struct tern_spool_msg *m,
                              long long body_len)
{
    long long size = body_len + 1;      /* the blank line before the body */
    for (size_t i = 0; i < m->n_headers; i++)
        if (m->headers[i].type != TERN_HT_DELETED)
            size += (long long)m->headers[i].len;
    return size;
}

int tern_spool_is_nonrcpt(const struct tern_spool_msg *m, const char *addr)
{
    for (size_t i = 0; i < m->n_nonrcpts; i++)
        if (strcmp(m->nonrcpts[i], addr) == 0)
            return 1;
    return 0;
}
