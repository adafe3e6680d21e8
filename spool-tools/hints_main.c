/*
 * NAME
 *   tern-hints - dump and tidy the hints databases
 *
 * SYNOPSIS
 *   tern-hints [-C FILE | --spool DIR] [--json] [-z] list
 *   tern-hints [-C FILE | --spool DIR] [--json] [-z] dump NAME [-k]
 *   tern-hints [-C FILE | --spool DIR] [--json] tidy NAME [--time TIME]
 *
 * DESCRIPTION
 *   list names the databases in SPOOL/db.  dump prints every record of
 *   SPOOL/db/NAME (as exim_dumpdb does; -k only the keys, -z times in
 *   UTC), holding a shared lock, so it never waits for more than a
 *   writer's moment and never blocks readers.  tidy removes, under the
 *   exclusive lock, what exim_tidydb removes: records last written more
 *   than TIME ago (default 30d, Exim's syntax, also -t TIME), retry
 *   records about messages no longer on the queue, ids of vanished
 *   messages from wait-<transport> lists (and lists left empty), and TLS
 *   sessions past their lifetime.  Each change is reported on standard
 *   output.
 *
 *   Run tidy regularly (daily, from cron) on every database: records
 *   about hosts that are never tried again are otherwise kept forever.
 *
 * DIAGNOSTICS
 *   "tern-hints: SPOOL/db/NAME: no such hints database" (exit 1); lock
 *   time-outs and Berkeley DB errors with the file name.  A damaged file
 *   met by tidy is moved aside (NAME.corrupt) and logged; dump leaves it
 *   for the next writer to replace.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arena.h"
#include "hints_cmd.h"

#define DEFAULT_TIDY (30LL * 86400)

/* Berkeley DB does not free a handle that met a damaged page; in a
 * sanitizer build that would turn a correctly handled damaged hints file
 * into a failed run. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdb-5.3.so\n";
}

static int usage(void)
{
    fputs("usage: tern-hints [-C FILE | --spool DIR] [--json] [-z] list\n"
          "       tern-hints [-C FILE | --spool DIR] [--json] [-z] "
          "dump NAME [-k]\n"
          "       tern-hints [-C FILE | --spool DIR] [--json] "
          "tidy NAME [--time TIME]\n", stderr);
    return TOOLS_USAGE;
}

static void on_damage(void *arg, const char *line)
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
    if (!tern_hints_name_ok(name)) {
        tools_warn(e, "\"%s\" is not a hints database name", name);
        return NULL;
    }
    o.spool_directory = e->spool;
    o.name = name;
    o.write = write;
    o.lock_timeout = 60;
    o.owner_uid = e->owner_uid;
    o.owner_gid = e->owner_gid;
    o.log = on_damage;
    o.log_arg = e;
    if (!(h = tern_hints_open(&o, &err))) {
        if (err.sys_errno == ENOENT)
            tools_warn(e, "%s/db/%s: no such hints database", e->spool,
                       name);
        else
            tools_warn(e, "%s", err.text);
    }
    return h;
}

static int cmd_list(struct tools_env *e)
{
    char dir[4096];
    DIR *d;
    struct dirent *de;
    int first = 1;
    snprintf(dir, sizeof dir, "%s/db", e->spool);
    if (e->json)
        putchar('[');
    if ((d = opendir(dir)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.' || !tern_hints_name_ok(de->d_name) ||
                strstr(de->d_name, ".corrupt"))
                continue;
            if (e->json) {
                printf("%s", first ? "" : ",");
                tools_json_str(stdout, de->d_name, (size_t)-1);
            } else {
                printf("%s\n", de->d_name);
            }
            first = 0;
        }
        closedir(d);
    }
    if (e->json)
        puts("]");
    return TOOLS_OK;
}

static int cmd_dump(struct tools_env *e, const char *name, int keys_only)
{
    struct tern_hints *h = open_db(e, name, 0);
    struct tern_hints_iter *it;
    struct tern_hints_rec rec;
    struct tern_hints_err err;
    const char *key;
    int rc, first = 1;
    if (!h)
        return TOOLS_FAIL;
    if (!(it = tern_hints_iter_new(h, &err))) {
        tools_warn(e, "%s", err.text);
        tern_hints_close(h, NULL);
        return TOOLS_FAIL;
    }
    if (e->json)
        putchar('[');
    while ((rc = tern_hints_iter_next(it, &key, &rec, &err)) == 0)
        hints_dump_record(e, name, key, &rec, keys_only, &first);
    if (e->json)
        puts("]");
    if (rc < 0)
        tools_warn(e, "%s", err.text);
    tern_hints_iter_free(it);
    tern_hints_close(h, NULL);
    return rc < 0 ? TOOLS_FAIL : TOOLS_OK;
}

struct tidy_out {
    struct tools_env *e;
    struct tern_vec lines;
};

static int exists(void *arg, const char *id)
{
    struct tidy_out *t = arg;
    return tools_msg_exists(t->e, id);
}

static void report(void *arg, const char *line)
{
    struct tidy_out *t = arg;
    if (t->e->json)
        tern_vec_push(&t->lines, tern_strdup(t->e->arena, line));
    else
        printf("%s\n", line);
}

static int cmd_tidy(struct tools_env *e, const char *name, long long age)
{
    struct tidy_out out = { e, { 0 } };
    struct tern_hints_tidy t = { 0 };
    struct tern_hints_err err;
    struct tern_hints *h;
    struct stat st;
    char path[4096];
    int rc;
    /* Opening for writing would create it: tidy only what exists. */
    snprintf(path, sizeof path, "%s/db/%s", e->spool, name);
    if (tern_hints_name_ok(name) && stat(path, &st) != 0) {
        tools_warn(e, "%s: no such hints database", path);
        return TOOLS_FAIL;
    }
    if (!(h = open_db(e, name, 1)))
        return TOOLS_FAIL;
    t.now = (long long)time(NULL);
    t.cutoff = t.now - age;
    t.msg_exists = exists;
    t.report = report;
    t.arg = &out;
    rc = tern_hints_tidy(h, &t, &err);
    if (rc != 0)
        tools_warn(e, "%s", err.text);
    if (tern_hints_close(h, &err) != 0) {
        tools_warn(e, "%s", err.text);
        rc = -1;
    }
    if (e->json) {
        printf("{\"database\":");
        tools_json_str(stdout, name, (size_t)-1);
        printf(",\"records\":%lu,\"deleted\":%lu,\"updated\":%lu,"
               "\"changes\":[", t.seen, t.deleted, t.updated);
        for (size_t i = 0; i < out.lines.len; i++) {
            printf("%s", i ? "," : "");
            tools_json_str(stdout, out.lines.items[i], (size_t)-1);
        }
        puts("]}");
    } else {
        printf("%s: %lu record%s, %lu deleted, %lu updated\n", name, t.seen,
               t.seen == 1 ? "" : "s", t.deleted, t.updated);
    }
    tern_vec_free(&out.lines);
    return rc == 0 ? TOOLS_OK : TOOLS_FAIL;
}

