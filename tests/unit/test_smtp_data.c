/*
 * NAME
 *   test_smtp_data.c - DATA and BDAT in the SMTP engine: the bytes that
 *   reach receive.h, size limits, lost clients, ACLs after the data and
 *   group commit
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_fakes.h"

static void
open_txn(struct harness *h, const char *helo)
{
    char *r;

    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(h, "192.0.2.1"));
    free(h_talk(h, helo));
    r = h_talk(h, "MAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    r = h_talk(h, "RCPT TO:<x@test.example>\r\n");
    assert_string_equal(r, "250 Accepted\r\n");
    free(r);
}

static void
body_is(const char *want, size_t n)
{
    assert_int_equal(fake_body.len, n);
    assert_memory_equal(fake_body.data, want, n);
}

static void
test_data_unstuffing(void **state)
{
    struct harness h;
    char *r;
    /* CRLF, bare LF and bare CR end lines; a leading dot goes; "CR . CR"
     * does not end the message; 8-bit and NUL bytes stay. */
    static const char in[] =
        "Subject: t\r\n\r\n..dot\r\n.x\nbare lf\ncr\ralone\r\n\xe9\xff\0z\r\n"
        "a\r.\rb\r\n.\r\n";
    static const char want[] =
        "Subject: t\n\n.dot\nx\nbare lf\ncr\nalone\n\xe9\xff\0z\n"
        "a\n.\nb\n";

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "DATA\r\n");
    assert_string_equal(r, "354 Enter message, ending with \".\" on a line by"
                        " itself\r\n");
    free(r);
    r = h_talkn(&h, in, sizeof in - 1);
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n");
    free(r);
    body_is(want, sizeof want - 1);
    assert_int_equal(fake_committed, 1);
    assert_int_equal(h.sess.messages, 1);
    /* The transaction is over: a new MAIL is fine. */
    r = h_talk(&h, "MAIL FROM:<>\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    h_free(&h);
}

static void
test_data_lf_dot_lf_ends(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    /* Exim 4.96 ends the data at LF . LF as well. */
    r = h_talk(&h, "a\nb\n.\nNOOP\r\n");
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n250 OK\r\n");
    free(r);
    body_is("a\nb\n", 4);
    h_free(&h);
}

static void
test_data_split_everywhere(void **state)
{
    struct harness h;
    char *r = NULL;
    static const char in[] = "l1\r\n..l2\r\n.\r\n";

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    /* One byte at a time: the decoder keeps its state across reads. */
    for (size_t i = 0; i < sizeof in - 1; i++) {
        free(r);
        r = h_talkn(&h, in + i, 1);
    }
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n");
    free(r);
    body_is("l1\n.l2\n", 7);
    h_free(&h);
}

static void
test_data_too_big(void **state)
{
    struct harness h;
    char *r, *big = malloc(5000);

    (void)state;
    memset(big, 'x', 4999);
    big[4999] = '\0';
    h_init(&h);
    h_set(&h, "message_size_limit", "1K");
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    r = h_talk(&h, big);
    assert_string_equal(r, "");         /* read on to the dot */
    free(r);
    r = h_talk(&h, "\r\n.\r\n");
    assert_string_equal(r, "552 Message size exceeds maximum permitted\r\n");
    free(r);
    assert_int_equal(fake_committed, 0);
    assert_int_equal(fake_aborted, 1);
    assert_true(log_has("H=(c) [192.0.2.1] F=<a@b.example> message too big:"
                        " read=5000 max=1024"));
    /* The session goes on. */
    r = h_talk(&h, "NOOP\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    free(big);
    h_free(&h);
}

static void
test_client_vanishes_mid_data(void **state)
{
    struct harness h;

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    free(h_talk(&h, "Subject: half\r\n\r\npart of a bo"));
    free(h_eof(&h));
    assert_true(h.done);
    assert_int_equal(fake_aborted, 1);
    assert_int_equal(fake_committed, 0);
    assert_true(log_has("SMTP connection from (c) [192.0.2.1] lost while "
                        "reading message data"));
    h_free(&h);
}

static void
test_data_timeout(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_receive_timeout", "1s");
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    free(h_talk(&h, "line\r\n"));
    usleep(1100 * 1000);
    r = h_talk(&h, "");
    assert_string_equal(r, "421 mx.test.example: SMTP incoming data timeout "
                        "- closing connection\r\n");
    free(r);
    assert_true(h.done);
    assert_int_equal(fake_aborted, 1);
    assert_true(log_has("SMTP data timeout (message abandoned) on "
                        "connection from (c) [192.0.2.1] F=<a@b.example>"));
    h_free(&h);
}

static void
test_commit_failure(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h.commit_ok = 0;
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "DATA\r\n");
    free(r);
    r = h_talk(&h, "x\r\n.\r\n");
    assert_string_equal(r, "451 Temporary local problem - please try "
                        "later\r\n");
    free(r);
    assert_int_equal(h.commits, 1);
    assert_int_equal(fake_failed_commit, 1);
    assert_true(log_has("temporarily rejected after DATA: disk on fire"));
    h_free(&h);
}

