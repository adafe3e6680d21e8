/*
 * NAME
 *   dsn_info.c - the dsn_info module (schema only)
 *
 * DESCRIPTION
 *   Adds the remote server's greeting, EHLO reply and error detail to
 *   bounces.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/dsn_info.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 *
 *   Its schema only declares a feature (DSN_info), so its tables
 *   are empty.
 */
#include "config.h"

#include "../skeleton.h"
#include "dsn_info_schema.h"

#define tern_module dsn_info_LTX_tern_module

SKEL_MODULE("dsn_info", DSN_INFO_SCHEMA_HASH);
