/*
 * NAME
 *   acltest.c - test fixture: a module with an ACL condition, a modifier
 *   and a control
 *
 * DESCRIPTION
 *   Provides what tests/data/modules/acltest.schema declares, so the ACL
 *   engine's module path can be tested end to end:
 *
 *     acltest_even = N    true when N is an even number, false (with the
 *                         message "N is odd") when odd, TERN_DEFER for
 *                         "defer", TERN_ERROR for anything else
 *     acltest_note = X    logs "acltest note: X" through the host API
 *     control = acltest_flag/X
 *                         logs "acltest flag: X"
 *
 *   The number of calls of each is kept in acltest_calls (exported, so a
 *   unit test that loads the module can read it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <tern/host.h>
#include <tern/module.h>

#include "acltest_schema.h"

/* Named before the rename below, which would rename the struct tag. */
typedef struct tern_module module_type;

#define tern_module acltest_LTX_tern_module
#define acltest_calls acltest_LTX_calls

TERN_EXPORT unsigned acltest_calls[3];
static const struct tern_host_api *host;

static int
even(struct tern_ctx *ctx, const char *arg, const char **msg)
{
    char *end;
    long n;

    (void)ctx;
    acltest_calls[0]++;
    if (strcmp(arg, "defer") == 0) {
        *msg = "acltest asked to defer";
        return TERN_DEFER;
    }
    n = strtol(arg, &end, 10);
    if (end == arg || *end != '\0') {
        *msg = "acltest_even needs a number";
        return TERN_ERROR;
    }
    if (n % 2 == 0)
        return TERN_OK;
    *msg = "the number is odd";
    return TERN_FAIL;
}

static int
note(struct tern_ctx *ctx, const char *arg, const char **msg)
{
    (void)ctx;
    (void)msg;
    acltest_calls[1]++;
    if (host != NULL && host->log_write != NULL)
        host->log_write(TERN_LOG_MAIN, "acltest note: %s", arg);
    return TERN_OK;
}

static int
flag(struct tern_ctx *ctx, const char *arg)
{
    (void)ctx;
    acltest_calls[2]++;
    if (host != NULL && host->log_write != NULL)
        host->log_write(TERN_LOG_MAIN, "acltest flag: %s", arg);
    return TERN_OK;
}

static int
init(const struct tern_host_api *api)
{
    host = api;
    return TERN_OK;
}

static const struct tern_acl_condition cond_even = { "acltest_even", even };
static const struct tern_acl_condition mod_note = { "acltest_note", note };
static const struct tern_acl_control ctl_flag = { "acltest_flag", flag };
static const struct tern_acl_condition *const conds[] = { &cond_even, NULL };
static const struct tern_acl_condition *const mods[] = { &mod_note, NULL };
static const struct tern_acl_control *const ctls[] = { &ctl_flag, NULL };

TERN_EXPORT const module_type tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "acltest",
    .version = "0.0.1",
    .schema_hash = ACLTEST_SCHEMA_HASH,
    .init = init,
    .acl_conditions = conds,
    .acl_modifiers = mods,
    .acl_controls = ctls,
};
