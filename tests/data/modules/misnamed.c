/*
 * NAME
 *   misnamed.c - test fixture: a module whose name is not its file's
 *
 * DESCRIPTION
 *   Lives in misnamed.so but calls itself "smtp": the loader must refuse
 *   it, or renaming files could swap one module for another.  It exports
 *   the plain `tern_module` (no NAME_LTX_ prefix), which the loader also
 *   accepts, so the fixture covers that fallback too.
 */
#include "config.h"

#include <tern/module.h>

TERN_EXPORT const struct tern_module tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "smtp",
    .version = "0.1.0",
};
