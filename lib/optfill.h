/*
 * NAME
 *   optfill.h - filling a generated option struct from a configuration
 *
 * SYNOPSIS
 *   #include "core_schema.h"
 *   struct tern_opts_main main;
 *   tern_opts_fill(arena, tern_optdefs_main, &main, cfg->main, cfg->n_main,
 *                  err, sizeof err);
 *
 * DESCRIPTION
 *   The one generic setter behind every option struct tern-schemagen
 *   generates (the host's main options, each driver instance's options,
 *   each module's main options): for every row of the table the value set
 *   in the configuration is stored, else the schema default, else the
 *   unset value (0, -1 for uid/gid, NULL text).  Options with the expand
 *   flag are stored as text whatever their type; the expansion is
 *   evaluated at run time.
 */
#ifndef TERN_OPTFILL_H
#define TERN_OPTFILL_H

#include <stddef.h>

#include "cfgmodel.h"
#include <tern/option.h>

struct tern_arena;

/* 0, or -1 with a message naming the option in err. */
int tern_opts_fill(struct tern_arena *a, const struct tern_option_def *defs,
                   void *values, const struct tern_cfg_option *set,
                   size_t n_set, char *err, size_t errlen);

/* The configured option named `name` in `set`, or NULL. */
const struct tern_cfg_option *
tern_cfg_find_option(const struct tern_cfg_option *set, size_t n,
                     const char *name);

#endif
