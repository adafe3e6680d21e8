/*
 * NAME
 *   expand_regex.c - regular expressions for match and ${sg}, with PCRE2
 *
 * SYNOPSIS
 *   exp_regex_check(re, len, &why, &where, arena);   parse time
 *   t = exp_match(v, node, subject, re, 1);          sets $0..$n
 *   exp_sg(v, node, subject, re, replacement, out);
 *
 * DESCRIPTION
 *   Patterns are compiled in 8-bit mode against bytes, as Exim does.
 *   Constant patterns are compiled once while parsing so that a bad one
 *   is a configuration error; at run time the pattern is compiled again
 *   (a plan cannot hold compiled code).
 *
 *   ${sg} works like Exim's: for each match the captured substrings are
 *   put in $0..$n and the (already expanded) replacement is expanded a
 *   second time, which is how `\$1` in a configuration reaches the
 *   capture.  After a match of zero length the next attempt at the same
 *   place must not be empty, as Perl does it.
 *
 * DIAGNOSTICS
 *   Compilation errors carry PCRE2's message and the offset in the
 *   pattern; match errors other than "no match" are expansion errors.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "arena.h"
#include "expand_int.h"

static pcre2_code *compile(const char *re, size_t len, char *msg,
                           size_t msglen, size_t *where)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, len, 0, &ec, &eo, NULL);
    if (!c) {
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, msglen);
        *where = eo;
    }
    return c;
}

int exp_regex_check(const char *re, size_t len, const char **why,
                    size_t *where, struct tern_arena *a)
{
    char msg[256];
    pcre2_code *c = compile(re, len, msg, sizeof msg, where);
    if (c) {
        pcre2_code_free(c);
        return 0;
    }
    *why = tern_strdup(a, msg);
    return -1;
}

static pcre2_code *ev_compile(struct ev *v, uint32_t node, struct xs re)
{
    char msg[256];
    size_t where;
    pcre2_code *c = compile(re.p, re.len, msg, sizeof msg, &where);
    if (!c)
        ev_fail(v, TERN_EXP_ERROR, node, "regular expression error in "
                "\"%s\": %s at offset %zu", xs_dup(v->a, re), msg, where);
    return c;
}

/* Point $0..$n at the captures of the last match (into subject, which
 * is arena memory and outlives the if). */
static void set_nums(struct ev *v, struct xs subj, pcre2_match_data *md,
                     int rc)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    unsigned n = rc > 0 ? (unsigned)rc : 0;
    if (n > EXP_MAX_NUMVARS)
        n = EXP_MAX_NUMVARS;
    for (unsigned k = 0; k < n; k++) {
        if (ov[2 * k] == PCRE2_UNSET || ov[2 * k] > ov[2 * k + 1])
            v->nums[k] = xs_make("", 0);
        else
            v->nums[k] = xs_make(subj.p + ov[2 * k],
                                 ov[2 * k + 1] - ov[2 * k]);
    }
    v->n_nums = n;
}

int exp_match(struct ev *v, uint32_t node, struct xs subject, struct xs re,
              int want_nums)
{
    pcre2_code *c = ev_compile(v, node, re);
    if (!c)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
    int rc = md ? pcre2_match(c, (PCRE2_SPTR)subject.p, subject.len, 0, 0,
                              md, NULL)
                : PCRE2_ERROR_NOMEMORY;
    int result = 0;
    if (rc >= 0) {
        if (want_nums)
            set_nums(v, subject, md, rc == 0 ? EXP_MAX_NUMVARS : rc);
        result = 1;
    } else if (rc != PCRE2_ERROR_NOMATCH) {
        result = ev_fail(v, TERN_EXP_ERROR, node, "regular expression "
                         "match failed (PCRE2 error %d)", rc);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(c);
    return result;
}

int exp_sg(struct ev *v, uint32_t node, struct xs subj, struct xs re,
           struct xs repl, struct xb *out)
{
    struct tern_exp *rx;
    if (ev_parse(v, node, repl, &rx) < 0)
        return -1;
    pcre2_code *c = ev_compile(v, node, re);
    if (!c)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
    struct xs saved[EXP_MAX_NUMVARS];
    unsigned saved_n = v->n_nums;
    memcpy(saved, v->nums, sizeof saved);

    size_t off = 0;
    uint32_t opts = 0;
    int rc = 0;
    while (md && off <= subj.len) {
        int m = pcre2_match(c, (PCRE2_SPTR)subj.p, subj.len, off, opts, md,
                            NULL);
        if (m == PCRE2_ERROR_NOMATCH) {
            if (opts == 0 || off >= subj.len)
                break;
            xb_addc(out, subj.p[off++]);    /* step over the empty match */
            opts = 0;
            continue;
        }
        if (m < 0) {
            rc = ev_fail(v, TERN_EXP_ERROR, node, "regular expression match "
                         "failed (PCRE2 error %d)", m);
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[0] < off || ov[1] < ov[0]) {
            rc = ev_fail(v, TERN_EXP_ERROR, node, "unsupported match in sg");
            break;
        }
        xb_add(out, subj.p + off, ov[0] - off);
        set_nums(v, subj, md, m == 0 ? EXP_MAX_NUMVARS : m);
        if ((rc = ev_nested(v, rx, node, out)) < 0)
            break;
        opts = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
        off = ov[1];
    }
    if (rc == 0 && off < subj.len)
        xb_add(out, subj.p + off, subj.len - off);
    memcpy(v->nums, saved, sizeof saved);
    v->n_nums = saved_n;
    pcre2_match_data_free(md);
    pcre2_code_free(c);
    if (!md && rc == 0)
        rc = ev_fail(v, TERN_EXP_ERROR, node, "out of memory");
    return rc;
}
