/*
 * NAME
 *   test_acl_env.c - fixture and host fakes for the ACL unit tests
 *
 * DESCRIPTION
 *   See test_acl_env.h.  The fakes stand in for vars.c, expand_env.c,
 *   api.c and runtime.c so the engine can be tested on its own; they
 *   follow the contracts of ctx.h closely enough for the engine (which
 *   only expands strings, sets variables, matches lists and logs).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tern/host.h>
#include <tern/module.h>

#include "compile.h"
#include "expand.h"
#include "match.h"
#include "modload.h"
#include "test_acl_env.h"

struct ta_state ta;

#define TA_MAX 64
struct pair {
    const char *a, *b, *c;
};
static struct pair vars[TA_MAX], lookups[TA_MAX], hosts[TA_MAX],
    names[TA_MAX];
static size_t n_vars, n_lookups, n_hosts, n_names;

static struct tern_schema_set schemas;
static int have_schemas;

/* ---- environment paths ---- */

static void
add_path(const char *var, const char *dir)
{
    const char *old = getenv(var);
    char *nw;

    if (old != NULL && strstr(old, dir) != NULL)
        return;
    if (old == NULL || *old == '\0') {
        setenv(var, dir, 1);
        return;
    }
    nw = malloc(strlen(old) + strlen(dir) + 2);
    sprintf(nw, "%s:%s", old, dir);
    setenv(var, nw, 1);
    free(nw);
}

static void
paths(void)
{
    const char *src = getenv("TERN_SRCDIR");
    const char *build = getenv("TERN_BUILDDIR");
    char buf[1024];

    if (src == NULL)
        src = TA_SRCDIR;
    if (build == NULL)
        build = TA_BUILDDIR;
    snprintf(buf, sizeof buf, "%s/schemas", src);
    if (getenv("TERN_SCHEMA_PATH") == NULL)
        setenv("TERN_SCHEMA_PATH", buf, 1);
    snprintf(buf, sizeof buf, "%s/tests/data/modules", src);
    add_path("TERN_SCHEMA_PATH", buf);
    snprintf(buf, sizeof buf, "%s/modules/.libs", build);
    if (getenv("TERN_MODULE_PATH") == NULL)
        setenv("TERN_MODULE_PATH", buf, 1);
    snprintf(buf, sizeof buf, "%s/tests/data/modules/.libs", build);
    add_path("TERN_MODULE_PATH", buf);
}

/* ---- setup ---- */

int
ta_setup(void **state)
{
    (void)state;
    memset(&ta, 0, sizeof ta);
    n_vars = n_lookups = n_hosts = n_names = 0;
    paths();
    ta.arena = tern_arena_new();
    snprintf(ta.dir, sizeof ta.dir, "/tmp/tern-acl-test.XXXXXX");
    if (mkdtemp(ta.dir) == NULL)
        return -1;
    ta.hc.arena = tern_arena_new();
    ta.rt.arena = ta.arena;
    ta.rt.hc = &ta.hc;
    ta.rt.spool_directory = ta.dir;
    ta.rt.primary_hostname = "mx.test.ex";
    ta.sess.arena = ta.arena;
    ta.sess.is_smtp = 1;
    ta.sess.peer_address = "192.0.2.1";
    ta.sess.helo_name = "client.example";
    ta.msg.arena = ta.arena;
    tern_spool_msg_init(&ta.msg.spool);
    ta.msg.spool.sender = "sender@example.org";
    ta.msg.size = -1;
    ta.ctx.rt = &ta.rt;
    ta.ctx.sess = &ta.sess;
    ta.ctx.msg = &ta.msg;
    ta.ctx.arena = ta.arena;
    host_verify_hook = ta_verify;
    host_acl_trace = getenv("TA_TRACE") ? stderr : NULL;
    return 0;
}

int
ta_teardown(void **state)
{
    char cmd[300];

    (void)state;
    host_acl_forget(&ta.sess);
    host_acl_forget(&ta.msg);
    host_acl_reset();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ta.dir);
    if (getenv("TA_KEEP") != NULL)          /* debugging: keep the spool */
        fprintf(stderr, "ta: kept %s\n", ta.dir);
    else if (system(cmd) != 0)
        return -1;
    for (size_t i = 0; i < ta.hc.n_mods; i++)
        tern_module_unload(&ta.hc.mods[i]);
    free(ta.hc.mods);
    tern_arena_free(ta.hc.arena);
    tern_buf_free(&ta.log);
    tern_arena_free(ta.arena);
    return 0;
}

