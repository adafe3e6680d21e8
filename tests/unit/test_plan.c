/*
 * NAME
 *   test_plan.c - unit tests of the plan writer and reader
 *
 * DESCRIPTION
 *   Round trip (parsed expansions included), determinism, the byte
 *   layout docs/plan-format.md documents (down to its worked example and
 *   the expression images), evaluation of a decoded expression, and
 *   refusal of every truncation and every single-byte flip.  Crafted
 *   plans that carry a valid checksum are in test_plan_corrupt.c, plans
 *   on disk in test_plan_file.c.  Runs under ASan: every plan is held in a buffer of
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

#include <tern/module.h>
#include <tern/option.h>

#include "arena.h"
#include "expand.h"
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
    assert_memory_equal(buf + 8, "\x02\0\0\0", 4);
    assert_memory_equal(buf + 12, "\x28\0\0\0", 4);
    assert_int_equal(buf[16] | buf[17] << 8 | buf[18] << 16, size);
    assert_memory_equal(buf + 19, "\0\0\0\0\0", 5);
    assert_memory_equal(buf + 32, "\x13\0\0\0\0\0\0\0", 8);
    assert_int_equal(size % 8, 0);
    for (unsigned t = 1; t <= 19; t++) {
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
    assert_memory_equal(o + 2 * 64 + 24, "\xfb\xff\xff\xff\xff\xff\xff\xff",
                        8);
    assert_int_equal(tp_get32(o + 2 * 64 + 32), 2);     /* TERN_T_INT */
    /* "core" is stored once however often it is used */
    assert_int_equal(tp_get32(o + 8), tp_get32(m));
    assert_int_equal(tp_get32(o + 64 + 8), tp_get32(m));
    /* no expression: 0xffffffff at byte 56, then a zero pad */
    assert_memory_equal(o + 2 * 64 + 56, "\xff\xff\xff\xff\0\0\0\0", 8);
    free(buf);
}

/* Expression images: the option refers to an expressions record, whose
 * nodes and text lie in exp_bytes, little-endian, nodes 4-aligned. */
static void test_expression_layout(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    const struct tern_exp *want = plan_fixture_banner()->exp;
    uint32_t n, n_exp, n_bytes;
    const unsigned char *o = plan_section(buf, TP_SEC_MAIN_OPTIONS, &n);
    const unsigned char *x = plan_section(buf, TP_SEC_EXPRESSIONS, &n_exp);
    const unsigned char *b = plan_section(buf, TP_SEC_EXP_BYTES, &n_bytes);

    /* smtp_banner is main option 22, and the first expression written */
    assert_non_null(want);
    assert_int_equal(tp_get32(o + 22 * 64 + 56), 0);
    assert_int_equal(tp_get32(o + 22 * 64 + 60), 0);
    /* 5 expressions: the banner, the ACL message and condition, and the
     * server_condition two authenticators share (written once per use) */
    assert_int_equal(n_exp, 5);
    const unsigned char *r = x;     /* record 0 */
    uint32_t nodes = tp_get32(r), n_nodes = tp_get32(r + 4);
    uint32_t text = tp_get32(r + 8), text_len = tp_get32(r + 12);
    assert_int_equal(nodes % 4, 0);
    assert_int_equal(n_nodes, want->n_nodes);
    assert_int_equal(text, nodes + 28 * n_nodes);
    assert_int_equal(text_len, want->text_len);
    assert_int_equal(tp_get32(r + 16), want->root);
    assert_int_equal(tp_get32(r + 20), want->src_len);
    assert_int_equal(tp_get32(r + 24), want->flags);
    assert_int_equal(tp_get32(r + 28), 0);
    assert_true((uint64_t)text + text_len <= n_bytes);
    for (uint32_t i = 0; i < n_nodes; i++) {
        const unsigned char *nd = b + nodes + 28 * i;
        const struct tern_exp_node *w = &want->nodes[i];
        assert_int_equal(nd[0], w->type);
        assert_int_equal(nd[1], w->flags);
        assert_int_equal(nd[2] | nd[3] << 8, w->op);
        assert_int_equal(tp_get32(nd + 4), w->src);
        assert_int_equal(tp_get32(nd + 8), w->next);
        assert_int_equal(tp_get32(nd + 12), w->a);
        assert_int_equal(tp_get32(nd + 24), w->d);
    }
    assert_memory_equal(b + text, want->text, text_len);
    /* ACL items: message of acl_check_rcpt's first statement is item 2 */
    const unsigned char *it = plan_section(buf, TP_SEC_ACL_ITEMS, &n);
    assert_int_equal(tp_get32(it + 0 * 48 + 40), TP_NO_EXP);
    assert_int_equal(tp_get32(it + 2 * 48 + 40), 1);
    free(buf);
}

