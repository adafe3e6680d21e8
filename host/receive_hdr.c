/*
 * NAME
 *   receive_hdr.c - the header of a message being received: splitting,
 *   finding, inserting, removing, and the ACLs' add_header/remove_header
 *
 * SYNOPSIS
 *   host_hdrs_init(&h, &msg->spool, msg->arena);
 *   host_hdrs_insert(&h, 0, "Received: ...\n", len);
 *   host_hdrs_remove(&msg->spool, "return-path");
 *   host_hdrs_apply_changes(&h, msg->hdr_changes);
 *
 * DESCRIPTION
 *   Headers live in the spool record (struct tern_spool_msg), each with
 *   Exim's type letter.  As in Exim, a removed header is not taken out:
 *   it is flagged `*`, kept in the -H file for the record, and never
 *   sent nor counted in the message size.
 *
 *   ACL changes follow Exim's rules (spec 44.24, 44.25): remove_header
 *   takes a colon list of names, matched caselessly; add_header text has
 *   its leading and trailing newlines dropped, is split at each newline
 *   not followed by a blank, each line may start with :at_start:,
 *   :at_start_rfc:, :after_received: or :at_end: (the default), a line
 *   that is not a header gets "X-ACL-Warn: " in front, and a line equal
 *   to one already added by the same batch is dropped.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "list.h"
#include "receive_int.h"

int
host_hdr_line_ok(const char *line, size_t len)
{
    size_t i = 0;

    while (i < len && line[i] > 32 && line[i] < 127 && line[i] != ':')
        i++;
    if (i == 0)
        return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

int
host_hdr_named(const char *text, size_t len, const char *name)
{
    size_t n = strlen(name);

    if (len <= n || strncasecmp(text, name, n) != 0)
        return 0;
    while (n < len && (text[n] == ' ' || text[n] == '\t'))
        n++;
    return n < len && text[n] == ':';
}

size_t
host_hdr_value_off(const char *text, size_t len)
{
    const char *c = memchr(text, ':', len);

    return c ? (size_t)(c - text) + 1 : 0;
}

char
host_hdr_type(const char *text, size_t len)
{
    /* Exim gives Resent-From: the type of From:, and so on. */
    if (len > 7 && strncasecmp(text, "resent-", 7) == 0) {
        char t = tern_spool_header_type(text + 7, len - 7);
        return t == TERN_HT_RECEIVED ? TERN_HT_OTHER : t;
    }
    return tern_spool_header_type(text, len);
}

size_t
host_hdr_split(struct tern_arena *a, const char *buf, size_t len,
               struct tern_spool_header **out)
{
    size_t n = 0, i = 0;
    struct tern_spool_header *v;

    /* Count first: a header starts at each line not starting blank. */
    for (size_t p = 0; p < len; ) {
        const char *nl = memchr(buf + p, '\n', len - p);
        if (buf[p] != ' ' && buf[p] != '\t')
            n++;
        p = nl ? (size_t)(nl - buf) + 1 : len;
    }
    v = tern_alloc(a, (n ? n : 1) * sizeof *v);
    n = 0;
    while (i < len) {
        size_t st = i;

        do {
            const char *nl = memchr(buf + i, '\n', len - i);
            i = nl ? (size_t)(nl - buf) + 1 : len;
        } while (i < len && (buf[i] == ' ' || buf[i] == '\t'));
        v[n].text = tern_strndup(a, buf + st, i - st);
        v[n].len = i - st;
        v[n].type = host_hdr_type(v[n].text, v[n].len);
        n++;
    }
    *out = v;
    return n;
}

void
host_hdrs_init(struct host_hdrs *h, struct tern_spool_msg *m,
               struct tern_arena *a)
{
    h->m = m;
    h->a = a;
    h->cap = m->n_headers;
}

void
host_hdrs_insert(struct host_hdrs *h, size_t at, const char *text,
                 size_t len)
{
    struct tern_spool_msg *m = h->m;

    if (m->n_headers == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct tern_spool_header *v = tern_alloc(h->a, cap * sizeof *v);

        if (m->n_headers)
            memcpy(v, m->headers, m->n_headers * sizeof *v);
        m->headers = v;
        h->cap = cap;
    }
    if (at > m->n_headers)
        at = m->n_headers;
    memmove(&m->headers[at + 1], &m->headers[at],
            (m->n_headers - at) * sizeof m->headers[0]);
    m->headers[at].text = tern_strndup(h->a, text, len);
    m->headers[at].len = len;
    m->headers[at].type = host_hdr_type(text, len);
    m->n_headers++;
}

