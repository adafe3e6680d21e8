/*
 * NAME
 *   plaintext.c - the plaintext module (schema only)
 *
 * DESCRIPTION
 *   Authenticator for PLAIN and LOGIN (and similar prompt-and-
 *   response mechanisms).
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/plaintext.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "plaintext_schema.h"

#define tern_module plaintext_LTX_tern_module

SKEL_DRIVER(drv_plaintext, "plaintext", TERN_DRIVER_AUTH, auth_plaintext);
SKEL_LIST(tern_driver, drivers, &drv_plaintext);

SKEL_MODULE("plaintext", PLAINTEXT_SCHEMA_HASH,
            .drivers = drivers);
