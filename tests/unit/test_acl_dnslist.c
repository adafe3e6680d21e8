/*
 * NAME
 *   test_acl_dnslist.c - unit tests of the dnslists condition against a
 *   real DNS server
 *
 * DESCRIPTION
 *   The group setup starts tests/integration/acl-dnsd.py (Python's
 *   standard library only) on a loopback port with the zone below and
 *   points the engine at it with TERN_DNS_SERVER; every query is a real
 *   UDP exchange through the resolver library.  Skipped when python3
 *   cannot be run.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_acl_env.h"

#define CONF(text) assert_int_equal(ta_config(text), 0)
#define RUN(where, acl) ta_run((where), (acl), NULL)

static const char zone[] =
    "1.2.0.192.bl.test A 127.0.0.2\n"
    "1.2.0.192.bl.test A 127.0.0.4\n"
    "1.2.0.192.bl.test TXT \"client is listed\"\n"
    "2.0.0.127.bl.test A 127.0.0.2\n"
    "2.0.0.127.bl.test TXT \"listed: see\" \" http://bl.test/\"\n"
    "1.2.0.192.other.test A 127.0.0.3\n"
    "1.2.0.192.outside.test A 10.0.0.1\n"
    "1.2.0.192.fail.test SERVFAIL\n"
    "spam.example.dom.test A 127.0.0.2\n"
    "1.2.0.192.merged.test A 127.0.0.10\n"
    "1.2.0.192.primary.test A 127.0.0.2\n"
    "1.2.0.192.primary.test TXT \"primary text\"\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test"
    " A 127.0.0.6\n";

static pid_t server;
static char dir[64];

static int
start_server(void **state)
{
    const char *src = getenv("TERN_SRCDIR");
    char script[512], zfile[128], pfile[128], port[16];
    FILE *f;

    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tern-acl-dns.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(script, sizeof script, "%s/tests/integration/acl-dnsd.py",
             src ? src : TA_SRCDIR);
    snprintf(zfile, sizeof zfile, "%s/zone", dir);
    snprintf(pfile, sizeof pfile, "%s/port", dir);
    if ((f = fopen(zfile, "w")) == NULL)
        return -1;
    fputs(zone, f);
    fclose(f);
    if ((server = fork()) == 0) {
        execl("/usr/bin/python3", "python3", script, zfile, pfile,
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if ((f = fopen(pfile, "r")) != NULL) {
            if (fgets(port, sizeof port, f) != NULL) {
                char srv[64];
                fclose(f);
                port[strcspn(port, "\n")] = '\0';
                snprintf(srv, sizeof srv, "127.0.0.1:%s", port);
                setenv("TERN_DNS_SERVER", srv, 1);
                return 0;
            }
            fclose(f);
        }
        usleep(50000);
    }
    return -1;
}

static int
stop_server(void **state)
{
    char cmd[128];

    (void)state;
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int
queried(const char *name)
{
    char path[128], line[256];
    FILE *f;
    int found = 0;

    snprintf(path, sizeof path, "%s/port.log", dir);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, name, strlen(name)) == 0 &&
            line[strlen(name)] == ' ')
            found = 1;
    fclose(f);
    return found;
}

static void
test_listed(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "a:\n  deny message = $sender_host_address is listed at "
         "$dnslist_domain ($dnslist_value): $dnslist_text\n"
         "       dnslists = nolist.test : bl.test\n"
         "       logwrite = matched=$dnslist_matched\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_RCPT, "a"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "192.0.2.1 is listed at "
                        "bl.test (127.0.0.2, 127.0.0.4): client is listed");
    assert_true(ta_logged("main|matched=192.0.2.1"));
    assert_true(queried("1.2.0.192.nolist.test"));
    /* The variables live only while the ACL runs. */
    assert_null(host_acl_var("dnslist_domain", 14));
}

