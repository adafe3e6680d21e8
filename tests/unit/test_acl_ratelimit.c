/*
 * NAME
 *   test_acl_ratelimit.c - unit tests of the ratelimit condition with a
 *   real Berkeley DB hints file
 *
 * DESCRIPTION
 *   Each test gets a fresh spool (the fixture's directory); the database
 *   is spool/db/ratelimit.  Periods are an hour or more, so the decay
 *   between two calls a few microseconds apart is far below the 0.1 the
 *   rates are printed with: a burst of n events reads as rate n, as
 *   exim4 -bh shows for the same ACLs.
 */
#include "config.h"

#include <db.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_acl_env.h"

#define CONF(text) assert_int_equal(ta_config(text), 0)
#define RUN(where, acl) ta_run((where), (acl), NULL)
#define RCPT(acl, addr) ta_run(HOST_ACL_RCPT, (acl), (addr))

/* The record as Exim stores it (dbdata_ratelimit). */
struct record {
    time_t time_stamp;
    int time_usec;
    double rate;
};

/* Read key (with its NUL, as Exim writes it) from spool/db/ratelimit:
 * 1 with *rec, 0 when absent. */
static int
db_read(const char *key, struct record *rec)
{
    char path[300];
    DB *db;
    DBT k, d;
    int found = 0;

    snprintf(path, sizeof path, "%s/db/ratelimit", ta.dir);
    if (access(path, R_OK) != 0)
        return 0;
    assert_int_equal(db_create(&db, NULL, 0), 0);
    assert_int_equal(db->open(db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0),
                     0);
    memset(&k, 0, sizeof k);
    memset(&d, 0, sizeof d);
    k.data = (void *)key;
    k.size = (u_int32_t)strlen(key) + 1;
    if (db->get(db, NULL, &k, &d, 0) == 0) {
        assert_int_equal(d.size, sizeof *rec);
        memcpy(rec, d.data, sizeof *rec);
        found = 1;
    }
    db->close(db, 0);
    return found;
}

static void
test_leaky(void **state)
{
    static const enum host_acl_verdict expect[] = {
        HOST_ACL_ACCEPT, HOST_ACL_ACCEPT, HOST_ACL_ACCEPT, HOST_ACL_DENY,
        HOST_ACL_DENY
    };
    struct record rec;

    (void)state;
    CONF("begin acl\n"
         "r:\n  deny ratelimit = 3 / 1h / per_rcpt / leaky / k2\n"
         "       message = too fast $sender_rate/$sender_rate_period "
         "(max $sender_rate_limit)\n"
         "  accept\n");
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(RCPT("r", "a@b.c"), expect[i]);
    /* Over the limit the stored rate is not raised. */
    assert_string_equal(ta.res.user_message, "too fast 4.0/1h (max 3)");
    assert_true(db_read("1h/per_rcpt/k2", &rec));
    assert_true(rec.rate > 2.99 && rec.rate < 3.01);
    assert_true(rec.time_stamp <= time(NULL) && rec.time_stamp > 0);
}

