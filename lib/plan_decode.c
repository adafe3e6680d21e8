/*
 * NAME
 *   plan_decode.c - turn a verified plan back into the config model
 *
 * SYNOPSIS
 *   if (tern_plan_decode(&plan, arena, &cfg, err, sizeof err) < 0) ...
 *
 * DESCRIPTION
 *   Builds a struct tern_config whose arrays come from the arena and whose
 *   strings point straight into the plan (no copies: a mapped plan is
 *   shared by every worker).  Nothing in the file is trusted: every
 *   section must have the record size its type implies, every
 *   (first, count) pair must stay inside its section, every string must
 *   lie inside the string table, end in a NUL exactly where its length
 *   says and contain no other NUL, every source location must name a
 *   known file, and every enumerated field must hold a known value.
 *   Expression images (the parsed expansions of options and ACL items)
 *   must lie inside their section and pass tern_exp_check(), so that
 *   evaluating one can neither loop nor read outside it; on a
 *   little-endian host their nodes are used in place.  The checksum only
 *   catches accidents; these checks are what stop a crafted plan from
 *   making the reader touch memory outside the file.
 *
 * DIAGNOSTICS
 *   "PATH: SECTION record N: what is wrong", or "PATH: section S ..." for
 *   a section as a whole.  On failure *cfg is zeroed.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <tern/module.h>
#include <tern/option.h>

#include "arena.h"
#include "expand.h"
#include "plan.h"
#include "plan_format.h"

/* The file's node layout is struct tern_exp_node's on a little-endian
 * host, which lets such a host use the nodes in place. */
_Static_assert(sizeof(struct tern_exp_node) == TP_EXP_NODE_SIZE,
               "struct tern_exp_node is not 28 bytes");
_Static_assert(offsetof(struct tern_exp_node, op) == 2 &&
               offsetof(struct tern_exp_node, src) == 4 &&
               offsetof(struct tern_exp_node, next) == 8 &&
               offsetof(struct tern_exp_node, d) == 24,
               "struct tern_exp_node does not have the plan's layout");

struct dec {
    const char *name;
    struct tern_exp *exps;      /* decoded and checked expressions */
    struct tern_arena *a;
    char *err;
    size_t errlen;
    const unsigned char *sec[TP_SEC_MAX + 1];
    uint32_t count[TP_SEC_MAX + 1];
    const char *strs;           /* the string table */
    uint32_t n_strs;
    const char *what;           /* current section, for messages */
    uint32_t idx;               /* current record */
};

/* A read position inside one record. */
struct cur {
    const unsigned char *p;
};

static int fail(struct dec *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct dec *d, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d->what != NULL)
        tern_plan_error(d->err, d->errlen, d->name, "%s record %u: %s",
                        d->what, d->idx, msg);
    else
        tern_plan_error(d->err, d->errlen, d->name, "%s", msg);
    return -1;
}

static uint32_t u32(struct cur *c)
{
    uint32_t v = tp_get32(c->p);
    c->p += 4;
    return v;
}

static long long i64(struct cur *c)
{
    uint64_t v = tp_get64(c->p);
    c->p += 8;
    /* two's complement back to signed without implementation-defined
     * conversion */
    return v <= INT64_MAX ? (long long)v : -(long long)(~v) - 1;
}

static int get_str(struct dec *d, struct cur *c, int required,
                   const char *field, const char **out)
{
    uint32_t off = u32(c), len = u32(c);

    *out = NULL;
    if (off == TP_NULL_STR) {
        if (required || len != 0)
            return fail(d, "%s is missing", field);
        return 0;
    }
    if (off >= d->n_strs || len >= d->n_strs - off)
        return fail(d, "%s (offset %u, length %u) lies outside the string "
                    "table (%u bytes)", field, off, len, d->n_strs);
    if (d->strs[off + len] != '\0')
        return fail(d, "%s (offset %u, length %u) is not NUL-terminated",
                    field, off, len);
    if (memchr(d->strs + off, '\0', len) != NULL)
        return fail(d, "%s (offset %u, length %u) contains a NUL byte",
                    field, off, len);
    *out = d->strs + off;
    return 0;
}

