/*
 * NAME
 *   parse_driver.c - routers, transports and authenticators
 *
 * DESCRIPTION
 *   In a driver section a line `name:` starts an instance and the option
 *   settings that follow belong to it, up to the next instance or
 *   section.  Nothing may follow the colon.  Options may come before
 *   `driver =`, so an instance is resolved only when it ends: first its
 *   driver (required; provided by an installed module), then every
 *   setting, among the driver's private options (scope
 *   "router:DRIVER") and the generic ones of its kind ("router").  When
 *   the driver is unknown or not installed its private options cannot be
 *   checked, so only the generic ones are, and no further errors are
 *   piled on.  Instance names are unique within a section, as in Exim.
 *
 * DIAGNOSTICS
 *   "router 'x' has no driver", "unknown router driver 'X'" (with a
 *   suggestion), "router driver 'X' is provided by module M, which is
 *   not installed" (with the package), "duplicate router name 'x'",
 *   "option setting before the first router name", "extra characters
 *   after 'x:'".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "confc_int.h"

static void
kind_array(struct cc_ctx *c, unsigned kind, struct tern_cfg_driver ***arr,
           size_t **n, size_t **cap)
{
    struct tern_config *cfg = c->cfg;

    switch (kind) {
    case CC_ROUTER:
        *arr = &cfg->routers; *n = &cfg->n_routers; *cap = &c->cap_routers;
        break;
    case CC_TRANSPORT:
        *arr = &cfg->transports; *n = &cfg->n_transports;
        *cap = &c->cap_transports;
        break;
    default:
        *arr = &cfg->auths; *n = &cfg->n_auths; *cap = &c->cap_auths;
        break;
    }
}

/* The driver named by the instance's `driver` setting, or NULL. */
static const char *
driver_name(struct cc_ctx *c, const struct cc_instance *in,
            const struct cc_setting **where)
{
    for (size_t i = 0; i < in->n; i++) {
        const struct cc_setting *s = &in->settings[i];
        if (s->name_len != 6 || strncmp(s->line->text + s->name_off,
                                        "driver", 6) != 0)
            continue;
        *where = s;
        if (!s->has_value || s->value_len == 0)
            return NULL;
        if (s->line->text[s->value_off] == '"')
            return cc_dequote(c, s->line, s->value_off, s->value_len,
                              "driver name", NULL);
        return cc_strn(c, s->line, s->value_off, s->value_len);
    }
    return NULL;
}

/* Find the driver's provider; reports and returns NULL when unusable. */
static const struct tern_schema *
find_driver(struct cc_ctx *c, const struct cc_instance *in,
            const char *drv, const struct cc_setting *s)
{
    const char *kscope = cc_kind_scope(in->kind);
    const char *noun = cc_kind_noun(in->kind);
    const struct tern_schema *p =
        tern_schema_find_provider(c->set, kscope, drv, 0);

    if (p != NULL)
        return p;
    p = tern_schema_find_provider(c->set, kscope, drv, 1);
    if (p != NULL) {
        cc_error(c, s->line, s->value_off, s->value_len,
                 p->package ? tern_printf(c->a, "install package %s",
                                          p->package)
                            : tern_printf(c->a, "install the %s module",
                                          p->module),
                 "%s driver '%s' is provided by module %s, which is not "
                 "installed", noun, drv, p->module);
        return NULL;
    }
    cc_error(c, s->line, s->value_off, s->value_len,
             cc_did_you_mean(c, tern_schema_suggest_provide(c->set, kscope,
                                                            drv)),
             "unknown %s driver '%s'", noun, drv);
    return NULL;
}

