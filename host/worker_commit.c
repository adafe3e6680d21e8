/*
 * NAME
 *   worker_commit.c - group commit: one thread per worker makes batches
 *   of messages durable while the event loop keeps serving
 *
 * SYNOPSIS
 *   worker_commit_start(w);        after the spool is open
 *   ... a session reports WANT_COMMIT: it joins w->batch ...
 *   worker_commit_kick(w);         end of every loop turn
 *   worker_commit_done(w);         the eventfd said a batch is back
 *
 * DESCRIPTION
 *   Flushing takes milliseconds; a worker that flushed inline would stop
 *   every other session meanwhile, and its batches would hold only what
 *   finished in the same loop turn.  So the flush runs in a thread of its
 *   own: the loop hands over everything waiting (the batch) whenever the
 *   thread is idle, and goes on reading, parsing and spooling for the
 *   other sessions.  What finishes while a flush is running forms the next
 *   batch, handed over the moment the flush returns.  An idle server thus
 *   flushes each message at once (no added delay), and a busy one flushes
 *   as many messages per tern_spool_commit() as arrived during the
 *   previous one: the batch grows with the load, which is the point.
 *
 *   The thread touches only the batch's spool files (struct
 *   tern_spool_out) and the spool's directory descriptors, which are
 *   opened before the first commit; the engines are told the outcome
 *   (host_smtp_committed) back in the loop's thread, so an engine is only
 *   ever used from one thread.  A session whose message is with the
 *   thread is not stepped, timed out or shut down until it comes back.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon_int.h"
#include "smtp.h"

static void *
committer(void *arg)
{
    struct worker *w = arg;
    struct worker_commit *c = &w->wc;
    uint64_t one = 1;

    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->busy && !c->quit)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->quit)
            break;
        pthread_mutex_unlock(&c->mu);
        memset(&c->err, 0, sizeof c->err);
        tern_spool_commit(w->spool, c->outs, c->n, c->status, &c->err);
        pthread_mutex_lock(&c->mu);
        c->busy = 0;
        c->returned = 1;                /* until the loop takes it back */
        while (write(c->efd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int
worker_commit_start(struct worker *w)
{
    struct worker_commit *c = &w->wc;
    struct epoll_event ev;

    c->sess = calloc(w->cap, sizeof *c->sess);
    c->outs = calloc(w->cap, sizeof *c->outs);
    c->status = calloc(w->cap, sizeof *c->status);
    c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (c->sess == NULL || c->outs == NULL || c->status == NULL ||
        c->efd < 0)
        return -1;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = WORKER_TAG_COMMIT;
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->efd, &ev) != 0)
        return -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->thread, NULL, committer, w) != 0)
        return -1;
    c->started = 1;
    return 0;
}

void
worker_commit_kick(struct worker *w)
{
    struct worker_commit *c = &w->wc;
    size_t k = 0;

    int idle;

    pthread_mutex_lock(&c->mu);
    idle = !c->busy && !c->returned;
    pthread_mutex_unlock(&c->mu);
    if (!idle || w->nbatch == 0)
        return;
    for (size_t i = 0; i < w->nbatch; i++) {
        struct wsess *ws = w->batch[i];
        struct tern_spool_out *o = host_smtp_pending_commit(ws->s);

        if (o == NULL) {                /* nothing after all */
            ws->in_commit = 0;
            continue;
        }
        c->sess[k] = ws;
        c->outs[k++] = o;
    }
    w->nbatch = 0;
    if (k == 0)
        return;
    pthread_mutex_lock(&c->mu);
    c->n = k;
    c->busy = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

void
worker_commit_done(struct worker *w)
{
    struct worker_commit *c = &w->wc;
    uint64_t v;
    size_t n;

    if (read(c->efd, &v, sizeof v) != (ssize_t)sizeof v)
        return;
    pthread_mutex_lock(&c->mu);
    n = c->returned ? c->n : 0;
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        struct wsess *ws = c->sess[i];
        const char *why = NULL;

        if (c->status[i] != 0)
            why = c->err.text[0] ? c->err.text : strerror(c->status[i]);
        ws->in_commit = 0;
        host_smtp_committed(ws->s, c->status[i] == 0, why);
    }
    /* Step them (250s go out; pipelined next messages may join the
     * batch), then free the thread for the next batch. */
    for (size_t i = 0; i < n; i++)
        worker_drive(w, c->sess[i]);
    pthread_mutex_lock(&c->mu);
    c->returned = 0;
    c->n = 0;
    pthread_mutex_unlock(&c->mu);
    worker_commit_kick(w);
}

void
worker_commit_stop(struct worker *w)
{
    struct worker_commit *c = &w->wc;

    if (!c->started)
        return;
    pthread_mutex_lock(&c->mu);
    c->quit = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    c->started = 0;
}
