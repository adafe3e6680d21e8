/*
 * NAME
 *   diag.h - compiler-style diagnostics
 *
 * DESCRIPTION
 *   Every error confc (or tern -C) finds is collected here with where it
 *   is (file, line, column, the include chain) and what is wrong, so that
 *   all errors of one run are reported together, either as text
 *
 *     exim.conf:12:3: error: unknown option 'mesage_size_limit'
 *        12 |   mesage_size_limit = 10M
 *           |   ^~~~~~~~~~~~~~~~~
 *     note: did you mean 'message_size_limit'?
 *
 *   or as JSON (--format=json) for tools.
 */
#ifndef TERN_DIAG_H
#define TERN_DIAG_H

#include <stdio.h>

enum tern_severity { TERN_NOTE = 0, TERN_WARNING = 1, TERN_ERROR_SEV = 2 };

/* A position in a source file. `file` is the path as given; `include_from`
 * points at the location of the .include that pulled the file in. */
struct tern_srcpos {
    const char *file;
    unsigned line;              /* 1-based; 0 = no position */
    unsigned col;               /* 1-based; 0 = whole line */
    unsigned len;               /* length of the underlined text; 0 = 1 */
    const char *line_text;      /* physical source line, for the caret */
    const struct tern_srcpos *include_from;
};

struct tern_diag_entry {
    enum tern_severity sev;
    struct tern_srcpos pos;
    char *message;
    char *hint;                 /* "did you mean 'x'?" or NULL */
};

struct tern_diags {
    struct tern_diag_entry *items;
    size_t len, cap;
    unsigned errors, warnings;
};

void tern_diag_add(struct tern_diags *d, enum tern_severity sev,
                   const struct tern_srcpos *pos, const char *hint,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tern_diags_free(struct tern_diags *d);

/* Print as text (with source line and caret) or as a JSON array. */
void tern_diags_print_text(const struct tern_diags *d, FILE *out);
void tern_diags_print_json(const struct tern_diags *d, FILE *out);

#endif
