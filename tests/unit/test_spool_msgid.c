/*
 * NAME
 *   test_spool_msgid.c - unit tests for Exim-format message ids
 *
 * DESCRIPTION
 *   Uniqueness and order of ids made quickly in one process and in
 *   several forked ones, the exact (pid field, fraction) sequence of a
 *   burst inside one clock tick, localhost_number, a clock stepping
 *   backwards, and the exit barrier.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "spool.h"

#define PID_SPACE 4194304LL
#define FIELD6_MAX 56800235583LL

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A clock the tests drive: frozen at fake_now, or, once `calls` passes
 * `thaw_after`, moving one 1/2000 s tick per reading. */
static struct timespec fake_now;
static long calls, thaw_after = -1;

static int fake_clock(struct timespec *now)
{
    calls++;
    if (thaw_after >= 0 && calls > thaw_after) {
        fake_now.tv_nsec += 500000;
        if (fake_now.tv_nsec >= 1000000000L) {
            fake_now.tv_sec++;
            fake_now.tv_nsec -= 1000000000L;
        }
    }
    *now = fake_now;
    return 0;
}

static void set_fake(time_t sec, long usec)
{
    fake_now.tv_sec = sec;
    fake_now.tv_nsec = usec * 1000L;
    calls = 0;
    thaw_after = -1;
}

static int cmp_ids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_encode_decode(void **state)
{
    struct tern_msgid_parts p = { 1795520330LL, 15307, 83 }, q;
    char id[TERN_MSGID_SIZE];
    tern_msgid_encode(&p, id);
    assert_string_equal(id, "1xVorK-0003yt-1L");
    assert_int_equal(tern_msgid_decode(id, &q), 0);
    assert_int_equal(q.sec, p.sec);
    assert_int_equal(q.pidfield, p.pidfield);
    assert_int_equal(q.frac, p.frac);
    /* ids Exim 4.96 wrote: 1J = 1*62+19 = 81 < 2000; My = 7*200 + 24 */
    assert_int_equal(tern_msgid_decode("1xVort-000420-My", &q), 0);
    assert_int_equal(q.frac, 1424);
    assert_int_equal(q.frac / 200, 7);
    assert_true(tern_msgid_valid("1xVorK-0003vR-1J"));
    assert_false(tern_msgid_valid("1xVorK-0003vR-1"));
    assert_false(tern_msgid_valid("1xVorK-0003vR-1JX"));
    assert_false(tern_msgid_valid("1xVorK_0003vR-1J"));
    assert_false(tern_msgid_valid("1xVo+K-0003vR-1J"));
    assert_int_equal(tern_msgid_decode("nope", &q), -1);
}

