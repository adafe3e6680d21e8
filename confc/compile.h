/*
 * NAME
 *   compile.h - compiling an Exim-style configuration (confc's library)
 *
 * SYNOPSIS
 *   struct tern_compile_opts o = { .config_path = "exim.conf",
 *                                  .schemas = &set };
 *   struct tern_config cfg;
 *   struct tern_diags d = { 0 };
 *   if (tern_compile(arena, &o, &cfg, &d) != 0 || d.errors) ...
 *
 * DESCRIPTION
 *   The same library is linked into confc and into tern (for -C source),
 *   so both accept and refuse exactly the same configurations.  The
 *   compile runs the preprocessor (preproc.h), parses every section,
 *   resolves every option, driver and lookup against the installed
 *   schemas, checks cross-references, and fills `out`.  All errors of one
 *   run are collected in `d`; nothing stops at the first.
 */
#ifndef TERN_CONFC_COMPILE_H
#define TERN_CONFC_COMPILE_H

#include <stddef.h>

#include "cfgmodel.h"
#include "diag.h"
#include "schema.h"

struct tern_arena;

struct tern_compile_opts {
    const char *config_path;            /* the main file */
    const struct tern_schema_set *schemas;
    const char **defines;               /* -D NAME or -D NAME=value */
    size_t n_defines;
};

/* 0 when the configuration compiled (warnings allowed), -1 when `d`
 * holds at least one error or the file could not be read. */
int tern_compile(struct tern_arena *a, const struct tern_compile_opts *o,
                 struct tern_config *out, struct tern_diags *d);

#endif