static void
test_strict_and_readonly(void **state)
{
    struct record rec;

    (void)state;
    CONF("begin acl\n"
         "s:\n  warn ratelimit = 2 / 1d / per_cmd / strict / k\n"
         "       logwrite = over at $sender_rate\n"
         "  accept\n"
         "ro:\n  warn ratelimit = 100 / 1d / per_cmd / readonly / k\n"
         "  accept logwrite = readonly $sender_rate\n");
    for (int i = 0; i < 4; i++)
        assert_int_equal(RUN(HOST_ACL_MAIL, "s"), HOST_ACL_ACCEPT);
    assert_false(ta_logged("over at 2.0"));
    assert_true(ta_logged("main|over at 3.0"));
    assert_true(ta_logged("main|over at 4.0"));
    assert_true(db_read("1d/per_cmd/k", &rec));
    assert_true(rec.rate > 3.99 && rec.rate < 4.01);
    assert_int_equal(RUN(HOST_ACL_MAIL, "ro"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|readonly 4.0"));
    assert_true(db_read("1d/per_cmd/k", &rec));
    assert_true(rec.rate > 3.99 && rec.rate < 4.01);
}

static void
test_per_mail_and_conn(void **state)
{
    struct record rec;

    (void)state;
    CONF("begin acl\n"
         "m:\n  warn ratelimit = 0 / 1h / strict\n"
         "       logwrite = mail rate $sender_rate\n"
         "  accept\n"
         "c:\n  warn ratelimit = 0 / 1h / per_conn / strict / c\n"
         "       logwrite = conn rate $sender_rate\n"
         "  accept\n");
    /* per_mail (the default) counts a message once, keyed on the
     * client's address. */
    assert_int_equal(RUN(HOST_ACL_MAIL, "m"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("m", "a@b.c"), HOST_ACL_ACCEPT);
    assert_int_equal(RCPT("m", "d@b.c"), HOST_ACL_ACCEPT);
    assert_true(db_read("1h/per_mail/192.0.2.1", &rec));
    assert_true(rec.rate > 0.99 && rec.rate < 1.01);
    assert_false(ta_logged("mail rate 2.0"));
    host_acl_forget(&ta.msg);                 /* the next message */
    assert_int_equal(RUN(HOST_ACL_MAIL, "m"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|mail rate 2.0"));
    /* per_conn once per connection. */
    assert_int_equal(RUN(HOST_ACL_HELO, "c"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "c"), HOST_ACL_ACCEPT);
    assert_false(ta_logged("conn rate 2.0"));
    host_acl_forget(&ta.sess);
    assert_int_equal(RUN(HOST_ACL_HELO, "c"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("main|conn rate 2.0"));
}

static void
test_per_byte(void **state)
{
    struct record rec;

    (void)state;
    CONF("begin acl\n"
         "b:\n  deny ratelimit = 0.5K / 2h / per_byte / strict / bytes\n"
         "       message = $sender_rate over $sender_rate_limit\n"
         "  accept\n");
    ta.msg.size = 1000;
    assert_int_equal(RUN(HOST_ACL_DATA, "b"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "1000.0 over 0.5K");
    /* per_byte is stored as per_mail, as Exim does. */
    assert_true(db_read("2h/per_mail/bytes", &rec));
    ta.msg.size = 100;
    host_acl_forget(&ta.msg);
    assert_int_equal(RUN(HOST_ACL_DATA, "b"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "1100.0 over 0.5K");
}

static void
test_mode_restrictions(void **state)
{
    struct record rec;

    (void)state;
    CONF("begin acl\n"
         "rc:\n  accept ratelimit = 5 / 1h / per_rcpt / strict / x\n"
         "ro:\n  deny ratelimit = 5 / 1h / per_rcpt / y\n"
         "  accept\n");
    /* per_rcpt cannot update in MAIL: strict is an error, the default
     * becomes readonly. */
    assert_int_equal(RUN(HOST_ACL_MAIL, "rc"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "readonly"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "ro"), HOST_ACL_ACCEPT);
    assert_false(db_read("1h/per_rcpt/y", &rec));
}

static void
test_bad_parameters(void **state)
{
    (void)state;
    CONF("begin acl\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = lots / 1h"),
                     HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = 3 / soon"),
                     HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = 3"),
                     HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = 3 / 1h / "
                         "unique=$sender_address"), HOST_ACL_ERROR);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = 3 / 1h / "
                         "count=x"), HOST_ACL_ERROR);
    ta.rt.spool_directory = NULL;
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept ratelimit = 3 / 1h"),
                     HOST_ACL_DEFER);
}

static void
test_count_option(void **state)
{
    (void)state;
    CONF("begin acl\n"
         "c:\n  deny ratelimit = 10 / 1h / per_cmd / count=4.5 / c\n"
         "       message = rate $sender_rate\n"
         "  accept\n");
    assert_int_equal(RUN(HOST_ACL_MAIL, "c"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "c"), HOST_ACL_ACCEPT);
    assert_int_equal(RUN(HOST_ACL_MAIL, "c"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "rate 13.5");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_leaky),
        T(test_strict_and_readonly),
        T(test_per_mail_and_conn),
        T(test_per_byte),
        T(test_mode_restrictions),
        T(test_bad_parameters),
        T(test_count_option),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