static int get_bool(struct dec *d, struct cur *c, const char *field,
                    int *out)
{
    uint32_t v = u32(c);
    if (v > 1)
        return fail(d, "%s is %u, not 0 or 1", field, v);
    *out = (int)v;
    return 0;
}

static int check_enum(struct dec *d, uint32_t v, uint32_t lo, uint32_t hi,
                      const char *field)
{
    if (v < lo || v > hi)
        return fail(d, "%s %u is not between %u and %u", field, v, lo, hi);
    return 0;
}

/* The file index must name a file, so a host can print FILES[file]:line;
 * the one exception is file 0 with line 0 ("no position"), which is valid
 * even in a plan without files. */
static int get_loc(struct dec *d, struct cur *c, struct tern_cfg_loc *loc)
{
    loc->file = u32(c);
    loc->line = u32(c);
    loc->col = u32(c);
    if (loc->file < d->count[TP_SEC_FILES]
        || (loc->file == 0 && loc->line == 0))
        return 0;
    return fail(d, "source file index %u out of range (%u files)",
                loc->file, d->count[TP_SEC_FILES]);
}

static int get_range(struct dec *d, struct cur *c, unsigned type,
                     uint32_t *first, uint32_t *n)
{
    *first = u32(c);
    *n = u32(c);
    uint32_t have = d->count[type];
    if (*first > have || *n > have - *first)
        return fail(d, "range %u+%u of %s goes past its %u records",
                    *first, *n, tp_section_name(type), have);
    return 0;
}

/* Zeroed array of n objects from the arena; NULL when n is 0. */
static void *alloc_n(struct dec *d, uint32_t n, size_t size)
{
    return n ? tern_alloc(d->a, (size_t)n * size) : NULL;
}

/* Start record i of section type. */
static struct cur rec(struct dec *d, unsigned type, uint32_t i)
{
    struct cur c = { d->sec[type] + (size_t)i * tp_record_size(type) };
    d->what = tp_section_name(type);
    d->idx = i;
    return c;
}

/* An expression index of an option or ACL item record. */
static int get_exp(struct dec *d, struct cur *c, const struct tern_exp **out)
{
    uint32_t i = u32(c);

    u32(c);                     /* padding */
    *out = NULL;
    if (i == TP_NO_EXP)
        return 0;
    if (i >= d->count[TP_SEC_EXPRESSIONS])
        return fail(d, "expression %u out of range (%u expressions)", i,
                    d->count[TP_SEC_EXPRESSIONS]);
    *out = &d->exps[i];
    return 0;
}

/* ---- expressions ------------------------------------------------------- */

static int little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* The nodes at `p`: in place when the host reads the file's layout
 * natively, else converted into the arena. */
static const struct tern_exp_node *exp_nodes(struct dec *d,
                                             const unsigned char *p,
                                             uint32_t n)
{
    if (little_endian()
        && (uintptr_t)p % _Alignof(struct tern_exp_node) == 0)
        return (const struct tern_exp_node *)(const void *)p;
    struct tern_exp_node *v = alloc_n(d, n, sizeof *v);
    for (uint32_t i = 0; i < n; i++, p += TP_EXP_NODE_SIZE) {
        v[i].type = p[0];
        v[i].flags = p[1];
        v[i].op = (uint16_t)(p[2] | p[3] << 8);
        v[i].src = tp_get32(p + 4);
        v[i].next = tp_get32(p + 8);
        v[i].a = tp_get32(p + 12);
        v[i].b = tp_get32(p + 16);
        v[i].c = tp_get32(p + 20);
        v[i].d = tp_get32(p + 24);
    }
    return v;
}

