/*
 * NAME
 *   queuefile.c - the queuefile module (schema only)
 *
 * DESCRIPTION
 *   Copies a message's spool files into a directory.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/queuefile.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "queuefile_schema.h"

#define tern_module queuefile_LTX_tern_module

SKEL_DRIVER(drv_queuefile, "queuefile", TERN_DRIVER_TRANSPORT,
            transport_queuefile);
SKEL_LIST(tern_driver, drivers, &drv_queuefile);

SKEL_MODULE("queuefile", QUEUEFILE_SCHEMA_HASH,
            .drivers = drivers);
