/*
 * NAME
 *   test_acl_mods.c - unit tests of the ACL modifiers and controls
 *
 * DESCRIPTION
 *   set ($acl_c for the connection, $acl_m for the message), add_header
 *   and remove_header (what reaches ctx->msg->hdr_changes), control at
 *   the stages Exim allows and refuses, delay (returned, not slept),
 *   logwrite and log_reject_target, continue, udpsend.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <tern/host.h>

#include "test_acl_env.h"

#define CONF(text) assert_int_equal(ta_config(text), 0)
#define RUN(where, acl) ta_run((where), (acl), NULL)
#define RCPT(acl, addr) ta_run(HOST_ACL_RCPT, (acl), (addr))

static void
test_set_persistence(void **state)
{
    struct host_message next;

    (void)state;
    CONF("begin acl\n"
         "conn:\n  accept set acl_c_conn = c-$sender_host_address\n"
         "               set acl_c0 = zero\n"
         "mail:\n  accept set acl_m_count = ${eval:$acl_m_count+1}\n"
         "               set acl_m_skip = ${if eq{a}{b}{x}fail}\n");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "conn"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "mail"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("mail", "a@b.c"), HOST_ACL_ACCEPT);
    assert_string_equal(ta_get("acl_c_conn"), "c-192.0.2.1");
    assert_string_equal(ta_get("acl_c0"), "zero");
    assert_string_equal(ta_get("acl_m_count"), "2");
    assert_string_equal(ta_get("acl_m_skip"), "");
    /* The next message starts with no $acl_m; $acl_c stays. */
    memset(&next, 0, sizeof next);
    next.arena = ta.arena;
    tern_spool_msg_init(&next.spool);
    next.spool.sender = "";
    ta.ctx.msg = &next;
    assert_string_equal(ta_get("acl_m_count"), "");
    assert_int_equal(RUN(HOST_ACL_MAIL, "mail"), HOST_ACL_ACCEPT);
    assert_string_equal(ta_get("acl_m_count"), "1");
    assert_string_equal(ta_get("acl_c_conn"), "c-192.0.2.1");
    host_acl_forget(&next);
    ta.ctx.msg = &ta.msg;
}

static size_t
count_changes(int remove)
{
    size_t n = 0;

    for (struct host_hdr_change *c = ta.msg.hdr_changes; c; c = c->next)
        n += c->remove == remove;
    return n;
}

static const char *
change(size_t i)
{
    struct host_hdr_change *c = ta.msg.hdr_changes;

    while (c != NULL && i-- > 0)
        c = c->next;
    return c ? c->text : "(none)";
}

static void
test_add_header(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "a:\n"
         "  warn add_header = X-One: 1\\nX-Two: 2\\n\\tcontinued\n"
         "  warn add_header = :at_start:X-Top: t\n"
         "  warn add_header = not a header line\n"
         "  warn add_header = X-One: 1\n"
         "  warn add_header = X-Before: yes\n"
         "       hosts = 10.0.0.1\n"
         "       add_header = X-After: never\n"
         "  accept\n");
    assert_int_equal(RCPT("a", "a@b.c"), HOST_ACL_ACCEPT);
    assert_int_equal(count_changes(0), 5);
    assert_string_equal(change(0), "X-One: 1\n");
    assert_string_equal(change(1), "X-Two: 2\n\tcontinued\n");
    assert_string_equal(change(2), ":at_start:X-Top: t\n");
    assert_string_equal(change(3), "X-ACL-Warn: not a header line\n");
    assert_string_equal(change(4), "X-Before: yes\n");
    /* Only in the ACLs that receive a message. */
    assert_int_equal(RUN(HOST_ACL_CONNECT, "a"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "add_header"));
}

static void
test_remove_header(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "r:\n  warn set acl_c_h = x-internal : x-route\n"
         "  accept remove_header = $acl_c_h\n");
    assert_int_equal(RUN(HOST_ACL_DATA, "r"), HOST_ACL_ACCEPT);
    assert_int_equal(count_changes(1), 1);
    assert_string_equal(change(0), "x-internal : x-route");
    assert_int_equal(RUN(HOST_ACL_HELO, "r"), HOST_ACL_ERROR);
}

