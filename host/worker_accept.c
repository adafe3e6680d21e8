/*
 * NAME
 *   worker_accept.c - taking a connection: the daemon's limits, then a
 *   session for the SMTP engine
 *
 * DESCRIPTION
 *   A worker woken on a listening socket accepts what is waiting (a few
 *   dozen at most per wake, so one worker does not take a whole burst)
 *   and checks each connection in Exim's order:
 *
 *     smtp_accept_max        "421 Too many concurrent SMTP connections;
 *                            please try again later."
 *     smtp_accept_max_per_host (expanded with $sender_host_address)
 *                            "421 Too many concurrent SMTP connections
 *                            from this IP address; please try again
 *                            later."
 *     smtp_accept_reserve    once fewer than that many slots are left,
 *                            only smtp_reserve_hosts get in; others get
 *                            "421 HOST: Too many concurrent SMTP
 *                            connections; please try again later"
 *
 *   with the same main log lines Exim writes.  The counts are shared by
 *   all workers (daemon_shm.c).  An accepted connection gets an arena, a
 *   struct host_session with its addresses (IPv4-mapped IPv6 addresses
 *   shown as IPv4, as Exim does), SO_KEEPALIVE per smtp_accept_keepalive,
 *   TCP_NODELAY per tcp_nodelay, and an SMTP engine, which is stepped at
 *   once so the banner goes out without waiting for the next turn.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <tern/host.h>
#include <tern/module.h>

#include "daemon_int.h"
#include "match.h"
#include "smtp.h"

#define ACCEPT_BURST 32

/* Text form, port, and 16-byte key of a socket address. */
static void
addr_of(const struct sockaddr_storage *ss, char *ip, size_t iplen, int *port,
        unsigned char key[16])
{
    memset(key, 0, 16);
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

        memcpy(key, &s6->sin6_addr, 16);
        *port = ntohs(s6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
            inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip,
                      (socklen_t)iplen);
        else
            inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)iplen);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

        key[10] = key[11] = 0xff;
        memcpy(key + 12, &s4->sin_addr, 4);
        *port = ntohs(s4->sin_port);
        inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)iplen);
    }
}

static void
refuse(int fd, const char *line)
{
    /* A fresh socket's buffer takes one line; never wait for it. */
    ssize_t r = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

    (void)r;
    close(fd);
}

/* smtp_accept_max_per_host for this client: 0 = no limit. */
static unsigned
per_host_limit(struct worker *w, struct tern_ctx *ctx)
{
    const char *t = w->rt->opts.smtp_accept_max_per_host.text, *out, *why;
    char *end;
    long v;

    if (t == NULL || *t == '\0')
        return 0;
    if (strchr(t, '$') != NULL) {
        if (host_expand(ctx, t, &out, &why) != 0) {
            host_log(w->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                     "expansion of smtp_accept_max_per_host failed: %s",
                     why ? why : "forced failure");
            return 0;
        }
        t = out;
    }
    v = strtol(t, &end, 10);
    return v > 0 ? (unsigned)v : 0;
}

static int
free_index(struct worker *w)
{
    for (size_t i = 0; i < w->cap; i++)
        if (w->sess[i] == NULL)
            return (int)i;
    return -1;
}

static struct tern_ctx *
new_ctx(struct worker *w, struct tern_arena *a, int fd, const char *ip,
        int port)
{
    struct host_session *sess = tern_alloc(a, sizeof *sess);
    struct tern_ctx *ctx = tern_alloc(a, sizeof *ctx);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    unsigned char key[16];
    char lip[INET6_ADDRSTRLEN] = "";
    int lport = 0;

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        addr_of(&ss, lip, sizeof lip, &lport, key);
    sess->arena = a;
    sess->is_smtp = 1;
    sess->peer_address = tern_strdup(a, ip);
    sess->peer_port = port;
    sess->local_address = tern_strdup(a, lip);
    sess->local_port = lport;
    sess->started = time(NULL);
    sess->uid = sess->gid = -1;
    /* Host lists are cached per connection (freed with the session). */
    sess->host_cache = tern_match_cache_new();
    ctx->rt = w->rt;
    ctx->sess = sess;
    ctx->arena = a;
    return ctx;
}

/* The limits, in Exim's order.  1: go ahead; 0: refused (fd closed,
 * every count taken back). */
