/*
 * NAME
 *   plan_fixture.c - a hand-built configuration for the plan tests
 *
 * DESCRIPTION
 *   See plan_fixture.h.  The data is static and written out literally so
 *   that the round-trip test compares against values nobody computed;
 *   only the parsed expansions are computed, once, by the expansion
 *   parser, as confc would.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tern/module.h>
#include <tern/option.h>

#include "arena.h"
#include "expand.h"
#include "plan.h"
#include "plan_fixture.h"
#include "plan_format.h"

#define LOC(f, l, c) { (f), (l), (c) }
#define OPT(n, m, t, set, num, text, fl, loc) \
    { (n), (m), { (t), (set), (num), (text) }, (fl), loc, NULL }

static const char *files[] = { "/etc/tern/exim.conf", "/etc/tern/acl.conf" };

static struct tern_cfg_module modules[] = {
    { "core", "0.1.0", 0x0123456789abcdefULL },
    { "smtp", "1.2.3", 0xfedcba9876543210ULL },
    { "lmdb", NULL, 0 },
};

static struct tern_cfg_option main_opts[] = {
    OPT("split_spool_directory", "core", TERN_T_BOOL, 1, 1, "true", 0,
        LOC(0, 3, 1)),
    OPT("ignore_bounce_errors_after", "core", TERN_T_TIME, 1, 172800, "2d",
        0, LOC(0, 4, 1)),
    OPT("smtp_accept_max", "core", TERN_T_INT, 1, -5, "-5", 0, LOC(0, 5, 1)),
    OPT("message_size_limit", "core", TERN_T_MKINT, 1, 52428800, "50M",
        TERN_F_EXPAND, LOC(0, 6, 1)),
    OPT("spool_mode", "core", TERN_T_OCTINT, 1, 0640, "0640", 0,
        LOC(0, 7, 1)),
    OPT("auto_thaw", "core", TERN_T_TIMELIST, 1, 0, "1h:2h:1d", 0,
        LOC(0, 8, 1)),
    OPT("smtp_load_reserve", "core", TERN_T_FIXED, 1, 1500, "1.5", 0,
        LOC(0, 9, 1)),
    OPT("primary_hostname", "core", TERN_T_STRING, 1, 0,
        "mail.example.org", TERN_F_EXPAND, LOC(0, 10, 3)),
    OPT("exim_user", "core", TERN_T_UID, 1, 101, "Debian-exim", 0,
        LOC(0, 11, 1)),
    OPT("exim_group", "core", TERN_T_GID, 1, 102, "Debian-exim", 0,
        LOC(0, 12, 1)),
    OPT("never_users", "core", TERN_T_UIDLIST, 1, 0, "root:daemon", 0,
        LOC(0, 13, 1)),
    OPT("trusted_groups", "core", TERN_T_GIDLIST, 1, 0, "mail:adm", 0,
        LOC(0, 14, 1)),
    OPT("relay_from_hosts", "core", TERN_T_HOSTLIST, 1, 0,
        "<; 127.0.0.1 ; ::1", 0, LOC(0, 15, 1)),
    OPT("local_domains", "core", TERN_T_DOMAINLIST, 1, 0,
        "@ : localhost : +extra", 0, LOC(0, 16, 1)),
    OPT("percent_hack_domains", "core", TERN_T_LOCALPARTLIST, 1, 0, "*", 0,
        LOC(0, 17, 1)),
    OPT("recipients_max_reject", "core", TERN_T_ADDRESSLIST, 1, 0,
        "a@b.example", 0, LOC(0, 18, 1)),
    OPT("tls_require_ciphers", "core", TERN_T_LIST, 1, 0,
        "HIGH:!aNULL::x", 0, LOC(0, 19, 1)),
    OPT("headers_rewrite", "core", TERN_T_REWRITE, 1, 0,
        "*@x.example ${local_part}@y.example F", 0, LOC(0, 20, 1)),
    OPT("acl_smtp_rcpt", "core", TERN_T_RULESET, 1, 0, "acl_check_rcpt", 0,
        LOC(0, 21, 1)),
    /* unset, NULL text, extreme numbers, empty and non-ASCII text */
    OPT("tls_certificate", "core", TERN_T_STRING, 0, 0, NULL,
        TERN_F_EXPAND | TERN_F_SECRET, LOC(0, 0, 0)),
    OPT("queue_run_max", "core", TERN_T_INT, 1, LLONG_MIN, "", 0,
        LOC(1, 2, 7)),
    OPT("check_spool_space", "core", TERN_T_MKINT, 1, LLONG_MAX,
        "8589934591G", TERN_F_DEPRECATED | TERN_F_INERT | TERN_F_MULTI,
        LOC(1, 4294967295u, 4294967295u)),
    OPT("smtp_banner", "core", TERN_T_STRING, 1, 0,
        "$smtp_active_hostname ESMTP Tern \xc3\xa9t\xc3\xa9 \"q\" \\n\t",
        TERN_F_EXPAND, LOC(0, 22, 1)),
    OPT("accept_8bitmime", "core", TERN_T_BOOL, 1, 0, "false", 0,
        LOC(0, 23, 1)),
    OPT("timeout_frozen_after", "core", TERN_T_TIME, 1, 604800, "7d", 0,
        LOC(0, 24, 1)),
};

