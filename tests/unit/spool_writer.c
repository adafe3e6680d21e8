/*
 * NAME
 *   spool_writer - drive the spool library from shell tests
 *
 * SYNOPSIS
 *   spool_writer write -d SPOOL [-s] [-o UID:GID] [OPTIONS] -f SENDER
 *                RCPT[|NOTIFY|ORCPT|ERRORS_TO]... < message
 *   spool_writer dump -d SPOOL [-s] [-b BODYFILE] ID
 *   spool_writer reformat HFILE          (parse, format again, to stdout)
 *   spool_writer list -d SPOOL [-s]
 *   spool_writer bench -d SPOOL [-s] [-n N] [-B BATCH] [-m fsync|syncfs]
 *
 * DESCRIPTION
 *   write: queue the RFC 5322 message on stdin (headers, blank line,
 *   body) with the library and print its id.  OPTIONS: -t TIME (received
 *   time), -F TIME (frozen at), -x ADDR (already delivered, repeatable),
 *   -a c|m:NAME=VALUE (ACL variable; \n in VALUE is a newline, repeatable),
 *   -r RET (dsn_ret), -e ENVID, -H HELO, -A ADDR:PORT (host address),
 *   -I ADDR:PORT (interface), -P PROTOCOL, -u AUTHID, -T (mark network
 *   values tainted), -X NAME (store headers called NAME as deleted), -L N
 *   (localhost_number).
 *
 *   dump: print the parsed -H as "key value" lines (values escaped with
 *   \n, \\ and \xHH) and write the body to BODYFILE.
 *
 *   bench: write N small messages, BATCH per commit, and print messages
 *   per second, to compare the durability modes on this disk.
 *
 * DIAGNOSTICS
 *   Exit 0 on success, 1 with the library's message on stderr.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "spool.h"

#define MAX_LIST 256

static struct tern_spool_opts opts = { .owner_uid = -1, .owner_gid = -1 };

static void die(const char *what, const char *why)
{
    fprintf(stderr, "spool_writer: %s: %s\n", what, why);
    exit(1);
}

static char *slurp_stdin(size_t *len)
{
    struct tern_buf b = { 0 };
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        tern_buf_add(&b, chunk, n);
    tern_buf_addc(&b, 0);
    *len = b.len - 1;
    return b.data;
}

static char *unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == 'n') {
            *o++ = '\n';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return s;
}

static void set_hostport(struct tern_spool_hostport *hp, char *v, int taint)
{
    char *colon = strrchr(v, ':');
    if (!colon)
        die(v, "expected ADDR:PORT");
    *colon = 0;
    hp->addr.s = v;
    hp->addr.tainted = taint;
    hp->port = atoi(colon + 1);
}

/* Headers: each starts at a line not beginning with a blank. */
static const char *split_headers(struct tern_arena *a, const char *msg,
                                 size_t len, struct tern_spool_msg *m,
                                 char **deleted, size_t ndeleted)
{
    const char *p = msg, *end = msg + len;
    struct tern_spool_header *h = tern_alloc(a, 1024 * sizeof *h);
    while (p < end && *p != '\n') {
        const char *q = p;
        do {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            q = nl ? nl + 1 : end;
        } while (q < end && (*q == ' ' || *q == '\t'));
        if (m->n_headers == 1024)
            die("message", "too many headers");
        h[m->n_headers].text = tern_strndup(a, p, (size_t)(q - p));
        h[m->n_headers].len = (size_t)(q - p);
        h[m->n_headers].type = tern_spool_header_type(p, (size_t)(q - p));
        for (size_t i = 0; i < ndeleted; i++) {
            size_t dl = strlen(deleted[i]);
            if ((size_t)(q - p) > dl && !strncasecmp(p, deleted[i], dl) &&
                p[dl] == ':')
                h[m->n_headers].type = TERN_HT_DELETED;
        }
        m->n_headers++;
        p = q;
    }
    m->headers = h;
    return p < end ? p + 1 : end;      /* body after the blank line */
}

