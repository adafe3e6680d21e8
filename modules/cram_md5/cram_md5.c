/*
 * NAME
 *   cram_md5.c - the cram_md5 module (schema only)
 *
 * DESCRIPTION
 *   Authenticator for CRAM-MD5.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/cram_md5.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "cram_md5_schema.h"

#define tern_module cram_md5_LTX_tern_module

SKEL_DRIVER(drv_cram_md5, "cram_md5", TERN_DRIVER_AUTH, auth_cram_md5);
SKEL_LIST(tern_driver, drivers, &drv_cram_md5);

SKEL_MODULE("cram_md5", CRAM_MD5_SCHEMA_HASH,
            .drivers = drivers);
