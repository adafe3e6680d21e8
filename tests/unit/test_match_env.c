/*
 * NAME
 *   test_match_env.c - fake hooks for the list matcher's tests
 *
 * DESCRIPTION
 *   See test_match_env.h.  The fake expansion replaces "$v" with
 *   tm.dollar_value, gives a forced failure for text containing
 *   "FORCEFAIL" and an error for "EXPERR", and otherwise returns the text
 *   unchanged.  Lookup types: lsearch, dbm, cdb and iplsearch are
 *   single-key, mysql and pgsql query style, anything else unknown.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "test_match_env.h"

#define MAX_ROWS 64

struct tm_state tm;

static struct { const char *type, *file, *key, *data; } lookups[MAX_ROWS];
static size_t n_lookups;
static struct { unsigned kind; const char *name, *text; unsigned fl; }
    lists[MAX_ROWS];
static size_t n_lists;
static struct { const char *ip, *names; } hosts[MAX_ROWS];
static size_t n_hosts;
static struct { const char *name, *addrs; } names[MAX_ROWS];
static size_t n_names;
static struct { const char *domain; unsigned which; int rc; } mxs[MAX_ROWS];
static size_t n_mxs;

void tm_add_lookup(const char *type, const char *file, const char *key,
                   const char *data)
{
    assert_true(n_lookups < MAX_ROWS);
    lookups[n_lookups].type = type;
    lookups[n_lookups].file = file;
    lookups[n_lookups].key = key;
    lookups[n_lookups++].data = data;
}

void tm_add_list(unsigned kind, const char *name, const char *text,
                 unsigned flags)
{
    assert_true(n_lists < MAX_ROWS);
    lists[n_lists].kind = kind;
    lists[n_lists].name = name;
    lists[n_lists].text = text;
    lists[n_lists++].fl = flags;
}

void tm_add_host(const char *ip, const char *n)
{
    hosts[n_hosts].ip = ip;
    hosts[n_hosts++].names = n;
}

void tm_add_name(const char *name, const char *addrs)
{
    names[n_names].name = name;
    names[n_names++].addrs = addrs;
}

void tm_set_mx(const char *domain, unsigned which, int rc)
{
    mxs[n_mxs].domain = domain;
    mxs[n_mxs].which = which;
    mxs[n_mxs++].rc = rc;
}

static int fake_lookup(void *arg, const struct tern_exp_lookup_req *req,
                       struct tern_arena *a, char **result, size_t *rlen,
                       const char **err)
{
    size_t n = strlen(tm.keys);
    (void)arg;
    tm.calls.lookup++;
    snprintf(tm.keys + n, sizeof tm.keys - n, "%s%s", n ? "|" : "",
             req->key);
    if (req->file && strstr(req->file, "defer")) {
        *err = "fake deferral";
        return TERN_DEFER;
    }
    if (req->file && strstr(req->file, "error")) {
        *err = "fake error";
        return TERN_ERROR;
    }
    for (size_t i = 0; i < n_lookups; i++) {
        if (strcmp(lookups[i].type, req->type) != 0)
            continue;
        if (req->file ? !lookups[i].file || strcmp(lookups[i].file, req->file)
                      : lookups[i].file != NULL)
            continue;
        if (strlen(lookups[i].key) != req->key_len ||
            memcmp(lookups[i].key, req->key, req->key_len) != 0)
            continue;
        *result = tern_strdup(a, lookups[i].data);
        *rlen = strlen(lookups[i].data);
        return TERN_OK;
    }
    return TERN_FAIL;
}

static int fake_style(void *arg, const char *type)
{
    static const char *const single[] = { "lsearch", "dbm", "cdb",
                                          "iplsearch", NULL };
    (void)arg;
    for (size_t i = 0; single[i]; i++)
        if (strcmp(single[i], type) == 0)
            return TERN_LOOKUP_SINGLE_KEY;
    if (strcmp(type, "mysql") == 0 || strcmp(type, "pgsql") == 0)
        return TERN_LOOKUP_QUERY;
    return 0;
}

static int fake_named(void *arg, unsigned kind, const char *name,
                      const char **list, unsigned *flags)
{
    (void)arg;
    tm.calls.named_list++;
    for (size_t i = 0; i < n_lists; i++)
        if (lists[i].kind == kind && strcmp(lists[i].name, name) == 0) {
            *list = lists[i].text;
            *flags = lists[i].fl;
            return TERN_OK;
        }
    return TERN_FAIL;
}

static int fake_expand(void *arg, unsigned kind, const char *subject,
                       const char *s, struct tern_arena *a, char **out,
                       const char **err)
{
    (void)arg;
    (void)kind;
    (void)subject;
    tm.calls.expand++;
    if (strstr(s, "FORCEFAIL"))
        return TERN_FAIL;
    if (strstr(s, "EXPERR")) {
        *err = "fake expansion error";
        return TERN_ERROR;
    }
    char buf[1024];
    size_t n = 0;
    for (const char *p = s; *p && n + 64 < sizeof buf; p++) {
        if (p[0] == '$' && p[1] == 'v') {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s",
                                  tm.dollar_value ? tm.dollar_value : "");
            p++;
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    *out = tern_strdup(a, buf);
    return TERN_OK;
}

static int fake_local(void *arg, struct tern_arena *a,
                      const char *const **addrs, size_t *n)
{
    static const char *const mine[] = { "127.0.0.1", "192.0.2.25",
                                        "2001:db8::25", "::1" };
    (void)arg;
    (void)a;
    tm.calls.local_addresses++;
    *addrs = mine;
    *n = 4;
    return TERN_OK;
}

/* "a b c" -> array. */
static const char *const *split(struct tern_arena *a, const char *s,
                                size_t *n)
{
    const char **v = tern_alloc(a, 16 * sizeof *v);
    char *copy = tern_strdup(a, s), *save = NULL;
    *n = 0;
    for (char *t = strtok_r(copy, " ", &save); t && *n < 16;
         t = strtok_r(NULL, " ", &save))
        v[(*n)++] = t;
    return v;
}

