/*
 * NAME
 *   test_expand_env.h - the expansion environment shared by the expansion
 *   unit tests (see test_expand_env.c)
 */
#ifndef TERN_TEST_EXPAND_ENV_H
#define TERN_TEST_EXPAND_ENV_H

#include <stddef.h>

#include "expand.h"

struct tern_arena;

/* Which variables, headers and lookups the test schema knows. */
extern const struct tern_exp_schema texp_schema;

/* Fill `env` with the fixed values Exim 4.96 shows under the
 * configuration tests/interop/expand-cases.sh writes; lookup files are
 * read from `datadir`. */
void texp_env(struct tern_exp_env *env, const char *datadir);

/* Printable form of a result, as the case file stores it. */
char *texp_escape(struct tern_arena *a, const char *s, size_t len);

/* "= result", "=" (empty), "! fail" or "! error" for `input`. */
char *texp_classify(struct tern_arena *a, const struct tern_exp_env *env,
                    const char *input, size_t len);

#endif
