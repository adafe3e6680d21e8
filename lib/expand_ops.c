/*
 * NAME
 *   expand_ops.c - ${op:string} operators: dispatch and the simple ones
 *
 * SYNOPSIS
 *   rc = ev_oper(v, node, out);
 *
 * DESCRIPTION
 *   The argument is expanded, then transformed.  Case, lengths, quoting
 *   for strings and regexes, list counting, ${eval}, times, ${expand}
 *   (a second parse and evaluation with the environment's schema),
 *   ${stat}, ${randint} and the parametric forms of length, substr, hash
 *   and nhash are here.  Encodings are in expand_codec.c, digests in
 *   expand_digest.c, addresses in expand_addr.c, IP addresses in
 *   expand_ip.c.
 *
 * DIAGNOSTICS
 *   As Exim words them where a message is part of the behaviour (eval's
 *   "after processing"), otherwise plain.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

static void op_quote(struct xs s, struct xb *out)
{
    int plain = s.len > 0;
    for (size_t i = 0; i < s.len && plain; i++) {
        int c = (unsigned char)s.p[i];
        plain = x_alnum(c) || c == '_' || c == '.' || c == '-';
    }
    if (plain) {
        xb_add(out, s.p, s.len);
        return;
    }
    xb_addc(out, '"');
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '\n')
            xb_adds(out, "\\n");
        else if (c == '\r')
            xb_adds(out, "\\r");
        else {
            if (c == '"' || c == '\\')
                xb_addc(out, '\\');
            xb_addc(out, c);
        }
    }
    xb_addc(out, '"');
}

/* RFC 2822 atom text, plus dots anywhere but at the ends. */
static void op_quote_local_part(struct xs s, struct xb *out)
{
    int plain = s.len > 0 && s.p[0] != '.' && s.p[s.len - 1] != '.';
    for (size_t i = 0; i < s.len && plain; i++) {
        int c = (unsigned char)s.p[i];
        plain = c > 32 && c < 127 && !strchr("()<>@,;:\\\"[]", c);
    }
    if (plain) {
        xb_add(out, s.p, s.len);
        return;
    }
    xb_addc(out, '"');
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '"' || s.p[i] == '\\')
            xb_addc(out, '\\');
        xb_addc(out, s.p[i]);
    }
    xb_addc(out, '"');
}

static void op_rxquote(struct xs s, struct xb *out)
{
    for (size_t i = 0; i < s.len; i++) {
        if (!x_alnum((unsigned char)s.p[i]))
            xb_addc(out, '\\');
        xb_addc(out, s.p[i]);
    }
}

static int op_eval(struct ev *v, uint32_t node, struct xs s, int dec,
                   struct xb *out)
{
    long long n;
    const char *why;
    size_t where;
    if (exp_eval_arith(s, dec, &n, &why, &where) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "error in expression "
                       "evaluation: %s (after processing \"%.*s\")", why,
                       (int)where, s.p);
    xb_addf(out, "%lld", n);
    return 0;
}

static int op_expand(struct ev *v, uint32_t node, struct xs s,
                     struct xb *out)
{
    struct tern_exp *e;
    if (ev_parse(v, node, s, &e) < 0)
        return -1;
    return ev_nested(v, e, node, out);
}

static void smode(mode_t m, char *b)
{
    static const char rwx[] = "rwxrwxrwx";
    b[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' :
           S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
    for (int i = 0; i < 9; i++)
        b[i + 1] = (m & (0400u >> i)) ? rwx[i] : '-';
    if (m & S_ISUID)
        b[3] = (m & 0100) ? 's' : 'S';
    if (m & S_ISGID)
        b[6] = (m & 0010) ? 's' : 'S';
    if (m & S_ISVTX)
        b[9] = (m & 0001) ? 't' : 'T';
    b[10] = '\0';
}

static int op_stat(struct ev *v, uint32_t node, struct xs s, struct xb *out)
{
    struct stat st;
    char sm[11];
    if (strlen(s.p) != s.len || stat(s.p, &st) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "stat(%s) failed: %s", s.p,
                       strerror(strlen(s.p) != s.len ? EINVAL : errno));
    smode(st.st_mode, sm);
    xb_addf(out, "mode=%04o smode=%s inode=%llu device=%llu links=%llu "
            "uid=%llu gid=%llu size=%lld atime=%lld mtime=%lld ctime=%lld",
            (unsigned)(st.st_mode & 07777), sm,
            (unsigned long long)st.st_ino, (unsigned long long)st.st_dev,
            (unsigned long long)st.st_nlink, (unsigned long long)st.st_uid,
            (unsigned long long)st.st_gid, (long long)st.st_size,
            (long long)st.st_atime, (long long)st.st_mtime,
            (long long)st.st_ctime);
    return 0;
}

static int op_randint(struct ev *v, uint32_t node, struct xs s,
                      struct xb *out)
{
    long long n;
    const char *why;
    unsigned long long r = 0;
    if (exp_int(s, &n, &why) < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "%s: \"%s\"", why, s.p);
    if (n <= 1) {
        xb_adds(out, "0");
        return 0;
    }
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        return ev_fail(v, TERN_EXP_ERROR, node, "no random numbers: %s",
                       strerror(errno));
    xb_addf(out, "%llu", r % (unsigned long long)n);
    return 0;
}

static int op_listnamed(struct ev *v, uint32_t node, struct xs s,
                        struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    char type = (n->flags & NF_PTEXT) && n->d ? v->e->text[n->c] : 0;
    const char *list = NULL;
    if (!v->env->named_list ||
        v->env->named_list(v->env->arg, type, s.p, v->a, &list) != TERN_OK)
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not a named list",
                       s.p);
    xb_adds(out, list);
    return 0;
}

