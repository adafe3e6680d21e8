/*
 * NAME
 *   expand_lists.c - map, filter, reduce, sort and listextract
 *
 * SYNOPSIS
 *   ${map{a:b}{[$item]}}  ${filter{a:b:c}{!eq{$item}{b}}}
 *   ${reduce{1:2:3}{0}{${eval:$value+$item}}}
 *   ${sort{3:1:2}{<}{$item}}  ${listextract{-1}{a:b:c}}
 *
 * DESCRIPTION
 *   Each item reads its first argument as an Exim list (expand_str.c)
 *   and, where it builds a list, writes it with the input's separator,
 *   doubling separators inside elements.  $item (and $value for reduce
 *   and listextract) are set while the inner strings are expanded and
 *   restored afterwards, so these nest.
 *
 *   sort is an insertion sort that puts each element before the first
 *   already placed element it compares "before" (so `lt` keeps equal
 *   keys in their original order and `le` reverses them, as Exim's does);
 *   a comparison that cannot be made counts as false, and an empty sort
 *   key is an error, both as in Exim.
 *
 * DIAGNOSTICS
 *   Errors of the inner expansions; listextract's non-numeric index.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "expand_int.h"

static int it_map(struct ev *v, uint32_t node, struct xb *out, int filter)
{
    struct xs list, item;
    struct xlist l;
    if (ev_str(v, ev_child(v, node, 0), &list) < 0)
        return -1;
    uint32_t body = ev_child(v, node, 1);
    struct xs saved = v->item;
    int first = 1, rc = 0;
    xlist_start(&l, list, ':');
    while (rc == 0 && xlist_next(&l, v->a, &item)) {
        v->item = item;
        if (filter) {
            int t = ev_cond(v, body);
            if (t < 0)
                rc = -1;
            else if (t) {
                xlist_append(out, l.sep, item, first);
                first = 0;
            }
        } else {
            struct xs r;
            if (ev_str(v, body, &r) < 0)
                rc = -1;
            else {
                xlist_append(out, l.sep, r, first);
                first = 0;
            }
        }
    }
    v->item = saved;
    return rc;
}

static int it_reduce(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs list, item, acc;
    struct xlist l;
    if (ev_str(v, ev_child(v, node, 0), &list) < 0 ||
        ev_str(v, ev_child(v, node, 1), &acc) < 0)
        return -1;
    uint32_t body = ev_child(v, node, 2);
    struct xs saved_item = v->item, saved_value = v->value;
    int rc = 0;
    xlist_start(&l, list, ':');
    while (rc == 0 && xlist_next(&l, v->a, &item)) {
        v->item = item;
        v->value = acc;
        rc = ev_str(v, body, &acc);
    }
    v->item = saved_item;
    v->value = saved_value;
    if (rc == 0)
        xb_add(out, acc.p, acc.len);
    return rc;
}

struct sortel {
    struct xs ele, key;
    int next;
};

static int it_sort(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs list, item;
    struct xlist l;
    unsigned cmp = ev_node(v, node)->c;
    if (ev_str(v, ev_child(v, node, 0), &list) < 0)
        return -1;
    uint32_t extractor = ev_child(v, node, 1);
    size_t n = 0, cap = 16;
    struct sortel *el = tern_alloc(v->a, cap * sizeof *el);
    int head = -1;
    struct xs saved = v->item;
    int rc = 0;

    xlist_start(&l, list, ':');
    while (rc == 0 && xlist_next(&l, v->a, &item)) {
        struct xs key;
        v->item = item;
        if ((rc = ev_str(v, extractor, &key)) < 0)
            break;
        if (key.len == 0) {
            rc = ev_fail(v, TERN_EXP_ERROR, node, "field-extract in sort: "
                         "\"%s\"", xs_dup(v->a, item));
            break;
        }
        if (n == cap) {
            struct sortel *ne = tern_alloc(v->a, 2 * cap * sizeof *el);
            memcpy(ne, el, cap * sizeof *el);
            el = ne;
            cap *= 2;
        }
        el[n].ele = item;
        el[n].key = key;
        /* Insert before the first element this one sorts before. */
        int *link = &head;
        while (*link >= 0 && !exp_compare(cmp, key, el[*link].key)) {
            if ((rc = ev_step(v, node)) < 0)
                break;
            link = &el[*link].next;
        }
        if (rc < 0)
            break;
        el[n].next = *link;
        *link = (int)n;
        n++;
        if (n > 100000) {
            rc = ev_fail(v, TERN_EXP_ERROR, node, "list too long for sort");
            break;
        }
    }
    v->item = saved;
    if (rc < 0)
        return -1;
    int first = 1;
    for (int k = head; k >= 0; k = el[k].next) {
        xlist_append(out, l.sep, el[k].ele, first);
        first = 0;
    }
    return 0;
}

static int it_listextract(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs num, list, item, got = xs_make("", 0);
    struct xlist l;
    if (ev_str(v, ev_child(v, node, 0), &num) < 0)
        return -1;
    num = xs_trim(num);
    if (num.len == 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "first argument of "
                       "\"listextract\" must not be empty");
    size_t i = num.p[0] == '-' ? 1 : 0;
    long long want = 0;
    if (i == num.len)
        goto notnum;
    for (; i < num.len; i++) {
        if (!x_digit((unsigned char)num.p[i]))
            goto notnum;
        if (want < 1000000000)
            want = want * 10 + (num.p[i] - '0');
    }
    if (num.p[0] == '-')
        want = -want;
    if (ev_str(v, ev_child(v, node, 1), &list) < 0)
        return -1;
    int found = 0;
    if (want != 0) {
        long long count = 0;
        if (want < 0) {
            xlist_start(&l, list, ':');
            while (xlist_next(&l, v->a, &item))
                count++;
            want = count + want + 1;
            if (want < 0)
                want = 1;       /* Exim: far past the start is the first */
        }
        long long k = 0;
        xlist_start(&l, list, ':');
        while (want > 0 && xlist_next(&l, v->a, &item))
            if (++k == want) {
                got = item;
                found = 1;
                break;
            }
    }
    struct xs saved = v->value;
    if (found)
        v->value = got;
    int rc = ev_yesno(v, node, found, 2, got, out);
    v->value = saved;
    return rc;
notnum:
    return ev_fail(v, TERN_EXP_ERROR, node, "first argument of "
                   "\"listextract\" must be numeric");
}

int ev_item_lists(struct ev *v, uint32_t node, struct xb *out)
{
    switch (ev_node(v, node)->op) {
    case IT_MAP: return it_map(v, node, out, 0);
    case IT_FILTER: return it_map(v, node, out, 1);
    case IT_REDUCE: return it_reduce(v, node, out);
    case IT_SORT: return it_sort(v, node, out);
    default: return it_listextract(v, node, out);
    }
}
