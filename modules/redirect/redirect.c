/*
 * NAME
 *   redirect.c - the redirect module (schema only)
 *
 * DESCRIPTION
 *   Router that replaces an address by others (aliases, .forward
 *   files, Exim and Sieve filters).
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/redirect.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "redirect_schema.h"

#define tern_module redirect_LTX_tern_module

SKEL_DRIVER(drv_redirect, "redirect", TERN_DRIVER_ROUTER, router_redirect);
SKEL_LIST(tern_driver, drivers, &drv_redirect);

SKEL_NAMED(tern_variable, var_n0, "n0");
SKEL_NAMED(tern_variable, var_n1, "n1");
SKEL_NAMED(tern_variable, var_n2, "n2");
SKEL_NAMED(tern_variable, var_n3, "n3");
SKEL_NAMED(tern_variable, var_n4, "n4");
SKEL_NAMED(tern_variable, var_n5, "n5");
SKEL_NAMED(tern_variable, var_n6, "n6");
SKEL_NAMED(tern_variable, var_n7, "n7");
SKEL_NAMED(tern_variable, var_n8, "n8");
SKEL_NAMED(tern_variable, var_n9, "n9");
SKEL_NAMED(tern_variable, var_sn0, "sn0");
SKEL_NAMED(tern_variable, var_sn1, "sn1");
SKEL_NAMED(tern_variable, var_sn2, "sn2");
SKEL_NAMED(tern_variable, var_sn3, "sn3");
SKEL_NAMED(tern_variable, var_sn4, "sn4");
SKEL_NAMED(tern_variable, var_sn5, "sn5");
SKEL_NAMED(tern_variable, var_sn6, "sn6");
SKEL_NAMED(tern_variable, var_sn7, "sn7");
SKEL_NAMED(tern_variable, var_sn8, "sn8");
SKEL_NAMED(tern_variable, var_sn9, "sn9");
SKEL_LIST(tern_variable, variables, &var_n0, &var_n1, &var_n2, &var_n3,
          &var_n4, &var_n5, &var_n6, &var_n7, &var_n8, &var_n9, &var_sn0,
          &var_sn1, &var_sn2, &var_sn3, &var_sn4, &var_sn5, &var_sn6,
          &var_sn7, &var_sn8, &var_sn9);

SKEL_MODULE("redirect", REDIRECT_SCHEMA_HASH,
            .drivers = drivers,
            .variables = variables);
