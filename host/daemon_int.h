/*
 * NAME
 *   daemon_int.h - what the daemon's parts (master, listeners, workers,
 *   shared limits) share
 *
 * DESCRIPTION
 *   The daemon is one master and a few session workers (docs/daemon.md):
 *
 *     daemon.c          tern -bd: load, bind, set up, detach, run the master
 *     daemon_master.c   the supervisor: forks, reaps, replaces, reloads
 *     daemon_setup.c    directories, pid file, detaching, dropping privilege
 *     daemon_shm.c      the shared counters behind smtp_accept_max and
 *                       smtp_accept_max_per_host, and the worker slots
 *     listen.c          -oX / local_interfaces x daemon_smtp_ports, bind()
 *     worker.c          a worker's event loop and group commit
 *     worker_accept.c   accepting a connection: limits, then a session
 */
#ifndef TERN_HOST_DAEMON_INT_H
#define TERN_HOST_DAEMON_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include <pthread.h>

#include "ctx.h"
#include "host.h"
#include "spool.h"

/* Workers forked ahead of need: one per CPU, at least 2 (one can flush
 * while the other serves), at most DAEMON_WORKERS_MAX. */
#define DAEMON_WORKERS_MIN 2
#define DAEMON_WORKERS_MAX 32
/* Slots for workers: the current generation plus those still draining
 * after a reload or a recycle. */
#define DAEMON_SLOTS 128
/* A worker retires after serving this many sessions (Postfix's max_use,
 * scaled for workers that serve many sessions at once). */
#define DAEMON_MAX_USE 5000
/* Most sessions one worker holds at once (also bounded by the
 * descriptor limit). */
#define DAEMON_WORKER_SESSIONS 4096
/* SIGTERM: how long in-flight sessions may take before they get 421. */
#define DAEMON_STOP_GRACE_MS 30000
/* Reload or recycle: how long an old worker's sessions may take. */
#define DAEMON_DRAIN_GRACE_MS 600000

/* ---- listeners (listen.c) ----------------------------------------------- */

struct daemon_listener {
    int fd;
    int family;                 /* AF_INET, AF_INET6 */
    char addr[64];              /* "127.0.0.1", "::", "0.0.0.0" */
    int port;
    int wildcard;               /* 0.0.0.0 or :: */
    int tls_on_connect;
};

struct daemon_listeners {
    struct daemon_listener *l;
    size_t n;
};

/* Work out what to listen on from -oX (`ox`, NULL when not given) or
 * local_interfaces x daemon_smtp_ports, marking tls_on_connect_ports.
 * Nothing is bound yet.  0, or -1 with a message in err. */
int daemon_listen_plan(const struct tern_opts_main *o, const char *ox,
                       struct daemon_listeners *out, char *err,
                       size_t errlen);
/* Bind and listen on every entry (retrying as daemon_startup_retries
 * says when an address is in use).  0, or -1 with a message. */
int daemon_listen_bind(struct daemon_listeners *ls,
                       const struct tern_opts_main *o, char *err,
                       size_t errlen);
void daemon_listen_close(struct daemon_listeners *ls);
/* "SMTP on port 25 (IPv6 and IPv4) [127.0.0.1]:2525 and for SMTPS on
 * port 465 (IPv6 and IPv4)", for the start-up line. */
char *daemon_listen_describe(const struct daemon_listeners *ls,
                             struct tern_arena *a);
/* Do both plans name the same sockets? */
int daemon_listen_same(const struct daemon_listeners *a,
                       const struct daemon_listeners *b);
/* Split "addr.port" or "[addr]:port" (port -1 when absent) and check the
 * address; exposed for tests.  0, or -1 when not an address. */
int daemon_listen_parse_item(const char *item, char *addr, size_t addrlen,
                             int *port);

/* ---- shared memory (daemon_shm.c) --------------------------------------- */

enum daemon_slot_state {
    SLOT_FREE = 0,
    SLOT_STARTING,              /* forked, not accepting yet */
    SLOT_ACCEPTING,
    SLOT_DRAINING               /* retiring: no more accepts */
};

struct daemon_host_ent {
    unsigned char key[16];      /* IPv6, or IPv4 mapped */
    unsigned count;             /* 0: free */
};

/* One worker's share of the counters: what the master takes back if the
 * worker dies without releasing it. */
struct daemon_slot {
    _Atomic int state;
    _Atomic int pid;
    _Atomic unsigned sessions;          /* counted in shm->active */
    _Atomic unsigned long served;
    unsigned generation;
    /* Per session (worker's index): the per-host key it holds. */
    unsigned char held_valid[DAEMON_WORKER_SESSIONS];
    unsigned char held[DAEMON_WORKER_SESSIONS][16];
};

struct daemon_shm {
    pid_t master;
    _Atomic long active;                /* connections in all workers */
    _Atomic unsigned generation;        /* bumped on every reload */
    pthread_mutex_t host_lock;          /* robust, process-shared */
    size_t host_size;                   /* power of two */
    _Atomic int host_full_logged;
    struct daemon_slot slots[DAEMON_SLOTS];
    struct daemon_host_ent hosts[];     /* host_size entries */
};

/* mmap(MAP_SHARED|MAP_ANONYMOUS) in the master, before any fork. */
struct daemon_shm *daemon_shm_create(size_t host_entries);
/* Reserve one connection against smtp_accept_max (0 = no limit) for
 * slot `slot`: 1 granted, 0 refused.  `active_before` gets the count
 * before this one (for the reserve check and the log). */
int daemon_shm_take(struct daemon_shm *m, int slot, long max,
                    long *active_before);
