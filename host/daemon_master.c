/*
 * NAME
 *   daemon_master.c - the supervisor: keeps N session workers running,
 *   replaces the ones that die, reloads, stops
 *
 * SYNOPSIS
 *   rc = daemon_master_run(&d);        after binding and set-up
 *
 * DESCRIPTION
 *   The master holds the listening sockets, the loaded configuration and
 *   the shared counters, and never serves a connection itself, so nothing
 *   a client sends can crash it.  It waits for signals only
 *   (sigtimedwait on a blocked set: no handler races):
 *
 *     SIGCHLD   reap; a worker that died abnormally (a signal, or a
 *               non-zero status) is logged to the panic log, whatever it
 *               held in the shared counters is taken back, and a new one
 *               is forked at once.  A worker that keeps dying within a
 *               second of its start is replaced with a growing pause (up
 *               to 10 s) instead of in a fork loop.
 *     SIGUSR1   a worker retired itself (max_use) or is draining: fork
 *               its successor now, before it is gone.
 *     SIGHUP    load the configuration again; if that fails, log why and
 *               keep the old one.  Otherwise fork a new generation of
 *               workers from the new plan and tell the old ones (SIGUSR2)
 *               to finish their sessions and exit.  The listening sockets
 *               never close, so no connection is refused meanwhile.
 *     SIGTERM, SIGINT
 *               close the listening sockets, tell the workers to finish
 *               (they give sessions DAEMON_STOP_GRACE_MS, then 421), wait
 *               for them, remove the pid file, exit.  A second one makes
 *               the workers stop at once (SIGQUIT).
 *
 *   Listening sockets named differently by a reloaded configuration need
 *   a restart: the master logs that and keeps the ones it has.
 *
 * DIAGNOSTICS
 *   Panic log: "session worker PID killed by signal N (NAME): M sessions
 *   lost"; "configuration reload failed, keeping the old one: ...".
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tern/host.h>

#include "daemon_int.h"
#include "tls.h"

struct master {
    struct daemon *d;
    unsigned gen;
    int stopping;
    long long kill_at;          /* SIGKILL stragglers after this */
    int fast_fails;             /* workers that died young, in a row */
    long long spawn_after;      /* pause before the next fork */
    long long started[DAEMON_SLOTS];
};

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned
daemon_worker_count(void)
{
    const char *e = getenv("TERN_DAEMON_WORKERS");
    long n = e != NULL ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

    if (e != NULL && n >= 1 && n <= DAEMON_WORKERS_MAX)
        return (unsigned)n;
    if (n < DAEMON_WORKERS_MIN)
        n = DAEMON_WORKERS_MIN;
    if (n > DAEMON_WORKERS_MAX)
        n = DAEMON_WORKERS_MAX;
    return (unsigned)n;
}

