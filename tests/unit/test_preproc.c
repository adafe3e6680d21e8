/*
 * NAME
 *   test_preproc.c - unit tests for confc's Exim configuration preprocessor
 *
 * DESCRIPTION
 *   Each case feeds a small configuration to cc_preprocess_text (or writes
 *   files into a temporary directory for .include) and checks the exact
 *   logical lines, and the exact file:line:col of every diagnostic.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "diag.h"
#include "preproc.h"
#include "schema.h"

static struct tern_arena *A;
static struct tern_diags D;
static struct cc_lines L;
static char dir[64];
static char *made[16];
static size_t n_made;

static int
setup(void **state)
{
    (void)state;
    A = tern_arena_new();
    memset(&D, 0, sizeof D);
    memset(&L, 0, sizeof L);
    strcpy(dir, "/tmp/tern-test-pp.XXXXXX");
    assert_non_null(mkdtemp(dir));
    n_made = 0;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_made; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    rmdir(dir);
    tern_diags_free(&D);
    tern_arena_free(A);
    return 0;
}

/* Write `text` to dir/name and return the full path. */
static const char *
put(const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_true(n_made < sizeof made / sizeof *made);
    made[n_made++] = path;
    return path;
}

static int
run_opts(const char *text, const char **defs, size_t n_defs,
         const struct tern_schema_set *set)
{
    struct cc_preproc_opts o = {
        .path = "t.conf", .defines = defs, .n_defines = n_defs,
        .schemas = set,
    };
    return cc_preprocess_text(A, &o, text, &L, &D);
}

static int
run(const char *text)
{
    return run_opts(text, NULL, 0, NULL);
}

/* The logical lines joined with '|'. */
static const char *
out(void)
{
    size_t n = 1;
    for (size_t i = 0; i < L.n; i++)
        n += L.v[i].len + 1;
    char *s = tern_alloc(A, n), *p = s;
    for (size_t i = 0; i < L.n; i++) {
        if (i)
            *p++ = '|';
        assert_int_equal(strlen(L.v[i].text), L.v[i].len);
        memcpy(p, L.v[i].text, L.v[i].len);
        p += L.v[i].len;
    }
    *p = '\0';
    return s;
}

static void
diag_is(size_t i, enum tern_severity sev, unsigned line, unsigned col,
        const char *words)
{
    assert_true(i < D.len);
    const struct tern_diag_entry *e = &D.items[i];
    assert_int_equal(e->sev, sev);
    assert_int_equal(e->pos.line, line);
    assert_int_equal(e->pos.col, col);
    if (strstr(e->message, words) == NULL)
        fail_msg("diagnostic '%s' lacks '%s'", e->message, words);
}

static const char *
macro(const char *name)
{
    for (size_t i = 0; i < L.n_macros; i++)
        if (strcmp(L.macros[i].name, name) == 0)
            return L.macros[i].value;
    return NULL;
}

/* ---- comments, blanks, continuation ---- */

static void
comments_and_blanks(void **state)
{
    (void)state;
    assert_int_equal(run("# c\n\n   \n  # indented\na = 1\n\t\nb = 2\n"), 0);
    assert_string_equal(out(), "a = 1|b = 2");
    assert_int_equal(L.v[0].pos.line, 5);
    assert_int_equal(L.v[1].pos.line, 7);
}

static void
hash_inside_line_is_data(void **state)
{
    (void)state;
    run("a = x # not a comment\n");
    assert_string_equal(out(), "a = x # not a comment");
}

static void
blanks_trimmed(void **state)
{
    (void)state;
    run("   a = 1   \t\n");
    assert_string_equal(out(), "a = 1");
    assert_int_equal(L.v[0].pos.col, 4);
}

static void
continuation(void **state)
{
    (void)state;
    run("a = one \\\n      two\\\n  three\nb = 2\n");
    assert_string_equal(out(), "a = one twothree|b = 2");
    assert_int_equal(L.v[1].pos.line, 4);
}

static void
continuation_over_comments(void **state)
{
    (void)state;
    run("trusted_users = uucp:\\\n  # ignored\n      # also\n  mail\n");
    assert_string_equal(out(), "trusted_users = uucp:mail");
}

