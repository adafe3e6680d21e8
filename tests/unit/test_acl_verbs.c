/*
 * NAME
 *   test_acl_verbs.c - unit tests of the ACL engine: verbs, statement
 *   order, messages, nested ACLs, finding ACLs
 *
 * DESCRIPTION
 *   Every case compiles a real configuration with confc's library
 *   (test_acl_env.c) and runs one ACL with the session of the fixture:
 *   client 192.0.2.1, sender sender@example.org.  Exim 4.96's rules, as
 *   in the spec's chapter 44 and as checked with exim4 -bh.
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
test_accept_and_implicit_deny(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "all:\n  accept\n"
         "some:\n  accept hosts = 10.0.0.1\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "all"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "some"), HOST_ACL_DENY);
    assert_null(ta.res.user_message);
}

static void
test_deny_and_message(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "a:\n"
         "  deny hosts = 10.0.0.0/8\n"
         "       message = not me\n"
         "  deny hosts = 192.0.2.0/24\n"
         "       message = go away $sender_host_address\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "a"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "go away 192.0.2.1");
    assert_string_equal(ta.res.log_message, "go away 192.0.2.1");
}

static void
test_defer_drop_discard(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "d:\n  defer message = 451 4.3.0 try later\n"
         "x:\n  drop message = bye\n"
         "c:\n  discard log_message = thrown away\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "d"), HOST_ACL_DEFER);
    assert_string_equal(ta.res.user_message, "451 4.3.0 try later");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "x"), HOST_ACL_DROP);
    assert_string_equal(ta.res.user_message, "bye");
    assert_int_equal(RCPT("c", "a@b.c"), HOST_ACL_DISCARD);
    assert_string_equal(ta.res.log_message, "thrown away");
    /* discard belongs to the ACLs that receive a message */
    assert_int_equal(RUN(HOST_ACL_CONNECT, "c"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "discard"));
    assert_int_equal(RUN(HOST_ACL_PREDATA, "c"), HOST_ACL_ERROR);
}

static void
test_require_message_order(void **state)
{
    (void)state;
    /* The message in force is the last one met before the condition
     * that failed (spec 44.20). */
    CONF("begin acl\n"
         "r:\n"
         "  require message = first\n"
         "          hosts = 192.0.2.1\n"
         "          message = second\n"
         "          hosts = 10.0.0.1\n"
         "          message = third\n"
         "  accept\n"
         "ok:\n"
         "  require hosts = 192.0.2.1\n"
         "  accept message = 250 fine by me\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "r"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "second");
    assert_int_equal(RUN(HOST_ACL_MAIL, "ok"), HOST_ACL_ACCEPT);
    assert_string_equal(ta.res.user_message, "250 fine by me");
}

static void
test_log_message(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "a:\n"
         "  warn set acl_m_why = listed\n"
         "  deny log_message = L: $acl_m_why\n"
         "       message = U: nope\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "a"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "U: nope");
    assert_string_equal(ta.res.log_message, "L: listed");
}

static void
test_warn(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "w:\n"
         "  warn hosts = 192.0.2.1\n"
         "       log_message = seen $sender_host_address\n"
         "  warn hosts = 10.0.0.1\n"
         "       log_message = never\n"
         "  warn condition = ${lookup{x}lsearch{/defer/file}}\n"
         "       log_message = not after a deferral\n"
         "  accept\n");
    ta_var("sender_fullhost", "(client.example) [192.0.2.1]");
    assert_int_equal(RUN(HOST_ACL_MAIL, "w"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|H=(client.example) [192.0.2.1] Warning: "
                          "seen 192.0.2.1\n"));
    assert_false(ta_logged("never"));
    assert_false(ta_logged("not after a deferral"));
    assert_true(ta_logged("ACL \"warn\" statement skipped: condition test "
                          "deferred"));
    /* The same warning once per message. */
    tern_buf_free(&ta.log);
    memset(&ta.log, 0, sizeof ta.log);
    assert_int_equal(RCPT("w", "a@b.c"), HOST_ACL_ACCEPT);
    assert_false(ta_logged("Warning: seen"));
    host_acl_forget(&ta.msg);
    assert_int_equal(RCPT("w", "a@b.c"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("Warning: seen"));
}

static void
test_warn_message_adds_header(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "w:\n"
         "  warn message = X-Warned: $sender_host_address\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "w"), HOST_ACL_ACCEPT);
    assert_non_null(ta.msg.hdr_changes);
    assert_string_equal(ta.msg.hdr_changes->text, "X-Warned: 192.0.2.1\n");
    /* Not in an ACL that has no message. */
    ta.msg.hdr_changes = NULL;
    assert_int_equal(RUN(HOST_ACL_CONNECT, "w"), HOST_ACL_ACCEPT);
    assert_null(ta.msg.hdr_changes);
}

static void
test_endpass(void **state)
{
    (void)state;
    CONF("domainlist local = test.ex\n"
         "begin acl\n"
         "r:\n"
         "  accept domains = +local\n"
         "         endpass\n"
         "         message = unknown user\n"
         "         verify = recipient\n"
         "  deny   message = relay not permitted\n");
    assert_int_equal(RCPT("r", "good@test.ex"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("r", "bad@test.ex"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "unknown user");
    assert_int_equal(RCPT("r", "x@elsewhere.example"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "relay not permitted");
}

static void
test_missing_acl_defaults(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RCPT(NULL, "a@b.c"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_VRFY, ""), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_EXPN, NULL), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL, NULL), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_CONNECT, NULL), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_DATA, NULL), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_PREDATA, NULL), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_NOT_SMTP, NULL), HOST_ACL_ACCEPT);
}

