/*
 * NAME
 *   hints_dump.c - tern-hints dump: one hints record, readable
 *
 * DESCRIPTION
 *   Retry and wait-<transport> records are printed exactly as
 *   exim_dumpdb prints them, so that scripts reading its output (exinext
 *   among them) read ours:
 *
 *       T:mx.example:192.0.2.1 111 0 Connection refused
 *     14-Nov-2023 22:13:20  14-Nov-2023 22:15:00  14-Nov-2023 23:13:20 *
 *     mx.example 1xVorK-0003vR-1J 1xVorO-0003wg-2p
 *
 *   (key, errno, more_errno, text; then first failure, last try, next
 *   try, and "*" past the final cutoff).  The other kinds are Tern's own
 *   layout: the key, then indented "name value" lines, always with the
 *   time the record was written.  A record that cannot be decoded as its
 *   database's kind is shown as its length and leading bytes in hex.
 *   With --json each record is an object with "key", "written" and
 *   "type" plus the decoded fields.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hints.h"
#include "hints_cmd.h"

enum kind { K_RAW, K_RETRY, K_WAIT, K_TLS, K_EHLO, K_RATELIMIT, K_MISC,
            K_SEEN };

static enum kind kind_of(const char *db, const char *key,
                         const struct tern_hints_rec *rec)
{
    struct tern_hints_ehlo e;
    if (!strncmp(key, TERN_HINTS_EHLO_PREFIX,
                 strlen(TERN_HINTS_EHLO_PREFIX)) &&
        tern_hints_ehlo_decode(rec, &e) == 0)
        return K_EHLO;
    if (rec->stamp < 0)
        return K_RAW;
    if (!strcmp(db, "retry"))
        return K_RETRY;
    if (!strncmp(db, "wait-", 5))
        return K_WAIT;
    if (!strcmp(db, "tls"))
        return K_TLS;
    if (!strcmp(db, "ratelimit") && rec->len >= 16)
        return K_RATELIMIT;
    if (!strcmp(db, "misc") && rec->len >= 4)
        return K_MISC;
    if (!strcmp(db, "seen"))
        return K_SEEN;
    return K_RAW;
}

static void features(const struct tern_hints_ehlo_caps *c, char *buf,
                     size_t size)
{
    size_t o = 0;
    buf[0] = 0;
    for (unsigned bit = 1; bit && o < size; bit <<= 1) {
        const char *n = (c->features & bit) ? tern_hints_ehlo_feature_name(bit)
                                            : NULL;
        if (!n)
            continue;
        if (bit == TERN_EHLO_SIZE && c->size > 0)
            o += (size_t)snprintf(buf + o, size - o, "%sSIZE=%lld",
                                  o ? " " : "", c->size);
        else if (bit == TERN_EHLO_AUTH && c->auths && *c->auths)
            o += (size_t)snprintf(buf + o, size - o, "%sAUTH=%s",
                                  o ? " " : "", c->auths);
        else
            o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? " " : "",
                                  n);
    }
}

static void raw_hex(const struct tern_hints_rec *rec, char *buf, size_t size)
{
    size_t o = 0, n = rec->len < 48 ? rec->len : 48;
    buf[0] = 0;
    for (size_t i = 0; i < n && o + 3 < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%02x", rec->data[i]);
    if (n < rec->len && o + 4 < size)
        snprintf(buf + o, size - o, "...");
}

static int get_int(const unsigned char *p)
{
    int v;
    memcpy(&v, p, sizeof v);
    return v;
}

static double get_double(const unsigned char *p)
{
    double d;
    memcpy(&d, p, sizeof d);
    return d;
}

static void text(const struct tools_env *e, enum kind k, const char *key,
                 const struct tern_hints_rec *rec)
{
    char d1[32], d2[32], d3[32], buf[600];
    struct tern_hints_retry r;
    struct tern_hints_wait w;
    struct tern_hints_tls t;
    struct tern_hints_ehlo eh;

    if (k == K_RETRY && tern_hints_retry_decode(rec, &r) == 0) {
        tools_fmt_date(e, r.first_failed, d1);
        tools_fmt_date(e, r.last_try, d2);
        tools_fmt_date(e, r.next_try, d3);
        printf("  %s %d %d %s\n%s  %s  %s %s\n", key, r.basic_errno,
               r.more_errno, r.text, d1, d2, d3, r.expired ? "*" : "");
        return;
    }
    if (k == K_WAIT && tern_hints_wait_decode(rec, &w) == 0) {
        char id[TERN_HINTS_ID_SIZE];
        printf("%s ", key);
        for (int i = 0; i < w.count; i++) {
            tern_hints_wait_id(&w, i, id);
            printf("%s ", id);
        }
        putchar('\n');
        return;
    }
    printf("%s\n", key);
    if (rec->stamp >= 0) {
        tools_fmt_date(e, rec->stamp, d1);
        printf("  written     %s\n", d1);
    }
    if (k == K_TLS && tern_hints_tls_decode(rec, &t) == 0) {
        if (t.expires > 0)
            tools_fmt_date(e, t.expires, d2);
        printf("  expires     %s\n  policy      %s\n  session     %zu "
               "bytes\n", t.expires > 0 ? d2 : "unknown", t.policy,
               t.session_len);
    } else if (k == K_EHLO && tern_hints_ehlo_decode(rec, &eh) == 0) {
        features(&eh.clear, buf, sizeof buf);
        printf("  cleartext   %s\n", buf);
        features(&eh.tls, buf, sizeof buf);
        printf("  after TLS   %s\n", eh.tls.features ? buf : "(not seen)");
    } else if (k == K_RATELIMIT) {
        printf("  usec        %d\n  rate        %.3f\n",
               get_int(rec->data),
               get_double(rec->data + 8));
    } else if (k == K_MISC) {
        printf("  count       %d\n", get_int(rec->data));
    } else if (k != K_SEEN) {
        raw_hex(rec, buf, sizeof buf);
        printf("  data        %zu bytes: %s\n", rec->len, buf);
    }
}

static void json(const char *type, const char *key,
                 const struct tern_hints_rec *rec, int *first)
{
    tools_json_key(stdout, first, "key");
    tools_json_str(stdout, key, (size_t)-1);
    tools_json_key(stdout, first, "written");
    if (rec->stamp >= 0)
        printf("%lld", rec->stamp);
    else
        fputs("null", stdout);
    tools_json_key(stdout, first, "type");
    tools_json_str(stdout, type, (size_t)-1);
}

static void json_caps(const char *name, const struct tern_hints_ehlo_caps *c,
                      int *first)
{
    int f2 = 1;
    tools_json_key(stdout, first, name);
    putchar('{');
    tools_json_key(stdout, &f2, "features");
    putchar('[');
    for (unsigned bit = 1, n = 0; bit; bit <<= 1) {
        const char *s = (c->features & bit) ? tern_hints_ehlo_feature_name(bit)
                                            : NULL;
        if (s) {
            printf("%s", n++ ? "," : "");
            tools_json_str(stdout, s, (size_t)-1);
        }
    }
    putchar(']');
    tools_json_key(stdout, &f2, "size");
    printf("%lld", c->size);
    tools_json_key(stdout, &f2, "auth");
    tools_json_str(stdout, c->auths, (size_t)-1);
    putchar('}');
}

static void to_json(enum kind k, const char *key,
                    const struct tern_hints_rec *rec)
{
    struct tern_hints_retry r;
    struct tern_hints_wait w;
    struct tern_hints_tls t;
    struct tern_hints_ehlo eh;
    char buf[200];
    int first = 1;

    putchar('{');
    if (k == K_RETRY && tern_hints_retry_decode(rec, &r) == 0) {
        json("retry", key, rec, &first);
        printf(",\"first_failed\":%lld,\"last_try\":%lld,\"next_try\":%lld,"
               "\"expired\":%s,\"basic_errno\":%d,\"more_errno\":%d,"
               "\"text\":", r.first_failed, r.last_try, r.next_try,
               r.expired ? "true" : "false", r.basic_errno, r.more_errno);
        tools_json_str(stdout, r.text, (size_t)-1);
    } else if (k == K_WAIT && tern_hints_wait_decode(rec, &w) == 0) {
        char id[TERN_HINTS_ID_SIZE];
        json("wait", key, rec, &first);
        printf(",\"sequence\":%d,\"ids\":[", w.sequence);
        for (int i = 0; i < w.count; i++) {
            tern_hints_wait_id(&w, i, id);
            printf("%s\"%s\"", i ? "," : "", id);
        }
        putchar(']');
    } else if (k == K_TLS && tern_hints_tls_decode(rec, &t) == 0) {
        json("tls", key, rec, &first);
        printf(",\"expires\":%lld,\"policy\":", t.expires);
        tools_json_str(stdout, t.policy, (size_t)-1);
        printf(",\"session_bytes\":%zu", t.session_len);
    } else if (k == K_EHLO && tern_hints_ehlo_decode(rec, &eh) == 0) {
        json("ehlo", key, rec, &first);
        json_caps("cleartext", &eh.clear, &first);
        json_caps("tls", &eh.tls, &first);
    } else if (k == K_RATELIMIT) {
        json("ratelimit", key, rec, &first);
        printf(",\"usec\":%d,\"rate\":%.6f",
               get_int(rec->data),
               get_double(rec->data + 8));
    } else if (k == K_MISC) {
        json("misc", key, rec, &first);
        printf(",\"count\":%d", get_int(rec->data));
    } else if (k == K_SEEN) {
        json("seen", key, rec, &first);
    } else {
        json("raw", key, rec, &first);
        raw_hex(rec, buf, sizeof buf);
        printf(",\"length\":%zu,\"hex\":\"%s\"", rec->len, buf);
    }
    putchar('}');
}

void hints_dump_record(const struct tools_env *e, const char *db,
                       const char *key, const struct tern_hints_rec *rec,
                       int keys_only, int *first)
{
    enum kind k = kind_of(db, key, rec);
    if (e->json) {
        if (!*first)
            putchar(',');
        *first = 0;
        if (keys_only)
            tools_json_str(stdout, key, (size_t)-1);
        else
            to_json(k, key, rec);
        return;
    }
    if (keys_only)
        printf("%s\n", key);
    else
        text(e, k, key, rec);
}
