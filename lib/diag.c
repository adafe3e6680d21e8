/*
 * NAME
 *   diag.c - collecting and printing compiler-style diagnostics
 *
 * DESCRIPTION
 *   Diagnostics are collected, not printed at once, so that a run reports
 *   every error it found and so that tools can ask for JSON instead.  The
 *   text form follows the compilers admins know:
 *
 *     a.conf:3:1: error: unknown option 'mesage_size_limit'
 *         3 | mesage_size_limit = 10M
 *           | ^~~~~~~~~~~~~~~~~
 *     note: in file included from main.conf:12
 *     note: did you mean 'message_size_limit'?
 *
 *   Positions are copied (strings duplicated) when added, so the caller
 *   may free its line buffers afterwards.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static const char *const sev_names[] = { "note", "warning", "error" };

static char *
dupstr(const char *s)
{
    if (s == NULL)
        return NULL;
    char *p = strdup(s);
    if (p == NULL) {
        fputs("tern: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* Deep copy of a position and its include chain (malloc'd). */
static void
copy_pos(struct tern_srcpos *dst, const struct tern_srcpos *src)
{
    *dst = *src;
    dst->file = dupstr(src->file);
    dst->line_text = dupstr(src->line_text);
    if (src->include_from != NULL) {
        struct tern_srcpos *up = malloc(sizeof *up);
        if (up == NULL) {
            fputs("tern: out of memory\n", stderr);
            exit(1);
        }
        copy_pos(up, src->include_from);
        dst->include_from = up;
    }
}

static void
free_pos(struct tern_srcpos *p)
{
    free((char *)p->file);
    free((char *)p->line_text);
    if (p->include_from != NULL) {
        struct tern_srcpos *up = (struct tern_srcpos *)p->include_from;
        free_pos(up);
        free(up);
    }
}

void
tern_diag_add(struct tern_diags *d, enum tern_severity sev,
              const struct tern_srcpos *pos, const char *hint,
              const char *fmt, ...)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        struct tern_diag_entry *p = realloc(d->items, cap * sizeof *p);
        if (p == NULL) {
            fputs("tern: out of memory\n", stderr);
            exit(1);
        }
        d->items = p;
        d->cap = cap;
    }
    struct tern_diag_entry *e = &d->items[d->len++];
    memset(e, 0, sizeof *e);
    e->sev = sev;
    if (pos != NULL)
        copy_pos(&e->pos, pos);

    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    e->message = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (e->message == NULL) {
        fputs("tern: out of memory\n", stderr);
        exit(1);
    }
    vsnprintf(e->message, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    e->hint = dupstr(hint);

    if (sev == TERN_ERROR_SEV)
        d->errors++;
    else if (sev == TERN_WARNING)
        d->warnings++;
}

void
tern_diags_free(struct tern_diags *d)
{
    for (size_t i = 0; i < d->len; i++) {
        free_pos(&d->items[i].pos);
        free(d->items[i].message);
        free(d->items[i].hint);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

static void
print_location(const struct tern_srcpos *p, FILE *out)
{
    if (p->file == NULL)
        return;
    fputs(p->file, out);
    if (p->line > 0) {
        fprintf(out, ":%u", p->line);
        if (p->col > 0)
            fprintf(out, ":%u", p->col);
    }
    fputs(": ", out);
}

/* The source line and a caret under the offending text; tabs before the
 * column are kept so the caret lines up in a terminal. */
static void
print_caret(const struct tern_srcpos *p, FILE *out)
{
    if (p->line_text == NULL || p->line == 0)
        return;
    const char *t = p->line_text;
    size_t tlen = strcspn(t, "\n");
    fprintf(out, "%5u | %.*s\n      | ", p->line, (int)tlen, t);
    if (p->col == 0) {
        fputc('\n', out);
        return;
    }
    for (unsigned i = 1; i < p->col && i - 1 < tlen; i++)
        fputc(t[i - 1] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    for (unsigned i = 1; i < p->len; i++)
        fputc('~', out);
    fputc('\n', out);
}

void
tern_diags_print_text(const struct tern_diags *d, FILE *out)
{
    for (size_t i = 0; i < d->len; i++) {
        const struct tern_diag_entry *e = &d->items[i];
        print_location(&e->pos, out);
        fprintf(out, "%s: %s\n", sev_names[e->sev], e->message);
        print_caret(&e->pos, out);
        for (const struct tern_srcpos *up = e->pos.include_from; up != NULL;
             up = up->include_from)
            fprintf(out, "note: in file included from %s:%u\n",
                    up->file ? up->file : "?", up->line);
        if (e->hint != NULL)
            fprintf(out, "note: %s\n", e->hint);
    }
    fflush(out);
}

static void
json_string(const char *s, FILE *out)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

void
tern_diags_print_json(const struct tern_diags *d, FILE *out)
{
    fputs("[", out);
    for (size_t i = 0; i < d->len; i++) {
        const struct tern_diag_entry *e = &d->items[i];
        fputs(i ? ",\n {" : "\n {", out);
        fprintf(out, "\"severity\": \"%s\", \"file\": ", sev_names[e->sev]);
        json_string(e->pos.file, out);
        fprintf(out, ", \"line\": %u, \"column\": %u, \"message\": ",
                e->pos.line, e->pos.col);
        json_string(e->message, out);
        fputs(", \"hint\": ", out);
        json_string(e->hint, out);
        fputs(", \"included_from\": [", out);
        int first = 1;
        for (const struct tern_srcpos *up = e->pos.include_from; up != NULL;
             up = up->include_from) {
            fputs(first ? "{\"file\": " : ", {\"file\": ", out);
            json_string(up->file, out);
            fprintf(out, ", \"line\": %u}", up->line);
            first = 0;
        }
        fputs("]}", out);
    }
    fputs(d->len ? "\n]\n" : "]\n", out);
    fflush(out);
}
