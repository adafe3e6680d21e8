/*
 * NAME
 *   test_acl_conds.c - unit tests of the ACL conditions: lists,
 *   condition, authenticated, encrypted, verify, and where each may be
 *   used
 *
 * DESCRIPTION
 *   Each condition is tested true, false and (where it can) deferring,
 *   through a real configuration compiled by confc's library.  The
 *   fixture's client is 192.0.2.1 with HELO client.example; lookups,
 *   host names and the verify hook are the fixture's tables
 *   (test_acl_env.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_acl_env.h"

#define CONF(text) assert_int_equal(ta_config(text), 0)
#define RUN(where, acl) ta_run((where), (acl), NULL)
#define RCPT(acl, addr) ta_run(HOST_ACL_RCPT, (acl), (addr))

static void
test_hosts(void **state)
{
    (void)state;
    CONF("hostlist friends = 10.0.0.0/8 : 192.0.2.0/28\n"
         "begin acl\n"
         "a:\n  accept hosts = +friends\n"
         "b:\n  accept hosts = !192.0.2.1 : *\n"
         "c:\n  accept hosts = net-lsearch;/hosts\n"
         "         logwrite = host_data=$host_data\n"
         "d:\n  accept hosts = *.example.net\n"
         "e:\n  accept hosts = lsearch;/defer/hosts\n"
         "local:\n  accept hosts = :\n");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "a"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_CONNECT, "b"), HOST_ACL_DENY);
    ta_lookup("/hosts", "192.0.2.1", "known client");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "c"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|host_data=known client"));
    ta_host("192.0.2.1", "mail.example.net");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "d"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_CONNECT, "e"), HOST_ACL_DEFER);
    assert_int_equal(RUN(HOST_ACL_CONNECT, "local"), HOST_ACL_DENY);
    ta.sess.peer_address = NULL;            /* -bs, local submission */
    assert_int_equal(RUN(HOST_ACL_CONNECT, "local"), HOST_ACL_ACCEPT);
    /* hosts is not for the non-SMTP ACLs */
    assert_int_equal(RUN(HOST_ACL_NOT_SMTP, "local"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "cannot test hosts"));
}

