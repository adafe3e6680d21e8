/*
 * NAME
 *   expand_int.h - internals shared by the lib/expand_*.c files
 *
 * DESCRIPTION
 *   Node types and the meaning of their fields, the numbering of built-in
 *   items, operators and conditions (these numbers are stored in plans:
 *   append, never renumber), the length-carrying strings and the arena
 *   string builder the evaluator works with, and the evaluator state.
 *   Nothing here is part of the libtern API.
 */
#ifndef TERN_EXPAND_INT_H
#define TERN_EXPAND_INT_H

#include <stddef.h>
#include <stdint.h>
#include "expand.h"

struct tern_arena;
struct exp_name;
struct xs;

/* ---- node types ------------------------------------------------------
 *
 *  type     op             a            b           c          d
 *  SEQ      -              first child  count       -          -
 *  LIT      -              text offset  length      -          -
 *  VAR      VAR_*          name offset  length      -          -
 *  NUMVAR   -              number       -           -          -
 *  HEADER   header kind    name offset  length      -          -
 *  ITEM     IT_*           first arg    arg count   per item   per item
 *  OPER     OP_*           argument     -           param 1    param 2
 *  COND     CO_*           first arg    arg count   per cond   per cond
 *  MOD      kind           first arg    arg count   name off   name len
 */
enum {
    EN_NONE = 0,
    EN_SEQ = 1,
    EN_LIT = 2,
    EN_VAR = 3,
    EN_NUMVAR = 4,
    EN_HEADER = 5,
    EN_ITEM = 6,
    EN_OPER = 7,
    EN_COND = 8,
    EN_MOD = 9,
    EN_MAX = 9
};

/* node flags */
#define NF_FAIL     0x01u   /* ITEM: `fail` instead of the no-string */
#define NF_NEG      0x01u   /* COND, MOD condition: negated (odd number of !) */
#define NF_SINGLE   0x02u   /* ITEM lookup: single-key form */
#define NF_PREEXP   0x02u   /* ITEM run: preexpand option */
#define NF_JSON     0x02u   /* ITEM extract: json */
#define NF_JSONS    0x04u   /* ITEM extract: jsons */
#define NF_NUMERIC  0x08u   /* ITEM extract: numeric form known at parse */
#define NF_NAMED    0x10u   /* ITEM extract: known at parse time to be named */
#define NF_P1       0x02u   /* OPER: param 1 present */
#define NF_P2       0x04u   /* OPER: param 2 present */
#define NF_PTEXT    0x08u   /* OPER: c,d is a text range (quote_x ...) */

/* VAR op */
enum { VAR_EXTERNAL = 0, VAR_VALUE = 1, VAR_ITEM = 2, VAR_MAX = 2 };

/* Built-in items (ITEM op). */
enum {
    IT_IF = 1, IT_LOOKUP, IT_SG, IT_EXTRACT, IT_REDUCE, IT_MAP, IT_FILTER,
    IT_SORT, IT_LISTEXTRACT, IT_LISTQUOTE, IT_LENGTH, IT_SUBSTR, IT_HASH,
    IT_NHASH, IT_HMAC, IT_TR, IT_READFILE, IT_READSOCKET, IT_RUN, IT_ENV,
    IT_MAX = IT_ENV
};

/* Built-in operators (OPER op). */
enum {
    OP_ADDRESS = 1, OP_ADDRESSES, OP_BASE32, OP_BASE32D, OP_BASE62,
    OP_BASE62D, OP_BASE64, OP_BASE64D, OP_DOMAIN, OP_ESCAPE, OP_ESCAPE8BIT,
    OP_EVAL, OP_EVAL10, OP_EXPAND, OP_FROM_UTF8, OP_HASH, OP_HEADERWRAP,
    OP_HEX2B64, OP_HEXQUOTE, OP_IPV6DENORM, OP_IPV6NORM, OP_LC, OP_LENGTH,
    OP_LISTCOUNT, OP_LISTNAMED, OP_LOCAL_PART, OP_MASK, OP_MASK_N, OP_MD5,
    OP_NHASH, OP_QUOTE, OP_QUOTE_LOCAL_PART, OP_QUOTE_LOOKUP, OP_RANDINT,
    OP_REVERSE_IP, OP_RFC2047, OP_RFC2047D, OP_RXQUOTE, OP_SHA1, OP_SHA2,
    OP_SHA3, OP_STAT, OP_STRLEN, OP_SUBSTR, OP_TIME_EVAL, OP_TIME_INTERVAL,
    OP_UC, OP_UTF8CLEAN,
    OP_MAX = OP_UTF8CLEAN
};

