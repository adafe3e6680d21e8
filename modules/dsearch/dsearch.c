/*
 * NAME
 *   dsearch.c - the dsearch module: look a name up in a directory
 *
 * SYNOPSIS
 *   ${lookup{$local_part}dsearch{/var/mail/users}}
 *   ${lookup{$domain}dsearch,ret=full,filter=subdir{/srv/vhosts}}
 *
 * DESCRIPTION
 *   As Exim 4.96: the "file" is a directory, and the lookup succeeds when
 *   lstat() finds an entry of that name in it (symbolic links are not
 *   followed; names are case-sensitive).  The result is the key, or with
 *   ret=full the directory and the key joined by a slash.  filter=file
 *   accepts regular files only, filter=dir directories including "." and
 *   "..", filter=subdir directories other than those two; several
 *   filters accept what any of them accepts.  Unknown options and values
 *   are ignored, as 4.96 ignores them (later Exim releases add
 *   filter=nodots, which 4.96 does not know).
 *
 *   open() only checks that the directory can be opened, so a missing
 *   directory defers the lookup rather than making every key miss.
 *
 * DIAGNOSTICS
 *   "failed to open DIR for directory search: ERRNO" (open),
 *   "key for dsearch lookup contains a slash: KEY" (find); both defer.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lookup_util.h"
#include "dsearch_schema.h"

/* The handle only has to be non-NULL: every find() stats afresh. */
static char ds_handle;

static void *ds_open(const char *dirname, const char **err)
{
    DIR *d = opendir(dirname);

    if (d == NULL) {
        *err = lk_err("failed to open %s for directory search: %s", dirname,
                      strerror(errno));
        return NULL;
    }
    closedir(d);
    return &ds_handle;
}

static void ds_close(void *handle)
{
    (void)handle;
}

/* Does the entry pass the filter options?  Several filters widen the
 * match (filter=file,filter=dir takes files and directories), as 4.96
 * does; none means any entry. */
static int ds_filter(const char *opts, const char *name, size_t len,
                     const struct stat *st)
{
    const char *p = opts ? opts : "", *item;
    size_t n;
    int any = 0, ok = 0;
    int dots = (len == 1 && name[0] == '.') ||
               (len == 2 && name[0] == '.' && name[1] == '.');

    while (lk_option_next(&p, &item, &n)) {
        if (n < 7 || memcmp(item, "filter=", 7) != 0)
            continue;
        item += 7;
        n -= 7;
        if (n == 4 && memcmp(item, "file", 4) == 0)
            ok |= S_ISREG(st->st_mode);
        else if (n == 3 && memcmp(item, "dir", 3) == 0)
            ok |= S_ISDIR(st->st_mode);
        else if (n == 6 && memcmp(item, "subdir", 6) == 0)
            ok |= S_ISDIR(st->st_mode) && !dots;
        else
            continue;           /* unknown filters are ignored */
        any = 1;
    }
    return !any || ok;
}

static int ds_find(void *handle, const char *dirname, const char *key,
                   size_t klen, const char *opts, char **result,
                   size_t *rlen, const char **err, struct tern_ctx *ctx)
{
    char path[PATH_MAX];
    struct stat st;

    (void)handle;
    (void)ctx;
    if (memchr(key, '/', klen)) {
        *err = lk_err("key for dsearch lookup contains a slash: %.*s",
                      (int)klen, key);
        return TERN_DEFER;
    }
    /* A NUL cannot be part of a file name: no such entry. */
    if (memchr(key, '\0', klen))
        return TERN_FAIL;
    int n = snprintf(path, sizeof path, "%s/%.*s", dirname, (int)klen, key);
    if (n < 0 || (size_t)n >= sizeof path)
        return TERN_FAIL;       /* too long to exist */
    if (lstat(path, &st) != 0 || !ds_filter(opts, key, klen, &st))
        return TERN_FAIL;
    if (lk_option_is(opts, "ret", "full"))
        return lk_result(path, (size_t)n, result, rlen, err);
    return lk_result(key, klen, result, rlen, err);
}

static const struct tern_lookup lk_dsearch = {
    .name = "dsearch",
    .style = TERN_LOOKUP_SINGLE_KEY,
    .open = ds_open,
    .close = ds_close,
    .find_opt = ds_find,
    .free_result = lk_free_result,
};

static const struct tern_lookup *const lookups[] = { &lk_dsearch, NULL };

TERN_EXPORT const struct tern_module dsearch_LTX_tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "dsearch",
    .version = DSEARCH_SCHEMA_VERSION,
    .schema_hash = DSEARCH_SCHEMA_HASH,
    .lookups = lookups,
};
