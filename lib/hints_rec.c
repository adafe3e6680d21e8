/*
 * NAME
 *   hints_rec.c - reading, writing, deleting and walking hints records
 *
 * SYNOPSIS
 *   struct tern_hints_rec rec;
 *   if (tern_hints_get(h, key, &rec, &err) == 0) ... rec.stamp, rec.data
 *   tern_hints_put(h, key, payload, len, &err);
 *
 * DESCRIPTION
 *   A stored record is an 8-byte time stamp (seconds, host byte order:
 *   the time_t Exim puts first in every record on a 64-bit system)
 *   followed by the payload.  Keys are stored with their NUL, as Exim
 *   stores them; keys written without one by some other program are
 *   still found by the iterator, which adds the NUL in a copy.
 *
 * DIAGNOSTICS
 *   "SPOOL/db/retry: put: BDB0064 ... (damaged hints file)": an operation
 *   that met a damaged page marks the handle, and closing it deals with
 *   the file (hints_db.c).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hints_int.h"

void tern_hints_put32(unsigned char *p, int v)
{
    int32_t x = (int32_t)v;
    memcpy(p, &x, 4);
}

void tern_hints_put64(unsigned char *p, long long v)
{
    int64_t x = (int64_t)v;
    memcpy(p, &x, 8);
}

int tern_hints_get32(const unsigned char *p)
{
    int32_t x;
    memcpy(&x, p, 4);
    return (int)x;
}

long long tern_hints_get64(const unsigned char *p)
{
    int64_t x;
    memcpy(&x, p, 8);
    return (long long)x;
}

void tern_hints_split(const void *data, size_t len,
                      struct tern_hints_rec *rec)
{
    const unsigned char *p = data;
    if (len < TERN_HINTS_STAMP_LEN) {
        rec->stamp = -1;
        rec->data = p;
        rec->len = len;
        return;
    }
    rec->stamp = tern_hints_get64(p);
    rec->data = p + TERN_HINTS_STAMP_LEN;
    rec->len = len - TERN_HINTS_STAMP_LEN;
}

static void keydbt(DBT *k, const char *key)
{
    memset(k, 0, sizeof *k);
    k->data = (void *)key;
    k->size = (u_int32_t)strlen(key) + 1;
}

static int busy(struct tern_hints *h, const char *what,
                struct tern_hints_err *err)
{
    if (h->iter) {
        tern_hints_seterr(err, EBUSY, h->path, "%s: an iterator is open",
                          what);
        return 1;
    }
    return 0;
}

int tern_hints_get(struct tern_hints *h, const char *key,
                   struct tern_hints_rec *rec, struct tern_hints_err *err)
{
    DBT k;
    int rc;
    keydbt(&k, key);
    rc = h->db->get(h->db, NULL, &k, &h->out, 0);
    if (rc == DB_NOTFOUND || rc == DB_KEYEMPTY)
        return TERN_HINTS_NOTFOUND;
    if (rc != 0) {
        tern_hints_op_failed(h, rc, "get", err);
        return -1;
    }
    tern_hints_split(h->out.data, h->out.size, rec);
    return 0;
}

int tern_hints_put_at(struct tern_hints *h, const char *key, long long stamp,
                      const void *data, size_t len,
                      struct tern_hints_err *err)
{
    DBT k, d;
    int rc;
    size_t need = TERN_HINTS_STAMP_LEN + len;
    if (!h->write) {
        tern_hints_seterr(err, EBADF, h->path, "put: opened read-only");
        return -1;
    }
    if (busy(h, "put", err))
        return -1;
    if (need > UINT32_MAX) {
        tern_hints_seterr(err, EFBIG, h->path, "put: record too large");
        return -1;
    }
    if (need > h->wcap) {
        unsigned char *n = realloc(h->wbuf, need);
        if (!n) {
            tern_hints_seterr(err, ENOMEM, h->path, "put: out of memory");
            return -1;
        }
        h->wbuf = n;
        h->wcap = need;
    }
    tern_hints_put64(h->wbuf, stamp);
    if (len)
        memcpy(h->wbuf + TERN_HINTS_STAMP_LEN, data, len);
    keydbt(&k, key);
    memset(&d, 0, sizeof d);
    d.data = h->wbuf;
    d.size = (u_int32_t)need;
    rc = h->db->put(h->db, NULL, &k, &d, 0);
    if (rc != 0) {
        tern_hints_op_failed(h, rc, "put", err);
        return -1;
    }
    return 0;
}

int tern_hints_put(struct tern_hints *h, const char *key, const void *data,
                   size_t len, struct tern_hints_err *err)
{
    return tern_hints_put_at(h, key, (long long)time(NULL), data, len, err);
}

int tern_hints_delete(struct tern_hints *h, const char *key,
                      struct tern_hints_err *err)
{
    DBT k;
    int rc;
    if (!h->write) {
        tern_hints_seterr(err, EBADF, h->path, "delete: opened read-only");
        return -1;
    }
    if (busy(h, "delete", err))
        return -1;
    keydbt(&k, key);
    rc = h->db->del(h->db, NULL, &k, 0);
    if (rc == DB_NOTFOUND || rc == DB_KEYEMPTY)
        return TERN_HINTS_NOTFOUND;
    if (rc != 0) {
        tern_hints_op_failed(h, rc, "delete", err);
        return -1;
    }
    return 0;
}

/* ---- iteration ----------------------------------------------------------- */