int main(int argc, char **argv)
{
    struct tools_env e;
    const char *cmd = NULL, *name = NULL;
    long long age = DEFAULT_TIDY;
    int keys_only = 0, rc;

    tools_env_init(&e, "tern-hints");
    for (int i = 1; i < argc; i++) {
        int c = tools_common_opt(&e, argc, argv, &i);
        const char *a = argv[i];
        if (c < 0)
            goto usage;
        if (c > 0)
            continue;
        if ((!strcmp(a, "--time") || !strcmp(a, "-t")) && i + 1 < argc) {
            if (tools_parse_time(argv[++i], &age) != 0) {
                tools_warn(&e, "bad time \"%s\" (e.g. 30d, 12h)", argv[i]);
                goto usage;
            }
        } else if (!strcmp(a, "-k")) {
            keys_only = 1;
        } else if (a[0] == '-' || (cmd && name)) {
            goto usage;
        } else if (!cmd) {
            cmd = a;
        } else {
            name = a;
        }
    }
    if (!cmd || (strcmp(cmd, "list") && !name) ||
        (strcmp(cmd, "list") && strcmp(cmd, "dump") && strcmp(cmd, "tidy")))
        goto usage;
    if (tools_env_ready(&e) != 0) {
        tools_env_free(&e);
        return TOOLS_FAIL;
    }
    if (!strcmp(cmd, "list"))
        rc = cmd_list(&e);
    else if (!strcmp(cmd, "dump"))
        rc = cmd_dump(&e, name, keys_only);
    else
        rc = cmd_tidy(&e, name, age);
    tools_env_free(&e);
    return rc;

usage:
    tools_env_free(&e);
    return usage();
}
