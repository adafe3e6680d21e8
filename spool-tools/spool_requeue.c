/*
 * NAME
 *   spool_requeue.c - clear the retry hints that hold a message back
 *
 * DESCRIPTION
 *   A deferred message waits until the retry records of what failed say
 *   it is time.  Which records those are is not in the message: routing
 *   would tell, but a tool cannot route.  What the hints themselves say
 *   is used instead:
 *
 *     - records about this message at some host ("T:host:ip:ID");
 *     - records about its recipients not yet delivered, as addresses or
 *       domains: "R:domain", "R:local@domain", "R:local@domain:sender",
 *       "T:local@domain";
 *     - records about the hosts it is waiting for, which the
 *       wait-<transport> databases list against its id: "T:host:..." for
 *       each such host.
 *
 *   Clearing a host's record lets every message for that host be tried
 *   at the next queue run, which is what "try again now" means for a host.
 *   Hints databases that do not exist are simply skipped.
 *
 * DIAGNOSTICS
 *   One line on standard output per record cleared ("cleared retry
 *   record KEY"); errors opening or updating the database are reported
 *   and the count is -1.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "arena.h"
#include "hints.h"
#include "spool_cmd.h"

static void hints_log(void *arg, const char *line)
{
    struct tools_env *e = arg;
    tools_warn(e, "%s", line);
    tools_log(e, NULL, "%s", line);
}

static struct tern_hints *open_db(struct tools_env *e, const char *name,
                                  int write)
{
    struct tern_hints_opts o = { 0 };
    struct tern_hints_err err;
    struct tern_hints *h;
    o.spool_directory = e->spool;
    o.name = name;
    o.write = write;
    o.lock_timeout = 30;
    o.owner_uid = e->owner_uid;
    o.owner_gid = e->owner_gid;
    o.log = hints_log;
    o.log_arg = e;
    if (!(h = tern_hints_open(&o, &err)) && err.sys_errno != ENOENT)
        tools_warn(e, "%s", err.text);
    return h;
}

/* The hosts whose wait-<transport> lists name `id`. */
static void waiting_hosts(struct tools_env *e, const char *id,
                          struct tern_vec *hosts)
{
    char dir[4096];
    DIR *d;
    struct dirent *de;
    snprintf(dir, sizeof dir, "%s/db", e->spool);
    if (!(d = opendir(dir)))
        return;
    while ((de = readdir(d)) != NULL) {
        struct tern_hints *h;
        struct tern_hints_iter *it;
        struct tern_hints_rec rec;
        struct tern_hints_wait w;
        const char *key;
        if (strncmp(de->d_name, "wait-", 5) != 0 ||
            !tern_hints_name_ok(de->d_name) || strchr(de->d_name, '.'))
            continue;
        if (!(h = open_db(e, de->d_name, 0)))
            continue;
        if ((it = tern_hints_iter_new(h, NULL)) != NULL) {
            while (tern_hints_iter_next(it, &key, &rec, NULL) == 0) {
                if (tern_hints_wait_decode(&rec, &w) != 0)
                    continue;
                for (int i = 0; i < w.count; i++)
                    if (!memcmp(w.ids + (size_t)i * TERN_HINTS_ID_LEN, id,
                                TERN_HINTS_ID_LEN)) {
                        char *host = tern_strdup(e->arena, key);
                        char *colon = strrchr(host, ':');
                        /* "host:3" is a continuation of host's list */
                        if (colon && colon[1] &&
                            strspn(colon + 1, "0123456789") ==
                                strlen(colon + 1))
                            *colon = 0;
                        tern_vec_push(hosts, host);
                        break;
                    }
            }
            tern_hints_iter_free(it);
        }
        tern_hints_close(h, NULL);
    }
    closedir(d);
}

/* Is `rest` (a key without its "R:"/"T:") `name` or `name:...`? */
static int names(const char *rest, const char *name, int icase)
{
    size_t n = strlen(name);
    if (n == 0)
        return 0;
    if (icase ? strncasecmp(rest, name, n) : strncmp(rest, name, n))
        return 0;
    return rest[n] == 0 || rest[n] == ':';
}

static int wanted(const char *key, const struct tern_spool_msg *m,
                  const struct tern_vec *hosts)
{
    const char *id = tern_hints_retry_key_msgid(key), *rest = key + 2;
    if (id && !strcmp(id, m->id))
        return 1;
    if ((key[0] != 'R' && key[0] != 'T') || key[1] != ':')
        return 0;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const char *a = m->rcpts[i].address, *at = strrchr(a, '@');
        if (tern_spool_is_nonrcpt(m, a))
            continue;
        if (names(rest, a, 0) || (at && key[0] == 'R' &&
                                  !strcasecmp(rest, at + 1)))
            return 1;
    }
    for (size_t i = 0; i < hosts->len; i++)
        if (key[0] == 'T' && names(rest, hosts->items[i], 1))
            return 1;
    return 0;
}

int spool_clear_retry(struct tools_env *e, const struct tern_spool_msg *m)
{
    struct tern_vec hosts = { 0 };
    struct tern_hints *h;
    struct tern_hints_iter *it;
    struct tern_hints_rec rec;
    struct tern_hints_err err;
    const char *key;
    char path[4096];
    struct stat st;
    int cleared = 0, rc;

    snprintf(path, sizeof path, "%s/db/retry", e->spool);
    if (stat(path, &st) != 0)
        return 0;                       /* no retry hints at all */
    waiting_hosts(e, m->id, &hosts);
    if (!(h = open_db(e, "retry", 1))) {
        tern_vec_free(&hosts);
        return -1;
    }
    if (!(it = tern_hints_iter_new(h, &err))) {
        tools_warn(e, "%s", err.text);
        tern_hints_close(h, NULL);
        tern_vec_free(&hosts);
        return -1;
    }
    while ((rc = tern_hints_iter_next(it, &key, &rec, &err)) == 0) {
        if (!wanted(key, m, &hosts))
            continue;
        if (tern_hints_iter_delete(it, &err) != 0) {
            rc = -1;
            break;
        }
        printf("cleared retry record %s\n", key);
        cleared++;
    }
    if (rc < 0)
        tools_warn(e, "%s", err.text);
    tern_hints_iter_free(it);
    if (tern_hints_close(h, &err) != 0) {
        tools_warn(e, "%s", err.text);
        cleared = -1;
    }
    tern_vec_free(&hosts);
    return rc < 0 ? -1 : cleared;
}
