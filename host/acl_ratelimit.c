/*
 * NAME
 *   acl_ratelimit.c - the ratelimit condition and its hints database
 *
 * SYNOPSIS
 *   defer ratelimit = 100 / 1h / per_rcpt / strict / $sender_host_address
 *
 * DESCRIPTION
 *   Exim 4.96 (44.39-44.44): `m / p / options / key`.  The rate is a
 *   moving average with smoothing period p: after an interval i since the
 *   last event the stored rate r becomes
 *
 *       count * (1 - e^(-i/p)) / (i/p)  +  e^(-i/p) * r
 *
 *   (count + r for events in the same instant), and a key seen for the
 *   first time starts at count.  The condition is true when the new rate
 *   is above m (K, M, G multiply m for per_byte).
 *
 *   What is counted: per_mail (the default: once per message, the result
 *   reused for the rest of it), per_byte (the message size), per_rcpt
 *   (one per RCPT; the recipient count after RCPT), per_conn (once per
 *   connection), per_cmd (every time); count=N overrides.  Updates:
 *   leaky (the default: the stored rate is not raised while over the
 *   limit), strict (always), readonly (never; the count is 0).  A per_
 *   option used outside the ACLs Exim allows it in makes the test
 *   readonly, and strict or leaky there is an error.
 *
 *   Records live in spool_directory/db/ratelimit, a Berkeley DB hash
 *   in Exim's layout (key "PERIOD/per_x/KEY" with its NUL; data: time
 *   stamp, microseconds, rate), so exim_dumpdb reads it; every use opens
 *   it under an exclusive lock on db/ratelimit.lockfile and closes it,
 *   as Exim does.  $sender_rate ("%.1f"), $sender_rate_limit and
 *   $sender_rate_period (as written) are set.
 *
 * DIAGNOSTICS
 *   "ratelimit: bad limit "x"", "ratelimit: bad period "x"",
 *   "ratelimit: unique= is not supported", errors opening the database
 *   (a deferral, with the file and the reason).
 */
#include "config.h"

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <tern/module.h>

#include "acl_int.h"
#include "optval.h"

#define W HOST_ACL_W

enum per { PER_MAIL, PER_BYTE, PER_RCPT, PER_CONN, PER_CMD, PER_ADDR };
enum upd { UPD_DEFAULT, UPD_LEAKY, UPD_STRICT, UPD_READONLY };

/* Exim's dbdata_ratelimit. */
struct rl_record {
    time_t time_stamp;
    int time_usec;
    double rate;
};

struct rl_params {
    const char *limit_text, *period_text, *key;
    double limit;
    long long period;
    enum per per;
    enum upd upd;
    double count;
    int have_count;
};

/* ---- results kept per connection / per message ---- */

#define CACHE_MAX 1024

struct rl_cached {
    const void *scope;
    char *key;
    double rate;
    struct rl_cached *next;
};
static struct rl_cached *cached;

void
host_acl_ratelimit_forget(const void *scope)
{
    struct rl_cached **pp = &cached;

    while (*pp != NULL) {
        struct rl_cached *c = *pp;
        if (c->scope == scope) {
            *pp = c->next;
            free(c->key);
            free(c);
        } else {
            pp = &c->next;
        }
    }
}

