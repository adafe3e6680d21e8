/*
 * NAME
 *   test_expand_parse.c - parse errors and their offsets, the node image,
 *   and tern_exp_check() against damaged images
 *
 * DESCRIPTION
 *   confc turns the offset of a parse error into file:line:col, so each
 *   error class is checked with the exact 0-based offset it must point
 *   at.  The image tests build expansions, check the documented
 *   invariants (node 0 empty, root a sequence, links forward), then
 *   damage copies in every way a corrupt plan could and expect
 *   tern_exp_check() to refuse each.
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
#include "expand_int.h"
#include "test_expand_env.h"

int tern_exp_tables_sorted(void);

static struct tern_arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = tern_arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tern_arena_free(arena);
    return 0;
}

static void expect_error(const char *src, unsigned offset, const char *part)
{
    struct tern_exp *e;
    struct tern_exp_error err;
    int rc = tern_exp_parse(arena, src, strlen(src), &texp_schema, 0, &e,
                            &err);
    if (rc == 0 || err.offset != offset || !strstr(err.msg, part))
        fail_msg("%s: expected error \"%s\" at %u, got rc %d \"%s\" at %u",
                 src, part, offset, rc, rc ? err.msg : "", err.offset);
}

static struct tern_exp *parse_ok(const char *src)
{
    struct tern_exp *e;
    struct tern_exp_error err;
    if (tern_exp_parse(arena, src, strlen(src), &texp_schema, 0, &e,
                       &err) < 0)
        fail_msg("%s: unexpected error \"%s\" at %u", src, err.msg,
                 err.offset);
    return e;
}

static void test_error_offsets(void **state)
{
    (void)state;
    expect_error("${foo:bar}", 0, "unknown expansion operator");
    expect_error("abc ${uc:x} $nosuch", 12, "unknown variable name");
    expect_error("ab ${nosuch}", 3, "unknown variable");
    expect_error("x ${if xx{a}}", 7, "unknown condition \"xx\"");
    expect_error("${if ne{a}{b}}", 5, "unknown condition");
    expect_error("${if eq{a}{b}", 13, "did not start with");
    expect_error("${if eq{a}{b}{c}{d}{e}}", 19, "did not close");
    expect_error("${if eq{a}{b}{y}failx}", 16, "\"fail\" expected");
    expect_error("${if eq}", 7, "missing { after");
    expect_error("${if eq{a}}", 10, "missing 2nd string");
    expect_error("${if and{eq{a}{a}}}", 9, "in its own {}");
    expect_error("${if def:nosuch}", 9, "after \"def:\"");
    expect_error("${if def: x}", 9, "variable name omitted");
    expect_error("${if}", 4, "condition name expected");
    expect_error("${lookup{k}nosuch{f}}", 11, "unknown lookup type");
    expect_error("${lookup{a}dnsdb{x}}", 11, "not a single-key");
    expect_error("${lookup lsearch{a}}", 9, "missing {key}");
    expect_error("${lookup dnsdb*{x}}", 9, "not permitted");
    expect_error("${lookup}", 8, "missing lookup type");
    expect_error("${length_x:abc}", 0, "non-digit after underscore");
    expect_error("${length_2_3:abc}", 0, "non-digit after underscore");
    expect_error("${sha2_100:x}", 0, "sha2 variant");
    expect_error("${quote_nosuch:x}", 0, "unknown lookup type");
    expect_error("${sg{a}{b}}", 10, "not enough arguments for 'sg'");
    expect_error("${sg{a}{b}{c}{d}}", 13, "too many arguments for 'sg'");
    expect_error("${sg{abc}{b}{x}x}", 15, "missing '}' after 'sg'");
    expect_error("\\", 0, "\\ at end of string");
    expect_error("ab${uc:abc", 6, "missing }");
    expect_error("$", 0, "$ not followed");
    expect_error("x$ y", 1, "$ not followed");
    expect_error("${ uc:x}", 2, "letter or digit expected");
    expect_error("${authresults{a}{b}}", 16, "missing '}'");
    expect_error("${authresults}", 13, "not enough arguments");
    expect_error("${if inbound_srs{a}}", 19, "not enough arguments");
    expect_error("${extract{}{a=1}}", 10, "must not be empty");
    expect_error("${extract{2}{a:b:c}}", 19, "missing '{' for arg 3");
    expect_error("${extract{x}{y}{z}{w}{v}}", 24, "too many arguments");
    expect_error("${run,bad{x}}", 6, "bad option");
    expect_error("${run{/bin/echo $nosuch}}", 16, "unknown variable");
    expect_error("${sort{a}{eq}{$item}}", 10, "not handled for sort");
    expect_error("${filter{a:b}{true}}", 14, "unknown condition");
    /* Regex errors point into the pattern when it is plain text. */
    expect_error("${sg{a}{(}{b}}", 9, "regular expression");
    expect_error("${sg{a}{ab(}{b}}", 11, "regular expression");
    expect_error("${sg{a}{\\N(\\N}{b}}", 11, "regular expression");
    expect_error("${if match{x}{a[}{y}}", 16, "regular expression");
    /* Nesting is bounded. */
    char deep[2000];
    size_t k = 0;
    for (int i = 0; i < 150; i++)
        k += (size_t)snprintf(deep + k, sizeof deep - k, "${uc:");
    for (int i = 0; i < 150; i++)
        deep[k++] = '}';
    deep[k] = '\0';
    expect_error(deep, 500, "nested too deeply");
}