static void parse_rcpt(char *arg, struct tern_spool_rcpt *r)
{
    char *f[4] = { arg, NULL, NULL, NULL };
    for (int i = 1; i < 4 && f[i - 1]; i++) {
        char *bar = strchr(f[i - 1], '|');
        if (bar) {
            *bar = 0;
            f[i] = bar + 1;
        }
    }
    r->address = f[0];
    r->dsn_flags = f[1] ? atoi(f[1]) : 0;
    r->orcpt = f[2] && *f[2] ? f[2] : NULL;
    r->errors_to = f[3] && *f[3] ? f[3] : NULL;
    r->pno = -1;
}

static struct tern_spool *open_spool(void)
{
    struct tern_spool_err err;
    struct tern_spool *sp = tern_spool_open(&opts, &err);
    if (!sp)
        die("open", err.text);
    return sp;
}

static int cmd_write(int argc, char **argv)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_msgid_gen g;
    struct timespec now;
    static char *nonr[MAX_LIST], *deleted[MAX_LIST];
    static struct tern_spool_aclvar acl[MAX_LIST];
    size_t nn = 0, nd = 0, na = 0, len;
    int c, taint = 0, lhn = -1;
    long long when = -1, frozen = -1;
    char *helo = NULL, *host = NULL, *iface = NULL;

    tern_spool_msg_init(&m);
    m.received_protocol.s = "local";
    while ((c = getopt(argc, argv, "d:so:f:t:F:x:a:r:e:H:A:I:P:u:TX:L:")) != -1) {
        switch (c) {
        case 'd': opts.directory = optarg; break;
        case 's': opts.split = 1; break;
        case 'o': sscanf(optarg, "%ld:%ld", &opts.owner_uid, &opts.owner_gid); break;
        case 'f': m.sender = optarg; break;
        case 't': when = atoll(optarg); break;
        case 'F': frozen = atoll(optarg); break;
        case 'x': if (nn < MAX_LIST) nonr[nn++] = optarg; break;
        case 'a':
            if (na < MAX_LIST && optarg[0] && optarg[1] == ':' && strchr(optarg, '=')) {
                char *eq = strchr(optarg, '=');
                *eq = 0;
                acl[na].scope = optarg[0];
                acl[na].name = optarg + 2;
                acl[na].value = unescape(eq + 1);
                acl[na].len = strlen(acl[na].value);
                na++;
            }
            break;
        case 'r': m.dsn_ret = atoi(optarg); break;
        case 'e': m.dsn_envid.s = optarg; break;
        case 'H': helo = optarg; break;
        case 'A': host = optarg; break;
        case 'I': iface = optarg; break;
        case 'P': m.received_protocol.s = optarg; break;
        case 'u': m.auth_id.s = optarg; break;
        case 'T': taint = 1; break;
        case 'X': if (nd < MAX_LIST) deleted[nd++] = optarg; break;
        case 'L': lhn = atoi(optarg); break;
        default: return 2;
        }
    }
    if (!opts.directory || optind >= argc)
        die("write", "need -d SPOOL and at least one recipient");
    if (tern_msgid_gen_init(&g, lhn) != 0 ||
        tern_msgid_next(&g, m.id, &now) != 0)
        die("message id", "cannot generate");
    struct passwd *pw = getpwuid(getuid());
    m.login = pw ? pw->pw_name : "unknown";
    m.uid = (long)getuid();
    m.gid = (long)getgid();
    m.received_time = when >= 0 ? when : (long long)now.tv_sec;
    m.received_usec = (int)(now.tv_nsec / 1000);
    m.frozen_at = frozen;
    m.flags |= TERN_SPOOL_DELIVER_FIRSTTIME;
    if (helo) {
        m.helo_name.s = helo;
        m.helo_name.tainted = taint;
    }
    if (host)
        set_hostport(&m.host_address, host, taint);
    if (iface)
        set_hostport(&m.interface_address, iface, taint);
    m.auth_id.tainted = taint;
    m.nonrcpts = (const char **)nonr;
    m.n_nonrcpts = nn;
    m.aclvars = acl;
    m.n_aclvars = na;
    m.n_rcpts = (size_t)(argc - optind);
    m.rcpts = tern_alloc(a, m.n_rcpts * sizeof *m.rcpts);
    for (int i = optind; i < argc; i++)
        parse_rcpt(argv[i], &m.rcpts[i - optind]);

    char *msg = slurp_stdin(&len);
    const char *body = split_headers(a, msg, len, &m, deleted, nd);
    size_t blen = (size_t)(msg + len - body);
    struct tern_spool *sp = open_spool();
    struct tern_spool_err err;
    long long lines = 0, longest = 0, cur = 0;
    for (size_t i = 0; i < blen; i++) {
        cur = body[i] == '\n' ? 0 : cur + 1;
        lines += body[i] == '\n';
        longest = cur > longest ? cur : longest;
    }
    m.body_linecount = lines;
    m.max_received_linelength = longest;
    if (tern_spool_write_message(sp, &m, body, blen, &err) != 0)
        die("write", err.text);
    tern_msgid_barrier(&g);
    printf("%s\n", m.id);
    tern_spool_close(sp);
    free(msg);
    tern_arena_free(a);
    return 0;
}