/* Every expression image must lie inside exp_bytes (nodes 4-aligned) and
 * pass tern_exp_check(), which is what makes it safe to evaluate. */
static int dec_exps(struct dec *d)
{
    const unsigned char *bytes = d->sec[TP_SEC_EXP_BYTES];
    uint64_t size = d->count[TP_SEC_EXP_BYTES];
    uint32_t n = d->count[TP_SEC_EXPRESSIONS];
    char why[256];

    d->exps = alloc_n(d, n, sizeof *d->exps);
    for (uint32_t i = 0; i < n; i++) {
        struct tern_exp *e = &d->exps[i];
        struct cur c = rec(d, TP_SEC_EXPRESSIONS, i);
        uint32_t nodes = u32(&c), n_nodes = u32(&c), text = u32(&c);
        uint32_t text_len = u32(&c);
        e->root = u32(&c);
        e->src_len = u32(&c);
        e->flags = u32(&c);
        if (nodes % 4 != 0)
            return fail(d, "nodes at %u are not 4-byte aligned", nodes);
        if (nodes > size
            || (uint64_t)n_nodes * TP_EXP_NODE_SIZE > size - nodes)
            return fail(d, "%u nodes at %u lie outside exp_bytes (%llu "
                        "bytes)", n_nodes, nodes, (unsigned long long)size);
        if (text > size || text_len > size - text)
            return fail(d, "text (offset %u, length %u) lies outside "
                        "exp_bytes (%llu bytes)", text, text_len,
                        (unsigned long long)size);
        e->n_nodes = n_nodes;
        e->nodes = n_nodes ? exp_nodes(d, bytes + nodes, n_nodes) : NULL;
        e->text = (const char *)bytes + text;
        e->text_len = text_len;
        if (tern_exp_check(e, why, sizeof why) < 0)
            return fail(d, "bad expression: %s", why);
    }
    return 0;
}

/* ---- sections ---------------------------------------------------------- */

static int find_sections(struct dec *d, const struct tern_plan *p)
{
    uint32_t hdr = tp_get32(p->data + TP_OFF_HDR_SIZE);
    uint32_t n = tp_get32(p->data + TP_OFF_N_SECTIONS);
    int seen[TP_SEC_MAX + 1] = { 0 };

    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = p->data + hdr + (size_t)i * TP_DIR_ENTRY_SIZE;
        uint32_t type = tp_get32(e), count = tp_get32(e + 4);
        uint64_t off = tp_get64(e + 8), size = tp_get64(e + 16);
        if (type == 0 || type > TP_SEC_MAX)
            continue;           /* unknown sections are skipped */
        if (seen[type]++)
            return fail(d, "section %s appears twice", tp_section_name(type));
        if ((uint64_t)count * tp_record_size(type) != size)
            return fail(d, "section %s: %u records of %zu bytes do not "
                        "match its size of %llu bytes", tp_section_name(type),
                        count, tp_record_size(type),
                        (unsigned long long)size);
        d->sec[type] = p->data + off;
        d->count[type] = count;
    }
    for (unsigned t = 1; t <= TP_SEC_MAX; t++)
        if (!seen[t])
            return fail(d, "section %s is missing", tp_section_name(t));
    if (d->count[TP_SEC_META] != 1)
        return fail(d, "section meta has %u records, not 1",
                    d->count[TP_SEC_META]);
    d->strs = (const char *)d->sec[TP_SEC_STRINGS];
    d->n_strs = d->count[TP_SEC_STRINGS];
    return 0;
}

