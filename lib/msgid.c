/*
 * NAME
 *   msgid.c - Exim 4.96 message ids, many per second per process
 *
 * SYNOPSIS
 *   tern_msgid_gen_init(&g, localhost_number);
 *   tern_msgid_next(&g, id, &when);
 *   tern_msgid_barrier(&g);            // before the process exits
 *
 * DESCRIPTION
 *   An id is TTTTTT-PPPPPP-FF in base 62 (0-9A-Za-z, so that string order
 *   is numeric order): T the second of reception, P the pid, F the
 *   fraction of the second in 1/2000 s ticks, or, with localhost_number N,
 *   N * 200 + the fraction in 1/200 s ticks.
 *
 *   Exim makes ids unique by sleeping after each message until the clock
 *   has ticked, which caps a process at one message per tick.  Tern keeps
 *   the format and the guarantee without that sleep:
 *
 *   - Ownership.  A process owns every id whose P field is congruent to its
 *     pid modulo 2^22.  Linux never hands out a pid of 2^22 or more
 *     (PID_MAX_LIMIT), so P = pid + k * 2^22 with k >= 1 can belong to no
 *     other live process, Exim's included (Exim always uses k = 0).  Six
 *     base-62 digits leave room for k up to ~13,500.
 *   - No id ahead of the clock.  The (second, fraction) of an id is never
 *     later than the clock when it is issued, and never earlier than the
 *     moment the generator first ran in this process.  tern_msgid_barrier()
 *     waits (at most one tick) until the clock is past the last id before
 *     the process exits, so a later process that reuses the pid starts
 *     strictly after every id of this one: same argument as Exim's, paid
 *     once per process instead of once per message.
 *   - Order.  Within one second a process issues (k, fraction) pairs in
 *     strictly increasing order, k first, so its ids sort in the order
 *     they were made (string order compares P before F).  At low rates
 *     k stays 0 and the fraction is the real one, exactly like Exim; in a
 *     burst inside one tick k goes up and fractions restart from the
 *     earliest allowed value, packing densely.
 *
 *   So one process can issue about 13,500 ids per tick before it has to
 *   wait for the next tick: effectively unlimited.
 *
 * DIAGNOSTICS
 *   tern_msgid_next fails only when the clock cannot be read.  A clock
 *   stepped backwards is treated as stopped until it catches up (ids stay
 *   unique and ordered); if more than ~13,500 ids are wanted meanwhile the
 *   generator waits for it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#define PID_SPACE 4194304LL             /* 2^22: Linux PID_MAX_LIMIT */
#define FIELD6_MAX 56800235583LL        /* 62^6 - 1 */
#define MAX_BARRIER_WAIT_NS 2000000000L /* give up on a clock stepped back */

static int b62_value(char c)
{
    const char *p = c ? strchr(b62, c) : NULL;
    return p ? (int)(p - b62) : -1;
}

static void put_b62(char *out, long long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = b62[v % 62];
        v /= 62;
    }
}

void tern_msgid_encode(const struct tern_msgid_parts *p,
                       char id[TERN_MSGID_SIZE])
{
    put_b62(id, p->sec % (FIELD6_MAX + 1), 6);
    id[6] = '-';
    put_b62(id + 7, p->pidfield % (FIELD6_MAX + 1), 6);
    id[13] = '-';
    put_b62(id + 14, p->frac % (62 * 62), 2);
    id[16] = 0;
}

int tern_msgid_decode(const char *id, struct tern_msgid_parts *p)
{
    long long f[3] = { 0, 0, 0 };
    static const int start[3] = { 0, 7, 14 }, width[3] = { 6, 6, 2 };
    if (!tern_msgid_valid(id))
        return -1;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < width[i]; j++)
            f[i] = f[i] * 62 + b62_value(id[start[i] + j]);
    p->sec = f[0];
    p->pidfield = f[1];
    p->frac = (unsigned)f[2];
    return 0;
}

int tern_msgid_valid(const char *s)
{
    for (int i = 0; i < TERN_MSGID_LEN; i++) {
        if (i == 6 || i == 13) {
            if (s[i] != '-')
                return 0;
        } else if (b62_value(s[i]) < 0) {
            return 0;
        }
    }
    return s[TERN_MSGID_LEN] == 0;
}

static int default_clock(struct timespec *now)
{
    return clock_gettime(CLOCK_REALTIME, now);
}

/* Ticks per second and microseconds per tick for this generator. */
static unsigned ticks_per_sec(const struct tern_msgid_gen *g)
{
    return g->localhost_number < 0 ? 2000 : 200;
}

static long tick_usec(const struct tern_msgid_gen *g)
{
    return 1000000L / (long)ticks_per_sec(g);
}

