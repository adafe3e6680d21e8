/*
 * NAME
 *   parse_acl.c - the acl section
 *
 * DESCRIPTION
 *   `name:` starts an ACL.  A line whose first word is a verb (accept,
 *   defer, deny, discard, drop, require, warn) starts a statement; the
 *   rest of that line and the lines that follow hold its conditions and
 *   modifiers, `[!]name = value`, one per line.  Conditions and modifiers
 *   are those the installed schemas provide (`provides acl_condition`,
 *   `provides acl_modifier`); only conditions may be negated.  Two
 *   modifiers have their own shape: `endpass` takes no value (and is
 *   allowed only with accept and discard), and `set` names an ACL
 *   variable first: `set acl_m_name = value` (stored as the item's value,
 *   "acl_m_name = value", as written).
 *
 *   Values are kept as text, and parsed as expansions (expand_check.c):
 *   Exim expands every value but that of `control`, lists as a whole.
 *   Those without `$` are also checked where they name something: a
 *   `control` must be one an installed module provides, a `verify` one
 *   Exim knows (`verify = arc` needs the arc module), an `acl` condition
 *   an ACL of this section, and `+name` items of domains, hosts,
 *   local_parts, senders, recipients and sender_domains a named list of
 *   the right kind.
 *
 * DIAGNOSTICS
 *   "unknown ACL verb 'X'", "unknown ACL condition or modifier 'X'",
 *   "ACL condition 'X' is provided by module M, which is not installed",
 *   "'=' missing after 'X'", "modifier 'X' cannot be negated", "unknown
 *   ACL control 'X'", "unknown verify type 'X'", "duplicate ACL name
 *   'x'", "'endpass' is allowed only with accept and discard",
 *   "invalid expansion in ACL condition 'X': ..." (expand_check.c).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "confc_int.h"

static const char *const verbs[] = {
    "accept", "defer", "deny", "discard", "drop", "require", "warn"
};
static const unsigned verb_codes[] = {
    TERN_ACL_ACCEPT, TERN_ACL_DEFER, TERN_ACL_DENY, TERN_ACL_DISCARD,
    TERN_ACL_DROP, TERN_ACL_REQUIRE, TERN_ACL_WARN
};
#define N_VERBS (sizeof verbs / sizeof verbs[0])

static const char *const verify_types[] = {
    "sender", "recipient", "helo", "header_syntax", "header_sender",
    "header_names_ascii", "not_blind", "reverse_host_lookup",
    "certificate", "csa", "arc"
};
#define N_VERIFY (sizeof verify_types / sizeof verify_types[0])

static unsigned
find_verb(const char *t, size_t len)
{
    for (size_t i = 0; i < N_VERBS; i++) {
        if (strlen(verbs[i]) == len && strncmp(t, verbs[i], len) == 0)
            return verb_codes[i];
    }
    return 0;
}

static struct tern_cfg_acl *
cur_acl(struct cc_ctx *c)
{
    return c->cfg->n_acls ? &c->cfg->acls[c->cfg->n_acls - 1] : NULL;
}

static struct tern_cfg_acl_stmt *
cur_stmt(struct cc_ctx *c)
{
    struct tern_cfg_acl *acl = cur_acl(c);

    if (!c->have_stmt || acl == NULL || acl->n_stmts == 0)
        return NULL;
    return &acl->stmts[acl->n_stmts - 1];
}

static const char *
install_hint(struct cc_ctx *c, const struct tern_schema *s)
{
    return s->package ? tern_printf(c->a, "install package %s", s->package)
                      : tern_printf(c->a, "install the %s module",
                                    s->module);
}

static void
unknown_verb(struct cc_ctx *c, const struct cc_line *l, size_t off,
             size_t wl)
{
    char *w = cc_strn(c, l, off, wl);
    const char *hint = cc_did_you_mean(c, cc_closest(w, verbs, N_VERBS));

    if (hint == NULL)
        hint = "ACL verbs are accept, defer, deny, discard, drop, require "
               "and warn";
    cc_error(c, l, off, wl, hint, "unknown ACL verb '%s'", w);
}

/* `control = NAME[/options]`: NAME must be provided by a module. */
static const struct tern_schema *
check_control(struct cc_ctx *c, const struct cc_line *l, size_t off,
              const char *value)
{
    size_t n = strcspn(value, "/ \t");
    char *name = tern_strndup(c->a, value, n);
    const struct tern_schema *p;

    if (n == 0) {
        cc_error(c, l, off, 1, NULL, "'control' needs the name of a control");
        return NULL;
    }
    p = tern_schema_find_provider(c->set, "acl_control", name, 0);
    if (p != NULL)
        return p;
    p = tern_schema_find_provider(c->set, "acl_control", name, 1);
    if (p != NULL)
        cc_error(c, l, off, n, install_hint(c, p),
                 "ACL control '%s' is provided by module %s, which is not "
                 "installed", name, p->module);
    else
        cc_error(c, l, off, n,
                 cc_did_you_mean(c, tern_schema_suggest_provide(
                                        c->set, "acl_control", name)),
                 "unknown ACL control '%s'", name);
    return NULL;
}

