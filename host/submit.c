/*
 * NAME
 *   submit.c - local submission: tern [-f sender] [-t] [-oi] [-odq|-odi]
 *   [-F name] [recipient...] with the message on standard input
 *
 * DESCRIPTION
 *   As Exim's default mode (sendmail's interface): the message is read
 *   from standard input, a line holding only "." ends it unless -oi or
 *   -i was given, CRLF line ends become LF, and a first line "From ..."
 *   matching uucp_from_pattern is dropped (and gives a trusted caller
 *   without -f the sender).  Recipients come from the arguments,
 *   qualified with qualify_recipient, or with -t from the header (see
 *   receive_fix.c).  The sender follows the rules in receive_caller.c.
 *
 *   acl_not_smtp_start runs before the message is read and acl_not_smtp
 *   after; then the message is committed to the spool at once (fsync'd)
 *   and logged with "<=" (U=login P=local).
 *
 *   -odi would deliver at once; until delivery exists (issue 6) it
 *   queues as -odq does, and the message waits on the queue.
 *
 * DIAGNOSTICS
 *   Errors go to standard error as Exim's -oep mode writes them ("tern:
 *   no recipients in message") and to the main log.  Exit status, as
 *   Exim's: 0 when the message is on the queue; 2 when it had no
 *   recipients; 1 for every other failure (Exim's default -oem mode
 *   would first try to mail the error back, which Tern cannot do yet).
 *   A message discarded by acl_not_smtp also exits 1, as Exim 4.96 does.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "host.h"
#include "receive_int.h"

#define EXIT_NORCPT 2

struct submit {
    const struct host_cmdline *cl;
    struct host_conf hc;
    struct host_runtime rt;
    int have_rt;
    struct host_session sess;
    struct host_message msg;
    struct tern_ctx ctx;
    struct tern_spool *spool;
    struct host_receiver *r;
    struct host_receive_local local;
    char *line;                 /* getline buffer */
    size_t cap;
};

static const char *progname = "tern";

/* "From sender date" at the start: $1 of uucp_from_pattern, or NULL. */
static const char *
uucp_from(struct submit *s, const char *line, size_t len)
{
    const char *pat = s->rt.opts.uucp_from_pattern.text;
    pcre2_code *re;
    pcre2_match_data *md;
    int errcode, rc;
    PCRE2_SIZE erroff;
    const char *res = NULL;

    if (pat == NULL || len < 5 || strncmp(line, "From ", 5) != 0)
        return NULL;
    re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &errcode,
                       &erroff, NULL);
    if (re == NULL)
        return NULL;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = pcre2_match(re, (PCRE2_SPTR)line, len, 0, 0, md, NULL);
    if (rc >= 2) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        res = tern_strndup(s->msg.arena, line + ov[2], ov[3] - ov[2]);
    } else if (rc == 1) {
        res = "";
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return res;
}

/* One line from stdin, CRLF made LF; 0 at the end (EOF or the dot). */
static ssize_t
next_line(struct submit *s)
{
    ssize_t n = getline(&s->line, &s->cap, stdin);

    if (n <= 0)
        return 0;
    if (n >= 2 && s->line[n - 2] == '\r' && s->line[n - 1] == '\n') {
        s->line[n - 2] = '\n';
        n--;
    }
    if (s->cl->dot_ends && s->line[0] == '.' &&
        (n == 1 || (n == 2 && s->line[1] == '\n')))
        return 0;
    return n;
}

