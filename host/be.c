/*
 * NAME
 *   be.c - tern -be: expand strings and print the results, as exim -be
 *
 * SYNOPSIS
 *   tern [-C file] [-D NAME=value]... -be [string...]
 *
 * DESCRIPTION
 *   Each argument is one string; without arguments, lines are read from
 *   stdin.  Each string is expanded in a context with no session,
 *   message or address (the values Exim gives a local caller) and the
 *   result printed on a line of its own; a failure prints "Failed: "
 *   and the message, a forced failure included.  What Exim 4.96 does
 *   and Tern copies, byte for byte on stdout:
 *
 *   - Reading stdin, "> " is written before each line is read, and at
 *     the end of input "> " and a newline.  Trailing white space is
 *     removed; a line ending in a backslash continues on the next, whose
 *     leading white space is dropped.  An empty line prints an empty
 *     line.
 *   - Macros, the configuration's and those defined here, are
 *     substituted in every string first, as in the configuration file
 *     (but not in the name a definition defines).  A string that then
 *     starts with an upper-case letter defines a macro ("NAME = value",
 *     or "NAME == value" to redefine one) and prints "Defined macro
 *     'NAME'"; anything else is expanded.
 *   - Lookups are cached for the whole run, and $runrc kept from one
 *     string to the next.
 *   - The exit status is 0 whatever the strings do; 1 when the
 *     configuration cannot be loaded.
 *
 *   Parsed strings are cached by text (host_expand), so a batch that
 *   repeats its lines, such as bench/expand.sh's, measures evaluation.
 *
 * DIAGNOSTICS
 *   Macro definition errors go to stderr: "malformed macro definition",
 *   "macro "X" is already defined (use "==" if you want to redefine
 *   it)".  Configuration errors as for any mode.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "host.h"

struct be_macro {
    char *name;
    char *value;
    size_t name_len, value_len;
};

struct be_list {
    struct be_macro *m;
    size_t n, cap;
};

struct be {
    struct host_runtime *rt;
    struct be_list bi;          /* built-in macros (_HAVE_..., _OPT_...) */
    struct be_list user;        /* the configuration's, then -be's */
};

static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        exit(HOST_EXIT_FAIL);
    }
    return p;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xrealloc(NULL, n), s, n);
}

static void
add_macro(struct be *b, const char *name, const char *value, int builtin)
{
    struct be_list *l = builtin ? &b->bi : &b->user;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->m = xrealloc(l->m, l->cap * sizeof *l->m);
    }
    l->m[l->n].name = xstrdup(name);
    l->m[l->n].value = xstrdup(value);
    l->m[l->n].name_len = strlen(name);
    l->m[l->n++].value_len = strlen(value);
}

static void
free_list(struct be_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->m[i].name);
        free(l->m[i].value);
    }
    free(l->m);
}

/* Replace every occurrence of the macros of l in *s from byte `start`
 * on. */
static void
replace_all(const struct be_list *l, char **s, size_t start)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct be_macro *m = &l->m[i];
        size_t from = start;
        char *at;

        while ((at = strstr(*s + from, m->name)) != NULL) {
            size_t off = (size_t)(at - *s), rest = strlen(at + m->name_len);
            char *t = xrealloc(NULL, off + m->value_len + rest + 1);

            memcpy(t, *s, off);
            memcpy(t + off, m->value, m->value_len);
            memcpy(t + off + m->value_len, at + m->name_len, rest + 1);
            free(*s);
            *s = t;
            from = off + m->value_len;
        }
    }
}

/* Length of the name of a macro definition at the start of line
 * ("NAME =", "NAME =="), 0 when the line is not one: that name is not
 * substituted. */
static size_t
definition_name(const char *line)
{
    const char *p = line;

    if (!isupper((unsigned char)*p))
        return 0;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t n = (size_t)(p - line);
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '=' ? n : 0;
}

/* Replace every occurrence of each macro after a definition's name, in
 * definition order; a replacement is scanned again only by the macros
 * after it.  Built-in macros are tried only when the first candidate
 * name starts with an underscore, as Exim does. */
static char *
substitute(const struct be *b, const char *line)
{
    char *s = xstrdup(line);
    size_t start = definition_name(line);
    const char *p = s + start;

    while (*p && !isupper((unsigned char)*p) &&
           !(*p == '_' && isupper((unsigned char)p[1])))
        p++;
    if (*p == '\0')
        return s;
    if (*p == '_')
        replace_all(&b->bi, &s, start);
    replace_all(&b->user, &s, start);
    return s;
}

