/*
 * NAME
 *   hashfix.c - test fixture: a module whose schema hash is not its schema's
 *
 * DESCRIPTION
 *   A well-formed module providing transport `hashfix`, with a schema
 *   hash that cannot match tests/data/modules/hashfix.schema.  A plan
 *   compiled against that schema must be refused by the host ("has schema
 *   hash X, the plan was compiled against Y").
 */
#include "config.h"

#include <stddef.h>
#include <tern/module.h>

/* A typedef made before the rename below, which would rename the
 * struct tag too. */
typedef struct tern_module module_type;

#define tern_module hashfix_LTX_tern_module

static const struct tern_driver hashfix_transport = {
    .name = "hashfix",
    .kind = TERN_DRIVER_TRANSPORT,
};

static const struct tern_driver *const drivers[] = {
    &hashfix_transport, NULL
};

TERN_EXPORT const module_type tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "hashfix",
    .version = "0.0.1",
    .schema_hash = 0x0123456789abcdefULL,
    .drivers = drivers,
};
