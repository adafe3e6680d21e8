/*
 * NAME
 *   smtp_fakes.h - small fakes of the parts around the SMTP engine, and a
 *   harness that drives one session through a socketpair
 *
 * DESCRIPTION
 *   The engine (host/smtp_*.c) is linked with fakes of the ACL engine
 *   (fake_acl[] says what each stage answers; unset stages answer as
 *   Exim's defaults do), of receive.h (the body of the last committed
 *   message in fake_body), of tls.h (no TLS), of the expansion host
 *   (the real evaluator from libtern with a few variables), and of the
 *   log (every line in fake_log).
 *
 *   h_init() builds a runtime with the schema defaults; h_set() changes
 *   a main option; h_start() connects "192.0.2.1" and reads the banner;
 *   h_talk() sends bytes as the client and returns every reply the
 *   engine wrote, running commits with h->commit_ok.
 */
#ifndef TERN_TESTS_SMTP_FAKES_H
#define TERN_TESTS_SMTP_FAKES_H

#include <stddef.h>

#include "acl.h"
#include "arena.h"
#include "host.h"
#include "smtp_int.h"

#define FAKE_WHERE_MAX 32

struct fake_acl_rule {
    int set;                        /* else Exim's default for the stage */
    enum host_acl_verdict v;
    const char *msg;
    const char *logmsg;
    int delay;
    unsigned controls;              /* added to the session's */
    const char *only_rcpt;          /* RCPT: applies to this one only */
};

extern struct fake_acl_rule fake_acl[FAKE_WHERE_MAX];
extern int fake_acl_calls[FAKE_WHERE_MAX];

extern struct tern_buf fake_body;   /* last committed message's bytes */
extern int fake_begun, fake_aborted, fake_committed, fake_failed_commit;
extern int fake_begin_fail;
extern struct tern_buf fake_log;    /* "M|R|P line\n" per log line */

struct harness {
    struct tern_arena *a;
    struct host_conf hc;
    struct host_runtime rt;
    struct host_session sess;
    struct tern_ctx ctx;
    struct host_smtp *s;
    int cfd;                        /* the client's end */
    int commit_ok;
    int commits;
    int done;
    unsigned want;
};

void fake_reset(void);
void h_init(struct harness *h);
void h_set(struct harness *h, const char *name, const char *value);
/* Connect as a remote client (ip NULL: a local -bs-like session). */
char *h_start(struct harness *h, const char *ip);
/* Same, with bytes sent before the engine runs at all. */
char *h_start_early(struct harness *h, const char *ip, const char *early);
char *h_talk(struct harness *h, const char *data);
char *h_talkn(struct harness *h, const char *data, size_t n);
/* The client closes its sending side. */
char *h_eof(struct harness *h);
void h_free(struct harness *h);
/* Does fake_log contain `needle`? */
int log_has(const char *needle);

/* Authenticators for the AUTH tests: configure instance `name` of
 * `driver` with NULL-terminated name/value option pairs. */
void h_auth(struct harness *h, const char *name, const char *driver,
            const char *const *opts);

#endif
