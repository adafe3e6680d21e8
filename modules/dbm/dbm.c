/*
 * NAME
 *   dbm.c - the dbm module: dbm, dbmnz and dbmjz lookups in Berkeley DB
 *
 * SYNOPSIS
 *   ${lookup{$local_part}dbm{/etc/aliases.db}}
 *   ${lookup{$local_part}dbmnz{/etc/userdbshadow.dat}}
 *   ${lookup{$user:$realm}dbmjz{/etc/sasldb2}}
 *
 * DESCRIPTION
 *   Files are opened read-only with DB_UNKNOWN, so hash, btree and the
 *   other Berkeley DB 5.3 formats all work; exim_dbmbuild (and
 *   `db5.3_load -t hash`) write hash files.  The file name is used as
 *   given: with Berkeley DB no ".db" is added.
 *
 *   dbm: the key is looked up with a terminating NUL, which is how
 *   exim_dbmbuild stores keys.  dbmnz: without one (exim_dbmbuild
 *   -nozero, Courier's files).  dbmjz: the key is an Exim list (colon by
 *   default, `<x` to change it; blanks around items dropped, doubled
 *   separators stand for one, a final empty item ignored) whose items
 *   are joined with NULs and no terminating NUL (Cyrus sasldb).  Like
 *   Exim 4.96, an empty first item contributes two NULs, and a key with
 *   no items at all matches nothing.
 *
 *   The data is returned up to its first NUL: exim_dbmbuild stores a
 *   terminating one, and Exim treats the data as a C string.
 *
 * DIAGNOSTICS
 *   "failed to open FILE as a db (v4.1+) file: WHY" defers the lookup
 *   (WHY is Berkeley DB's own message when it gives one); other Berkeley
 *   DB errors from a lookup defer it with db_strerror()'s text.
 */
#include "config.h"

#include <ctype.h>
#include <db.h>
#include <stdlib.h>
#include <string.h>

#include "../lookup_util.h"
#include "dbm_schema.h"

enum dbm_kind { DBM_ZERO, DBM_NOZERO, DBM_JOINED };

/* Berkeley DB's last message, for the error we report. */
static _Thread_local char bdb_msg[512];

static void bdb_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    (void)env;
    (void)pfx;
    snprintf(bdb_msg, sizeof bdb_msg, "%s", msg);
}

static void *dbm_open(const char *filename, const char **err)
{
    DB *db;
    int rc;

    if ((rc = db_create(&db, NULL, 0)) != 0) {
        *err = lk_err("failed to open %s as a db (v4.1+) file: %s",
                      filename, db_strerror(rc));
        return NULL;
    }
    bdb_msg[0] = '\0';
    db->set_errcall(db, bdb_errcall);
    rc = db->open(db, NULL, filename, NULL, DB_UNKNOWN, DB_RDONLY, 0);
    if (rc != 0) {
        *err = lk_err("failed to open %s as a db (v4.1+) file: %s",
                      filename, bdb_msg[0] ? bdb_msg : db_strerror(rc));
        db->close(db, 0);
        return NULL;
    }
    return db;
}

static void dbm_close(void *handle)
{
    DB *db = handle;

    db->close(db, 0);
}

/* dbmjz: join the items of the list key[0..len) with NULs into out
 * (room for len + 2 bytes); returns the length, 0 for no items. */
static size_t join_list(const char *key, size_t len, char *out)
{
    const char *p = key, *end = key + len;
    size_t n = 0;
    int sep = ':', items = 0;

    while (p < end && isspace((unsigned char)*p))
        p++;
    if (end - p >= 2 && *p == '<' && ispunct((unsigned char)p[1])) {
        sep = p[1];
        p += 2;
    }
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end)
            break;
        if (items++)
            out[n++] = '\0';
        size_t start = n;
        while (p < end) {
            if (*p == sep) {
                if (p + 1 < end && p[1] == sep)
                    p++;
                else
                    break;
            }
            out[n++] = *p++;
        }
        while (n > start && isspace((unsigned char)out[n - 1]))
            n--;
        if (n == start && items == 1)
            out[n++] = '\0';    /* 4.96 writes two NULs for this */
        if (p < end)
            p++;
    }
    return n;
}

static int dbm_find(enum dbm_kind kind, void *handle, const char *key,
                    size_t klen, char **result, size_t *rlen,
                    const char **err)
{
    DB *db = handle;
    DBT k, d;
    char *buf = malloc(klen + 2);
    int rc;

    if (buf == NULL) {
        *err = "out of memory";
        return TERN_DEFER;
    }
    memset(&k, 0, sizeof k);
    memset(&d, 0, sizeof d);
    k.data = buf;
    if (kind == DBM_JOINED) {
        k.size = (u_int32_t)join_list(key, klen, buf);
    } else {
        memcpy(buf, key, klen);
        buf[klen] = '\0';
        k.size = (u_int32_t)(klen + (kind == DBM_ZERO));
    }
    if (k.size == 0) {
        free(buf);
        return TERN_FAIL;
    }
    rc = db->get(db, NULL, &k, &d, 0);
    free(buf);
    if (rc == DB_NOTFOUND || rc == DB_KEYEMPTY)
        return TERN_FAIL;
    if (rc != 0) {
        *err = lk_err("dbm lookup failed: %s", db_strerror(rc));
        return TERN_DEFER;
    }
    return lk_result(d.data, d.size ? strnlen(d.data, d.size) : 0, result,
                     rlen, err);
}

#define DBM_FIND(fn, kind)                                                 \
    static int fn(void *h, const char *file, const char *key, size_t klen, \
                  const char *opts, char **res, size_t *rlen,              \
                  const char **err, struct tern_ctx *ctx)                  \
    {                                                                      \
        (void)file;                                                        \
        (void)opts;                                                        \
        (void)ctx;                                                         \
        return dbm_find(kind, h, key, klen, res, rlen, err);               \
    }
DBM_FIND(find_dbm, DBM_ZERO)
DBM_FIND(find_dbmnz, DBM_NOZERO)
DBM_FIND(find_dbmjz, DBM_JOINED)

#define DBM_LOOKUP(id, lname, fn)                                          \
    static const struct tern_lookup id = {                                 \
        .name = (lname), .style = TERN_LOOKUP_SINGLE_KEY,                  \
        .open = dbm_open, .close = dbm_close, .find_opt = (fn),            \
        .free_result = lk_free_result }
DBM_LOOKUP(lk_dbm, "dbm", find_dbm);
DBM_LOOKUP(lk_dbmnz, "dbmnz", find_dbmnz);
DBM_LOOKUP(lk_dbmjz, "dbmjz", find_dbmjz);

static const struct tern_lookup *const lookups[] = {
    &lk_dbm, &lk_dbmnz, &lk_dbmjz, NULL
};

TERN_EXPORT const struct tern_module dbm_LTX_tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "dbm",
    .version = DBM_SCHEMA_VERSION,
    .schema_hash = DBM_SCHEMA_HASH,
    .lookups = lookups,
};
