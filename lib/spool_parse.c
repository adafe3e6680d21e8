/*
 * NAME
 *   spool_parse.c - read a message's -H file, strictly
 *
 * SYNOPSIS
 *   if (tern_spool_parse(buf, len, "input/ID-H", arena, &msg, &err) != 0)
 *       log("%s", err.text);      // "input/ID-H:12: bad -frozen value"
 *
 * DESCRIPTION
 *   Accepts what Exim 4.96 writes, plus the older forms Exim itself still
 *   reads (-acl N LEN, "addr.port" host addresses, the Exim 3 and early
 *   Exim 4 recipient lines), and nothing else: every number is checked,
 *   every line must end in a newline, a known "-" line must have the shape
 *   of its type and appear once, the non-recipients tree must be complete
 *   and ordered, the header lengths must match the bytes that follow and
 *   the file must end exactly after the last header.  Unknown "-" lines
 *   are kept as extras, as Exim ignores them.
 *
 *   The buffer is only read; strings are copied into the arena.
 *
 * DIAGNOSTICS
 *   -1 with err->line set to the line at fault and err->text
 *   "FNAME:LINE: what was expected".
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "spool_int.h"

struct cur {
    const char *p, *end;
    unsigned line;              /* line number of the next line */
    const char *fname;
    struct tern_arena *a;
    struct tern_spool_err *err;
};

struct line {
    const char *s;
    size_t n;                   /* without the newline */
    unsigned no;
};

static int bad(struct cur *c, unsigned line, const char *what)
{
    tern_spool_seterr(c->err, 0, c->fname, line, "%s", what);
    return -1;
}

