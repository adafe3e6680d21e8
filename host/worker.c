/*
 * NAME
 *   worker.c - a session worker: many SMTP sessions in one event loop,
 *   their messages made durable together (group commit)
 *
 * SYNOPSIS
 *   worker_main(&args);            in a child the master forked; no return
 *
 * DESCRIPTION
 *   The worker drops to the daemon's user, opens the spool, and waits in
 *   epoll on the shared listening sockets (registered with EPOLLEXCLUSIVE,
 *   so a connection wakes one idle worker, not all of them) and on its
 *   sessions.  One turn of the loop:
 *
 *     1. wait for readiness, a signal, or the nearest session deadline
 *        (host_smtp_timeout_ms: receive timeouts, ACL delays);
 *     2. accept what is waiting; step every session that is ready or
 *        whose deadline passed;
 *     3. every session that now reports WANT_COMMIT joins the batch; when
 *        the commit thread is idle the whole batch goes to it, to be made
 *        durable with ONE tern_spool_commit() (worker_commit.c); when it
 *        comes back each engine hears its own outcome and only then sends
 *        its 250.
 *
 *   While one batch is being flushed the loop keeps serving and the next
 *   batch gathers, so under load every flush covers many messages: this
 *   is how the daemon goes past the disk's rate of single durable
 *   creates.  A 250 is never sent before its message's commit returned
 *   success.
 *
 *   Signals arrive through a signalfd: SIGTERM or SIGINT (daemon
 *   stopping) stops accepting and gives in-flight sessions
 *   DAEMON_STOP_GRACE_MS before they get 421; SIGUSR2 (a reload) retires
 *   the worker more patiently (DAEMON_DRAIN_GRACE_MS); SIGQUIT ends every
 *   session at once.  After max_use sessions the worker retires itself
 *   and tells the master, which starts a replacement at once.  If the
 *   master dies the kernel sends SIGTERM (PR_SET_PDEATHSIG).
 *
 * DIAGNOSTICS
 *   Start-up failures (privilege, spool) go to the panic log and the
 *   worker exits with status 1; the master logs the death and retries.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <tern/host.h>

#include "daemon_int.h"
#include "receive.h"
#include "smtp.h"
#include "spool.h"

#define EVENTS_MAX 256

long long
worker_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fail(struct worker *w, const char *what, const char *why)
{
    host_log(w->rt, TERN_LOG_PANIC, NULL, "session worker %ld: %s: %s",
             (long)getpid(), what, why);
    _exit(1);
}

static void
set_mask(struct worker *w, struct wsess *ws, unsigned mask)
{
    struct epoll_event ev;
    int op;

    if (mask == ws->mask)
        return;
    memset(&ev, 0, sizeof ev);
    ev.events = mask;
    ev.data.u64 = (unsigned long long)ws->idx;
    /* Not registered at all while it waits for a commit or a timer:
     * EPOLLHUP cannot be masked and would spin the loop. */
    op = mask == 0 ? EPOLL_CTL_DEL
                   : ws->mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(w->ep, op, ws->fd, &ev) == 0 || op == EPOLL_CTL_DEL)
        ws->mask = mask;
}

void
worker_drive(struct worker *w, struct wsess *ws)
{
    unsigned want = host_smtp_step(ws->s);
    unsigned mask = 0;
    long t;

    if (want & HOST_SMTP_DONE) {
        worker_end_session(w, ws);
        return;
    }
    if ((want & HOST_SMTP_WANT_COMMIT) && !ws->in_commit) {
        ws->in_commit = 1;
        w->batch[w->nbatch++] = ws;
    }
    if (want & HOST_SMTP_WANT_READ)
        mask |= EPOLLIN | EPOLLRDHUP;
    if (want & HOST_SMTP_WANT_WRITE)
        mask |= EPOLLOUT;
    /* Waiting for nothing at all would strand the session: listen.  One
     * whose message is being committed is not stepped until the outcome
     * is back, so it must not wake the loop either. */
    if (!(want & (HOST_SMTP_WANT_READ | HOST_SMTP_WANT_WRITE |
                  HOST_SMTP_WANT_COMMIT | HOST_SMTP_WANT_TIMER)))
        mask = EPOLLIN | EPOLLRDHUP;
    if (ws->in_commit)
        mask = 0;
    set_mask(w, ws, mask);
    t = host_smtp_timeout_ms(ws->s);
    ws->deadline = t < 0 ? -1 : worker_now_ms() + t;
}

