/*
 * NAME
 *   expand_check.c - verify a parsed expansion taken from a plan
 *
 * SYNOPSIS
 *   if (tern_exp_check(&exp, err, sizeof err) < 0) refuse(err);
 *
 * DESCRIPTION
 *   A plan is mapped from a file, so its expansion images are not
 *   trusted until checked: node 0 is the empty node, the root is a
 *   sequence, every type and op is known, every text range lies inside
 *   the text buffer, and every link (first child, next sibling) points
 *   to a higher index inside the array, and no node is linked to twice.
 *   Forward-only links mean the graph has no cycles, and single links
 *   that it is a tree, so evaluation terminates in time linear in the
 *   image (a shared subtree could be evaluated exponentially often); the
 *   evaluator's depth
 *   limit bounds its recursion and its own checks cope with children
 *   that are missing or of the wrong kind.  The check is linear in the
 *   number of nodes.
 *
 * DIAGNOSTICS
 *   The first problem found, naming the node index.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "expand_int.h"

static int range_ok(const struct tern_exp *e, uint32_t off, uint32_t len)
{
    return off <= e->text_len && len <= e->text_len - off;
}

static int max_op(unsigned type)
{
    switch (type) {
    case EN_VAR: return VAR_MAX;
    case EN_HEADER: return TERN_EXP_HDR_LIST;
    case EN_ITEM: return IT_MAX;
    case EN_OPER: return OP_MAX;
    case EN_COND: return CO_MAX;
    case EN_MOD: return TERN_EXP_CONDITION;
    default: return 0;
    }
}

/* Mark node c as linked to; -1 if it already was. */
static int claim(unsigned char *seen, uint32_t c)
{
    if (seen[c / 8] & (1u << (c % 8)))
        return -1;
    seen[c / 8] |= (unsigned char)(1u << (c % 8));
    return 0;
}

static int check_node(const struct tern_exp *e, uint32_t i,
                      unsigned char *seen, char *err, size_t errlen)
{
    const struct tern_exp_node *n = &e->nodes[i];
    if (n->type == EN_NONE || n->type > EN_MAX) {
        snprintf(err, errlen, "node %u: bad type %u", i, n->type);
        return -1;
    }
    int mo = max_op(n->type);
    if (n->op > mo || (mo && n->type != EN_VAR && n->type != EN_HEADER &&
                       n->op == 0)) {
        snprintf(err, errlen, "node %u: bad op %u", i, n->op);
        return -1;
    }
    if (n->next && (n->next <= i || n->next >= e->n_nodes ||
                    claim(seen, n->next) < 0)) {
        snprintf(err, errlen, "node %u: bad sibling link", i);
        return -1;
    }
    int text = 0, kids = 0;
    switch (n->type) {
    case EN_LIT: case EN_VAR: case EN_HEADER:
        text = range_ok(e, n->a, n->b);
        if (!text) {
            snprintf(err, errlen, "node %u: text out of range", i);
            return -1;
        }
        return 0;
    case EN_NUMVAR:
        return 0;
    case EN_ITEM:
        if (n->op == IT_LOOKUP && !range_ok(e, n->c, n->d))
            goto badtext;
        kids = 1;
        break;
    case EN_OPER:
        if ((n->flags & NF_PTEXT) && !range_ok(e, n->c, n->d))
            goto badtext;
        kids = 1;
        break;
    case EN_MOD:
        if (!range_ok(e, n->c, n->d))
            goto badtext;
        kids = 1;
        break;
    default:
        kids = 1;
        break;
    }
    if (kids && n->b) {
        uint32_t c = n->a;
        if (c == 0 || c <= i || c >= e->n_nodes || claim(seen, c) < 0) {
            snprintf(err, errlen, "node %u: bad child link", i);
            return -1;
        }
        for (uint32_t k = 0; k < n->b; k++) {
            if (c == 0 || c <= i || c >= e->n_nodes) {
                snprintf(err, errlen, "node %u: bad child link", i);
                return -1;
            }
            if (k + 1 < n->b)
                c = e->nodes[c].next;
        }
    }
    return 0;
badtext:
    snprintf(err, errlen, "node %u: parameter text out of range", i);
    return -1;
}

int tern_exp_check(const struct tern_exp *e, char *err, size_t errlen)
{
    if (!e || !e->nodes || e->n_nodes < 2 || (e->text_len && !e->text)) {
        snprintf(err, errlen, "empty expansion image");
        return -1;
    }
    if (e->nodes[0].type != EN_NONE) {
        snprintf(err, errlen, "node 0 is not the empty node");
        return -1;
    }
    if (e->root == 0 || e->root >= e->n_nodes ||
        e->nodes[e->root].type != EN_SEQ) {
        snprintf(err, errlen, "bad root node %u", e->root);
        return -1;
    }
    unsigned char *seen = calloc((size_t)e->n_nodes / 8 + 1, 1);
    if (!seen) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = claim(seen, e->root);
    for (uint32_t i = 1; i < e->n_nodes && rc == 0; i++)
        rc = check_node(e, i, seen, err, errlen);
    free(seen);
    return rc;
}
