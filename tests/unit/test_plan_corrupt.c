/*
 * NAME
 *   test_plan_corrupt.c - crafted plans with valid checksums
 *
 * DESCRIPTION
 *   A checksum only catches accidents.  These tests damage one field of a
 *   plan on purpose, recompute the checksum, and check that open or
 *   decode refuses it with a message naming the problem, never reading
 *   outside the plan (the buffer is exactly the plan's size and the suite
 *   runs under ASan).  Expression images are damaged the same way: bad
 *   indexes, offsets, lengths, links, node types.  A final sweep
 *   rewrites every byte past the checksum with several values and
 *   requires each result to be either refused cleanly or decoded into a
 *   configuration whose every string lies inside the plan and whose
 *   every expression evaluates without harm.
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

#include "arena.h"
#include "expand.h"
#include "plan.h"
#include "plan_format.h"
#include "plan_fixture.h"

struct fx {
    unsigned char *buf;
    size_t size;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->buf = plan_bytes(plan_fixture_config(), &f->size);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    free(f->buf);
    free(f);
    return 0;
}

/* Record i of section type. */
static unsigned char *record(struct fx *f, unsigned type, uint32_t i)
{
    uint32_t n;
    unsigned char *s = plan_section(f->buf, type, &n);
    assert_true(i < n);
    return s + (size_t)i * tp_record_size(type);
}

static unsigned char *dir_entry(struct fx *f, unsigned type)
{
    for (unsigned i = 0; i < TP_SEC_MAX; i++) {
        unsigned char *e = f->buf + TP_HEADER_SIZE + i * TP_DIR_ENTRY_SIZE;
        if (tp_get32(e) == type)
            return e;
    }
    fail_msg("no directory entry for %u", type);
    return NULL;
}

/* Fix the checksum, then expect open (stage 0) or decode (stage 1) to
 * fail with a message that starts "plan: " and contains `want`. */
static void expect_refused(struct fx *f, int stage, const char *want)
{
    struct tern_plan p;
    struct tern_config cfg;
    char err[512] = "";
    struct tern_arena *a = tern_arena_new();

    plan_fix_checksum(f->buf, f->size);
    int rc = tern_plan_open_mem(&p, f->buf, f->size, err, sizeof err);
    if (stage == 1) {
        if (rc != 0)
            fail_msg("open refused it already: %s", err);
        rc = tern_plan_decode(&p, a, &cfg, err, sizeof err);
    }
    tern_arena_free(a);
    if (rc != -1 || strncmp(err, "plan: ", 6) != 0 || !strstr(err, want))
        fail_msg("rc %d, got \"%s\", want \"...%s...\"", rc, err, want);
    if (stage == 1)
        assert_int_equal(cfg.n_main, 0);        /* zeroed on failure */
}

static void test_string_offsets(void **state)
{
    struct fx *f = *state;
    uint32_t n_strs;
    plan_section(f->buf, TP_SEC_STRINGS, &n_strs);
    unsigned char *o = record(f, TP_SEC_MAIN_OPTIONS, 0);
    uint32_t off = tp_get32(o), len = tp_get32(o + 4);

    tp_put32(o, n_strs + 10);           /* past the table */
    expect_refused(f, 1, "main_options record 0: name (offset");
    expect_refused(f, 1, "lies outside the string table");
    tp_put32(o, n_strs - len);          /* NUL would be one past the end */
    expect_refused(f, 1, "lies outside the string table");
    tp_put32(o, 0xfffffff0u);           /* off + len wraps around 2^32 */
    tp_put32(o + 4, 0x20);
    expect_refused(f, 1, "lies outside the string table");
    tp_put32(o, off);
    tp_put32(o + 4, len - 1);           /* no NUL where the length ends */
    expect_refused(f, 1, "is not NUL-terminated");
    tp_put32(o + 4, len);

    /* a NUL inside: cut the META source string (decoded first) */
    unsigned char *m = record(f, TP_SEC_META, 0);
    unsigned char *strs = plan_section(f->buf, TP_SEC_STRINGS, &n_strs);
    strs[tp_get32(m) + 3] = '\0';
    expect_refused(f, 1, "meta record 0: source");
    expect_refused(f, 1, "contains a NUL byte");
}

