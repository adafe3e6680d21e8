/*
 * NAME
 *   test_lookup.c - unit tests of the lookup modules (lsearch family,
 *   dsearch, dbm, lmdb) through the host's dispatcher
 *
 * DESCRIPTION
 *   The real modules are loaded from the build tree (lookup_host.c) and
 *   driven through ${lookup} expansions or tern_lookups_find(), with data
 *   files the tests write: text files for the lsearch family, a
 *   directory for dsearch, Berkeley DB files made by `db5.3_load -T -t
 *   hash` and LMDB files made by `mdb_load`.  The expected values are
 *   what Exim 4.96 returns for the same files
 *   (tests/integration/lookup-vs-exim.test checks many of them against
 *   the real binary).  All-in-one builds skip: there are no module files
 *   to load.
 */
#include "config.h"

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

#include <tern/module.h>
#include "arena.h"
#include "lookup_host.h"

static struct lh host;
static int have_host;
static char dir[256];

/* ---- helpers ---- */

static void put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Feed text to a loader command writing dir/name; 0 when it worked. */
static int load(const char *cmd, const char *name, const char *text,
                size_t len)
{
    char line[700];
    snprintf(line, sizeof line, "%s %s/%s 2>/dev/null", cmd, dir, name);
    FILE *p = popen(line, "w");
    if (p == NULL)
        return -1;
    fwrite(text, 1, len, p);
    return pclose(p);
}

static int have_tool(const char *tool)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Expand a string whose "%s"s all stand for the test directory. */
__attribute__((format(printf, 1, 2)))
static const char *ex(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *r = lh_expand(&host, buf);
    tern_lookups_message_done(host.lk);
    return r;
}

#define D dir

static void starts(const char *got, const char *prefix)
{
    if (strncmp(got, prefix, strlen(prefix)) != 0)
        fail_msg("expected \"%s...\", got \"%s\"", prefix, got);
}

static int setup(void **state)
{
    char err[1024];
    (void)state;
    snprintf(dir, sizeof dir, "%s/tern-lookup.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    if (getenv("TERN_MODULE_PATH") == NULL && getenv("TERN_BUILDDIR") == NULL)
        return 0;               /* not run by make check: skip */
    int rc = lh_open(&host, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "test_lookup: %s\n", err);
        lh_close(&host);
        return -1;
    }
    have_host = rc == 0;
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];
    (void)state;
    if (have_host)
        lh_close(&host);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#define NEED_HOST() do { if (!have_host) skip(); } while (0)

/* ---- lsearch ---- */

static void test_lsearch(void **state)
{
    (void)state;
    NEED_HOST();
    put("ls", "# aliases\n"
              "Foo: bar\n  continued\n\tmore\n"
              "baz:: colon data\n"
              "\"quoted key\": qdata\n"
              "\"q\\\"x\\\\y\\x41\\101\\t\" : esc\n"
              "KEY2    data2   \n"
              "bare\n"
              "a: one\n# comment ends the data\n two\n"
              "b: x\n \n y\n"
              "d:\n  cont\n"
              "dup: first\ndup: second\n"
              "crlf: dos\r\n"
              "*: star\n");
    assert_string_equal(ex("${lookup{foo}lsearch{%s/ls}}", D),
                        "bar continued more");
    assert_string_equal(ex("${lookup{FOO}lsearch{%s/ls}}", D),
                        "bar continued more");
    assert_string_equal(ex("${lookup{Foo}lsearch,ret=full{%s/ls}}", D),
                        "Foo: bar continued more");
    assert_string_equal(ex("${lookup{baz}lsearch{%s/ls}}", D),
                        ": colon data");
    assert_string_equal(ex("${lookup{quoted key}lsearch{%s/ls}}", D),
                        "qdata");
    assert_string_equal(ex("${lookup{quoted key}lsearch,ret=full{%s/ls}}",
                           D), "quoted key: qdata");
    assert_string_equal(ex("${lookup{q\"x\\\\yAA\t}lsearch{%s/ls}{$value}"
                           "{no}}", D), "esc");
    assert_string_equal(ex("${lookup{key2}lsearch{%s/ls}}", D), "data2");
    assert_string_equal(ex("${lookup{bare}lsearch{%s/ls}{<$value>}{no}}", D),
                        "<>");
    assert_string_equal(ex("${lookup{a}lsearch{%s/ls}}", D), "one");
    assert_string_equal(ex("${lookup{b}lsearch{%s/ls}}", D), "x");
    assert_string_equal(ex("${lookup{d}lsearch{%s/ls}{<$value>}}", D),
                        "< cont>");
    assert_string_equal(ex("${lookup{dup}lsearch{%s/ls}}", D), "first");
    assert_string_equal(ex("${lookup{crlf}lsearch{%s/ls}}", D), "dos");
    /* Misses: not a key, a prefix of one, a continuation line. */
    assert_string_equal(ex("${lookup{fo}lsearch{%s/ls}{y}{n}}", D), "n");
    assert_string_equal(ex("${lookup{continued}lsearch{%s/ls}{y}{n}}", D),
                        "n");
    assert_string_equal(ex("${lookup{}lsearch{%s/ls}{y}{n}}", D), "n");
    assert_string_equal(ex("${lookup{nobody}lsearch*{%s/ls}}", D), "star");
    starts(ex("${lookup{x}lsearch{%s/missing}}", D), "Failed: lookup of "
           "\"x\" deferred: failed to open ");
}