static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void put_str(const char *key, const struct tern_spool_str *v)
{
    if (!v->s)
        return;
    printf("%s%s ", key, v->tainted ? " (tainted)" : "");
    put_escaped(v->s, strlen(v->s));
    putchar('\n');
}

static void dump_msg(const struct tern_spool_msg *m)
{
    printf("id %s\noriginator %s %ld %ld\nsender %s\n", m->id, m->login,
           m->uid, m->gid, m->sender);
    printf("received %lld.%06d\nwarnings %d\n", m->received_time,
           m->received_usec, m->warning_count);
    put_str("helo_name", &m->helo_name);
    if (m->host_address.addr.s)
        printf("host_address [%s]:%d\n", m->host_address.addr.s,
               m->host_address.port);
    if (m->interface_address.addr.s)
        printf("interface_address [%s]:%d\n", m->interface_address.addr.s,
               m->interface_address.port);
    put_str("host_name", &m->host_name);
    put_str("ident", &m->ident);
    put_str("received_protocol", &m->received_protocol);
    put_str("auth_id", &m->auth_id);
    put_str("host_auth", &m->host_auth);
    put_str("dsn_envid", &m->dsn_envid);
    if (m->dsn_ret >= 0)
        printf("dsn_ret %lld\n", m->dsn_ret);
    if (m->frozen_at >= 0)
        printf("frozen %lld\n", m->frozen_at);
    if (m->body_linecount >= 0)
        printf("body_linecount %lld\n", m->body_linecount);
    printf("flags 0x%x\n", m->flags);
    for (size_t i = 0; i < m->n_aclvars; i++) {
        printf("acl_%c%s%s ", m->aclvars[i].scope, m->aclvars[i].name,
               m->aclvars[i].tainted ? " (tainted)" : "");
        put_escaped(m->aclvars[i].value, m->aclvars[i].len);
        putchar('\n');
    }
    for (size_t i = 0; i < m->n_extras; i++)
        printf("extra %s\n", m->extras[i]);
    for (size_t i = 0; i < m->n_nonrcpts; i++)
        printf("delivered %s\n", m->nonrcpts[i]);
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const struct tern_spool_rcpt *r = &m->rcpts[i];
        printf("rcpt %s|%d|%s|%s|%d\n", r->address, r->dsn_flags,
               r->orcpt ? r->orcpt : "", r->errors_to ? r->errors_to : "",
               r->pno);
    }
    for (size_t i = 0; i < m->n_headers; i++) {
        printf("header %c ", m->headers[i].type);
        put_escaped(m->headers[i].text, m->headers[i].len);
        putchar('\n');
    }
}

static int cmd_dump(int argc, char **argv)
{
    const char *bodyfile = NULL;
    int c;
    while ((c = getopt(argc, argv, "d:sb:")) != -1) {
        switch (c) {
        case 'd': opts.directory = optarg; break;
        case 's': opts.split = 1; break;
        case 'b': bodyfile = optarg; break;
        default: return 2;
        }
    }
    if (!opts.directory || optind != argc - 1)
        die("dump", "need -d SPOOL and one id");
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_spool();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char *body;
    size_t blen;
    if (tern_spool_read_header(sp, argv[optind], a, &m, &err) != 0)
        die("read", err.text);
    if (tern_spool_read_body(sp, argv[optind], a, &body, &blen, &err) != 0)
        die("read body", err.text);
    dump_msg(&m);
    printf("size %lld\n", tern_spool_msg_size(&m, (long long)blen));
    if (bodyfile) {
        FILE *f = fopen(bodyfile, "wb");
        if (!f || fwrite(body, 1, blen, f) != blen || fclose(f) != 0)
            die(bodyfile, strerror(errno));
    }
    tern_spool_close(sp);
    tern_arena_free(a);
    return 0;
}

