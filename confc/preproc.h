/*
 * NAME
 *   preproc.h - Exim's configuration preprocessor
 *
 * SYNOPSIS
 *   struct cc_lines lines;
 *   cc_preprocess(arena, &opts, &lines, &diags, &macros);
 *   for (size_t i = 0; i < lines.n; i++) parse(lines.v[i].text ...);
 *
 * DESCRIPTION
 *   Turns the physical lines of a configuration (and of every file it
 *   .includes) into logical lines, as Exim's readconf does before any
 *   section parsing: comment and blank lines dropped, backslash
 *   continuations joined (leading blanks of the continuation removed),
 *   macro definitions (NAME = value, NAME == value) recorded and removed,
 *   macro references replaced, and .ifdef/.ifndef/.elifdef/.elifndef/
 *   .else/.endif, .include and .include_if_exists obeyed.
 *
 *   Built-in macros are defined first: _HAVE_*, _DRIVER_* and _OPT_* for
 *   exactly the installed schemas (opts.schemas), then the -D overrides,
 *   which win over definitions in the file.
 *
 *   Every logical line keeps a map from offsets in its text back to the
 *   physical file, line and column, so a diagnostic about a character in
 *   a joined or macro-expanded line still points at the right place.
 */
#ifndef TERN_CONFC_PREPROC_H
#define TERN_CONFC_PREPROC_H

#include <stddef.h>

#include "cfgmodel.h"
#include "diag.h"
#include "schema.h"

struct tern_arena;

/* From offset `off` of a logical line on, the text came from `pos`
 * (column advancing one per character until the next segment). Text that
 * a macro produced maps to the position of the macro's name: such a
 * segment has `macro` set, and every offset in it maps to `pos` itself
 * (pos.len is the length of the name). */
struct cc_seg {
    unsigned off;
    struct tern_srcpos pos;
    int macro;
};

/* Where a macro definition (NAME = value, NAME == value) stood among the
 * logical lines: Exim ends the current driver at a macro definition and
 * does not allow one inside an ACL, so the section parser needs to know.
 * `before` is the index in cc_lines.v of the logical line that followed
 * the definition (== n when it was the last). */
struct cc_macro_def {
    const char *name;
    size_t before;
    struct tern_srcpos pos;     /* the name at the start of the line */
};

struct cc_line {
    char *text;                 /* logical line, no trailing newline */
    size_t len;
    struct tern_srcpos pos;     /* where text[0] came from */
    struct cc_seg *segs;        /* sorted by off; segs[0].off == 0 */
    size_t n_segs;
};

struct cc_lines {
    struct cc_line *v;
    size_t n;
    const char **files;         /* every file read, main file first */
    size_t n_files;
    struct tern_cfg_macro *macros;  /* every macro defined, builtins too */
    size_t n_macros;
    struct cc_macro_def *defs;      /* every definition read from a file */
    size_t n_defs;
};

struct cc_preproc_opts {
    const char *path;                       /* main file */
    const struct tern_schema_set *schemas;  /* for the built-in macros */
    const char **defines;                   /* -D NAME[=value] */
    size_t n_defines;
};

/* 0, or -1 when errors were reported to `d` (lines up to the error are
 * still returned, so the parser can report its own errors too). */
int cc_preprocess(struct tern_arena *a, const struct cc_preproc_opts *o,
                  struct cc_lines *out, struct tern_diags *d);

/* Same, reading the main "file" from memory (unit tests); `path` is only
 * the name used in positions and the base for relative .include. */
int cc_preprocess_text(struct tern_arena *a, const struct cc_preproc_opts *o,
                       const char *text, struct cc_lines *out,
                       struct tern_diags *d);

/* Position of byte `off` of `l`, with `len` characters underlined. */
struct tern_srcpos cc_line_pos(const struct cc_line *l, size_t off,
                               unsigned len);

#endif
