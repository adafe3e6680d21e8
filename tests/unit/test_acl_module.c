/*
 * NAME
 *   test_acl_module.c - ACL conditions, modifiers and controls that
 *   modules provide
 *
 * DESCRIPTION
 *   The configuration names what tests/data/modules/acltest.so provides
 *   (its schema sits next to it); confc resolves the names against that
 *   schema, the fixture loads the module from TERN_MODULE_PATH as the
 *   host would, and the engine calls into it.  A schema-only module's
 *   condition (dcc) is an error that names the module.
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

#include "test_acl_env.h"

#define CONF(text) assert_int_equal(ta_config(text), 0)
#define RUN(where, acl) ta_run((where), (acl), NULL)

static const char conf[] =
    "begin acl\n"
    "even:\n"
    "  deny   !acltest_even = $acl_m_n\n"
    "         message = odd\n"
    "  accept acltest_note = saw $acl_m_n\n"
    "         control = acltest_flag/flagged $acl_m_n\n"
    "warned:\n"
    "  warn   acltest_even = $acl_m_n\n"
    "         logwrite = even after all\n"
    "  accept\n";

static void
set_n(const char *v)
{
    host_var_set(&ta.ctx, "acl_m_n", v, strlen(v));
}

static void
test_module_condition(void **state)
{
    (void)state;
    CONF(conf);
    assert_int_equal(ta_load_modules(), 0);
    set_n("4");
    assert_int_equal(RUN(HOST_ACL_MAIL, "even"), HOST_ACL_ACCEPT);
    assert_true(ta_logged("module|acltest note: saw 4\n"));
    assert_true(ta_logged("module|acltest flag: flagged 4\n"));
    set_n("7");
    assert_int_equal(RUN(HOST_ACL_MAIL, "even"), HOST_ACL_DENY);
    assert_string_equal(ta.res.user_message, "odd");
    assert_false(ta_logged("saw 7"));
    set_n("defer");
    assert_int_equal(RUN(HOST_ACL_MAIL, "even"), HOST_ACL_DEFER);
    assert_non_null(strstr(ta.res.log_message, "acltest asked to defer"));
    set_n("x");
    assert_int_equal(RUN(HOST_ACL_MAIL, "even"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "needs a number"));
    /* In a warn, a deferral is logged and the ACL goes on. */
    set_n("defer");
    assert_int_equal(RUN(HOST_ACL_MAIL, "warned"), HOST_ACL_ACCEPT);
    assert_false(ta_logged("even after all"));
}

static void
test_module_failure_message(void **state)
{
    (void)state;
    CONF(conf);
    assert_int_equal(ta_load_modules(), 0);
    /* A false module condition's message is the log text of a denial
     * without log_message. */
    set_n("3");
    assert_int_equal(RUN(HOST_ACL_MAIL, "require acltest_even = 3"),
                     HOST_ACL_DENY);
    assert_string_equal(ta.res.log_message, "the number is odd");
}

static void
test_runtime_text_uses_modules(void **state)
{
    (void)state;
    CONF(conf);
    assert_int_equal(ta_load_modules(), 0);
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept acltest_even = 10\n"
                         "       control = acltest_flag/inline"),
                     HOST_ACL_ACCEPT);
    assert_true(ta_logged("module|acltest flag: inline\n"));
    assert_int_equal(RUN(HOST_ACL_MAIL, "accept acltest_even = 11"),
                     HOST_ACL_DENY);
}

static void
test_schema_only_module(void **state)
{
    char dcc[256];

    (void)state;
    /* An all-in-one build has no dcc.so to load. */
    snprintf(dcc, sizeof dcc, "%s/modules/.libs/dcc.so", TA_BUILDDIR);
    if (getenv("TERN_BUILDDIR") != NULL)
        snprintf(dcc, sizeof dcc, "%s/modules/.libs/dcc.so",
                 getenv("TERN_BUILDDIR"));
    if (access(dcc, R_OK) != 0)
        skip();
    CONF("begin acl\nd:\n  deny dcc = *\n  accept\n");
    assert_int_equal(ta_load_modules(), 0);
    assert_int_equal(RUN(HOST_ACL_DATA, "d"), HOST_ACL_ERROR);
    assert_non_null(strstr(ta.res.log_message, "not implemented by module "
                           "dcc"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, ta_setup, ta_teardown)
        T(test_module_condition),
        T(test_module_failure_message),
        T(test_runtime_text_uses_modules),
        T(test_schema_only_module),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
