/*
 * NAME
 *   match_list.c - walking a domain, host, address or local part list
 *
 * DESCRIPTION
 *   What is common to the four kinds of list, following Exim 4.96:
 *
 *   - Items are tried left to right; the first that matches decides.  A
 *     matching item written `!item` (blanks may follow the `!`) means
 *     "not in the list".  When no item matches, the subject is in the
 *     list only if the last item was negative (a list ending in a
 *     negative item behaves as if `: *` followed it).
 *   - `+name` consults the named list of the same kind through the
 *     named_list hook.  Its text is expanded each time (when it holds
 *     `$` or `\` and there is an expand hook); a forced failure of that
 *     expansion means "not in that list", any other failure defers.  Its
 *     result is cached per subject when the list, and every named list
 *     it consulted, contains no `$` - or was defined with `_cache` - and
 *     none was defined no-cache.  A negation written in a named list does
 *     not reach out of it: `+name` matches only when the named list says
 *     the subject is in it.
 *   - `/file` (possibly `!/file`) stands for the lines of the file, read
 *     each time: blank lines skipped; `#` starts a comment anywhere in
 *     domain and host lists, but only at the start of a line or after
 *     white space in address and local part lists; each line may be
 *     negated, and `!/file` inverts every match inside.  Lines are plain
 *     items: no further files, named lists or `+` options.
 *   - Host lists honour `+include_unknown`, `+ignore_unknown`,
 *     `+include_defer`, `+ignore_defer` in the list that holds them (not
 *     in named lists it refers to); address and local part lists honour
 *     `+caseful`, which lasts for the rest of the match, named lists
 *     included.
 *   - The value of a match ($domain_data and friends) is set by the item
 *     that matched, inside named lists and files too, and is kept even
 *     when that item was negative and the scan went on; that is what
 *     Exim shows in $value.
 *
 * DIAGNOSTICS
 *   An unknown named list, or named lists nested more than 32 deep (a
 *   loop), is TERN_ERROR; a file that cannot be opened defers.  The
 *   first failure's message is kept, with the item that caused it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern/module.h>

#include "arena.h"
#include "list.h"
#include "match_int.h"

/* A scan found no deciding item yet (files). */
#define MT_GO_ON 11

/* The host-list options in force in one list: for each kind of trouble
 * the latest of +include_x (INCLUDE) or +ignore_x (IGNORE). */
enum { MODE_NONE = 0, MODE_INCLUDE = 1, MODE_IGNORE = 2 };
struct modes {
    int unknown, defer;
};

static const char *const kind_names[] = {
    "", "domain", "host", "address", "local part"
};

void mt_init(struct mt *m, const struct tern_match_env *env,
             struct tern_match_cache *cache, unsigned flags,
             struct tern_arena *a)
{
    memset(m, 0, sizeof *m);
    m->env = env;
    m->cache = cache;
    m->flags = flags;
    m->a = a;
    m->caseful = (flags & TERN_MATCH_CASEFUL) != 0;
    m->domain = m->local = m->local_orig = m->local_lc = "";
    m->address = m->address_orig = m->address_lc = "";
    m->ip = "";
}

int mt_fail(struct mt *m, int rc, const char *item, const char *fmt, ...)
{
    if (!m->err) {
        va_list ap;
        va_start(ap, fmt);
        m->err = tern_vprintf(m->a, fmt, ap);
        va_end(ap);
        m->err_item = item ? tern_strdup(m->a, item) : NULL;
    }
    return rc;
}

const char *mt_subject(const struct mt *m, unsigned kind)
{
    switch (kind) {
    case TERN_MATCH_DOMAIN:
        return m->domain;
    case TERN_MATCH_LOCALPART:
        return m->local;
    case TERN_MATCH_ADDRESS:
        return m->address;
    default:
        return m->ip;
    }
}

int mt_item(struct mt *m, unsigned kind, const char *item)
{
    switch (kind) {
    case TERN_MATCH_DOMAIN:
        return mt_domain_item(m, item);
    case TERN_MATCH_LOCALPART:
        return mt_local_item(m, item);
    case TERN_MATCH_ADDRESS:
        return mt_address_item(m, item);
    default:
        return mt_host_item(m, item);
    }
}