static void test_wildlsearch(void **state)
{
    (void)state;
    NEED_HOST();
    put("wl", "*.a.b.c: starabc\n"
              "*fish: fishy\n"
              "^\\N\\d+\\.x\\.y\\N: digits\n"
              "^\\N(?-i)CS\\d+\\N: casesens\n"
              "$primary_hostname: primary\n"
              "!neg: notneg\n");
    put("nwl", "^\\d+\\.x\\.y: digits\n"
               "\"^quoted\\\\s+re\": qre\n"
               "$primary_hostname: literal\n"
               "*: all\n");
    assert_string_equal(ex("${lookup{x.a.b.c}wildlsearch{%s/wl}}", D),
                        "starabc");
    assert_string_equal(ex("${lookup{YellowFISH}wildlsearch{%s/wl}}", D),
                        "fishy");
    assert_string_equal(ex("${lookup{123.X.y}wildlsearch{%s/wl}}", D),
                        "digits");
    assert_string_equal(ex("${lookup{CS9}wildlsearch{%s/wl}}", D),
                        "casesens");
    assert_string_equal(ex("${lookup{test.ex}wildlsearch{%s/wl}}", D),
                        "primary");
    /* A negated key matches everything but what it names. */
    assert_string_equal(ex("${lookup{other}wildlsearch{%s/wl}}", D),
                        "notneg");
    assert_string_equal(ex("${lookup{neg}wildlsearch{%s/wl}{y}{n}}", D), "n");
    assert_string_equal(ex("${lookup{cs9}wildlsearch{%s/wl}}", D), "notneg");
    /* nwildlsearch: no expansion, so $primary_hostname is literal. */
    assert_string_equal(ex("${lookup{42.x.y}nwildlsearch{%s/nwl}}", D),
                        "digits");
    assert_string_equal(ex("${lookup{quoted   RE}nwildlsearch{%s/nwl}}", D),
                        "qre");
    assert_string_equal(ex("${lookup{$primary_hostname}nwildlsearch{%s/nwl}}",
                           D), "all");
    assert_string_equal(ex("${lookup{\\$primary_hostname}nwildlsearch{%s/"
                           "nwl}}", D), "literal");
    /* A bad regex defers (Exim dies), naming it. */
    put("badre", "^abc(: bad\n");
    starts(ex("${lookup{x}nwildlsearch{%s/badre}}", D),
           "Failed: lookup of \"x\" deferred: regular expression error");
    /* A key that is a lookup: done through the host. */
    char text[600];
    snprintf(text, sizeof text, "lsearch;%s/ls: in-ls\nother: o\n", dir);
    put("nested", text);
    assert_string_equal(ex("${lookup{baz}nwildlsearch{%s/nested}}", D),
                        "in-ls");
    assert_string_equal(ex("${lookup{zzz}nwildlsearch{%s/nested}{y}{n}}", D),
                        "n");
    /* A key that looks up in its own file cannot recurse. */
    snprintf(text, sizeof text, "nwildlsearch;%s/self: x\n", dir);
    put("self", text);
    starts(ex("${lookup{k}nwildlsearch{%s/self}}", D),
           "Failed: lookup of \"k\" deferred: ");
}

