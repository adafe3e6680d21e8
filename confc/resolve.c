/*
 * NAME
 *   resolve.c - options: finding them in the schemas, parsing their values
 *
 * SYNOPSIS
 *   struct cc_setting s;
 *   if (cc_read_setting(c, line, off, &s) == 0)
 *       cc_apply_setting(c, scopes, &s, "router 'x'", 0, &arr, &n, &cap);
 *
 * DESCRIPTION
 *   An option is looked up in the scopes the caller gives, most specific
 *   first ("router:redirect", then "router"), among the installed
 *   schemas only; a module that adds options to another module's driver
 *   (arc to transport:smtp) counts only while it is installed itself.
 *   Router preconditions that a module provides (bmi_rule) are options of
 *   the generic router scope.
 *
 *   Booleans are written `name`, `no_name`, `not_name` or `name = true`
 *   (false, yes, no); the prefixed form takes no value.  Values of string
 *   and list types may be quoted as Exim allows ("...", with escapes).
 *   A value of a numeric or boolean type whose option is expanded at run
 *   time and that contains `$` is an expansion: it is kept as text.
 *   Everything else is parsed by type (optval.c), and errors point at the
 *   offending character.  The value of every option the schema marks
 *   `expand` (numbers and booleans: only those kept as text) is then
 *   parsed as an expansion (expand_check.c), which reports errors at the
 *   character at fault inside the string.
 *
 *   An option set twice is an error unless the schema marks it `multi`;
 *   then the settings are joined: with newlines for headers_add, else as
 *   one list, in the separator of the first setting (`;` for the router
 *   option `set`, whose items are separated by semicolons).
 *
 * DIAGNOSTICS
 *   "unknown option 'X'" with "did you mean 'Y'?"; "option 'X' is
 *   provided by module M, which is not installed" with the package to
 *   install; "'no_' applies only to boolean options"; "option 'X' needs
 *   a value"; "invalid value for option 'X': ..."; "option 'X' is set
 *   more than once" with where it was first set; a warning for options
 *   the schema marks deprecated; "invalid expansion in option 'X' [of
 *   router 'r']: ..." (expand_check.c).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <tern/option.h>
#include "arena.h"
#include "confc_int.h"
#include "optval.h"

struct found {
    const struct tern_schema *owner;
    const char *name;
    unsigned type, flags;
};

static int
schema_installed(const struct tern_schema_set *set,
                 const struct tern_schema *s)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->schemas[i] == s)
            return set->installed == NULL || set->installed[i];
    }
    return 0;
}

static int
has_router_scope(const char *const *scopes)
{
    for (size_t i = 0; scopes[i] != NULL; i++) {
        if (strcmp(scopes[i], "router") == 0)
            return 1;
    }
    return 0;
}

/* A router precondition provided by `s` under `name`, as an option. */
static void
precondition(const struct tern_schema *s, const char *name, struct found *f)
{
    f->owner = s;
    f->name = name;
    f->type = TERN_T_STRING;
    f->flags = TERN_F_EXPAND;
    for (size_t j = 0; j < s->n_provides; j++) {
        const struct tern_schema_provide *p = &s->provides[j];
        if (strcmp(p->kind, "router_precondition") == 0 &&
            strcmp(p->name, name) == 0) {
            unsigned t = p->args ? tern_type_from_name(p->args) : 0;
            if (t != 0)
                f->type = t;
            if (t == TERN_T_BOOL)
                f->flags = 0;
        }
    }
}

static int
lookup(struct cc_ctx *c, const char *const *scopes, const char *name,
       int installed, struct found *f)
{
    for (size_t i = 0; scopes[i] != NULL; i++) {
        const struct tern_schema *owner = NULL;
        const struct tern_schema_option *o =
            installed
                ? tern_schema_find_option(c->set, scopes[i], name, &owner)
                : tern_schema_find_uninstalled_option(c->set, scopes[i],
                                                      name, &owner);
        if (o != NULL) {
            f->owner = owner;
            f->name = o->name;
            f->type = o->type;
            f->flags = o->flags;
            return 1;
        }
    }
    if (has_router_scope(scopes)) {
        const struct tern_schema *s =
            tern_schema_find_provider(c->set, "router_precondition", name,
                                      !installed);
        if (s != NULL && schema_installed(c->set, s) == installed) {
            precondition(s, name, f);
            return 1;
        }
    }
    return 0;
}