void
cc_driver_end(struct cc_ctx *c)
{
    struct cc_instance *in = &c->inst;
    struct tern_cfg_driver **arr, *d;
    size_t *n, *cap;
    const struct cc_setting *ds = NULL;
    const struct tern_schema *prov = NULL;
    const char *scopes[3];
    const char *who;
    size_t ocap = 0;

    if (!in->open)
        return;
    in->open = 0;
    kind_array(c, in->kind, &arr, &n, &cap);
    d = CC_PUSH(c, *arr, *n, *cap);
    d->kind = in->kind;
    d->name = in->name;
    d->loc = cc_loc(c, in->line, in->name_off);
    who = tern_printf(c->a, "%s '%s'", cc_kind_noun(in->kind), in->name);

    const char *drv = driver_name(c, in, &ds);
    if (ds == NULL && !in->bad_header)
        cc_error(c, in->line, in->name_off, in->name_len,
                 "every instance needs 'driver = NAME'",
                 "%s has no driver", who);
    else if (drv != NULL)
        prov = find_driver(c, in, drv, ds);
    else if (ds != NULL && (!ds->has_value || ds->value_len == 0))
        cc_error(c, ds->line, ds->name_off, ds->name_len, NULL,
                 "'driver' needs the name of a %s driver",
                 cc_kind_noun(in->kind));
    if (prov != NULL) {
        scopes[0] = tern_printf(c->a, "%s:%s", cc_kind_scope(in->kind),
                                drv);
        scopes[1] = cc_kind_scope(in->kind);
        scopes[2] = NULL;
        d->driver = drv;
        d->module = prov->module;
        cc_use_module(c, prov);
    } else {
        scopes[0] = cc_kind_scope(in->kind);
        scopes[1] = NULL;
        d->driver = drv ? drv : "";
    }
    for (size_t i = 0; i < in->n; i++)
        cc_apply_setting(c, scopes, &in->settings[i], who, prov == NULL,
                         &d->options, &d->n_options, &ocap);
    in->n = 0;
    in->cap = 0;
    in->settings = NULL;
}

static void
start_instance(struct cc_ctx *c, unsigned kind, const struct cc_line *l,
               size_t off, size_t wl, size_t colon)
{
    struct cc_instance *in = &c->inst;
    struct tern_cfg_driver **arr;
    size_t *n, *cap;
    const char *t = l->text;
    size_t rest = cc_skip_blanks(t, colon + 1);

    cc_driver_end(c);
    if (!isalpha((unsigned char)t[off]))
        cc_error(c, l, off, wl, NULL, "%s name '%.*s' must start with a "
                 "letter", cc_kind_noun(kind), (int)wl, t + off);
    in->bad_header = t[rest] != '\0';
    if (in->bad_header)
        cc_error(c, l, rest, l->len - rest,
                 "options go on the lines after the instance name",
                 "extra characters after '%.*s:'", (int)wl, t + off);
    in->open = 1;
    in->kind = kind;
    in->name = cc_strn(c, l, off, wl);
    in->line = l;
    in->name_off = off;
    in->name_len = wl;
    in->n = 0;
    in->cap = 0;
    in->settings = NULL;

    kind_array(c, kind, &arr, &n, &cap);
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*arr)[i].name, in->name) == 0) {
            cc_error(c, l, off, wl,
                     tern_printf(c->a, "the first is at %s",
                                 cc_where(c, &(*arr)[i].loc)),
                     "duplicate %s name '%s'", cc_kind_noun(kind), in->name);
            break;
        }
    }
}

void
cc_driver_line(struct cc_ctx *c, unsigned kind, const struct cc_line *l,
               size_t off)
{
    const char *t = l->text;
    size_t wl = cc_word_len(t, off);
    size_t p = cc_skip_blanks(t, off + wl);
    struct cc_setting s;

    if (wl > 0 && t[p] == ':') {
        start_instance(c, kind, l, off, wl, p);
        return;
    }
    if (!c->inst.open) {
        cc_error(c, l, off, wl ? wl : 1,
                 tern_printf(c->a, "start an instance with a line 'NAME:'"),
                 "option setting before the first %s name",
                 cc_kind_noun(kind));
        return;
    }
    if (cc_read_setting(c, l, off, &s) != 0)
        return;
    *CC_PUSH(c, c->inst.settings, c->inst.n, c->inst.cap) = s;
}