static void test_iplsearch(void **state)
{
    (void)state;
    NEED_HOST();
    put("ip", "1.2.3.4: exact4\n"
              "192.168.0.0/16: net16\n"
              "10.1.2.3/8: net8\n"
              "\"abcd::cdab\": exact6\n"
              "\"abcd:abcd::/32\"   net6\n"
              "not-an-ip: never\n"
              "*: star\n");
    assert_string_equal(ex("${lookup{1.2.3.4}iplsearch{%s/ip}}", D),
                        "exact4");
    assert_string_equal(ex("${lookup{192.168.77.1}iplsearch{%s/ip}}", D),
                        "net16");
    assert_string_equal(ex("${lookup{10.200.0.1}iplsearch{%s/ip}}", D),
                        "net8");
    assert_string_equal(ex("${lookup{ABCD::CDAB}iplsearch{%s/ip}}", D),
                        "exact6");
    assert_string_equal(ex("${lookup{abcd:abcd:1::1}iplsearch,ret=full{%s/"
                           "ip}}", D), "abcd:abcd::/32   net6");
    assert_string_equal(ex("${lookup{::ffff:1.2.3.4}iplsearch{%s/ip}}", D),
                        "exact4");
    assert_string_equal(ex("${lookup{9.9.9.9}iplsearch{%s/ip}{y}{n}}", D),
                        "n");
    assert_string_equal(ex("${lookup{2001:db8::1}iplsearch{%s/ip}{y}{n}}",
                           D), "n");
    assert_string_equal(ex("${lookup{9.9.9.9}iplsearch*{%s/ip}}", D),
                        "star");
    starts(ex("${lookup{1.2.3.4/32}iplsearch{%s/ip}}", D),
           "Failed: lookup of \"1.2.3.4/32\" deferred: \"1.2.3.4/32\" is not "
           "a valid iplsearch key");
}

/* ---- dsearch ---- */

