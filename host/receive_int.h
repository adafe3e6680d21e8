/*
 * NAME
 *   receive_int.h - what the receive*.c, logsel.c, submit.c and
 *   queue_list.c files share (not for the rest of the host)
 *
 * DESCRIPTION
 *   The receiver's state (struct host_receiver), the header list it
 *   edits, the RFC 5322 address-list scanner used by -t and by header
 *   qualification, and Exim's date and size formats.  Pure functions
 *   here take no ctx, so the unit tests can call them directly.
 */
#ifndef TERN_HOST_RECEIVE_INT_H
#define TERN_HOST_RECEIVE_INT_H

#include <stddef.h>
#include <time.h>

#include <tern/host.h>
#include <tern/module.h>

#include "arena.h"
#include "receive.h"
#include "spool.h"

/* ---- header list (receive_hdr.c) ------------------------------------ */

/* Does header `h` (whole text, "Name: value\n") have name `name`
 * (caseless, blanks allowed before the colon)? */
int host_hdr_named(const char *text, size_t len, const char *name);
/* Offset of the value: just after the colon (0 when there is none). */
size_t host_hdr_value_off(const char *text, size_t len);
/* Is this line (without its newline) the start of a header, as Exim
 * reads one: printable non-colon characters, optional blanks, colon? */
int host_hdr_line_ok(const char *line, size_t len);

/* Exim's type letter for a header, Resent- ones as their base name. */
char host_hdr_type(const char *text, size_t len);
/* Split a header block (each line ending in "\n", no blank line) into
 * headers with their type letters.  Returns the count; *out in `a`. */
size_t host_hdr_split(struct tern_arena *a, const char *buf, size_t len,
                      struct tern_spool_header **out);

/* The message's header array, growable in the arena. */
struct host_hdrs {
    struct tern_spool_msg *m;
    struct tern_arena *a;
    size_t cap;
};
void host_hdrs_init(struct host_hdrs *h, struct tern_spool_msg *m,
                    struct tern_arena *a);
/* Insert a copy of `text` (must end in "\n") at index `at` (n_headers
 * = at the end); the type is computed from the name. */
void host_hdrs_insert(struct host_hdrs *h, size_t at, const char *text,
                      size_t len);
/* Index of the first live header named `name`, or -1. */
long host_hdrs_find(const struct tern_spool_msg *m, const char *name);
/* Mark every live header named `name` deleted; returns how many. */
int host_hdrs_remove(struct tern_spool_msg *m, const char *name);

/* Apply ACL add_header / remove_header changes, in order, as Exim
 * does: removals mark headers deleted; additions are split into lines
 * (X-ACL-Warn: added to a line that is not a header), placed by their
 * :at_start:, :at_start_rfc:, :after_received:, :at_end: prefix, and an
 * added line identical to one added earlier in the same batch is
 * dropped. */
void host_hdrs_apply_changes(struct host_hdrs *h,
                             const struct host_hdr_change *changes);

/* ---- addresses (receive_addr.c) ----------------------------------- */

/* One address of an RFC 5322 address list: the addr-spec as it would be
 * used as an envelope address (comments and folding removed), and where
 * it ends in the scanned text (for inserting "@domain"). */
struct host_addr_item {
    const char *address;        /* arena string; "" for <> */
    size_t end;                 /* offset just after the addr-spec */
    int has_domain;
};

/* Scan the value of an address header.  0 with the items, or -1 with
 * *err ("missing or malformed local part" ...) and *bad the offending
 * part, as Exim reports it. */
int host_addr_list(struct tern_arena *a, const char *s, size_t len,
                   struct host_addr_item **items, size_t *n,
                   const char **err);

/* An RFC 5322 phrase for a display name: as is when it is only atoms
 * and blanks, in double quotes otherwise, RFC 2047 encoded (UTF-8, Q)
 * when it has control or 8-bit characters. */
char *host_addr_phrase(struct tern_arena *a, const char *name);

/* One address as given on the command line ("a@b", "Name <a@b>"):
 * NULL with *addr (the addr-spec) and *has_domain, or the reason it is
 * not an address. */
const char *host_addr_extract(struct tern_arena *a, const char *text,
                              const char **addr, int *has_domain);

/* ---- formats (receive_fmt.c) -------------------------------------- */

/* RFC 5322 date as Exim's $tod_full: "Wed, 02 Dec 2026 05:07:06 +0000",
 * local time. */