static struct tern_cfg_named_list lists[] = {
    { TERN_LIST_DOMAIN, "local_domains", "@:localhost", 0, LOC(0, 1, 1) },
    { TERN_LIST_HOST, "relay_hosts", "127.0.0.1 : ::::1", 1, LOC(0, 2, 1) },
    { TERN_LIST_ADDRESS, "blocked", "*@spam.example", 0, LOC(1, 1, 1) },
    { TERN_LIST_LOCALPART, "admins", "", 1, LOC(1, 3, 5) },
};

static struct tern_cfg_acl_item rcpt_items1[] = {
    { "domains", "+local_domains", "core", 0, LOC(1, 10, 3), NULL },
    { "local_parts", "^[.] : ^.*[@%!/|]", "core", 1, LOC(1, 11, 3),
      NULL },
    { "message", "Restricted characters in ${uc:$local_part} \\$x", "core",
      0, LOC(1, 12, 3), NULL },
};
static struct tern_cfg_acl_item rcpt_items2[] = {
    { "hosts", "+relay_hosts", "core", 0, LOC(1, 14, 3), NULL },
    { "verify", "recipient", "core", 1, LOC(1, 15, 3), NULL },
};
static struct tern_cfg_acl_item data_items[] = {
    { "condition", "${if >{$message_size}{10M}}", "core", 1, LOC(1, 30, 3),
      NULL },
    { "control", "bmi_run", "bmi", 0, LOC(1, 31, 3), NULL },
    { "logwrite", NULL, "core", 0, LOC(1, 32, 3), NULL },
};
static struct tern_cfg_acl_stmt rcpt_stmts[] = {
    { TERN_ACL_DENY, rcpt_items1, 3, LOC(1, 9, 1) },
    { TERN_ACL_ACCEPT, rcpt_items2, 2, LOC(1, 13, 1) },
    { TERN_ACL_REQUIRE, NULL, 0, LOC(1, 16, 1) },
    { TERN_ACL_DROP, NULL, 0, LOC(1, 17, 1) },
};
static struct tern_cfg_acl_stmt data_stmts[] = {
    { TERN_ACL_WARN, data_items, 3, LOC(1, 29, 1) },
    { TERN_ACL_DEFER, data_items + 1, 1, LOC(1, 33, 1) },
    { TERN_ACL_DISCARD, NULL, 0, LOC(1, 34, 1) },
};
static struct tern_cfg_acl acls[] = {
    { "acl_check_rcpt", rcpt_stmts, 4, LOC(1, 8, 1) },
    { "acl_check_data", data_stmts, 3, LOC(1, 28, 1) },
    { "acl_empty", NULL, 0, LOC(1, 40, 1) },
};

static struct tern_cfg_option dnslookup_opts[] = {
    OPT("domains", "core", TERN_T_DOMAINLIST, 1, 0, "! +local_domains", 0,
        LOC(0, 40, 3)),
    OPT("transport", "core", TERN_T_STRING, 1, 0, "remote_smtp",
        TERN_F_EXPAND, LOC(0, 41, 3)),
    OPT("no_more", "core", TERN_T_BOOL, 1, 0, "false", 0, LOC(0, 42, 3)),
};
static struct tern_cfg_option smtp_opts[] = {
    OPT("port", "smtp", TERN_T_INT, 1, 587, "587", 0, LOC(0, 50, 3)),
    OPT("hosts_require_tls", "smtp", TERN_T_HOSTLIST, 1, 0, "*", 0,
        LOC(0, 51, 3)),
    OPT("connect_timeout", "smtp", TERN_T_TIME, 1, 30, "30s", 0,
        LOC(0, 52, 3)),
    OPT("interface", "smtp", TERN_T_LIST, 0, 0, NULL, TERN_F_EXPAND,
        LOC(0, 0, 0)),
};
static struct tern_cfg_option plain_opts[] = {
    OPT("public_name", "core", TERN_T_STRING, 1, 0, "PLAIN", 0,
        LOC(0, 60, 3)),
    OPT("server_condition", "plaintext", TERN_T_STRING, 1, 0,
        "${if eq{$auth3}{secret}}", TERN_F_EXPAND | TERN_F_SECRET,
        LOC(0, 61, 3)),
};