int
ta_config(const char *text)
{
    struct tern_compile_opts o;
    struct tern_diags d = { 0 };
    char path[300], *buf = NULL;
    size_t blen = 0;
    FILE *f;
    int rc;

    if (!have_schemas) {
        if (tern_load_schemas(&schemas, NULL, &d) != 0 || d.errors)
            return -1;
        tern_diags_free(&d);
        memset(&d, 0, sizeof d);
        have_schemas = 1;
    }
    snprintf(path, sizeof path, "%s/test.conf", ta.dir);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    memset(&o, 0, sizeof o);
    o.config_path = tern_strdup(ta.arena, path);
    o.schemas = &schemas;
    rc = tern_compile(ta.hc.arena, &o, &ta.hc.cfg, &d);
    f = open_memstream(&buf, &blen);
    tern_diags_print_text(&d, f);
    fclose(f);
    ta.config_errors = tern_strdup(ta.arena, buf);
    free(buf);
    if (rc != 0 || d.errors)
        fprintf(stderr, "ta_config: %s\n", ta.config_errors);
    tern_diags_free(&d);
    ta.hc.have_cfg = rc == 0;
    return rc == 0 ? 0 : -1;
}

/* The module API the fixture hands to modules: log lines go to ta.log. */
static void
api_log(unsigned dest, const char *fmt, ...)
{
    va_list ap;

    (void)dest;
    tern_buf_adds(&ta.log, "module|");
    va_start(ap, fmt);
    char *s = tern_vprintf(ta.arena, fmt, ap);
    va_end(ap);
    tern_buf_adds(&ta.log, s);
    tern_buf_addc(&ta.log, '\n');
}

static const struct tern_host_api api = {
    .size = sizeof api,
    .abi_version = TERN_ABI_VERSION,
    .log_write = api_log,
};

int
ta_load_modules(void)
{
    const struct tern_config *cfg = &ta.hc.cfg;
    char err[512];

    for (size_t i = 0; i < cfg->n_modules; i++) {
        struct tern_loaded_module lm;
        if (strcmp(cfg->modules[i].name, "core") == 0)
            continue;
        if (tern_module_load(cfg->modules[i].name, tern_module_path(NULL),
                             cfg->modules[i].schema_hash, &lm, err,
                             sizeof err) != 0) {
            fprintf(stderr, "ta_load_modules: %s\n", err);
            return -1;
        }
        ta.hc.mods = realloc(ta.hc.mods, (ta.hc.n_mods + 1) *
                             sizeof *ta.hc.mods);
        ta.hc.mods[ta.hc.n_mods++] = lm;
        if (lm.mod->init != NULL && lm.mod->init(&api) != TERN_OK)
            return -1;
    }
    return 0;
}

enum host_acl_verdict
ta_run(enum host_acl_where where, const char *acl, const char *rcpt)
{
    return host_acl_run(&ta.ctx, where, acl, rcpt, &ta.res);
}

/* ---- tables ---- */

static void
put(struct pair *t, size_t *n, const char *a, const char *b,
    const char *c)
{
    if (*n < TA_MAX)
        t[(*n)++] = (struct pair){ a, b, c };
}

void ta_var(const char *name, const char *value)
{ put(vars, &n_vars, name, value, NULL); }
void ta_lookup(const char *file, const char *key, const char *value)
{ put(lookups, &n_lookups, file, key, value); }
void ta_host(const char *ip, const char *nm)
{ put(hosts, &n_hosts, ip, nm, NULL); }
void ta_name(const char *name, const char *addrs)
{ put(names, &n_names, name, addrs, NULL); }

void
ta_header(const char *text)
{
    struct tern_spool_msg *m = &ta.msg.spool;
    struct tern_spool_header *h = tern_alloc(ta.arena, (m->n_headers + 1) *
                                             sizeof *h);

    if (m->n_headers)
        memcpy(h, m->headers, m->n_headers * sizeof *h);
    h[m->n_headers].text = tern_strdup(ta.arena, text);
    h[m->n_headers].len = strlen(text);
    h[m->n_headers].type = tern_spool_header_type(text, strlen(text));
    m->headers = h;
    m->n_headers++;
}

