/*
 * NAME
 *   plan.h - the binary plan (docs/plan-format.md)
 *
 * DESCRIPTION
 *   confc writes a compiled configuration as a plan: a versioned,
 *   checksummed, position-independent file (offsets, never pointers) that
 *   the host maps read-only.  Opening a plan checks magic, version, size
 *   and checksum before anything else is read, and every offset is
 *   bounds-checked while decoding, so a truncated or corrupted file is
 *   refused with a reason instead of crashing the reader.
 */
#ifndef TERN_PLAN_H
#define TERN_PLAN_H

#include <stddef.h>
#include "cfgmodel.h"

#define TERN_PLAN_MAGIC "TERNPLAN"      /* 8 bytes, no NUL */
#define TERN_PLAN_VERSION 2

struct tern_arena;
struct tern_buf;

/* Serialise `cfg`, appending the plan to `out` (it starts at the old
 * out->len; all offsets in it are relative to that start). */
void tern_plan_serialize(const struct tern_config *cfg, struct tern_buf *out);
/* Write atomically (temp file in the same directory, fsync, rename,
 * fsync of the directory). 0 or -1 with *err. */
int tern_plan_write(const struct tern_config *cfg, const char *path,
                    char *err, size_t errlen);

struct tern_plan {
    const unsigned char *data;
    size_t size;
    int mapped;                 /* munmap on close */
    char *path;                 /* as given to open (heap), NULL for
                                   open_mem; prefixes decode's messages */
};

/* Does this file start with the plan magic? (tern -C takes either.) */
int tern_plan_is_plan(const char *path);

/* Map and verify. On failure returns -1 and a reason in err, for example
 * "plan.bin: truncated: header says 4096 bytes, file has 1000". */
int tern_plan_open(struct tern_plan *p, const char *path, char *err,
                   size_t errlen);
/* Verify a plan held in memory (used by tests and by tern -C source);
 * `data` is not copied and must outlive the plan.  Messages start with
 * "plan: " since there is no path. */
int tern_plan_open_mem(struct tern_plan *p, const void *data, size_t size,
                       char *err, size_t errlen);
void tern_plan_close(struct tern_plan *p);

/* Decode into the config model; strings point into the mapped plan, so
 * the plan must stay open while `cfg` is used. */
int tern_plan_decode(const struct tern_plan *p, struct tern_arena *a,
                     struct tern_config *cfg, char *err, size_t errlen);

#endif
