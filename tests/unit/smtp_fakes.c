/*
 * NAME
 *   smtp_fakes.c - fakes of the ACL engine, receive.h, tls.h, the
 *   expansion host and the log, and the socketpair harness of the SMTP
 *   engine's unit tests (smtp_fakes.h)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tern/host.h>
#include <tern/module.h>

#include "expand.h"
#include "list.h"
#include "match.h"
#include "optfill.h"
#include "optval.h"
#include "receive.h"
#include "smtp_fakes.h"
#include "tls.h"

struct fake_acl_rule fake_acl[FAKE_WHERE_MAX];
int fake_acl_calls[FAKE_WHERE_MAX];
struct tern_buf fake_body;
int fake_begun, fake_aborted, fake_committed, fake_failed_commit;
int fake_begin_fail;
struct tern_buf fake_log;

host_verify_fn *host_verify_hook;
static unsigned fake_ids;

void
fake_reset(void)
{
    memset(fake_acl, 0, sizeof fake_acl);
    memset(fake_acl_calls, 0, sizeof fake_acl_calls);
    tern_buf_free(&fake_body);
    tern_buf_free(&fake_log);
    fake_begun = fake_aborted = fake_committed = fake_failed_commit = 0;
    fake_begin_fail = 0;
    fake_ids = 0;
    host_verify_hook = NULL;
}

int
log_has(const char *needle)
{
    return fake_log.data != NULL && strstr(fake_log.data, needle) != NULL;
}

/* ---- ACL engine ---- */

enum host_acl_verdict
host_acl_run(struct tern_ctx *ctx, enum host_acl_where where,
             const char *acl, const char *rcpt, struct host_acl_result *res)
{
    const struct fake_acl_rule *r = &fake_acl[where];

    (void)acl;
    memset(res, 0, sizeof *res);
    fake_acl_calls[where]++;
    if (!r->set || (r->only_rcpt && rcpt && strcmp(rcpt, r->only_rcpt))) {
        if (where == HOST_ACL_RCPT || where == HOST_ACL_VRFY ||
            where == HOST_ACL_EXPN)
            return r->set ? HOST_ACL_ACCEPT : HOST_ACL_DENY;
        return HOST_ACL_ACCEPT;
    }
    res->user_message = r->msg;
    res->log_message = r->logmsg;
    res->delay = r->delay;
    ctx->sess->controls |= r->controls;
    return r->v;
}

/* ---- receive.h ---- */

struct host_receiver {
    struct tern_ctx *ctx;
    struct tern_buf body;
};

struct host_receiver *
host_receive_begin(struct tern_ctx *ctx, struct tern_spool *spool, char *err,
                   size_t errlen)
{
    struct host_receiver *r;

    (void)spool;
    if (fake_begin_fail) {
        snprintf(err, errlen, "spool is full");
        return NULL;
    }
    r = calloc(1, sizeof *r);
    r->ctx = ctx;
    snprintf(ctx->msg->spool.id, sizeof ctx->msg->spool.id,
             "1tErNs-%06u-AB", ++fake_ids % 1000000);
    fake_begun++;
    return r;
}

int
host_receive_feed(struct host_receiver *r, const char *p, size_t n,
                  int *too_big, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    *too_big = 0;
    tern_buf_add(&r->body, p, n);
    return 0;
}

int
host_receive_end_data(struct host_receiver *r, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    r->ctx->msg->size = (long long)r->body.len;
    return 0;
}

struct tern_spool_out *
host_receive_prepare_commit(struct host_receiver *r, char *err,
                            size_t errlen)
{
    (void)err;
    (void)errlen;
    return (struct tern_spool_out *)r;
}

void
host_receive_done(struct host_receiver *r, int ok)
{
    if (ok) {
        fake_committed++;
        tern_buf_free(&fake_body);
        tern_buf_add(&fake_body, r->body.data ? r->body.data : "",
                     r->body.len);
    } else {
        fake_failed_commit++;
    }
    tern_buf_free(&r->body);
    free(r);
}

