/*
 * NAME
 *   hints.h - hints databases in Berkeley DB (retry, wait-<transport>,
 *             misc, callout, ratelimit, tls, seen)
 *
 * SYNOPSIS
 *   struct tern_hints_opts o = { .spool_directory = "/var/spool/tern",
 *                                .name = "retry", .write = 1,
 *                                .lock_timeout = 60,
 *                                .owner_uid = -1, .owner_gid = -1 };
 *   struct tern_hints *h = tern_hints_open(&o, &err);
 *   tern_hints_retry_put(h, "T:mx.example:192.0.2.1", &r, &err);
 *   tern_hints_close(h, &err);
 *
 * DESCRIPTION
 *   Each database is one Berkeley DB hash file, SPOOL/db/NAME, guarded by
 *   an fcntl lock on SPOOL/db/NAME.lockfile held for as long as it is
 *   open: shared for readers, exclusive for a writer, so one writer or
 *   any number of readers use a file at a time.  These are Exim's names
 *   and Exim's locking (a traditional fcntl lock of Exim's conflicts with
 *   the open-file-description lock Tern takes), so the two never use one
 *   file at the same time.
 *
 *   Every record starts with the time it was written (a 64-bit count of
 *   seconds, as Exim's records start with a time_t), keys are stored with
 *   their terminating NUL, as Exim stores them, so tidying by age works
 *   on any hints file.  The records Tern shares with Exim's meaning
 *   (retry, wait-<transport>) are laid out as Exim 4.96 lays them out on
 *   a 64-bit Linux system, so exim_dumpdb shows them; Tern's own (tls,
 *   EHLO cache) carry a magic number and are refused when foreign.  Even
 *   so, hints are private to each MTA: they are rebuilt automatically,
 *   and Tern does not promise to read what another program wrote (see
 *   docs/spool-tools.md).
 *
 *   Hints are only hints.  A file that cannot be opened as a database, or
 *   that fails Berkeley DB's verification after a writer died while it
 *   was open (noticed through a mark in the lock file), is renamed to
 *   NAME.corrupt with a log line and an empty database takes its place.
 *   New files are created with page checksums, so a torn page is found
 *   rather than believed.
 *
 *   A handle belongs to one process: do not use it after fork().  A
 *   process should hold at most one handle per database at a time.
 *
 * DIAGNOSTICS
 *   Functions that can fail fill a struct tern_hints_err with the path
 *   and the reason ("/var/spool/tern/db/retry: lock: timed out after
 *   60s").  Lookups return 0 when found, TERN_HINTS_NOTFOUND when not, -1
 *   on error.
 */
#ifndef TERN_HINTS_H
#define TERN_HINTS_H

#include <stddef.h>

struct tern_buf;

#define TERN_HINTS_NOTFOUND 1

struct tern_hints_err {
    int sys_errno;              /* errno of a failed call, else 0 */
    char text[512];
};

/* ---- opening ------------------------------------------------------------ */

struct tern_hints_opts {
    const char *spool_directory;
    const char *name;           /* "retry", "wait-remote_smtp", "tls" ... */
    int write;                  /* exclusive lock, read-write, create */
    int lock_timeout;           /* seconds to wait for the lock: <0 for
                                   ever, 0 not at all (EAGAIN) */
    long owner_uid, owner_gid;  /* chown what we create; -1 = no */
    /* Told when a damaged file is moved aside (one line, no newline). */
    void (*log)(void *arg, const char *line);
    void *log_arg;
};

struct tern_hints;

/* Open SPOOL/db/NAME.  Read-only opens of a database that does not exist
 * yet fail with sys_errno ENOENT: callers treat that as "no hints". */
struct tern_hints *tern_hints_open(const struct tern_hints_opts *o,
                                   struct tern_hints_err *err);

/* Flush (for a writer), close and unlock.  Always frees `h`; returns -1
 * when the flush failed (the file is then checked, and moved aside if
 * damaged). */
int tern_hints_close(struct tern_hints *h, struct tern_hints_err *err);

/* SPOOL/db/NAME of an open handle, and its NAME. */
const char *tern_hints_path(const struct tern_hints *h);
const char *tern_hints_name(const struct tern_hints *h);

/* Is `name` usable as a database name (no '/', not "." or "..", not
 * empty, not ending in ".lockfile")? */
int tern_hints_name_ok(const char *name);

/* ---- records ------------------------------------------------------------ */

/* A record as stored: `stamp` is when it was written (-1 when the record
 * is too short to carry one: a foreign or damaged record, `data` is then
 * all of it).  `data` stays valid until the next call on the handle. */
struct tern_hints_rec {
    long long stamp;
    const unsigned char *data;
    size_t len;
};

