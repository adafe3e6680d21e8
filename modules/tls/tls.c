/*
 * NAME
 *   tls.c - the tls module (schema only)
 *
 * DESCRIPTION
 *   Authenticator that accepts a verified TLS client certificate
 *   (SASL EXTERNAL).
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/tls.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "tls_schema.h"

#define tern_module tls_LTX_tern_module

SKEL_DRIVER(drv_tls, "tls", TERN_DRIVER_AUTH, auth_tls);
SKEL_LIST(tern_driver, drivers, &drv_tls);

SKEL_MODULE("tls", TLS_SCHEMA_HASH,
            .drivers = drivers);
