/*
 * NAME
 *   test_modload.c - unit tests of the module loader (lib/modload.c)
 *
 * DESCRIPTION
 *   Path precedence (environment over module_dir over the compiled-in
 *   directory), listing a path (sorted, deduplicated, only valid NAME.so),
 *   and each refusal the loader makes on files built in a temporary
 *   directory: missing, invalid name, writable by others, not an ELF
 *   object.  Loading a real module (and the schema-hash check) uses the
 *   modules of the build tree when $TERN_BUILDDIR has them; all-in-one
 *   builds skip the file-based cases, which do not apply there.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <tern/module.h>
#include "modload.h"

static char tmpdir[256];

static void
touch(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/tern-modload.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    unsetenv("TERN_MODULE_PATH");
    unsetenv("TERN_SCHEMA_PATH");
    return 0;
}

static int
teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_module_path_precedence(void **state)
{
    (void)state;
    assert_string_equal(tern_module_path(NULL), TERN_MODULE_DIR);
    assert_string_equal(tern_module_path(""), TERN_MODULE_DIR);
    assert_string_equal(tern_module_path("/opt/m"), "/opt/m");
    setenv("TERN_MODULE_PATH", "/env/a:/env/b", 1);
    assert_string_equal(tern_module_path("/opt/m"), "/env/a:/env/b");
    setenv("TERN_MODULE_PATH", "", 1);      /* empty = not set */
    assert_string_equal(tern_module_path("/opt/m"), "/opt/m");
    unsetenv("TERN_MODULE_PATH");
}

static void
test_schema_path(void **state)
{
    (void)state;
    assert_string_equal(tern_schema_path(), TERN_SCHEMA_DIR);
    setenv("TERN_SCHEMA_PATH", "/s1:/s2", 1);
    assert_string_equal(tern_schema_path(), "/s1:/s2");
    unsetenv("TERN_SCHEMA_PATH");
}

static void
test_list_sorted_unique(void **state)
{
    char d1[300], d2[300], path[700];
    char **names;
    size_t n;

    (void)state;
    if (tern_modules_preopened())
        skip();
    snprintf(d1, sizeof d1, "%s/one", tmpdir);
    snprintf(d2, sizeof d2, "%s/two", tmpdir);
    assert_int_equal(mkdir(d1, 0755), 0);
    assert_int_equal(mkdir(d2, 0755), 0);
    touch(d1, "smtp.so", "x", 0644);
    touch(d1, "arc.so", "x", 0644);
    touch(d1, "notes.txt", "x", 0644);     /* not a module */
    touch(d1, "Bad.so", "x", 0644);        /* not a module name */
    touch(d1, ".so", "x", 0644);
    touch(d2, "arc.so", "x", 0644);        /* duplicate */
    touch(d2, "dsn_info.so", "x", 0644);
    snprintf(path, sizeof path, "%s:/nonexistent:%s", d1, d2);
    n = tern_module_list(path, &names);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "arc");
    assert_string_equal(names[1], "dsn_info");
    assert_string_equal(names[2], "smtp");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    assert_true(tern_module_is_installed("dsn_info", path));
    assert_false(tern_module_is_installed("lmdb", path));
    assert_false(tern_module_is_installed("../one/arc", path));
    assert_true(tern_module_is_installed("core", path));
}

static void
test_refuse_missing_and_bad_names(void **state)
{
    struct tern_loaded_module m;
    char err[512];

    (void)state;
    if (tern_modules_preopened())
        skip();
    assert_int_equal(tern_module_load("arc", "/nonexistent/a:/nonexistent/b",
                                      0, &m, err, sizeof err), -1);
    assert_string_equal(err,
        "module 'arc' not found in /nonexistent/a:/nonexistent/b");
    assert_null(m.mod);
    assert_int_equal(tern_module_load("../etc/x", tmpdir, 0, &m, err,
                                      sizeof err), -1);
    assert_non_null(strstr(err, "invalid module name"));
    assert_int_equal(tern_module_load("", tmpdir, 0, &m, err, sizeof err),
                     -1);
}

static void
test_refuse_writable_and_junk(void **state)
{
    struct tern_loaded_module m;
    char err[1024], expect[600];

    (void)state;
    if (tern_modules_preopened())
        skip();
    touch(tmpdir, "open.so", "junk", 0666);
    assert_int_equal(tern_module_load("open", tmpdir, 0, &m, err,
                                      sizeof err), -1);
    snprintf(expect, sizeof expect, "module %s/open.so is writable by"
             " others (mode 0666)", tmpdir);
    assert_non_null(strstr(err, expect));

    touch(tmpdir, "grp.so", "junk", 0620);
    assert_int_equal(tern_module_load("grp", tmpdir, 0, &m, err,
                                      sizeof err), -1);
    assert_non_null(strstr(err, "writable by group (mode 0620)"));

    /* Long enough that the loader reads a whole ELF header and rejects
     * it, rather than stopping at "file too short". */
    touch(tmpdir, "junk.so", "not an ELF object, just text that is longer"
          " than any ELF header so the loader reads it all and says so\n",
          0644);
    assert_int_equal(tern_module_load("junk", tmpdir, 0, &m, err,
                                      sizeof err), -1);
    snprintf(expect, sizeof expect, "cannot open module %s/junk.so: ",
             tmpdir);
    assert_non_null(strstr(err, expect));
    assert_non_null(strstr(err, "invalid ELF header"));
}

/* A real module from the build tree: accepted, then refused when the
 * caller expects another schema hash. */
static void
test_real_module(void **state)
{
    struct tern_loaded_module m;
    const char *bd = getenv("TERN_BUILDDIR");
    char dir[512], err[1024], file[600];
    unsigned long long hash;

    (void)state;
    if (tern_modules_preopened() || bd == NULL)
        skip();
    snprintf(dir, sizeof dir, "%s/modules/.libs", bd);
    snprintf(file, sizeof file, "%s/accept.so", dir);
    if (access(file, F_OK) != 0)
        skip();
    assert_int_equal(tern_module_load("accept", dir, 0, &m, err, sizeof err),
                     0);
    assert_non_null(m.mod);
    assert_int_equal(m.mod->abi_version, TERN_ABI_VERSION);
    assert_string_equal(m.mod->name, "accept");
    assert_string_equal(m.file, file);
    assert_true(m.mod->flags & TERN_MOD_SCHEMA_ONLY);
    hash = m.mod->schema_hash;
    assert_true(hash != 0);
    tern_module_unload(&m);
    assert_null(m.handle);

    assert_int_equal(tern_module_load("accept", dir, hash, &m, err,
                                      sizeof err), 0);
    tern_module_unload(&m);
    assert_int_equal(tern_module_load("accept", dir, hash ^ 1, &m, err,
                                      sizeof err), -1);
    assert_non_null(strstr(err, "the plan was compiled against"));
    assert_non_null(strstr(err, file));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_module_path_precedence),
        cmocka_unit_test(test_schema_path),
        cmocka_unit_test(test_list_sorted_unique),
        cmocka_unit_test(test_refuse_missing_and_bad_names),
        cmocka_unit_test(test_refuse_writable_and_junk),
        cmocka_unit_test(test_real_module),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