void
ta_add_rcpt(const char *address)
{
    struct tern_spool_msg *m = &ta.msg.spool;
    struct tern_spool_rcpt *r = tern_alloc(ta.arena, (m->n_rcpts + 1) *
                                           sizeof *r);

    if (m->n_rcpts)
        memcpy(r, m->rcpts, m->n_rcpts * sizeof *r);
    r[m->n_rcpts].address = tern_strdup(ta.arena, address);
    r[m->n_rcpts].pno = -1;
    m->rcpts = r;
    m->n_rcpts++;
}

int
ta_logged(const char *s)
{
    return ta.log.data != NULL && strstr(ta.log.data, s) != NULL;
}

int
ta_verify(struct tern_ctx *ctx, const char *address, int is_sender,
          const char **msg)
{
    (void)ctx;
    (void)is_sender;
    if (strstr(address, "bad") != NULL) {
        *msg = "Unknown user";
        return TERN_FAIL;
    }
    if (strstr(address, "tmp") != NULL) {
        *msg = "lookup deferred";
        return TERN_DEFER;
    }
    return TERN_OK;
}

/* ---- the fake host: variables ---- */

static const char *
var_value(struct tern_ctx *c, const char *name, size_t len)
{
    const char *v = host_acl_var(name, len);
    char *nm = tern_strndup(c->arena, name, len);

    if (v != NULL)
        return v;
    if (strncmp(nm, "acl_c", 5) == 0 || strncmp(nm, "acl_m", 5) == 0) {
        struct host_var *lists[2] = {
            nm[4] == 'm' && c->msg ? c->msg->acl_m : NULL,
            c->sess ? c->sess->acl_c : NULL
        };
        for (int i = 0; i < 2; i++)
            for (struct host_var *hv = lists[i]; hv; hv = hv->next)
                if (strcmp(hv->name, nm) == 0)
                    return hv->value;
        return "";
    }
    for (size_t i = n_vars; i-- > 0;)
        if (strcmp(vars[i].a, nm) == 0)
            return vars[i].b;
    if (strcmp(nm, "sender_host_address") == 0)
        return c->sess && c->sess->peer_address ? c->sess->peer_address : "";
    if (strcmp(nm, "sender_helo_name") == 0)
        return c->sess && c->sess->helo_name ? c->sess->helo_name : "";
    if (strcmp(nm, "sender_host_name") == 0)
        return c->sess && c->sess->sender_host_name
            ? c->sess->sender_host_name : "";
    if (strcmp(nm, "sender_address") == 0)
        return c->msg && c->msg->spool.sender ? c->msg->spool.sender : "";
    if (strcmp(nm, "sender_address_domain") == 0) {
        const char *s = c->msg ? c->msg->spool.sender : NULL;
        return s && strrchr(s, '@') ? strrchr(s, '@') + 1 : "";
    }
    if (strcmp(nm, "local_part") == 0)
        return c->addr && c->addr->local_part ? c->addr->local_part : "";
    if (strcmp(nm, "domain") == 0)
        return c->addr && c->addr->domain ? c->addr->domain : "";
    if (strcmp(nm, "domain_data") == 0)
        return c->addr && c->addr->domain_data ? c->addr->domain_data : "";
    if (strcmp(nm, "local_part_data") == 0)
        return c->addr && c->addr->local_part_data
            ? c->addr->local_part_data : "";
    if (strcmp(nm, "message_size") == 0)
        return tern_printf(c->arena, "%lld", c->msg ? c->msg->size : -1);
    if (strcmp(nm, "primary_hostname") == 0)
        return "mx.test.ex";
    return "";
}

static int
fake_variable(void *arg, const char *name, size_t len, const char **val,
              size_t *vlen)
{
    *val = var_value(arg, name, len);
    *vlen = strlen(*val);
    return TERN_OK;
}

const char *
ta_get(const char *name)
{
    return var_value(&ta.ctx, name, strlen(name));
}

static int
fake_header(void *arg, unsigned kind, const char *name, size_t len,
            struct tern_arena *a, char **val, size_t *vlen)
{
    struct tern_ctx *c = arg;

    (void)kind;
    if (len > 0 && name[len - 1] == ':')
        len--;
    for (size_t i = 0; c->msg && i < c->msg->spool.n_headers; i++) {
        const char *t = c->msg->spool.headers[i].text;
        if (strncasecmp(t, name, len) == 0 && t[len] == ':') {
            const char *v = t + len + 1;
            while (*v == ' ')
                v++;
            *val = tern_strndup(a, v, strcspn(v, "\n"));
            *vlen = strlen(*val);
            return TERN_OK;
        }
    }
    return TERN_FAIL;
}

