/*
 * NAME
 *   lookup_int.h - internals shared by lib/lookup.c and lib/lookup_find.c
 *
 * DESCRIPTION
 *   The registry's layout, the handle table and the per-message cache.
 *   Nothing here is part of the libtern API.
 */
#ifndef TERN_LOOKUP_INT_H
#define TERN_LOOKUP_INT_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lookup.h"

struct lk_type {
    const struct tern_lookup *lk;
    const char *module;
};

struct lk_open {
    const struct tern_lookup *lk;
    char *file;                 /* malloc'd; NULL for query-style */
    void *handle;
    struct stat st;             /* as the file was when opened */
    unsigned long gen;          /* message in which it was last checked */
    unsigned long used;         /* LRU clock */
    pid_t pid;                  /* process that opened it */
    int busy;                   /* a find() on it is running */
};

/* A cached result: TERN_OK with res[0..rlen), or TERN_FAIL. */
struct lk_cent {
    struct lk_cent *next;
    unsigned long long hash;
    const struct tern_lookup *lk;
    const char *file;           /* NULL for query-style */
    const char *opts, *key;
    size_t opts_len, klen;
    int rc;
    char *res;
    size_t rlen;
};

struct tern_lookups {
    struct lk_type *types;
    size_t n_types, cap_types;
    struct lk_open **open;      /* each allocated on its own, so a */
    size_t n_open, cap_open;    /* nested lookup cannot move it */
    unsigned open_max;
    unsigned long gen, clock;
    struct tern_arena *cache_arena;     /* NULL while the cache is empty */
    struct lk_cent **buckets;
    size_t n_buckets, n_cache;
    struct tern_ctx *ctx;
    struct tern_lookup_stats st;
};

/* Name of the module that provided lk. */
const char *lk_module_of(const struct tern_lookups *r,
                         const struct tern_lookup *lk);
/* The handle for (lk, file), opened or reopened as needed.  NULL with
 * *err (in a) when it cannot be opened. */
struct lk_open *lk_handle(struct tern_lookups *r,
                          const struct tern_lookup *lk, const char *file,
                          struct tern_arena *a, const char **err);
/* The cache entry for this lookup, NULL if none. */
struct lk_cent *lk_cache_get(struct tern_lookups *r,
                             const struct tern_lookup *lk, const char *file,
                             const char *opts, size_t opts_len,
                             const char *key, size_t klen);
/* Record a result, updating `had` (from lk_cache_get) when not NULL. */
void lk_cache_put(struct tern_lookups *r, struct lk_cent *had,
                  const struct tern_lookup *lk, const char *file,
                  const char *opts, size_t opts_len, const char *key,
                  size_t klen, int rc, const char *res, size_t rlen);

#endif