void
worker_listen_on(struct worker *w, int on)
{
    const struct daemon_listeners *ls = w->a->ls;

    if (on == w->listening || (on && w->draining))
        return;
    for (size_t i = 0; i < ls->n; i++) {
        struct epoll_event ev;

        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.u64 = WORKER_TAG_LISTEN + i;
        epoll_ctl(w->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, ls->l[i].fd,
                  &ev);
    }
    w->listening = on;
}

/* Stop accepting; sessions left after grace_ms get 421. */
static void
drain(struct worker *w, long long grace_ms)
{
    long long until = worker_now_ms() + grace_ms;
    struct daemon_slot *slot = &w->a->shm->slots[w->a->slot];

    if (!w->draining) {
        w->draining = 1;
        worker_listen_on(w, 0);
        /* Our copies only: the master keeps the sockets open (unless it
         * is gone, and then nobody should be left holding them). */
        for (size_t i = 0; i < w->a->ls->n; i++)
            close(w->a->ls->l[i].fd);
        atomic_store(&slot->state, SLOT_DRAINING);
        /* The master replaces a draining worker at once. */
        kill(w->a->shm->master, SIGUSR1);
        w->drain_deadline = until;
    } else if (until < w->drain_deadline) {
        w->drain_deadline = until;
    }
}

void
worker_retire(struct worker *w)
{
    drain(w, DAEMON_DRAIN_GRACE_MS);
}

/* The grace is over: 421 to every session (one whose message is being
 * flushed gets it after the outcome), and a few seconds later whatever
 * still has not gone is dropped. */
static void
shutdown_all(struct worker *w, const char *why, long long now)
{
    int force = now >= w->drain_deadline + 5000;

    for (size_t i = 0; i < w->hint; i++) {
        struct wsess *ws = w->sess[i];

        if (ws == NULL || ws->in_commit)
            continue;
        if (force) {
            worker_end_session(w, ws);
        } else if (!ws->shut) {
            ws->shut = 1;
            host_smtp_shutdown(ws->s, why);
            worker_drive(w, ws);
        }
    }
}