/* `verify = TYPE[/options]` (sender may be followed by =address). */
static const struct tern_schema *
check_verify(struct cc_ctx *c, const struct cc_line *l, size_t off,
             const char *value)
{
    size_t n = strcspn(value, "/= \t");
    char *name = tern_strndup(c->a, value, n);
    const struct tern_schema *p;
    size_t i;

    for (i = 0; i < N_VERIFY; i++) {
        if (strcmp(name, verify_types[i]) == 0)
            break;
    }
    if (i == N_VERIFY) {
        cc_error(c, l, off, n ? n : 1,
                 cc_did_you_mean(c, cc_closest(name, verify_types,
                                               N_VERIFY)),
                 "unknown verify type '%s'", name);
        return NULL;
    }
    if (strcmp(name, "arc") != 0)
        return NULL;
    p = tern_schema_find_provider(c->set, "acl_condition", "verify_arc", 0);
    if (p != NULL)
        return p;
    p = tern_schema_find_provider(c->set, "acl_condition", "verify_arc", 1);
    cc_error(c, l, off, n, p ? install_hint(c, p) : NULL,
             "'verify = arc' needs the arc module, which is not installed");
    return NULL;
}

/* Condition-specific checks of a value without expansions. */
static void
check_value(struct cc_ctx *c, struct tern_cfg_acl_item *it,
            const struct cc_line *l, size_t v_off, size_t v_len)
{
    static const struct { const char *cond; unsigned kind; } lists[] = {
        { "domains", TERN_LIST_DOMAIN }, { "hosts", TERN_LIST_HOST },
        { "local_parts", TERN_LIST_LOCALPART },
        { "senders", TERN_LIST_ADDRESS }, { "recipients", TERN_LIST_ADDRESS },
        { "sender_domains", TERN_LIST_DOMAIN },
    };
    const char *v = it->value;
    const struct tern_schema *p;

    if (v == NULL || strchr(v, '$') != NULL)
        return;
    if (strcmp(it->name, "control") == 0) {
        if ((p = check_control(c, l, v_off, v)) != NULL) {
            it->module = p->module;
            cc_use_module(c, p);
        }
    } else if (strcmp(it->name, "verify") == 0) {
        if ((p = check_verify(c, l, v_off, v)) != NULL) {
            it->module = p->module;
            cc_use_module(c, p);
        }
    } else if (strcmp(it->name, "acl") == 0) {
        size_t n = strcspn(v, " \t");
        if (n > 0)
            cc_xref_add(c, CC_XREF_ACL, 0, tern_strndup(c->a, v, n),
                        tern_printf(c->a, "condition 'acl'"), l, v_off, n);
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (strcmp(it->name, lists[i].cond) == 0)
            cc_xref_list_refs(c, lists[i].kind, v,
                              tern_printf(c->a, "condition '%s'", it->name),
                              l, v_off, v_len);
    }
}

/* Exim expands the value of every ACL condition and modifier before it
 * uses it (lists as a whole, before they are split), except `control`,
 * whose value is a name with options, and `endpass`, which has none;
 * `set` expands what follows its `=`. */
