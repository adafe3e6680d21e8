/*
 * NAME
 *   test_plan.c - unit tests of the plan writer and reader
 *
 * DESCRIPTION
 *   Round trip, determinism, the byte layout docs/plan-format.md
 *   documents (down to its worked example), and refusal of every
 *   truncation and every single-byte flip.  Crafted plans that carry a
 *   valid checksum are in test_plan_corrupt.c, plans on disk in
 *   test_plan_file.c.  Runs under ASan: every plan is held in a buffer of
 *   exactly its size, so a read past the end aborts.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tern/option.h>

#include "arena.h"
#include "plan.h"
#include "plan_format.h"
#include "plan_fixture.h"

static void test_round_trip(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    struct tern_plan p;
    struct tern_config got;
    char err[512];
    struct tern_arena *a = tern_arena_new();

    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    plan_fixture_compare(plan_fixture_config(), &got);

    /* strings are not copied: they point into the plan itself */
    const char *s = got.main[0].name;
    assert_true((const unsigned char *)s >= buf
                && (const unsigned char *)s < buf + size);
    assert_true(got.main[0].name != plan_fixture_config()->main[0].name);

    tern_plan_close(&p);
    tern_arena_free(a);
    free(buf);
}

static void test_empty_config(void **state)
{
    struct tern_config empty;
    size_t size;
    struct tern_plan p;
    struct tern_config got;
    char err[512];
    struct tern_arena *a = tern_arena_new();

    memset(&empty, 0, sizeof empty);
    unsigned char *buf = plan_bytes(&empty, &size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    plan_fixture_compare(&empty, &got);
    assert_null(got.source);
    tern_arena_free(a);
    free(buf);
}

/* Same config twice, and the decoded copy once more: identical bytes. */
static void test_deterministic(void **state)
{
    size_t n1, n2, n3;
    unsigned char *b1 = plan_bytes(plan_fixture_config(), &n1);
    unsigned char *b2 = plan_bytes(plan_fixture_config(), &n2);
    struct tern_plan p;
    struct tern_config got;
    char err[512];
    struct tern_arena *a = tern_arena_new();

    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    assert_int_equal(tern_plan_open_mem(&p, b1, n1, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    unsigned char *b3 = plan_bytes(&got, &n3);
    assert_int_equal(n1, n3);
    assert_memory_equal(b1, b3, n1);

    /* appending to a non-empty buffer gives the same plan after it */
    struct tern_buf b = { NULL, 0, 0 };
    tern_buf_add(&b, "xyz", 3);
    tern_plan_serialize(plan_fixture_config(), &b);
    assert_int_equal(b.len, 3 + n1);
    assert_memory_equal(b.data + 3, b1, n1);
    tern_buf_free(&b);
    tern_arena_free(a);
    free(b1);
    free(b2);
    free(b3);
}

/* The layout docs/plan-format.md promises, read with no help from the
 * reader: little-endian fields at fixed offsets, aligned sections. */
static void test_layout(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    const struct tern_config *cfg = plan_fixture_config();

    assert_memory_equal(buf, "TERNPLAN", 8);
    assert_memory_equal(buf + 8, "\x01\0\0\0", 4);
    assert_memory_equal(buf + 12, "\x28\0\0\0", 4);
    assert_int_equal(buf[16] | buf[17] << 8 | buf[18] << 16, size);
    assert_memory_equal(buf + 19, "\0\0\0\0\0", 5);
    assert_memory_equal(buf + 32, "\x11\0\0\0\0\0\0\0", 8);
    assert_int_equal(size % 8, 0);
    for (unsigned t = 1; t <= 17; t++) {
        const unsigned char *e = buf + 40 + (t - 1) * 24;
        assert_int_equal(tp_get32(e), t);
        assert_int_equal(tp_get64(e + 8) % 8, 0);
        if (t != TP_SEC_STRINGS)
            assert_int_equal(tp_get64(e + 16),
                             (uint64_t)tp_get32(e + 4) * tp_record_size(t));
    }
    /* modules record 0: name (offset, length), version, hash LE */
    uint32_t n;
    const unsigned char *strs = plan_section(buf, TP_SEC_STRINGS, &n);
    const unsigned char *m = plan_section(buf, TP_SEC_MODULES, &n);
    assert_int_equal(n, cfg->n_modules);
    assert_int_equal(tp_get32(m + 4), 4);
    assert_memory_equal(strs + tp_get32(m), "core", 5);
    assert_memory_equal(m + 16, "\xef\xcd\xab\x89\x67\x45\x23\x01", 8);
    /* lmdb's version is NULL: offset 0xffffffff, length 0 */
    assert_memory_equal(m + 2 * 24 + 8, "\xff\xff\xff\xff\0\0\0\0", 8);
    /* main option 2 is smtp_accept_max = -5: num at byte 24 */
    const unsigned char *o = plan_section(buf, TP_SEC_MAIN_OPTIONS, &n);
    assert_memory_equal(o + 2 * 56 + 24, "\xfb\xff\xff\xff\xff\xff\xff\xff",
                        8);
    assert_int_equal(tp_get32(o + 2 * 56 + 32), 2);     /* TERN_T_INT */
    /* "core" is stored once however often it is used */
    assert_int_equal(tp_get32(o + 8), tp_get32(m));
    assert_int_equal(tp_get32(o + 56 + 8), tp_get32(m));
    free(buf);
}

/* The worked example of docs/plan-format.md, byte for byte: a change to
 * the writer that changes the format fails here, and then the version
 * and the document must change with it. */
static const char example_hex[] =
    "5445524e504c414e01000000280000003002000000000000f53347031fd0ca99"
    "11000000000000000100000026000000c0010000000000002600000000000000"
    "0200000001000000e80100000000000008000000000000000300000001000000"
    "f00100000000000008000000000000000400000000000000f801000000000000"
    "00000000000000000500000001000000f8010000000000003800000000000000"
    "0600000000000000300200000000000000000000000000000700000000000000"
    "3002000000000000000000000000000008000000000000003002000000000000"
    "0000000000000000090000000000000030020000000000000000000000000000"
    "0a00000000000000300200000000000000000000000000000b00000000000000"
    "300200000000000000000000000000000c000000000000003002000000000000"
    "00000000000000000d0000000000000030020000000000000000000000000000"
    "0e00000000000000300200000000000000000000000000000f00000000000000"
    "3002000000000000000000000000000010000000000000003002000000000000"
    "0000000000000000110000000000000030020000000000000000000000000000"
    "6578696d2e636f6e66006d6573736167655f73697a655f6c696d697400636f72"
    "650035304d000000000000000900000000000000090000000a00000012000000"
    "1d00000004000000220000000300000000002003000000000300000000000000"
    "01000000000000000c00000001000000";

static void test_documented_example(void **state)
{
    static const char *files[] = { "exim.conf" };
    static struct tern_cfg_option opt = {
        "message_size_limit", "core", { TERN_T_MKINT, 1, 52428800, "50M" },
        0, { 0, 12, 1 }
    };
    struct tern_config cfg;
    size_t size, n = strlen(example_hex) / 2;
    unsigned char want[560];

    memset(&cfg, 0, sizeof cfg);
    cfg.source = "exim.conf";
    cfg.files = files;
    cfg.n_files = 1;
    cfg.main = &opt;
    cfg.n_main = 1;
    assert_int_equal(n, sizeof want);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(example_hex + 2 * i, "%2x", &v), 1);
        want[i] = (unsigned char)v;
    }
    unsigned char *got = plan_bytes(&cfg, &size);
    assert_int_equal(size, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("byte %#zx: got %02x, documented %02x", i, got[i],
                     want[i]);
    assert_true(tern_plan_checksum(got, size) == 0x99cad01f034733f5ULL);
    free(got);
}

static void test_truncation(void **state)
{
    size_t size;
    unsigned char *full = plan_bytes(plan_fixture_config(), &size);
    char err[512], want[128];
    struct tern_plan p;

    for (size_t len = 0; len < size; len++) {
        unsigned char *buf = malloc(len ? len : 1);
        memcpy(buf, full, len);
        assert_int_equal(tern_plan_open_mem(&p, buf, len, err, sizeof err),
                         -1);
        if (len < TP_HEADER_SIZE)
            snprintf(want, sizeof want, "plan: truncated: %zu bytes", len);
        else
            snprintf(want, sizeof want,
                     "plan: truncated: header says %zu bytes, file has %zu",
                     size, len);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("length %zu: got \"%s\", want \"%s\"", len, err, want);
        free(buf);
    }
    free(full);
}

static const char *flip_message(size_t i)
{
    if (i < 8)
        return "plan: not a Tern plan (bad magic)";
    if (i < 12)
        return "plan: plan format version ";
    if (i >= 16 && i < 24)
        return "plan: ";        /* "truncated:" or "trailing data:" */
    return "plan: checksum mismatch: file is corrupted";
}

/* Every single byte, two different flips each. */
static void test_byte_flips(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    char err[512];
    struct tern_plan p;
    static const unsigned char masks[] = { 0x01, 0xa5 };

    for (size_t i = 0; i < size; i++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            buf[i] ^= masks[k];
            err[0] = '\0';
            int rc = tern_plan_open_mem(&p, buf, size, err, sizeof err);
            buf[i] ^= masks[k];
            const char *want = flip_message(i);
            if (rc != -1 || strncmp(err, want, strlen(want)) != 0)
                fail_msg("byte %zu ^ %#x: rc %d, \"%s\"", i, masks[k], rc,
                         err);
            if (i >= 16 && i < 24)
                assert_non_null(strstr(err, "header says"));
        }
    }
    free(buf);
}

static void test_magic_and_version(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    char err[512];
    struct tern_plan p;

    memcpy(buf, "TERNPLAM", 8);
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), -1);
    assert_string_equal(err, "plan: not a Tern plan (bad magic)");

    memcpy(buf, "TERNPLAN", 8);
    tp_put32(buf + 8, 2);
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), -1);
    assert_string_equal(err, "plan: plan format version 2, this tern reads "
                        "version 1: recompile with confc");

    tp_put32(buf + 8, 0x10000);
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), -1);
    assert_string_equal(err, "plan: plan format version 65536, this tern "
                        "reads version 1: recompile with confc");

    tp_put32(buf + 8, 1);
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), 0);

    /* trailing bytes after a valid plan are refused, not ignored */
    unsigned char *longer = calloc(1, size + 8);
    memcpy(longer, buf, size);
    assert_int_equal(tern_plan_open_mem(&p, longer, size + 8, err,
                                        sizeof err), -1);
    assert_non_null(strstr(err, "trailing data: header says"));
    free(longer);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_config),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_documented_example),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_magic_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