static struct tern_cfg_driver routers[] = {
    { TERN_DRIVER_ROUTER, "dnslookup", "dnslookup", "dnslookup",
      dnslookup_opts, 3, LOC(0, 39, 1) },
    { TERN_DRIVER_ROUTER, "system_aliases", "redirect", "redirect",
      NULL, 0, LOC(0, 44, 1) },
};
static struct tern_cfg_driver transports[] = {
    { TERN_DRIVER_TRANSPORT, "remote_smtp", "smtp", "smtp", smtp_opts, 4,
      LOC(0, 49, 1) },
};
static struct tern_cfg_driver auths[] = {
    { TERN_DRIVER_AUTH, "plain", "plaintext", NULL, plain_opts, 2,
      LOC(0, 59, 1) },
    { TERN_DRIVER_AUTH, "login", "plaintext", "plaintext", plain_opts + 1, 1,
      LOC(0, 63, 1) },
};

static struct tern_cfg_retry_rule rules1[] = {
    { 'F', 7200, 900, 0 },
    { 'G', 57600, 3600, 1500 },
    { 'H', 345600, 21600, 2000 },
    { 'F', LLONG_MAX, 0, LLONG_MIN },
};
static struct tern_cfg_retry retries[] = {
    { "*", "*", NULL, rules1, 4, LOC(0, 70, 1) },
    { "*.example", "quota_7d", "*@x.example", rules1 + 1, 1, LOC(0, 71, 1) },
    { "lonely.example", "*", "", NULL, 0, LOC(0, 72, 1) },
};

static struct tern_cfg_rewrite rewrites[] = {
    { "*@*.example.org", "$1@example.org", "Ffr", LOC(0, 80, 1) },
    { "^(.*)@old", "${1}@new", "EFTbcfhrstSQqRwX", LOC(0, 81, 1) },
    { "x@y", "", "", LOC(1, 50, 1) },
};

