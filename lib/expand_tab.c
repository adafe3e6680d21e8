/*
 * NAME
 *   expand_tab.c - names of the built-in expansion items, operators and
 *   conditions
 *
 * SYNOPSIS
 *   const struct exp_name *n = exp_find_op("uc", 2);
 *
 * DESCRIPTION
 *   Three sorted tables map the names Exim uses to the numbers stored in
 *   parsed expansions (lib/expand_int.h).  Aliases (`h` for `hash`,
 *   `str2b64` for `base64`, `==` for `=`) map to the same number.  Items
 *   and conditions also carry their argument counts for the generic
 *   argument reader; items whose syntax is special (if, lookup, extract,
 *   run, ...) are parsed by hand and their counts are only a guide.
 *
 * DIAGNOSTICS
 *   None; a NULL return means "not built in" and the parser asks the
 *   schema next.
 */
#include "config.h"

#include <string.h>

#include "expand_int.h"

/* Sorted by strcmp order (checked by the unit tests). */
static const struct exp_name items[] = {
    { "env", IT_ENV, 1, 3 },
    { "extract", IT_EXTRACT, 2, 5 },
    { "filter", IT_FILTER, 2, 2 },
    { "hash", IT_HASH, 2, 3 },
    { "hmac", IT_HMAC, 3, 3 },
    { "if", IT_IF, 1, 3 },
    { "length", IT_LENGTH, 2, 2 },
    { "listextract", IT_LISTEXTRACT, 2, 4 },
    { "listquote", IT_LISTQUOTE, 2, 2 },
    { "lookup", IT_LOOKUP, 1, 4 },
    { "map", IT_MAP, 2, 2 },
    { "nhash", IT_NHASH, 2, 3 },
    { "readfile", IT_READFILE, 1, 2 },
    { "readsocket", IT_READSOCKET, 2, 5 },
    { "reduce", IT_REDUCE, 3, 3 },
    { "run", IT_RUN, 1, 3 },
    { "sg", IT_SG, 3, 3 },
    { "sort", IT_SORT, 3, 3 },
    { "substr", IT_SUBSTR, 2, 3 },
    { "tr", IT_TR, 3, 3 },
};

/* Operators without a parameter, plus the parametric ones under their
 * bare names (`sha2`, `sha3`, `quote` ...). */
static const struct exp_name ops[] = {
    { "address", OP_ADDRESS, 0, 0 },
    { "addresses", OP_ADDRESSES, 0, 0 },
    { "base32", OP_BASE32, 0, 0 },
    { "base32d", OP_BASE32D, 0, 0 },
    { "base62", OP_BASE62, 0, 0 },
    { "base62d", OP_BASE62D, 0, 0 },
    { "base64", OP_BASE64, 0, 0 },
    { "base64d", OP_BASE64D, 0, 0 },
    { "domain", OP_DOMAIN, 0, 0 },
    { "escape", OP_ESCAPE, 0, 0 },
    { "escape8bit", OP_ESCAPE8BIT, 0, 0 },
    { "eval", OP_EVAL, 0, 0 },
    { "eval10", OP_EVAL10, 0, 0 },
    { "expand", OP_EXPAND, 0, 0 },
    { "from_utf8", OP_FROM_UTF8, 0, 0 },
    { "headerwrap", OP_HEADERWRAP, 0, 0 },
    { "hex2b64", OP_HEX2B64, 0, 0 },
    { "hexquote", OP_HEXQUOTE, 0, 0 },
    { "ipv6denorm", OP_IPV6DENORM, 0, 0 },
    { "ipv6norm", OP_IPV6NORM, 0, 0 },
    { "lc", OP_LC, 0, 0 },
    { "listcount", OP_LISTCOUNT, 0, 0 },
    { "listnamed", OP_LISTNAMED, 0, 0 },
    { "local_part", OP_LOCAL_PART, 0, 0 },
    { "mask", OP_MASK, 0, 0 },
    { "mask_n", OP_MASK_N, 0, 0 },
    { "md5", OP_MD5, 0, 0 },
    { "quote", OP_QUOTE, 0, 0 },
    { "quote_local_part", OP_QUOTE_LOCAL_PART, 0, 0 },
    { "randint", OP_RANDINT, 0, 0 },
    { "reverse_ip", OP_REVERSE_IP, 0, 0 },
    { "rfc2047", OP_RFC2047, 0, 0 },
    { "rfc2047d", OP_RFC2047D, 0, 0 },
    { "rxquote", OP_RXQUOTE, 0, 0 },
    { "sha1", OP_SHA1, 0, 0 },
    { "sha2", OP_SHA2, 0, 0 },
    { "sha256", OP_SHA2, 0, 0 },
    { "sha3", OP_SHA3, 0, 0 },
    { "stat", OP_STAT, 0, 0 },
    { "str2b64", OP_BASE64, 0, 0 },
    { "strlen", OP_STRLEN, 0, 0 },
    { "time_eval", OP_TIME_EVAL, 0, 0 },
    { "time_interval", OP_TIME_INTERVAL, 0, 0 },
    { "uc", OP_UC, 0, 0 },
    { "utf8clean", OP_UTF8CLEAN, 0, 0 },
};

