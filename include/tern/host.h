/*
 * NAME
 *   tern/host.h - the functions a module may call in the host
 *
 * DESCRIPTION
 *   A module receives this table in its init() and keeps the pointer.  The
 *   table only grows: new entries go at the end and `size` tells a module
 *   which entries exist, so a module built against an older header keeps
 *   working with a newer host of the same ABI version.
 */
#ifndef TERN_HOST_H
#define TERN_HOST_H

#include <stdarg.h>
#include <stddef.h>

struct tern_ctx;

/* Log destinations, as Exim's log_write() selectors. */
enum tern_log_dest {
    TERN_LOG_MAIN = 1,
    TERN_LOG_REJECT = 2,
    TERN_LOG_PANIC = 4
};

struct tern_host_api {
    size_t size;                    /* sizeof(struct tern_host_api) */
    unsigned abi_version;           /* TERN_ABI_VERSION */

    /* Logging in Exim's format; `dest` is a set of enum tern_log_dest. */
    void (*log_write)(unsigned dest, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
    /* Debug output, shown with -d. */
    void (*debug)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

    /* Memory from the arena of the current session/message: freed with it,
     * never by the module. `ctx` may be NULL for process-lifetime memory. */
    void *(*alloc)(struct tern_ctx *ctx, size_t n);
    char *(*strdup)(struct tern_ctx *ctx, const char *s);

    /* Expand a string in the context; NULL with *err on failure,
     * *forced set when the failure was a forced `fail`. */
    char *(*expand)(struct tern_ctx *ctx, const char *s, const char **err,
                    int *forced);

    /* Value of an expansion variable, NULL if unknown or unset. */
    const char *(*variable)(struct tern_ctx *ctx, const char *name);

    /* Host-list match (Exim semantics): TERN_OK, TERN_FAIL or TERN_DEFER. */
    int (*match_hostlist)(struct tern_ctx *ctx, const char *list);
};

#endif
