/*
 * NAME
 *   expand_cond.c - evaluate the conditions of ${if}, filter, forall ...
 *
 * SYNOPSIS
 *   t = ev_cond(v, node);      1 true, 0 false, -1 failed
 *
 * DESCRIPTION
 *   Numeric comparisons (= == < <= > >=) take optionally signed decimal
 *   integers with an optional K, M or G, blanks around, and treat an
 *   empty string as zero.  String comparisons are byte-wise (eq, lt ...)
 *   or ASCII case-blind (eqi, lti ...).  match sets $0..$n for the rest
 *   of the ${if}; inlist, inlisti and the list-match conditions set
 *   $value to the list item that matched.  List matching against
 *   address, domain, local part and host lists is the host's job (named
 *   lists, lookups), reached through env->list_match.
 *
 * DIAGNOSTICS
 *   Bad integers, unrecognised boolean values and unknown crypteq
 *   mechanisms are expansion errors.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

static int args2(struct ev *v, uint32_t node, struct xs *a, struct xs *b)
{
    if (ev_str(v, ev_child(v, node, 0), a) < 0)
        return -1;
    return b ? ev_str(v, ev_child(v, node, 1), b) : 0;
}

static int cmp_bytes(struct xs a, struct xs b, int caseless)
{
    size_t n = a.len < b.len ? a.len : b.len;
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
        if (caseless) {
            x = x_lower(x);
            y = x_lower(y);
        }
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a.len == b.len ? 0 : a.len < b.len ? -1 : 1;
}

int exp_compare(unsigned op, struct xs a, struct xs b)
{
    long long x, y;
    const char *why;
    int c;
    switch (op) {
    case CO_NUM_EQ: case CO_NUM_LT: case CO_NUM_LE: case CO_NUM_GT:
    case CO_NUM_GE:
        if (exp_int(a, &x, &why) < 0 || exp_int(b, &y, &why) < 0)
            return 0;
        c = x < y ? -1 : x > y;
        break;
    default:
        c = cmp_bytes(a, b, op == CO_EQI || op == CO_LTI || op == CO_LEI ||
                            op == CO_GTI || op == CO_GEI);
        break;
    }
    switch (op) {
    case CO_NUM_EQ: case CO_EQ: case CO_EQI: return c == 0;
    case CO_NUM_LT: case CO_LT: case CO_LTI: return c < 0;
    case CO_NUM_LE: case CO_LE: case CO_LEI: return c <= 0;
    case CO_NUM_GT: case CO_GT: case CO_GTI: return c > 0;
    default: return c >= 0;
    }
}

static int numeric(struct ev *v, uint32_t node, unsigned op)
{
    struct xs a, b;
    long long x, y;
    const char *why;
    if (args2(v, node, &a, &b) < 0)
        return -1;
    if (exp_int(a, &x, &why) < 0 || exp_int(b, &y, &why) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "%s", why);
    switch (op) {
    case CO_NUM_EQ: return x == y;
    case CO_NUM_LT: return x < y;
    case CO_NUM_LE: return x <= y;
    case CO_NUM_GT: return x > y;
    default: return x >= y;
    }
}

static int strcmp_cond(struct ev *v, uint32_t node, unsigned op)
{
    struct xs a, b;
    if (args2(v, node, &a, &b) < 0)
        return -1;
    int ci = op == CO_EQI || op == CO_LTI || op == CO_LEI || op == CO_GTI ||
             op == CO_GEI;
    int c = cmp_bytes(a, b, ci);
    switch (op) {
    case CO_EQ: case CO_EQI: return c == 0;
    case CO_LT: case CO_LTI: return c < 0;
    case CO_LE: case CO_LEI: return c <= 0;
    case CO_GT: case CO_GTI: return c > 0;
    default: return c >= 0;
    }
}

/* bool: true/false/yes/no, or an integer; bool_lax: anything but
 * "", false, no and 0 is true. */
