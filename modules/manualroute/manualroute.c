/*
 * NAME
 *   manualroute.c - the manualroute module (schema only)
 *
 * DESCRIPTION
 *   Router that takes the hosts for a domain from its own route_list
 *   or route_data.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/manualroute.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "manualroute_schema.h"

#define tern_module manualroute_LTX_tern_module

SKEL_DRIVER(drv_manualroute, "manualroute", TERN_DRIVER_ROUTER,
            router_manualroute);
SKEL_LIST(tern_driver, drivers, &drv_manualroute);

SKEL_MODULE("manualroute", MANUALROUTE_SCHEMA_HASH,
            .drivers = drivers);
