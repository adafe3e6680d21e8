/*
 * NAME
 *   test_expand_env.c - schema, environment and case classification for
 *   the expansion tests
 *
 * SYNOPSIS
 *   struct tern_exp_env env;  texp_env(&env, "tests/data/expand");
 *   line = texp_classify(arena, &env, input, strlen(input));
 *
 * DESCRIPTION
 *   The values here are the ones Exim 4.96 shows under -be with the
 *   configuration tests/interop/expand-cases.sh writes, so the same
 *   case file can be checked against both.  List matching is a small
 *   literal/wildcard/CIDR matcher, enough for the cases: the real one is
 *   the host's.
 *
 * DIAGNOSTICS
 *   None; texp_classify() reports failures as case-file lines.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tern/module.h>

#include "arena.h"
#include "test_expand_env.h"

static const struct {
    const char *name, *value;
} vars[] = {
    { "acl_narg", "0" },
    { "authenticated_id", "root" },
    { "caller_gid", "0" },
    { "caller_uid", "0" },
    { "compile_number", "2" },
    { "config_dir", NULL },             /* set by texp_env() */
    { "domain", "" },
    { "exim_gid", "65534" },
    { "exim_uid", "65534" },
    { "exim_version", "4.96" },
    { "home", "" },
    { "local_part", "" },
    { "message_size", "0" },
    { "primary_hostname", "test.ex" },
    { "qualify_domain", "test.ex" },
    { "qualify_recipient", "test.ex" },
    { "received_count", "0" },
    { "recipients_count", "0" },
    { "runrc", "0" },
    { "sender_address", "root@test.ex" },
    { "sender_host_address", "" },
    { "sender_ident", "root" },
    { "smtp_active_hostname", "test.ex" },
    { "tls_in_cipher", "" },
    { "version_number", "4.96" },
};

#define N_VARS (sizeof vars / sizeof vars[0])

static int is_family(const char *name, size_t len)
{
    /* $acl_c... and $acl_m...: sixth character a digit or underscore. */
    return len >= 6 && (strncmp(name, "acl_c", 5) == 0 ||
                        strncmp(name, "acl_m", 5) == 0) &&
           (name[5] == '_' || (name[5] >= '0' && name[5] <= '9'));
}

