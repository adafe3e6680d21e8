/*
 * NAME
 *   dump.c - confc dump PLAN: a compiled plan in readable form
 *
 * SYNOPSIS
 *   rc = cc_dump(path, stdout, stderr);
 *
 * DESCRIPTION
 *   Opens and verifies a plan with the same reader the host uses, decodes
 *   it, and prints what it holds, close to the configuration language it
 *   came from: the modules it needs (with the schema hashes the host
 *   will check), main options, named lists, ACLs, routers, transports,
 *   authenticators, retry and rewrite rules, and the macros defined in
 *   the file.  Booleans print as `name` / `no_name`; characters that do
 *   not print are escaped (\n, \t, \xHH); an option that is secret (by
 *   its schema or `hide`) is marked `# secret`, and a value the plan
 *   holds as a parsed expansion `# expansion, N nodes`.
 *
 * DIAGNOSTICS
 *   The plan reader's reason when the plan is refused ("confc: PATH:
 *   truncated: ..."), exit status 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tern/option.h>
#include "arena.h"
#include "cfgmodel.h"
#include "expand.h"
#include "optval.h"
#include "plan.h"

int cc_dump(const char *path, FILE *out, FILE *err);

static void
put_text(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("(unset)", out);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

/* A parsed expansion: its size (the nodes after the reserved node 0). */
static void
put_exp(FILE *out, const struct tern_exp *e)
{
    fprintf(out, "    # expansion, %u node%s", e->n_nodes - 1,
            e->n_nodes == 2 ? "" : "s");
}

static void
put_option(FILE *out, const char *indent, const struct tern_cfg_option *o)
{
    const struct tern_value *v = &o->value;

    fputs(indent, out);
    if (v->type == TERN_T_BOOL && v->is_set &&
        (v->text == NULL || strchr(v->text, '$') == NULL)) {
        fprintf(out, "%s%s", v->num ? "" : "no_", o->name);
    } else {
        fprintf(out, "%s = ", o->name);
        put_text(out, v->is_set ? v->text : NULL);
    }
    if (o->exp != NULL)
        put_exp(out, o->exp);
    if (o->flags & TERN_F_SECRET)
        fputs("    # secret", out);
    fputc('\n', out);
}

static const char *
where(const struct tern_config *cfg, const struct tern_cfg_loc *loc,
      struct tern_arena *a)
{
    if (loc->line == 0 || loc->file >= cfg->n_files)
        return "";
    return tern_printf(a, "    # %s:%u", cfg->files[loc->file], loc->line);
}

static const char *const verb_names[] = {
    "?", "accept", "defer", "deny", "discard", "drop", "require", "warn"
};

static void
put_acls(FILE *out, const struct tern_config *cfg, struct tern_arena *a)
{
    if (cfg->n_acls > 0)
        fputs("acl:\n", out);
    for (size_t i = 0; i < cfg->n_acls; i++) {
        const struct tern_cfg_acl *acl = &cfg->acls[i];
        fprintf(out, "  %s:%s\n", acl->name, where(cfg, &acl->loc, a));
        for (size_t j = 0; j < acl->n_stmts; j++) {
            const struct tern_cfg_acl_stmt *st = &acl->stmts[j];
            fprintf(out, "    %-8s", st->verb < 8 ? verb_names[st->verb]
                                                  : "?");
            if (st->n_items == 0)
                fputc('\n', out);
            for (size_t k = 0; k < st->n_items; k++) {
                const struct tern_cfg_acl_item *it = &st->items[k];
                if (k > 0)
                    fputs("            ", out);
                fprintf(out, "%s%s", it->negated ? "!" : "", it->name);
                if (it->value != NULL) {
                    fputs(strcmp(it->name, "set") == 0 ? " " : " = ", out);
                    put_text(out, it->value);
                }
                if (it->exp != NULL)
                    put_exp(out, it->exp);
                if (it->module != NULL && strcmp(it->module, "core") != 0)
                    fprintf(out, "    # from module %s", it->module);
                fputc('\n', out);
            }
        }
    }
}

static void
put_drivers(FILE *out, const struct tern_config *cfg, const char *title,
            const struct tern_cfg_driver *v, size_t n, struct tern_arena *a)
{
    if (n == 0)
        return;
    fprintf(out, "%s:\n", title);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "  %s: (driver %s, module %s)%s\n", v[i].name,
                v[i].driver ? v[i].driver : "?",
                v[i].module ? v[i].module : "?", where(cfg, &v[i].loc, a));
        for (size_t j = 0; j < v[i].n_options; j++)
            put_option(out, "    ", &v[i].options[j]);
    }
}

static void
put_fixed(FILE *out, long long v)
{
    fprintf(out, "%lld", v / 1000);
    if (v % 1000 != 0) {
        char frac[8];
        snprintf(frac, sizeof frac, "%03lld", v % 1000);
        for (int k = 2; k > 0 && frac[k] == '0'; k--)
            frac[k] = '\0';
        fprintf(out, ".%s", frac);
    }
}

