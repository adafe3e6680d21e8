/*
 * NAME
 *   fuzz_expand.c - libFuzzer target for the expansion parser
 *
 * SYNOPSIS
 *   ./tests/fuzz/fuzz_expand [-max_len=4096] [corpus...]
 *
 * DESCRIPTION
 *   Parses the input as an expansion string with the test schema; when it
 *   parses, checks that tern_exp_check() accepts the image (the parser
 *   must only ever produce valid images), that every node's source
 *   offset lies inside the input, and evaluates strings that cannot
 *   reach the outside world (no run, readsocket, readfile or exists).
 *   Any crash, sanitizer report or abort is a bug.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expand.h"
#include "test_expand_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_exp *e;
    struct tern_exp_error err;
    char why[200];

    if (tern_exp_parse(a, (const char *)data, size, &texp_schema, 0, &e,
                       &err) == 0) {
        if (tern_exp_check(e, why, sizeof why) != 0)
            abort();
        for (uint32_t i = 0; i < e->n_nodes; i++)
            if (e->nodes[i].src > size)
                abort();
        if (!memmem(data, size, "run", 3) && !memmem(data, size, "socket", 6) &&
            !memmem(data, size, "file", 4) && !memmem(data, size, "exists", 6) &&
            !memmem(data, size, "stat", 4) && !memmem(data, size, "lookup", 6)) {
            struct tern_exp_env env;
            struct tern_exp_result r;
            texp_env(&env, "/nonexistent");
            env.run = NULL;
            env.readsocket = NULL;
            env.max_len = 1 << 20;
            tern_exp_eval(e, &env, a, &r);
        }
    } else if (err.offset > size || !err.msg) {
        abort();
    }
    tern_arena_free(a);
    return 0;
}
