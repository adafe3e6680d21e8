/*
 * NAME
 *   hints_tidy.c - remove stale hints, as exim_tidydb does
 *
 * SYNOPSIS
 *   struct tern_hints_tidy t = { .cutoff = now - 30 * 86400, .now = now,
 *                                .msg_exists = on_queue, .arg = spool };
 *   tern_hints_tidy(h, &t, &err);
 *
 * DESCRIPTION
 *   Every record written before the cutoff goes, whatever the database
 *   (its age is the time it was last written, so a host that keeps
 *   failing keeps its retry record).  Then, by database:
 *
 *     retry            records keyed by a message id ("T:host:ip:ID")
 *                      whose message is no longer on the queue go;
 *     wait-<transport> ids of messages no longer on the queue are taken
 *                      out of each list, and a list left empty goes;
 *     tls              sessions past their lifetime go.
 *
 *   Records that cannot be decoded are left alone unless too old: they
 *   may belong to another program sharing the file.
 *
 * DIAGNOSTICS
 *   One line per change through t->report: "deleted KEY (too old)",
 *   "deleted KEY (no message ID)", "KEY: removed ID (no message)",
 *   "deleted KEY (session expired)".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "hints_int.h"

enum kind { K_OTHER, K_RETRY, K_WAIT, K_TLS };

struct update {
    char *key;
    long long stamp;
    struct tern_buf rec;
};

static void say(struct tern_hints_tidy *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct tern_hints_tidy *t, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if (!t->report)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    t->report(t->arg, line);
}

static enum kind kind_of(const char *name)
{
    if (!strcmp(name, "retry"))
        return K_RETRY;
    if (!strncmp(name, "wait-", 5))
        return K_WAIT;
    if (!strcmp(name, "tls"))
        return K_TLS;
    return K_OTHER;
}

/* A wait list without the ids of vanished messages: NULL when nothing
 * changed; otherwise the update (count 0 = delete). */
static struct update *wait_prune(struct tern_hints_tidy *t, const char *key,
                                 const struct tern_hints_rec *rec,
                                 int *left)
{
    struct tern_hints_wait w, nw;
    struct tern_buf ids = { 0 };
    struct update *u;
    char id[TERN_HINTS_ID_SIZE];
    int kept = 0;
    if (tern_hints_wait_decode(rec, &w) != 0)
        return NULL;
    for (int i = 0; i < w.count; i++) {
        tern_hints_wait_id(&w, i, id);
        if (t->msg_exists(t->arg, id)) {
            tern_buf_add(&ids, id, TERN_HINTS_ID_LEN);
            kept++;
        } else {
            say(t, "%s: removed %s (no message)", key, id);
        }
    }
    *left = kept;
    if (kept == w.count) {
        tern_buf_free(&ids);
        return NULL;
    }
    u = calloc(1, sizeof *u);
    if (!u || !(u->key = strdup(key))) {
        free(u);
        tern_buf_free(&ids);
        return NULL;
    }
    u->stamp = rec->stamp;
    nw.count = kept;
    nw.sequence = w.sequence;
    nw.ids = ids.data;
    if (kept)
        tern_hints_wait_encode(&nw, &u->rec);
    tern_buf_free(&ids);
    return u;
}

/* Why record `key` should go, or NULL to keep it (wait lists may instead
 * queue an update). */
static const char *judge(struct tern_hints_tidy *t, enum kind k,
                         const char *key, const struct tern_hints_rec *rec,
                         struct tern_vec *updates, char why[64])
{
    if (rec->stamp < t->cutoff)
        return "too old";
    if (k == K_RETRY && t->msg_exists) {
        const char *id = tern_hints_retry_key_msgid(key);
        if (id && !t->msg_exists(t->arg, id)) {
            snprintf(why, 64, "no message %.16s", id);
            return why;
        }
    } else if (k == K_WAIT && t->msg_exists) {
        int left = 1;
        struct update *u = wait_prune(t, key, rec, &left);
        if (left == 0) {
            if (u) {
                free(u->key);
                free(u);
            }
            return "no messages left";
        }
        if (u)
            tern_vec_push(updates, u);
    } else if (k == K_TLS) {
        struct tern_hints_tls s;
        if (tern_hints_tls_decode(rec, &s) == 0 && s.expires > 0 &&
            s.expires <= t->now)
            return "session expired";
    }
    return NULL;
}

static int apply(struct tern_hints *h, struct tern_hints_tidy *t,
                 struct tern_vec *updates, struct tern_hints_err *err)
{
    int status = 0;
    for (size_t i = 0; i < updates->len; i++) {
        struct update *u = updates->items[i];
        if (status == 0 &&
            tern_hints_put_at(h, u->key, u->stamp, u->rec.data, u->rec.len,
                              err) != 0)
            status = -1;
        else if (status == 0)
            t->updated++;
        free(u->key);
        tern_buf_free(&u->rec);
        free(u);
    }
    tern_vec_free(updates);
    return status;
}

int tern_hints_tidy(struct tern_hints *h, struct tern_hints_tidy *t,
                    struct tern_hints_err *err)
{
    struct tern_vec updates = { 0 };
    struct tern_hints_iter *it;
    struct tern_hints_rec rec;
    enum kind k = kind_of(tern_hints_name(h));
    const char *key, *why;
    char buf[64];
    int rc;

    t->seen = t->deleted = t->updated = 0;
    if (!(it = tern_hints_iter_new(h, err)))
        return -1;
    while ((rc = tern_hints_iter_next(it, &key, &rec, err)) == 0) {
        t->seen++;
        if ((why = judge(t, k, key, &rec, &updates, buf)) == NULL)
            continue;
        if (tern_hints_iter_delete(it, err) != 0) {
            rc = -1;
            break;
        }
        t->deleted++;
        say(t, "deleted %s (%s)", key, why);
    }
    tern_hints_iter_free(it);
    if (apply(h, t, &updates, err) != 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}