static void test_100k_unique_and_ordered(void **state)
{
    enum { N = 100000 };
    char (*ids)[TERN_MSGID_SIZE] = malloc(N * sizeof *ids);
    struct tern_msgid_gen g;
    struct timespec t0, t1, when;
    assert_non_null(ids);
    assert_int_equal(tern_msgid_gen_init(&g, -1), 0);
    clock_gettime(CLOCK_REALTIME, &t0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(tern_msgid_next(&g, ids[i], &when), 0);
        struct tern_msgid_parts p;
        assert_int_equal(tern_msgid_decode(ids[i], &p), 0);
        assert_int_equal(p.sec, (long long)when.tv_sec);
        assert_int_equal(p.pidfield % PID_SPACE, (long long)getpid());
        assert_true(p.frac < 2000);
        assert_int_equal(ids[i][5], b62[p.sec % 62]);   /* split subdir */
        if (i > 0)      /* one process: strictly increasing, so unique */
            assert_true(strcmp(ids[i - 1], ids[i]) < 0);
    }
    clock_gettime(CLOCK_REALTIME, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* Exim's one id per tick would need 50 s for this. */
    assert_true(secs < 5.0);
    struct tern_msgid_parts first, last;
    tern_msgid_decode(ids[0], &first);
    tern_msgid_decode(ids[N - 1], &last);
    assert_true(first.sec >= (long long)t0.tv_sec);
    assert_true(last.sec <= (long long)t1.tv_sec);
    tern_msgid_barrier(&g);
    free(ids);
}

static void test_forked_processes(void **state)
{
    enum { KIDS = 4, PER = 20000 };
    char (*ids)[TERN_MSGID_SIZE] = malloc((KIDS + 1) * PER * sizeof *ids);
    struct tern_msgid_gen g;
    int fds[KIDS][2];
    assert_non_null(ids);
    tern_msgid_gen_init(&g, -1);
    /* The parent uses the generator before forking: children must not
     * continue its sequence with the parent's pid. */
    assert_int_equal(tern_msgid_next(&g, ids[0], NULL), 0);
    for (int k = 0; k < KIDS; k++) {
        assert_int_equal(pipe(fds[k]), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char id[TERN_MSGID_SIZE];
            close(fds[k][0]);
            for (int i = 0; i < PER; i++) {
                if (tern_msgid_next(&g, id, NULL) != 0 ||
                    write(fds[k][1], id, TERN_MSGID_SIZE) != TERN_MSGID_SIZE)
                    _exit(1);
            }
            tern_msgid_barrier(&g);
            _exit(0);
        }
        close(fds[k][1]);
    }
    for (int i = 1; i < PER; i++)
        assert_int_equal(tern_msgid_next(&g, ids[i], NULL), 0);
    for (int k = 0; k < KIDS; k++) {
        char *p = (char *)ids[(k + 1) * PER];
        size_t want = PER * TERN_MSGID_SIZE, got = 0;
        while (got < want) {
            ssize_t r = read(fds[k][0], p + got, want - got);
            assert_true(r > 0);
            got += (size_t)r;
        }
        close(fds[k][0]);
        int st;
        assert_true(wait(&st) > 0);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    qsort(ids, (KIDS + 1) * PER, sizeof *ids, cmp_ids);
    for (int i = 1; i < (KIDS + 1) * PER; i++) {
        assert_true(tern_msgid_valid(ids[i]));
        assert_true(strcmp(ids[i - 1], ids[i]) < 0);
    }
    free(ids);
}

/* A burst inside one tick: k = 0 at the real fraction, then k goes up
 * and fractions restart at 0 (we started in an earlier second). */
static void test_burst_in_one_tick(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE], prev[TERN_MSGID_SIZE] = "";
    struct tern_msgid_parts p;
    long long pid = getpid();
    tern_msgid_gen_init(&g, -1);
    g.clock = fake_clock;
    set_fake(1700000000, 999999);
    assert_int_equal(tern_msgid_next(&g, id, NULL), 0);  /* init here */
    set_fake(1700000001, 3500);                          /* tick 7 */
    for (int i = 0; i < 1 + 8 * 3; i++) {
        assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
        tern_msgid_decode(id, &p);
        assert_int_equal(p.sec, 1700000001);
        if (i == 0) {
            assert_int_equal(p.pidfield, pid);
            assert_int_equal(p.frac, 7);
        } else {
            long long k = 1 + (i - 1) / 8;
            assert_int_equal(p.pidfield, pid + k * PID_SPACE);
            assert_int_equal(p.frac, (unsigned)((i - 1) % 8));
        }
        assert_true(strcmp(prev, id) < 0);
        strcpy(prev, id);
    }
    /* a later tick in the same second keeps k and packs on */
    set_fake(1700000001, 5000);                          /* tick 10 */
    assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
    tern_msgid_decode(id, &p);
    assert_int_equal(p.pidfield, pid + 3 * PID_SPACE);
    assert_int_equal(p.frac, 8);
    assert_true(strcmp(prev, id) < 0);
    /* a new second starts again from k = 0 and the real fraction */
    set_fake(1700000002, 250000);
    assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
    tern_msgid_decode(id, &p);
    assert_int_equal(p.pidfield, pid);
    assert_int_equal(p.frac, 500);
}

/* Never earlier than the first reading in this process: a dead process
 * with our pid may have used the fractions before it. */
static void test_not_before_start(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE];
    struct tern_msgid_parts p;
    tern_msgid_gen_init(&g, -1);
    g.clock = fake_clock;
    set_fake(1700000000, 100000);                        /* tick 200 */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
        tern_msgid_decode(id, &p);
        assert_true(p.frac >= 200);
    }
}

