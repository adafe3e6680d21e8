/*
 * NAME
 *   vars.c - expansion variables: the host's table, module variables,
 *   and the acl_c / acl_m / r_ families
 *
 * SYNOPSIS
 *   struct tern_ctx ctx = { .rt = rt, .sess = s, .arena = s->arena };
 *   env.variable = host_variable;  env.arg = &ctx;
 *   host_var_set(&ctx, "acl_c_seen", "1", 1);
 *
 * DESCRIPTION
 *   Every variable core.schema declares has a row in one table sorted by
 *   name and found by bisection: a getter (vars_sys.c, vars_conn.c) that
 *   reads the ctx, or a constant where Tern has nothing behind the
 *   variable yet (DKIM, MIME, SPF, proxy...), which is what Exim 4.96
 *   shows when the feature has nothing to say.  The table is checked to
 *   be sorted the first time it is used.
 *
 *   Then the families: $acl_c... (the session's list), $acl_m... (the
 *   message's, else the session's: Exim keeps them from the connection
 *   until a message resets them), $r_... (the address's router
 *   variables); unset members are empty, as in Exim.  Last, variables of
 *   modules (struct tern_variable.get), loading an installed module on
 *   first use when the plan did not name it; a module variable without a
 *   getter (a schema-only module) is empty.
 *
 * DIAGNOSTICS
 *   TERN_FAIL for a name nobody provides: the evaluator reports
 *   `unknown variable name "x"` as Exim does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/module.h>

#include "acl.h"
#include "vars.h"

struct var {
    const char *name;
    host_var_fn *get;           /* NULL: the constant */
    const char *k;
};

