/*
 * NAME
 *   tls_server.c - the server's OpenSSL contexts, built from the main
 *   options
 *
 * SYNOPSIS
 *   if (host_tls_server_init(rt, err, sizeof err) < 0) die(err);
 *   if (host_tls_advertise(&ctx)) ... "250-STARTTLS" ...
 *
 * DESCRIPTION
 *   Once in the master, before the workers fork, so every worker shares
 *   the certificates, keys and trust store read here (and key files may
 *   be readable by root only).  The options, as Exim 4.96 uses them with
 *   OpenSSL:
 *
 *     tls_certificate    list of PEM files, each the certificate and its
 *     tls_privatekey     chain; keys pairwise (default: in the cert file).
 *                        Several pairs (RSA and ECDSA) live in one context
 *                        and OpenSSL picks by what the client supports.
 *                        When either mentions $tls_sni or $tls_in_sni it
 *                        is expanded again once the client's SNI is known
 *                        and the context for that result is used (built
 *                        on first use, then cached).
 *     tls_require_ciphers an OpenSSL cipher string for TLS 1.2 and older;
 *                        items that start "TLS_" are TLS 1.3 suites and
 *                        replace the default 1.3 list.  Underscores in the
 *                        other items become hyphens, as Exim allows.  With
 *                        a `$` it is expanded for each session.
 *     tls_verify_certificates  "system" (the default store), a PEM file
 *                        (whose CA names are also sent with the request)
 *                        or a directory of hashed certificates.
 *     tls_crl            a PEM file or directory; checks the whole chain.
 *     tls_dhparam        unset: OpenSSL's automatic groups; "none"; a PEM
 *                        file; ffdhe2048..ffdhe8192; ike14..ike18.
 *     tls_eccurve        "auto" (OpenSSL's list) or a colon list of groups.
 *     tls_ocsp_file      a DER OCSP response stapled for clients that ask.
 *     tls_alpn           names accepted when the client offers ALPN; none
 *                        in common fails the handshake.  Empty: ignored.
 *
 *   Host lists (tls_advertise_hosts, tls_verify_hosts ...) go through the
 *   host API's match_hostlist (api.c), so they see the session's peer and
 *   the per-connection cache.
 *
 * DIAGNOSTICS
 *   host_tls_server_init() fails naming the option and the file, with
 *   OpenSSL's reason: "tls_certificate: /etc/x.pem: error:...".  Options
 *   whose expansion fails are errors; a forced failure means unset.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <tern/host.h>
#include <tern/module.h>

#include "list.h"
#include "tls_int.h"

struct tls_server tls_srv;

int
tls_opt(struct tern_ctx *ctx, const struct tern_text *t, const char *name,
        const char **out, char *err, size_t errlen)
{
    const char *e = NULL;
    size_t len;
    int rc;

    *out = NULL;
    if (t->text == NULL)
        return 0;
    /* Plain text expands to itself: no need to reach the evaluator. */
    if (strchr(t->text, '$') == NULL && strchr(t->text, '\\') == NULL) {
        *out = t->text;
        return 0;
    }
    if (t->expr != NULL)
        rc = host_expand_exp(ctx, t->expr, out, &len, &e);
    else
        rc = host_expand(ctx, t->text, out, &e);
    if (rc == 1) {                      /* forced failure: unset */
        *out = NULL;
        return 0;
    }
    if (rc != 0) {
        snprintf(err, errlen, "failed to expand %s \"%s\": %s", name,
                 t->text, e ? e : "unknown error");
        *out = NULL;
        return -1;
    }
    return 0;
}

int
tls_hostlist(struct tern_ctx *ctx, const struct tern_text *list)
{
    const struct tern_host_api *api = ctx->rt->api;

    if (list->text == NULL || list->text[0] == '\0')
        return 0;
    if (api == NULL || api->match_hostlist == NULL)
        return 0;
    return api->match_hostlist(ctx, list->text) == TERN_OK;
}

void
tls_openssl_error(char *buf, size_t len)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        snprintf(buf, len, "unknown TLS error");
    else
        ERR_error_string_n(e, buf, len);
    ERR_clear_error();
}

static int
fail(char *err, size_t errlen, const char *what, const char *file)
{
    char why[256];

    tls_openssl_error(why, sizeof why);
    if (file != NULL)
        snprintf(err, errlen, "%s: %s: %s", what, file, why);
    else
        snprintf(err, errlen, "%s: %s", what, why);
    return -1;
}