static void
on_signal(struct worker *w)
{
    struct signalfd_siginfo si;

    while (read(w->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
            drain(w, DAEMON_STOP_GRACE_MS);
        else if (si.ssi_signo == SIGUSR2)
            drain(w, DAEMON_DRAIN_GRACE_MS);
        else if (si.ssi_signo == SIGQUIT)
            drain(w, 0);
    }
}

static int
next_timeout(struct worker *w, long long now)
{
    long long best = -1;

    if (w->draining)
        best = now < w->drain_deadline ? w->drain_deadline
                                        : w->drain_deadline + 5000;
    for (size_t i = 0; i < w->hint; i++) {
        struct wsess *ws = w->sess[i];

        if (ws != NULL && !ws->in_commit && ws->deadline >= 0 &&
            (best < 0 || ws->deadline < best))
            best = ws->deadline;
    }
    if (best < 0)
        return -1;
    return best <= now ? 0 : best - now > 60000 ? 60000 : (int)(best - now);
}

static void
timers(struct worker *w, long long now)
{
    for (size_t i = 0; i < w->hint; i++) {
        struct wsess *ws = w->sess[i];

        if (ws != NULL && !ws->in_commit && ws->deadline >= 0 &&
            ws->deadline <= now) {
            ws->deadline = -1;
            worker_drive(w, ws);
        }
    }
    if (w->draining && now >= w->drain_deadline)
        shutdown_all(w, NULL, now);
}

static void
loop(struct worker *w)
{
    struct epoll_event ev[EVENTS_MAX];

    while (!(w->draining && w->n == 0)) {
        int n = epoll_wait(w->ep, ev, EVENTS_MAX,
                           next_timeout(w, worker_now_ms()));

        if (n < 0 && errno != EINTR)
            fail(w, "epoll_wait", strerror(errno));
        for (int i = 0; i < n; i++) {
            unsigned long long tag = ev[i].data.u64;

            if (tag == WORKER_TAG_SIGNAL) {
                on_signal(w);
            } else if (tag == WORKER_TAG_COMMIT) {
                worker_commit_done(w);
            } else if (tag >= WORKER_TAG_LISTEN) {
                if (w->listening)
                    worker_accept(w, (size_t)(tag - WORKER_TAG_LISTEN));
            } else if (tag < w->cap && w->sess[tag] != NULL &&
                       !w->sess[tag]->in_commit) {
                worker_drive(w, w->sess[tag]);
            }
        }
        timers(w, worker_now_ms());
        worker_commit_kick(w);
    }
}

static enum tern_spool_sync
sync_mode(void)
{
    const char *s = getenv("TERN_DAEMON_SYNC");

    if (s != NULL && strcmp(s, "fsync") == 0)
        return TERN_SPOOL_SYNC_FSYNC;
    return TERN_SPOOL_SYNC_SYNCFS;
}

static void
setup(struct worker *w)
{
    const struct worker_args *a = w->a;
    struct tern_spool_opts so;
    struct tern_spool_err serr;
    struct epoll_event ev;
    sigset_t set;
    char err[512];

    /* The master's blocked set is inherited: keep what we read through
     * the signalfd blocked, let SIGCHLD be. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_SETMASK, &set, NULL);
    sigdelset(&set, SIGHUP);
    sigdelset(&set, SIGUSR1);
    w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (daemon_drop(a->ids, err, sizeof err) != 0)
        fail(w, "dropping privilege", err);
    /* After the drop: a change of credentials clears the setting. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != a->shm->master)
        _exit(0);                       /* the master died already */
    memset(&so, 0, sizeof so);
    so.directory = w->rt->spool_directory;
    so.split = w->rt->opts.split_spool_directory;
    so.sync = sync_mode();
    so.owner_uid = so.owner_gid = -1;
    if ((w->spool = tern_spool_open(&so, &serr)) == NULL)
        fail(w, "opening the spool", serr.text);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0 || w->sigfd < 0)
        fail(w, "epoll", strerror(errno));
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = WORKER_TAG_SIGNAL;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->sigfd, &ev);
    w->cap = (size_t)(daemon_fd_limit() - 32);
    if (w->cap > DAEMON_WORKER_SESSIONS)
        w->cap = DAEMON_WORKER_SESSIONS;
    w->sess = calloc(w->cap, sizeof *w->sess);
    w->batch = calloc(w->cap, sizeof *w->batch);
    if (w->sess == NULL || w->batch == NULL)
        fail(w, "setup", "out of memory");
    if (worker_commit_start(w) != 0)
        fail(w, "starting the commit thread", strerror(errno));
}

void
worker_main(const struct worker_args *a)
{
    struct worker w;
    struct daemon_slot *slot = &a->shm->slots[a->slot];

    memset(&w, 0, sizeof w);
    w.a = a;
    w.rt = a->rt;
    w.rt->is_daemon = 1;
    setup(&w);
    worker_listen_on(&w, 1);
    atomic_store(&slot->state, SLOT_ACCEPTING);
    loop(&w);
    worker_commit_stop(&w);
    tern_spool_close(w.spool);
    /* No later process with our pid may repeat one of our message ids. */
    host_receive_exit();
    _exit(0);
}
