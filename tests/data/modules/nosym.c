/*
 * NAME
 *   nosym.c - test fixture: a shared object that is not a Tern module
 *
 * DESCRIPTION
 *   Loads fine but exports no tern_module symbol under either name the
 *   loader looks for.
 */
#include "config.h"

#include <tern/module.h>

TERN_EXPORT const int nosym_LTX_something_else = 1;