int tern_hints_get(struct tern_hints *h, const char *key,
                   struct tern_hints_rec *rec, struct tern_hints_err *err);
/* Write, stamped now / stamped `stamp` (tests, and tools that copy). */
int tern_hints_put(struct tern_hints *h, const char *key, const void *data,
                   size_t len, struct tern_hints_err *err);
int tern_hints_put_at(struct tern_hints *h, const char *key, long long stamp,
                      const void *data, size_t len,
                      struct tern_hints_err *err);
int tern_hints_delete(struct tern_hints *h, const char *key,
                      struct tern_hints_err *err);

/* Walk every record (in the file's order).  One iterator per handle at a
 * time; no put or delete through the handle while it is open except
 * tern_hints_iter_delete() of the current record. */
struct tern_hints_iter;
struct tern_hints_iter *tern_hints_iter_new(struct tern_hints *h,
                                            struct tern_hints_err *err);
/* 0 with the next record, TERN_HINTS_NOTFOUND at the end, -1 on error.
 * `*key` is NUL-terminated and valid until the next call. */
int tern_hints_iter_next(struct tern_hints_iter *it, const char **key,
                         struct tern_hints_rec *rec,
                         struct tern_hints_err *err);
int tern_hints_iter_delete(struct tern_hints_iter *it,
                           struct tern_hints_err *err);
void tern_hints_iter_free(struct tern_hints_iter *it);

/* ---- retry records (database "retry") ----------------------------------- */

/* Keys, as Exim makes them: "T:host:ip" or "T:host:ip:port" (port other
 * than 25) for a host, "T:host:ip:ID" for one message at one host,
 * "R:domain" or "R:local@domain" for routing, "T:local@domain" for a
 * local delivery. */
struct tern_hints_retry {
    int basic_errno;            /* errno or Exim's ERRNO_* code */
    int more_errno;             /* e.g. the SMTP code, or 'A'/'M' flags */
    int expired;                /* past the final cutoff of the rule */
    long long first_failed, last_try, next_try;
    const char *text;           /* the error, as logged */
};

void tern_hints_retry_encode(const struct tern_hints_retry *r,
                             struct tern_buf *out);
int tern_hints_retry_decode(const struct tern_hints_rec *rec,
                            struct tern_hints_retry *r);
/* Records stamped more than `max_age` seconds before `now` are ignored
 * (retry_data_expire), as are undecodable ones; max_age 0 = no limit.
 * `stamp` may be NULL. */
int tern_hints_retry_get(struct tern_hints *h, const char *key,
                         long long max_age, long long now,
                         struct tern_hints_retry *r, long long *stamp,
                         struct tern_hints_err *err);
int tern_hints_retry_put(struct tern_hints *h, const char *key,
                         const struct tern_hints_retry *r,
                         struct tern_hints_err *err);

/* The message id a retry key is about ("T:host:ip:ID"), or NULL. */
const char *tern_hints_retry_key_msgid(const char *key);

/* ---- wait-<transport> records ------------------------------------------- */

/* Keyed by host name: the ids of messages waiting for that host.  Ids
 * are stored end to end, 16 characters each, oldest first.  Exim splits
 * long lists into continuation records "host:1", "host:2"...; Tern keeps
 * one record of at most TERN_HINTS_WAIT_MAX ids and forgets the oldest
 * beyond that (those messages are then found by the next queue run). */
#define TERN_HINTS_WAIT_MAX 1000
struct tern_hints_wait {
    int count;
    int sequence;               /* Exim's continuation counter */
    const char *ids;            /* count * 16 characters, no separators */
};

void tern_hints_wait_encode(const struct tern_hints_wait *w,
                            struct tern_buf *out);
int tern_hints_wait_decode(const struct tern_hints_rec *rec,
                           struct tern_hints_wait *w);
/* The i-th id, NUL-terminated, into `id` (TERN_HINTS_ID_SIZE bytes). */
#define TERN_HINTS_ID_LEN 16
#define TERN_HINTS_ID_SIZE (TERN_HINTS_ID_LEN + 1)
void tern_hints_wait_id(const struct tern_hints_wait *w, int i,
                        char id[TERN_HINTS_ID_SIZE]);
int tern_hints_wait_get(struct tern_hints *h, const char *host,
                        struct tern_hints_wait *w,
                        struct tern_hints_err *err);
/* Add `id` at the end (nothing when already there). */
int tern_hints_wait_add(struct tern_hints *h, const char *host,
                        const char *id, struct tern_hints_err *err);
/* Remove `id`; the record goes when it is left empty.  0 when removed,
 * TERN_HINTS_NOTFOUND when it was not there. */
