/*
 * NAME
 *   spool_list.c - tern-spool list: the queue, filtered like exipick
 *
 * SYNOPSIS
 *   tern-spool list [--sender RE] [--recipient RE] [--id RE]
 *                   [--frozen | --unfrozen] [--older TIME] [--younger TIME]
 *                   [--size [<|>|<=|>=|=]N[K|M|G]] [-c] [-i] [ID...]
 *
 * DESCRIPTION
 *   Without --json, each message is shown as `exim -bp` shows it (age,
 *   size, id, sender, "*** frozen ***", then the recipients, delivered
 *   ones marked D), so scripts written for mailq keep working.  Filters
 *   combine with AND.  Regular expressions are POSIX extended ones,
 *   matched without regard to case (as addresses are compared), anywhere
 *   in the value: --sender against the envelope sender ("" for <>),
 *   --recipient against each recipient not yet delivered, --id against
 *   the message id.  TIME is Exim's (90s, 15m, 2h, 3d, 1w); --older and
 *   --younger compare the time the message was received.  -c prints the
 *   number of matching messages, -i only their ids.
 *
 * DIAGNOSTICS
 *   A message whose -H file cannot be parsed is listed as Exim lists it
 *   ("*** spool format error ***", or an "error" member in JSON) when no
 *   filter is given, its reason goes to standard error, and the exit
 *   status is 1; the file is not touched.
 */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "spool_cmd.h"

struct filter {
    regex_t sender, rcpt, id;
    int has_sender, has_rcpt, has_id;
    int frozen;                 /* 1 frozen only, -1 unfrozen only */
    long long older, younger;   /* seconds, -1 = unset */
    int size_op;                /* 0 none, else '<' '>' 'l'(<=) 'g'(>=) '=' */
    long long size;
    int count_only, ids_only;
    int any;                    /* some filter is set */
};

static int parse_size(const char *s, struct filter *f)
{
    char *end;
    double v;
    f->size_op = '=';
    if (s[0] == '<' || s[0] == '>') {
        f->size_op = s[1] == '=' ? (s[0] == '<' ? 'l' : 'g') : s[0];
        s += s[1] == '=' ? 2 : 1;
    } else if (s[0] == '=') {
        s++;
    }
    v = strtod(s, &end);
    if (end == s || v < 0)
        return -1;
    switch (*end) {
    case 'k': case 'K': v *= 1024; end++; break;
    case 'm': case 'M': v *= 1024 * 1024; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end)
        return -1;
    f->size = (long long)v;
    return 0;
}

static int compile_re(struct tools_env *e, regex_t *re, const char *s)
{
    int rc = regcomp(re, s, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char why[256];
        regerror(rc, re, why, sizeof why);
        tools_warn(e, "bad regular expression \"%s\": %s", s, why);
        return -1;
    }
    return 0;
}

/* Options of list; leaves the message ids in ids[]. */
static int parse(struct tools_env *e, struct filter *f, int argc,
                 char **argv, char **ids, int *n_ids)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0, takes = 1;
        if (!strcmp(a, "--sender") && v && !f->has_sender)
            f->has_sender = !(rc = compile_re(e, &f->sender, v));
        else if (!strcmp(a, "--recipient") && v && !f->has_rcpt)
            f->has_rcpt = !(rc = compile_re(e, &f->rcpt, v));
        else if (!strcmp(a, "--id") && v && !f->has_id)
            f->has_id = !(rc = compile_re(e, &f->id, v));
        else if ((!strcmp(a, "--older") || !strcmp(a, "--younger")) && v)
            rc = tools_parse_time(v, a[2] == 'o' ? &f->older : &f->younger);
        else if (!strcmp(a, "--size") && v)
            rc = parse_size(v, f);
        else {
            takes = 0;
            if (!strcmp(a, "--frozen"))
                f->frozen = 1;
            else if (!strcmp(a, "--unfrozen"))
                f->frozen = -1;
            else if (!strcmp(a, "-c") || !strcmp(a, "--count"))
                f->count_only = 1;
            else if (!strcmp(a, "-i") || !strcmp(a, "--ids"))
                f->ids_only = 1;
            else if (a[0] != '-')
                ids[(*n_ids)++] = argv[i];
            else {
                tools_warn(e, "list: unknown option or missing value: %s",
                           a);
                return -1;
            }
        }
        if (rc != 0) {
            tools_warn(e, "list: bad value for %s: \"%s\"", a, v);
            return -1;
        }
        i += takes;
        if (takes || !strcmp(a, "--frozen") || !strcmp(a, "--unfrozen"))
            f->any = 1;
    }
    return 0;
}

