/*
 * NAME
 *   test_smtp_proto.c - the SMTP engine's commands, replies and
 *   protocol checks, driven through a socketpair
 *
 * DESCRIPTION
 *   Every command's happy path, the EHLO extensions in Exim's order,
 *   pipelining and its synchronisation errors (with and without
 *   smtp_enforce_sync, before the banner and after a command), RCPT
 *   before MAIL, unknown commands, NUL bytes and garbage, a 1 MiB
 *   command line, the syntax-error limit, ACL refusals and their codes,
 *   timeouts and a slowloris client.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp_fakes.h"

#define HAS(hay, needle) \
    do { \
        if (strstr((hay), (needle)) == NULL) \
            fail_msg("expected [%s] in [%s]", (needle), (hay)); \
    } while (0)
#define HASNT(hay, needle) \
    do { \
        if (strstr((hay), (needle)) != NULL) \
            fail_msg("did not expect [%s] in [%s]", (needle), (hay)); \
    } while (0)

static void
test_banner_and_ehlo(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    r = h_start(&h, "192.0.2.1");
    assert_string_equal(r, "220 mx.test.example ESMTP Exim 4.96 Mon, 01 Jan"
                        " 2024 00:00:00 +0000\r\n");
    free(r);
    r = h_talk(&h, "EHLO client.example\r\n");
    assert_string_equal(r,
                        "250-mx.test.example Hello client.example "
                        "[192.0.2.1]\r\n"
                        "250-SIZE 52428800\r\n"
                        "250-8BITMIME\r\n"
                        "250-PIPELINING\r\n"
                        "250-PIPECONNECT\r\n"
                        "250-CHUNKING\r\n"
                        "250-SMTPUTF8\r\n"
                        "250 HELP\r\n");
    free(r);
    assert_string_equal(h.sess.protocol, "esmtp");
    assert_string_equal(h.sess.helo_name, "client.example");
    assert_int_equal(h.sess.pipelining_advertised, 1);
    h_free(&h);
}

static void
test_ehlo_options_follow_config(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "message_size_limit", "0");
    h_set(&h, "accept_8bitmime", "false");
    h_set(&h, "pipelining_advertise_hosts", "");
    h_set(&h, "chunking_advertise_hosts", "");
    h_set(&h, "dsn_advertise_hosts", "*");
    h_set(&h, "acl_smtp_vrfy", "accept");
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "EHLO c\r\n");
    assert_string_equal(r, "250-mx.test.example Hello c [192.0.2.1]\r\n"
                        "250-SIZE\r\n250-DSN\r\n250-VRFY\r\n250-SMTPUTF8\r\n"
                        "250 HELP\r\n");
    free(r);
    h_free(&h);
}

static void
test_helo_and_simple_commands(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "HELO client.example\r\n");
    assert_string_equal(r, "250 mx.test.example Hello client.example "
                        "[192.0.2.1]\r\n");
    free(r);
    assert_string_equal(h.sess.protocol, "smtp");
    r = h_talk(&h, "NOOP\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    r = h_talk(&h, "RSET\r\n");
    assert_string_equal(r, "250 Reset OK\r\n");
    free(r);
    r = h_talk(&h, "HELP\r\n");
    assert_string_equal(r, "214-Commands supported:\r\n214 AUTH HELO EHLO "
                        "MAIL RCPT DATA BDAT NOOP QUIT RSET HELP\r\n");
    free(r);
    r = h_talk(&h, "VRFY postmaster\r\n");
    assert_string_equal(r, "252 Administrative prohibition\r\n");
    free(r);
    r = h_talk(&h, "EXPN list\r\n");
    assert_string_equal(r, "550 Administrative prohibition\r\n");
    free(r);
    assert_true(log_has("rejected EXPN list"));
    r = h_talk(&h, "quit\r\n");
    assert_string_equal(r, "221 mx.test.example closing connection\r\n");
    free(r);
    assert_true(h.done);
    h_free(&h);
}

static void
test_vrfy_accepted(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_VRFY] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "VRFY <u@test.example>\r\n");
    assert_string_equal(r, "252 Cannot VRFY user; try RCPT to attempt "
                        "delivery (or try finger)\r\n");
    free(r);
    h_free(&h);
}

static void
test_invalid_helo(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "EHLO bad_name\r\n");
    assert_string_equal(r, "501 Syntactically invalid EHLO argument(s)\r\n");
    free(r);
    assert_true(log_has("rejected EHLO from [192.0.2.1]: syntactically "
                        "invalid argument(s): bad_name"));
    r = h_talk(&h, "HELO\r\n");
    assert_string_equal(r, "501 Syntactically invalid HELO argument(s)\r\n");
    free(r);
    assert_true(log_has("(no argument given)"));
    r = h_talk(&h, "EHLO [192.0.2.1]\r\n");
    HAS(r, "250-mx.test.example Hello [192.0.2.1] [192.0.2.1]");
    free(r);
    h_free(&h);

    h_init(&h);
    h_set(&h, "helo_allow_chars", "_");
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "HELO bad_name\r\n");
    HAS(r, "250 mx.test.example Hello bad_name");
    free(r);
    h_free(&h);

    h_init(&h);
    h_set(&h, "helo_accept_junk_hosts", "192.0.2.1");
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "HELO !!junk!!\r\n");
    HAS(r, "250 mx.test.example Hello !!junk!!");
    free(r);
    h_free(&h);
}

static void
test_rcpt_before_mail(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "RCPT TO:<a@b.example>\r\n");
    assert_string_equal(r, "503 sender not yet given\r\n");
    free(r);
    r = h_talk(&h, "DATA\r\n");
    assert_string_equal(r, "503 valid RCPT command must precede DATA\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "503 sender already given\r\n");
    free(r);
    h_free(&h);
}

static void
test_mail_requires_helo(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "503 HELO or EHLO required\r\n");
    free(r);
    assert_true(log_has("rejected MAIL from [192.0.2.1]: no HELO/EHLO "
                        "given"));
    h_free(&h);
}

static void
test_unknown_commands_drop(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_max_synprot_errors", "100");
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "GET / HTTP/1.0\r\n");
    assert_string_equal(r, "500 unrecognized command\r\n");
    free(r);
    free(h_talk(&h, "Host: x\r\n"));
    free(h_talk(&h, "MAIL\r\n"));
    assert_false(h.done);
    r = h_talk(&h, "User-Agent: y\r\n");
    assert_string_equal(r, "500 Too many unrecognized commands\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("SMTP call from [192.0.2.1] dropped: too many "
                        "unrecognized commands (last was \"User-Agent: "
                        "y\")"));
    h_free(&h);
}

static void
test_nul_and_garbage(void **state)
{
    struct harness h;
    char *r;
    static const char nul[] = "EH\0LO x\r\n";
    static const char bin[] = "\x80\xff\x01\x02\r\n";

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    r = h_talkn(&h, nul, sizeof nul - 1);
    assert_string_equal(r, "501 NUL characters are not allowed in SMTP "
                        "commands\r\n");
    free(r);
    r = h_talkn(&h, bin, sizeof bin - 1);
    assert_string_equal(r, "500 unrecognized command\r\n");
    free(r);
    /* Still usable afterwards. */
    r = h_talk(&h, "HELO c\r\n");
    HAS(r, "250 mx.test.example Hello c");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a b@c>\r\n");
    HAS(r, "501 ");
    free(r);
    r = h_talk(&h, "RCPT TO:<x>\r\n");
    assert_string_equal(r, "503-sender not yet given\r\n"
                        "503 Too many syntax or protocol errors\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("dropped: too many syntax or protocol errors (last "
                        "command was \"RCPT TO:<x>\")"));
    h_free(&h);
}