static void
parse_expansion(struct cc_ctx *c, struct tern_cfg_acl_item *it,
                const struct cc_line *l, int is_cond, size_t v_off,
                size_t v_len)
{
    const char *text = it->value;
    size_t off = v_off, len = v_len;

    if (text == NULL || strcmp(it->name, "control") == 0)
        return;
    if (strcmp(it->name, "set") == 0) {
        const char *eq = strchr(text, '=');
        if (eq == NULL)
            return;
        size_t skip = (size_t)(eq + 1 - text);
        skip = cc_skip_blanks(text, skip);
        text += skip;
        off += skip;
        len -= skip;
    }
    (void)cc_exp_value(c, l, off, len, 0, text,
                       tern_printf(c->a, "ACL %s '%s'",
                                   is_cond ? "condition" : "modifier",
                                   it->name),
                       &it->exp);
}

/* `set acl_x = value`: checks the variable; 0 with the value span. */
static int
set_value(struct cc_ctx *c, const struct cc_line *l, size_t after,
          size_t *v_off, size_t *v_len)
{
    const char *t = l->text;
    size_t vl = cc_word_len(t, after), eq;

    if (vl < 6 || strncmp(t + after, "acl_", 4) != 0 ||
        (t[after + 4] != 'c' && t[after + 4] != 'm') ||
        !(isdigit((unsigned char)t[after + 5]) || t[after + 5] == '_')) {
        cc_error(c, l, after, vl ? vl : 1,
                 "ACL variables are named acl_c or acl_m followed by a "
                 "digit or '_' (acl_c0, acl_m_count)",
                 "invalid variable name after 'set'");
        return -1;
    }
    eq = cc_skip_blanks(t, after + vl);
    if (t[eq] != '=') {
        cc_error(c, l, eq, 1, NULL, "'=' missing after 'set %.*s'", (int)vl,
                 t + after);
        return -1;
    }
    *v_off = after;
    cc_trim(l, v_off, v_len);
    return 0;
}

static void
unknown_item(struct cc_ctx *c, const struct cc_line *l, size_t p, size_t wl,
             const char *name, int neg, size_t after)
{
    const struct tern_schema *s =
        tern_schema_find_provider(c->set, "acl_condition", name, 1);
    const char *what = "condition";

    if (s == NULL) {
        s = tern_schema_find_provider(c->set, "acl_modifier", name, 1);
        what = "modifier";
    }
    if (s != NULL) {
        cc_error(c, l, p, wl, install_hint(c, s),
                 "ACL %s '%s' is provided by module %s, which is not "
                 "installed", what, name, s->module);
        return;
    }
    if (!neg && l->text[after] != '=') {
        unknown_verb(c, l, p, wl);
        return;
    }
    const char *sugg = tern_schema_suggest_provide(c->set, "acl_condition",
                                                   name);
    if (sugg == NULL)
        sugg = tern_schema_suggest_provide(c->set, "acl_modifier", name);
    cc_error(c, l, p, wl, cc_did_you_mean(c, sugg),
             "unknown ACL condition or modifier '%s'", name);
}

/* One `[!]name = value` of the current statement, starting at `off`. */
static void
parse_item(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    const char *t = l->text;
    struct tern_cfg_acl_stmt *st = cur_stmt(c);
    size_t p = off, wl, after, v_off = 0, v_len = 0;
    int neg = 0, is_cond = 1;

    if (t[p] == '!') {
        neg = 1;
        p = cc_skip_blanks(t, p + 1);
    }
    wl = cc_word_len(t, p);
    if (wl == 0) {
        cc_error(c, l, p, 1, NULL, "expected an ACL condition or modifier");
        return;
    }
    char *name = cc_strn(c, l, p, wl);
    after = cc_skip_blanks(t, p + wl);
    const struct tern_schema *prov =
        tern_schema_find_provider(c->set, "acl_condition", name, 0);
    if (prov == NULL) {
        prov = tern_schema_find_provider(c->set, "acl_modifier", name, 0);
        is_cond = 0;
    }
    if (prov == NULL) {
        unknown_item(c, l, p, wl, name, neg, after);
        return;
    }
    if (neg && !is_cond) {
        cc_error(c, l, off, p + wl - off, NULL,
                 "modifier '%s' cannot be negated", name);
        return;
    }
    if (strcmp(name, "endpass") == 0) {
        if (t[after] != '\0') {
            cc_error(c, l, after, l->len - after, NULL,
                     "'endpass' takes no value");
            return;
        }
        if (st->verb != TERN_ACL_ACCEPT && st->verb != TERN_ACL_DISCARD)
            cc_error(c, l, p, wl, NULL,
                     "'endpass' is allowed only with accept and discard");
    } else if (strcmp(name, "set") == 0) {
        if (set_value(c, l, after, &v_off, &v_len) != 0)
            return;
    } else if (t[after] != '=') {
        cc_error(c, l, after, 1, NULL, "'=' missing after '%s'", name);
        return;
    } else {
        v_off = after + 1;
        cc_trim(l, &v_off, &v_len);
    }
    struct tern_cfg_acl_item *it =
        CC_PUSH(c, st->items, st->n_items, c->cap_items);
    it->name = name;
    it->value = strcmp(name, "endpass") == 0 ? NULL
                                                : cc_strn(c, l, v_off, v_len);
    it->module = prov->module;
    it->negated = neg;
    it->loc = cc_loc(c, l, off);
    cc_use_module(c, prov);
    check_value(c, it, l, v_off, v_len);
    parse_expansion(c, it, l, is_cond, v_off, v_len);
}

