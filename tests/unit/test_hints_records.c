/*
 * NAME
 *   test_hints_records.c - typed hints records and tidying
 *
 * DESCRIPTION
 *   Every typed record (retry, wait-<transport>, TLS session, EHLO
 *   cache) goes through a real database and comes back field for field;
 *   short or foreign records are refused rather than read past their
 *   end; age limits (retry_data_expire) and session lifetimes hide
 *   stale records; tidy removes what is too old, retry records of
 *   vanished messages, vanished ids from wait lists, and expired TLS
 *   sessions, and reports each change.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "arena.h"
#include "hints.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tern-test-hintrec.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct tern_hints *must_open(const char *name)
{
    struct tern_hints_opts o = { .spool_directory = dir, .name = name,
                                 .write = 1, .lock_timeout = 5,
                                 .owner_uid = -1, .owner_gid = -1 };
    struct tern_hints_err err;
    struct tern_hints *h = tern_hints_open(&o, &err);
    if (!h)
        fail_msg("open %s: %s", name, err.text);
    return h;
}

static void test_retry_roundtrip(void **state)
{
    struct tern_hints *h = must_open("retry");
    struct tern_hints_retry r = { 111, 77, 1, 1700000000, 1700000100,
                                  1700003600, "Connection refused" }, g;
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    long long now = (long long)time(NULL), stamp;
    (void)state;

    assert_int_equal(tern_hints_retry_put(h, "T:mx.example:192.0.2.1", &r,
                                          &err), 0);
    assert_int_equal(tern_hints_retry_get(h, "T:mx.example:192.0.2.1", 0,
                                          now, &g, &stamp, &err), 0);
    assert_int_equal(g.basic_errno, 111);
    assert_int_equal(g.more_errno, 77);
    assert_int_equal(g.expired, 1);
    assert_int_equal(g.first_failed, 1700000000);
    assert_int_equal(g.last_try, 1700000100);
    assert_int_equal(g.next_try, 1700003600);
    assert_string_equal(g.text, "Connection refused");
    assert_true(stamp >= now - 1 && stamp <= now + 1);
    /* Exim's layout: 8 + 36 bytes and the text with its NUL */
    assert_int_equal(tern_hints_get(h, "T:mx.example:192.0.2.1", &rec,
                                    &err), 0);
    assert_int_equal(rec.len, 36 + sizeof "Connection refused");
    /* older than retry_data_expire: ignored */
    struct tern_buf b = { 0 };
    tern_hints_retry_encode(&r, &b);
    assert_int_equal(tern_hints_put_at(h, "R:old.example", now - 8 * 86400,
                                       b.data, b.len, &err), 0);
    tern_buf_free(&b);
    assert_int_equal(tern_hints_retry_get(h, "R:old.example", 7 * 86400, now,
                                          &g, NULL, &err),
                     TERN_HINTS_NOTFOUND);
    assert_int_equal(tern_hints_retry_get(h, "R:old.example", 0, now, &g,
                                          NULL, &err), 0);
    /* too short, or text without its NUL: refused */
    assert_int_equal(tern_hints_put(h, "R:short", "abcd", 4, &err), 0);
    assert_int_equal(tern_hints_retry_get(h, "R:short", 0, now, &g, NULL,
                                          &err), TERN_HINTS_NOTFOUND);
    char junk[40];
    memset(junk, 'x', sizeof junk);
    rec.stamp = 1;
    rec.data = (const unsigned char *)junk;
    rec.len = sizeof junk;
    assert_int_equal(tern_hints_retry_decode(&rec, &g), -1);
    tern_hints_close(h, NULL);

    assert_string_equal(tern_hints_retry_key_msgid(
        "T:mx.example:192.0.2.1:1xVorK-0003vR-1J"), "1xVorK-0003vR-1J");
    assert_null(tern_hints_retry_key_msgid("T:mx.example:192.0.2.1"));
    assert_null(tern_hints_retry_key_msgid("pipe-connect:1xVorK-0003vR-1J"));
}

