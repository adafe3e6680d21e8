/*
 * NAME
 *   preproc_int.h - private interface between the preprocessor's files
 *
 * DESCRIPTION
 *   preproc.c runs the loop over physical lines and assembles logical
 *   lines; preproc_macro.c owns the macro table (built-ins, -D, the
 *   file's definitions) and substitution; preproc_cond.c the .ifdef
 *   family; preproc_include.c reading files and .include.
 *
 *   A physical line is carried as a `cc_pp_text`: its bytes after macro
 *   substitution plus, for every byte, the physical column it came from
 *   and whether a macro produced it, so positions survive substitution.
 */
#ifndef TERN_CONFC_PREPROC_INT_H
#define TERN_CONFC_PREPROC_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "preproc.h"

struct tern_arena;

/* ---- one physical line ---- */

struct cc_pp_phys {
    const char *file;           /* path as shown in positions (arena) */
    unsigned line;
    const char *text;           /* the raw line, NUL-terminated (arena) */
    size_t len;
    const struct tern_srcpos *include_from;
};

struct cc_pp_text {
    char *s;                    /* NUL-terminated */
    unsigned *col;              /* 1-based physical column of each byte */
    unsigned *mlen;             /* 0: from the file; else the length of
                                 * the macro name at col[i] that made it */
    size_t len, cap;
};

void cc_pp_text_load(struct cc_pp_text *t, const char *s, size_t n);
void cc_pp_text_replace(struct cc_pp_text *t, size_t at, size_t n,
                        const char *rep, size_t rlen);
void cc_pp_text_free(struct cc_pp_text *t);

/* Position of byte `i` of `t` (i may be t->len: just past the end). */
struct tern_srcpos cc_pp_pos(const struct cc_pp_phys *ph,
                             const struct cc_pp_text *t, size_t i,
                             unsigned len);

/* ---- macros ---- */

struct cc_pp_macro {
    char *name;
    size_t namelen;
    const char *value;
    int builtin;
    int cmdline;                /* -D: the file's definitions are ignored */
    struct tern_srcpos pos;     /* definition in the file (line 0 if none) */
};

struct cc_pp_macros {
    struct cc_pp_macro *v;      /* built-ins first, in scan order */
    size_t n, cap;
    size_t n_builtin;
};

void cc_pp_macros_builtin(struct cc_pp_macros *m, struct tern_arena *a,
                          const struct tern_schema_set *set);
int cc_pp_macros_cmdline(struct cc_pp_macros *m, struct tern_arena *a,
                         const char **defs, size_t n, struct tern_diags *d);
void cc_pp_macros_free(struct cc_pp_macros *m);

/* Substitute every macro in `t` from byte `from` on, as Exim does;
 * returns 1 when at least one substitution happened. */
int cc_pp_macros_expand(const struct cc_pp_macros *m, struct cc_pp_text *t,
                        size_t from);

/* Where substitution starts: past `NAME =` when a logical line starts
 * with a definition (its name is not substituted). */
size_t cc_pp_def_skip(const char *s, size_t len, size_t first);

/* A logical line that starts with an upper-case letter: a definition
 * when it has the form NAME = value or NAME == value.  Returns 1 when it
 * was one (handled, errors reported), 0 when it is not of that form. */
int cc_pp_macros_define(struct cc_pp_macros *m, struct tern_arena *a,
                        const struct cc_line *l, struct tern_diags *d);

/* The table as the model wants it: built-ins by name, then -D, then the
 * file's macros in definition order. */
void cc_pp_macros_export(const struct cc_pp_macros *m, struct tern_arena *a,
                         struct cc_lines *out);

/* ---- conditionals ---- */

struct cc_pp_cond_frame {
    int saved;                  /* state to return to at .endif */
    int seen_else;
    const char *opener_name;    /* "ifdef" or "ifndef" */
    struct tern_srcpos opener;  /* the .ifdef/.ifndef (arena strings) */
    struct tern_srcpos else_pos;
};

struct cc_pp_cond {
    int state;                  /* 0 reading, 1 looking for a true
                                 * branch, 2 skipping to .endif */
    struct cc_pp_cond_frame *v;
    size_t n, cap;
};

/* If the line (first non-blank at `ss`) is a conditional directive,
 * obey it and return 1; `found` says whether a macro was substituted. */
int cc_pp_cond_directive(struct cc_pp_cond *c, struct tern_arena *a,
                         const struct cc_pp_phys *ph,
                         const struct cc_pp_text *t, size_t ss, int found,
                         struct tern_diags *d);
void cc_pp_cond_finish(struct cc_pp_cond *c, struct tern_diags *d);
void cc_pp_cond_free(struct cc_pp_cond *c);

/* ---- files ---- */

struct cc_pp_file {
    const char *path;           /* arena */
    char *buf;                  /* whole file, lines split in place */
    size_t len, off;
    unsigned lineno;
    const struct tern_srcpos *include_from;
    dev_t dev;
    ino_t ino;
    int have_id;
};

struct cc_pp_files {
    struct cc_pp_file *v;       /* the include stack, main file at 0 */
    size_t n, cap;
    const char **seen;          /* every file read, for cc_lines.files */
    size_t n_seen, cap_seen;
};

#define CC_PP_MAX_INCLUDE_DEPTH 64

/* Push a file; `text` NULL means read it from `path`.  Returns 0, or -1
 * with errno set when the file cannot be read. */
int cc_pp_files_push(struct cc_pp_files *f, struct tern_arena *a,
                     const char *path, const char *text,
                     const struct tern_srcpos *include_from);

/* Next physical line of the innermost file (popping finished included
 * files); 0 at the end of the main file. */
int cc_pp_files_next(struct cc_pp_files *f, struct cc_pp_phys *ph,
                     struct tern_diags *d);

/* Obey `.include` / `.include_if_exists` if the line is one (1), else 0. */
int cc_pp_include_directive(struct cc_pp_files *f, struct tern_arena *a,
                            const struct cc_pp_phys *ph,
                            const struct cc_pp_text *t, size_t ss,
                            struct tern_diags *d);
void cc_pp_files_free(struct cc_pp_files *f);

/* Small helpers shared by the files above. */
void *cc_pp_grow(void *p, size_t *cap, size_t need, size_t size);
int cc_pp_is_blank(int c);
size_t cc_pp_skip_blanks(const char *s, size_t i, size_t len);

#endif
