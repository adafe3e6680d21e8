/*
 * NAME
 *   test_receive_msg.c - unit tests of receiving whole messages: bytes in
 *   any pieces, header and body, Exim's additions and fix-ups, -t, ACL
 *   header changes, limits, the -H and -D files, the "<=" line
 *
 * DESCRIPTION
 *   The receiver runs against a real spool in a temporary directory
 *   (no flushing).  The host functions it calls are stubbed: host_expand
 *   knows the few options the receiver expands, host_log keeps the last
 *   line, host_exp_env has no header decoder (the raw Subject: is used).
 *   Expected headers are those Exim 4.96 wrote for the same input.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expand.h"
#include "receive_int.h"

static char last_log[4096];
static const char RECEIVED[] = "Received: test";

void
host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    va_list ap;

    (void)rt; (void)dest; (void)msgid;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof last_log, fmt, ap);
    va_end(ap);
}

int
host_expand(struct tern_ctx *ctx, const char *s, const char **out,
            const char **err)
{
    (void)err;
    if (s == RECEIVED) {
        *out = tern_printf(ctx->arena, "Received: from test\n\tid %s",
                           ctx->msg->spool.id);
        return 0;
    }
    *out = s;                   /* sizes and the like: as written */
    return 0;
}

void
host_exp_env(struct tern_ctx *ctx, struct tern_exp_env *env)
{
    (void)ctx;
    memset(env, 0, sizeof *env);
}

static char dir[256];
static struct tern_spool *spool;
static struct host_runtime rt;
static struct host_session sess;
static struct host_message msg;
static struct tern_ctx ctx;
static struct host_receiver *R;
static struct tern_spool_rcpt rcpts[4];

