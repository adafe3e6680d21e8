/*
 * NAME
 *   plan_read.c - verify a plan before anything in it is trusted
 *
 * SYNOPSIS
 *   struct tern_plan p;
 *   if (tern_plan_open_mem(&p, data, size, err, sizeof err) < 0) ...
 *
 * DESCRIPTION
 *   The checks run in a fixed order, each relying only on what the earlier
 *   ones proved: the file holds a whole header; the magic says it is a
 *   plan; the version is one this reader understands (so a newer plan is
 *   reported as such, not as corruption); the size recorded in the header
 *   is the size of the file (truncation, the common accident, gets its own
 *   message); the checksum matches (any other damage); and finally every
 *   section of the directory lies inside the file, 8-byte aligned.  Only
 *   then does tern_plan_decode() (plan_decode.c) look inside sections,
 *   and it checks every offset again, since a checksum only detects
 *   accidents: a deliberately crafted plan can carry a valid one.
 *
 *   The mapping itself (tern_plan_open) is in plan_file.c.
 *
 * DIAGNOSTICS
 *   "PATH: truncated: ...", "PATH: not a Tern plan (bad magic)",
 *   "PATH: plan format version N, this tern reads version 2: recompile
 *   with confc", "PATH: checksum mismatch: file is corrupted",
 *   "PATH: section NAME ... lies outside the file".
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "plan.h"
#include "plan_format.h"

void tern_plan_error(char *err, size_t errlen, const char *name,
                     const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", name ? name : "plan", msg);
}

uint64_t tern_plan_checksum(const unsigned char *data, size_t size)
{
    static const unsigned char zeros[8];
    uint64_t h = TERN_FNV_INIT;

    h = tern_fnv1a(h, data, TP_OFF_CHECKSUM);
    h = tern_fnv1a(h, zeros, sizeof zeros);
    return tern_fnv1a(h, data + TP_OFF_CHECKSUM + 8,
                      size - TP_OFF_CHECKSUM - 8);
}

/* Does [off, off + len) lie inside a file of `size` bytes? */
static int inside(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

int tern_plan_check_directory(const unsigned char *data, size_t size,
                              const char *name, char *err, size_t errlen)
{
    uint32_t hdr = tp_get32(data + TP_OFF_HDR_SIZE);
    uint32_t n = tp_get32(data + TP_OFF_N_SECTIONS);

    if (hdr < TP_HEADER_SIZE || hdr % TP_ALIGN != 0 || hdr > size) {
        tern_plan_error(err, errlen, name, "bad header size %u", hdr);
        return -1;
    }
    uint64_t dir_end = hdr + (uint64_t)n * TP_DIR_ENTRY_SIZE;
    if (!inside(hdr, (uint64_t)n * TP_DIR_ENTRY_SIZE, size)) {
        tern_plan_error(err, errlen, name,
                        "section directory (%u entries) does not fit in "
                        "the file (%zu bytes)", n, size);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = data + hdr + (size_t)i * TP_DIR_ENTRY_SIZE;
        uint32_t type = tp_get32(e);
        uint64_t off = tp_get64(e + 8), len = tp_get64(e + 16);
        if (!inside(off, len, size) || off < dir_end) {
            tern_plan_error(err, errlen, name,
                            "section %s (type %u) at offset %llu, %llu "
                            "bytes, lies outside the file's data (%llu..%zu)",
                            tp_section_name(type), type,
                            (unsigned long long)off, (unsigned long long)len,
                            (unsigned long long)dir_end, size);
            return -1;
        }
        if (off % TP_ALIGN != 0) {
            tern_plan_error(err, errlen, name,
                            "section %s (type %u) at offset %llu is not "
                            "8-byte aligned", tp_section_name(type), type,
                            (unsigned long long)off);
            return -1;
        }
    }
    return 0;
}

int tern_plan_verify(const unsigned char *data, size_t size,
                     const char *name, char *err, size_t errlen)
{
    if (size < TP_HEADER_SIZE) {
        tern_plan_error(err, errlen, name,
                        "truncated: %zu bytes, shorter than the %d-byte "
                        "plan header", size, TP_HEADER_SIZE);
        return -1;
    }
    if (memcmp(data + TP_OFF_MAGIC, TERN_PLAN_MAGIC, 8) != 0) {
        tern_plan_error(err, errlen, name, "not a Tern plan (bad magic)");
        return -1;
    }
    uint32_t version = tp_get32(data + TP_OFF_VERSION);
    if (version != TERN_PLAN_VERSION) {
        tern_plan_error(err, errlen, name,
                        "plan format version %u, this tern reads version "
                        "%d: recompile with confc", version,
                        TERN_PLAN_VERSION);
        return -1;
    }
    uint64_t declared = tp_get64(data + TP_OFF_FILE_SIZE);
    if (declared != size) {
        tern_plan_error(err, errlen, name,
                        "%s: header says %llu bytes, file has %zu",
                        declared > size ? "truncated" : "trailing data",
                        (unsigned long long)declared, size);
        return -1;
    }
    if (tp_get64(data + TP_OFF_CHECKSUM) != tern_plan_checksum(data, size)) {
        tern_plan_error(err, errlen, name,
                        "checksum mismatch: file is corrupted");
        return -1;
    }
    return tern_plan_check_directory(data, size, name, err, errlen);
}

int tern_plan_open_mem(struct tern_plan *p, const void *data, size_t size,
                       char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (data == NULL)
        size = 0;               /* reported as truncated */
    if (tern_plan_verify(data, size, NULL, err, errlen) < 0)
        return -1;
    p->data = data;
    p->size = size;
    return 0;
}
