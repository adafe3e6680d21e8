/*
 * NAME
 *   smtp_auth.c - AUTH: authenticator instances and the SASL exchange
 *
 * DESCRIPTION
 *   The configuration's authenticators are built once per runtime: the
 *   generic options (struct tern_opts_auth) and the driver's own are
 *   filled from the plan, instance_init() runs, and the driver's
 *   tern_auth_ops say whether the instance is a server.
 *
 *   EHLO offers the public names of the server instances (in the order
 *   of the configuration) to clients that match auth_advertise_hosts,
 *   each subject to its server_advertise_condition.  AUTH is refused
 *   when it was not offered, after a successful AUTH, and inside a mail
 *   transaction; then acl_smtp_auth runs, the mechanism must be one that
 *   was offered (504 otherwise), and the exchange goes on with "334
 *   <base64>" lines until the driver decides.  "*" cancels (501),
 *   invalid base64 is refused (501).
 *
 *   Success: server_set_id becomes $authenticated_id, the protocol
 *   becomes esmtpa/esmtpsa, "235 Authentication succeeded".  Failure:
 *   server_set_id goes to $authenticated_fail_id, "535 Incorrect
 *   authentication data"; a temporary problem is 435.
 *
 * DIAGNOSTICS
 *   Main and reject logs, as Exim: "NAME authenticator failed for H: 535
 *   Incorrect authentication data (set_id=ID)", "... 435 Unable to
 *   authenticate at present: why".  Panic log: an authenticator whose
 *   driver is not loaded, or whose options cannot be filled.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tern/host.h>
#include <tern/module.h>

#include "host.h"
#include "optfill.h"
#include "smtp_int.h"

struct smtp_auth_inst {
    const char *name;
    const char *driver;         /* "plaintext", "tls" ... */
    const char *public_name;
    struct tern_opts_auth generic;
    void *options;
    const struct tern_auth_ops *ops;
    int server;
};

/* One table per runtime, in its arena (a reload builds another). */
struct smtp_auth_table {
    struct smtp_auth_inst *v;
    size_t n;
};

static int
is_tls_driver(const struct smtp_auth_inst *in)
{
    return in->driver != NULL && strcmp(in->driver, "tls") == 0;
}

static const struct tern_driver *
find_driver(struct host_conf *hc, const char *name)
{
    for (size_t i = 0; i < hc->n_mods; i++) {
        const struct tern_module *m = hc->mods[i].mod;

        for (size_t j = 0; m && m->drivers && m->drivers[j]; j++)
            if (m->drivers[j]->kind == TERN_DRIVER_AUTH &&
                strcmp(m->drivers[j]->name, name) == 0)
                return m->drivers[j];
    }
    return NULL;
}

/* A server side needs configured and start; next only for drivers that
 * challenge (the tls driver decides in one step and has none). */
static int
server_ops(const struct tern_auth_ops *ops)
{
    return ops != NULL &&
           ops->size >= offsetof(struct tern_auth_ops, server_next) +
                        sizeof ops->server_next &&
           ops->server_configured && ops->server_start;
}

static void
build_one(struct host_smtp *s, const struct tern_cfg_driver *d,
          struct smtp_auth_inst *in)
{
    struct host_runtime *rt = s->rt;
    const struct tern_driver *drv = find_driver(rt->hc, d->driver);
    char err[256];

    in->name = d->name;
    in->driver = d->driver;
    if (tern_opts_fill(rt->arena, tern_optdefs_auth, &in->generic,
                       d->options, d->n_options, err, sizeof err) != 0) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s authenticator:"
                 " %s", d->name, err);
        return;
    }
    in->public_name = in->generic.public_name.text
                      ? in->generic.public_name.text : d->name;
    if (drv == NULL) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s authenticator:"
                 " driver %s is not loaded", d->name, d->driver);
        return;
    }
    if (drv->options_size > 0) {
        in->options = tern_alloc(rt->arena, drv->options_size);
        if (tern_opts_fill(rt->arena, drv->options, in->options, d->options,
                           d->n_options, err, sizeof err) != 0) {
            smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s "
                     "authenticator: %s", d->name, err);
            return;
        }
    }
    if (drv->instance_init != NULL &&
        drv->instance_init(in->options, d->name, rt->api) != TERN_OK) {
        smtp_log(s, TERN_LOG_MAIN | TERN_LOG_PANIC, NULL, "%s authenticator:"
                 " initialisation failed", d->name);
        return;
    }
    in->ops = drv->ops;
    in->server = server_ops(in->ops) &&
                 in->ops->server_configured(in->options,
                                            in->generic.server_condition.text);
}

