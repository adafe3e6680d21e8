/*
 * NAME
 *   smtp_bs.c - tern -bs: one SMTP session on the standard input and
 *   output
 *
 * SYNOPSIS
 *   printf 'HELO me\r\nMAIL FROM:<a@b>\r\n...' | tern -C conf -bs
 *
 * DESCRIPTION
 *   The same engine as the daemon's, driven by host_smtp_run_blocking():
 *   poll() on stdin and stdout, each message committed to the spool on
 *   its own before its 250.  As in Exim:
 *
 *     - a local caller is identified as U=login, its session has no host
 *       address (an ACL tests it with `hosts = :`), and the protocol is
 *       local-smtp, local-esmtp, local-esmtpa;
 *     - the sender given in MAIL is replaced by login@qualify_domain
 *       unless the caller is trusted (root, the Exim user, trusted_users,
 *       trusted_groups); "<>" stays;
 *     - synchronisation is not enforced, so a script may send all its
 *       commands at once;
 *     - when the standard input is a TCP socket (inetd), the peer is the
 *       client and the session is a remote one.
 *
 *   STARTTLS is offered to an inetd client (tls.h's context is built
 *   here), never on a local session.
 *
 * DIAGNOSTICS
 *   Configuration and spool problems on stderr, exit status 1.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "list.h"
#include "match.h"
#include "smtp_int.h"
#include "tls.h"

static int
in_id_list(const char *list, int group, long id)
{
    struct tern_list_iter it;
    char buf[256];
    const char *item;
    int too_long = 0;

    if (list == NULL)
        return 0;
    tern_list_start(&it, list, ':');
    while ((item = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL) {
        char *end;
        long v = strtol(item, &end, 10);

        if (*item != '\0' && *end == '\0') {
            if (v == id)
                return 1;
            continue;
        }
        if (group) {
            struct group *g = getgrnam(item);

            if (g != NULL && (long)g->gr_gid == id)
                return 1;
        } else {
            struct passwd *pw = getpwnam(item);

            if (pw != NULL && (long)pw->pw_uid == id)
                return 1;
        }
    }
    return 0;
}

/* May this caller set the envelope sender? */
static int
trusted(const struct host_runtime *rt)
{
    gid_t groups[256];
    int n;

    if (rt->caller_uid == 0 || (rt->exim_uid >= 0 &&
                                rt->caller_uid == rt->exim_uid))
        return 1;
    if (in_id_list(rt->opts.trusted_users.text, 0, rt->caller_uid) ||
        in_id_list(rt->opts.trusted_groups.text, 1, rt->caller_gid))
        return 1;
    n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (in_id_list(rt->opts.trusted_groups.text, 1, (long)groups[i]))
            return 1;
    return 0;
}

/* inetd: the client is the socket's peer. */
static void
peer_of_stdin(struct host_session *sess)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char buf[INET6_ADDRSTRLEN];

    if (getpeername(0, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;

        inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
        sess->peer_port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

        inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
        sess->peer_port = ntohs(in6->sin6_port);
    } else {
        return;
    }
    sess->peer_address = tern_strdup(sess->arena, buf);
    sess->is_local = 0;
}

/* Remove the -bh scratch spool (a few levels of files, no links). */
static void
remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            char sub[4096];

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (unlink(sub) != 0)
                remove_tree(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static struct tern_spool *
open_spool(struct host_runtime *rt)
{
    struct tern_spool_opts o;
    struct tern_spool_err e;
    struct tern_spool *sp;

    memset(&o, 0, sizeof o);
    o.directory = rt->spool_directory;
    o.split = rt->opts.split_spool_directory;
    o.sync = TERN_SPOOL_SYNC_FSYNC;
    o.owner_uid = geteuid() == 0 ? rt->exim_uid : -1;
    o.owner_gid = geteuid() == 0 ? rt->exim_gid : -1;
    if (o.directory == NULL) {
        fprintf(stderr, "tern: spool_directory is not set\n");
        return NULL;
    }
    if (mkdir(o.directory, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "tern: cannot create %s: %s\n", o.directory,
                strerror(errno));
        return NULL;
    }
    memset(&e, 0, sizeof e);
    sp = tern_spool_open(&o, &e);
    if (sp == NULL)
        fprintf(stderr, "tern: %s\n", e.text);
    return sp;
}

int
host_mode_bs(const struct host_cmdline *cl)
{
    struct host_conf hc;
    struct host_runtime rt;
    struct host_session sess;
    struct tern_ctx ctx;
    struct tern_spool *sp = NULL;
    struct host_smtp *s;
    int rc = HOST_EXIT_FAIL;
    char bh_spool[] = "/tmp/tern-bh.XXXXXX";

    host_conf_init(&hc);
    memset(&rt, 0, sizeof rt);
    if (host_conf_load(&hc, cl, stderr) != 0 ||
        host_runtime_init(&rt, &hc, "tern", stderr) != 0)
        goto out;
    if (host_bh_address != NULL) {
        /* -bh: a rehearsal.  Nothing is logged and the message goes to a
         * scratch spool that is removed afterwards, so the real queue
         * never sees it. */
        if (mkdtemp(bh_spool) == NULL) {
            fprintf(stderr, "tern: -bh: cannot make %s: %s\n", bh_spool,
                    strerror(errno));
            goto out;
        }
        rt.spool_directory = bh_spool;
        rt.no_log = 1;
    }
    if ((sp = open_spool(&rt)) == NULL)
        goto out;
    signal(SIGPIPE, SIG_IGN);
    memset(&sess, 0, sizeof sess);
    sess.arena = tern_arena_new();
    sess.is_smtp = 1;
    sess.is_local = 1;
    sess.login = rt.caller_login;
    sess.ident = rt.caller_login;
    sess.uid = rt.caller_uid;
    sess.gid = rt.caller_gid;
    sess.started = time(NULL);
    sess.host_cache = tern_match_cache_new();
    peer_of_stdin(&sess);
    if (host_bh_address != NULL) {
        sess.peer_address = host_bh_address;
        sess.peer_port = host_bh_port;
        sess.is_local = 0;
        sess.controls |= HOST_CTL_NO_ENFORCE_SYNC;
    }
    if (sess.peer_address != NULL) {
        char err[512];

        sess.ident = NULL;
        if (host_tls_server_init(&rt, err, sizeof err) != 0)
            host_log(&rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                     "TLS is not available: %s", err);
    }
    ctx = (struct tern_ctx){ &rt, &sess, NULL, NULL, sess.arena };
    s = smtp_new_fds(&ctx, sp, 0, 1, 1, 0);
    if (s != NULL) {
        s->untrusted = sess.peer_address == NULL && !trusted(&rt);
        rc = host_smtp_run_blocking(s) == 0 ? HOST_EXIT_OK : HOST_EXIT_FAIL;
        host_smtp_free(s);
    }
    if (sess.peer_address != NULL)
        host_tls_server_free();
    tern_match_cache_free(sess.host_cache);
    tern_arena_free(sess.arena);
out:
    if (sp != NULL)
        tern_spool_close(sp);
    if (host_bh_address != NULL && bh_spool[sizeof bh_spool - 2] != 'X')
        remove_tree(bh_spool);
    if (rt.hc != NULL)
        host_runtime_free(&rt);
    host_conf_free(&hc);
    return rc;
}
