/*
 * NAME
 *   plan_write.c - serialise a compiled configuration into a plan
 *
 * SYNOPSIS
 *   struct tern_buf b = {0};
 *   tern_plan_serialize(&cfg, &b);
 *   if (tern_plan_write(&cfg, "exim.plan", err, sizeof err) < 0) ...
 *
 * DESCRIPTION
 *   Walks struct tern_config once, turning every object into a fixed-size
 *   little-endian record in the section of its kind and every string into
 *   an (offset, length) pair into one shared, de-duplicated string table,
 *   then lays the sections out after the header and directory and stamps
 *   size and checksum (docs/plan-format.md).  The walk order is fixed, so
 *   the same configuration always gives the same bytes: plans can be
 *   compared with cmp(1) and cached by hash.  Parsed expansions of
 *   options and ACL items are written as images (nodes, then text) into
 *   the exp_bytes section, each described by an expressions record that
 *   the option or item refers to by index.
 *
 *   tern_plan_write() replaces the target atomically: a reader (a running
 *   master re-reading its plan) sees the old plan or the new one, never a
 *   half-written file, and after it returns the new plan survives a crash.
 *
 * DIAGNOSTICS
 *   tern_plan_write() returns -1 with "PATH: what failed: strerror".
 *   Counts or string tables beyond 2^32 cannot be represented; the
 *   serialiser reports that and aborts (like an arena out of memory).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "expand.h"
#include "plan.h"
#include "plan_format.h"

/* ---- the string table ------------------------------------------------ */

/* Open-addressing set of string-table offsets (slot value = offset + 1,
 * 0 = empty), so repeated names ("core", "driver") are stored once. */
struct strtab {
    struct tern_buf bytes;
    uint32_t *slots;
    size_t n_slots, used;
};

static void too_big(const char *what)
{
    fprintf(stderr, "tern: plan too large: %s does not fit in 32 bits\n",
            what);
    abort();
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "tern: out of memory\n");
        abort();
    }
    return p;
}

static size_t strtab_find(const struct strtab *st, const char *s, size_t len,
                          uint64_t h)
{
    size_t mask = st->n_slots - 1, i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t v = st->slots[i];
        if (v == 0)
            return i;
        const char *t = st->bytes.data + (v - 1);
        if (strlen(t) == len && memcmp(t, s, len) == 0)
            return i;
    }
}

static void strtab_grow(struct strtab *st)
{
    size_t old_n = st->n_slots;
    uint32_t *old = st->slots;
    st->n_slots = old_n ? old_n * 2 : 256;
    st->slots = xcalloc(st->n_slots, sizeof *st->slots);
    for (size_t i = 0; i < old_n; i++) {
        if (old[i] == 0)
            continue;
        const char *t = st->bytes.data + (old[i] - 1);
        size_t len = strlen(t);
        uint64_t h = tern_fnv1a(TERN_FNV_INIT, t, len);
        st->slots[strtab_find(st, t, len, h)] = old[i];
    }
    free(old);
}

/* Offset of `s` in the table, adding it (with its NUL) when new. */
static uint32_t strtab_intern(struct strtab *st, const char *s, size_t len)
{
    if ((st->used + 1) * 2 > st->n_slots)
        strtab_grow(st);
    uint64_t h = tern_fnv1a(TERN_FNV_INIT, s, len);
    size_t i = strtab_find(st, s, len, h);
    if (st->slots[i] != 0)
        return st->slots[i] - 1;
    size_t off = st->bytes.len;
    if (off + len + 1 >= TP_NULL_STR)
        too_big("the string table");
    tern_buf_add(&st->bytes, s, len);
    tern_buf_addc(&st->bytes, '\0');
    st->slots[i] = (uint32_t)off + 1;
    st->used++;
    return (uint32_t)off;
}

/* ---- records ----------------------------------------------------------- */

struct writer {
    struct strtab st;
    struct tern_buf sec[TP_SEC_MAX + 1];
    uint32_t count[TP_SEC_MAX + 1];
};

/* A record being built, field after field, in the documented order. */
struct rec {
    struct writer *w;
    unsigned char b[64];
    size_t n;
};

static void r32(struct rec *r, uint32_t v)
{
    tp_put32(r->b + r->n, v);
    r->n += 4;
}