void
host_receive_abort(struct host_receiver *r)
{
    fake_aborted++;
    tern_buf_free(&r->body);
    free(r);
}

/* ---- tls.h: no TLS in unit tests ---- */

int
host_tls_server_available(void)
{
    return 0;
}

struct host_tls_conn *
host_tls_accept(struct tern_ctx *ctx, int fd)
{
    (void)ctx;
    (void)fd;
    return NULL;
}

int
host_tls_handshake(struct host_tls_conn *c)
{
    (void)c;
    return HOST_TLS_ERROR;
}

ssize_t
host_tls_read(struct host_tls_conn *c, void *buf, size_t n)
{
    (void)c;
    (void)buf;
    (void)n;
    return HOST_TLS_ERROR;
}

ssize_t
host_tls_write(struct host_tls_conn *c, const void *buf, size_t n)
{
    (void)c;
    (void)buf;
    (void)n;
    return HOST_TLS_ERROR;
}

size_t
host_tls_pending(const struct host_tls_conn *c)
{
    (void)c;
    return 0;
}

void
host_tls_info(const struct host_tls_conn *c, struct host_tls_info *out)
{
    (void)c;
    memset(out, 0, sizeof *out);
}

const char *
host_tls_error(const struct host_tls_conn *c)
{
    (void)c;
    return "no TLS in unit tests";
}

void
host_tls_close(struct host_tls_conn *c)
{
    (void)c;
}

/* ---- expansion host ---- */

static int
fake_variable(void *arg, const char *name, size_t len, const char **val,
              size_t *vlen)
{
    struct tern_ctx *c = arg;
    const char *v = NULL;

#define IS(n) (len == sizeof(n) - 1 && memcmp(name, n, len) == 0)
    if (IS("primary_hostname"))
        v = c->rt->primary_hostname;
    else if (IS("smtp_active_hostname"))
        v = c->sess->smtp_active_hostname;
    else if (IS("version_number"))
        v = "4.96";
    else if (IS("tod_full"))
        v = "Mon, 01 Jan 2024 00:00:00 +0000";
    else if (IS("sender_host_address"))
        v = c->sess->peer_address ? c->sess->peer_address : "";
    else if (IS("authenticated_id"))
        v = c->sess->authenticated_id ? c->sess->authenticated_id : "";
    else if (len == 5 && memcmp(name, "auth", 4) == 0 && name[4] >= '1' &&
             name[4] <= '4')
        v = c->sess->auth_var[name[4] - '1'] ? c->sess->auth_var[name[4] - '1']
                                             : "";
#undef IS
    if (v == NULL)
        return TERN_FAIL;
    *val = v;
    *vlen = strlen(v);
    return TERN_OK;
}

int
host_expand(struct tern_ctx *ctx, const char *s, const char **out,
            const char **err)
{
    struct tern_exp_env env;
    struct tern_exp_result r;

    memset(&env, 0, sizeof env);
    env.arg = ctx;
    env.variable = fake_variable;
    tern_exp_expand(s, strlen(s), &env, ctx->arena, &r);
    switch (r.status) {
    case TERN_EXP_OK:
        *out = r.str;
        return 0;
    case TERN_EXP_FORCED:
        *err = r.err;
        return 1;
    case TERN_EXP_DEFER:
        *err = r.err;
        return -2;
    default:
        *err = r.err;
        return -1;
    }
}

void
host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    va_list ap;
    char *line;

    (void)rt;
    va_start(ap, fmt);
    line = tern_vprintf(rt->arena, fmt, ap);
    va_end(ap);
    tern_buf_addf(&fake_log, "%s%s%s %s%s%s\n",
                  dest & TERN_LOG_MAIN ? "M" : "",
                  dest & TERN_LOG_REJECT ? "R" : "",
                  dest & TERN_LOG_PANIC ? "P" : "", msgid ? msgid : "",
                  msgid ? " " : "", line);
}

/* ---- the host API table the engine uses ---- */