static struct tern_cfg_macro macros[] = {
    { "_HAVE_LMDB", "y", 1 },
    { "MAIN_TLS", "yes", 0 },
    { "EMPTY", "", 0 },
    { "NOVALUE", NULL, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct tern_config fixture = {
    .source = "/etc/tern/exim.conf",
    .files = files, .n_files = N(files),
    .modules = modules, .n_modules = N(modules),
    .main = main_opts, .n_main = N(main_opts),
    .lists = lists, .n_lists = N(lists),
    .acls = acls, .n_acls = N(acls),
    .routers = routers, .n_routers = N(routers),
    .transports = transports, .n_transports = N(transports),
    .auths = auths, .n_auths = N(auths),
    .retries = retries, .n_retries = N(retries),
    .rewrites = rewrites, .n_rewrites = N(rewrites),
    .macros = macros, .n_macros = N(macros),
};

/* Parse `text` as an expansion (every variable accepted, as a NULL schema
 * does), the way confc fills in tern_cfg_option.exp. */
static const struct tern_exp *parse(struct tern_arena *a, const char *text)
{
    struct tern_exp *e;
    struct tern_exp_error err;

    if (tern_exp_parse(a, text, strlen(text), NULL, 0, &e, &err) != 0)
        fail_msg("fixture expansion \"%s\": %s", text, err.msg);
    return e;
}

static void parse_options(struct tern_arena *a, struct tern_cfg_option *o,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((o[i].flags & TERN_F_EXPAND) && o[i].value.text != NULL
            && strpbrk(o[i].value.text, "$\\") != NULL)
            o[i].exp = parse(a, o[i].value.text);
}

const struct tern_config *plan_fixture_config(void)
{
    static struct tern_arena *a;    /* lives as long as the process */

    if (a == NULL) {
        a = tern_arena_new();
        parse_options(a, main_opts, N(main_opts));
        parse_options(a, dnslookup_opts, N(dnslookup_opts));
        parse_options(a, smtp_opts, N(smtp_opts));
        parse_options(a, plain_opts, N(plain_opts));
        data_items[0].exp = parse(a, data_items[0].value);
        rcpt_items1[2].exp = parse(a, rcpt_items1[2].value);
    }
    return &fixture;
}

const struct tern_cfg_option *plan_fixture_banner(void)
{
    plan_fixture_config();
    assert_string_equal(main_opts[22].name, "smtp_banner");
    return &main_opts[22];
}

/* ---- comparison -------------------------------------------------------- */

static void str_eq(const char *want, const char *got)
{
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(want, got);
}

static void loc_eq(const struct tern_cfg_loc *want,
                   const struct tern_cfg_loc *got)
{
    assert_int_equal(want->file, got->file);
    assert_int_equal(want->line, got->line);
    assert_int_equal(want->col, got->col);
}

void plan_fixture_exp_eq(const struct tern_exp *want,
                         const struct tern_exp *got)
{
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_int_equal(want->n_nodes, got->n_nodes);
    assert_int_equal(want->root, got->root);
    assert_int_equal(want->text_len, got->text_len);
    assert_int_equal(want->src_len, got->src_len);
    assert_int_equal(want->flags, got->flags);
    assert_memory_equal(want->nodes, got->nodes,
                        want->n_nodes * sizeof *want->nodes);
    if (want->text_len > 0)
        assert_memory_equal(want->text, got->text, want->text_len);
}

static void options_eq(const struct tern_cfg_option *want, size_t n_want,
                       const struct tern_cfg_option *got, size_t n_got)
{
    assert_int_equal(n_want, n_got);
    for (size_t i = 0; i < n_want; i++) {
        str_eq(want[i].name, got[i].name);
        str_eq(want[i].module, got[i].module);
        assert_int_equal(want[i].value.type, got[i].value.type);
        assert_int_equal(want[i].value.is_set, got[i].value.is_set);
        assert_true(want[i].value.num == got[i].value.num);
        str_eq(want[i].value.text, got[i].value.text);
        assert_int_equal(want[i].flags, got[i].flags);
        loc_eq(&want[i].loc, &got[i].loc);
        plan_fixture_exp_eq(want[i].exp, got[i].exp);
    }
}

static void drivers_eq(const struct tern_cfg_driver *want, size_t n_want,
                       const struct tern_cfg_driver *got, size_t n_got)
{
    assert_int_equal(n_want, n_got);
    for (size_t i = 0; i < n_want; i++) {
        assert_int_equal(want[i].kind, got[i].kind);
        str_eq(want[i].name, got[i].name);
        str_eq(want[i].driver, got[i].driver);
        str_eq(want[i].module, got[i].module);
        options_eq(want[i].options, want[i].n_options, got[i].options,
                   got[i].n_options);
        loc_eq(&want[i].loc, &got[i].loc);
    }
}

static void acls_eq(const struct tern_config *want,
                    const struct tern_config *got)
{
    assert_int_equal(want->n_acls, got->n_acls);
    for (size_t i = 0; i < want->n_acls; i++) {
        const struct tern_cfg_acl *wa = &want->acls[i], *ga = &got->acls[i];
        str_eq(wa->name, ga->name);
        loc_eq(&wa->loc, &ga->loc);
        assert_int_equal(wa->n_stmts, ga->n_stmts);
        for (size_t j = 0; j < wa->n_stmts; j++) {
            const struct tern_cfg_acl_stmt *ws = &wa->stmts[j];
            const struct tern_cfg_acl_stmt *gs = &ga->stmts[j];
            assert_int_equal(ws->verb, gs->verb);
            loc_eq(&ws->loc, &gs->loc);
            assert_int_equal(ws->n_items, gs->n_items);
            for (size_t k = 0; k < ws->n_items; k++) {
                str_eq(ws->items[k].name, gs->items[k].name);
                str_eq(ws->items[k].value, gs->items[k].value);
                str_eq(ws->items[k].module, gs->items[k].module);
                assert_int_equal(ws->items[k].negated, gs->items[k].negated);
                loc_eq(&ws->items[k].loc, &gs->items[k].loc);
                plan_fixture_exp_eq(ws->items[k].exp, gs->items[k].exp);
            }
        }
    }
}

static void retries_eq(const struct tern_config *want,
                       const struct tern_config *got)
{
    assert_int_equal(want->n_retries, got->n_retries);
    for (size_t i = 0; i < want->n_retries; i++) {
        const struct tern_cfg_retry *w = &want->retries[i];
        const struct tern_cfg_retry *g = &got->retries[i];
        str_eq(w->pattern, g->pattern);
        str_eq(w->error, g->error);
        str_eq(w->senders, g->senders);
        loc_eq(&w->loc, &g->loc);
        assert_int_equal(w->n_rules, g->n_rules);
        for (size_t j = 0; j < w->n_rules; j++) {
            assert_int_equal(w->rules[j].algo, g->rules[j].algo);
            assert_true(w->rules[j].cutoff == g->rules[j].cutoff);
            assert_true(w->rules[j].p1 == g->rules[j].p1);
            assert_true(w->rules[j].p2 == g->rules[j].p2);
        }
    }
}

static void simple_eq(const struct tern_config *want,
                      const struct tern_config *got)
{
    str_eq(want->source, got->source);
    assert_int_equal(want->n_files, got->n_files);
    for (size_t i = 0; i < want->n_files; i++)
        str_eq(want->files[i], got->files[i]);
    assert_int_equal(want->n_modules, got->n_modules);
    for (size_t i = 0; i < want->n_modules; i++) {
        str_eq(want->modules[i].name, got->modules[i].name);
        str_eq(want->modules[i].version, got->modules[i].version);
        assert_true(want->modules[i].schema_hash
                    == got->modules[i].schema_hash);
    }
    assert_int_equal(want->n_lists, got->n_lists);
    for (size_t i = 0; i < want->n_lists; i++) {
        assert_int_equal(want->lists[i].kind, got->lists[i].kind);
        str_eq(want->lists[i].name, got->lists[i].name);
        str_eq(want->lists[i].value, got->lists[i].value);
        assert_int_equal(want->lists[i].cache, got->lists[i].cache);
        loc_eq(&want->lists[i].loc, &got->lists[i].loc);
    }
    assert_int_equal(want->n_rewrites, got->n_rewrites);
    for (size_t i = 0; i < want->n_rewrites; i++) {
        str_eq(want->rewrites[i].pattern, got->rewrites[i].pattern);
        str_eq(want->rewrites[i].replacement, got->rewrites[i].replacement);
        str_eq(want->rewrites[i].flags, got->rewrites[i].flags);
        loc_eq(&want->rewrites[i].loc, &got->rewrites[i].loc);
    }
    assert_int_equal(want->n_macros, got->n_macros);
    for (size_t i = 0; i < want->n_macros; i++) {
        str_eq(want->macros[i].name, got->macros[i].name);
        str_eq(want->macros[i].value, got->macros[i].value);
        assert_int_equal(want->macros[i].builtin, got->macros[i].builtin);
    }
}

void plan_fixture_compare(const struct tern_config *want,
                          const struct tern_config *got)
{
    simple_eq(want, got);
    options_eq(want->main, want->n_main, got->main, got->n_main);
    acls_eq(want, got);
    drivers_eq(want->routers, want->n_routers, got->routers,
               got->n_routers);
    drivers_eq(want->transports, want->n_transports, got->transports,
               got->n_transports);
    drivers_eq(want->auths, want->n_auths, got->auths, got->n_auths);
    retries_eq(want, got);
}

/* ---- raw plan helpers -------------------------------------------------- */

unsigned char *plan_bytes(const struct tern_config *cfg, size_t *size)
{
    struct tern_buf b = { NULL, 0, 0 };
    tern_plan_serialize(cfg, &b);
    unsigned char *copy = malloc(b.len);
    assert_non_null(copy);
    memcpy(copy, b.data, b.len);
    *size = b.len;
    tern_buf_free(&b);
    return copy;
}

unsigned char *plan_section(unsigned char *plan, unsigned type,
                            uint32_t *count)
{
    uint32_t hdr = tp_get32(plan + TP_OFF_HDR_SIZE);
    uint32_t n = tp_get32(plan + TP_OFF_N_SECTIONS);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char *e = plan + hdr + i * TP_DIR_ENTRY_SIZE;
        if (tp_get32(e) == type) {
            *count = tp_get32(e + 4);
            return plan + tp_get64(e + 8);
        }
    }
    fail_msg("section %u not found", type);
    return NULL;
}

void plan_fix_checksum(unsigned char *plan, size_t size)
{
    tp_put64(plan + TP_OFF_CHECKSUM, tern_plan_checksum(plan, size));
}