int tern_hints_wait_remove(struct tern_hints *h, const char *host,
                           const char *id, struct tern_hints_err *err);

/* ---- TLS sessions (database "tls") -------------------------------------- */

/* Keyed by server, port, SNI and verification policy; the record keeps
 * the policy again so that a resumed session is checked against the
 * policy it was made under. */
struct tern_hints_tls {
    long long expires;          /* end of the session's lifetime; 0 unknown */
    const char *policy;         /* verification policy key */
    const unsigned char *session;       /* i2d_SSL_SESSION() bytes */
    size_t session_len;
};

/* "host:port:sni:policy" into buf; the length it needs (snprintf). */
size_t tern_hints_tls_key(char *buf, size_t size, const char *host, int port,
                          const char *sni, const char *policy);
void tern_hints_tls_encode(const struct tern_hints_tls *t,
                           struct tern_buf *out);
int tern_hints_tls_decode(const struct tern_hints_rec *rec,
                          struct tern_hints_tls *t);
/* A session past `expires` (compared with `now`) is not returned. */
int tern_hints_tls_get(struct tern_hints *h, const char *key, long long now,
                       struct tern_hints_tls *t, struct tern_hints_err *err);
int tern_hints_tls_put(struct tern_hints *h, const char *key,
                       const struct tern_hints_tls *t,
                       struct tern_hints_err *err);

/* ---- the PIPE_CONNECT EHLO cache (database TERN_HINTS_EHLO_DB) ---------- */

/* Like Exim, the cache lives in the retry database and expires with
 * retry_data_expire. */
#define TERN_HINTS_EHLO_DB "retry"
#define TERN_HINTS_EHLO_PREFIX "pipe-connect:"

enum {
    TERN_EHLO_PIPELINING = 1u << 0,
    TERN_EHLO_PIPE_CONNECT = 1u << 1,
    TERN_EHLO_CHUNKING = 1u << 2,
    TERN_EHLO_SIZE = 1u << 3,
    TERN_EHLO_8BITMIME = 1u << 4,
    TERN_EHLO_STARTTLS = 1u << 5,
    TERN_EHLO_DSN = 1u << 6,
    TERN_EHLO_SMTPUTF8 = 1u << 7,
    TERN_EHLO_AUTH = 1u << 8,
    TERN_EHLO_PRDR = 1u << 9,
    TERN_EHLO_ENHANCEDSTATUSCODES = 1u << 10
};

/* What one EHLO response advertised. */
struct tern_hints_ehlo_caps {
    unsigned features;          /* TERN_EHLO_* */
    long long size;             /* SIZE value, 0 = none/unlimited */
    const char *auths;          /* AUTH mechanisms, space separated, "" */
};

/* Before STARTTLS (the only response on a TLS-on-connect session) and
 * after it (features 0 when never seen). */
struct tern_hints_ehlo {
    struct tern_hints_ehlo_caps clear, tls;
};

/* "pipe-connect:[addr]:port:helo:[interface]" ("" for no interface). */
size_t tern_hints_ehlo_key(char *buf, size_t size, const char *addr,
                           int port, const char *helo, const char *iface);
void tern_hints_ehlo_encode(const struct tern_hints_ehlo *e,
                            struct tern_buf *out);
int tern_hints_ehlo_decode(const struct tern_hints_rec *rec,
                           struct tern_hints_ehlo *e);
int tern_hints_ehlo_get(struct tern_hints *h, const char *key,
                        long long max_age, long long now,
                        struct tern_hints_ehlo *e, struct tern_hints_err *err);
int tern_hints_ehlo_put(struct tern_hints *h, const char *key,
                        const struct tern_hints_ehlo *e,
                        struct tern_hints_err *err);
/* "PIPELINING", "CHUNKING"... for one bit; NULL for an unknown bit. */
const char *tern_hints_ehlo_feature_name(unsigned bit);

/* ---- tidying (exim_tidydb) ---------------------------------------------- */

struct tern_hints_tidy {
    long long cutoff;           /* records stamped before this go */
    long long now;              /* for TLS session lifetimes */
    /* Is message `id` still on the queue?  NULL skips the checks on
     * message ids (retry keys, wait-<transport> lists). */
    int (*msg_exists)(void *arg, const char *id);
    void *arg;
    /* One line per change ("deleted KEY (too old)"). */
    void (*report)(void *arg, const char *line);
    /* Filled in: */
    unsigned long seen, deleted, updated;
};

/* Tidy the whole database (opened for writing). */
int tern_hints_tidy(struct tern_hints *h, struct tern_hints_tidy *t,
                    struct tern_hints_err *err);

#endif