static void r64(struct rec *r, uint64_t v)
{
    tp_put64(r->b + r->n, v);
    r->n += 8;
}

static void rstr(struct rec *r, const char *s)
{
    if (s == NULL) {
        r32(r, TP_NULL_STR);
        r32(r, 0);
        return;
    }
    size_t len = strlen(s);
    r32(r, strtab_intern(&r->w->st, s, len));
    r32(r, (uint32_t)len);      /* < table size, so < 2^32 */
}

static void rloc(struct rec *r, const struct tern_cfg_loc *loc)
{
    r32(r, loc->file);
    r32(r, loc->line);
    r32(r, loc->col);
}

static uint32_t to32(size_t n, const char *what)
{
    if (n > UINT32_MAX)
        too_big(what);
    return (uint32_t)n;
}

/* Append the finished record to section `type`. */
static void emit(struct rec *r, unsigned type)
{
    if (r->n != tp_record_size(type))
        abort();                /* writer and format.h disagree: a bug */
    tern_buf_add(&r->w->sec[type], r->b, r->n);
    if (++r->w->count[type] == 0)
        too_big(tp_section_name(type));
}

static struct rec rec_new(struct writer *w)
{
    struct rec r;
    r.w = w;
    r.n = 0;
    return r;
}

/* ---- expressions ------------------------------------------------------- */

/* Append an expression image to exp_bytes (its nodes 4-aligned, every
 * field little-endian, then its text) and its record to expressions;
 * the record's index, or TP_NO_EXP for none. */
static uint32_t put_exp(struct writer *w, const struct tern_exp *e)
{
    static const unsigned char zeros[4];
    struct tern_buf *b = &w->sec[TP_SEC_EXP_BYTES];
    unsigned char node[TP_EXP_NODE_SIZE];

    if (e == NULL)
        return TP_NO_EXP;
    if (b->len % 4 != 0)
        tern_buf_add(b, zeros, 4 - b->len % 4);
    size_t nodes_at = b->len;
    for (uint32_t i = 0; i < e->n_nodes; i++) {
        const struct tern_exp_node *n = &e->nodes[i];
        node[0] = n->type;
        node[1] = n->flags;
        node[2] = (unsigned char)n->op;
        node[3] = (unsigned char)(n->op >> 8);
        tp_put32(node + 4, n->src);
        tp_put32(node + 8, n->next);
        tp_put32(node + 12, n->a);
        tp_put32(node + 16, n->b);
        tp_put32(node + 20, n->c);
        tp_put32(node + 24, n->d);
        tern_buf_add(b, node, sizeof node);
    }
    size_t text_at = b->len;
    if (e->text_len > 0)
        tern_buf_add(b, e->text, e->text_len);
    to32(b->len, "the expression bytes");

    struct rec r = rec_new(w);
    r32(&r, (uint32_t)nodes_at);
    r32(&r, e->n_nodes);
    r32(&r, (uint32_t)text_at);
    r32(&r, e->text_len);
    r32(&r, e->root);
    r32(&r, e->src_len);
    r32(&r, e->flags);
    r32(&r, 0);
    uint32_t index = w->count[TP_SEC_EXPRESSIONS];
    if (index == TP_NO_EXP)
        too_big("expressions");
    emit(&r, TP_SEC_EXPRESSIONS);
    return index;
}

/* ---- one function per kind of object ----------------------------------- */

static void put_option(struct writer *w, unsigned type,
                       const struct tern_cfg_option *o)
{
    uint32_t exp = put_exp(w, o->exp);
    struct rec r = rec_new(w);
    rstr(&r, o->name);
    rstr(&r, o->module);
    rstr(&r, o->value.text);
    r64(&r, (uint64_t)o->value.num);
    r32(&r, o->value.type);
    r32(&r, o->flags);
    r32(&r, o->value.is_set != 0);
    rloc(&r, &o->loc);
    r32(&r, exp);
    r32(&r, 0);
    emit(&r, type);
}