static struct smtp_auth_table *
build(struct host_smtp *s)
{
    struct host_runtime *rt = s->rt;
    struct host_conf *hc = rt->hc;
    struct smtp_auth_table *t = rt->smtp_auths;

    if (t != NULL)
        return t;
    t = rt->smtp_auths = tern_alloc(rt->arena, sizeof *t);
    if (hc == NULL || !hc->have_cfg || hc->cfg.n_auths == 0)
        return t;
    t->n = hc->cfg.n_auths;
    t->v = tern_alloc(rt->arena, t->n * sizeof *t->v);
    for (size_t i = 0; i < t->n; i++)
        build_one(s, &hc->cfg.auths[i], &t->v[i]);
    return t;
}

int
smtp_auth_any_server(struct host_smtp *s)
{
    const struct smtp_auth_table *t = build(s);

    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].server)
            return 1;
    return 0;
}

/* server_advertise_condition: unset, or a true value. */
static int
advertise(struct host_smtp *s, const struct smtp_auth_inst *in)
{
    const char *t = in->generic.server_advertise_condition.text, *out, *err;
    int rc;

    if (t == NULL)
        return 1;
    rc = smtp_expand(s, t, &out, &err);
    if (rc < 0)
        smtp_log(s, TERN_LOG_MAIN, NULL, "%s authenticator: failed to "
                 "expand server_advertise_condition: %s", in->name,
                 err ? err : "");
    return rc == 0 && smtp_truth(out) != 0;
}

const char *
smtp_auth_advertise(struct host_smtp *s)
{
    const struct smtp_auth_table *t = build(s);
    struct tern_buf b = { 0 };
    const char *names;

    s->auth_adv = NULL;
    if (!smtp_auth_any_server(s))
        return NULL;
    if (!smtp_is_local(s) &&
        !smtp_hosts(s, &s->rt->opts.auth_advertise_hosts, 0))
        return NULL;
    s->auth_adv = tern_alloc(s->sess->arena, t->n);
    for (size_t i = 0; i < t->n; i++) {
        /* The tls driver authenticates by the client certificate right
         * after the handshake (smtp_auth_tls); it is never a SASL
         * mechanism, as in Exim. */
        if (!t->v[i].server || is_tls_driver(&t->v[i]) ||
            !advertise(s, &t->v[i]))
            continue;
        s->auth_adv[i] = 1;
        if (b.len > 0)
            tern_buf_addc(&b, ' ');
        tern_buf_adds(&b, t->v[i].public_name);
    }
    names = b.len ? tern_strdup(smtp_scratch(s), b.data) : NULL;
    tern_buf_free(&b);
    return names;
}

static struct host_smtp *
session_of(struct tern_auth_server *as)
{
    return (struct host_smtp *)((char *)as - offsetof(struct host_smtp, as));
}

static void
set_var(struct tern_auth_server *as, unsigned n, const char *value,
        size_t len)
{
    struct host_smtp *s = session_of(as);

    if (n < 1 || n > 4)
        return;
    s->sess->auth_var[n - 1] = tern_strndup(s->sess->arena, value,
                                            strnlen(value, len));
}

static int
check_condition(struct tern_auth_server *as)
{
    struct host_smtp *s = session_of(as);
    const char *t = s->auth_inst->generic.server_condition.text, *out, *err;
    int rc;

    if (t == NULL)
        return TERN_AUTH_OK;
    rc = smtp_expand(s, t, &out, &err);
    if (rc == 1)
        return TERN_AUTH_FAIL;
    if (rc < 0) {
        as->message = err ? err : "server_condition expansion failed";
        return TERN_AUTH_DEFER;
    }
    switch (smtp_truth(out)) {
    case 1:
        return TERN_AUTH_OK;
    case 0:
        return TERN_AUTH_FAIL;
    default:
        as->message = tern_strdup(s->sess->arena, out);
        return TERN_AUTH_DEFER;
    }
}

