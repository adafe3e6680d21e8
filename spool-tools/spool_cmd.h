/*
 * NAME
 *   spool_cmd.h - the commands of tern-spool
 */
#ifndef TERN_SPOOL_CMD_H
#define TERN_SPOOL_CMD_H

#include "spool.h"
#include "tools.h"

/* Each takes the words after the command name and returns an exit
 * status (TOOLS_OK, TOOLS_FAIL, TOOLS_USAGE). */
int spool_cmd_list(struct tools_env *e, struct tern_spool *sp, int argc,
                   char **argv);
int spool_cmd_show(struct tools_env *e, struct tern_spool *sp, int argc,
                   char **argv);
/* verb: "freeze", "thaw", "remove", "requeue" */
int spool_cmd_change(struct tools_env *e, struct tern_spool *sp,
                     const char *verb, int argc, char **argv);

/* Clear the retry hints that hold message `m` back (spool_requeue.c);
 * returns how many records went, -1 on error (reported). */
int spool_clear_retry(struct tools_env *e, const struct tern_spool_msg *m);

/* Size of ID-D without its first line, -1 when there is none. */
long long spool_body_len(const struct tools_env *e, const char *id);

/* SPOOL/DIR/ID-X or SPOOL/DIR/S/ID-X (S = 6th character of the id),
 * whichever exists, into path; -1 when neither does. */
int spool_find_file(const struct tools_env *e, const char *dir,
                    const char *id, const char *suffix, char *path,
                    size_t size);

#endif
