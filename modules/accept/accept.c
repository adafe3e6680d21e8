/*
 * NAME
 *   accept.c - the accept module (schema only)
 *
 * DESCRIPTION
 *   Router that accepts every address it is offered and hands it to
 *   its transport.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/accept.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "accept_schema.h"

#define tern_module accept_LTX_tern_module

SKEL_DRIVER_NOOPTS(drv_accept, "accept", TERN_DRIVER_ROUTER);
SKEL_LIST(tern_driver, drivers, &drv_accept);

SKEL_MODULE("accept", ACCEPT_SCHEMA_HASH,
            .drivers = drivers);
