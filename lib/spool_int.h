/*
 * NAME
 *   spool_int.h - what the spool_*.c files share, not part of the API
 *
 * DESCRIPTION
 *   The "-name value" lines of a -H file are described once, in the table
 *   in spool_fields.c, in the order Exim 4.96 writes them; the formatter
 *   walks it to write and the parser looks names up in it to read, so the
 *   two can never disagree about a field.
 */
#ifndef TERN_SPOOL_INT_H
#define TERN_SPOOL_INT_H

#include <stdarg.h>
#include <stddef.h>
#include "spool.h"

enum tern_spool_ftype {
    TERN_SF_FLAG,           /* "-name", a bit of msg->flags */
    TERN_SF_STR,            /* "-name value", struct tern_spool_str */
    TERN_SF_INT,            /* "-name 123", long long, -1 = absent */
    TERN_SF_HOSTPORT,       /* "-name [addr]:port", tern_spool_hostport */
    TERN_SF_USEC,           /* "-received_time_usec .123456" */
    TERN_SF_COMPLETE,       /* "-received_time_complete 1700000000.123456" */
    TERN_SF_ACLVARS         /* where the -aclc/-aclm lines go */
};

struct tern_spool_field {
    const char *name;
    enum tern_spool_ftype type;
    size_t off;             /* offset in struct tern_spool_msg */
    unsigned flag;          /* TERN_SF_FLAG */
};

extern const struct tern_spool_field tern_spool_fields[];
extern const size_t tern_spool_nfields;

const struct tern_spool_field *tern_spool_field_find(const char *name,
                                                     size_t len);

/* Fill err: "prefix:line: message" (line 0: "prefix: message"). */
void tern_spool_seterr(struct tern_spool_err *err, int sys_errno,
                       const char *prefix, unsigned line,
                       const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define TERN_SPOOL_DATA_START (TERN_MSGID_LEN + 3)     /* "ID-D\n" */
#define TERN_SPOOL_TMP_PREFIX "tmp."    /* never an Exim spool name */
#define TERN_SPOOL_FILE_MODE 0640       /* as Exim's SPOOL_MODE */
#define TERN_SPOOL_DIR_MODE 0750        /* as Exim's INPUT_DIRECTORY_MODE */

struct tern_spool {
    int spoolfd;                /* spool_directory */
    char *queue_name;           /* NULL for the default queue */
    int queuefd;                /* spool_directory/QUEUE, -1 until needed */
    int inputfd;                /* [QUEUE/]input, -1 until needed */
    int subfd[62];              /* input/X, -1 until needed */
    char *input_path;           /* for messages */
    int split;
    enum tern_spool_sync sync;
    long uid, gid;
};

/* The directory for subdirectory `sub` (0 = input itself), opened once
 * and cached; created (and chowned) if `create`.  -1 with *err. */
int tern_spool_dirfd(struct tern_spool *sp, char sub, int create,
                     struct tern_spool_err *err);

/* Find which directory holds ID+suffix, in Exim's order (split first
 * when splitting, else input/ first).  Returns the dirfd and sets *sub,
 * or -1 with err (sys_errno ENOENT when in neither). */
int tern_spool_locate(struct tern_spool *sp, const char *id,
                      const char *suffix, char *sub,
                      struct tern_spool_err *err);

/* "input/X/NAME" or "input/NAME" for messages. */
void tern_spool_path(const struct tern_spool *sp, char sub, const char *name,
                     char *buf, size_t size);

/* chown (when configured) and chmod a descriptor we created. */
int tern_spool_own(const struct tern_spool *sp, int fd, int mode);

/* write(2) all of it, retrying on EINTR and short writes. */
int tern_spool_write_all(int fd, const void *p, size_t n);

/* One message being written (spool_out.c, spool_commit.c). */
#define TERN_SPOOL_OUT_BUF 65536

enum tern_spool_out_state {
    TERN_OUT_WRITING, TERN_OUT_FINISHED, TERN_OUT_COMMITTED, TERN_OUT_FAILED
};

struct tern_spool_out {
    struct tern_spool *sp;
    char id[TERN_MSGID_SIZE];
    char sub;                   /* subdirectory, 0 = input/ */
    int dirfd;                  /* borrowed from sp */
    int dfd, hfd;
    enum tern_spool_out_state state;
    int final_d, final_h;       /* renamed into place */
    long long bytes, lines, zeros;
    size_t blen;
    char buf[TERN_SPOOL_OUT_BUF];
};

/* "tmp.ID-D", "ID-H", ... */
void tern_spool_out_name(const struct tern_spool_out *o, int tmp, char kind,
                         char *buf, size_t size);
/* err from errno for one of o's files. */
void tern_spool_out_err(const struct tern_spool_out *o,
                        struct tern_spool_err *err, const char *name,
                        const char *what);
/* Unlink whatever exists of the message, -H first. */
void tern_spool_out_remove(struct tern_spool_out *o);

#endif