static void
test_megabyte_line(void **state)
{
    struct harness h;
    size_t n = 1024 * 1024;
    char *big = malloc(n + 3), *r;

    (void)state;
    memset(big, 'A', n);
    memcpy(big + n, "\r\n", 3);
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    r = h_talkn(&h, big, n + 2);
    assert_string_equal(r, "500 Line too long\r\n");
    free(r);
    /* The line was never held whole. */
    assert_true(h.s->in.cap <= SMTP_IN_CAP + 1);
    r = h_talk(&h, "NOOP\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    free(big);
    h_free(&h);
}

static void
test_pipelining_group(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\nRCPT TO:<x@test.example>\r\n"
                   "RCPT TO:<y@test.example>\r\nDATA\r\n");
    assert_string_equal(r, "250 OK\r\n250 Accepted\r\n250 Accepted\r\n"
                        "354 Enter message, ending with \".\" on a line by "
                        "itself\r\n");
    free(r);
    assert_int_equal(h.sess.pipelining_used, 1);
    r = h_talk(&h, "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n");
    assert_string_equal(r, "250 OK id=1tErNs-000001-AB\r\n221 mx.test."
                        "example closing connection\r\n");
    free(r);
    h_free(&h);
}

static void
test_sync_error_after_command(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    /* HELO: PIPELINING not offered, so MAIL must be waited for. */
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\nRCPT TO:<x@test.example>\r\n");
    assert_string_equal(r, "554 SMTP synchronization error\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("SMTP protocol synchronization error (next input "
                        "sent too soon: pipelining was not advertised): "
                        "rejected \"MAIL FROM:<a@b.example>\" H=(c) "
                        "[192.0.2.1] next input=\"RCPT TO:<x@test.example>"
                        "\\r\\n\""));
    h_free(&h);

    /* EHLO is a synchronisation point even with PIPELINING. */
    h_init(&h);
    h_set(&h, "pipelining_connect_advertise_hosts", "");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "554 SMTP synchronization error\r\n");
    free(r);
    h_free(&h);

    /* Without smtp_enforce_sync the same input is fine. */
    h_init(&h);
    h_set(&h, "smtp_enforce_sync", "false");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\nRCPT TO:<x@test.example>\r\n");
    assert_string_equal(r, "250 OK\r\n550 Administrative prohibition\r\n");
    free(r);
    assert_false(h.done);
    h_free(&h);

    /* Nor is it checked for a local (-bs) session. */
    h_init(&h);
    free(h_start(&h, NULL));
    r = h_talk(&h, "HELO c\r\nMAIL FROM:<a@b.example>\r\nNOOP\r\n");
    HAS(r, "250 OK\r\n250 OK\r\n");
    free(r);
    h_free(&h);
}