static int
api_match_hostlist(struct tern_ctx *ctx, const char *list)
{
    const char *ip = ctx->sess->peer_address;
    struct tern_list_iter it;
    char buf[256];
    const char *item;
    int too_long = 0, empty = 1;

    tern_list_start(&it, list, ':');
    while ((item = tern_list_next(&it, buf, sizeof buf, &too_long))) {
        empty = 0;
        if (strcmp(item, "*") == 0 || (ip && strcmp(item, ip) == 0))
            return TERN_OK;
        if (*item == '!' && ip && strcmp(item + 1, ip) == 0)
            return TERN_FAIL;
    }
    (void)empty;
    return TERN_FAIL;
}

static void *
api_alloc(struct tern_ctx *ctx, size_t n)
{
    return tern_alloc(ctx->arena, n);
}

static char *
api_strdup(struct tern_ctx *ctx, const char *s)
{
    return tern_strdup(ctx->arena, s);
}

static char *
api_expand(struct tern_ctx *ctx, const char *s, const char **err,
           int *forced)
{
    const char *out = NULL;
    int rc = host_expand(ctx, s, &out, err);

    if (forced)
        *forced = rc == 1;
    return rc == 0 ? (char *)out : NULL;
}

static const char *
api_variable(struct tern_ctx *ctx, const char *name)
{
    const char *v;
    size_t n;

    return fake_variable(ctx, name, strlen(name), &v, &n) == TERN_OK ? v
                                                                     : NULL;
}

static const struct tern_host_api api = {
    .size = sizeof(struct tern_host_api),
    .abi_version = TERN_ABI_VERSION,
    .alloc = api_alloc,
    .strdup = api_strdup,
    .expand = api_expand,
    .variable = api_variable,
    .match_hostlist = api_match_hostlist,
};

/* ---- harness ---- */

void
h_init(struct harness *h)
{
    char err[256];

    fake_reset();
    memset(h, 0, sizeof *h);
    h->a = tern_arena_new();
    h->rt.arena = h->a;
    h->rt.hc = &h->hc;
    h->rt.api = &api;
    h->rt.primary_hostname = "mx.test.example";
    h->rt.qualify_domain = "test.example";
    h->rt.qualify_recipient = "test.example";
    h->rt.spool_directory = "/nonexistent-spool";
    if (tern_opts_fill(h->a, tern_optdefs_main, &h->rt.opts, NULL, 0, err,
                       sizeof err) != 0)
        abort();
    h->commit_ok = 1;
}

void
h_set(struct harness *h, const char *name, const char *value)
{
    for (const struct tern_option_def *d = tern_optdefs_main; d->name; d++) {
        char *field = (char *)&h->rt.opts + d->offset;
        struct tern_value v;
        const char *why;
        unsigned col;

        if (strcmp(d->name, name) != 0)
            continue;
        if ((d->flags & TERN_F_EXPAND) || d->type >= TERN_T_STRING) {
            if (d->type != TERN_T_UID && d->type != TERN_T_GID) {
                ((struct tern_text *)field)->text =
                    value ? tern_strdup(h->a, value) : NULL;
                return;
            }
        }
        if (tern_optval_parse(h->a, d->type, value, 0, &v, &why, &col) != 0)
            abort();
        switch (d->type) {
        case TERN_T_BOOL:
        case TERN_T_TIME:
        case TERN_T_FIXED:
            *(int *)field = (int)v.num;
            break;
        default:
            *(long long *)field = v.num;
            break;
        }
        return;
    }
    fprintf(stderr, "h_set: no option %s\n", name);
    abort();
}

static void
run(struct harness *h)
{
    for (int i = 0; i < 10000 && !h->done; i++) {
        unsigned w = host_smtp_step(h->s);

        h->want = w;
        if (w & HOST_SMTP_DONE) {
            h->done = 1;
            return;
        }
        if (w & HOST_SMTP_WANT_COMMIT) {
            h->commits++;
            host_smtp_committed(h->s, h->commit_ok, "disk on fire");
            continue;
        }
        return;
    }
}