static int
setup(void **state)
{
    struct tern_spool_opts o = { 0 };
    struct tern_spool_err err;

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_receive_msg.XXXXXX");
    assert_non_null(mkdtemp(dir));
    o.directory = dir;
    o.sync = TERN_SPOOL_SYNC_NONE;
    o.owner_uid = o.owner_gid = -1;
    spool = tern_spool_open(&o, &err);
    assert_non_null(spool);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[300];

    (void)state;
    tern_spool_close(spool);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* A fresh message from s@x.test to a@y.test over SMTP. */
static int
fresh(void **state)
{
    (void)state;
    memset(&rt, 0, sizeof rt);
    memset(&sess, 0, sizeof sess);
    memset(&msg, 0, sizeof msg);
    rt.arena = tern_arena_new();
    rt.primary_hostname = "tern.test";
    rt.qualify_domain = "tern.test";
    rt.spool_directory = dir;
    rt.exim_uid = rt.exim_gid = -1;
    rt.opts.received_header_text.text = RECEIVED;
    rt.opts.return_path_remove = 1;
    rt.opts.envelope_to_remove = 1;
    rt.opts.delivery_date_remove = 1;
    rt.opts.local_from_check = 1;
    rt.opts.header_maxsize = 1048576;
    rt.opts.extract_addresses_remove_arguments = 1;
    sess.arena = rt.arena;
    sess.is_smtp = 1;
    sess.peer_address = "192.0.2.7";
    sess.peer_port = 4321;
    sess.local_address = "192.0.2.1";
    sess.local_port = 25;
    sess.helo_name = "client.example";
    sess.protocol = "esmtp";
    msg.arena = tern_arena_new();
    tern_spool_msg_init(&msg.spool);
    msg.spool.sender = "s@x.test";
    memset(rcpts, 0, sizeof rcpts);
    rcpts[0].address = "a@y.test";
    rcpts[0].pno = -1;
    msg.spool.rcpts = rcpts;
    msg.spool.n_rcpts = 1;
    ctx.rt = &rt;
    ctx.sess = &sess;
    ctx.msg = &msg;
    ctx.arena = msg.arena;
    last_log[0] = '\0';
    return 0;
}

static int
clean(void **state)
{
    (void)state;
    if (R != NULL)
        host_receive_abort(R);
    R = NULL;
    tern_arena_free(msg.arena);
    tern_arena_free(rt.arena);
    return 0;
}

static void
begin(void)
{
    char err[256];

    R = host_receive_begin(&ctx, spool, err, sizeof err);
    assert_non_null(R);
}

/* Feed `s` in pieces of `step` bytes; returns what the last call did. */
static int
feed(const char *s, size_t len, size_t step)
{
    char err[256];
    int too_big = 0, rc = 0;

    for (size_t i = 0; i < len && rc == 0; i += step) {
        size_t n = len - i < step ? len - i : step;
        rc = host_receive_feed(R, s + i, n, &too_big, err, sizeof err);
    }
    return rc;
}

/* end_data, prepare, commit, done; then read the message back. */
static void
finish(struct tern_arena *a, struct tern_spool_msg *m, char **body,
       size_t *blen)
{
    char err[256];
    struct tern_spool_out *out;
    struct tern_spool_err serr;
    int status = -1;
    char id[TERN_MSGID_SIZE];

    if (host_receive_end_data(R, err, sizeof err) != 0)
        fail_msg("end_data: %s", err);
    out = host_receive_prepare_commit(R, err, sizeof err);
    if (out == NULL)
        fail_msg("prepare_commit: %s", err);
    assert_int_equal(tern_spool_commit(spool, &out, 1, &status, &serr), 1);
    memcpy(id, msg.spool.id, sizeof id);
    host_receive_done(R, 1);
    R = NULL;
    tern_spool_msg_init(m);
    assert_int_equal(tern_spool_read_header(spool, id, a, m, &serr), 0);
    assert_int_equal(tern_spool_read_body(spool, id, a, body, blen, &serr), 0);
}

static void
assert_hdr(const struct tern_spool_msg *m, size_t i, char type,
           const char *text)
{
    assert_true(i < m->n_headers);
    assert_int_equal(m->headers[i].type, type);
    assert_string_equal(m->headers[i].text, text);
}

static void
test_smtp_message(void **state)
{
    static const char in[] =
        "From: s@x.test\nSubject: smtp one\nMessage-ID: <abc@x.test>\n"
        "Return-path: <bad@x>\nEnvelope-to: e@x\nDelivery-date: foo\n"
        "\nbody \377\376 8-bit\n.\n..dot\n\0nul\nlast";
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;

    (void)state;
    begin();
    assert_int_equal(feed(in, sizeof in - 1, 1), 0);    /* byte by byte */
    finish(a, &m, &body, &blen);
    /* the body exactly, a final newline added */
    assert_int_equal(blen, 32);
    assert_memory_equal(body,
                        "body \377\376 8-bit\n.\n..dot\n\0nul\nlast\n", 32);
    assert_int_equal(m.n_headers, 7);
    assert_true(strncmp(m.headers[0].text, "Received: from test\n\tid ",
                        24) == 0);
    assert_int_equal(m.headers[0].type, 'P');
    assert_hdr(&m, 1, 'F', "From: s@x.test\n");
    assert_hdr(&m, 3, 'I', "Message-ID: <abc@x.test>\n");
    assert_hdr(&m, 4, '*', "Return-path: <bad@x>\n");
    assert_hdr(&m, 5, '*', "Envelope-to: e@x\n");
    assert_hdr(&m, 6, '*', "Delivery-date: foo\n");
    /* session fields as Exim writes them, tainted where they should be */
    assert_string_equal(m.helo_name.s, "client.example");
    assert_true(m.helo_name.tainted);
    assert_string_equal(m.host_address.addr.s, "192.0.2.7");
    assert_int_equal(m.host_address.port, 4321);
    assert_int_equal(m.interface_address.port, 25);
    assert_string_equal(m.received_protocol.s, "esmtp");
    assert_false(m.received_protocol.tainted);
    assert_string_equal(m.tls_resumption.s, "A");
    assert_true(m.flags & TERN_SPOOL_DELIVER_FIRSTTIME);
    assert_int_equal(m.body_linecount, 5);
    assert_int_equal(m.body_zerocount, 1);
    assert_int_equal(m.max_received_linelength, 24);
    assert_true(m.complete_sec >= m.received_time);
    assert_int_equal(msg.size, tern_spool_msg_size(&m, (long long)blen));
    /* no Message-Id, Date or From fix-ups over SMTP */
    assert_int_equal(host_hdrs_find(&m, "date"), -1);
    char want[256];
    snprintf(want, sizeof want, "<= s@x.test H=(client.example) [192.0.2.7] "
             "P=esmtp S=%lld id=abc@x.test", msg.size);
    assert_string_equal(last_log, want);
    tern_arena_free(a);
}

static void
test_header_only_and_nonheader(void **state)
{
    static const char in[] = "Subject: x\nnot a header line\nmore\n";
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;

    (void)state;
    begin();
    assert_int_equal(feed(in, sizeof in - 1, 7), 0);
    finish(a, &m, &body, &blen);
    /* the line that is not a header starts the body, no blank line kept */
    assert_int_equal(blen, 23);
    assert_memory_equal(body, "not a header line\nmore\n", 23);
    assert_hdr(&m, 1, ' ', "Subject: x\n");
    tern_arena_free(a);
}

static void
test_local_fixups(void **state)
{
    static const char in[] = "Subject: hello\nSender: fake@x\n\nbody\n";
    struct host_receive_local lo = { 0 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;
    char want[128];

    (void)state;
    sess.is_smtp = 0;
    sess.is_local = 1;
    sess.peer_address = sess.local_address = sess.helo_name = NULL;
    sess.protocol = "local";
    sess.login = sess.ident = "daemon";
    sess.uid = sess.gid = 1;
    msg.spool.sender = "daemon@tern.test";
    lo.sender_local = 1;
    lo.auth_login = 1;
    lo.gecos = "daemon";
    begin();
    host_receive_set_local(R, &lo);
    assert_int_equal(feed(in, sizeof in - 1, 1000), 0);
    finish(a, &m, &body, &blen);
    /* as Exim 4.96 for an untrusted caller: Sender: removed, then
     * Message-Id:, From:, Date: added in that order */
    assert_int_equal(m.n_headers, 6);
    assert_hdr(&m, 1, ' ', "Subject: hello\n");
    assert_hdr(&m, 2, '*', "Sender: fake@x\n");
    snprintf(want, sizeof want, "Message-Id: <E%s@tern.test>\n", m.id);
    assert_hdr(&m, 3, 'I', want);
    assert_hdr(&m, 4, 'F', "From: daemon <daemon@tern.test>\n");
    assert_true(strncmp(m.headers[5].text, "Date: ", 6) == 0);
    assert_true(m.flags & TERN_SPOOL_LOCAL);
    assert_true(m.flags & TERN_SPOOL_ALLOW_UNQUALIFIED_SENDER);
    assert_string_equal(m.auth_id.s, "daemon");
    assert_string_equal(m.auth_sender.s, "daemon@tern.test");
    assert_string_equal(m.login, "daemon");
    assert_int_equal(m.uid, 1);
    snprintf(want, sizeof want, "<= daemon@tern.test U=daemon P=local S=%lld",
             msg.size);
    assert_string_equal(last_log, want);
    tern_arena_free(a);
}

static void
test_sender_added(void **state)
{
    static const char in[] =
        "Subject: t2\nFrom: someone@else.example\n\nbody\n";
    struct host_receive_local lo = { 0 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;

    (void)state;
    sess.is_smtp = 0;
    sess.peer_address = NULL;
    sess.login = "daemon";
    msg.spool.sender = "daemon@tern.test";
    lo.sender_local = 1;
    lo.gecos = "daemon";
    begin();
    host_receive_set_local(R, &lo);
    assert_int_equal(feed(in, sizeof in - 1, 3), 0);
    finish(a, &m, &body, &blen);
    assert_hdr(&m, 4, 'S', "Sender: daemon <daemon@tern.test>\n");
    tern_arena_free(a);
}

static void
test_from_prefix(void **state)
{
    static const char in[] =
        "Subject: p\nFrom: Me <list-daemon+x@TERN.test>\n\nbody\n";
    struct host_receive_local lo = { 0 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;

    (void)state;
    sess.is_smtp = 0;
    sess.peer_address = NULL;
    sess.login = "daemon";
    msg.spool.sender = "daemon@tern.test";
    lo.sender_local = 1;
    rt.opts.local_from_prefix.text = "*-";
    rt.opts.local_from_suffix.text = "+*";
    begin();
    host_receive_set_local(R, &lo);
    assert_int_equal(feed(in, sizeof in - 1, 64), 0);
    finish(a, &m, &body, &blen);
    /* the affixes are allowed: no Sender: */
    assert_int_equal(host_hdrs_find(&m, "sender"), -1);
    tern_arena_free(a);
}

static void
test_extract_t(void **state)
{
    static const char in[] =
        "Subject: t5\nFrom: root\nTo: A <a@y.test>, \"B c\" <b@y.test>\n"
        "Cc: grp: c1@y.test, c2;, d (comment) <d@y.test>\n"
        "Bcc: hidden@y.test\n\nbody\n";
    struct host_receive_local lo = { 0 };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;
    static const char *const want[] = {
        "b@y.test", "c1@y.test", "c2@tern.test", "d@y.test", "hidden@y.test"
    };

    (void)state;
    sess.is_smtp = 0;
    sess.peer_address = NULL;
    sess.login = "root";
    msg.spool.sender = "root@tern.test";
    lo.trusted = lo.sender_local = 1;
    lo.extract = 1;
    lo.extract_remove_args = 1;
    lo.gecos = "root";
    rcpts[0].address = "a@y.test";     /* on the command line: removed */
    begin();
    host_receive_set_local(R, &lo);
    assert_int_equal(feed(in, sizeof in - 1, 5), 0);
    finish(a, &m, &body, &blen);
    assert_int_equal(m.n_rcpts, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(m.rcpts[i].address, want[i]);
    /* From: root replaced, Cc: qualified, Bcc: removed */
    assert_hdr(&m, 2, '*', "From: root\n");
    assert_hdr(&m, 4, '*', "Cc: grp: c1@y.test, c2;, d (comment) <d@y.test>\n");
    assert_hdr(&m, 5, 'C',
               "Cc: grp: c1@y.test, c2@tern.test;, d (comment) <d@y.test>\n");
    assert_hdr(&m, 6, '*', "Bcc: hidden@y.test\n");
    assert_hdr(&m, 7, 'F', "From: root <root@tern.test>\n");
    tern_arena_free(a);
}

static void
test_extract_none(void **state)
{
    static const char in[] = "Subject: x\n\nb\n";
    struct host_receive_local lo = { 0 };
    char err[256];

    (void)state;
    sess.login = "root";
    msg.spool.n_rcpts = 0;
    lo.extract = 1;
    begin();
    host_receive_set_local(R, &lo);
    /* found when the header ends: the feed fails, and so does the end */
    assert_int_equal(feed(in, sizeof in - 1, 100), -1);
    assert_int_equal(host_receive_failure(R), HOST_RCV_NO_RCPTS);
    assert_int_equal(host_receive_end_data(R, err, sizeof err), -1);
}

static size_t
spool_files(void)
{
    char path[300];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    snprintf(path, sizeof path, "%s/input", dir);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void
test_size_limit(void **state)
{
    char big[300];
    char err[256];
    int too_big = 0;
    size_t before = spool_files();

    (void)state;
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    rt.opts.message_size_limit.text = "100";
    begin();
    assert_int_equal(host_receive_feed(R, "Subject: big\n\n", 14, &too_big,
                                       err, sizeof err), 0);
    assert_int_equal(host_receive_feed(R, big, sizeof big, &too_big, err,
                                       sizeof err), -1);
    assert_true(too_big);
    assert_string_equal(err, "message too big: read=314 max=100");
    assert_int_equal(host_receive_failure(R), HOST_RCV_TOO_BIG);
    assert_string_equal(host_receive_smtp_reply(HOST_RCV_TOO_BIG),
                        "552 Message size exceeds maximum permitted");
    host_receive_abort(R);
    R = NULL;
    /* nothing is left on the queue */
    assert_int_equal(spool_files(), before);
}

static void
test_header_limits(void **state)
{
    char err[256];
    int too_big;
    char line[200];

    (void)state;
    rt.opts.header_line_maxsize = 50;
    begin();
    snprintf(line, sizeof line, "Subject: %060d\n", 0);
    assert_int_equal(host_receive_feed(R, "To: a\n", 6, &too_big, err,
                                       sizeof err), 0);
    assert_int_equal(host_receive_feed(R, line, strlen(line), &too_big, err,
                                       sizeof err), -1);
    assert_string_equal(err, "message header line longer than 50 characters"
                        " received");
    host_receive_abort(R);
    R = NULL;
    rt.opts.header_line_maxsize = 0;
    rt.opts.header_maxsize = 30;
    begin();
    assert_int_equal(host_receive_feed(R, "To: a\n X: continued line here\n",
                                       30, &too_big, err, sizeof err), 0);
    assert_int_equal(host_receive_feed(R, "Y: z\n", 5, &too_big, err,
                                       sizeof err), -1);
    assert_int_equal(host_receive_failure(R), HOST_RCV_HEADER_TOO_BIG);
}

static void
test_acl_changes(void **state)
{
    static const char in[] = "Subject: s\nX-Internal: 1\n\nbody\n";
    struct host_hdr_change pre = { 0, "X-Pre: mail acl", NULL };
    struct host_hdr_change rm = { 1, "x-internal", NULL };
    struct host_hdr_change data = { 0, ":at_start:X-Data: data acl", &rm };
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char err[256];
    char *body;
    size_t blen;

    (void)state;
    msg.hdr_changes = &pre;
    begin();
    assert_int_equal(feed(in, sizeof in - 1, 4), 0);
    assert_int_equal(host_receive_end_data(R, err, sizeof err), 0);
    /* MAIL/RCPT ACL additions are visible to the DATA ACL */
    assert_true(host_hdrs_find(&msg.spool, "x-pre") >= 0);
    assert_null(msg.hdr_changes);
    msg.hdr_changes = &data;
    {
        struct tern_spool_out *out = host_receive_prepare_commit(R, err,
                                                                sizeof err);
        struct tern_spool_err serr;
        int status;
        char id[TERN_MSGID_SIZE];

        assert_non_null(out);
        assert_int_equal(tern_spool_commit(spool, &out, 1, &status, &serr), 1);
        memcpy(id, msg.spool.id, sizeof id);
        host_receive_done(R, 1);
        R = NULL;
        tern_spool_msg_init(&m);
        assert_int_equal(tern_spool_read_header(spool, id, a, &m, &serr), 0);
        assert_int_equal(tern_spool_read_body(spool, id, a, &body, &blen,
                                              &serr), 0);
    }
    assert_hdr(&m, 0, ' ', "X-Data: data acl\n");
    assert_int_equal(m.headers[1].type, 'P');
    assert_hdr(&m, 3, '*', "X-Internal: 1\n");
    assert_hdr(&m, 4, ' ', "X-Pre: mail acl\n");
    tern_arena_free(a);
}

static void
test_log_fields(void **state)
{
    static const char in[] = "Subject: a \"q\" \xe9\nMessage-Id: <E";
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    char *body;
    size_t blen;
    char want[512];

    (void)state;
    rt.opts.log_selector.text = "+all -millisec -receive_time -8bitmime";
    sess.sender_host_name = "Client.Example";
    sess.helo_name = "other.example";
    sess.ident = "root";
    sess.pipelining_advertised = 1;
    sess.tls_in.active = 1;
    sess.tls_in.cipher = "TLS1.3:TLS_AES_256_GCM_SHA384:256";
    sess.tls_in.sni = "mx.tern.test";
    sess.auth_mechanism = "plain";
    sess.authenticated_id = "alice";
    rcpts[1].address = "b@y.test";
    msg.spool.n_rcpts = 2;
    begin();
    /* a Message-Id made up the way Tern makes them counts as created */
    assert_int_equal(feed(in, sizeof in - 1, 2), 0);
    assert_int_equal(feed(msg.spool.id, TERN_MSGID_LEN, 3), 0);
    assert_int_equal(feed("@tern.test>\n\nb\n", 15, 3), 0);
    finish(a, &m, &body, &blen);
    snprintf(want, sizeof want,
             "<= s@x.test H=Client.Example (other.example) [192.0.2.7]:4321"
             " I=[192.0.2.1]:25 U=root P=esmtp L- X=TLS1.3:TLS_AES_256_GCM_"
             "SHA384:256 CV=no SNI=\"mx.tern.test\" A=plain:alice S=%lld "
             "id*=E%s@tern.test T=\"a \\\"q\\\" \\351\" from <s@x.test> for "
             "a@y.test b@y.test", msg.size, m.id);
    assert_string_equal(last_log, want);
    tern_arena_free(a);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fresh, clean)
    const struct CMUnitTest tests[] = {
        T(test_smtp_message),
        T(test_header_only_and_nonheader),
        T(test_local_fixups),
        T(test_sender_added),
        T(test_from_prefix),
        T(test_extract_t),
        T(test_extract_none),
        T(test_size_limit),
        T(test_header_limits),
        T(test_acl_changes),
        T(test_log_fields),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
