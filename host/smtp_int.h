/*
 * NAME
 *   smtp_int.h - what the files of the SMTP server engine share
 *
 * DESCRIPTION
 *   The engine (smtp.h) is split by purpose:
 *
 *     smtp_session.c  creation, per-connection options, banner, close
 *     smtp_step.c     the step loop, timeouts, the rest of smtp.h
 *     smtp_io.c       input and output buffers, plain and TLS I/O
 *     smtp_cmd.c      command table, dispatch, synchronisation and error
 *                     counting, RSET, NOOP
 *     smtp_tls.c      STARTTLS and TLS-on-connect
 *     smtp_helo.c     HELO/EHLO (the extensions offered), HELP, QUIT,
 *                     VRFY, EXPN, ETRN
 *     smtp_mail.c     MAIL: parameters, limits, the transaction
 *     smtp_rcpt.c     RCPT: DSN parameters, recipients_max, the ACL
 *     smtp_addr.c     parsing the path and parameters of MAIL and RCPT
 *     smtp_data.c     DATA and BDAT: unstuffing, feeding receive.h
 *     smtp_end.c      end of message: size, DATA ACL, group commit
 *     smtp_auth.c     AUTH: authenticator instances, the SASL exchange
 *     smtp_reply.c    replies, ACL verdicts turned into replies and logs
 *     smtp_log.c      host identification and log lines
 *     smtp_util.c     base64, xtext, expanded option values, host lists
 *     smtp_bs.c       -bs: one session on stdin/stdout
 */
#ifndef TERN_HOST_SMTP_INT_H
#define TERN_HOST_SMTP_INT_H

#include <stdarg.h>
#include <stddef.h>

#include <tern/auth.h>
#include <tern/host.h>
#include <tern/module.h>

#include "acl.h"
#include "smtp.h"

/* The longest command line kept; longer ones are discarded as they
 * arrive and answered "500 Line too long" (Exim's command buffer is the
 * same size, and AUTH responses need more than RFC 5321's 512). */
#define SMTP_CMD_MAX 16384
/* Input buffer: one read() fills at most this much. */
#define SMTP_IN_CAP (SMTP_CMD_MAX + 65536)
/* Stop handling pipelined commands while this much output is unsent
 * (a client that never reads its replies cannot grow our memory). */
#define SMTP_OUT_HIGH 65536
/* Unstuffed message bytes are handed to receive.h in pieces this big. */
#define SMTP_FEED_SIZE 65536

enum smtp_phase {
    PH_START,           /* nothing done yet */
    PH_TLS_CONNECT,     /* TLS-on-connect handshake before the banner */
    PH_CMD,             /* reading commands */
    PH_DATA,            /* DATA: message lines until the dot */
    PH_BDAT,            /* inside a BDAT chunk */
    PH_AUTH,            /* waiting for the answer to a 334 */
    PH_STARTTLS,        /* 220 sent: flushing it, then the handshake */
    PH_COMMIT,          /* a message waits for durability */
    PH_CLOSING,         /* flush what is left, then done */
    PH_DONE
};

/* DATA decoding state (Exim 4.96's rules, smtp_data.c). */
enum smtp_dstate {
    DS_LINESTART, DS_MID, DS_CR, DS_DOT, DS_DOTCR
};

/* After a BDAT that was not LAST. */
enum smtp_chunking {
    CH_NONE,            /* no BDAT sequence open */
    CH_OPEN,            /* more BDAT expected */
    CH_BROKEN           /* a wrong command came: only RSET and QUIT */
};

struct smtp_buf {
    char *p;
    size_t len;         /* bytes held */
    size_t off;         /* bytes already consumed / written */
    size_t cap;
};

struct smtp_auth_inst;

/* One mail transaction (MAIL to the end of the message or RSET). */
struct smtp_txn {
    int active;                 /* MAIL accepted */
    int discard;                /* MAIL ACL said discard */
    unsigned long rcpts_ok;     /* accepted recipients */
    unsigned long rcpts_discarded;
    unsigned long rcpts_failed; /* rejected RCPTs */
    char *last_rcpt_error;      /* heap: reply to the last one */
    int rcpt_errors_differ;     /* not all refusals said the same */
    long long size_param;       /* SIZE=, -1 */
    int body_type;              /* 0, 7 or 8 (BODY=) */
    enum smtp_chunking chunking;
    int bdat_last;              /* the chunk being read is LAST */
    long long bdat_left;        /* bytes of the chunk still to read */
    long long bdat_size;        /* size of the chunk being read */
    int bdat_discard;           /* swallow the chunk (refused BDAT) */
    int data_started;           /* receiver begun (DATA or first BDAT) */
    struct host_receiver *rcv;
    enum smtp_dstate dstate;
    int bcr;                    /* BDAT: a CR is pending */
    char last_fed;              /* last byte handed to receive */
    long long fed;              /* bytes handed to receive */
    int too_big;
    char *data_error;           /* heap: why writing failed */
    long long size_limit;       /* message_size_limit for this message */
    const char *accept_text;    /* DATA ACL's accept message, msg arena */
    struct tern_spool_out *pending;
};

