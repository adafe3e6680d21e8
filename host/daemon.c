/*
 * NAME
 *   daemon.c - tern -bd / -bdf: the listening daemon
 *
 * SYNOPSIS
 *   tern -bd  [-C file] [-oX ports-or-interfaces] [-q...]
 *   tern -bdf [-C file] [-oX ports-or-interfaces]
 *
 * DESCRIPTION
 *   Loads the configuration, works out the listening sockets (listen.c)
 *   and binds them while still root, initialises TLS once (every worker
 *   inherits the context), creates what the workers' user must own
 *   (spool and log directories), creates the shared connection counters,
 *   and then, for -bd, detaches as Exim does (fork, setsid, standard
 *   streams on /dev/null; -bdf, or -d / -v, stays in the foreground).
 *   It writes the pid file, logs the start-up line Exim writes
 *
 *     tern 0.1.0 daemon started: pid=4242, no queue runs, listening for
 *     SMTP on port 25 (IPv6 and IPv4)
 *
 *   and becomes the master (daemon_master.c), which forks the session
 *   workers (worker.c).  docs/daemon.md describes the whole design.
 *
 *   Errors found before detaching (a bad configuration, a port in use, a
 *   missing user) are reported on stderr with exit status 1, so an init
 *   script or a terminal sees them.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tern/host.h>

#include "daemon_int.h"
#include "tls.h"

static int
fail(struct daemon *d, const char *what, const char *why)
{
    fprintf(stderr, "tern: %s%s%s\n", what, why ? ": " : "", why ? why : "");
    daemon_listen_close(&d->ls);
    if (d->rt != NULL)
        host_runtime_free(d->rt);
    if (d->hc != NULL)
        host_conf_free(d->hc);
    free(d->rt);
    free(d->hc);
    return HOST_EXIT_FAIL;
}

static size_t
host_table_size(const struct host_runtime *rt)
{
    long long max = rt->opts.smtp_accept_max;

    return max > 2048 ? (size_t)max * 2 : 4096;
}

static const char *
queue_note(const struct host_cmdline *cl, struct tern_arena *a)
{
    if (cl->queue_interval == NULL)
        return "no queue runs";
    return tern_printf(a, "-q%s%s", cl->queue_force == 2 ? "ff"
                                    : cl->queue_force ? "f" : "",
                       cl->queue_interval);
}

int
host_mode_bd(const struct host_cmdline *cl)
{
    struct daemon d;
    char err[1024];
    const char *desc;

    memset(&d, 0, sizeof d);
    d.cl = cl;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    d.hc = calloc(1, sizeof *d.hc);
    d.rt = calloc(1, sizeof *d.rt);
    if (d.hc == NULL || d.rt == NULL)
        return fail(&d, "out of memory", NULL);
    host_conf_init(d.hc);
    if (host_conf_load(d.hc, cl, stderr) != 0)
        return fail(&d, "the daemon was not started", NULL);
    if (host_runtime_init(d.rt, d.hc, "tern", stderr) != 0)
        return fail(&d, "the daemon was not started", NULL);
    d.rt->is_daemon = 1;
    if (daemon_ids(d.rt, &d.ids, err, sizeof err) != 0)
        return fail(&d, err, NULL);
    if (daemon_listen_plan(&d.rt->opts, cl->listen, &d.ls, err,
                           sizeof err) != 0)
        return fail(&d, cl->listen ? "-oX" : "local_interfaces", err);
    if (daemon_listen_bind(&d.ls, &d.rt->opts, err, sizeof err) != 0)
        return fail(&d, err, NULL);
    if (host_tls_server_init(d.rt, err, sizeof err) != 0)
        return fail(&d, "TLS", err);
    if (daemon_dirs(d.rt, &d.ids, err, sizeof err) != 0)
        return fail(&d, err, NULL);
    daemon_fd_limit();
    d.shm = daemon_shm_create(host_table_size(d.rt));
    if (d.shm == NULL)
        return fail(&d, "cannot create the shared counters", NULL);
    d.workers = daemon_worker_count();
    d.max_use = DAEMON_MAX_USE;
    if (getenv("TERN_DAEMON_MAX_USE") != NULL &&
        strtoul(getenv("TERN_DAEMON_MAX_USE"), NULL, 10) > 0)
        d.max_use = strtoul(getenv("TERN_DAEMON_MAX_USE"), NULL, 10);
    if (cl->queue_interval != NULL)
        fprintf(stderr, "tern: queue runs (-q) are not implemented yet:"
                " this daemon only receives\n");
    if (!cl->foreground && cl->debug == NULL && !cl->verbose &&
        daemon_detach(err, sizeof err) != 0)
        return fail(&d, err, NULL);
    d.shm->master = getpid();
    /* -oP is not parsed by this version: the configured path, or none
     * with -oX, as Exim. */
    d.pid_path = daemon_pid_path(d.rt, cl->listen, cl->pid_file);
    if (d.pid_path != NULL && daemon_pid_write(d.pid_path, err,
                                               sizeof err) != 0)
        daemon_log(d.rt, &d.ids, TERN_LOG_MAIN | TERN_LOG_PANIC, "%s", err);
    desc = daemon_listen_describe(&d.ls, d.rt->arena);
    daemon_log(d.rt, &d.ids, TERN_LOG_MAIN, "tern %s daemon started: pid=%ld,"
               " %s, listening for %s", PACKAGE_VERSION,
               (long)getpid(), queue_note(cl, d.rt->arena), desc);
    return daemon_master_run(&d);
}