/* Sorted by name (strcmp order). */
static const struct var vars[] = {
    { "acl_arg1", NULL, "" },
    { "acl_arg2", NULL, "" },
    { "acl_arg3", NULL, "" },
    { "acl_arg4", NULL, "" },
    { "acl_arg5", NULL, "" },
    { "acl_arg6", NULL, "" },
    { "acl_arg7", NULL, "" },
    { "acl_arg8", NULL, "" },
    { "acl_arg9", NULL, "" },
    { "acl_narg", NULL, "0" },
    { "acl_verify_message", NULL, "" },
    { "address_data", vc_address_data, NULL },
    { "address_file", NULL, "" },
    { "address_pipe", NULL, "" },
    { "auth1", vc_auth1, NULL },
    { "auth2", vc_auth2, NULL },
    { "auth3", vc_auth3, NULL },
    { "auth4", vc_auth4, NULL },
    { "authenticated_fail_id", vc_authenticated_fail_id, NULL },
    { "authenticated_id", vc_authenticated_id, NULL },
    { "authenticated_sender", vc_authenticated_sender, NULL },
    { "authentication_failed", NULL, "0" },
    { "av_failed", NULL, "0" },
    { "body_linecount", vc_body_linecount, NULL },
    { "body_zerocount", vc_body_zerocount, NULL },
    { "bounce_recipient", NULL, "" },
    { "bounce_return_size_limit", vs_return_size_limit, NULL },
    { "caller_gid", vs_caller_gid, NULL },
    { "caller_uid", vs_caller_uid, NULL },
    { "callout_address", NULL, "" },
    { "compile_date", vs_compile_date, NULL },
    { "compile_number", NULL, "1" },
    { "config_dir", vs_config_dir, NULL },
    { "config_file", vs_config_file, NULL },
    { "csa_status", NULL, "" },
    { "dkim_algo", NULL, "" },
    { "dkim_bodylength", NULL, "9999999999999" },
    { "dkim_canon_body", NULL, "" },
    { "dkim_canon_headers", NULL, "" },
    { "dkim_copiedheaders", NULL, "" },
    { "dkim_created", NULL, "0" },
    { "dkim_cur_signer", NULL, "" },
    { "dkim_domain", NULL, "" },
    { "dkim_expires", NULL, "9999999999999" },
    { "dkim_headernames", NULL, "" },
    { "dkim_identity", NULL, "" },
    { "dkim_key_granularity", NULL, "*" },
    { "dkim_key_length", NULL, "0" },
    { "dkim_key_nosubdomains", NULL, "0" },
    { "dkim_key_notes", NULL, "" },
    { "dkim_key_srvtype", NULL, "*" },
    { "dkim_key_testing", NULL, "0" },
    { "dkim_selector", NULL, "" },
    { "dkim_signers", NULL, "" },
    { "dkim_verify_reason", NULL, "" },
    { "dkim_verify_status", NULL, "" },
    { "dnslist_domain", NULL, "" },
    { "dnslist_matched", NULL, "" },
    { "dnslist_text", NULL, "" },
    { "dnslist_value", NULL, "" },
    { "domain", vc_domain, NULL },
    { "domain_data", vc_domain_data, NULL },
    { "event_data", NULL, "" },
    { "event_defer_errno", NULL, "0" },
    { "event_name", NULL, "" },
    { "exim_gid", vs_exim_gid, NULL },
    { "exim_path", vs_exim_path, NULL },
    { "exim_uid", vs_exim_uid, NULL },
    { "exim_version", NULL, "4.96" },
    { "headers_added", vc_headers_added, NULL },
    { "home", NULL, "" },
    { "host", vc_host, NULL },
    { "host_address", vc_host_address, NULL },
    { "host_data", NULL, "" },
    { "host_lookup_deferred", vc_host_lookup_deferred, NULL },
    { "host_lookup_failed", vc_host_lookup_failed, NULL },
    { "host_port", NULL, "0" },
    { "initial_cwd", vs_initial_cwd, NULL },
    { "inode", NULL, "0" },
    { "interface_address", vc_interface_address, NULL },
    { "interface_port", vc_interface_port, NULL },
    { "item", NULL, "" },
    { "ldap_dn", NULL, "" },
    { "load_average", vs_load_average, NULL },
    { "local_part", vc_local_part, NULL },
    { "local_part_data", vc_local_part_data, NULL },
    { "local_part_prefix", vc_local_part_prefix, NULL },
    { "local_part_prefix_v", vc_local_part_prefix, NULL },
    { "local_part_suffix", vc_local_part_suffix, NULL },
    { "local_part_suffix_v", vc_local_part_suffix, NULL },
    { "local_scan_data", NULL, "" },
    { "local_user_gid", NULL, "4294967295" },
    { "local_user_uid", NULL, "4294967295" },
    { "localhost_number", vs_localhost_number, NULL },
    { "log_inodes", vs_log_inodes, NULL },
    { "log_space", vs_log_space, NULL },
    { "lookup_dnssec_authenticated", NULL, "" },
    { "malware_name", NULL, "" },
    { "max_received_linelength", vc_max_received_linelength, NULL },
    { "message_age", vc_message_age, NULL },
    { "message_body", NULL, "" },
    { "message_body_end", NULL, "" },
    { "message_body_size", vc_message_body_size, NULL },
    { "message_exim_id", vc_message_id, NULL },
    { "message_headers", vc_message_headers, NULL },
    { "message_headers_raw", vc_message_headers_raw, NULL },
    { "message_id", vc_message_id, NULL },
    { "message_linecount", vc_message_linecount, NULL },
    { "message_size", vc_message_size, NULL },
    { "message_smtputf8", vc_message_smtputf8, NULL },
    { "mime_anomaly_level", NULL, "0" },
    { "mime_anomaly_text", NULL, "" },
    { "mime_boundary", NULL, "" },
    { "mime_charset", NULL, "" },
    { "mime_content_description", NULL, "" },
    { "mime_content_disposition", NULL, "" },
    { "mime_content_id", NULL, "" },
    { "mime_content_size", NULL, "0" },
    { "mime_content_transfer_encoding", NULL, "" },
    { "mime_content_type", NULL, "" },
    { "mime_decoded_filename", NULL, "" },
    { "mime_filename", NULL, "" },
    { "mime_is_coverletter", NULL, "0" },
    { "mime_is_multipart", NULL, "0" },
    { "mime_is_rfc822", NULL, "0" },
    { "mime_part_count", NULL, "-1" },
    { "original_domain", vc_original_domain, NULL },
    { "original_local_part", vc_original_local_part, NULL },
    { "originator_gid", vc_originator_gid, NULL },
    { "originator_uid", vc_originator_uid, NULL },
    { "parent_domain", vc_parent_domain, NULL },
    { "parent_local_part", vc_parent_local_part, NULL },
    { "pid", vs_pid, NULL },
    { "prdr_requested", NULL, "no" },
    { "primary_hostname", vs_primary_hostname, NULL },
    { "proxy_external_address", NULL, "" },
    { "proxy_external_port", NULL, "0" },
    { "proxy_local_address", NULL, "" },
    { "proxy_local_port", NULL, "0" },
    { "proxy_session", NULL, "no" },
    { "prvscheck_address", NULL, "" },
    { "prvscheck_keynum", NULL, "" },
    { "prvscheck_result", NULL, "" },
    { "qualify_domain", vs_qualify_domain, NULL },
    { "qualify_recipient", vs_qualify_recipient, NULL },
    { "queue_name", NULL, "" },
    { "queue_size", NULL, "" },
    { "rcpt_count", vc_rcpt_count, NULL },
    { "rcpt_defer_count", NULL, "0" },
    { "rcpt_fail_count", NULL, "0" },
    { "received_count", vc_received_count, NULL },
    { "received_for", vc_received_for, NULL },
    { "received_ip_address", vc_interface_address, NULL },
    { "received_port", vc_interface_port, NULL },
    { "received_protocol", vc_received_protocol, NULL },
    { "received_time", vc_received_time, NULL },
    { "recipient_data", NULL, "" },
    { "recipient_verify_failure", NULL, "" },
    { "recipients", vc_recipients, NULL },
    { "recipients_count", vc_recipients_count, NULL },
    { "regex1", NULL, "" },
    { "regex2", NULL, "" },
    { "regex3", NULL, "" },
    { "regex4", NULL, "" },
    { "regex5", NULL, "" },
    { "regex6", NULL, "" },
    { "regex7", NULL, "" },
    { "regex8", NULL, "" },
    { "regex9", NULL, "" },
    { "regex_match_string", NULL, "" },
    { "reply_address", vc_reply_address, NULL },
    { "return_path", vc_return_path, NULL },
    { "return_size_limit", vs_return_size_limit, NULL },
    { "router_name", vc_router_name, NULL },
    { "runrc", vs_runrc, NULL },
    { "self_hostname", vc_self_hostname, NULL },
    { "sender_address", vc_sender_address, NULL },
    { "sender_address_data", NULL, "" },
    { "sender_address_domain", vc_sender_address_domain, NULL },
    { "sender_address_local_part", vc_sender_address_local_part, NULL },
    { "sender_data", NULL, "" },
    { "sender_fullhost", vc_sender_fullhost, NULL },
    { "sender_helo_dnssec", NULL, "no" },
    { "sender_helo_name", vc_sender_helo_name, NULL },
    { "sender_host_address", vc_sender_host_address, NULL },
    { "sender_host_authenticated", vc_sender_host_authenticated, NULL },
    { "sender_host_dnssec", NULL, "no" },
    { "sender_host_name", vc_sender_host_name, NULL },
    { "sender_host_port", vc_sender_host_port, NULL },
    { "sender_ident", vc_sender_ident, NULL },
    { "sender_rate", NULL, "" },
    { "sender_rate_limit", NULL, "" },
    { "sender_rate_period", NULL, "" },
    { "sender_rcvhost", vc_sender_rcvhost, NULL },
    { "sender_verify_failure", NULL, "" },
    { "sending_ip_address", NULL, "" },
    { "sending_port", NULL, "-1" },
    { "smtp_active_hostname", vs_smtp_active_hostname, NULL },
    { "smtp_command", vc_smtp_command, NULL },
    { "smtp_command_argument", vc_smtp_command_argument, NULL },
    { "smtp_command_history", NULL, "" },
    { "smtp_count_at_connection_start", NULL, "0" },
    { "smtp_notquit_reason", vc_smtp_notquit_reason, NULL },
    { "spam_action", NULL, "" },
    { "spam_bar", vc_spam_bar, NULL },
    { "spam_report", NULL, "" },
    { "spam_score", vc_spam_score, NULL },
    { "spam_score_int", vc_spam_score_int, NULL },
    { "spf_guess", NULL, "v=spf1 a/24 mx/24 ptr ?all" },
    { "spf_header_comment", NULL, "" },
    { "spf_received", NULL, "" },
    { "spf_result", NULL, "" },
    { "spf_result_guessed", NULL, "no" },
    { "spf_smtp_comment", NULL, "" },
    { "spool_directory", vs_spool_directory, NULL },
    { "spool_inodes", vs_spool_inodes, NULL },
    { "spool_space", vs_spool_space, NULL },
    { "thisaddress", NULL, "" },
    { "tls_bits", vc_tls_in_bits, NULL },
    { "tls_certificate_verified", vc_tls_in_certificate_verified, NULL },
    { "tls_cipher", vc_tls_in_cipher, NULL },
    { "tls_in_bits", vc_tls_in_bits, NULL },
    { "tls_in_certificate_verified", vc_tls_in_certificate_verified, NULL },
    { "tls_in_cipher", vc_tls_in_cipher, NULL },
    { "tls_in_cipher_std", vc_tls_in_cipher_std, NULL },
    { "tls_in_ocsp", NULL, "0" },
    { "tls_in_ourcert", NULL, "" },
    { "tls_in_peercert", NULL, "" },
    { "tls_in_peerdn", vc_tls_in_peerdn, NULL },
    { "tls_in_resumption", vc_tls_in_resumption, NULL },
    { "tls_in_sni", vc_tls_in_sni, NULL },
    { "tls_in_ver", vc_tls_in_ver, NULL },
    { "tls_peerdn", vc_tls_in_peerdn, NULL },
    { "tls_sni", vc_tls_in_sni, NULL },
    { "tod_bsdinbox", vs_tod_bsdinbox, NULL },
    { "tod_epoch", vs_tod_epoch, NULL },
    { "tod_epoch_l", vs_tod_epoch_l, NULL },
    { "tod_full", vs_tod_full, NULL },
    { "tod_log", vs_tod_log, NULL },
    { "tod_logfile", vs_tod_logfile, NULL },
    { "tod_zone", vs_tod_zone, NULL },
    { "tod_zulu", vs_tod_zulu, NULL },
    { "transport_name", vc_transport_name, NULL },
    { "value", NULL, "" },
    { "verify_mode", NULL, "" },
    { "version_number", NULL, "4.96" },
    { "warn_message_delay", NULL, "" },
    { "warn_message_recipient", NULL, "" },
    { "warn_message_recipients", NULL, "" },
    { "warnmsg_delay", NULL, "" },
    { "warnmsg_recipient", NULL, "" },
    { "warnmsg_recipients", NULL, "" },
};