static int dec_head(struct dec *d, struct tern_config *cfg)
{
    struct cur c = rec(d, TP_SEC_META, 0);
    if (get_str(d, &c, 0, "source", &cfg->source) < 0)
        return -1;

    cfg->n_files = d->count[TP_SEC_FILES];
    cfg->files = alloc_n(d, cfg->n_files, sizeof *cfg->files);
    for (uint32_t i = 0; i < cfg->n_files; i++) {
        c = rec(d, TP_SEC_FILES, i);
        if (get_str(d, &c, 1, "path", &cfg->files[i]) < 0)
            return -1;
    }
    cfg->n_modules = d->count[TP_SEC_MODULES];
    cfg->modules = alloc_n(d, cfg->n_modules, sizeof *cfg->modules);
    for (uint32_t i = 0; i < cfg->n_modules; i++) {
        struct tern_cfg_module *m = &cfg->modules[i];
        c = rec(d, TP_SEC_MODULES, i);
        if (get_str(d, &c, 1, "name", &m->name) < 0
            || get_str(d, &c, 0, "version", &m->version) < 0)
            return -1;
        m->schema_hash = tp_get64(c.p);
    }
    return 0;
}

static int dec_options(struct dec *d, unsigned type,
                       struct tern_cfg_option **out)
{
    uint32_t n = d->count[type];
    struct tern_cfg_option *opts = alloc_n(d, n, sizeof *opts);

    for (uint32_t i = 0; i < n; i++) {
        struct tern_cfg_option *o = &opts[i];
        struct cur c = rec(d, type, i);
        if (get_str(d, &c, 1, "name", &o->name) < 0
            || get_str(d, &c, 0, "module", &o->module) < 0
            || get_str(d, &c, 0, "text", &o->value.text) < 0)
            return -1;
        o->value.num = i64(&c);
        o->value.type = u32(&c);
        o->flags = u32(&c);
        if (check_enum(d, o->value.type, 1, TERN_T_MAX, "type") < 0
            || get_bool(d, &c, "is_set", &o->value.is_set) < 0
            || get_loc(d, &c, &o->loc) < 0
            || get_exp(d, &c, &o->exp) < 0)
            return -1;
    }
    *out = opts;
    return 0;
}

static int dec_lists(struct dec *d, struct tern_config *cfg)
{
    cfg->n_lists = d->count[TP_SEC_LISTS];
    cfg->lists = alloc_n(d, cfg->n_lists, sizeof *cfg->lists);
    for (uint32_t i = 0; i < cfg->n_lists; i++) {
        struct tern_cfg_named_list *l = &cfg->lists[i];
        struct cur c = rec(d, TP_SEC_LISTS, i);
        l->kind = u32(&c);
        if (check_enum(d, l->kind, TERN_LIST_DOMAIN, TERN_LIST_LOCALPART,
                       "list kind") < 0
            || get_bool(d, &c, "cache", &l->cache) < 0
            || get_str(d, &c, 1, "name", &l->name) < 0
            || get_str(d, &c, 0, "value", &l->value) < 0
            || get_loc(d, &c, &l->loc) < 0)
            return -1;
    }
    return 0;
}

static int dec_acl_items(struct dec *d, struct tern_cfg_acl_item **out)
{
    uint32_t n = d->count[TP_SEC_ACL_ITEMS];
    struct tern_cfg_acl_item *items = alloc_n(d, n, sizeof *items);

    for (uint32_t i = 0; i < n; i++) {
        struct tern_cfg_acl_item *it = &items[i];
        struct cur c = rec(d, TP_SEC_ACL_ITEMS, i);
        if (get_str(d, &c, 1, "name", &it->name) < 0
            || get_str(d, &c, 0, "value", &it->value) < 0
            || get_str(d, &c, 0, "module", &it->module) < 0
            || get_bool(d, &c, "negated", &it->negated) < 0
            || get_loc(d, &c, &it->loc) < 0
            || get_exp(d, &c, &it->exp) < 0)
            return -1;
    }
    *out = items;
    return 0;
}