static struct rl_cached *
cache_find(const void *scope, const char *key)
{
    for (struct rl_cached *c = cached; c != NULL; c = c->next)
        if (c->scope == scope && strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

static void
cache_put(const void *scope, const char *key, double rate)
{
    struct rl_cached *c;

    if (scope == NULL || (c = malloc(sizeof *c)) == NULL)
        return;
    if ((c->key = strdup(key)) == NULL) {
        free(c);
        return;
    }
    c->scope = scope;
    c->rate = rate;
    c->next = cached;
    cached = c;
    /* A bound, in case a scope ends without host_acl_forget(). */
    size_t n = 0;
    struct rl_cached **pp;
    for (pp = &cached; *pp != NULL && n < CACHE_MAX; pp = &(*pp)->next)
        n++;
    while (*pp != NULL) {
        c = *pp;
        *pp = c->next;
        free(c->key);
        free(c);
    }
}

/* ---- parameters ---- */

static char *
trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int
parse_limit(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || v < 0)
        return -1;
    switch (*end) {
    case 'k': case 'K': v *= 1024; end++; break;
    case 'm': case 'M': v *= 1024 * 1024; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
    }
    *out = v;
    return *end == '\0' ? 0 : -1;
}

static int
option(struct rl_params *p, const char *o)
{
    static const char *const pers[] = {
        "per_mail", "per_byte", "per_rcpt", "per_conn", "per_cmd",
        "per_addr"
    };

    for (size_t i = 0; i < sizeof pers / sizeof pers[0]; i++)
        if (strcmp(o, pers[i]) == 0) {
            p->per = (enum per)i;
            return 1;
        }
    if (strcmp(o, "leaky") == 0)
        p->upd = UPD_LEAKY;
    else if (strcmp(o, "strict") == 0)
        p->upd = UPD_STRICT;
    else if (strcmp(o, "readonly") == 0)
        p->upd = UPD_READONLY;
    else if (strncmp(o, "count=", 6) == 0) {
        char *end;
        p->count = strtod(o + 6, &end);
        p->have_count = 1;
        return *end == '\0' && p->count >= 0 ? 1 : -1;
    } else if (strncmp(o, "unique=", 7) == 0)
        return -2;
    else
        return 0;
    return 1;
}

static int
parse(struct host_acl_run *r, const char *arg, struct rl_params *p)
{
    struct tern_arena *a = r->ctx->arena;
    char *s = tern_strdup(a, arg), *part, *save = NULL;
    const char *why;
    unsigned col;
    int i = 0;

    memset(p, 0, sizeof *p);
    for (part = strtok_r(s, "/", &save); part != NULL;
         part = strtok_r(NULL, "/", &save), i++) {
        part = trim(part);
        if (i == 0) {
            p->limit_text = part;
            if (parse_limit(part, &p->limit) != 0) {
                r->err = tern_printf(a, "ratelimit: bad limit \"%s\"", part);
                return -1;
            }
        } else if (i == 1) {
            p->period_text = part;
            if (tern_parse_time(part, &p->period, &why, &col) != 0 ||
                p->period <= 0) {
                r->err = tern_printf(a, "ratelimit: bad period \"%s\"",
                                     part);
                return -1;
            }
        } else {
            int rc = option(p, part);
            if (rc == -2 || p->per == PER_ADDR) {
                r->err = "ratelimit: unique= and per_addr are not "
                         "supported";
                return -1;
            }
            if (rc < 0) {
                r->err = tern_printf(a, "ratelimit: bad option \"%s\"",
                                     part);
                return -1;
            }
            if (rc == 0)
                p->key = part;
        }
    }
    if (i < 2) {
        r->err = "ratelimit needs a limit and a period";
        return -1;
    }
    return 0;
}

/* Where each per_ option may update the database. */
static int
per_allowed(enum per per, enum host_acl_where w)
{
    unsigned msg = W(HOST_ACL_MAIL) | W(HOST_ACL_RCPT) | W(HOST_ACL_PREDATA) |
                   W(HOST_ACL_MIME) | W(HOST_ACL_DATA) | W(HOST_ACL_NOT_SMTP);
    switch (per) {
    case PER_MAIL: case PER_BYTE: return (msg & W(w)) != 0;
    case PER_RCPT: return ((msg & ~W(HOST_ACL_MAIL) &
                            ~W(HOST_ACL_NOT_SMTP)) & W(w)) != 0;
    case PER_CONN: return (HOST_ACL_W_NOTSMTP & W(w)) == 0;
    default: return 1;
    }
}

/* ---- the database ---- */

static int
db_update(struct host_acl_run *r, const char *key, double count,
          double period, const struct rl_params *p, double *rate)
{
    struct tern_arena *a = r->ctx->arena;
    const char *spool = r->ctx->rt ? r->ctx->rt->spool_directory : NULL;
    char *dir, *path, *lockpath;
    struct flock fl;
    struct timeval now;
    struct rl_record rec;
    DB *db = NULL;
    DBT k, d;
    int lock, rc, found = 0, over;

    if (spool == NULL || *spool == '\0') {
        r->err = "ratelimit: no spool_directory for the hints database";
        return TERN_DEFER;
    }
    dir = tern_printf(a, "%s/db", spool);
    path = tern_printf(a, "%s/ratelimit", dir);
    lockpath = tern_printf(a, "%s.lockfile", path);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        r->err = tern_printf(a, "ratelimit: cannot create %s: %s", dir,
                             strerror(errno));
        return TERN_DEFER;
    }
    if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
        r->err = tern_printf(a, "ratelimit: cannot open %s: %s", lockpath,
                             strerror(errno));
        return TERN_DEFER;
    }
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while ((rc = fcntl(lock, F_SETLKW, &fl)) != 0 && errno == EINTR)
        ;
    if (rc == 0 && (rc = db_create(&db, NULL, 0)) == 0)
        rc = db->open(db, NULL, path, NULL, DB_HASH, DB_CREATE, 0640);
    if (rc != 0) {
        r->err = tern_printf(a, "ratelimit: cannot open %s: %s", path,
                             rc > 0 ? strerror(rc) : db_strerror(rc));
        if (db != NULL)
            db->close(db, 0);
        close(lock);
        return TERN_DEFER;
    }
    gettimeofday(&now, NULL);
    memset(&k, 0, sizeof k);
    memset(&d, 0, sizeof d);
    k.data = (void *)key;
    k.size = (u_int32_t)strlen(key) + 1;
    if (db->get(db, NULL, &k, &d, 0) == 0 && d.size >= sizeof rec) {
        memcpy(&rec, d.data, sizeof rec);
        found = 1;
    }
    if (!found) {
        rec.rate = count;
        host_acl_tr("ratelimit initializing new key's rate data");
    } else {
        double i = (double)(now.tv_sec - rec.time_stamp) +
                   (now.tv_usec - rec.time_usec) / 1e6;
        double iop = i / period, e = exp(-iop);
        rec.rate = iop < 1e-9 ? count + rec.rate
                              : count * (1 - e) / iop + e * rec.rate;
    }
    *rate = rec.rate;
    over = rec.rate > p->limit;
    if (p->upd == UPD_STRICT || (p->upd == UPD_LEAKY && !over)) {
        rec.time_stamp = now.tv_sec;
        rec.time_usec = (int)now.tv_usec;
        memset(&d, 0, sizeof d);
        d.data = &rec;
        d.size = sizeof rec;
        db->put(db, NULL, &k, &d, 0);
        host_acl_tr("ratelimit db updated");
    } else {
        host_acl_tr("ratelimit db not updated: %s", p->upd == UPD_READONLY
                    ? "readonly mode" : "over the limit, but leaky");
    }
    db->close(db, 0);
    close(lock);
    return TERN_OK;
}

