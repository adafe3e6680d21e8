/*
 * NAME
 *   pipe.c - the pipe module (schema only)
 *
 * DESCRIPTION
 *   Transport that pipes each message to a command.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/pipe.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "pipe_schema.h"

#define tern_module pipe_LTX_tern_module

SKEL_DRIVER(drv_pipe, "pipe", TERN_DRIVER_TRANSPORT, transport_pipe);
SKEL_LIST(tern_driver, drivers, &drv_pipe);

SKEL_NAMED(tern_variable, var_pipe_addresses, "pipe_addresses");
SKEL_LIST(tern_variable, variables, &var_pipe_addresses);

SKEL_MODULE("pipe", PIPE_SCHEMA_HASH,
            .drivers = drivers,
            .variables = variables);
