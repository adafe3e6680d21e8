/*
 * NAME
 *   spool.h - Exim 4.96 message ids and spool files (docs/spool-format.md)
 *
 * SYNOPSIS
 *   struct tern_msgid_gen g;
 *   tern_msgid_gen_init(&g, -1);
 *   tern_msgid_next(&g, id, &when);               // "1xVorK-0003vR-1J"
 *
 *   struct tern_spool *sp = tern_spool_open(&opts, &err);
 *   struct tern_spool_out *o = tern_spool_out_new(sp, id, &err);
 *   tern_spool_out_data(o, body, len, &err);      // as often as needed
 *   tern_spool_out_finish(o, &msg, &err);         // temp -H written
 *   tern_spool_commit(sp, &o, 1, status, &err);   // durable: send 250
 *   tern_spool_out_free(o);
 *
 * DESCRIPTION
 *   A message on the queue is two files in spool_directory/input (or
 *   input/X/ with split_spool_directory, X being the 6th character of the
 *   id): ID-D holds the body exactly as received after a first line
 *   "ID-D", ID-H the envelope, status and headers.  Tern writes and reads
 *   both exactly as Exim 4.96 does, so either program can run the queue
 *   of the other.
 *
 *   Writing is split so that a worker serving many sessions can make a
 *   whole batch of messages durable with two flushes (group commit):
 *   tern_spool_out_* write under temporary names without any fsync, and
 *   tern_spool_commit flushes the contents, renames every message into
 *   place and flushes the directories.  A 250 may be sent for a message
 *   only when commit reported it durable (status 0); see the durability
 *   section of docs/spool-format.md for exactly what survives when.
 *
 *   Reading is strict: a malformed -H file is refused with its path and
 *   line number, and is never modified or removed here.
 */
#ifndef TERN_SPOOL_H
#define TERN_SPOOL_H

#include <stddef.h>
#include <time.h>

struct tern_arena;
struct tern_buf;

/* ---- errors ------------------------------------------------------------ */

/* Every function that can fail fills one of these: `text` is a complete
 * message ("spool/input/1xVorK-0003vR-1J-H:7: bad -frozen value"),
 * `line` the 1-based line in a -H file (0 when not about a line),
 * `sys_errno` the errno of a failed system call (0 for format errors). */
struct tern_spool_err {
    int sys_errno;
    unsigned line;
    char text[512];
};

/* ---- message ids ------------------------------------------------------- */

#define TERN_MSGID_LEN 16               /* "XXXXXX-XXXXXX-XX" */
#define TERN_MSGID_SIZE (TERN_MSGID_LEN + 1)

/* One generator per process (a forked child notices the new pid and
 * starts afresh).  The fields are private; `clock` may be set after init
 * by tests to drive time by hand (return 0 and fill *now). */
struct tern_msgid_gen {
    int localhost_number;               /* -1 = unset, else 0..16 */
    long pid;                           /* owner of this state */
    long long init_sec;                 /* first instant we may use */
    unsigned init_tick;
    long long last_sec;                 /* last id issued: second, */
    unsigned last_frac;                 /*   fraction slot, */
    unsigned long last_k;               /*   pid-field extension, */
    unsigned last_tick;                 /*   and the clock's tick then */
    int used;
    int (*clock)(struct timespec *now);
};

/* localhost_number: -1 when unset, else 0..16 (Exim's range for base 62).
 * Returns 0, or -1 for a number out of range. */
int tern_msgid_gen_init(struct tern_msgid_gen *g, int localhost_number);

/* Next id, never repeated on this host (nor across hosts with distinct
 * localhost_numbers).  `when` (may be NULL) receives the reception time
 * to record in the -H file: its second is the one encoded in the id.
 * Never sleeps unless more than ~13,000 ids are asked for inside one
 * 1/2000 s tick.  Returns 0, or -1 if the clock cannot be read. */
int tern_msgid_next(struct tern_msgid_gen *g, char id[TERN_MSGID_SIZE],
                    struct timespec *when);

/* Call before the process exits (or execs): waits, at most one tick
 * (500 us, 5 ms with localhost_number), until the clock has moved past
 * the last id issued, so that a later process given the same pid can
 * never produce an id this one produced.  Exim pays this wait after every
 * message; Tern pays it once per process. */
void tern_msgid_barrier(struct tern_msgid_gen *g);