#define N_VARS (sizeof vars / sizeof vars[0])

static const struct var *
find(const char *name, size_t len)
{
    static int checked;
    size_t lo = 0, hi = N_VARS;

    if (!checked) {
        for (size_t i = 1; i < N_VARS; i++)
            if (strcmp(vars[i - 1].name, vars[i].name) >= 0) {
                fprintf(stderr, "tern: internal error: variable table not"
                        " sorted at %s\n", vars[i].name);
                abort();
            }
        checked = 1;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = vars[mid].name;
        int c = strncmp(name, m, len);

        if (c == 0 && m[len] != '\0')
            c = -1;
        if (c == 0)
            return &vars[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static const struct host_var *
var_find(const struct host_var *v, const char *name, size_t len)
{
    for (; v != NULL; v = v->next)
        if (strncmp(v->name, name, len) == 0 && v->name[len] == '\0')
            return v;
    return NULL;
}

static int
prefix(const char *name, size_t len, const char *p)
{
    size_t n = strlen(p);

    return len >= n && memcmp(name, p, n) == 0;
}

/* acl_c..., acl_m..., r_...: 1 with *v (NULL when unset), 0 when the
 * name is not of a family. */
static int
family(const struct tern_ctx *c, const char *name, size_t len,
       const struct host_var **v)
{
    *v = NULL;
    if (prefix(name, len, "acl_c") &&
        (len == 5 || name[5] == '_' || (name[5] >= '0' && name[5] <= '9'))) {
        *v = c->sess ? var_find(c->sess->acl_c, name, len) : NULL;
        return 1;
    }
    if (prefix(name, len, "acl_m") &&
        (len == 5 || name[5] == '_' || (name[5] >= '0' && name[5] <= '9'))) {
        if (c->msg)
            *v = var_find(c->msg->acl_m, name, len);
        if (*v == NULL && c->sess)
            *v = var_find(c->sess->acl_c, name, len);
        return 1;
    }
    if (prefix(name, len, "r_")) {
        *v = c->addr ? var_find(c->addr->r_vars, name, len) : NULL;
        return 1;
    }
    return 0;
}

static int
module_var(struct tern_ctx *c, const char *name, size_t len,
           const char **val)
{
    const struct tern_variable *mv = host_runtime_modvar(c->rt, name, len);
    const char *why = NULL;

    if (mv == NULL &&
        host_runtime_provider(c->rt, "variable", name, len, &why) > 0)
        mv = host_runtime_modvar(c->rt, name, len);
    if (mv == NULL)
        return TERN_FAIL;
    *val = mv->get ? mv->get(c) : NULL;
    if (*val == NULL)
        *val = "";
    return TERN_OK;
}

int
host_variable(void *arg, const char *name, size_t len, const char **val,
              size_t *vlen)
{
    struct tern_ctx *c = arg;
    const struct var *v = find(name, len);
    const struct host_var *hv;
    /* $dnslist_*, $sender_rate*, $acl_verify_message ... live in the ACL
     * engine while an ACL runs. */
    const char *acl_value = host_acl_var(name, len);

    if (acl_value != NULL) {
        *val = acl_value;
    } else if (v != NULL) {
        *val = v->get ? v->get(c, c->arena) : v->k;
    } else if (family(c, name, len, &hv)) {
        if (hv != NULL) {
            *val = hv->value;
            *vlen = hv->len;
            return TERN_OK;
        }
        *val = "";
    } else if (module_var(c, name, len, val) != TERN_OK) {
        return TERN_FAIL;
    }
    *vlen = strlen(*val);
    return TERN_OK;
}

/* Set (or replace) name in the list *head, copying into `a`. */
static void
var_put(struct host_var **head, struct tern_arena *a, const char *name,
        const char *value, size_t len)
{
    struct host_var *v;
    char *copy = tern_alloc(a, len + 1);

    memcpy(copy, value, len);
    for (v = *head; v != NULL; v = v->next)
        if (strcmp(v->name, name) == 0)
            break;
    if (v == NULL) {
        v = tern_alloc(a, sizeof *v);
        v->name = tern_strdup(a, name);
        v->next = *head;
        *head = v;
    }
    v->value = copy;
    v->len = len;
}

void
host_var_set(struct tern_ctx *ctx, const char *name, const char *value,
             size_t len)
{
    if (strncmp(name, "acl_m", 5) == 0 && ctx->msg != NULL)
        var_put(&ctx->msg->acl_m, ctx->msg->arena, name, value, len);
    else if (strncmp(name, "acl_", 4) == 0 && ctx->sess != NULL)
        var_put(&ctx->sess->acl_c, ctx->sess->arena, name, value, len);
    else if (strncmp(name, "r_", 2) == 0 && ctx->addr != NULL)
        var_put(&ctx->addr->r_vars, ctx->addr->arena, name, value, len);
}
