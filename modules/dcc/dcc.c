/*
 * NAME
 *   dcc.c - the dcc module (schema only)
 *
 * DESCRIPTION
 *   DCC bulk-mail checks through the dccifd daemon.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/dcc.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "dcc_schema.h"

#define tern_module dcc_LTX_tern_module

static struct tern_opts_main main_values;

SKEL_NAMED(tern_acl_condition, cond_dcc, "dcc");
SKEL_LIST(tern_acl_condition, acl_conditions, &cond_dcc);

SKEL_NAMED(tern_variable, var_dcc_header, "dcc_header");
SKEL_NAMED(tern_variable, var_dcc_result, "dcc_result");
SKEL_LIST(tern_variable, variables, &var_dcc_header, &var_dcc_result);

SKEL_MODULE("dcc", DCC_SCHEMA_HASH,
            SKEL_MAIN_OPTIONS(main_values),
            .acl_conditions = acl_conditions,
            .variables = variables);