int
tls_set_ciphers(SSL_CTX *ctx, SSL *ssl, const char *spec, char *err,
                size_t errlen)
{
    char *v12 = calloc(1, strlen(spec) + 1);
    char *v13 = calloc(1, strlen(spec) + 1);
    char item[256];
    struct tern_list_iter it;
    int too_long = 0, ok = 1;

    if (v12 == NULL || v13 == NULL)
        abort();
    tern_list_start(&it, spec, ':');
    while (tern_list_next(&it, item, sizeof item, &too_long) != NULL) {
        int is13 = strncmp(item, "TLS_", 4) == 0;
        char *dst = is13 ? v13 : v12;

        if (!is13)
            for (char *p = item; *p; p++)
                if (*p == '_')
                    *p = '-';
        if (*dst)
            strcat(dst, ":");
        strcat(dst, item);
    }
    if (too_long) {
        snprintf(err, errlen, "tls_require_ciphers: item too long");
        free(v12);
        free(v13);
        return -1;
    }
    if (*v12)
        ok = ctx ? SSL_CTX_set_cipher_list(ctx, v12)
                 : SSL_set_cipher_list(ssl, v12);
    if (ok && *v13)
        ok = ctx ? SSL_CTX_set_ciphersuites(ctx, v13)
                 : SSL_set_ciphersuites(ssl, v13);
    free(v12);
    free(v13);
    if (!ok)
        return fail(err, errlen, "tls_require_ciphers", spec);
    return 0;
}

/* ---- trust store and the other shared pieces ---- */

