/*
 * NAME
 *   spool_format.c - write a message's -H file text
 *
 * SYNOPSIS
 *   struct tern_buf b = { 0 };
 *   if (tern_spool_format(&msg, &b, &err) != 0) ... err.text ...
 *
 * DESCRIPTION
 *   Produces exactly what Exim 4.96 writes for the same message: the id
 *   line, originator, <sender>, time and warning count, the "-" lines in
 *   Exim's order (tainted values as "--name"), the non-recipients tree,
 *   the recipients, a blank line and the headers, each prefixed with its
 *   length and type flag.
 *
 *   Everything is validated before it is written, because a file Exim
 *   would read differently is worse than no file: a newline inside a
 *   one-line value, a header that does not end in a newline, begins with
 *   a blank (Exim skips blanks after the flag) or contains a NUL (Exim
 *   treats that as corruption), a line longer than Exim's 16 KiB read
 *   buffer, and so on.
 *
 * DIAGNOSTICS
 *   -1 and err->text naming the field, e.g. "1xVorK-0003vR-1J-H: recipient
 *   3: address contains a newline".  Nothing is appended on failure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "spool_int.h"

#define EXIM_LINE_MAX 16383     /* longest line Exim 4.96 reads back */
#define EXIM_RCPT_MAX 16384     /* most recipients Exim 4.96 reads back */

struct fmt {
    const struct tern_spool_msg *m;
    struct tern_buf *b;
    struct tern_spool_err *err;
    char prefix[TERN_MSGID_SIZE + 2];
    size_t line_start;
    int failed;
};

static void fail(struct fmt *f, const char *fmt, const char *what)
{
    if (!f->failed)
        tern_spool_seterr(f->err, 0, f->prefix, 0, fmt, what);
    f->failed = 1;
}

/* Close the line being built: newline, then the length check. */
static void end_line(struct fmt *f, const char *what)
{
    tern_buf_addc(f->b, '\n');
    if (f->b->len - f->line_start > EXIM_LINE_MAX)
        fail(f, "%s: line longer than Exim can read back", what);
    f->line_start = f->b->len;
}

static int one_line(struct fmt *f, const char *s, const char *what)
{
    if (!s) {
        fail(f, "%s: missing", what);
        return 0;
    }
    if (strchr(s, '\n')) {
        fail(f, "%s: contains a newline", what);
        return 0;
    }
    return 1;
}

static void put_str(struct fmt *f, const char *name,
                    const struct tern_spool_str *v, const char *value)
{
    if (!one_line(f, value, name))
        return;
    tern_buf_addc(f->b, '-');
    if (v->tainted)
        tern_buf_addc(f->b, '-');
    if (v->quoter) {
        if (!one_line(f, v->quoter, name) || strpbrk(v->quoter, ") ")) {
            fail(f, "%s: bad lookup quoter name", name);
            return;
        }
        tern_buf_addf(f->b, "(%s)", v->quoter);
    }
    tern_buf_addf(f->b, "%s %s", name, value);
    end_line(f, name);
}

static void put_hostport(struct fmt *f, const char *name,
                         const struct tern_spool_hostport *hp)
{
    char v[512];
    if (!hp->addr.s)
        return;
    if (hp->port < 0 || hp->port > 65535 ||
        snprintf(v, sizeof v, "[%s]:%d", hp->addr.s, hp->port) >= (int)sizeof v) {
        fail(f, "%s: bad address or port", name);
        return;
    }
    put_str(f, name, &hp->addr, v);
}

static void put_aclvars(struct fmt *f)
{
    for (size_t i = 0; i < f->m->n_aclvars; i++) {
        const struct tern_spool_aclvar *v = &f->m->aclvars[i];
        if ((v->scope != 'c' && v->scope != 'm') || !v->name || !*v->name ||
            strpbrk(v->name, " \n") || (!v->value && v->len)) {
            fail(f, "ACL variable %s: bad scope or name",
                 v->name ? v->name : "(null)");
            return;
        }
        if (v->len && memchr(v->value, 0, v->len)) {
            fail(f, "ACL variable %s: value contains NUL", v->name);
            return;
        }
        tern_buf_addf(f->b, "-%sacl%c %s %zu", v->tainted ? "-" : "",
                      v->scope, v->name, v->len);
        end_line(f, "ACL variable");
        tern_buf_add(f->b, v->value ? v->value : "", v->len);
        tern_buf_addc(f->b, '\n');
        f->line_start = f->b->len;
    }
}

