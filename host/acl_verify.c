/*
 * NAME
 *   acl_verify.c - the verify condition
 *
 * DESCRIPTION
 *   verify = TYPE[/options], Exim 4.96 (44.26, 44.45):
 *
 *     recipient            the RCPT address, through host_verify_hook
 *                          (the routers); /defer_ok turns a deferral
 *                          into success
 *     sender[=address]     the envelope sender (or the address given);
 *                          an empty sender is always good
 *     header_sender        some address in Sender:, Reply-To: or From:
 *                          verifies as a sender
 *     helo                 the HELO/EHLO name is an IP literal of the
 *                          client, one of its (forward-confirmed) names,
 *                          or a name whose addresses include it; true
 *                          without a client (-bs)
 *     reverse_host_lookup  the client has a forward-confirmed name;
 *                          /defer_ok; true without a client
 *     header_syntax        the address headers (From, Sender, Reply-To,
 *                          To, Cc, Bcc and Resent- forms) parse
 *     header_names_ascii   every header name is printable ASCII
 *     not_blind            every recipient appears in To: or Cc: (or
 *                          Resent-To/Cc); /case_insensitive
 *     certificate          the client's TLS certificate was verified
 *     arc                  the arc module's verify_arc condition
 *
 *   Callouts (/callout) are not made: the option is accepted and the
 *   routing result alone decides (docs/acl.md).  After a failure
 *   $acl_verify_message holds the reason and $sender_verify_failure or
 *   $recipient_verify_failure "route" (or "qualify").
 *
 * DIAGNOSTICS
 *   "cannot verify recipient in MAIL ACL" (a type outside the ACLs Exim
 *   allows it in), "unknown verify type "x"", "verify = csa is not
 *   supported".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <tern/host.h>
#include <tern/module.h>

#include "acl_int.h"

#define W HOST_ACL_W

static int
has_option(const char *opts, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = opts; p != NULL && *p; ) {
        size_t w = strcspn(p, "/");
        if (w >= n && strncmp(p, name, n) == 0 &&
            (w == n || p[n] == '=' || p[n] == ','))
            return 1;
        p += w;
        if (*p == '/')
            p++;
    }
    return 0;
}

static int
allowed(struct host_acl_run *r, const char *type, unsigned where)
{
    if ((where | W(HOST_ACL_EXPAND)) & W(r->where))
        return 1;
    r->err = tern_printf(r->ctx->arena, "cannot verify %s in %s ACL", type,
                         host_acl_where_name(r->where));
    return 0;
}

/* ---- addresses through the routers ---- */

static int
verify_address(struct host_acl_run *r, const char *addr, int is_sender,
               int defer_ok, const char **msg)
{
    int rc;

    *msg = NULL;
    if (host_verify_hook == NULL) {
        *msg = "address verification is not available";
        rc = TERN_DEFER;
    } else {
        rc = host_verify_hook(r->ctx, addr, is_sender, msg);
    }
    host_acl_tr("%s verify %s for <%s>%s%s", is_sender ? "sender"
                                                       : "recipient",
                rc == TERN_OK ? "succeeded" : rc == TERN_FAIL ? "failed"
                                                              : "deferred",
                addr, *msg ? ": " : "", *msg ? *msg : "");
    if (rc == TERN_DEFER && defer_ok)
        return TERN_OK;
    if (rc == TERN_DEFER || rc == TERN_ERROR) {
        r->err = tern_printf(r->ctx->arena, "%s verify defer for <%s>%s%s",
                             is_sender ? "sender" : "recipient", addr,
                             *msg ? ": " : "", *msg ? *msg : "");
        return TERN_DEFER;
    }
    return rc == TERN_OK ? TERN_OK : TERN_FAIL;
}

static int
verify_recipient(struct host_acl_run *r, const char *opts)
{
    const char *rcpt = r->rcpt ? r->rcpt
                               : r->ctx->addr ? r->ctx->addr->address : NULL;
    const char *msg;
    int rc;

    if (!allowed(r, "recipient", W(HOST_ACL_RCPT) | W(HOST_ACL_VRFY)))
        return TERN_ERROR;
    if (rcpt == NULL)
        return TERN_FAIL;
    rc = verify_address(r, rcpt, 0, has_option(opts, "defer_ok"), &msg);
    if (rc == TERN_FAIL) {
        const char *why = msg ? msg : "Unrouteable address";
        host_acl_v.verify_message = why;
        host_acl_v.recipient_verify_failure = "route";
        r->cond_user = why;
        r->cond_log = why;
    }
    return rc;
}