static void test_exhausted_tick_waits(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE], prev[TERN_MSGID_SIZE] = "";
    struct tern_msgid_parts p;
    long long pid = getpid();
    long long kmax = (FIELD6_MAX - pid) / PID_SPACE;
    tern_msgid_gen_init(&g, -1);
    g.clock = fake_clock;
    set_fake(1700000000, 0);
    /* frozen for: the start reading plus one reading per id */
    thaw_after = 1 + (kmax + 1);
    for (long long i = 0; i <= kmax + 1; i++) {
        assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
        tern_msgid_decode(id, &p);
        if (i <= kmax) {
            assert_int_equal(p.frac, 0);
            assert_int_equal(p.pidfield, pid + i * PID_SPACE);
        } else {        /* had to wait for the next tick */
            assert_true(p.frac >= 1);
        }
        assert_true(strcmp(prev, id) < 0);
        strcpy(prev, id);
    }
    assert_true(kmax > 10000);
}

static void test_localhost_number(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE], prev[TERN_MSGID_SIZE] = "";
    struct tern_msgid_parts p;
    assert_int_equal(tern_msgid_gen_init(&g, 17), -1);
    assert_int_equal(tern_msgid_gen_init(&g, -2), -1);
    assert_int_equal(tern_msgid_gen_init(&g, 16), 0);
    assert_int_equal(tern_msgid_gen_init(&g, 5), 0);
    g.clock = fake_clock;
    set_fake(1700000000, 123456);           /* 1/200 s tick 24 */
    for (int i = 0; i < 500; i++) {
        assert_int_equal(tern_msgid_next(&g, id, NULL), 0);
        tern_msgid_decode(id, &p);
        assert_int_equal(p.frac / 200, 5);
        if (i == 0)
            assert_int_equal(p.frac % 200, 24);
        assert_true(strcmp(prev, id) < 0);
        strcpy(prev, id);
    }
}

static void test_clock_backwards(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE], prev[TERN_MSGID_SIZE] = "";
    struct tern_msgid_parts p;
    struct timespec when;
    tern_msgid_gen_init(&g, -1);
    g.clock = fake_clock;
    set_fake(1700000010, 0);
    assert_int_equal(tern_msgid_next(&g, prev, NULL), 0);
    set_fake(1700000000, 500000);           /* stepped back ten seconds */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(tern_msgid_next(&g, id, &when), 0);
        tern_msgid_decode(id, &p);
        assert_int_equal(p.sec, 1700000010);
        assert_int_equal((long long)when.tv_sec, 1700000010);
        assert_true(strcmp(prev, id) < 0);
        strcpy(prev, id);
    }
}

static void test_barrier_passes_the_tick(void **state)
{
    struct tern_msgid_gen g;
    char id[TERN_MSGID_SIZE];
    struct tern_msgid_parts p;
    struct timespec when, now;
    tern_msgid_gen_init(&g, 3);             /* 5 ms ticks: easy to see */
    for (int round = 0; round < 20; round++) {
        assert_int_equal(tern_msgid_next(&g, id, &when), 0);
        tern_msgid_barrier(&g);
        clock_gettime(CLOCK_REALTIME, &now);
        tern_msgid_decode(id, &p);
        long long tick_then = when.tv_nsec / 5000000;
        long long tick_now = now.tv_nsec / 5000000;
        assert_true(now.tv_sec > when.tv_sec ||
                    (now.tv_sec == when.tv_sec && tick_now > tick_then));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_100k_unique_and_ordered),
        cmocka_unit_test(test_forked_processes),
        cmocka_unit_test(test_burst_in_one_tick),
        cmocka_unit_test(test_not_before_start),
        cmocka_unit_test(test_exhausted_tick_waits),
        cmocka_unit_test(test_localhost_number),
        cmocka_unit_test(test_clock_backwards),
        cmocka_unit_test(test_barrier_passes_the_tick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
