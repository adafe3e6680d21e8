/*
 * NAME
 *   vars.h - the getters behind the host's expansion variables
 *
 * DESCRIPTION
 *   vars.c holds the sorted table name -> getter and the lookup;
 *   vars_sys.c the getters about the process, the system and the clock;
 *   vars_conn.c those about the session, the message and the address.
 *   A getter returns the value NUL-terminated (never NULL), allocated
 *   from `a` when it has to be built.  Each reads the innermost lifetime
 *   that knows the answer and falls back to what Exim 4.96 shows under
 *   -be when there is none.
 */
#ifndef TERN_HOST_VARS_H
#define TERN_HOST_VARS_H

#include "ctx.h"

typedef const char *host_var_fn(const struct tern_ctx *c,
                                struct tern_arena *a);

/* ---- vars_sys.c ---- */
host_var_fn vs_caller_gid, vs_caller_uid, vs_compile_date, vs_config_dir,
    vs_config_file, vs_exim_gid, vs_exim_path, vs_exim_uid, vs_initial_cwd,
    vs_load_average, vs_localhost_number, vs_log_inodes, vs_log_space,
    vs_pid, vs_primary_hostname, vs_qualify_domain, vs_qualify_recipient,
    vs_return_size_limit, vs_runrc, vs_smtp_active_hostname,
    vs_spool_directory, vs_spool_inodes, vs_spool_space, vs_tod_bsdinbox,
    vs_tod_epoch, vs_tod_epoch_l, vs_tod_full, vs_tod_log, vs_tod_logfile,
    vs_tod_zone, vs_tod_zulu;

/* ---- vars_conn.c ---- */
host_var_fn vc_address_data, vc_authenticated_id, vc_authenticated_sender,
    vc_body_linecount, vc_body_zerocount, vc_domain, vc_domain_data,
    vc_headers_added, vc_host, vc_host_address, vc_host_lookup_deferred,
    vc_host_lookup_failed, vc_interface_address, vc_interface_port,
    vc_local_part, vc_local_part_data, vc_local_part_prefix,
    vc_local_part_suffix, vc_max_received_linelength, vc_message_age,
    vc_message_body_size, vc_message_headers, vc_message_headers_raw,
    vc_message_id, vc_message_linecount, vc_message_size,
    vc_message_smtputf8, vc_original_domain, vc_original_local_part,
    vc_originator_gid, vc_originator_uid, vc_parent_domain,
    vc_parent_local_part, vc_received_count, vc_received_protocol,
    vc_received_time, vc_received_for, vc_recipients, vc_recipients_count,
    vc_reply_address,
    vc_return_path, vc_router_name, vc_self_hostname, vc_sender_address,
    vc_sender_address_domain, vc_sender_address_local_part,
    vc_sender_fullhost, vc_sender_helo_name, vc_sender_host_address,
    vc_sender_host_authenticated, vc_sender_host_name, vc_sender_host_port,
    vc_sender_ident, vc_sender_rcvhost, vc_smtp_command,
    vc_smtp_command_argument, vc_smtp_notquit_reason, vc_rcpt_count,
    vc_auth1, vc_auth2, vc_auth3, vc_auth4, vc_authenticated_fail_id,
    vc_spam_bar,
    vc_spam_score, vc_spam_score_int, vc_tls_in_bits, vc_tls_in_cipher,
    vc_tls_in_cipher_std, vc_tls_in_certificate_verified, vc_tls_in_peerdn,
    vc_tls_in_resumption, vc_tls_in_sni, vc_tls_in_ver, vc_transport_name;

/* vars_conn.c: the message's headers as $message_headers shows them
 * (raw: 1 for $message_headers_raw). */
const char *vc_headers_text(const struct tern_ctx *c, struct tern_arena *a,
                            int raw);

#endif