static void test_dsearch(void **state)
{
    char path[600], target[600];
    (void)state;
    NEED_HOST();
    snprintf(path, sizeof path, "%s/d", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/d/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    put("d/file", "x");
    snprintf(path, sizeof path, "%s/d/link", dir);
    snprintf(target, sizeof target, "%s/d/file", dir);
    assert_int_equal(symlink(target, path), 0);

    assert_string_equal(ex("${lookup{file}dsearch{%s/d}}", D), "file");
    assert_string_equal(ex("${lookup{FILE}dsearch{%s/d}{y}{n}}", D), "n");
    snprintf(target, sizeof target, "%s/d/sub", dir);
    assert_string_equal(ex("${lookup{sub}dsearch,ret=full{%s/d}}", D),
                        target);
    assert_string_equal(ex("${lookup{link}dsearch{%s/d}}", D), "link");
    assert_string_equal(ex("${lookup{link}dsearch,filter=file{%s/d}{y}{n}}",
                           D), "n");
    assert_string_equal(ex("${lookup{file}dsearch,filter=file{%s/d}{y}{n}}",
                           D), "y");
    assert_string_equal(ex("${lookup{sub}dsearch,filter=file{%s/d}{y}{n}}",
                           D), "n");
    assert_string_equal(ex("${lookup{sub}dsearch,filter=dir{%s/d}{y}{n}}",
                           D), "y");
    assert_string_equal(ex("${lookup{..}dsearch,filter=dir{%s/d}{y}{n}}",
                           D), "y");
    assert_string_equal(ex("${lookup{..}dsearch,filter=subdir{%s/d}{y}{n}}",
                           D), "n");
    assert_string_equal(ex("${lookup{sub}dsearch,filter=subdir{%s/d}{y}{n}}",
                           D), "y");
    assert_string_equal(ex("${lookup{file}dsearch,filter=subdir{%s/d}{y}"
                           "{n}}", D), "n");
    assert_string_equal(ex("${lookup{file}dsearch,filter=dir,filter=file"
                           "{%s/d}{y}{n}}", D), "y");
    assert_string_equal(ex("${lookup{nope}dsearch{%s/d}{y}{n}}", D), "n");
    starts(ex("${lookup{a/b}dsearch{%s/d}}", D), "Failed: lookup of \"a/b\" "
           "deferred: key for dsearch lookup contains a slash");
    starts(ex("${lookup{x}dsearch{%s/nodir}}", D), "Failed: lookup of \"x\" "
           "deferred: failed to open ");
}

/* ---- dbm ---- */

static void test_dbm(void **state)
{
    static const char zero[] = "alpha\\00\none\\00\n"
                               "beta\\00\ntwo words\\00\n"
                               "empty\\00\n\\00\n";
    static const char nozero[] = "alpha\nuno\nempty\n\n"
                                 "a\\00b\njoined\n\\00\\00x\nleading\n";
    (void)state;
    NEED_HOST();
    if (!have_tool("db5.3_load"))
        skip();
    assert_int_equal(load("db5.3_load -T -t hash", "z.db", zero,
                          sizeof zero - 1), 0);
    assert_int_equal(load("db5.3_load -T -t hash", "nz.db", nozero,
                          sizeof nozero - 1), 0);
    assert_string_equal(ex("${lookup{alpha}dbm{%s/z.db}}", D), "one");
    assert_string_equal(ex("${lookup{beta}dbm{%s/z.db}}", D), "two words");
    assert_string_equal(ex("${lookup{empty}dbm{%s/z.db}{<$value>}}", D),
                        "<>");
    assert_string_equal(ex("${lookup{Alpha}dbm{%s/z.db}{y}{n}}", D), "n");
    /* dbm adds the NUL, dbmnz does not: each misses the other's file. */
    assert_string_equal(ex("${lookup{alpha}dbmnz{%s/z.db}{y}{n}}", D), "n");
    assert_string_equal(ex("${lookup{alpha}dbm{%s/nz.db}{y}{n}}", D), "n");
    assert_string_equal(ex("${lookup{alpha}dbmnz{%s/nz.db}}", D), "uno");
    assert_string_equal(ex("${lookup{empty}dbmnz{%s/nz.db}{<$value>}}", D),
                        "<>");
    /* dbmjz: list items joined with NULs. */
    assert_string_equal(ex("${lookup{a : b}dbmjz{%s/nz.db}}", D), "joined");
    assert_string_equal(ex("${lookup{<;a;b}dbmjz{%s/nz.db}}", D), "joined");
    assert_string_equal(ex("${lookup{:x}dbmjz{%s/nz.db}}", D), "leading");
    assert_string_equal(ex("${lookup{alpha:}dbmjz{%s/nz.db}}", D), "uno");
    starts(ex("${lookup{x}dbm{%s/missing.db}}", D), "Failed: lookup of "
           "\"x\" deferred: failed to open ");
    put("notdb", "just text\n");
    starts(ex("${lookup{x}dbm{%s/notdb}}", D), "Failed: lookup of \"x\" "
           "deferred: failed to open ");
}

/* ---- lmdb ---- */

static int lmdb_find(const char *file, const char *key, size_t klen,
                     char **res, size_t *rlen, const char **err)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return tern_lookups_find(host.lk, "lmdb", NULL, path, key, klen, host.a,
                             res, rlen, err);
}

