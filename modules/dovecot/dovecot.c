/*
 * NAME
 *   dovecot.c - the dovecot module (schema only)
 *
 * DESCRIPTION
 *   Authenticator that asks a Dovecot authentication server.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/dovecot.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "dovecot_schema.h"

#define tern_module dovecot_LTX_tern_module

SKEL_DRIVER(drv_dovecot, "dovecot", TERN_DRIVER_AUTH, auth_dovecot);
SKEL_LIST(tern_driver, drivers, &drv_dovecot);

SKEL_MODULE("dovecot", DOVECOT_SCHEMA_HASH,
            .drivers = drivers);