static void
test_sync_error_before_banner(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "pipelining_connect_advertise_hosts", "");
    r = h_start_early(&h, "192.0.2.1", "EHLO early\r\n");
    assert_string_equal(r, "554 SMTP synchronization error\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("SMTP protocol synchronization error (input sent "
                        "without waiting for greeting): rejected connection "
                        "from [192.0.2.1] input=\"EHLO early\\r\\n\""));
    h_free(&h);

    /* A client that may use PIPECONNECT may talk first. */
    h_init(&h);
    r = h_start_early(&h, "192.0.2.1", "EHLO early\r\nNOOP\r\n");
    HAS(r, "220 mx.test.example");
    HAS(r, "250-mx.test.example Hello early");
    HAS(r, "250 OK\r\n");
    free(r);
    assert_int_equal(h.sess.pipe_connect_used, 1);
    h_free(&h);

    /* smtp_enforce_sync off: no check. */
    h_init(&h);
    h_set(&h, "pipelining_connect_advertise_hosts", "");
    h_set(&h, "smtp_enforce_sync", "false");
    r = h_start_early(&h, "192.0.2.1", "HELO early\r\n");
    HAS(r, "220 ");
    HAS(r, "250 mx.test.example Hello early");
    free(r);
    h_free(&h);
}

static void
test_acl_messages(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "relay not permitted" };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    free(h_talk(&h, "MAIL FROM:<a@b.example>\r\n"));
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "550 relay not permitted\r\n");
    free(r);
    assert_true(log_has("MR H=(c) [192.0.2.1] F=<a@b.example> rejected RCPT "
                        "<x@foreign.example>: relay not permitted"));
    r = h_talk(&h, "DATA\r\n");
    assert_string_equal(r, "503-All RCPT commands were rejected with this "
                        "error:\r\n503-550 relay not permitted\r\n503 Valid "
                        "RCPT command must precede DATA\r\n");
    free(r);
    /* Own code and extended code, multi-line. */
    fake_acl[HOST_ACL_RCPT].msg = "551 5.7.1 first line\nsecond line";
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "551-5.7.1 first line\r\n551 5.7.1 second "
                        "line\r\n");
    free(r);
    /* A code of the wrong class is refused (panic log). */
    fake_acl[HOST_ACL_RCPT].msg = "250 fine";
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "550 250 fine\r\n");
    free(r);
    assert_true(log_has("MP configured error code starts with incorrect "
                        "digit (expected 5) in \"250 fine\""));
    /* Deferral. */
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DEFER, .msg = "try later please" };
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "451 try later please\r\n");
    free(r);
    assert_true(log_has("temporarily rejected RCPT <x@foreign.example>"));
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_ERROR, .msg = "hidden" };
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "451 Temporary local problem - please try "
                        "later\r\n");
    free(r);
    /* no_multiline_responses keeps the first line only. */
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "one\ntwo",
        .controls = HOST_CTL_NO_MULTILINE };
    r = h_talk(&h, "RCPT TO:<x@foreign.example>\r\n");
    assert_string_equal(r, "550 one\r\n");
    free(r);
    h_free(&h);
}