/* ---- the fake host: list matching ---- */

static int
fake_lookup(void *arg, const struct tern_exp_lookup_req *req,
            struct tern_arena *a, char **result, size_t *rlen,
            const char **err)
{
    (void)arg;
    if (req->file != NULL && strstr(req->file, "defer") != NULL) {
        *err = "lookup deferred for the test";
        return TERN_DEFER;
    }
    for (size_t i = 0; i < n_lookups; i++)
        if (req->file && strcmp(lookups[i].a, req->file) == 0 &&
            strlen(lookups[i].b) == req->key_len &&
            memcmp(lookups[i].b, req->key, req->key_len) == 0) {
            *result = tern_strdup(a, lookups[i].c);
            *rlen = strlen(*result);
            return TERN_OK;
        }
    return TERN_FAIL;
}

static int
fake_named_list(void *arg, unsigned kind, const char *name,
                const char **list, unsigned *flags)
{
    struct tern_ctx *c = arg;
    const struct tern_config *cfg = &c->rt->hc->cfg;

    for (size_t i = 0; i < cfg->n_lists; i++)
        if (cfg->lists[i].kind == kind &&
            strcmp(cfg->lists[i].name, name) == 0) {
            *list = cfg->lists[i].value;
            *flags = 0;
            return TERN_OK;
        }
    return TERN_FAIL;
}

static int
fake_list_expand(void *arg, unsigned kind, const char *subject,
                 const char *s, struct tern_arena *a, char **out,
                 const char **err)
{
    const char *o;
    int rc = host_expand(arg, s, &o, err);

    (void)kind;
    (void)subject;
    if (rc == 0) {
        *out = tern_strdup(a, o);
        return TERN_OK;
    }
    return rc == 1 ? TERN_FAIL : rc == -2 ? TERN_DEFER : TERN_ERROR;
}

/* Space-separated words of `s` as an array. */
static int
split(struct tern_arena *a, const char *s, const char *const **out,
      size_t *n)
{
    const char **v = tern_alloc(a, 8 * sizeof *v);
    char *copy = tern_strdup(a, s), *save = NULL;

    *n = 0;
    for (char *w = strtok_r(copy, " ", &save); w && *n < 8;
         w = strtok_r(NULL, " ", &save))
        v[(*n)++] = w;
    *out = v;
    return *n ? TERN_OK : TERN_FAIL;
}

static int
fake_host_names(void *arg, const char *ip, struct tern_arena *a,
                const char *const **out, size_t *n, const char **err)
{
    (void)arg;
    for (size_t i = 0; i < n_hosts; i++)
        if (strcmp(hosts[i].a, ip) == 0) {
            if (hosts[i].b == NULL) {
                *err = "DNS timeout";
                return TERN_DEFER;
            }
            return split(a, hosts[i].b, out, n);
        }
    return TERN_FAIL;
}

static int
fake_host_addresses(void *arg, const char *name, struct tern_arena *a,
                    const char *const **out, size_t *n, const char **err)
{
    (void)arg;
    (void)err;
    for (size_t i = 0; i < n_names; i++)
        if (strcasecmp(names[i].a, name) == 0)
            return split(a, names[i].b, out, n);
    return TERN_FAIL;
}

void
host_match_env(struct tern_ctx *ctx, struct tern_match_env *env)
{
    memset(env, 0, sizeof *env);
    env->arg = ctx;
    env->lookup = fake_lookup;
    env->named_list = fake_named_list;
    env->expand = fake_list_expand;
    env->primary_hostname = "mx.test.ex";
    env->host_names = fake_host_names;
    env->host_addresses = fake_host_addresses;
}

/* ---- the fake host: expansion ---- */

static int
fake_known(void *arg, unsigned kind, const char *name, size_t len,
           struct tern_exp_known *info)
{
    (void)arg;
    if (kind == TERN_EXP_VARIABLE)
        return 1;
    if (kind == TERN_EXP_ITEM && len == 3 && memcmp(name, "acl", 3) == 0) {
        info->min_args = 1;
        info->max_args = 10;
        return 1;
    }
    if (kind == TERN_EXP_LOOKUP) {
        info->lookup_style = TERN_LOOKUP_SINGLE_KEY;
        return 1;
    }
    return 0;
}

static const struct tern_exp_schema fake_schema = { fake_known, NULL };

/* expand_env.c's hook, which the engine installs when the program
 * starts: the fake item goes through it as the real one does. */
