/*
 * NAME
 *   plaintext.c - the plaintext authenticator: PLAIN, LOGIN and other
 *   prompt-and-response mechanisms (server side)
 *
 * SYNOPSIS
 *   begin authenticators
 *   fixed_plain:
 *     driver = plaintext
 *     public_name = PLAIN
 *     server_prompts = :
 *     server_condition = ${if and {{eq{$auth2}{user}}{eq{$auth3}{pw}}}}
 *     server_set_id = $auth2
 *   fixed_login:
 *     driver = plaintext
 *     public_name = LOGIN
 *     server_prompts = Username:: : Password::
 *     server_condition = ${if and {{eq{$auth1}{user}}{eq{$auth2}{pw}}}}
 *
 * DESCRIPTION
 *   Exim 4.96's plaintext server (spec chapter 34).  Data the client
 *   sends, with the AUTH command or in answer to a prompt, is a list of
 *   strings separated by NULs; they go in turn into $auth1, $auth2 ...
 *   (Exim keeps the first four).  Prompts of server_prompts (a list,
 *   expanded) are sent one by one for the strings still missing: a client
 *   that gave two strings with AUTH is only sent the third prompt.  When
 *   every prompt has had its answer, server_condition decides, with the
 *   generic rules the host applies (tern/auth.h).
 *
 *   An instance is a server when server_condition is set.  The client
 *   side (client_send) comes with the delivery path.
 *
 * DIAGNOSTICS
 *   A server_prompts that does not expand is a temporary failure ("435
 *   Unable to authenticate at present") with the expansion error logged.
 */
#include "config.h"

#include <string.h>

#include <tern/auth.h>
#include <tern/host.h>
#include <tern/module.h>

#include "plaintext_schema.h"

/* Made before the rename below, which would rename the tag too. */
typedef struct tern_module pt_module_type;

#define tern_module plaintext_LTX_tern_module

struct pt_state {
    const char *prompts;        /* expanded server_prompts */
    unsigned got;               /* strings received so far */
    unsigned next;              /* next prompt to consider */
};

/* Item `want` (0-based) of an Exim list into buf: colon-separated,
 * "::" for a colon, "<x" at the start changes the separator, blanks
 * around items dropped.  Returns 0, or -1 past the end. */
static int
list_item(const char *list, unsigned want, char *buf, size_t buflen)
{
    const char *p = list;
    char sep = ':';
    unsigned idx = 0;

    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] == '<' && p[1] != '\0' && strchr(":;,|/!@#$%^&*.-+=", p[1])) {
        sep = p[1];
        p += 2;
    }
    for (;;) {
        size_t n = 0;

        while (*p == ' ' || *p == '\t')
            p++;
        if (idx == 0 && *p == '\0')
            return -1;  /* an empty list */
        while (*p != '\0') {
            if (*p == sep) {
                if (p[1] != sep)
                    break;
                p++;
            }
            if (n + 1 < buflen)
                buf[n++] = *p;
            p++;
        }
        while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
            n--;
        buf[n] = '\0';
        if (idx == want)
            return 0;
        if (*p == '\0')
            return -1;
        p++;            /* the separator; nothing after it: the end */
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return -1;
        idx++;
    }
}

static unsigned
list_count(const char *list)
{
    char buf[1];
    unsigned n = 0;

    if (list == NULL)
        return 0;
    while (list_item(list, n, buf, sizeof buf) == 0)
        n++;
    return n;
}

/* NUL-separated strings into the next $auth<n>. */
static void
take_strings(struct tern_auth_server *as, struct pt_state *st,
             const char *data, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        size_t n = strnlen(data + pos, len - pos);

        st->got++;
        if (st->got <= 4)
            as->set_var(as, st->got, data + pos, n);
        pos += n + 1;
    }
}

static int
next_step(struct tern_auth_server *as, struct pt_state *st)
{
    unsigned count = list_count(st->prompts);

    while (st->next < count) {
        unsigned i = st->next++;
        char buf[1024];

        if (i < st->got)
            continue;   /* already answered with the AUTH command */
        (void)list_item(st->prompts, i, buf, sizeof buf);
        as->challenge = as->host->strdup(as->ctx, buf);
        as->challenge_len = strlen(buf);
        return TERN_AUTH_CHALLENGE;
    }
    return as->check_condition(as);
}

static int
pt_configured(const void *options, const char *server_condition)
{
    (void)options;
    return server_condition != NULL && *server_condition != '\0';
}

static int
pt_start(struct tern_auth_server *as, const char *data, size_t len)
{
    const struct tern_opts_auth_plaintext *o = as->options;
    struct pt_state *st = as->host->alloc(as->ctx, sizeof *st);
    const char *err = NULL;
    int forced = 0;

    memset(st, 0, sizeof *st);
    as->state = st;
    st->prompts = "";
    if (o->server_prompts.text != NULL) {
        st->prompts = as->host->expand(as->ctx, o->server_prompts.text, &err,
                                       &forced);
        if (st->prompts == NULL) {
            as->message = as->host->strdup(as->ctx,
                                           err ? err : "forced failure");
            return TERN_AUTH_DEFER;
        }
    }
    if (data != NULL)
        take_strings(as, st, data, len);
    return next_step(as, st);
}

static int
pt_next(struct tern_auth_server *as, const char *data, size_t len)
{
    struct pt_state *st = as->state;

    take_strings(as, st, data, len);
    return next_step(as, st);
}

static const struct tern_auth_ops ops = {
    .size = sizeof(struct tern_auth_ops),
    .server_configured = pt_configured,
    .server_start = pt_start,
    .server_next = pt_next,
};

static const struct tern_driver drv_plaintext = {
    .name = "plaintext",
    .kind = TERN_DRIVER_AUTH,
    .options = tern_optdefs_auth_plaintext,
    .options_size = sizeof(struct tern_opts_auth_plaintext),
    .ops = &ops,
};

static const struct tern_driver *const drivers[] = { &drv_plaintext, NULL };

TERN_EXPORT const pt_module_type tern_module = {
    .abi_version = TERN_ABI_VERSION,
    .name = "plaintext",
    .version = PLAINTEXT_SCHEMA_VERSION,
    .schema_hash = PLAINTEXT_SCHEMA_HASH,
    .drivers = drivers,
};