static void put_driver(struct writer *w, unsigned type,
                       const struct tern_cfg_driver *d)
{
    struct rec r = rec_new(w);
    r32(&r, d->kind);
    r32(&r, w->count[TP_SEC_DRIVER_OPTIONS]);
    r32(&r, to32(d->n_options, "driver options"));
    rloc(&r, &d->loc);
    rstr(&r, d->name);
    rstr(&r, d->driver);
    rstr(&r, d->module);
    emit(&r, type);
    for (size_t i = 0; i < d->n_options; i++)
        put_option(w, TP_SEC_DRIVER_OPTIONS, &d->options[i]);
}

static void put_acl(struct writer *w, const struct tern_cfg_acl *acl)
{
    struct rec r = rec_new(w);
    rstr(&r, acl->name);
    r32(&r, w->count[TP_SEC_ACL_STMTS]);
    r32(&r, to32(acl->n_stmts, "ACL statements"));
    rloc(&r, &acl->loc);
    r32(&r, 0);
    emit(&r, TP_SEC_ACLS);
    for (size_t i = 0; i < acl->n_stmts; i++) {
        const struct tern_cfg_acl_stmt *s = &acl->stmts[i];
        struct rec sr = rec_new(w);
        r32(&sr, s->verb);
        r32(&sr, w->count[TP_SEC_ACL_ITEMS]);
        r32(&sr, to32(s->n_items, "ACL items"));
        rloc(&sr, &s->loc);
        emit(&sr, TP_SEC_ACL_STMTS);
        for (size_t j = 0; j < s->n_items; j++) {
            const struct tern_cfg_acl_item *it = &s->items[j];
            uint32_t exp = put_exp(w, it->exp);
            struct rec ir = rec_new(w);
            rstr(&ir, it->name);
            rstr(&ir, it->value);
            rstr(&ir, it->module);
            r32(&ir, it->negated != 0);
            rloc(&ir, &it->loc);
            r32(&ir, exp);
            r32(&ir, 0);
            emit(&ir, TP_SEC_ACL_ITEMS);
        }
    }
}

static void put_retry(struct writer *w, const struct tern_cfg_retry *rt)
{
    struct rec r = rec_new(w);
    rstr(&r, rt->pattern);
    rstr(&r, rt->error);
    rstr(&r, rt->senders);
    r32(&r, w->count[TP_SEC_RETRY_RULES]);
    r32(&r, to32(rt->n_rules, "retry rules"));
    rloc(&r, &rt->loc);
    r32(&r, 0);
    emit(&r, TP_SEC_RETRIES);
    for (size_t i = 0; i < rt->n_rules; i++) {
        const struct tern_cfg_retry_rule *ru = &rt->rules[i];
        struct rec rr = rec_new(w);
        r32(&rr, (uint32_t)(unsigned char)ru->algo);
        r32(&rr, 0);
        r64(&rr, (uint64_t)ru->cutoff);
        r64(&rr, (uint64_t)ru->p1);
        r64(&rr, (uint64_t)ru->p2);
        emit(&rr, TP_SEC_RETRY_RULES);
    }
}

static void put_small(struct writer *w, const struct tern_config *cfg)
{
    struct rec r = rec_new(w);
    rstr(&r, cfg->source);
    emit(&r, TP_SEC_META);
    for (size_t i = 0; i < cfg->n_files; i++) {
        r = rec_new(w);
        rstr(&r, cfg->files[i]);
        emit(&r, TP_SEC_FILES);
    }
    for (size_t i = 0; i < cfg->n_modules; i++) {
        const struct tern_cfg_module *m = &cfg->modules[i];
        r = rec_new(w);
        rstr(&r, m->name);
        rstr(&r, m->version);
        r64(&r, m->schema_hash);
        emit(&r, TP_SEC_MODULES);
    }
    for (size_t i = 0; i < cfg->n_lists; i++) {
        const struct tern_cfg_named_list *l = &cfg->lists[i];
        r = rec_new(w);
        r32(&r, l->kind);
        r32(&r, l->cache != 0);
        rstr(&r, l->name);
        rstr(&r, l->value);
        rloc(&r, &l->loc);
        r32(&r, 0);
        emit(&r, TP_SEC_LISTS);
    }
}