/* Is `s` exactly 16 characters of the id syntax (NUL after them)? */
int tern_msgid_valid(const char *s);

/* The parts of an id (base 62 decoded). Returns 0, -1 if not an id. */
struct tern_msgid_parts {
    long long sec;                      /* first 6 characters */
    long long pidfield;                 /* next 6: pid, or pid + k * 2^22 */
    unsigned frac;                      /* last 2: 0..3843 */
};
int tern_msgid_decode(const char *id, struct tern_msgid_parts *p);

/* Encode parts into id (used by the generator; exposed for tests). */
void tern_msgid_encode(const struct tern_msgid_parts *p,
                       char id[TERN_MSGID_SIZE]);

/* ---- the message, as the -H file describes it ---------------------------- */

/* A one-line value of a "-name value" line.  `s` NULL = absent.  A
 * tainted value is written "--name" (Exim 4.93+): it came from outside
 * and Exim will refuse to use it where untrusted data is not allowed.
 * `quoter` is the lookup the value was quoted for ("--(name)var"), or
 * NULL. */
struct tern_spool_str {
    const char *s;
    int tainted;
    const char *quoter;
};

/* -host_address / -interface_address: written "[addr]:port" as 4.96
 * does; "addr.port" from older versions is read too. */
struct tern_spool_hostport {
    struct tern_spool_str addr;
    int port;
};

/* -aclc NAME LEN / -aclm NAME LEN, then LEN bytes and a newline.  `name`
 * is what follows "acl_c" or "acl_m" in the variable name ("0", "_foo"). */
struct tern_spool_aclvar {
    char scope;                         /* 'c' or 'm' */
    const char *name;
    const char *value;                  /* any bytes, newlines included */
    size_t len;
    int tainted;
};

/* DSN flags of a recipient (NOTIFY=), as Exim numbers them. */
#define TERN_DSN_LASTHOP 0x01
#define TERN_DSN_NEVER   0x02
#define TERN_DSN_SUCCESS 0x04
#define TERN_DSN_FAILURE 0x08
#define TERN_DSN_DELAY   0x10

/* -dsn_ret values (RET=) */
#define TERN_DSN_RET_FULL 1
#define TERN_DSN_RET_HDRS 2

struct tern_spool_rcpt {
    const char *address;
    const char *errors_to;              /* NULL = none */
    const char *orcpt;                  /* DSN ORCPT, NULL = none */
    int dsn_flags;                      /* TERN_DSN_* */
    int pno;                            /* one_time parent number, -1 */
};

/* A header as stored: `text` is the whole header including its final
 * newline and any continuation lines; `type` is the flag Exim keeps with
 * it (tern_spool_header_type() computes it from the name). */
struct tern_spool_header {
    char type;
    const char *text;
    size_t len;
};

#define TERN_HT_OTHER    ' '
#define TERN_HT_BCC      'B'
#define TERN_HT_CC       'C'
#define TERN_HT_FROM     'F'
#define TERN_HT_ID       'I'            /* Message-Id: */
#define TERN_HT_RECEIVED 'P'            /* "postmark" */
#define TERN_HT_REPLY_TO 'R'
#define TERN_HT_SENDER   'S'
#define TERN_HT_TO       'T'
#define TERN_HT_DELETED  '*'            /* rewritten or removed: kept, not sent */

/* Flag lines (no value). */
enum {
    TERN_SPOOL_ALLOW_UNQUALIFIED_RECIPIENT = 1u << 0,
    TERN_SPOOL_ALLOW_UNQUALIFIED_SENDER = 1u << 1,
    TERN_SPOOL_DELIVER_FIRSTTIME = 1u << 2,
    TERN_SPOOL_DONT_DELIVER = 1u << 3,          /* -N */
    TERN_SPOOL_HOST_LOOKUP_DEFERRED = 1u << 4,
    TERN_SPOOL_HOST_LOOKUP_FAILED = 1u << 5,
    TERN_SPOOL_LOCAL = 1u << 6,
    TERN_SPOOL_LOCALERROR = 1u << 7,
    TERN_SPOOL_MANUAL_THAW = 1u << 8,
    TERN_SPOOL_SENDER_SET_UNTRUSTED = 1u << 9,
    TERN_SPOOL_TLS_CERTIFICATE_VERIFIED = 1u << 10,
    TERN_SPOOL_WIREFORMAT = 1u << 11,           /* -spool_file_wireformat */
    TERN_SPOOL_SMTPUTF8 = 1u << 12,
    TERN_SPOOL_UTF8_DOWNCVT = 1u << 13,
    TERN_SPOOL_UTF8_OPTDOWNCVT = 1u << 14
};

