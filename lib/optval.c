/*
 * NAME
 *   optval.c - parsing and printing option values of every schema type
 *
 * DESCRIPTION
 *   The generic setters.  Numbers follow Exim's readconf rules: decimal,
 *   0x hexadecimal or leading-0 octal, an optional K, M or G multiplier
 *   (powers of 1024), and the result must fit Exim's 32-bit int, so a
 *   configuration that Exim would refuse is refused here too, with the
 *   column of the offending character.  Times are sequences of number and
 *   unit (w d h m s); a bare number counts as seconds.  Fixed-point
 *   values keep three decimals.
 *
 * DIAGNOSTICS
 *   Every parser returns -1 with a message such as "integer value is too
 *   large (maximum 2147483647)" and the 0-based column it refers to.
 */
#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "list.h"
#include "optval.h"
#include "tern/option.h"

#define FAIL(msg, at) \
    do { *err = (msg); *err_col = (unsigned)(at); return -1; } while (0)

static const char *
skip_blanks(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Digits in `base` into *out, refusing overflow past `limit`. */
static int
read_digits(const char **sp, int base, unsigned long long limit,
            unsigned long long *out)
{
    const char *s = *sp;
    unsigned long long v = 0;
    int any = 0;

    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && isxdigit((unsigned char)*s))
            d = tolower((unsigned char)*s) - 'a' + 10;
        else
            break;
        if (d >= base)
            break;
        if (v > (limit - (unsigned)d) / (unsigned)base)
            return -2;
        v = v * (unsigned)base + (unsigned)d;
        any = 1;
    }
    *sp = s;
    *out = v;
    return any ? 0 : -1;
}

static int
parse_integer(const char *text, int allow_negative, int allow_suffix,
              int force_octal, long long *out, const char **err,
              unsigned *err_col)
{
    const char *s = skip_blanks(text);
    unsigned long long limit = INT_MAX, v;
    int neg = 0, base = 10;

    if (*s == '\0')
        FAIL("missing integer value", s - text);
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        if (neg && !allow_negative)
            FAIL("negative value not allowed", s - text);
        s++;
        if (neg)
            limit = (unsigned long long)INT_MAX + 1;
    }
    if (force_octal)
        base = 8;
    else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
        base = 8;
    const char *digits = s;
    int rc = read_digits(&s, base, limit, &v);
    if (rc == -1)
        FAIL("integer value expected", digits - text);
    if (rc == -2)
        FAIL(neg ? "integer value is too small (minimum -2147483648)"
                 : "integer value is too large (maximum 2147483647)",
             digits - text);
    if (allow_suffix && *s != '\0' && strchr("kKmMgG", *s) != NULL) {
        unsigned shift = 10;
        if (*s == 'm' || *s == 'M')
            shift = 20;
        else if (*s == 'g' || *s == 'G')
            shift = 30;
        if (v > (limit >> shift))
            FAIL("integer value is too large (maximum 2147483647)",
                 digits - text);
        v <<= shift;
        s++;
    }
    const char *end = skip_blanks(s);
    if (*end != '\0')
        FAIL(*s >= '0' && *s <= '9' && base == 8
                 ? "invalid digit in octal number"
                 : "extra characters after integer value", s - text);
    *out = neg ? -(long long)v : (long long)v;
    return 0;
}

/* Exim's "Kint": a size counted in kilobytes, so a plain number is K and
 * K, M, G scale by 1, 1024 and 1024^2; the range is Exim's int of K. */
static int
parse_kint(const char *text, long long *out, const char **err,
           unsigned *err_col)
{
    const char *s = skip_blanks(text);
    size_t n = strlen(s);
    char buf[64];

    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n > 0 && n < sizeof buf && strchr("kKmMgG", s[n - 1]) != NULL) {
        /* One step down: "10M" is 10 * 1024 K. */
        unsigned shift = strchr("kK", s[n - 1]) ? 0
                         : strchr("mM", s[n - 1]) ? 10 : 20;
        memcpy(buf, s, n - 1);
        buf[n - 1] = '\0';
        if (parse_integer(buf, 0, 0, 0, out, err, err_col) != 0) {
            *err_col += (unsigned)(s - text);
            return -1;
        }
        if (*out > (long long)INT_MAX >> shift)
            FAIL("size is too large (maximum 2147483647K)", s - text);
        *out <<= shift;
        return 0;
    }
    return parse_integer(text, 0, 0, 0, out, err, err_col);
}

int
tern_parse_int(const char *s, long long *out, const char **err,
               unsigned *err_col)
{
    return parse_integer(s, 1, 1, 0, out, err, err_col);
}