static void test_accepts(void **state)
{
    (void)state;
    parse_ok("${authresults{$primary_hostname}}");
    parse_ok("${if inbound_srs{a}{b}{y}{n}}");
    parse_ok("$acl_c0 $acl_m_x ${acl_c_count}");
    parse_ok("$h_subject: $bh_x-y: $rheader_to: $lh_received:");
    parse_ok("${if match{x}{\\N^a(b)\\N}{$1}}");
    parse_ok("${lookup{k}partial2-lsearch*@,ret=key{/f}{$value}fail}");
    parse_ok("${lookup tq{q}{$value}{no}}");
    parse_ok("${run,preexpand{/bin/echo $primary_hostname}}");
    parse_ok("${extract json{a}{\\{\"a\":1\\}}}");
    parse_ok("${headerwrap_40_100:x}");
    parse_ok("${substr_-3_2:abcdef}");
    /* Regex checks can be skipped (for a lint of broken configs). */
    struct tern_exp *e;
    struct tern_exp_error err;
    assert_int_equal(tern_exp_parse(arena, "${sg{a}{(}{b}}", 14,
                                    &texp_schema, TERN_EXP_NO_REGEX_CHECK,
                                    &e, &err), 0);
    /* A dynamic regex cannot be checked while parsing. */
    parse_ok("${sg{a}{$primary_hostname(}{b}}");
}

static void test_constant_flag(void **state)
{
    (void)state;
    assert_true(parse_ok("plain \\$text")->flags & TERN_EXP_CONSTANT);
    assert_false(parse_ok("a $primary_hostname")->flags & TERN_EXP_CONSTANT);
    assert_false(parse_ok("${uc:a}")->flags & TERN_EXP_CONSTANT);
}

