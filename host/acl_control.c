/*
 * NAME
 *   acl_control.c - the control modifier
 *
 * DESCRIPTION
 *   `control = NAME[/options]` sets bits of enum host_acl_control
 *   (acl.h): in ctx->sess->controls for the ones that last for the
 *   connection (no_pipelining, no_multiline_responses, enforce_sync,
 *   no_enforce_sync, allow_auth_unadvertised, no_delay_flush,
 *   no_callout_flush), in ctx->msg->controls for those of one message
 *   (queue_only / queue, freeze[/no_tell], submission,
 *   suppress_local_fixups, fakereject / fakedefer[/text], cutthrough,
 *   utf8_downconvert, dkim_disable_verify, dmarc_disable_verify).
 *   caseful_local_part and caselower_local_part change $local_part for
 *   the rest of the RCPT ACL; debug, dscp, dmarc_enable_forensic and
 *   no_mbox_unspool are accepted and do nothing.  Each control is
 *   allowed only in the ACLs Exim 4.96 allows it in (44.22).
 *
 *   A name the core does not know is looked up among the loaded
 *   modules' acl_controls (control = bmi_run), loading the installed
 *   provider if the plan did not name it; apply() gets the text after
 *   the first `/`.
 *
 * DIAGNOSTICS
 *   "cannot use control "x" in RCPT ACL", "unknown ACL control "x"",
 *   "control "x" is not implemented by module m".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <tern/module.h>

#include "acl_int.h"
#include "host.h"

#define W HOST_ACL_W

enum { SESS = 1, MSG = 2, NONE = 3, CASE = 4 };

#define MSG_ACLS (W(HOST_ACL_MAIL) | W(HOST_ACL_RCPT) | \
                  W(HOST_ACL_PREDATA) | W(HOST_ACL_DATA) | \
                  W(HOST_ACL_MIME) | W(HOST_ACL_NOT_SMTP))
#define SMTP_ACLS (~HOST_ACL_W_NOTSMTP)
#define ALL_ACLS (~0u)

static const struct control {
    const char *name;
    unsigned flag;
    int scope;
    unsigned allowed;           /* where-bits; HOST_ACL_EXPAND always */
} controls[] = {
    { "allow_auth_unadvertised", HOST_CTL_ALLOW_AUTH_UNADVERTISED, SESS,
      W(HOST_ACL_CONNECT) | W(HOST_ACL_HELO) },
    { "caseful_local_part", 1, CASE, W(HOST_ACL_RCPT) },
    { "caselower_local_part", 0, CASE, W(HOST_ACL_RCPT) },
    { "cutthrough_delivery", HOST_CTL_CUTTHROUGH, MSG, W(HOST_ACL_RCPT) },
    { "debug", 0, NONE, ALL_ACLS },
    { "dkim_disable_verify", HOST_CTL_DKIM_DISABLE_VERIFY, MSG, SMTP_ACLS },
    { "dmarc_disable_verify", HOST_CTL_DMARC_DISABLE_VERIFY, MSG,
      SMTP_ACLS },
    { "dmarc_enable_forensic", 0, NONE, SMTP_ACLS },
    { "dscp", 0, NONE, SMTP_ACLS },
    { "enforce_sync", HOST_CTL_ENFORCE_SYNC, SESS, SMTP_ACLS },
    { "fakedefer", HOST_CTL_FAKEDEFER, MSG,
      MSG_ACLS & ~W(HOST_ACL_NOT_SMTP) },
    { "fakereject", HOST_CTL_FAKEREJECT, MSG,
      MSG_ACLS & ~W(HOST_ACL_NOT_SMTP) },
    { "freeze", HOST_CTL_FREEZE, MSG, MSG_ACLS },
    { "no_callout_flush", HOST_CTL_NO_CALLOUT_FLUSH, SESS, SMTP_ACLS },
    { "no_delay_flush", HOST_CTL_NO_DELAY_FLUSH, SESS, SMTP_ACLS },
    { "no_enforce_sync", HOST_CTL_NO_ENFORCE_SYNC, SESS, SMTP_ACLS },
    { "no_mbox_unspool", 0, NONE, MSG_ACLS },
    { "no_multiline_responses", HOST_CTL_NO_MULTILINE, SESS, SMTP_ACLS },
    { "no_pipelining", HOST_CTL_NO_PIPELINING, SESS, SMTP_ACLS },
    { "queue", HOST_CTL_QUEUE_ONLY, MSG, MSG_ACLS },
    { "queue_only", HOST_CTL_QUEUE_ONLY, MSG, MSG_ACLS },
    { "submission", HOST_CTL_SUBMISSION, MSG,
      W(HOST_ACL_MAIL) | W(HOST_ACL_RCPT) | W(HOST_ACL_PREDATA) },
    { "suppress_local_fixups", HOST_CTL_SUPPRESS_LOCAL_FIXUPS, MSG,
      W(HOST_ACL_MAIL) | W(HOST_ACL_RCPT) | W(HOST_ACL_PREDATA) |
      W(HOST_ACL_NOT_SMTP_START) },
    { "utf8_downconvert", HOST_CTL_UTF8_DOWNCONVERT, MSG,
      MSG_ACLS | W(HOST_ACL_NOT_SMTP_START) },
};