struct tern_hints_iter *tern_hints_iter_new(struct tern_hints *h,
                                            struct tern_hints_err *err)
{
    struct tern_hints_iter *it;
    int rc;
    if (busy(h, "iterate", err))
        return NULL;
    it = calloc(1, sizeof *it);
    if (!it) {
        tern_hints_seterr(err, ENOMEM, h->path, "iterate: out of memory");
        return NULL;
    }
    it->h = h;
    it->key.flags = DB_DBT_REALLOC;
    it->data.flags = DB_DBT_REALLOC;
    rc = h->db->cursor(h->db, NULL, &it->cur, 0);
    if (rc != 0) {
        tern_hints_op_failed(h, rc, "cursor", err);
        free(it);
        return NULL;
    }
    h->iter = it;
    return it;
}

int tern_hints_iter_next(struct tern_hints_iter *it, const char **key,
                         struct tern_hints_rec *rec,
                         struct tern_hints_err *err)
{
    const char *k;
    size_t n;
    int rc = it->cur->get(it->cur, &it->key, &it->data, DB_NEXT);
    if (rc == DB_NOTFOUND)
        return TERN_HINTS_NOTFOUND;
    if (rc != 0) {
        tern_hints_op_failed(it->h, rc, "iterate", err);
        return -1;
    }
    k = it->key.data;
    n = it->key.size;
    if (n == 0 || memchr(k, 0, n) == NULL) {
        if (n + 1 > it->kcap) {
            char *s = realloc(it->kstr, n + 1);
            if (!s) {
                tern_hints_seterr(err, ENOMEM, it->h->path,
                                  "iterate: out of memory");
                return -1;
            }
            it->kstr = s;
            it->kcap = n + 1;
        }
        if (n)
            memcpy(it->kstr, k, n);
        it->kstr[n] = 0;
        k = it->kstr;
    }
    *key = k;
    tern_hints_split(it->data.data, it->data.size, rec);
    return 0;
}

int tern_hints_iter_delete(struct tern_hints_iter *it,
                           struct tern_hints_err *err)
{
    int rc;
    if (!it->h->write) {
        tern_hints_seterr(err, EBADF, it->h->path,
                          "delete: opened read-only");
        return -1;
    }
    rc = it->cur->del(it->cur, 0);
    if (rc != 0) {
        tern_hints_op_failed(it->h, rc, "delete", err);
        return -1;
    }
    return 0;
}

void tern_hints_iter_free(struct tern_hints_iter *it)
{
    if (!it)
        return;
    if (it->cur)
        it->cur->close(it->cur);
    if (it->h && it->h->iter == it)
        it->h->iter = NULL;
    free(it->key.data);
    free(it->data.data);
    free(it->kstr);
    free(it);
}