static void test_position(void **state)
{
    (void)state;
    unsigned line, col;
    const char *s = "ab\ncd ${x}";
    tern_exp_position(s, strlen(s), 6, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 4);
    tern_exp_position(s, strlen(s), 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
}

static void test_tables(void **state)
{
    (void)state;
    assert_true(tern_exp_tables_sorted());
    assert_non_null(exp_find_op("uc", 2));
    assert_non_null(exp_find_op("sha256", 6));
    assert_null(exp_find_op("sha25", 5));
    assert_non_null(exp_find_cond("<=", 2));
    assert_non_null(exp_find_item("listextract", 11));
    assert_null(exp_find_item("listextrac", 10));
}

/* The documented invariants of a parsed image. */
static void check_invariants(const struct tern_exp *e)
{
    assert_int_equal(e->nodes[0].type, EN_NONE);
    assert_int_equal(e->nodes[e->root].type, EN_SEQ);
    for (uint32_t i = 1; i < e->n_nodes; i++) {
        const struct tern_exp_node *n = &e->nodes[i];
        if (n->next)
            assert_true(n->next > i);
        if (n->b && (n->type == EN_SEQ || n->type == EN_ITEM ||
                     n->type == EN_COND || n->type == EN_MOD ||
                     n->type == EN_OPER))
            assert_true(n->a > i);
        assert_true(n->src <= e->src_len);
    }
}

static struct tern_exp *dup_image(const struct tern_exp *e)
{
    struct tern_exp *c = tern_alloc(arena, sizeof *c);
    struct tern_exp_node *nodes = tern_alloc(arena, e->n_nodes *
                                             sizeof *nodes);
    memcpy(nodes, e->nodes, e->n_nodes * sizeof *nodes);
    *c = *e;
    c->nodes = nodes;
    return c;
}

static void test_check_rejects_damage(void **state)
{
    (void)state;
    char why[200];
    const char *src = "a ${if eq{$primary_hostname}{x}{${uc:y}}{z}} "
                      "${lookup{k}lsearch{/f}}";
    struct tern_exp *e = parse_ok(src);
    check_invariants(e);
    assert_int_equal(tern_exp_check(e, why, sizeof why), 0);

    size_t damaged = 0;
    for (uint32_t i = 1; i < e->n_nodes; i++) {
        struct tern_exp *c;
        struct tern_exp_node *n;
        /* A link pointing back (a cycle). */
        c = dup_image(e);
        n = (struct tern_exp_node *)&c->nodes[i];
        if (n->next || (n->b && n->type != EN_LIT && n->type != EN_VAR &&
                        n->type != EN_HEADER && n->type != EN_NUMVAR)) {
            if (n->next)
                n->next = i;
            else
                n->a = i;
            assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
            damaged++;
        }
        /* Text out of range. */
        c = dup_image(e);
        n = (struct tern_exp_node *)&c->nodes[i];
        if (n->type == EN_LIT || n->type == EN_VAR) {
            n->b = c->text_len + 1;
            assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
            damaged++;
        }
        /* Unknown type and op. */
        c = dup_image(e);
        ((struct tern_exp_node *)&c->nodes[i])->type = 200;
        assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
        c = dup_image(e);
        n = (struct tern_exp_node *)&c->nodes[i];
        if (n->type == EN_ITEM || n->type == EN_OPER || n->type == EN_COND) {
            n->op = 999;
            assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
            damaged++;
        }
    }
    assert_true(damaged > 5);
    /* A shared subtree (two links to one node) is refused. */
    struct tern_exp *c = dup_image(e);
    uint32_t lit = 0, seq = 0;
    for (uint32_t i = 1; i < c->n_nodes; i++) {
        if (!lit && c->nodes[i].type == EN_LIT)
            lit = i;
        if (c->nodes[i].type == EN_SEQ && c->nodes[i].b == 0 && i > lit)
            seq = i;
    }
    if (lit && seq) {
        ((struct tern_exp_node *)&c->nodes[seq])->a = lit;
        ((struct tern_exp_node *)&c->nodes[seq])->b = 1;
        assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
    }
    /* Bad root, bad node 0, truncation. */
    c = dup_image(e);
    c->root = c->n_nodes;
    assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
    c = dup_image(e);
    ((struct tern_exp_node *)&c->nodes[0])->type = EN_LIT;
    assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
    c = dup_image(e);
    c->n_nodes = c->n_nodes / 2;
    assert_int_equal(tern_exp_check(c, why, sizeof why), -1);
    assert_int_equal(tern_exp_check(NULL, why, sizeof why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_error_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accepts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constant_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_rejects_damage, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
