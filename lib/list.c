/*
 * NAME
 *   list.c - iterating over Exim lists
 *
 * DESCRIPTION
 *   Exim's rules: leading blanks of the list and of each item are skipped,
 *   trailing blanks of each item dropped; a doubled separator stands for
 *   one literal separator character; `<` followed by a punctuation
 *   character at the start changes the separator; a trailing separator
 *   does not make an empty last item, but an empty item in the middle
 *   (`a : : b`) is kept.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "list.h"

void
tern_list_start(struct tern_list_iter *it, const char *list,
                 char default_sep)
{
    const char *p = list ? list : "";
    while (isspace((unsigned char)*p))
        p++;
    it->sep = default_sep;
    if (p[0] == '<' && p[1] != '\0' &&
        (ispunct((unsigned char)p[1]) || iscntrl((unsigned char)p[1])) &&
        !isspace((unsigned char)p[1])) {
        it->sep = p[1];
        p += 2;
    }
    it->p = p;
}

const char *
tern_list_next(struct tern_list_iter *it, char *buf, size_t bufsize,
               int *too_long)
{
    const char *p = it->p;
    size_t n = 0;

    if (too_long)
        *too_long = 0;
    while (isspace((unsigned char)*p) && *p != it->sep)
        p++;
    if (*p == '\0') {
        it->p = p;
        return NULL;
    }
    for (;;) {
        if (*p == '\0')
            break;
        if (*p == it->sep) {
            if (p[1] == it->sep) {
                p++;            /* doubled: a literal separator */
            } else {
                p++;
                break;
            }
        }
        if (n + 1 >= bufsize) {
            if (too_long)
                *too_long = 1;
            it->p = p + strlen(p);
            return NULL;
        }
        buf[n++] = *p++;
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    it->p = p;
    return buf;
}

size_t
tern_list_count(const char *list, char default_sep)
{
    struct tern_list_iter it;
    size_t count = 0;

    tern_list_start(&it, list, default_sep);
    for (;;) {
        const char *p = it.p;
        while (isspace((unsigned char)*p) && *p != it.sep)
            p++;
        if (*p == '\0')
            break;
        count++;
        while (*p != '\0') {
            if (*p == it.sep) {
                if (p[1] == it.sep) {
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            p++;
        }
        it.p = p;
    }
    return count;
}