static void
test_domains_local_parts_recipients(void **state)
{
    (void)state;
    CONF("domainlist local_domains = test.ex : lsearch;/domains\n"
         "begin acl\n"
         "r:\n"
         "  accept domains = +local_domains\n"
         "         local_parts = ^[a-z]+\\$ : lsearch;/users\n"
         "         logwrite = d=[$domain_data] l=[$local_part_data] "
         "$local_part@$domain\n"
         "rc:\n"
         "  accept recipients = *@test.ex : lsearch;/rcpts\n"
         "m:\n  accept domains = test.ex\n"
         "dd:\n  accept domains = lsearch;/defer/d\n"
         "ld:\n  accept local_parts = lsearch;/defer/l\n"
         "rd:\n  accept recipients = lsearch;/defer/r\n");
    ta_lookup("/domains", "other.ex", "other data");
    ta_lookup("/users", "u-1", "user one");
    assert_int_equal(RCPT("r", "Alice@Test.EX"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("d=[test.ex] l=[^[a-z]+$] alice@test.ex"));
    assert_int_equal(RCPT("r", "u-1@other.ex"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("d=[other data] l=[user one] u-1@other.ex"));
    assert_int_equal(RCPT("r", "u-2@other.ex"), HOST_ACL_DENY);
    assert_int_equal(RCPT("r", "x@relay.example"), HOST_ACL_DENY);
    assert_int_equal(RCPT("rc", "who@test.ex"), HOST_ACL_ACCEPT);
    ta_lookup("/rcpts", "x@y.z", "listed");
    assert_int_equal(RCPT("rc", "x@y.z"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("rc", "z@y.z"), HOST_ACL_DENY);
    /* A lookup that cannot be done defers the condition. */
    assert_int_equal(RCPT("dd", "a@test.ex"), HOST_ACL_DEFER);
    assert_non_null(strstr(ta.res.log_message, "domain list deferred"));
    assert_int_equal(RCPT("ld", "a@test.ex"), HOST_ACL_DEFER);
    assert_int_equal(RCPT("rd", "a@test.ex"), HOST_ACL_DEFER);
    /* domains belongs to RCPT only */
    assert_int_equal(RUN(HOST_ACL_MAIL, "m"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_DATA, "m"), HOST_ACL_ERROR);
}

static void
test_senders(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "s:\n  accept senders = *@example.org\n"
         "         logwrite = sender_data=$sender_data\n"
         "bounce:\n  accept senders = :\n"
         "sd:\n  accept sender_domains = example.org\n"
         "sdef:\n  accept senders = lsearch*@;/defer/s\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "bounce"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL, "sd"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "sdef"), HOST_ACL_DEFER);
    ta.msg.spool.sender = "";
    assert_int_equal(RUN(HOST_ACL_MAIL, "bounce"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL, "sd"), HOST_ACL_DENY);
    /* No sender in the connect ACL. */
    assert_int_equal(RUN(HOST_ACL_CONNECT, "s"), HOST_ACL_ERROR);
}

static void
test_condition_truth(void **state)
{
    static const struct {
        const char *value;
        enum host_acl_verdict v;
    } cases[] = {
        { "", HOST_ACL_DENY }, { "0", HOST_ACL_DENY },
        { "no", HOST_ACL_DENY }, { "False", HOST_ACL_DENY },
        { "1", HOST_ACL_ACCEPT }, { "-3", HOST_ACL_ACCEPT },
        { "YES", HOST_ACL_ACCEPT }, { "true", HOST_ACL_ACCEPT },
        { "42", HOST_ACL_ACCEPT }, { "maybe", HOST_ACL_DEFER },
        { "1x", HOST_ACL_DEFER },
    };
    char acl[128];

    (void)state;
    CONF("begin acl\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(acl, sizeof acl, "accept condition = %s", cases[i].value);
        assert_int_equal(RUN(HOST_ACL_MAIL, acl), cases[i].v);
        snprintf(acl, sizeof acl, "accept !condition = %s", cases[i].value);
        assert_int_equal(RUN(HOST_ACL_MAIL, acl),
                         cases[i].v == HOST_ACL_DEFER ? HOST_ACL_DEFER
                         : cases[i].v == HOST_ACL_ACCEPT ? HOST_ACL_DENY
                                                         : HOST_ACL_ACCEPT);
    }
}

static void
test_authenticated_encrypted(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "auth:\n  accept authenticated = *\n"
         "plain:\n  accept authenticated = plain : login\n"
         "tls:\n  accept encrypted = *\n"
         "aes:\n  accept encrypted = *AES_256*\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "auth"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL, "tls"), HOST_ACL_DENY);
    ta.sess.auth_mechanism = "PLAIN";
    assert_int_equal(RUN(HOST_ACL_MAIL, "auth"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "plain"), HOST_ACL_ACCEPT);
    ta.sess.auth_mechanism = "cram";
    assert_int_equal(RUN(HOST_ACL_MAIL, "plain"), HOST_ACL_DENY);
    ta.sess.tls_in.active = 1;
    ta.sess.tls_in.cipher = "TLS1.3:TLS_AES_256_GCM_SHA384:256";
    assert_int_equal(RUN(HOST_ACL_MAIL, "tls"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "aes"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL,
                         "accept encrypted = *_AES_256_GCM_SHA384:256"),
                     HOST_ACL_DENY);   /* `:` separates list items */
    assert_int_equal(RUN(HOST_ACL_MAIL,
                         "accept encrypted = ^TLS1\\\\.3"), HOST_ACL_ACCEPT);
}

static void
test_verify_recipient(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "r:\n  require verify = recipient\n  accept\n"
         "ok:\n  require verify = recipient/defer_ok\n  accept\n"
         "msg:\n  deny !verify = recipient\n"
         "       message = no such user: $acl_verify_message\n"
         "  accept\n");
    assert_int_equal(RCPT("r", "good@test.ex"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("r", "bad@test.ex"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "Unknown user");
    assert_int_equal(RCPT("r", "tmp@test.ex"), HOST_ACL_DEFER);
    assert_int_equal(RCPT("ok", "tmp@test.ex"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("msg", "bad@test.ex"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "no such user: Unknown user");
    assert_int_equal(RUN(HOST_ACL_MAIL, "r"), HOST_ACL_ERROR);
    host_verify_hook = NULL;
    assert_int_equal(RCPT("r", "good@test.ex"), HOST_ACL_DEFER);
}

static void
test_verify_sender(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "s:\n  require verify = sender\n  accept\n"
         "given:\n  require verify = sender=other@bad.example\n  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "given"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "Verification failed for "
                        "<other@bad.example>\nUnknown user\nSender verify "
                        "failed");
    assert_string_equal(ta.res.log_message, "Sender verify failed");
    assert_true(ta_logged("main,reject|sender verify fail for "
                          "<other@bad.example>: Unknown user\n"));
    ta.msg.spool.sender = "bad@example.org";
    assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_DENY);
    ta.msg.spool.sender = "";              /* bounces always verify */
    assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_ACCEPT);
}

static void
test_verify_helo_reverse(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "h:\n  require verify = helo\n  accept\n"
         "rev:\n  require verify = reverse_host_lookup\n  accept\n"
         "revok:\n  require verify = reverse_host_lookup/defer_ok\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_DENY);
    ta_host("192.0.2.1", "other.example client.example");
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "rev"), HOST_ACL_ACCEPT);
    assert_string_equal(ta.sess.sender_host_name, "other.example");
    ta.sess.helo_name = "[192.0.2.1]";
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_ACCEPT);
    ta.sess.helo_name = "[192.0.2.9]";
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_DENY);
    ta.sess.helo_name = "named.example";
    ta_name("named.example", "198.51.100.1 192.0.2.1");
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_ACCEPT);
    ta.sess.peer_address = "192.0.2.7";
    ta_host("192.0.2.7", NULL);             /* DNS times out */
    assert_int_equal(RUN(HOST_ACL_MAIL, "rev"), HOST_ACL_DEFER);
    assert_int_equal(RUN(HOST_ACL_MAIL, "revok"), HOST_ACL_ACCEPT);
    ta.sess.peer_address = "192.0.2.8";     /* no name at all */
    assert_int_equal(RUN(HOST_ACL_MAIL, "rev"), HOST_ACL_DENY);
    ta.sess.peer_address = NULL;            /* -bs: always true */
    assert_int_equal(RUN(HOST_ACL_MAIL, "rev"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "h"), HOST_ACL_ACCEPT);
}