static int
load_store(struct tern_ctx *c, char *err, size_t errlen)
{
    struct host_runtime *rt = c->rt;
    const char *cas, *crl;
    struct stat st;

    if (tls_opt(c, &rt->opts.tls_verify_certificates,
                "tls_verify_certificates", &cas, err, errlen) < 0 ||
        tls_opt(c, &rt->opts.tls_crl, "tls_crl", &crl, err, errlen) < 0)
        return -1;
    tls_srv.store = X509_STORE_new();
    if (tls_srv.store == NULL)
        return fail(err, errlen, "X509_STORE_new", NULL);
    if (cas == NULL || *cas == '\0') {
        /* Nothing can verify: clients asked for a certificate fail. */
    } else if (strcmp(cas, "system") == 0) {
        if (!X509_STORE_set_default_paths(tls_srv.store))
            return fail(err, errlen, "tls_verify_certificates", cas);
    } else if (stat(cas, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!X509_STORE_load_path(tls_srv.store, cas))
            return fail(err, errlen, "tls_verify_certificates", cas);
    } else {
        if (!X509_STORE_load_file(tls_srv.store, cas))
            return fail(err, errlen, "tls_verify_certificates", cas);
        tls_srv.client_cas = SSL_load_client_CA_file(cas);
    }
    if (crl != NULL && *crl != '\0') {
        int ok = stat(crl, &st) == 0 && S_ISDIR(st.st_mode)
                     ? X509_STORE_load_path(tls_srv.store, crl)
                     : X509_STORE_load_file(tls_srv.store, crl);
        if (!ok)
            return fail(err, errlen, "tls_crl", crl);
        X509_STORE_set_flags(tls_srv.store,
                             X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    return 0;
}

static int
load_alpn(struct tern_ctx *c, char *err, size_t errlen)
{
    const char *v;
    char item[256];
    struct tern_list_iter it;
    int too_long = 0;

    if (tls_opt(c, &c->rt->opts.tls_alpn, "tls_alpn", &v, err, errlen) < 0)
        return -1;
    if (v == NULL || *v == '\0')
        return 0;
    tls_srv.alpn = malloc(strlen(v) + 2);
    if (tls_srv.alpn == NULL)
        abort();
    tern_list_start(&it, v, ':');
    while (tern_list_next(&it, item, sizeof item, &too_long) != NULL) {
        size_t n = strlen(item);

        if (n == 0 || n > 255)
            continue;
        tls_srv.alpn[tls_srv.alpn_len++] = (unsigned char)n;
        memcpy(tls_srv.alpn + tls_srv.alpn_len, item, n);
        tls_srv.alpn_len += n;
    }
    if (too_long) {
        snprintf(err, errlen, "tls_alpn: item too long");
        return -1;
    }
    return 0;
}

static int
load_ocsp(struct tern_ctx *c, char *err, size_t errlen)
{
    const char *v;
    FILE *f;
    long n;

    if (tls_opt(c, &c->rt->opts.tls_ocsp_file, "tls_ocsp_file", &v, err,
                errlen) < 0)
        return -1;
    if (v == NULL || *v == '\0')
        return 0;
    if ((f = fopen(v, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
        (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "tls_ocsp_file: %s: cannot read", v);
        if (f)
            fclose(f);
        return -1;
    }
    tls_srv.ocsp = malloc((size_t)n);
    if (tls_srv.ocsp == NULL)
        abort();
    tls_srv.ocsp_len = fread(tls_srv.ocsp, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* ---- one context ---- */

static int
set_dhparam(SSL_CTX *ctx, const char *v, char *err, size_t errlen)
{
    static const char *const named[][2] = {
        {"ffdhe2048", "ffdhe2048"}, {"ffdhe3072", "ffdhe3072"},
        {"ffdhe4096", "ffdhe4096"}, {"ffdhe6144", "ffdhe6144"},
        {"ffdhe8192", "ffdhe8192"}, {"ike14", "modp_2048"},
        {"ike15", "modp_3072"}, {"ike16", "modp_4096"},
        {"ike17", "modp_6144"}, {"ike18", "modp_8192"},
    };
    EVP_PKEY *pk = NULL;

    if (v == NULL || *v == '\0' || strcmp(v, "default") == 0)
        return SSL_CTX_set_dh_auto(ctx, 1) ? 0 : -1;
    if (strcmp(v, "none") == 0)
        return 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strcmp(v, named[i][0]) != 0)
            continue;
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
        OSSL_PARAM p[2] = {
            OSSL_PARAM_construct_utf8_string("group", (char *)named[i][1], 0),
            OSSL_PARAM_construct_end()};
        if (pc == NULL || EVP_PKEY_paramgen_init(pc) <= 0 ||
            EVP_PKEY_CTX_set_params(pc, p) <= 0 ||
            EVP_PKEY_paramgen(pc, &pk) <= 0) {
            EVP_PKEY_CTX_free(pc);
            return fail(err, errlen, "tls_dhparam", v);
        }
        EVP_PKEY_CTX_free(pc);
        break;
    }
    if (pk == NULL && v[0] == '/') {
        BIO *b = BIO_new_file(v, "r");
        if (b != NULL)
            pk = PEM_read_bio_Parameters(b, NULL);
        BIO_free(b);
        if (pk == NULL)
            return fail(err, errlen, "tls_dhparam", v);
    }
    if (pk == NULL) {
        snprintf(err, errlen, "tls_dhparam: unknown value \"%s\"", v);
        return -1;
    }
    if (!SSL_CTX_set0_tmp_dh_pkey(ctx, pk)) {
        EVP_PKEY_free(pk);
        return fail(err, errlen, "tls_dhparam", v);
    }
    return 0;
}

/* Certificate i of `certs` with key i of `keys` (the cert file itself
 * when the key list is shorter). */
static int
use_certs(SSL_CTX *ctx, const char *certs, const char *keys, char *err,
          size_t errlen)
{
    struct tern_list_iter ci, ki;
    char cert[1024], key[1024];
    int tl = 0, n = 0;

    tern_list_start(&ci, certs, ':');
    tern_list_start(&ki, keys ? keys : "", ':');
    while (tern_list_next(&ci, cert, sizeof cert, &tl) != NULL) {
        if (tern_list_next(&ki, key, sizeof key, &tl) == NULL || !*key)
            strcpy(key, cert);
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
            return fail(err, errlen, "tls_certificate", cert);
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
            return fail(err, errlen, "tls_privatekey", key);
        if (SSL_CTX_check_private_key(ctx) != 1)
            return fail(err, errlen, "tls_privatekey does not match", key);
        n++;
    }
    if (tl) {
        snprintf(err, errlen, "tls_certificate: file name too long");
        return -1;
    }
    if (n == 0) {
        snprintf(err, errlen, "tls_certificate: empty list");
        return -1;
    }
    return 0;
}

static SSL_CTX *
build_ctx(struct tern_ctx *c, const char *certs, const char *keys,
          char *err, size_t errlen)
{
    struct host_runtime *rt = c->rt;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    const char *ciphers, *dh, *curves;

    if (ctx == NULL) {
        fail(err, errlen, "SSL_CTX_new", NULL);
        return NULL;
    }
    /* Tickets are enabled per session (tls_resumption_hosts); no
     * renegotiation; a client that drops the TCP connection without
     * close_notify (common after QUIT) is an ordinary end.  The client's
     * cipher preference wins, as with Exim's default openssl_options. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"tern", 4);
    /* Stateless tickets only: nothing kept per session in the server. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_timeout(ctx, 2 * HOST_TLS_KEY_LIFETIME);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_cb_ticket_key);

    if (use_certs(ctx, certs, keys, err, errlen) < 0)
        goto bad;
    if (tls_opt(c, &rt->opts.tls_dhparam, "tls_dhparam", &dh, err,
                errlen) < 0 || set_dhparam(ctx, dh, err, errlen) < 0)
        goto bad;
    if (tls_opt(c, &rt->opts.tls_eccurve, "tls_eccurve", &curves, err,
                errlen) < 0)
        goto bad;
    if (curves != NULL && *curves && strcmp(curves, "auto") != 0 &&
        !SSL_CTX_set1_groups_list(ctx, curves)) {
        fail(err, errlen, "tls_eccurve", curves);
        goto bad;
    }
    if (!tls_srv.ciphers_per_session) {
        if (tls_opt(c, &rt->opts.tls_require_ciphers, "tls_require_ciphers",
                    &ciphers, err, errlen) < 0)
            goto bad;
        if (ciphers != NULL && *ciphers &&
            tls_set_ciphers(ctx, NULL, ciphers, err, errlen) < 0)
            goto bad;
    }
    SSL_CTX_set1_cert_store(ctx, tls_srv.store);
    if (tls_srv.client_cas != NULL)
        SSL_CTX_set0_CA_list(ctx, SSL_dup_CA_list(tls_srv.client_cas));
    SSL_CTX_set_client_hello_cb(ctx, tls_cb_client_hello, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, tls_cb_servername);
    if (tls_srv.alpn_len > 0)
        SSL_CTX_set_alpn_select_cb(ctx, tls_cb_alpn, NULL);
    SSL_CTX_set_tlsext_status_cb(ctx, tls_cb_status);
    return ctx;
bad:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *
tls_sni_context(const char *certs, const char *keys, char *err,
                size_t errlen)
{
    struct tern_ctx c = host_ctx_rt(tls_srv.rt);
    size_t n = strlen(certs) + strlen(keys ? keys : "") + 2;
    char *key = malloc(n);
    SSL_CTX *ctx;

    if (key == NULL)
        abort();
    snprintf(key, n, "%s\n%s", certs, keys ? keys : "");
    for (size_t i = 0; i < tls_srv.n_sni; i++)
        if (strcmp(tls_srv.sni[i].key, key) == 0) {
            free(key);
            return tls_srv.sni[i].ctx;
        }
    if ((ctx = build_ctx(&c, certs, keys, err, errlen)) == NULL) {
        free(key);
        return NULL;
    }
    tls_srv.sni = realloc(tls_srv.sni, (tls_srv.n_sni + 1) *
                                           sizeof *tls_srv.sni);
    if (tls_srv.sni == NULL)
        abort();
    tls_srv.sni[tls_srv.n_sni].key = key;
    tls_srv.sni[tls_srv.n_sni++].ctx = ctx;
    return ctx;
}

static int
mentions_sni(const struct tern_text *t)
{
    return t->text != NULL && (strstr(t->text, "tls_sni") != NULL ||
                               strstr(t->text, "tls_in_sni") != NULL);
}

static int
init(struct host_runtime *rt, char *err, size_t errlen)
{
    struct tern_ctx c = host_ctx_rt(rt);
    const char *certs, *keys;

    if (tls_opt(&c, &rt->opts.tls_certificate, "tls_certificate", &certs,
                err, errlen) < 0)
        return -1;
    if (certs == NULL || *certs == '\0')
        return 0;                       /* TLS not offered */
    if (tls_opt(&c, &rt->opts.tls_privatekey, "tls_privatekey", &keys,
                err, errlen) < 0)
        return -1;
    tls_srv.cert_per_sni = mentions_sni(&rt->opts.tls_certificate) ||
                           mentions_sni(&rt->opts.tls_privatekey);
    tls_srv.ciphers_per_session =
        rt->opts.tls_require_ciphers.text != NULL &&
        strchr(rt->opts.tls_require_ciphers.text, '$') != NULL;
    if (host_tls_keys_init(err, errlen) < 0 ||
        load_store(&c, err, errlen) < 0 || load_alpn(&c, err, errlen) < 0 ||
        load_ocsp(&c, err, errlen) < 0)
        return -1;
    if ((tls_srv.ctx = build_ctx(&c, certs, keys, err, errlen)) == NULL)
        return -1;
    tls_srv.available = 1;
    return 0;
}

int
host_tls_server_init(struct host_runtime *rt, char *err, size_t errlen)
{
    host_tls_server_free();
    tls_srv.rt = rt;
    ERR_clear_error();
    if (init(rt, err, errlen) < 0) {
        host_tls_server_free();
        return -1;
    }
    return 0;
}

int
host_tls_server_available(void)
{
    return tls_srv.available;
}

void
host_tls_server_free(void)
{
    SSL_CTX_free(tls_srv.ctx);
    for (size_t i = 0; i < tls_srv.n_sni; i++) {
        SSL_CTX_free(tls_srv.sni[i].ctx);
        free(tls_srv.sni[i].key);
    }
    free(tls_srv.sni);
    X509_STORE_free(tls_srv.store);
    sk_X509_NAME_pop_free(tls_srv.client_cas, X509_NAME_free);
    free(tls_srv.alpn);
    free(tls_srv.ocsp);
    memset(&tls_srv, 0, sizeof tls_srv);
}

int
host_tls_advertise(struct tern_ctx *ctx)
{
    if (!tls_srv.available || ctx->rt == NULL)
        return 0;
    return tls_hostlist(ctx, &ctx->rt->opts.tls_advertise_hosts);
}