static void test_wait_lists(void **state)
{
    struct tern_hints *h = must_open("wait-remote_smtp");
    struct tern_hints_wait w;
    struct tern_hints_err err;
    char id[TERN_HINTS_ID_SIZE], gen[TERN_HINTS_ID_SIZE];
    (void)state;

    assert_int_equal(tern_hints_wait_add(h, "mx.example", "1xVorK-0003vR-1J",
                                         &err), 0);
    assert_int_equal(tern_hints_wait_add(h, "mx.example", "1xVorO-0003wg-2p",
                                         &err), 0);
    assert_int_equal(tern_hints_wait_add(h, "mx.example", "1xVorK-0003vR-1J",
                                         &err), 0);
    assert_int_equal(tern_hints_wait_add(h, "mx.example", "not-an-id", &err),
                     -1);
    assert_int_equal(tern_hints_wait_get(h, "mx.example", &w, &err), 0);
    assert_int_equal(w.count, 2);
    tern_hints_wait_id(&w, 0, id);
    assert_string_equal(id, "1xVorK-0003vR-1J");
    tern_hints_wait_id(&w, 1, id);
    assert_string_equal(id, "1xVorO-0003wg-2p");
    assert_int_equal(tern_hints_wait_remove(h, "mx.example",
                                            "1xVorK-0003vR-1J", &err), 0);
    assert_int_equal(tern_hints_wait_remove(h, "mx.example",
                                            "1xVorK-0003vR-1J", &err),
                     TERN_HINTS_NOTFOUND);
    assert_int_equal(tern_hints_wait_get(h, "mx.example", &w, &err), 0);
    assert_int_equal(w.count, 1);
    assert_int_equal(tern_hints_wait_remove(h, "mx.example",
                                            "1xVorO-0003wg-2p", &err), 0);
    assert_int_equal(tern_hints_wait_get(h, "mx.example", &w, &err),
                     TERN_HINTS_NOTFOUND);
    /* the list is bounded: the oldest are forgotten */
    for (int i = 0; i < TERN_HINTS_WAIT_MAX + 5; i++) {
        snprintf(gen, sizeof gen, "1xVor%c-%06d-AA", 'A' + i % 26, i);
        assert_int_equal(tern_hints_wait_add(h, "big.example", gen, &err), 0);
    }
    assert_int_equal(tern_hints_wait_get(h, "big.example", &w, &err), 0);
    assert_int_equal(w.count, TERN_HINTS_WAIT_MAX);
    tern_hints_wait_id(&w, 0, id);
    assert_string_equal(id, "1xVorF-000005-AA");
    tern_hints_wait_id(&w, w.count - 1, id);
    assert_string_equal(id, gen);
    tern_hints_close(h, NULL);
}

static void test_tls_roundtrip(void **state)
{
    struct tern_hints *h = must_open("tls");
    unsigned char session[300];
    char key[256];
    struct tern_hints_tls t, g;
    struct tern_hints_err err;
    long long now = (long long)time(NULL);
    (void)state;

    for (size_t i = 0; i < sizeof session; i++)
        session[i] = (unsigned char)(i * 7);        /* NULs included */
    tern_hints_tls_key(key, sizeof key, "2001:db8::1", 465, "mx.example",
                       "verify:mx.example");
    assert_string_equal(key, "[2001:db8::1]:465:mx.example:verify:mx.example");
    t.expires = now + 7200;
    t.policy = "verify:mx.example";
    t.session = session;
    t.session_len = sizeof session;
    assert_int_equal(tern_hints_tls_put(h, key, &t, &err), 0);
    assert_int_equal(tern_hints_tls_get(h, key, now, &g, &err), 0);
    assert_int_equal(g.expires, now + 7200);
    assert_string_equal(g.policy, "verify:mx.example");
    assert_int_equal(g.session_len, sizeof session);
    assert_memory_equal(g.session, session, sizeof session);
    /* past its lifetime: not offered */
    assert_int_equal(tern_hints_tls_get(h, key, now + 7200, &g, &err),
                     TERN_HINTS_NOTFOUND);
    /* a foreign record under the key: absent */
    assert_int_equal(tern_hints_put(h, key, "EXIM-SESSION-DATA-XXXXXXXXXXX",
                                    29, &err), 0);
    assert_int_equal(tern_hints_tls_get(h, key, now, &g, &err),
                     TERN_HINTS_NOTFOUND);
    tern_hints_close(h, NULL);
}

