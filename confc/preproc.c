/*
 * NAME
 *   preproc.c - Exim's configuration preprocessor: physical to logical lines
 *
 * SYNOPSIS
 *   struct cc_preproc_opts o = { .path = "exim.conf", .schemas = &set };
 *   struct cc_lines lines;
 *   if (cc_preprocess(arena, &o, &lines, &diags) != 0) ...
 *
 * DESCRIPTION
 *   Each physical line goes through the steps Exim's readconf applies, in
 *   Exim's order: macro substitution first (so a macro may turn a line
 *   into a comment or a directive), then comment lines, then the
 *   conditional directives, then skipping, then .include, and only then
 *   is the line added to the logical line being built (leading blanks of
 *   a continuation removed, trailing blanks removed, a final backslash
 *   meaning "continued").  Because all of that happens per physical line,
 *   comments, conditionals and even .include may sit in the middle of a
 *   continued option setting, as Exim allows.
 *
 *   A complete logical line that starts with `begin ` switches sections;
 *   one that starts with an upper-case letter and reads NAME = value or
 *   NAME == value is a macro definition, recorded and not passed on.
 *
 *   Every byte of a logical line keeps its physical file, line and
 *   column (struct cc_seg), so later stages report exact positions.
 *
 * DIAGNOSTICS
 *   Errors go to the tern_diags with file:line:col and the source line:
 *   unknown directives, a malformed macro definition in the main section,
 *   a macro definition in the retry, rewrite or local_scan section, and
 *   everything reported by preproc_macro.c, preproc_cond.c and
 *   preproc_include.c.  Processing always continues to the end, so one
 *   run reports every problem.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "preproc_int.h"

enum cc_pp_section { SEC_MAIN, SEC_DEFS_OK, SEC_NO_DEFS };

struct cc_pp_state {
    struct tern_arena *a;
    struct tern_diags *d;
    struct cc_pp_macros macros;
    struct cc_pp_cond cond;
    struct cc_pp_files files;
    enum cc_pp_section section;
    const char *section_name;
    /* the logical line being assembled (heap) */
    char *ltext;
    size_t llen, lcap;
    struct cc_seg *segs;
    size_t nsegs, segcap;
    /* results (heap until the end) */
    struct cc_line *lines;
    size_t nlines, linecap;
    struct cc_macro_def *defs;
    size_t ndefs, defcap;
};

/* ---- assembling logical lines ---- */

static void
append_chunk(struct cc_pp_state *st, const struct cc_pp_phys *ph,
             const struct cc_pp_text *t, size_t from, size_t to)
{
    size_t n = to - from;
    if (st->llen + n < st->llen || st->llen + n > (size_t)0xffffffffu)
        abort();
    st->ltext = cc_pp_grow(st->ltext, &st->lcap, st->llen + n + 1, 1);
    memcpy(st->ltext + st->llen, t->s + from, n);

    for (size_t i = from; i < to; i++) {
        unsigned off = (unsigned)(st->llen + (i - from));
        int macro = t->mlen[i] != 0;
        if (st->nsegs > 0) {
            const struct cc_seg *last = &st->segs[st->nsegs - 1];
            if (last->pos.line_text == ph->text && last->macro == macro) {
                if (!macro && t->col[i] == last->pos.col + (off - last->off))
                    continue;
                if (macro && t->col[i] == last->pos.col &&
                    t->mlen[i] == last->pos.len)
                    continue;
            }
        }
        st->segs = cc_pp_grow(st->segs, &st->segcap, st->nsegs + 1,
                              sizeof *st->segs);
        struct cc_seg *sg = &st->segs[st->nsegs++];
        sg->off = off;
        sg->macro = macro;
        sg->pos = cc_pp_pos(ph, t, i, 0);
        if (!macro)
            sg->pos.len = 0;
    }
    st->llen += n;
    st->ltext[st->llen] = '\0';
}

static void
truncate_logical(struct cc_pp_state *st, size_t len)
{
    st->llen = len;
    st->ltext[len] = '\0';
    while (st->nsegs > 0 && st->segs[st->nsegs - 1].off >= len)
        st->nsegs--;
}

static void
emit(struct cc_pp_state *st)
{
    st->lines = cc_pp_grow(st->lines, &st->linecap, st->nlines + 1,
                           sizeof *st->lines);
    struct cc_line *l = &st->lines[st->nlines++];
    l->text = tern_strndup(st->a, st->ltext, st->llen);
    l->len = st->llen;
    l->n_segs = st->nsegs;
    l->segs = tern_alloc(st->a, st->nsegs * sizeof *l->segs);
    memcpy(l->segs, st->segs, st->nsegs * sizeof *l->segs);
    l->pos = cc_line_pos(l, 0, 0);
}