/* "no_x" / "not_x": the length of the prefix, else 0. */
static size_t
neg_prefix(const char *name)
{
    if (strncmp(name, "no_", 3) == 0 && name[3] != '\0')
        return 3;
    if (strncmp(name, "not_", 4) == 0 && name[4] != '\0')
        return 4;
    return 0;
}

static const char *
install_hint(struct cc_ctx *c, const struct tern_schema *s)
{
    if (s->package != NULL)
        return tern_printf(c->a, "install package %s", s->package);
    return tern_printf(c->a, "install the %s module", s->module);
}

/* A hint for an option that exists, but in another kind of section. */
static const char *
elsewhere_hint(struct cc_ctx *c, const char *const *scopes,
               const char *name)
{
    static const char *const generic[] = { "main", "router", "transport",
                                           "auth" };
    static const char *const where[] = {
        "a main-section option (set it before the first 'begin')",
        "a generic router option", "a generic transport option",
        "a generic authenticator option" };

    for (size_t i = 0; i < 4; i++) {
        int mine = 0;
        for (size_t j = 0; scopes[j] != NULL; j++)
            mine |= strcmp(scopes[j], generic[i]) == 0;
        if (!mine && tern_schema_find_option(c->set, generic[i], name, NULL))
            return tern_printf(c->a, "'%s' is %s", name, where[i]);
    }
    return NULL;
}

static void
report_unknown(struct cc_ctx *c, const char *const *scopes,
               const char *name, const struct cc_setting *s,
               const char *who)
{
    struct found f;
    size_t np = neg_prefix(name);
    const char *in = who ? tern_printf(c->a, " in %s", who) : "";

    if (lookup(c, scopes, name, 0, &f) ||
        (np && lookup(c, scopes, name + np, 0, &f))) {
        cc_error(c, s->line, s->name_off, s->name_len,
                 install_hint(c, f.owner),
                 "option '%s' is provided by module %s, which is not "
                 "installed", f.name, f.owner->module);
        return;
    }
    const char *sugg = tern_schema_suggest_option(c->set, scopes[0], name);
    if (sugg == NULL && np) {
        const char *s2 = tern_schema_suggest_option(c->set, scopes[0],
                                                    name + np);
        if (s2 != NULL)
            sugg = tern_printf(c->a, "%.*s%s", (int)np, name, s2);
    }
    if (sugg == NULL && has_router_scope(scopes))
        sugg = tern_schema_suggest_provide(c->set, "router_precondition",
                                           name);
    const char *hint = cc_did_you_mean(c, sugg);
    if (hint == NULL)
        hint = elsewhere_hint(c, scopes, np ? name + np : name);
    cc_error(c, s->line, s->name_off, s->name_len, hint,
             "unknown option '%s'%s", name, in);
}

static int
quotable(unsigned type)
{
    return type >= TERN_T_STRING && type <= TERN_T_MAX;
}

/* Types whose text optval.c parses (rather than keeps). */
static int
parsed_type(unsigned type)
{
    switch (type) {
    case TERN_T_BOOL: case TERN_T_INT: case TERN_T_MKINT:
    case TERN_T_OCTINT: case TERN_T_TIME: case TERN_T_TIMELIST:
    case TERN_T_FIXED: case TERN_T_UID: case TERN_T_GID:
    case TERN_T_UIDLIST: case TERN_T_GIDLIST:
        return 1;
    default:
        return 0;
    }
}

/* Parse the value of `s` for option `f`; 0 or -1 after reporting. */
static int
parse_value(struct cc_ctx *c, const struct cc_setting *s,
            const struct found *f, int negated, const char *written,
            struct tern_value *v, int *was_quoted)
{
    const char *t = s->line->text;
    const char *text;
    const char *err = NULL;
    unsigned err_col = 0;
    int quoted = 0;

