/*
 * NAME
 *   receive_addr.c - addresses in header lines: the RFC 5322 address
 *   list scanner behind -t and header qualification, display names
 *
 * SYNOPSIS
 *   struct host_addr_item *it; size_t n; const char *err;
 *   host_addr_list(a, "A <a@x>, grp: b@y, c;, d (note)", len, &it, &n,
 *                  &err);       // a@x, b@y, c, d
 *
 * DESCRIPTION
 *   The scanner reads what To:, Cc:, Bcc:, From:, Reply-To: and Sender:
 *   may hold: mailboxes with or without a display name, groups (whose
 *   members count, as Exim extracts them), comments anywhere, quoted
 *   strings, domain literals and obsolete source routes inside angle
 *   brackets (dropped, as Exim drops them).  For each address it gives
 *   the addr-spec as an envelope address (no comments, no folding) and
 *   the offset where it ends, so an unqualified one can get its domain
 *   inserted in place, as Exim does for locally submitted messages.
 *
 * DIAGNOSTICS
 *   Errors use Exim's wording: "missing or malformed local part",
 *   "domain missing or malformed", "malformed address: X may not follow
 *   Y", "unmatched <".
 */
#include "config.h"

#include <string.h>

#include "receive_int.h"

enum tok_kind { T_WORD, T_SPECIAL, T_LITERAL };

struct tok {
    int kind;
    char c;                     /* the special character */
    size_t start, end;          /* offsets in the scanned text */
};

struct toks {
    struct tok *v;
    size_t n, cap;
    struct tern_arena *a;
};

static void
push(struct toks *t, int kind, char c, size_t start, size_t end)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct tok *v = tern_alloc(t->a, cap * sizeof *v);

        if (t->n)
            memcpy(v, t->v, t->n * sizeof *v);
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n].kind = kind;
    t->v[t->n].c = c;
    t->v[t->n].start = start;
    t->v[t->n].end = end;
    t->n++;
}

static int
is_special(char c)
{
    return strchr("()<>@,;:\\\".[]", c) != NULL;
}

/* Comments vanish, quoted strings and atoms are words, [..] literals. */
static int
tokenize(const char *s, size_t len, struct toks *t, const char **err)
{
    size_t i = 0;

    while (i < len) {
        char c = s[i];

        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
        } else if (c == '(') {
            int depth = 0;

            do {
                if (s[i] == '\\' && i + 1 < len)
                    i++;
                else if (s[i] == '(')
                    depth++;
                else if (s[i] == ')')
                    depth--;
                i++;
            } while (i < len && depth > 0);
            if (depth > 0) {
                *err = "unmatched (";
                return -1;
            }
        } else if (c == '"' || c == '[') {
            char close = c == '"' ? '"' : ']';
            size_t st = i++;

            while (i < len && s[i] != close) {
                if (s[i] == '\\' && i + 1 < len)
                    i++;
                i++;
            }
            if (i >= len) {
                *err = c == '"' ? "unmatched \"" : "unmatched [";
                return -1;
            }
            i++;
            push(t, c == '"' ? T_WORD : T_LITERAL, 0, st, i);
        } else if (is_special(c)) {
            push(t, T_SPECIAL, c, i, i + 1);
            i++;
        } else {
            size_t st = i;

            while (i < len && !is_special(s[i]) && s[i] != ' ' &&
                   s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                i++;
            push(t, T_WORD, 0, st, i);
        }
    }
    return 0;
}

static int
sp(const struct tok *t, char c)
{
    return t->kind == T_SPECIAL && t->c == c;
}

/* addr-spec in tokens [i, j): local-part ["@" domain]. */
static int
addr_spec(struct tern_arena *a, const char *s, const struct tok *t,
          size_t i, size_t j, struct host_addr_item *out, const char **err)
{
    struct tern_buf b = { 0 };
    size_t k = i;

    for (;;) {
        if (k >= j || t[k].kind != T_WORD) {
            tern_buf_free(&b);
            *err = "missing or malformed local part";
            return -1;
        }
        tern_buf_add(&b, s + t[k].start, t[k].end - t[k].start);
        k++;
        if (k < j && sp(&t[k], '.')) {
            tern_buf_addc(&b, '.');
            k++;
            continue;
        }
        break;
    }
    out->has_domain = 0;
    if (k < j && sp(&t[k], '@')) {
        tern_buf_addc(&b, '@');
        k++;
        if (k < j && t[k].kind == T_LITERAL) {
            tern_buf_add(&b, s + t[k].start, t[k].end - t[k].start);
            k++;
        } else {
            for (;;) {
                if (k >= j || t[k].kind != T_WORD || s[t[k].start] == '"') {
                    tern_buf_free(&b);
                    *err = "domain missing or malformed";
                    return -1;
                }
                tern_buf_add(&b, s + t[k].start, t[k].end - t[k].start);
                k++;
                if (k < j && sp(&t[k], '.')) {
                    tern_buf_addc(&b, '.');
                    k++;
                    continue;
                }
                break;
            }
        }
        out->has_domain = 1;
    }
    if (k < j) {
        char *what = tern_strndup(a, s + t[k].start, t[k].end - t[k].start);
        char *after = tern_strndup(a, s + t[k - 1].start,
                                   t[k - 1].end - t[k - 1].start);
        tern_buf_free(&b);
        *err = tern_printf(a, "malformed address: %s may not follow %s",
                           what, after);
        return -1;
    }
    out->address = tern_strndup(a, b.data ? b.data : "", b.len);
    out->end = t[j - 1].end;
    tern_buf_free(&b);
    return 0;
}

