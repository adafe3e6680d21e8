/*
 * NAME
 *   ipliteral.c - the ipliteral module (schema only)
 *
 * DESCRIPTION
 *   Router for addresses whose domain is an IP literal ([192.0.2.1]).
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/ipliteral.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "ipliteral_schema.h"

#define tern_module ipliteral_LTX_tern_module

SKEL_DRIVER_NOOPTS(drv_ipliteral, "ipliteral", TERN_DRIVER_ROUTER);
SKEL_LIST(tern_driver, drivers, &drv_ipliteral);

SKEL_MODULE("ipliteral", IPLITERAL_SCHEMA_HASH,
            .drivers = drivers);