static void test_ehlo_roundtrip(void **state)
{
    struct tern_hints *h = must_open(TERN_HINTS_EHLO_DB);
    struct tern_hints_ehlo e, g;
    struct tern_hints_err err;
    char key[256];
    long long now = (long long)time(NULL);
    (void)state;

    tern_hints_ehlo_key(key, sizeof key, "192.0.2.1", 25, "client.example",
                        NULL);
    assert_string_equal(key, "pipe-connect:[192.0.2.1]:25:client.example:");
    tern_hints_ehlo_key(key, sizeof key, "192.0.2.1", 587, "client.example",
                        "::1");
    assert_string_equal(key,
                        "pipe-connect:[192.0.2.1]:587:client.example:[::1]");
    e.clear.features = TERN_EHLO_PIPELINING | TERN_EHLO_PIPE_CONNECT |
                       TERN_EHLO_STARTTLS | TERN_EHLO_SIZE;
    e.clear.size = 52428800;
    e.clear.auths = "";
    e.tls.features = TERN_EHLO_PIPELINING | TERN_EHLO_CHUNKING |
                     TERN_EHLO_AUTH | TERN_EHLO_SIZE;
    e.tls.size = 10485760;
    e.tls.auths = "PLAIN LOGIN";
    assert_int_equal(tern_hints_ehlo_put(h, key, &e, &err), 0);
    assert_int_equal(tern_hints_ehlo_get(h, key, 7 * 86400, now, &g, &err),
                     0);
    assert_int_equal(g.clear.features, e.clear.features);
    assert_int_equal(g.clear.size, 52428800);
    assert_string_equal(g.clear.auths, "");
    assert_int_equal(g.tls.features, e.tls.features);
    assert_int_equal(g.tls.size, 10485760);
    assert_string_equal(g.tls.auths, "PLAIN LOGIN");
    /* expires with retry_data_expire */
    assert_int_equal(tern_hints_ehlo_get(h, key, 10, now + 11, &g, &err),
                     TERN_HINTS_NOTFOUND);
    assert_string_equal(tern_hints_ehlo_feature_name(TERN_EHLO_CHUNKING),
                        "CHUNKING");
    assert_null(tern_hints_ehlo_feature_name(1u << 30));
    /* a retry record under the key is not an EHLO record */
    struct tern_hints_retry r = { 1, 2, 0, 3, 4, 5, "x" };
    assert_int_equal(tern_hints_retry_put(h, key, &r, &err), 0);
    assert_int_equal(tern_hints_ehlo_get(h, key, 0, now, &g, &err),
                     TERN_HINTS_NOTFOUND);
    tern_hints_close(h, NULL);
}

/* ---- tidy ------------------------------------------------------------- */

static const char *const live[] = { "1xVorK-0003vR-1J", "1xVorO-0003wg-2p" };
static char reports[4096];

static int on_queue(void *arg, const char *id)
{
    (void)arg;
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (!strcmp(live[i], id))
            return 1;
    return 0;
}

static void report(void *arg, const char *line)
{
    (void)arg;
    strncat(reports, line, sizeof reports - strlen(reports) - 2);
    strcat(reports, "\n");
}