/* The whole -H file.  Integer fields are -1 when absent.  Strings read
 * from a file live in the arena given to the reader. */
struct tern_spool_msg {
    char id[TERN_MSGID_SIZE];
    const char *login;                  /* originator: login, uid, gid */
    long uid, gid;
    const char *sender;                 /* envelope sender, "" for <> */
    long long received_time;            /* seconds */
    int received_usec;                  /* -received_time_usec, 0..999999 */
    int warning_count;
    long long complete_sec;             /* -received_time_complete, -1 */
    int complete_usec;

    struct tern_spool_str helo_name;
    struct tern_spool_hostport host_address;
    struct tern_spool_str host_name, host_auth, host_auth_pubname;
    struct tern_spool_hostport interface_address;
    struct tern_spool_str active_hostname, ident, received_protocol;
    long long body_linecount, max_received_linelength, body_zerocount;
    struct tern_spool_str auth_id, auth_sender;
    long long frozen_at;                /* -frozen TIME; -1 = not frozen */
    struct tern_spool_str local_scan;
    struct tern_spool_str spam_bar, spam_score, spam_score_int;
    struct tern_spool_str bmi_verdicts;
    struct tern_spool_str tls_cipher, tls_peercert, tls_peerdn, tls_sni;
    struct tern_spool_str tls_ourcert, tls_resumption, tls_ver;
    long long tls_ocsp;
    struct tern_spool_str dsn_envid;
    long long dsn_ret;                  /* TERN_DSN_RET_* */
    unsigned flags;                     /* TERN_SPOOL_* */

    struct tern_spool_aclvar *aclvars;
    size_t n_aclvars;
    /* "-" lines Tern does not know (a newer Exim's), text after the
     * first '-', kept and written back after the known ones. */
    const char **extras;
    size_t n_extras;
    /* Addresses not to deliver to (already delivered).  Any order when
     * writing (the writer sorts them into Exim's balanced tree); the
     * reader returns them sorted. */
    const char **nonrcpts;
    size_t n_nonrcpts;
    struct tern_spool_rcpt *rcpts;
    size_t n_rcpts;
    struct tern_spool_header *headers;
    size_t n_headers;
};

/* Everything absent, counts zero. */
void tern_spool_msg_init(struct tern_spool_msg *m);

/* The flag for a header from its name: "received:" -> 'P', etc. */
char tern_spool_header_type(const char *text, size_t len);

/* The size Exim shows in -bp: live headers + 1 + body.  `body_len` is the
 * -D file size minus its first line. */
long long tern_spool_msg_size(const struct tern_spool_msg *m,
                              long long body_len);

/* Is `addr` in the non-recipients (delivered) set? */
int tern_spool_is_nonrcpt(const struct tern_spool_msg *m, const char *addr);

/* ---- formatting and parsing (no files) -------------------------------- */

/* Append the -H text of `m` to `out`.  Refuses (-1, *err) anything Exim
 * could not read back the same way: a newline in a one-line field, a
 * header not ending in newline or containing NUL, and so on. */
int tern_spool_format(const struct tern_spool_msg *m, struct tern_buf *out,
                      struct tern_spool_err *err);

/* Parse a whole -H file held in memory.  `fname` prefixes messages.
 * Strings are copied into `a`.  0, or -1 with the line in *err. */
int tern_spool_parse(const char *buf, size_t len, const char *fname,
                     struct tern_arena *a, struct tern_spool_msg *m,
                     struct tern_spool_err *err);

/* ---- the spool directory ------------------------------------------------ */

enum tern_spool_sync {
    TERN_SPOOL_SYNC_FSYNC = 0,          /* fdatasync each file, fsync each
                                           directory once per batch */
    TERN_SPOOL_SYNC_SYNCFS = 1,         /* one syncfs() per batch phase */
    TERN_SPOOL_SYNC_NONE = 2            /* no flushing: tests only */
};

struct tern_spool_opts {
    const char *directory;              /* spool_directory */
    const char *queue_name;             /* NULL/"": the default queue */
    int split;                          /* split_spool_directory */
    enum tern_spool_sync sync;
    long owner_uid, owner_gid;          /* chown what we create; -1 = no */
};