static int op_quote_lookup(struct ev *v, uint32_t node, struct xs s,
                           struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct xs type = (n->flags & NF_PTEXT) ? ev_text(v, n->c, n->d)
                                           : xs_make("", 0);
    char *res = NULL;
    size_t rlen = 0;
    if (v->env->lookup_quote &&
        v->env->lookup_quote(v->env->arg, xs_dup(v->a, type), "", s.p, s.len,
                             v->a, &res, &rlen) == TERN_OK && res) {
        xb_add(out, res, rlen);
        return 0;
    }
    xb_add(out, s.p, s.len);
    return 0;
}

static int op_numeric_names(struct ev *v, uint32_t node, unsigned op,
                            struct xs s, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    long long a = (int32_t)n->c, b = (int32_t)n->d;
    int has_a = (n->flags & NF_P1) != 0, has_b = (n->flags & NF_P2) != 0;
    if (!has_a)
        return ev_fail(v, TERN_EXP_ERROR, node, "missing number for "
                       "\"%s\"", exp_op_name(op));
    switch (op) {
    case OP_LENGTH:
        exp_substr(s, 0, a, 1, out);
        return 0;
    case OP_SUBSTR:
        exp_substr(s, a, b, has_b, out);
        return 0;
    case OP_HASH:
        return exp_hash(v, node, s, a, has_b ? b : 26, out);
    default:
        return exp_nhash(v, node, s, a, b, has_b, out);
    }
}

static int op_simple(struct ev *v, uint32_t node, unsigned op, struct xs s,
                     struct xb *out)
{
    long long n;
    struct xlist l;
    struct xs item;
    switch (op) {
    case OP_LC:
    case OP_UC:
        for (size_t i = 0; i < s.len; i++)
            xb_addc(out, (char)(op == OP_LC ? x_lower((unsigned char)s.p[i])
                                            : x_upper((unsigned char)s.p[i])));
        return 0;
    case OP_STRLEN:
        xb_addf(out, "%zu", s.len);
        return 0;
    case OP_LISTCOUNT:
        n = 0;
        xlist_start(&l, s, ':');
        while (xlist_next(&l, v->a, &item))
            n++;
        xb_addf(out, "%lld", n);
        return 0;
    case OP_QUOTE:
        op_quote(s, out);
        return 0;
    case OP_QUOTE_LOCAL_PART:
        op_quote_local_part(s, out);
        return 0;
    case OP_RXQUOTE:
        op_rxquote(s, out);
        return 0;
    case OP_EVAL:
    case OP_EVAL10:
        return op_eval(v, node, s, op == OP_EVAL10, out);
    case OP_TIME_EVAL:
        if (exp_time_eval(s, &n) < 0)
            return ev_fail(v, TERN_EXP_ERROR, node, "string \"%s\" is not an "
                           "Exim time interval in \"time_eval\" operator",
                           s.p);
        xb_addf(out, "%lld", n);
        return 0;
    case OP_TIME_INTERVAL: {
        /* Exim reads this into an int: larger values wrap. */
        uint32_t w = 0;
        for (size_t i = 0; i < s.len; i++) {
            if (!x_digit((unsigned char)s.p[i]))
                return ev_fail(v, TERN_EXP_ERROR, node, "string \"%s\" is not "
                               "a positive number in \"time_interval\" "
                               "operator", s.p);
            w = w * 10u + (uint32_t)(s.p[i] - '0');
        }
        exp_time_interval(out, (int32_t)w);
        return 0;
    }
    case OP_EXPAND: return op_expand(v, node, s, out);
    case OP_STAT: return op_stat(v, node, s, out);
    case OP_RANDINT: return op_randint(v, node, s, out);
    case OP_LISTNAMED: return op_listnamed(v, node, s, out);
    case OP_QUOTE_LOOKUP: return op_quote_lookup(v, node, s, out);
    case OP_LENGTH: case OP_SUBSTR: case OP_HASH: case OP_NHASH:
        return op_numeric_names(v, node, op, s, out);
    default:
        return ev_fail(v, TERN_EXP_ERROR, node, "unknown operator %u", op);
    }
}

int ev_oper(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    unsigned op = n->op;
    struct xs s;
    if (ev_str(v, n->b ? n->a : 0, &s) < 0)
        return -1;
    switch (op) {
    case OP_ADDRESS: case OP_ADDRESSES: case OP_DOMAIN: case OP_LOCAL_PART:
        return exp_op_addr(v, node, op, s, out);
    case OP_MASK: case OP_MASK_N: case OP_IPV6NORM: case OP_IPV6DENORM:
    case OP_REVERSE_IP:
        return exp_op_ip(v, node, op, s, out);
    case OP_MD5: case OP_SHA1: case OP_SHA2: case OP_SHA3:
        return exp_op_digest(v, node, op, (n->flags & NF_P1) ? n->c : 0, s,
                             out);
    case OP_BASE32: case OP_BASE32D: case OP_BASE62: case OP_BASE62D:
    case OP_BASE64: case OP_BASE64D: case OP_HEX2B64: case OP_HEXQUOTE:
    case OP_ESCAPE: case OP_ESCAPE8BIT: case OP_RFC2047: case OP_RFC2047D:
    case OP_UTF8CLEAN: case OP_FROM_UTF8: case OP_HEADERWRAP:
        return exp_op_codec(v, node, op, s, out);
    default:
        return op_simple(v, node, op, s, out);
    }
}