/* A decoded expression evaluates as the one that was written; on a
 * little-endian host its nodes are used in place, inside the plan, and
 * converted into memory when they cannot be. */
static void test_expression_eval(void **state)
{
    size_t size;
    unsigned char *buf = plan_bytes(plan_fixture_config(), &size);
    struct tern_plan p;
    struct tern_config got;
    struct tern_exp_env env;
    struct tern_exp_result r1, r2;
    char err[512];
    struct tern_arena *a = tern_arena_new();
    const uint16_t one = 1;

    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    const struct tern_exp *e = got.main[22].exp;
    assert_non_null(e);
    assert_true((const unsigned char *)e->text >= buf
                && (const unsigned char *)e->text + e->text_len
                   <= buf + size);
    if (*(const unsigned char *)&one == 1)
        assert_true((const unsigned char *)e->nodes > buf
                    && (const unsigned char *)(e->nodes + e->n_nodes)
                       <= buf + size);
    memset(&env, 0, sizeof env);
    assert_int_equal(tern_exp_eval(e, &env, a, &r1), TERN_EXP_OK);
    assert_int_equal(tern_exp_eval(plan_fixture_banner()->exp, &env, a,
                                   &r2), TERN_EXP_OK);
    /* no variable hook: $smtp_active_hostname is empty; the expansion
     * turned the \n of the text into a newline */
    assert_string_equal(r1.str, " ESMTP Tern \xc3\xa9t\xc3\xa9 \"q\" \n\t");
    assert_string_equal(r1.str, r2.str);
    tern_plan_close(&p);

    /* A plan at an odd address: the nodes cannot be used in place, so
     * the reader converts them (the path a big-endian host takes). */
    unsigned char *odd = malloc(size + 1);
    assert_non_null(odd);
    memcpy(odd + 1, buf, size);
    assert_int_equal(tern_plan_open_mem(&p, odd + 1, size, err, sizeof err),
                     0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    e = got.main[22].exp;
    assert_true((const unsigned char *)e->nodes < odd
                || (const unsigned char *)e->nodes > odd + size);
    plan_fixture_compare(plan_fixture_config(), &got);
    assert_int_equal(tern_exp_eval(e, &env, a, &r1), TERN_EXP_OK);
    assert_string_equal(r1.str, r2.str);
    tern_plan_close(&p);
    free(odd);
    tern_arena_free(a);
    free(buf);
}

/* The worked example of docs/plan-format.md, byte for byte: a change to
 * the writer that changes the format fails here, and then the version
 * and the document must change with it. */
static const char example_hex[] =
    "5445524e504c414e0200000028000000680200000000000049c03f1ae347f62d"
    "13000000000000000100000026000000f0010000000000002600000000000000"
    "0200000001000000180200000000000008000000000000000300000001000000"
    "2002000000000000080000000000000004000000000000002802000000000000"
    "0000000000000000050000000100000028020000000000004000000000000000"
    "0600000000000000680200000000000000000000000000000700000000000000"
    "6802000000000000000000000000000008000000000000006802000000000000"
    "0000000000000000090000000000000068020000000000000000000000000000"
    "0a00000000000000680200000000000000000000000000000b00000000000000"
    "680200000000000000000000000000000c000000000000006802000000000000"
    "00000000000000000d0000000000000068020000000000000000000000000000"
    "0e00000000000000680200000000000000000000000000000f00000000000000"
    "6802000000000000000000000000000010000000000000006802000000000000"
    "0000000000000000110000000000000068020000000000000000000000000000"
    "1200000000000000680200000000000000000000000000001300000000000000"
    "680200000000000000000000000000006578696d2e636f6e66006d6573736167"
    "655f73697a655f6c696d697400636f72650035304d0000000000000009000000"
    "00000000090000000a000000120000001d000000040000002200000003000000"
    "0000200300000000030000000000000001000000000000000c00000001000000"
    "ffffffff00000000";

static void test_documented_example(void **state)
{
    static const char *files[] = { "exim.conf" };
    static struct tern_cfg_option opt = {
        "message_size_limit", "core", { TERN_T_MKINT, 1, 52428800, "50M" },
        0, { 0, 12, 1 }, NULL
    };
    struct tern_config cfg;
    size_t size, n = strlen(example_hex) / 2;
    unsigned char want[616];

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
    assert_true(tern_plan_checksum(got, size) == 0x2df647e31a3fc049ULL);
    free(got);
}

/* The expression example of docs/plan-format.md, `$domain` built by hand
 * (parser-independent): its bytes, and its value once decoded. */
static int domain_var(void *arg, const char *name, size_t len,
                      const char **val, size_t *vlen)
{
    (void)arg;
    if (len != 6 || memcmp(name, "domain", 6) != 0)
        return TERN_FAIL;
    *val = "example.org";
    *vlen = 11;
    return TERN_OK;
}

static void test_documented_expression(void **state)
{
    static const struct tern_exp_node nodes[] = {
        { 0, 0, 0, 0, 0, 0, 0, 0, 0 },
        { 1, 0, 0, 0, 0, 2, 1, 0, 0 },      /* SEQ: child 2, one child */
        { 3, 0, 0, 0, 0, 0, 6, 0, 0 },      /* VAR: text 0, length 6 */
    };
    static const struct tern_exp domain = { nodes, 3, 1, "domain", 6, 7, 0 };
    static const char *files[] = { "exim.conf" };
    static struct tern_cfg_option opt = {
        "qualify_domain", "core", { TERN_T_STRING, 1, 0, "$domain" },
        TERN_F_EXPAND, { 0, 3, 1 }, &domain
    };
    static const unsigned char want_record[32] = {
        0, 0, 0, 0, 3, 0, 0, 0, 84, 0, 0, 0, 6, 0, 0, 0,
        1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    unsigned char want_bytes[90];
    struct tern_config cfg, got;
    struct tern_plan p;
    struct tern_exp_env env;
    struct tern_exp_result r;
    char err[512];
    size_t size;
    uint32_t n;

    memset(want_bytes, 0, sizeof want_bytes);
    want_bytes[28] = 1;
    want_bytes[28 + 12] = 2;
    want_bytes[28 + 16] = 1;
    want_bytes[56] = 3;
    want_bytes[56 + 16] = 6;
    memcpy(want_bytes + 84, "domain", 6);
    memset(&cfg, 0, sizeof cfg);
    cfg.source = "exim.conf";
    cfg.files = files;
    cfg.n_files = 1;
    cfg.main = &opt;
    cfg.n_main = 1;
    unsigned char *buf = plan_bytes(&cfg, &size);
    const unsigned char *x = plan_section(buf, TP_SEC_EXPRESSIONS, &n);
    assert_int_equal(n, 1);
    assert_memory_equal(x, want_record, sizeof want_record);
    x = plan_section(buf, TP_SEC_EXP_BYTES, &n);
    assert_int_equal(n, sizeof want_bytes);
    assert_memory_equal(x, want_bytes, sizeof want_bytes);
    x = plan_section(buf, TP_SEC_MAIN_OPTIONS, &n);
    assert_memory_equal(x + 56, "\0\0\0\0\0\0\0\0", 8);

    struct tern_arena *a = tern_arena_new();
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &got, err, sizeof err), 0);
    plan_fixture_exp_eq(&domain, got.main[0].exp);
    memset(&env, 0, sizeof env);
    env.variable = domain_var;
    assert_int_equal(tern_exp_eval(got.main[0].exp, &env, a, &r),
                     TERN_EXP_OK);
    assert_string_equal(r.str, "example.org");
    tern_arena_free(a);
    free(buf);
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
    tp_put32(buf + 8, 1);       /* before expressions were stored */
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), -1);
    assert_string_equal(err, "plan: plan format version 1, this tern reads "
                        "version 2: recompile with confc");

    tp_put32(buf + 8, 0x10000);
    plan_fix_checksum(buf, size);
    assert_int_equal(tern_plan_open_mem(&p, buf, size, err, sizeof err), -1);
    assert_string_equal(err, "plan: plan format version 65536, this tern "
                        "reads version 2: recompile with confc");

    tp_put32(buf + 8, 2);
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
        cmocka_unit_test(test_expression_layout),
        cmocka_unit_test(test_expression_eval),
        cmocka_unit_test(test_documented_example),
        cmocka_unit_test(test_documented_expression),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_magic_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
