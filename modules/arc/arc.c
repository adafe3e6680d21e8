/*
 * NAME
 *   arc.c - the arc module (schema only)
 *
 * DESCRIPTION
 *   ARC verification in ACLs and ARC signing in the smtp transport.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/arc.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 *
 *   The options it adds to other modules' drivers (transport:smtp)
 *   are only in the schema: struct tern_module has no table for them yet.
 */
#include "config.h"

#include "../skeleton.h"
#include "arc_schema.h"

#define tern_module arc_LTX_tern_module

SKEL_NAMED(tern_acl_condition, cond_verify_arc, "verify_arc");
SKEL_LIST(tern_acl_condition, acl_conditions, &cond_verify_arc);

SKEL_NAMED(tern_variable, var_arc_state, "arc_state");
SKEL_NAMED(tern_variable, var_arc_state_reason, "arc_state_reason");
SKEL_NAMED(tern_variable, var_arc_domains, "arc_domains");
SKEL_NAMED(tern_variable, var_arc_oldest_pass, "arc_oldest_pass");
SKEL_LIST(tern_variable, variables, &var_arc_state, &var_arc_state_reason,
          &var_arc_domains, &var_arc_oldest_pass);

SKEL_NAMED(tern_expansion_item, item_authresults, "authresults");
SKEL_LIST(tern_expansion_item, expansion_items, &item_authresults);

SKEL_NAMED(tern_log_element, log_arc, "ARC");
SKEL_LIST(tern_log_element, log_elements, &log_arc);

SKEL_MODULE("arc", ARC_SCHEMA_HASH,
            .acl_conditions = acl_conditions,
            .variables = variables,
            .expansion_items = expansion_items,
            .log_elements = log_elements);
