/*
 * NAME
 *   acl_mod.c - ACL modifiers
 *
 * DESCRIPTION
 *   Modifiers act when they are met, before the conditions after them
 *   (Exim 4.96, 44.21):
 *
 *     add_header     header lines for the message, kept in
 *                    ctx->msg->hdr_changes until it is spooled; a line
 *                    may start with :at_start:, :after_received:,
 *                    :at_start_rfc: or :at_end: (kept in the text for the
 *                    spool writer); a line that is not a header gets
 *                    "X-ACL-Warn: "; a line already added is not added
 *                    again
 *     remove_header  a colon list of header names, kept the same way
 *     set            $acl_c... / $acl_m... (host_var_set)
 *     control        session or message flags (acl_control.c)
 *     delay          added to the result's delay, never slept here
 *     logwrite       a log line now; ":main,reject:" or ":panic:" in
 *                    front chooses the logs
 *     log_reject_target  the logs a rejection goes to
 *     continue       nothing but the expansion's side effects
 *     udpsend        one UDP datagram: server : port : data
 *
 * DIAGNOSTICS
 *   "bad time value "x" for delay", "invalid log name "x" in logwrite",
 *   "named queues are not supported" (queue = x).
 */
#include "config.h"

#include <ctype.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tern/host.h>
#include <tern/module.h>

#include "acl_int.h"
#include "host.h"
#include "list.h"
#include "optval.h"

#define W HOST_ACL_W

/* ---- headers ---- */

static int
is_header_line(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] > ' ' && s[i] < 127 && s[i] != ':')
        i++;
    return i > 0 && i < n && s[i] == ':';
}

static void
add_change(struct tern_ctx *ctx, int remove, const char *text)
{
    struct host_hdr_change **pp, *c;

    if (ctx->msg == NULL)
        return;
    for (pp = &ctx->msg->hdr_changes; *pp != NULL; pp = &(*pp)->next)
        if (!remove && !(*pp)->remove && strcmp((*pp)->text, text) == 0)
            return;
    c = tern_alloc(ctx->msg->arena, sizeof *c);
    c->remove = remove;
    c->text = tern_strdup(ctx->msg->arena, text);
    *pp = c;
}

void
host_acl_add_headers(struct host_acl_run *r, const char *text)
{
    static const char *const where[] = {
        ":at_start:", ":after_received:", ":at_start_rfc:", ":at_end:"
    };
    size_t len = strlen(text);

    while (*text == '\n') {
        text++;
        len--;
    }
    while (len > 0 && text[len - 1] == '\n')
        len--;
    while (len > 0) {
        /* One header: up to a newline not followed by a blank. */
        size_t n = 0, p = 0;
        while (n < len && !(text[n] == '\n' && n + 1 < len &&
                            text[n + 1] != ' ' && text[n + 1] != '\t'))
            n++;
        for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
            size_t wl = strlen(where[i]);
            if (n >= wl && strncmp(text, where[i], wl) == 0)
                p = wl;
        }
        const char *line = is_header_line(text + p, n - p)
            ? tern_printf(r->ctx->arena, "%.*s\n", (int)n, text)
            : tern_printf(r->ctx->arena, "%.*sX-ACL-Warn: %.*s\n", (int)p,
                          text, (int)(n - p), text + p);
        add_change(r->ctx, 0, line);
        host_acl_tr("add_header: %s", line);
        text += n;
        len -= n;
        if (len > 0) {
            text++;
            len--;
        }
    }
}

int
host_acl_mod_add_header(struct host_acl_run *r, const char *arg)
{
    host_acl_add_headers(r, arg);
    return TERN_OK;
}

int
host_acl_mod_remove_header(struct host_acl_run *r, const char *arg)
{
    if (*arg != '\0')
        add_change(r->ctx, 1, arg);
    return TERN_OK;
}

/* ---- set, delay, logs ---- */

int
host_acl_mod_set(struct host_acl_run *r, const char *arg)
{
    size_t n = strcspn(arg, " \t=");
    const char *v = arg + n, *out;
    char *name = tern_strndup(r->ctx->arena, arg, n);
    int rc;

    while (*v == ' ' || *v == '\t')
        v++;
    if (*v != '=') {
        r->err = tern_printf(r->ctx->arena, "\"=\" missing after \"set "
                             "%s\"", name);
        return TERN_ERROR;
    }
    v++;
    while (*v == ' ' || *v == '\t')
        v++;
    rc = host_acl_expand(r, r->item, v, &out);
    if (rc == HOST_ACL_C_SKIP)
        return TERN_OK;
    if (rc != 0)
        return rc;
    host_var_set(r->ctx, name, out, strlen(out));
    return TERN_OK;
}