static void
test_verify_headers(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "syn:\n  require verify = header_syntax\n  accept\n"
         "blind:\n  require verify = not_blind\n  accept\n"
         "ascii:\n  require verify = header_names_ascii\n  accept\n"
         "hs:\n  require verify = header_sender\n  accept\n");
    ta_header("From: \"Jo, Q.\" <jo@example.org> (home)\n");
    ta_header("To: undisclosed-recipients:;\n");
    ta_header("Cc: a@test.ex, Team: b@test.ex, \"c d\"@test.ex;\n");
    ta_header("Subject: not an address: <@>\n");
    ta_add_rcpt("a@test.ex");
    ta_add_rcpt("B@TEST.EX");
    assert_int_equal(RUN(HOST_ACL_DATA, "syn"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_DATA, "blind"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_DATA,
                         "require verify = not_blind/case_insensitive\n"
                         "accept"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_DATA, "ascii"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_DATA, "hs"), HOST_ACL_ACCEPT);
    ta_header("Reply-To: broken@\n");
    assert_int_equal(RUN(HOST_ACL_DATA, "syn"), HOST_ACL_DENY);
    assert_non_null(strstr(ta.res.user_message, "'Reply-To:'"));
    ta_header("Bad Name: x\n");
    assert_int_equal(RUN(HOST_ACL_DATA, "ascii"), HOST_ACL_DENY);
    /* Only after the message has arrived. */
    assert_int_equal(RUN(HOST_ACL_MAIL, "syn"), HOST_ACL_ERROR);
}

static void
test_verify_header_unqualified(void **state)
{
    (void)state;
    CONF("begin acl\nsyn:\n  require verify = header_syntax\n  accept\n");
    ta_header("To: jo\n");
    assert_int_equal(RUN(HOST_ACL_DATA, "syn"), HOST_ACL_DENY);
    assert_non_null(strstr(ta.res.user_message, "unqualified"));
    ta.sess.peer_address = NULL;            /* locally submitted */
    assert_int_equal(RUN(HOST_ACL_NOT_SMTP, "syn"), HOST_ACL_ACCEPT);
}

static void
test_verify_certificate_and_unknown(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "cert:\n  require verify = certificate\n  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "cert"), HOST_ACL_DENY);
    ta.sess.tls_in.active = 1;
    ta.sess.tls_in.certificate_verified = 1;
    assert_int_equal(RUN(HOST_ACL_MAIL, "cert"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept verify = frob"),
                     HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept verify = csa"),
                     HOST_ACL_ERROR);
}

static void
test_unsupported_conditions(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RUN(HOST_ACL_DATA, "deny spam = nobody"),
                     HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "spam"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_hosts),
        T(test_domains_local_parts_recipients),
        T(test_senders),
        T(test_condition_truth),
        T(test_authenticated_encrypted),
        T(test_verify_recipient),
        T(test_verify_sender),
        T(test_verify_helo_reverse),
        T(test_verify_headers),
        T(test_verify_header_unqualified),
        T(test_verify_certificate_and_unknown),
        T(test_unsupported_conditions),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