void daemon_shm_give(struct daemon_shm *m, int slot);
/* Per host: count one more from `key` held by session `sidx` of `slot`
 * unless `limit` (> 0) are there already: 1 granted, 0 refused, -1 the
 * table is full (granted, not counted). */
int daemon_shm_host_take(struct daemon_shm *m, int slot, int sidx,
                         const unsigned char key[16], unsigned limit);
void daemon_shm_host_give(struct daemon_shm *m, int slot, int sidx);
/* The master, after a worker died: give back all it held. */
void daemon_shm_reclaim(struct daemon_shm *m, int slot);

/* ---- set-up (daemon_setup.c) -------------------------------------------- */

/* The ids the workers run as: tern_user, else exim_user; exim_group.
 * -1 when we are not root (nothing to drop). */
struct daemon_ids {
    long uid, gid;
    const char *user;           /* name, for initgroups(); may be NULL */
};
int daemon_ids(const struct host_runtime *rt, struct daemon_ids *ids,
               char *err, size_t errlen);
/* Create spool_directory (and input/, msglog/, db/) and the log
 * directories, owned by ids. */
int daemon_dirs(struct host_runtime *rt, const struct daemon_ids *ids,
                char *err, size_t errlen);
/* setgroups, setgid, setuid, and check that root cannot come back. */
int daemon_drop(const struct daemon_ids *ids, char *err, size_t errlen);
/* Fork into the background, new session, stdio on /dev/null. */
int daemon_detach(char *err, size_t errlen);
/* The pid file path for this daemon, or NULL when none is written
 * (-oX without -oP, as Exim). */
const char *daemon_pid_path(struct host_runtime *rt, const char *ox,
                            const char *op);
int daemon_pid_write(const char *path, char *err, size_t errlen);
/* Raise the descriptor limit to its hard maximum; returns the soft
 * limit now in force. */
long daemon_fd_limit(void);
/* Log a line from the master with the workers' ids, so a log file the
 * master creates is one the workers can append to. */
void daemon_log(struct host_runtime *rt, const struct daemon_ids *ids,
                unsigned dest, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the master (daemon_master.c) --------------------------------------- */

struct daemon {
    const struct host_cmdline *cl;
    struct host_conf *hc;               /* heap: swapped on reload */
    struct host_runtime *rt;
    struct daemon_listeners ls;
    struct daemon_shm *shm;
    struct daemon_ids ids;
    const char *pid_path;               /* NULL: none */
    unsigned workers;                   /* how many accept at once */
    unsigned long max_use;
};

int daemon_master_run(struct daemon *d);
/* How many workers: TERN_DAEMON_WORKERS, else the CPU count, clamped. */
unsigned daemon_worker_count(void);

/* ---- a worker (worker.c) ------------------------------------------------ */

struct worker_args {
    struct host_runtime *rt;
    const struct daemon_listeners *ls;
    struct daemon_shm *shm;
    const struct daemon_ids *ids;
    int slot;
    unsigned long max_use;
};

/* Never returns: serves until told to stop, or retired, then _exit. */
void worker_main(const struct worker_args *a) __attribute__((noreturn));

/* Worker internals (worker.c, worker_accept.c). */
struct host_smtp;
struct tern_spool;
struct tern_match_cache;

struct wsess {
    struct host_smtp *s;
    struct tern_arena *arena;
    int fd;
    int idx;                    /* in worker.sess; the shm held[] index */
    unsigned mask;              /* epoll events registered; 0: none */
    long long deadline;         /* monotonic ms, -1: none */
    int in_commit;              /* its message is being made durable */
    int shut;                   /* host_smtp_shutdown() was called */
    struct tern_match_cache *host_cache;
};

/* The committer thread of a worker (worker_commit.c). */
struct worker_commit {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int efd;                    /* eventfd: a batch is done */
    int started, quit;
    int busy;                   /* a batch is with the thread */
    int returned;               /* done, not yet taken back */
    struct wsess **sess;        /* the batch in flight */
    struct tern_spool_out **outs;
    int *status;
    size_t n;
    struct tern_spool_err err;
};

struct worker {
    const struct worker_args *a;
    struct host_runtime *rt;
    struct tern_spool *spool;
    int ep, sigfd;
    int listening;              /* listeners are in the epoll set */
    struct wsess **sess;        /* cap entries, NULL = free */
    size_t cap, n, hint;
    struct wsess **batch;       /* WANT_COMMIT, waiting for the thread */
    size_t nbatch;
    struct worker_commit wc;
    int draining;               /* no more accepts; exit when idle */
    long long drain_deadline;   /* then 421 to whoever is left */
    unsigned long served;
};

/* Epoll tags: listener i is TAG_LISTEN + i, sessions are their index. */
#define WORKER_TAG_SIGNAL (1ull << 40)
#define WORKER_TAG_COMMIT (1ull << 39)
#define WORKER_TAG_LISTEN (1ull << 41)

long long worker_now_ms(void);
/* Accept what is waiting on listener i (as many as the limits allow). */
void worker_accept(struct worker *w, size_t i);
/* Run the engine of one session and act on what it wants. */
void worker_drive(struct worker *w, struct wsess *ws);
/* Close, give back its counts, free. */
void worker_end_session(struct worker *w, struct wsess *ws);
void worker_listen_on(struct worker *w, int on);
/* worker_commit.c: start the thread (eventfd into the epoll set);
 * hand the waiting batch over when the thread is idle; take a finished
 * batch back and tell each engine; stop the thread. */
int worker_commit_start(struct worker *w);
void worker_commit_kick(struct worker *w);
void worker_commit_done(struct worker *w);
void worker_commit_stop(struct worker *w);
/* Served max_use sessions: stop accepting, finish, exit. */
void worker_retire(struct worker *w);

#endif
