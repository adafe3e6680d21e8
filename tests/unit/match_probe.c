/*
 * NAME
 *   match_probe - run list matches given on stdin through lib/match
 *
 * SYNOPSIS
 *   match_probe [-c CONF] [-p PRIMARY_HOSTNAME] < cases
 *
 * DESCRIPTION
 *   Each input line is KIND TAB SUBJECT TAB LIST, KIND one of address,
 *   domain, local_part, ip (the expansion conditions match_address,
 *   match_domain, match_local_part, match_ip); blank lines and lines
 *   starting with `#` are skipped.  For each, one line is printed:
 *   `yes [VALUE]`, `no`, `defer`, or `error`, which is what
 *   tests/integration/match-vs-exim.test compares with Exim 4.96's
 *   `${if match_KIND{SUBJECT}{LIST}{yes [$value]}{no}}`.
 *
 *   CONF holds Exim-style named list definitions, one per line
 *   (`domainlist NAME = VALUE`, `hostlist`, `addresslist`,
 *   `localpartlist`, each optionally with `_cache`); other lines are
 *   ignored, so the same file can serve as Exim's configuration.  Named
 *   lists are expanded with the library's expansion evaluator.
 *
 *   Lookups: `lsearch` only, done here (keys compared caselessly, `key:
 *   data` or `key data` lines, `#` comments), since this is a probe of
 *   the matcher and not of the lookup modules.  The local interfaces
 *   are 127.0.0.1 and ::1.
 *
 * DIAGNOSTICS
 *   With TERN_PROBE_VERBOSE set, errors and deferrals are followed by
 *   the message on stderr.  Exits 2 on a malformed input line.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tern/module.h>

#include "arena.h"
#include "expand.h"
#include "match.h"

#define MAX_LISTS 64

struct named {
    unsigned kind;
    unsigned flags;
    char *name;
    char *value;
};

static struct named lists[MAX_LISTS];
static size_t n_lists;
static struct tern_exp_env exp_env;
static struct tern_match_ctx ctx;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void read_conf(const char *path)
{
    static const struct { const char *word; unsigned kind; } kinds[] = {
        { "domainlist", TERN_MATCH_DOMAIN },
        { "hostlist", TERN_MATCH_HOST },
        { "addresslist", TERN_MATCH_ADDRESS },
        { "localpartlist", TERN_MATCH_LOCALPART },
    };
    FILE *f = fopen(path, "r");
    char line[4096];

    if (!f) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, f) && n_lists < MAX_LISTS) {
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            size_t n = strlen(kinds[i].word);
            if (strncmp(line, kinds[i].word, n) != 0)
                continue;
            char *p = line + n, *eq = strchr(p, '=');
            unsigned flags = 0;
            if (strncmp(p, "_cache", 6) == 0) {
                flags = TERN_MATCH_LIST_CACHE;
                p += 6;
            }
            if (!eq || !isspace((unsigned char)*p))
                break;
            *eq = '\0';
            lists[n_lists].kind = kinds[i].kind;
            lists[n_lists].flags = flags;
            lists[n_lists].name = strdup(trim(p));
            lists[n_lists].value = strdup(trim(eq + 1));
            n_lists++;
            break;
        }
    }
    fclose(f);
}

static int named_list(void *arg, unsigned kind, const char *name,
                      const char **list, unsigned *flags)
{
    (void)arg;
    for (size_t i = 0; i < n_lists; i++)
        if (lists[i].kind == kind && strcmp(lists[i].name, name) == 0) {
            *list = lists[i].value;
            *flags = lists[i].flags;
            return TERN_OK;
        }
    return TERN_FAIL;
}

/* lsearch: the first line whose key equals `key` caselessly. */
static int lookup(void *arg, const struct tern_exp_lookup_req *req,
                  struct tern_arena *a, char **result, size_t *rlen,
                  const char **err)
{
    (void)arg;
    if (strcmp(req->type, "lsearch") != 0 || !req->file) {
        *err = "the probe knows only lsearch";
        return TERN_ERROR;
    }
    FILE *f = fopen(req->file, "r");
    if (!f) {
        *err = tern_printf(a, "failed to open %s", req->file);
        return TERN_DEFER;
    }
    char line[4096];
    int rc = TERN_FAIL;
    while (rc == TERN_FAIL && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || isspace((unsigned char)line[0]))
            continue;
        size_t k = strcspn(line, ": \t\r\n");
        if (k != req->key_len || strncasecmp(line, req->key, k) != 0)
            continue;
        char *d = line + k;
        if (*d == ':')
            d++;
        d = trim(d);
        *result = tern_strdup(a, d);
        *rlen = strlen(d);
        rc = TERN_OK;
    }
    fclose(f);
    return rc;
}