static void
start_acl(struct cc_ctx *c, const struct cc_line *l, size_t off, size_t wl,
          size_t colon)
{
    struct tern_config *cfg = c->cfg;
    const char *t = l->text;
    size_t rest = cc_skip_blanks(t, colon + 1);
    char *name = cc_strn(c, l, off, wl);

    if (t[rest] != '\0')
        cc_error(c, l, rest, l->len - rest,
                 "statements go on the lines after the ACL name",
                 "extra characters after '%s:'", name);
    for (size_t i = 0; i < cfg->n_acls; i++) {
        if (strcmp(cfg->acls[i].name, name) == 0) {
            cc_error(c, l, off, wl,
                     tern_printf(c->a, "the first is at %s",
                                 cc_where(c, &cfg->acls[i].loc)),
                     "duplicate ACL name '%s'", name);
            break;
        }
    }
    struct tern_cfg_acl *acl = CC_PUSH(c, cfg->acls, cfg->n_acls,
                                       c->cap_acls);
    acl->name = name;
    acl->loc = cc_loc(c, l, off);
    c->cap_stmts = 0;
    c->have_stmt = 0;
}

void
cc_acl_line(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    const char *t = l->text;
    size_t wl = cc_word_len(t, off);
    size_t after = cc_skip_blanks(t, off + wl);
    struct tern_cfg_acl *acl;
    unsigned verb;

    if (wl > 0 && t[after] == ':') {
        start_acl(c, l, off, wl, after);
        return;
    }
    if ((acl = cur_acl(c)) == NULL) {
        cc_error(c, l, off, wl ? wl : 1, "start an ACL with a line 'NAME:'",
                 "ACL statement before the first ACL name");
        return;
    }
    verb = t[off] == '!' ? 0 : find_verb(t + off, wl);
    if (verb != 0) {
        struct tern_cfg_acl_stmt *st =
            CC_PUSH(c, acl->stmts, acl->n_stmts, c->cap_stmts);
        st->verb = verb;
        st->loc = cc_loc(c, l, off);
        c->cap_items = 0;
        c->have_stmt = 1;
        if (t[after] != '\0')
            parse_item(c, l, after);
        return;
    }
    if (!c->have_stmt) {
        size_t p = t[off] == '!' ? cc_skip_blanks(t, off + 1) : off;
        size_t pl = cc_word_len(t, p);
        char *w = cc_strn(c, l, p, pl);
        if (pl > 0 &&
            (tern_schema_find_provider(c->set, "acl_condition", w, 1) ||
             tern_schema_find_provider(c->set, "acl_modifier", w, 1)))
            cc_error(c, l, p, pl, "a statement starts with a verb: accept, "
                     "defer, deny, discard, drop, require or warn",
                     "'%s' before the first verb of ACL '%s'", w, acl->name);
        else
            unknown_verb(c, l, p, pl ? pl : 1);
        return;
    }
    parse_item(c, l, off);
}

void
cc_acl_end(struct cc_ctx *c)
{
    c->have_stmt = 0;
}