    memset(v, 0, sizeof *v);
    v->type = f->type;
    if (!s->has_value) {
        if (f->type != TERN_T_BOOL) {
            cc_error(c, s->line, s->name_off, s->name_len, NULL,
                     "option '%s' needs a value ('%s = ...')", f->name,
                     f->name);
            return -1;
        }
        v->is_set = 1;
        v->num = !negated;
        v->text = negated ? "false" : "true";
        return 0;
    }
    if (negated) {
        cc_error(c, s->line, s->name_off, s->name_len, NULL,
                 "'%s' takes no value (write '%s = ...' or '%s' alone)",
                 written, f->name, written);
        return -1;
    }
    if (quotable(f->type) && s->value_len > 0 && t[s->value_off] == '"') {
        text = cc_dequote(c, s->line, s->value_off, s->value_len,
                          tern_printf(c->a, "value of '%s'", f->name),
                          NULL);
        if (text == NULL)
            return -1;
        quoted = 1;
        *was_quoted = 1;
    } else {
        text = cc_strn(c, s->line, s->value_off, s->value_len);
    }
    if (parsed_type(f->type) && (f->flags & TERN_F_EXPAND) &&
        strchr(text, '$') != NULL) {
        v->is_set = 1;
        v->text = text;
        return 0;
    }
    if (tern_optval_parse(c->a, f->type, text, 0, v, &err, &err_col) != 0) {
        size_t at = quoted ? s->value_off : s->value_off + err_col;
        size_t len = quoted || err_col >= s->value_len
                         ? s->value_len : s->value_len - err_col;
        if (at > s->line->len)
            at = s->line->len;
        cc_error(c, s->line, at, len, NULL,
                 "invalid value for option '%s': %s", f->name,
                 err ? err : "bad value");
        return -1;
    }
    v->is_set = 1;
    return 0;
}

static char
list_sep(const char *name, const char *first)
{
    if (strcmp(name, "headers_add") == 0)
        return '\n';
    if (first != NULL && first[0] == '<' && ispunct((unsigned char)first[1]))
        return first[1];
    return strcmp(name, "set") == 0 ? ';' : ':';
}

/* A second setting of a `multi` option: append its value. */
static void
join_value(struct cc_ctx *c, struct tern_cfg_option *o,
           const struct tern_value *v)
{
    const char *old = o->value.text ? o->value.text : "";
    const char *add = v->text ? v->text : "";
    char sep = list_sep(o->name, old);

    if (sep != '\n' && add[0] == '<' && add[1] == sep)
        add += 2;
    while (*add == ' ' || *add == '\t')
        add++;
    if (*old == '\0')
        o->value.text = tern_strdup(c->a, add);
    else if (sep == '\n' || sep == ';' || *add == '\0')
        o->value.text = tern_printf(c->a, "%s%c%s", old, sep, add);
    else
        o->value.text = tern_printf(c->a, "%s %c %s", old, sep, add);
}

/* Is the value of `f` an expansion?  Every value of an option the schema
 * marks `expand`, except that numbers and booleans are expansions only
 * when they contain `$` (otherwise optval.c has parsed them). */
static int
expanded(const struct found *f, const struct tern_value *v)
{
    if (!(f->flags & TERN_F_EXPAND) || v->text == NULL)
        return 0;
    return !parsed_type(f->type) || strchr(v->text, '$') != NULL;
}

/* After a `multi` setting was joined to the earlier ones: the joined
 * text is one expansion (each part has been checked where it was
 * written; should the joined text not parse, the error is shown at the
 * setting that was added last). */
static void
join_exp(struct cc_ctx *c, struct tern_cfg_option *o,
         const struct cc_setting *s)
{
    struct tern_exp_error err;

    if (!(o->flags & TERN_F_EXPAND))
        return;
    o->exp = cc_exp_parse(c, o->value.text, &err);
    if (o->exp == NULL && err.msg != NULL)
        cc_error(c, s->line, s->value_off, s->value_len, NULL,
                 "invalid expansion in option '%s' after joining its "
                 "settings: %s", o->name, err.msg);
}