static void put_field(struct fmt *f, const struct tern_spool_field *d)
{
    const struct tern_spool_msg *m = f->m;
    const char *base = (const char *)m;
    long long iv;
    switch (d->type) {
    case TERN_SF_FLAG:
        if (m->flags & d->flag) {
            tern_buf_addf(f->b, "-%s", d->name);
            end_line(f, d->name);
        }
        break;
    case TERN_SF_STR: {
        const struct tern_spool_str *v =
            (const struct tern_spool_str *)(base + d->off);
        if (v->s)
            put_str(f, d->name, v, v->s);
        break;
    }
    case TERN_SF_INT:
        memcpy(&iv, base + d->off, sizeof iv);
        if (iv < -1)
            fail(f, "%s: negative value", d->name);
        else if (iv >= 0) {
            tern_buf_addf(f->b, "-%s %lld", d->name, iv);
            end_line(f, d->name);
        }
        break;
    case TERN_SF_HOSTPORT:
        put_hostport(f, d->name,
                     (const struct tern_spool_hostport *)(base + d->off));
        break;
    case TERN_SF_USEC:
        if (m->received_usec < 0 || m->received_usec > 999999)
            fail(f, "%s: out of range", d->name);
        tern_buf_addf(f->b, "-%s .%06d", d->name, m->received_usec);
        end_line(f, d->name);
        break;
    case TERN_SF_COMPLETE:
        if (m->complete_sec < -1 || m->complete_usec < 0 ||
            m->complete_usec > 999999)
            fail(f, "%s: out of range", d->name);
        else if (m->complete_sec >= 0) {
            tern_buf_addf(f->b, "-%s %lld.%06d", d->name, m->complete_sec,
                          m->complete_usec);
            end_line(f, d->name);
        }
        break;
    case TERN_SF_ACLVARS:
        put_aclvars(f);
        break;
    }
}