static int boolean(struct ev *v, uint32_t node, int lax)
{
    struct xs s;
    if (args2(v, node, &s, NULL) < 0)
        return -1;
    s = xs_trim(s);
    if (s.len == 0)
        return 0;
    if (lax)
        return !(xs_eqi(s, "false") || xs_eqi(s, "no") || xs_eq(s, "0"));
    if (xs_eqi(s, "true") || xs_eqi(s, "yes"))
        return 1;
    if (xs_eqi(s, "false") || xs_eqi(s, "no"))
        return 0;
    size_t i = s.p[0] == '-' ? 1 : 0;
    int nonzero = 0;
    if (i == s.len)
        goto bad;
    for (; i < s.len; i++) {
        if (!x_digit((unsigned char)s.p[i]))
            goto bad;
        if (s.p[i] != '0')
            nonzero = 1;
    }
    return nonzero;
bad:
    return ev_fail(v, TERN_EXP_ERROR, node, "unrecognised boolean value "
                   "\"%s\"", xs_dup(v->a, s));
}

static int def_cond(struct ev *v, uint32_t node)
{
    uint32_t c = ev_child(v, node, 0);
    const struct tern_exp_node *n = ev_node(v, c);
    if (n->type == EN_HEADER) {
        if (!v->env->header)
            return 0;
        struct xs name = ev_text(v, n->a, n->b);
        char *val;
        size_t vl;
        return v->env->header(v->env->arg, n->op, xs_dup(v->a, name),
                              name.len, v->a, &val, &vl) == TERN_OK;
    }
    struct xs s;
    if (ev_str(v, c, &s) < 0)
        return -1;
    return s.len > 0;
}

static int inlist(struct ev *v, uint32_t node, int caseless)
{
    struct xs needle, list, item;
    struct xlist l;
    if (args2(v, node, &needle, &list) < 0)
        return -1;
    xlist_start(&l, list, ':');
    while (xlist_next(&l, v->a, &item))
        if (cmp_bytes(needle, item, caseless) == 0) {
            v->value = item;
            return 1;
        }
    return 0;
}

static int list_match(struct ev *v, uint32_t node, unsigned op)
{
    static const unsigned kinds[] = {
        [CO_MATCH_ADDRESS] = TERN_EXP_MATCH_ADDRESS,
        [CO_MATCH_DOMAIN] = TERN_EXP_MATCH_DOMAIN,
        [CO_MATCH_IP] = TERN_EXP_MATCH_IP,
        [CO_MATCH_LOCAL_PART] = TERN_EXP_MATCH_LOCAL_PART,
    };
    struct xs subj, list;
    if (args2(v, node, &subj, &list) < 0)
        return -1;
    if (!v->env->list_match)
        return ev_fail(v, TERN_EXP_ERROR, node, "%s is not available here",
                       exp_cond_name(op));
    const char *val = NULL, *err = NULL;
    int rc = v->env->list_match(v->env->arg, kinds[op], subj.p, list.p,
                                v->a, &val, &err);
    switch (rc) {
    case TERN_OK:
        if (val)
            v->value = xs_make(val, strlen(val));
        return 1;
    case TERN_FAIL:
        return 0;
    case TERN_DEFER:
        return ev_fail(v, TERN_EXP_DEFER, node, "%s", err ? err :
                       "list match deferred");
    default:
        return ev_fail(v, TERN_EXP_ERROR, node, "%s", err ? err :
                       "list match failed");
    }
}

static int forall(struct ev *v, uint32_t node, int any)
{
    struct xs list, item;
    struct xlist l;
    if (args2(v, node, &list, NULL) < 0)
        return -1;
    uint32_t cond = ev_child(v, node, 1);
    struct xs saved = v->item;
    int result = any ? 0 : 1, seen = 0;
    xlist_start(&l, list, ':');
    while (xlist_next(&l, v->a, &item)) {
        v->item = item;
        seen = 1;
        int t = ev_cond(v, cond);
        if (t < 0) {
            v->item = saved;
            return -1;
        }
        if (t == any) {
            result = any;
            break;
        }
    }
    v->item = saved;
    return seen ? result : 0;   /* forall over nothing is false, as Exim */
}