static void
clear_vars(struct host_smtp *s)
{
    for (int i = 0; i < 4; i++)
        s->sess->auth_var[i] = NULL;
}

/* server_set_id, expanded with the $auth variables; NULL when unset or
 * the expansion fails (then it is ignored, as in Exim). */
static const char *
set_id(struct host_smtp *s)
{
    const char *t = s->auth_inst->generic.server_set_id.text, *out, *err;

    if (t == NULL || smtp_expand(s, t, &out, &err) != 0)
        return NULL;
    return tern_strdup(s->sess->arena, out);
}

static void
failed(struct host_smtp *s, const char *reply, const char *detail)
{
    const char *id = set_id(s);

    s->sess->authenticated_fail_id = id;
    smtp_log(s, TERN_LOG_MAIN | TERN_LOG_REJECT, NULL, "%s authenticator "
             "failed for %s: %s%s%s%s", s->auth_inst->name,
             smtp_host_ident(s, 0), reply, detail ? ": " : "",
             detail ? detail : "",
             id ? tern_printf(smtp_scratch(s), " (set_id=%s)", id) : "");
}

static void
outcome(struct host_smtp *s, int rc)
{
    struct tern_auth_server *as = &s->as;

    s->phase = PH_CMD;
    switch (rc) {
    case TERN_AUTH_CHALLENGE:
        smtp_out_printf(s, "334 %s\r\n",
                        smtp_b64_encode(smtp_scratch(s), as->challenge,
                                        as->challenge_len));
        s->phase = PH_AUTH;
        return;
    case TERN_AUTH_OK:
        s->sess->authenticated_id = set_id(s);
        s->sess->auth_mechanism = s->auth_inst->name;
        s->sess->auth_public_name = s->auth_inst->public_name;
        s->sess->authenticated_fail_id = NULL;
        s->authenticated = 1;
        smtp_set_protocol(s);
        smtp_reply(s, 235, "Authentication succeeded");
        s->auth_inst = NULL;
        return;
    case TERN_AUTH_FAIL:
        failed(s, "535 Incorrect authentication data", NULL);
        smtp_reply(s, 535, "Incorrect authentication data");
        break;
    case TERN_AUTH_DEFER:
        failed(s, "435 Unable to authenticate at present", as->message);
        smtp_out_printf(s, "435 Unable to authenticate at present%s%s\r\n",
                        as->message ? ": " : "",
                        as->message ? as->message : "");
        break;
    case TERN_AUTH_UNEXPECTED:
        smtp_reply(s, 553, "Initial data not expected");
        break;
    default:
        failed(s, "435 Internal error", as->message);
        smtp_reply(s, 435, "Internal error");
        break;
    }
    clear_vars(s);
    s->auth_inst = NULL;
}

/* Fresh exchange state for instance `in` (AUTH command or certificate). */
static void
begin_exchange(struct host_smtp *s, struct smtp_auth_inst *in)
{
    clear_vars(s);
    memset(&s->as, 0, sizeof s->as);
    s->as.ctx = s->ctx;
    s->as.host = s->rt->api;
    s->as.name = in->name;
    s->as.public_name = in->public_name;
    s->as.options = in->options;
    s->as.set_var = set_var;
    s->as.check_condition = check_condition;
    s->auth_inst = in;
}

/* After a TLS handshake: the first server-side instance of the tls driver
 * decides on the client certificate, silently (no SMTP exchange).  On
 * success the session is authenticated as by AUTH, and the "<=" line
 * gets A=name:id; a failure only leaves the session unauthenticated. */
