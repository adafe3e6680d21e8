/*
 * NAME
 *   parse_retry.c - the retry section
 *
 * DESCRIPTION
 *   Each line is one retry rule, as Exim reads it:
 *
 *     pattern  error  [senders=list]  rules
 *     *        *      F,2h,15m; G,16h,1h,1.5; F,4d,6h
 *
 *   The pattern and the senders list may be quoted.  The error is `*`
 *   or one of Exim's names, matched without regard to case: auth_failed,
 *   lost_connection, tls_required, quota, quota_TIME, refused,
 *   refused_A, refused_MX, timeout, timeout_A, timeout_MX, timeout_DNS,
 *   timeout_connect, timeout_connect_A, timeout_connect_MX, and
 *   mail_4XX, rcpt_4XX, data_4XX where XX is two digits, a digit and
 *   `x`, or `xx`.  The rules are separated by semicolons (a trailing one
 *   is allowed, and no rules at all means "no retries"): F,cutoff,
 *   interval for fixed intervals, G,cutoff,interval,multiplier and
 *   H,cutoff,interval,multiplier for geometric and randomized ones.
 *   Times must be greater than zero and the multiplier at least 1.
 *
 * DIAGNOSTICS
 *   "missing error type in retry rule", "unknown retry error 'X'",
 *   "unknown retry rule type 'X'", "',' expected", "';' expected",
 *   "invalid time in retry rule", "retry rule times must be greater than
 *   zero", "invalid retry multiplier".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "confc_int.h"
#include "optval.h"

static const char *const plain_errors[] = {
    "auth_failed", "lost_connection", "tls_required", "quota", "refused",
    "refused_A", "refused_MX", "timeout", "timeout_A", "timeout_MX",
    "timeout_DNS", "timeout_connect", "timeout_connect_A",
    "timeout_connect_MX"
};
#define N_PLAIN (sizeof plain_errors / sizeof plain_errors[0])

/* A blank-delimited or quoted field at *p; NULL at the end of the line
 * or after reporting a bad quote. */
static char *
field(struct cc_ctx *c, const struct cc_line *l, size_t *p, size_t *start,
      const char *what)
{
    const char *t = l->text;
    size_t s = cc_skip_blanks(t, *p), e = s, used;
    char *v;

    *start = s;
    if (t[s] == '\0')
        return NULL;
    if (t[s] == '"') {
        v = cc_dequote(c, l, s, l->len - s, what, &used);
        *p = s + (v ? used : l->len - s);
        return v;
    }
    while (t[e] != '\0' && t[e] != ' ' && t[e] != '\t')
        e++;
    *p = e;
    return cc_strn(c, l, s, e - s);
}

/* Is `e` a retry error name?  Reports and returns -1 when not. */
static int
check_error(struct cc_ctx *c, const struct cc_line *l, size_t off,
            const char *e)
{
    size_t n = strlen(e);
    long long secs;
    const char *err;
    unsigned col;

    if (strcmp(e, "*") == 0)
        return 0;
    for (size_t i = 0; i < N_PLAIN; i++) {
        if (strcasecmp(e, plain_errors[i]) == 0)
            return 0;
    }
    if (strncasecmp(e, "quota_", 6) == 0) {
        if (tern_parse_time(e + 6, &secs, &err, &col) == 0)
            return 0;
        cc_error(c, l, off + 6, n - 6, NULL,
                 "invalid time after 'quota_' in retry rule: %s", err);
        return -1;
    }
    if (strncasecmp(e, "mail_4", 6) == 0 || strncasecmp(e, "rcpt_4", 6) == 0 ||
        strncasecmp(e, "data_4", 6) == 0) {
        int a = n == 8 ? (unsigned char)e[6] : 0;
        int b = n == 8 ? (unsigned char)e[7] : 0;
        if ((isdigit(a) && (isdigit(b) || b == 'x')) || (a == 'x' && b == 'x'))
            return 0;
        cc_error(c, l, off, n, NULL, "'%.6s' must be followed by xx, dx or "
                 "dd (x is the letter x, d any digit)", e);
        return -1;
    }
    cc_error(c, l, off, n,
             cc_did_you_mean(c, cc_closest(e, plain_errors, N_PLAIN)),
             "unknown retry error '%s'", e);
    return -1;
}

/* A time terminated by ',' ';' blank or end; 0 or -1 after reporting. */
static int
rule_time(struct cc_ctx *c, const struct cc_line *l, size_t *p,
          long long *out)
{
    const char *t = l->text;
    size_t s = *p, e = s;
    const char *err;
    unsigned col;

    while (t[e] != '\0' && t[e] != ',' && t[e] != ';' && t[e] != ' ' &&
           t[e] != '\t')
        e++;
    char *tok = cc_strn(c, l, s, e - s);
    if (tern_parse_time(tok, out, &err, &col) != 0) {
        cc_error(c, l, s + (col < e - s ? col : 0), e > s ? e - s : 1, NULL,
                 "invalid time in retry rule: %s", err);
        return -1;
    }
    if (*out <= 0) {
        cc_error(c, l, s, e - s, NULL,
                 "retry rule times must be greater than zero");
        return -1;
    }
    *p = e;
    return 0;
}

