/*
 * NAME
 *   srs.c - the srs module (schema only)
 *
 * DESCRIPTION
 *   Sender Rewriting Scheme: forward and reverse SRS addresses.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/srs.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 *
 *   The options it adds to other modules' drivers (router:redirect)
 *   are only in the schema: struct tern_module has no table for them yet.
 */
#include "config.h"

#include "../skeleton.h"
#include "srs_schema.h"

#define tern_module srs_LTX_tern_module

static struct tern_opts_main main_values;

SKEL_NAMED(tern_variable, var_srs_recipient, "srs_recipient");
SKEL_NAMED(tern_variable, var_srs_db_address, "srs_db_address");
SKEL_NAMED(tern_variable, var_srs_db_key, "srs_db_key");
SKEL_NAMED(tern_variable, var_srs_orig_recipient, "srs_orig_recipient");
SKEL_NAMED(tern_variable, var_srs_orig_sender, "srs_orig_sender");
SKEL_NAMED(tern_variable, var_srs_status, "srs_status");
SKEL_LIST(tern_variable, variables, &var_srs_recipient, &var_srs_db_address,
          &var_srs_db_key, &var_srs_orig_recipient, &var_srs_orig_sender,
          &var_srs_status);

SKEL_NAMED(tern_expansion_item, item_srs_encode, "srs_encode");
SKEL_LIST(tern_expansion_item, expansion_items, &item_srs_encode);

SKEL_NAMED(tern_log_element, log_srs, "SRS");
SKEL_LIST(tern_log_element, log_elements, &log_srs);

SKEL_MODULE("srs", SRS_SCHEMA_HASH,
            SKEL_MAIN_OPTIONS(main_values),
            .variables = variables,
            .expansion_items = expansion_items,
            .log_elements = log_elements);
