/*
 * NAME
 *   hints_retry.c - retry and wait-<transport> records
 *
 * SYNOPSIS
 *   struct tern_hints_retry r = { .basic_errno = ECONNREFUSED, ... };
 *   tern_hints_retry_put(h, "T:mx.example:192.0.2.1", &r, &err);
 *   tern_hints_wait_add(w, "mx.example", id, &err);
 *
 * DESCRIPTION
 *   Both are laid out after the time stamp as Exim 4.96 lays out its
 *   records on a 64-bit Linux system, so that exim_dumpdb and exinext
 *   read what Tern writes and the other way round:
 *
 *     retry:  int64 first_failed, last_try, next_try, int expired,
 *             int basic_errno, int more_errno, then the error text and
 *             its NUL                                     (36 + text + 1)
 *     wait:   int count, int sequence, then count ids of 16 characters
 *             end to end, and a NUL                       (8 + 16n + 1)
 *
 *   Decoding checks lengths and the NUL, so a short or foreign record is
 *   refused (-1) rather than read past its end.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arena.h"
#include "hints_int.h"
#include "spool.h"

#define RETRY_FIXED 36
#define WAIT_FIXED 8

void tern_hints_retry_encode(const struct tern_hints_retry *r,
                             struct tern_buf *out)
{
    unsigned char fixed[RETRY_FIXED];
    const char *text = r->text ? r->text : "";
    memset(fixed, 0, sizeof fixed);
    tern_hints_put64(fixed, r->first_failed);
    tern_hints_put64(fixed + 8, r->last_try);
    tern_hints_put64(fixed + 16, r->next_try);
    tern_hints_put32(fixed + 24, r->expired ? 1 : 0);
    tern_hints_put32(fixed + 28, r->basic_errno);
    tern_hints_put32(fixed + 32, r->more_errno);
    tern_buf_add(out, fixed, sizeof fixed);
    tern_buf_add(out, text, strlen(text) + 1);
}

int tern_hints_retry_decode(const struct tern_hints_rec *rec,
                            struct tern_hints_retry *r)
{
    const unsigned char *p = rec->data;
    if (rec->stamp < 0 || rec->len < RETRY_FIXED + 1 ||
        memchr(p + RETRY_FIXED, 0, rec->len - RETRY_FIXED) == NULL)
        return -1;
    r->first_failed = tern_hints_get64(p);
    r->last_try = tern_hints_get64(p + 8);
    r->next_try = tern_hints_get64(p + 16);
    r->expired = tern_hints_get32(p + 24) != 0;
    r->basic_errno = tern_hints_get32(p + 28);
    r->more_errno = tern_hints_get32(p + 32);
    r->text = (const char *)p + RETRY_FIXED;
    return 0;
}

int tern_hints_retry_get(struct tern_hints *h, const char *key,
                         long long max_age, long long now,
                         struct tern_hints_retry *r, long long *stamp,
                         struct tern_hints_err *err)
{
    struct tern_hints_rec rec;
    int rc = tern_hints_get(h, key, &rec, err);
    if (rc != 0)
        return rc;
    if (tern_hints_retry_decode(&rec, r) != 0 ||
        (max_age > 0 && rec.stamp < now - max_age))
        return TERN_HINTS_NOTFOUND;
    if (stamp)
        *stamp = rec.stamp;
    return 0;
}

int tern_hints_retry_put(struct tern_hints *h, const char *key,
                         const struct tern_hints_retry *r,
                         struct tern_hints_err *err)
{
    struct tern_buf b = { 0 };
    int rc;
    tern_hints_retry_encode(r, &b);
    rc = tern_hints_put(h, key, b.data, b.len, err);
    tern_buf_free(&b);
    return rc;
}

const char *tern_hints_retry_key_msgid(const char *key)
{
    const char *c = strrchr(key, ':');
    if (!c || (key[0] != 'T' && key[0] != 'R') || key[1] != ':' ||
        c == key + 1 || !tern_msgid_valid(c + 1))
        return NULL;
    return c + 1;
}

/* ---- wait-<transport> ---------------------------------------------------- */

void tern_hints_wait_encode(const struct tern_hints_wait *w,
                            struct tern_buf *out)
{
    unsigned char fixed[WAIT_FIXED];
    tern_hints_put32(fixed, w->count);
    tern_hints_put32(fixed + 4, w->sequence);
    tern_buf_add(out, fixed, sizeof fixed);
    if (w->count > 0)
        tern_buf_add(out, w->ids, (size_t)w->count * TERN_HINTS_ID_LEN);
    tern_buf_addc(out, 0);
}