static void
test_nested_args(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "outer:\n"
         "  require acl = inner one \"two words\" ${lc:THREE}\n"
         "  accept condition = ${if eq{$acl_narg}{0}}\n"
         "         logwrite = back with $acl_narg args\n"
         "inner:\n"
         "  accept condition = ${if and{{eq{$acl_narg}{3}}"
         "{eq{$acl_arg2}{two words}}{eq{$acl_arg3}{three}}}}\n"
         "         logwrite = in: $acl_arg1 [$acl_arg4]\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "outer"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|in: one []"));
    assert_true(ta_logged("main|back with 0 args"));
}

static void
test_nested_results(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "no:\n  deny message = inner says no\n"
         "bye:\n  drop message = inner drops\n"
         "later:\n  defer message = inner defers\n"
         "bin:\n  discard\n"
         "req_no:\n  require acl = no\n  accept\n"
         "req_bye:\n  require acl = bye\n  accept\n"
         "not_bye:\n  deny !acl = bye\n  accept\n"
         "if_bye:\n  deny acl = bye\n  accept\n"
         "defer:\n  accept acl = later\n"
         "warn_defer:\n  warn acl = later\n  accept\n"
         "take_bin:\n  accept acl = bin\n"
         "deny_bin:\n  deny acl = bin\n"
         "loop:\n  accept acl = loop\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "req_no"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "inner says no");
    assert_int_equal(RUN(HOST_ACL_MAIL, "req_bye"), HOST_ACL_DROP);
    assert_string_equal(ta.res.user_message, "inner drops");
    /* `!acl =` on a dropping ACL denies without dropping (exim4 -bh). */
    assert_int_equal(RUN(HOST_ACL_MAIL, "not_bye"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "inner drops");
    assert_int_equal(RUN(HOST_ACL_MAIL, "if_bye"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "defer"), HOST_ACL_DEFER);
    assert_string_equal(ta.res.user_message, "inner defers");
    assert_int_equal(RUN(HOST_ACL_MAIL, "warn_defer"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("take_bin", "a@b.c"), HOST_ACL_DISCARD);
    assert_int_equal(RCPT("deny_bin", "a@b.c"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "loop"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "nested too deep"));
}

static void
test_inline_and_file(void **state)
{
    char path[300];
    FILE *f;

    (void)state;
    CONF("begin acl\nnamed:\n  deny\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "deny message = inline no"),
                     HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "inline no");
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept hosts = 10.0.0.1\n"
                         "deny message = second statement"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "second statement");
    assert_int_equal(RUN(HOST_ACL_MAIL, "named"), HOST_ACL_DENY);
    snprintf(path, sizeof path, "%s/file.acl", ta.dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("# an ACL in a file\n\n"
          "accept hosts = 10.0.0.1 : \\\n"
          "               192.0.2.1\n"
          "       set acl_m_from_file = yes\n"
          "deny\n", f);
    fclose(f);
    assert_int_equal(RUN(HOST_ACL_MAIL, path), HOST_ACL_ACCEPT);
    assert_string_equal(ta_get("acl_m_from_file"), "yes");
    snprintf(path, sizeof path, "%s/missing.acl", ta.dir);
    assert_int_equal(RUN(HOST_ACL_MAIL, path), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "missing.acl"));
}

static void
test_runtime_parse_errors(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "acept hosts = *"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "unknown ACL verb"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept frobnicate = 1"),
                     HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "frobnicate"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept !message = x"),
                     HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "cannot be negated"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept set x = 1"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "variable name"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept hosts 1.2.3.4"),
                     HOST_ACL_ERROR);
}