int
tern_parse_time(const char *text, long long *out, const char **err,
                unsigned *err_col)
{
    const char *s = skip_blanks(text);
    unsigned long long total = 0;

    if (*s == '\0')
        FAIL("missing time value", s - text);
    if (*s == '-')
        FAIL("negative time value not allowed", s - text);
    while (*s != '\0' && !isspace((unsigned char)*s)) {
        unsigned long long v, mult;
        const char *at = s;
        if (read_digits(&s, 10, INT_MAX, &v) != 0)
            FAIL(*s >= '0' && *s <= '9' ? "time value is too large"
                                        : "time value expected "
                                          "(e.g. 1h30m, 2d, 45s)",
                 at - text);
        switch (*s) {
        case 'w': mult = 7 * 86400; s++; break;
        case 'd': mult = 86400; s++; break;
        case 'h': mult = 3600; s++; break;
        case 'm': mult = 60; s++; break;
        case 's': mult = 1; s++; break;
        case '\0': mult = 1; break;
        default:
            if (isspace((unsigned char)*s)) {
                mult = 1;
                break;
            }
            FAIL("bad time unit (use w, d, h, m or s)", s - text);
        }
        if (v > (unsigned long long)INT_MAX / mult ||
            total + v * mult > (unsigned long long)INT_MAX)
            FAIL("time value is too large", at - text);
        total += v * mult;
    }
    const char *end = skip_blanks(s);
    if (*end != '\0')
        FAIL("extra characters after time value", end - text);
    *out = (long long)total;
    return 0;
}

int
tern_parse_fixed(const char *text, long long *out, const char **err,
                 unsigned *err_col)
{
    const char *s = skip_blanks(text);
    unsigned long long whole, frac = 0;

    if (*s == '\0')
        FAIL("missing fixed-point value", s - text);
    if (*s == '-')
        FAIL("negative value not allowed", s - text);
    const char *at = s;
    int rc = read_digits(&s, 10, INT_MAX / 1000, &whole);
    if (rc == -1)
        FAIL("fixed-point value expected (e.g. 1.5)", at - text);
    if (rc == -2)
        FAIL("fixed-point value is too large", at - text);
    if (*s == '.') {
        s++;
        unsigned places = 0;
        while (*s >= '0' && *s <= '9') {
            if (++places > 3)
                FAIL("at most three decimal places allowed", s - text);
            frac = frac * 10 + (unsigned)(*s++ - '0');
        }
        while (places++ < 3)
            frac *= 10;
    }
    const char *end = skip_blanks(s);
    if (*end != '\0')
        FAIL("extra characters after fixed-point value", s - text);
    *out = (long long)(whole * 1000 + frac);
    return 0;
}

int
tern_parse_bool(const char *s, int *out)
{
    s = skip_blanks(s);
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if ((n == 4 && strncasecmp(s, "true", 4) == 0) ||
        (n == 3 && strncasecmp(s, "yes", 3) == 0)) {
        *out = 1;
        return 0;
    }
    if ((n == 5 && strncasecmp(s, "false", 5) == 0) ||
        (n == 2 && strncasecmp(s, "no", 2) == 0)) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* A user or group: a number, or a name (looked up only on request). */
static int
parse_id(const char *text, int is_group, int resolve, long long *out,
         const char **err, unsigned *err_col)
{
    const char *s = skip_blanks(text);
    size_t n = strlen(s);

    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        FAIL(is_group ? "missing group name" : "missing user name", 0);
    if (isdigit((unsigned char)*s)) {
        if (parse_integer(s, 0, 0, 0, out, err, err_col) != 0) {
            *err_col += (unsigned)(s - text);
            return -1;
        }
        return 0;
    }
    if (*s == '-')
        FAIL("negative user or group id not allowed", s - text);
    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)s[i]) || s[i] == ':')
            FAIL("invalid character in user or group name", s - text + i);
    }
    *out = -1;
    if (resolve) {
        char name[256];
        if (n >= sizeof name)
            FAIL("user or group name is too long", 0);
        memcpy(name, s, n);
        name[n] = '\0';
        if (is_group) {
            struct group *g = getgrnam(name);
            if (g == NULL)
                FAIL("unknown group", s - text);
            *out = g->gr_gid;
        } else {
            struct passwd *p = getpwnam(name);
            if (p == NULL)
                FAIL("unknown user", s - text);
            *out = p->pw_uid;
        }
    }
    return 0;
}

/* Check each item of a colon list with `check`. */
static int
parse_each(const char *text, int (*check)(const char *, long long *,
                                          const char **, unsigned *),
           const char **err, unsigned *err_col)
{
    struct tern_list_iter it;
    char item[1024];
    int too_long;

    tern_list_start(&it, text, ':');
    for (;;) {
        const char *start = it.p;
        if (tern_list_next(&it, item, sizeof item, &too_long) == NULL) {
            if (too_long)
                FAIL("list item is too long", start - text);
            return 0;
        }
        long long v;
        const char *s = skip_blanks(start);
        if (check(item, &v, err, err_col) != 0) {
            *err_col += (unsigned)(s - text);
            return -1;
        }
    }
}