static void test_null_strings(void **state)
{
    struct fx *f = *state;
    unsigned char *r = record(f, TP_SEC_ROUTERS, 1);
    uint32_t off = tp_get32(r + 24), len = tp_get32(r + 28);

    tp_put32(r + 24, TP_NULL_STR);      /* router name */
    tp_put32(r + 28, 0);
    expect_refused(f, 1, "routers record 1: name is missing");
    tp_put32(r + 24, off);
    tp_put32(r + 28, len);
    r = record(f, TP_SEC_MACROS, 3);    /* value NULL is allowed ... */
    assert_int_equal(tp_get32(r + 8), TP_NULL_STR);
    tp_put32(r + 12, 5);                /* ... but not with a length */
    expect_refused(f, 1, "macros record 3: value is missing");
}

static void test_counts_and_ranges(void **state)
{
    struct fx *f = *state;
    unsigned char *e = dir_entry(f, TP_SEC_MAIN_OPTIONS);
    uint32_t count = tp_get32(e + 4);

    tp_put32(e + 4, count + 1);         /* count too large for the size */
    expect_refused(f, 1, "section main_options: 26 records of 64 bytes do "
                   "not match its size of 1600 bytes");
    tp_put32(e + 4, 0xffffffffu);
    expect_refused(f, 1, "do not match its size");
    tp_put32(e + 4, count);

    unsigned char *r = record(f, TP_SEC_ROUTERS, 0);
    tp_put32(r + 8, 1000);              /* n_options */
    expect_refused(f, 1, "routers record 0: range 0+1000 of driver_options "
                   "goes past its 10 records");
    tp_put32(r + 4, 0xfffffff0u);       /* first + n wraps */
    tp_put32(r + 8, 0x20);
    expect_refused(f, 1, "of driver_options goes past its 10 records");
    tp_put32(r + 4, 0);
    tp_put32(r + 8, 3);

    unsigned char *s = record(f, TP_SEC_ACL_STMTS, 1);
    tp_put32(s + 4, 9);                 /* first item of 9 */
    expect_refused(f, 1, "acl_stmts record 1: range 9+2 of acl_items");
    tp_put32(s + 4, 3);
    unsigned char *a = record(f, TP_SEC_ACLS, 2);
    tp_put32(a + 12, 8);                /* 8 statements from 7 */
    expect_refused(f, 1, "acls record 2: range 7+8 of acl_stmts goes past "
                   "its 7");
    tp_put32(a + 12, 0);
    unsigned char *rt = record(f, TP_SEC_RETRIES, 1);
    tp_put32(rt + 28, 5);
    expect_refused(f, 1, "retries record 1: range 4+5 of retry_rules");
}

static void test_enums_and_locations(void **state)
{
    struct fx *f = *state;
    unsigned char *o = record(f, TP_SEC_MAIN_OPTIONS, 0);

    tp_put32(o + 44, 7);                /* loc.file of 2 files */
    expect_refused(f, 1, "source file index 7 out of range (2 files)");
    tp_put32(o + 44, 0);
    tp_put32(o + 32, 0);                /* option type */
    expect_refused(f, 1, "main_options record 0: type 0 is not between");
    tp_put32(o + 32, 1);                /* back to TERN_T_BOOL */
    tp_put32(o + 40, 2);                /* is_set */
    expect_refused(f, 1, "is_set is 2, not 0 or 1");
    tp_put32(o + 40, 1);

    unsigned char *s = record(f, TP_SEC_ACL_STMTS, 0);
    tp_put32(s, 42);
    expect_refused(f, 1, "acl_stmts record 0: verb 42 is not between 1 "
                   "and 7");
    tp_put32(s, 3);
    unsigned char *ru = record(f, TP_SEC_RETRY_RULES, 2);
    tp_put32(ru, 'X');
    expect_refused(f, 1, "retry_rules record 2: retry algorithm 88");
    tp_put32(ru, 'H');
    unsigned char *d = record(f, TP_SEC_TRANSPORTS, 0);
    tp_put32(d, 1);
    expect_refused(f, 1, "transports record 0: driver kind 1 in the "
                   "transports section");
    tp_put32(d, 2);
    unsigned char *l = record(f, TP_SEC_LISTS, 3);
    tp_put32(l, 5);
    expect_refused(f, 1, "lists record 3: list kind 5");
}

