/*
 * NAME
 *   smtp_io.c - the SMTP engine's input and output buffers
 *
 * DESCRIPTION
 *   Input is read in large pieces into one buffer that the command
 *   parser and the message-data decoder consume in place; it is
 *   compacted before each read, so it never holds more than one read's
 *   worth plus an incomplete command line (SMTP_CMD_MAX).
 *
 *   Replies are queued in the output buffer and written when the step
 *   loop has handled every command it can: a pipelined group of commands
 *   gets its replies in one write, as RFC 2920 intends.  Part of the
 *   output may be held back while an ACL `delay` runs (hold_pos).
 *
 *   Plain sockets are written with MSG_NOSIGNAL (a vanished client is an
 *   error return, not a signal); TLS goes through tls.h, whose calls may
 *   ask for the other direction (renegotiation, key updates), which is
 *   passed on to the caller's event loop as WANT_READ / WANT_WRITE.
 *
 *   In blocking mode (-bs) a read is only attempted when poll() says
 *   input is there, and writes loop until done; host_smtp_run_blocking()
 *   is the event loop for that one session, committing each message on
 *   its own.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_int.h"
#include "tls.h"

void
smtp_buf_free(struct smtp_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void
reserve(struct smtp_buf *b, size_t more)
{
    size_t need = b->len + more + 1;

    if (need <= b->cap)
        return;
    /* Drop what was written already before growing. */
    if (b->off > 0) {
        memmove(b->p, b->p + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
        need = b->len + more + 1;
        if (need <= b->cap)
            return;
    }
    size_t cap = b->cap ? b->cap : 1024;

    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);

    if (p == NULL) {
        perror("tern: smtp buffer");
        abort();
    }
    b->p = p;
    b->cap = cap;
}

void
smtp_out_add(struct host_smtp *s, const char *p, size_t n)
{
    size_t before_off = s->out.off;

    reserve(&s->out, n);
    /* A compaction moved the held part too. */
    if (s->hold_until != 0 && s->out.off < before_off)
        s->hold_pos -= before_off - s->out.off;
    memcpy(s->out.p + s->out.len, p, n);
    s->out.len += n;
    s->out.p[s->out.len] = '\0';
}

void
smtp_out_printf(struct host_smtp *s, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        smtp_out_add(s, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);

    if (big == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    smtp_out_add(s, big, (size_t)n);
    free(big);
}

size_t
smtp_out_pending(const struct host_smtp *s)
{
    return s->out.len - s->out.off;
}

static ssize_t
raw_write(struct host_smtp *s, const char *p, size_t n)
{
    ssize_t w;

    if (s->tls != NULL) {
        w = host_tls_write(s->tls, p, n);
        if (w == HOST_TLS_WANT_READ || w == HOST_TLS_WANT_WRITE) {
            s->tls_io_want = (int)w;
            errno = EAGAIN;
            return -1;
        }
        if (w < 0) {
            errno = EPIPE;
            return -1;
        }
        s->tls_io_want = 0;
        return w;
    }
    if (s->is_socket && !s->blocking)
        return send(s->out_fd, p, n, MSG_NOSIGNAL);
    return write(s->out_fd, p, n);
}

int
smtp_flush(struct host_smtp *s)
{
    size_t end = s->out.len;

    if (s->io_error)
        return s->out.off < s->out.len ? -1 : 0;
    if (s->hold_until != 0 && s->hold_pos < end)
        end = s->hold_pos;
    while (s->out.off < end) {
        ssize_t w = raw_write(s, s->out.p + s->out.off, end - s->out.off);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            s->io_error = 1;
            return -1;
        }
        s->out.off += (size_t)w;
        if (s->out.off < end && s->phase != PH_CLOSING)
            smtp_touch(s);      /* a slow reader is still a reader */
    }
    if (s->out.off == s->out.len) {
        s->out.off = s->out.len = 0;
        if (s->hold_until != 0)
            s->hold_pos = 0;
    }
    return 0;
}

/* In blocking mode: is there something to read right now? */
static int
readable_now(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return poll(&pfd, 1, 0) > 0;
}

int
smtp_fill(struct host_smtp *s)
{
    struct smtp_buf *b = &s->in;
    ssize_t r;

    if (b->off > 0) {
        memmove(b->p, b->p + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->cap < SMTP_IN_CAP + 1) {
        char *p = realloc(b->p, SMTP_IN_CAP + 1);

        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = SMTP_IN_CAP + 1;
    }
    if (b->len >= SMTP_IN_CAP)
        return -2;      /* full: the consumer must make room first */
    if (s->tls != NULL) {
        r = host_tls_read(s->tls, b->p + b->len, SMTP_IN_CAP - b->len);
        if (r == HOST_TLS_WANT_READ || r == HOST_TLS_WANT_WRITE) {
            s->tls_io_want = (int)r;
            return -2;
        }
        s->tls_io_want = 0;
        if (r == HOST_TLS_EOF)
            return 0;
        if (r < 0)
            return -1;
    } else {
        if (s->blocking && !readable_now(s->fd))
            return -2;
        do
            r = read(s->fd, b->p + b->len, SMTP_IN_CAP - b->len);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
        if (r == 0)
            return 0;
    }
    b->len += (size_t)r;
    b->p[b->len] = '\0';
    return (int)(r > 0x7fffffff ? 0x7fffffff : r);
}

int
smtp_input_waiting(struct host_smtp *s)
{
    char c;

    if (s->in.len > s->in.off)
        return 1;
    if (s->tls != NULL && host_tls_pending(s->tls) > 0)
        return 1;
    if (!s->is_socket)
        return 0;
    /* What Exim's select() with a zero timeout sees: bytes that have
     * arrived but were not read yet.  Pull them in, so they are logged
     * and never lost. */
    if (s->tls == NULL) {
        ssize_t r = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

        if (r <= 0)
            return 0;
        (void)smtp_fill(s);
        return s->in.len > s->in.off;
    }
    return readable_now(s->fd);
}

void
smtp_in_clear(struct host_smtp *s)
{
    s->in.off = s->in.len = 0;
}

int
host_smtp_run_blocking(struct host_smtp *s)
{
    for (;;) {
        unsigned want = host_smtp_step(s);
        struct pollfd pfd[2];
        nfds_t n = 0;
        long t;

        if (want & HOST_SMTP_DONE)
            return 0;
        if (want & HOST_SMTP_WANT_COMMIT) {
            struct tern_spool_out *o = host_smtp_pending_commit(s);
            struct tern_spool_err e;
            int status = 0;
            size_t ok;

            memset(&e, 0, sizeof e);
            ok = tern_spool_commit(s->spool, &o, 1, &status, &e);
            host_smtp_committed(s, ok == 1 && status == 0,
                                ok == 1 ? NULL : e.text);
            continue;
        }
        if (want & HOST_SMTP_WANT_READ)
            pfd[n++] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
        if (want & HOST_SMTP_WANT_WRITE)
            pfd[n++] = (struct pollfd){ .fd = s->out_fd, .events = POLLOUT };
        t = host_smtp_timeout_ms(s);
        if (n == 0 && t < 0)
            t = 1000;           /* nothing to wait for: should not happen */
        if (poll(pfd, n, (int)(t > 0x7fffffff ? 0x7fffffff : t)) < 0 &&
            errno != EINTR)
            return 1;
    }
}