static void
put_retries(FILE *out, const struct tern_config *cfg, struct tern_arena *a)
{
    if (cfg->n_retries > 0)
        fputs("retry:\n", out);
    for (size_t i = 0; i < cfg->n_retries; i++) {
        const struct tern_cfg_retry *r = &cfg->retries[i];
        fputs("  ", out);
        put_text(out, r->pattern);
        fprintf(out, "  %s", r->error ? r->error : "*");
        if (r->senders != NULL) {
            fputs("  senders=\"", out);
            put_text(out, r->senders);
            fputc('"', out);
        }
        fputs(" ", out);
        for (size_t j = 0; j < r->n_rules; j++) {
            const struct tern_cfg_retry_rule *ru = &r->rules[j];
            fprintf(out, "%s %c,%s,%s", j ? ";" : "", ru->algo,
                    tern_format_time(a, ru->cutoff),
                    tern_format_time(a, ru->p1));
            if (ru->algo != 'F') {
                fputc(',', out);
                put_fixed(out, ru->p2);
            }
        }
        fputc('\n', out);
    }
}

static void
put_lists(FILE *out, const struct tern_config *cfg)
{
    static const char *const list_words[] = {
        "?", "domainlist", "hostlist", "addresslist", "localpartlist"
    };

    if (cfg->n_lists > 0)
        fputs("named lists:\n", out);
    for (size_t i = 0; i < cfg->n_lists; i++) {
        const struct tern_cfg_named_list *l = &cfg->lists[i];
        fprintf(out, "  %s%s %s = ", l->kind <= 4 ? list_words[l->kind] : "?",
                l->cache ? "_cache" : "", l->name);
        put_text(out, l->value ? l->value : "");
        fputc('\n', out);
    }
}

static void
put_tail(FILE *out, const struct tern_config *cfg)
{
    size_t user_macros = 0;

    if (cfg->n_rewrites > 0)
        fputs("rewrite:\n", out);
    for (size_t i = 0; i < cfg->n_rewrites; i++) {
        const struct tern_cfg_rewrite *r = &cfg->rewrites[i];
        fputs("  ", out);
        put_text(out, r->pattern);
        fputs("  \"", out);
        put_text(out, r->replacement);
        fprintf(out, "\"  %s\n", r->flags ? r->flags : "");
    }
    for (size_t i = 0; i < cfg->n_macros; i++)
        user_macros += !cfg->macros[i].builtin;
    if (user_macros > 0)
        fputs("macros:\n", out);
    for (size_t i = 0; i < cfg->n_macros; i++) {
        if (cfg->macros[i].builtin)
            continue;
        fprintf(out, "  %s = ", cfg->macros[i].name);
        put_text(out, cfg->macros[i].value ? cfg->macros[i].value : "");
        fputc('\n', out);
    }
}

int
cc_dump(const char *path, FILE *out, FILE *err)
{
    struct tern_plan p;
    struct tern_config cfg;
    struct tern_arena *a;
    char why[1024];

    if (tern_plan_open(&p, path, why, sizeof why) != 0) {
        fprintf(err, "confc: %s\n", why);
        return 1;
    }
    a = tern_arena_new();
    if (tern_plan_decode(&p, a, &cfg, why, sizeof why) != 0) {
        fprintf(err, "confc: %s\n", why);
        tern_arena_free(a);
        tern_plan_close(&p);
        return 1;
    }
    fprintf(out, "plan %s (format version %d)\n", path, TERN_PLAN_VERSION);
    fprintf(out, "source: %s\n", cfg.source ? cfg.source : "?");
    for (size_t i = 0; i < cfg.n_files; i++)
        fprintf(out, "file %zu: %s\n", i, cfg.files[i]);
    fputs("modules:\n", out);
    for (size_t i = 0; i < cfg.n_modules; i++)
        fprintf(out, "  %-12s %-8s schema %016llx\n", cfg.modules[i].name,
                cfg.modules[i].version ? cfg.modules[i].version : "?",
                cfg.modules[i].schema_hash);
    fputs("main:\n", out);
    for (size_t i = 0; i < cfg.n_main; i++)
        put_option(out, "  ", &cfg.main[i]);
    put_lists(out, &cfg);
    put_acls(out, &cfg, a);
    put_drivers(out, &cfg, "routers", cfg.routers, cfg.n_routers, a);
    put_drivers(out, &cfg, "transports", cfg.transports, cfg.n_transports,
                a);
    put_drivers(out, &cfg, "authenticators", cfg.auths, cfg.n_auths, a);
    put_retries(out, &cfg, a);
    put_tail(out, &cfg);
    fflush(out);
    tern_arena_free(a);
    tern_plan_close(&p);
    return ferror(out) ? 1 : 0;
}
