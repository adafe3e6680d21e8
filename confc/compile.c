/*
 * NAME
 *   compile.c - tern_compile(): from an Exim-style file to the model
 *
 * SYNOPSIS
 *   rc = tern_compile(arena, &opts, &cfg, &diags);
 *
 * DESCRIPTION
 *   Runs the preprocessor, then walks the logical lines once.  Lines up
 *   to the first `begin NAME` belong to the main section; each `begin`
 *   switches to the parser of its section (acl, routers, transports,
 *   retry, rewrite, authenticators).  A section may come in any order,
 *   but only once, as in Exim.  Every value that is expanded at run time
 *   is parsed into an expression on the way (expand_check.c), against
 *   what the installed schemas provide.  When every line has been read,
 *   the cross-references are checked (xref.c), the list of modules the
 *   configuration uses is filled in (core first, then in schema order),
 *   and the held-back diagnostics are handed over in file order.
 *
 *   Parsing never stops at an error: a bad line is reported and
 *   skipped, so one run reports everything that is wrong.  After an
 *   unknown section name the lines up to the next `begin` are skipped
 *   without further complaint, since they cannot be understood.
 *
 * DIAGNOSTICS
 *   "unknown section 'X'", "section 'X' appears twice", "'begin' needs
 *   a section name", plus whatever the section parsers report.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "confc_int.h"

static const struct {
    const char *name;
    int sec;
} sections[] = {
    { "acl", CC_SEC_ACL },
    { "routers", CC_SEC_ROUTERS },
    { "transports", CC_SEC_TRANSPORTS },
    { "retry", CC_SEC_RETRY },
    { "rewrite", CC_SEC_REWRITE },
    { "authenticators", CC_SEC_AUTHS },
};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

const char *
cc_kind_noun(unsigned kind)
{
    return kind == CC_ROUTER ? "router"
         : kind == CC_TRANSPORT ? "transport" : "authenticator";
}

const char *
cc_kind_scope(unsigned kind)
{
    return kind == CC_ROUTER ? "router"
         : kind == CC_TRANSPORT ? "transport" : "auth";
}

/* Close whatever the current section has open (an instance, an ACL). */
static void
end_section(struct cc_ctx *c)
{
    switch (c->section) {
    case CC_SEC_ROUTERS:
    case CC_SEC_TRANSPORTS:
    case CC_SEC_AUTHS:
        cc_driver_end(c);
        break;
    case CC_SEC_ACL:
        cc_acl_end(c);
        break;
    default:
        break;
    }
}

/* `begin NAME` at `off`?  Returns 1 and handles it. */
static int
begin_line(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    const char *t = l->text;
    size_t wl = cc_word_len(t, off), n_off, n_len, rest;
    const char *names[N_SECTIONS];

    if (wl != 5 || strncasecmp(t + off, "begin", 5) != 0 ||
        (t[off + 5] != '\0' && t[off + 5] != ' ' && t[off + 5] != '\t'))
        return 0;
    end_section(c);
    n_off = cc_skip_blanks(t, off + 5);
    n_len = 0;
    while (t[n_off + n_len] != '\0' && t[n_off + n_len] != ' ' &&
           t[n_off + n_len] != '\t')
        n_len++;
    if (n_len == 0) {
        cc_error(c, l, off, 5, NULL, "'begin' needs a section name (acl, "
                 "routers, transports, retry, rewrite or authenticators)");
        c->section = CC_SEC_SKIP;
        return 1;
    }
    rest = cc_skip_blanks(t, n_off + n_len);
    if (t[rest] != '\0')
        cc_error(c, l, rest, l->len - rest, NULL,
                 "extra characters after 'begin %.*s'", (int)n_len,
                 t + n_off);
    char *name = cc_strn(c, l, n_off, n_len);
    for (size_t i = 0; i < N_SECTIONS; i++) {
        names[i] = sections[i].name;
        if (strcasecmp(name, sections[i].name) != 0)
            continue;
        int sec = sections[i].sec;
        const struct cc_line *first = c->section_seen[sec];
        if (first != NULL) {
            struct tern_cfg_loc loc = cc_loc(c, first, 0);
            cc_error(c, l, n_off, n_len,
                     tern_printf(c->a, "the first 'begin %s' is at %s",
                                 sections[i].name, cc_where(c, &loc)),
                     "section '%s' appears twice", sections[i].name);
        } else {
            c->section_seen[sec] = l;
        }
        c->section = sec;
        return 1;
    }
    const char *hint = cc_did_you_mean(c, cc_closest(name, names,
                                                     N_SECTIONS));
    if (strcasecmp(name, "local_scan") == 0)
        hint = "Tern has no local_scan() interface; its options cannot "
               "be used";
    else if (hint == NULL)
        hint = "sections are acl, routers, transports, retry, rewrite and "
               "authenticators";
    cc_error(c, l, n_off, n_len, hint, "unknown section '%s'", name);
    c->section = CC_SEC_SKIP;
    return 1;
}

