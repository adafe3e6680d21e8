/*
 * NAME
 *   daemon_shm.c - connection counts shared by every worker
 *
 * SYNOPSIS
 *   shm = daemon_shm_create(4096);                 master, before fork
 *   if (!daemon_shm_take(shm, slot, max, &before)) refuse 421;
 *   daemon_shm_host_take(shm, slot, sidx, key, per_host) ...
 *   daemon_shm_host_give(shm, slot, sidx); daemon_shm_give(shm, slot);
 *   daemon_shm_reclaim(shm, slot);                 master, worker died
 *
 * DESCRIPTION
 *   smtp_accept_max and smtp_accept_max_per_host count connections across
 *   all workers, so the counters live in one MAP_SHARED|MAP_ANONYMOUS
 *   mapping the master creates before forking.
 *
 *   The global count is one atomic: a worker adds itself first and takes
 *   the addition back when that went over the limit, so the limit is
 *   never exceeded even when workers race.
 *
 *   The per-host table is open addressing keyed by the 16-byte address
 *   (IPv4 mapped into IPv6), with backward-shift deletion so no
 *   tombstones pile up.  It is guarded by one process-shared robust
 *   mutex: the check and the increment must be one step, and a worker
 *   that dies holding the lock cannot wedge the others (the next locker
 *   gets EOWNERDEAD and carries on; the worst case is one count off).
 *   Only daemons with smtp_accept_max_per_host set ever take the lock.
 *
 *   Each worker slot records what it holds (its session count, and the
 *   per-host key of each session), so when a worker dies the master gives
 *   all of it back and the limits do not shrink with every crash.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "daemon_int.h"

struct daemon_shm *
daemon_shm_create(size_t host_entries)
{
    size_t n = 256, len;
    struct daemon_shm *m;
    pthread_mutexattr_t ma;

    while (n < host_entries && n < (1u << 20))
        n <<= 1;
    len = sizeof *m + n * sizeof m->hosts[0];
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
             -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    /* Anonymous memory is zeroed: nothing is touched that is not used. */
    m->host_size = n;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m->host_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    return m;
}

int
daemon_shm_take(struct daemon_shm *m, int slot, long max, long *before)
{
    struct daemon_slot *s = &m->slots[slot];
    long was;

    /* Slot first: a worker dying between the two leaves the count one
     * low (one connection too many allowed), never one high for good. */
    atomic_fetch_add(&s->sessions, 1);
    was = atomic_fetch_add(&m->active, 1);
    *before = was;
    if (max > 0 && was >= max) {
        atomic_fetch_sub(&m->active, 1);
        atomic_fetch_sub(&s->sessions, 1);
        return 0;
    }
    return 1;
}

void
daemon_shm_give(struct daemon_shm *m, int slot)
{
    atomic_fetch_sub(&m->active, 1);
    atomic_fetch_sub(&m->slots[slot].sessions, 1);
}

static void
lock(struct daemon_shm *m)
{
    if (pthread_mutex_lock(&m->host_lock) == EOWNERDEAD)
        pthread_mutex_consistent(&m->host_lock);
}

static size_t
hash(const unsigned char key[16], size_t mask)
{
    unsigned long long h = tern_fnv1a(TERN_FNV_INIT, key, 16);

    return (size_t)(h ^ (h >> 29)) & mask;
}

/* The entry for key, or where it would go; NULL when the table is full. */
static struct daemon_host_ent *
find(struct daemon_shm *m, const unsigned char key[16])
{
    size_t mask = m->host_size - 1, i = hash(key, mask);

    for (size_t probes = 0; probes < m->host_size; probes++) {
        struct daemon_host_ent *e = &m->hosts[i];

        if (e->count == 0 || memcmp(e->key, key, 16) == 0)
            return e;
        i = (i + 1) & mask;
    }
    return NULL;
}

/* Remove entry i and pull later entries of its probe chains back. */
static void
erase(struct daemon_shm *m, size_t i)
{
    size_t mask = m->host_size - 1, j = i;

    for (;;) {
        j = (j + 1) & mask;
        if (m->hosts[j].count == 0)
            break;
        size_t home = hash(m->hosts[j].key, mask);
        /* Move j into the hole at i unless its home lies in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->hosts[i] = m->hosts[j];
            i = j;
        }
    }
    memset(&m->hosts[i], 0, sizeof m->hosts[i]);
}

static void
release_key(struct daemon_shm *m, const unsigned char key[16])
{
    struct daemon_host_ent *e = find(m, key);

    if (e == NULL || e->count == 0)
        return;
    if (--e->count == 0)
        erase(m, (size_t)(e - m->hosts));
}

int
daemon_shm_host_take(struct daemon_shm *m, int slot, int sidx,
                     const unsigned char key[16], unsigned limit)
{
    struct daemon_slot *s = &m->slots[slot];
    struct daemon_host_ent *e;
    int rc = 1;

    lock(m);
    e = find(m, key);
    if (e == NULL) {
        rc = -1;
    } else if (e->count >= limit) {
        rc = 0;
    } else {
        if (e->count == 0)
            memcpy(e->key, key, 16);
        e->count++;
        memcpy(s->held[sidx], key, 16);
        s->held_valid[sidx] = 1;
    }
    pthread_mutex_unlock(&m->host_lock);
    return rc;
}

void
daemon_shm_host_give(struct daemon_shm *m, int slot, int sidx)
{
    struct daemon_slot *s = &m->slots[slot];

    if (!s->held_valid[sidx])
        return;
    lock(m);
    release_key(m, s->held[sidx]);
    s->held_valid[sidx] = 0;
    pthread_mutex_unlock(&m->host_lock);
}

void
daemon_shm_reclaim(struct daemon_shm *m, int slot)
{
    struct daemon_slot *s = &m->slots[slot];
    unsigned n = atomic_exchange(&s->sessions, 0);

    atomic_fetch_sub(&m->active, (long)n);
    lock(m);
    for (size_t i = 0; i < DAEMON_WORKER_SESSIONS; i++) {
        if (s->held_valid[i]) {
            release_key(m, s->held[i]);
            s->held_valid[i] = 0;
        }
    }
    pthread_mutex_unlock(&m->host_lock);
}
