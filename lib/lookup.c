/*
 * NAME
 *   lookup.c - the lookup dispatcher: registry of lookup types, open
 *   handles, per-message result cache
 *
 * DESCRIPTION
 *   lib/lookup.h describes the policy (open once per process, reopen a
 *   changed file at its first use in a message, at most open_max idle
 *   handles, cache OK and FAIL per message).  Here: the registry is an
 *   array searched by name (a handful of types); open handles are a
 *   short array, searched linearly, of handles allocated one by one (a
 *   lookup running inside another, from a wildlsearch key, may open or
 *   close others without moving the one in use), with a use clock for
 *   LRU; the cache is a chained hash table whose entries live in an
 *   arena dropped with each message.
 *
 * DIAGNOSTICS
 *   tern_lookups_add_module(): "lookup type "x" provided by both a and
 *   b".  A file that cannot be opened gives the module's own message
 *   (the caller returns TERN_DEFER).  Out of memory exits, as the arena
 *   does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tern/module.h>

#include "arena.h"
#include "lookup.h"
#include "lookup_int.h"

#define OPEN_MAX_DEFAULT 25     /* Exim's lookup_open_max */

static void *xalloc(void *p)
{
    if (p == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(1);
    }
    return p;
}

struct tern_lookups *tern_lookups_new(void)
{
    struct tern_lookups *r = xalloc(calloc(1, sizeof *r));

    r->open_max = OPEN_MAX_DEFAULT;
    r->gen = 1;
    return r;
}

/* Close the i-th handle (unless a parent process opened it: then it is
 * only forgotten) and drop it from the table. */
static void close_slot(struct tern_lookups *r, size_t i)
{
    struct lk_open *o = r->open[i];

    if (o->pid == getpid()) {
        o->lk->close(o->handle);
        r->st.closes++;
    }
    free(o->file);
    free(o);
    r->open[i] = r->open[--r->n_open];
}

void tern_lookups_close_all(struct tern_lookups *r)
{
    for (size_t i = r->n_open; i-- > 0;)
        if (!r->open[i]->busy)
            close_slot(r, i);
}

static void cache_drop(struct tern_lookups *r)
{
    tern_arena_free(r->cache_arena);
    free(r->buckets);
    r->cache_arena = NULL;
    r->buckets = NULL;
    r->n_buckets = r->n_cache = 0;
}

void tern_lookups_free(struct tern_lookups *r)
{
    if (r == NULL)
        return;
    tern_lookups_close_all(r);
    cache_drop(r);
    free(r->open);
    free(r->types);
    free(r);
}

void tern_lookups_message_done(struct tern_lookups *r)
{
    cache_drop(r);
    r->gen++;
}

void tern_lookups_set_ctx(struct tern_lookups *r, struct tern_ctx *ctx)
{
    r->ctx = ctx;
}

void tern_lookups_set_open_max(struct tern_lookups *r, unsigned n)
{
    r->open_max = n ? n : 1;
}

void tern_lookups_stats(const struct tern_lookups *r,
                        struct tern_lookup_stats *s)
{
    *s = r->st;
    s->open_now = (unsigned)r->n_open;
}

const struct tern_lookup *tern_lookups_get(const struct tern_lookups *r,
                                           const char *name, size_t len)
{
    for (size_t i = 0; i < r->n_types; i++)
        if (strlen(r->types[i].lk->name) == len &&
            memcmp(r->types[i].lk->name, name, len) == 0)
            return r->types[i].lk;
    return NULL;
}

int tern_lookups_style(void *arg, const char *type)
{
    const struct tern_lookup *lk = tern_lookups_get(arg, type, strlen(type));

    return lk ? (int)lk->style : 0;
}

const char *lk_module_of(const struct tern_lookups *r,
                         const struct tern_lookup *lk)
{
    for (size_t i = 0; i < r->n_types; i++)
        if (r->types[i].lk == lk)
            return r->types[i].module;
    return "?";
}

int tern_lookups_add_module(struct tern_lookups *r,
                            const struct tern_module *m, char *err,
                            size_t errlen)
{
    for (size_t i = 0; m->lookups && m->lookups[i]; i++) {
        const struct tern_lookup *lk = m->lookups[i];
        const struct tern_lookup *had =
            tern_lookups_get(r, lk->name, strlen(lk->name));
        if (had) {
            snprintf(err, errlen, "lookup type \"%s\" provided by both %s "
                     "and %s", lk->name, lk_module_of(r, had), m->name);
            return -1;
        }
        if (r->n_types == r->cap_types) {
            r->cap_types = r->cap_types ? 2 * r->cap_types : 16;
            r->types = xalloc(realloc(r->types,
                                      r->cap_types * sizeof *r->types));
        }
        r->types[r->n_types].lk = lk;
        r->types[r->n_types++].module = m->name;
    }
    return 0;
}

/* ---- open handles ---------------------------------------------------- */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Forget handles a parent process opened: never use them here. */
static void drop_inherited(struct tern_lookups *r)
{
    pid_t me = getpid();

    for (size_t i = r->n_open; i-- > 0;)
        if (r->open[i]->pid != me)
            close_slot(r, i);
}

/* Make room for one more handle: close the least recently used idle
 * one when open_max are held.  Handles in use by a lookup that is still
 * running (a wildlsearch key that looks something up) are never closed,
 * so the table may briefly hold more. */
static void make_room(struct tern_lookups *r)
{
    if (r->n_open >= r->open_max) {
        size_t lru = r->n_open;
        for (size_t i = 0; i < r->n_open; i++)
            if (!r->open[i]->busy &&
                (lru == r->n_open || r->open[i]->used < r->open[lru]->used))
                lru = i;
        if (lru < r->n_open)
            close_slot(r, lru);
    }
    if (r->n_open == r->cap_open) {
        r->cap_open = r->cap_open ? 2 * r->cap_open : 8;
        r->open = xalloc(realloc(r->open, r->cap_open * sizeof *r->open));
    }
}