int tern_hints_wait_decode(const struct tern_hints_rec *rec,
                           struct tern_hints_wait *w)
{
    int count;
    if (rec->stamp < 0 || rec->len < WAIT_FIXED)
        return -1;
    count = tern_hints_get32(rec->data);
    if (count < 0 ||
        (size_t)count > (rec->len - WAIT_FIXED) / TERN_HINTS_ID_LEN)
        return -1;
    w->count = count;
    w->sequence = tern_hints_get32(rec->data + 4);
    w->ids = (const char *)rec->data + WAIT_FIXED;
    return 0;
}

void tern_hints_wait_id(const struct tern_hints_wait *w, int i,
                        char id[TERN_HINTS_ID_SIZE])
{
    memcpy(id, w->ids + (size_t)i * TERN_HINTS_ID_LEN, TERN_HINTS_ID_LEN);
    id[TERN_HINTS_ID_LEN] = 0;
}

int tern_hints_wait_get(struct tern_hints *h, const char *host,
                        struct tern_hints_wait *w,
                        struct tern_hints_err *err)
{
    struct tern_hints_rec rec;
    int rc = tern_hints_get(h, host, &rec, err);
    if (rc != 0)
        return rc;
    return tern_hints_wait_decode(&rec, w) == 0 ? 0 : TERN_HINTS_NOTFOUND;
}

static int find_id(const struct tern_hints_wait *w, const char *id)
{
    for (int i = 0; i < w->count; i++)
        if (!memcmp(w->ids + (size_t)i * TERN_HINTS_ID_LEN, id,
                    TERN_HINTS_ID_LEN))
            return i;
    return -1;
}

static int bad_id(struct tern_hints *h, const char *id,
                  struct tern_hints_err *err)
{
    if (tern_msgid_valid(id))
        return 0;
    tern_hints_seterr(err, EINVAL, h->path, "not a message id: %s", id);
    return 1;
}

int tern_hints_wait_add(struct tern_hints *h, const char *host,
                        const char *id, struct tern_hints_err *err)
{
    struct tern_hints_wait w = { 0, 0, "" }, nw;
    struct tern_buf ids = { 0 }, rec = { 0 };
    int rc, skip = 0;
    if (bad_id(h, id, err))
        return -1;
    rc = tern_hints_wait_get(h, host, &w, err);
    if (rc < 0)
        return -1;
    if (rc == TERN_HINTS_NOTFOUND)
        w.count = w.sequence = 0;
    else if (find_id(&w, id) >= 0)
        return 0;
    if (w.count >= TERN_HINTS_WAIT_MAX)
        skip = w.count - TERN_HINTS_WAIT_MAX + 1;
    if (w.count > skip)
        tern_buf_add(&ids, w.ids + (size_t)skip * TERN_HINTS_ID_LEN,
                     (size_t)(w.count - skip) * TERN_HINTS_ID_LEN);
    tern_buf_add(&ids, id, TERN_HINTS_ID_LEN);
    nw.count = w.count - skip + 1;
    nw.sequence = w.sequence;
    nw.ids = ids.data;
    tern_hints_wait_encode(&nw, &rec);
    rc = tern_hints_put(h, host, rec.data, rec.len, err);
    tern_buf_free(&ids);
    tern_buf_free(&rec);
    return rc;
}

int tern_hints_wait_remove(struct tern_hints *h, const char *host,
                           const char *id, struct tern_hints_err *err)
{
    struct tern_hints_wait w, nw;
    struct tern_buf ids = { 0 }, rec = { 0 };
    int rc, at;
    if (bad_id(h, id, err))
        return -1;
    rc = tern_hints_wait_get(h, host, &w, err);
    if (rc != 0)
        return rc;
    if ((at = find_id(&w, id)) < 0)
        return TERN_HINTS_NOTFOUND;
    if (w.count == 1)
        return tern_hints_delete(h, host, err) < 0 ? -1 : 0;
    tern_buf_add(&ids, w.ids, (size_t)at * TERN_HINTS_ID_LEN);
    tern_buf_add(&ids, w.ids + (size_t)(at + 1) * TERN_HINTS_ID_LEN,
                 (size_t)(w.count - at - 1) * TERN_HINTS_ID_LEN);
    nw.count = w.count - 1;
    nw.sequence = w.sequence;
    nw.ids = ids.data;
    tern_hints_wait_encode(&nw, &rec);
    rc = tern_hints_put(h, host, rec.data, rec.len, err);
    tern_buf_free(&ids);
    tern_buf_free(&rec);
    return rc;
}