static void
parse_lines(struct cc_ctx *c)
{
    for (size_t i = 0; i < c->lines->n; i++) {
        const struct cc_line *l = &c->lines->v[i];
        size_t off = cc_skip_blanks(l->text, 0);

        if (off >= l->len || l->text[off] == '\0')
            continue;
        if (begin_line(c, l, off))
            continue;
        switch (c->section) {
        case CC_SEC_MAIN:
            cc_main_line(c, l, off);
            break;
        case CC_SEC_ACL:
            cc_acl_line(c, l, off);
            break;
        case CC_SEC_ROUTERS:
            cc_driver_line(c, CC_ROUTER, l, off);
            break;
        case CC_SEC_TRANSPORTS:
            cc_driver_line(c, CC_TRANSPORT, l, off);
            break;
        case CC_SEC_AUTHS:
            cc_driver_line(c, CC_AUTH, l, off);
            break;
        case CC_SEC_RETRY:
            cc_retry_line(c, l, off);
            break;
        case CC_SEC_REWRITE:
            cc_rewrite_line(c, l, off);
            break;
        default:
            break;              /* after an unknown section */
        }
    }
    end_section(c);
}

/* core first, then every used module in schema order. */
static void
fill_modules(struct cc_ctx *c)
{
    struct tern_config *cfg = c->cfg;
    const struct tern_schema_set *set = c->set;
    size_t cap = 0;

    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < set->n; i++) {
            const struct tern_schema *s = set->schemas[i];
            int is_core = strcmp(s->module, "core") == 0;
            int used = 0;

            if (is_core != (pass == 0))
                continue;
            for (size_t j = 0; j < c->n_used && !used; j++)
                used = c->used[j] == s;
            if (!is_core && !used)
                continue;
            struct tern_cfg_module *m =
                CC_PUSH(c, cfg->modules, cfg->n_modules, cap);
            m->name = s->module;
            m->version = s->version;
            m->schema_hash = s->hash;
        }
    }
}

int
tern_compile(struct tern_arena *a, const struct tern_compile_opts *o,
             struct tern_config *out, struct tern_diags *d)
{
    struct cc_preproc_opts po;
    struct cc_lines lines;
    struct cc_ctx c;
    unsigned errors_before = d->errors;

    memset(out, 0, sizeof *out);
    memset(&lines, 0, sizeof lines);
    memset(&po, 0, sizeof po);
    po.path = o->config_path;
    po.schemas = o->schemas;
    po.defines = o->defines;
    po.n_defines = o->n_defines;
    (void)cc_preprocess(a, &po, &lines, d);

    memset(&c, 0, sizeof c);
    c.a = a;
    c.set = o->schemas;
    c.lines = &lines;
    c.cfg = out;
    c.d = d;
    c.section = CC_SEC_MAIN;

    out->source = tern_strdup(a, o->config_path);
    out->files = lines.files;
    out->n_files = lines.n_files;
    out->macros = lines.macros;
    out->n_macros = lines.n_macros;

    cc_exp_init(&c);
    parse_lines(&c);
    cc_xref_check(&c);
    fill_modules(&c);
    cc_flush_diags(&c);
    return d->errors > errors_before ? -1 : 0;
}
