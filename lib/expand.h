/*
 * NAME
 *   expand.h - Exim's string expansion language: parser and evaluator
 *
 * SYNOPSIS
 *   struct tern_exp *e;
 *   struct tern_exp_error perr;
 *   if (tern_exp_parse(arena, src, strlen(src), &schema, 0, &e, &perr) < 0)
 *       report("%s at column %u", perr.msg, perr.offset + 1);
 *
 *   struct tern_exp_result r;
 *   tern_exp_eval(e, &env, arena, &r);
 *   switch (r.status) { case TERN_EXP_OK: use(r.str, r.len); ... }
 *
 * DESCRIPTION
 *   A string such as `${if eq{$local_part}{postmaster}{yes}{no}}` is
 *   parsed once (by confc, at compile time) into a struct tern_exp, and
 *   evaluated many times (by the host, at run time).
 *
 *   The parsed form is position-independent: a flat array of fixed-size
 *   nodes that refer to each other by 32-bit index, and to text by
 *   (offset, length) in one byte buffer.  It can be written into a plan
 *   verbatim and used straight from the mapped file; tern_exp_check()
 *   verifies such an image before it is trusted (docs/expansions.md
 *   describes the layout).  Every node records the 0-based offset in the
 *   source string it came from, so errors found while parsing or
 *   evaluating point at a column.
 *
 *   Names of variables, lookup types and module-provided items,
 *   operators and conditions are checked while parsing against the
 *   caller's schema (struct tern_exp_schema), so that modules can add
 *   them.  Everything the evaluator needs from its surroundings
 *   (variable values, headers, lookups, commands, sockets, list matching,
 *   module items) comes through struct tern_exp_env; the evaluator has no
 *   global state and allocates only from the arena it is given.
 *
 * DIAGNOSTICS
 *   Parse errors and evaluation errors carry a message and the offset in
 *   the source string; a forced failure (`fail`) is reported separately
 *   from an error, as Exim distinguishes them.
 */
#ifndef TERN_EXPAND_H
#define TERN_EXPAND_H

#include <stddef.h>
#include <stdint.h>

struct tern_arena;

/* ------------------------------------------------------------------ */
/* The parsed form                                                     */

/* One node: 28 bytes, no pointers.  The meaning of op and a..d depends on
 * type (see docs/expansions.md and lib/expand_int.h).  Index 0 of the node
 * array is a reserved empty node, so 0 means "none" in every link; every
 * link points at a higher index than the node holding it, which is what
 * makes a checked image acyclic. */
struct tern_exp_node {
    uint8_t type;
    uint8_t flags;
    uint16_t op;
    uint32_t src;       /* 0-based offset in the source string */
    uint32_t next;      /* next sibling, 0 at the end */
    uint32_t a, b, c, d;
};

struct tern_exp {
    const struct tern_exp_node *nodes;
    uint32_t n_nodes;
    uint32_t root;          /* a sequence node */
    const char *text;       /* literal text, names; not NUL-terminated */
    uint32_t text_len;
    uint32_t src_len;       /* length of the source string */
    uint32_t flags;         /* TERN_EXP_CONSTANT ... */
};

/* tern_exp.flags */
#define TERN_EXP_CONSTANT 0x1u  /* no $, no item: the result is literal text */

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* What the schema callback is asked about. */
enum tern_exp_kind {
    TERN_EXP_VARIABLE = 1,      /* $name, ${name}, def:name */
    TERN_EXP_ITEM = 2,          /* ${name{..}..} not built in */
    TERN_EXP_OPERATOR = 3,      /* ${name:..} not built in */
    TERN_EXP_CONDITION = 4,     /* name{..} in a condition, not built in */
    TERN_EXP_LOOKUP = 5         /* lookup type: lsearch, dbm, dnsdb ... */
};

/* Filled in by the callback for what it knows. */
struct tern_exp_known {
    unsigned min_args;          /* items and conditions */
    unsigned max_args;
    unsigned lookup_style;      /* TERN_LOOKUP_SINGLE_KEY / _QUERY (module.h) */
};

struct tern_exp_schema {
    /* Return 1 if `name` (not NUL-terminated) of `kind` is known and fill
     * *info; 0 if unknown.  Variable families ($acl_c*, $acl_m_*) are the
     * callback's business.  A NULL callback accepts every variable and
     * rejects every module item, operator, condition and lookup type. */
    int (*known)(void *arg, unsigned kind, const char *name, size_t len,
                 struct tern_exp_known *info);
    void *arg;
};

