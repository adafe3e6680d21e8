/*
 * NAME
 *   bmi.c - the bmi module (schema only)
 *
 * DESCRIPTION
 *   Brightmail AntiSpam: scan at SMTP time and route by verdict.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/bmi.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "bmi_schema.h"

#define tern_module bmi_LTX_tern_module

static struct tern_opts_main main_values;

SKEL_PRECONDITION(pre_bmi_deliver_default, "bmi_deliver_default", TERN_T_BOOL);
SKEL_PRECONDITION(pre_bmi_deliver_alternate, "bmi_deliver_alternate",
                  TERN_T_BOOL);
SKEL_PRECONDITION(pre_bmi_dont_deliver, "bmi_dont_deliver", TERN_T_BOOL);
SKEL_PRECONDITION(pre_bmi_rule, "bmi_rule", TERN_T_LIST);
SKEL_LIST(tern_router_precondition, router_preconditions,
          &pre_bmi_deliver_default, &pre_bmi_deliver_alternate,
          &pre_bmi_dont_deliver, &pre_bmi_rule);

SKEL_NAMED(tern_acl_condition, mod_bmi_optin, "bmi_optin");
SKEL_LIST(tern_acl_condition, acl_modifiers, &mod_bmi_optin);

SKEL_NAMED(tern_acl_control, ctl_bmi_run, "bmi_run");
SKEL_LIST(tern_acl_control, acl_controls, &ctl_bmi_run);

SKEL_NAMED(tern_variable, var_bmi_base64_verdict, "bmi_base64_verdict");
SKEL_NAMED(tern_variable, var_bmi_base64_tracker_verdict,
           "bmi_base64_tracker_verdict");
SKEL_NAMED(tern_variable, var_bmi_alt_location, "bmi_alt_location");
SKEL_NAMED(tern_variable, var_bmi_deliver, "bmi_deliver");
SKEL_LIST(tern_variable, variables, &var_bmi_base64_verdict,
          &var_bmi_base64_tracker_verdict, &var_bmi_alt_location,
          &var_bmi_deliver);

SKEL_NAMED(tern_spool_field, spool_bmi_verdicts, "bmi_verdicts");
SKEL_LIST(tern_spool_field, spool_fields, &spool_bmi_verdicts);

SKEL_MODULE("bmi", BMI_SCHEMA_HASH,
            SKEL_MAIN_OPTIONS(main_values),
            .router_preconditions = router_preconditions,
            .acl_modifiers = acl_modifiers,
            .acl_controls = acl_controls,
            .variables = variables,
            .spool_fields = spool_fields);