static void
set_section(struct cc_pp_state *st, const char *s, size_t len)
{
    size_t i = cc_pp_skip_blanks(s, 6, len);
    char *name = tern_strndup(st->a, s + i, len - i);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    st->section_name = name;
    if (strcmp(name, "retry") == 0 || strcmp(name, "rewrite") == 0 ||
        strcmp(name, "local_scan") == 0)
        st->section = SEC_NO_DEFS;
    else
        st->section = SEC_DEFS_OK;
}

static void
definition(struct cc_pp_state *st, const struct cc_line *l)
{
    size_t namelen = 0;
    while (namelen < l->len && (isalnum((unsigned char)l->text[namelen]) ||
                                l->text[namelen] == '_'))
        namelen++;
    struct tern_srcpos np = cc_line_pos(l, 0, (unsigned)namelen);

    if (st->section == SEC_NO_DEFS) {
        tern_diag_add(st->d, TERN_ERROR_SEV, &np,
                      "Exim accepts macro definitions only in the main "
                      "section and between drivers or ACLs",
                      "macro definition in the '%s' section",
                      st->section_name);
        return;
    }
    st->defs = cc_pp_grow(st->defs, &st->defcap, st->ndefs + 1,
                          sizeof *st->defs);
    struct cc_macro_def *def = &st->defs[st->ndefs++];
    def->name = tern_strndup(st->a, l->text, namelen);
    def->before = st->nlines;
    def->pos = np;
    cc_pp_macros_define(&st->macros, st->a, l, st->d);
}

/* A complete logical line: section switch, macro definition, or data. */
static void
finish_logical(struct cc_pp_state *st)
{
    struct cc_line tmp = {
        .text = st->ltext, .len = st->llen, .segs = st->segs,
        .n_segs = st->nsegs,
    };
    tmp.pos = cc_line_pos(&tmp, 0, 0);

    if (st->llen >= 6 && strncasecmp(st->ltext, "begin ", 6) == 0) {
        set_section(st, st->ltext, st->llen);
        emit(st);
    } else if (isupper((unsigned char)st->ltext[0])) {
        if (cc_pp_def_skip(st->ltext, st->llen, 0) != 0) {
            definition(st, &tmp);
        } else if (st->section == SEC_MAIN) {
            struct tern_srcpos p = cc_line_pos(&tmp, 0, 1);
            tern_diag_add(st->d, TERN_ERROR_SEV, &p,
                          "in the main section a line that starts with an "
                          "upper-case letter defines a macro: NAME = value",
                          "malformed macro definition");
        } else {
            emit(st);
        }
    } else {
        emit(st);
    }
    truncate_logical(st, 0);
}

static const char *const directives[] = {
    "ifdef", "ifndef", "elifdef", "elifndef", "else", "endif",
    "include", "include_if_exists",
};

/* `.word` at the start of a logical line that no directive claimed.
 * Exim would pass it on as data and fail later with a vaguer message;
 * a word followed by anything but a blank (`.example.com`) is data. */
static int
unknown_directive(struct cc_pp_state *st, const struct cc_pp_phys *ph,
                  const struct cc_pp_text *t, size_t ss)
{
    size_t i = ss + 1;
    while (i < t->len && (isalnum((unsigned char)t->s[i]) || t->s[i] == '_'))
        i++;
    if (i == ss + 1 || (i < t->len && !cc_pp_is_blank((unsigned char)t->s[i])))
        return 0;

    char *word = tern_strndup(st->a, t->s + ss + 1, i - ss - 1);
    const char *best = NULL;
    size_t bestd = 3;
    for (size_t k = 0; k < sizeof directives / sizeof *directives; k++) {
        size_t dist = tern_edit_distance(word, directives[k]);
        if (dist < bestd) {
            bestd = dist;
            best = directives[k];
        }
    }
    const char *hint = best ? tern_printf(st->a, "did you mean '.%s'?", best)
                      : "directives are .ifdef, .ifndef, .elifdef, "
                        ".elifndef, .else, .endif, .include and "
                        ".include_if_exists";
    struct tern_srcpos p = cc_pp_pos(ph, t, ss, (unsigned)(i - ss));
    tern_diag_add(st->d, TERN_ERROR_SEV, &p, hint, "unknown directive '.%s'",
                  word);
    return 1;
}

