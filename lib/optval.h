/*
 * NAME
 *   optval.h - parsing and printing option values of every schema type
 *
 * DESCRIPTION
 *   The generic setters: confc parses the text of `name = value` with
 *   tern_optval_parse() according to the option's schema type; `tern -bP`
 *   prints a value back with tern_optval_format() in Exim's style
 *   (`1h30m`, `50M`, `no_name`).
 */
#ifndef TERN_OPTVAL_H
#define TERN_OPTVAL_H

struct tern_arena;

struct tern_value {
    unsigned type;          /* enum tern_opt_type */
    int is_set;             /* 0: unset (no value, no default) */
    long long num;          /* bool, int, mkint, octint, time, fixed, uid, gid */
    const char *text;       /* string-like types: the text; others: as written */
};

/* Parse `text` as `type`. On error returns -1 with *err set to a message
 * (static or arena) and *err_col to the 0-based offset in `text` of the
 * offending character.  Numbers are range-checked (no silent overflow);
 * uid/gid names are resolved with getpwnam/getgrnam only when
 * `resolve_ids` is set (confc leaves it to the host otherwise). */
int tern_optval_parse(struct tern_arena *a, unsigned type, const char *text,
                      int resolve_ids, struct tern_value *out,
                      const char **err, unsigned *err_col);

/* Exim's -bP rendering of a value (without the `name = ` part). */
char *tern_optval_format(struct tern_arena *a, const struct tern_value *v);

/* Individual parsers, exposed for tests and for the expansion evaluator. */
int tern_parse_int(const char *s, long long *out, const char **err,
                   unsigned *err_col);
int tern_parse_time(const char *s, long long *out, const char **err,
                    unsigned *err_col);
int tern_parse_fixed(const char *s, long long *out, const char **err,
                     unsigned *err_col);
int tern_parse_bool(const char *s, int *out);
char *tern_format_time(struct tern_arena *a, long long seconds);

#endif