static int fake_names(void *arg, const char *ip, struct tern_arena *a,
                      const char *const **out, size_t *n, const char **err)
{
    (void)arg;
    tm.calls.host_names++;
    for (size_t i = 0; i < n_hosts; i++)
        if (strcmp(hosts[i].ip, ip) == 0) {
            if (!hosts[i].names) {
                *err = "fake DNS timeout";
                return TERN_DEFER;
            }
            *out = split(a, hosts[i].names, n);
            return *n ? TERN_OK : TERN_FAIL;
        }
    return TERN_FAIL;
}

static int fake_addrs(void *arg, const char *name, struct tern_arena *a,
                      const char *const **out, size_t *n, const char **err)
{
    (void)arg;
    tm.calls.host_addresses++;
    for (size_t i = 0; i < n_names; i++)
        if (strcmp(names[i].name, name) == 0) {
            if (!names[i].addrs) {
                *err = "fake DNS timeout";
                return TERN_DEFER;
            }
            *out = split(a, names[i].addrs, n);
            return *n ? TERN_OK : TERN_FAIL;
        }
    return TERN_FAIL;
}

static int fake_mx(void *arg, const char *domain, unsigned which,
                   const char *ignore, struct tern_arena *a,
                   const char **err)
{
    (void)arg;
    (void)a;
    tm.calls.mx++;
    for (size_t i = 0; i < n_mxs; i++)
        if (strcmp(mxs[i].domain, domain) == 0 && mxs[i].which == which) {
            if (mxs[i].rc == TERN_DEFER)
                *err = "fake MX timeout";
            /* An ignore list naming our address turns a yes into no. */
            if (mxs[i].rc == TERN_OK && ignore &&
                strstr(ignore, "192.0.2.25"))
                return TERN_FAIL;
            return mxs[i].rc;
        }
    return TERN_FAIL;
}

int tm_setup(void **state)
{
    (void)state;
    memset(&tm, 0, sizeof tm);
    n_lookups = n_lists = n_hosts = n_names = n_mxs = 0;
    tm.arena = tern_arena_new();
    tm.env.lookup = fake_lookup;
    tm.env.lookup_style = fake_style;
    tm.env.named_list = fake_named;
    tm.env.expand = fake_expand;
    tm.env.primary_hostname = "mail.example";
    tm.env.local_addresses = fake_local;
    tm.env.host_names = fake_names;
    tm.env.host_addresses = fake_addrs;
    tm.env.mx_local = fake_mx;
    return 0;
}

int tm_teardown(void **state)
{
    (void)state;
    tern_match_cache_free(tm.cache);
    tern_arena_free(tm.arena);
    tm.cache = NULL;
    tm.arena = NULL;
    return 0;
}

void tm_use_cache(void)
{
    if (!tm.cache)
        tm.cache = tern_match_cache_new();
}

static void reset(void)
{
    memset(&tm.res, 0xa5, sizeof tm.res);   /* every field must be set */
    tm.keys[0] = '\0';
}

int tm_domain(const char *subject, const char *list)
{
    reset();
    return tern_match_domain(&tm.env, tm.cache, subject, list, 0, tm.arena,
                             &tm.res);
}

int tm_local(const char *subject, const char *list)
{
    return tm_local_flags(subject, list, 0);
}

int tm_local_flags(const char *subject, const char *list, unsigned flags)
{
    reset();
    return tern_match_localpart(&tm.env, tm.cache, subject, list, flags,
                                tm.arena, &tm.res);
}

int tm_address(const char *subject, const char *list)
{
    reset();
    return tern_match_address(&tm.env, tm.cache, subject, list, 0, tm.arena,
                              &tm.res);
}

int tm_host(const char *ip, const char *list)
{
    reset();
    return tern_match_host(&tm.env, tm.cache, ip, list, 0, tm.arena,
                           &tm.res);
}

int tm_ip(const char *ip, const char *list)
{
    reset();
    return tern_match_host(&tm.env, tm.cache, ip, list, TERN_MATCH_IP_ONLY,
                           tm.arena, &tm.res);
}

const char *tm_value(void)
{
    return tm.res.value ? tm.res.value : "(null)";
}