/* `+option` items; 1 when `item` was one (and is now in force). */
static int option_item(struct mt *m, unsigned kind, const char *item,
                       struct modes *md)
{
    static const struct {
        const char *name;
        int unknown;            /* which mode it sets */
        int mode;
    } opts[] = {
        { "+include_unknown", 1, MODE_INCLUDE },
        { "+ignore_unknown", 1, MODE_IGNORE },
        { "+include_defer", 0, MODE_INCLUDE },
        { "+ignore_defer", 0, MODE_IGNORE },
    };
    if (kind == TERN_MATCH_HOST) {
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
            if (strcmp(item, opts[i].name) == 0) {
                *(opts[i].unknown ? &md->unknown : &md->defer) = opts[i].mode;
                return 1;
            }
    } else if ((kind == TERN_MATCH_ADDRESS || kind == TERN_MATCH_LOCALPART)
               && strcmp(item, "+caseful") == 0) {
        m->caseful = 1;
        m->local = m->local_orig;
        m->address = m->address_orig;
        return 1;
    }
    return 0;
}

/* What the host-list options make of an item that could not be decided
 * (MT_UNKNOWN or TERN_DEFER): MT_GO_ON to ignore it, else the list's
 * result. */
static int apply_modes(struct mt *m, int rc, const struct modes *md)
{
    int mode = rc == MT_UNKNOWN ? md->unknown : md->defer;
    if (mode == MODE_IGNORE) {
        m->err = NULL;
        m->err_item = NULL;
        return MT_GO_ON;
    }
    if (mode == MODE_INCLUDE)
        return TERN_OK;
    return rc == MT_UNKNOWN ? TERN_FAIL : TERN_DEFER;
}

