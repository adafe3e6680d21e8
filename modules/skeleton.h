/*
 * NAME
 *   skeleton.h - the boilerplate of a schema-only module
 *
 * SYNOPSIS
 *   #include "config.h"
 *   #include "../skeleton.h"
 *   #include "smtp_schema.h"
 *
 *   #define tern_module smtp_LTX_tern_module
 *   SKEL_DRIVER(smtp_transport, "smtp", TERN_DRIVER_TRANSPORT,
 *               transport_smtp);
 *   SKEL_LIST(tern_driver, drivers, &smtp_transport);
 *   SKEL_MODULE("smtp", SMTP_SCHEMA_HASH, .drivers = drivers);
 *
 * DESCRIPTION
 *   In this milestone every module declares what its schema says it
 *   provides and implements none of it: each table entry has its name and
 *   NULL function pointers, and the module carries TERN_MOD_SCHEMA_ONLY,
 *   so `tern -bV` can list it and the host refuses to run it.  The macros
 *   keep each module file down to the list of what it provides; a module
 *   that becomes real replaces the macro for each entry it implements.
 *
 *   A module that has options points its tables at the ones tern-schemagen
 *   generated from its schema (tern_optdefs_SCOPE, struct tern_opts_SCOPE
 *   with SCOPE = "transport_smtp", "main" ...), so the option layout can
 *   never drift from the schema.
 */
#ifndef TERN_MODULES_SKELETON_H
#define TERN_MODULES_SKELETON_H

#include <stddef.h>
#include <tern/module.h>

/* The version every skeleton reports until it is implemented. */
#define SKEL_VERSION "0.1.0"

/* A driver with the private options of generated scope `scope`. */
#define SKEL_DRIVER(id, dname, dkind, scope)                         \
    static const struct tern_driver id = {                           \
        .name = (dname), .kind = (dkind),                            \
        .options = tern_optdefs_##scope,                             \
        .options_size = sizeof(struct tern_opts_##scope) }

/* A driver without private options. */
#define SKEL_DRIVER_NOOPTS(id, dname, dkind)                         \
    static const struct tern_driver id = {                           \
        .name = (dname), .kind = (dkind) }

#define SKEL_LOOKUP(id, lname, lstyle)                               \
    static const struct tern_lookup id = {                           \
        .name = (lname), .style = (lstyle) }

/* Any provision that is only a name until implemented: ACL conditions,
 * modifiers and controls, variables, expansion items, log elements,
 * spool fields. */
#define SKEL_NAMED(type, id, pname)                                  \
    static const struct type id = { .name = (pname) }

#define SKEL_PRECONDITION(id, pname, ptype)                          \
    static const struct tern_router_precondition id = {              \
        .name = (pname), .type = (ptype) }

/* A NULL-terminated table of pointers, as struct tern_module wants. */
#define SKEL_LIST(type, id, ...)                                     \
    static const struct type *const id[] = { __VA_ARGS__, NULL }

/* Module-wide main-section options: the values live in a static struct
 * of the generated type that the host fills. */
#define SKEL_MAIN_OPTIONS(values)                                    \
    .main_options = tern_optdefs_main,                               \
    .main_options_size = sizeof(struct tern_opts_main),              \
    .main_option_values = &(values)

/* The module file renames `tern_module` to NAME_LTX_tern_module after
 * including this header; that would rename the struct tag as well, so
 * the exported variable is declared through a typedef made before. */
typedef struct tern_module skel_module_type;

/* The exported module; the rest of the initialiser (tables) follows. */
#define SKEL_MODULE(mname, hash, ...)                                \
    TERN_EXPORT const skel_module_type tern_module = {               \
        .abi_version = TERN_ABI_VERSION,                             \
        .name = (mname),                                             \
        .version = SKEL_VERSION,                                     \
        .schema_hash = (hash),                                       \
        .flags = TERN_MOD_SCHEMA_ONLY,                               \
        __VA_ARGS__ }

#endif
