/*
 * NAME
 *   match_cache.c - results of named lists, and compiled regular
 *   expressions, kept for one message or session
 *
 * SYNOPSIS
 *   struct tern_match_cache *c = tern_match_cache_new();
 *   ... tern_match_domain(&env, c, ...) ...
 *   tern_match_cache_clear(c);            (next message)
 *   tern_match_cache_free(c);
 *
 * DESCRIPTION
 *   Exim remembers, while it handles one message, whether a domain or
 *   local part was in a named list, so that `domains = +local_domains`
 *   on ten routers costs one test.  Here a result is keyed by the kind
 *   of list, its name, the subject and the flags that change the answer
 *   (caseful, IP-only), and holds OK or FAIL and the value of the
 *   match.  Whether a result may be stored at all is match_list.c's
 *   decision.
 *
 *   Regular expressions from lists are compiled once per cache (Exim
 *   compiles them each time a list is checked); without a cache they
 *   are compiled per use and freed at once.
 *
 *   Memory is the heap's, not an arena's: a session's cache is cleared
 *   for each message and must not grow with the session.
 *
 * DIAGNOSTICS
 *   A bad regular expression gives TERN_ERROR with PCRE2's message and
 *   the offset, as Exim reports it.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "match_int.h"

struct mt_entry {
    struct mt_entry *next;
    unsigned long long hash;
    size_t keylen;
    char *key;                  /* kind, flags, name NUL subject */
    int rc;
    char *value;                /* NULL when the match had none */
};

struct mt_rx {
    struct mt_rx *next;
    unsigned long long hash;
    int caseless;
    char *pattern;
    pcre2_code *code;
};

struct tern_match_cache {
    struct mt_entry **tab;
    size_t size, count;
    struct mt_rx **rtab;
    size_t rsize, rcount;
};

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();                /* as tern_alloc: out of memory is fatal */
    return p;
}

static char *xmemdup(const char *s, size_t n)
{
    char *p = xcalloc(n + 1, 1);
    memcpy(p, s, n);
    return p;
}

struct tern_match_cache *tern_match_cache_new(void)
{
    struct tern_match_cache *c = xcalloc(1, sizeof *c);
    c->size = 64;
    c->tab = xcalloc(c->size, sizeof *c->tab);
    c->rsize = 32;
    c->rtab = xcalloc(c->rsize, sizeof *c->rtab);
    return c;
}

void tern_match_cache_clear(struct tern_match_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->size; i++) {
        struct mt_entry *e = c->tab[i], *n;
        for (; e; e = n) {
            n = e->next;
            free(e->key);
            free(e->value);
            free(e);
        }
        c->tab[i] = NULL;
    }
    c->count = 0;
    for (size_t i = 0; i < c->rsize; i++) {
        struct mt_rx *r = c->rtab[i], *n;
        for (; r; r = n) {
            n = r->next;
            pcre2_code_free(r->code);
            free(r->pattern);
            free(r);
        }
        c->rtab[i] = NULL;
    }
    c->rcount = 0;
}

void tern_match_cache_free(struct tern_match_cache *c)
{
    if (!c)
        return;
    tern_match_cache_clear(c);
    free(c->tab);
    free(c->rtab);
    free(c);
}

size_t tern_match_cache_count(const struct tern_match_cache *c)
{
    return c ? c->count : 0;
}

/* The key is binary: kind and flags first, then name NUL subject, so
 * no choice of names can make two keys collide. */
static char *make_key(unsigned kind, unsigned fl, const char *name,
                      const char *subject, size_t *len)
{
    size_t nl = strlen(name), sl = strlen(subject);
    char *k = xcalloc(nl + sl + 4, 1);
    k[0] = (char)kind;
    k[1] = (char)fl;
    memcpy(k + 2, name, nl);
    memcpy(k + 3 + nl, subject, sl);
    *len = nl + sl + 3;
    return k;
}

static void grow(struct tern_match_cache *c)
{
    size_t nsize = c->size * 2;
    struct mt_entry **nt = xcalloc(nsize, sizeof *nt);
    for (size_t i = 0; i < c->size; i++) {
        struct mt_entry *e = c->tab[i], *n;
        for (; e; e = n) {
            n = e->next;
            e->next = nt[e->hash % nsize];
            nt[e->hash % nsize] = e;
        }
    }
    free(c->tab);
    c->tab = nt;
    c->size = nsize;
}