int
host_acl_mod_delay(struct host_acl_run *r, const char *arg)
{
    long long secs;
    const char *why;
    unsigned col;

    if (tern_parse_time(arg, &secs, &why, &col) != 0) {
        r->err = tern_printf(r->ctx->arena, "bad time value \"%s\" for "
                             "delay: %s", arg, why);
        return TERN_ERROR;
    }
    host_acl_tr("delay modifier requests %lld-second delay", secs);
    r->res->delay += (int)secs;
    return TERN_OK;
}

int
host_acl_mod_continue(struct host_acl_run *r, const char *arg)
{
    (void)r;
    (void)arg;
    return TERN_OK;
}

/* "main:reject" and friends into tern_log_dest bits; -1 if bad. */
static int
log_names(struct host_acl_run *r, const char *list, char sep, unsigned *out)
{
    struct tern_list_iter it;
    char buf[64];
    const char *w;
    int too_long = 0;

    *out = 0;
    tern_list_start(&it, list, sep);
    while ((w = tern_list_next(&it, buf, sizeof buf, &too_long)) != NULL) {
        if (strcmp(w, "main") == 0)
            *out |= TERN_LOG_MAIN;
        else if (strcmp(w, "reject") == 0)
            *out |= TERN_LOG_REJECT;
        else if (strcmp(w, "panic") == 0)
            *out |= TERN_LOG_PANIC;
        else if (*w != '\0')
            too_long = 1;
        if (too_long) {
            r->err = tern_printf(r->ctx->arena, "invalid log name \"%s\" "
                                 "in %s", w, r->item->name);
            return -1;
        }
    }
    return too_long ? -1 : 0;
}

int
host_acl_mod_logwrite(struct host_acl_run *r, const char *arg)
{
    unsigned dest = TERN_LOG_MAIN;

    if (*arg == ':') {
        const char *end = strchr(arg + 1, ':');
        if (end != NULL) {
            char *names = tern_strndup(r->ctx->arena, arg + 1,
                                       (size_t)(end - arg - 1));
            if (log_names(r, names, ',', &dest) != 0)
                return TERN_ERROR;
            arg = end + 1;
            while (*arg == ' ')
                arg++;
        }
    }
    if (dest != 0)
        host_acl_log(r->ctx, dest, arg);
    return TERN_OK;
}

int
host_acl_mod_log_reject_target(struct host_acl_run *r, const char *arg)
{
    unsigned dest;

    if (log_names(r, arg, ':', &dest) != 0)
        return TERN_ERROR;
    r->res->log_targets = dest;
    return TERN_OK;
}

int
host_acl_mod_queue(struct host_acl_run *r, const char *arg)
{
    if (*arg == '\0')
        return TERN_OK;
    r->err = tern_printf(r->ctx->arena, "named queues are not supported "
                         "(queue = %s)", arg);
    return TERN_ERROR;
}

int
host_acl_mod_udpsend(struct host_acl_run *r, const char *arg)
{
    struct tern_list_iter it;
    char host[256], port[32];
    int too_long = 0, fd, rc;
    struct addrinfo hints, *ai = NULL;

    tern_list_start(&it, arg, ':');
    if (tern_list_next(&it, host, sizeof host, &too_long) == NULL ||
        tern_list_next(&it, port, sizeof port, &too_long) == NULL) {
        r->err = "udpsend needs server : port : data";
        return TERN_ERROR;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        r->err = tern_printf(r->ctx->arena, "udpsend: %s: %s", host,
                             gai_strerror(rc));
        return TERN_DEFER;
    }
    fd = socket(ai->ai_family, SOCK_DGRAM, 0);
    if (fd >= 0) {
        const char *data = it.p;
        while (*data == ' ' || *data == '\t')
            data++;
        size_t n = strlen(data);
        if (sendto(fd, data, n, 0, ai->ai_addr, ai->ai_addrlen) < 0)
            host_acl_tr("udpsend to %s:%s failed", host, port);
        close(fd);
    }
    freeaddrinfo(ai);
    return TERN_OK;
}