static int
verify_sender(struct host_acl_run *r, const char *type, const char *opts)
{
    const char *s = type[6] == '=' ? type + 7
                  : r->ctx->msg ? r->ctx->msg->spool.sender : NULL;
    const char *msg;
    int rc;

    if (!allowed(r, "sender", W(HOST_ACL_MAIL) | W(HOST_ACL_RCPT) |
                 W(HOST_ACL_PREDATA) | W(HOST_ACL_DATA) | W(HOST_ACL_MIME) |
                 W(HOST_ACL_NOT_SMTP)))
        return TERN_ERROR;
    if (s == NULL || *s == '\0')
        return TERN_OK;
    rc = verify_address(r, s, 1, has_option(opts, "defer_ok"), &msg);
    if (rc == TERN_FAIL) {
        const char *why = msg ? msg : "Unrouteable address";
        host_acl_v.verify_message = why;
        host_acl_v.sender_verify_failure = "route";
        r->cond_user = has_option(opts, "no_details")
            ? "Sender verify failed"
            : tern_printf(r->ctx->arena, "Verification failed for <%s>\n%s"
                          "\nSender verify failed", s, why);
        r->cond_log = "Sender verify failed";
        host_acl_log_client(r->ctx, TERN_LOG_MAIN | TERN_LOG_REJECT,
                            tern_printf(r->ctx->arena, "sender verify fail "
                                        "for <%s>: %s", s, why));
    }
    return rc;
}

/* ---- the client's names ---- */

static int
verify_reverse(struct host_acl_run *r, const char *opts)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    const char *const *names;
    const char *ip = c->sess ? c->sess->peer_address : NULL, *err = NULL;
    size_t n = 0;
    int rc;

    if (ip == NULL || *ip == '\0')
        return TERN_OK;
    host_acl_match_env(c, &env);
    if (env.host_names == NULL)
        return TERN_FAIL;
    rc = env.host_names(env.arg, ip, c->arena, &names, &n, &err);
    if (rc == TERN_OK && n > 0) {
        if (c->sess->sender_host_name == NULL)
            c->sess->sender_host_name = tern_strdup(c->sess->arena,
                                                    names[0]);
        return TERN_OK;
    }
    if (rc == TERN_DEFER) {
        if (has_option(opts, "defer_ok"))
            return TERN_OK;
        r->err = tern_printf(c->arena, "host name lookup for %s deferred%s"
                             "%s", ip, err ? ": " : "", err ? err : "");
        return TERN_DEFER;
    }
    host_acl_v.verify_message = "host lookup failed for reverse lookup check";
    return TERN_FAIL;
}

static int
verify_helo(struct host_acl_run *r)
{
    struct tern_ctx *c = r->ctx;
    struct tern_match_env env;
    const char *const *list;
    const char *ip = c->sess ? c->sess->peer_address : NULL, *err = NULL;
    const char *helo = c->sess ? c->sess->helo_name : NULL;
    size_t n = 0, hl;
    int rc, deferred = 0;

    if (ip == NULL || *ip == '\0')
        return TERN_OK;
    if (helo == NULL || *helo == '\0')
        return TERN_FAIL;
    hl = strlen(helo);
    if (helo[0] == '[' && helo[hl - 1] == ']') {
        const char *lit = helo + 1;
        size_t ll = hl - 2;
        if (ll > 5 && strncasecmp(lit, "IPv6:", 5) == 0) {
            lit += 5;
            ll -= 5;
        }
        return strlen(ip) == ll && strncasecmp(lit, ip, ll) == 0
            ? TERN_OK : TERN_FAIL;
    }
    host_acl_match_env(c, &env);
    if (env.host_names != NULL) {
        rc = env.host_names(env.arg, ip, c->arena, &list, &n, &err);
        for (size_t i = 0; rc == TERN_OK && i < n; i++)
            if (strcasecmp(list[i], helo) == 0)
                return TERN_OK;
        deferred |= rc == TERN_DEFER;
    }
    if (env.host_addresses != NULL) {
        rc = env.host_addresses(env.arg, helo, c->arena, &list, &n, &err);
        for (size_t i = 0; rc == TERN_OK && i < n; i++)
            if (strcasecmp(list[i], ip) == 0)
                return TERN_OK;
        deferred |= rc == TERN_DEFER;
    }
    if (deferred) {
        r->err = tern_printf(c->arena, "HELO verification of %s deferred",
                             helo);
        return TERN_DEFER;
    }
    return TERN_FAIL;
}

