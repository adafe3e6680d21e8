/*
 * NAME
 *   lmtp.c - the lmtp module (schema only)
 *
 * DESCRIPTION
 *   Transport that delivers over LMTP to a local command or Unix
 *   socket.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/lmtp.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "lmtp_schema.h"

#define tern_module lmtp_LTX_tern_module

SKEL_DRIVER(drv_lmtp, "lmtp", TERN_DRIVER_TRANSPORT, transport_lmtp);
SKEL_LIST(tern_driver, drivers, &drv_lmtp);

SKEL_MODULE("lmtp", LMTP_SCHEMA_HASH,
            .drivers = drivers);