static int next_line(struct cur *c, struct line *l, const char *what)
{
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    l->no = c->line;
    if (!nl) {
        tern_spool_seterr(c->err, 0, c->fname, c->line,
                          "file ends before %s (truncated?)", what);
        return -1;
    }
    l->s = c->p;
    l->n = (size_t)(nl - c->p);
    if (memchr(l->s, 0, l->n))
        return bad(c, l->no, "NUL byte in envelope line");
    c->p = nl + 1;
    c->line++;
    return 0;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_uint(const char *s, size_t n, long long *out)
{
    long long v = 0;
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_int(const char *s, size_t n, long long *out)
{
    if (n > 0 && s[0] == '-') {
        if (parse_uint(s + 1, n - 1, out) != 0)
            return -1;
        *out = -*out;
        return 0;
    }
    return parse_uint(s, n, out);
}

static char *dup(struct cur *c, const char *s, size_t n)
{
    return tern_strndup(c->a, s, n);
}

/* Append to an arena array, doubling it when full. */
static void *push(struct cur *c, void *arr, size_t n, size_t *cap,
                  size_t size)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *na = tern_alloc(c->a, ncap * size);
    if (n)
        memcpy(na, arr, n * size);
    *cap = ncap;
    return na;
}

static int parse_envelope(struct cur *c, struct tern_spool_msg *m)
{
    struct line l;
    long long v1, v2;
    if (next_line(c, &l, "the id line") != 0)
        return -1;
    if (l.n != TERN_MSGID_LEN + 2 || memcmp(l.s + TERN_MSGID_LEN, "-H", 2))
        return bad(c, l.no, "first line is not MESSAGEID-H");
    memcpy(m->id, l.s, TERN_MSGID_LEN);
    m->id[TERN_MSGID_LEN] = 0;
    if (!tern_msgid_valid(m->id))
        return bad(c, l.no, "first line is not a valid message id");

    if (next_line(c, &l, "the originator line") != 0)
        return -1;
    /* login uid gid, read from the right: a login may contain blanks */
    const char *g = memrchr(l.s, ' ', l.n);
    const char *u = g ? memrchr(l.s, ' ', (size_t)(g - l.s)) : NULL;
    if (!u || u == l.s ||
        parse_int(u + 1, (size_t)(g - u - 1), &v1) != 0 ||
        parse_int(g + 1, l.n - (size_t)(g - l.s) - 1, &v2) != 0)
        return bad(c, l.no, "expected 'login uid gid'");
    m->login = dup(c, l.s, (size_t)(u - l.s));
    m->uid = (long)v1;
    m->gid = (long)v2;

    if (next_line(c, &l, "the sender line") != 0)
        return -1;
    if (l.n < 2 || l.s[0] != '<' || l.s[l.n - 1] != '>')
        return bad(c, l.no, "expected '<sender>'");
    m->sender = dup(c, l.s + 1, l.n - 2);

    if (next_line(c, &l, "the time line") != 0)
        return -1;
    const char *sp = memchr(l.s, ' ', l.n);
    if (!sp || parse_uint(l.s, (size_t)(sp - l.s), &v1) != 0 ||
        parse_uint(sp + 1, l.n - (size_t)(sp - l.s) - 1, &v2) != 0 ||
        v2 > 1000000)
        return bad(c, l.no, "expected 'received-time warning-count'");
    m->received_time = v1;
    m->warning_count = (int)v2;
    return 0;
}

/* "[addr]:port" as 4.96 writes, or "addr.port" as older versions did
 * (the port follows the last dot; an IPv4 address keeps its three). */
static int parse_hostport(struct cur *c, const char *v, size_t n,
                          struct tern_spool_hostport *hp)
{
    long long port;
    const char *addr, *addr_end;
    if (n > 0 && v[0] == '[') {
        const char *close = memchr(v, ']', n);
        if (!close || close + 1 >= v + n || close[1] != ':' ||
            parse_uint(close + 2, (size_t)(v + n - close - 2), &port) != 0)
            return -1;
        addr = v + 1;
        addr_end = close;
    } else {
        const char *dot = memrchr(v, '.', n);
        if (!dot || parse_uint(dot + 1, (size_t)(v + n - dot - 1), &port))
            return -1;
        addr = v;
        addr_end = dot;
        if (!memchr(v, ':', (size_t)(dot - v))) {
            int dots = 0;
            for (const char *q = v; q < dot; q++)
                dots += *q == '.';
            if (dots != 3)
                return -1;
        }
    }
    if (port > 65535 || addr_end == addr)
        return -1;
    hp->addr.s = dup(c, addr, (size_t)(addr_end - addr));
    hp->port = (int)port;
    return 0;
}

static int parse_aclvar(struct cur *c, struct tern_spool_msg *m, size_t *cap,
                        char scope, const char *name, size_t nn,
                        long long len, int tainted, unsigned lineno)
{
    if ((size_t)(c->end - c->p) < (size_t)len + 1 || c->p[len] != '\n')
        return bad(c, lineno, "ACL variable value shorter than its length");
    if (memchr(c->p, 0, (size_t)len))
        return bad(c, lineno, "NUL byte in ACL variable value");
    m->aclvars = push(c, m->aclvars, m->n_aclvars, cap, sizeof *m->aclvars);
    struct tern_spool_aclvar *v = &m->aclvars[m->n_aclvars++];
    v->scope = scope;
    v->name = dup(c, name, nn);
    v->value = dup(c, c->p, (size_t)len);
    v->len = (size_t)len;
    v->tainted = tainted;
    for (long long i = 0; i < len; i++)
        c->line += c->p[i] == '\n';
    c->p += len + 1;
    c->line++;
    return 0;
}

/* "-aclc NAME LEN", "-aclm NAME LEN" or the old "-acl INDEX LEN". */
static int parse_acl_line(struct cur *c, struct tern_spool_msg *m,
                          size_t *cap, const char *name, size_t nn,
                          const char *v, size_t vn, int tainted,
                          unsigned lineno)
{
    const char *sp = v ? memchr(v, ' ', vn) : NULL;
    long long len, idx;
    if (!sp || sp == v ||
        parse_uint(sp + 1, vn - (size_t)(sp - v) - 1, &len) != 0)
        return bad(c, lineno, "expected '-aclX NAME LENGTH'");
    if (nn == 4)
        return parse_aclvar(c, m, cap, name[3], v, (size_t)(sp - v), len,
                            tainted, lineno);
    if (parse_uint(v, (size_t)(sp - v), &idx) != 0 || idx >= 20)
        return bad(c, lineno, "-acl index is not 0-19");
    char num[2] = { (char)('0' + idx % 10), 0 };
    return parse_aclvar(c, m, cap, idx < 10 ? 'c' : 'm', num, 1, len,
                        tainted, lineno);
}

static int parse_known(struct cur *c, struct tern_spool_msg *m,
                       const struct tern_spool_field *f, const char *v,
                       size_t vn, struct tern_spool_str str, unsigned lineno)
{
    char *base = (char *)m;
    long long iv, iv2;
    if ((f->type == TERN_SF_FLAG) != (v == NULL))
        return bad(c, lineno, f->type == TERN_SF_FLAG
                   ? "this flag line takes no value"
                   : "this line needs a value");
    switch (f->type) {
    case TERN_SF_FLAG:
        m->flags |= f->flag;
        return 0;
    case TERN_SF_STR:
        str.s = dup(c, v, vn);
        memcpy(base + f->off, &str, sizeof str);
        return 0;
    case TERN_SF_INT:
        if (parse_uint(v, vn, &iv) != 0)
            return bad(c, lineno, "expected a number");
        memcpy(base + f->off, &iv, sizeof iv);
        return 0;
    case TERN_SF_HOSTPORT: {
        struct tern_spool_hostport *hp =
            (struct tern_spool_hostport *)(base + f->off);
        if (parse_hostport(c, v, vn, hp) != 0)
            return bad(c, lineno, "expected '[address]:port'");
        hp->addr.tainted = str.tainted;
        hp->addr.quoter = str.quoter;
        return 0;
    }
    case TERN_SF_USEC:
        if (vn != 7 || v[0] != '.' || parse_uint(v + 1, 6, &iv) != 0)
            return bad(c, lineno, "expected '.' and six digits");
        m->received_usec = (int)iv;
        return 0;
    case TERN_SF_COMPLETE: {
        const char *dot = memchr(v, '.', vn);
        if (!dot || parse_uint(v, (size_t)(dot - v), &iv) != 0 ||
            v + vn - dot != 7 || parse_uint(dot + 1, 6, &iv2) != 0)
            return bad(c, lineno, "expected SECONDS.MICROSECONDS");
        m->complete_sec = iv;
        m->complete_usec = (int)iv2;
        return 0;
    }
    case TERN_SF_ACLVARS:
        break;
    }
    return bad(c, lineno, "internal: unexpected field type");
}

struct optstate {
    unsigned long long seen;    /* table entries already read */
    size_t acl_cap, extra_cap;
};

static int parse_option(struct cur *c, struct tern_spool_msg *m,
                        struct optstate *st, const struct line *l)
{
    const char *s = l->s + 1;
    size_t n = l->n - 1;
    struct tern_spool_str str = { NULL, 0, NULL };
    if (n > 0 && *s == '-') {
        str.tainted = 1;
        s++, n--;
    }
    if (n > 0 && *s == '(') {
        const char *close = memchr(s, ')', n);
        if (!close || close == s + 1)
            return bad(c, l->no, "unterminated '(quoter)'");
        str.quoter = dup(c, s + 1, (size_t)(close - s - 1));
        n -= (size_t)(close + 1 - s);
        s = close + 1;
    }
    size_t nn = 0;
    while (nn < n && s[nn] != ' ')
        nn++;
    if (nn == 0)
        return bad(c, l->no, "'-' line without a name");
    const char *v = nn < n ? s + nn + 1 : NULL;
    size_t vn = v ? n - nn - 1 : 0;
    if ((nn == 4 && (!memcmp(s, "aclc", 4) || !memcmp(s, "aclm", 4))) ||
        (nn == 3 && !memcmp(s, "acl", 3)))
        return parse_acl_line(c, m, &st->acl_cap, s, nn, v, vn, str.tainted,
                              l->no);
    const struct tern_spool_field *f = tern_spool_field_find(s, nn);
    if (!f) {
        m->extras = push(c, m->extras, m->n_extras, &st->extra_cap,
                         sizeof *m->extras);
        m->extras[m->n_extras++] = dup(c, l->s + 1, l->n - 1);
        return 0;
    }
    unsigned long long bit = 1ULL << (f - tern_spool_fields);
    if (st->seen & bit) {
        tern_spool_seterr(c->err, 0, c->fname, l->no, "duplicate -%s line",
                          f->name);
        return -1;
    }
    st->seen |= bit;
    return parse_known(c, m, f, v, vn, str, l->no);
}

struct tnode {
    const char *addr;
    size_t n;
    int right;
    unsigned no;
};

static int emit_nonrcpt(struct cur *c, struct tern_spool_msg *m, size_t *cap,
                        const struct tnode *t)
{
    if (m->n_nonrcpts > 0 &&
        strcmp(m->nonrcpts[m->n_nonrcpts - 1], t->addr) >= 0)
        return bad(c, t->no, "non-recipients tree is not in order");
    m->nonrcpts = push(c, m->nonrcpts, m->n_nonrcpts, cap,
                       sizeof *m->nonrcpts);
    m->nonrcpts[m->n_nonrcpts++] = t->addr;
    return 0;
}

/* The tree is written in preorder, each node "LR address" with L/R = Y|N
 * saying whether a left/right subtree follows.  Walking it with a stack
 * of nodes waiting for their left subtree yields the addresses in order
 * (and finds where the tree ends) without recursion. */
static int parse_tree(struct cur *c, struct tern_spool_msg *m,
                      const struct line *first)
{
    struct line l = *first;
    struct tnode *stack = NULL;
    size_t sp = 0, scap = 0, ncap = 0;
    if (l.n == 2 && memcmp(l.s, "XX", 2) == 0)
        return 0;
    for (;;) {
        if (l.n < 4 || (l.s[0] != 'Y' && l.s[0] != 'N') ||
            (l.s[1] != 'Y' && l.s[1] != 'N') || l.s[2] != ' ')
            return bad(c, l.no, "expected a non-recipients tree line "
                       "('XX', or 'YY address' with Y/N flags)");
        struct tnode t = { dup(c, l.s + 3, l.n - 3), l.n - 3,
                           l.s[1] == 'Y', l.no };
        if (l.s[0] == 'Y') {
            stack = push(c, stack, sp, &scap, sizeof *stack);
            stack[sp++] = t;
        } else {
            if (emit_nonrcpt(c, m, &ncap, &t) != 0)
                return -1;
            int more = t.right;
            while (!more && sp > 0) {
                t = stack[--sp];
                if (emit_nonrcpt(c, m, &ncap, &t) != 0)
                    return -1;
                more = t.right;
            }
            if (!more)
                return 0;
        }
        if (next_line(c, &l, "the rest of the non-recipients tree") != 0)
            return -1;
    }
}

/* From the right end of s[0, *rest): " STRING LEN,NUM" -> string, num. */
static int take_field(struct cur *c, const char *s, size_t *rest,
                      const char **str, long long *num)
{
    size_t t = *rest, comma;
    long long len;
    while (t > 0 && ((s[t - 1] >= '0' && s[t - 1] <= '9') ||
                     s[t - 1] == ',' || s[t - 1] == '-'))
        t--;
    const char *cm = memchr(s + t, ',', *rest - t);
    if (!cm || t == 0 || s[t - 1] != ' ')
        return -1;
    comma = (size_t)(cm - s);
    if (parse_uint(s + t, comma - t, &len) != 0 ||
        parse_int(s + comma + 1, *rest - comma - 1, num) != 0)
        return -1;
    size_t str_end = t - 1;
    if ((long long)str_end < len + 1 || s[str_end - (size_t)len - 1] != ' ')
        return -1;
    *str = len ? dup(c, s + str_end - (size_t)len, (size_t)len) : NULL;
    *rest = str_end - (size_t)len - 1;
    return 0;
}

static int parse_rcpt(struct cur *c, const struct line *l,
                      struct tern_spool_rcpt *r)
{
    const char *s = l->s;
    size_t n = l->n, e = n, rest = n;
    long long v;
    r->pno = -1;
    while (e > 0 && s[e - 1] >= '0' && s[e - 1] <= '9')
        e--;
    if (e < n && e > 1 && s[e - 1] == '#') {
        if (parse_uint(s + e, n - e, &v) != 0 || (v != 1 && v != 3))
            return bad(c, l->no, "unknown recipient field flags");
        rest = e - 1;
        const char *str;
        long long num;
        if (take_field(c, s, &rest, &str, &num) != 0 || num < -1)
            return bad(c, l->no, "bad errors_to/parent field in recipient");
        r->errors_to = str;
        r->pno = (int)num;
        if (v & 2) {
            if (take_field(c, s, &rest, &str, &num) != 0 || num < 0)
                return bad(c, l->no, "bad ORCPT/DSN field in recipient");
            r->orcpt = str;
            r->dsn_flags = (int)num;
        }
    } else if (e < n && e > 1 && s[e - 1] == ' ') {
        /* early Exim 4: "address parent" */
        if (parse_uint(s + e, n - e, &v) != 0 || v > 0x7fffffff)
            return bad(c, l->no, "bad parent number in recipient");
        r->pno = (int)v;
        rest = e - 1;
    } else if (e < n && e > 1 && s[e - 1] == ',') {
        /* Exim 3: "address N,PARENT,N" */
        size_t b = e;
        while (b > 0 && ((s[b - 1] >= '0' && s[b - 1] <= '9') ||
                         s[b - 1] == ','))
            b--;
        const char *cm = memchr(s + b, ',', n - b);
        const char *cm2 = cm ? memchr(cm + 1, ',', (size_t)(s + n - cm - 1))
                             : NULL;
        if (b == 0 || s[b - 1] != ' ' || !cm2 ||
            parse_uint(cm + 1, (size_t)(cm2 - cm - 1), &v) != 0)
            return bad(c, l->no, "bad Exim 3 recipient line");
        r->pno = (int)v;
        rest = b - 1;
    }
    if (rest == 0)
        return bad(c, l->no, "empty recipient address");
    r->address = dup(c, s, rest);
    return 0;
}

static int parse_rcpts(struct cur *c, struct tern_spool_msg *m)
{
    struct line l;
    long long count;
    if (next_line(c, &l, "the recipient count") != 0)
        return -1;
    if (parse_uint(l.s, l.n, &count) != 0)
        return bad(c, l.no, "expected the number of recipients");
    if (count > 16384)
        return bad(c, l.no, "more than 16384 recipients (Exim refuses too)");
    /* each recipient takes at least two bytes: bound the allocation */
    if (count > (c->end - c->p) / 2)
        return bad(c, l.no, "more recipients than the file has lines");
    m->n_rcpts = (size_t)count;
    m->rcpts = count ? tern_alloc(c->a, (size_t)count * sizeof *m->rcpts)
                     : NULL;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        if (next_line(c, &l, "the last recipient") != 0)
            return -1;
        if (parse_rcpt(c, &l, &m->rcpts[i]) != 0)
            return -1;
    }
    if (next_line(c, &l, "the blank line before the headers") != 0)
        return -1;
    if (l.n != 0)
        return bad(c, l.no, "expected the blank line before the headers "
                   "(recipient count too small?)");
    return 0;
}

