/*
 * NAME
 *   test_smtp_auth.c - AUTH in the SMTP engine with the real plaintext
 *   and cram_md5 modules: PLAIN, LOGIN and CRAM-MD5, success and failure
 *
 * DESCRIPTION
 *   The modules are linked in; the CRAM-MD5 answers are computed with
 *   OpenSSL's HMAC, so the module's own MD5 is checked against another
 *   implementation.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_fakes.h"

static const char *const plain_opts[] = {
    "public_name", "PLAIN",
    "server_prompts", ":",
    "server_condition", "${if and {{eq{$auth2}{user}}{eq{$auth3}{pw}}}}",
    "server_set_id", "$auth2",
    NULL,
};

static const char *const login_opts[] = {
    "public_name", "LOGIN",
    "server_prompts", "Username:: : Password::",
    "server_condition", "${if and {{eq{$auth1}{user}}{eq{$auth2}{pw}}}}",
    "server_set_id", "$auth1",
    NULL,
};

static const char *const cram_opts[] = {
    "public_name", "CRAM-MD5",
    "server_secret", "${if eq{$auth1}{ph10}{secret}fail}",
    "server_set_id", "$auth1",
    NULL,
};

static char *
start(struct harness *h)
{
    h_auth(h, "fixed_plain", "plaintext", plain_opts);
    h_auth(h, "fixed_login", "plaintext", login_opts);
    h_auth(h, "fixed_cram", "cram_md5", cram_opts);
    free(h_start(h, "192.0.2.1"));
    return h_talk(h, "EHLO c\r\n");
}

static char *
b64(const char *p, size_t n)
{
    char *out = malloc(n * 2 + 8);

    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)p, (int)n);
    return out;
}

static void
test_advertised(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    r = start(&h);
    assert_non_null(strstr(r, "250-PIPECONNECT\r\n250-AUTH PLAIN LOGIN "
                              "CRAM-MD5\r\n250-CHUNKING\r\n"));
    free(r);
    h_free(&h);

    h_init(&h);
    h_set(&h, "auth_advertise_hosts", "");
    r = start(&h);
    assert_null(strstr(r, "AUTH"));
    free(r);
    r = h_talk(&h, "AUTH PLAIN\r\n");
    assert_string_equal(r, "503 AUTH command used when not advertised\r\n");
    free(r);
    h_free(&h);

    h_init(&h);
    {
        static const char *const o[] = {
            "public_name", "PLAIN", "server_prompts", ":",
            "server_condition", "yes",
            "server_advertise_condition", "${if eq{1}{2}}", NULL };

        h_auth(&h, "hidden", "plaintext", o);
        h_auth(&h, "fixed_cram", "cram_md5", cram_opts);
    }
    free(h_start(&h, "192.0.2.1"));
    r = h_talk(&h, "EHLO c\r\n");
    assert_non_null(strstr(r, "250-AUTH CRAM-MD5\r\n"));
    free(r);
    r = h_talk(&h, "AUTH PLAIN AHVzZXIAcHc=\r\n");
    assert_string_equal(r, "504 PLAIN mechanism not supported\r\n");
    free(r);
    h_free(&h);
}

static void
test_plain(void **state)
{
    struct harness h;
    char *r, *cred;

    (void)state;
    h_init(&h);
    h_set(&h, "smtp_max_synprot_errors", "100");
    free(start(&h));
    cred = b64("\0user\0pw", 8);
    r = h_talk(&h, tern_printf(h.a, "AUTH PLAIN %s\r\n", cred));
    assert_string_equal(r, "235 Authentication succeeded\r\n");
    free(r);
    free(cred);
    assert_string_equal(h.sess.authenticated_id, "user");
    assert_string_equal(h.sess.auth_mechanism, "fixed_plain");
    assert_string_equal(h.sess.auth_public_name, "PLAIN");
    assert_string_equal(h.sess.protocol, "esmtpa");
    r = h_talk(&h, "AUTH PLAIN\r\n");
    assert_string_equal(r, "503 already authenticated\r\n");
    free(r);
    /* AUTH= of an authenticated client is kept. */
    r = h_talk(&h, "MAIL FROM:<a@b.example> AUTH=user+40b.example\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    assert_string_equal(h.ctx.msg->spool.auth_sender.s, "user@b.example");
    h_free(&h);

    h_init(&h);
    free(start(&h));
    /* No initial response: an empty prompt, then the answer. */
    r = h_talk(&h, "AUTH plain\r\n");
    assert_string_equal(r, "334 \r\n");
    free(r);
    cred = b64("\0user\0wrong", 11);
    r = h_talk(&h, tern_printf(h.a, "%s\r\n", cred));
    free(cred);
    assert_string_equal(r, "535 Incorrect authentication data\r\n");
    free(r);
    assert_true(log_has("MR fixed_plain authenticator failed for (c) "
                        "[192.0.2.1]: 535 Incorrect authentication data "
                        "(set_id=user)"));
    assert_string_equal(h.sess.authenticated_fail_id, "user");
    assert_null(h.sess.authenticated_id);
    assert_string_equal(h.sess.protocol, "esmtp");
    r = h_talk(&h, "AUTH PLAIN not-base64!\r\n");
    assert_string_equal(r, "501 Invalid base64 data\r\n");
    free(r);
    /* AUTH= from a client that did not authenticate is ignored. */
    r = h_talk(&h, "MAIL FROM:<a@b.example> AUTH=<>\r\n");
    assert_string_equal(r, "250 OK\r\n");
    free(r);
    r = h_talk(&h, "AUTH PLAIN\r\n");
    assert_string_equal(r, "503 not permitted in mail transaction\r\n");
    free(r);
    h_free(&h);
}