struct host_smtp {
    struct tern_ctx *ctx;
    struct host_runtime *rt;
    struct host_session *sess;
    struct tern_spool *spool;
    int fd, out_fd;             /* the same socket, or stdin/stdout */
    int own_fd;                 /* close fd in host_smtp_free() */
    int is_socket;              /* send() with MSG_NOSIGNAL, peek works */
    int blocking;               /* -bs: one read per step */
    int tls_on_connect;
    struct host_tls_conn *tls;
    struct host_tls_conn *tls_pending;  /* STARTTLS: until 220 is out */
    int tls_io_want;            /* TLS asked for WANT_READ/WANT_WRITE */

    enum smtp_phase phase;
    struct smtp_buf in, out, feed;
    int eof;                    /* peer closed its side */
    int io_error;               /* read or write failed */
    int discarding;             /* dropping an over-long line */
    size_t hold_pos;            /* output after this waits for hold_until */
    long long hold_until;       /* ms, 0: no ACL delay running */
    long long deadline;         /* ms, 0: none (receive timeout) */
    long long timeout_ms;       /* smtp_receive_timeout, 0 = none */
    int quit_seen;              /* closed by QUIT */
    int shutdown_pending;       /* host_smtp_shutdown during a commit */
    const char *shutdown_why;
    int notquit_done;
    size_t banner_mark;         /* banner's place + 1 while the check for
                                   early talkers waits for an ACL delay */

    /* Per-session option values (evaluated once). */
    const char *active_hostname;
    long long size_limit;       /* message_size_limit; -1 = expansion
                                   failed (temporary error) */
    long long max_per_conn;     /* -2: not yet evaluated, 0: no limit */
    unsigned log_sel;           /* SMTP_LOG_* */

    /* What was advertised in the last EHLO. */
    int helo_seen;
    int pipelining;
    int pipe_connect;           /* PIPECONNECT advertised */
    int early_pipe;             /* -1 unknown; 1: may talk before banner */
    int chunking;
    int starttls;
    int dsn;
    int smtputf8;
    int auth_offered;           /* AUTH line sent */
    unsigned char *auth_adv;    /* per instance: advertised */

    /* Counters. */
    unsigned long unknown_count;
    unsigned long synprot_count;
    unsigned long nonmail_count;
    unsigned long mail_count;   /* MAIL commands this connection */
    int helo_free, rset_free, starttls_free, auth_free;
    int mail_rejected;          /* last MAIL was refused (pipelining) */

    /* Command being handled. */
    char *cmd;                  /* heap copy, NUL-terminated */
    size_t cmd_len;
    struct tern_arena *scratch; /* per command; dropped after it */

    /* AUTH in progress. */
    struct smtp_auth_inst *auth_inst;
    struct tern_auth_server as;
    int authenticated;
    int untrusted;              /* -bs caller may not set the sender */
    unsigned long rcpt_cap;     /* room in msg->spool.rcpts */

    struct smtp_txn txn;
};

/* Log selectors the engine looks at. */
enum {
    SMTP_LOG_CONNECTION = 1u << 0,      /* +smtp_connection */
    SMTP_LOG_SYNTAX = 1u << 1,          /* +smtp_syntax_error */
    SMTP_LOG_PROTOCOL = 1u << 2,        /* +smtp_protocol_error */
    SMTP_LOG_LOST = 1u << 3,            /* lost_incoming_connection */
    SMTP_LOG_PORT = 1u << 4,            /* +incoming_port */
    SMTP_LOG_IFACE = 1u << 5,           /* +incoming_interface */
    SMTP_LOG_SIZE_REJECT = 1u << 6      /* size_reject */
};

/* ---- smtp_session.c ---- */
struct host_smtp *smtp_new_fds(struct tern_ctx *ctx, struct tern_spool *spool,
                               int in_fd, int out_fd, int blocking,
                               int tls_on_connect);