long
host_hdrs_find(const struct tern_spool_msg *m, const char *name)
{
    for (size_t i = 0; i < m->n_headers; i++) {
        const struct tern_spool_header *h = &m->headers[i];

        if (h->type != TERN_HT_DELETED && host_hdr_named(h->text, h->len, name))
            return (long)i;
    }
    return -1;
}

int
host_hdrs_remove(struct tern_spool_msg *m, const char *name)
{
    int n = 0;

    for (size_t i = 0; i < m->n_headers; i++) {
        struct tern_spool_header *h = &m->headers[i];

        if (h->type != TERN_HT_DELETED &&
            host_hdr_named(h->text, h->len, name)) {
            h->type = TERN_HT_DELETED;
            n++;
        }
    }
    return n;
}

static void
remove_names(struct tern_spool_msg *m, const char *list)
{
    struct tern_list_iter it;
    char name[256];
    const char *item;
    int too_long = 0;

    tern_list_start(&it, list, ':');
    while ((item = tern_list_next(&it, name, sizeof name, &too_long)) != NULL) {
        size_t n = strlen(name);

        while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == ' '))
            name[--n] = '\0';
        if (n > 0)
            host_hdrs_remove(m, name);
    }
}

enum place { AT_END, AT_START, AT_START_RFC, AFTER_RECEIVED };

static size_t
place_index(const struct tern_spool_msg *m, enum place p)
{
    size_t i = 0;

    switch (p) {
    case AT_START:
        return 0;
    case AFTER_RECEIVED:
        while (i < m->n_headers && m->headers[i].type == TERN_HT_RECEIVED)
            i++;
        return i;
    case AT_START_RFC:
        while (i < m->n_headers &&
               (m->headers[i].type == TERN_HT_RECEIVED ||
                strncasecmp(m->headers[i].text, "resent-", 7) == 0))
            i++;
        return i;
    case AT_END:
    default:
        return m->n_headers;
    }
}

/* One added line (without its newline): placement prefix, X-ACL-Warn,
 * duplicate check against what this batch added. */
static void
add_line(struct host_hdrs *h, const char *p, size_t len,
         struct tern_vec *added)
{
    static const struct { const char *pfx; enum place where; } pfx[] = {
        { ":at_start:", AT_START }, { ":at_start_rfc:", AT_START_RFC },
        { ":after_received:", AFTER_RECEIVED }, { ":at_end:", AT_END },
    };
    enum place where = AT_END;
    struct tern_buf b = { 0 };

    for (size_t i = 0; i < sizeof pfx / sizeof pfx[0]; i++) {
        size_t n = strlen(pfx[i].pfx);

        if (len >= n && strncmp(p, pfx[i].pfx, n) == 0) {
            where = pfx[i].where;
            p += n;
            len -= n;
            break;
        }
    }
    if (len == 0)
        return;
    if (!host_hdr_line_ok(p, len))
        tern_buf_adds(&b, "X-ACL-Warn: ");
    tern_buf_add(&b, p, len);
    tern_buf_addc(&b, '\n');
    for (size_t i = 0; i < added->len; i++) {
        if (strcmp(added->items[i], b.data) == 0) {
            tern_buf_free(&b);
            return;
        }
    }
    host_hdrs_insert(h, place_index(h->m, where), b.data, b.len);
    tern_vec_push(added, tern_strndup(h->a, b.data, b.len));
    tern_buf_free(&b);
}

static void
add_text(struct host_hdrs *h, const char *text, struct tern_vec *added)
{
    size_t len = strlen(text);

    while (len > 0 && text[0] == '\n') {
        text++;
        len--;
    }
    while (len > 0 && text[len - 1] == '\n')
        len--;
    while (len > 0) {
        size_t i = 0;

        /* A header ends at a newline not followed by a blank. */
        while (i < len && !(text[i] == '\n' && i + 1 < len &&
                            text[i + 1] != ' ' && text[i + 1] != '\t'))
            i++;
        add_line(h, text, i, added);
        if (i >= len)
            break;
        text += i + 1;
        len -= i + 1;
    }
}

void
host_hdrs_apply_changes(struct host_hdrs *h,
                        const struct host_hdr_change *changes)
{
    struct tern_vec added = { 0 };

    for (const struct host_hdr_change *c = changes; c != NULL; c = c->next) {
        if (c->text == NULL)
            continue;
        if (c->remove)
            remove_names(h->m, c->text);
        else
            add_text(h, c->text, &added);
    }
    tern_vec_free(&added);
}
