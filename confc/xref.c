/*
 * NAME
 *   xref.c - names that must be defined elsewhere in the configuration
 *
 * DESCRIPTION
 *   While the sections are read, every value that names something is
 *   recorded here; once the whole file has been read (a router may name
 *   a transport defined further down) each is looked up:
 *
 *   - `transport` and every `*_transport` option (routers, the redirect
 *     router's file/pipe/reply/directory transports, shadow_transport,
 *     the system filter's transports) must name a transport;
 *   - `pass_router` and `redirect_router` must name a router;
 *   - an option of type ruleset (acl_smtp_rcpt ...) and the ACL
 *     condition `acl` must name an ACL, unless the value is inline ACL
 *     text (it has blanks), a file (it starts with /) or a single verb
 *     (`accept`), which Exim reads as inline text too;
 *   - `+name` items of domain, host, address and local part lists (named
 *     lists, options of those types, ACL conditions) must name a named
 *     list of the same kind.  `+include_unknown` and friends in host
 *     lists and `+caseful` are not references.
 *
 *   Values that contain `$` are expansions and are only checked once
 *   expansions are parsed.
 *
 * DIAGNOSTICS
 *   "router 'x' names transport 'y', which is not defined", "option
 *   'acl_smtp_rcpt' names ACL 'y', which is not defined", "condition
 *   'domains' refers to named domain list 'y', which is not defined",
 *   each with a "did you mean" hint when a defined name is close.
 */
#include "config.h"

#include <string.h>

#include <tern/option.h>
#include "arena.h"
#include "confc_int.h"
#include "list.h"

static const char *const verbs[] = {
    "accept", "defer", "deny", "discard", "drop", "require", "warn"
};

