/*
 * NAME
 *   listen.c - the daemon's listening sockets, from -oX or
 *   local_interfaces x daemon_smtp_ports
 *
 * SYNOPSIS
 *   struct daemon_listeners ls;
 *   daemon_listen_plan(&rt->opts, cl->listen, &ls, err, sizeof err);
 *   daemon_listen_bind(&ls, &rt->opts, err, sizeof err);
 *
 * DESCRIPTION
 *   As Exim's chapter 13 describes: -oX is a list; items without dots or
 *   colons are ports and replace daemon_smtp_ports, items with them are
 *   interfaces and replace local_interfaces.  An interface may carry its
 *   own port as "addr.port" or "[addr]:port"; one without listens on
 *   every port of daemon_smtp_ports.  0.0.0.0 and ::0 mean every IPv4 or
 *   IPv6 interface.  Ports are numbers or service names, except attached
 *   to an address (numbers only, as Exim).  tls_on_connect_ports marks
 *   ports whose sessions start with TLS.
 *
 *   Sockets get SO_REUSEADDR (a restart does not wait for TIME_WAIT),
 *   IPV6_V6ONLY when IPv4 is bound on the same port too (so both binds
 *   succeed and each family is counted once), TCP_NODELAY when
 *   tcp_nodelay is set (inherited by accepted sockets), O_NONBLOCK (the
 *   workers accept from an event loop), and smtp_connect_backlog as the
 *   listen() backlog.  An address already in use is retried
 *   daemon_startup_retries times, daemon_startup_sleep apart.  A
 *   wildcard IPv6 socket on a host without IPv6 is skipped, as Exim does.
 *
 * DIAGNOSTICS
 *   "bad -oX item", "unknown port", "bind() to port P for address A
 *   failed: ..." in err.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_int.h"
#include "list.h"

#define ITEM_MAX 256

static int
is_wildcard(const char *a)
{
    struct in6_addr a6;

    if (strcmp(a, "0.0.0.0") == 0)
        return AF_INET;
    if (inet_pton(AF_INET6, a, &a6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&a6))
        return AF_INET6;
    return 0;
}

static int
family_of(const char *a)
{
    struct in_addr a4;
    struct in6_addr a6;
    char buf[64];
    const char *pct = strchr(a, '%');

    if (inet_pton(AF_INET, a, &a4) == 1)
        return AF_INET;
    /* A scope ("fe80::1%eth0") is allowed on IPv6 addresses. */
    if (pct != NULL && (size_t)(pct - a) < sizeof buf) {
        memcpy(buf, a, (size_t)(pct - a));
        buf[pct - a] = '\0';
        a = buf;
    }
    if (inet_pton(AF_INET6, a, &a6) == 1)
        return AF_INET6;
    return 0;
}

static int
port_number(const char *s, int names_ok)
{
    char *end;
    long v;

    if (*s == '\0')
        return -1;
    v = strtol(s, &end, 10);
    if (*end == '\0')
        return v > 0 && v < 65536 ? (int)v : -1;
    if (!names_ok)
        return -1;
    struct servent *se = getservbyname(s, "tcp");
    return se ? ntohs((unsigned short)se->s_port) : -1;
}

int
daemon_listen_parse_item(const char *item, char *addr, size_t addrlen,
                         int *port)
{
    const char *sep;
    size_t n;

    *port = -1;
    if (item[0] == '[') {
        const char *close = strchr(item, ']');

        if (close == NULL)
            return -1;
        n = (size_t)(close - item - 1);
        if (n >= addrlen)
            return -1;
        memcpy(addr, item + 1, n);
        addr[n] = '\0';
        if (close[1] == ':') {
            if ((*port = port_number(close + 2, 0)) < 0)
                return -1;
        } else if (close[1] != '\0') {
            return -1;
        }
        return family_of(addr) ? 0 : -1;
    }
    if (strlen(item) >= addrlen)
        return -1;
    strcpy(addr, item);
    if (family_of(addr))
        return 0;
    /* "192.0.2.1.25", "::1.25": the port follows the last dot. */
    sep = strrchr(item, '.');
    if (sep == NULL)
        return -1;
    n = (size_t)(sep - item);
    addr[n] = '\0';
    if (!family_of(addr) || (*port = port_number(sep + 1, 0)) < 0)
        return -1;
    return 0;
}

static void
add(struct daemon_listeners *ls, const char *addr, int port)
{
    struct daemon_listener *l;

    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].port == port && strcmp(ls->l[i].addr, addr) == 0)
            return;
    l = realloc(ls->l, (ls->n + 1) * sizeof *l);
    if (l == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    ls->l = l;
    l = &ls->l[ls->n++];
    memset(l, 0, sizeof *l);
    l->fd = -1;
    snprintf(l->addr, sizeof l->addr, "%s", addr);
    l->port = port;
    l->family = family_of(addr);
    l->wildcard = is_wildcard(addr) != 0;
}