/* An open handle for (lk, file) that can be used as it is, or NULL;
 * one whose file changed since it was opened is closed (*changed). */
static struct lk_open *reuse(struct tern_lookups *r,
                             const struct tern_lookup *lk, const char *file,
                             int *changed)
{
    struct stat st;

    for (size_t i = 0; i < r->n_open; i++) {
        struct lk_open *o = r->open[i];
        if (o->lk != lk || (file == NULL) != (o->file == NULL) ||
            (file && strcmp(file, o->file) != 0))
            continue;
        if (!o->busy && file && o->gen != r->gen) {
            if (stat(file, &st) != 0 || !same_file(&st, &o->st)) {
                close_slot(r, i);
                *changed = 1;
                return NULL;
            }
            o->gen = r->gen;
        }
        o->used = ++r->clock;
        return o;
    }
    return NULL;
}

struct lk_open *lk_handle(struct tern_lookups *r,
                          const struct tern_lookup *lk, const char *file,
                          struct tern_arena *a, const char **err)
{
    const char *why = NULL;
    int changed = 0;

    if (r->n_open && r->open[0]->pid != getpid())
        drop_inherited(r);
    struct lk_open *o = reuse(r, lk, file, &changed);
    if (o)
        return o;
    make_room(r);
    void *h = lk->open(file, &why);
    if (h == NULL) {
        *err = tern_strdup(a, why ? why : "cannot open lookup file");
        return NULL;
    }
    if (lk->check && lk->check(h, file, &why) != TERN_OK) {
        *err = tern_strdup(a, why ? why : "lookup file refused");
        lk->close(h);
        return NULL;
    }
    o = xalloc(calloc(1, sizeof *o));
    o->lk = lk;
    o->handle = h;
    o->pid = getpid();
    o->gen = r->gen;
    o->used = ++r->clock;
    /* Stat after opening: a file replaced in between is rechecked (and
     * reopened) in the next message rather than missed for good. */
    if (file) {
        o->file = xalloc(strdup(file));
        if (stat(file, &o->st) != 0)
            memset(&o->st, 0, sizeof o->st);
    }
    r->open[r->n_open++] = o;
    r->st.opens++;
    r->st.reopens += changed;
    return o;
}

/* ---- the per-message cache ------------------------------------------- */

static unsigned long long cache_hash(const struct tern_lookup *lk,
                                     const char *file, const char *opts,
                                     size_t opts_len, const char *key,
                                     size_t klen)
{
    unsigned long long h = tern_fnv1a(TERN_FNV_INIT, &lk, sizeof lk);

    h = tern_fnv1a(h, file ? file : "", file ? strlen(file) + 1 : 0);
    h = tern_fnv1a(h, opts, opts_len);
    h = tern_fnv1a(h, "\n", 1);
    return tern_fnv1a(h, key, klen);
}

struct lk_cent *lk_cache_get(struct tern_lookups *r,
                             const struct tern_lookup *lk, const char *file,
                             const char *opts, size_t opts_len,
                             const char *key, size_t klen)
{
    if (r->n_buckets == 0)
        return NULL;
    unsigned long long h = cache_hash(lk, file, opts, opts_len, key, klen);
    for (struct lk_cent *c = r->buckets[h % r->n_buckets]; c; c = c->next)
        if (c->hash == h && c->lk == lk && c->klen == klen &&
            c->opts_len == opts_len && (file == NULL) == (c->file == NULL) &&
            (file == NULL || strcmp(file, c->file) == 0) &&
            memcmp(c->key, key, klen) == 0 &&
            memcmp(c->opts, opts, opts_len) == 0)
            return c;
    return NULL;
}

/* Double the table when chains grow past four on average. */
static void cache_grow(struct tern_lookups *r)
{
    size_t n = r->n_buckets ? 2 * r->n_buckets : 64;
    struct lk_cent **b = calloc(n, sizeof *b);

    if (b == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < r->n_buckets; i++)
        for (struct lk_cent *c = r->buckets[i], *next; c; c = next) {
            next = c->next;
            c->next = b[c->hash % n];
            b[c->hash % n] = c;
        }
    free(r->buckets);
    r->buckets = b;
    r->n_buckets = n;
}

void lk_cache_put(struct tern_lookups *r, struct lk_cent *had,
                  const struct tern_lookup *lk, const char *file,
                  const char *opts, size_t opts_len, const char *key,
                  size_t klen, int rc, const char *res, size_t rlen)
{
    struct lk_cent *c = had;

    if (r->cache_arena == NULL)
        r->cache_arena = tern_arena_new();
    if (c == NULL) {
        if (r->n_cache >= 4 * r->n_buckets)
            cache_grow(r);
        c = tern_alloc(r->cache_arena, sizeof *c);
        c->hash = cache_hash(lk, file, opts, opts_len, key, klen);
        c->lk = lk;
        c->file = file ? tern_strdup(r->cache_arena, file) : NULL;
        c->opts = tern_strndup(r->cache_arena, opts, opts_len);
        c->opts_len = opts_len;
        c->key = tern_strndup(r->cache_arena, key, klen);
        c->klen = klen;
        c->next = r->buckets[c->hash % r->n_buckets];
        r->buckets[c->hash % r->n_buckets] = c;
        r->n_cache++;
    }
    c->rc = rc;
    c->res = rc == TERN_OK ? tern_strndup(r->cache_arena, res, rlen) : NULL;
    c->rlen = rlen;
}