/* Send the banner (after the connect ACL); TLS-on-connect calls it once
 * the handshake is done. */
void smtp_banner(struct host_smtp *s);
/* Input before the banner (queued at `mark`): 554 in its place. */
void smtp_banner_sync(struct host_smtp *s, size_t mark);
/* First step: per-connection options, TLS-on-connect or the banner. */
void smtp_start(struct host_smtp *s);
/* The session is over (after the output was flushed, or failed). */
void smtp_finish(struct host_smtp *s);
long long smtp_now_ms(void);
/* May this client talk before the banner and pipeline its first EHLO
 * (PIPECONNECT)? */
int smtp_early_pipe_ok(struct host_smtp *s);
struct tern_arena *smtp_scratch(struct host_smtp *s);
/* Begin closing: flush, then done.  `reason` for the not-QUIT ACL
 * ($smtp_notquit_reason), NULL after QUIT. */
void smtp_close(struct host_smtp *s, const char *reason);
/* Reset the receive timeout from now. */
void smtp_touch(struct host_smtp *s);
/* Run an ACL; a `delay` holds the output that follows. */
enum host_acl_verdict smtp_acl(struct host_smtp *s, enum host_acl_where w,
                               const char *acl, const char *rcpt,
                               struct host_acl_result *res);
/* ctx->arena: the message's while a transaction is open. */
void smtp_set_arena(struct host_smtp *s);

