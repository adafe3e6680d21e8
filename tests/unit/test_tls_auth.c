/*
 * NAME
 *   test_tls_auth.c - the tls authenticator module's server step
 *
 * DESCRIPTION
 *   modules/tls/tls.c is linked in and driven the way the SMTP engine
 *   does after a handshake: server_start() with no data, a host API whose
 *   expand() knows a few strings, set_var() and check_condition() that
 *   record what the driver did.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <tern/auth.h>
#include <tern/host.h>
#include <tern/module.h>

#include "tls_schema.h"

extern const struct tern_module tls_LTX_tern_module;

static char vars[4][64];
static int condition_calls;
static int condition_result;

static char *
stub_expand(struct tern_ctx *ctx, const char *s, const char **err,
            int *forced)
{
    (void)ctx;
    *forced = 0;
    if (strcmp(s, "$tls_in_peerdn") == 0)
        return (char *)"/CN=client.example";
    if (strcmp(s, "two") == 0)
        return (char *)"two";
    if (strcmp(s, "${if false{}fail}") == 0) {
        *forced = 1;
        return NULL;
    }
    *err = "unknown variable";
    return NULL;
}

static void
set_var(struct tern_auth_server *as, unsigned n, const char *v, size_t len)
{
    (void)as;
    assert_true(n >= 1 && n <= 3);
    snprintf(vars[n], sizeof vars[n], "%.*s", (int)len, v);
}

static int
check_condition(struct tern_auth_server *as)
{
    (void)as;
    condition_calls++;
    return condition_result;
}

static const struct tern_host_api api = {
    .size = sizeof api, .abi_version = TERN_ABI_VERSION,
    .expand = stub_expand,
};

static const struct tern_auth_ops *
ops(void)
{
    const struct tern_driver *d = tls_LTX_tern_module.drivers[0];

    assert_string_equal(d->name, "tls");
    assert_int_equal(d->kind, TERN_DRIVER_AUTH);
    assert_int_equal(d->options_size, sizeof(struct tern_opts_auth_tls));
    return d->ops;
}

static int
run(struct tern_opts_auth_tls *o, const char *data, size_t len,
    struct tern_auth_server *as)
{
    memset(vars, 0, sizeof vars);
    condition_calls = 0;
    memset(as, 0, sizeof *as);
    as->host = &api;
    as->name = "cert";
    as->options = o;
    as->set_var = set_var;
    as->check_condition = check_condition;
    return ops()->server_start(as, data, len);
}

static void
test_params_then_condition(void **state)
{
    struct tern_opts_auth_tls o = {0};
    struct tern_auth_server as;

    (void)state;
    o.server_param1.text = "$tls_in_peerdn";
    o.server_param3.text = "two";
    condition_result = TERN_AUTH_OK;
    assert_int_equal(run(&o, NULL, 0, &as), TERN_AUTH_OK);
    assert_string_equal(vars[1], "/CN=client.example");
    assert_string_equal(vars[2], "");
    assert_string_equal(vars[3], "two");
    assert_int_equal(condition_calls, 1);

    condition_result = TERN_AUTH_FAIL;
    assert_int_equal(run(&o, NULL, 0, &as), TERN_AUTH_FAIL);
}

static void
test_old_name(void **state)
{
    struct tern_opts_auth_tls o = {0};
    struct tern_auth_server as;

    (void)state;
    o.server_param.text = "two";
    condition_result = TERN_AUTH_OK;
    assert_int_equal(run(&o, NULL, 0, &as), TERN_AUTH_OK);
    assert_string_equal(vars[1], "two");
}

static void
test_expansion_failures(void **state)
{
    struct tern_opts_auth_tls o = {0};
    struct tern_auth_server as;

    (void)state;
    condition_result = TERN_AUTH_OK;
    o.server_param2.text = "${if false{}fail}";
    assert_int_equal(run(&o, NULL, 0, &as), TERN_AUTH_FAIL);
    assert_int_equal(condition_calls, 0);

    o.server_param2.text = "$nosuch";
    assert_int_equal(run(&o, NULL, 0, &as), TERN_AUTH_DEFER);
    assert_string_equal(as.message, "unknown variable");
    assert_int_equal(condition_calls, 0);
}

static void
test_configured_and_data(void **state)
{
    struct tern_opts_auth_tls o = {0};
    struct tern_auth_server as;

    (void)state;
    assert_int_equal(ops()->server_configured(&o, NULL), 0);
    assert_int_equal(ops()->server_configured(&o, "${if ...}"), 1);
    assert_int_equal(run(&o, "x", 1, &as), TERN_AUTH_UNEXPECTED);
    assert_null(ops()->server_next);
    assert_int_equal(tls_LTX_tern_module.flags & TERN_MOD_SCHEMA_ONLY, 0);
    assert_int_equal(tls_LTX_tern_module.schema_hash, TLS_SCHEMA_HASH);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_then_condition),
        cmocka_unit_test(test_old_name),
        cmocka_unit_test(test_expansion_failures),
        cmocka_unit_test(test_configured_and_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