/* ---- headers ---- */

/* The address headers verify = header_syntax looks at. */
static int
address_header(const char *text, size_t *name_len)
{
    static const char *const names[] = {
        "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from",
        "resent-sender", "resent-to", "resent-cc", "resent-bcc"
    };
    size_t n = strcspn(text, ":");

    *name_len = n;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(text, names[i], n) == 0)
            return 1;
    return 0;
}

static int
header_syntax(struct host_acl_run *r)
{
    struct tern_ctx *c = r->ctx;
    int local = c->sess == NULL || c->sess->peer_address == NULL;

    if (!allowed(r, "header_syntax", W(HOST_ACL_DATA) | W(HOST_ACL_MIME) |
                 W(HOST_ACL_NOT_SMTP)))
        return TERN_ERROR;
    for (size_t i = 0; c->msg != NULL && i < c->msg->spool.n_headers; i++) {
        const struct tern_spool_header *h = &c->msg->spool.headers[i];
        size_t nl;
        const char *why;
        if (h->type == TERN_HT_DELETED || !address_header(h->text, &nl))
            continue;
        why = host_acl_addr_list(c->arena, tern_strndup(c->arena,
                                                        h->text + nl + 1,
                                                        h->len - nl - 1),
                                 local, NULL, NULL);
        if (why != NULL) {
            const char *m = tern_printf(c->arena, "syntax error in '%.*s:' "
                                        "header: %s", (int)nl, h->text, why);
            host_acl_v.verify_message = m;
            r->cond_user = r->cond_log = m;
            return TERN_FAIL;
        }
    }
    return TERN_OK;
}

static int
header_names_ascii(struct host_acl_run *r)
{
    struct tern_ctx *c = r->ctx;

    if (!allowed(r, "header_names_ascii", W(HOST_ACL_DATA) |
                 W(HOST_ACL_MIME) | W(HOST_ACL_NOT_SMTP)))
        return TERN_ERROR;
    for (size_t i = 0; c->msg != NULL && i < c->msg->spool.n_headers; i++) {
        const struct tern_spool_header *h = &c->msg->spool.headers[i];
        for (size_t j = 0; j < h->len && h->text[j] != ':'; j++) {
            unsigned char ch = (unsigned char)h->text[j];
            if (ch < 33 || ch > 126) {
                r->cond_user = r->cond_log = host_acl_v.verify_message =
                    "Invalid character in header name";
                return TERN_FAIL;
            }
        }
    }
    return TERN_OK;
}

/* not_blind: the set of addresses in To/Cc, then each recipient in it. */
struct seen {
    struct tern_arena *a;
    const char **addrs;
    size_t n, cap;
};

static int
collect(void *arg, const char *local, const char *domain)
{
    struct seen *s = arg;

    if (s->n == s->cap) {
        const char **nw = tern_alloc(s->a, (s->cap = s->cap * 2 + 8) *
                                     sizeof *nw);
        if (s->n)
            memcpy(nw, s->addrs, s->n * sizeof *nw);
        s->addrs = nw;
    }
    s->addrs[s->n++] = tern_printf(s->a, "%s@%s", local, domain);
    return 0;
}

static int
same_address(const char *x, const char *y, int caseless)
{
    const char *ax = strrchr(x, '@'), *ay = strrchr(y, '@');
    size_t lx = ax ? (size_t)(ax - x) : strlen(x);
    size_t ly = ay ? (size_t)(ay - y) : strlen(y);

    if (lx != ly || (caseless ? strncasecmp(x, y, lx) : strncmp(x, y, lx)))
        return 0;
    return strcasecmp(ax ? ax : "", ay ? ay : "") == 0;
}