struct tern_exp_error {
    const char *msg;            /* arena string */
    uint32_t offset;            /* 0-based offset in the source */
};

/* Parse flags */
/* Skip the PCRE2 compilation of constant regexes. */
#define TERN_EXP_NO_REGEX_CHECK 0x1u

/* Parse `src` (len bytes, NUL not needed).  On success *out points at a
 * tern_exp allocated in `a` and 0 is returned; on error -1 with *err set.
 * Strings longer than 2^31 bytes are refused. */
int tern_exp_parse(struct tern_arena *a, const char *src, size_t len,
                   const struct tern_exp_schema *schema, unsigned flags,
                   struct tern_exp **out, struct tern_exp_error *err);

/* Verify an image (from a plan) before evaluating it: every index and
 * text range in bounds, every link forward, every type and op known.
 * 0 when valid, else -1 and a reason in err. */
int tern_exp_check(const struct tern_exp *e, char *err, size_t errlen);

/* Turn a 0-based offset in `src` into a 1-based line and column (the
 * source may span continuation lines). */
void tern_exp_position(const char *src, size_t len, uint32_t offset,
                       unsigned *line, unsigned *col);

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */

enum tern_exp_status {
    TERN_EXP_OK = 0,
    TERN_EXP_FORCED = 1,        /* forced failure: `fail`, and the like */
    TERN_EXP_ERROR = 2,         /* expansion failed */
    TERN_EXP_DEFER = 3          /* a lookup deferred: try again later */
};

/* Header flavours, as $h_, $bh_, $rh_, $lh_ (and def:h_). */
enum tern_exp_header_kind {
    TERN_EXP_HDR_DECODED = 0,   /* $header_x:, $h_x: */
    TERN_EXP_HDR_BASIC = 1,     /* $bheader_x:, $bh_x: */
    TERN_EXP_HDR_RAW = 2,       /* $rheader_x:, $rh_x: */
    TERN_EXP_HDR_LIST = 3       /* $lheader_x:, $lh_x: */
};

/* List-match conditions the host answers. */
enum tern_exp_match_kind {
    TERN_EXP_MATCH_ADDRESS = 1,
    TERN_EXP_MATCH_DOMAIN = 2,
    TERN_EXP_MATCH_LOCAL_PART = 3,
    TERN_EXP_MATCH_IP = 4
};

/* Conditions without data. */
enum tern_exp_flag {
    TERN_EXP_FIRST_DELIVERY = 1,
    TERN_EXP_QUEUE_RUNNING = 2
};

/* One call of the lookup hook.  Partial matching, `*` and `*@` defaults
 * and ret=key are done by the evaluator, which calls the hook once per
 * key it tries. */
struct tern_exp_lookup_req {
    const char *type;           /* "lsearch" */
    const char *options;        /* text after the type's comma, "" if none */
    const char *file;           /* single-key: the file; query: NULL */
    const char *key;            /* single-key: the key; query: the query */
    size_t key_len;
};

/* Options of ${readsocket}, parsed from its third argument. */
struct tern_exp_sockopts {
    int timeout;                /* seconds; default 5 */
    int shutdown;               /* write-shutdown after the request */
    int tls;
    int cache;
};

/* The evaluator's view of its surroundings.  Every hook may be NULL: a
 * missing variable hook makes every variable empty, a missing lookup,
 * run, readsocket, list-match or item hook makes that construct an
 * error.  Hooks allocate their results from `a`.  Return values are the
 * TERN_OK / TERN_FAIL / TERN_DEFER / TERN_ERROR of tern/module.h. */
struct tern_exp_env {
    void *arg;