static void
test_acl_drop_and_connect(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_CONNECT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "go away" };
    r = h_start(&h, "192.0.2.1");
    assert_string_equal(r, "550 go away\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("H=[192.0.2.1] rejected connection in \"connect\" "
                        "ACL: go away"));
    h_free(&h);

    h_init(&h);
    fake_acl[HOST_ACL_CONNECT] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_ACCEPT, .msg = "welcome\nto the test" };
    r = h_start(&h, "192.0.2.1");
    assert_string_equal(r, "220-welcome\r\n220 to the test\r\n");
    free(r);
    h_free(&h);

    h_init(&h);
    fake_acl[HOST_ACL_MAIL] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DROP, .msg = "bye" };
    h_set(&h, "log_selector", "+smtp_connection");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "550 bye\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("closed by DROP in ACL"));
    h_free(&h);
}

static void
test_acl_delay(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_HELO] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_ACCEPT, .delay = 1 };
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "HELO c\r\n");
    assert_string_equal(r, "");
    free(r);
    assert_true(h.want & HOST_SMTP_WANT_TIMER);
    assert_true(host_smtp_timeout_ms(h.s) > 0);
    usleep(1100 * 1000);
    r = h_talk(&h, "");
    assert_string_equal(r, "250 mx.test.example Hello c [192.0.2.1]\r\n");
    free(r);
    h_free(&h);
}

static void
test_command_timeout(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_receive_timeout", "1s");
    free(h_start(&h, "192.0.2.1"));
    assert_true(host_smtp_timeout_ms(h.s) <= 1000);
    /* A slowloris client: bytes keep coming, the line never ends. */
    free(h_talk(&h, "E"));
    usleep(600 * 1000);
    free(h_talk(&h, "H"));
    usleep(600 * 1000);
    r = h_talk(&h, "L");
    assert_string_equal(r, "421 mx.test.example: SMTP command timeout - "
                        "closing connection\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("SMTP command timeout on connection from "
                        "[192.0.2.1]"));
    h_free(&h);
}

static void
test_lost_connection(void **state)
{
    struct harness h;

    (void)state;
    h_init(&h);
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    free(h_eof(&h));
    assert_true(h.done);
    assert_true(log_has("unexpected disconnection while reading SMTP command "
                        "from (c) [192.0.2.1] D="));
    h_free(&h);
}

static void
test_quit_is_immediate_and_logged(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "log_selector", "+smtp_connection +incoming_port");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "QUIT\r\n");
    assert_string_equal(r, "221 mx.test.example closing connection\r\n");
    free(r);
    assert_true(h.done);
    assert_true(log_has("SMTP connection from (c) [192.0.2.1]:4321 closed by"
                        " QUIT"));
    h_free(&h);
}