/* Strip a file line's comment, as the kind of list wants. */
static void strip_comment(char *line, unsigned kind)
{
    for (char *p = line; *p; p++)
        if (*p == '#' && (kind == TERN_MATCH_DOMAIN ||
                          kind == TERN_MATCH_HOST || p == line ||
                          isspace((unsigned char)p[-1]))) {
            *p = '\0';
            return;
        }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* The lines of `path` as items.  TERN_OK/TERN_FAIL when a line decided
 * the list, MT_GO_ON when none did, TERN_DEFER/TERN_ERROR. */
static int file_items(struct mt *m, unsigned kind, const char *path,
                      int fneg, const struct modes *md, int *last_neg)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return mt_fail(m, TERN_DEFER, path, "failed to open %s while "
                       "checking a %s list: %s", path, kind_names[kind],
                       strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int result = MT_GO_ON;
    while (result == MT_GO_ON && getline(&line, &cap, f) >= 0) {
        strip_comment(line, kind);
        char *item = trim(line);
        int neg = 0;
        if (*item == '\0')
            continue;
        if (*item == '!') {
            neg = 1;
            item = trim(item + 1);
        }
        int rc = mt_item(m, kind, item);
        if (rc == MT_UNKNOWN || (rc == TERN_DEFER &&
                                 kind == TERN_MATCH_HOST)) {
            rc = apply_modes(m, rc, md);
            if (rc == MT_GO_ON)
                continue;
            result = rc;
        } else if (rc == TERN_OK) {
            result = neg != fneg ? TERN_FAIL : TERN_OK;
        } else if (rc == TERN_FAIL) {
            *last_neg = neg != fneg;
        } else {
            result = rc;
        }
    }
    free(line);
    fclose(f);
    return result;
}

/* Scan `list` (already expanded).  *decided gets the item that decided,
 * or NULL. */
static int scan(struct mt *m, unsigned kind, const char *list,
                const char **decided)
{
    struct tern_list_iter it;
    struct modes md = { MODE_NONE, MODE_NONE };
    size_t size = strlen(list) + 1;
    char *buf = tern_alloc(m->a, size);
    int last_neg = 0;

    *decided = NULL;
    tern_list_start(&it, list, ':');
    while (tern_list_next(&it, buf, size, NULL)) {
        const char *item = buf;
        int neg = 0, rc;
        if (*item == '!') {
            neg = 1;
            for (item++; isspace((unsigned char)*item); item++)
                ;
        } else if (*item == '+' && option_item(m, kind, item, &md)) {
            continue;
        }
        if (*item == '+') {
            rc = mt_named(m, kind, item + 1);
        } else if (*item == '/') {
            rc = file_items(m, kind, item, neg, &md, &last_neg);
            if (rc == MT_GO_ON)
                continue;
            if (rc == TERN_OK || rc == TERN_FAIL) {
                *decided = tern_strdup(m->a, item);
                return rc;
            }
        } else {
            rc = mt_item(m, kind, item);
        }
        if (rc == MT_UNKNOWN || (rc == TERN_DEFER &&
                                 kind == TERN_MATCH_HOST)) {
            rc = apply_modes(m, rc, &md);
            if (rc == MT_GO_ON)
                continue;
            if (rc == TERN_OK)
                *decided = tern_strdup(m->a, item);
            return rc;
        }
        switch (rc) {
        case TERN_OK:
            *decided = tern_strdup(m->a, item);
            return neg ? TERN_FAIL : TERN_OK;
        case TERN_FAIL:
            last_neg = neg;
            break;
        default:
            return rc;
        }
    }
    return last_neg ? TERN_OK : TERN_FAIL;
}

/* Expand a list's text when it could change; 0 with *out, or the
 * result the list has (TERN_FAIL for a forced failure, TERN_DEFER). */
static int expand(struct mt *m, unsigned kind, const char *text,
                  const char *what, const char **out)
{
    *out = text;
    if (!m->env->expand || (!strchr(text, '$') && !strchr(text, '\\')))
        return 0;
    char *res = NULL;
    const char *err = NULL;
    int rc = m->env->expand(m->env->arg, kind, mt_subject(m, kind), text,
                            m->a, &res, &err);
    if (rc == TERN_OK) {
        *out = res ? res : "";
        return 0;
    }
    if (rc == TERN_FAIL)
        return TERN_FAIL;
    return mt_fail(m, TERN_DEFER, what, "failed to expand \"%s\" while "
                   "checking a list: %s", text, err ? err : "error");
}

int mt_named(struct mt *m, unsigned kind, const char *name)
{
    const char *text = NULL, *out;
    unsigned fl = 0;
    const char *item = tern_printf(m->a, "+%s", name);

    if (!m->env->named_list ||
        m->env->named_list(m->env->arg, kind, name, &text, &fl) != TERN_OK
        || !text)
        return mt_fail(m, TERN_ERROR, item, "unknown named %s list \"+%s\"",
                       kind_names[kind], name);

    /* What, besides the subject, changes a list's answer. */
    unsigned key_fl = (m->caseful ? 1u : 0u) |
                      (m->flags & TERN_MATCH_IP_ONLY ? 2u : 0u);
    const char *subject = mt_subject(m, kind);
    int may_cache = !(fl & TERN_MATCH_LIST_NO_CACHE) &&
                    ((fl & TERN_MATCH_LIST_CACHE) || !strchr(text, '$'));
    int rc;
    const char *cval;
    if (may_cache &&
        mt_cache_get(m->cache, kind, key_fl, name, subject, &rc, &cval)) {
        if (cval)
            m->value = tern_strdup(m->a, cval);
        return rc;
    }
    if (m->depth >= MT_MAX_DEPTH)
        return mt_fail(m, TERN_ERROR, item, "named lists nested too deeply "
                       "at \"+%s\" (a list that refers to itself?)", name);

    int saved_vol = m->vol;
    const char *saved_value = m->value;
    m->vol = 0;
    m->value = NULL;
    m->depth++;
    rc = expand(m, kind, text, item, &out);
    if (rc == 0) {
        const char *decided;
        rc = scan(m, kind, out, &decided);
    }
    m->depth--;
    const char *sub_value = m->value;
    int cacheable = may_cache && ((fl & TERN_MATCH_LIST_CACHE) || !m->vol);
    m->vol = saved_vol || !cacheable;
    m->value = sub_value ? sub_value : saved_value;
    if (cacheable)
        mt_cache_put(m->cache, kind, key_fl, name, subject, rc, sub_value);
    return rc;
}

int mt_run(struct mt *m, unsigned kind, const char *list,
           struct tern_match_result *res)
{
    const char *decided = NULL, *text = list ? list : "";
    int rc = 0;

    if (m->flags & TERN_MATCH_EXPAND)
        rc = expand(m, kind, text, text, &text);
    if (rc == 0)
        rc = scan(m, kind, text, &decided);
    if (res) {
        memset(res, 0, sizeof *res);
        res->item = decided;
        if (rc == TERN_OK) {
            res->value = m->value;
            res->n_subs = m->n_subs;
            memcpy(res->subs, m->subs, sizeof res->subs);
        } else if (rc != TERN_FAIL) {
            res->err = m->err ? m->err : "list match failed";
            res->err_item = m->err_item;
        }
    }
    return rc;
}