static void
test_commit_waits(void **state)
{
    struct harness h;
    unsigned w;
    char buf[256];
    ssize_t n;

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    /* Drive by hand: no 250 before the commit. */
    assert_true(write(h.cfd, "x\r\n.\r\nNOOP\r\n", 12) == 12);
    w = host_smtp_step(h.s);
    assert_true(w & HOST_SMTP_WANT_COMMIT);
    assert_non_null(host_smtp_pending_commit(h.s));
    n = recv(h.cfd, buf, sizeof buf, MSG_DONTWAIT);
    assert_true(n <= 0);
    host_smtp_committed(h.s, 1, NULL);
    n = recv(h.cfd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "250 OK id=1tErNs-000001-AB\r\n");
    free(h_talk(&h, ""));
    h_free(&h);
}

static void
test_data_acls(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_PREDATA] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "no data today" };
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "DATA\r\n");
    assert_string_equal(r, "550 no data today\r\n");
    free(r);
    assert_true(log_has("F=<a@b.example> rejected DATA: no data today"));
    h_free(&h);

    h_init(&h);
    fake_acl[HOST_ACL_DATA] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "550 5.7.0 spam" };
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    r = h_talk(&h, "x\r\n.\r\n");
    assert_string_equal(r, "550 5.7.0 spam\r\n");
    free(r);
    assert_int_equal(fake_aborted, 1);
    assert_true(log_has("1tErNs-000001-AB H=(c) [192.0.2.1] F=<a@b.example> "
                        "rejected after DATA: spam"));
    h_free(&h);

    h_init(&h);
    fake_acl[HOST_ACL_DATA] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_ACCEPT, .msg = "250 queued, thanks" };
    fake_acl[HOST_ACL_PREDATA] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_ACCEPT, .msg = "354 go on" };
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "DATA\r\n");
    assert_string_equal(r, "354 go on\r\n");
    free(r);
    r = h_talk(&h, "x\r\n.\r\n");
    assert_string_equal(r, "250 queued, thanks\r\n");
    free(r);
    assert_int_equal(fake_committed, 1);
    h_free(&h);

    h_init(&h);
    fake_acl[HOST_ACL_DATA] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DISCARD };
    open_txn(&h, "EHLO c\r\n");
    free(h_talk(&h, "DATA\r\n"));
    r = h_talk(&h, "x\r\n.\r\n");
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n");
    free(r);
    assert_int_equal(fake_committed, 0);
    assert_int_equal(fake_aborted, 1);
    h_free(&h);
}

static void
test_bdat_chunks(void **state)
{
    struct harness h;
    char *r;
    static const char c1[] = "BDAT 14\r\nSubject: b\r\n\r\n";
    static const char c2[] = "BDAT 9\r\n\0\xff\r\nbin\r\r";
    static const char c3[] = "BDAT 5 LAST\r\n\n end";
    static const char want[] = "Subject: b\n\n\0\xff\nbin\n\n end\n";
    char cmd[64];

    (void)state;
    h_init(&h);
    open_txn(&h, "EHLO c\r\n");
    r = h_talkn(&h, c1, sizeof c1 - 1);
    assert_string_equal(r, "250 14 byte chunk received\r\n");
    free(r);
    r = h_talkn(&h, c2, sizeof c2 - 1);
    assert_string_equal(r, "250 9 byte chunk received\r\n");
    free(r);
    /* NOOP is allowed between chunks. */
    snprintf(cmd, sizeof cmd, "NOOP\r\n");
    r = h_talk(&h, cmd);
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    r = h_talkn(&h, c3, sizeof c3 - 1);
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n");
    free(r);
    body_is(want, sizeof want - 1);
    h_free(&h);
}

