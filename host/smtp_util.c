/*
 * NAME
 *   smtp_util.c - small helpers of the SMTP engine: base64, xtext,
 *   expanded option values, host lists
 *
 * DESCRIPTION
 *   Base64 (RFC 4648) for AUTH: decoding is strict, as Exim's is: any
 *   character outside the alphabet, or a wrong length, makes the whole
 *   string invalid ("501 Invalid base64 data").  xtext (RFC 3461) for
 *   AUTH= and ENVID=: "+XX" is a byte in upper-case hex.
 *
 *   Host-list options are matched through the host API (expanded, with
 *   the per-connection cache), so an Exim host list means here what it
 *   means in an ACL.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <tern/host.h>
#include <tern/module.h>

#include "optval.h"
#include "smtp_int.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
smtp_b64_encode(struct tern_arena *a, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    char *out = tern_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16;

        if (i + 1 < n)
            v |= (unsigned)u[i + 1] << 8;
        if (i + 2 < n)
            v |= u[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static int
b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;

    return p ? (int)(p - b64) : -1;
}

int
smtp_b64_decode(struct tern_arena *a, const char *s, char **out,
                size_t *outlen)
{
    size_t n = strlen(s), pad = 0, k = 0;
    char *o;

    if (n % 4 != 0)
        return -1;
    if (n > 0 && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    o = tern_alloc(a, n / 4 * 3 + 1);
    for (size_t i = 0; i < n; i += 4) {
        int v[4];

        for (int j = 0; j < 4; j++) {
            int last_group = i + 4 == n;

            if (s[i + j] == '=' && last_group && j >= 4 - (int)pad) {
                v[j] = 0;
                continue;
            }
            if ((v[j] = b64_value(s[i + j])) < 0)
                return -1;
        }
        unsigned w = ((unsigned)v[0] << 18) | ((unsigned)v[1] << 12) |
                     ((unsigned)v[2] << 6) | (unsigned)v[3];

        o[k++] = (char)(w >> 16);
        if (i + 4 < n || pad < 2)
            o[k++] = (char)(w >> 8);
        if (i + 4 < n || pad < 1)
            o[k++] = (char)w;
    }
    o[k] = '\0';
    *out = o;
    *outlen = k;
    return 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *
smtp_xtext_decode(struct tern_arena *a, const char *s)
{
    size_t n = strlen(s), k = 0;
    char *o = tern_alloc(a, n + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '+') {
            int h, l;

            if (i + 2 >= n)
                return NULL;
            if ((h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
                return NULL;
            o[k++] = (char)(h * 16 + l);
            i += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            return NULL;
        } else {
            o[k++] = (char)c;
        }
    }
    o[k] = '\0';
    return o;
}

int
smtp_hosts(struct host_smtp *s, const struct tern_text *opt, int on_defer)
{
    const struct tern_host_api *api = s->rt->api;
    int rc;

    if (opt->text == NULL || *opt->text == '\0')
        return 0;
    if (api == NULL || api->match_hostlist == NULL)
        return 0;
    rc = api->match_hostlist(s->ctx, opt->text);
    if (rc == TERN_OK)
        return 1;
    return rc == TERN_FAIL ? 0 : on_defer;
}

int
smtp_expand(struct host_smtp *s, const char *text, const char **out,
            const char **err)
{
    int rc;

    *out = NULL;
    *err = NULL;
    if (strchr(text, '$') == NULL && strchr(text, '\\') == NULL) {
        *out = text;
        return 0;
    }
    rc = host_expand(s->ctx, text, out, err);
    if (rc == 0)
        return 0;
    return rc == 1 ? 1 : -1;
}

int
smtp_opt_number(struct host_smtp *s, const struct tern_text *opt, int time,
                long long *val, const char **err)
{
    const char *text = opt->text, *out = NULL;
    unsigned col;
    int rc;

    *val = 0;
    if (text == NULL || *text == '\0')
        return 0;
    rc = smtp_expand(s, text, &out, err);
    if (rc != 0) {
        if (rc == 1)
            *err = "forced failure";
        return -1;
    }
    while (*out == ' ')
        out++;
    if (*out == '\0')
        return 0;
    if (time)
        return tern_parse_time(out, val, err, &col) == 0 ? 0 : -1;
    return tern_parse_int(out, val, err, &col) == 0 ? 0 : -1;
}

int
smtp_truth(const char *s)
{
    if (s == NULL || *s == '\0' || strcmp(s, "0") == 0 ||
        strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
        return 0;
    if (strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0 ||
        strcasecmp(s, "true") == 0)
        return 1;
    return -1;
}