/* Built-in conditions (COND op). */
enum {
    CO_NUM_EQ = 1, CO_NUM_LT, CO_NUM_LE, CO_NUM_GT, CO_NUM_GE,
    CO_EQ, CO_EQI, CO_LT, CO_LTI, CO_LE, CO_LEI, CO_GT, CO_GTI, CO_GE,
    CO_GEI, CO_MATCH, CO_MATCH_ADDRESS, CO_MATCH_DOMAIN, CO_MATCH_IP,
    CO_MATCH_LOCAL_PART, CO_DEF, CO_EXISTS, CO_ISIP, CO_ISIP4, CO_ISIP6,
    CO_BOOL, CO_BOOL_LAX, CO_AND, CO_OR, CO_FORALL, CO_FORANY, CO_INLIST,
    CO_INLISTI, CO_FIRST_DELIVERY, CO_QUEUE_RUNNING, CO_CRYPTEQ,
    CO_MAX = CO_CRYPTEQ
};

#define NF_VERBATIM 0x01u   /* LIT: text[k] is source[src + k] */

/* ---- parser state (expand_parse.c, expand_parse_item.c) ---- */

#define EXP_MAX_NEST 100        /* nesting of ${ and conditions */

struct ps {
    const char *s;              /* source */
    uint32_t n;                 /* end of what is being parsed */
    uint32_t i;                 /* cursor */
    struct tern_exp_node *nodes;    /* heap while parsing */
    uint32_t nn, ncap;
    char *text;                 /* heap while parsing */
    uint32_t tlen, tcap;
    const struct tern_exp_schema *schema;
    unsigned flags;
    struct tern_arena *a;
    const char *err;
    uint32_t err_off;
    unsigned depth;
    int dynamic;                /* something other than literal text seen */
};

/* String parsing modes. */
#define PS_TOP      0x0u        /* to the end; braces are literal */
#define PS_BRACE    0x1u        /* to an unescaped } (not consumed) */
#define PS_NODOLLAR 0x2u        /* $ is literal (match_ip & co.) */