static int
setup(struct submit *s)
{
    const struct passwd *pw;
    struct tern_arena *sa, *ma;

    host_conf_init(&s->hc);
    if (host_conf_load(&s->hc, s->cl, stderr) != 0)
        return -1;
    if (host_runtime_init(&s->rt, &s->hc, progname, stderr) != 0)
        return -1;
    s->have_rt = 1;
    sa = tern_arena_new();
    ma = tern_arena_new();
    s->sess.arena = sa;
    s->sess.is_smtp = 0;
    s->sess.is_local = 1;
    s->sess.uid = (long)getuid();
    s->sess.gid = (long)getgid();
    pw = getpwuid(getuid());
    s->sess.login = pw ? tern_strdup(sa, pw->pw_name)
                  : s->rt.caller_login ? s->rt.caller_login : "unknown";
    s->sess.ident = s->sess.login;
    s->sess.protocol = s->cl->oMr ? s->cl->oMr : "local";
    s->sess.started = time(NULL);
    s->msg.arena = ma;
    tern_spool_msg_init(&s->msg.spool);
    s->msg.first_delivery = 1;
    s->ctx.rt = &s->rt;
    s->ctx.sess = &s->sess;
    s->ctx.msg = &s->msg;
    s->ctx.arena = ma;
    s->local.trusted = host_caller_trusted(&s->rt, s->sess.uid, s->sess.gid);
    s->local.extract = s->cl->extract_recipients;
    s->local.extract_remove_args =
        s->rt.opts.extract_addresses_remove_arguments;
    s->local.name = s->cl->sender_name;
    s->local.gecos = pw ? host_caller_gecos(sa, pw->pw_name, pw->pw_gecos)
                        : NULL;
    return 0;
}

static void
add_rcpt(struct submit *s, const char *addr, size_t *cap)
{
    struct tern_spool_msg *m = &s->msg.spool;

    if (m->n_rcpts == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct tern_spool_rcpt *v = tern_alloc(s->msg.arena, nc * sizeof *v);

        if (m->n_rcpts)
            memcpy(v, m->rcpts, m->n_rcpts * sizeof *v);
        m->rcpts = v;
        *cap = nc;
    }
    m->rcpts[m->n_rcpts].address = addr;
    m->rcpts[m->n_rcpts].pno = -1;
    m->n_rcpts++;
}

/* The arguments; sendmail allows several addresses in one ("a, b"). */
static int
recipients(struct submit *s)
{
    const struct host_cmdline *cl = s->cl;
    const char *qr = s->rt.qualify_recipient ? s->rt.qualify_recipient
                   : s->rt.qualify_domain ? s->rt.qualify_domain
                   : s->rt.primary_hostname;
    size_t cap = 0;
    int bad = 0;

    for (size_t i = 0; i < cl->n_items; i++) {
        struct host_addr_item *it;
        size_t n;
        const char *err = NULL;

        if (host_addr_list(s->msg.arena, cl->items[i], strlen(cl->items[i]),
                           &it, &n, &err) != 0 || n == 0) {
            fprintf(stderr, "%s: bad recipient address \"%s\": %s\n",
                    progname, cl->items[i],
                    err ? err : "missing or malformed local part");
            bad = 1;
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (*it[k].address == '\0')
                continue;
            add_rcpt(s, it[k].has_domain ? it[k].address
                     : tern_printf(s->msg.arena, "%s@%s", it[k].address, qr),
                     &cap);
        }
    }
    if (s->msg.spool.n_rcpts == 0 && !cl->extract_recipients) {
        if (!bad)
            fprintf(stderr, "%s: no recipients in message\n", progname);
        return bad ? HOST_EXIT_FAIL : EXIT_NORCPT;
    }
    return 0;
}

static int
open_spool(struct submit *s)
{
    struct tern_spool_opts so = { 0 };
    struct tern_spool_err err;
    char why[512];

    if (host_receive_spool_make(&s->rt, why, sizeof why) != 0) {
        fprintf(stderr, "%s: %s\n", progname, why);
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s", why);
        return -1;
    }
    so.directory = s->rt.spool_directory;
    so.split = s->rt.opts.split_spool_directory;
    so.sync = TERN_SPOOL_SYNC_FSYNC;
    so.owner_uid = geteuid() == 0 ? s->rt.exim_uid : -1;
    so.owner_gid = geteuid() == 0 ? s->rt.exim_gid : -1;
    s->spool = tern_spool_open(&so, &err);
    if (s->spool == NULL) {
        fprintf(stderr, "%s: %s\n", progname, err.text);
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s", err.text);
        return -1;
    }
    return 0;
}

