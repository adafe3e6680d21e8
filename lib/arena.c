/*
 * NAME
 *   arena.c - region allocator, growable buffers and vectors
 *
 * DESCRIPTION
 *   An arena is a chain of blocks; allocation bumps a pointer and the
 *   whole arena is freed at once.  Large requests get a block of their
 *   own so that a big string does not waste the tail of a small block.
 *
 * DIAGNOSTICS
 *   Out of memory is fatal: the message goes to stderr and the process
 *   exits with status 1 (a worker dies and is replaced; confc stops).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK 16384u
#define ARENA_ALIGN 16u

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

struct tern_arena {
    struct arena_block *head;
};

static void
out_of_memory(size_t n)
{
    fprintf(stderr, "tern: out of memory (allocating %zu bytes)\n", n);
    exit(1);
}

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        out_of_memory(n);
    return p;
}

struct tern_arena *
tern_arena_new(void)
{
    struct tern_arena *a = xmalloc(sizeof *a);
    a->head = NULL;
    return a;
}

void
tern_arena_free(struct tern_arena *a)
{
    if (a == NULL)
        return;
    for (struct arena_block *b = a->head, *next; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *
tern_alloc(struct tern_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_block *b = a->head;

    if (need < n)
        out_of_memory(n);
    if (b == NULL || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
        if (size > SIZE_MAX - sizeof *b)
            out_of_memory(n);
        struct arena_block *nb = xmalloc(sizeof *nb + size);
        nb->used = 0;
        nb->size = size;
        if (size == need && b != NULL) {
            /* A dedicated block goes behind the current one, which keeps
             * its free tail for later small requests. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *
tern_strndup(struct tern_arena *a, const char *s, size_t n)
{
    char *p = tern_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
tern_strdup(struct tern_arena *a, const char *s)
{
    return s == NULL ? NULL : tern_strndup(a, s, strlen(s));
}

char *
tern_vprintf(struct tern_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = tern_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
tern_printf(struct tern_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = tern_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

static void
buf_reserve(struct tern_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        out_of_memory(extra);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        out_of_memory(cap);
    b->data = p;
    b->cap = cap;
}

void
tern_buf_add(struct tern_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
tern_buf_adds(struct tern_buf *b, const char *s)
{
    tern_buf_add(b, s, strlen(s));
}

void
tern_buf_addc(struct tern_buf *b, char c)
{
    tern_buf_add(b, &c, 1);
}

void
tern_buf_addf(struct tern_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

void
tern_buf_free(struct tern_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void
tern_vec_push(struct tern_vec *v, void *item)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        if (cap > SIZE_MAX / sizeof *v->items)
            out_of_memory(cap);
        void **p = realloc(v->items, cap * sizeof *p);
        if (p == NULL)
            out_of_memory(cap * sizeof *p);
        v->items = p;
        v->cap = cap;
    }
    v->items[v->len++] = item;
}

void
tern_vec_free(struct tern_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

unsigned long long
tern_fnv1a(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

size_t
tern_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;      /* names are short; longer is "far" */
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
