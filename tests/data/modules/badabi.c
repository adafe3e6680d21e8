/*
 * NAME
 *   badabi.c - test fixture: a module built for another ABI version
 *
 * DESCRIPTION
 *   Claims ABI version 7; the loader must refuse it before reading any
 *   other field ("is for ABI version 7, this tern has ABI 1").
 */
#include "config.h"

#include <tern/module.h>

/* A typedef made before the rename below, which would rename the
 * struct tag too. */
typedef struct tern_module module_type;

#define tern_module badabi_LTX_tern_module
TERN_EXPORT const module_type tern_module = {
    .abi_version = 7,
    .name = "badabi",
    .version = "9.9.9",
};