static void
test_expanded_option(void **state)
{
    (void)state;
    CONF("begin acl\na_one:\n  deny\na_two:\n  accept\n");
    ta_var("which", "two");
    assert_int_equal(RUN(HOST_ACL_MAIL, "a_$which"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "${if eq{$which}{two}{a_one}fail}"),
                     HOST_ACL_DENY);
    /* A forced failure of the option accepts, as an unset option. */
    assert_int_equal(RUN(HOST_ACL_MAIL, "${if eq{$which}{one}{a_one}fail}"),
                     HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "${nosuchop:x}"), HOST_ACL_ERROR);
}

static void
test_forced_failure_and_errors(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "f:\n  deny condition = ${if eq{a}{b}{yes}fail}\n"
         "       message = forced failure counts as true\n"
         "nf:\n  deny !condition = ${if eq{a}{b}{yes}fail}\n"
         "       message = negated too\n"
         "e:\n  deny condition = ${if eq{a}{b}{yes}{${lookup{k}lsearch"
         "{/defer/x}}}}\n"
         "bad:\n  accept condition = maybe\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "f"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "forced failure counts as true");
    assert_int_equal(RUN(HOST_ACL_MAIL, "nf"), HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_MAIL, "e"), HOST_ACL_DEFER);
    assert_non_null(ta.res.log_message);
    assert_int_equal(RUN(HOST_ACL_MAIL, "bad"), HOST_ACL_DEFER);
    assert_string_equal(ta.res.log_message,
                        "invalid \"condition\" value \"maybe\"");
    assert_null(ta.res.user_message);
}

static void
test_acl_expansion_item(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "sub:\n"
         "  accept condition = ${if eq{$acl_arg1}{yes}}\n"
         "         message = got $acl_arg1 of $acl_narg\n"
         "  defer  condition = ${if eq{$acl_arg1}{later}}\n"
         "  drop   condition = ${if eq{$acl_arg1}{drop}}\n"
         "  deny   message = refused\n"
         "quiet:\n  accept\n");
    /* As exim4 -bh shows: accept and deny give the message, defer a
     * forced failure, anything else an error. */
    assert_string_equal(ta_expand("${acl{sub}{yes}{b}}"), "got yes of 2");
    assert_string_equal(ta_expand("${acl{sub}{no}}"), "refused");
    assert_string_equal(ta_expand("${acl{quiet}}"), "");
    assert_string_equal(ta_expand("${acl{sub}{later}}"), "<fail>");
    assert_string_equal(ta_expand("${acl{sub}{drop}}"),
                        "<error: ACL \"sub\" returned drop>");
    /* Nothing of the run is left behind. */
    assert_null(host_acl_var("acl_arg1", 8));
}

static void
test_trace(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)state;
    CONF("begin acl\na:\n  deny hosts = 10.0.0.1\n  accept\n");
    host_acl_trace = f;
    assert_int_equal(RUN(HOST_ACL_MAIL, "a"), HOST_ACL_ACCEPT);
    host_acl_trace = NULL;
    fclose(f);
    assert_non_null(strstr(buf, ">>> using ACL \"a\""));
    assert_non_null(strstr(buf, ">>> processing \"deny\""));
    assert_non_null(strstr(buf, "test.conf 3)"));
    assert_non_null(strstr(buf, ">>> check hosts = 10.0.0.1"));
    assert_non_null(strstr(buf, ">>> deny: condition test failed in ACL "
                                "\"a\""));
    assert_non_null(strstr(buf, ">>> end of ACL \"a\": ACCEPT"));
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_accept_and_implicit_deny),
        T(test_deny_and_message),
        T(test_defer_drop_discard),
        T(test_require_message_order),
        T(test_log_message),
        T(test_warn),
        T(test_warn_message_adds_header),
        T(test_endpass),
        T(test_missing_acl_defaults),
        T(test_nested_args),
        T(test_nested_results),
        T(test_inline_and_file),
        T(test_runtime_parse_errors),
        T(test_expanded_option),
        T(test_forced_failure_and_errors),
        T(test_acl_expansion_item),
        T(test_trace),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