static int
not_blind(struct host_acl_run *r, const char *opts)
{
    static const char *const hdrs[] = { "to", "cc", "resent-to", "resent-cc" };
    struct tern_ctx *c = r->ctx;
    struct seen s = { .a = c->arena };
    int caseless = has_option(opts, "case_insensitive");

    if (!allowed(r, "not_blind", W(HOST_ACL_DATA) | W(HOST_ACL_MIME) |
                 W(HOST_ACL_NOT_SMTP)))
        return TERN_ERROR;
    if (c->msg == NULL)
        return TERN_OK;
    for (size_t i = 0; i < c->msg->spool.n_headers; i++) {
        const struct tern_spool_header *h = &c->msg->spool.headers[i];
        size_t nl = strcspn(h->text, ":");
        for (size_t k = 0; k < sizeof hdrs / sizeof hdrs[0]; k++)
            if (h->type != TERN_HT_DELETED && strlen(hdrs[k]) == nl &&
                strncasecmp(h->text, hdrs[k], nl) == 0)
                host_acl_addr_list(c->arena, tern_strndup(c->arena,
                                   h->text + nl + 1, h->len - nl - 1),
                                   1, collect, &s);
    }
    for (size_t i = 0; i < c->msg->spool.n_rcpts; i++) {
        const char *rc = c->msg->spool.rcpts[i].address;
        size_t k;
        for (k = 0; k < s.n; k++)
            if (same_address(rc, s.addrs[k], caseless))
                break;
        if (k == s.n) {
            host_acl_v.verify_message = "bcc recipient detected";
            return TERN_FAIL;
        }
    }
    return TERN_OK;
}

static int
header_sender(struct host_acl_run *r, const char *opts)
{
    static const char *const hdrs[] = { "sender", "reply-to", "from" };
    struct tern_ctx *c = r->ctx;
    struct seen s = { .a = c->arena };
    const char *msg = NULL;
    int deferred = 0;

    if (!allowed(r, "header_sender", W(HOST_ACL_DATA) | W(HOST_ACL_MIME) |
                 W(HOST_ACL_NOT_SMTP)))
        return TERN_ERROR;
    for (size_t k = 0; c->msg != NULL && k < sizeof hdrs / sizeof hdrs[0];
         k++)
        for (size_t i = 0; i < c->msg->spool.n_headers; i++) {
            const struct tern_spool_header *h = &c->msg->spool.headers[i];
            size_t nl = strcspn(h->text, ":");
            if (h->type != TERN_HT_DELETED && strlen(hdrs[k]) == nl &&
                strncasecmp(h->text, hdrs[k], nl) == 0)
                host_acl_addr_list(c->arena, tern_strndup(c->arena,
                                   h->text + nl + 1, h->len - nl - 1),
                                   0, collect, &s);
        }
    for (size_t i = 0; i < s.n; i++) {
        int rc = verify_address(r, s.addrs[i], 1,
                                has_option(opts, "defer_ok"), &msg);
        if (rc == TERN_OK)
            return TERN_OK;
        deferred |= rc == TERN_DEFER;
    }
    if (deferred)
        return TERN_DEFER;
    host_acl_v.verify_message = s.n ? (msg ? msg : "Unrouteable address")
                                    : "no verifiable sender address in "
                                      "message headers";
    host_acl_v.sender_verify_failure = "route";
    r->cond_user = r->cond_log = tern_printf(
        c->arena, "A valid sender header is required: %s",
        host_acl_v.verify_message);
    return TERN_FAIL;
}

int
host_acl_cond_verify(struct host_acl_run *r, const char *arg)
{
    size_t n = strcspn(arg, "/");
    const char *opts = arg[n] == '/' ? arg + n + 1 : "";
    char *type = tern_strndup(r->ctx->arena, arg, n);
    struct host_session *s = r->ctx->sess;

    while (n > 0 && isspace((unsigned char)type[n - 1]))
        type[--n] = '\0';
    if (strcmp(type, "recipient") == 0)
        return verify_recipient(r, opts);
    if (strncmp(type, "sender", 6) == 0 && (type[6] == '\0' ||
                                            type[6] == '='))
        return verify_sender(r, type, opts);
    if (strcmp(type, "helo") == 0)
        return verify_helo(r);
    if (strcmp(type, "reverse_host_lookup") == 0)
        return verify_reverse(r, opts);
    if (strcmp(type, "header_syntax") == 0)
        return header_syntax(r);
    if (strcmp(type, "header_names_ascii") == 0)
        return header_names_ascii(r);
    if (strcmp(type, "not_blind") == 0)
        return not_blind(r, opts);
    if (strcmp(type, "header_sender") == 0)
        return header_sender(r, opts);
    if (strcmp(type, "certificate") == 0)
        return s && s->tls_in.active && s->tls_in.certificate_verified
            ? TERN_OK : TERN_FAIL;
    if (strcmp(type, "arc") == 0)
        return host_acl_module_item(r, "verify_arc", 1, opts);
    if (strcmp(type, "csa") == 0) {
        r->err = "verify = csa is not supported by this version of Tern";
        return TERN_ERROR;
    }
    r->err = tern_printf(r->ctx->arena, "unknown verify type \"%s\"", type);
    return TERN_ERROR;
}
