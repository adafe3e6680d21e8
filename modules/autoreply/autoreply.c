/*
 * NAME
 *   autoreply.c - the autoreply module (schema only)
 *
 * DESCRIPTION
 *   Transport that generates a reply (vacation messages) instead of
 *   delivering.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/autoreply.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "autoreply_schema.h"

#define tern_module autoreply_LTX_tern_module

SKEL_DRIVER(drv_autoreply, "autoreply", TERN_DRIVER_TRANSPORT,
            transport_autoreply);
SKEL_LIST(tern_driver, drivers, &drv_autoreply);

SKEL_MODULE("autoreply", AUTOREPLY_SCHEMA_HASH,
            .drivers = drivers);
