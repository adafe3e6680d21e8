/*
 * NAME
 *   smtp_addr.c - the address and parameters of MAIL FROM and RCPT TO
 *
 * SYNOPSIS
 *   struct smtp_path p;
 *   if (smtp_parse_path(arena, "<a@b.example> SIZE=100", &p, &why) != 0)
 *       reply 501 "<arg>: why";
 *
 * DESCRIPTION
 *   The argument is a path in angle brackets (or, as Exim accepts, a bare
 *   address) followed by ESMTP parameters separated by spaces.  A source
 *   route ("<@a,@b:user@c>") is dropped.  The address is checked the way
 *   RFC 5321 describes a mailbox, with Exim's leniency: 8-bit bytes are
 *   allowed in both parts (SMTPUTF8 clients, and clients that do not say
 *   so), a local part may be a quoted string, a domain may be an address
 *   literal.  "<>" is the null path.
 *
 *   The error texts follow Exim's parse_extract_address(): "'>' missing
 *   at end of address", "domain missing or malformed", "X may not follow
 *   Y" (which is also what an unknown parameter produces, as in Exim).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "smtp_int.h"

static int
atext(unsigned char c)
{
    return isalnum(c) || c >= 0x80 ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Length of a quoted string at p ("..." with \ escapes), 0 if open. */
static size_t
quoted_len(const char *p)
{
    size_t i = 1;

    while (p[i] != '\0' && p[i] != '"') {
        if (p[i] == '\\' && p[i + 1] != '\0')
            i++;
        i++;
    }
    return p[i] == '"' ? i + 1 : 0;
}

static size_t
local_part_len(const char *p)
{
    size_t i = 0;

    if (*p == '"')
        return quoted_len(p);
    while (atext((unsigned char)p[i]) ||
           (p[i] == '.' && i > 0 && p[i - 1] != '.'))
        i++;
    return i;
}

static size_t
domain_len(const char *p)
{
    size_t i = 0;

    if (*p == '[') {
        while (p[i] != '\0' && p[i] != ']' && p[i] != ' ')
            i++;
        return p[i] == ']' ? i + 1 : 0;
    }
    while (isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '_' ||
           (unsigned char)p[i] >= 0x80 ||
           (p[i] == '.' && i > 0 && p[i - 1] != '.'))
        i++;
    return i;
}

/* Check `addr` (no brackets, no route); 0 or -1 with *why. */
static int
check_mailbox(struct tern_arena *a, const char *addr, const char **why)
{
    size_t l = local_part_len(addr), d;

    if (l == 0) {
        *why = "missing or malformed local part";
        return -1;
    }
    if (addr[l] == '\0')
        return 0;               /* unqualified: the caller decides */
    if (addr[l] != '@') {
        const char *rest = addr + l;

        while (*rest == ' ' || *rest == '\t')
            rest++;
        *why = tern_printf(a, "malformed address: %s may not follow %.*s",
                           rest, (int)l, addr);
        return -1;
    }
    d = domain_len(addr + l + 1);
    if (d == 0) {
        *why = "domain missing or malformed";
        return -1;
    }
    if (addr[l + 1 + d] != '\0') {
        *why = tern_printf(a, "malformed address: %s may not follow %.*s",
                           addr + l + 1 + d, (int)(l + 1 + d), addr);
        return -1;
    }
    return 0;
}

int
smtp_parse_path(struct tern_arena *a, const char *arg, struct smtp_path *p,
                const char **why)
{
    const char *s = arg, *end;
    size_t n;

    memset(p, 0, sizeof *p);
    if (*s == '<') {
        size_t i = 1;

        while (s[i] != '\0' && s[i] != '>') {
            if (s[i] == '"') {
                size_t q = quoted_len(s + i);

                if (q == 0)
                    break;
                i += q;
                continue;
            }
            if (s[i] == '\\' && s[i + 1] != '\0')
                i++;
            i++;
        }
        if (s[i] != '>') {
            *why = "'>' missing at end of address";
            return -1;
        }
        p->bracketed = 1;
        p->addr = tern_strndup(a, s + 1, i - 1);
        end = s + i + 1;
        p->text = tern_strndup(a, s, i + 1);
    } else {
        n = strcspn(s, " \t");
        p->addr = tern_strndup(a, s, n);
        end = s + n;
        p->text = p->addr;
    }
    if (*end != '\0' && *end != ' ' && *end != '\t') {
        *why = tern_printf(a, "malformed address: %s may not follow %s", end,
                           p->text);
        return -1;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    p->params = end;
    /* A source route is dropped, as RFC 5321 allows. */
    if (p->addr[0] == '@') {
        const char *colon = strchr(p->addr, ':');

        if (colon == NULL) {
            *why = "malformed address: source route without ':'";
            return -1;
        }
        p->addr = colon + 1;
    }
    if (p->addr[0] == '\0') {
        if (p->bracketed)
            return 0;
        *why = "empty address";
        return -1;
    }
    if (check_mailbox(a, p->addr, why) != 0)
        return -1;
    p->has_domain = strchr(p->addr, '@') != NULL &&
                    p->addr[local_part_len(p->addr)] == '@';
    return 0;
}

int
smtp_next_param(struct tern_arena *a, const char **cursor, const char **name,
                const char **value)
{
    const char *s = *cursor, *eq;
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0')
        return 0;
    n = strcspn(s, " \t");
    eq = memchr(s, '=', n);
    if (eq != NULL) {
        *name = tern_strndup(a, s, (size_t)(eq - s));
        *value = tern_strndup(a, eq + 1, n - (size_t)(eq - s) - 1);
    } else {
        *name = tern_strndup(a, s, n);
        *value = NULL;
    }
    *cursor = s + n;
    return 1;
}
