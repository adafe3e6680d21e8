/*
 * NAME
 *   expand_parse_cond.c - parse conditions, ${op:...} operators and
 *   module-provided items
 *
 * SYNOPSIS
 *   (called from expand_parse.c and expand_parse_item.c)
 *
 * DESCRIPTION
 *   Operators may carry parameters in their name, separated by
 *   underscores: ${length_3:..}, ${substr_-2_1:..}, ${hash_4_62:..},
 *   ${sha2_512:..}, ${quote_mysql:..}, ${listnamed_d:..},
 *   ${headerwrap_60_200:..}.  Numbers are checked here, once, so the
 *   evaluator need not.
 *
 *   Items, operators and conditions that are not built in are looked up
 *   in the caller's schema (modules provide ${authresults}, inbound_srs,
 *   ...); they become MOD nodes whose arguments are all expanded before
 *   the host's item hook is called.
 *
 * DIAGNOSTICS
 *   "unknown condition", "unknown expansion operator", argument count and
 *   parameter errors, each at the offending name.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "expand_int.h"

int ps_mod(struct ps *p, unsigned kind, const struct tern_exp_known *info,
           uint32_t start, uint32_t ns, uint32_t nl, uint32_t *out)
{
    uint32_t k = ps_node(p, EN_MOD, start), last = 0, off;
    if (!k || ps_text(p, p->s + ns, nl, &off) < 0)
        return -1;
    p->nodes[k].op = (uint16_t)kind;
    p->nodes[k].c = off;
    p->nodes[k].d = nl;
    *out = k;
    char *name = tern_strndup(p->a, p->s + ns, nl);
    unsigned got = 0, max = info->max_args;
    if (max < info->min_args)
        max = info->min_args;
    while (got < max) {
        int r = ps_arg(p, 0, k, &last);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got++;
    }
    if (got < info->min_args)
        return ps_error(p, p->i, "not enough arguments for '%s' (min is %u)",
                        name, info->min_args);
    if (kind == TERN_EXP_CONDITION)
        return 0;
    return ps_close(p, name);
}

/* ---- operators ---- */

/* Numbers after the first underscore of an operator name. */
static int op_numbers(struct ps *p, uint32_t k, const char *nm, uint32_t nl,
                      uint32_t us, unsigned max, int neg_ok, uint32_t at)
{
    uint32_t j = us + 1;
    unsigned got = 0;
    for (;;) {
        int neg = 0;
        if (j < nl && nm[j] == '-' && neg_ok) {
            neg = 1;
            j++;
        }
        if (j >= nl || !x_digit((unsigned char)nm[j]))
            return ps_error(p, at, "non-digit after underscore in \"%.*s\"",
                            (int)nl, nm);
        long long v = 0;
        while (j < nl && x_digit((unsigned char)nm[j])) {
            v = v * 10 + (nm[j++] - '0');
            if (v > 1000000000)
                return ps_error(p, at, "number too large in \"%.*s\"",
                                (int)nl, nm);
        }
        if (neg)
            v = -v;
        if (got == 0) {
            p->nodes[k].c = (uint32_t)(int32_t)v;
            p->nodes[k].flags |= NF_P1;
        } else {
            p->nodes[k].d = (uint32_t)(int32_t)v;
            p->nodes[k].flags |= NF_P2;
        }
        got++;
        if (j >= nl)
            return 0;
        if (nm[j] != '_' || got >= max)
            return ps_error(p, at, "non-digit after underscore in \"%.*s\"",
                            (int)nl, nm);
        j++;
    }
}

static const struct {
    const char *prefix;
    unsigned op;
    unsigned max;       /* numbers; 0 = a text parameter */
    int neg_ok;
} op_prefixes[] = {
    { "h", OP_HASH, 2, 0 }, { "hash", OP_HASH, 2, 0 },
    { "headerwrap", OP_HEADERWRAP, 2, 0 },
    { "l", OP_LENGTH, 1, 0 }, { "length", OP_LENGTH, 1, 0 },
    { "listnamed", OP_LISTNAMED, 0, 0 },
    { "nh", OP_NHASH, 2, 0 }, { "nhash", OP_NHASH, 2, 0 },
    { "quote", OP_QUOTE_LOOKUP, 0, 0 },
    { "s", OP_SUBSTR, 2, 1 }, { "substr", OP_SUBSTR, 2, 1 },
    { "sha2", OP_SHA2, 1, 0 }, { "sha3", OP_SHA3, 1, 0 },
};

