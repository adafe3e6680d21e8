/*
 * NAME
 *   plan_format.h - on-disk layout of a plan (docs/plan-format.md)
 *
 * DESCRIPTION
 *   Shared by plan_write.c, plan_read.c and the unit tests.  Records are
 *   not C structs: every field is read and written byte by byte in
 *   little-endian order, so neither the host's byte order nor its struct
 *   padding nor the alignment of the mapping can change what a plan means.
 *   The field order of each record is the one docs/plan-format.md gives;
 *   the writer and the reader walk it with the same sequential cursors.
 */
#ifndef TERN_PLAN_FORMAT_H
#define TERN_PLAN_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Fixed header (offsets into the file). */
#define TP_OFF_MAGIC      0     /* 8 bytes "TERNPLAN" */
#define TP_OFF_VERSION    8     /* u32 */
#define TP_OFF_HDR_SIZE   12    /* u32: where the section directory starts */
#define TP_OFF_FILE_SIZE  16    /* u64 */
#define TP_OFF_CHECKSUM   24    /* u64, FNV-1a with this field as zero */
#define TP_OFF_N_SECTIONS 32    /* u32 */
#define TP_OFF_RESERVED   36    /* u32, zero */
#define TP_HEADER_SIZE    40

/* One section directory entry: u32 type, u32 count, u64 offset, u64 size. */
#define TP_DIR_ENTRY_SIZE 24

#define TP_ALIGN 8
#define TP_NULL_STR 0xffffffffu     /* string offset of a NULL string */

/* Section types: stored in plans, never renumber. */
enum tp_section {
    TP_SEC_STRINGS = 1,
    TP_SEC_META = 2,
    TP_SEC_FILES = 3,
    TP_SEC_MODULES = 4,
    TP_SEC_MAIN_OPTIONS = 5,
    TP_SEC_LISTS = 6,
    TP_SEC_ACLS = 7,
    TP_SEC_ACL_STMTS = 8,
    TP_SEC_ACL_ITEMS = 9,
    TP_SEC_ROUTERS = 10,
    TP_SEC_TRANSPORTS = 11,
    TP_SEC_AUTHS = 12,
    TP_SEC_DRIVER_OPTIONS = 13,
    TP_SEC_RETRIES = 14,
    TP_SEC_RETRY_RULES = 15,
    TP_SEC_REWRITES = 16,
    TP_SEC_MACROS = 17,
    TP_SEC_EXPRESSIONS = 18,
    TP_SEC_EXP_BYTES = 19,
    TP_SEC_MAX = 19
};

/* Index of "no expression" in option and ACL item records. */
#define TP_NO_EXP 0xffffffffu
/* One node of an expression image: u8 type, u8 flags, u16 op, u32 src,
 * next, a, b, c, d (struct tern_exp_node, little-endian). */
#define TP_EXP_NODE_SIZE 28

/* Record sizes in bytes, by section; 1 for the string table and the
 * expression bytes (byte arrays). */
#define TP_REC_META       8     /* str source */
#define TP_REC_FILE       8     /* str path */
#define TP_REC_MODULE     24    /* str name, str version, u64 hash */
#define TP_REC_OPTION     64    /* str name, str module, str text, i64 num,
                                   u32 type, flags, is_set, loc(3),
                                   u32 exp, pad */
#define TP_REC_LIST       40    /* u32 kind, cache, str name, str value,
                                   loc(3), u32 pad */
#define TP_REC_ACL        32    /* str name, u32 first, n, loc(3), pad */
#define TP_REC_ACL_STMT   24    /* u32 verb, first, n, loc(3) */
#define TP_REC_ACL_ITEM   48    /* str name, value, module, u32 negated,
                                   loc(3), u32 exp, pad */
#define TP_REC_DRIVER     48    /* u32 kind, first, n, loc(3), str name,
                                   driver, module */
#define TP_REC_RETRY      48    /* str pattern, error, senders, u32 first,
                                   n, loc(3), pad */
#define TP_REC_RETRY_RULE 32    /* u32 algo, pad, i64 cutoff, p1, p2 */
#define TP_REC_REWRITE    40    /* str pattern, replacement, flags, loc(3),
                                   pad */
#define TP_REC_MACRO      24    /* str name, str value, u32 builtin, pad */
#define TP_REC_EXPRESSION 32    /* u32 nodes, n_nodes, text, text_len,
                                   root, src_len, flags, pad */

/* Record size of a known section type, 0 when unknown. */
static inline size_t tp_record_size(unsigned type)
{
    static const unsigned char sizes[TP_SEC_MAX + 1] = {
        0, 1, TP_REC_META, TP_REC_FILE, TP_REC_MODULE, TP_REC_OPTION,
        TP_REC_LIST, TP_REC_ACL, TP_REC_ACL_STMT, TP_REC_ACL_ITEM,
        TP_REC_DRIVER, TP_REC_DRIVER, TP_REC_DRIVER, TP_REC_OPTION,
        TP_REC_RETRY, TP_REC_RETRY_RULE, TP_REC_REWRITE, TP_REC_MACRO,
        TP_REC_EXPRESSION, 1
    };
    return type <= TP_SEC_MAX ? sizes[type] : 0;
}

/* Section names, for diagnostics ("section acl_items: ..."). */
static inline const char *tp_section_name(unsigned type)
{
    static const char *const names[TP_SEC_MAX + 1] = {
        "?", "strings", "meta", "files", "modules", "main_options",
        "lists", "acls", "acl_stmts", "acl_items", "routers", "transports",
        "auths", "driver_options", "retries", "retry_rules", "rewrites",
        "macros", "expressions", "exp_bytes"
    };
    return type <= TP_SEC_MAX ? names[type] : "unknown";
}

/* Little-endian access, independent of host byte order and alignment. */
static inline uint32_t tp_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
        | (uint32_t)p[3] << 24;
}

static inline uint64_t tp_get64(const unsigned char *p)
{
    return (uint64_t)tp_get32(p) | (uint64_t)tp_get32(p + 4) << 32;
}

static inline void tp_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline void tp_put64(unsigned char *p, uint64_t v)
{
    tp_put32(p, (uint32_t)v);
    tp_put32(p + 4, (uint32_t)(v >> 32));
}

/* The checksum of a whole plan: FNV-1a over every byte, the checksum
 * field counted as eight zero bytes.  `size` >= TP_HEADER_SIZE. */
uint64_t tern_plan_checksum(const unsigned char *data, size_t size);

/* The checks of tern_plan_open_mem() (header, size, checksum, directory)
 * on `size` bytes; messages start with "NAME: ". */
int tern_plan_verify(const unsigned char *data, size_t size,
                     const char *name, char *err, size_t errlen);
/* Only the directory checks (no checksum): decode repeats them because a
 * struct tern_plan is public and could have been filled in by hand. */
int tern_plan_check_directory(const unsigned char *data, size_t size,
                              const char *name, char *err, size_t errlen);
/* snprintf "NAME: " + message into err (NAME "plan" when NULL). */
void tern_plan_error(char *err, size_t errlen, const char *name,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
