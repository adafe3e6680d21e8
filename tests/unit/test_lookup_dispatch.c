/*
 * NAME
 *   test_lookup_dispatch.c - unit tests of the host's lookup dispatcher
 *   (lib/lookup.c, lib/lookup_find.c, lib/lookup_spec.c)
 *
 * DESCRIPTION
 *   Type specifications and the sequence of keys partial matching and
 *   defaults try; the registry; the result contract (module memory
 *   handed back, results in the caller's arena, options passed through)
 *   and the per-message cache, with a fake query-style lookup that counts
 *   its calls; then, with the real lsearch module from the build tree,
 *   files opened once per process (counted by the dispatcher and through
 *   /proc/self/fd), reopened when replaced, least recently used ones
 *   closed past open_max, handles not shared across fork(), and lookups
 *   inside lists.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <tern/module.h>
#include "arena.h"
#include "lookup_host.h"

/* ---- type specifications and the partial/default sequence ---- */

static void test_spec_parse(void **state)
{
    struct tern_lookup_spec sp;
    const char *why;
    (void)state;

#define PARSE(s) tern_lookup_spec_parse(s, strlen(s), &sp, &why)
    assert_int_equal(PARSE("lsearch"), 0);
    assert_int_equal(sp.name_len, 7);
    assert_int_equal(sp.partial, -1);
    assert_int_equal(sp.star, 0);
    assert_int_equal(PARSE("partial-dbm*@,ret=key,cache=no_rd"), 0);
    assert_memory_equal(sp.name, "dbm", 3);
    assert_int_equal(sp.name_len, 3);
    assert_int_equal(sp.partial, 2);
    assert_int_equal(sp.star, 2);
    assert_int_equal(sp.ret_key, 1);
    assert_int_equal(sp.options_len, strlen("ret=key,cache=no_rd"));
    assert_int_equal(PARSE("partial0(.)lsearch*"), 0);
    assert_int_equal(sp.partial, 0);
    assert_int_equal(sp.prefix_len, 1);
    assert_int_equal(sp.star, 1);
    assert_int_equal(PARSE("partial12()cdb"), 0);
    assert_int_equal(sp.partial, 12);
    assert_int_equal(sp.prefix_len, 0);
    assert_int_equal(PARSE("dsearch,ret=full,filter=file"), 0);
    assert_int_equal(sp.ret_key, 0);
    assert_int_equal(PARSE("partialx-lsearch"), -1);
    assert_string_equal(why, "format error");
    assert_int_equal(PARSE("partial(a)lsearch"), -1);
    assert_int_equal(PARSE("partial(.lsearch"), -1);
    assert_int_equal(PARSE("*"), -1);
    assert_int_equal(PARSE(",x"), -1);
#undef PARSE
}

struct trace {
    char tried[16][64];
    int n;
    const char *hit;            /* key that is "found" */
};

static int trace_try(void *arg, const char *key, size_t len, char **result,
                     size_t *rlen)
{
    struct trace *t = arg;
    snprintf(t->tried[t->n++], sizeof t->tried[0], "%.*s", (int)len, key);
    if (t->hit && strlen(t->hit) == len && memcmp(t->hit, key, len) == 0) {
        *result = "found";
        *rlen = 5;
        return TERN_OK;
    }
    return TERN_FAIL;
}

/* The keys tried for `key` under `spec`, joined with spaces. */
static const char *sequence(const char *spec, const char *key,
                            const char *hit, struct tern_lookup_hit *h)
{
    static char out[1024];
    struct tern_lookup_spec sp;
    struct tern_lookup_hit dummy;
    struct trace t;
    const char *why;
    struct tern_arena *a = tern_arena_new();

    memset(&t, 0, sizeof t);
    t.hit = hit;
    assert_int_equal(tern_lookup_spec_parse(spec, strlen(spec), &sp, &why),
                     0);
    int rc = tern_lookup_single(&sp, key, strlen(key), a, trace_try, &t,
                                h ? h : &dummy);
    assert_int_equal(rc, hit ? TERN_OK : TERN_FAIL);
    out[0] = '\0';
    for (int i = 0; i < t.n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, t.tried[i]);
    }
    tern_arena_free(a);
    return out;
}