static void
test_login(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    free(start(&h));
    r = h_talk(&h, "AUTH LOGIN\r\n");
    assert_string_equal(r, "334 VXNlcm5hbWU6\r\n");       /* Username: */
    free(r);
    r = h_talk(&h, "dXNlcg==\r\n");                       /* user */
    assert_string_equal(r, "334 UGFzc3dvcmQ6\r\n");       /* Password: */
    free(r);
    r = h_talk(&h, "cHc=\r\n");                           /* pw */
    assert_string_equal(r, "235 Authentication succeeded\r\n");
    free(r);
    assert_string_equal(h.sess.authenticated_id, "user");
    h_free(&h);

    /* The user name with the command: only the password is asked. */
    h_init(&h);
    free(start(&h));
    r = h_talk(&h, "AUTH LOGIN dXNlcg==\r\n");
    assert_string_equal(r, "334 UGFzc3dvcmQ6\r\n");
    free(r);
    r = h_talk(&h, "*\r\n");
    assert_string_equal(r, "501 Authentication cancelled\r\n");
    free(r);
    assert_null(h.sess.auth_var[0]);
    r = h_talk(&h, "AUTH LOGIN\r\n");
    assert_string_equal(r, "334 VXNlcm5hbWU6\r\n");
    free(r);
    r = h_talk(&h, "dXNlcg==\r\nbm9wZQ==\r\n");
    assert_string_equal(r, "334 UGFzc3dvcmQ6\r\n535 Incorrect "
                        "authentication data\r\n");
    free(r);
    h_free(&h);
}

static char *
cram_answer(const char *challenge64, const char *user, const char *secret)
{
    unsigned char chal[512], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    int n = EVP_DecodeBlock(chal, (const unsigned char *)challenge64,
                            (int)strlen(challenge64));
    size_t len = strlen(challenge64);
    char line[600], *p;

    /* EVP_DecodeBlock counts padding as data. */
    while (len > 0 && challenge64[len - 1] == '=') {
        n--;
        len--;
    }
    HMAC(EVP_md5(), secret, (int)strlen(secret), chal, (size_t)n, mac,
         &maclen);
    p = line + snprintf(line, sizeof line, "%s ", user);
    for (unsigned i = 0; i < maclen; i++)
        p += sprintf(p, "%02x", mac[i]);
    return b64(line, strlen(line));
}

