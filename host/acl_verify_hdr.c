/*
 * NAME
 *   acl_verify_hdr.c - address lists in header lines, for verify =
 *   header_syntax, not_blind and header_sender
 *
 * SYNOPSIS
 *   why = host_acl_addr_list(arena, " Jo <jo@example.com>, b@c.d",
 *                            0, fn, arg);
 *
 * DESCRIPTION
 *   RFC 5322 address lists as Exim reads them: elements separated by
 *   commas outside quotes, comments and angle brackets; an element is
 *   `display name <addr-spec>` or a bare addr-spec; `name: a, b;` is a
 *   group (and `undisclosed-recipients:;` an empty one); comments in
 *   parentheses nest and are ignored; empty elements are skipped.  An
 *   addr-spec is a local part (atoms and quoted strings joined by dots)
 *   `@` a domain (atoms joined by dots, or a [literal]); without `@` it
 *   is an unqualified local part, allowed only when the caller says so
 *   (locally submitted messages).
 *
 *   `fn`, when given, is called with each address's local part and
 *   domain (quotes kept, comments and blanks dropped).
 *
 * DIAGNOSTICS
 *   The first problem as text ("malformed address: <@> ...", "missing
 *   '>' in "<a@b"", "unqualified address not permitted: "jo""), or NULL
 *   when the whole list parses.
 */
#include "config.h"

#include <string.h>

#include "acl_int.h"

static int
atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
                                                          c) != NULL) ||
           (unsigned char)c >= 0x80;
}

/* Copy `s` without comments and without blanks outside quotes. */
static char *
strip(struct tern_arena *a, const char *s, size_t n)
{
    char *out = tern_alloc(a, n + 1), *o = out;
    int depth = 0, quoted = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quoted) {
            *o++ = c;
            if (c == '\\' && i + 1 < n)
                *o++ = s[++i];
            else if (c == '"')
                quoted = 0;
        } else if (depth > 0) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
        } else if (c == '(') {
            depth = 1;
        } else if (c == '"') {
            quoted = 1;
            *o++ = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *o++ = c;
        }
    }
    *o = '\0';
    return out;
}

/* Dot-separated words (atoms, or quoted strings when `quotes`). */
static int
dotted(const char *s, size_t n, int quotes)
{
    size_t i = 0;

    if (n == 0)
        return 0;
    while (i < n) {
        size_t start = i;
        if (quotes && s[i] == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            if (i >= n)
                return 0;
            i++;
        } else {
            while (i < n && atext(s[i]))
                i++;
        }
        if (i == start)
            return 0;
        if (i < n) {
            if (s[i] != '.' || i + 1 == n)
                return 0;
            i++;
        }
    }
    return 1;
}

static const char *
addr_spec(struct tern_arena *a, const char *s, int allow_unq,
          int (*fn)(void *, const char *, const char *), void *arg)
{
    const char *at = NULL;
    int quoted = 0;
    size_t n = strlen(s);

    for (const char *p = s; *p; p++) {
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == '@' && !quoted)
            at = p;
    }
    if (at == NULL) {
        if (!dotted(s, n, 1))
            return tern_printf(a, "malformed address: \"%s\"", s);
        if (!allow_unq)
            return tern_printf(a, "unqualified address not permitted: "
                               "\"%s\"", s);
        return fn && fn(arg, s, "") ? "stopped" : NULL;
    }
    const char *d = at + 1;
    size_t dl = strlen(d);
    int dom_ok = dl > 1 && d[0] == '[' ? d[dl - 1] == ']'
                                       : dotted(d, dl, 0);
    if (!dotted(s, (size_t)(at - s), 1))
        return tern_printf(a, "missing or malformed local part in \"%s\"",
                           s);
    if (!dom_ok)
        return tern_printf(a, "malformed domain in \"%s\"", s);
    if (fn != NULL) {
        char *lp = tern_strndup(a, s, (size_t)(at - s));
        if (fn(arg, lp, d))
            return "stopped";
    }
    return NULL;
}

/* One element, already stripped of comments and blanks. */
static const char *
element(struct tern_arena *a, const char *e, int allow_unq,
        int (*fn)(void *, const char *, const char *), void *arg)
{
    const char *lt = NULL;
    int quoted = 0;

    if (*e == '\0')
        return NULL;
    for (const char *p = e; *p; p++) {
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == '<' && !quoted && lt == NULL)
            lt = p;
    }
    if (lt == NULL)
        return addr_spec(a, e, allow_unq, fn, arg);
    const char *gt = strchr(lt, '>');
    if (gt == NULL)
        return tern_printf(a, "missing '>' in \"%s\"", e);
    if (gt[1] != '\0')
        return tern_printf(a, "junk after '>' in \"%s\"", e);
    if (gt == lt + 1)
        return tern_printf(a, "empty address in \"%s\"", e);
    char *in = tern_strndup(a, lt + 1, (size_t)(gt - lt - 1));
    /* An obsolete source route (@a,@b:x@y) is dropped. */
    if (in[0] == '@' && strchr(in, ':') != NULL)
        in = strchr(in, ':') + 1;
    return addr_spec(a, in, allow_unq, fn, arg);
}

const char *
host_acl_addr_list(struct tern_arena *a, const char *value,
                   int allow_unqualified,
                   int (*fn)(void *, const char *, const char *), void *arg)
{
    size_t start = 0, i, n = strlen(value);
    int depth = 0, quoted = 0, angle = 0, group = 0, literal = 0;
    const char *why;

    for (i = 0; i <= n; i++) {
        char c = value[i];
        if (quoted) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                quoted = 0;
            else if (c == '\0')
                return "unterminated quoted string";
            continue;
        }
        if (depth > 0) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            else if (c == '\0')
                return "unterminated comment";
            continue;
        }
        if (literal) {
            literal = c != ']' && c != '\0';
            if (c != '\0')
                continue;
        }
        switch (c) {
        case '[': literal = 1; continue;
        case '"': quoted = 1; continue;
        case '(': depth = 1; continue;
        case '<': angle++; continue;
        case '>': if (angle > 0) angle--; continue;
        case ':':
            if (angle == 0 && !group) {
                group = 1;
                start = i + 1;
            }
            continue;
        case ',': case ';': case '\0':
            if (angle > 0 && c != '\0')
                continue;
            why = element(a, strip(a, value + start, i - start),
                          allow_unqualified, fn, arg);
            if (why != NULL)
                return why;
            if (c == ';')
                group = 0;
            start = i + 1;
            continue;
        default:
            continue;
        }
    }
    return NULL;
}