static void test_partial_sequence(void **state)
{
    struct tern_lookup_hit h;
    (void)state;

    assert_string_equal(sequence("lsearch", "a.b.c", NULL, NULL), "a.b.c");
    assert_string_equal(sequence("partial-lsearch", "2250.dates.fict.example",
                                 NULL, NULL),
                        "2250.dates.fict.example *.2250.dates.fict.example "
                        "*.dates.fict.example *.fict.example");
    assert_string_equal(sequence("partial3-lsearch", "a.b.c.d", NULL, NULL),
                        "a.b.c.d *.a.b.c.d *.b.c.d");
    assert_string_equal(sequence("partial0-lsearch", "a.b", NULL, NULL),
                        "a.b *.a.b *.b *");
    assert_string_equal(sequence("partial(.)lsearch", "a.b.c", NULL, NULL),
                        "a.b.c .a.b.c .b.c");
    assert_string_equal(sequence("partial1()lsearch", "a.b.c", NULL, NULL),
                        "a.b.c b.c c");
    assert_string_equal(sequence("partial0(.)lsearch", "a", NULL, NULL),
                        "a .a .");
    assert_string_equal(sequence("lsearch*@", "jane@eyre.example", NULL,
                                 NULL), "jane@eyre.example *@eyre.example *");
    assert_string_equal(sequence("lsearch*@", "a@b@c", NULL, NULL),
                        "a@b@c *@c *");
    assert_string_equal(sequence("lsearch*@", "nodomain", NULL, NULL),
                        "nodomain *");
    assert_string_equal(sequence("partial-lsearch*", "x.y.z", NULL, NULL),
                        "x.y.z *.x.y.z *.y.z *");
    /* An empty key is never looked up, but the defaults are. */
    assert_string_equal(sequence("lsearch*", "", NULL, NULL), "*");

    /* $1/$2 as Exim 4.96 sets them. */
    sequence("partial-lsearch", "x.y.example.org", "*.example.org", &h);
    assert_true(h.nums);
    assert_int_equal(h.wild_len, 3);
    assert_memory_equal(h.wild, "x.y", 3);
    assert_int_equal(h.rest_len, 11);
    assert_memory_equal(h.rest, "example.org", 11);
    assert_string_equal(h.result, "found");
    sequence("lsearch", "k", "k", &h);
    assert_false(h.nums);
    sequence("partial-lsearch", "k.l", "k.l", &h);
    assert_true(h.nums);
    assert_int_equal(h.wild_len, 0);
    assert_int_equal(h.rest_len, 3);
    sequence("lsearch*@", "jane@eyre", "*@eyre", &h);
    assert_true(h.nums);
    assert_int_equal(h.wild_len, 4);
    assert_int_equal(h.rest_len, 0);
    sequence("lsearch*", "jane@eyre", "*", &h);
    assert_int_equal(h.wild_len, 9);
    assert_int_equal(h.rest_len, 0);
    sequence("partial0-lsearch", "a.b", "*", &h);
    assert_int_equal(h.wild_len, 2);
}

/* ---- a fake query-style lookup to watch the contract ---- */

static int fake_opens, fake_finds, fake_frees, fake_closes;
static char fake_last_opts[64];

static void *fake_open(const char *file, const char **err)
{
    (void)err;
    assert_null(file);
    fake_opens++;
    return &fake_opens;
}

static void fake_close(void *h)
{
    assert_ptr_equal(h, &fake_opens);
    fake_closes++;
}

static int fake_find(void *h, const char *file, const char *key, size_t klen,
                     const char *opts, char **res, size_t *rlen,
                     const char **err, struct tern_ctx *ctx)
{
    (void)h;
    (void)file;
    (void)ctx;
    fake_finds++;
    snprintf(fake_last_opts, sizeof fake_last_opts, "%s", opts);
    if (klen == 5 && memcmp(key, "defer", 5) == 0) {
        *err = "fake deferred";
        return TERN_DEFER;
    }
    if (klen == 4 && memcmp(key, "miss", 4) == 0)
        return TERN_FAIL;
    char *r = malloc(klen + 3);
    r[0] = '[';
    memcpy(r + 1, key, klen);       /* NULs and all */
    r[klen + 1] = ']';
    r[klen + 2] = '\0';
    *res = r;
    *rlen = klen + 2;
    return TERN_OK;
}

static void fake_free(char *r)
{
    fake_frees++;
    free(r);
}

static const struct tern_lookup fake_lookup = {
    .name = "fake", .style = TERN_LOOKUP_QUERY, .open = fake_open,
    .close = fake_close, .find_opt = fake_find, .free_result = fake_free };
static const struct tern_lookup stub_lookup = {
    .name = "stub", .style = TERN_LOOKUP_SINGLE_KEY };
static const struct tern_lookup *const fake_list[] = { &fake_lookup,
                                                       &stub_lookup, NULL };
typedef struct tern_module module_t;
static const module_t fake_module = {
    .abi_version = TERN_ABI_VERSION, .name = "fake", .lookups = fake_list };

