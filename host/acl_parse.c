/*
 * NAME
 *   acl_parse.c - ACLs given as text at run time: files and inline
 *   option values
 *
 * SYNOPSIS
 *   struct tern_cfg_acl *acl;
 *   if (host_acl_parse(ctx, arena, "accept hosts = 127.0.0.1\ndeny",
 *                      "inline", &acl, &err) != 0) ...
 *
 * DESCRIPTION
 *   Exim reads an ACL named by a file path (`acl_smtp_rcpt = /etc/acl`)
 *   or written in the option itself (`acl_smtp_vrfy = accept`) the same
 *   way as the acl section: a statement starts with a verb, the rest of
 *   its line and the lines after it hold one `[!]name = value` each,
 *   `endpass` stands alone and `set acl_x = value` names its variable
 *   first.  Lines ending in a backslash continue on the next one (its
 *   leading blanks dropped), blank lines and `#` lines are skipped.
 *
 *   confc checks the acl section when the configuration is compiled;
 *   this parser checks the same things (known verbs, conditions and
 *   modifiers, no negated modifier, the variable name of `set`) when the
 *   text is first used, since it could not be seen before.
 *
 * DIAGNOSTICS
 *   "line N: unknown ACL verb "x"", "line N: unknown ACL condition or
 *   modifier "x"", "line N: "=" missing after "x"", "line N: modifier
 *   "x" cannot be negated", "line N: invalid variable name after set",
 *   "line N: condition before the first verb".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "acl_int.h"

static const char *const verbs[] = {
    "accept", "defer", "deny", "discard", "drop", "require", "warn"
};
static const unsigned verb_codes[] = {
    TERN_ACL_ACCEPT, TERN_ACL_DEFER, TERN_ACL_DENY, TERN_ACL_DISCARD,
    TERN_ACL_DROP, TERN_ACL_REQUIRE, TERN_ACL_WARN
};

struct parser {
    struct tern_ctx *ctx;
    struct tern_arena *a;
    struct tern_cfg_acl *acl;
    size_t cap_stmts, cap_items;
    unsigned line;
    const char **err;
};

static int
fail(struct parser *p, const char *what)
{
    *p->err = tern_printf(p->a, "line %u: %s", p->line, what);
    return -1;
}

static void *
grow(struct tern_arena *a, void *old, size_t n, size_t *cap, size_t size)
{
    void *nw;

    if (n < *cap)
        return old;
    *cap = *cap ? *cap * 2 : 4;
    nw = tern_alloc(a, *cap * size);
    if (old != NULL)
        memcpy(nw, old, n * size);
    return nw;
}

static size_t
word_len(const char *s)
{
    size_t n = 0;

    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

static const char *
skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static char *
trimmed(struct tern_arena *a, const char *s)
{
    size_t n;

    s = skip_blanks(s);
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return tern_strndup(a, s, n);
}

/* `set acl_m_x = value`: the value as stored, "acl_m_x = value". */
static int
set_value(struct parser *p, const char *s, const char **value)
{
    size_t n = word_len(s);

    if (n < 6 || strncmp(s, "acl_", 4) != 0 ||
        (s[4] != 'c' && s[4] != 'm') ||
        !(isdigit((unsigned char)s[5]) || s[5] == '_'))
        return fail(p, "invalid variable name after \"set\"");
    if (*skip_blanks(s + n) != '=')
        return fail(p, tern_printf(p->a, "\"=\" missing after \"set %.*s\"",
                                   (int)n, s));
    *value = trimmed(p->a, s);
    return 0;
}