/* A list of ports (numbers or names) into ports[]; count or -1. */
static int
port_list(const char *list, int *ports, int max, char *err, size_t errlen)
{
    struct tern_list_iter it;
    char buf[ITEM_MAX];
    const char *item;
    int too_long = 0, n = 0;

    tern_list_start(&it, list ? list : "", ':');
    while ((item = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL) {
        int p = port_number(item, 1);

        if (p < 0) {
            snprintf(err, errlen, "unknown port \"%s\"", item);
            return -1;
        }
        if (n < max)
            ports[n++] = p;
    }
    if (too_long) {
        snprintf(err, errlen, "port list item too long");
        return -1;
    }
    return n;
}

/* Split -oX into its port items and its interface items, each rebuilt
 * as a ";" list. */
static int
split_ox(const char *ox, char *ports, char *ifaces, size_t len, char *err,
         size_t errlen)
{
    struct tern_list_iter it;
    char buf[ITEM_MAX];
    const char *item;
    int too_long = 0;
    size_t np = 2, ni = 2;

    strcpy(ports, "<;");
    strcpy(ifaces, "<;");
    tern_list_start(&it, ox, ':');
    while ((item = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL) {
        int is_if = strpbrk(item, ".:") != NULL;
        char *dst = is_if ? ifaces : ports;
        size_t *n = is_if ? &ni : &np;
        int w = snprintf(dst + *n, len - *n, " %s ;", item);

        if (w < 0 || (size_t)w >= len - *n || strchr(item, ';')) {
            snprintf(err, errlen, "bad -oX item \"%s\"", item);
            return -1;
        }
        *n += (size_t)w;
    }
    if (too_long) {
        snprintf(err, errlen, "-oX item too long");
        return -1;
    }
    return 0;
}

int
daemon_listen_plan(const struct tern_opts_main *o, const char *ox,
                   struct daemon_listeners *out, char *err, size_t errlen)
{
    const char *ifaces = o->local_interfaces.text;
    const char *ports_s = o->daemon_smtp_ports.text;
    char oxp[4096], oxi[4096], buf[ITEM_MAX], addr[64];
    int ports[64], tls[64], nports, ntls;
    struct tern_list_iter it;
    const char *item;
    int too_long = 0;

    memset(out, 0, sizeof *out);
    if (ox != NULL) {
        if (split_ox(ox, oxp, oxi, sizeof oxp, err, errlen) != 0)
            return -1;
        if (strcmp(oxp, "<;") != 0)
            ports_s = oxp;
        if (strcmp(oxi, "<;") != 0)
            ifaces = oxi;
    }
    if (ports_s == NULL || *ports_s == '\0')
        ports_s = "smtp";
    if (ifaces == NULL || *ifaces == '\0')
        ifaces = "<; ::0 ; 0.0.0.0";
    if ((nports = port_list(ports_s, ports, 64, err, errlen)) < 0 ||
        (ntls = port_list(o->tls_on_connect_ports.text, tls, 64, err,
                          errlen)) < 0)
        return -1;
    tern_list_start(&it, ifaces, ':');
    while ((item = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL) {
        int port;

        if (daemon_listen_parse_item(item, addr, sizeof addr, &port) != 0) {
            snprintf(err, errlen, "\"%s\" is not an IP address with an"
                     " optional port", item);
            daemon_listen_close(out);
            return -1;
        }
        if (port >= 0)
            add(out, addr, port);
        for (int i = 0; port < 0 && i < nports; i++)
            add(out, addr, ports[i]);
    }
    if (too_long || out->n == 0) {
        snprintf(err, errlen, "no interfaces to listen on");
        daemon_listen_close(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        for (int k = 0; k < ntls; k++)
            if (out->l[i].port == tls[k])
                out->l[i].tls_on_connect = 1;
    return 0;
}

/* Is IPv4 also listened on this port (so v6 must not take v4-mapped)? */
static int
v4_on_port(const struct daemon_listeners *ls, int port)
{
    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].family == AF_INET && ls->l[i].port == port)
            return 1;
    return 0;
}

static int
sockaddr_of(const struct daemon_listener *l, struct sockaddr_storage *ss,
            socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    char port[16];

    memset(&hints, 0, sizeof hints);
    hints.ai_family = l->family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    snprintf(port, sizeof port, "%d", l->port);
    if (getaddrinfo(l->addr, port, &hints, &res) != 0 || res == NULL)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int
open_one(struct daemon_listeners *ls, struct daemon_listener *l,
         const struct tern_opts_main *o)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1, fd;

    if (sockaddr_of(l, &ss, &sl) != 0) {
        errno = EINVAL;
        return -1;
    }
    fd = socket(l->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (l->family == AF_INET6 && v4_on_port(ls, l->port))
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (o->tcp_nodelay)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
        listen(fd, o->smtp_connect_backlog > 0
                   ? (int)o->smtp_connect_backlog : 20) != 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    l->fd = fd;
    return 0;
}

int
daemon_listen_bind(struct daemon_listeners *ls,
                   const struct tern_opts_main *o, char *err, size_t errlen)
{
    long tries = o->daemon_startup_retries;

    for (size_t i = 0; i < ls->n; i++) {
        struct daemon_listener *l = &ls->l[i];

        while (l->fd < 0 && open_one(ls, l, o) != 0) {
            int e = errno;

            if (l->wildcard && l->family == AF_INET6 &&
                (e == EAFNOSUPPORT || e == EADDRNOTAVAIL)) {
                /* No IPv6 on this host: the IPv4 wildcard does. */
                l->family = 0;
                break;
            }
            if (e == EADDRINUSE && tries-- > 0) {
                fprintf(stderr, "tern: bind() to port %d for address %s"
                        " failed: %s: waiting %ds before trying again"
                        " (%ld more tries)\n", l->port, l->addr,
                        strerror(e), o->daemon_startup_sleep, tries);
                sleep((unsigned)(o->daemon_startup_sleep > 0
                                 ? o->daemon_startup_sleep : 1));
                continue;
            }
            snprintf(err, errlen, "bind() to port %d for address %s"
                     " failed: %s", l->port, l->addr, strerror(e));
            return -1;
        }
    }
    /* Drop what was skipped. */
    size_t k = 0;
    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].fd >= 0)
            ls->l[k++] = ls->l[i];
    ls->n = k;
    if (k == 0) {
        snprintf(err, errlen, "no listening socket could be opened");
        return -1;
    }
    return 0;
}

void
daemon_listen_close(struct daemon_listeners *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].fd >= 0)
            close(ls->l[i].fd);
    free(ls->l);
    ls->l = NULL;
    ls->n = 0;
}