static void test_tidy(void **state)
{
    struct tern_hints_retry r = { 111, 0, 0, 1, 2, 3, "refused" };
    struct tern_hints_tidy t = { 0 };
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints_wait w;
    struct tern_buf b = { 0 };
    struct tern_hints *h;
    long long now = (long long)time(NULL);
    (void)state;

    reports[0] = 0;
    t.now = now;
    t.cutoff = now - 30 * 86400;
    t.msg_exists = on_queue;
    t.report = report;

    h = must_open("retry");
    tern_hints_retry_encode(&r, &b);
    tern_hints_put_at(h, "T:old.example:192.0.2.9", now - 31 * 86400, b.data,
                      b.len, &err);
    tern_hints_put_at(h, "T:new.example:192.0.2.8", now - 29 * 86400, b.data,
                      b.len, &err);
    tern_hints_put(h, "T:mx:192.0.2.1:1xVorK-0003vR-1J", b.data, b.len,
                   &err);
    tern_hints_put(h, "T:mx:192.0.2.1:1xVoZZ-0003vR-1J", b.data, b.len,
                   &err);
    tern_buf_free(&b);
    assert_int_equal(tern_hints_tidy(h, &t, &err), 0);
    assert_int_equal(t.seen, 4);
    assert_int_equal(t.deleted, 2);
    assert_int_equal(tern_hints_get(h, "T:old.example:192.0.2.9", &rec,
                                    &err), TERN_HINTS_NOTFOUND);
    assert_int_equal(tern_hints_get(h, "T:new.example:192.0.2.8", &rec,
                                    &err), 0);
    assert_int_equal(tern_hints_get(h, "T:mx:192.0.2.1:1xVorK-0003vR-1J",
                                    &rec, &err), 0);
    assert_int_equal(tern_hints_get(h, "T:mx:192.0.2.1:1xVoZZ-0003vR-1J",
                                    &rec, &err), TERN_HINTS_NOTFOUND);
    assert_non_null(strstr(reports, "deleted T:old.example:192.0.2.9 "
                                    "(too old)"));
    assert_non_null(strstr(reports, "(no message 1xVoZZ-0003vR-1J)"));
    tern_hints_close(h, NULL);

    /* wait lists: vanished ids go, the record keeps its time stamp */
    h = must_open("wait-smtp");
    tern_hints_wait_add(h, "a.example", "1xVorK-0003vR-1J", &err);
    tern_hints_wait_add(h, "a.example", "1xVoZZ-0003vR-1J", &err);
    tern_hints_wait_add(h, "a.example", "1xVorO-0003wg-2p", &err);
    tern_hints_wait_add(h, "b.example", "1xVoZZ-0003vR-1J", &err);
    assert_int_equal(tern_hints_get(h, "a.example", &rec, &err), 0);
    long long stamp = rec.stamp;
    assert_int_equal(tern_hints_tidy(h, &t, &err), 0);
    assert_int_equal(t.deleted, 1);
    assert_int_equal(t.updated, 1);
    assert_int_equal(tern_hints_wait_get(h, "a.example", &w, &err), 0);
    assert_int_equal(w.count, 2);
    assert_int_equal(memcmp(w.ids, "1xVorK-0003vR-1J1xVorO-0003wg-2p", 32),
                     0);
    assert_int_equal(tern_hints_get(h, "a.example", &rec, &err), 0);
    assert_int_equal(rec.stamp, stamp);
    assert_int_equal(tern_hints_get(h, "b.example", &rec, &err),
                     TERN_HINTS_NOTFOUND);
    assert_non_null(strstr(reports, "a.example: removed 1xVoZZ-0003vR-1J"));
    tern_hints_close(h, NULL);

    /* TLS sessions past their lifetime */
    h = must_open("tls");
    struct tern_hints_tls s = { now - 1, "p", (const unsigned char *)"S", 1 };
    tern_hints_tls_put(h, "[a]:25::p", &s, &err);
    s.expires = now + 3600;
    tern_hints_tls_put(h, "[b]:25::p", &s, &err);
    assert_int_equal(tern_hints_tidy(h, &t, &err), 0);
    assert_int_equal(t.deleted, 1);
    assert_int_equal(tern_hints_get(h, "[b]:25::p", &rec, &err), 0);
    assert_non_null(strstr(reports, "deleted [a]:25::p (session expired)"));
    tern_hints_close(h, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retry_roundtrip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wait_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ehlo_roundtrip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tidy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