static int dec_acls(struct dec *d, struct tern_config *cfg)
{
    struct tern_cfg_acl_item *items;
    uint32_t n_stmts = d->count[TP_SEC_ACL_STMTS], first, n;

    if (dec_acl_items(d, &items) < 0)
        return -1;
    struct tern_cfg_acl_stmt *stmts = alloc_n(d, n_stmts, sizeof *stmts);
    for (uint32_t i = 0; i < n_stmts; i++) {
        struct tern_cfg_acl_stmt *s = &stmts[i];
        struct cur c = rec(d, TP_SEC_ACL_STMTS, i);
        s->verb = u32(&c);
        if (check_enum(d, s->verb, TERN_ACL_ACCEPT, TERN_ACL_WARN,
                       "verb") < 0
            || get_range(d, &c, TP_SEC_ACL_ITEMS, &first, &n) < 0
            || get_loc(d, &c, &s->loc) < 0)
            return -1;
        s->items = n ? items + first : NULL;
        s->n_items = n;
    }
    cfg->n_acls = d->count[TP_SEC_ACLS];
    cfg->acls = alloc_n(d, cfg->n_acls, sizeof *cfg->acls);
    for (uint32_t i = 0; i < cfg->n_acls; i++) {
        struct tern_cfg_acl *acl = &cfg->acls[i];
        struct cur c = rec(d, TP_SEC_ACLS, i);
        if (get_str(d, &c, 1, "name", &acl->name) < 0
            || get_range(d, &c, TP_SEC_ACL_STMTS, &first, &n) < 0
            || get_loc(d, &c, &acl->loc) < 0)
            return -1;
        acl->stmts = n ? stmts + first : NULL;
        acl->n_stmts = n;
    }
    return 0;
}

static int dec_drivers(struct dec *d, unsigned type, unsigned kind,
                       struct tern_cfg_option *opts,
                       struct tern_cfg_driver **out, size_t *n_out)
{
    uint32_t count = d->count[type], first, n;
    struct tern_cfg_driver *drv = alloc_n(d, count, sizeof *drv);

    for (uint32_t i = 0; i < count; i++) {
        struct tern_cfg_driver *dr = &drv[i];
        struct cur c = rec(d, type, i);
        dr->kind = u32(&c);
        if (dr->kind != kind)
            return fail(d, "driver kind %u in the %s section", dr->kind,
                        d->what);
        if (get_range(d, &c, TP_SEC_DRIVER_OPTIONS, &first, &n) < 0
            || get_loc(d, &c, &dr->loc) < 0
            || get_str(d, &c, 1, "name", &dr->name) < 0
            || get_str(d, &c, 1, "driver", &dr->driver) < 0
            || get_str(d, &c, 0, "module", &dr->module) < 0)
            return -1;
        dr->options = n ? opts + first : NULL;
        dr->n_options = n;
    }
    *out = drv;
    *n_out = count;
    return 0;
}

static int dec_retries(struct dec *d, struct tern_config *cfg)
{
    uint32_t n_rules = d->count[TP_SEC_RETRY_RULES], first, n;
    struct tern_cfg_retry_rule *rules = alloc_n(d, n_rules, sizeof *rules);

    for (uint32_t i = 0; i < n_rules; i++) {
        struct cur c = rec(d, TP_SEC_RETRY_RULES, i);
        uint32_t algo = u32(&c);
        if (algo != 'F' && algo != 'G' && algo != 'H')
            return fail(d, "retry algorithm %u is not F, G or H", algo);
        rules[i].algo = (char)algo;
        u32(&c);                /* padding */
        rules[i].cutoff = i64(&c);
        rules[i].p1 = i64(&c);
        rules[i].p2 = i64(&c);
    }
    cfg->n_retries = d->count[TP_SEC_RETRIES];
    cfg->retries = alloc_n(d, cfg->n_retries, sizeof *cfg->retries);
    for (uint32_t i = 0; i < cfg->n_retries; i++) {
        struct tern_cfg_retry *r = &cfg->retries[i];
        struct cur c = rec(d, TP_SEC_RETRIES, i);
        if (get_str(d, &c, 1, "pattern", &r->pattern) < 0
            || get_str(d, &c, 0, "error", &r->error) < 0
            || get_str(d, &c, 0, "senders", &r->senders) < 0
            || get_range(d, &c, TP_SEC_RETRY_RULES, &first, &n) < 0
            || get_loc(d, &c, &r->loc) < 0)
            return -1;
        r->rules = n ? rules + first : NULL;
        r->n_rules = n;
    }
    return 0;
}