static int
admit(struct worker *w, int fd, int idx, struct tern_ctx *ctx,
      const unsigned char key[16])
{
    struct daemon_shm *m = w->a->shm;
    const struct tern_opts_main *o = &w->rt->opts;
    const char *ip = ctx->sess->peer_address;
    long before;
    unsigned limit;

    if (!daemon_shm_take(m, w->a->slot, (long)o->smtp_accept_max, &before)) {
        host_log(w->rt, TERN_LOG_MAIN, NULL, "Connection from [%s] refused:"
                 " too many connections", ip);
        refuse(fd, "421 Too many concurrent SMTP connections;"
               " please try again later.\r\n");
        return 0;
    }
    if ((limit = per_host_limit(w, ctx)) > 0) {
        int r = daemon_shm_host_take(m, w->a->slot, idx, key, limit);

        if (r == 0) {
            daemon_shm_give(m, w->a->slot);
            host_log(w->rt, TERN_LOG_MAIN, NULL, "Connection from [%s]"
                     " refused: too many connections from that IP address",
                     ip);
            refuse(fd, "421 Too many concurrent SMTP connections from this"
                   " IP address; please try again later.\r\n");
            return 0;
        }
        if (r < 0 && !atomic_exchange(&m->host_full_logged, 1))
            host_log(w->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                     "too many client addresses to count connections per"
                     " host: smtp_accept_max_per_host is not applied to"
                     " new ones");
    }
    if (o->smtp_accept_max > 0 && o->smtp_accept_reserve > 0 &&
        before >= o->smtp_accept_max - o->smtp_accept_reserve &&
        (o->smtp_reserve_hosts.text == NULL ||
         w->rt->api->match_hostlist(ctx, o->smtp_reserve_hosts.text)
             != TERN_OK)) {
        daemon_shm_host_give(m, w->a->slot, idx);
        daemon_shm_give(m, w->a->slot);
        host_log(w->rt, TERN_LOG_MAIN, NULL, "temporarily refused connection"
                 " from [%s]: not in reserve list: connected=%ld max=%lld"
                 " reserve=%lld", ip, before, o->smtp_accept_max,
                 o->smtp_accept_reserve);
        char line[512];
        snprintf(line, sizeof line, "421 %s: Too many concurrent SMTP"
                 " connections; please try again later\r\n",
                 w->rt->primary_hostname);
        refuse(fd, line);
        return 0;
    }
    return 1;
}

static void
start_session(struct worker *w, const struct daemon_listener *l, int fd,
              const struct sockaddr_storage *peer)
{
    const struct tern_opts_main *o = &w->rt->opts;
    char ip[INET6_ADDRSTRLEN];
    unsigned char key[16];
    int port, idx = free_index(w), one = 1;
    struct tern_arena *a;
    struct tern_ctx *ctx;
    struct wsess *ws;

    addr_of(peer, ip, sizeof ip, &port, key);
    if (idx < 0) {
        close(fd);
        return;
    }
    a = tern_arena_new();
    ctx = new_ctx(w, a, fd, ip, port);
    if (!admit(w, fd, idx, ctx, key)) {
        tern_match_cache_free(ctx->sess->host_cache);
        tern_arena_free(a);
        return;
    }
    if (o->smtp_accept_keepalive)
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (o->tcp_nodelay)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ws = tern_alloc(a, sizeof *ws);
    ws->arena = a;
    ws->fd = fd;
    ws->idx = idx;
    ws->deadline = -1;
    ws->host_cache = ctx->sess->host_cache;
    ws->s = host_smtp_new(ctx, w->spool, fd, l->tls_on_connect);
    w->sess[idx] = ws;
    w->n++;
    if ((size_t)idx >= w->hint)
        w->hint = (size_t)idx + 1;
    if (ws->s == NULL) {
        worker_end_session(w, ws);
        return;
    }
    worker_drive(w, ws);
}

void
worker_accept(struct worker *w, size_t li)
{
    const struct daemon_listener *l = &w->a->ls->l[li];

    for (int k = 0; k < ACCEPT_BURST && !w->draining; k++) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof peer;
        int fd;

        if (w->n >= w->cap) {
            worker_listen_on(w, 0);     /* back on when one ends */
            return;
        }
        fd = accept4(l->fd, (struct sockaddr *)&peer, &pl,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                host_log(w->rt, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL,
                         "accept() failed: %s", strerror(errno));
                if (w->n > 0)
                    worker_listen_on(w, 0);
            }
            return;
        }
        start_session(w, l, fd, &peer);
    }
}

void
worker_end_session(struct worker *w, struct wsess *ws)
{
    struct daemon_shm *m = w->a->shm;
    struct daemon_slot *slot = &m->slots[w->a->slot];

    /* The engine owns the descriptor (closing it takes it out of the
     * epoll set). */
    if (ws->s != NULL)
        host_smtp_free(ws->s);
    else
        close(ws->fd);
    if (ws->host_cache != NULL)
        tern_match_cache_free(ws->host_cache);
    daemon_shm_host_give(m, w->a->slot, ws->idx);
    daemon_shm_give(m, w->a->slot);
    w->sess[ws->idx] = NULL;
    while (w->hint > 0 && w->sess[w->hint - 1] == NULL)
        w->hint--;
    w->n--;
    w->served++;
    atomic_store(&slot->served, w->served);
    tern_arena_free(ws->arena);
    if (w->served >= w->a->max_use && !w->draining)
        worker_retire(w);
    else if (!w->listening && !w->draining)
        worker_listen_on(w, 1);
}