static void test_directory(void **state)
{
    struct fx *f = *state;
    unsigned char *e = dir_entry(f, TP_SEC_MACROS);
    uint64_t off = tp_get64(e + 8);

    tp_put64(e + 8, f->size);           /* starts at the end, size > 0 */
    expect_refused(f, 0, "section macros (type 17) at offset");
    expect_refused(f, 0, "lies outside the file's data");
    tp_put64(e + 8, 0xfffffffffffffff8ull);     /* off + size wraps */
    expect_refused(f, 0, "lies outside the file's data");
    tp_put64(e + 8, 8);                 /* inside the header */
    expect_refused(f, 0, "lies outside the file's data");
    tp_put64(e + 8, off - 4);
    expect_refused(f, 0, "is not 8-byte aligned");
    tp_put64(e + 8, off);

    tp_put32(e, 99);                    /* unknown type: skipped ... */
    expect_refused(f, 1, "section macros is missing");
    tp_put32(e, TP_SEC_REWRITES);       /* ... a second rewrites */
    expect_refused(f, 1, "section rewrites appears twice");
    tp_put32(e, TP_SEC_MACROS);

    tp_put32(f->buf + TP_OFF_N_SECTIONS, 0x7fffffff);
    expect_refused(f, 0, "section directory (2147483647 entries) does not "
                   "fit");
    tp_put32(f->buf + TP_OFF_N_SECTIONS, 18);   /* exp_bytes left out */
    expect_refused(f, 1, "section exp_bytes is missing");
    tp_put32(f->buf + TP_OFF_N_SECTIONS, 16);   /* and macros */
    expect_refused(f, 1, "section macros is missing");
    tp_put32(f->buf + TP_OFF_N_SECTIONS, 19);
    tp_put32(f->buf + TP_OFF_HDR_SIZE, 36);
    expect_refused(f, 0, "bad header size 36");
    tp_put32(f->buf + TP_OFF_HDR_SIZE, 40);

    unsigned char *meta = dir_entry(f, TP_SEC_META);
    tp_put32(meta + 4, 0);
    tp_put64(meta + 16, 0);
    expect_refused(f, 1, "section meta has 0 records, not 1");
}

/* Expression references and images: every index, offset and length is
 * checked, and every image must pass tern_exp_check(). */
