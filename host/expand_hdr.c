/*
 * NAME
 *   expand_hdr.c - $h_, $bh_, $rh_ and $lh_ header variables
 *
 * DESCRIPTION
 *   The evaluator asks for a header by name (without its colon, any
 *   case); the answer comes from the message's header lines (its spool
 *   record), skipping lines an ACL or rewrite deleted.  As Exim 4.96:
 *
 *     $rh_x:  the raw content after the colon, white space kept
 *     $bh_x:  leading and trailing white space removed (from each line
 *             of that name), RFC 2047 words decoded
 *     $h_x:   the same, in headers_charset
 *     $lh_x:  one list element per header line (raw, without its final
 *             newline, colons doubled), colon-separated
 *
 *   Several lines with the name are joined with a newline, or with a
 *   comma and a newline for the address headers (From, To, Cc, Bcc,
 *   Reply-To, Sender, Resent-*).  Decoding reuses the evaluator's
 *   ${rfc2047d:} through a tiny expression parsed once.  Without a
 *   message (-be) there are no headers: $h_x: is empty and def:h_x
 *   false.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <tern/module.h>

#include "ctx.h"

static int
is_address_header(const char *name, size_t len)
{
    static const char *const names[] = {
        "from", "to", "cc", "bcc", "reply-to", "sender", "resent-from",
        "resent-to", "resent-cc", "resent-bcc", "resent-reply-to",
        "resent-sender", NULL
    };

    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
            return 1;
    return 0;
}

/* Does header line h carry the name name[0..len)? */
static int
named(const struct tern_spool_header *h, const char *name, size_t len)
{
    if (h->type == TERN_HT_DELETED || h->len <= len ||
        strncasecmp(h->text, name, len) != 0)
        return 0;
    const char *p = h->text + len;

    while (p < h->text + h->len && (*p == ' ' || *p == '\t'))
        p++;
    return p < h->text + h->len && *p == ':';
}

/* Content after the colon, without the final newline. */
static void
content(const struct tern_spool_header *h, const char **s, size_t *n)
{
    const char *p = memchr(h->text, ':', h->len), *e = h->text + h->len;

    p = p ? p + 1 : e;
    if (e > p && e[-1] == '\n')
        e--;
    *s = p;
    *n = (size_t)(e - p);
}

static const char *
decode_var;             /* the text ${rfc2047d:$h} works on */
static size_t decode_len;

static int
decode_variable(void *arg, const char *name, size_t len, const char **val,
                size_t *vlen)
{
    (void)arg;
    (void)name;
    (void)len;
    *val = decode_var;
    *vlen = decode_len;
    return TERN_OK;
}

static void
decode(struct tern_ctx *c, struct tern_arena *a, char **val, size_t *vlen)
{
    static const struct tern_exp *e;
    static struct host_runtime *for_rt;
    struct tern_exp_env env;
    struct tern_exp_result r;
    struct tern_exp *pe;
    struct tern_exp_error perr;
    static const char src[] = "${rfc2047d:$h}";

    if (memchr(*val, '=', *vlen) == NULL)
        return;                         /* no encoded word */
    if (e == NULL || for_rt != c->rt) {
        if (tern_exp_parse(c->rt->arena, src, sizeof src - 1, NULL, 0, &pe,
                           &perr) != 0)
            return;
        e = pe;
        for_rt = c->rt;
    }
    memset(&env, 0, sizeof env);
    env.variable = decode_variable;
    env.headers_charset = c->rt->opts.headers_charset.text;
    decode_var = *val;
    decode_len = *vlen;
    if (tern_exp_eval(e, &env, a, &r) == TERN_EXP_OK) {
        *val = r.str;
        *vlen = r.len;
    }
}

int
host_header_hook(void *arg, unsigned kind, const char *name, size_t len,
                 struct tern_arena *a, char **val, size_t *vlen)
{
    struct tern_ctx *c = arg;
    const struct tern_spool_msg *m;
    size_t total = 0, found = 0;
    int addr;

    if (len > 0 && name[len - 1] == ':')
        len--;
    addr = is_address_header(name, len);
    if (c->msg == NULL)
        return TERN_FAIL;
    m = &c->msg->spool;
    for (size_t i = 0; i < m->n_headers; i++)
        if (named(&m->headers[i], name, len))
            total += m->headers[i].len * 2 + 2;
    if (total == 0)
        return TERN_FAIL;
    char *out = tern_alloc(a, total + 1), *p = out;
    for (size_t i = 0; i < m->n_headers; i++) {
        const char *s;
        size_t n;

        if (!named(&m->headers[i], name, len))
            continue;
        content(&m->headers[i], &s, &n);
        if (kind == TERN_EXP_HDR_DECODED || kind == TERN_EXP_HDR_BASIC) {
            while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
                s++;
                n--;
            }
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                             s[n - 1] == '\n'))
                n--;
        }
        if (found++ > 0)
            p = stpcpy(p, kind == TERN_EXP_HDR_LIST ? ":" : addr ? ",\n"
                                                                : "\n");
        for (size_t j = 0; j < n; j++) {
            if (kind == TERN_EXP_HDR_LIST && s[j] == ':')
                *p++ = ':';
            *p++ = s[j];
        }
    }
    *p = '\0';
    *val = out;
    *vlen = (size_t)(p - out);
    if (kind == TERN_EXP_HDR_DECODED || kind == TERN_EXP_HDR_BASIC)
        decode(c, a, val, vlen);
    return TERN_OK;
}