static void
drain(struct harness *h, struct tern_buf *acc)
{
    char buf[65536];
    ssize_t r;

    while ((r = recv(h->cfd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        tern_buf_add(acc, buf, (size_t)r);
}

static char *
result(struct tern_buf *acc)
{
    char *s = strdup(acc->data ? acc->data : "");

    tern_buf_free(acc);
    return s;
}

static void
connect_pair(struct harness *h, const char *ip)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    h->cfd = sv[1];
    (void)fcntl(h->cfd, F_SETFL, fcntl(h->cfd, F_GETFL) | O_NONBLOCK);
    h->sess.arena = tern_arena_new();
    h->sess.peer_address = ip;
    h->sess.peer_port = 4321;
    h->sess.is_local = ip == NULL;
    if (ip == NULL) {
        h->sess.login = "alice";
        h->sess.ident = "alice";
    }
    h->ctx = (struct tern_ctx){ &h->rt, &h->sess, NULL, NULL, h->sess.arena };
    h->s = host_smtp_new(&h->ctx, NULL, sv[0], 0);
}

char *
h_start(struct harness *h, const char *ip)
{
    return h_start_early(h, ip, NULL);
}

char *
h_start_early(struct harness *h, const char *ip, const char *early)
{
    struct tern_buf acc = { 0 };

    connect_pair(h, ip);
    if (early != NULL && send(h->cfd, early, strlen(early), 0) < 0)
        abort();
    run(h);
    drain(h, &acc);
    return result(&acc);
}

char *
h_talkn(struct harness *h, const char *data, size_t n)
{
    struct tern_buf acc = { 0 };
    size_t sent = 0;

    while (sent < n && !h->done) {
        ssize_t w = send(h->cfd, data + sent, n - sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if (w > 0)
            sent += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            break;
        run(h);
        drain(h, &acc);
    }
    run(h);
    drain(h, &acc);
    return result(&acc);
}

char *
h_talk(struct harness *h, const char *data)
{
    return h_talkn(h, data, strlen(data));
}

char *
h_eof(struct harness *h)
{
    struct tern_buf acc = { 0 };

    shutdown(h->cfd, SHUT_WR);
    run(h);
    drain(h, &acc);
    return result(&acc);
}

void
h_free(struct harness *h)
{
    if (h->s != NULL)
        host_smtp_free(h->s);
    if (h->cfd > 0)
        close(h->cfd);
    if (h->sess.arena != NULL)
        tern_arena_free(h->sess.arena);
    free(h->hc.cfg.auths);
    free(h->hc.mods);
    tern_arena_free(h->a);
    tern_buf_free(&fake_body);
    tern_buf_free(&fake_log);
}

/* ---- authenticators ---- */

extern const struct tern_module plaintext_LTX_tern_module;
extern const struct tern_module cram_md5_LTX_tern_module;

void
h_auth(struct harness *h, const char *name, const char *driver,
       const char *const *opts)
{
    struct tern_cfg_driver *d;
    size_t n = 0;

    if (h->hc.mods == NULL) {
        h->hc.mods = calloc(2, sizeof *h->hc.mods);
        h->hc.mods[0].mod = &plaintext_LTX_tern_module;
        h->hc.mods[1].mod = &cram_md5_LTX_tern_module;
        h->hc.n_mods = 2;
        h->hc.have_cfg = 1;
    }
    h->hc.cfg.auths = realloc(h->hc.cfg.auths, (h->hc.cfg.n_auths + 1) *
                              sizeof *h->hc.cfg.auths);
    d = &h->hc.cfg.auths[h->hc.cfg.n_auths++];
    memset(d, 0, sizeof *d);
    d->kind = TERN_DRIVER_AUTH;
    d->name = name;
    d->driver = driver;
    while (opts[n * 2] != NULL)
        n++;
    d->options = tern_alloc(h->a, (n + 1) * sizeof *d->options);
    d->n_options = n;
    for (size_t i = 0; i < n; i++) {
        struct tern_cfg_option *o = &d->options[i];

        o->name = opts[i * 2];
        o->value.type = TERN_T_STRING;
        o->value.is_set = 1;
        o->value.text = opts[i * 2 + 1];
        o->flags = TERN_F_EXPAND;
    }
}
