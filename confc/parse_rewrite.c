/*
 * NAME
 *   parse_rewrite.c - the rewrite section and headers_rewrite rules
 *
 * DESCRIPTION
 *   A rewrite rule is `pattern replacement [flags]`; the pattern and the
 *   replacement may be quoted (then backslash escapes apply), and the
 *   flags are letters of Exim 4.96's set, blanks allowed between them:
 *   E F T b c f h r s t (what to rewrite), S (at SMTP time), Q q R w.
 *   A rule with the S flag must have a regular expression (^...) as its
 *   pattern.  The same rules, separated by colons, are the value of the
 *   transport option headers_rewrite, checked here as well.
 *
 * DIAGNOSTICS
 *   "missing rewrite replacement", "unknown rewrite flag 'z'" (with the
 *   hint that the replacement may need quotes, as Exim says), "rewrite
 *   rule has the S flag but its pattern is not a regular expression",
 *   "missing closing quote in rewrite rule", and the errors of the
 *   replacement, which is parsed as the expansion it is
 *   (expand_check.c; the plan keeps its text).
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "confc_int.h"
#include "list.h"

#define RW_FLAGS "EFTbcfhrstSQqRw"

/* A blank-delimited or quoted field of `s` at *i (blanks skipped). */
static char *
rw_field(struct cc_ctx *c, const char *s, size_t *i, int *bad_quote)
{
    size_t p = *i, used;
    char *out;

    while (s[p] == ' ' || s[p] == '\t')
        p++;
    *i = p;
    if (s[p] == '\0')
        return NULL;
    if (s[p] == '"') {
        out = cc_unquote(c, s + p, strlen(s + p), &used);
        if (out == NULL) {
            *bad_quote = 1;
            out = "";
        }
        *i = p + used;
        return out;
    }
    while (s[p] != '\0' && s[p] != ' ' && s[p] != '\t')
        p++;
    out = tern_strndup(c->a, s + *i, p - *i);
    *i = p;
    return out;
}

/* Parse one rule in `s`, whose byte 0 is at `base` of line `l` (or near
 * it, for list items).  0 with the parts, or -1 after reporting. */
static int
rw_rule(struct cc_ctx *c, const struct cc_line *l, size_t base,
        const char *s, struct tern_cfg_rewrite *out)
{
    size_t i = 0, at;
    int bad = 0;
    char *pat, *rep;

    pat = rw_field(c, s, &i, &bad);
    at = i;
    if (pat == NULL)
        return -1;
    if (bad) {
        cc_error(c, l, base, 1, NULL, "missing closing quote in rewrite "
                 "pattern");
        return -1;
    }
    size_t rep_at = at;
    while (s[rep_at] == ' ' || s[rep_at] == '\t')
        rep_at++;
    rep = rw_field(c, s, &i, &bad);
    if (rep == NULL) {
        cc_error(c, l, base + at, 1, "a rewrite rule is: pattern "
                 "replacement [flags]", "missing rewrite replacement");
        return -1;
    }
    if (bad) {
        cc_error(c, l, base + at, 1, NULL, "missing closing quote in "
                 "rewrite replacement");
        return -1;
    }
    const struct tern_exp *exp;
    if (cc_exp_value(c, l, base + rep_at, i - rep_at, s[rep_at] == '"', rep,
                     "the rewrite replacement", &exp) != 0)
        return -1;
    struct tern_buf fl = { 0 };
    tern_buf_add(&fl, "", 0);
    for (; s[i] != '\0'; i++) {
        if (s[i] == ' ' || s[i] == '\t')
            continue;
        if (strchr(RW_FLAGS, s[i]) == NULL) {
            cc_error(c, l, base + i, 1,
                     "flags are E F T b c f h r s t S Q q R w; a replacement "
                     "with blanks must be quoted",
                     "unknown rewrite flag '%c'", s[i]);
            tern_buf_free(&fl);
            return -1;
        }
        tern_buf_addc(&fl, s[i]);
    }
    if (strchr(fl.data, 'S') != NULL && pat[0] != '^') {
        cc_error(c, l, base, at, NULL, "rewrite rule has the S flag but its "
                 "pattern is not a regular expression (^...)");
        tern_buf_free(&fl);
        return -1;
    }
    out->pattern = pat;
    out->replacement = rep;
    out->flags = tern_strndup(c->a, fl.data, fl.len);
    tern_buf_free(&fl);
    return 0;
}

void
cc_rewrite_line(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    struct tern_cfg_rewrite rw;

    memset(&rw, 0, sizeof rw);
    if (rw_rule(c, l, off, l->text + off, &rw) != 0)
        return;
    rw.loc = cc_loc(c, l, off);
    *CC_PUSH(c, c->cfg->rewrites, c->cfg->n_rewrites, c->cap_rewrites) = rw;
}

void
cc_check_rewrite_list(struct cc_ctx *c, const struct cc_line *l, size_t off,
                      const char *text)
{
    struct tern_list_iter it;
    char item[4096];
    int too_long = 0;

    tern_list_start(&it, text, ':');
    for (;;) {
        const char *start = it.p;
        struct tern_cfg_rewrite rw;
        if (tern_list_next(&it, item, sizeof item, &too_long) == NULL)
            break;
        size_t at = off + (size_t)(start - text);
        while (text[at - off] == ' ' || text[at - off] == '\t')
            at++;
        if (item[0] != '\0')
            (void)rw_rule(c, l, at, item, &rw);
    }
}