struct tern_spool;

/* Opens spool_directory (which must exist); input/ and its
 * subdirectories are created when first written to. */
struct tern_spool *tern_spool_open(const struct tern_spool_opts *o,
                                   struct tern_spool_err *err);
void tern_spool_close(struct tern_spool *sp);

/* ---- writing a new message ---------------------------------------------- */

struct tern_spool_out;

/* Create the temporary -D file (first line "ID-D"), write-locked as Exim
 * locks a -D file it is working on, so no queue runner touches the
 * message until tern_spool_out_free(). */
struct tern_spool_out *tern_spool_out_new(struct tern_spool *sp,
                                          const char *id,
                                          struct tern_spool_err *err);
/* Append body bytes, exactly as they are to be stored (8-bit safe). */
int tern_spool_out_data(struct tern_spool_out *o, const void *p, size_t n,
                        struct tern_spool_err *err);
/* Body bytes, newlines and NULs written so far (for -body_linecount and
 * -body_zerocount). */
void tern_spool_out_stats(const struct tern_spool_out *o, long long *bytes,
                          long long *lines, long long *zeros);
/* Write the temporary -H from `m` (m->id must be the id given to _new).
 * Nothing is flushed yet. */
int tern_spool_out_finish(struct tern_spool_out *o,
                          const struct tern_spool_msg *m,
                          struct tern_spool_err *err);

/* Make a batch of finished messages durable and put them on the queue.
 * status[i] becomes 0 when message i is durable under its final names
 * (only then may its 250 be sent), else an errno value; the function
 * returns the number of durable messages, and *err describes the first
 * failure.  Unfinished messages in the batch get EINVAL. */
size_t tern_spool_commit(struct tern_spool *sp,
                         struct tern_spool_out *const *outs, size_t n,
                         int *status, struct tern_spool_err *err);

/* The -D descriptor, still locked (e.g. for an immediate delivery). */
int tern_spool_out_fd(const struct tern_spool_out *o);

/* Close and release the lock.  A message that was not committed is
 * removed (both temporary files). */
void tern_spool_out_free(struct tern_spool_out *o);

/* All of the above for one message whose body is in memory. */
int tern_spool_write_message(struct tern_spool *sp,
                             const struct tern_spool_msg *m,
                             const void *body, size_t body_len,
                             struct tern_spool_err *err);

/* Replace the -H of a message on the queue (after a delivery attempt):
 * temporary file, flush, rename over the old one, flush the directory. */
int tern_spool_rewrite_header(struct tern_spool *sp,
                              const struct tern_spool_msg *m,
                              struct tern_spool_err *err);

/* ---- reading the queue -------------------------------------------------- */

/* Read and parse ID-H (looking in input/X/ and input/ as Exim does). */
int tern_spool_read_header(struct tern_spool *sp, const char *id,
                           struct tern_arena *a, struct tern_spool_msg *m,
                           struct tern_spool_err *err);
/* The same for any path (tools, tests). */
int tern_spool_read_header_file(const char *path, struct tern_arena *a,
                                struct tern_spool_msg *m,
                                struct tern_spool_err *err);

/* Open ID-D, check its first line and leave the offset at the body.
 * With `lock`, take Exim's write lock; a message another process is
 * working on gives -1 with sys_errno EAGAIN. */
int tern_spool_open_data(struct tern_spool *sp, const char *id, int lock,
                         struct tern_spool_err *err);
/* The whole body into the arena (tools, tests). */
int tern_spool_read_body(struct tern_spool *sp, const char *id,
                         struct tern_arena *a, char **body, size_t *len,
                         struct tern_spool_err *err);

/* The ids of all messages on the queue (those with a -H file, in both
 * layouts), sorted; the array and strings live in `a`. */
int tern_spool_list(struct tern_spool *sp, struct tern_arena *a,
                    const char ***ids, size_t *n, struct tern_spool_err *err);

/* Remove a message: -H first (it leaves the queue), then -D and -J. */
int tern_spool_remove(struct tern_spool *sp, const char *id,
                      struct tern_spool_err *err);

/* Remove temporary files older than `max_age` seconds left by a crash
 * (0 = all: only when no writer can be running).  Returns how many. */
int tern_spool_tidy(struct tern_spool *sp, long max_age,
                    struct tern_spool_err *err);

#endif