static void
test_bdat_pipelined_whole(void **state)
{
    struct harness h;
    char *r;
    static const char in[] =
        "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@test.example>\r\n"
        "BDAT 5\r\nab\r\nc" "BDAT 0 LAST\r\nQUIT\r\n";

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talkn(&h, in + 8, sizeof in - 1 - 8);
    assert_string_equal(r, "250 OK\r\n250 Accepted\r\n250 5 byte chunk "
                        "received\r\n250 OK id=1tErNs-000001-AB\r\n221 "
                        "mx.test.example closing connection\r\n");
    free(r);
    body_is("ab\nc\n", 5);
    h_free(&h);
}

static void
test_bdat_errors(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_max_synprot_errors", "100");
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "BDAT 3\r\nabcDATA\r\n");
    assert_string_equal(r, "250 3 byte chunk received\r\n503 only BDAT "
                        "permissible after non-LAST BDAT\r\n");
    free(r);
    assert_int_equal(fake_aborted, 1);
    /* Only RSET now; a BDAT's data is still swallowed. */
    r = h_talk(&h, "BDAT 4\r\nMAILNOOP\r\n");
    assert_string_equal(r, "503 only RSET accepted now\r\n503 only RSET "
                        "accepted now\r\n");
    free(r);
    r = h_talk(&h, "RSET\r\nBDAT x\r\n");
    assert_string_equal(r, "250 Reset OK\r\n501 missing size for BDAT "
                        "command\r\n");
    free(r);
    r = h_talk(&h, "BDAT 2 LAST\r\nxyNOOP\r\n");
    assert_string_equal(r, "503 valid RCPT command must precede BDAT\r\n"
                        "250 OK\r\n");
    free(r);
    h_free(&h);

    /* Not offered: refused, and its data is not taken for commands. */
    h_init(&h);
    h_set(&h, "smtp_max_synprot_errors", "100");
    open_txn(&h, "HELO c\r\n");
    r = h_talk(&h, "BDAT 4 LAST\r\nQUIT");
    assert_string_equal(r, "503 BDAT command used when CHUNKING not "
                        "advertised\r\n");
    free(r);
    assert_false(h.done);
    h_free(&h);
}

static void
test_bdat_too_big(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "message_size_limit", "10");
    open_txn(&h, "EHLO c\r\n");
    r = h_talk(&h, "BDAT 8\r\n12345678BDAT 8 LAST\r\n12345678");
    assert_string_equal(r, "250 8 byte chunk received\r\n552 Message size "
                        "exceeds maximum permitted\r\n");
    free(r);
    assert_int_equal(fake_committed, 0);
    h_free(&h);
}

static void
test_discarded_recipients(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_MAIL] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DISCARD };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\nRCPT TO:<x@y.example>\r\n"
                   "DATA\r\n");
    assert_string_equal(r, "250 OK\r\n250 Accepted\r\n354 Enter message, "
                        "ending with \".\" on a line by itself\r\n");
    free(r);
    assert_int_equal(fake_acl_calls[HOST_ACL_RCPT], 0);
    r = h_talk(&h, "x\r\n.\r\n");
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n");
    free(r);
    assert_int_equal(fake_committed, 0);
    h_free(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_unstuffing),
        cmocka_unit_test(test_data_lf_dot_lf_ends),
        cmocka_unit_test(test_data_split_everywhere),
        cmocka_unit_test(test_data_too_big),
        cmocka_unit_test(test_client_vanishes_mid_data),
        cmocka_unit_test(test_data_timeout),
        cmocka_unit_test(test_commit_failure),
        cmocka_unit_test(test_commit_waits),
        cmocka_unit_test(test_data_acls),
        cmocka_unit_test(test_bdat_chunks),
        cmocka_unit_test(test_bdat_pipelined_whole),
        cmocka_unit_test(test_bdat_errors),
        cmocka_unit_test(test_bdat_too_big),
        cmocka_unit_test(test_discarded_recipients),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
