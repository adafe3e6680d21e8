/*
 * NAME
 *   tern/auth.h - the operations of an authenticator driver
 *
 * SYNOPSIS
 *   #include <tern/auth.h>
 *
 *   static const struct tern_auth_ops ops = {
 *       .size = sizeof ops,
 *       .server_configured = my_configured,
 *       .server_start = my_start,
 *       .server_next = my_next,
 *   };
 *   ... struct tern_driver { ..., .kind = TERN_DRIVER_AUTH, .ops = &ops };
 *
 * DESCRIPTION
 *   An authenticator driver (plaintext, cram_md5, ...) points the `ops`
 *   of its struct tern_driver at one of these.  The host's SMTP engine
 *   runs the SASL exchange of an AUTH command: it decodes what the
 *   client sends from base64, handles `*` (the client cancels), encodes
 *   challenges, applies the generic options (server_set_id,
 *   server_advertise_condition, public_name) and writes the replies and
 *   log lines.  The driver only sees decoded bytes and answers with one
 *   of enum tern_auth_result.
 *
 *   The engine never blocks on the network, so the server side is a
 *   small state machine: server_start() receives the initial response
 *   (if the client gave one) and either decides or asks for more with
 *   TERN_AUTH_CHALLENGE; each answer to a challenge comes back through
 *   server_next().  Per-exchange state lives in `as->state`, allocated
 *   with as->host->alloc(as->ctx, n), which is freed with the session.
 *
 *   The structure only grows at its end; `size` says which members a
 *   driver filled.  The client side (delivery) will be added after the
 *   server members.
 */
#ifndef TERN_AUTH_H
#define TERN_AUTH_H

#include <stddef.h>

struct tern_ctx;
struct tern_host_api;

/* What a server step decided.  The first four have the values of enum
 * tern_rc (tern/module.h). */
enum tern_auth_result {
    TERN_AUTH_OK = 0,           /* authenticated: 235 */
    TERN_AUTH_FAIL = 1,         /* bad credentials: 535 */
    TERN_AUTH_DEFER = 2,        /* cannot decide now: 435, as->message */
    TERN_AUTH_ERROR = 3,        /* configuration or internal error: 435 */
    TERN_AUTH_CHALLENGE = 5,    /* send as->challenge, wait for an answer */
    TERN_AUTH_UNEXPECTED = 6    /* initial response not allowed: 553 */
};

/* One server-side exchange.  The host fills the first part; the driver
 * the second. */
struct tern_auth_server {
    struct tern_ctx *ctx;               /* the session */
    const struct tern_host_api *host;
    const char *name;                   /* instance name: "fixed_plain" */
    const char *public_name;            /* mechanism: "PLAIN" */
    const void *options;                /* the driver's option struct */
    /* Set $auth<n> (n = 1..4) to `len` bytes of `value` (copied; a NUL
     * in the value ends it, as in Exim).  $auth<n> are cleared when an
     * exchange starts. */
    void (*set_var)(struct tern_auth_server *as, unsigned n,
                    const char *value, size_t len);
    /* The generic server_condition option, with Exim's rules: unset is
     * TERN_AUTH_OK; forced failure, "", "0", "no", "false" are
     * TERN_AUTH_FAIL; "1", "yes", "true" TERN_AUTH_OK; an expansion
     * error, or any other result, TERN_AUTH_DEFER with as->message set
     * to the text. */
    int (*check_condition)(struct tern_auth_server *as);

    /* Driver: with TERN_AUTH_CHALLENGE, the raw bytes of the challenge
     * (the host sends them base64-encoded after "334 "). */
    const char *challenge;
    size_t challenge_len;
    /* Driver: with TERN_AUTH_DEFER or TERN_AUTH_ERROR, why (logged; for
     * DEFER also shown to the client). */
    const char *message;
    /* Driver: anything it keeps between steps. */
    void *state;
};

struct tern_auth_ops {
    size_t size;                        /* sizeof(struct tern_auth_ops) */

    /* Server side; all three NULL when the driver has none. */

    /* Is this instance a server?  (plaintext: server_condition is set;
     * cram_md5: server_secret is set).  `server_condition` is the
     * generic option's text, NULL when unset. */
    int (*server_configured)(const void *options,
                             const char *server_condition);
    /* Start an exchange.  `data` is the decoded initial response, NULL
     * when the AUTH command had none ("=" counts as none). */
    int (*server_start)(struct tern_auth_server *as, const char *data,
                        size_t len);
    /* The client's decoded answer to the last challenge. */
    int (*server_next)(struct tern_auth_server *as, const char *data,
                       size_t len);
};

#endif