void
cc_xref_add(struct cc_ctx *c, enum cc_xref_kind kind, unsigned sub,
            const char *name, const char *user, const struct cc_line *l,
            size_t off, size_t len)
{
    struct cc_xref *x = CC_PUSH(c, c->xrefs, c->n_xrefs, c->cap_xrefs);

    x->kind = kind;
    x->sub = sub;
    x->name = name;
    x->user = user;
    x->line = l;
    x->off = off;
    x->len = len;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
list_type_kind(unsigned type)
{
    switch (type) {
    case TERN_T_DOMAINLIST: return TERN_LIST_DOMAIN;
    case TERN_T_HOSTLIST: return TERN_LIST_HOST;
    case TERN_T_ADDRESSLIST: return TERN_LIST_ADDRESS;
    case TERN_T_LOCALPARTLIST: return TERN_LIST_LOCALPART;
    default: return 0;
    }
}

void
cc_xref_option(struct cc_ctx *c, const struct tern_cfg_option *o,
               const char *who, const struct cc_line *l, size_t off,
               size_t len)
{
    const char *v = o->value.text;
    const char *user = who ? who : tern_printf(c->a, "option '%s'",
                                               o->name);
    int lk;

    if (v == NULL || *v == '\0' || strchr(v, '$') != NULL)
        return;
    if (o->value.type == TERN_T_RULESET) {
        if (strpbrk(v, " \t\n") == NULL && v[0] != '/')
            cc_xref_add(c, CC_XREF_ACL, 0, v, user, l, off, len);
    } else if (o->value.type == TERN_T_STRING &&
               (strcmp(o->name, "transport") == 0 ||
                ends_with(o->name, "_transport"))) {
        cc_xref_add(c, CC_XREF_TRANSPORT, 0, v, user, l, off, len);
    } else if (o->value.type == TERN_T_STRING &&
               ends_with(o->name, "_router")) {
        cc_xref_add(c, CC_XREF_ROUTER, 0, v, user, l, off, len);
    } else if ((lk = list_type_kind(o->value.type)) != 0) {
        cc_xref_list_refs(c, (unsigned)lk, v,
                          who ? tern_printf(c->a, "option '%s' of %s",
                                            o->name, who)
                              : user,
                          l, off, len);
    }
}

static int
special_plus(unsigned kind, const char *name)
{
    if (strcmp(name, "caseful") == 0)
        return 1;
    return kind == TERN_LIST_HOST &&
           (strcmp(name, "include_unknown") == 0 ||
            strcmp(name, "ignore_unknown") == 0 ||
            strcmp(name, "include_defer") == 0 ||
            strcmp(name, "ignore_defer") == 0);
}

void
cc_xref_list_refs(struct cc_ctx *c, unsigned list_kind, const char *value,
                  const char *user, const struct cc_line *l, size_t off,
                  size_t len)
{
    struct tern_list_iter it;
    char item[1024];
    int too_long = 0;
    int exact;

    if (value == NULL || strchr(value, '$') != NULL)
        return;
    exact = strlen(value) == len && l != NULL &&
            strncmp(l->text + off, value, len) == 0;
    tern_list_start(&it, value, ':');
    for (;;) {
        const char *start = it.p;
        if (tern_list_next(&it, item, sizeof item, &too_long) == NULL)
            break;
        const char *q = item;
        while (*q == ' ' || *q == '\t' || *q == '!')
            q++;
        if (*q != '+' || q[1] == '\0' || special_plus(list_kind, q + 1))
            continue;
        const char *plus = strchr(start, '+');
        size_t at = exact && plus ? off + (size_t)(plus - value) : off;
        size_t n = exact && plus ? strlen(q) : len;
        cc_xref_add(c, CC_XREF_LIST, list_kind, tern_strdup(c->a, q + 1),
                    user, l, at, n);
    }
}

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

/* Names of one kind, for "did you mean". */
static const char **
names_of(struct cc_ctx *c, const struct cc_xref *x, size_t *n)
{
    const struct tern_config *cfg = c->cfg;
    const char **v;
    size_t k = 0, max = cfg->n_transports + cfg->n_routers + cfg->n_acls +
                        cfg->n_lists + 1;

    v = tern_alloc(c->a, max * sizeof *v);
    switch (x->kind) {
    case CC_XREF_TRANSPORT:
        for (size_t i = 0; i < cfg->n_transports; i++)
            v[k++] = cfg->transports[i].name;
        break;
    case CC_XREF_ROUTER:
        for (size_t i = 0; i < cfg->n_routers; i++)
            v[k++] = cfg->routers[i].name;
        break;
    case CC_XREF_ACL:
        for (size_t i = 0; i < cfg->n_acls; i++)
            v[k++] = cfg->acls[i].name;
        break;
    case CC_XREF_LIST:
        for (size_t i = 0; i < cfg->n_lists; i++) {
            if (cfg->lists[i].kind == x->sub)
                v[k++] = cfg->lists[i].name;
        }
        break;
    }
    *n = k;
    return v;
}

static int
defined(struct cc_ctx *c, const struct cc_xref *x)
{
    const char **v;
    size_t n;

    if (x->kind == CC_XREF_ACL) {
        for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
            if (strcmp(x->name, verbs[i]) == 0)
                return 1;
        }
    }
    v = names_of(c, x, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], x->name) == 0)
            return 1;
    }
    return 0;
}

static void
report(struct cc_ctx *c, const struct cc_xref *x)
{
    const struct tern_config *cfg = c->cfg;
    size_t n;
    const char **v = names_of(c, x, &n);
    const char *hint = cc_did_you_mean(c, cc_closest(x->name, v, n));

    switch (x->kind) {
    case CC_XREF_TRANSPORT:
    case CC_XREF_ROUTER:
    case CC_XREF_ACL: {
        const char *noun = x->kind == CC_XREF_TRANSPORT ? "transport"
                         : x->kind == CC_XREF_ROUTER ? "router" : "ACL";
        cc_error(c, x->line, x->off, x->len, hint,
                 "%s names %s '%s', which is not defined", x->user, noun,
                 x->name);
        return;
    }
    case CC_XREF_LIST:
        if (hint == NULL) {
            for (size_t i = 0; i < cfg->n_lists; i++) {
                if (strcmp(cfg->lists[i].name, x->name) == 0)
                    hint = tern_printf(c->a, "'%s' is a %s, not a %s",
                                       x->name,
                                       list_noun(cfg->lists[i].kind),
                                       list_noun(x->sub));
            }
        }
        cc_error(c, x->line, x->off, x->len, hint,
                 "%s refers to named %s '%s', which is not defined",
                 x->user, list_noun(x->sub), x->name);
        return;
    }
}

void
cc_xref_check(struct cc_ctx *c)
{
    for (size_t i = 0; i < c->n_xrefs; i++) {
        if (!defined(c, &c->xrefs[i]))
            report(c, &c->xrefs[i]);
    }
}
