/*
 * NAME
 *   tls.c - the tls authenticator: a client certificate as credentials
 *
 * SYNOPSIS
 *   begin authenticators
 *   cert:
 *     driver = tls
 *     server_param1 = ${certextract{subject,CN}{$tls_in_peercert}}
 *     server_condition = ${if eq{$tls_in_certificate_verified}{1}}
 *     server_set_id = $auth1
 *
 * DESCRIPTION
 *   Not a SASL mechanism and never advertised in the EHLO reply: the SMTP
 *   engine runs the one instance of this driver right after a TLS
 *   handshake (STARTTLS or TLS-on-connect) by calling server_start()
 *   with no data.  As Exim 4.96 does, server_param1 (alias server_param),
 *   server_param2 and server_param3 are expanded into $auth1..$auth3,
 *   then the generic server_condition decides; on success the engine
 *   applies server_set_id and the session counts as authenticated (AUTH
 *   is then not offered).  The certificate must have been asked for
 *   (tls_verify_hosts or tls_try_verify_hosts); whether it verified is
 *   $tls_in_certificate_verified, for server_condition to test.
 *
 *   An instance is a server only when server_condition is set, so a
 *   configuration that forgets it authenticates nobody.
 *
 * DIAGNOSTICS
 *   A forced failure of a server_param expansion fails the
 *   authentication; any other expansion failure defers it, with the
 *   expansion error as the message.
 */
#include "config.h"

#include <string.h>

#include <tern/auth.h>
#include <tern/host.h>
#include <tern/module.h>

#include "tls_schema.h"

static int
tls_configured(const void *options, const char *server_condition)
{
    (void)options;
    return server_condition != NULL;
}

/* Expand one server_param into $auth<n>; TERN_AUTH_OK to go on. */
static int
param(struct tern_auth_server *as, unsigned n, const struct tern_text *t)
{
    const char *err = NULL;
    int forced = 0;
    char *v;

    if (t->text == NULL)
        return TERN_AUTH_OK;
    v = as->host->expand(as->ctx, t->text, &err, &forced);
    if (v == NULL) {
        if (forced)
            return TERN_AUTH_FAIL;
        as->message = err ? err : "expansion of server_param failed";
        return TERN_AUTH_DEFER;
    }
    as->set_var(as, n, v, strlen(v));
    return TERN_AUTH_OK;
}

static int
tls_start(struct tern_auth_server *as, const char *data, size_t len)
{
    const struct tern_opts_auth_tls *o = as->options;
    const struct tern_text *p1 =
        o->server_param1.text != NULL ? &o->server_param1 : &o->server_param;
    int rc;

    if (data != NULL || len != 0)
        return TERN_AUTH_UNEXPECTED;
    if ((rc = param(as, 1, p1)) != TERN_AUTH_OK ||
        (rc = param(as, 2, &o->server_param2)) != TERN_AUTH_OK ||
        (rc = param(as, 3, &o->server_param3)) != TERN_AUTH_OK)
        return rc;
    return as->check_condition(as);
}

static const struct tern_auth_ops tls_ops = {
    .size = sizeof tls_ops,
    .server_configured = tls_configured,
    .server_start = tls_start,
    .server_next = NULL,            /* one step: nothing to answer */
};

static const struct tern_driver drv_tls = {
    .name = "tls",
    .kind = TERN_DRIVER_AUTH,
    .options = tern_optdefs_auth_tls,
    .options_size = sizeof(struct tern_opts_auth_tls),
    .ops = &tls_ops,
};

static const struct tern_driver *const drivers[] = { &drv_tls, NULL };

TERN_EXPORT const struct tern_module tls_LTX_tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "tls",
    .version = TLS_SCHEMA_VERSION,
    .schema_hash = TLS_SCHEMA_HASH,
    .drivers = drivers,
};