/* "NAME = value" or "NAME == value". */
static void
define(struct be *b, const char *line)
{
    const char *p = line, *v;
    size_t nl;
    int redefine;

    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    nl = (size_t)(p - line);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '=') {
        fprintf(stderr, "tern: malformed macro definition\n");
        return;
    }
    redefine = p[1] == '=';
    v = p + 1 + redefine;
    while (*v == ' ' || *v == '\t')
        v++;
    char *name = xrealloc(NULL, nl + 1);
    memcpy(name, line, nl);
    name[nl] = '\0';
    char *value = xstrdup(v);
    for (size_t i = 0; i < b->user.n; i++) {
        struct be_macro *m = &b->user.m[i];

        if (strcmp(m->name, name) != 0)
            continue;
        if (!redefine) {
            fprintf(stderr, "tern: macro \"%s\" is already defined (use"
                    " \"==\" if you want to redefine it)\n", name);
        } else {
            free(m->value);
            m->value = value;
            m->value_len = strlen(value);
            value = NULL;
            printf("Defined macro '%s'\n", name);
        }
        free(name);
        free(value);
        return;
    }
    add_macro(b, name, value, 0);
    printf("Defined macro '%s'\n", name);
    free(name);
    free(value);
}

static void
one(struct be *b, const char *line)
{
    struct tern_ctx ctx;
    const char *out = NULL, *err = NULL;
    char *s = substitute(b, line);
    int rc;

    if (isupper((unsigned char)s[0])) {
        define(b, s);
        free(s);
        return;
    }
    ctx = host_ctx_rt(b->rt);
    ctx.arena = tern_arena_new();
    rc = host_expand(&ctx, s, &out, &err);
    if (rc == 0)
        printf("%s\n", out);
    else
        printf("Failed: %s\n", err ? err : "expansion failed");
    tern_arena_free(ctx.arena);
    free(s);
}

/* One logical line from stdin (continuations joined, trailing blanks
 * removed); NULL at the end. */
static char *
read_line(void)
{
    char *buf = NULL, *out = NULL;
    size_t cap = 0, len = 0;
    ssize_t n;
    int first = 1;

    while ((n = getline(&buf, &cap, stdin)) >= 0) {
        char *p = buf;
        size_t l = (size_t)n;

        while (l > 0 && isspace((unsigned char)p[l - 1]))
            l--;
        if (!first)
            while (l > 0 && isspace((unsigned char)*p)) {
                p++;
                l--;
            }
        out = xrealloc(out, len + l + 1);
        memcpy(out + len, p, l);
        len += l;
        out[len] = '\0';
        first = 0;
        if (len == 0 || out[len - 1] != '\\')
            break;
        out[--len] = '\0';
    }
    free(buf);
    return out;
}

int
host_mode_be(const struct host_cmdline *cl)
{
    struct host_conf hc;
    struct host_runtime rt;
    struct be b = { 0 };
    int rc = HOST_EXIT_OK;

    host_conf_init(&hc);
    if (host_conf_load(&hc, cl, stderr) != 0 ||
        host_runtime_init(&rt, &hc, NULL, stderr) != 0) {
        host_conf_free(&hc);
        return HOST_EXIT_FAIL;
    }
    rt.debug = cl->debug != NULL;
    b.rt = &rt;
    for (size_t i = 0; i < hc.cfg.n_macros; i++)
        add_macro(&b, hc.cfg.macros[i].name, hc.cfg.macros[i].value
                  ? hc.cfg.macros[i].value : "", hc.cfg.macros[i].builtin);
    if (cl->n_items > 0) {
        for (size_t i = 0; i < cl->n_items; i++)
            one(&b, cl->items[i]);
    } else {
        char *line;

        for (;;) {
            fputs("> ", stdout);
            line = read_line();
            if (line == NULL)
                break;
            one(&b, line);
            free(line);
        }
        fputs("\n", stdout);
    }
    if (fflush(stdout) != 0)
        rc = HOST_EXIT_FAIL;
    free_list(&b.bi);
    free_list(&b.user);
    host_runtime_free(&rt);
    host_conf_free(&hc);
    return rc;
}