static int read_clock(struct tern_msgid_gen *g, long long *sec,
                      unsigned *tick, struct timespec *ts)
{
    if ((g->clock ? g->clock : default_clock)(ts) != 0)
        return -1;
    *sec = (long long)ts->tv_sec;
    *tick = (unsigned)(ts->tv_nsec / 1000 / tick_usec(g));
    if (*tick >= ticks_per_sec(g))      /* a clock with nsec >= 1e9 */
        *tick = ticks_per_sec(g) - 1;
    return 0;
}

static void sleep_rest_of_tick(const struct tern_msgid_gen *g,
                               const struct timespec *now)
{
    long tick_ns = tick_usec(g) * 1000L;
    struct timespec d = { 0, tick_ns - now->tv_nsec % tick_ns };
    while (nanosleep(&d, &d) != 0 && errno == EINTR)
        ;
}

static int start_process(struct tern_msgid_gen *g, long pid)
{
    struct timespec ts;
    g->pid = pid;
    g->used = 0;
    g->last_k = 0;
    return read_clock(g, &g->init_sec, &g->init_tick, &ts);
}

int tern_msgid_gen_init(struct tern_msgid_gen *g, int localhost_number)
{
    if (localhost_number < -1 || localhost_number > 16)
        return -1;
    memset(g, 0, sizeof *g);
    g->localhost_number = localhost_number;
    g->pid = -1;                        /* started on first use */
    return 0;
}

/* The largest k this pid may use. */
static unsigned long max_k(long pid)
{
    if (pid < 0 || pid >= PID_SPACE)
        return 0;
    return (unsigned long)((FIELD6_MAX - pid) / PID_SPACE);
}

/* Choose (k, frac) for the clock reading (sec, tick); 0 when the tick's
 * slots are used up and we must wait. */
static int choose(struct tern_msgid_gen *g, long long sec, unsigned tick,
                  unsigned long *k, unsigned *frac)
{
    unsigned lowest = sec == g->init_sec ? g->init_tick : 0;
    if (!g->used || sec > g->last_sec) {
        *k = 0;
        *frac = tick > lowest ? tick : lowest;
        return 1;
    }
    if (tick > g->last_frac) {          /* room left in this k */
        *k = g->last_k;
        *frac = g->last_k == 0 ? tick : g->last_frac + 1;
        return 1;
    }
    if (g->last_k < max_k(g->pid)) {    /* next k, fractions restart */
        *k = g->last_k + 1;
        *frac = lowest;
        return 1;
    }
    return 0;
}

int tern_msgid_next(struct tern_msgid_gen *g, char id[TERN_MSGID_SIZE],
                    struct timespec *when)
{
    long pid = (long)getpid();
    if (g->pid != pid && start_process(g, pid) != 0)
        return -1;
    for (;;) {
        struct timespec ts;
        long long sec;
        unsigned tick, frac;
        unsigned long k;
        if (read_clock(g, &sec, &tick, &ts) != 0)
            return -1;
        if (g->used && (sec < g->last_sec ||
                        (sec == g->last_sec && tick < g->last_tick))) {
            /* Stepped backwards: behave as if stopped at the last id. */
            sec = g->last_sec;
            tick = g->last_tick;
            ts.tv_sec = (time_t)sec;
            ts.tv_nsec = (long)tick * tick_usec(g) * 1000L;
        }
        if (!choose(g, sec, tick, &k, &frac)) {
            sleep_rest_of_tick(g, &ts);
            continue;
        }
        struct tern_msgid_parts p = {
            .sec = sec,
            .pidfield = pid + (long long)k * PID_SPACE,
            .frac = g->localhost_number < 0
                ? frac : (unsigned)g->localhost_number * 200 + frac,
        };
        tern_msgid_encode(&p, id);
        g->used = 1;
        g->last_sec = sec;
        g->last_frac = frac;
        g->last_k = k;
        g->last_tick = tick;
        if (when)
            *when = ts;
        return 0;
    }
}

void tern_msgid_barrier(struct tern_msgid_gen *g)
{
    long waited = 0;
    if (!g->used || g->pid != (long)getpid())
        return;
    for (;;) {
        struct timespec ts;
        long long sec;
        unsigned tick;
        if (read_clock(g, &sec, &tick, &ts) != 0)
            return;
        /* Every fraction issued was <= the clock's tick at the time, so
         * being past the last such tick is being past all of them. */
        if (sec > g->last_sec || (sec == g->last_sec && tick > g->last_tick))
            return;
        if (waited > MAX_BARRIER_WAIT_NS)
            return;                     /* clock stepped back: see above */
        sleep_rest_of_tick(g, &ts);
        waited += tick_usec(g) * 1000L;
    }
}