int ps_error(struct ps *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint32_t ps_node(struct ps *p, unsigned type, uint32_t src);
int ps_text(struct ps *p, const char *s, size_t n, uint32_t *off);
/* Append child to parent's list (parent's a/b), tracking the last one. */
void ps_link(struct ps *p, uint32_t parent, uint32_t child, uint32_t *last);
void ps_skip_space(struct ps *p);
/* One escape after a backslash (p->i just past the \). */
char ps_escape(struct ps *p);
int ps_at(const struct ps *p, char c);
/* Read [A-Za-z0-9_]*; returns length (may be 0). */
uint32_t ps_name(struct ps *p);
int ps_string(struct ps *p, unsigned mode, uint32_t *seq);
/* Read `{string}` after optional blanks: 1 read, 0 no `{` here, -1 error. */
int ps_arg(struct ps *p, unsigned mode, uint32_t parent, uint32_t *last);
/* Optional blanks then the `}` closing an item. */
int ps_close(struct ps *p, const char *what);
int ps_cond(struct ps *p, uint32_t *out);
int ps_item(struct ps *p, const struct exp_name *it, uint32_t start,
            uint32_t *out);
int ps_oper(struct ps *p, uint32_t start, uint32_t ns, uint32_t nl,
            uint32_t *out);
/* Module item or condition (kind TERN_EXP_ITEM / _CONDITION). */
int ps_mod(struct ps *p, unsigned kind, const struct tern_exp_known *info,
           uint32_t start, uint32_t ns, uint32_t nl, uint32_t *out);
/* $h_name: & co. at nstart: 1 made, 0 not a header name, -1 error. */
int ps_header(struct ps *p, uint32_t start, uint32_t nstart, uint32_t *out);
int ps_known(struct ps *p, unsigned kind, const char *name, size_t len,
             struct tern_exp_known *info);
int ps_var_name(struct ps *p, uint32_t start, uint32_t nstart, uint32_t nlen,
                int is_def, uint32_t *out);
/* Check a regex argument at parse time if it is constant. */
int ps_regex(struct ps *p, uint32_t seq);
/* Is this argument plain text?  Then *s gets it (into p->a). */
int ps_const_arg(struct ps *p, uint32_t seq, struct xs *s);

/* ---- name tables (expand_tab.c) ---- */

struct exp_name {
    const char *name;
    unsigned id;
    unsigned char min, max;     /* argument counts (items, conditions) */
};

const struct exp_name *exp_find_item(const char *s, size_t n);
const struct exp_name *exp_find_op(const char *s, size_t n);
const struct exp_name *exp_find_cond(const char *s, size_t n);
const char *exp_item_name(unsigned id);
const char *exp_op_name(unsigned id);
const char *exp_cond_name(unsigned id);

/* ---- strings with lengths ---- */

struct xs {
    const char *p;
    size_t len;
};

/* Arena-backed growable string; `max` bounds it (overflow is sticky). */
struct xb {
    struct tern_arena *a;
    char *p;
    size_t len, cap, max;
    int overflow;
    size_t *budget;             /* bytes the whole evaluation may still
                                 * allocate; NULL = no budget */
};

void xb_init(struct xb *b, struct tern_arena *a, size_t max);
void xb_add(struct xb *b, const char *p, size_t n);
void xb_addc(struct xb *b, char c);
void xb_adds(struct xb *b, const char *s);
void xb_addf(struct xb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct xs xb_str(struct xb *b);     /* NUL-terminated */

/* ---- Exim lists (expand_list.c) ---- */

struct xlist {
    const char *p, *end;
    int sep;
};

void xlist_start(struct xlist *l, struct xs s, int default_sep);
/* Next item (un-doubled, trimmed) into *item; 0 at the end. */
int xlist_next(struct xlist *l, struct tern_arena *a, struct xs *item);
/* Append an element to a list being built with separator sep, as Exim
 * does for map/filter/addresses: separators doubled, an empty element
 * after the first written as one space. */
void xlist_append(struct xb *b, int sep, struct xs ele, int first);

/* ---- evaluator state (expand_eval.c) ---- */

#define EXP_MAX_NUMVARS 20
#define EXP_MAX_DEPTH 200

struct ev {
    const struct tern_exp *e;
    const struct tern_exp_env *env;
    struct tern_arena *a;
    size_t max;
    struct xs value;
    struct xs item;
    struct xs nums[EXP_MAX_NUMVARS];
    unsigned n_nums;
    int runrc_set, runrc;       /* $runrc after a ${run} */
    size_t budget;              /* bytes left for string building */
    unsigned long steps;        /* evaluation steps left */
    unsigned status;            /* enum tern_exp_status when failing */
    const char *err;
    uint32_t err_off;
    unsigned depth;
};

/* A builder bounded by v->max and charged to the evaluation's budget. */
void ev_xb(struct ev *v, struct xb *b);
/* One unit of work; -1 (failed) when the evaluation has done too much. */
int ev_step(struct ev *v, uint32_t node);
const struct tern_exp_node *ev_node(const struct ev *v, uint32_t i);
struct xs ev_text(const struct ev *v, uint32_t off, uint32_t len);
/* Record a failure (first one wins); always returns -1. */
int ev_fail(struct ev *v, unsigned status, uint32_t node, const char *fmt,
            ...) __attribute__((format(printf, 4, 5)));
/* Evaluate node (any string-valued type) appending to out. */
int ev_string(struct ev *v, uint32_t node, struct xb *out);
/* Evaluate node into a fresh string. */
int ev_str(struct ev *v, uint32_t node, struct xs *res);
/* n-th child (0-based) of a node with a child list, 0 if absent. */
uint32_t ev_child(const struct ev *v, uint32_t node, unsigned n);
/* Evaluate a condition node: 1 true, 0 false, -1 failed. */
int ev_cond(struct ev *v, uint32_t node);

/* Evaluate another tree with this state (${expand}, ${sg} replacement). */
int ev_nested(struct ev *v, const struct tern_exp *e, uint32_t at,
              struct xb *out);
/* Parse at run time with env->schema; errors reported at node `at`. */
int ev_parse(struct ev *v, uint32_t at, struct xs s, struct tern_exp **e);

/* Items by file: expand_items.c, expand_lists.c, expand_extract.c,
 * expand_lookup.c, expand_io.c; operators: expand_ops.c. */
int ev_item(struct ev *v, uint32_t node, struct xb *out);
int ev_item_lists(struct ev *v, uint32_t node, struct xb *out);
int ev_item_extract(struct ev *v, uint32_t node, struct xb *out);
int ev_item_lookup(struct ev *v, uint32_t node, struct xb *out);
int ev_item_io(struct ev *v, uint32_t node, struct xb *out);
int ev_oper(struct ev *v, uint32_t node, struct xb *out);
int ev_mod(struct ev *v, uint32_t node, struct xb *out, int *truth);

/* yes/no tail shared by if, lookup, extract, listextract, run, env:
 * evaluate child `yes` (or the default) on success, child `no` (or
 * fail) otherwise.  `defval` is what an absent yes-string yields. */
int ev_yesno(struct ev *v, uint32_t node, int ok, unsigned yes_index,
             struct xs defval, struct xb *out);

/* ---- helpers shared by the item and operator files ---- */

/* Exim's integer argument: blanks, sign, digits, K/M/G; 0 or -1 + *why. */
int exp_int(struct xs s, long long *out, const char **why);
/* Plain decimal with optional sign and surrounding blanks. */
int exp_dec(struct xs s, long long *out);
int exp_eval_arith(struct xs s, int decimal_only, long long *out,
                   const char **why, size_t *where);
int exp_time_eval(struct xs s, long long *out);
void exp_time_interval(struct xb *b, long long secs);
/* Regex helpers (expand_regex.c). */
int exp_regex_check(const char *re, size_t len, const char **why,
                    size_t *where, struct tern_arena *a);
int exp_match(struct ev *v, uint32_t node, struct xs subject, struct xs re,
              int set_nums);
int exp_sg(struct ev *v, uint32_t node, struct xs subj, struct xs re,
           struct xs repl, struct xb *out);

/* IP helpers (expand_ip.c). */
int exp_is_ip(struct xs s, int *maskbits);   /* 0 no, 4, 6 */
int exp_ip_parse(struct xs s, unsigned char bin[16], int *family);
int exp_op_ip(struct ev *v, uint32_t node, unsigned op, struct xs s,
              struct xb *out);
/* Address helpers (expand_addr.c). */
int exp_op_addr(struct ev *v, uint32_t node, unsigned op, struct xs s,
                struct xb *out);
/* Encodings (expand_codec.c). */
int exp_op_codec(struct ev *v, uint32_t node, unsigned op, struct xs s,
                 struct xb *out);
/* Digests (expand_digest.c). */
int exp_op_digest(struct ev *v, uint32_t node, unsigned op, unsigned bits,
                  struct xs s, struct xb *out);
int exp_crypteq(struct ev *v, uint32_t node, struct xs clear,
                struct xs crypted);
int exp_hmac(struct ev *v, uint32_t node, struct xs algo, struct xs key,
             struct xs data, struct xb *out);
/* Shared by the item and operator forms (expand_items.c). */
void exp_substr(struct xs s, long long start, long long len, int has_len,
                struct xb *out);
int exp_hash(struct ev *v, uint32_t node, struct xs s, long long n,
             long long m, struct xb *out);
int exp_nhash(struct ev *v, uint32_t node, struct xs s, long long n,
              long long m, int has_m, struct xb *out);
/* A comparison condition on two strings, for sort (expand_cond.c):
 * 1 true, 0 false or not comparable. */
int exp_compare(unsigned op, struct xs a, struct xs b);

/* Lookup type specification: "partial2-lsearch*@,ret=key". */
struct exp_lookup_spec {
    struct xs name;
    struct xs options;          /* after the comma, may be empty */
    int partial;                /* -1 none, else minimum components */
    struct xs prefix;           /* partial prefix, default "*." */
    int star;                   /* 1: "*", 2: "*@" */
    int ret_key;
};
int exp_lookup_spec(struct xs s, struct exp_lookup_spec *spec,
                    const char **why);

/* Character classes as Exim uses them (C locale, bytes). */
static inline int x_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}
static inline int x_digit(int c) { return c >= '0' && c <= '9'; }
static inline int x_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int x_alnum(int c) { return x_alpha(c) || x_digit(c); }
static inline int x_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
static inline int x_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 32 : c;
}
static inline struct xs xs_make(const char *p, size_t n)
{
    struct xs s = { p, n };
    return s;
}
struct xs xs_trim(struct xs s);
int xs_eq(struct xs s, const char *lit);
int xs_eqi(struct xs s, const char *lit);
char *xs_dup(struct tern_arena *a, struct xs s);

#endif