static const struct exp_name conds[] = {
    { "<", CO_NUM_LT, 2, 2 },
    { "<=", CO_NUM_LE, 2, 2 },
    { "=", CO_NUM_EQ, 2, 2 },
    { "==", CO_NUM_EQ, 2, 2 },
    { ">", CO_NUM_GT, 2, 2 },
    { ">=", CO_NUM_GE, 2, 2 },
    { "and", CO_AND, 0, 0 },
    { "bool", CO_BOOL, 1, 1 },
    { "bool_lax", CO_BOOL_LAX, 1, 1 },
    { "crypteq", CO_CRYPTEQ, 2, 2 },
    { "def", CO_DEF, 0, 0 },
    { "eq", CO_EQ, 2, 2 },
    { "eqi", CO_EQI, 2, 2 },
    { "exists", CO_EXISTS, 1, 1 },
    { "first_delivery", CO_FIRST_DELIVERY, 0, 0 },
    { "forall", CO_FORALL, 0, 0 },
    { "forany", CO_FORANY, 0, 0 },
    { "ge", CO_GE, 2, 2 },
    { "gei", CO_GEI, 2, 2 },
    { "gt", CO_GT, 2, 2 },
    { "gti", CO_GTI, 2, 2 },
    { "inlist", CO_INLIST, 2, 2 },
    { "inlisti", CO_INLISTI, 2, 2 },
    { "isip", CO_ISIP, 1, 1 },
    { "isip4", CO_ISIP4, 1, 1 },
    { "isip6", CO_ISIP6, 1, 1 },
    { "le", CO_LE, 2, 2 },
    { "lei", CO_LEI, 2, 2 },
    { "lt", CO_LT, 2, 2 },
    { "lti", CO_LTI, 2, 2 },
    { "match", CO_MATCH, 2, 2 },
    { "match_address", CO_MATCH_ADDRESS, 2, 2 },
    { "match_domain", CO_MATCH_DOMAIN, 2, 2 },
    { "match_ip", CO_MATCH_IP, 2, 2 },
    { "match_local_part", CO_MATCH_LOCAL_PART, 2, 2 },
    { "or", CO_OR, 0, 0 },
    { "queue_running", CO_QUEUE_RUNNING, 0, 0 },
};

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

/* Binary search of a sorted table for a name that is not NUL-terminated. */
static const struct exp_name *find(const struct exp_name *t, size_t n,
                                   const char *s, size_t len)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(t[mid].name, s, len);
        if (c == 0 && t[mid].name[len] != '\0')
            c = 1;              /* table name is longer: sorts after */
        if (c == 0)
            return &t[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct exp_name *exp_find_item(const char *s, size_t n)
{
    return find(items, N_OF(items), s, n);
}

const struct exp_name *exp_find_op(const char *s, size_t n)
{
    return find(ops, N_OF(ops), s, n);
}

const struct exp_name *exp_find_cond(const char *s, size_t n)
{
    return find(conds, N_OF(conds), s, n);
}

static const char *name_of(const struct exp_name *t, size_t n, unsigned id)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].id == id)
            return t[i].name;
    return "?";
}

const char *exp_item_name(unsigned id)
{
    return name_of(items, N_OF(items), id);
}

const char *exp_op_name(unsigned id)
{
    return name_of(ops, N_OF(ops), id);
}

const char *exp_cond_name(unsigned id)
{
    return name_of(conds, N_OF(conds), id);
}

/* For the unit tests: are the tables sorted? 1 when all three are. */
int tern_exp_tables_sorted(void);
int tern_exp_tables_sorted(void)
{
    const struct exp_name *t[] = { items, ops, conds };
    size_t n[] = { N_OF(items), N_OF(ops), N_OF(conds) };

    for (size_t k = 0; k < 3; k++)
        for (size_t i = 1; i < n[k]; i++)
            if (strcmp(t[k][i - 1].name, t[k][i].name) >= 0)
                return 0;
    return 1;
}