static void
test_max_per_connection_and_rcpts(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_accept_max_per_connection", "1");
    h_set(&h, "recipients_max", "2");
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "MAIL FROM:<a@b.example>\r\nRCPT TO:<1@t.example>\r\n"
                   "RCPT TO:<2@t.example>\r\nRCPT TO:<3@t.example>\r\n");
    assert_string_equal(r, "250 OK\r\n250 Accepted\r\n250 Accepted\r\n"
                        "452 too many recipients\r\n");
    free(r);
    r = h_talk(&h, "RSET\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(r, "250 Reset OK\r\n421 too many messages in this "
                        "connection\r\n");
    free(r);
    assert_true(h.done);
    h_free(&h);
}

static void
test_nonmail_limit(void **state)
{
    struct harness h;
    char *r = NULL;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_accept_max_nonmail", "3");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));         /* free */
    for (int i = 0; i < 4; i++) {
        free(r);
        r = h_talk(&h, "NOOP\r\n");
    }
    assert_string_equal(r, "421 too many nonmail commands\r\n");
    free(r);
    assert_true(h.done);
    h_free(&h);
}

static void
test_mail_syntax(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_max_synprot_errors", "100");
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "MAIL FROM:\r\n");
    assert_string_equal(r, "501 MAIL must have an address operand\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example\r\n");
    assert_string_equal(r, "501 <a@b.example: '>' missing at end of "
                        "address\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<user>\r\n");
    assert_string_equal(r, "501 <user>: sender address must contain a "
                        "domain\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example> FOO=bar\r\n");
    assert_string_equal(r, "501 <a@b.example> FOO=bar: malformed address: "
                        "FOO=bar may not follow <a@b.example>\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example> BODY=BINARY\r\n");
    assert_string_equal(r, "501 invalid data for BODY\r\n");
    free(r);
    r = h_talk(&h, "MAIL FROM:<a@b.example> SIZE=99999999999\r\n");
    assert_string_equal(r, "552 Message size exceeds maximum permitted\r\n");
    free(r);
    assert_true(log_has("rejected MAIL FROM:<a@b.example> H=(c) [192.0.2.1]: "
                        "message too big: size=99999999999 max=52428800"));
    r = h_talk(&h, "MAIL FROM:<@relay.example:a@b.example> SIZE=10 "
                   "BODY=8BITMIME SMTPUTF8\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    assert_string_equal(h.ctx.msg->spool.sender, "a@b.example");
    assert_int_equal(h.ctx.msg->size, 10);
    assert_true(h.ctx.msg->spool.flags & TERN_SPOOL_SMTPUTF8);
    r = h_talk(&h, "RCPT TO:<postmaster>\r\n");
    HAS(r, "550 Administrative prohibition");
    free(r);
    assert_true(log_has("rejected RCPT <postmaster>"));
    r = h_talk(&h, "RSET\r\nMAIL FROM:<>\r\n");
    assert_string_equal(r, "250 Reset OK\r\n250 OK\r\n");
    free(r);
    assert_string_equal(h.ctx.msg->spool.sender, "");
    h_free(&h);
}

static void
test_local_session_qualifies(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_RCPT] = (struct fake_acl_rule){ .set = 1 };
    free(h_start(&h, NULL));
    r = h_talk(&h, "EHLO me\r\nMAIL FROM:<bob>\r\nRCPT TO:<carol>\r\n");
    HAS(r, "250-mx.test.example Hello alice at me\r\n");
    HAS(r, "250 OK\r\n250 Accepted\r\n");
    free(r);
    assert_string_equal(h.ctx.msg->spool.sender, "bob@test.example");
    assert_string_equal(h.ctx.msg->spool.rcpts[0].address,
                        "carol@test.example");
    assert_string_equal(h.sess.protocol, "local-esmtp");
    h_free(&h);
}