static int
check_uid(const char *s, long long *v, const char **err, unsigned *col)
{
    return parse_id(s, 0, 0, v, err, col);
}

static int
check_gid(const char *s, long long *v, const char **err, unsigned *col)
{
    return parse_id(s, 1, 0, v, err, col);
}

int
tern_optval_parse(struct tern_arena *a, unsigned type, const char *text,
                  int resolve_ids, struct tern_value *out, const char **err,
                  unsigned *err_col)
{
    int b;

    memset(out, 0, sizeof *out);
    out->type = type;
    out->text = tern_strdup(a, text);
    *err = NULL;
    *err_col = 0;
    switch (type) {
    case TERN_T_BOOL:
        if (tern_parse_bool(text, &b) != 0)
            FAIL("boolean value expected (true, false, yes or no)",
                 skip_blanks(text) - text);
        out->num = b;
        break;
    case TERN_T_INT:
        if (parse_integer(text, 1, 1, 0, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_MKINT:
        if (parse_integer(text, 1, 1, 0, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_KINT:
        if (parse_kint(text, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_OCTINT:
        if (parse_integer(text, 0, 0, 1, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_TIME:
        if (tern_parse_time(text, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_TIMELIST: {
        if (parse_each(text, tern_parse_time, err, err_col) != 0)
            return -1;
        break;
    }
    case TERN_T_FIXED:
        if (tern_parse_fixed(text, &out->num, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_UID:
    case TERN_T_GID:
        if (parse_id(text, type == TERN_T_GID, resolve_ids, &out->num, err,
                     err_col) != 0)
            return -1;
        break;
    case TERN_T_UIDLIST:
        if (parse_each(text, check_uid, err, err_col) != 0)
            return -1;
        break;
    case TERN_T_GIDLIST:
        if (parse_each(text, check_gid, err, err_col) != 0)
            return -1;
        break;
    default:
        if (type < 1 || type > TERN_T_MAX)
            FAIL("unknown option type", 0);
        break;          /* string-like: the text is the value */
    }
    out->is_set = 1;
    return 0;
}

char *
tern_format_time(struct tern_arena *a, long long seconds)
{
    static const struct { char unit; long long secs; } units[] = {
        { 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
        { 's', 1 },
    };
    char buf[64];
    size_t n = 0;

    if (seconds <= 0)
        return tern_strdup(a, seconds < 0 ? "-1s" : "0s");
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        long long q = seconds / units[i].secs;
        if (q == 0)
            continue;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%lld%c", q,
                              units[i].unit);
        seconds -= q * units[i].secs;
    }
    return tern_strndup(a, buf, n);
}

/* Sizes as Exim prints them: the largest exact K/M/G multiple. */
static char *
format_size(struct tern_arena *a, long long v)
{
    if (v != 0 && v % (1LL << 30) == 0)
        return tern_printf(a, "%lldG", v >> 30);
    if (v != 0 && v % (1LL << 20) == 0)
        return tern_printf(a, "%lldM", v >> 20);
    if (v != 0 && v % 1024 == 0)
        return tern_printf(a, "%lldK", v >> 10);
    return tern_printf(a, "%lld", v);
}

char *
tern_optval_format(struct tern_arena *a, const struct tern_value *v)
{
    if (!v->is_set)
        return tern_strdup(a, "");
    switch (v->type) {
    case TERN_T_BOOL:
        return tern_strdup(a, v->num ? "true" : "false");
    case TERN_T_INT:
        return tern_printf(a, "%lld", v->num);
    case TERN_T_MKINT:
        return format_size(a, v->num);
    case TERN_T_KINT:
        if (v->num == 0)
            return tern_strdup(a, "0");
        if (v->num % (1LL << 20) == 0)
            return tern_printf(a, "%lldG", v->num >> 20);
        if (v->num % 1024 == 0)
            return tern_printf(a, "%lldM", v->num >> 10);
        return tern_printf(a, "%lldK", v->num);
    case TERN_T_OCTINT:
        return tern_printf(a, "0%llo", v->num);
    case TERN_T_TIME:
        return tern_format_time(a, v->num);
    case TERN_T_FIXED: {
        long long frac = v->num % 1000;
        char *s = tern_printf(a, "%lld.%03lld", v->num / 1000, frac);
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '0' && s[n - 2] != '.')
            s[--n] = '\0';
        return s;
    }
    case TERN_T_UID:
    case TERN_T_GID:
        if (v->text != NULL && !isdigit((unsigned char)*skip_blanks(v->text)))
            return tern_strdup(a, skip_blanks(v->text));
        return tern_printf(a, "%lld", v->num);
    default:
        return tern_strdup(a, v->text ? v->text : "");
    }
}