static void test_expressions(void **state)
{
    struct fx *f = *state;
    unsigned char *o = record(f, TP_SEC_MAIN_OPTIONS, 22);  /* smtp_banner */
    unsigned char *it = record(f, TP_SEC_ACL_ITEMS, 2);
    uint32_t n_exp, n_bytes;

    plan_section(f->buf, TP_SEC_EXPRESSIONS, &n_exp);
    unsigned char *b = plan_section(f->buf, TP_SEC_EXP_BYTES, &n_bytes);
    assert_int_equal(n_exp, 5);
    assert_int_equal(tp_get32(o + 56), 0);
    tp_put32(o + 56, 5);
    expect_refused(f, 1, "main_options record 22: expression 5 out of "
                   "range (5 expressions)");
    tp_put32(o + 56, 0);
    assert_int_equal(tp_get32(it + 40), 1);
    tp_put32(it + 40, 0xfffffffeu);
    expect_refused(f, 1, "acl_items record 2: expression 4294967294 out of "
                   "range");
    tp_put32(it + 40, 1);

    unsigned char *x = record(f, TP_SEC_EXPRESSIONS, 1);
    uint32_t nodes = tp_get32(x), n_nodes = tp_get32(x + 4);
    uint32_t text = tp_get32(x + 8), text_len = tp_get32(x + 12);
    tp_put32(x, nodes + 2);
    expect_refused(f, 1, "expressions record 1: nodes at ");
    expect_refused(f, 1, "are not 4-byte aligned");
    tp_put32(x, (n_bytes + 3) & ~3u);          /* at the end, aligned */
    expect_refused(f, 1, "expressions record 1: ");
    expect_refused(f, 1, "lie outside exp_bytes");
    tp_put32(x, 0xfffffffcu);
    expect_refused(f, 1, "lie outside exp_bytes");
    tp_put32(x, nodes);
    tp_put32(x + 4, 0x7fffffffu);       /* n_nodes * 28 overflows 32 bits */
    expect_refused(f, 1, "lie outside exp_bytes");
    tp_put32(x + 4, n_nodes);
    tp_put32(x + 8, n_bytes - text_len + 1);
    expect_refused(f, 1, "text (offset");
    tp_put32(x + 8, 0xffffffffu);
    tp_put32(x + 12, 2);
    expect_refused(f, 1, "lies outside exp_bytes");
    tp_put32(x + 8, text);
    tp_put32(x + 12, text_len);

    /* damage inside the image: tern_exp_check() refuses it */
    unsigned char *root = b + nodes + 28 * tp_get32(x + 16);
    uint32_t first = tp_get32(root + 12);
    tp_put32(root + 12, tp_get32(x + 16));      /* the root is its child */
    expect_refused(f, 1, "expressions record 1: bad expression: ");
    tp_put32(root + 12, first);
    root[0] = 200;                              /* unknown node type */
    expect_refused(f, 1, "expressions record 1: bad expression: ");
    root[0] = 1;
    tp_put32(x + 16, n_nodes);                  /* root out of range */
    expect_refused(f, 1, "expressions record 1: bad expression: ");
    tp_put32(x + 16, 0);                        /* root is node 0 */
    expect_refused(f, 1, "expressions record 1: bad expression: ");
    tp_put32(x + 16, (uint32_t)((root - b - nodes) / 28));
    for (uint32_t i = 1; i < n_nodes; i++) {
        unsigned char *nd = b + nodes + 28 * i;
        if (nd[0] != 2)                         /* a literal */
            continue;
        uint32_t len = tp_get32(nd + 16);
        tp_put32(nd + 16, text_len + 1);        /* past the text */
        expect_refused(f, 1, "expressions record 1: bad expression: ");
        tp_put32(nd + 16, len);
        break;
    }
    tp_put32(x + 4, 1);                         /* only node 0 */
    expect_refused(f, 1, "expressions record 1: bad expression: ");
    tp_put32(x + 4, n_nodes);

    /* all restored: accepted again */
    struct tern_plan p;
    struct tern_config cfg;
    char err[512];
    struct tern_arena *a = tern_arena_new();
    plan_fix_checksum(f->buf, f->size);
    assert_int_equal(tern_plan_open_mem(&p, f->buf, f->size, err,
                                        sizeof err), 0);
    assert_int_equal(tern_plan_decode(&p, a, &cfg, err, sizeof err), 0);
    plan_fixture_compare(plan_fixture_config(), &cfg);
    tern_arena_free(a);
}

/* Evaluate a decoded expression with no hooks: whatever a damaged but
 * accepted image says, evaluation must end without touching memory
 * outside the plan and the arena. */