static void test_contract_and_cache(void **state)
{
    struct tern_lookups *r = tern_lookups_new();
    struct tern_arena *a = tern_arena_new();
    struct tern_lookup_stats st;
    char err[256], *res;
    size_t rlen;
    const char *e;
    (void)state;

    assert_int_equal(tern_lookups_add_module(r, &fake_module, err,
                                             sizeof err), 0);
    assert_int_equal(tern_lookups_add_module(r, &fake_module, err,
                                             sizeof err), -1);
    assert_string_equal(err, "lookup type \"fake\" provided by both fake "
                        "and fake");
    assert_ptr_equal(tern_lookups_get(r, "fake", 4), &fake_lookup);
    assert_null(tern_lookups_get(r, "fak", 3));
    assert_int_equal(tern_lookups_style(r, "fake"), TERN_LOOKUP_QUERY);
    assert_int_equal(tern_lookups_style(r, "stub"), TERN_LOOKUP_SINGLE_KEY);
    assert_int_equal(tern_lookups_style(r, "none"), 0);

    /* Binary-safe keys and results, copied into the caller's arena, the
     * module's copy handed back. */
    assert_int_equal(tern_lookups_find(r, "fake", "x=1,ret=key", NULL,
                                       "a\0b", 3, a, &res, &rlen, &e),
                     TERN_OK);
    assert_int_equal(rlen, 5);
    assert_memory_equal(res, "[a\0b]", 6);
    assert_int_equal(fake_frees, 1);
    assert_string_equal(fake_last_opts, "x=1,ret=key");
    /* The same again: from the cache, whatever ret=key or cache= say. */
    assert_int_equal(tern_lookups_find(r, "fake", "x=1", NULL, "a\0b", 3, a,
                                       &res, &rlen, &e), TERN_OK);
    assert_memory_equal(res, "[a\0b]", 6);
    assert_int_equal(fake_finds, 1);
    /* Other options, other key: asked again. */
    assert_int_equal(tern_lookups_find(r, "fake", "x=2", NULL, "a\0b", 3, a,
                                       &res, &rlen, &e), TERN_OK);
    assert_int_equal(tern_lookups_find(r, "fake", "x=1", NULL, "a", 1, a,
                                       &res, &rlen, &e), TERN_OK);
    assert_int_equal(fake_finds, 3);
    /* Misses are cached too; deferrals are not. */
    assert_int_equal(tern_lookups_find(r, "fake", "", NULL, "miss", 4, a,
                                       &res, &rlen, &e), TERN_FAIL);
    assert_int_equal(tern_lookups_find(r, "fake", NULL, NULL, "miss", 4, a,
                                       &res, &rlen, &e), TERN_FAIL);
    assert_int_equal(fake_finds, 4);
    assert_int_equal(tern_lookups_find(r, "fake", "", NULL, "defer", 5, a,
                                       &res, &rlen, &e), TERN_DEFER);
    assert_string_equal(e, "fake deferred");
    assert_int_equal(tern_lookups_find(r, "fake", "", NULL, "defer", 5, a,
                                       &res, &rlen, &e), TERN_DEFER);
    assert_int_equal(fake_finds, 6);
    /* cache=no_rd looks again, and refreshes what others read. */
    assert_int_equal(tern_lookups_find(r, "fake", "cache=no_rd", NULL, "q", 1,
                                       a, &res, &rlen, &e), TERN_OK);
    assert_int_equal(tern_lookups_find(r, "fake", "cache=no_rd", NULL, "q", 1,
                                       a, &res, &rlen, &e), TERN_OK);
    assert_int_equal(tern_lookups_find(r, "fake", "", NULL, "q", 1, a, &res,
                                       &rlen, &e), TERN_OK);
    assert_int_equal(fake_finds, 8);
    tern_lookups_stats(r, &st);
    assert_int_equal(st.cache_hits, 3);
    assert_int_equal(st.finds, 8);
    /* The next message asks the module again, with the same handle. */
    tern_lookups_message_done(r);
    assert_int_equal(tern_lookups_find(r, "fake", "x=1", NULL, "a\0b", 3, a,
                                       &res, &rlen, &e), TERN_OK);
    assert_int_equal(fake_finds, 9);
    assert_int_equal(fake_opens, 1);

    /* Errors: unknown, schema only, wrong style. */
    assert_int_equal(tern_lookups_find(r, "nosuch", "", "/f", "k", 1, a, &res,
                                       &rlen, &e), TERN_ERROR);
    assert_string_equal(e, "unknown lookup type \"nosuch\"");
    assert_int_equal(tern_lookups_find(r, "stub", "", "/f", "k", 1, a, &res,
                                       &rlen, &e), TERN_ERROR);
    assert_non_null(strstr(e, "schema only"));
    assert_int_equal(tern_lookups_find(r, "fake", "", "/f", "k", 1, a, &res,
                                       &rlen, &e), TERN_ERROR);
    /* In a list, query-style lookups take the query, and refuse
     * partial matching and defaults. */
    assert_int_equal(tern_lookups_list_item(r, "fake; the query", "subj", 4,
                                            a, &res, &rlen, &e), TERN_OK);
    assert_string_equal(res, "[the query]");
    assert_int_equal(tern_lookups_list_item(r, "fake*;q", "s", 1, a, &res,
                                            &rlen, &e), TERN_ERROR);
    assert_int_equal(tern_lookups_list_item(r, "fake", "s", 1, a, &res,
                                            &rlen, &e), TERN_ERROR);

    tern_lookups_free(r);
    assert_int_equal(fake_closes, 1);
    assert_int_equal(fake_frees, fake_finds - 3);  /* 1 miss + 2 defers */
    tern_arena_free(a);
}

