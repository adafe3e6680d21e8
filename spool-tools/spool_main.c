/*
 * NAME
 *   tern-spool - look at and change the messages on the queue
 *
 * SYNOPSIS
 *   tern-spool [-C FILE | --spool DIR] [--split] [--json] [-z] COMMAND ...
 *
 *   list [--sender RE] [--recipient RE] [--id RE] [--frozen|--unfrozen]
 *        [--older TIME] [--younger TIME] [--size [<>=]N] [-c] [-i] [ID...]
 *   show ID [--headers] [--body]
 *   freeze ID...    thaw ID...    remove ID...    requeue ID...
 *
 * DESCRIPTION
 *   The queue is read with the spool library, so both layouts
 *   (split_spool_directory or not) and Exim's own messages are seen.
 *   Commands that change a message first take the lock Exim and Tern
 *   hold on the -D file while delivering it, so a delivery in progress
 *   is never changed underneath; such a message is refused.  A -H file
 *   that cannot be parsed is reported with its file and line and left
 *   exactly as it is.  See tern-spool(8) and docs/spool-tools.md.
 *
 * DIAGNOSTICS
 *   Exit 0 when everything asked for was done, 1 when something was not
 *   (a message missing, locked or malformed), 2 for a usage error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spool_cmd.h"

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
    fputs("usage: tern-spool [-C FILE | --spool DIR] [--split] [--json] "
          "[-z] COMMAND ...\n"
          "  list [--sender RE] [--recipient RE] [--id RE] [--frozen|"
          "--unfrozen]\n"
          "       [--older TIME] [--younger TIME] [--size [<>=]N] [-c] "
          "[-i] [ID...]\n"
          "  show ID [--headers] [--body]\n"
          "  freeze ID...   thaw ID...   remove ID...   requeue ID...\n",
          stderr);
    return TOOLS_USAGE;
}

int main(int argc, char **argv)
{
    struct tools_env e;
    struct tern_spool_opts so = { 0 };
    struct tern_spool_err err;
    struct tern_spool *sp;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int n = 0, rc;

    tools_env_init(&e, "tern-spool");
    if (!rest)
        return TOOLS_FAIL;
    for (int i = 1; i < argc; i++) {
        int c = tools_common_opt(&e, argc, argv, &i);
        if (c < 0) {
            free(rest);
            tools_env_free(&e);
            return usage();
        }
        if (c == 0)
            rest[n++] = argv[i];
    }
    if (n == 0 || !strcmp(rest[0], "-h") || !strcmp(rest[0], "--help")) {
        free(rest);
        tools_env_free(&e);
        return usage();
    }
    if (tools_env_ready(&e) != 0) {
        free(rest);
        tools_env_free(&e);
        return TOOLS_FAIL;
    }
    so.directory = e.spool;
    so.split = e.split;
    so.owner_uid = e.owner_uid;
    so.owner_gid = e.owner_gid;
    if (!(sp = tern_spool_open(&so, &err))) {
        tools_warn(&e, "%s", err.text);
        free(rest);
        tools_env_free(&e);
        return TOOLS_FAIL;
    }
    if (!strcmp(rest[0], "list"))
        rc = spool_cmd_list(&e, sp, n - 1, rest + 1);
    else if (!strcmp(rest[0], "show"))
        rc = spool_cmd_show(&e, sp, n - 1, rest + 1);
    else if (!strcmp(rest[0], "freeze") || !strcmp(rest[0], "thaw") ||
             !strcmp(rest[0], "remove") || !strcmp(rest[0], "requeue"))
        rc = spool_cmd_change(&e, sp, rest[0], n - 1, rest + 1);
    else {
        tools_warn(&e, "unknown command \"%s\"", rest[0]);
        rc = usage();
    }
    tern_spool_close(sp);
    free(rest);
    tools_env_free(&e);
    return rc;
}