static int parse_headers(struct cur *c, struct tern_spool_msg *m)
{
    size_t cap = 0;
    while (c->p < c->end) {
        unsigned no = c->line;
        size_t d = 0, avail = (size_t)(c->end - c->p);
        long long len;
        while (d < avail && d < 10 && c->p[d] >= '0' && c->p[d] <= '9')
            d++;
        if (d == 0 || d + 2 > avail || parse_uint(c->p, d, &len) != 0)
            return bad(c, no, "expected a header length");
        unsigned char type = (unsigned char)c->p[d];
        if (type < 0x20 || type > 0x7e || c->p[d + 1] != ' ')
            return bad(c, no, "expected a header type flag and a space");
        const char *text = c->p + d + 2;
        if (len < 2 || (size_t)len > avail - d - 2)
            return bad(c, no, "header length runs past the end of the file");
        if (text[len - 1] != '\n' || memchr(text, 0, (size_t)len) ||
            text[0] == ' ' || text[0] == '\t' || text[0] == '\n')
            return bad(c, no, "header text does not match its length");
        m->headers = push(c, m->headers, m->n_headers, &cap,
                          sizeof *m->headers);
        struct tern_spool_header *h = &m->headers[m->n_headers++];
        h->type = (char)type;
        h->text = dup(c, text, (size_t)len);
        h->len = (size_t)len;
        for (long long i = 0; i < len; i++)
            c->line += text[i] == '\n';
        c->p = text + len;
    }
    return 0;
}

