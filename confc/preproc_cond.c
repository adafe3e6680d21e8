/*
 * NAME
 *   preproc_cond.c - .ifdef, .ifndef, .elifdef, .elifndef, .else, .endif
 *
 * DESCRIPTION
 *   Exim's test is deliberately simple: a condition is true when macro
 *   substitution changed the rest of the directive's line, so
 *   `.ifdef A B` is true when either is defined, and `.ifdef AAA` is true
 *   when `A` is.  Directives are physical lines, obeyed even in the middle
 *   of a continued setting and even in skipped regions (to keep the
 *   nesting right).  Text after .else and .endif is a comment.
 *
 *   The state is Exim's: 0 reading, 1 skipping while looking for a true
 *   branch, 2 skipping to the .endif because a branch was taken or the
 *   enclosing region is skipped.  An .ifdef opened in an included file
 *   may be closed in the file that included it, as in Exim.
 *
 * DIAGNOSTICS
 *   A condition without a macro name (when it is evaluated), .elifdef,
 *   .else or .endif without an .ifdef, a second .else, an .elif after
 *   .else, and at the end of the configuration every .ifdef left open.
 *   Exim accepts the second .else and the .elif after .else silently.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "preproc_int.h"

enum { C_IF, C_ELIF, C_ELSE, C_ENDIF };

static const struct {
    const char *name;
    int kind;
    int negate;
} conds[] = {
    { "ifdef", C_IF, 0 },     { "ifndef", C_IF, 1 },
    { "elifdef", C_ELIF, 0 }, { "elifndef", C_ELIF, 1 },
    { "else", C_ELSE, 0 },    { "endif", C_ENDIF, 0 },
};

static void
without_if(const struct tern_srcpos *p, const char *name,
           struct tern_diags *d)
{
    tern_diag_add(d, TERN_ERROR_SEV, p, NULL,
                  "'.%s' without a matching '.ifdef' or '.ifndef'", name);
}

/* The condition of .ifdef/.elifdef, or -1 when it has no macro name. */
static int
condition(const struct cc_pp_text *t, size_t after, int found)
{
    if (found)
        return 1;
    return cc_pp_skip_blanks(t->s, after, t->len) < t->len ? 0 : -1;
}

static void
push(struct cc_pp_cond *c, const struct tern_srcpos *opener)
{
    c->v = cc_pp_grow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    struct cc_pp_cond_frame *f = &c->v[c->n++];
    memset(f, 0, sizeof *f);
    f->saved = c->state;
    f->opener = *opener;
}

static void
else_twice(const struct cc_pp_cond_frame *f, const struct tern_srcpos *p,
           const char *name, struct tern_arena *a, struct tern_diags *d)
{
    char *hint = tern_printf(a, "the '.else' of this '.%s' is on line %u",
                             f->opener_name, f->else_pos.line);
    tern_diag_add(d, TERN_ERROR_SEV, p, hint, "'.%s' after '.else'", name);
}

int
cc_pp_cond_directive(struct cc_pp_cond *c, struct tern_arena *a,
                     const struct cc_pp_phys *ph, const struct cc_pp_text *t,
                     size_t ss, int found, struct tern_diags *d)
{
    size_t k, wl = 0;
    for (k = 0; k < sizeof conds / sizeof *conds; k++) {
        wl = strlen(conds[k].name);
        if (t->len - ss - 1 >= wl &&
            memcmp(t->s + ss + 1, conds[k].name, wl) == 0 &&
            (ss + 1 + wl == t->len ||
             cc_pp_is_blank((unsigned char)t->s[ss + 1 + wl])))
            break;
    }
    if (k == sizeof conds / sizeof *conds)
        return 0;

    const char *name = conds[k].name;
    size_t after = ss + 1 + wl;
    struct tern_srcpos p = cc_pp_pos(ph, t, ss, (unsigned)(wl + 1));
    struct cc_pp_cond_frame *top = c->n ? &c->v[c->n - 1] : NULL;
    int cond = 0;

    if (conds[k].kind == C_IF || conds[k].kind == C_ELIF) {
        int evaluated = conds[k].kind == C_IF ? c->state == 0
                                              : c->state == 1;
        cond = condition(t, after, found);
        if (cond < 0 && evaluated && (conds[k].kind == C_IF || top)) {
            struct tern_srcpos q = cc_pp_pos(ph, t, after, 1);
            tern_diag_add(d, TERN_ERROR_SEV, &q,
                          "the condition is true when a macro named on the "
                          "line is defined",
                          "'.%s' needs a macro name", name);
        }
        cond = cond > 0;
        if (conds[k].negate)
            cond = !cond;
    }

    switch (conds[k].kind) {
    case C_IF:
        push(c, &p);
        c->v[c->n - 1].opener_name = name;
        c->state = c->state == 0 ? (cond ? 0 : 1) : 2;
        break;
    case C_ELIF:
        if (top == NULL)
            without_if(&p, name, d);
        else if (top->seen_else)
            else_twice(top, &p, name, a, d);
        else
            c->state = c->state == 1 ? (cond ? 0 : 1) : 2;
        break;
    case C_ELSE:
        if (top == NULL) {
            without_if(&p, name, d);
        } else if (top->seen_else) {
            else_twice(top, &p, name, a, d);
        } else {
            top->seen_else = 1;
            top->else_pos = p;
            c->state = c->state == 1 ? 0 : 2;
        }
        break;
    default:
        if (top == NULL) {
            without_if(&p, name, d);
        } else {
            c->state = top->saved;
            c->n--;
        }
        break;
    }
    return 1;
}

void
cc_pp_cond_finish(struct cc_pp_cond *c, struct tern_diags *d)
{
    for (size_t i = 0; i < c->n; i++)
        tern_diag_add(d, TERN_ERROR_SEV, &c->v[i].opener,
                      "every .ifdef and .ifndef needs a matching .endif",
                      "'.%s' without a matching '.endif'",
                      c->v[i].opener_name);
    c->n = 0;
    c->state = 0;
}

void
cc_pp_cond_free(struct cc_pp_cond *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}
