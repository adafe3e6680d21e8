/*
 * NAME
 *   queryprogram.c - the queryprogram module (schema only)
 *
 * DESCRIPTION
 *   Router that runs a command and routes the address as the command
 *   says.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/queryprogram.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "queryprogram_schema.h"

#define tern_module queryprogram_LTX_tern_module

SKEL_DRIVER(drv_queryprogram, "queryprogram", TERN_DRIVER_ROUTER,
            router_queryprogram);
SKEL_LIST(tern_driver, drivers, &drv_queryprogram);

SKEL_MODULE("queryprogram", QUERYPROGRAM_SCHEMA_HASH,
            .drivers = drivers);