static void
run(struct cc_pp_state *st)
{
    struct cc_pp_phys ph;
    struct cc_pp_text t = { 0 };

    while (cc_pp_files_next(&st->files, &ph, st->d)) {
        cc_pp_text_load(&t, ph.text, ph.len);
        size_t ss = cc_pp_skip_blanks(t.s, 0, t.len);
        size_t from = st->llen == 0 ? cc_pp_def_skip(t.s, t.len, ss) : ss;
        int found = cc_pp_macros_expand(&st->macros, &t, from);

        /* A macro may have removed the first word: find the start again. */
        ss = cc_pp_skip_blanks(t.s, 0, t.len);
        int dot = ss < t.len && t.s[ss] == '.';
        if (ss < t.len && t.s[ss] == '#')
            continue;
        if (dot && cc_pp_cond_directive(&st->cond, st->a, &ph, &t, ss, found,
                                        st->d))
            continue;
        if (st->cond.state != 0)
            continue;
        if (dot && cc_pp_include_directive(&st->files, st->a, &ph, &t, ss,
                                           st->d))
            continue;
        if (dot && st->llen == 0 && unknown_directive(st, &ph, &t, ss))
            continue;

        append_chunk(st, &ph, &t, ss, t.len);
        size_t len = st->llen;
        while (len > 0 && cc_pp_is_blank((unsigned char)st->ltext[len - 1]))
            len--;
        truncate_logical(st, len);
        if (len == 0)
            continue;
        if (st->ltext[len - 1] == '\\')
            truncate_logical(st, len - 1);
        else
            finish_logical(st);
    }
    /* The file ended after a backslash: what came before it is a line. */
    size_t len = st->llen;
    while (len > 0 && cc_pp_is_blank((unsigned char)st->ltext[len - 1]))
        len--;
    if (len > 0) {
        truncate_logical(st, len);
        finish_logical(st);
    }
    cc_pp_cond_finish(&st->cond, st->d);
    cc_pp_text_free(&t);
}

static void
export(struct cc_pp_state *st, struct cc_lines *out)
{
    out->n = st->nlines;
    out->v = tern_alloc(st->a, st->nlines * sizeof *out->v);
    if (st->nlines)
        memcpy(out->v, st->lines, st->nlines * sizeof *out->v);
    out->n_defs = st->ndefs;
    out->defs = tern_alloc(st->a, st->ndefs * sizeof *out->defs);
    if (st->ndefs)
        memcpy(out->defs, st->defs, st->ndefs * sizeof *out->defs);
    out->n_files = st->files.n_seen;
    out->files = tern_alloc(st->a, st->files.n_seen * sizeof *out->files);
    for (size_t i = 0; i < st->files.n_seen; i++)
        out->files[i] = st->files.seen[i];
    cc_pp_macros_export(&st->macros, st->a, out);
}

static int
preprocess(struct tern_arena *a, const struct cc_preproc_opts *o,
           const char *text, struct cc_lines *out, struct tern_diags *d)
{
    struct cc_pp_state st = { .a = a, .d = d, .section = SEC_MAIN };
    unsigned errors = d->errors;

    memset(out, 0, sizeof *out);
    cc_pp_macros_builtin(&st.macros, a, o->schemas);
    cc_pp_macros_cmdline(&st.macros, a, o->defines, o->n_defines, d);

    const char *path = o->path ? o->path : "-";
    if (cc_pp_files_push(&st.files, a, path, text, NULL) != 0) {
        struct tern_srcpos p = { .file = path };
        tern_diag_add(d, TERN_ERROR_SEV, &p, NULL,
                      "cannot read configuration file: %s", strerror(errno));
    } else {
        run(&st);
    }

    export(&st, out);
    cc_pp_macros_free(&st.macros);
    cc_pp_cond_free(&st.cond);
    cc_pp_files_free(&st.files);
    free(st.ltext);
    free(st.segs);
    free(st.lines);
    free(st.defs);
    return d->errors > errors ? -1 : 0;
}

int
cc_preprocess(struct tern_arena *a, const struct cc_preproc_opts *o,
              struct cc_lines *out, struct tern_diags *d)
{
    return preprocess(a, o, NULL, out, d);
}

int
cc_preprocess_text(struct tern_arena *a, const struct cc_preproc_opts *o,
                   const char *text, struct cc_lines *out,
                   struct tern_diags *d)
{
    return preprocess(a, o, text ? text : "", out, d);
}

struct tern_srcpos
cc_line_pos(const struct cc_line *l, size_t off, unsigned len)
{
    if (l->n_segs == 0) {
        struct tern_srcpos p = l->pos;
        p.len = len;
        return p;
    }
    size_t lo = 0, hi = l->n_segs;          /* last seg with seg.off <= off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->segs[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    const struct cc_seg *s = &l->segs[lo];
    struct tern_srcpos p = s->pos;
    if (s->macro)
        return p;                           /* underline the macro name */

    size_t end = lo + 1 < l->n_segs ? l->segs[lo + 1].off : l->len;
    size_t rel = off > s->off ? off - s->off : 0;
    p.col = s->pos.col + (unsigned)rel;
    /* Do not underline past the end of this piece of the physical line. */
    if (off < end && len > end - off)
        len = (unsigned)(end - off);
    p.len = len;
    return p;
}
