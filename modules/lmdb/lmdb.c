/*
 * NAME
 *   lmdb.c - the lmdb module: single-key lookups in LMDB databases
 *
 * SYNOPSIS
 *   ${lookup{$sender_address_domain}lmdb{/var/lib/db/relay.mdb}}
 *   ${lookup{$sender_address_domain}lmdb{/var/lib/db/relay.mdb}{$value}fail}
 *
 * DESCRIPTION
 *   As Exim's experimental LMDB support describes it: read-only access
 *   to the main (unnamed) database of an environment that is one file
 *   (MDB_NOSUBDIR, as `mdb_load -n` makes), opened MDB_RDONLY.  The key
 *   is used exactly as given, NULs included, with no terminating NUL;
 *   the value is returned as stored (it may be empty).
 *
 *   A missing key is a lookup failure (TERN_FAIL); a file that is
 *   missing, unreadable or not an LMDB environment defers (TERN_DEFER)
 *   with LMDB's error text, as does any other LMDB error.
 *
 *   Exim keeps one read transaction open from open to close.  The host
 *   keeps our handle for the life of the process, so instead the handle
 *   holds a reset read transaction and renews it for each lookup: every
 *   lookup sees the latest committed data, and a long-lived worker never
 *   pins old pages of a database that is being updated in place.
 *
 * DIAGNOSTICS
 *   "lmdb: cannot open FILE: WHY", "lmdb: lookup in FILE failed: WHY".
 */
#include "config.h"

#include <lmdb.h>
#include <stdlib.h>

#include "../lookup_util.h"
#include "lmdb_schema.h"

struct lm {
    MDB_env *env;
    MDB_txn *txn;       /* reset between lookups */
    MDB_dbi dbi;
};

static void lm_close(void *handle)
{
    struct lm *h = handle;

    if (h->txn)
        mdb_txn_abort(h->txn);
    if (h->env)
        mdb_env_close(h->env);
    free(h);
}

static void *lm_open(const char *filename, const char **err)
{
    struct lm *h = calloc(1, sizeof *h);
    int rc;

    if (h == NULL) {
        *err = "out of memory";
        return NULL;
    }
    if ((rc = mdb_env_create(&h->env)) != 0 ||
        (rc = mdb_env_open(h->env, filename, MDB_NOSUBDIR | MDB_RDONLY,
                           0664)) != 0 ||
        (rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &h->txn)) != 0 ||
        (rc = mdb_dbi_open(h->txn, NULL, 0, &h->dbi)) != 0) {
        *err = lk_err("lmdb: cannot open %s: %s", filename,
                      mdb_strerror(rc));
        lm_close(h);
        return NULL;
    }
    mdb_txn_reset(h->txn);
    return h;
}

static int lm_find(void *handle, const char *filename, const char *key,
                   size_t klen, const char *opts, char **result,
                   size_t *rlen, const char **err, struct tern_ctx *ctx)
{
    struct lm *h = handle;
    MDB_val k, d;
    int rc, ret = TERN_DEFER;

    (void)opts;
    (void)ctx;
    k.mv_data = (void *)key;
    k.mv_size = klen;
    if ((rc = mdb_txn_renew(h->txn)) == 0) {
        rc = mdb_get(h->txn, h->dbi, &k, &d);
        /* d points into the map only while the transaction lives. */
        if (rc == 0)
            ret = lk_result(d.mv_data, d.mv_size, result, rlen, err);
        else if (rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE)
            ret = TERN_FAIL;    /* no such key (or one LMDB cannot hold) */
        mdb_txn_reset(h->txn);
    }
    if (ret == TERN_DEFER && rc != 0)
        *err = lk_err("lmdb: lookup in %s failed: %s", filename,
                      mdb_strerror(rc));
    return ret;
}

static const struct tern_lookup lk_lmdb = {
    .name = "lmdb",
    .style = TERN_LOOKUP_SINGLE_KEY,
    .open = lm_open,
    .close = lm_close,
    .find_opt = lm_find,
    .free_result = lk_free_result,
};

static const struct tern_lookup *const lookups[] = { &lk_lmdb, NULL };

TERN_EXPORT const struct tern_module lmdb_LTX_tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "lmdb",
    .version = LMDB_SCHEMA_VERSION,
    .schema_hash = LMDB_SCHEMA_HASH,
    .lookups = lookups,
};
