/*
 * NAME
 *   lookup_util.h - small helpers shared by the lookup modules
 *
 * SYNOPSIS
 *   #include "../lookup_util.h"
 *
 *   *err = lk_err("failed to open %s: %s", file, strerror(errno));
 *   return lk_result(data, len, result, result_len, err);
 *   ... .free_result = lk_free_result ...
 *
 * DESCRIPTION
 *   The lookup contract of tern/module.h: a module hands back results it
 *   malloc'd, and the host copies each into the caller's arena and gives
 *   it back to the module's free_result at once, so nothing a lookup
 *   returns outlives the message that asked.  Error text stays valid
 *   until the next call into the module, which a per-module (and
 *   per-thread) buffer satisfies.
 *
 *   Everything here is static, so each module carries its own copy and
 *   depends on nothing inside libtern.
 */
#ifndef TERN_MODULES_LOOKUP_UTIL_H
#define TERN_MODULES_LOOKUP_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/module.h>

__attribute__((unused)) static _Thread_local char lk_errbuf[1024];

/* Format an error message into the module's buffer and return it. */
__attribute__((format(printf, 1, 2), unused))
static const char *lk_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(lk_errbuf, sizeof lk_errbuf, fmt, ap);
    va_end(ap);
    return lk_errbuf;
}

/* A malloc'd, NUL-terminated copy of p[0..n) as a find() result. */
__attribute__((unused))
static int lk_result(const char *p, size_t n, char **result,
                     size_t *result_len, const char **err)
{
    char *r = malloc(n + 1);

    if (r == NULL) {
        *err = "out of memory";
        return TERN_DEFER;
    }
    if (n)
        memcpy(r, p, n);
    r[n] = '\0';
    *result = r;
    if (result_len)
        *result_len = n;
    return TERN_OK;
}

/* free_result for results made by lk_result. */
__attribute__((unused))
static void lk_free_result(char *result)
{
    free(result);
}

/* Iterate over the comma-separated items of an option list, blanks
 * around each dropped: 1 with the next item in (*item, *len), 0 at the
 * end.  *pp starts at the list. */
__attribute__((unused))
static int lk_option_next(const char **pp, const char **item, size_t *len)
{
    const char *p = *pp;

    while (*p) {
        const char *e = strchr(p, ',');
        const char *end = e ? e : p + strlen(p);
        *pp = e ? e + 1 : end;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > p) {
            *item = p;
            *len = (size_t)(end - p);
            return 1;
        }
        p = *pp;
    }
    return 0;
}

/* Find option `name` in a "name=value,..." list (the last of repeated
 * options wins).  1 with the value in val[0..*vlen), else 0. */
__attribute__((unused))
static int lk_option(const char *opts, const char *name, const char **val,
                     size_t *vlen)
{
    size_t nl = strlen(name), n;
    const char *p = opts ? opts : "", *item;
    int found = 0;

    while (lk_option_next(&p, &item, &n))
        if (n > nl && memcmp(item, name, nl) == 0 && item[nl] == '=') {
            *val = item + nl + 1;
            *vlen = n - nl - 1;
            found = 1;
        }
    return found;
}

/* Is option `name` present with exactly `value`? */
__attribute__((unused))
static int lk_option_is(const char *opts, const char *name, const char *value)
{
    const char *v = NULL;       /* set whenever lk_option() says found; */
    size_t n = 0;               /* gcc -O2 cannot see that */

    return lk_option(opts, name, &v, &n) && n == strlen(value) &&
           memcmp(v, value, n) == 0;
}

#endif