int
host_acl_cond_ratelimit(struct host_acl_run *r, const char *arg)
{
    static const char *const per_key[] = {
        "per_mail", "per_mail", "per_rcpt", "per_conn", "per_cmd",
        "per_addr"
    };
    struct tern_ctx *c = r->ctx;
    struct rl_params p;
    struct rl_cached *hit;
    const void *scope = NULL;
    const char *key;
    double count = 1, rate;
    int rc;

    if (parse(r, arg, &p) != 0)
        return TERN_ERROR;
    if (!per_allowed(p.per, r->where)) {
        if (p.upd == UPD_LEAKY || p.upd == UPD_STRICT) {
            r->err = tern_printf(c->arena, "ratelimit: %s cannot update "
                                 "in %s ACL (use readonly)", per_key[p.per],
                                 host_acl_where_name(r->where));
            return TERN_ERROR;
        }
        p.upd = UPD_READONLY;
    }
    if (p.upd == UPD_DEFAULT)
        p.upd = UPD_LEAKY;
    if (p.key == NULL)
        p.key = c->sess && c->sess->peer_address ? c->sess->peer_address
                                                 : "";
    if (p.per == PER_BYTE)
        count = c->msg && c->msg->size > 0 ? (double)c->msg->size : 0;
    else if (p.per == PER_RCPT && r->where != HOST_ACL_RCPT)
        count = c->msg ? (double)c->msg->spool.n_rcpts : 0;
    if (p.have_count)
        count = p.count;
    if (p.upd == UPD_READONLY)
        count = 0;
    if (p.per == PER_CONN)
        scope = c->sess;
    else if (p.per == PER_MAIL || p.per == PER_BYTE)
        scope = c->msg;
    key = tern_printf(c->arena, "%s/%s/%s", p.period_text, per_key[p.per],
                      p.key);
    host_acl_tr("ratelimit condition count=%.0f %.1f/%s", count, p.limit,
                key);
    if (scope != NULL && (hit = cache_find(scope, key)) != NULL) {
        rate = hit->rate;
        host_acl_tr("ratelimit found pre-computed rate %.1f", rate);
    } else {
        rc = db_update(r, key, count, (double)p.period, &p, &rate);
        if (rc != TERN_OK)
            return rc;
        cache_put(scope, key, rate);
    }
    host_acl_v.sender_rate = tern_printf(c->arena, "%.1f", rate);
    host_acl_v.sender_rate_limit = p.limit_text;
    host_acl_v.sender_rate_period = p.period_text;
    host_acl_tr("ratelimit computed rate %s", host_acl_v.sender_rate);
    return rate > p.limit ? TERN_OK : TERN_FAIL;
}