void host_fmt_date(time_t t, char *buf, size_t len);
/* Exim's five-column -bp size: "  303", " 2.9K", "  11K", "954M". */
void host_fmt_qsize(long long size, char buf[24]);
/* Exim's -bp age: " 0m", "89m", " 2h", "72h", " 3d". */
void host_fmt_qage(long long seconds, char buf[24]);
/* Exim's string_printing for log fields: \n \r \t-free escapes, octal
 * \ooo for other controls and (unless topbit) 8-bit bytes, and the
 * quote and backslash escaped when `quoted`. */
char *host_fmt_printing(struct tern_arena *a, const char *s, size_t len,
                        int quoted, int topbit);

/* ---- the caller of a local submission (receive_caller.c) ----------- */

/* root, the Exim user, trusted_users, trusted_groups (also
 * supplementary groups of this process). */
int host_caller_trusted(struct host_runtime *rt, long uid, long gid);
/* root, the Exim user, admin_groups. */
int host_caller_admin(struct host_runtime *rt, long uid, long gid);
/* The full name from a gecos field (up to ',', '&' = Login). */
char *host_caller_gecos(struct tern_arena *a, const char *login,
                        const char *gecos);
struct host_caller_sender {
    const char *sender;         /* the envelope sender to use */
    int sender_local;           /* it is the caller's default one */
    int set_untrusted;          /* untrusted caller, -f honoured */
    const char *error;          /* -f was not an address */
};
/* Decide the sender from -f (`given`, NULL when absent); ctx->sess
 * must have the login and ident. */
void host_caller_sender(struct tern_ctx *ctx, const char *given, int trusted,
                        struct host_caller_sender *out);

/* ---- the receiver (receive.c) -------------------------------------- */

struct host_receiver {
    struct tern_ctx ctx;                /* copy; session/message shared */
    struct host_runtime *rt;
    struct host_message *msg;
    struct tern_arena *a;               /* the message's arena */
    struct tern_spool *spool;
    struct tern_spool_out *out;
    struct host_hdrs hdrs;
    struct host_receive_local local;    /* local submission settings */
    int have_local;
    int fixups;                         /* local or submission fix-ups */
    enum host_receive_fail fail;
    int in_body;
    int ended;                          /* end_data ran */
    int prepared;
    int want_newline;                   /* body did not end in newline */
    struct tern_buf hdr;                /* header bytes until it ends */
    size_t hdr_line;                    /* start of the unfinished line */
    size_t hdr_logical;                 /* length of the current header */
    long long limit;                    /* message_size_limit, 0: none */
    long long received;                 /* bytes fed */
    long long lines;                    /* all lines fed */
    long long cur_len;                  /* length of the unfinished line */
    long long max_len;                  /* longest line */
    long long header_lines;
    size_t received_hdr;                /* index of our Received: */
    const char *received_text;          /* expanded, before "; date" */
    struct timespec started;
};

/* receive_fix.c: what Exim does when the header ends (removals, -t,
 * qualification, From: login).  0, or -1 with r->fail and err. */
int host_receive_header_done(struct host_receiver *r, char *err,
                             size_t errlen);
/* receive_add.c: what it adds at the end of the data (Received:,
 * Message-Id:, From:, Sender:, Date:).  0, or -1 with r->fail and err. */
int host_receive_additions(struct host_receiver *r, char *err,
                           size_t errlen);
/* Rewrite our Received: header's date (to the acceptance time). */
void host_receive_stamp(struct host_receiver *r, time_t when);

/* receive_fix.c: helpers of both. */
/* Insert a formatted header line at index `at`. */
void host_rcv_append(struct host_receiver *r, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *host_rcv_login(const struct host_receiver *r);
const char *host_rcv_qdomain(const struct host_receiver *r);
const char *host_rcv_qrecipient(const struct host_receiver *r);
int host_rcv_has_resent(const struct tern_spool_msg *m);
/* A header's value: no name, no final newline, trimmed. */
const char *host_rcv_value(struct tern_arena *a,
                           const struct tern_spool_header *h);

/* logsel.c: the msglog line "Received from ..." */
void host_receive_msglog(struct host_receiver *r, const char *line);

/* receive_add.c: set r->fail and the message; returns -1. */
int host_rcv_fail(struct host_receiver *r, enum host_receive_fail f,
                  char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
