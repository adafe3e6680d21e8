/*
 * NAME
 *   acl_find.c - the ACL an option or an acl condition names
 *
 * DESCRIPTION
 *   After expansion (the caller's), Exim 4.96 (44.12) looks for the ACL
 *   like this: a value starting with `/` is a file holding an ACL, read
 *   and parsed once for the life of the process; a value without blanks
 *   is the name of an ACL of the acl section, when there is one; any
 *   other value is the text of an ACL (acl_smtp_vrfy = accept).  Parsed
 *   texts that came from constant options are kept like files; others
 *   are parsed again each time, in the run's arena.
 *
 * DIAGNOSTICS
 *   "failed to open ACL file "x": reason", "error in ACL text: line N:
 *   ..." (acl_parse.c's messages).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acl_int.h"
#include "host.h"

/* ACLs read from files, and inline texts from constant options, parsed
 * once: kept in an arena of the engine's until host_acl_reset(). */
struct text_acl {
    const char *key;            /* file path or constant inline text */
    struct tern_cfg_acl *acl;
    struct text_acl *next;
};
static struct text_acl *text_acls;
static struct tern_arena *text_arena;

void
host_acl_reset(void)
{
    if (text_arena != NULL)
        tern_arena_free(text_arena);
    text_arena = NULL;
    text_acls = NULL;
}

static const struct tern_cfg_acl *
named_acl(const struct tern_config *cfg, const char *name)
{
    for (size_t i = 0; cfg != NULL && i < cfg->n_acls; i++)
        if (strcmp(cfg->acls[i].name, name) == 0)
            return &cfg->acls[i];
    return NULL;
}

static char *
read_file(struct tern_arena *a, const char *path, const char **err)
{
    FILE *f = fopen(path, "r");
    struct tern_buf b = { 0 };
    char chunk[4096];
    size_t n;
    char *out;

    if (f == NULL) {
        *err = tern_printf(a, "failed to open ACL file \"%s\": %s", path,
                           strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tern_buf_add(&b, chunk, n);
    fclose(f);
    out = tern_strndup(a, b.data ? b.data : "", b.len);
    tern_buf_free(&b);
    return out;
}

const struct tern_cfg_acl *
host_acl_find(struct host_acl_run *r, const char *spec, int cacheable)
{
    struct tern_ctx *ctx = r->ctx;
    struct tern_arena *pa;
    const struct tern_cfg_acl *acl;
    struct tern_cfg_acl *parsed;
    struct text_acl *t;
    const char *text;

    while (*spec == ' ' || *spec == '\t' || *spec == '\n')
        spec++;
    if (*spec != '/' && spec[strcspn(spec, " \t\n")] == '\0' &&
        (acl = named_acl(r->cfg, spec)) != NULL)
        return acl;
    for (t = text_acls; t != NULL; t = t->next)
        if (strcmp(t->key, spec) == 0)
            return t->acl;
    if (text_arena == NULL)
        text_arena = tern_arena_new();
    pa = text_arena;
    if (*spec == '/') {
        if ((text = read_file(ctx->arena, spec, &r->err)) == NULL)
            return NULL;
        cacheable = 1;
    } else {
        text = spec;
    }
    if (host_acl_parse(ctx, cacheable ? pa : ctx->arena, text, spec,
                       &parsed, &r->err) != 0) {
        r->err = tern_printf(ctx->arena, "error in ACL %s: %s",
                             *spec == '/' ? spec : "text", r->err);
        return NULL;
    }
    if (cacheable && (t = tern_alloc(pa, sizeof *t)) != NULL) {
        t->key = tern_strdup(pa, spec);
        t->acl = parsed;
        t->next = text_acls;
        text_acls = t;
    }
    return parsed;
}
