/*
 * NAME
 *   expand_num.c - numbers in expansions: integer arguments, ${eval},
 *   ${time_eval}, ${time_interval}
 *
 * SYNOPSIS
 *   exp_int(s, &n, &why);                   "10M", " -3 ", "" (= 0)
 *   exp_eval_arith(s, decimal_only, &n, &why);
 *
 * DESCRIPTION
 *   exp_int() is what the numeric conditions take: blanks, an optional
 *   sign, decimal digits, an optional K, M or G (either case), blanks.
 *
 *   exp_eval_arith() is a precedence-climbing evaluator for C's integer
 *   operators as ${eval} accepts them: | ^ & << >> + - * / % and unary
 *   - ~ +, with parentheses.  Its corner cases follow Exim 4.96, which
 *   was checked case by case: numbers that are too big saturate, sums
 *   and differences are refused by Exim's own (odd) overflow test and
 *   otherwise wrap, products wrap,
 *   shifts use the low six bits of the count, and the minimum integer
 *   divided by -1 (or its remainder) yields the maximum.  All arithmetic
 *   is done in unsigned 64 bits where it may wrap, so nothing here is
 *   undefined behaviour.
 *
 * DIAGNOSTICS
 *   Messages say what was expected and how far the expression was read.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>

#include "arena.h"
#include "expand_int.h"

int exp_int(struct xs s, long long *out, const char **why)
{
    size_t i = 0;
    int neg = 0;
    unsigned long long v = 0;

    while (i < s.len && x_space((unsigned char)s.p[i]))
        i++;
    if (i == s.len) {
        *out = 0;
        return 0;
    }
    if (s.p[i] == '-' || s.p[i] == '+')
        neg = s.p[i++] == '-';
    size_t d0 = i;
    unsigned long long lim = (unsigned long long)LLONG_MAX + (unsigned)neg;
    while (i < s.len && x_digit((unsigned char)s.p[i])) {
        unsigned d = (unsigned)(s.p[i++] - '0');
        if (v > (lim - d) / 10)
            goto overflow;
        v = v * 10 + d;
    }
    if (i == d0) {
        *why = "integer expected";
        return -1;
    }
    if (i < s.len) {
        int c = x_lower((unsigned char)s.p[i]);
        unsigned long long m = c == 'k' ? 1024ULL : c == 'm' ? 1048576ULL :
                               c == 'g' ? 1073741824ULL : 0;
        if (m) {
            if (v > lim / m)
                goto overflow;
            v *= m;
            i++;
        }
    }
    while (i < s.len && x_space((unsigned char)s.p[i]))
        i++;
    if (i < s.len) {
        *why = "invalid integer";
        return -1;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
overflow:
    *why = "absolute value of integer is too large (overflow)";
    return -1;
}

int exp_dec(struct xs s, long long *out)
{
    size_t i = 0;
    int neg = 0;
    unsigned long long v = 0;

    if (s.len == 0) {
        *out = 0;
        return 0;
    }
    while (i < s.len && x_space((unsigned char)s.p[i]))
        i++;
    if (i < s.len && (s.p[i] == '-' || s.p[i] == '+'))
        neg = s.p[i++] == '-';
    size_t d0 = i;
    while (i < s.len && x_digit((unsigned char)s.p[i])) {
        if (v < 1000000000000ULL)
            v = v * 10 + (unsigned)(s.p[i] - '0');
        i++;
    }
    if (i == d0 || i != s.len)
        return -1;
    if (v > INT_MAX)
        v = INT_MAX;            /* the items work in int, as Exim's */
    *out = neg ? -(long long)v : (long long)v;
    return 0;
}

/* ---- ${eval} ---- */

struct ar {
    const char *s;
    size_t n, i;
    int dec;
    const char *err;
};

static void ar_space(struct ar *a)
{
    while (a->i < a->n && x_space((unsigned char)a->s[a->i]))
        a->i++;
}

static int ar_digit(int c, int base)
{
    int d = x_digit(c) ? c - '0' : x_alpha(c) ? x_lower(c) - 'a' + 10 : 99;
    return d < base ? d : -1;
}

static int ar_number(struct ar *a, long long *out)
{
    int base = 10;
    unsigned long long v = 0;
    int sat = 0;

    if (a->i >= a->n || !x_digit((unsigned char)a->s[a->i])) {
        a->err = "expecting number or opening parenthesis";
        return -1;
    }
    if (!a->dec && a->s[a->i] == '0') {
        if (a->i + 1 < a->n && x_lower((unsigned char)a->s[a->i + 1]) == 'x') {
            base = 16;
            a->i += 2;
        } else {
            base = 8;
        }
    }
    int d;
    while (a->i < a->n &&
           (d = ar_digit((unsigned char)a->s[a->i], base)) >= 0) {
        if (v > ((unsigned long long)LLONG_MAX - (unsigned)d) / (unsigned)base)
            sat = 1;
        else
            v = v * (unsigned)base + (unsigned)d;
        a->i++;
    }
    if (sat)
        v = LLONG_MAX;
    if (a->i < a->n) {
        int c = x_lower((unsigned char)a->s[a->i]);
        unsigned sh = c == 'k' ? 10 : c == 'm' ? 20 : c == 'g' ? 30 : 0;
        if (sh) {
            v <<= sh;           /* wraps, as Exim's does */
            a->i++;
        }
    }
    *out = (long long)v;
    return 0;
}

static int ar_or(struct ar *a, long long *out);