static void
mlog(struct master *ms, unsigned dest, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
mlog(struct master *ms, unsigned dest, const char *fmt, ...)
{
    char line[1536];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    daemon_log(ms->d->rt, &ms->d->ids, dest, "%s", line);
}

static void
spawn(struct master *ms, int i)
{
    struct daemon *d = ms->d;
    struct daemon_slot *s = &d->shm->slots[i];
    pid_t pid;

    fflush(NULL);
    atomic_store(&s->state, SLOT_STARTING);
    s->generation = ms->gen;
    pid = fork();
    if (pid == 0) {
        struct worker_args a = {
            .rt = d->rt, .ls = &d->ls, .shm = d->shm, .ids = &d->ids,
            .slot = i, .max_use = d->max_use
        };
        worker_main(&a);
    }
    if (pid < 0) {
        atomic_store(&s->state, SLOT_FREE);
        mlog(ms, TERN_LOG_PANIC, "fork of a session worker failed: %s",
             strerror(errno));
        ms->spawn_after = now_ms() + 1000;
        return;
    }
    atomic_store(&s->pid, (int)pid);
    ms->started[i] = now_ms();
}

/* Fork until the current generation has its N accepting workers. */
static void
spawn_missing(struct master *ms)
{
    struct daemon_shm *m = ms->d->shm;
    unsigned live = 0;

    if (ms->stopping || now_ms() < ms->spawn_after)
        return;
    for (int i = 0; i < DAEMON_SLOTS; i++) {
        int st = atomic_load(&m->slots[i].state);

        if (atomic_load(&m->slots[i].pid) != 0 &&
            m->slots[i].generation == ms->gen &&
            (st == SLOT_STARTING || st == SLOT_ACCEPTING))
            live++;
    }
    for (int i = 0; i < DAEMON_SLOTS && live < ms->d->workers; i++) {
        if (atomic_load(&m->slots[i].pid) == 0 &&
            atomic_load(&m->slots[i].state) == SLOT_FREE) {
            spawn(ms, i);
            live++;
        }
    }
}

static void
signal_workers(struct master *ms, int sig, int old_only)
{
    struct daemon_shm *m = ms->d->shm;

    for (int i = 0; i < DAEMON_SLOTS; i++) {
        int pid = atomic_load(&m->slots[i].pid);

        if (pid != 0 && (!old_only || m->slots[i].generation != ms->gen))
            kill(pid, sig);
    }
}

static int
live_workers(struct master *ms)
{
    int n = 0;

    for (int i = 0; i < DAEMON_SLOTS; i++)
        n += atomic_load(&ms->d->shm->slots[i].pid) != 0;
    return n;
}

static void
died(struct master *ms, int i, int pid, int status)
{
    struct daemon_slot *s = &ms->d->shm->slots[i];
    unsigned lost = atomic_load(&s->sessions);
    int young = now_ms() - ms->started[i] < 1000;

    daemon_shm_reclaim(ms->d->shm, i);
    atomic_store(&s->pid, 0);
    atomic_store(&s->served, 0);
    atomic_store(&s->state, SLOT_FREE);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ms->fast_fails = 0;
        return;
    }
    if (WIFSIGNALED(status))
        mlog(ms, TERN_LOG_PANIC, "session worker %d killed by signal %d"
             " (%s): %u session%s lost", pid, WTERMSIG(status),
             strsignal(WTERMSIG(status)), lost, lost == 1 ? "" : "s");
    else
        mlog(ms, TERN_LOG_PANIC, "session worker %d exited with status %d:"
             " %u session%s lost", pid, WEXITSTATUS(status), lost,
             lost == 1 ? "" : "s");
    if (!young) {
        ms->fast_fails = 0;
        return;
    }
    /* Dying at start: a broken spool, user or module; do not spin. */
    long long pause = 100LL << (ms->fast_fails < 7 ? ms->fast_fails : 7);

    ms->fast_fails++;
    ms->spawn_after = now_ms() + (pause > 10000 ? 10000 : pause);
}

static void
reap(struct master *ms)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < DAEMON_SLOTS; i++) {
            if (atomic_load(&ms->d->shm->slots[i].pid) == (int)pid) {
                died(ms, i, (int)pid, status);
                break;
            }
        }
    }
}

static void
begin_stop(struct master *ms, int sig)
{
    struct daemon *d = ms->d;

    if (ms->stopping) {
        signal_workers(ms, SIGQUIT, 0);
        return;
    }
    ms->stopping = 1;
    mlog(ms, TERN_LOG_MAIN, "pid %ld: %s received: daemon terminating",
         (long)getpid(), sig == SIGINT ? "SIGINT" : "SIGTERM");
    daemon_listen_close(&d->ls);
    signal_workers(ms, SIGTERM, 0);
    ms->kill_at = now_ms() + DAEMON_STOP_GRACE_MS + 5000;
}

/* Build a runtime from hc: options, modules, TLS, ids.  On failure
 * nothing of it is left. */
static int
activate(struct daemon *d, struct host_conf *hc, struct host_runtime *rt,
         struct daemon_ids *ids, FILE *err)
{
    char why[512];

    if (host_runtime_init(rt, hc, "tern", err) != 0)
        goto fail;
    rt->is_daemon = 1;
    host_tls_server_free();
    if (host_tls_server_init(rt, why, sizeof why) != 0 ||
        daemon_ids(rt, ids, why, sizeof why) != 0 ||
        daemon_dirs(rt, ids, why, sizeof why) != 0) {
        fprintf(err, "%s", why);
        goto fail;
    }
    (void)d;
    return 0;
fail:
    host_runtime_free(rt);
    return -1;
}

