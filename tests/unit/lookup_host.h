/*
 * NAME
 *   lookup_host.h - a small host for lookup tests: loads the real lookup
 *   modules, gives them a host API table, runs expansions
 *
 * DESCRIPTION
 *   Used by test_lookup.c and lookup_probe.c.  The modules come from the
 *   module path ($TERN_MODULE_PATH, else $TERN_BUILDDIR/modules/.libs);
 *   each module's init() gets a host table whose expand() runs Tern's
 *   evaluator with the lookup dispatcher plugged in, so wildlsearch keys
 *   are expanded as the host would.  $primary_hostname is "test.ex" (as
 *   in the Exim configuration the interop tests use); every other
 *   variable is empty.
 */
#ifndef TERN_TESTS_LOOKUP_HOST_H
#define TERN_TESTS_LOOKUP_HOST_H

#include <stddef.h>

#include <tern/host.h>
#include "expand.h"
#include "lookup.h"
#include "modload.h"

#define LH_MODULES 4

struct lh;

/* What the modules get as ctx. */
struct tern_ctx {
    struct lh *h;
};

struct lh {
    struct tern_loaded_module mods[LH_MODULES];
    size_t n_mods;
    struct tern_lookups *lk;
    struct tern_arena *a;
    struct tern_exp_schema schema;
    struct tern_exp_env env;
    struct tern_ctx ctx;
};

/* Load lsearch, dsearch, dbm and lmdb and register their lookups.
 * 0 on success; 1 when they cannot be loaded from files here (an
 * all-in-one build); -1 with a message in err. */
int lh_open(struct lh *h, char *err, size_t errlen);
void lh_close(struct lh *h);

/* Expand s as `exim -be` would print it: the result, or "Failed: why".
 * The string lives in h->a. */
const char *lh_expand(struct lh *h, const char *s);

#endif
