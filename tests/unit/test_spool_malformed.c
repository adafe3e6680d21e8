/*
 * NAME
 *   test_spool_malformed.c - broken -H files are refused with their line
 *
 * DESCRIPTION
 *   A -H file written by Exim 4.96 is truncated at every byte and garbled
 *   field by field; each damaged version must be refused with the file
 *   name and the line at fault (or, for a cut exactly between two
 *   headers, read as the shorter message it then is).  A malformed file
 *   on a spool is left exactly as it was.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "spool.h"

#ifndef TERN_SRCDIR
#define TERN_SRCDIR "."
#endif

#define FIXTURE_ID "1xVorO-0003wg-2p"
#define FNAME "input/" FIXTURE_ID "-H"

static char *fixture;
static size_t fixture_len;

static int load(void **state)
{
    const char *d = getenv("TERN_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/spool/exim-4.96/%s-H",
             d ? d : TERN_SRCDIR, FIXTURE_ID);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fixture = malloc(1 << 16);
    fixture_len = fread(fixture, 1, 1 << 16, f);
    fclose(f);
    return fixture_len > 0 ? 0 : -1;
}

static int unload(void **state)
{
    free(fixture);
    return 0;
}

static unsigned line_of(const char *buf, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += buf[i] == '\n';
    return line;
}

/* Offsets where a header starts (or the file ends): cutting there leaves
 * a valid file with fewer headers. */
static int is_header_boundary(size_t cut, size_t *nheaders_before)
{
    const char *blank = strstr(fixture, "\n\n");
    size_t p = (size_t)(blank - fixture) + 2, n = 0;
    while (p < fixture_len) {
        if (p == cut) {
            *nheaders_before = n;
            return 1;
        }
        p += (size_t)atoi(fixture + p) + 5;     /* NNNX + space + text */
        n++;
    }
    *nheaders_before = n;
    return p == cut;
}

static void test_truncated_everywhere(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s:", FNAME);
    for (size_t cut = 0; cut < fixture_len; cut++) {
        char *copy = malloc(cut + 1);   /* exact size: ASan sees overreads */
        memcpy(copy, fixture, cut);
        int rc = tern_spool_parse(copy, cut, FNAME, a, &m, &err);
        size_t nh;
        if (is_header_boundary(cut, &nh)) {
            if (rc != 0)
                fail_msg("cut at %zu (header boundary): %s", cut, err.text);
            assert_int_equal(m.n_headers, nh);
        } else {
            if (rc == 0)
                fail_msg("cut at %zu was accepted", cut);
            assert_int_equal(strncmp(err.text, prefix, strlen(prefix)), 0);
            assert_true(err.line >= 1);
            assert_true(err.line <= line_of(fixture, cut));
            assert_int_equal(err.sys_errno, 0);
        }
        free(copy);
    }
    tern_arena_free(a);
}

struct garble {
    unsigned line;              /* replace this line of the fixture */
    const char *with;           /* by this (may hold several lines) */
    unsigned want_line;         /* the error must name this line */
    const char *want_text;      /* and say this */
};

static const struct garble garbles[] = {
    { 1, "1xVorO-0003wg-2p-D", 1, "not MESSAGEID-H" },
    { 1, "1xVorO-0003wg-2X-H", 1, "does not match the file name" },
    { 1, "1xVorO-0003wg!2p-H", 1, "not a valid message id" },
    { 2, "root 0", 2, "login uid gid" },
    { 2, "root x 0", 2, "login uid gid" },
    { 2, " 0 0", 2, "login uid gid" },
    { 3, "s@x.test", 3, "<sender>" },
    { 3, "<s@x.test", 3, "<sender>" },
    { 4, "1795520334", 4, "received-time" },
    { 4, "17955x0334 0", 4, "received-time" },
    { 4, "-5 0", 4, "received-time" },
    { 5, "-received_time_usec 877265", 5, "six digits" },
    { 5, "-received_time_usec .87726", 5, "six digits" },
    { 6, "-received_time_complete 1795520334", 6, "SECONDS.MICRO" },
    { 7, "--helo_name", 7, "needs a value" },
    { 8, "--host_address 192.0.2.7:4321", 8, "[address]:port" },
    { 8, "--host_address [192.0.2.7]:99999", 8, "[address]:port" },
    { 8, "--host_address [192.0.2.7]", 8, "[address]:port" },
    { 9, "--(sqlite host_name x", 9, "quoter" },
    { 13, "-aclc _bar 50", 13, "shorter than its length" },
    { 13, "-aclc _bar", 13, "NAME LENGTH" },
    { 13, "-aclc _bar x", 13, "NAME LENGTH" },
    { 13, "-acl 20 5", 13, "0-19" },
    { 18, "-body_linecount two", 18, "expected a number" },
    { 18, "-body_linecount -2", 18, "expected a number" },
    { 18, "-body_linecount", 18, "needs a value" },
    { 20, "-deliver_firsttime yes", 20, "takes no value" },
    { 21, "-", 21, "without a name" },
    { 22, "-dsn_ret 2", 23, "duplicate -dsn_ret" },
    { 24, "XY", 24, "non-recipients tree" },
    { 24, "YN a@y", 25, "non-recipients tree" },
    { 24, "YN a@y\nNN b@x", 24, "not in order" },
    { 24, "NY a@y\nNN a@y", 25, "not in order" },
    { 25, "4", 29, "empty recipient" },
    { 25, "2", 28, "blank line before the headers" },
    { 25, "x", 25, "number of recipients" },
    { 25, "16385", 25, "16384" },
    { 26, "r1@y.test rfc822;orig@y.test 99,20  0,-1#3", 26, "ORCPT" },
    { 26, "r1@y.test x 1,20  0,-1#7", 26, "flags" },
    { 26, "", 26, "empty recipient" },
    { 27, "r2@y.test  0,2  99,-1#3", 27, "errors_to" },
    { 29, "x", 29, "blank line" },
    { 30, "999P Received: from client.host.example", 30, "past the end" },
    { 30, "20xP Received: from client.host.example", 30, "type flag" },
    { 30, "201\x01 Received: from client.host.example", 30, "type flag" },
    { 36, "016F From: a@x.test", 36, "does not match its length" },
    { 36, "F From: a@x.test", 36, "header length" },
    { 36, "015F  From: a@x.tes", 36, "does not match its length" },
    { 41, "019B Bcc: hidden@y.test\nextra", 42, "header length" },
};

