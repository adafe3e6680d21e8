/*
 * NAME
 *   confc_int.h - what the parts of the configuration compiler share
 *
 * DESCRIPTION
 *   compile.c runs the preprocessor and hands each logical line to the
 *   parser of the section it is in (parse_main.c, parse_driver.c,
 *   parse_acl.c, parse_retry.c, parse_rewrite.c).  Every parser fills
 *   the model (cfgmodel.h) through the context below, resolves options
 *   with resolve.c and records names that point elsewhere in the file
 *   with xref.c, which checks them once everything has been read.
 *
 *   Diagnostics are not added to the caller's list at once: they are
 *   kept with the index of the logical line they belong to and sorted
 *   before they are handed over, so a check that runs late (a driver
 *   instance is resolved when it ends, cross-references at the very
 *   end) still reports in file order.
 */
#ifndef TERN_CONFC_INT_H
#define TERN_CONFC_INT_H

#include <stddef.h>

#include "cfgmodel.h"
#include "compile.h"
#include "diag.h"
#include "expand.h"
#include "preproc.h"
#include "schema.h"

struct tern_arena;
struct cc_known;

enum cc_section {
    CC_SEC_MAIN = 0, CC_SEC_ACL, CC_SEC_ROUTERS, CC_SEC_TRANSPORTS,
    CC_SEC_RETRY, CC_SEC_REWRITE, CC_SEC_AUTHS, CC_SEC_SKIP,
    CC_SEC_COUNT
};

/* Driver kinds as stored in plans (tern_cfg_driver.kind). */
enum cc_driver_kind { CC_ROUTER = 1, CC_TRANSPORT = 2, CC_AUTH = 3 };

/* One `[hide] name [= value]` as read from a line; resolved at once in
 * the main section, when the instance ends in driver sections. */
struct cc_setting {
    const struct cc_line *line;
    size_t name_off, name_len;
    int has_value;
    size_t value_off, value_len;    /* trimmed */
    int hide;
};

/* A diagnostic waiting to be sorted into file order. */
struct cc_pdiag {
    size_t key;                     /* logical line index */
    size_t seq;
    enum tern_severity sev;
    struct tern_srcpos pos;
    char *hint;
    char *msg;
};

enum cc_xref_kind {
    CC_XREF_TRANSPORT, CC_XREF_ROUTER, CC_XREF_ACL,
    CC_XREF_LIST                    /* `sub` is an enum tern_list_kind */
};

/* A name that must be defined elsewhere in the configuration. */
struct cc_xref {
    enum cc_xref_kind kind;
    unsigned sub;
    const char *name;
    const char *user;               /* "router 'x'", for the message */
    const struct cc_line *line;
    size_t off, len;
};

/* The driver instance being read. */
struct cc_instance {
    int open;
    int bad_header;                 /* text after `name:` (reported) */
    unsigned kind;
    const char *name;
    const struct cc_line *line;
    size_t name_off, name_len;
    struct cc_setting *settings;
    size_t n, cap;
};

struct cc_ctx {
    struct tern_arena *a;
    const struct tern_schema_set *set;
    const struct cc_lines *lines;
    struct tern_config *cfg;
    struct tern_diags *d;

    struct cc_pdiag *pd;
    size_t n_pd, cap_pd;

    int section;
    const struct cc_line *section_seen[CC_SEC_COUNT];

    /* capacities of the growing arrays of cfg */
    size_t cap_main, cap_lists, cap_acls, cap_routers, cap_transports,
           cap_auths, cap_retries, cap_rewrites;

    struct cc_instance inst;
    size_t cap_stmts, cap_items;    /* of the current ACL / statement */
    int have_stmt;

    const struct tern_schema **used;    /* modules the configuration uses */
    size_t n_used, cap_used;

    struct cc_xref *xrefs;
    size_t n_xrefs, cap_xrefs;

    /* expand_check.c: what the schemas provide to expansions */
    struct cc_known *known;
    struct tern_exp_schema exp_schema;
};

/* ---- compile.c: shared helpers ---- */

/* Grow an arena array so that one more element fits. */
void cc_grow(struct cc_ctx *c, void **arr, size_t n, size_t *cap,
             size_t size);
#define CC_PUSH(c, arr, n, cap) \
    (cc_grow((c), (void **)&(arr), (n), &(cap), sizeof *(arr)), \
     &(arr)[(n)++])