/* caseful_local_part / caselower_local_part: $local_part for the rest
 * of this RCPT ACL. */
static void
local_part_case(struct host_acl_run *r, int caseful)
{
    struct host_address *a = r->ctx->addr;
    const char *at;

    if (a == NULL || r->rcpt == NULL)
        return;
    at = strrchr(r->rcpt, '@');
    char *lp = at ? tern_strndup(r->ctx->arena, r->rcpt,
                                 (size_t)(at - r->rcpt))
                  : tern_strdup(r->ctx->arena, r->rcpt);
    for (char *p = lp; !caseful && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    a->local_part = lp;
}

/* The options after the control's name ("/no_tell", "/first_pass_route",
 * fakereject's text). */
static void
control_options(struct host_acl_run *r, const struct control *c,
                const char *opt)
{
    struct host_message *m = r->ctx->msg;

    if (m == NULL || opt == NULL)
        return;
    if (c->flag == HOST_CTL_FREEZE && strcmp(opt, "no_tell") == 0)
        m->controls |= HOST_CTL_FREEZE_NO_TELL;
    else if (c->flag == HOST_CTL_QUEUE_ONLY &&
             strstr(opt, "first_pass_route") != NULL)
        m->controls |= HOST_CTL_QUEUE_FIRST_PASS;
    else if (c->flag == HOST_CTL_FAKEREJECT || c->flag == HOST_CTL_FAKEDEFER)
        r->res->fake_message = opt;
}

static int
module_control(struct host_acl_run *r, const char *name, const char *opt)
{
    struct host_conf *hc = r->ctx->rt ? r->ctx->rt->hc : NULL;
    const char *why = NULL;
    int pass, rc;

    for (pass = 0; pass < 2; pass++) {
        for (size_t i = 0; hc != NULL && i < hc->n_mods; i++) {
            const struct tern_module *m = hc->mods[i].mod;
            for (size_t j = 0; m->acl_controls && m->acl_controls[j]; j++) {
                const struct tern_acl_control *c = m->acl_controls[j];
                if (strcmp(c->name, name) != 0)
                    continue;
                if (c->apply == NULL) {
                    r->err = tern_printf(r->ctx->arena, "control \"%s\" is "
                                         "not implemented by module %s",
                                         name, m->name);
                    return TERN_ERROR;
                }
                rc = c->apply(r->ctx, opt ? opt : "");
                if (rc == TERN_OK || rc == TERN_FAIL)
                    return TERN_OK;
                r->err = tern_printf(r->ctx->arena, "control \"%s\" "
                                     "failed", name);
                return rc == TERN_DEFER ? TERN_DEFER : TERN_ERROR;
            }
        }
        if (pass == 0 && (r->ctx->rt == NULL || hc == NULL ||
                          host_runtime_provider(r->ctx->rt, "acl_control",
                                                name, strlen(name),
                                                &why) <= 0))
            break;
    }
    r->err = tern_printf(r->ctx->arena, "unknown ACL control \"%s\"%s%s",
                         name, why ? ": " : "", why ? why : "");
    return TERN_ERROR;
}

int
host_acl_mod_control(struct host_acl_run *r, const char *arg)
{
    const char *v = arg, *opt;
    size_t n;
    char *name;

    if (strpbrk(arg, "$\\") != NULL) {
        int rc = host_acl_expand(r, NULL, arg, &v);
        if (rc == HOST_ACL_C_SKIP)
            return TERN_OK;
        if (rc != 0)
            return rc;
    }
    n = strcspn(v, "/ \t");
    name = tern_strndup(r->ctx->arena, v, n);
    opt = v[n] == '/' ? v + n + 1 : NULL;
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        const struct control *c = &controls[i];
        if (strcmp(c->name, name) != 0)
            continue;
        if (!(c->allowed & W(r->where)) && r->where != HOST_ACL_EXPAND) {
            r->err = tern_printf(r->ctx->arena, "cannot use control \"%s\" "
                                 "in %s ACL", name,
                                 host_acl_where_name(r->where));
            return TERN_ERROR;
        }
        if (c->scope == SESS && r->ctx->sess != NULL) {
            r->ctx->sess->controls |= c->flag;
            if (c->flag == HOST_CTL_ENFORCE_SYNC)
                r->ctx->sess->controls &= ~HOST_CTL_NO_ENFORCE_SYNC;
            if (c->flag == HOST_CTL_NO_ENFORCE_SYNC)
                r->ctx->sess->controls &= ~HOST_CTL_ENFORCE_SYNC;
        } else if (c->scope == MSG && r->ctx->msg != NULL) {
            r->ctx->msg->controls |= c->flag;
            control_options(r, c, opt);
        } else if (c->scope == CASE) {
            local_part_case(r, (int)c->flag);
        }
        return TERN_OK;
    }
    return module_control(r, name, opt);
}
