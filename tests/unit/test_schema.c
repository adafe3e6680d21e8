/*
 * NAME
 *   test_schema.c - the schema parser, its hash, and schema-set queries
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "schema.h"
#include "tern/option.h"

static const char good[] =
    "# a comment\n"
    "module demo\n"
    "version 1.2.3\n"
    "summary a demo module  \n"
    "status schema-only\n"
    "macro _HAVE_DEMO\n"
    "provides transport demo\n"
    "provides lookup demolookup single\n"
    "provides log_element TFO\n"
    "provides variable demo_*\n"
    "scope transport:demo\n"
    "option size mkint default=\"10M\" doc=\"a \\\"size\\\"\"\n"
    "option helper string expand secret\n";

static void
test_parse(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_diags d = { 0 };

    (void)state;
    struct tern_schema *s = tern_schema_parse(a, "demo.schema", good, &d);
    assert_non_null(s);
    assert_int_equal(d.errors, 0);
    assert_string_equal(s->module, "demo");
    assert_string_equal(s->version, "1.2.3");
    assert_string_equal(s->summary, "a demo module");
    assert_true(s->schema_only);
    assert_int_equal(s->n_macros, 1);
    assert_int_equal(s->n_provides, 4);
    assert_string_equal(s->provides[1].args, "single");
    assert_string_equal(s->provides[3].name, "demo_*");
    assert_int_equal(s->n_options, 2);
    assert_string_equal(s->options[0].scope, "transport:demo");
    assert_int_equal(s->options[0].type, TERN_T_MKINT);
    assert_string_equal(s->options[0].dflt, "10M");
    assert_string_equal(s->options[0].doc, "a \"size\"");
    assert_int_equal(s->options[1].flags, TERN_F_EXPAND | TERN_F_SECRET);
    assert_int_equal(s->options[1].line, 13);
    tern_diags_free(&d);
    tern_arena_free(a);
}

/* Documentation does not change the hash; a default does. */
static void
test_hash(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_diags d = { 0 };
    char *t;

    (void)state;
    struct tern_schema *s1 = tern_schema_parse(a, "x", good, &d);
    t = tern_strdup(a, good);
    memcpy(strstr(t, "1.2.3"), "9.9.9", 5);
    memcpy(strstr(t, "a demo"), "A DEMO", 6);
    struct tern_schema *s2 = tern_schema_parse(a, "x", t, &d);
    t = tern_strdup(a, good);
    memcpy(strstr(t, "10M"), "20M", 3);
    struct tern_schema *s3 = tern_schema_parse(a, "x", t, &d);
    assert_non_null(s1);
    assert_non_null(s2);
    assert_non_null(s3);
    assert_true(s1->hash == s2->hash);
    assert_true(s1->hash != s3->hash);
    tern_diags_free(&d);
    tern_arena_free(a);
}

static void
expect_error(const char *text, unsigned line, unsigned col, const char *what)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_diags d = { 0 };

    assert_null(tern_schema_parse(a, "bad.schema", text, &d));
    assert_true(d.errors >= 1);
    assert_int_equal(d.items[0].pos.line, line);
    assert_int_equal(d.items[0].pos.col, col);
    if (strstr(d.items[0].message, what) == NULL)
        fail_msg("expected '%s' in '%s'", what, d.items[0].message);
    tern_diags_free(&d);
    tern_arena_free(a);
}

static void
test_errors(void **state)
{
    (void)state;
    expect_error("version 1\n", 1, 1, "first declaration");
    expect_error("module m\nscope main\noption x strnig\n", 3, 10,
                 "unknown type 'strnig'");
    expect_error("module m\nscope main\noption x string loud\n", 3, 17,
                 "unknown option flag");
    expect_error("module m\noption x string\n", 2, 1, "before any 'scope'");
    expect_error("module m\nscope router:Bad\n", 2, 7, "unknown scope");
    expect_error("module m\nprovides gadget g\n", 2, 10, "unknown provides");
    expect_error("module m\nscope main\noption x string doc=\"open\n", 3, 17,
                 "unterminated");
    expect_error("module m\nscope main\noption x int\noption x int\n", 4, 8,
                 "declared twice");
    expect_error("module m\nmacro HAVE_X\n", 2, 7, "start with '_'");
    expect_error("module m\nfrobnicate\n", 2, 1, "one argument");
    expect_error("", 0, 0, "no 'module NAME'");
}