static void
test_not_listed(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = nolist.test"),
                     HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept !dnslists = nolist.test"),
                     HOST_ACL_ACCEPT);
    /* Answers outside 127.0.0.0/8 are not believed. */
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = outside.test"),
                     HOST_ACL_DENY);
    ta.sess.peer_address = NULL;
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = bl.test"),
                     HOST_ACL_DENY);
}

static void
test_restrictions(void **state)
{
    static const struct {
        const char *item;
        enum host_acl_verdict v;
    } cases[] = {
        { "bl.test=127.0.0.4", HOST_ACL_ACCEPT },
        { "bl.test=127.0.0.9", HOST_ACL_DENY },
        { "bl.test=127.0.0.9,127.0.0.2", HOST_ACL_ACCEPT },
        { "bl.test==127.0.0.2", HOST_ACL_DENY },
        { "bl.test==127.0.0.2,127.0.0.4", HOST_ACL_ACCEPT },
        { "bl.test!=127.0.0.9", HOST_ACL_ACCEPT },
        { "bl.test!=127.0.0.2", HOST_ACL_DENY },
        { "bl.test!==127.0.0.2", HOST_ACL_ACCEPT },
        { "bl.test&0.0.0.4", HOST_ACL_ACCEPT },
        { "bl.test=&0.0.0.2", HOST_ACL_DENY },
        { "bl.test!&0.0.0.1", HOST_ACL_ACCEPT },
        { "bl.test!&0.0.0.2", HOST_ACL_DENY },
        { "bl.test=not.an.ip", HOST_ACL_ERROR },
    };
    char acl[128];

    (void)state;
    CONF("begin acl\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(acl, sizeof acl, "accept dnslists = %s", cases[i].item);
        assert_int_equal(RUN(HOST_ACL_RCPT, acl), cases[i].v);
    }
}

static void
test_keys(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "d:\n  accept dnslists = dom.test/$sender_address_domain\n"
         "k:\n  accept dnslists = dom.test/<;192.0.2.99;spam.example\n"
         "         logwrite = key=$dnslist_matched\n"
         "ip:\n  accept dnslists = bl.test/127.0.0.2\n"
         "         logwrite = text=$dnslist_text\n");
    assert_int_equal(RUN(HOST_ACL_RCPT, "d"), HOST_ACL_DENY);
    assert_true(queried("example.org.dom.test"));
    ta.msg.spool.sender = "x@spam.example";
    assert_int_equal(RUN(HOST_ACL_RCPT, "d"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_RCPT, "k"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|key=spam.example"));
    assert_true(queried("99.2.0.192.dom.test"));
    assert_int_equal(RUN(HOST_ACL_RCPT, "ip"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|text=listed: see http://bl.test/"));
}

static void
test_unknown_handling(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = fail.test"),
                     HOST_ACL_DENY);
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = +include_unknown"
                         " : fail.test"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = +defer_unknown"
                         " : fail.test"), HOST_ACL_DEFER);
    assert_non_null(strstr(ta.res.log_message, "fail.test"));
    /* A later list that answers still decides. */
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = +defer_unknown"
                         " : bl.test : fail.test"), HOST_ACL_ACCEPT);
}

static void
test_merged_and_ipv6(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "m:\n  accept dnslists = primary.test,merged.test=127.0.0.10\n"
         "         logwrite = $dnslist_domain: $dnslist_text\n"
         "n:\n  accept dnslists = primary.test,merged.test=127.0.0.11\n");
    assert_int_equal(RUN(HOST_ACL_RCPT, "m"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|primary.test: primary text"));
    assert_int_equal(RUN(HOST_ACL_RCPT, "n"), HOST_ACL_DENY);
    ta.sess.peer_address = "2001:db8::1";
    assert_int_equal(RUN(HOST_ACL_RCPT, "accept dnslists = bl.test"),
                     HOST_ACL_ACCEPT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_listed),
        T(test_not_listed),
        T(test_restrictions),
        T(test_keys),
        T(test_unknown_handling),
        T(test_merged_and_ipv6),
#undef T
    };
    if (access("/usr/bin/python3", X_OK) != 0) {
        printf("SKIP: no /usr/bin/python3 for the test DNS server\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