static int
item(struct parser *p, const char *s)
{
    struct tern_cfg_acl_stmt *st;
    struct tern_cfg_acl_item *it;
    const char *value = NULL;
    int neg = 0, kind;
    size_t n;
    char *name;

    if (p->acl->n_stmts == 0)
        return fail(p, "condition or modifier before the first verb");
    st = &p->acl->stmts[p->acl->n_stmts - 1];
    if (*s == '!') {
        neg = 1;
        s = skip_blanks(s + 1);
    }
    n = word_len(s);
    name = tern_strndup(p->a, s, n);
    s = skip_blanks(s + n);
    if (n == 0 || (kind = host_acl_op_kind(p->ctx, name)) == 0)
        return fail(p, tern_printf(p->a, "unknown ACL condition or "
                                   "modifier \"%s\"", name));
    if (neg && kind != 1)
        return fail(p, tern_printf(p->a, "modifier \"%s\" cannot be "
                                   "negated", name));
    if (strcmp(name, "endpass") == 0) {
        if (*s != '\0')
            return fail(p, "\"endpass\" takes no value");
    } else if (strcmp(name, "set") == 0) {
        if (set_value(p, s, &value) != 0)
            return -1;
    } else if (*s != '=') {
        return fail(p, tern_printf(p->a, "\"=\" missing after \"%s\"",
                                   name));
    } else {
        value = trimmed(p->a, s + 1);
    }
    st->items = grow(p->a, st->items, st->n_items, &p->cap_items,
                     sizeof *st->items);
    it = &st->items[st->n_items++];
    it->name = name;
    it->value = value;
    it->module = "core";
    it->negated = neg;
    it->loc.file = HOST_ACL_TEXT_FILE;
    it->loc.line = p->line;
    return 0;
}

static int
line(struct parser *p, const char *s)
{
    size_t n = word_len(s);

    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strlen(verbs[i]) != n || strncmp(s, verbs[i], n) != 0)
            continue;
        p->acl->stmts = grow(p->a, p->acl->stmts, p->acl->n_stmts,
                             &p->cap_stmts, sizeof *p->acl->stmts);
        struct tern_cfg_acl_stmt *st = &p->acl->stmts[p->acl->n_stmts++];
        memset(st, 0, sizeof *st);
        st->verb = verb_codes[i];
        st->loc.file = HOST_ACL_TEXT_FILE;
        st->loc.line = p->line;
        p->cap_items = 0;
        s = skip_blanks(s + n);
        return *s ? item(p, s) : 0;
    }
    if (s[0] != '!' && *skip_blanks(s + n) != '=' &&
        !(n == 7 && strncmp(s, "endpass", 7) == 0) &&
        !(n == 3 && strncmp(s, "set", 3) == 0))
        return fail(p, tern_printf(p->a, "unknown ACL verb \"%.*s\"",
                                   (int)(n ? n : 1), s));
    return item(p, s);
}

int
host_acl_parse(struct tern_ctx *ctx, struct tern_arena *a, const char *text,
               const char *name, struct tern_cfg_acl **out, const char **err)
{
    struct parser p = { .ctx = ctx, .a = a, .err = err };
    struct tern_buf logical = { 0 };
    const char *s = text;
    unsigned lineno = 0;
    int rc = 0;

    p.acl = tern_alloc(a, sizeof *p.acl);
    p.acl->name = tern_strdup(a, name);
    while (*s != '\0' && rc == 0) {
        size_t n = strcspn(s, "\n");
        const char *l = skip_blanks(s);
        size_t ln = n - (size_t)(l - s);

        lineno++;
        if (logical.len == 0)
            p.line = lineno;
        while (ln > 0 && isspace((unsigned char)l[ln - 1]))
            ln--;
        if (ln > 0 && l[ln - 1] == '\\') {
            tern_buf_add(&logical, l, ln - 1);
        } else {
            tern_buf_add(&logical, l, ln);
            if (logical.len > 0 && logical.data[0] != '#')
                rc = line(&p, logical.data);
            logical.len = 0;
            if (logical.data)
                logical.data[0] = '\0';
        }
        s += n;
        if (*s == '\n')
            s++;
    }
    if (rc == 0 && logical.len > 0 && logical.data[0] != '#')
        rc = line(&p, logical.data);
    tern_buf_free(&logical);
    if (rc == 0)
        *out = p.acl;
    return rc;
}