/* A parametric name: returns 1 made, 0 not such a name, -1 error. */
static int op_param(struct ps *p, uint32_t k, uint32_t at, const char *nm,
                    uint32_t nl)
{
    const char *us = memchr(nm, '_', nl);
    if (!us)
        return 0;
    uint32_t ul = (uint32_t)(us - nm);
    for (size_t q = 0; q < sizeof op_prefixes / sizeof op_prefixes[0]; q++) {
        if (strlen(op_prefixes[q].prefix) != ul ||
            memcmp(op_prefixes[q].prefix, nm, ul) != 0)
            continue;
        unsigned op = op_prefixes[q].op;
        p->nodes[k].op = (uint16_t)op;
        if (op_prefixes[q].max)
            return op_numbers(p, k, nm, nl, ul, op_prefixes[q].max,
                              op_prefixes[q].neg_ok, at) < 0 ? -1 : 1;
        struct xs t = xs_make(nm + ul + 1, nl - ul - 1);
        struct tern_exp_known info;
        if (op == OP_LISTNAMED && !(t.len == 1 && strchr("adhl", t.p[0])))
            return ps_error(p, at, "bad suffix \"%.*s\" for listnamed",
                            (int)t.len, t.p);
        if (op == OP_QUOTE_LOOKUP &&
            !ps_known(p, TERN_EXP_LOOKUP, t.p, t.len, &info))
            return ps_error(p, at, "unknown lookup type \"%.*s\"",
                            (int)t.len, t.p);
        uint32_t off;
        if (ps_text(p, t.p, t.len, &off) < 0)
            return -1;
        p->nodes[k].c = off;
        p->nodes[k].d = (uint32_t)t.len;
        p->nodes[k].flags |= NF_PTEXT;
        return 1;
    }
    return 0;
}

static int op_check(struct ps *p, uint32_t k, uint32_t at, const char *nm,
                    uint32_t nl)
{
    const struct tern_exp_node *n = &p->nodes[k];
    int32_t v = (int32_t)n->c;
    if (n->op == OP_SHA2 && (n->flags & NF_P1) &&
        v != 256 && v != 384 && v != 512)
        return ps_error(p, at, "unrecognised sha2 variant in \"%.*s\"",
                        (int)nl, nm);
    if (n->op == OP_SHA3 && (n->flags & NF_P1) &&
        v != 224 && v != 256 && v != 384 && v != 512)
        return ps_error(p, at, "unrecognised sha3 variant in \"%.*s\"",
                        (int)nl, nm);
    return 0;
}

int ps_oper(struct ps *p, uint32_t start, uint32_t ns, uint32_t nl,
            uint32_t *out)
{
    const char *nm = p->s + ns;
    const struct exp_name *def = exp_find_op(nm, nl);
    struct tern_exp_known info;

    p->i++;                             /* the colon */
    if (!def && ps_known(p, TERN_EXP_OPERATOR, nm, nl, &info)) {
        info.min_args = info.max_args = 0;
        uint32_t k = ps_node(p, EN_MOD, start), last = 0, off, seq;
        if (!k || ps_text(p, nm, nl, &off) < 0)
            return -1;
        p->nodes[k].op = TERN_EXP_OPERATOR;
        p->nodes[k].c = off;
        p->nodes[k].d = nl;
        if (ps_string(p, PS_BRACE, &seq) < 0)
            return -1;
        p->i++;
        ps_link(p, k, seq, &last);
        *out = k;
        return 0;
    }
    uint32_t k = ps_node(p, EN_OPER, start), last = 0, seq;
    if (!k)
        return -1;
    if (def) {
        p->nodes[k].op = (uint16_t)def->id;
    } else {
        int r = op_param(p, k, start, nm, nl);
        if (r < 0)
            return -1;
        if (r == 0)
            return ps_error(p, start, "unknown expansion operator \"%.*s\"",
                            (int)nl, nm);
        if (op_check(p, k, start, nm, nl) < 0)
            return -1;
    }
    if (ps_string(p, PS_BRACE, &seq) < 0)
        return -1;
    p->i++;
    ps_link(p, k, seq, &last);
    *out = k;
    return 0;
}

/* ---- conditions ---- */

static int cond_def(struct ps *p, uint32_t k, uint32_t *last)
{
    uint32_t c;
    if (!ps_at(p, ':'))
        return ps_error(p, p->i, "\":\" expected after \"def\"");
    p->i++;
    uint32_t ns = p->i;
    if (p->i >= p->n || !x_alpha((unsigned char)p->s[p->i]))
        return ps_error(p, p->i, "variable name omitted after \"def:\"");
    uint32_t nl = ps_name(p);
    /* def:h_name: is a header test; the name runs to a colon. */
    int h = ps_header(p, ns, ns, &c);
    if (h < 0)
        return -1;
    if (h > 0) {
        ps_link(p, k, c, last);
        return 0;
    }
    if (ps_var_name(p, ns, ns, nl, 1, &c) < 0)
        return -1;
    ps_link(p, k, c, last);
    return 0;
}

