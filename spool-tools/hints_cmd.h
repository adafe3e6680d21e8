/*
 * NAME
 *   hints_cmd.h - what the parts of tern-hints share
 */
#ifndef TERN_HINTS_CMD_H
#define TERN_HINTS_CMD_H

#include "hints.h"
#include "tools.h"

/* Print one record of database `db` (text or JSON per e->json); `first`
 * tracks commas between JSON array elements. */
void hints_dump_record(const struct tools_env *e, const char *db,
                       const char *key, const struct tern_hints_rec *rec,
                       int keys_only, int *first);

#endif