int tern_spool_parse(const char *buf, size_t len, const char *fname,
                     struct tern_arena *a, struct tern_spool_msg *m,
                     struct tern_spool_err *err)
{
    struct cur c = { buf, buf + len, 1, fname ? fname : "-H", a, err };
    struct optstate st = { 0, 0, 0 };
    struct line l;
    _Static_assert(sizeof st.seen * 8 >= 64, "seen mask");
    tern_spool_msg_init(m);
    if (tern_spool_nfields > 64)
        return bad(&c, 0, "internal: too many spool fields");
    if (parse_envelope(&c, m) != 0)
        return -1;
    /* A file named like a spool file must be that message's. */
    const char *base = strrchr(c.fname, '/');
    base = base ? base + 1 : c.fname;
    if (strlen(base) == TERN_MSGID_LEN + 2 &&
        strcmp(base + TERN_MSGID_LEN, "-H") == 0 &&
        memcmp(base, m->id, TERN_MSGID_LEN) != 0)
        return bad(&c, 1, "id line does not match the file name");
    for (;;) {
        if (next_line(&c, &l, "the non-recipients tree") != 0)
            return -1;
        if (l.n == 0 || l.s[0] != '-')
            break;
        if (parse_option(&c, m, &st, &l) != 0)
            return -1;
    }
    if (parse_tree(&c, m, &l) != 0 || parse_rcpts(&c, m) != 0 ||
        parse_headers(&c, m) != 0)
        return -1;
    return 0;
}