void
cc_apply_setting(struct cc_ctx *c, const char *const *scopes,
                 const struct cc_setting *s, const char *who,
                 int quiet_unknown, struct tern_cfg_option **arr,
                 size_t *n, size_t *cap)
{
    char *name = cc_strn(c, s->line, s->name_off, s->name_len);
    struct found f;
    struct tern_value v;
    const struct tern_exp *exp = NULL;
    int negated = 0, quoted = 0;
    size_t np;

    if (!lookup(c, scopes, name, 1, &f)) {
        np = neg_prefix(name);
        if (np == 0 || !lookup(c, scopes, name + np, 1, &f)) {
            if (!quiet_unknown)
                report_unknown(c, scopes, name, s, who);
            return;
        }
        if (f.type != TERN_T_BOOL) {
            cc_error(c, s->line, s->name_off, np, NULL,
                     "'%.*s' applies only to boolean options; '%s' is of "
                     "type %s", (int)np, name, f.name,
                     tern_type_name(f.type) ? tern_type_name(f.type) : "?");
            return;
        }
        negated = 1;
    }
    if (parse_value(c, s, &f, negated, name, &v, &quoted) != 0)
        return;
    if (expanded(&f, &v)) {
        const char *what = who ? tern_printf(c->a, "option '%s' of %s",
                                             f.name, who)
                               : tern_printf(c->a, "option '%s'", f.name);
        if (cc_exp_value(c, s->line, s->value_off, s->value_len, quoted,
                         v.text, what, &exp) != 0)
            return;
    } else if (strcmp(f.name, "set") == 0 && has_router_scope(scopes) &&
               v.text != NULL) {
        cc_exp_router_set(c, s->line, s->value_off, s->value_len, quoted,
                          v.text, who ? who : "a router");
    }

    for (size_t i = 0; i < *n; i++) {
        struct tern_cfg_option *o = &(*arr)[i];
        if (strcmp(o->name, f.name) != 0)
            continue;
        if (f.flags & TERN_F_MULTI) {
            join_value(c, o, &v);
            join_exp(c, o, s);
            return;
        }
        cc_error(c, s->line, s->name_off, s->name_len,
                 tern_printf(c->a, "it was first set at %s",
                             cc_where(c, &o->loc)),
                 "option '%s' is set more than once%s", f.name,
                 who ? tern_printf(c->a, " in %s", who) : "");
        return;
    }
    if (f.flags & TERN_F_DEPRECATED)
        cc_diag(c, TERN_WARNING, s->line, s->name_off, s->name_len, NULL,
                "option '%s' is deprecated", f.name);

    struct tern_cfg_option *o = CC_PUSH(c, *arr, *n, *cap);
    o->name = f.name;
    o->module = f.owner->module;
    o->value = v;
    o->flags = f.flags | (s->hide ? TERN_F_SECRET : 0);
    o->loc = cc_loc(c, s->line, s->name_off);
    o->exp = exp;
    cc_use_module(c, f.owner);
    cc_xref_option(c, o, who, s->line, s->value_off, s->value_len);
    if (f.type == TERN_T_REWRITE && v.text != NULL)
        cc_check_rewrite_list(c, s->line, s->value_off, v.text);
}

int
cc_read_setting(struct cc_ctx *c, const struct cc_line *l, size_t off,
                struct cc_setting *out)
{
    const char *t = l->text;
    size_t wl = cc_word_len(t, off), p;

    memset(out, 0, sizeof *out);
    out->line = l;
    if (wl == 4 && strncmp(t + off, "hide", 4) == 0 &&
        (t[off + 4] == ' ' || t[off + 4] == '\t')) {
        size_t n = cc_skip_blanks(t, off + 4);
        if (cc_word_len(t, n) > 0) {
            out->hide = 1;
            off = n;
            wl = cc_word_len(t, off);
        }
    }
    if (wl == 0) {
        cc_error(c, l, off, 1, NULL, "expected an option name, found '%c'",
                 t[off]);
        return -1;
    }
    out->name_off = off;
    out->name_len = wl;
    p = cc_skip_blanks(t, off + wl);
    if (t[p] == '\0')
        return 0;
    if (t[p] != '=') {
        cc_error(c, l, p, 1, NULL, "expected '=' after option name '%.*s'",
                 (int)wl, t + off);
        return -1;
    }
    out->has_value = 1;
    out->value_off = p + 1;
    cc_trim(l, &out->value_off, &out->value_len);
    return 0;
}