/* One mailbox in tokens [i, j): "phrase <addr>" or a bare addr-spec. */
static int
mailbox(struct tern_arena *a, const char *s, const struct tok *t, size_t i,
        size_t j, struct host_addr_item *out, const char **err)
{
    for (size_t k = i; k < j; k++) {
        if (!sp(&t[k], '<'))
            continue;
        size_t close = k + 1;

        while (close < j && !sp(&t[close], '>'))
            close++;
        if (close >= j) {
            *err = "unmatched <";
            return -1;
        }
        if (close + 1 != j) {
            *err = "malformed address: text may not follow >";
            return -1;
        }
        size_t st = k + 1;
        /* An obsolete route "@a,@b:" is dropped. */
        if (st < close && sp(&t[st], '@')) {
            while (st < close && !sp(&t[st], ':'))
                st++;
            st++;
        }
        if (st >= close) {
            out->address = "";
            out->has_domain = 0;
            out->end = t[k].end;
            return 0;
        }
        return addr_spec(a, s, t, st, close, out, err);
    }
    return addr_spec(a, s, t, i, j, out, err);
}

int
host_addr_list(struct tern_arena *a, const char *s, size_t len,
               struct host_addr_item **items, size_t *n, const char **err)
{
    struct toks t = { .a = a };
    struct host_addr_item *v = NULL;
    size_t nv = 0, cap = 0, i = 0;
    int in_group = 0;

    *items = NULL;
    *n = 0;
    if (tokenize(s, len, &t, err) != 0)
        return -1;
    while (i < t.n) {
        size_t j = i;
        int angle = 0, seen = 0, group = 0;

        for (; j < t.n; j++) {
            if (sp(&t.v[j], '<')) {
                angle++;
                seen = 1;
            } else if (sp(&t.v[j], '>')) {
                angle--;
            } else if (sp(&t.v[j], '@')) {
                seen = 1;
            }
            if (angle > 0)
                continue;
            if (sp(&t.v[j], ',') || (sp(&t.v[j], ';') && in_group))
                break;
            if (sp(&t.v[j], ':') && !in_group && !seen) {
                group = 1;
                break;
            }
        }
        if (group) {
            in_group = 1;
            i = j + 1;
            continue;
        }
        if (j > i) {
            if (nv == cap) {
                cap = cap ? cap * 2 : 8;
                struct host_addr_item *nvv = tern_alloc(a, cap * sizeof *nvv);
                if (nv)
                    memcpy(nvv, v, nv * sizeof *v);
                v = nvv;
            }
            if (mailbox(a, s, t.v, i, j, &v[nv], err) != 0)
                return -1;
            nv++;
        }
        if (j < t.n && sp(&t.v[j], ';'))
            in_group = 0;
        i = j + 1;
    }
    *items = v;
    *n = nv;
    return 0;
}

static int
is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

char *
host_addr_phrase(struct tern_arena *a, const char *name)
{
    int plain = 1, encode = 0;
    struct tern_buf b = { 0 };
    char *r;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 32 || *p >= 127)
            encode = 1;
        else if (!is_atext(*p) && *p != ' ')
            plain = 0;
    }
    if (encode) {
        /* RFC 2047 Q encoding of the whole name, in encoded words of at
         * most 75 characters. */
        size_t word = 0;

        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
            if (word == 0) {
                if (b.len)
                    tern_buf_adds(&b, " ");
                tern_buf_adds(&b, "=?UTF-8?Q?");
                word = 10;
            }
            if (*p == ' ') {
                tern_buf_addc(&b, '_');
                word++;
            } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9')) {
                tern_buf_addc(&b, (char)*p);
                word++;
            } else {
                tern_buf_addf(&b, "=%02X", *p);
                word += 3;
            }
            if (word >= 70) {
                tern_buf_adds(&b, "?=");
                word = 0;
            }
        }
        if (word)
            tern_buf_adds(&b, "?=");
    } else if (plain) {
        tern_buf_adds(&b, name);
    } else {
        tern_buf_addc(&b, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                tern_buf_addc(&b, '\\');
            tern_buf_addc(&b, *p);
        }
        tern_buf_addc(&b, '"');
    }
    r = tern_strndup(a, b.data ? b.data : "", b.len);
    tern_buf_free(&b);
    return r;
}

const char *
host_addr_extract(struct tern_arena *a, const char *text, const char **addr,
                  int *has_domain)
{
    struct host_addr_item *it;
    size_t n;
    const char *err = NULL;

    if (host_addr_list(a, text, strlen(text), &it, &n, &err) != 0)
        return err;
    if (n == 0)
        return "empty address";
    if (n > 1)
        return "more than one address";
    *addr = it[0].address;
    *has_domain = it[0].has_domain;
    return NULL;
}
