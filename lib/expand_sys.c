/*
 * NAME
 *   expand_sys.c - plain implementations of the ${run} and
 *   ${readsocket} hooks
 *
 * SYNOPSIS
 *   env.run = tern_exp_default_run;
 *   env.readsocket = tern_exp_default_readsocket;
 *
 * DESCRIPTION
 *   tern_exp_default_run() forks and execv()s argv[0] (no PATH search and
 *   no shell, as Exim), with stdin on /dev/null and stdout and stderr on
 *   one pipe whose contents become the output; a command still running
 *   after an hour is killed.  An exec failure is exit status 127.
 *
 *   tern_exp_default_readsocket() connects to a Unix socket path or to
 *   inet:HOST:PORT (HOST may be [v6]), trying each address in turn, with
 *   the timeout from the options applied to connecting and to every
 *   read, writes the request, shuts down the write side unless told not
 *   to, and reads to end of file.  TLS is refused: a host that offers it
 *   plugs in its own hook.
 *
 *   Both block; a host with an event loop runs them in a helper or
 *   provides its own.
 *
 * DIAGNOSTICS
 *   Failures return TERN_ERROR (run) or TERN_FAIL (readsocket) with a
 *   message in *err naming the system call and errno.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

#define READ_MAX (16u * 1024u * 1024u)

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read fd to EOF into b; 0 at EOF, -1 on error or timeout (errno). */
static int read_all(int fd, struct xb *b, long long deadline)
{
    char buf[8192];
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd pf = { fd, POLLIN, 0 };
        int pr = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return -1;
        if (pr == 0)
            continue;
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        xb_add(b, buf, (size_t)r);
        if (b->overflow) {
            errno = EFBIG;
            return -1;
        }
    }
}

int tern_exp_default_run(void *arg, const char *const *argv,
                         struct tern_arena *a, char **out, size_t *olen,
                         int *rc, const char **err)
{
    int fds[2];
    (void)arg;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        *err = tern_printf(a, "pipe: %s", strerror(errno));
        return TERN_ERROR;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *err = tern_printf(a, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return TERN_ERROR;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0 && nul != 0) {
            dup2(nul, 0);
            close(nul);
        }
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    struct xb b;
    xb_init(&b, a, READ_MAX);
    int r = read_all(fds[0], &b, now_ms() + 3600 * 1000LL);
    close(fds[0]);
    if (r < 0)
        kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct xs s = xb_str(&b);
    *out = (char *)s.p;
    *olen = s.len;
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return TERN_OK;
}

/* Connect fd to addr within the deadline. */
static int connect_to(int fd, const struct sockaddr *sa, socklen_t len,
                      long long deadline)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int r = connect(fd, sa, len);
    if (r < 0 && errno == EINPROGRESS) {
        struct pollfd pf = { fd, POLLOUT, 0 };
        long long left = deadline - now_ms();
        r = poll(&pf, 1, left > 0 ? (int)left : 0);
        if (r == 0) {
            errno = ETIMEDOUT;
            r = -1;
        } else if (r > 0) {
            int e = 0;
            socklen_t el = sizeof e;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
            errno = e;
            r = e ? -1 : 0;
        }
    }
    fcntl(fd, F_SETFL, fl);
    return r;
}

static int open_socket(const char *where, long long deadline,
                       struct tern_arena *a, const char **err)
{
    if (strncmp(where, "inet:", 5) != 0) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        if (strlen(where) >= sizeof sun.sun_path) {
            *err = tern_printf(a, "socket path too long: %s", where);
            return -1;
        }
        memcpy(sun.sun_path, where, strlen(where));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect_to(fd, (struct sockaddr *)&sun, sizeof sun,
                                  deadline) == 0)
            return fd;
        *err = tern_printf(a, "failed to connect to socket %s: %s", where,
                           strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    const char *h = where + 5, *colon = strrchr(h, ':');
    if (!colon || colon == h) {
        *err = tern_printf(a, "missing port for readsocket %s", where);
        return -1;
    }
    char *host = tern_strndup(a, h, (size_t)(colon - h));
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        host++;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, colon + 1, &hints, &res);
    if (g != 0) {
        *err = tern_printf(a, "no IP address found for host %s: %s", host,
                           gai_strerror(g));
        return -1;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd >= 0 && connect_to(fd, ai->ai_addr, ai->ai_addrlen,
                                  deadline) == 0)
            break;
        e = errno;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        *err = tern_printf(a, "failed to connect to %s: %s", where,
                           strerror(e));
    return fd;
}

int tern_exp_default_readsocket(void *arg, const char *where,
                                const char *req, size_t req_len,
                                const struct tern_exp_sockopts *o,
                                struct tern_arena *a, char **out,
                                size_t *olen, const char **err)
{
    (void)arg;
    if (o->tls) {
        *err = "readsocket: TLS is not supported by this host";
        return TERN_FAIL;
    }
    long long deadline = now_ms() + (long long)(o->timeout > 0 ?
                                                o->timeout : 5) * 1000;
    int fd = open_socket(where, deadline, a, err);
    if (fd < 0)
        return TERN_FAIL;
    size_t done = 0;
    while (done < req_len) {
        ssize_t w = send(fd, req + done, req_len - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            *err = tern_printf(a, "request write to socket failed: %s",
                               strerror(errno));
            close(fd);
            return TERN_FAIL;
        }
        done += (size_t)w;
    }
    if (o->shutdown)
        shutdown(fd, SHUT_WR);
    struct xb b;
    xb_init(&b, a, READ_MAX);
    int r = read_all(fd, &b, deadline);
    int e = errno;
    close(fd);
    if (r < 0) {
        *err = tern_printf(a, "socket read failed: %s", strerror(e));
        return TERN_FAIL;
    }
    struct xs s = xb_str(&b);
    *out = (char *)s.p;
    *olen = s.len;
    return TERN_OK;
}