static int cond_andor(struct ps *p, uint32_t k, uint32_t *last,
                      const char *name)
{
    ps_skip_space(p);
    if (!ps_at(p, '{'))
        return ps_error(p, p->i, "missing { after \"%s\"", name);
    p->i++;
    for (;;) {
        uint32_t c;
        ps_skip_space(p);
        if (ps_at(p, '}')) {
            p->i++;
            return 0;
        }
        if (!ps_at(p, '{'))
            return ps_error(p, p->i, "each subcondition inside an \"%s{...}\""
                            " condition must be in its own {}", name);
        p->i++;
        if (ps_cond(p, &c) < 0)
            return -1;
        ps_skip_space(p);
        if (!ps_at(p, '}'))
            return ps_error(p, p->i, "missing } at end of condition inside "
                            "\"%s\"", name);
        p->i++;
        ps_link(p, k, c, last);
    }
}

static int cond_body(struct ps *p, uint32_t k, const struct exp_name *def)
{
    uint32_t last = 0, c;
    switch (def->id) {
    case CO_DEF:
        return cond_def(p, k, &last);
    case CO_FIRST_DELIVERY:
    case CO_QUEUE_RUNNING:
        return 0;
    case CO_AND:
    case CO_OR:
        return cond_andor(p, k, &last, def->name);
    case CO_FORALL:
    case CO_FORANY: {
        int r = ps_arg(p, 0, k, &last);
        if (r == 0)
            return ps_error(p, p->i, "missing { after \"%s\"", def->name);
        if (r < 0)
            return -1;
        ps_skip_space(p);
        if (!ps_at(p, '{'))
            return ps_error(p, p->i, "missing { for condition of \"%s\"",
                            def->name);
        p->i++;
        if (ps_cond(p, &c) < 0)
            return -1;
        ps_skip_space(p);
        if (!ps_at(p, '}'))
            return ps_error(p, p->i, "missing } after condition of \"%s\"",
                            def->name);
        p->i++;
        ps_link(p, k, c, &last);
        return 0;
    }
    default:
        break;
    }
    int nodollar = def->id == CO_MATCH_ADDRESS || def->id == CO_MATCH_DOMAIN ||
                   def->id == CO_MATCH_LOCAL_PART || def->id == CO_MATCH_IP;
    for (unsigned q = 0; q < def->max; q++) {
        int r = ps_arg(p, q == 1 && nodollar ? PS_NODOLLAR : 0, k, &last);
        if (r < 0)
            return -1;
        if (r == 0)
            return ps_error(p, p->i, q == 0 ? "missing { after \"%s\"" :
                            "missing 2nd string in {} after \"%s\"",
                            def->name);
    }
    if (def->id == CO_MATCH)
        return ps_regex(p, last);
    return 0;
}

int ps_cond(struct ps *p, uint32_t *out)
{
    int neg = 0;

    if (++p->depth > EXP_MAX_NEST)
        return ps_error(p, p->i, "expansion nested too deeply");
    ps_skip_space(p);
    while (ps_at(p, '!')) {
        neg ^= 1;
        p->i++;
        ps_skip_space(p);
    }
    uint32_t cs = p->i;
    if (p->i < p->n && x_alpha((unsigned char)p->s[p->i])) {
        ps_name(p);
    } else if (p->i < p->n && strchr("=<>", p->s[p->i]) && p->s[p->i]) {
        p->i++;
        if (ps_at(p, '='))
            p->i++;
    }
    uint32_t cl = p->i - cs;
    if (cl == 0)
        return ps_error(p, cs, "condition name expected, but found \"%.16s\"",
                        tern_strndup(p->a, p->s + cs, p->n - cs));
    const struct exp_name *def = exp_find_cond(p->s + cs, cl);
    struct tern_exp_known info;
    if (!def) {
        if (!ps_known(p, TERN_EXP_CONDITION, p->s + cs, cl, &info))
            return ps_error(p, cs, "unknown condition \"%.*s\"", (int)cl,
                            p->s + cs);
        if (ps_mod(p, TERN_EXP_CONDITION, &info, cs, cs, cl, out) < 0)
            return -1;
        if (neg)
            p->nodes[*out].flags |= NF_NEG;
        p->depth--;
        return 0;
    }
    uint32_t k = ps_node(p, EN_COND, cs);
    if (!k)
        return -1;
    p->nodes[k].op = (uint16_t)def->id;
    if (neg)
        p->nodes[k].flags |= NF_NEG;
    *out = k;
    if (cond_body(p, k, def) < 0)
        return -1;
    p->depth--;
    return 0;
}
