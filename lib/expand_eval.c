/*
 * NAME
 *   expand_eval.c - evaluate a parsed expansion
 *
 * SYNOPSIS
 *   status = tern_exp_eval(exp, &env, arena, &result);
 *   status = tern_exp_expand(src, len, &env, arena, &result);
 *
 * DESCRIPTION
 *   Walks the node array from the root sequence, appending to an arena
 *   string builder.  The state that Exim keeps in globals ($value, $item,
 *   $0..$n) lives in struct ev and is saved and restored around the
 *   items that set it, so one evaluation can never disturb another and a
 *   worker can evaluate for many sessions at once.
 *
 *   Every string built is bounded by env->max_len (64 MiB by default), all
 *   string building together by 16 times that, the number of evaluation
 *   steps by MAX_STEPS and recursion by EXP_MAX_DEPTH, so neither a
 *   hostile plan nor a runaway ${map} can exhaust memory, time or stack.
 *
 * DIAGNOSTICS
 *   The first failure wins: its status (forced, error, defer), message
 *   and the source offset of the node that failed are returned in
 *   struct tern_exp_result.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

#define DEFAULT_MAX (64u * 1024u * 1024u)

#define BUDGET_FACTOR 16                /* budget = 16 x max_len */
#define MAX_STEPS 20000000UL

void ev_xb(struct ev *v, struct xb *b)
{
    xb_init(b, v->a, v->max);
    b->budget = &v->budget;
}

int ev_step(struct ev *v, uint32_t node)
{
    if (v->steps == 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "expansion too complex");
    v->steps--;
    return 0;
}

const struct tern_exp_node *ev_node(const struct ev *v, uint32_t i)
{
    return &v->e->nodes[i];
}

struct xs ev_text(const struct ev *v, uint32_t off, uint32_t len)
{
    return xs_make(v->e->text + off, len);
}

int ev_fail(struct ev *v, unsigned status, uint32_t node, const char *fmt,
            ...)
{
    if (v->err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    v->err = tern_vprintf(v->a, fmt, ap);
    va_end(ap);
    v->status = status;
    v->err_off = node < v->e->n_nodes ? v->e->nodes[node].src : 0;
    return -1;
}

uint32_t ev_child(const struct ev *v, uint32_t node, unsigned n)
{
    const struct tern_exp_node *p = ev_node(v, node);
    if (n >= p->b)
        return 0;
    uint32_t c = p->a;
    while (c && n--)
        c = ev_node(v, c)->next;
    return c;
}

static int ev_var(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    switch (n->op) {
    case VAR_VALUE:
        xb_add(out, v->value.p, v->value.len);
        return 0;
    case VAR_ITEM:
        xb_add(out, v->item.p, v->item.len);
        return 0;
    default:
        break;
    }
    struct xs nm0 = ev_text(v, n->a, n->b);
    if (v->runrc_set && xs_eq(nm0, "runrc")) {
        xb_addf(out, "%d", v->runrc);
        return 0;
    }
    if (!v->env->variable)
        return 0;
    const char *val = NULL;
    size_t vlen = 0;
    struct xs name = ev_text(v, n->a, n->b);
    char *nm = xs_dup(v->a, name);
    int rc = v->env->variable(v->env->arg, nm, name.len, &val, &vlen);
    if (rc != TERN_OK)
        return ev_fail(v, TERN_EXP_ERROR, node, "unknown variable name "
                       "\"%s\"", nm);
    if (val)
        xb_add(out, val, vlen);
    return 0;
}

static int ev_header(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    if (!v->env->header)
        return 0;
    struct xs name = ev_text(v, n->a, n->b);
    char *val = NULL;
    size_t vlen = 0;
    int rc = v->env->header(v->env->arg, n->op, xs_dup(v->a, name),
                            name.len, v->a, &val, &vlen);
    if (rc == TERN_OK && val)
        xb_add(out, val, vlen);
    return 0;
}

int ev_string(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    int rc = 0;

    if (++v->depth > EXP_MAX_DEPTH)
        return ev_fail(v, TERN_EXP_ERROR, node, "expansion nested too "
                       "deeply");
    if (ev_step(v, node) < 0)
        return -1;
    switch (n->type) {
    case EN_NONE:
        break;
    case EN_SEQ:
        for (uint32_t c = n->b ? n->a : 0, k = 0; c && k < n->b && rc == 0;
             c = ev_node(v, c)->next, k++)
            rc = ev_string(v, c, out);
        break;
    case EN_LIT:
        xb_add(out, v->e->text + n->a, n->b);
        break;
    case EN_VAR:
        rc = ev_var(v, node, out);
        break;
    case EN_NUMVAR:
        if (n->a < v->n_nums)
            xb_add(out, v->nums[n->a].p, v->nums[n->a].len);
        break;
    case EN_HEADER:
        rc = ev_header(v, node, out);
        break;
    case EN_ITEM:
        rc = ev_item(v, node, out);
        break;
    case EN_OPER:
        rc = ev_oper(v, node, out);
        break;
    case EN_MOD:
        rc = ev_mod(v, node, out, NULL);
        break;
    default:
        rc = ev_fail(v, TERN_EXP_ERROR, node, "condition used as a string");
        break;
    }
    v->depth--;
    if (rc == 0 && out->overflow)
        rc = ev_fail(v, TERN_EXP_ERROR, node, out->budget && !*out->budget
                     ? "expansion uses too much memory"
                     : "expansion result too long");
    return rc;
}

int ev_str(struct ev *v, uint32_t node, struct xs *res)
{
    struct xb b;
    ev_xb(v, &b);
    if (node && ev_string(v, node, &b) < 0)
        return -1;
    *res = xb_str(&b);
    return 0;
}

int ev_yesno(struct ev *v, uint32_t node, int ok, unsigned yes_index,
             struct xs defval, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    uint32_t yes = ev_child(v, node, yes_index);
    uint32_t no = ev_child(v, node, yes_index + 1);

    if (ok) {
        if (yes)
            return ev_string(v, yes, out);
        xb_add(out, defval.p, defval.len);
        return 0;
    }
    if (no)
        return ev_string(v, no, out);
    if (n->flags & NF_FAIL)
        return ev_fail(v, TERN_EXP_FORCED, node, "\"%s\" failed and \"fail\" "
                       "requested", exp_item_name(n->op));
    return 0;
}

/* A module-provided item, operator or condition: expand every argument,
 * then ask the host. */
int ev_mod(struct ev *v, uint32_t node, struct xb *out, int *truth)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct xs name = ev_text(v, n->c, n->d);
    char *nm = xs_dup(v->a, name);
    const char **argv = tern_alloc(v->a, (n->b + 1) * sizeof *argv);
    unsigned k = 0;

    if ((n->op == TERN_EXP_CONDITION) != (truth != NULL))
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" used in the wrong "
                       "place", nm);
    for (uint32_t c = n->b ? n->a : 0; c && k < n->b;
         c = ev_node(v, c)->next, k++) {
        struct xs s;
        if (ev_str(v, c, &s) < 0)
            return -1;
        argv[k] = s.p;
    }
    if (!v->env->item)
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not available "
                       "here", nm);
    char *res = NULL;
    const char *err = NULL;
    int rc = v->env->item(v->env->arg, n->op, nm, (int)k, argv, v->a, &res,
                          &err);
    if (truth && (rc == TERN_OK || rc == TERN_FAIL)) {
        int t = rc == TERN_OK;
        *truth = (n->flags & NF_NEG) ? !t : t;
        return 0;
    }
    if (rc == TERN_OK) {
        if (res && out)
            xb_adds(out, res);
        return 0;
    }
    if (rc == TERN_DEFER)
        return ev_fail(v, TERN_EXP_FORCED, node, "\"%s\" deferred", nm);
    return ev_fail(v, TERN_EXP_ERROR, node, "%s", err ? err :
                   tern_printf(v->a, "\"%s\" failed", nm));
}