/* ---- with the real lsearch module ---- */

static struct lh host;
static int have_host;
static char dir[256];

static int setup(void **state)
{
    char err[1024];
    (void)state;
    snprintf(dir, sizeof dir, "%s/tern-lookupd.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    if (getenv("TERN_MODULE_PATH") == NULL && getenv("TERN_BUILDDIR") == NULL)
        return 0;
    int rc = lh_open(&host, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "test_lookup_dispatch: %s\n", err);
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

static const char *path(const char *name)
{
    static char p[4][600];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
    return p[i];
}

/* Write a file under a temporary name and rename it into place, as
 * tools that rebuild lookup files do. */
static void replace(const char *name, const char *text)
{
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp", path(name));
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path(name)), 0);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* lsearch lookup of key in file; the value, or "FAIL" / "DEFER: why". */
static const char *ls(const char *type, const char *name, const char *key)
{
    char *res;
    size_t rlen;
    const char *err;
    int rc = tern_lookups_find(host.lk, type, NULL, path(name), key,
                               strlen(key), host.a, &res, &rlen, &err);
    if (rc == TERN_OK)
        return res;
    return rc == TERN_FAIL ? "FAIL" : tern_printf(host.a, "DEFER: %s", err);
}

#define NEED_HOST() do { if (!have_host) skip(); } while (0)

static void test_open_once(void **state)
{
    struct tern_lookup_stats s0, s1;
    char key[32];
    (void)state;
    NEED_HOST();
    replace("once", "k1: v1\nk2: v2\n");
    tern_lookups_close_all(host.lk);
    tern_lookups_stats(host.lk, &s0);
    int fds = count_fds();
    for (int m = 0; m < 20; m++) {             /* 20 messages */
        for (int i = 0; i < 50; i++) {
            snprintf(key, sizeof key, "k%d", i % 3);
            const char *v = ls("lsearch", "once", key);
            assert_string_equal(v, i % 3 == 1 ? "v1" :
                                   i % 3 == 2 ? "v2" : "FAIL");
        }
        tern_lookups_message_done(host.lk);
    }
    tern_lookups_stats(host.lk, &s1);
    assert_int_equal(s1.opens - s0.opens, 1);
    assert_int_equal(s1.finds - s0.finds, 20 * 3);   /* the rest cached */
    if (fds >= 0)
        assert_int_equal(count_fds(), fds + 1);
    /* Replaced by a new file: reopened at the next message, not before. */
    assert_string_equal(ls("lsearch", "once", "k1"), "v1");
    replace("once", "k1: new\n");
    assert_string_equal(ls("lsearch", "once", "k1"), "v1");    /* cached */
    tern_lookups_message_done(host.lk);
    assert_string_equal(ls("lsearch", "once", "k1"), "new");
    tern_lookups_stats(host.lk, &s0);
    assert_int_equal(s0.opens - s1.opens, 1);
    assert_int_equal(s0.reopens - s1.reopens, 1);
    if (fds >= 0)
        assert_int_equal(count_fds(), fds + 1);
    /* Each lookup type has its own handle on the same file. */
    assert_string_equal(ls("nwildlsearch", "once", "K1"), "new");
    tern_lookups_stats(host.lk, &s1);
    assert_int_equal(s1.open_now, s0.open_now + 1);
    /* A file that disappears defers at the next message. */
    assert_int_equal(unlink(path("once")), 0);
    tern_lookups_message_done(host.lk);
    const char *v = ls("lsearch", "once", "k1");
    assert_non_null(strstr(v, "DEFER: failed to open"));
}

static void test_open_max(void **state)
{
    struct tern_lookup_stats s0, s1;
    (void)state;
    NEED_HOST();
    replace("f1", "k: 1\n");
    replace("f2", "k: 2\n");
    replace("f3", "k: 3\n");
    tern_lookups_close_all(host.lk);
    tern_lookups_set_open_max(host.lk, 2);
    tern_lookups_stats(host.lk, &s0);
    assert_string_equal(ls("lsearch", "f1", "k"), "1");
    assert_string_equal(ls("lsearch", "f2", "k"), "2");
    tern_lookups_message_done(host.lk);
    assert_string_equal(ls("lsearch", "f1", "k"), "1");    /* f2 is LRU */
    assert_string_equal(ls("lsearch", "f3", "k"), "3");
    tern_lookups_stats(host.lk, &s1);
    assert_int_equal(s1.open_now, 2);
    assert_int_equal(s1.closes - s0.closes, 1);
    assert_int_equal(s1.opens - s0.opens, 3);
    tern_lookups_message_done(host.lk);
    assert_string_equal(ls("lsearch", "f1", "k"), "1");    /* still open */
    tern_lookups_stats(host.lk, &s0);
    assert_int_equal(s0.opens, s1.opens);
    tern_lookups_set_open_max(host.lk, 25);
}

static void test_fork(void **state)
{
    (void)state;
    NEED_HOST();
    replace("fk", "a: 1\nb: 2\n");
    assert_string_equal(ls("lsearch", "fk", "b"), "2");
    tern_lookups_message_done(host.lk);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct tern_lookup_stats s0, s1;
        tern_lookups_stats(host.lk, &s0);
        int ok = strcmp(ls("lsearch", "fk", "a"), "1") == 0;
        tern_lookups_stats(host.lk, &s1);
        /* The parent's handle was not used: the child opened its own. */
        _exit(ok && s1.opens == s0.opens + 1 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The parent's handle (and its stdio offset) still works. */
    assert_string_equal(ls("lsearch", "fk", "b"), "2");
    assert_string_equal(ls("lsearch", "fk", "a"), "1");
}

static void test_list_items(void **state)
{
    char item[700], *res;
    size_t rlen;
    const char *err;
    (void)state;
    NEED_HOST();
    replace("doms", "example.org: exact\n*.example.net: wild\n"
                    "*@example.com: atdom\n*: any\n");
#define ITEM(spec, file, subj)                                              \
    (snprintf(item, sizeof item, "%s;%s", spec, path(file)),                \
     tern_lookups_list_item(host.lk, item, subj, strlen(subj), host.a,     \
                            &res, &rlen, &err))
    assert_int_equal(ITEM("lsearch", "doms", "example.org"), TERN_OK);
    assert_string_equal(res, "exact");
    assert_int_equal(ITEM("lsearch", "doms", "a.example.net"), TERN_FAIL);
    assert_int_equal(ITEM("partial-lsearch", "doms", "a.b.example.net"),
                     TERN_OK);
    assert_string_equal(res, "wild");
    assert_int_equal(ITEM("lsearch*@", "doms", "jim@example.com"), TERN_OK);
    assert_string_equal(res, "atdom");
    assert_int_equal(ITEM("lsearch*", "doms", "other"), TERN_OK);
    assert_string_equal(res, "any");
    assert_int_equal(ITEM("partial-lsearch,ret=key", "doms", "x.example.net"),
                     TERN_OK);
    assert_string_equal(res, "x.example.net");
    snprintf(item, sizeof item, "lsearch;  %s", path("doms"));
    assert_int_equal(tern_lookups_list_item(host.lk, item, "example.org", 11,
                                            host.a, &res, &rlen, &err),
                     TERN_OK);
    assert_int_equal(ITEM("nosuch", "doms", "x"), TERN_ERROR);
    assert_string_equal(err, "unknown lookup type \"nosuch\"");
    assert_int_equal(ITEM("partialx-lsearch", "doms", "x"), TERN_ERROR);
    assert_int_equal(ITEM("lsearch", "nofile", "x"), TERN_DEFER);
    assert_non_null(strstr(err, "failed to open"));
#undef ITEM
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_parse),
        cmocka_unit_test(test_partial_sequence),
        cmocka_unit_test(test_contract_and_cache),
        cmocka_unit_test(test_open_once),
        cmocka_unit_test(test_open_max),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_list_items),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