static void test_lmdb(void **state)
{
    static const char text[] = "example.com\nrelay\n"
                               "empty.example\n\n"
                               "a\\00b\nwith nul\n"
                               "nl\\0akey\nnewline\n"
                               "\\c3\\a9t\\c3\\a9\nsummer\n";
    char *res;
    size_t rlen;
    const char *err;
    (void)state;
    NEED_HOST();
    if (!have_tool("mdb_load"))
        skip();
    assert_int_equal(load("mdb_load -T -n", "db.mdb", text, sizeof text - 1),
                     0);
    /* The seed's three forms. */
    assert_string_equal(ex("${lookup{example.com}lmdb{%s/db.mdb}{$value}}",
                           D), "relay");
    assert_string_equal(ex("${lookup{example.com}lmdb{%s/db.mdb}{$value}"
                           "fail}", D), "relay");
    assert_string_equal(ex("${lookup{example.com}lmdb{%s/db.mdb}}", D),
                        "relay");
    /* Misses: fail, or the no-string; keys are case-sensitive. */
    starts(ex("${lookup{nope.example}lmdb{%s/db.mdb}{$value}fail}", D),
           "Failed: ");
    assert_string_equal(ex("${lookup{EXAMPLE.COM}lmdb{%s/db.mdb}{y}{n}}",
                           D), "n");
    assert_string_equal(ex("[${lookup{nope}lmdb{%s/db.mdb}}]", D), "[]");
    /* An empty value is found, and empty. */
    assert_string_equal(ex("${lookup{empty.example}lmdb{%s/db.mdb}"
                           "{<$value>}{miss}}", D), "<>");
    assert_string_equal(ex("${lookup{\xc3\xa9t\xc3\xa9}lmdb{%s/db.mdb}}", D),
                        "summer");
    assert_string_equal(ex("${lookup{nl\nkey}lmdb{%s/db.mdb}}", D),
                        "newline");
    /* Binary-safe keys: a NUL inside the key, which no string holds. */
    assert_int_equal(lmdb_find("db.mdb", "a\0b", 3, &res, &rlen, &err),
                     TERN_OK);
    assert_string_equal(res, "with nul");
    assert_int_equal(lmdb_find("db.mdb", "a", 1, &res, &rlen, &err),
                     TERN_FAIL);
    assert_int_equal(lmdb_find("db.mdb", "a\0b\0", 4, &res, &rlen, &err),
                     TERN_FAIL);
    /* A missing file defers with LMDB's reason. */
    assert_int_equal(lmdb_find("none.mdb", "x", 1, &res, &rlen, &err),
                     TERN_DEFER);
    assert_non_null(strstr(err, "none.mdb"));
    assert_non_null(strstr(err, "No such file or directory"));
    starts(ex("${lookup{x}lmdb{%s/none.mdb}{y}{n}}", D),
           "Failed: lookup of \"x\" deferred: lmdb: cannot open ");
    put("junk.mdb", "this is not an lmdb file, not at all, no it is not\n");
    assert_int_equal(lmdb_find("junk.mdb", "x", 1, &res, &rlen, &err),
                     TERN_DEFER);
    assert_non_null(strstr(err, "junk.mdb"));
}

/* 100k keys written by mdb_load (in its dump format, whose header can
 * ask for a map big enough); a sample of them looked up. */
static void test_lmdb_100k(void **state)
{
    enum { N = 100000 };
    struct tern_buf b = { NULL, 0, 0 };
    char *res, key[32], want[32];
    size_t rlen;
    const char *err;
    (void)state;
    NEED_HOST();
    if (!have_tool("mdb_load"))
        skip();
    tern_buf_adds(&b, "VERSION=3\nformat=print\ntype=btree\n"
                      "mapsize=67108864\nHEADER=END\n");
    for (int i = 0; i < N; i++)
        tern_buf_addf(&b, " key%06d\n value%d\n", i, i * 7);
    tern_buf_adds(&b, "DATA=END\n");
    assert_int_equal(load("mdb_load -n", "big.mdb", b.data, b.len), 0);
    tern_buf_free(&b);
    for (int i = 0; i < N; i += 97) {
        snprintf(key, sizeof key, "key%06d", i);
        snprintf(want, sizeof want, "value%d", i * 7);
        assert_int_equal(lmdb_find("big.mdb", key, strlen(key), &res, &rlen,
                                   &err), TERN_OK);
        assert_string_equal(res, want);
    }
    assert_int_equal(lmdb_find("big.mdb", "key100000", 9, &res, &rlen, &err),
                     TERN_FAIL);
    assert_string_equal(ex("${lookup{key099999}lmdb{%s/big.mdb}}", D),
                        "value699993");
    struct tern_lookup_stats st;
    tern_lookups_stats(host.lk, &st);
    assert_true(st.open_now >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsearch),
        cmocka_unit_test(test_wildlsearch),
        cmocka_unit_test(test_iplsearch),
        cmocka_unit_test(test_dsearch),
        cmocka_unit_test(test_dbm),
        cmocka_unit_test(test_lmdb),
        cmocka_unit_test(test_lmdb_100k),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