static void
blank_line_ends_continuation(void **state)
{
    (void)state;
    run("a = 1 \\\n\nb = 2\n");
    assert_string_equal(out(), "a = 1|b = 2");
}

static void
continuation_at_end_of_file(void **state)
{
    (void)state;
    run("a = 1 \\");
    assert_string_equal(out(), "a = 1");
    assert_int_equal(D.errors, 0);
}

static void
crlf_lines(void **state)
{
    (void)state;
    run("a = 1\r\nb = x \\\r\n y\r\n");
    assert_string_equal(out(), "a = 1|b = x y");
}

static void
long_lines(void **state)
{
    (void)state;
    size_t n = 300000;
    char *t = malloc(2 * n + 32);
    assert_non_null(t);
    strcpy(t, "a = ");
    memset(t + 4, 'x', n);
    strcpy(t + 4 + n, " \\\n  ");
    memset(t + 9 + n, 'y', n);
    strcpy(t + 9 + 2 * n, "\n");
    assert_int_equal(run(t), 0);
    free(t);
    assert_int_equal(L.n, 1);
    assert_int_equal(L.v[0].len, 4 + n + 1 + n);
    assert_int_equal(L.v[0].text[4 + n + 1], 'y');
    struct tern_srcpos p = cc_line_pos(&L.v[0], 4 + n + 1, 1);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 3);
}

/* ---- macros ---- */

static void
macro_define_and_use(void **state)
{
    (void)state;
    assert_int_equal(run("FOO = some value  \nx = FOO\n"), 0);
    assert_string_equal(out(), "x = some value");
    assert_string_equal(macro("FOO"), "some value");
    assert_int_equal(L.n_defs, 1);
    assert_string_equal(L.defs[0].name, "FOO");
    assert_int_equal(L.defs[0].before, 0);
    assert_int_equal(L.defs[0].pos.line, 1);
}

static void
macro_value_keeps_quotes_and_continues(void **state)
{
    (void)state;
    run("Q = \"a b\" \\\n    c\nx = Q\n");
    assert_string_equal(out(), "x = \"a b\" c");
}

static void
macro_inside_words(void **state)
{
    (void)state;
    /* Exim matches names anywhere, even inside longer words. */
    run("AB = z\nx = xABy ABAB ab\n");
    assert_string_equal(out(), "x = xzy zz ab");
}

static void
macro_names_may_have_lower_case(void **state)
{
    (void)state;
    run("Mac_1 = v\nx = Mac_1\n");
    assert_string_equal(out(), "x = v");
}

static void
macro_scan_order(void **state)
{
    (void)state;
    /* A's text is scanned for B, which was defined after A... */
    run("A = xBy\nB = 1\nv = A\n");
    assert_string_equal(out(), "v = x1y");
}

