/*
 * NAME
 *   test_daemon_shm.c - the daemon's shared connection counts
 *   (host/daemon_shm.c)
 *
 * DESCRIPTION
 *   smtp_accept_max is never exceeded and slots come back; the per-host
 *   table counts each address separately, refuses at the limit, keeps
 *   working after many additions and removals (backward-shift deletion
 *   checked against a plain model, with a tiny table so probe chains
 *   collide), and a dead worker's share is taken back by reclaim; the
 *   counts are shared with a forked child.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_int.h"

static void
key(unsigned char k[16], unsigned v)
{
    memset(k, 0, 16);
    k[10] = k[11] = 0xff;
    memcpy(k + 12, &v, 4);
}

static void
test_global(void **state)
{
    struct daemon_shm *m = daemon_shm_create(16);
    long before;

    (void)state;
    assert_non_null(m);
    assert_int_equal(daemon_shm_take(m, 0, 2, &before), 1);
    assert_int_equal(before, 0);
    assert_int_equal(daemon_shm_take(m, 1, 2, &before), 1);
    assert_int_equal(daemon_shm_take(m, 1, 2, &before), 0);
    assert_int_equal(before, 2);
    assert_int_equal(atomic_load(&m->active), 2);
    daemon_shm_give(m, 0);
    assert_int_equal(daemon_shm_take(m, 0, 2, &before), 1);
    /* no limit */
    for (int i = 0; i < 10; i++)
        assert_int_equal(daemon_shm_take(m, 2, 0, &before), 1);
    assert_int_equal(atomic_load(&m->slots[2].sessions), 10);
    daemon_shm_reclaim(m, 2);
    assert_int_equal(atomic_load(&m->active), 2);
}

static void
test_per_host(void **state)
{
    struct daemon_shm *m = daemon_shm_create(16);
    unsigned char a[16], b[16];

    (void)state;
    key(a, 1);
    key(b, 2);
    assert_int_equal(daemon_shm_host_take(m, 0, 0, a, 2), 1);
    assert_int_equal(daemon_shm_host_take(m, 0, 1, a, 2), 1);
    assert_int_equal(daemon_shm_host_take(m, 0, 2, a, 2), 0);
    assert_int_equal(daemon_shm_host_take(m, 1, 0, b, 2), 1);
    daemon_shm_host_give(m, 0, 1);
    assert_int_equal(daemon_shm_host_take(m, 0, 1, a, 2), 1);
    /* giving twice for one session is harmless */
    daemon_shm_host_give(m, 0, 0);
    daemon_shm_host_give(m, 0, 0);
    assert_int_equal(daemon_shm_host_take(m, 0, 0, a, 2), 1);
    assert_int_equal(daemon_shm_host_take(m, 0, 3, a, 2), 0);
    /* a dead worker's connections come back */
    daemon_shm_reclaim(m, 0);
    assert_int_equal(daemon_shm_host_take(m, 2, 0, a, 2), 1);
    assert_int_equal(daemon_shm_host_take(m, 2, 1, a, 2), 1);
}

/* Random takes and gives on a 256-entry table with up to 200 keys
 * alive, against a simple array model. */
static void
test_churn(void **state)
{
    struct daemon_shm *m = daemon_shm_create(1);
    unsigned count[300];
    int owner[DAEMON_WORKER_SESSIONS];
    unsigned char k[16];

    (void)state;
    memset(count, 0, sizeof count);
    for (int i = 0; i < DAEMON_WORKER_SESSIONS; i++)
        owner[i] = -1;
    srand(7);
    for (int step = 0; step < 200000; step++) {
        int sidx = rand() % 1000;

        if (owner[sidx] >= 0) {
            count[owner[sidx]]--;
            daemon_shm_host_give(m, 0, sidx);
            owner[sidx] = -1;
        } else {
            unsigned v = (unsigned)(rand() % 200);
            int r;

            key(k, v * 2654435761u);
            r = daemon_shm_host_take(m, 0, sidx, k, 3);
            assert_int_equal(r, count[v] < 3 ? 1 : 0);
            if (r == 1) {
                count[v]++;
                owner[sidx] = (int)v;
            }
        }
    }
    /* every count in the table matches the model */
    size_t live = 0;
    for (size_t i = 0; i < m->host_size; i++)
        live += m->hosts[i].count != 0;
    size_t want = 0;
    for (int v = 0; v < 200; v++)
        want += count[v] != 0;
    assert_int_equal(live, want);
}

static void
test_shared_with_child(void **state)
{
    struct daemon_shm *m = daemon_shm_create(16);
    long before;
    pid_t pid;
    int st;

    (void)state;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(daemon_shm_take(m, 3, 1, &before) == 1 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(daemon_shm_take(m, 0, 1, &before), 0);
    daemon_shm_reclaim(m, 3);
    assert_int_equal(daemon_shm_take(m, 0, 1, &before), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global),
        cmocka_unit_test(test_per_host),
        cmocka_unit_test(test_churn),
        cmocka_unit_test(test_shared_with_child),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
