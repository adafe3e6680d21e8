/*
 * NAME
 *   dnslookup.c - the dnslookup module (schema only)
 *
 * DESCRIPTION
 *   Router that finds the hosts of a remote domain from its MX, A and
 *   AAAA (or SRV) records.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/dnslookup.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "dnslookup_schema.h"

#define tern_module dnslookup_LTX_tern_module

SKEL_DRIVER(drv_dnslookup, "dnslookup", TERN_DRIVER_ROUTER, router_dnslookup);
SKEL_LIST(tern_driver, drivers, &drv_dnslookup);

SKEL_MODULE("dnslookup", DNSLOOKUP_SCHEMA_HASH,
            .drivers = drivers);