int (*host_acl_item_hook)(struct tern_ctx *ctx, int argc,
                          const char *const *argv, char **result,
                          const char **err);

static int
fake_item(void *arg, unsigned kind, const char *name, int argc,
          const char *const *argv, struct tern_arena *a, char **result,
          const char **err)
{
    struct tern_ctx c = *(struct tern_ctx *)arg;

    if (kind != TERN_EXP_ITEM || strcmp(name, "acl") != 0 ||
        host_acl_item_hook == NULL) {
        *err = "no such item";
        return TERN_ERROR;
    }
    c.arena = a;
    return host_acl_item_hook(&c, argc, argv, result, err);
}

static void
fake_env(struct tern_ctx *ctx, struct tern_exp_env *env)
{
    memset(env, 0, sizeof *env);
    env->arg = ctx;
    env->variable = fake_variable;
    env->header = fake_header;
    env->lookup = fake_lookup;
    env->item = fake_item;
    env->schema = &fake_schema;
}

static int
status(const struct tern_exp_result *r, const char **out, const char **err)
{
    switch (r->status) {
    case TERN_EXP_OK:
        *out = r->str;
        return 0;
    case TERN_EXP_FORCED:
        return 1;
    case TERN_EXP_DEFER:
        *err = r->err;
        return -2;
    default:
        *err = r->err;
        return -1;
    }
}

int
host_expand(struct tern_ctx *ctx, const char *s, const char **out,
            const char **err)
{
    struct tern_exp_env env;
    struct tern_exp_result r;

    fake_env(ctx, &env);
    tern_exp_expand(s, strlen(s), &env, ctx->arena, &r);
    return status(&r, out, err);
}

int
host_expand_exp(struct tern_ctx *ctx, const struct tern_exp *e,
                const char **out, size_t *olen, const char **err)
{
    struct tern_exp_env env;
    struct tern_exp_result r;
    int rc;

    fake_env(ctx, &env);
    tern_exp_eval(e, &env, ctx->arena, &r);
    rc = status(&r, out, err);
    if (rc == 0)
        *olen = r.len;
    return rc;
}

const char *
ta_expand(const char *s)
{
    const char *out, *err = NULL;
    int rc = host_expand(&ta.ctx, s, &out, &err);

    if (rc == 0)
        return out;
    return rc == 1 ? "<fail>" : tern_printf(ta.arena, "<error: %s>",
                                            err ? err : "?");
}

/* ---- the rest of the fake host ---- */

static void
var_put(struct host_var **head, struct tern_arena *a, const char *name,
        const char *value, size_t len)
{
    struct host_var *v;

    for (v = *head; v != NULL; v = v->next)
        if (strcmp(v->name, name) == 0)
            break;
    if (v == NULL) {
        v = tern_alloc(a, sizeof *v);
        v->name = tern_strdup(a, name);
        v->next = *head;
        *head = v;
    }
    v->value = tern_strndup(a, value, len);
    v->len = len;
}

void
host_var_set(struct tern_ctx *ctx, const char *name, const char *value,
             size_t len)
{
    if (strncmp(name, "acl_m", 5) == 0 && ctx->msg != NULL)
        var_put(&ctx->msg->acl_m, ctx->msg->arena, name, value, len);
    else if (strncmp(name, "acl_", 4) == 0 && ctx->sess != NULL)
        var_put(&ctx->sess->acl_c, ctx->sess->arena, name, value, len);
}

void
host_log(struct host_runtime *rt, unsigned dest, const char *msgid,
         const char *fmt, ...)
{
    va_list ap;

    (void)rt;
    (void)msgid;
    tern_buf_adds(&ta.log, dest & TERN_LOG_PANIC ? "panic|"
                           : dest & TERN_LOG_REJECT && dest & TERN_LOG_MAIN
                           ? "main,reject|"
                           : dest & TERN_LOG_REJECT ? "reject|" : "main|");
    va_start(ap, fmt);
    char *s = tern_vprintf(ta.arena, fmt, ap);
    va_end(ap);
    tern_buf_adds(&ta.log, s);
    tern_buf_addc(&ta.log, '\n');
}

int
host_runtime_provider(struct host_runtime *rt, const char *kind,
                      const char *name, size_t len, const char **why)
{
    (void)rt;
    (void)kind;
    (void)name;
    (void)len;
    (void)why;
    return 0;
}

int
host_mode_bs(const struct host_cmdline *cl)
{
    (void)cl;
    return 0;
}