static int andor(struct ev *v, uint32_t node, int is_or)
{
    const struct tern_exp_node *n = ev_node(v, node);
    uint32_t c = n->b ? n->a : 0;
    for (uint32_t k = 0; c && k < n->b; k++, c = ev_node(v, c)->next) {
        int t = ev_cond(v, c);
        if (t < 0)
            return -1;
        if (t == is_or)
            return is_or;
    }
    return !is_or;
}

static int exists(struct ev *v, uint32_t node)
{
    struct xs s;
    struct stat st;
    if (args2(v, node, &s, NULL) < 0)
        return -1;
    return s.len && strlen(s.p) == s.len && stat(s.p, &st) == 0;
}

static int isip(struct ev *v, uint32_t node, int want)
{
    struct xs s;
    if (args2(v, node, &s, NULL) < 0)
        return -1;
    int f = exp_is_ip(s, NULL);
    return want ? f == want : f != 0;
}

static int flag(struct ev *v, unsigned which)
{
    return v->env->flag ? v->env->flag(v->env->arg, which) != 0 : 0;
}

static int cond_body(struct ev *v, uint32_t node, unsigned op)
{
    struct xs a, b;
    switch (op) {
    case CO_NUM_EQ: case CO_NUM_LT: case CO_NUM_LE: case CO_NUM_GT:
    case CO_NUM_GE:
        return numeric(v, node, op);
    case CO_EQ: case CO_EQI: case CO_LT: case CO_LTI: case CO_LE:
    case CO_LEI: case CO_GT: case CO_GTI: case CO_GE: case CO_GEI:
        return strcmp_cond(v, node, op);
    case CO_MATCH:
        if (args2(v, node, &a, &b) < 0)
            return -1;
        return exp_match(v, node, a, b, 1);
    case CO_MATCH_ADDRESS: case CO_MATCH_DOMAIN: case CO_MATCH_IP:
    case CO_MATCH_LOCAL_PART:
        return list_match(v, node, op);
    case CO_DEF: return def_cond(v, node);
    case CO_EXISTS: return exists(v, node);
    case CO_ISIP: return isip(v, node, 0);
    case CO_ISIP4: return isip(v, node, 4);
    case CO_ISIP6: return isip(v, node, 6);
    case CO_BOOL: return boolean(v, node, 0);
    case CO_BOOL_LAX: return boolean(v, node, 1);
    case CO_AND: return andor(v, node, 0);
    case CO_OR: return andor(v, node, 1);
    case CO_FORALL: return forall(v, node, 0);
    case CO_FORANY: return forall(v, node, 1);
    case CO_INLIST: return inlist(v, node, 0);
    case CO_INLISTI: return inlist(v, node, 1);
    case CO_FIRST_DELIVERY: return flag(v, TERN_EXP_FIRST_DELIVERY);
    case CO_QUEUE_RUNNING: return flag(v, TERN_EXP_QUEUE_RUNNING);
    case CO_CRYPTEQ:
        if (args2(v, node, &a, &b) < 0)
            return -1;
        return exp_crypteq(v, node, a, b);
    default:
        return ev_fail(v, TERN_EXP_ERROR, node, "bad condition");
    }
}

int ev_cond(struct ev *v, uint32_t node)
{
    const struct tern_exp_node *n = ev_node(v, node);
    int t;

    if (++v->depth > EXP_MAX_DEPTH)
        return ev_fail(v, TERN_EXP_ERROR, node, "expansion nested too "
                       "deeply");
    if (ev_step(v, node) < 0)
        return -1;
    if (n->type == EN_MOD && n->op == TERN_EXP_CONDITION) {
        if (ev_mod(v, node, NULL, &t) < 0)
            return -1;
        v->depth--;
        return t;
    }
    if (n->type != EN_COND)
        return ev_fail(v, TERN_EXP_ERROR, node, "condition expected");
    t = cond_body(v, node, n->op);
    if (t < 0)
        return -1;
    v->depth--;
    return (n->flags & NF_NEG) ? !t : t;
}