/* The multiplier of G and H rules: decimal, kept x1000 (extra decimals
 * are dropped, as Exim does); at least 1. */
static int
rule_fixed(struct cc_ctx *c, const struct cc_line *l, size_t *p,
           long long *out)
{
    const char *t = l->text;
    size_t s = *p, e = s;
    long long v = 0, frac = 0, scale = 100;

    while (isdigit((unsigned char)t[e]) && v < 1000000)
        v = v * 10 + (t[e++] - '0');
    if (t[e] == '.') {
        e++;
        for (; isdigit((unsigned char)t[e]); e++, scale /= 10)
            frac += scale > 0 ? (t[e] - '0') * scale : 0;
    }
    if (e == s || (t[e] != '\0' && t[e] != ';' && t[e] != ' ' &&
                   t[e] != '\t')) {
        while (t[e] != '\0' && t[e] != ';' && t[e] != ' ' && t[e] != '\t')
            e++;
        cc_error(c, l, s, e > s ? e - s : 1, NULL,
                 "invalid retry multiplier (a number such as 1.5)");
        return -1;
    }
    *out = v * 1000 + frac;
    if (*out < 1000) {
        cc_error(c, l, s, e - s, NULL,
                 "the retry multiplier must be at least 1");
        return -1;
    }
    *p = e;
    return 0;
}

static int
expect(struct cc_ctx *c, const struct cc_line *l, size_t *p, char ch,
       const char *why)
{
    if (l->text[*p] != ch) {
        cc_error(c, l, *p, 1, why, "'%c' expected in retry rule", ch);
        return -1;
    }
    (*p)++;
    return 0;
}

/* One rule at *p; 0 or -1 after reporting. */
static int
one_rule(struct cc_ctx *c, const struct cc_line *l, size_t *p,
         struct tern_cfg_retry_rule *r)
{
    const char *t = l->text;
    char a = (char)toupper((unsigned char)t[*p]);

    if (t[*p] == '\0' || t[*p] == ';') {
        cc_error(c, l, *p, 1, NULL, "expected a retry rule such as "
                 "F,2h,15m");
        return -1;
    }
    if (a != 'F' && a != 'G' && a != 'H') {
        cc_error(c, l, *p, 1, "rules are F,cutoff,interval or "
                 "G/H,cutoff,interval,multiplier",
                 "unknown retry rule type '%c'", t[*p]);
        return -1;
    }
    r->algo = a;
    (*p)++;
    if (expect(c, l, p, ',', NULL) || rule_time(c, l, p, &r->cutoff) ||
        expect(c, l, p, ',', NULL) || rule_time(c, l, p, &r->p1))
        return -1;
    if (a == 'F')
        return 0;
    if (expect(c, l, p, ',', "G and H rules end with a multiplier, e.g. "
               "G,16h,1h,1.5") ||
        rule_fixed(c, l, p, &r->p2))
        return -1;
    return 0;
}

static void
rules(struct cc_ctx *c, const struct cc_line *l, size_t p,
      struct tern_cfg_retry *rt)
{
    const char *t = l->text;
    size_t cap = 0;

    p = cc_skip_blanks(t, p);
    while (t[p] != '\0') {
        struct tern_cfg_retry_rule r = { 0, 0, 0, 0 };
        if (one_rule(c, l, &p, &r) != 0)
            return;
        *CC_PUSH(c, rt->rules, rt->n_rules, cap) = r;
        p = cc_skip_blanks(t, p);
        if (t[p] == '\0')
            return;
        if (t[p] != ';') {
            cc_error(c, l, p, 1, "rules are separated by ';'",
                     "';' expected in retry rule");
            return;
        }
        p = cc_skip_blanks(t, p + 1);
    }
}

void
cc_retry_line(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    struct tern_config *cfg = c->cfg;
    size_t p = off, at;
    char *pattern, *error;

    pattern = field(c, l, &p, &at, "retry pattern");
    if (pattern == NULL)
        return;
    error = field(c, l, &p, &at, "retry error");
    if (error == NULL) {
        cc_error(c, l, at, 1, "a retry rule is: pattern error rules",
                 "missing error type in retry rule");
        return;
    }
    if (check_error(c, l, at, error) != 0)
        return;
    struct tern_cfg_retry *rt =
        CC_PUSH(c, cfg->retries, cfg->n_retries, c->cap_retries);
    rt->pattern = pattern;
    rt->error = error;
    rt->loc = cc_loc(c, l, off);

    size_t q = cc_skip_blanks(l->text, p);
    if (strncmp(l->text + q, "senders=", 8) == 0) {
        size_t s = q + 8, used;
        if (l->text[s] == '"') {
            rt->senders = cc_dequote(c, l, s, l->len - s, "senders list",
                                     &used);
            if (rt->senders == NULL)
                return;
            p = s + used;
        } else {
            p = s;
            while (l->text[p] != '\0' && l->text[p] != ' ' &&
                   l->text[p] != '\t')
                p++;
            rt->senders = cc_strn(c, l, s, p - s);
            cc_xref_list_refs(c, TERN_LIST_ADDRESS, rt->senders,
                              "retry rule 'senders='", l, s, p - s);
        }
    }
    rules(c, l, p, rt);
}
