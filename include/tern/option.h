/*
 * NAME
 *   tern/option.h - option types shared by schemas, confc, the plan and modules
 *
 * DESCRIPTION
 *   Every configuration option Tern knows is declared once, in a schema file
 *   (schemas/NAME.schema).  At build time tern-schemagen turns each schema
 *   into a C table of struct tern_option_def plus a struct holding the
 *   option values, so a module never parses an option by hand: the host
 *   fills the struct from the plan with the generic setters in libtern.
 *
 *   Value representation inside a module's option struct, by type:
 *     TERN_T_BOOL                          int (0 or 1)
 *     TERN_T_INT, TERN_T_MKINT, TERN_T_OCTINT, TERN_T_KINT  long long
 *     TERN_T_TIME                          int, seconds
 *     TERN_T_FIXED                         int, value * 1000
 *     TERN_T_UID, TERN_T_GID               long (-1 when unset)
 *     everything else                      struct tern_text (text as written
 *                                          after list/escape processing; NULL
 *                                          when unset)
 */
#ifndef TERN_OPTION_H
#define TERN_OPTION_H

#include <stddef.h>
#include <stdint.h>

/* Option types: the numeric values are stored in plans, never renumber. */
enum tern_opt_type {
    TERN_T_BOOL = 1,
    TERN_T_INT = 2,          /* integer, K/M/G suffixes, 0x hex, 0 octal */
    TERN_T_MKINT = 3,        /* size: integer with K/M/G, printed with suffix */
    TERN_T_OCTINT = 4,       /* file mode, octal */
    TERN_T_TIME = 5,         /* 1h30m, 2d, 45s, plain number = seconds */
    TERN_T_TIMELIST = 6,     /* colon-separated list of times */
    TERN_T_FIXED = 7,        /* fixed-point, three decimals */
    TERN_T_STRING = 8,       /* plain string */
    TERN_T_UID = 9,          /* user name or number */
    TERN_T_GID = 10,         /* group name or number */
    TERN_T_UIDLIST = 11,
    TERN_T_GIDLIST = 12,
    TERN_T_HOSTLIST = 13,    /* Exim host list (string until matched) */
    TERN_T_DOMAINLIST = 14,
    TERN_T_LOCALPARTLIST = 15,
    TERN_T_ADDRESSLIST = 16,
    TERN_T_LIST = 17,        /* any other colon-separated string list */
    TERN_T_REWRITE = 18,     /* headers_rewrite style rules */
    TERN_T_RULESET = 19,     /* ACL name or inline ACL text */
    TERN_T_KINT = 20,        /* size counted in K: plain numbers are K */
    TERN_T_MAX = 20
};

/* Option flags (bit set), stored in plans. */
enum tern_opt_flag {
    TERN_F_EXPAND = 1u << 0,     /* string is expanded at run time */
    TERN_F_DEPRECATED = 1u << 1, /* accepted, warned about */
    TERN_F_SECRET = 1u << 2,     /* -bP prints it only to admin users */
    TERN_F_INERT = 1u << 3,      /* accepted for compatibility, ignored */
    TERN_F_MULTI = 1u << 4       /* may be given more than once; values join */
};

/* An option value of a string-like type. */
struct tern_text {
    const char *text;     /* NULL when unset */
    const void *expr;     /* parsed expansion (filled once expansions exist) */
};

/* One row of a generated option table; a NULL name ends the table. */
struct tern_option_def {
    const char *name;
    unsigned type;        /* enum tern_opt_type */
    unsigned flags;       /* enum tern_opt_flag */
    const char *dflt;     /* default as written in the schema; NULL = unset */
    size_t offset;        /* where the value lives in the option struct */
    const char *doc;      /* one-line usage, shown on misuse */
};

#endif