/* One group of listeners, plain or TLS-on-connect, in Exim's words:
 * "port 25 (IPv6 and IPv4)" for a port every wildcard covers,
 * "[addr]:port" otherwise. */
static void
describe(const struct daemon_listeners *ls, int tls, struct tern_buf *b)
{
    size_t start = b->len;

    for (size_t i = 0; i < ls->n; i++) {
        const struct daemon_listener *l = &ls->l[i];
        int other = 0, seen = 0;

        if (l->tls_on_connect != tls)
            continue;
        if (!l->wildcard) {
            tern_buf_addf(b, "%s[%s]:%d", b->len > start ? " " : "", l->addr,
                          l->port);
            continue;
        }
        for (size_t k = 0; k < ls->n; k++) {
            if (k != i && ls->l[k].wildcard && ls->l[k].port == l->port &&
                ls->l[k].family != l->family) {
                other = 1;
                seen = k < i;
            }
        }
        if (!seen)
            tern_buf_addf(b, "%sport %d (%s)", b->len > start ? " " : "",
                          l->port, other ? "IPv6 and IPv4"
                          : l->family == AF_INET6 ? "IPv6" : "IPv4");
    }
}

/* What follows "listening for " in the start-up line: "SMTP on ...",
 * then "and for SMTPS on ..." for the TLS-on-connect ports. */
char *
daemon_listen_describe(const struct daemon_listeners *ls, struct tern_arena *a)
{
    struct tern_buf plain = { 0 }, tls = { 0 }, b = { 0 };
    char *s;

    describe(ls, 0, &plain);
    describe(ls, 1, &tls);
    if (plain.len > 0)
        tern_buf_addf(&b, "SMTP on %s", plain.data);
    if (tls.len > 0)
        tern_buf_addf(&b, "%sSMTPS on %s", plain.len > 0 ? " and for " : "",
                      tls.data);
    s = tern_strdup(a, b.data ? b.data : "");
    tern_buf_free(&plain);
    tern_buf_free(&tls);
    tern_buf_free(&b);
    return s;
}

int
daemon_listen_same(const struct daemon_listeners *a,
                   const struct daemon_listeners *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        size_t k;

        for (k = 0; k < b->n; k++)
            if (a->l[i].port == b->l[k].port &&
                strcmp(a->l[i].addr, b->l[k].addr) == 0)
                break;
        if (k == b->n)
            return 0;
    }
    return 1;
}
