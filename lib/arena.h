/*
 * NAME
 *   arena.h - region allocation and small string helpers
 *
 * DESCRIPTION
 *   Everything confc builds for one compile, and everything the host builds
 *   for one session or message, comes from an arena and is freed by
 *   dropping the arena.  Allocation never fails: on out-of-memory the
 *   process reports and exits (a worker dies, the master replaces it).
 */
#ifndef TERN_ARENA_H
#define TERN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct tern_arena;

struct tern_arena *tern_arena_new(void);
void tern_arena_free(struct tern_arena *a);
void *tern_alloc(struct tern_arena *a, size_t n);          /* zeroed */
char *tern_strdup(struct tern_arena *a, const char *s);
char *tern_strndup(struct tern_arena *a, const char *s, size_t n);
char *tern_printf(struct tern_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *tern_vprintf(struct tern_arena *a, const char *fmt, va_list ap);

/* Growable byte buffer (heap, not arena), always NUL-terminated. */
struct tern_buf {
    char *data;
    size_t len;
    size_t cap;
};
void tern_buf_add(struct tern_buf *b, const void *p, size_t n);
void tern_buf_adds(struct tern_buf *b, const char *s);
void tern_buf_addc(struct tern_buf *b, char c);
void tern_buf_addf(struct tern_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tern_buf_free(struct tern_buf *b);

/* Growable array of pointers (heap). */
struct tern_vec {
    void **items;
    size_t len;
    size_t cap;
};
void tern_vec_push(struct tern_vec *v, void *item);
void tern_vec_free(struct tern_vec *v);

/* 64-bit FNV-1a, used for schema hashes and plan checksums. */
#define TERN_FNV_INIT 0xcbf29ce484222325ULL
unsigned long long tern_fnv1a(unsigned long long h, const void *p, size_t n);

/* Edit distance, for "did you mean" hints. */
size_t tern_edit_distance(const char *a, const char *b);

#endif