int mt_cache_get(struct tern_match_cache *c, unsigned kind, unsigned fl,
                 const char *name, const char *subject, int *rc,
                 const char **value)
{
    size_t len;
    if (!c)
        return 0;
    char *k = make_key(kind, fl, name, subject, &len);
    unsigned long long h = tern_fnv1a(TERN_FNV_INIT, k, len);
    int found = 0;
    for (struct mt_entry *e = c->tab[h % c->size]; e; e = e->next)
        if (e->hash == h && e->keylen == len && !memcmp(e->key, k, len)) {
            *rc = e->rc;
            *value = e->value;
            found = 1;
            break;
        }
    free(k);
    return found;
}

void mt_cache_put(struct tern_match_cache *c, unsigned kind, unsigned fl,
                  const char *name, const char *subject, int rc,
                  const char *value)
{
    size_t len;
    if (!c || (rc != TERN_OK && rc != TERN_FAIL))
        return;
    struct mt_entry *e = xcalloc(1, sizeof *e);
    e->key = make_key(kind, fl, name, subject, &len);
    e->keylen = len;
    e->hash = tern_fnv1a(TERN_FNV_INIT, e->key, len);
    e->rc = rc;
    e->value = value ? xmemdup(value, strlen(value)) : NULL;
    if (c->count + 1 > c->size * 2)
        grow(c);
    e->next = c->tab[e->hash % c->size];
    c->tab[e->hash % c->size] = e;
    c->count++;
}

/* ------------------------------------------------------------------ */
/* Regular expressions                                                 */

static pcre2_code *compile(struct mt *m, const char *pattern, int caseless)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern,
                                     PCRE2_ZERO_TERMINATED,
                                     caseless ? PCRE2_CASELESS : 0, &ec,
                                     &eo, NULL);
    if (!code) {
        char msg[256];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof msg);
        mt_fail(m, TERN_ERROR, pattern, "regular expression error: %s at "
                "offset %zu while compiling %s", msg, (size_t)eo, pattern);
    }
    return code;
}

/* A compiled pattern from the cache, compiling and storing it when
 * new; *owned is set when the caller must free it (no cache). */
static pcre2_code *get_code(struct mt *m, const char *pattern,
                            int caseless, int *owned)
{
    struct tern_match_cache *c = m->cache;
    *owned = 0;
    if (!c) {
        *owned = 1;
        return compile(m, pattern, caseless);
    }
    unsigned long long h = tern_fnv1a(TERN_FNV_INIT, pattern,
                                      strlen(pattern));
    h = tern_fnv1a(h, &caseless, sizeof caseless);
    for (struct mt_rx *r = c->rtab[h % c->rsize]; r; r = r->next)
        if (r->hash == h && r->caseless == caseless &&
            strcmp(r->pattern, pattern) == 0)
            return r->code;
    pcre2_code *code = compile(m, pattern, caseless);
    if (!code)
        return NULL;
    struct mt_rx *r = xcalloc(1, sizeof *r);
    r->hash = h;
    r->caseless = caseless;
    r->pattern = xmemdup(pattern, strlen(pattern));
    r->code = code;
    r->next = c->rtab[h % c->rsize];
    c->rtab[h % c->rsize] = r;
    c->rcount++;
    return code;
}

int mt_regex(struct mt *m, const char *pattern, const char *subject,
             int caseless, int set_subs)
{
    int owned;
    pcre2_code *code = get_code(m, pattern, caseless, &owned);
    if (!code)
        return TERN_ERROR;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!md)
        abort();
    size_t slen = strlen(subject);
    int rc = pcre2_match(code, (PCRE2_SPTR)subject, slen, 0, 0, md, NULL);
    int result = TERN_FAIL;
    if (rc > 0) {
        result = TERN_OK;
        if (set_subs) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            unsigned n = (unsigned)rc;
            if (n > TERN_MATCH_MAX_SUBS)
                n = TERN_MATCH_MAX_SUBS;
            for (unsigned i = 0; i < n; i++)
                m->subs[i] = ov[2 * i] == PCRE2_UNSET ? "" :
                    tern_strndup(m->a, subject + ov[2 * i],
                                 ov[2 * i + 1] - ov[2 * i]);
            m->n_subs = n;
        }
    } else if (rc != PCRE2_ERROR_NOMATCH) {
        char msg[256];
        pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
        result = mt_fail(m, TERN_ERROR, pattern, "regular expression match "
                         "failed: %s", msg);
    }
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(code);
    return result;
}