static int dec_tail(struct dec *d, struct tern_config *cfg)
{
    cfg->n_rewrites = d->count[TP_SEC_REWRITES];
    cfg->rewrites = alloc_n(d, cfg->n_rewrites, sizeof *cfg->rewrites);
    for (uint32_t i = 0; i < cfg->n_rewrites; i++) {
        struct tern_cfg_rewrite *rw = &cfg->rewrites[i];
        struct cur c = rec(d, TP_SEC_REWRITES, i);
        if (get_str(d, &c, 1, "pattern", &rw->pattern) < 0
            || get_str(d, &c, 0, "replacement", &rw->replacement) < 0
            || get_str(d, &c, 0, "flags", &rw->flags) < 0
            || get_loc(d, &c, &rw->loc) < 0)
            return -1;
    }
    cfg->n_macros = d->count[TP_SEC_MACROS];
    cfg->macros = alloc_n(d, cfg->n_macros, sizeof *cfg->macros);
    for (uint32_t i = 0; i < cfg->n_macros; i++) {
        struct tern_cfg_macro *m = &cfg->macros[i];
        struct cur c = rec(d, TP_SEC_MACROS, i);
        if (get_str(d, &c, 1, "name", &m->name) < 0
            || get_str(d, &c, 0, "value", &m->value) < 0
            || get_bool(d, &c, "builtin", &m->builtin) < 0)
            return -1;
    }
    return 0;
}

static int decode(struct dec *d, const struct tern_plan *p,
                  struct tern_config *cfg)
{
    struct tern_cfg_option *dopts;

    if (tern_plan_check_directory(p->data, p->size, d->name, d->err,
                                  d->errlen) < 0
        || find_sections(d, p) < 0
        || dec_head(d, cfg) < 0
        || dec_exps(d) < 0
        || dec_options(d, TP_SEC_MAIN_OPTIONS, &cfg->main) < 0
        || dec_lists(d, cfg) < 0
        || dec_acls(d, cfg) < 0
        || dec_options(d, TP_SEC_DRIVER_OPTIONS, &dopts) < 0
        || dec_drivers(d, TP_SEC_ROUTERS, TERN_DRIVER_ROUTER, dopts,
                       &cfg->routers, &cfg->n_routers) < 0
        || dec_drivers(d, TP_SEC_TRANSPORTS, TERN_DRIVER_TRANSPORT, dopts,
                       &cfg->transports, &cfg->n_transports) < 0
        || dec_drivers(d, TP_SEC_AUTHS, TERN_DRIVER_AUTH, dopts,
                       &cfg->auths, &cfg->n_auths) < 0
        || dec_retries(d, cfg) < 0
        || dec_tail(d, cfg) < 0)
        return -1;
    cfg->n_main = d->count[TP_SEC_MAIN_OPTIONS];
    return 0;
}

int tern_plan_decode(const struct tern_plan *p, struct tern_arena *a,
                     struct tern_config *cfg, char *err, size_t errlen)
{
    struct dec d;

    memset(cfg, 0, sizeof *cfg);
    memset(&d, 0, sizeof d);
    d.name = p->path;
    d.a = a;
    d.err = err;
    d.errlen = errlen;
    if (p->data == NULL || p->size < TP_HEADER_SIZE) {
        tern_plan_error(err, errlen, d.name, "plan is not open");
        return -1;
    }
    if (decode(&d, p, cfg) < 0) {
        memset(cfg, 0, sizeof *cfg);
        return -1;
    }
    return 0;
}