static int cmd_reformat(int argc, char **argv)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    struct tern_buf b = { 0 };
    if (argc != 2)
        die("reformat", "need one -H file");
    if (tern_spool_read_header_file(argv[1], a, &m, &err) != 0)
        die("read", err.text);
    if (tern_spool_format(&m, &b, &err) != 0)
        die("format", err.text);
    fwrite(b.data, 1, b.len, stdout);
    tern_buf_free(&b);
    tern_arena_free(a);
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "d:s")) != -1) {
        if (c == 'd')
            opts.directory = optarg;
        else if (c == 's')
            opts.split = 1;
        else
            return 2;
    }
    struct tern_arena *a = tern_arena_new();
    struct tern_spool *sp = open_spool();
    struct tern_spool_err err;
    const char **ids;
    size_t n;
    if (tern_spool_list(sp, a, &ids, &n, &err) != 0)
        die("list", err.text);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", ids[i]);
    tern_spool_close(sp);
    tern_arena_free(a);
    return 0;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(int argc, char **argv)
{
    long n = 1000, batch = 1;
    int c;
    while ((c = getopt(argc, argv, "d:sn:B:m:")) != -1) {
        switch (c) {
        case 'd': opts.directory = optarg; break;
        case 's': opts.split = 1; break;
        case 'n': n = atol(optarg); break;
        case 'B': batch = atol(optarg); break;
        case 'm':
            opts.sync = !strcmp(optarg, "syncfs") ? TERN_SPOOL_SYNC_SYNCFS
                      : !strcmp(optarg, "none") ? TERN_SPOOL_SYNC_NONE
                      : TERN_SPOOL_SYNC_FSYNC;
            break;
        default: return 2;
        }
    }
    if (!opts.directory || n < 1 || batch < 1 || batch > 4096)
        die("bench", "need -d SPOOL, N >= 1, 1 <= BATCH <= 4096");
    struct tern_spool *sp = open_spool();
    struct tern_msgid_gen g;
    struct tern_spool_out *outs[4096];
    int status[4096];
    struct tern_spool_err err;
    static const char body[] = "Just a short test message body.\n";
    static struct tern_spool_header hdr = { 'T', "To: b@example.org\n", 18 };
    static struct tern_spool_rcpt rcpt = { "b@example.org", NULL, NULL, 0, -1 };
    tern_msgid_gen_init(&g, -1);
    double t0 = now_sec();
    for (long done = 0; done < n;) {
        long k = n - done < batch ? n - done : batch;
        for (long i = 0; i < k; i++) {
            struct tern_spool_msg m;
            struct timespec ts;
            tern_spool_msg_init(&m);
            tern_msgid_next(&g, m.id, &ts);
            m.login = "bench";
            m.sender = "a@example.org";
            m.received_time = ts.tv_sec;
            m.rcpts = &rcpt;
            m.n_rcpts = 1;
            m.headers = &hdr;
            m.n_headers = 1;
            outs[i] = tern_spool_out_new(sp, m.id, &err);
            if (!outs[i] || tern_spool_out_data(outs[i], body, sizeof body - 1, &err) ||
                tern_spool_out_finish(outs[i], &m, &err))
                die("bench", err.text);
        }
        if (tern_spool_commit(sp, outs, (size_t)k, status, &err) != (size_t)k)
            die("bench commit", err.text);
        for (long i = 0; i < k; i++)
            tern_spool_out_free(outs[i]);
        done += k;
    }
    double dt = now_sec() - t0;
    printf("%ld messages, batch %ld: %.0f messages/s\n", n, batch, (double)n / dt);
    tern_msgid_barrier(&g);
    tern_spool_close(sp);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage", "spool_writer write|dump|reformat|list|bench ...");
    const char *cmd = argv[1];
    argv++, argc--;
    if (!strcmp(cmd, "write"))
        return cmd_write(argc, argv);
    if (!strcmp(cmd, "dump"))
        return cmd_dump(argc, argv);
    if (!strcmp(cmd, "reformat"))
        return cmd_reformat(argc, argv);
    if (!strcmp(cmd, "list"))
        return cmd_list(argc, argv);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc, argv);
    die(cmd, "unknown command");
    return 1;
}