static int rcpt_matches(const struct filter *f, const struct tern_spool_msg *m)
{
    for (size_t i = 0; i < m->n_rcpts; i++)
        if (!tern_spool_is_nonrcpt(m, m->rcpts[i].address) &&
            regexec(&f->rcpt, m->rcpts[i].address, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

static int matches(const struct filter *f, const struct tern_spool_msg *m,
                   long long size, long long now)
{
    long long age = now - m->received_time;
    if (f->has_sender &&
        regexec(&f->sender, m->sender ? m->sender : "", 0, NULL, 0) != 0)
        return 0;
    if (f->has_rcpt && !rcpt_matches(f, m))
        return 0;
    if ((f->frozen > 0 && m->frozen_at < 0) ||
        (f->frozen < 0 && m->frozen_at >= 0))
        return 0;
    if ((f->older >= 0 && age < f->older) ||
        (f->younger >= 0 && age >= f->younger))
        return 0;
    switch (f->size_op) {
    case '<': return size < f->size;
    case '>': return size > f->size;
    case 'l': return size <= f->size;
    case 'g': return size >= f->size;
    case '=': return size == f->size;
    default: return 1;
    }
}

static void print_text(const struct tern_spool_msg *m, long long size,
                       long long now)
{
    char age[24], sz[24];
    tools_fmt_age(now - m->received_time, age);
    tools_fmt_size(size, sz);
    printf("%s %s %s <%s>", age, sz, m->id, m->sender ? m->sender : "");
    if (m->flags & TERN_SPOOL_SENDER_SET_UNTRUSTED)
        printf(" (%s)", m->login ? m->login : "");
    if (m->frozen_at >= 0)
        printf(" *** frozen ***");
    putchar('\n');
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const char *r = m->rcpts[i].address;
        printf("        %c %s\n", tern_spool_is_nonrcpt(m, r) ? 'D' : ' ',
               r);
    }
    putchar('\n');
}

static void print_json(const struct tern_spool_msg *m, long long size,
                       long long now, int *first_msg)
{
    int first = 1;
    if (!*first_msg)
        putchar(',');
    *first_msg = 0;
    putchar('{');
    tools_json_key(stdout, &first, "id");
    tools_json_str(stdout, m->id, (size_t)-1);
    tools_json_key(stdout, &first, "sender");
    tools_json_str(stdout, m->sender ? m->sender : "", (size_t)-1);
    tools_json_key(stdout, &first, "received_time");
    printf("%lld", m->received_time);
    tools_json_key(stdout, &first, "age");
    printf("%lld", now - m->received_time);
    tools_json_key(stdout, &first, "size");
    printf("%lld", size);
    tools_json_key(stdout, &first, "frozen");
    fputs(m->frozen_at >= 0 ? "true" : "false", stdout);
    tools_json_key(stdout, &first, "frozen_at");
    if (m->frozen_at >= 0)
        printf("%lld", m->frozen_at);
    else
        fputs("null", stdout);
    tools_json_key(stdout, &first, "recipients");
    putchar('[');
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const char *r = m->rcpts[i].address;
        printf("%s{\"address\":", i ? "," : "");
        tools_json_str(stdout, r, (size_t)-1);
        printf(",\"delivered\":%s}",
               tern_spool_is_nonrcpt(m, r) ? "true" : "false");
    }
    fputs("]}", stdout);
}

static void print_bad(const struct tools_env *e, const char *id,
                      const struct tern_spool_err *err, int *first_msg)
{
    if (e->json) {
        if (!*first_msg)
            putchar(',');
        *first_msg = 0;
        fputs("{\"id\":", stdout);
        tools_json_str(stdout, id, (size_t)-1);
        fputs(",\"error\":", stdout);
        tools_json_str(stdout, err->text, (size_t)-1);
        putchar('}');
    } else {
        printf("      %s\n    *** spool %s error ***\n\n", id,
               err->sys_errno ? "read" : "format");
    }
}

/* One message; returns 1 when it matched, 0 when not, -1 when broken. */
static int one(struct tools_env *e, struct tern_spool *sp,
               const struct filter *f, const char *id, long long now,
               int *first_msg)
{
    struct tern_arena *a = tern_arena_new();
    struct tern_spool_msg m;
    struct tern_spool_err err;
    long long body, size;
    int rc = 0;

    tern_spool_msg_init(&m);
    if (tern_spool_read_header(sp, id, a, &m, &err) != 0) {
        tools_warn(e, "%s", err.text);
        if (!f->any && !f->count_only && !f->ids_only)
            print_bad(e, id, &err, first_msg);
        tern_arena_free(a);
        return -1;
    }
    body = spool_body_len(e, id);
    size = tern_spool_msg_size(&m, body < 0 ? 0 : body);
    if (f->has_id && regexec(&f->id, id, 0, NULL, 0) != 0)
        rc = 0;
    else if ((rc = matches(f, &m, size, now)) && !f->count_only) {
        if (e->json && f->ids_only) {
            if (!*first_msg)
                putchar(',');
            *first_msg = 0;
            tools_json_str(stdout, id, (size_t)-1);
        } else if (e->json) {
            print_json(&m, size, now, first_msg);
        } else if (f->ids_only) {
            printf("%s\n", id);
        } else {
            print_text(&m, size, now);
        }
    }
    tern_arena_free(a);
    return rc;
}

static void free_filter(struct filter *f)
{
    if (f->has_sender)
        regfree(&f->sender);
    if (f->has_rcpt)
        regfree(&f->rcpt);
    if (f->has_id)
        regfree(&f->id);
}

int spool_cmd_list(struct tools_env *e, struct tern_spool *sp, int argc,
                   char **argv)
{
    struct filter f;
    struct tern_spool_err err;
    const char **all;
    char **want = calloc((size_t)argc + 1, sizeof *want);
    size_t n_all, n, count = 0;
    int n_want = 0, status = TOOLS_OK, first_msg = 1;
    long long now = (long long)time(NULL);

    memset(&f, 0, sizeof f);
    f.older = f.younger = -1;
    if (!want || parse(e, &f, argc, argv, want, &n_want) != 0) {
        free_filter(&f);
        free(want);
        return TOOLS_USAGE;
    }
    if (tern_spool_list(sp, e->arena, &all, &n_all, &err) != 0) {
        tools_warn(e, "%s", err.text);
        free_filter(&f);
        free(want);
        return TOOLS_FAIL;
    }
    n = n_want ? (size_t)n_want : n_all;
    if (e->json && !f.count_only)
        putchar('[');
    for (size_t i = 0; i < n; i++) {
        const char *id = n_want ? want[i] : all[i];
        int rc;
        if (!tern_msgid_valid(id)) {
            tools_warn(e, "%s: not a message id", id);
            status = TOOLS_FAIL;
            continue;
        }
        rc = one(e, sp, &f, id, now, &first_msg);
        if (rc > 0)
            count++;
        else if (rc < 0)
            status = TOOLS_FAIL;
    }
    if (f.count_only)
        printf(e->json ? "{\"count\":%zu}\n" : "%zu\n", count);
    else if (e->json)
        puts("]");
    free_filter(&f);
    free(want);
    return status;
}
