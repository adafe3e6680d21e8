/*
 * NAME
 *   test_acl_env.h - surroundings for the ACL engine's unit tests
 *
 * DESCRIPTION
 *   ta_setup() gives each test a runtime, a session (peer 192.0.2.1,
 *   HELO "client.example"), a message (sender "sender@example.org") and
 *   a ctx tying them together; ta_config() compiles an Exim-style
 *   configuration with confc's library against the installed schemas
 *   and puts it under the runtime, so ACLs and named lists are exactly
 *   what the real compiler produces.
 *
 *   The host functions the engine calls are fakes defined here, since
 *   the tests link only libtern, libconfc and the ACL objects:
 *   host_expand / host_expand_exp evaluate with lib/expand.h and a small
 *   variable resolver (the ctx's fields, $acl_c / $acl_m, the engine's
 *   own variables, and ta_var() values); host_var_set stores $acl_c /
 *   $acl_m in the session / message; host_match_env answers lookups from
 *   ta_lookup(), named lists from the configuration, host names from
 *   ta_host(); host_log appends "main|text" lines to ta.log.
 */
#ifndef TEST_ACL_ENV_H
#define TEST_ACL_ENV_H

#include <stddef.h>

#include "acl.h"
#include "arena.h"
#include "host.h"

struct ta_state {
    struct tern_arena *arena;
    struct host_conf hc;
    struct host_runtime rt;
    struct host_session sess;
    struct host_message msg;
    struct tern_ctx ctx;
    struct host_acl_result res;
    struct tern_buf log;            /* "main|text\n" per line */
    char dir[256];                  /* a fresh directory, the spool */
    const char *config_errors;      /* diagnostics of the last ta_config */
};
extern struct ta_state ta;

int ta_setup(void **state);
int ta_teardown(void **state);

/* Compile `text` (a whole configuration) into ta.hc.cfg; 0 or -1 (then
 * ta.config_errors says why). */
int ta_config(const char *text);
/* Load the modules the configuration names (TERN_MODULE_PATH). */
int ta_load_modules(void);

/* Run ACL `acl` at `where`; ta.res holds the result. */
enum host_acl_verdict ta_run(enum host_acl_where where, const char *acl,
                             const char *rcpt);

/* Tables the fakes answer from. */
void ta_var(const char *name, const char *value);
void ta_lookup(const char *file, const char *key, const char *value);
/* names "" means the reverse lookup finds nothing, NULL defers. */
void ta_host(const char *ip, const char *names);
/* addrs "" means the name does not exist. */
void ta_name(const char *name, const char *addrs);
void ta_header(const char *text);
void ta_add_rcpt(const char *address);

/* The value of $name as the fakes see it ("" when unset). */
const char *ta_get(const char *name);
/* Does ta.log contain `s`? */
int ta_logged(const char *s);
/* Expand `s` in ta.ctx ("<fail>" / "<error: ...>" otherwise). */
const char *ta_expand(const char *s);

/* A verify hook: addresses containing "bad" fail ("Unknown user"),
 * "tmp" defer, the rest succeed. */
int ta_verify(struct tern_ctx *ctx, const char *address, int is_sender,
              const char **msg);

#endif
