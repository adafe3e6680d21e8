/*
 * NAME
 *   list.h - Exim list syntax
 *
 * DESCRIPTION
 *   Exim lists are colon-separated; `::` is a literal colon; a list that
 *   starts with `<` followed by a punctuation character uses that character
 *   as the separator instead (`<; a;b`); leading and trailing blanks of
 *   each item are dropped.  These iterators never allocate.
 */
#ifndef TERN_LIST_H
#define TERN_LIST_H

#include <stddef.h>

struct tern_list_iter {
    const char *p;      /* next unread character */
    char sep;
};

/* Start iterating `list` (its `<x` separator prefix is consumed). */
void tern_list_start(struct tern_list_iter *it, const char *list,
                     char default_sep);
/* Next item into buf (doubled separators un-doubled); returns NULL at the
 * end, or when an item does not fit in bufsize (then *too_long = 1). */
const char *tern_list_next(struct tern_list_iter *it, char *buf,
                           size_t bufsize, int *too_long);
/* Number of items. */
size_t tern_list_count(const char *list, char default_sep);

#endif