static void put_extras(struct fmt *f)
{
    for (size_t i = 0; i < f->m->n_extras; i++) {
        const char *x = f->m->extras[i];
        if (!one_line(f, x, "extra line"))
            return;
        const char *name = x + (x[0] == '-');
        size_t n = strcspn(name, " ");
        if (n == 0 || tern_spool_field_find(name, n) ||
            strncmp(name, "acl", 3) == 0) {
            fail(f, "extra line '%s' is empty or shadows a known field", x);
            return;
        }
        tern_buf_addf(f->b, "-%s", x);
        end_line(f, "extra line");
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Preorder of a balanced tree over sorted[lo, hi): Exim's layout. */
static void put_tree(struct fmt *f, const char **sorted, size_t lo, size_t hi)
{
    size_t mid = lo + (hi - lo) / 2;
    tern_buf_addf(f->b, "%c%c %s", mid > lo ? 'Y' : 'N',
                  mid + 1 < hi ? 'Y' : 'N', sorted[mid]);
    end_line(f, "non-recipient");
    if (mid > lo)
        put_tree(f, sorted, lo, mid);
    if (mid + 1 < hi)
        put_tree(f, sorted, mid + 1, hi);
}

static void put_nonrcpts(struct fmt *f)
{
    size_t n = f->m->n_nonrcpts, u = 0;
    if (n == 0) {
        tern_buf_adds(f->b, "XX");
        end_line(f, "non-recipients");
        return;
    }
    const char **s = malloc(n * sizeof *s);
    if (!s) {
        fail(f, "%s", "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!one_line(f, f->m->nonrcpts[i], "non-recipient") ||
            !*f->m->nonrcpts[i]) {
            fail(f, "%s: empty or bad address", "non-recipient");
            free(s);
            return;
        }
        s[i] = f->m->nonrcpts[i];
    }
    qsort(s, n, sizeof *s, cmp_str);
    for (size_t i = 0; i < n; i++)     /* a tree holds each address once */
        if (u == 0 || strcmp(s[u - 1], s[i]) != 0)
            s[u++] = s[i];
    put_tree(f, s, 0, u);
    free(s);
}

/* Exim reads a plain recipient line backwards from its end: digits
 * preceded by ',', ' ' or '#' would be taken as extra fields. */
static int plain_is_ambiguous(const char *a)
{
    size_t n = strlen(a);
    while (n > 0 && a[n - 1] >= '0' && a[n - 1] <= '9')
        n--;
    return n == 0 || a[n - 1] == ',' || a[n - 1] == ' ' || a[n - 1] == '#';
}

static void put_rcpt(struct fmt *f, const struct tern_spool_rcpt *r)
{
    const char *et = r->errors_to ? r->errors_to : "";
    const char *oc = r->orcpt ? r->orcpt : "";
    if (!one_line(f, r->address, "recipient") || !*r->address ||
        !one_line(f, et, "recipient errors_to") ||
        !one_line(f, oc, "recipient ORCPT") || r->dsn_flags < 0 ||
        r->pno < -1) {
        fail(f, "recipient %s: bad field", r->address ? r->address : "");
        return;
    }
    if (r->pno < 0 && !*et && !*oc && r->dsn_flags == 0 &&
        !plain_is_ambiguous(r->address))
        tern_buf_adds(f->b, r->address);
    else
        tern_buf_addf(f->b, "%s %s %zu,%d %s %zu,%d#3", r->address, oc,
                      strlen(oc), r->dsn_flags, et, strlen(et), r->pno);
    end_line(f, "recipient");
}

static void put_header(struct fmt *f, const struct tern_spool_header *h)
{
    unsigned char t = (unsigned char)h->type;
    if (!h->text || h->len < 2 || h->text[h->len - 1] != '\n' ||
        h->text[0] == ' ' || h->text[0] == '\t' || h->text[0] == '\n' ||
        memchr(h->text, 0, h->len)) {
        fail(f, "%s", "header: empty, not newline-terminated, starting "
             "with a blank or containing NUL");
        return;
    }
    if (t < 0x20 || t > 0x7e || (t >= '0' && t <= '9')) {
        fail(f, "%s", "header: bad type flag");
        return;
    }
    tern_buf_addf(f->b, "%03zu%c ", h->len, h->type);
    tern_buf_add(f->b, h->text, h->len);
    f->line_start = f->b->len;
}

static void put_envelope(struct fmt *f)
{
    const struct tern_spool_msg *m = f->m;
    tern_buf_addf(f->b, "%s-H", m->id);
    end_line(f, "id");
    if (!one_line(f, m->login, "originator login") || !*m->login ||
        strlen(m->login) > 63)
        fail(f, "%s: empty or longer than 63", "originator login");
    tern_buf_addf(f->b, "%s %ld %ld", m->login ? m->login : "", m->uid,
                  m->gid);
    end_line(f, "originator");
    if (one_line(f, m->sender, "sender")) {
        tern_buf_addf(f->b, "<%s>", m->sender);
        end_line(f, "sender");
    }
    if (m->received_time < 0 || m->warning_count < 0)
        fail(f, "%s: out of range", "received time or warning count");
    tern_buf_addf(f->b, "%lld %d", m->received_time, m->warning_count);
    end_line(f, "received time");
}

int tern_spool_format(const struct tern_spool_msg *m, struct tern_buf *out,
                      struct tern_spool_err *err)
{
    struct fmt f = { .m = m, .b = out, .err = err };
    size_t start = out->len;
    snprintf(f.prefix, sizeof f.prefix, "%.16s-H", m->id);
    f.line_start = start;
    if (!tern_msgid_valid(m->id))
        fail(&f, "%s", "not a valid message id");
    put_envelope(&f);
    for (size_t i = 0; i < tern_spool_nfields && !f.failed; i++)
        put_field(&f, &tern_spool_fields[i]);
    put_extras(&f);
    put_nonrcpts(&f);
    if (m->n_rcpts > EXIM_RCPT_MAX)
        fail(&f, "%s: more than 16384 recipients (Exim 4.96 reads no more;"
             " split the message)", "recipients");
    tern_buf_addf(out, "%zu", m->n_rcpts);
    end_line(&f, "recipient count");
    for (size_t i = 0; i < m->n_rcpts && !f.failed; i++)
        put_rcpt(&f, &m->rcpts[i]);
    tern_buf_addc(out, '\n');
    for (size_t i = 0; i < m->n_headers && !f.failed; i++)
        put_header(&f, &m->headers[i]);
    if (f.failed) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return -1;
    }
    return 0;
}
