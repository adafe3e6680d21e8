/*
 * NAME
 *   spool_show.c - tern-spool show: one message's envelope, headers, body
 *
 * SYNOPSIS
 *   tern-spool show ID [--headers] [--body]
 *
 * DESCRIPTION
 *   The envelope is shown as "name value" lines: the fields of the -H
 *   file that are set, then the recipients (delivered ones marked D).
 *   --headers adds the headers as `exim -Mvh` shows them (length, the
 *   type letter Exim keeps, "*" for a header that was removed and is
 *   not sent, then the text); --body adds the body exactly as stored,
 *   bytes unchanged.  With --json one object holds all of it.
 *
 *   show never locks or changes anything.
 *
 * DIAGNOSTICS
 *   "tern-spool: SPOOL/input/ID-H:7: bad -frozen value" for a malformed
 *   file (exit 1, the file is left as it is); "not a message id".
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "arena.h"
#include "spool_cmd.h"

static void text_str(const char *name, const struct tern_spool_str *s)
{
    if (s->s)
        printf("%-18s %s%s\n", name, s->s, s->tainted ? " (tainted)" : "");
}

static void text_hostport(const char *name,
                          const struct tern_spool_hostport *h)
{
    if (h->addr.s)
        printf("%-18s [%s]:%d\n", name, h->addr.s, h->port);
}

static void show_text(const struct tools_env *e,
                      const struct tern_spool_msg *m, long long size)
{
    char date[32];
    tools_fmt_date(e, m->received_time, date);
    printf("%-18s %s\n", "id", m->id);
    printf("%-18s <%s>\n", "sender", m->sender ? m->sender : "");
    printf("%-18s %s (%lld)\n", "received", date, m->received_time);
    printf("%-18s %lld\n", "size", size);
    if (m->frozen_at >= 0) {
        tools_fmt_date(e, m->frozen_at, date);
        printf("%-18s %s (%lld)\n", "frozen", date, m->frozen_at);
    } else {
        printf("%-18s no\n", "frozen");
    }
    if (m->flags & TERN_SPOOL_MANUAL_THAW)
        printf("%-18s yes\n", "manual_thaw");
    printf("%-18s %s uid=%ld gid=%ld\n", "originator",
           m->login ? m->login : "", m->uid, m->gid);
    if (m->warning_count > 0)
        printf("%-18s %d\n", "warning_count", m->warning_count);
    text_str("helo_name", &m->helo_name);
    text_hostport("host_address", &m->host_address);
    text_str("host_name", &m->host_name);
    text_hostport("interface_address", &m->interface_address);
    text_str("received_protocol", &m->received_protocol);
    text_str("auth_id", &m->auth_id);
    text_str("auth_sender", &m->auth_sender);
    text_str("tls_cipher", &m->tls_cipher);
    text_str("tls_peerdn", &m->tls_peerdn);
    text_str("tls_sni", &m->tls_sni);
    text_str("dsn_envid", &m->dsn_envid);
    if (m->dsn_ret > 0)
        printf("%-18s %s\n", "dsn_ret",
               m->dsn_ret == TERN_DSN_RET_HDRS ? "HDRS" : "FULL");
    for (size_t i = 0; i < m->n_aclvars; i++)
        printf("acl_%c%-13s %.*s\n", m->aclvars[i].scope,
               m->aclvars[i].name, (int)m->aclvars[i].len,
               m->aclvars[i].value);
    printf("recipients:\n");
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const char *r = m->rcpts[i].address;
        printf("        %c %s\n", tern_spool_is_nonrcpt(m, r) ? 'D' : ' ',
               r);
    }
}

static void json_s(int *first, const char *name,
                   const struct tern_spool_str *s)
{
    if (!s->s)
        return;
    tools_json_key(stdout, first, name);
    tools_json_str(stdout, s->s, (size_t)-1);
}

static void json_hostport(int *first, const char *name,
                          const struct tern_spool_hostport *h)
{
    if (!h->addr.s)
        return;
    tools_json_key(stdout, first, name);
    fputs("{\"address\":", stdout);
    tools_json_str(stdout, h->addr.s, (size_t)-1);
    printf(",\"port\":%d}", h->port);
}

static void json_envelope(const struct tern_spool_msg *m, long long size,
                          int *first)
{
    tools_json_key(stdout, first, "id");
    tools_json_str(stdout, m->id, (size_t)-1);
    tools_json_key(stdout, first, "sender");
    tools_json_str(stdout, m->sender ? m->sender : "", (size_t)-1);
    tools_json_key(stdout, first, "received_time");
    printf("%lld", m->received_time);
    tools_json_key(stdout, first, "size");
    printf("%lld", size);
    tools_json_key(stdout, first, "frozen");
    fputs(m->frozen_at >= 0 ? "true" : "false", stdout);
    tools_json_key(stdout, first, "frozen_at");
    if (m->frozen_at >= 0)
        printf("%lld", m->frozen_at);
    else
        fputs("null", stdout);
    tools_json_key(stdout, first, "manual_thaw");
    fputs(m->flags & TERN_SPOOL_MANUAL_THAW ? "true" : "false", stdout);
    tools_json_key(stdout, first, "login");
    tools_json_str(stdout, m->login, (size_t)-1);
    tools_json_key(stdout, first, "uid");
    printf("%ld", m->uid);
    tools_json_key(stdout, first, "gid");
    printf("%ld", m->gid);
    json_s(first, "helo_name", &m->helo_name);
    json_hostport(first, "host_address", &m->host_address);
    json_s(first, "host_name", &m->host_name);
    json_hostport(first, "interface_address", &m->interface_address);
    json_s(first, "received_protocol", &m->received_protocol);
    json_s(first, "auth_id", &m->auth_id);
    json_s(first, "auth_sender", &m->auth_sender);
    json_s(first, "tls_cipher", &m->tls_cipher);
    json_s(first, "tls_peerdn", &m->tls_peerdn);
    json_s(first, "tls_sni", &m->tls_sni);
    json_s(first, "dsn_envid", &m->dsn_envid);
}

static void json_recipients(const struct tern_spool_msg *m, int *first)
{
    tools_json_key(stdout, first, "recipients");
    putchar('[');
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const struct tern_spool_rcpt *r = &m->rcpts[i];
        printf("%s{\"address\":", i ? "," : "");
        tools_json_str(stdout, r->address, (size_t)-1);
        printf(",\"delivered\":%s,\"dsn_flags\":%d,\"orcpt\":",
               tern_spool_is_nonrcpt(m, r->address) ? "true" : "false",
               r->dsn_flags);
        tools_json_str(stdout, r->orcpt, (size_t)-1);
        fputs(",\"errors_to\":", stdout);
        tools_json_str(stdout, r->errors_to, (size_t)-1);
        putchar('}');
    }
    putchar(']');
    tools_json_key(stdout, first, "acl_variables");
    putchar('{');
    for (size_t i = 0; i < m->n_aclvars; i++) {
        char name[300];
        snprintf(name, sizeof name, "acl_%c%s", m->aclvars[i].scope,
                 m->aclvars[i].name);
        if (i)
            putchar(',');
        tools_json_str(stdout, name, (size_t)-1);
        putchar(':');
        tools_json_str(stdout, m->aclvars[i].value, m->aclvars[i].len);
    }
    putchar('}');
}

static void json_headers(const struct tern_spool_msg *m, int *first)
{
    tools_json_key(stdout, first, "headers");
    putchar('[');
    for (size_t i = 0; i < m->n_headers; i++) {
        const struct tern_spool_header *h = &m->headers[i];
        char type[2] = { h->type, 0 };
        printf("%s{\"type\":", i ? "," : "");
        tools_json_str(stdout, type, 1);
        printf(",\"deleted\":%s,\"text\":",
               h->type == TERN_HT_DELETED ? "true" : "false");
        tools_json_str(stdout, h->text, h->len);
        putchar('}');
    }
    putchar(']');
}

static int parse(struct tools_env *e, int argc, char **argv,
                 const char **id, int *headers, int *body)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--headers") || !strcmp(argv[i], "-H"))
            *headers = 1;
        else if (!strcmp(argv[i], "--body") || !strcmp(argv[i], "-b"))
            *body = 1;
        else if (argv[i][0] != '-' && !*id)
            *id = argv[i];
        else {
            tools_warn(e, "show: unexpected \"%s\"", argv[i]);
            return -1;
        }
    }
    if (!*id) {
        tools_warn(e, "show: which message? (show ID)");
        return -1;
    }
    return 0;
}

int spool_cmd_show(struct tools_env *e, struct tern_spool *sp, int argc,
                   char **argv)
{
    struct tern_spool_msg m;
    struct tern_spool_err err;
    const char *id = NULL;
    char *body = NULL;
    size_t blen = 0;
    long long size;
    int headers = 0, want_body = 0, first = 1;

    if (parse(e, argc, argv, &id, &headers, &want_body) != 0)
        return TOOLS_USAGE;
    if (!tern_msgid_valid(id)) {
        tools_warn(e, "%s: not a message id", id);
        return TOOLS_FAIL;
    }
    tern_spool_msg_init(&m);
    if (tern_spool_read_header(sp, id, e->arena, &m, &err) != 0 ||
        (want_body &&
         tern_spool_read_body(sp, id, e->arena, &body, &blen, &err) != 0)) {
        tools_warn(e, "%s", err.text);
        return TOOLS_FAIL;
    }
    size = spool_body_len(e, id);
    size = tern_spool_msg_size(&m, size < 0 ? 0 : size);
    if (e->json) {
        putchar('{');
        json_envelope(&m, size, &first);
        json_recipients(&m, &first);
        if (headers)
            json_headers(&m, &first);
        if (want_body) {
            tools_json_key(stdout, &first, "body");
            tools_json_str(stdout, body, blen);
        }
        puts("}");
        return TOOLS_OK;
    }
    show_text(e, &m, size);
    if (headers) {
        printf("headers:\n");
        for (size_t i = 0; i < m.n_headers; i++)
            printf("%03zu%c %.*s", m.headers[i].len, m.headers[i].type,
                   (int)m.headers[i].len, m.headers[i].text);
    }
    if (want_body) {
        printf("body:\n");
        fflush(stdout);
        fwrite(body, 1, blen, stdout);
    }
    return TOOLS_OK;
}