static int
installed_if_not_beta(const char *m, void *arg)
{
    (void)arg;
    return strcmp(m, "beta") != 0;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_set(void **state)
{
    char dir[] = "/tmp/tern-schema-XXXXXX";
    struct tern_schema_set set;
    struct tern_diags d = { 0 };
    const struct tern_schema *owner = NULL;

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "core.schema",
               "module core\nscope main\noption message_size_limit string"
               " expand\noption queue_only bool\nscope router\n"
               "option transport string\n");
    write_file(dir, "alpha.schema",
               "module alpha\nprovides router alpha\nscope router:alpha\n"
               "option route_list string\n");
    write_file(dir, "beta.schema",
               "module beta\nprovides transport beta\nscope main\n"
               "option beta_server string\n");
    assert_int_equal(tern_schema_set_load(&set, dir, installed_if_not_beta,
                                          NULL, &d), 0);
    assert_int_equal(set.n, 3);
    assert_string_equal(set.schemas[0]->module, "core");
    assert_non_null(tern_schema_find_option(&set, "main", "queue_only",
                                            &owner));
    assert_string_equal(owner->module, "core");
    assert_non_null(tern_schema_find_option(&set, "router:alpha",
                                            "route_list", NULL));
    assert_null(tern_schema_find_option(&set, "router", "route_list", NULL));
    assert_null(tern_schema_find_option(&set, "main", "beta_server", NULL));
    assert_non_null(tern_schema_find_uninstalled_option(&set, "main",
                                                        "beta_server",
                                                        &owner));
    assert_string_equal(owner->module, "beta");
    assert_non_null(tern_schema_find_provider(&set, "router", "alpha", 0));
    assert_null(tern_schema_find_provider(&set, "transport", "beta", 0));
    assert_non_null(tern_schema_find_provider(&set, "transport", "beta", 1));
    assert_string_equal(tern_schema_suggest_option(&set, "main",
                                                   "mesage_size_limit"),
                        "message_size_limit");
    assert_string_equal(tern_schema_suggest_option(&set, "router:alpha",
                                                   "transprot"),
                        "transport");
    assert_null(tern_schema_suggest_option(&set, "main", "zzzzzz"));
    assert_string_equal(tern_schema_suggest_provide(&set, "router", "alhpa"),
                        "alpha");
    tern_schema_set_free(&set);
    tern_diags_free(&d);

    /* A schema whose module name differs from its file name. */
    write_file(dir, "gamma.schema", "module delta\n");
    assert_int_equal(tern_schema_set_load(&set, dir, NULL, NULL, &d), -1);
    assert_non_null(strstr(d.items[0].message, "declares module 'delta'"));
    tern_schema_set_free(&set);
    tern_diags_free(&d);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);

    assert_int_equal(tern_schema_set_load(&set, "/nonexistent", NULL, NULL,
                                          &d), -1);
    assert_non_null(strstr(d.items[0].message, "core.schema not found"));
    tern_schema_set_free(&set);
    tern_diags_free(&d);
}

/* Every schema shipped in schemas/ parses. */
static void
test_shipped(void **state)
{
    struct tern_schema_set set;
    struct tern_diags d = { 0 };

    (void)state;
    int rc = tern_schema_set_load(&set, TERN_SRCDIR "/schemas", NULL, NULL,
                                  &d);
    tern_diags_print_text(&d, stderr);
    assert_int_equal(rc, 0);
    assert_true(set.n >= 26);
    tern_schema_set_free(&set);
    tern_diags_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),  cmocka_unit_test(test_hash),
        cmocka_unit_test(test_errors), cmocka_unit_test(test_set),
        cmocka_unit_test(test_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