static void
reload(struct master *ms)
{
    struct daemon *d = ms->d;
    struct host_conf *hc = calloc(1, sizeof *hc);
    struct host_runtime *rt = calloc(1, sizeof *rt);
    struct daemon_ids ids;
    char *msg = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&msg, &len);
    int ok;

    mlog(ms, TERN_LOG_MAIN, "pid %ld: SIGHUP received: reloading the"
         " configuration", (long)getpid());
    if (hc == NULL || rt == NULL || err == NULL)
        abort();
    host_conf_init(hc);
    ok = host_conf_load(hc, d->cl, err) == 0;
    if (ok) {
        /* Modules are shared objects: the old runtime finishes them
         * before the new one initialises them again. */
        host_runtime_free(d->rt);
        ok = activate(d, hc, rt, &ids, err) == 0;
        if (!ok && activate(d, d->hc, d->rt, &d->ids, err) != 0) {
            fclose(err);
            mlog(ms, TERN_LOG_PANIC, "configuration reload failed and the"
                 " old configuration cannot be restored: %s", msg);
            free(msg);
            begin_stop(ms, SIGTERM);
            return;
        }
    }
    fclose(err);
    if (!ok) {
        for (char *p = msg; p && *p; p++)
            if (*p == '\n')
                *p = ' ';
        mlog(ms, TERN_LOG_MAIN | TERN_LOG_PANIC, "configuration reload"
             " failed, keeping the old one: %s", msg ? msg : "");
        free(msg);
        host_conf_free(hc);
        free(hc);
        free(rt);
        return;
    }
    free(msg);
    host_conf_free(d->hc);
    free(d->hc);
    free(d->rt);
    d->hc = hc;
    d->rt = rt;
    d->ids = ids;
    struct daemon_listeners nl;
    char why[256];
    if (daemon_listen_plan(&rt->opts, d->cl->listen, &nl, why,
                           sizeof why) != 0 || !daemon_listen_same(&nl, &d->ls))
        mlog(ms, TERN_LOG_MAIN, "the reloaded configuration listens"
             " elsewhere: restart the daemon for that to take effect");
    free(nl.l);
    /* New workers first, then the old ones retire: someone always
     * accepts, and the sockets never close. */
    ms->gen++;
    atomic_store(&d->shm->generation, ms->gen);
    ms->spawn_after = 0;
    spawn_missing(ms);
    signal_workers(ms, SIGUSR2, 1);
}

static int
wait_signal(struct master *ms, const sigset_t *set)
{
    long long now = now_ms(), until = -1;
    struct timespec ts;
    siginfo_t si;

    if (ms->stopping)
        until = ms->kill_at;
    else if (ms->spawn_after > now)
        until = ms->spawn_after;
    if (until < 0)
        return sigwaitinfo(set, &si);
    if (until < now)
        until = now;
    ts.tv_sec = (until - now) / 1000;
    ts.tv_nsec = (long)((until - now) % 1000) * 1000000;
    return sigtimedwait(set, &si, &ts);
}

int
daemon_master_run(struct daemon *d)
{
    struct master ms;
    sigset_t set;

    memset(&ms, 0, sizeof ms);
    ms.d = d;
    ms.gen = 1;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (;;) {
        spawn_missing(&ms);
        if (ms.stopping && live_workers(&ms) == 0)
            break;
        int sig = wait_signal(&ms, &set);

        switch (sig) {
        case SIGCHLD:
            reap(&ms);
            break;
        case SIGTERM:
        case SIGINT:
            begin_stop(&ms, sig);
            break;
        case SIGQUIT:
            begin_stop(&ms, SIGTERM);
            signal_workers(&ms, SIGQUIT, 0);
            break;
        case SIGHUP:
            if (!ms.stopping)
                reload(&ms);
            break;
        default:                /* SIGUSR1, a timeout */
            break;
        }
        reap(&ms);
        if (ms.stopping && now_ms() >= ms.kill_at)
            signal_workers(&ms, SIGKILL, 0);
    }
    if (d->pid_path != NULL)
        unlink(d->pid_path);
    return HOST_EXIT_OK;
}