static void
macro_not_rescanned_for_itself(void **state)
{
    (void)state;
    /* ...but not for A itself: no endless substitution. */
    run("A = a\nA == [A]\nB = zz\nB == B-A-B\nv = A B\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "v = [a] zz-[a]-zz");
}

static void
macro_redefine_accumulates(void **state)
{
    (void)state;
    run("MAC = initial\nMAC == MAC and more\nx = MAC\n");
    assert_string_equal(out(), "x = initial and more");
    assert_string_equal(macro("MAC"), "initial and more");
    assert_int_equal(L.n_macros, 1);
    assert_int_equal(L.n_defs, 2);
}

static void
macro_defined_twice(void **state)
{
    (void)state;
    assert_int_equal(run("x = 1\nFOO = 1\n  FOO = 2\ny = FOO\n"), -1);
    assert_int_equal(D.errors, 1);
    diag_is(0, TERN_ERROR_SEV, 3, 3, "'FOO' is already defined");
    assert_non_null(strstr(D.items[0].hint, "FOO == "));
    diag_is(1, TERN_NOTE, 2, 1, "first defined here");
    assert_string_equal(out(), "x = 1|y = 1");
}

static void
macro_redefine_undefined(void **state)
{
    (void)state;
    assert_int_equal(run("NEW == 1\n"), -1);
    diag_is(0, TERN_ERROR_SEV, 1, 1, "cannot redefine macro 'NEW'");
    assert_int_equal(D.items[0].pos.len, 3);
}

static void
macro_substring_rule(void **state)
{
    (void)state;
    /* Longer name first is fine, and both are then found. */
    run("ABCD_XYZ = long\nABCD = short\nv = ABCD_XYZ ABCD\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "v = long short");
}

static void
macro_substring_error(void **state)
{
    (void)state;
    assert_int_equal(run("ABCD = short\nABCD_XYZ = long\n"), -1);
    diag_is(0, TERN_ERROR_SEV, 2, 1, "'ABCD' is a substring");
    assert_null(macro("ABCD_XYZ"));
}

static void
macro_empty_line_dropped(void **state)
{
    (void)state;
    run("EMPTY =\na = 1\n   EMPTY   \nb = 2\n");
    assert_string_equal(macro("EMPTY"), "");
    assert_string_equal(out(), "a = 1|b = 2");
}

static void
macro_turns_line_into_comment(void **state)
{
    (void)state;
    run("COMMENT = #\nCOMMENT a = 1\nb = 2\n");
    assert_string_equal(out(), "b = 2");
}

static void
malformed_definition_in_main(void **state)
{
    (void)state;
    assert_int_equal(run("a = 1\nFoo bar\nb = 2\n"), -1);
    diag_is(0, TERN_ERROR_SEV, 2, 1, "malformed macro definition");
    assert_string_equal(out(), "a = 1|b = 2");
}

static void
definition_between_drivers(void **state)
{
    (void)state;
    run("begin routers\nr1:\n  driver = accept\nX = 1\nr2:\n  d = X\n"
        "Name: upper case outside main is data\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "begin routers|r1:|driver = accept|r2:|d = 1|"
                               "Name: upper case outside main is data");
    assert_int_equal(L.n_defs, 1);
    assert_int_equal(L.defs[0].before, 3);      /* before "r2:" */
}

static void
definition_in_retry_section(void **state)
{
    (void)state;
    assert_int_equal(run("begin retry\nX = 1\n*  *  F,2h,15m\n"), -1);
    diag_is(0, TERN_ERROR_SEV, 2, 1, "'retry' section");
    assert_string_equal(out(), "begin retry|*  *  F,2h,15m");
    assert_null(macro("X"));
}

/* ---- -D ---- */

static void
cmdline_overrides_file(void **state)
{
    (void)state;
    const char *defs[] = { "FOO=from -D", "BAR" };
    assert_int_equal(run_opts("FOO = file\nFOO == again\nx = FOO\n"
                              ".ifdef BAR\ny = [BAR]\n.endif\n",
                              defs, 2, NULL), 0);
    assert_string_equal(out(), "x = from -D|y = []");
    assert_string_equal(macro("FOO"), "from -D");
    assert_string_equal(macro("BAR"), "");
}

static void
cmdline_errors(void **state)
{
    (void)state;
    const char *defs[] = { "lower=1", "A B", "OK = 2", "OK=3" };
    assert_int_equal(run_opts("x = OK\n", defs, 4, NULL), -1);
    assert_int_equal(D.errors, 3);
    assert_non_null(strstr(D.items[0].message, "upper-case"));
    assert_non_null(strstr(D.items[1].message, "malformed"));
    assert_non_null(strstr(D.items[2].message, "twice"));
    assert_string_equal(out(), "x = 2");
}

/* ---- conditionals ---- */

static void
ifdef_else(void **state)
{
    (void)state;
    run(".ifdef AAA\na\n.else\nb\n.endif\nAAA = 1\n.ifdef AAA\nc\n.else\n"
        "d\n.endif trailing words are a comment\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "b|c");
}

static void
ifdef_matches_substring(void **state)
{
    (void)state;
    /* As documented: .ifdef AAA is true when A is defined. */
    run("A = 1\n.ifdef AAA\nyes\n.endif\n");
    assert_string_equal(out(), "yes");
}

static void
ifdef_or_condition(void **state)
{
    (void)state;
    run("B = 1\n.ifdef NOPE B\nor\n.endif\n.ifndef NOPE B\nnot\n.endif\n");
    assert_string_equal(out(), "or");
}

static void
ifndef(void **state)
{
    (void)state;
    run(".ifndef X\na\n.endif\nX = 1\n.ifndef X\nb\n.else\nc\n.endif\n");
    assert_string_equal(out(), "a|c");
}

static void
elifdef_chain(void **state)
{
    (void)state;
    run("B = 1\nC = 1\n.ifdef A\na\n.elifdef B\nb\n.elifdef C\nc\n.else\n"
        "e\n.endif\n.ifdef A\na\n.elifndef B\nnb\n.elifndef A\nna\n.endif\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "b|na");
}

static void
nested_conditionals(void **state)
{
    (void)state;
    run("X = 1\n.ifdef NOPE\n.ifdef X\nhidden\n.else\nhidden2\n.endif\n"
        ".else\n.ifdef X\nshown\n.endif\n.endif\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "shown");
}

static void
skipped_definitions_ignored(void **state)
{
    (void)state;
    run(".ifdef NOPE\nM = 1\n.include /nonexistent/file\n.bogus\n.endif\n"
        "x = M\n");
    assert_int_equal(D.errors, 0);
    assert_string_equal(out(), "x = M");
    assert_null(macro("M"));
}

static void
conditional_inside_continuation(void **state)
{
    (void)state;
    run("a = 1 \\\n.ifdef X\n  2 \\\n.else\n  3 \\\n.endif\n  4\n");
    assert_string_equal(out(), "a = 1 3 4");
}

static void
endif_without_ifdef(void **state)
{
    (void)state;
    assert_int_equal(run("a\n  .endif\n.else\n.elifdef X\n"), -1);
    assert_int_equal(D.errors, 3);
    diag_is(0, TERN_ERROR_SEV, 2, 3, "'.endif' without a matching");
    diag_is(1, TERN_ERROR_SEV, 3, 1, "'.else' without");
    diag_is(2, TERN_ERROR_SEV, 4, 1, "'.elifdef' without");
    assert_string_equal(out(), "a");
}

static void
else_twice(void **state)
{
    (void)state;
    assert_int_equal(run(".ifdef X\na\n.else\nb\n.else\nc\n.elifdef Y\n"
                         ".endif\n"), -1);
    assert_int_equal(D.errors, 2);
    diag_is(0, TERN_ERROR_SEV, 5, 1, "'.else' after '.else'");
    assert_string_equal(D.items[0].hint,
                        "the '.else' of this '.ifdef' is on line 3");
    diag_is(1, TERN_ERROR_SEV, 7, 1, "'.elifdef' after '.else'");
    assert_string_equal(out(), "b|c");
}

static void
missing_endif(void **state)
{
    (void)state;
    assert_int_equal(run("a\n.ifdef X\n.ifndef Y\nb\n.endif\n"), -1);
    assert_int_equal(D.errors, 1);
    diag_is(0, TERN_ERROR_SEV, 2, 1, "'.ifdef' without a matching '.endif'");
    assert_int_equal(D.items[0].pos.len, 6);
}

static void
ifdef_without_name(void **state)
{
    (void)state;
    assert_int_equal(run(".ifdef   \n.endif\n.ifndef\n.endif\n"), -1);
    assert_int_equal(D.errors, 2);
    diag_is(0, TERN_ERROR_SEV, 1, 7, "'.ifdef' needs a macro name");
    diag_is(1, TERN_ERROR_SEV, 3, 8, "'.ifndef' needs a macro name");
}

static void
unknown_directive(void **state)
{
    (void)state;
    assert_int_equal(run("a = 1\n  .ifdeff X\n.frobnicate\n"
                         ".example.com rest\nb = x \\\n.word\n"), -1);
    assert_int_equal(D.errors, 2);
    diag_is(0, TERN_ERROR_SEV, 2, 3, "unknown directive '.ifdeff'");
    assert_string_equal(D.items[0].hint, "did you mean '.ifdef'?");
    assert_int_equal(D.items[0].pos.len, 7);
    diag_is(1, TERN_ERROR_SEV, 3, 1, "unknown directive '.frobnicate'");
    /* A dotted word and a continuation line are data, as in Exim. */
    assert_string_equal(out(), "a = 1|.example.com rest|b = x .word");
}

/* ---- .include ---- */

static void
include_relative_and_absolute(void **state)
{
    (void)state;
    const char *abs = put("abs.conf", "abs = 1\n");
    /* The macro name has a '_': mkdtemp's random suffix, part of the
     * absolute path below, can never contain it and be rewritten. */
    put("rel.conf", "rel = 2\nR_M = r\n");
    char *main = tern_printf(A, "a = 0\n.include rel.conf\n"
                                ".include \"%s\"\nb = R_M\n", abs);
    const char *mp = put("main.conf", main);
    struct cc_preproc_opts o = { .path = mp };
    assert_int_equal(cc_preprocess(A, &o, &L, &D), 0);
    assert_string_equal(out(), "a = 0|rel = 2|abs = 1|b = r");

    assert_int_equal(L.n_files, 3);
    assert_string_equal(L.files[0], mp);
    assert_string_equal(L.files[1], tern_printf(A, "%s/rel.conf", dir));
    assert_string_equal(L.files[2], abs);

    const struct cc_line *l = &L.v[1];
    assert_string_equal(l->pos.file, L.files[1]);
    assert_int_equal(l->pos.line, 1);
    assert_non_null(l->pos.include_from);
    assert_string_equal(l->pos.include_from->file, mp);
    assert_int_equal(l->pos.include_from->line, 2);
    assert_int_equal(l->pos.include_from->col, 1);
    assert_null(L.v[0].pos.include_from);
}

static void
include_nested_chain(void **state)
{
    (void)state;
    put("c.conf", "deep = 1\n");
    put("b.conf", "\n.include c.conf\n");
    const char *mp = put("a.conf", "x\n\n\n.include b.conf\n");
    struct cc_preproc_opts o = { .path = mp };
    assert_int_equal(cc_preprocess(A, &o, &L, &D), 0);
    assert_string_equal(out(), "x|deep = 1");
    const struct tern_srcpos *p = &L.v[1].pos;
    assert_int_equal(p->line, 1);
    assert_int_equal(p->include_from->line, 2);
    assert_int_equal(p->include_from->include_from->line, 4);
    assert_null(p->include_from->include_from->include_from);
}

static void
include_if_exists(void **state)
{
    (void)state;
    const char *there = put("there.conf", "there = 1\n");
    char *t = tern_printf(A, ".include_if_exists %s/missing.conf\n"
                             ".include_if_exists   %s   \nend\n", dir, there);
    assert_int_equal(run(t), 0);
    assert_string_equal(out(), "there = 1|end");
    assert_int_equal(L.n_files, 2);
}

static void
include_if_exists_needs_absolute(void **state)
{
    (void)state;
    assert_int_equal(run(".include_if_exists rel.conf\n"), -1);
    diag_is(0, TERN_ERROR_SEV, 1, 20, "needs an absolute file name");
}

static void
include_missing(void **state)
{
    (void)state;
    char *t = tern_printf(A, "a = 1\n  .include   %s/nope.conf\nb = 2\n", dir);
    assert_int_equal(run(t), -1);
    assert_int_equal(D.errors, 1);
    diag_is(0, TERN_ERROR_SEV, 2, 14, "cannot read included file");
    assert_non_null(strstr(D.items[0].message, "No such file"));
    assert_int_equal(D.items[0].pos.len, strlen(dir) + 10);
    assert_string_equal(out(), "a = 1|b = 2");
}

static void
include_without_name(void **state)
{
    (void)state;
    assert_int_equal(run(".include\n.include \"\"\n"), -1);
    assert_int_equal(D.errors, 2);
    diag_is(0, TERN_ERROR_SEV, 1, 9, "needs a file name");
}

static void
include_loop(void **state)
{
    (void)state;
    put("b.conf", "in_b\n.include a.conf\n");
    const char *mp = put("a.conf", "in_a\n.include b.conf\n");
    struct cc_preproc_opts o = { .path = mp };
    assert_int_equal(cc_preprocess(A, &o, &L, &D), -1);
    assert_int_equal(D.errors, 1);
    diag_is(0, TERN_ERROR_SEV, 2, 10, "include loop");
    assert_int_equal(D.items[0].pos.include_from->line, 2);
    assert_string_equal(out(), "in_a|in_b");
}

static void
include_path_from_macro(void **state)
{
    (void)state;
    put("m.conf", "from_macro = 1\n");
    /* mkdtemp's suffix has no '_', so it cannot contain these names */
    char *t = tern_printf(A, "P_DIR = %s\nP_INC = .include P_DIR/m.conf\n"
                             ".include P_DIR/m.conf\nP_INC\n", dir);
    assert_int_equal(run(t), 0);
    assert_string_equal(out(), "from_macro = 1|from_macro = 1");
}

static void
include_inside_continuation(void **state)
{
    (void)state;
    /* Exim's own example: the included lines continue the setting, and
     * a continuation may run on past the end of the included file. */
    put("hosts", "b.c.d : \\\n  e.f\\\n");
    char *t = tern_printf(A, "hosts_lookup = a.b.c : \\\n"
                             "               .include %s/hosts\n"
                             "  : g.h\nnext = 1\n", dir);
    assert_int_equal(run(t), 0);
    assert_string_equal(out(), "hosts_lookup = a.b.c : b.c.d : e.f: g.h|"
                               "next = 1");
    struct tern_srcpos p = cc_line_pos(&L.v[0], 23, 1);   /* 'b' */
    assert_int_equal(p.line, 1);
    assert_non_null(strstr(p.file, "hosts"));
    p = cc_line_pos(&L.v[0], 36, 1);                       /* 'g' */
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 5);
    assert_null(p.include_from);
}

static void
ifdef_closed_in_including_file(void **state)
{
    (void)state;
    put("open.conf", ".ifdef NOPE\nhidden\n");
    char *t = tern_printf(A, ".include %s/open.conf\nhidden too\n.endif\n"
                             "shown\n", dir);
    assert_int_equal(run(t), 0);
    assert_string_equal(out(), "shown");
}

static void
main_file_missing(void **state)
{
    (void)state;
    struct cc_preproc_opts o = { .path = "/nonexistent/exim.conf" };
    assert_int_equal(cc_preprocess(A, &o, &L, &D), -1);
    assert_int_equal(D.errors, 1);
    assert_string_equal(D.items[0].pos.file, "/nonexistent/exim.conf");
    assert_int_equal(L.n, 0);
}

static void
nul_byte_in_file(void **state)
{
    (void)state;
    const char *p = put("nul.conf", "");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fwrite("a = 1\0junk\nb = 2\n", 1, 17, f);
    fclose(f);
    struct cc_preproc_opts o = { .path = p };
    assert_int_equal(cc_preprocess(A, &o, &L, &D), -1);
    diag_is(0, TERN_ERROR_SEV, 1, 6, "NUL byte");
    assert_string_equal(out(), "a = 1|b = 2");
}

/* ---- positions ---- */

static void
positions_after_continuation(void **state)
{
    (void)state;
    run("opt = one \\\n\t   two\n");
    const struct cc_line *l = &L.v[0];
    assert_string_equal(l->text, "opt = one two");
    struct tern_srcpos p = cc_line_pos(l, 10, 3);          /* "two" */
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 5);
    assert_int_equal(p.len, 3);
    assert_string_equal(p.line_text, "\t   two");
    p = cc_line_pos(l, 6, 20);                  /* clamped to "one " */
    assert_int_equal(p.line, 1);
    assert_int_equal(p.col, 7);
    assert_int_equal(p.len, 4);
}

static void
positions_after_macro(void **state)
{
    (void)state;
    run("LONGNAME = x\nS = a_much_longer_value\n  o = LONGNAME S tail\n");
    const struct cc_line *l = &L.v[0];
    assert_string_equal(l->text, "o = x a_much_longer_value tail");
    struct tern_srcpos p = cc_line_pos(l, 4, 1);            /* "x" */
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 7);
    assert_int_equal(p.len, 8);                 /* the name LONGNAME */
    p = cc_line_pos(l, 10, 1);                  /* inside S's value */
    assert_int_equal(p.col, 16);
    assert_int_equal(p.len, 1);
    p = cc_line_pos(l, 26, 4);                  /* "tail" */
    assert_int_equal(p.col, 18);
    assert_int_equal(p.len, 4);
    assert_string_equal(p.line_text, "  o = LONGNAME S tail");
}

static void
positions_of_nested_macro(void **state)
{
    (void)state;
    /* Text a macro made from another macro's text maps to the name
     * written in the line. */
    run("OUT = <IN>\nIN = inner\nv = OUT\n");
    assert_string_equal(L.v[0].text, "v = <inner>");
    struct tern_srcpos p = cc_line_pos(&L.v[0], 6, 1);
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 5);
    assert_int_equal(p.len, 3);
}

/* ---- built-in macros ---- */

static const char core_schema[] =
    "module core\nversion 1\nsummary s\nstatus working\n"
    "macro _HAVE_TLS\n"
    "provides router accept\nprovides transport smtp\nprovides auth plain\n"
    "scope main\noption message_size_limit int\n"
    "option smtputf8_advertise_hosts hostlist\n"
    "scope router\noption domains domainlist\n"
    "scope transport\noption headers_add string\n"
    "scope auth\noption server_condition string\n"
    "scope router:accept\noption accept_private bool\n"
    "scope transport:smtp\noption hosts_try_fastopen hostlist\n"
    "scope auth:plain\noption server_prompts string\n";

static const char extra_schema[] =
    "module extra\nversion 1\nsummary s\nstatus working\n"
    "macro _HAVE_EXTRA\nmacro _DRIVER_ROUTER_EXTRA\n"
    "provides router extra\nprovides variable acl_e*\n"
    "scope router:accept\noption extra_opt bool\n"
    "scope router:other\noption orphan bool\n";

static const char absent_schema[] =
    "module absent\nversion 1\nsummary s\nstatus working\n"
    "macro _HAVE_ABSENT\nprovides transport absent\n"
    "scope main\noption absent_opt bool\n";

static void
make_set(struct tern_schema_set *set, struct tern_schema **v, int *inst)
{
    v[0] = tern_schema_parse(A, "core.schema", core_schema, &D);
    v[1] = tern_schema_parse(A, "extra.schema", extra_schema, &D);
    v[2] = tern_schema_parse(A, "absent.schema", absent_schema, &D);
    assert_non_null(v[0]);
    assert_non_null(v[1]);
    assert_non_null(v[2]);
    assert_int_equal(D.len, 0);
    inst[0] = inst[1] = 1;
    inst[2] = 0;
    set->arena = A;
    set->schemas = v;
    set->n = 3;
    set->installed = inst;
}

static void
builtin_macros(void **state)
{
    (void)state;
    struct tern_schema_set set;
    struct tern_schema *v[3];
    int inst[3];
    make_set(&set, v, inst);
    assert_int_equal(run_opts("x = 1\n", NULL, 0, &set), 0);

    static const char *const want[] = {
        "_HAVE_TLS", "_HAVE_EXTRA", "_DRIVER_ROUTER_ACCEPT",
        "_DRIVER_ROUTER_EXTRA", "_DRIVER_TRANSPORT_SMTP",
        "_DRIVER_AUTHENTICATOR_PLAIN", "_OPT_MAIN_MESSAGE_SIZE_LIMIT",
        "_OPT_MAIN_SMTPUTF8_ADVERTISE_HOSTS", "_OPT_ROUTERS_DOMAINS",
        "_OPT_TRANSPORTS_HEADERS_ADD", "_OPT_AUTHENTICATORS_SERVER_CONDITION",
        "_OPT_ROUTER_ACCEPT_ACCEPT_PRIVATE", "_OPT_ROUTER_ACCEPT_EXTRA_OPT",
        "_OPT_TRANSPORT_SMTP_HOSTS_TRY_FASTOPEN",
        "_OPT_AUTHENTICATOR_PLAIN_SERVER_PROMPTS",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *val = macro(want[i]);
        if (val == NULL)
            fail_msg("no built-in macro %s", want[i]);
        assert_string_equal(val, "y");
    }
    assert_int_equal(L.n_macros, sizeof want / sizeof *want);
    for (size_t i = 0; i < L.n_macros; i++) {
        assert_true(L.macros[i].builtin);
        if (i > 0)      /* listed by name */
            assert_true(strcmp(L.macros[i - 1].name, L.macros[i].name) < 0);
    }
    assert_null(macro("_HAVE_ABSENT"));     /* module not installed */
    assert_null(macro("_OPT_MAIN_ABSENT_OPT"));
    assert_null(macro("_OPT_ROUTER_OTHER_ORPHAN")); /* no such driver */
}

static void
builtin_macros_in_conditions(void **state)
{
    (void)state;
    struct tern_schema_set set;
    struct tern_schema *v[3];
    int inst[3];
    make_set(&set, v, inst);
    const char *defs[] = { "LOCAL" };
    assert_int_equal(run_opts(
        ".ifdef _OPT_MAIN_SMTPUTF8_ADVERTISE_HOSTS\nsmtputf8_advertise_hosts =\n"
        ".endif\n.ifdef _HAVE_ABSENT\nabsent\n.endif\n"
        ".ifdef _OPT_MAIN_MESSAGE_SIZE\npartial name is not defined\n.endif\n"
        ".ifndef _DRIVER_TRANSPORT_SMTP\nno smtp\n.else\nsmtp\n.endif\n"
        "MY_HAVE_TLS = mine\nv = MY_HAVE_TLS\n", defs, 1, &set), 0);
    assert_string_equal(out(), "smtputf8_advertise_hosts =|smtp|v = mine");
    /* -D and file macros follow the built-ins in the list */
    assert_string_equal(L.macros[L.n_macros - 2].name, "LOCAL");
    assert_false(L.macros[L.n_macros - 2].builtin);
    assert_string_equal(L.macros[L.n_macros - 1].name, "MY_HAVE_TLS");
}

static void
results_even_with_errors(void **state)
{
    (void)state;
    assert_int_equal(run("a = 1\n.endif\nb = 2\n.bogus\nc = 3\n"), -1);
    assert_int_equal(D.errors, 2);
    assert_string_equal(out(), "a = 1|b = 2|c = 3");
    assert_int_equal(L.n_files, 1);
    assert_string_equal(L.files[0], "t.conf");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(comments_and_blanks), T(hash_inside_line_is_data),
        T(blanks_trimmed), T(continuation), T(continuation_over_comments),
        T(blank_line_ends_continuation), T(continuation_at_end_of_file),
        T(crlf_lines), T(long_lines),
        T(macro_define_and_use), T(macro_value_keeps_quotes_and_continues),
        T(macro_inside_words), T(macro_names_may_have_lower_case),
        T(macro_scan_order), T(macro_not_rescanned_for_itself),
        T(macro_redefine_accumulates), T(macro_defined_twice),
        T(macro_redefine_undefined), T(macro_substring_rule),
        T(macro_substring_error), T(macro_empty_line_dropped),
        T(macro_turns_line_into_comment), T(malformed_definition_in_main),
        T(definition_between_drivers), T(definition_in_retry_section),
        T(cmdline_overrides_file), T(cmdline_errors),
        T(ifdef_else), T(ifdef_matches_substring), T(ifdef_or_condition),
        T(ifndef), T(elifdef_chain), T(nested_conditionals),
        T(skipped_definitions_ignored), T(conditional_inside_continuation),
        T(endif_without_ifdef), T(else_twice), T(missing_endif),
        T(ifdef_without_name), T(unknown_directive),
        T(include_relative_and_absolute), T(include_nested_chain),
        T(include_if_exists), T(include_if_exists_needs_absolute),
        T(include_missing), T(include_without_name), T(include_loop),
        T(include_path_from_macro), T(include_inside_continuation),
        T(ifdef_closed_in_including_file), T(main_file_missing),
        T(nul_byte_in_file),
        T(positions_after_continuation), T(positions_after_macro),
        T(positions_of_nested_macro),
        T(builtin_macros), T(builtin_macros_in_conditions),
        T(results_even_with_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