/* ---- smtp_io.c ---- */
void smtp_buf_free(struct smtp_buf *b);
void smtp_out_add(struct host_smtp *s, const char *p, size_t n);
void smtp_out_printf(struct host_smtp *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t smtp_out_pending(const struct host_smtp *s);
/* Write what the socket takes: 0, or -1 when the connection failed. */
int smtp_flush(struct host_smtp *s);
/* One read into s->in: >0 bytes, 0 end of file, -1 error, -2 would
 * block (TLS may ask for WANT_WRITE: s->tls_io_want). */
int smtp_fill(struct host_smtp *s);
/* Is there input after the current command (buffered or waiting)? */
int smtp_input_waiting(struct host_smtp *s);
/* Drop whatever input is buffered (after STARTTLS). */
void smtp_in_clear(struct host_smtp *s);

/* ---- smtp_cmd.c ---- */
/* Handle every complete command line buffered; 1 if any progress. */
int smtp_commands(struct host_smtp *s);
/* A syntax or protocol error: the reply (code, text), counting towards
 * smtp_max_synprot_errors; returns 1 when the session was dropped. */
int smtp_synprot(struct host_smtp *s, int code, const char *text,
                 int protocol);
/* Forget the HELO and what EHLO advertised (STARTTLS). */
void smtp_forget_helo(struct host_smtp *s);
/* $received_protocol for the session's current state. */
void smtp_set_protocol(struct host_smtp *s);
/* Effective smtp_enforce_sync for this session (controls included). */
int smtp_enforce_sync(const struct host_smtp *s);
int smtp_is_local(const struct host_smtp *s);

/* ---- smtp_tls.c ---- */
void smtp_starttls(struct host_smtp *s, const char *arg);
/* Drive a handshake (STARTTLS or on connect): 1 progress/done, 0 wait. */
int smtp_tls_drive(struct host_smtp *s);
int smtp_tls_offerable(struct host_smtp *s);

/* ---- smtp_mail.c ---- */
void smtp_mail(struct host_smtp *s, const char *arg);
/* addr@qualify_domain (qualify_recipient for a recipient) when the
 * client may send unqualified addresses, else NULL. */
const char *smtp_qualify(struct host_smtp *s, const char *addr, int rcpt);

/* ---- smtp_rcpt.c ---- */
void smtp_rcpt(struct host_smtp *s, const char *arg);
/* End the transaction: abort any receiver, drop the message. */
void smtp_txn_reset(struct host_smtp *s);

/* ---- smtp_addr.c ---- */
struct smtp_path {
    const char *addr;           /* no brackets, no route; "" for <> */
    const char *text;           /* the path as written */
    const char *params;         /* what follows it */
    int bracketed;
    int has_domain;
};
int smtp_parse_path(struct tern_arena *a, const char *arg,
                    struct smtp_path *p, const char **why);
/* Next "NAME[=VALUE]" of `*cursor`: 1, or 0 at the end. */
int smtp_next_param(struct tern_arena *a, const char **cursor,
                    const char **name, const char **value);

/* ---- smtp_data.c ---- */
/* Hand the decoded bytes held in s->feed to receive.h. */
void smtp_feed_flush(struct host_smtp *s);
void smtp_data_cmd(struct host_smtp *s);
void smtp_bdat_cmd(struct host_smtp *s, const char *arg);
/* Consume DATA or BDAT bytes from the input; 1 if progress. */
int smtp_data_input(struct host_smtp *s);

/* ---- smtp_end.c ---- */
/* The data is complete: size, errors, the DATA ACL, the commit. */
void smtp_end_message(struct host_smtp *s);
/* The connection ended or timed out inside a message. */
void smtp_data_lost(struct host_smtp *s, int timeout);
/* After the commit (host_smtp_committed). */
void smtp_data_committed(struct host_smtp *s, int ok, const char *why);

/* ---- smtp_auth.c ---- */
/* AUTH mechanisms to advertise ("PLAIN LOGIN"), NULL for none;
 * remembers which in s->auth_adv. */
const char *smtp_auth_advertise(struct host_smtp *s);
void smtp_auth_cmd(struct host_smtp *s, const char *arg);
void smtp_auth_tls(struct host_smtp *s);
/* A line while PH_AUTH. */
void smtp_auth_line(struct host_smtp *s, const char *line);
/* server_mail_auth_condition of the authenticator that succeeded:
 * 1 keep AUTH=, 0 drop it. */
int smtp_auth_mail_condition(struct host_smtp *s);
/* Are any authenticators configured as servers? */
int smtp_auth_any_server(struct host_smtp *s);

/* ---- smtp_reply.c ---- */
/* A reply; `text` may hold newlines (one line each). */
void smtp_reply(struct host_smtp *s, int code, const char *text);
/* A reply built from an ACL's accept message when it has one, else
 * from the default; the message may change the code within its class
 * and carry an extended code.  `single` keeps only the first line. */
void smtp_reply_acl_ok(struct host_smtp *s, int code, const char *dflt,
                       const struct host_acl_result *res, int single);
/* A refusal by an ACL: reply, log "rejected <what>" (with F=<sender>
 * when `sender_info`), and for DROP close.  Returns 1 when dropped. */
int smtp_acl_refuse(struct host_smtp *s, enum host_acl_where where,
                    enum host_acl_verdict v,
                    const struct host_acl_result *res, const char *what,
                    int sender_info, const char *msgid);
/* Split "550 5.7.1 text" into code and extended code when the class is
 * right (exposed for tests): returns the text after them. */
const char *smtp_message_code(struct host_smtp *s, const char *msg,
                              int dflt, int *code, char *ext, size_t extlen);

/* ---- smtp_log.c ---- */
unsigned smtp_log_selectors(const char *sel);
/* "H=name (helo) [ip]" (useflag) or without H=, with " U=ident". */
const char *smtp_host_ident(struct host_smtp *s, int useflag);
/* "SMTP connection from ..." */
const char *smtp_conn_info(struct host_smtp *s);
/* Exim's D= value: "3s", "1m2s". */
const char *smtp_duration(struct host_smtp *s);
/* Printable copy: non-printing bytes as \ooo, at most `max` bytes. */
const char *smtp_printing(struct tern_arena *a, const char *p, size_t n,
                          size_t max);
void smtp_log(struct host_smtp *s, unsigned dest, const char *msgid,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- smtp_util.c ---- */
char *smtp_b64_encode(struct tern_arena *a, const char *p, size_t n);
/* 0 with the decoded bytes (NUL-terminated), -1 when not base64. */
int smtp_b64_decode(struct tern_arena *a, const char *s, char **out,
                    size_t *outlen);
/* RFC 3461 xtext; NULL when malformed. */
char *smtp_xtext_decode(struct tern_arena *a, const char *s);
/* Host-list option against the peer: 1 in the list, 0 not; a deferral
 * counts as `on_defer`. */
int smtp_hosts(struct host_smtp *s, const struct tern_text *opt,
               int on_defer);
/* An expanded numeric option: 0 with *val, -1 (expansion or syntax
 * failed: *err). `time` parses a time, otherwise an integer with K/M/G. */
int smtp_opt_number(struct host_smtp *s, const struct tern_text *opt,
                    int time, long long *val, const char **err);
/* Expand `text`: 0 ok, 1 forced failure, -1 error (host_expand). */
int smtp_expand(struct host_smtp *s, const char *text, const char **out,
                const char **err);
/* Exim's true/false words: 1 true, 0 false, -1 neither. */
int smtp_truth(const char *s);

#endif