/* A failed reception: Exim's log line and stderr message. */
static int
report(struct submit *s, const char *err)
{
    const char *id = s->msg.spool.id[0] ? s->msg.spool.id : NULL;
    const char *sender = s->msg.spool.sender ? s->msg.spool.sender : "";

    switch (host_receive_failure(s->r)) {
    case HOST_RCV_TOO_BIG:
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_REJECT, id,
                 "rejected from <%s> U=%s: %s", sender, s->sess.login, err);
        fprintf(stderr, "%s: message rejected: %s\n", progname, err);
        return HOST_EXIT_FAIL;
    case HOST_RCV_HEADER_TOO_BIG:
        if (strstr(err, "header line") != NULL)
            host_log(&s->rt, TERN_LOG_MAIN, NULL, "overlong message header"
                     " line received from %s (more than %lld characters):"
                     " message abandoned", s->sess.login,
                     s->rt.opts.header_line_maxsize);
        else
            host_log(&s->rt, TERN_LOG_MAIN, NULL, "ridiculously long message"
                     " header received from %s (more than %lld characters):"
                     " message abandoned", s->sess.login,
                     s->rt.opts.header_maxsize);
        fprintf(stderr, "%s: %s: message not accepted\n", progname, err);
        return HOST_EXIT_FAIL;
    case HOST_RCV_NO_RCPTS:
        host_log(&s->rt, TERN_LOG_MAIN, id, "%s", err);
        fprintf(stderr, "%s: no recipients in message\n", progname);
        return EXIT_NORCPT;
    case HOST_RCV_BAD_ADDRESS:
        host_log(&s->rt, TERN_LOG_MAIN, id, "bad addresses found in headers");
        fprintf(stderr, "%s: %s\n", progname, err);
        return HOST_EXIT_FAIL;
    default:
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, id, "%s", err);
        fprintf(stderr, "%s: %s\n", progname, err);
        return HOST_EXIT_FAIL;
    }
}

/* Read the message from stdin into the receiver. */
static int
read_message(struct submit *s, char *err, size_t errlen)
{
    ssize_t n = next_line(s);
    const char *from;
    int too_big;

    if (n > 0 && (from = uucp_from(s, s->line, (size_t)n - 1)) != NULL) {
        if (s->local.trusted && s->cl->sender == NULL && *from != '\0') {
            const char *qd = s->rt.qualify_domain ? s->rt.qualify_domain
                                                  : s->rt.primary_hostname;
            s->msg.spool.sender = strchr(from, '@') ? from
                : tern_printf(s->msg.arena, "%s@%s", from, qd);
            s->local.sender_local = 0;
            host_receive_set_local(s->r, &s->local);
        }
        host_receive_skipped(s->r, s->line, (size_t)n);
        n = next_line(s);
    }
    for (; n > 0; n = next_line(s)) {
        if (host_receive_feed(s->r, s->line, (size_t)n, &too_big, err,
                              errlen) != 0)
            return -1;
    }
    if (ferror(stdin)) {
        snprintf(err, errlen, "error reading the message: %s", strerror(errno));
        return -1;
    }
    return host_receive_end_data(s->r, err, errlen);
}