/* Report about `len` characters at byte `off` of logical line `l`. */
void cc_diag(struct cc_ctx *c, enum tern_severity sev,
             const struct cc_line *l, size_t off, size_t len,
             const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
#define cc_error(c, l, off, len, hint, ...) \
    cc_diag((c), TERN_ERROR_SEV, (l), (off), (len), (hint), __VA_ARGS__)
/* Hand the held-back diagnostics to c->d, sorted into file order. */
void cc_flush_diags(struct cc_ctx *c);

struct tern_cfg_loc cc_loc(struct cc_ctx *c, const struct cc_line *l,
                           size_t off);
/* "file:line" of a position, for "first defined at" notes. */
const char *cc_where(struct cc_ctx *c, const struct tern_cfg_loc *loc);

/* Record that the configuration uses something schema `s` provides. */
void cc_use_module(struct cc_ctx *c, const struct tern_schema *s);

/* Lexing helpers on a logical line. */
size_t cc_skip_blanks(const char *t, size_t off);
size_t cc_word_len(const char *t, size_t off);   /* [A-Za-z0-9_] */
char *cc_strn(struct cc_ctx *c, const struct cc_line *l, size_t off,
              size_t len);
/* The value after '=' (off points just after it): trimmed. */
void cc_trim(const struct cc_line *l, size_t *off, size_t *len);
/* The closest of `names` to `name`, for hints; NULL when none is close. */
const char *cc_closest(const char *name, const char *const *names,
                       size_t n);
char *cc_did_you_mean(struct cc_ctx *c, const char *s);

/* Exim's quoted strings: "..." with \n \t \\ \" \ddd \xhh.  Returns the
 * unquoted text, or NULL after reporting a missing closing quote or
 * characters after it. `what` names the value for messages. */
/* The same on a plain string starting with '"': NULL when the closing
 * quote is missing; *consumed counts both quotes. */
char *cc_unquote(struct cc_ctx *c, const char *s, size_t len,
                 size_t *consumed);
char *cc_dequote(struct cc_ctx *c, const struct cc_line *l, size_t off,
                 size_t len, const char *what, size_t *consumed);

/* ---- resolve.c ---- */

/* Resolve and store one setting among `scopes` (most specific first,
 * NULL-terminated).  `who` names the owner for messages ("router 'x'"),
 * NULL in the main section; `quiet_unknown` skips unknown-option errors
 * (the driver itself is unknown, so its options cannot be checked). */
void cc_apply_setting(struct cc_ctx *c, const char *const *scopes,
                      const struct cc_setting *s, const char *who,
                      int quiet_unknown, struct tern_cfg_option **arr,
                      size_t *n, size_t *cap);

/* Read `[hide] name [= value]` starting at `off`; 0, or -1 after an
 * error was reported. */
int cc_read_setting(struct cc_ctx *c, const struct cc_line *l, size_t off,
                    struct cc_setting *out);

/* ---- the section parsers ---- */
void cc_main_line(struct cc_ctx *c, const struct cc_line *l, size_t off);
void cc_driver_line(struct cc_ctx *c, unsigned kind,
                    const struct cc_line *l, size_t off);
void cc_driver_end(struct cc_ctx *c);
void cc_acl_line(struct cc_ctx *c, const struct cc_line *l, size_t off);
void cc_acl_end(struct cc_ctx *c);
void cc_retry_line(struct cc_ctx *c, const struct cc_line *l, size_t off);
void cc_rewrite_line(struct cc_ctx *c, const struct cc_line *l,
                     size_t off);
/* Check one rewrite rule list (headers_rewrite); `text` is the value
 * whose first byte is at `off` of `l` (unquoted values only). */
void cc_check_rewrite_list(struct cc_ctx *c, const struct cc_line *l,
                           size_t off, const char *text);

/* Driver kind names: "router", "transport", "authenticator"; scope
 * prefixes "router", "transport", "auth". */
const char *cc_kind_noun(unsigned kind);
const char *cc_kind_scope(unsigned kind);

/* ---- expand_check.c ---- */

/* Build the expansion parser's schema callback from c->set. */
void cc_exp_init(struct cc_ctx *c);
/* Does `text` need parsing (has `$` or `\`)?  Other text expands to
 * itself, and its expression is NULL. */
int cc_exp_needed(const char *text);
/* Parse `text` without reporting: the expression, or NULL (with
 * err->msg set when it was an error, err may be NULL). */
const struct tern_exp *cc_exp_parse(struct cc_ctx *c, const char *text,
                                    struct tern_exp_error *err);
/* Parse `text`, the value written at [off, off + len) of `l` (`quoted`:
 * written "..." and unquoted into `text`), reporting an error at the
 * character at fault as "invalid expansion in WHAT: ...".  0 with *out
 * (NULL for text that needs no parsing), or -1 after reporting. */
int cc_exp_value(struct cc_ctx *c, const struct cc_line *l, size_t off,
                 size_t len, int quoted, const char *text, const char *what,
                 const struct tern_exp **out);
/* Check the values of the router option `set` (name = value; ...). */
void cc_exp_router_set(struct cc_ctx *c, const struct cc_line *l,
                       size_t off, size_t len, int quoted, const char *text,
                       const char *who);

/* ---- xref.c ---- */
void cc_xref_add(struct cc_ctx *c, enum cc_xref_kind kind, unsigned sub,
                 const char *name, const char *user,
                 const struct cc_line *l, size_t off, size_t len);
/* Record the references an option value makes (by its type and name). */
void cc_xref_option(struct cc_ctx *c, const struct tern_cfg_option *o,
                    const char *who, const struct cc_line *l, size_t off,
                    size_t len);
/* Record `+name` references of a list of kind `list_kind`. */
void cc_xref_list_refs(struct cc_ctx *c, unsigned list_kind,
                       const char *value, const char *user,
                       const struct cc_line *l, size_t off, size_t len);
void cc_xref_check(struct cc_ctx *c);

#endif