    /* Value of a variable (never $value, $item, $0..$9, headers).
     * TERN_OK with *val (may be empty), or TERN_FAIL when the variable
     * does not exist at run time (an error, as in Exim). */
    int (*variable)(void *arg, const char *name, size_t len,
                    const char **val, size_t *vlen);
    /* Header lines: TERN_OK with the value, TERN_FAIL when the message
     * has no such header (then $h_x: is empty and def:h_x is false). */
    int (*header)(void *arg, unsigned kind, const char *name, size_t len,
                  struct tern_arena *a, char **val, size_t *vlen);
    int (*lookup)(void *arg, const struct tern_exp_lookup_req *req,
                  struct tern_arena *a, char **result, size_t *rlen,
                  const char **err);
    /* Quote for a query-style lookup (${quote_mysql:..}); NULL hook or
     * TERN_FAIL: the string is returned unchanged. */
    int (*lookup_quote)(void *arg, const char *type, const char *opt,
                        const char *s, size_t len, struct tern_arena *a,
                        char **out, size_t *olen);
    /* ${run}: argv is NULL-terminated, never given to a shell.  TERN_OK
     * with *rc the exit status (127 when it could not be executed) and
     * the combined stdout/stderr in *out; TERN_ERROR with *err when the
     * command could not be started at all. */
    int (*run)(void *arg, const char *const *argv, struct tern_arena *a,
               char **out, size_t *olen, int *rc, const char **err);
    /* ${readsocket}: TERN_OK with the data, TERN_FAIL (with *err) when
     * connecting, writing or reading failed. */
    int (*readsocket)(void *arg, const char *where, const char *req,
                      size_t req_len, const struct tern_exp_sockopts *o,
                      struct tern_arena *a, char **out, size_t *olen,
                      const char **err);
    /* match_address, match_domain, match_local_part, match_ip:
     * TERN_OK (and *value = the list item that matched, may be NULL),
     * TERN_FAIL, TERN_DEFER, TERN_ERROR with *err. */
    int (*list_match)(void *arg, unsigned kind, const char *subject,
                      const char *list, struct tern_arena *a,
                      const char **value, const char **err);
    /* Module-provided item, operator or condition (kind
     * TERN_EXP_ITEM/OPERATOR/CONDITION); arguments already expanded.
     * Items/operators: TERN_OK with *result.  Conditions: TERN_OK true,
     * TERN_FAIL false.  TERN_DEFER makes the expansion fail forced, as
     * Exim does for a deferring ACL. */
    int (*item)(void *arg, unsigned kind, const char *name, int argc,
                const char *const *argv, struct tern_arena *a,
                char **result, const char **err);
    /* first_delivery, queue_running: 1 true, 0 false. */
    int (*flag)(void *arg, unsigned which);
    /* ${env{name}}: TERN_OK with the value from the environment the
     * host keeps (keep_environment, add_environment), TERN_FAIL when
     * unset.  NULL: nothing is set, as in Exim's default. */
    int (*getenv)(void *arg, const char *name, const char **val);
    /* Named lists for ${listnamed:..}: TERN_OK with the list text. */
    int (*named_list)(void *arg, char type, const char *name,
                      struct tern_arena *a, const char **list);
    /* Character set of ${rfc2047} and target of ${rfc2047d} (the
     * headers_charset option); NULL = "UTF-8". */
    const char *headers_charset;
    /* Schema used to parse strings at run time (${expand:..}). */
    const struct tern_exp_schema *schema;
    /* Largest result (and intermediate string) allowed; 0 = 64 MiB. */
    size_t max_len;
};

struct tern_exp_result {
    unsigned status;            /* enum tern_exp_status */
    char *str;                  /* TERN_EXP_OK: NUL-terminated, arena */
    size_t len;                 /* may contain NULs before str[len] */
    const char *err;            /* otherwise: message (arena or static) */
    uint32_t err_offset;        /* where in the source it went wrong */
    int runrc_set;              /* a ${run} ran: its exit status, which */
    int runrc;                  /* the host keeps as $runrc afterwards */
};

/* Evaluate; always fills *r and returns r->status. */
unsigned tern_exp_eval(const struct tern_exp *e,
                       const struct tern_exp_env *env,
                       struct tern_arena *a, struct tern_exp_result *r);

/* Parse and evaluate in one go (tern -be, ${expand:..}); parse errors
 * come back as TERN_EXP_ERROR. */
unsigned tern_exp_expand(const char *src, size_t len,
                         const struct tern_exp_env *env,
                         struct tern_arena *a, struct tern_exp_result *r);

/* ------------------------------------------------------------------ */
/* Default hooks a host may use                                        */

/* Run argv[0] with argv (no shell), stdin empty, stdout+stderr captured,
 * killed after `timeout` seconds (0 = 3600). */
int tern_exp_default_run(void *arg, const char *const *argv,
                         struct tern_arena *a, char **out, size_t *olen,
                         int *rc, const char **err);
/* Connect to a Unix socket path or inet:host:port, send, read to EOF. */
int tern_exp_default_readsocket(void *arg, const char *where,
                                const char *req, size_t req_len,
                                const struct tern_exp_sockopts *o,
                                struct tern_arena *a, char **out,
                                size_t *olen, const char **err);

#endif
