/*
 * NAME
 *   hints_int.h - what the hints_*.c files share, not part of the API
 */
#ifndef TERN_HINTS_INT_H
#define TERN_HINTS_INT_H

#include <db.h>
#include <stdarg.h>

#include "hints.h"

/* The first byte of NAME.lockfile while a writer has the database open
 * (or a reader met a damaged page): the next writer verifies the file
 * before trusting it.  Any other value (or an empty file) means clean. */
#define TERN_HINTS_DIRTY 'D'
#define TERN_HINTS_CLEAN 'C'

#define TERN_HINTS_STAMP_LEN 8      /* the time_t every record starts with */

struct tern_hints {
    DB *db;
    int lockfd;
    int write;
    int corrupt;                    /* an operation met a damaged file */
    char *name, *path, *lockpath;
    void (*log)(void *arg, const char *line);
    void *log_arg;
    DBT out;                        /* last record read (DB_DBT_REALLOC) */
    unsigned char *wbuf;            /* record being written */
    size_t wcap;
    struct tern_hints_iter *iter;   /* the open iterator, if any */
};

struct tern_hints_iter {
    struct tern_hints *h;
    DBC *cur;
    DBT key, data;                  /* DB_DBT_REALLOC */
    char *kstr;                     /* key with a NUL, when it lacked one */
    size_t kcap;
};

/* Fill err: "PATH: what". */
void tern_hints_seterr(struct tern_hints_err *err, int sys_errno,
                       const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Describe a Berkeley DB return code, with the library's last message. */
const char *tern_hints_dberr(int rc, char *buf, size_t size);

/* Does `rc` from a DB call mean the file is damaged (as opposed to
 * absent, not permitted, out of memory or space)? */
int tern_hints_rc_corrupt(int rc);

/* Record an error from an operation on h: mark the handle damaged when
 * the code says so, and fill err. */
void tern_hints_op_failed(struct tern_hints *h, int rc, const char *what,
                          struct tern_hints_err *err);

/* Split a stored record into its stamp and payload. */
void tern_hints_split(const void *data, size_t len,
                      struct tern_hints_rec *rec);

/* Little helpers for fixed layouts (host byte order, as Exim writes). */
void tern_hints_put32(unsigned char *p, int v);
void tern_hints_put64(unsigned char *p, long long v);
int tern_hints_get32(const unsigned char *p);
long long tern_hints_get64(const unsigned char *p);

#endif
