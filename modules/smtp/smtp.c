/*
 * NAME
 *   smtp.c - the smtp module (schema only)
 *
 * DESCRIPTION
 *   Transport that delivers over SMTP (and LMTP over TCP) to remote
 *   hosts.
 *
 *   In this milestone the module only declares what its schema
 *   (schemas/smtp.schema) says it provides, with no implementation
 *   behind it (NULL function pointers, TERN_MOD_SCHEMA_ONLY): tern -bV
 *   lists it and the host refuses to run it.
 */
#include "config.h"

#include "../skeleton.h"
#include "smtp_schema.h"

#define tern_module smtp_LTX_tern_module

SKEL_DRIVER(drv_smtp, "smtp", TERN_DRIVER_TRANSPORT, transport_smtp);
SKEL_LIST(tern_driver, drivers, &drv_smtp);

SKEL_NAMED(tern_variable, var_tls_out_bits, "tls_out_bits");
SKEL_NAMED(tern_variable, var_tls_out_certificate_verified,
           "tls_out_certificate_verified");
SKEL_NAMED(tern_variable, var_tls_out_cipher, "tls_out_cipher");
SKEL_NAMED(tern_variable, var_tls_out_cipher_std, "tls_out_cipher_std");
SKEL_NAMED(tern_variable, var_tls_out_dane, "tls_out_dane");
SKEL_NAMED(tern_variable, var_tls_out_ocsp, "tls_out_ocsp");
SKEL_NAMED(tern_variable, var_tls_out_ourcert, "tls_out_ourcert");
SKEL_NAMED(tern_variable, var_tls_out_peercert, "tls_out_peercert");
SKEL_NAMED(tern_variable, var_tls_out_peerdn, "tls_out_peerdn");
SKEL_NAMED(tern_variable, var_tls_out_resumption, "tls_out_resumption");
SKEL_NAMED(tern_variable, var_tls_out_sni, "tls_out_sni");
SKEL_NAMED(tern_variable, var_tls_out_tlsa_usage, "tls_out_tlsa_usage");
SKEL_NAMED(tern_variable, var_tls_out_ver, "tls_out_ver");
SKEL_LIST(tern_variable, variables, &var_tls_out_bits,
          &var_tls_out_certificate_verified, &var_tls_out_cipher,
          &var_tls_out_cipher_std, &var_tls_out_dane, &var_tls_out_ocsp,
          &var_tls_out_ourcert, &var_tls_out_peercert, &var_tls_out_peerdn,
          &var_tls_out_resumption, &var_tls_out_sni, &var_tls_out_tlsa_usage,
          &var_tls_out_ver);

SKEL_NAMED(tern_log_element, log_tfo, "TFO");
SKEL_LIST(tern_log_element, log_elements, &log_tfo);

SKEL_MODULE("smtp", SMTP_SCHEMA_HASH,
            .drivers = drivers,
            .variables = variables,
            .log_elements = log_elements);