static int ar_unary(struct ar *a, long long *out)
{
    ar_space(a);
    if (a->i < a->n && (a->s[a->i] == '-' || a->s[a->i] == '~' ||
                        a->s[a->i] == '+')) {
        char op = a->s[a->i++];
        if (ar_unary(a, out) < 0)
            return -1;
        if (op == '-')
            *out = (long long)(0 - (unsigned long long)*out);
        else if (op == '~')
            *out = ~*out;
        return 0;
    }
    if (a->i < a->n && a->s[a->i] == '(') {
        a->i++;
        if (ar_or(a, out) < 0)
            return -1;
        ar_space(a);
        if (a->i >= a->n || a->s[a->i] != ')') {
            a->err = "expecting closing parenthesis";
            return -1;
        }
        a->i++;
    } else if (ar_number(a, out) < 0) {
        return -1;
    }
    ar_space(a);
    return 0;
}

static int ar_mul(struct ar *a, long long *out)
{
    if (ar_unary(a, out) < 0)
        return -1;
    while (a->i < a->n && (a->s[a->i] == '*' || a->s[a->i] == '/' ||
                           a->s[a->i] == '%')) {
        char op = a->s[a->i++];
        long long y, x = *out;
        if (ar_unary(a, &y) < 0)
            return -1;
        if (op == '*') {
            *out = (long long)((unsigned long long)x * (unsigned long long)y);
            continue;
        }
        if (y == 0) {
            a->err = op == '/' ? "divide by zero" : "modulo by zero";
            return -1;
        }
        if (x == LLONG_MIN && y == -1)
            *out = LLONG_MAX;
        else
            *out = op == '/' ? x / y : x % y;
    }
    return 0;
}

static int ar_add(struct ar *a, long long *out)
{
    if (ar_mul(a, out) < 0)
        return -1;
    while (a->i < a->n && (a->s[a->i] == '+' || a->s[a->i] == '-')) {
        char op = a->s[a->i++];
        long long y, x = *out;
        if (ar_mul(a, &y) < 0)
            return -1;
        /* Exim 4.96's test, reproduced as it is: a left operand of
         * half the range or more is an overflow whatever the right one,
         * two operands both below minus half the range are too, and
         * everything else wraps. */
        const long long half = LLONG_MAX / 2;
        if (x >= half || (x <= -half && y <= -half)) {
            a->err = op == '+' ? "overflow in sum" : "overflow in difference";
            return -1;
        }
        if (op == '+')
            *out = (long long)((unsigned long long)x + (unsigned long long)y);
        else
            *out = (long long)((unsigned long long)x - (unsigned long long)y);
    }
    return 0;
}

static int ar_shift(struct ar *a, long long *out)
{
    if (ar_add(a, out) < 0)
        return -1;
    while (a->i + 1 < a->n && (a->s[a->i] == '<' || a->s[a->i] == '>') &&
           a->s[a->i + 1] == a->s[a->i]) {
        char op = a->s[a->i];
        a->i += 2;
        long long y, x = *out;
        if (ar_add(a, &y) < 0)
            return -1;
        unsigned sh = (unsigned)y & 63;
        if (op == '<')
            *out = (long long)((unsigned long long)x << sh);
        else
            *out = x < 0 ? ~(long long)(~(unsigned long long)x >> sh)
                         : (long long)((unsigned long long)x >> sh);
    }
    return 0;
}

static int ar_bits(struct ar *a, long long *out, int level)
{
    static const char ops[] = { '&', '^', '|' };
    if ((level == 0 ? ar_shift(a, out) : ar_bits(a, out, level - 1)) < 0)
        return -1;
    while (a->i < a->n && a->s[a->i] == ops[level]) {
        a->i++;
        long long y;
        if ((level == 0 ? ar_shift(a, &y) : ar_bits(a, &y, level - 1)) < 0)
            return -1;
        if (level == 0)
            *out &= y;
        else if (level == 1)
            *out ^= y;
        else
            *out |= y;
    }
    return 0;
}

static int ar_or(struct ar *a, long long *out)
{
    return ar_bits(a, out, 2);
}

int exp_eval_arith(struct xs s, int decimal_only, long long *out,
                   const char **why, size_t *where)
{
    struct ar a = { s.p, s.len, 0, decimal_only, NULL };
    if (ar_or(&a, out) == 0 && a.i < a.n)
        a.err = "expecting operator";
    *where = a.i;
    if (!a.err)
        return 0;
    *why = a.err;
    return -1;
}

/* ---- times ---- */

int exp_time_eval(struct xs s, long long *out)
{
    size_t i = 0;
    long long total = 0;
    if (s.len == 0)
        return -1;
    while (i < s.len) {
        if (!x_digit((unsigned char)s.p[i]))
            return -1;
        long long v = 0;
        while (i < s.len && x_digit((unsigned char)s.p[i])) {
            if (v > LLONG_MAX / 10 - 10)
                return -1;
            v = v * 10 + (s.p[i++] - '0');
        }
        if (i >= s.len)
            return -1;
        long long m;
        switch (s.p[i++]) {
        case 's': m = 1; break;
        case 'm': m = 60; break;
        case 'h': m = 3600; break;
        case 'd': m = 86400; break;
        case 'w': m = 604800; break;
        default: return -1;
        }
        if (v > (LLONG_MAX - total) / m)
            return -1;
        total += v * m;
    }
    *out = total;
    return 0;
}

void exp_time_interval(struct xb *b, long long secs)
{
    static const struct { long long n; char c; } units[] = {
        { 604800, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
        { 1, 's' }
    };
    if (secs <= 0) {
        xb_adds(b, "0s");
        return;
    }
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        long long q = secs / units[k].n;
        if (q) {
            xb_addf(b, "%lld%c", q, units[k].c);
            secs -= q * units[k].n;
        }
    }
}
