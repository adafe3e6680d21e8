/*
 * NAME
 *   appendfile.c - the appendfile module (schema only)
 *
 * DESCRIPTION
 *   Transport that writes messages into mailbox files, maildir,
 *   mailstore or MBX.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/appendfile.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "appendfile_schema.h"

#define tern_module appendfile_LTX_tern_module

SKEL_DRIVER(drv_appendfile, "appendfile", TERN_DRIVER_TRANSPORT,
            transport_appendfile);
SKEL_LIST(tern_driver, drivers, &drv_appendfile);

SKEL_NAMED(tern_variable, var_mailstore_basename, "mailstore_basename");
SKEL_LIST(tern_variable, variables, &var_mailstore_basename);

SKEL_MODULE("appendfile", APPENDFILE_SCHEMA_HASH,
            .drivers = drivers,
            .variables = variables);
