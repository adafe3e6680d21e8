/*
 * NAME
 *   expand_ip.c - IP address tests and operators: isip, mask,
 *   ipv6norm, ipv6denorm, reverse_ip
 *
 * SYNOPSIS
 *   exp_is_ip(s, NULL)                 0, 4 or 6
 *   ${mask:10.111.131.206/28}          10.111.131.192/28
 *   ${ipv6norm:2001:0db8::0001}        2001:db8::1
 *
 * DESCRIPTION
 *   Addresses are read with inet_pton(), which (like Exim's own check)
 *   refuses components above 255 and leading zeros in IPv4; an IPv6
 *   address may carry a %scope, which is ignored.
 *
 *   ${mask} writes IPv6 results with dots between four-digit groups so
 *   they can be lsearch keys; ${mask_n} and ${ipv6norm} compress the
 *   first longest run of zero groups, even a run of one, as Exim 4.96
 *   does (and, as it does, write the all-zero address as ":").
 *   IPv4 addresses given to the IPv6 operators become ::ffff:a.b.c.d in
 *   hex.
 *
 * DIAGNOSTICS
 *   "is not an IP address", "missing mask value", "mask value too big".
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "arena.h"
#include "expand_int.h"

/* Copy s (minus a %scope for IPv6) into buf; 0 if it does not fit. */
static int ip_text(struct xs s, char *buf, size_t size)
{
    if (s.len == 0 || s.len >= size || memchr(s.p, '\0', s.len))
        return 0;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    char *pct = strchr(buf, '%');
    if (pct && strchr(buf, ':'))
        *pct = '\0';
    return 1;
}

int exp_ip_parse(struct xs s, unsigned char bin[16], int *family)
{
    char buf[80];
    if (!ip_text(s, buf, sizeof buf))
        return -1;
    if (inet_pton(AF_INET, buf, bin) == 1) {
        *family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, bin) == 1) {
        *family = 6;
        return 0;
    }
    return -1;
}

int exp_is_ip(struct xs s, int *maskbits)
{
    unsigned char bin[16];
    int fam;
    const char *slash = memchr(s.p, '/', s.len);
    if (slash) {
        if (!maskbits)
            return 0;
        const char *q = slash + 1, *e = s.p + s.len;
        while (q < e && x_space((unsigned char)*q))
            q++;
        int m = 0;
        while (q < e && x_digit((unsigned char)*q) && m < 1000)
            m = m * 10 + (*q++ - '0');
        *maskbits = m;
        s.len = (size_t)(slash - s.p);
    } else if (maskbits) {
        *maskbits = -1;
    }
    return exp_ip_parse(s, bin, &fam) == 0 ? fam : 0;
}

static void v4_to_v6(const unsigned char *v4, unsigned char *v6)
{
    memset(v6, 0, 10);
    v6[10] = v6[11] = 0xff;
    memcpy(v6 + 12, v4, 4);
}

static void v6_norm(const unsigned char *b, struct xb *out)
{
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    if (bestlen == 8) {
        xb_addc(out, ':');
        return;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            xb_adds(out, "::");
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen)
            xb_addc(out, ':');
        xb_addf(out, "%x", g[i]);
    }
}

static void v6_full(const unsigned char *b, char sep, struct xb *out)
{
    for (int i = 0; i < 8; i++) {
        if (i)
            xb_addc(out, sep);
        xb_addf(out, "%02x%02x", b[2 * i], b[2 * i + 1]);
    }
}

static int op_mask(struct ev *v, uint32_t node, int normal, struct xs s,
                   struct xb *out)
{
    unsigned char bin[16];
    int fam, bits;
    const char *slash = memchr(s.p, '/', s.len);
    if (!exp_is_ip(s, &bits))
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not an IP address",
                       s.p);
    if (!slash)
        return ev_fail(v, TERN_EXP_ERROR, node, "missing mask value in "
                       "\"%s\"", s.p);
    exp_ip_parse(xs_make(s.p, (size_t)(slash - s.p)), bin, &fam);
    int max = fam == 4 ? 32 : 128;
    if (bits > max)
        return ev_fail(v, TERN_EXP_ERROR, node, "mask value too big in "
                       "\"%s\"", s.p);
    for (int i = 0; i < max / 8; i++) {
        int keep = bits - 8 * i;
        if (keep <= 0)
            bin[i] = 0;
        else if (keep < 8)
            bin[i] &= (unsigned char)(0xff << (8 - keep));
    }
    if (fam == 4)
        xb_addf(out, "%u.%u.%u.%u", bin[0], bin[1], bin[2], bin[3]);
    else if (normal)
        v6_norm(bin, out);
    else
        v6_full(bin, '.', out);
    xb_addf(out, "/%d", bits);
    return 0;
}

int exp_op_ip(struct ev *v, uint32_t node, unsigned op, struct xs s,
              struct xb *out)
{
    unsigned char bin[16], v6[16];
    int fam;
    if (op == OP_MASK || op == OP_MASK_N)
        return op_mask(v, node, op == OP_MASK_N, s, out);
    if (op == OP_REVERSE_IP) {
        const char *slash = memchr(s.p, '/', s.len);
        if (slash)              /* Exim ignores a mask here */
            s.len = (size_t)(slash - s.p);
    }
    if (exp_ip_parse(s, bin, &fam) < 0) {
        if (op == OP_REVERSE_IP)
            return ev_fail(v, TERN_EXP_ERROR, node, "reverse_ip() not given "
                           "an IP address [%s]", s.p);
        return ev_fail(v, TERN_EXP_ERROR, node, "\"%s\" is not an IP address",
                       s.p);
    }
    if (op == OP_REVERSE_IP) {
        if (fam == 4) {
            xb_addf(out, "%u.%u.%u.%u", bin[3], bin[2], bin[1], bin[0]);
            return 0;
        }
        for (int i = 15; i >= 0; i--)
            xb_addf(out, "%x.%x%s", bin[i] & 15, bin[i] >> 4, i ? "." : "");
        return 0;
    }
    if (fam == 4)
        v4_to_v6(bin, v6);
    else
        memcpy(v6, bin, 16);
    if (op == OP_IPV6NORM)
        v6_norm(v6, out);
    else
        v6_full(v6, ':', out);
    return 0;
}