static void
test_controls(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "conn:\n  accept control = no_pipelining\n"
         "         control = no_multiline_responses\n"
         "         control = no_enforce_sync\n"
         "qo:\n  accept control = queue_only\n"
         "fr:\n  accept control = freeze/no_tell\n"
         "sub:\n  accept control = submission\n"
         "fake:\n  accept control = fakereject/not really\n"
         "sync:\n  accept control = enforce_sync\n"
         "case:\n  warn control = caseful_local_part\n"
         "       logwrite = lp=$local_part\n"
         "       control = caselower_local_part\n"
         "       logwrite = lp=$local_part\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_CONNECT, "conn"), HOST_ACL_ACCEPT);
    assert_int_equal(ta.sess.controls, HOST_CTL_NO_PIPELINING |
                     HOST_CTL_NO_MULTILINE | HOST_CTL_NO_ENFORCE_SYNC);
    assert_int_equal(RUN(HOST_ACL_HELO, "sync"), HOST_ACL_ACCEPT);
    assert_true(ta.sess.controls & HOST_CTL_ENFORCE_SYNC);
    assert_false(ta.sess.controls & HOST_CTL_NO_ENFORCE_SYNC);
    /* Message controls only while a message is received. */
    assert_int_equal(RUN(HOST_ACL_CONNECT, "qo"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "cannot use control "
                           "\"queue_only\" in connect ACL"));
    assert_int_equal(ta.msg.controls, 0);
    assert_int_equal(RCPT("qo", "a@b.c"), HOST_ACL_ACCEPT);
    assert_int_equal(ta.msg.controls, HOST_CTL_QUEUE_ONLY);
    assert_int_equal(RUN(HOST_ACL_DATA, "fr"), HOST_ACL_ACCEPT);
    assert_true(ta.msg.controls & HOST_CTL_FREEZE);
    assert_true(ta.msg.controls & HOST_CTL_FREEZE_NO_TELL);
    assert_int_equal(RUN(HOST_ACL_DATA, "sub"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "sub"), HOST_ACL_ACCEPT);
    assert_true(ta.msg.controls & HOST_CTL_SUBMISSION);
    assert_int_equal(RUN(HOST_ACL_NOT_SMTP, "conn"), HOST_ACL_ERROR);
    assert_int_equal(RCPT("fake", "a@b.c"), HOST_ACL_ACCEPT);
    assert_true(ta.msg.controls & HOST_CTL_FAKEREJECT);
    assert_string_equal(ta.res.fake_message, "not really");
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept control = no_such_control"),
                     HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "no_such_control"));
    assert_int_equal(RCPT("case", "MiXed@Test.EX"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|lp=MiXed\n"));
    assert_true(ta_logged("main|lp=mixed\n"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "case"), HOST_ACL_ERROR);
}

static void
test_delay(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "d:\n  warn delay = 2s\n"
         "  deny delay = 1m\n"
         "       hosts = 10.0.0.1\n"
         "  deny delay = 1m3s\n"
         "nd:\n  accept delay = 5s\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "d"), HOST_ACL_DENY);
    assert_int_equal(ta.res.delay, 2 + 60 + 63);
    assert_int_equal(RUN(HOST_ACL_NOTQUIT, "nd"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept delay = soon"),
                     HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "soon"));
}

static void
test_logwrite(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "l:\n  warn logwrite = plain $sender_host_address\n"
         "  warn logwrite = :reject: to reject\n"
         "  warn logwrite = :main,panic: to panic\n"
         "  accept\n"
         "bad:\n  accept logwrite = :nowhere: x\n"
         "target:\n  deny log_reject_target = reject\n"
         "none:\n  deny log_reject_target =\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "l"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|plain 192.0.2.1\n"));
    assert_true(ta_logged("reject|to reject\n"));
    assert_true(ta_logged("panic|to panic\n"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "bad"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "target"), HOST_ACL_DENY);
    assert_int_equal(ta.res.log_targets, TERN_LOG_REJECT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "none"), HOST_ACL_DENY);
    assert_int_equal(ta.res.log_targets, 0);
    assert_int_equal(RUN(HOST_ACL_MAIL, "deny"), HOST_ACL_DENY);
    assert_int_equal(ta.res.log_targets, TERN_LOG_MAIN | TERN_LOG_REJECT);
}

static void
test_continue(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "c:\n  accept continue = ${acl{side}{effect}}\n"
         "side:\n  accept set acl_m_side = $acl_arg1\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "c"), HOST_ACL_ACCEPT);
    assert_string_equal(ta_get("acl_m_side"), "effect");
}

static void
test_udpsend(void **state)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    char acl[128], buf[64];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ssize_t n;

    (void)state;
    CONF("begin acl\n");
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(acl, sizeof acl, "accept udpsend = 127.0.0.1 : %u : "
             "hello $sender_host_address", ntohs(sa.sin_port));
    assert_int_equal(RUN(HOST_ACL_MAIL, acl), HOST_ACL_ACCEPT);
    n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    close(fd);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "hello 192.0.2.1");
}

static void
test_queue_modifier(void **state)
{
    (void)state;
    CONF("begin acl\nq:\n  accept queue = slow\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "q"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "named queues"));
    assert_int_equal(RUN(HOST_ACL_DATA, "q"), HOST_ACL_ERROR);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_set_persistence),
        T(test_add_header),
        T(test_remove_header),
        T(test_controls),
        T(test_delay),
        T(test_logwrite),
        T(test_continue),
        T(test_udpsend),
        T(test_queue_modifier),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