static void
test_cram_md5(void **state)
{
    struct harness h;
    char *r, *ans, chal[512];

    (void)state;
    h_init(&h);
    free(start(&h));
    r = h_talk(&h, "AUTH CRAM-MD5\r\n");
    assert_int_equal(strncmp(r, "334 ", 4), 0);
    snprintf(chal, sizeof chal, "%.*s", (int)strcspn(r + 4, "\r"), r + 4);
    free(r);
    ans = cram_answer(chal, "ph10", "secret");
    r = h_talk(&h, tern_printf(h.a, "%s\r\n", ans));
    free(ans);
    assert_string_equal(r, "235 Authentication succeeded\r\n");
    free(r);
    assert_string_equal(h.sess.authenticated_id, "ph10");
    assert_string_equal(h.sess.auth_mechanism, "fixed_cram");
    h_free(&h);

    h_init(&h);
    free(start(&h));
    r = h_talk(&h, "AUTH CRAM-MD5\r\n");
    snprintf(chal, sizeof chal, "%.*s", (int)strcspn(r + 4, "\r"), r + 4);
    free(r);
    ans = cram_answer(chal, "ph10", "not the secret");
    r = h_talk(&h, tern_printf(h.a, "%s\r\n", ans));
    free(ans);
    assert_string_equal(r, "535 Incorrect authentication data\r\n");
    free(r);
    /* An unknown user: server_secret is forced to fail. */
    r = h_talk(&h, "AUTH CRAM-MD5\r\n");
    snprintf(chal, sizeof chal, "%.*s", (int)strcspn(r + 4, "\r"), r + 4);
    free(r);
    ans = cram_answer(chal, "mallory", "secret");
    r = h_talk(&h, tern_printf(h.a, "%s\r\n", ans));
    free(ans);
    assert_string_equal(r, "535 Incorrect authentication data\r\n");
    free(r);
    assert_true(log_has("fixed_cram authenticator failed for (c) "
                        "[192.0.2.1]: 535 Incorrect authentication data "
                        "(set_id=mallory)"));
    /* CRAM-MD5 takes no initial response. */
    r = h_talk(&h, "AUTH CRAM-MD5 dXNlcg==\r\n");
    assert_string_equal(r, "553 Initial data not expected\r\n");
    free(r);
    h_free(&h);
}

static void
test_auth_acl_and_helo(void **state)
{
    struct harness h;
    char *r;

    (void)state;
    h_init(&h);
    fake_acl[HOST_ACL_AUTH] = (struct fake_acl_rule){
        .set = 1, .v = HOST_ACL_DENY, .msg = "TLS first" };
    free(start(&h));
    r = h_talk(&h, "AUTH PLAIN AHVzZXIAcHc=\r\n");
    assert_string_equal(r, "503 TLS first\r\n");
    free(r);
    assert_true(log_has("rejected AUTH PLAIN: TLS first"));
    h_free(&h);

    h_init(&h);
    h_auth(&h, "fixed_plain", "plaintext", plain_opts);
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "HELO c\r\n"));
    r = h_talk(&h, "AUTH PLAIN AHVzZXIAcHc=\r\n");
    assert_string_equal(r, "503 AUTH command used when not advertised\r\n");
    free(r);
    h_free(&h);
}

static void
test_temporary_failure(void **state)
{
    struct harness h;
    char *r;
    static const char *const o[] = {
        "public_name", "PLAIN", "server_prompts", ":",
        "server_condition", "database down", NULL };

    (void)state;
    h_init(&h);
    h_auth(&h, "odd", "plaintext", o);
    free(h_start(&h, "192.0.2.1"));
    free(h_talk(&h, "EHLO c\r\n"));
    r = h_talk(&h, "AUTH PLAIN AHVzZXIAcHc=\r\n");
    assert_string_equal(r, "435 Unable to authenticate at present: database"
                        " down\r\n");
    free(r);
    assert_true(log_has("odd authenticator failed for (c) [192.0.2.1]: 435 "
                        "Unable to authenticate at present: database down"));
    h_free(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_advertised),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_cram_md5),
        cmocka_unit_test(test_auth_acl_and_helo),
        cmocka_unit_test(test_temporary_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
