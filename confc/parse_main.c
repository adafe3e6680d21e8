/*
 * NAME
 *   parse_main.c - the main section: options and named lists
 *
 * DESCRIPTION
 *   Every line before the first `begin` is either a named list
 *
 *     domainlist local_domains = @ : localhost
 *     hostlist_cache relay_hosts = 192.0.2.0/24
 *
 *   (domainlist, hostlist, addresslist, localpartlist, each also with
 *   `_cache`), or an option setting, `[hide] name [= value]`, checked
 *   against the options of scope `main` of the installed schemas.  A
 *   list name starts with a letter and holds letters, digits and
 *   underscores; names are per kind, and defining one twice is an error,
 *   as in Exim.  The value of a named list is kept as written; since
 *   Exim expands a named list (as a whole) every time it is used, it is
 *   checked as an expansion too, though the plan keeps only its text.
 *
 * DIAGNOSTICS
 *   "named domain list 'X' is defined twice", "expected a list name
 *   after 'domainlist'", "expected '=' after the list name", and the
 *   option errors of resolve.c.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "confc_int.h"

static const struct {
    const char *word;
    unsigned kind;
    int cache;
} list_words[] = {
    { "domainlist", TERN_LIST_DOMAIN, 0 },
    { "hostlist", TERN_LIST_HOST, 0 },
    { "addresslist", TERN_LIST_ADDRESS, 0 },
    { "localpartlist", TERN_LIST_LOCALPART, 0 },
    { "domainlist_cache", TERN_LIST_DOMAIN, 1 },
    { "hostlist_cache", TERN_LIST_HOST, 1 },
    { "addresslist_cache", TERN_LIST_ADDRESS, 1 },
    { "localpartlist_cache", TERN_LIST_LOCALPART, 1 },
};

static const char *
list_noun(unsigned kind)
{
    switch (kind) {
    case TERN_LIST_DOMAIN: return "domain list";
    case TERN_LIST_HOST: return "host list";
    case TERN_LIST_ADDRESS: return "address list";
    default: return "local part list";
    }
}

static void
named_list(struct cc_ctx *c, const struct cc_line *l, size_t off,
           size_t wl, unsigned kind, int cache)
{
    const char *t = l->text;
    size_t n_off = cc_skip_blanks(t, off + wl), n_len, p, v_off, v_len;
    struct tern_config *cfg = c->cfg;

    n_len = cc_word_len(t, n_off);
    if (n_len == 0 || !isalpha((unsigned char)t[n_off])) {
        cc_error(c, l, n_off, 1, NULL,
                 "expected a list name after '%.*s' (a letter, then "
                 "letters, digits or '_')", (int)wl, t + off);
        return;
    }
    p = cc_skip_blanks(t, n_off + n_len);
    if (t[p] != '=') {
        cc_error(c, l, p, 1, NULL, "expected '=' after the list name '%.*s'",
                 (int)n_len, t + n_off);
        return;
    }
    v_off = p + 1;
    cc_trim(l, &v_off, &v_len);
    char *name = cc_strn(c, l, n_off, n_len);
    for (size_t i = 0; i < cfg->n_lists; i++) {
        const struct tern_cfg_named_list *o = &cfg->lists[i];
        if (o->kind == kind && strcmp(o->name, name) == 0) {
            cc_error(c, l, n_off, n_len,
                     tern_printf(c->a, "it was first defined at %s",
                                 cc_where(c, &o->loc)),
                     "named %s '%s' is defined twice", list_noun(kind),
                     name);
            return;
        }
    }
    struct tern_cfg_named_list *nl =
        CC_PUSH(c, cfg->lists, cfg->n_lists, c->cap_lists);
    nl->kind = kind;
    nl->name = name;
    nl->value = cc_strn(c, l, v_off, v_len);
    nl->cache = cache;
    nl->loc = cc_loc(c, l, n_off);
    const struct tern_exp *unused;
    (void)cc_exp_value(c, l, v_off, v_len, 0, nl->value,
                       tern_printf(c->a, "named %s '%s'", list_noun(kind),
                                   name), &unused);
    cc_xref_list_refs(c, kind, nl->value,
                      tern_printf(c->a, "named %s '%s'", list_noun(kind),
                                  name),
                      l, v_off, v_len);
}

void
cc_main_line(struct cc_ctx *c, const struct cc_line *l, size_t off)
{
    static const char *const scopes[] = { "main", NULL };
    const char *t = l->text;
    size_t wl = cc_word_len(t, off);
    struct cc_setting s;

    if (wl > 0 && (t[off + wl] == ' ' || t[off + wl] == '\t')) {
        for (size_t i = 0; i < sizeof list_words / sizeof list_words[0];
             i++) {
            if (strlen(list_words[i].word) == wl &&
                strncmp(t + off, list_words[i].word, wl) == 0) {
                named_list(c, l, off, wl, list_words[i].kind,
                           list_words[i].cache);
                return;
            }
        }
    }
    if (wl > 0 && t[cc_skip_blanks(t, off + wl)] == ':') {
        cc_error(c, l, off, wl, "driver instances belong in the routers, "
                 "transports or authenticators section (after 'begin')",
                 "'%.*s:' outside a driver section", (int)wl, t + off);
        return;
    }
    if (cc_read_setting(c, l, off, &s) != 0)
        return;
    cc_apply_setting(c, scopes, &s, NULL, 0, &c->cfg->main, &c->cfg->n_main,
                     &c->cap_main);
}