/* Evaluate `e` with an existing state: for ${expand:..} and the second
 * expansion of the ${sg} replacement.  Errors inside are reported at
 * `at`, the node that asked, since the inner offsets mean nothing in the
 * outer source. */
int ev_nested(struct ev *v, const struct tern_exp *e, uint32_t at,
              struct xb *out)
{
    const struct tern_exp *outer = v->e;
    uint32_t src = at < outer->n_nodes ? outer->nodes[at].src : 0;
    v->e = e;
    int rc = ev_string(v, e->root, out);
    v->e = outer;
    if (rc < 0)
        v->err_off = src;
    return rc;
}

/* Parse at run time with the environment's schema. */
int ev_parse(struct ev *v, uint32_t at, struct xs s, struct tern_exp **e)
{
    struct tern_exp_error perr;
    if (tern_exp_parse(v->a, s.p, s.len, v->env->schema, 0, e, &perr) == 0)
        return 0;
    return ev_fail(v, TERN_EXP_ERROR, at, "%s", perr.msg);
}

static void result_init(struct tern_exp_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = TERN_EXP_ERROR;
}

unsigned tern_exp_eval(const struct tern_exp *e,
                       const struct tern_exp_env *env,
                       struct tern_arena *a, struct tern_exp_result *r)
{
    static const struct tern_exp_env none;
    struct ev v;

    result_init(r);
    memset(&v, 0, sizeof v);
    v.e = e;
    v.env = env ? env : &none;
    v.a = a;
    v.max = v.env->max_len ? v.env->max_len : DEFAULT_MAX;
    v.budget = v.max > SIZE_MAX / BUDGET_FACTOR ? SIZE_MAX
                                                : v.max * BUDGET_FACTOR;
    v.steps = MAX_STEPS;
    v.value = v.item = xs_make("", 0);
    struct xb out;
    ev_xb(&v, &out);
    if (!e || e->root >= e->n_nodes) {
        r->err = "no expansion";
        return r->status;
    }
    int rc = ev_string(&v, e->root, &out);
    r->runrc_set = v.runrc_set;
    r->runrc = v.runrc;
    if (rc < 0) {
        r->status = v.status;
        r->err = v.err;
        r->err_offset = v.err_off;
        return r->status;
    }
    struct xs s = xb_str(&out);
    r->status = TERN_EXP_OK;
    r->str = (char *)s.p;
    r->len = s.len;
    return r->status;
}

unsigned tern_exp_expand(const char *src, size_t len,
                         const struct tern_exp_env *env,
                         struct tern_arena *a, struct tern_exp_result *r)
{
    struct tern_exp *e;
    struct tern_exp_error perr;

    result_init(r);
    if (tern_exp_parse(a, src, len, env ? env->schema : NULL, 0, &e,
                       &perr) < 0) {
        r->err = perr.msg;
        r->err_offset = perr.offset;
        return r->status;
    }
    return tern_exp_eval(e, env, a, r);
}