static int local_addresses(void *arg, struct tern_arena *a,
                           const char *const **addrs, size_t *n)
{
    static const char *const mine[] = { "127.0.0.1", "::1" };
    (void)arg;
    (void)a;
    *addrs = mine;
    *n = 2;
    return TERN_OK;
}

static int expand(void *arg, unsigned kind, const char *subject,
                  const char *s, struct tern_arena *a, char **out,
                  const char **err)
{
    struct tern_exp_result r;
    (void)arg;
    (void)kind;
    (void)subject;
    tern_exp_expand(s, strlen(s), &exp_env, a, &r);
    switch (r.status) {
    case TERN_EXP_OK:
        *out = r.str;
        return TERN_OK;
    case TERN_EXP_FORCED:
        return TERN_FAIL;
    case TERN_EXP_DEFER:
        *err = r.err;
        return TERN_DEFER;
    default:
        *err = r.err;
        return TERN_ERROR;
    }
}

static unsigned kind_of(const char *word)
{
    if (strcmp(word, "address") == 0)
        return TERN_EXP_MATCH_ADDRESS;
    if (strcmp(word, "domain") == 0)
        return TERN_EXP_MATCH_DOMAIN;
    if (strcmp(word, "local_part") == 0)
        return TERN_EXP_MATCH_LOCAL_PART;
    if (strcmp(word, "ip") == 0)
        return TERN_EXP_MATCH_IP;
    return 0;
}

int main(int argc, char **argv)
{
    struct tern_match_env env;
    const char *conf = NULL;
    char line[8192];
    int verbose = getenv("TERN_PROBE_VERBOSE") != NULL;

    memset(&env, 0, sizeof env);
    env.primary_hostname = "test.ex";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            env.primary_hostname = argv[++i];
        } else {
            fprintf(stderr, "usage: match_probe [-c CONF] [-p HOST]\n");
            return 2;
        }
    }
    if (conf)
        read_conf(conf);
    env.lookup = lookup;
    env.named_list = named_list;
    env.expand = expand;
    env.local_addresses = local_addresses;
    ctx.env = &env;
    ctx.cache = NULL;
    exp_env.arg = &ctx;
    exp_env.list_match = tern_match_list_env_adapter;

    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2) {
            fprintf(stderr, "match_probe: bad line: %s\n", line);
            return 2;
        }
        *t1 = *t2 = '\0';
        unsigned kind = kind_of(line);
        if (!kind) {
            fprintf(stderr, "match_probe: bad kind: %s\n", line);
            return 2;
        }
        struct tern_arena *a = tern_arena_new();
        const char *value = NULL, *err = NULL;
        int rc = tern_match_exp(&env, NULL, kind, t1 + 1, t2 + 1, a, &value,
                                &err);
        switch (rc) {
        case TERN_OK:
            printf("yes [%s]\n", value);
            break;
        case TERN_FAIL:
            printf("no\n");
            break;
        default:
            printf("%s\n", rc == TERN_DEFER ? "defer" : "error");
            if (verbose)
                fprintf(stderr, "  %s\n", err ? err : "?");
            break;
        }
        fflush(stdout);
        tern_arena_free(a);
    }
    return 0;
}