static int find_var(const char *name, size_t len)
{
    for (size_t i = 0; i < N_VARS; i++)
        if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

static int eqn(const char *name, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

static int known(void *arg, unsigned kind, const char *name, size_t len,
                 struct tern_exp_known *info)
{
    (void)arg;
    switch (kind) {
    case TERN_EXP_VARIABLE:
        return find_var(name, len) >= 0 || is_family(name, len) ||
               (len > 8 && strncmp(name, "acl_arg", 7) == 0);
    case TERN_EXP_LOOKUP:
        if (eqn(name, len, "lsearch") || eqn(name, len, "dbm") ||
            eqn(name, len, "cdb")) {
            info->lookup_style = TERN_LOOKUP_SINGLE_KEY;
            return 1;
        }
        if (eqn(name, len, "dnsdb") || eqn(name, len, "tq")) {
            info->lookup_style = TERN_LOOKUP_QUERY;
            return 1;
        }
        return 0;
    case TERN_EXP_ITEM:
        if (eqn(name, len, "authresults")) {
            info->min_args = info->max_args = 1;
            return 1;
        }
        return 0;
    case TERN_EXP_CONDITION:
        if (eqn(name, len, "inbound_srs")) {
            info->min_args = info->max_args = 2;
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

const struct tern_exp_schema texp_schema = { known, NULL };

struct tenv {
    char config_dir[4096];
};

static struct tenv the_env;     /* one data directory per test program */

static int variable(void *arg, const char *name, size_t len,
                    const char **val, size_t *vlen)
{
    struct tenv *t = arg;
    int i = find_var(name, len);
    if (i < 0) {
        if (!is_family(name, len) && strncmp(name, "acl_arg", 7) != 0)
            return TERN_FAIL;
        *val = "";
        *vlen = 0;
        return TERN_OK;
    }
    *val = vars[i].value ? vars[i].value : t->config_dir;
    *vlen = strlen(*val);
    return TERN_OK;
}

static int header(void *arg, unsigned kind, const char *name, size_t len,
                  struct tern_arena *a, char **val, size_t *vlen)
{
    (void)arg; (void)kind; (void)name; (void)len; (void)a; (void)val;
    (void)vlen;
    return TERN_FAIL;                   /* no message under -be */
}

/* lsearch: "key: data" or "key data" lines; # comments; keys may be
 * quoted; case-blind keys, as Exim's lsearch. */
static int lsearch(const char *file, const char *key, size_t klen,
                   struct tern_arena *a, char **res, size_t *rlen,
                   const char **err)
{
    FILE *f = fopen(file, "r");
    char line[4096];
    if (!f) {
        *err = tern_printf(a, "failed to open %s for linear search", file);
        return TERN_DEFER;
    }
    int rc = TERN_FAIL;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (line[0] == '#' || line[0] == '\0' || line[0] == ' ' ||
            line[0] == '\t')
            continue;
        char *k = line, *e;
        if (*k == '"') {
            k++;
            e = strchr(k, '"');
            if (!e)
                continue;
        } else {
            e = k + strcspn(k, ": \t");
        }
        if ((size_t)(e - k) != klen || strncasecmp(k, key, klen) != 0)
            continue;
        char *d = *e == '"' ? e + 1 : e;
        while (*d == ' ' || *d == '\t')
            d++;
        if (*d == ':')
            d++;
        while (*d == ' ' || *d == '\t')
            d++;
        size_t dl = strlen(d);
        while (dl && (d[dl - 1] == ' ' || d[dl - 1] == '\t'))
            dl--;
        *res = tern_strndup(a, d, dl);
        *rlen = dl;
        rc = TERN_OK;
        break;
    }
    fclose(f);
    return rc;
}

static int lookup(void *arg, const struct tern_exp_lookup_req *req,
                  struct tern_arena *a, char **result, size_t *rlen,
                  const char **err)
{
    (void)arg;
    if (strcmp(req->type, "lsearch") == 0)
        return lsearch(req->file, req->key, req->key_len, a, result, rlen,
                       err);
    if (strcmp(req->type, "tq") == 0) {
        /* Query-style test lookup: "defer" defers, "miss" misses, any
         * other query comes back in upper case brackets. */
        if (strcmp(req->key, "defer") == 0) {
            *err = "tq deferred";
            return TERN_DEFER;
        }
        if (strcmp(req->key, "miss") == 0)
            return TERN_FAIL;
        *result = tern_printf(a, "[%s]", req->key);
        *rlen = strlen(*result);
        return TERN_OK;
    }
    *err = tern_printf(a, "lookup type %s is not available", req->type);
    return TERN_DEFER;
}

/* ---- a small list matcher for the match_* conditions ---- */

static int ip_in(const char *subject, const char *pattern)
{
    unsigned char s[16], p[16];
    char buf[128];
    int bits = -1;
    snprintf(buf, sizeof buf, "%s", pattern);
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        bits = atoi(slash + 1);
    }
    int fs = strchr(subject, ':') ? AF_INET6 : AF_INET;
    int fp = strchr(buf, ':') ? AF_INET6 : AF_INET;
    if (fs != fp || inet_pton(fs, subject, s) != 1 ||
        inet_pton(fp, buf, p) != 1)
        return 0;
    int total = fs == AF_INET ? 32 : 128;
    if (bits < 0 || bits > total)
        bits = total;
    for (int i = 0; i < bits; i++) {
        int m = 0x80 >> (i % 8);
        if ((s[i / 8] & m) != (p[i / 8] & m))
            return 0;
    }
    return 1;
}

static int item_matches(unsigned kind, const char *subj, const char *item)
{
    size_t sl = strlen(subj), il = strlen(item);
    switch (kind) {
    case TERN_EXP_MATCH_IP:
        if (il == 0)
            return sl == 0;
        return strcmp(item, "*") == 0 ? sl > 0 : ip_in(subj, item);
    case TERN_EXP_MATCH_DOMAIN:
    case TERN_EXP_MATCH_LOCAL_PART:
        if (kind == TERN_EXP_MATCH_DOMAIN && item[0] == '*')
            return sl >= il - 1 &&
                   strcasecmp(subj + sl - (il - 1), item + 1) == 0;
        return strcasecmp(subj, item) == 0;
    default: {
        const char *at = strrchr(item, '@');
        const char *sat = strrchr(subj, '@');
        if (!at || !sat)
            return strcasecmp(subj, item) == 0;
        if (item[0] == '*' && at == item + 1)
            return strcasecmp(sat + 1, at + 1) == 0;
        return strcasecmp(subj, item) == 0;
    }
    }
}

static int list_match(void *arg, unsigned kind, const char *subject,
                      const char *list, struct tern_arena *a,
                      const char **value, const char **err)
{
    (void)arg; (void)err;
    const char *p = list;
    char sep = ':';
    while (*p == ' ')
        p++;
    if (p[0] == '<' && p[1] && p[1] != ' ') {
        sep = p[1];
        p += 2;
    }
    for (;;) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *item = tern_strndup(a, p, n);
        char *s = item;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            s[--l] = '\0';
        int neg = s[0] == '!';
        if (neg)
            s++;
        if ((e || l || p == list) && item_matches(kind, subject, s)) {
            if (neg)
                return TERN_FAIL;
            *value = kind == TERN_EXP_MATCH_IP ? NULL : s;
            return TERN_OK;
        }
        if (!e)
            return TERN_FAIL;
        p = e + 1;
    }
}

void texp_env(struct tern_exp_env *env, const char *datadir)
{
    memset(env, 0, sizeof *env);
    snprintf(the_env.config_dir, sizeof the_env.config_dir, "%s/", datadir);
    env->arg = &the_env;
    env->variable = variable;
    env->header = header;
    env->lookup = lookup;
    env->run = tern_exp_default_run;
    env->readsocket = tern_exp_default_readsocket;
    env->list_match = list_match;
    env->schema = &texp_schema;
}

char *texp_escape(struct tern_arena *a, const char *s, size_t len)
{
    char *out = tern_alloc(a, len * 4 + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            *o++ = '\\';
            *o++ = '\\';
        } else if (c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (c == '\t') {
            *o++ = '\\';
            *o++ = 't';
        } else if (c == '\r') {
            *o++ = '\\';
            *o++ = 'r';
        } else if (c < 32 || c >= 127 || (c == ' ' && i + 1 == len)) {
            o += sprintf(o, "\\x%02x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

char *texp_classify(struct tern_arena *a, const struct tern_exp_env *env,
                    const char *input, size_t len)
{
    struct tern_exp_result r;
    tern_exp_expand(input, len, env, a, &r);
    switch (r.status) {
    case TERN_EXP_OK: {
        /* Exim prints with %s: the output stops at a NUL. */
        size_t n = strnlen(r.str, r.len);
        if (n == 0)
            return tern_strdup(a, "=");
        return tern_printf(a, "= %s", texp_escape(a, r.str, n));
    }
    case TERN_EXP_FORCED:
        return tern_strdup(a, "! fail");
    default:
        return tern_strdup(a, "! error");
    }
}