/* The fixture with line `g->line` replaced. */
static char *garbled(const struct garble *g, size_t *len)
{
    char *out = malloc(fixture_len + strlen(g->with) + 2);
    const char *p = fixture, *end = fixture + fixture_len;
    size_t o = 0;
    for (unsigned line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (line == g->line) {
            memcpy(out + o, g->with, strlen(g->with));
            o += strlen(g->with);
            out[o++] = '\n';
        } else {
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
    }
    *len = o;
    return out;
}

static void test_garbled_fields(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char where[64];
    for (size_t i = 0; i < sizeof garbles / sizeof garbles[0]; i++) {
        const struct garble *g = &garbles[i];
        size_t len;
        char *buf = garbled(g, &len);
        if (tern_spool_parse(buf, len, FNAME, a, &m, &err) == 0)
            fail_msg("garble %zu (line %u -> '%s') was accepted", i, g->line,
                     g->with);
        if (err.line != g->want_line || !strstr(err.text, g->want_text))
            fail_msg("garble %zu: want line %u '%s', got line %u: %s", i,
                     g->want_line, g->want_text, err.line, err.text);
        snprintf(where, sizeof where, "%s:%u: ", FNAME, g->want_line);
        assert_int_equal(strncmp(err.text, where, strlen(where)), 0);
        free(buf);
    }
    tern_arena_free(a);
}

static void test_nul_in_envelope(void **state)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    char *buf = malloc(fixture_len);
    memcpy(buf, fixture, fixture_len);
    char *at = strstr(buf, "<s@x.test>");
    at[3] = 0;
    assert_int_equal(tern_spool_parse(buf, fixture_len, FNAME, a, &m, &err),
                     -1);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.text, "NUL"));
    free(buf);
    tern_arena_free(a);
}

/* The reader must not touch a bad file: the caller decides (freeze it,
 * tell the admin); a spool reader deleting it would lose mail. */
static void test_bad_file_left_alone(void **state)
{
    char dir[] = "/tmp/tern-test-spool-bad.XXXXXX", path[256], cmd[300];
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    struct stat before, after;
    static const struct garble g = { 25, "x", 25, "" };
    size_t len;
    char *buf = garbled(&g, &len);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/input", dir);
    assert_int_equal(mkdir(path, 0750), 0);
    snprintf(path, sizeof path, "%s/input/%s-H", dir, FIXTURE_ID);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    assert_int_equal(stat(path, &before), 0);

    struct tern_spool_opts o = { .directory = dir, .owner_uid = -1,
                                 .owner_gid = -1 };
    struct tern_spool *sp = tern_spool_open(&o, &err);
    assert_non_null(sp);
    assert_int_equal(tern_spool_read_header(sp, FIXTURE_ID, a, &m, &err), -1);
    assert_int_equal(err.line, 25);
    assert_non_null(strstr(err.text, path));
    const char **ids;
    size_t n;
    assert_int_equal(tern_spool_list(sp, a, &ids, &n, &err), 0);
    assert_int_equal(n, 1);                 /* still on the queue */
    assert_string_equal(ids[0], FIXTURE_ID);
    tern_spool_close(sp);

    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    size_t len2;
    f = fopen(path, "rb");
    char *again = malloc(len + 1);
    len2 = fread(again, 1, len + 1, f);
    fclose(f);
    assert_int_equal(len2, len);
    assert_memory_equal(again, buf, len);
    free(again);
    free(buf);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    tern_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_garbled_fields),
        cmocka_unit_test(test_nul_in_envelope),
        cmocka_unit_test(test_bad_file_left_alone),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