static void walk_exp(const struct tern_exp *e, const unsigned char *lo,
                     size_t n)
{
    struct tern_exp_env env;
    struct tern_exp_result r;
    struct tern_arena *a;

    if (e == NULL)
        return;
    assert_true((const unsigned char *)e->text >= lo
                && (const unsigned char *)e->text + e->text_len <= lo + n);
    memset(&env, 0, sizeof env);
    env.max_len = 1 << 16;
    a = tern_arena_new();
    (void)tern_exp_eval(e, &env, a, &r);
    tern_arena_free(a);
}

/* Touch every string and array of a decoded configuration, checking each
 * string lies inside the plan. */
static void walk_str(const char *s, const unsigned char *lo, size_t n)
{
    if (s == NULL)
        return;
    const unsigned char *u = (const unsigned char *)s;
    assert_true(u >= lo && u + strlen(s) < lo + n);
}

static void walk_opts(const struct tern_cfg_option *o, size_t n_opts,
                      const unsigned char *lo, size_t n)
{
    for (size_t i = 0; i < n_opts; i++) {
        walk_str(o[i].name, lo, n);
        walk_str(o[i].module, lo, n);
        walk_str(o[i].value.text, lo, n);
        walk_exp(o[i].exp, lo, n);
    }
}

static void walk(const struct tern_config *c, const unsigned char *lo,
                 size_t n)
{
    const struct tern_cfg_driver *drv[3] = { c->routers, c->transports,
                                             c->auths };
    size_t n_drv[3] = { c->n_routers, c->n_transports, c->n_auths };

    walk_str(c->source, lo, n);
    for (size_t i = 0; i < c->n_files; i++)
        walk_str(c->files[i], lo, n);
    walk_opts(c->main, c->n_main, lo, n);
    for (size_t i = 0; i < c->n_acls; i++)
        for (size_t j = 0; j < c->acls[i].n_stmts; j++)
            for (size_t k = 0; k < c->acls[i].stmts[j].n_items; k++) {
                walk_str(c->acls[i].stmts[j].items[k].value, lo, n);
                walk_exp(c->acls[i].stmts[j].items[k].exp, lo, n);
            }
    for (int t = 0; t < 3; t++)
        for (size_t i = 0; i < n_drv[t]; i++) {
            walk_str(drv[t][i].driver, lo, n);
            walk_opts(drv[t][i].options, drv[t][i].n_options, lo, n);
        }
    for (size_t i = 0; i < c->n_retries; i++)
        for (size_t j = 0; j < c->retries[i].n_rules; j++)
            assert_true(strchr("FGH", c->retries[i].rules[j].algo));
}

static void test_sweep(void **state)
{
    struct fx *f = *state;
    static const unsigned char values[] = { 0x00, 0xff, 0x80, 0x7f };
    size_t refused = 0, accepted = 0;
    char err[512];

    for (size_t i = TP_OFF_CHECKSUM + 8; i < f->size; i++) {
        unsigned char saved = f->buf[i];
        for (size_t k = 0; k <= sizeof values; k++) {
            f->buf[i] = k < sizeof values ? values[k] : saved + 1;
            if (f->buf[i] == saved)
                continue;
            plan_fix_checksum(f->buf, f->size);
            struct tern_plan p;
            struct tern_config cfg;
            struct tern_arena *a = tern_arena_new();
            err[0] = '\0';
            if (tern_plan_open_mem(&p, f->buf, f->size, err, sizeof err) < 0
                || tern_plan_decode(&p, a, &cfg, err, sizeof err) < 0) {
                assert_memory_equal(err, "plan: ", 6);
                refused++;
            } else {
                walk(&cfg, f->buf, f->size);
                accepted++;
            }
            tern_arena_free(a);
        }
        f->buf[i] = saved;
    }
    print_message("sweep: %zu refused, %zu accepted\n", refused, accepted);
    /* both outcomes must occur: text bytes may change freely, offsets
     * may not */
    assert_true(refused > 1000);
    assert_true(accepted > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_string_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_ranges, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enums_and_locations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expressions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