static int
not_smtp_acl(struct submit *s, const char *acl, enum host_acl_where where)
{
    struct host_acl_result res;
    enum host_acl_verdict v;
    const char *why;

    if (acl == NULL || *acl == '\0')
        return 0;
    memset(&res, 0, sizeof res);
    v = host_acl_run(&s->ctx, where, acl, NULL, &res);
    if (v == HOST_ACL_ACCEPT)
        return 0;
    why = res.user_message ? res.user_message
        : v == HOST_ACL_DEFER || v == HOST_ACL_ERROR ? "temporarily rejected"
        : "rejected";
    if (v == HOST_ACL_DISCARD) {
        host_log(&s->rt, TERN_LOG_MAIN, s->msg.spool.id,
                 "=> blackhole (non-SMTP ACL discarded recipients)");
        host_log(&s->rt, TERN_LOG_MAIN, s->msg.spool.id, "Completed");
        return -1;
    }
    host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_REJECT,
             s->msg.spool.id[0] ? s->msg.spool.id : NULL,
             "F=<%s> rejected by non-SMTP ACL: %s",
             s->msg.spool.sender ? s->msg.spool.sender : "",
             res.log_message ? res.log_message : why);
    fprintf(stderr, "%s: message rejected by non-SMTP ACL: %s\n", progname,
            why);
    return -1;
}

static int
commit(struct submit *s)
{
    char err[512];
    struct tern_spool_out *out;
    struct tern_spool_err serr;
    int status = 0;

    out = host_receive_prepare_commit(s->r, err, sizeof err);
    if (out == NULL)
        return report(s, err);
    if (tern_spool_commit(s->spool, &out, 1, &status, &serr) != 1) {
        host_receive_done(s->r, 0);
        s->r = NULL;
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, s->msg.spool.id,
                 "spool write failed: %s", serr.text);
        fprintf(stderr, "%s: spool write failed: %s\n", progname, serr.text);
        return HOST_EXIT_FAIL;
    }
    host_receive_done(s->r, 1);
    s->r = NULL;
    return HOST_EXIT_OK;
}

static int
run(struct submit *s)
{
    struct host_caller_sender cs;
    char err[512];
    int rc;

    if (setup(s) != 0)
        return HOST_EXIT_FAIL;
    host_caller_sender(&s->ctx, s->cl->sender, s->local.trusted, &cs);
    if (cs.error != NULL) {
        fprintf(stderr, "%s: bad -f address \"%s\": %s\n", progname,
                s->cl->sender, cs.error);
        return HOST_EXIT_FAIL;
    }
    s->msg.spool.sender = cs.sender;
    s->local.sender_local = cs.sender_local;
    s->local.auth_login = !(s->local.trusted && s->cl->sender != NULL);
    s->local.sender_set_untrusted = cs.set_untrusted;
    s->msg.spool.login = s->sess.login;
    s->msg.spool.uid = s->sess.uid;
    s->msg.spool.gid = s->sess.gid;
    if ((rc = recipients(s)) != 0)
        return rc;
    if (open_spool(s) != 0)
        return HOST_EXIT_FAIL;
    if (not_smtp_acl(s, s->rt.opts.acl_not_smtp_start.text,
                     HOST_ACL_NOT_SMTP_START) != 0)
        return HOST_EXIT_FAIL;
    s->r = host_receive_begin(&s->ctx, s->spool, err, sizeof err);
    if (s->r == NULL) {
        host_log(&s->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s", err);
        fprintf(stderr, "%s: %s\n", progname, err);
        return HOST_EXIT_FAIL;
    }
    host_receive_set_local(s->r, &s->local);
    if (read_message(s, err, sizeof err) != 0)
        return report(s, err);
    if (not_smtp_acl(s, s->rt.opts.acl_not_smtp.text, HOST_ACL_NOT_SMTP) != 0)
        return HOST_EXIT_FAIL;
    return commit(s);
}

int
host_mode_submit(const struct host_cmdline *cl)
{
    struct submit s;
    int rc;

    memset(&s, 0, sizeof s);
    s.cl = cl;
    rc = run(&s);
    if (s.r != NULL)
        host_receive_abort(s.r);
    host_receive_exit();
    if (s.spool != NULL)
        tern_spool_close(s.spool);
    free(s.line);
    if (s.msg.arena != NULL)
        tern_arena_free(s.msg.arena);
    if (s.sess.arena != NULL)
        tern_arena_free(s.sess.arena);
    if (s.have_rt)
        host_runtime_free(&s.rt);
    host_conf_free(&s.hc);
    return rc;
}