static void
test_helpers(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct smtp_path p;
    const char *why;
    char *out;
    size_t n;

    (void)state;
    assert_string_equal(smtp_b64_encode(a, "\0user\0pw", 8), "AHVzZXIAcHc=");
    assert_string_equal(smtp_b64_encode(a, "ab", 2), "YWI=");
    assert_int_equal(smtp_b64_decode(a, "AHVzZXIAcHc=", &out, &n), 0);
    assert_int_equal(n, 8);
    assert_memory_equal(out, "\0user\0pw", 8);
    assert_int_equal(smtp_b64_decode(a, "YWI=", &out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(smtp_b64_decode(a, "", &out, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(smtp_b64_decode(a, "YW=I", &out, &n), -1);
    assert_int_equal(smtp_b64_decode(a, "YWI", &out, &n), -1);
    assert_int_equal(smtp_b64_decode(a, "Y!I=", &out, &n), -1);
    assert_string_equal(smtp_xtext_decode(a, "a+2Bb+3Dc"), "a+b=c");
    assert_null(smtp_xtext_decode(a, "a+2"));
    assert_null(smtp_xtext_decode(a, "a=b"));

    assert_int_equal(smtp_parse_path(a, "<\"a b\"@c.example> SIZE=1", &p,
                                     &why), 0);
    assert_string_equal(p.addr, "\"a b\"@c.example");
    assert_string_equal(p.params, "SIZE=1");
    assert_true(p.has_domain);
    assert_int_equal(smtp_parse_path(a, "<>", &p, &why), 0);
    assert_string_equal(p.addr, "");
    assert_int_equal(smtp_parse_path(a, "plain@c.example", &p, &why), 0);
    assert_false(p.bracketed);
    assert_int_equal(smtp_parse_path(a, "<u@[192.0.2.1]>", &p, &why), 0);
    assert_int_equal(smtp_parse_path(a, "<a..b@c>", &p, &why), -1);
    assert_int_equal(smtp_parse_path(a, "<a@>", &p, &why), -1);
    assert_string_equal(why, "domain missing or malformed");
    assert_int_equal(smtp_parse_path(a, "<a b@c>", &p, &why), -1);
    assert_string_equal(why, "malformed address: b@c may not follow a");

    assert_int_equal(smtp_log_selectors(NULL),
                     SMTP_LOG_LOST | SMTP_LOG_SIZE_REJECT);
    assert_int_equal(smtp_log_selectors("+smtp_connection "
                                        "-lost_incoming_connection"),
                     SMTP_LOG_CONNECTION | SMTP_LOG_SIZE_REJECT);
    assert_int_equal(smtp_log_selectors("-all +incoming_port"),
                     SMTP_LOG_PORT);
    assert_string_equal(smtp_printing(a, "a\r\n\001\\", 5, 100),
                        "a\\r\\n\\001\\\\");
    assert_int_equal(smtp_truth("Yes"), 1);
    assert_int_equal(smtp_truth(""), 0);
    assert_int_equal(smtp_truth("maybe"), -1);
    tern_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banner_and_ehlo),
        cmocka_unit_test(test_ehlo_options_follow_config),
        cmocka_unit_test(test_helo_and_simple_commands),
        cmocka_unit_test(test_vrfy_accepted),
        cmocka_unit_test(test_invalid_helo),
        cmocka_unit_test(test_rcpt_before_mail),
        cmocka_unit_test(test_mail_requires_helo),
        cmocka_unit_test(test_unknown_commands_drop),
        cmocka_unit_test(test_nul_and_garbage),
        cmocka_unit_test(test_megabyte_line),
        cmocka_unit_test(test_pipelining_group),
        cmocka_unit_test(test_sync_error_after_command),
        cmocka_unit_test(test_sync_error_before_banner),
        cmocka_unit_test(test_acl_messages),
        cmocka_unit_test(test_acl_drop_and_connect),
        cmocka_unit_test(test_acl_delay),
        cmocka_unit_test(test_command_timeout),
        cmocka_unit_test(test_lost_connection),
        cmocka_unit_test(test_quit_is_immediate_and_logged),
        cmocka_unit_test(test_max_per_connection_and_rcpts),
        cmocka_unit_test(test_nonmail_limit),
        cmocka_unit_test(test_mail_syntax),
        cmocka_unit_test(test_local_session_qualifies),
        cmocka_unit_test(test_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