static void put_tail(struct writer *w, const struct tern_config *cfg)
{
    for (size_t i = 0; i < cfg->n_rewrites; i++) {
        const struct tern_cfg_rewrite *rw = &cfg->rewrites[i];
        struct rec r = rec_new(w);
        rstr(&r, rw->pattern);
        rstr(&r, rw->replacement);
        rstr(&r, rw->flags);
        rloc(&r, &rw->loc);
        r32(&r, 0);
        emit(&r, TP_SEC_REWRITES);
    }
    for (size_t i = 0; i < cfg->n_macros; i++) {
        const struct tern_cfg_macro *m = &cfg->macros[i];
        struct rec r = rec_new(w);
        rstr(&r, m->name);
        rstr(&r, m->value);
        r32(&r, m->builtin != 0);
        r32(&r, 0);
        emit(&r, TP_SEC_MACROS);
    }
}

/* ---- layout ------------------------------------------------------------ */

static void pad_to_align(struct tern_buf *out, size_t start)
{
    static const unsigned char zeros[TP_ALIGN];
    size_t rem = (out->len - start) % TP_ALIGN;
    if (rem != 0)
        tern_buf_add(out, zeros, TP_ALIGN - rem);
}

/* Header, directory, then the sections in type order, each 8-aligned. */
static void lay_out(struct writer *w, struct tern_buf *out)
{
    size_t start = out->len;
    unsigned char hdr[TP_HEADER_SIZE + TP_SEC_MAX * TP_DIR_ENTRY_SIZE];

    memset(hdr, 0, sizeof hdr);
    tern_buf_add(out, hdr, sizeof hdr);
    w->sec[TP_SEC_STRINGS] = w->st.bytes;
    w->count[TP_SEC_STRINGS] = to32(w->st.bytes.len, "the string table");
    w->count[TP_SEC_EXP_BYTES] = to32(w->sec[TP_SEC_EXP_BYTES].len,
                                      "the expression bytes");
    for (unsigned t = 1; t <= TP_SEC_MAX; t++) {
        unsigned char *e = hdr + TP_HEADER_SIZE + (t - 1) * TP_DIR_ENTRY_SIZE;
        pad_to_align(out, start);
        tp_put32(e, t);
        tp_put32(e + 4, w->count[t]);
        tp_put64(e + 8, out->len - start);
        tp_put64(e + 16, w->sec[t].len);
        if (w->sec[t].len > 0)
            tern_buf_add(out, w->sec[t].data, w->sec[t].len);
    }
    pad_to_align(out, start);
    memcpy(hdr + TP_OFF_MAGIC, TERN_PLAN_MAGIC, 8);
    tp_put32(hdr + TP_OFF_VERSION, TERN_PLAN_VERSION);
    tp_put32(hdr + TP_OFF_HDR_SIZE, TP_HEADER_SIZE);
    tp_put64(hdr + TP_OFF_FILE_SIZE, out->len - start);
    tp_put32(hdr + TP_OFF_N_SECTIONS, TP_SEC_MAX);
    unsigned char *base = (unsigned char *)out->data + start;
    memcpy(base, hdr, sizeof hdr);
    tp_put64(base + TP_OFF_CHECKSUM,
             tern_plan_checksum(base, out->len - start));
}

void tern_plan_serialize(const struct tern_config *cfg, struct tern_buf *out)
{
    struct writer w;
    memset(&w, 0, sizeof w);

    put_small(&w, cfg);
    for (size_t i = 0; i < cfg->n_main; i++)
        put_option(&w, TP_SEC_MAIN_OPTIONS, &cfg->main[i]);
    for (size_t i = 0; i < cfg->n_acls; i++)
        put_acl(&w, &cfg->acls[i]);
    for (size_t i = 0; i < cfg->n_routers; i++)
        put_driver(&w, TP_SEC_ROUTERS, &cfg->routers[i]);
    for (size_t i = 0; i < cfg->n_transports; i++)
        put_driver(&w, TP_SEC_TRANSPORTS, &cfg->transports[i]);
    for (size_t i = 0; i < cfg->n_auths; i++)
        put_driver(&w, TP_SEC_AUTHS, &cfg->auths[i]);
    for (size_t i = 0; i < cfg->n_retries; i++)
        put_retry(&w, &cfg->retries[i]);
    put_tail(&w, cfg);
    lay_out(&w, out);

    free(w.st.slots);
    for (unsigned t = 1; t <= TP_SEC_MAX; t++)
        tern_buf_free(&w.sec[t]);   /* sec[STRINGS] is st.bytes */
}