void
smtp_auth_tls(struct host_smtp *s)
{
    const struct smtp_auth_table *t = build(s);
    struct smtp_auth_inst *in = NULL;

    if (s->authenticated)
        return;
    for (size_t i = 0; i < t->n && in == NULL; i++)
        if (t->v[i].server && is_tls_driver(&t->v[i]))
            in = &t->v[i];
    if (in == NULL)
        return;
    begin_exchange(s, in);
    if (in->ops->server_start(&s->as, NULL, 0) == TERN_AUTH_OK) {
        s->sess->authenticated_id = set_id(s);
        s->sess->auth_mechanism = in->name;
        s->sess->auth_public_name = in->public_name;
        s->authenticated = 1;
        smtp_set_protocol(s);
    } else {
        clear_vars(s);
    }
    s->auth_inst = NULL;
}

static struct smtp_auth_inst *
offered(struct host_smtp *s, const char *mech)
{
    const struct smtp_auth_table *t = build(s);

    for (size_t i = 0; s->auth_adv != NULL && i < t->n; i++)
        if (s->auth_adv[i] && strcasecmp(t->v[i].public_name, mech) == 0)
            return &t->v[i];
    return NULL;
}

void
smtp_auth_cmd(struct host_smtp *s, const char *arg)
{
    struct host_acl_result r;
    enum host_acl_verdict v;
    struct smtp_auth_inst *in;
    size_t n = strcspn(arg, " \t");
    const char *mech = tern_strndup(smtp_scratch(s), arg, n), *init;
    char *data = NULL;
    size_t len = 0;

    if (s->authenticated) {
        smtp_synprot(s, 503, "already authenticated", 1);
        return;
    }
    if (s->txn.active) {
        smtp_synprot(s, 503, "not permitted in mail transaction", 1);
        return;
    }
    if (!s->auth_offered) {
        smtp_synprot(s, 503, "AUTH command used when not advertised", 1);
        return;
    }
    v = smtp_acl(s, HOST_ACL_AUTH, s->rt->opts.acl_smtp_auth.text, NULL, &r);
    if (v != HOST_ACL_ACCEPT) {
        smtp_acl_refuse(s, HOST_ACL_AUTH, v, &r,
                        tern_printf(smtp_scratch(s), "AUTH %s", mech), 0,
                        NULL);
        return;
    }
    if ((in = offered(s, mech)) == NULL) {
        smtp_synprot(s, 504, tern_printf(smtp_scratch(s), "%s mechanism "
                     "not supported", *mech ? mech : "(none)"), 0);
        return;
    }
    init = arg + n;
    while (*init == ' ' || *init == '\t')
        init++;
    if (*init != '\0' && strcmp(init, "=") != 0 &&
        smtp_b64_decode(s->sess->arena, init, &data, &len) != 0) {
        smtp_reply(s, 501, "Invalid base64 data");
        return;
    }
    begin_exchange(s, in);
    outcome(s, in->ops->server_start(&s->as, data, len));
}

void
smtp_auth_line(struct host_smtp *s, const char *line)
{
    char *data;
    size_t len;

    if (s->auth_inst == NULL) {
        s->phase = PH_CMD;
        return;
    }
    if (strcmp(line, "*") == 0) {
        s->phase = PH_CMD;
        clear_vars(s);
        s->auth_inst = NULL;
        smtp_reply(s, 501, "Authentication cancelled");
        return;
    }
    if (smtp_b64_decode(s->sess->arena, line, &data, &len) != 0) {
        s->phase = PH_CMD;
        clear_vars(s);
        s->auth_inst = NULL;
        smtp_reply(s, 501, "Invalid base64 data");
        return;
    }
    if (s->auth_inst->ops->server_next == NULL) {
        outcome(s, TERN_AUTH_ERROR);
        return;
    }
    outcome(s, s->auth_inst->ops->server_next(&s->as, data, len));
}

int
smtp_auth_mail_condition(struct host_smtp *s)
{
    const struct smtp_auth_table *tab = build(s);
    const char *out, *err, *t = NULL;

    for (size_t i = 0; i < tab->n; i++)
        if (s->sess->auth_mechanism != NULL &&
            strcmp(tab->v[i].name, s->sess->auth_mechanism) == 0)
            t = tab->v[i].generic.server_mail_auth_condition.text;
    if (t == NULL)
        return 1;
    return smtp_expand(s, t, &out, &err) == 0 && smtp_truth(out) != 0;
}
